/*
 * pipeline.h — process maps: a pipeline is an ordered list of stages.
 *
 * A stage's section places it in the funnel:
 *
 *     upper ──► middle ──► lower ──► won
 *       │          │          │
 *       └──────────┴──────────┴────► lost
 *
 * Open opportunities sit in upper/middle/lower stages; won and lost stages
 * close them (status won/lost).  The rules for moving between stages arrive
 * with the sales-process work; here is what records need.
 */
#ifndef FUNNEL_PIPELINE_H
#define FUNNEL_PIPELINE_H

#include "../core/err.h"
#include "../store/store.h"

struct stage_info {
	long long id, pipeline_id;
	char key[64], name[128], section[8], forecast_category[16];
	int position, probability, stale_days;
};

/* The default pipeline's id. */
int pipeline_default(struct store *st, long long *id, struct err *e);
/* Stage `key` of pipeline `pipeline_id`; E_NOTFOUND when it has none. */
int pipeline_stage(struct store *st, long long pipeline_id, const char *key,
		   struct stage_info *out, struct err *e);
/* The first stage of a section ("upper" for a new deal, "won", "lost"). */
int pipeline_first_in(struct store *st, long long pipeline_id, const char *section,
		      struct stage_info *out, struct err *e);

/* "open", "won" or "lost" for a section. */
const char *pipeline_section_status(const char *section);

#endif
