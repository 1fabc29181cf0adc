/*
 * forecast_process_int.h — what the files of the forecasting process
 * (forecast_submit.c, forecast_snapshot.c, forecast_accuracy.c) share; not
 * for other modules.
 */
#ifndef FUNNEL_FORECAST_PROCESS_INT_H
#define FUNNEL_FORECAST_PROCESS_INT_H

#include "forecast_process.h"

int fp_kind_parse(const char *s, enum fp_kind *k);
/* Is `team` in the subtree of `root`? */
int fp_team_in_subtree(struct store *st, long long root, long long team, int *in,
		       struct err *e);
/* A positive id in query text, or a field problem. */
int fp_parse_id(const char *v, const char *field, long long *out, struct err *e);
/* A period in query text (bounds optional), or a field problem. */
int fp_parse_period(const char *v, const char *field, char out[8], uint32_t *from,
		    uint32_t *to, struct err *e);
/* scope / user_id / team_id query parameters → a scope p sees.  *has_kind:
 * whether any was given (else *out is the company, unchecked). */
int fp_parse_scope_params(struct store *st, const struct principal *p, const char *kind,
			  const char *user_id, const char *team_id, struct fp_scope *out,
			  int *has_kind, struct err *e);

/* SQL condition "who may see rows of scope s.scope/s.scope_id"; bind it with
 * fp_visible_bind(). */
const char *fp_visible_sql(const struct principal *p);
void fp_visible_bind(struct stmt *s, const struct principal *p);

/* The engine for one scope and period (models 0: all; as_of 0: now). */
int fp_compute(struct analytics *a, struct store *st, const struct principal *p,
	       const struct fp_scope *sc, const char *period, const char *currency,
	       time_t as_of, int iterations, uint64_t seed, unsigned models,
	       struct fc_result *r, struct err *e);
int fp_model_has_interval(int model);

void fp_jw_money(struct jw *w, const char *key, int64_t minor, const char *currency);
void fp_jw_time(struct jw *w, const char *key, time_t t);
/* {currency, closed_won, open_deals, <model>: {...}} */
void fp_models_json(struct jw *w, const struct fc_result *r);
/* A submission row read with SUB_COLUMNS from column `col`. */
void fp_submission_json(struct stmt *s, int col, struct jw *w);

#endif
