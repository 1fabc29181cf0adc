/*
 * resources.h — the record types Funnel has, each declared in its own file
 * (in the folder of its capability), named here so that the engine and the
 * other record types can reach them without including a folder above
 * records/.  The table of them all, resources[] (record.h), is in ../crm.c.
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
extern const struct resource questionnaire_resource; /* meetings/questionnaire.c */
extern const struct resource webhook_resource;    /* integrations/webhook.c */
extern const struct resource meeting_resource;    /* meetings/meeting.c */
extern const struct resource lobby_resource;      /* meetings/lobby.c */

/* Choices shared by several declarations, NULL-terminated. */
extern const char *const channel_choices[];   /* field inside partner web retail (crm.c) */
extern const char *const activity_types[];    /* call meeting email task note (activity.c) */
extern const char *const activity_related[];  /* account contact lead opportunity (activity.c) */

/* Seams: where a record of this folder must tell a capability above it that
 * something changed.  Declared here, implemented in ../crm.c, which sits
 * above every capability, so no folder includes one above it. */

/* An activity on lead `lead_id` was written or removed: the lead's
 * engagement, and so its score, changed (crm.c rescores it, scoring.h).
 * Runs in the writer's transaction; an error rolls the write back. */
int crm_lead_engaged(struct store *st, long long lead_id, struct err *e);

#endif
