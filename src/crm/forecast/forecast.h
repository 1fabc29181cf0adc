/*
 * forecast.h — forecasts of bookings for a period, over the analytics index
 * (analytics.h): GET /api/v1/forecast, the weekly snapshots, the accuracy
 * report and `funnel forecast backtest` all go through forecast_compute().
 *
 * The forecast capability (this folder; start here).  It promises a number a
 * manager can trust: four models from the weighted pipeline to one learned
 * from the team's own history, each with a P10–P90 range measured on its own
 * past errors; people's submissions and their roll-up; weekly snapshots; and
 * accuracy once a period closes.  Its files:
 *
 *   forecast.h/.c           the engine (this contract)
 *   forecast_process.h      the process around it, for the API and the CLI
 *   forecast_submit.c       submissions and the roll-up
 *   forecast_snapshot.c     weekly snapshots and the server's job taking them
 *   forecast_accuracy.c     accuracy of closed periods and the backtest
 *   forecast_process_int.h  what those three share, for them only
 *
 * Depends on records/ and insight/ (the index, performance's quotas).
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
 *
 * ---- Definitions (forecast.c implements exactly these) --------------------
 *
 * Times.  Period [F, T) in UTC; as_of A (0 in the query: now).  "Known at A"
 * means an event with a time before A: a deal exists when created < A, is
 * closed when closed_at < A, its stage at A is the last stage_history row
 * entered before A, its amount / close_date / forecast_category at A come
 * from the index's field pool (analytics_field_before).  The window of
 * further bookings is W = [max(F, A), T); when it is empty (A >= T) every
 * model's further figure is 0.  Deals open at A: existing, not closed, and in
 * a stage whose section is not won or lost.
 *
 * Scope and visibility.  company: every deal the caller sees (a rep: their
 * own; a manager: their team subtree; an admin: all); user: one owner the
 * caller sees; team: a team and the teams below it, for a manager whose
 * subtree holds it, or an admin (reps: E_NOTFOUND); channel: the deal's
 * channel; pipeline: one pipeline — both narrowed to what the caller sees.
 * A scope the caller may not see answers as one that does not exist.
 *
 * Currency.  The one asked, else the most common among the deals in scope
 * that are open at A or were won in [F, min(T, A)) (ties: alphabetical);
 * deals in others are left out of every amount and counted in
 * excluded_other_currency.
 *
 * The probability of a stage is the stages table's (the process map's), not
 * a number typed on a deal: the deal's own probability has no history, and
 * every as_of must be computed alike.
 *
 * weighted     Σ amount × stage probability / 100 over open deals whose
 *              close_date (at A) is in the period, summed exactly in minor
 *              units × percent and rounded half up once.  p10 = p50 = p90.
 * categories   Over the same deals, Σ amount by forecast category at A:
 *              commit (an open deal marked closed counts as commit),
 *              best_case, pipeline; omitted is left out.  A deal's category
 *              at A is the one its field history gives; a deal with no
 *              category history has its stage's category at A, unless its
 *              category now differs from its current stage's (set by hand,
 *              with no record of when: taken as always so).  expected =
 *              commit; best_case_number = commit + best_case.  p10 = p50 =
 *              p90 = expected.
 * historical   For each open deal i, p_i = P(won with closed_at in W),
 *              learned from comparable points of the past (below), and a
 *              run-rate R for deals not yet created.  expected = Σ amount_i
 *              p_i + E[R]; p10 / p50 / p90 from the normal with that mean
 *              and the variance of "Uncertainty" below (floored at 0).
 * simulation   Monte Carlo of θ · (Σ amount_i · Bernoulli(p_i) + R) with the
 *              historical p_i and R, `iterations` draws from `seed` (same
 *              seed, same answer, whatever the threads); expected is the
 *              mean of the draws, p10 / p50 / p90 their nearest-rank
 *              quantiles.  See "The sampler" below.
 *
 * ---- The historical model ---------------------------------------------------
 *
 * Comparable points.  The same forecast made k periods earlier: F_k, T_k =
 * the period shifted back k periods (calendar months: 3 for a quarter, 1 for
 * a month), A_k = F_k + (A − F), W_k = [max(F_k, A_k), T_k).  Only k whose
 * outcome is known at A (T_k <= A), the first FC_SNAPSHOTS_Q (quarters) or
 * FC_SNAPSHOTS_M (months) of them — two years.  Every deal open at A_k (by
 * the rules of "known at A", applied at A_k) is a point; it is a success
 * when the deal was won with closed_at in W_k.  A point's features, all at
 * A_k: its stage (pipeline, position); where its close_date falls (in W_k,
 * before it: overdue, after it); age in stage (days since it entered the
 * stage: < 14, < 30, < 60, < 120, more); size (amount against m, the median
 * amount of the deals existing at A_k, from an even sample: < m/2, < m, < 2m,
 * more — an open deal's at A against the median at A); channel (five and
 * none).  A point's cell depends only on A_k and its window, not on the
 * target, so forecasts sharing comparable points (a backtest's: period P's
 * k-th is P−1's (k−1)-th) share their counts: fc_batch_run counts each
 * distinct past instant once and weighs it per target afterwards.  This is stage-to-outcome conversion and
 * time to close in one count: the share of comparable deals that were won
 * inside a window of the same length at the same place in the period.
 * Points need no censoring (their window ended before A) and include deals
 * that stalled.  A point of the period k periods back weighs FC_RECENCY per
 * quarter further back (the latest 1), so rates follow a changing team.
 * Beyond FC_TRAIN_DEALS deals in the index, the parent and company levels
 * learn from a sample of that size (a deal is in it when a hash of its id
 * is, so the same deals every time) and the scope from all its deals — from
 * the sample too when the scope is the whole company, its run-rate then
 * scaled by the sample's share: millions of points do not sharpen a rate
 * per cell, they only cost time.
 *
 * Shrinkage.  Weighted counts are kept per full cell (stage, close position,
 * age, size, channel) at three levels: the scope, its parent (a user's team
 * subtree; for the other scopes the company), the company (every deal,
 * whoever asks: only rates leave the model).  Rates go down the feature
 * hierarchy stage → +close position → +age → +size → +channel, each node
 * r = (successes + K·prior) / (points + K), K = FC_PSEUDO points of the
 * latest period:
 *   company, stage node: prior = the stage's probability / 100 (with no
 *     history at all, historical falls back to the process map);
 *   company, deeper: prior = the parent node's rate;
 *   scope / parent level: prior = the broader level's rate for the same
 *     node × (this level's rate / the broader level's) at the parent node
 *     (at the stage node: over all points), so a scope that converts better
 *     than the company keeps that edge where its own data is thin.
 * An industry factor (of the deal's account), at the company level per
 * stage: f = ((won + K·r_s) / (points + K)) / r_s.
 *
 * Seasons (and amounts).  The rates count deals; what books is amounts, and
 * a quarter's end or a summer moves both.  For each past period and stage,
 * the scope's points' booked amounts (their amount when won) over their
 * amounts at A_k × the cell rates; the factor of the target's season (the
 * periods 4 quarters or 12 months apart) is Σ booked / Σ predicted over that
 * season's periods, shrunk towards the season's factor over all stages and
 * that towards 1, each by K points of the average amount.  p_i = the scope
 * level's full-cell rate × the industry factor × the season factor, clamped
 * to [0, 1].  Deals in a stage their pipeline no longer has get p = 0
 * (weighted: 0 too).
 *
 * Uncertainty.  Beside the draws' own noise, a period books more or less
 * than the model says (a good quarter, a bad one, a team that is changing):
 * the forecast is θ · (Σ amount_i B_i + R) with θ a period factor of mean 1
 * and variance τ².  τ² is the model's own error at the same point of the
 * past periods, forecast as it would have been then: for each period k with
 * at least FC_ERR_OLDER older comparable ones (as the run-rate counts them:
 * not the company's first months), its open points' cells'
 * rates and season factors from the older periods' points only, its
 * run-rate from the older periods' (scaled to its flow of new deals), and
 * e_k = its booked total over that forecast − 1 (for months, only the
 * latest FC_ERR_RECENT_M periods).  τ² is then what "Calibration" makes of
 * those errors (fc_calibrate).  Errors
 * measured forward, not leaving one period out of a fit on all the others,
 * count what a forecast made at the time could not know (a trend, a season
 * not yet seen, a young team), which is what the interval must hold.  So
 * historical's variance is (1 + τ²)(Σ a_i² p_i (1 − p_i) + Var R) +
 * τ² (Σ a_i p_i + E R)², and the simulation draws θ lognormal.
 *
 * Calibration (fc_calibrate; issue 17).  The range's width is a measured
 * property of the scope at its own size and the same as_of offset:
 *   d = the mean over the n measured periods of e_k² − the draws' noise of
 *       that forecast over its square (floored at 0).  Months (trend): with
 *       FC_ERR_TREND_MIN or more periods, d is read from a weighted fit
 *       d_k = b + a / h_k at the target's h (h_k: the periods older than
 *       k) when a > 0 — a month forecast from 3 older months misses by more
 *       than one from 23, and the target has the most history of all.
 *   fallback f: the parent scope's measured d (its level's counts, each
 *       past period's won deals over what its cells' rates without it and
 *       the newer periods said; no season or run-rate), when measured on
 *       FC_CAL_OWN or more periods — basis "parent_scaled"; else
 *       FC_TAU_PRIOR² — basis "prior"; either times √(its size ratio): the
 *       parent's weighted points over the scope's (the company's for the
 *       prior), at most FC_SIZE_MAX.  A scope of a thirtieth of the
 *       company strays further from its forecast than the company does.
 *   τ² = d, with ν = n degrees of freedom, when n >= FC_CAL_OWN and d >= f
 *       (basis "own": measured is measured); else (n d + FC_TAU_PERIODS f) /
 *       (n + FC_TAU_PERIODS) with ν = n + FC_TAU_PERIODS (too few periods,
 *       or a few lucky ones: not narrower than scopes like it); basis "own"
 *       from n >= FC_CAL_OWN.  The 80 % range uses τ² (t₀.₉(ν) / z₀.₉)²,
 *       the 50 % and 90 % ranges t at 0.75 and 0.95 (fc_t_widen).
 *   checked / held: each measured past period's own P10–P90 (normal, its τ²
 *       from the periods older than it by the same rule) against what it
 *       booked — "the range held in 5 of 6 past quarters", as the forecast
 *       answer's basis.calibration and the Forecast screen say.
 * Small scopes.  Fewer than FC_SMALL_DEALS open deals: historical's range
 * is the simulation's draws' (θ · (Σ amount_i B_i + R), the scope's own
 * deals and run-rate, the scope's own τ²).
 *
 * Run-rate.  Deals of the scope created at or after A_k and won in W_k:
 * R_k = Σ booked amount (count N_k, Σ amount² Q_k), scaled by the flow of
 * new deals, g_k = the scope's deals created in the FC_GROWTH_DAYS before A
 * over those in the FC_GROWTH_DAYS before A_k; a period with g_k outside
 * [1/4, 4] (the company's first months) is not comparable and left out.
 * E[R] = the mean of g_k R_k over the target's season's periods (over all
 * when it has none); Var[R] = the compound-Poisson variance (mean g_k N_k)
 * × ΣQ / ΣN (how much periods differ beyond that is in θ).  In draws R is
 * lognormal with that mean and variance.
 *
 * ---- The sampler ------------------------------------------------------------
 *
 * 10^6 deals × 10^4 draws each is too many.  Deals with p 0 or 1 are
 * constants.  Of the others, the largest amounts are drawn exactly (a
 * Bernoulli per deal per iteration) and the rest replaced by one normal with
 * their mean and variance.  How close that is: by Stein's method the
 * Wasserstein distance between a sum of independent terms X_i and the normal
 * of the same mean and variance is at most Σ E|X_i − EX_i|³ / Var(Σ X_i)
 * (for a Bernoulli of amount a, E|X − EX|³ = |a|³ p q (p² + q²)), and adding
 * the exact part (independent) cannot increase it; the Wasserstein distance
 * is the mean gap between the two quantile functions.  The exact set is the
 * smallest prefix, by amount, after which that bound for the rest is at most
 * FC_W1_EPS(iterations) standard deviations of the whole — half the Monte
 * Carlo noise of the P10 and P90 themselves, so more draws draw more deals
 * exactly (at most FC_EXACT_MAX; the bound reached is reported).  Random
 * numbers are a counter hash of (seed, deal, iteration), 16 bits a draw (p
 * to within 2^-16), so chunks can run on any thread.
 * tests/unit/test_forecast.c checks the quantiles against brute force.
 */
