/*
 * forecast_process.h — the forecasting process around the engine
 * (forecast.h): people's submissions and their roll-up, weekly snapshots,
 * accuracy once a period has closed, and the backtest.
 *
 * Scopes.  A submission, a snapshot row and an accuracy row belong to one
 * scope: a user (their own deals), a team (its subtree's deals, as the
 * engine's FS_TEAM) or the company.  Who may see and submit what follows
 * principal.h:
 *
 *              sees                               submits for
 *   rep        scope user = themselves            themselves
 *   manager    users and teams of their subtree   themselves, teams of their subtree
 *   admin      everything                         themselves, any team, the company
 *
 * Anything else answers E_NOTFOUND (as a record one may not see); a scope one
 * sees but may not submit for (a manager for the company) answers
 * E_FORBIDDEN.
 *
 * Submissions (table forecast_submissions, migration 010) are append-only:
 * each POST adds a row with its time; the latest per (period, scope,
 * submitter) is that submitter's current number.  commit is what the
 * submitter will book in the period for sure (closed-won included), best_case
 * what it may reach (≥ commit): totals, as the engine's total_* figures.
 *
 * Snapshots (table forecast_snapshots): per (period, ISO week of as_of),
 * every model's forecast for every scope (each active rep, each team, the
 * company; w = NULL) and every submission current at as_of.  Taking the
 * snapshot of a week that has one already does nothing: a week is taken once.
 *
 *     serve ──► snapshot job thread ──(every interval)──► is this week's
 *                  ▲                                        snapshot there?
 *                  │ sleeps on a condition variable           │ no: take it
 *                  └────────── stop() wakes and joins ◄───────┘ (one transaction)
 *
 * Accuracy and the backtest compare a forecast F (the snapshot's total, or a
 * submission's commit) with the actual A (closed-won in the period, as the
 * database says now):
 *   error = F − A;  APE = |F − A| / A  (undefined when A = 0);
 *   bias  = (F − A) / A, averaged: positive means forecasts ran high;
 *   inside: P10 ≤ A ≤ P90 (models with an interval), commit ≤ A ≤ best_case
 *   (submissions); null for weighted and categories, which claim no spread.
 */
#ifndef FUNNEL_FORECAST_PROCESS_H
#define FUNNEL_FORECAST_PROCESS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "core/err.h"
#include "core/json.h"
#include "store/store.h"
#include "crm/insight/analytics.h"
#include "crm/records/principal.h"
#include "crm/records/record.h" /* before forecast.h, which uses struct kv */
#include "forecast.h"

enum fp_kind { FP_USER, FP_TEAM, FP_COMPANY };
extern const char *const fp_kind_names[3]; /* "user", "team", "company" */

struct fp_scope {
	enum fp_kind kind;
	long long id; /* user or team; 0 for the company */
};

/* The declared body of POST /forecast/submissions (openapi.c reads it). */
extern const struct field fp_submission_fields[];
extern const int fp_submission_nfields;

/* --- scopes and periods -------------------------------------------------- */

/* Does p see the scope?  OK, E_NOTFOUND (not visible or no such user or
 * team), E_INTERNAL. */
int fp_scope_visible(struct store *st, const struct principal *p, const struct fp_scope *s,
		     struct err *e);
/* The engine's scope for ours. */
void fp_scope_engine(const struct fp_scope *s, struct fc_scope *out);
/* The scope's name ("Ann Smith", "EMEA", "Company") into out. */
int fp_scope_name(struct store *st, const struct fp_scope *s, char *out, size_t n,
		  struct err *e);

/* The ISO 8601 week of t: "2026-W47" into out[9]. */
void fp_iso_week(time_t t, char out[9]);
/* The quarter and the month t is in: "2026-Q4", "2026-11". */
void fp_period_of(time_t t, char quarter[8], char month[8]);

/* --- submissions --------------------------------------------------------- */

/* Check and add a submission from a JSON body {period, scope, team_id,
 * commit, best_case, currency, note}; the submitter is p.  Every problem at
 * once (E_INVAL, fields named); E_NOTFOUND for a team p does not see;
 * E_FORBIDDEN for a scope p may not submit for.  *id is the new row; the
 * answer (the submission as JSON) is written to w. */
int fp_submit(struct store *st, const struct principal *p, json_t *body, time_t now,
	      long long *id, struct jw *w, struct err *e);

/* GET /forecast/submissions: the history, newest first, of what p sees,
 * filtered by the query (period, scope, user_id, team_id, submitter_id,
 * latest=true, limit, cursor).  E_INVAL naming the parameter; E_NOTFOUND for
 * a user or team p does not see. */
int fp_submissions(struct store *st, const struct principal *p, const struct kv *q, int n,
		   struct jw *w, struct err *e);

/* GET /forecast/rollup?period=&team_id=&currency=: a team's members (its
 * direct members and its child teams), each with their latest submission and
 * the engine's models for them, the sum of the submissions, the team's own
 * current submissions and the engine's models for the whole team.  Without
 * team_id: the caller's team (an admin: the company, whose members are the
 * top teams and the users without a team). */
