/*
 * performance.h — fair performance evaluation per salesperson
 * (GET /api/v1/reports/performance?period=2026-Q4 or 2026-11).
 *
 * Salespeople are the active users with role rep.  For one period (a quarter
 * or a month; instants compare in UTC) each gets these figures:
 *
 *   quota              the quotas row for exactly that period (null: none,
 *                      or one in another currency than the report's)
 *   closed_won         Σ amount of deals won (closed_at in the period)
 *   attainment         closed_won ÷ quota (a fraction: 0.75 is 75 %)
 *   weighted_pipeline  Σ amount × probability of open deals whose close_date
 *                      is in the period (rounded to the minor unit)
 *   coverage           weighted_pipeline ÷ (quota − closed_won); null when no
 *                      quota remains
 *   win_rate           won ÷ (won + lost), closed in the period
 *   cycle_days         mean days from creation to closing of the deals won
 *   activities         activities done in the period (and by type)
 *   new_opportunities  deals created in the period
 *
 * Deals count for their current owner.  Amounts are in one currency (asked,
 * else the most common among the period's closed and open-in-period deals);
 * deals in others are left out of the amounts and counted as excluded, but
 * still count in win_rate, cycle_days and new_opportunities.
 *
 * Fairness: every figure is placed among the rep's peers in a segment — the
 * reps with the same territory, industry and channel when there are at least
 * PERF_MIN_SEGMENT of them (the rep included), else the same territory and
 * channel, else the same channel, else everyone (a missing value matches a
 * missing value).  Peers come from the whole company, whoever asks.  Within
 * the segment, over the peers that have the figure: mean, median, n, the
 * rep's percentile (mid-rank: the share of peers below plus half of those
 * equal, 0..100) and z-score ((value − mean) ÷ population standard
 * deviation; null when the segment has no spread).
 *
 * Visibility: admins see every rep, managers the reps of their team subtree,
 * a rep only themselves; other reps appear only through their segment's
 * anonymous statistics.
 */
#ifndef FUNNEL_PERFORMANCE_H
#define FUNNEL_PERFORMANCE_H

#include "core/err.h"
#include "core/json.h"
#include "store/store.h"
#include "crm/records/principal.h"

#define PERF_MIN_SEGMENT 3

/* Write the report for `period` ("2026-Q4", "2026-11") as one JSON object.
 * currency NULL: the most common.  E_INVAL (field period) for a bad period. */
int performance_report(struct store *st, const struct principal *p, const char *period,
		       const char *currency, struct jw *w, struct err *e);

/* Statistics over v[0..n-1] (n ≥ 0), exported for the unit tests. */
double perf_mean(const double *v, int n);              /* 0 when n = 0 */
/* Sorts v in place; 0 when n = 0; the mean of the two middle values for an
 * even n. */
double perf_median(double *v, int n);
/* Mid-rank percentile of x among v: 100 × (below + equal / 2) ÷ n; 0 when
 * n = 0.  Ties share one percentile. */
double perf_percentile(const double *v, int n, double x);
/* z = (x − mean) ÷ σ with σ the population standard deviation.  Returns 0,
 * or -1 (z untouched) when it is undefined: n = 0, n = 1, or σ = 0. */
int perf_zscore(const double *v, int n, double x, double *z);

/* The first day of `period` and of the one after ("2026-10-01",
 * "2027-01-01").  -1 when the period is not valid. */
int perf_period_bounds(const char *period, char from[11], char to[11]);

#endif
