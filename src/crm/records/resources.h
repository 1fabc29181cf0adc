/*
 * resources.h — the record types Funnel has, each declared in its own file.
 */
#ifndef FUNNEL_RESOURCES_H
#define FUNNEL_RESOURCES_H

#include "record.h"

extern const struct resource account_resource;
extern const struct resource contact_resource;
extern const struct resource lead_resource;
extern const struct resource opportunity_resource;
extern const struct resource activity_resource;
extern const struct resource lost_reason_resource;
extern const struct resource template_resource;   /* template.c */
extern const struct resource form_resource;
extern const struct resource saved_filter_resource; /* saved_filter.c */
extern const struct resource scoring_rule_resource; /* scoring_rule.c */

/* Choices shared by several declarations. */
extern const char *const channel_choices[];   /* field inside partner web retail */

#endif