int fp_rollup(struct analytics *a, struct store *st, const struct principal *p,
	      const struct kv *q, int n, time_t now, struct jw *w, struct err *e);

/* --- snapshots ----------------------------------------------------------- */

struct fp_snapshot_opts {
	const char *period;  /* NULL: the quarter and the month of as_of */
	time_t as_of;        /* the instant forecasts are as of (0: now) */
	int iterations;      /* simulation; 0: the engine's default */
	volatile int *stop;  /* may be NULL: set non-zero to give up (nothing written) */
};

/* Take the snapshot of as_of's ISO week for each period unless it exists.
 * *rows counts the rows written (0 when the week had its snapshot). */
int fp_snapshot(struct analytics *a, struct store *st, const struct fp_snapshot_opts *o,
		long long *rows, struct err *e);

/* The job of `funnel serve`: a thread on its own connection to db_path that
 * every `interval` seconds (0: 3600) takes this week's snapshot (of the
 * current quarter and month, as of now: time_now(), so FUNNEL_NOW moves it)
 * when missing.  stop() wakes it, lets a snapshot
 * in progress give up (rolled back) and joins it. */
int fp_job_start(const char *db_path, int interval, struct err *e);
void fp_job_stop(void);

/* --- accuracy and backtest ---------------------------------------------- */

/* Running figures over (forecast, actual) pairs. */
struct fp_stats {
	int n;              /* pairs */
	int n_ape;          /* pairs with an actual ≠ 0 */
	double sum_ape, sum_bias;
	double sum_abs_error, sum_actual; /* WAPE: Σ |forecast − actual| / Σ |actual| */
	int n_interval, n_inside;
};
void fp_stats_add(struct fp_stats *s, int64_t forecast, int64_t actual, int has_interval,
		  int64_t lo, int64_t hi);
double fp_stats_mape(const struct fp_stats *s);     /* NAN when n_ape = 0 */
double fp_stats_bias(const struct fp_stats *s);     /* NAN when n_ape = 0 */
double fp_stats_wape(const struct fp_stats *s);     /* NAN when Σ |actual| = 0 */
double fp_stats_coverage(const struct fp_stats *s); /* NAN when n_interval = 0 */

/* Coverage of the ranges by scope size (the backtest's "coverage"): the
 * nominal 50 / 80 / 90 % ranges (P25–P75, P10–P90, P05–P95) and how many
 * forecasts each held, of n, in `groups` (period, scope) pairs. */
#define FP_NLEVELS 3
extern const double fp_nominal[FP_NLEVELS];
struct fp_cover {
	int n, groups, inside[FP_NLEVELS];
};
/* The 95 % Wilson score interval of k successes in n trials (NAN when n is 0). */
void fp_wilson(int k, int n, double *lo, double *hi);

/* GET /forecast/accuracy?period=&scope=&user_id=&team_id=: for a closed
 * period, per visible scope with snapshots, per model and submitter: each
 * week's snapshot and the first, against the actual.  E_INVAL (period) when
 * the period has not closed by now. */
int fp_accuracy(struct analytics *a, struct store *st, const struct principal *p,
		const struct kv *q, int n, time_t now, struct jw *w, struct err *e);

struct fp_backtest_opts {
	char from[8], to[8];   /* periods, both quarters or both months */
	struct fp_scope *scopes;
	int nscopes;           /* the scopes replayed (pooled in the summary) */
	int weeks;             /* as_of points: the start, +1 week, ... (1..13) */
	int iterations;        /* simulation; 0: the engine's default */
	uint64_t seed;
	char currency[4];      /* "": the engine's choice per scope */
	time_t now;
	int json;              /* write JSON instead of tables */
	int quiet;             /* no per-period rows in the tables */
	int threads;           /* workers, each on its own connection (1..8) */
	const struct principal *p; /* whose view: NULL, the system's (everything) */
	struct jw *w;          /* when set, the JSON answer goes here, not to out */
};

/* Replay as_of forecasts for every period from..to (closed by now) and
 * every scope, compare with the actuals, print to out.  The (period, scope)
 * groups are shared among o->threads workers, each with a read-only
 * connection of its own to st's database; the figures do not depend on how many. */
int fp_backtest(struct analytics *a, struct store *st, const struct fp_backtest_opts *o,
		FILE *out, struct err *e);

/* GET /forecast/backtest?from=&to=&scope=&user_id=&team_id=&weeks=&iterations=
 * &seed=&currency=: the backtest of one scope the caller sees (default: the
 * company as they see it), as `funnel forecast backtest --json` writes it,
 * over the server's index.  Managers and admins (E_FORBIDDEN for reps);
 * E_INVAL with a field problem per bad parameter, `to` not closed by now
 * included; E_NOTFOUND for a scope the caller may not see. */
int fp_backtest_query(struct analytics *a, struct store *st, const struct principal *p,
		      const struct kv *q, int n, time_t now, struct jw *w, struct err *e);

#endif