#ifndef FUNNEL_FORECAST_H
#define FUNNEL_FORECAST_H

#include <stdint.h>

#include "core/err.h"
#include "core/json.h"
#include "crm/insight/analytics.h"
#include "crm/records/principal.h"
#include "crm/records/record.h"

#define FC_DEFAULT_ITERATIONS 10000
#define FC_MAX_ITERATIONS 100000
#define FC_DEFAULT_SEED 1
#define FC_DEFAULT_TOP 10
#define FC_MAX_TOP 100
#define FC_SNAPSHOTS_Q 8       /* comparable past quarters */
#define FC_SNAPSHOTS_M 24      /* comparable past months */
#define FC_TAU_PRIOR 0.10      /* period factor: its sd before any period is measured */
#define FC_TAU_PERIODS 2.0     /* ... worth that many measured periods */
#define FC_ERR_OLDER 2         /* period factor: measured on periods with this many older */
#define FC_ERR_RECENT_M 12     /* ... of months, on the latest this many only */
#define FC_ERR_DECAY_Q 1.0     /* ... a past error's weight per period further back */
#define FC_ERR_DECAY_M 1.0
#define FC_SMALL_DEALS 100     /* historical: fewer open deals, its range from draws */
#define FC_SIZE_MAX 100.0      /* ... the fallback's size ratio, at most */
#define FC_ERR_TREND_MIN 6     /* ... months: read at the target's history depth from this many */
#define FC_CAL_OWN 4           /* ... its basis is the scope's own from this many periods */
#define FC_GROWTH_DAYS 30u     /* run-rate: deals created over this long measure its flow */
#define FC_TRAIN_DEALS 2000000 /* historical: learns from a sample of at most this many */
#define FC_PSEUDO 20.0         /* shrinkage: pseudo-points of the prior */
#define FC_RECENCY 0.8         /* a comparable period's weight, per quarter further back */
/* sampler: the normal part's error bound, in σ, is at most half the Monte
 * Carlo noise of a P10 or P90 from `it` draws: ½ · √(0.1 · 0.9 / it) / φ(z₀.₉)
 * = 0.855 / √it (0.0085 at 10,000 draws) */
