/*
 * forecast.h — forecasts of bookings for a period, over the analytics index
 * (analytics.h): GET /api/v1/forecast, the weekly snapshots, the accuracy
 * report and `funnel forecast backtest` all go through forecast_compute().
 *
 * CONTRACT between the forecast engine (forecast.c) and its users
 * (forecast_process.c: submissions, snapshots, accuracy, backtest).  The
 * engine's owner may add members; what is declared here stays.
 *
 * A query: a period ("2026-Q4" or "2026-11"; bounds [from, to) in seconds),
 * a scope the caller may see, an as_of instant (0: now), the models wanted.
 * The answer, in one currency (the one asked, else the scope's most common):
 *
 *   closed_won          Σ amount won with closed_at in [from, min(to, as_of))
 *   per model:
 *     expected          expected further bookings (closing in [as_of, to))
 *     p10 p50 p90       quantiles of further bookings (weighted, categories:
 *                       equal to expected — no spread is claimed)
 *     total_*           closed_won + the above (what the period will book)
 *   categories model:   commit, best_case, pipeline sums as the owners set
 *                       them (best_case includes commit? — no: each category
 *                       alone; the "best case number" is commit + best_case)
 *   top                 the deals contributing most to the expected figure
 *
 * as_of: everything is computed from what was known then — the stage from
 * stage_history, amount / close_date / forecast_category from field history
 * (the `history` table), status and closed_at only if closed before as_of;
 * deals created after as_of do not exist.
 */
#ifndef FUNNEL_FORECAST_H
#define FUNNEL_FORECAST_H

#include <stdint.h>

#include "../core/err.h"
#include "../core/json.h"
#include "analytics.h"
#include "principal.h"

enum fc_model { FC_WEIGHTED, FC_CATEGORIES, FC_HISTORICAL, FC_SIMULATION, FC_NMODELS };
extern const char *const fc_model_names[FC_NMODELS]; /* "weighted", ... */

enum fc_scope_kind { FS_COMPANY, FS_USER, FS_TEAM, FS_CHANNEL, FS_PIPELINE };

struct fc_scope {
	enum fc_scope_kind kind;
	long long id;        /* user, team (with its subtree), pipeline */
	char channel[16];    /* FS_CHANNEL */
};

struct fc_query {
	char period[8];      /* "2026-Q4" | "2026-11" */
	uint32_t from, to;   /* [from, to), seconds since 1970, UTC */
	uint32_t as_of;      /* 0: now */
	struct fc_scope scope;
	unsigned models;     /* bit (1u << FC_x); 0: all */
	int iterations;      /* simulation; 0: the default (10000) */
	uint64_t seed;       /* simulation; same seed, same answer */
	char currency[4];    /* "": the most common in scope */
	int top;             /* contributing deals to list; 0: 10 */
};

struct fc_model_result {
	int64_t expected, p10, p50, p90;         /* further bookings, minor units */
	int64_t commit, best_case, pipeline;     /* FC_CATEGORIES only */
};

struct fc_result {
	char currency[4];
	int64_t closed_won;
	long long open_deals;                    /* open at as_of, in scope */
	struct fc_model_result m[FC_NMODELS];    /* only the models asked */
	unsigned models;
};

/* Parse the query string of GET /forecast (period, scope, scope_id / owner_id /
 * team_id / channel / pipeline_id, as_of, model, iterations, seed, currency,
 * top).  E_INVAL with a field problem per bad or unknown parameter. */
int forecast_parse(const struct kv *params, int n, time_t now, struct fc_query *q,
		   struct err *e);

/* Period text → bounds.  -1 for a bad period. */
int forecast_period(const char *period, uint32_t *from, uint32_t *to);

/* Compute.  E_NOTFOUND for a scope the caller may not see (or that does not
 * exist).  `w` may be NULL (snapshots and backtests need only `out`); when
 * given, the full answer (with top deals and definitions) is written to it. */
int forecast_compute(struct analytics *a, struct store *st, const struct principal *p,
		     const struct fc_query *q, struct fc_result *out, struct jw *w,
		     struct err *e);

#endif
