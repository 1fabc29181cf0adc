/*
 * pipeline.h — process maps: a pipeline is an ordered list of stages, each
 * with a win probability, a place in the funnel, a forecast category, stale
 * and idle limits, and exit criteria.
 *
 * A stage's section places it in the funnel:
 *
 *     upper ──► middle ──► lower ──► won (conversion ──► payment collected)
 *       │          │          │
 *       └──────────┴──────────┴────► lost
 *
 * Moving an opportunity (pipeline_check_move) follows the pipeline's
 * enforcement:
 *   strict  forward only to the next stage, and the criteria of the stage
 *           left must hold; backward moves and reopening need an override;
 *   guided  forward to any later stage if the criteria of the stage left and
 *           of every stage skipped hold; backward moves are free; reopening a
 *           won deal needs an override;
 *   free    anything goes (still recorded in the stage history).
 * Moving to lost is always allowed, with a reason from the managed list.
 * An override needs a manager (or admin) and a reason; it is recorded on the
 * stage history row and in the audit log.
 *
 * Which pipeline a new deal gets (pipeline_for): one attached to the owner's
 * team or the nearest team above it and to the deal's channel; else to the
 * team alone; else to the channel alone; else the default pipeline.
 */
#ifndef FUNNEL_PIPELINE_H
#define FUNNEL_PIPELINE_H

#include <jansson.h>

#include "core/err.h"
#include "core/json.h"
#include "store/store.h"
#include "crm/records/principal.h"
#include "crm/records/record.h"

struct stage_info {
	long long id, pipeline_id;
	char key[64], name[128], section[8], forecast_category[16];
	int position, probability, stale_days, idle_days;
};

/* The default pipeline's id. */
int pipeline_default(struct store *st, long long *id, struct err *e);
/* The pipeline for a new deal of an owner in `team_id` (0: none) on
 * `channel` (NULL: none). */
int pipeline_for(struct store *st, long long team_id, const char *channel, long long *id,
		 struct err *e);
/* Stage `key` of pipeline `pipeline_id`; E_NOTFOUND when it has none. */
int pipeline_stage(struct store *st, long long pipeline_id, const char *key,
		   struct stage_info *out, struct err *e);
/* The first stage of a section ("upper" for a new deal, "won", "lost"). */
int pipeline_first_in(struct store *st, long long pipeline_id, const char *section,
		      struct stage_info *out, struct err *e);
/* "open", "won" or "lost" for a section. */
const char *pipeline_section_status(const char *section);

/* May opportunity `opp` (its values after the write; opp->id set) move from
 * stage `from` to `to`?  OK, or E_CONFLICT with one field problem per unmet
 * rule, in words a salesperson understands; E_FORBIDDEN for an override
 * without the rights.  Sets opp->overridden when an override let it pass. */
int pipeline_check_move(struct store *st, const struct principal *p, struct record *opp,
			const struct stage_info *from, const struct stage_info *to,
			struct err *e);

/* The pipelines as JSON (each with its stages and their criteria). */
int pipeline_list_json(struct store *st, struct jw *w, struct err *e);
int pipeline_get_json(struct store *st, long long id, struct jw *w, long long *version,
		      struct err *e);
/* Create from {name, team_id?, channel?, enforcement?, stages: [...]}. */
int pipeline_create(struct store *st, const struct principal *p, json_t *body, long long *id,
		    struct err *e);
/* Change name, attachment, enforcement and (all at once) the stages.  A
 * stage removed while opportunities are in it needs "reassign": {"old":
 * "new"}; they move there, with stage history and audit rows. */
int pipeline_update(struct store *st, const struct principal *p, long long id, json_t *body,
		    long long if_match, struct err *e);
/* Delete a pipeline no opportunity uses (never the default). */
int pipeline_delete(struct store *st, const struct principal *p, long long id, struct err *e);

/* The choices a pipeline's declarations take, NULL-terminated (the API's
 * description lists them from here). */
extern const char *const pipeline_sections[];         /* upper middle lower won lost */
extern const char *const pipeline_enforcements[];     /* strict guided free */
extern const char *const pipeline_criterion_kinds[];  /* field activity document payment */
extern const char *const pipeline_criterion_fields[]; /* what a "field" criterion names */

#endif