#define FC_W1_EPS(it) (0.855 / sqrt((double)(it)))
#define FC_EXACT_MAX 20000     /* sampler: deals drawn exactly, at most */

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
	uint32_t from, to;   /* [from, to), seconds since 1970, UTC; 0, 0: from period */
	uint32_t as_of;      /* 0: now */
	struct fc_scope scope;
	unsigned models;     /* bit (1u << FC_x); 0: all */
	int iterations;      /* simulation; 0: the default (10000) */
	uint64_t seed;       /* simulation; same seed, same answer */
	char currency[4];    /* "": the most common in scope */
	int top;             /* contributing deals to list; 0: 10; -1: none */
	int threads;         /* 0: 2 for large indexes, else 1 */
};

struct fc_model_result {
	int64_t expected, p10, p50, p90;         /* further bookings, minor units */
	int64_t commit, best_case, pipeline;     /* FC_CATEGORIES only */
	int64_t open_expected, run_rate;         /* FC_HISTORICAL, FC_SIMULATION:
						    expected from open deals and
						    from deals not yet created */
	long long deals;                         /* open deals the model counted */
	int64_t p05, p25, p75, p95;              /* FC_HISTORICAL, FC_SIMULATION: more
						    quantiles (the 50 % and 90 % ranges) */
};

