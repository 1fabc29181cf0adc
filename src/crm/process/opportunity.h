/*
 * opportunity.h — what an opportunity has beyond a plain record.
 */
#ifndef FUNNEL_OPPORTUNITY_H
#define FUNNEL_OPPORTUNITY_H

#include "crm/records/record.h"

/* The stage history of opportunity `id` as a JSON array, oldest first:
 * {stage, entered_at, exited_at, actor_id, override, reason}. */
int opportunity_stages(struct store *st, const struct principal *p, long long id,
		       struct jw *w, struct err *e);

/* A deal's forecast categories, NULL-terminated: pipeline best_case commit
 * closed omitted. */
extern const char *const opportunity_categories[];

#endif