struct fc_result {
	char currency[4];
	int64_t closed_won;
	long long open_deals;                    /* open at as_of, in scope */
	struct fc_model_result m[FC_NMODELS];    /* only the models asked */
	unsigned models;
	uint32_t as_of;                          /* the instant used (now when 0 was asked) */
	long long excluded_other_currency;       /* open or won-in-period deals left out */
	int64_t open_amount;                     /* Σ amount of the open deals counted */
	double period_sd;                        /* historical, simulation: τ */
	int periods_measured;                    /* ... measured on this many periods */
	int basis;                               /* ... enum fc_basis: whose errors */
	int range_from_draws;                    /* historical: its range is the draws' */
	int periods_checked, periods_held;       /* past periods whose P10–P90, made
						    then, held what they booked */
	size_t exact_deals;                      /* simulation: drawn exactly */
	double tail_bound;                       /* simulation: error bound of the normal part */
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

/* Many forecasts over one scope from one scan of the index (the backtest's
 * replay): fc_batch_run plans every query (all of one scope; as for
 * forecast_compute, E_NOTFOUND for a scope the caller may not see) and
 * counts the historical model's points once per distinct past instant —
 * the k-th comparable point of a period is the (k−1)-th of the period
 * before, so a backtest's targets share most of theirs — and each target's
 * state at its as_of.  fc_batch_result(b, i, ...) then answers query i
 * (each once; `currency`, when not NULL, replaces the query's) exactly as
 * forecast_compute would: forecast_compute is a batch of one.  The batch
 * holds the index's read lock until fc_batch_free. */
struct fc_batch;
int fc_batch_run(struct analytics *a, struct store *st, const struct principal *p,
		 const struct fc_query *q, int n, struct fc_batch **out, struct err *e);
int fc_batch_result(struct fc_batch *b, int i, const char *currency, struct fc_result *out,
		    struct jw *w, struct err *e);
void fc_batch_free(struct fc_batch *b);

/* Calibration (see "Calibration" at the top), exported for tests.  Past
 * periods newest first: pred[k] the forecast of period k as of then (<= 0:
 * not measured), actual[k] what it booked, noise[k] the draws' variance of
 * that forecast.  parent_tau2 (< 0: none) is the parent scope's measured τ²
 * over parent_periods periods.  decay: a past period's weight per period
 * further back (1: all alike); trend (months): the error read at the
 * target's depth of history from a fit of the errors on 1 / the periods
 * older than each. */
enum fc_basis { FC_BASIS_OWN, FC_BASIS_PARENT, FC_BASIS_PRIOR };
extern const char *const fc_basis_names[3]; /* "own", "parent_scaled", "prior" */
struct fc_calib {
	double tau2;          /* the period factor's variance, widened by Student's t */
	double tau2_raw;      /* ... before the widening */
	double fallback_tau2; /* what it was shrunk towards: the parent's or the prior's */
	int periods;          /* own periods measured */
	int nu;               /* degrees of freedom of τ² (Student's t) */
	int basis;            /* enum fc_basis */
	int checked, held;    /* measured periods, and those whose P10–P90 from the
				 periods older than them held the actual */
};
void fc_calibrate(const double *pred, const double *actual, const double *noise, int n,
		  double decay, int trend, double parent_tau2, int parent_periods, double size_ratio,
		  struct fc_calib *c);

/* t_q(ν) / z_q at q = 0.75 (level 0), 0.9 (1), 0.95 (2): how much wider a
 * range is for a spread measured with ν degrees of freedom (1 beyond 30). */
double fc_t_widen(int nu, int level);

/* The quantile at the normal's z of the lognormal with that mean and sd
 * (historical's range; 0 when mean <= 0). */
double fc_lognormal_q(double mean, double sd, double z);

/* The sampler (see the top), exported for tests.  Fills totals[0 ..
 * iterations) with draws of θ · (Σ amount[i] · Bernoulli(p[i]) + R), θ
 * lognormal with mean 1 and variance tau2 (0: θ = 1), R lognormal with mean
 * rr_mean and variance rr_var (rr_mean 0: no R; rr_var 0: R = rr_mean).  threads 1 or 2; the draws do not depend on it.  *exact (may be
 * NULL): deals drawn exactly; *bound (may be NULL): the Wasserstein bound
 * of the normal part in standard deviations of the total (0 when none).
 * -1 when out of memory. */
int fc_simulate(const double *amount, const double *p, size_t n, double rr_mean, double rr_var,
		double tau2, int iterations, uint64_t seed, int threads, double *totals,
		size_t *exact, double *bound);

#endif
