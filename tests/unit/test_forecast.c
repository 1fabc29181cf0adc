/*
 * test_forecast.c — the forecast engine (src/crm/forecast/forecast.h).
 *
 *   - the sampler against brute force: on moderate sets of deals (lognormal
 *     amounts with a few very large ones, mixed probabilities, with and
 *     without the run-rate term) the fast sampler's mean, P10, P50 and P90
 *     agree with a plain Monte Carlo that draws every deal in every
 *     iteration, within a tolerance well above both methods' noise;
 *   - the sampler is seeded: the same seed gives the same draws, whatever the
 *     threads; another seed other draws;
 *   - the historical model recovers known conversion rates: a synthetic
 *     history where a deal's chance of being won depends on its owner's
 *     stage and channel (and every deal closes within 40 days, so inside the
 *     quarter's window), as of a quarter's start;
 *   - as_of ignores what came later: deals made, moved and won after the
 *     date leave the forecast as of that date unchanged;
 *   - a batch (the backtest's replay: many as_of forecasts from one scan,
 *     sharing their comparable points) answers each of its forecasts exactly
 *     as forecast_compute does alone — figures and JSON — on one thread or
 *     two, with a currency given afterwards, at company and user scope;
 *   - the calibration arithmetic (fc_calibrate): τ² from the past periods'
 *     relative errors less the draws' noise, shrunk towards the fallback and
 *     widened by Student's t, by hand; the cold-start rule (own, the
 *     parent's scaled by size, the prior); the past periods' held / checked;
 *     the Wilson interval of the backtest's coverage;
 *   - a property test: on synthetic histories whose period factor is known
 *     (lognormal, τ = 0.10 and τ = 0.25, 8 past periods, seeded), the
 *     P10–P90 built from fc_calibrate holds the next period 80 % of the time
 *     within sampling error, and the 50 % and 90 % ranges theirs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the project's headers before cmocka's (its fail() macro) */
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "crm/insight/analytics.h"
#include "crm/forecast/forecast.h"
#include "crm/forecast/forecast_process.h"

#include <cmocka.h>

/* --- helpers ------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double runif(void)
{
	return ((double)(rnd64() >> 11) + 0.5) / 9007199254740992.0;
}

static double rnorm(void)
{
	return sqrt(-2 * log(runif())) * cos(6.283185307179586 * runif());
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* Nearest-rank quantile of sorted v[0..n). */
static double quant(const double *v, int n, double q)
{
	int k = (int)ceil(q * n);

	return v[k < 1 ? 0 : k - 1];
}

/* --- the sampler against brute force ---------------------------------------------- */

static void deals(size_t n, int whales, double spread, double *a, double *p)
{
	size_t i;

	for (i = 0; i < n; i++) {
		a[i] = round(exp(9 + spread * rnorm())) * 100;
		p[i] = 0.02 + 0.88 * runif();
	}
	for (i = 0; i < (size_t)whales && i < n; i++)
		a[i] *= 200; /* a few deals that dominate the spread */
	if (n > 3) {
		p[n - 1] = 1;  /* certain */
		p[n - 2] = 0;  /* hopeless */
	}
}

static void compare(size_t n, int whales, double spread, double rr_mean, double rr_var,
		    double tau2, int it, int expect_normal)
{
	int i;
	double *a = malloc(n * sizeof(*a)), *p = malloc(n * sizeof(*p)),
	       *fast = malloc((size_t)it * sizeof(double)), *slow = malloc((size_t)it * sizeof(double));
	double var = 0, ev = 0, sd, mf = 0, ms = 0, vf = 0, qs[3] = {0.1, 0.5, 0.9}, bound,
	       noise = sqrt(20000.0 / it);
	size_t k, exact;

	assert_non_null(a);
	assert_non_null(p);
	assert_non_null(fast);
	assert_non_null(slow);
	deals(n, whales, spread, a, p);
	for (k = 0; k < n; k++) {
		var += a[k] * a[k] * p[k] * (1 - p[k]);
		ev += a[k] * p[k];
	}
	/* θ (S + R) */
	var = (1 + tau2) * (var + rr_var) + tau2 * (ev + rr_mean) * (ev + rr_mean);
	sd = sqrt(var);
	assert_int_equal(fc_simulate(a, p, n, rr_mean, rr_var, tau2, it, 42, 2, fast, &exact,
				     &bound), 0);
	if (expect_normal) /* the test must exercise the normal part (a tenth at least) */
		assert_true(exact < n - n / 10);
	else
		assert_true(bound == 0);
	assert_true(bound <= FC_W1_EPS(it) + 1e-12);
	/* brute force: every deal, every iteration; R lognormal the same way */
	for (i = 0; i < it; i++) {
		double t = 0;

		for (k = 0; k < n; k++)
			if (runif() < p[k])
				t += a[k];
		if (rr_mean > 0 && rr_var > 0) {
			double s2 = log(1 + rr_var / (rr_mean * rr_mean));

			t += exp(log(rr_mean) - s2 / 2 + sqrt(s2) * rnorm());
		} else {
			t += rr_mean;
		}
		if (tau2 > 0) {
			double s2 = log(1 + tau2);

			t *= exp(-s2 / 2 + sqrt(s2) * rnorm());
		}
		slow[i] = t;
	}
	for (i = 0; i < it; i++) {
		mf += fast[i] / it;
		ms += slow[i] / it;
	}
	for (i = 0; i < it; i++)
		vf += (fast[i] - mf) * (fast[i] - mf) / (it - 1);
	/* the spread drawn is the true one (sd of a sample variance: sqrt(2/it)) */
	if (fabs(vf / var - 1) > 4 * sqrt(2.0 / it))
		fail_msg("n %zu: variance %.4g, true %.4g", n, vf, var);
	qsort(fast, (size_t)it, sizeof(double), cmp_d);
	qsort(slow, (size_t)it, sizeof(double), cmp_d);
	/* noise of one quantile estimate at 20,000 draws is ~0.012 sd, of the
	 * mean 0.007 sd (and sqrt(20000 / it) times that at `it`); the normal
	 * part adds at most FC_W1_EPS(it) on average */
	if (fabs(mf - ms) > 0.04 * noise * sd)
		fail_msg("n %zu: mean %.0f vs brute force %.0f (sd %.0f)", n, mf, ms, sd);
	for (i = 0; i < 3; i++) {
		double f = quant(fast, it, qs[i]), s = quant(slow, it, qs[i]);

		if (fabs(f - s) > 0.06 * noise * sd)
			fail_msg("n %zu: q%.1f %.0f vs brute force %.0f (sd %.0f, exact %zu)", n,
				 qs[i], f, s, sd, exact);
	}
	free(a);
	free(p);
	free(fast);
	free(slow);
}

static void sampler_matches_brute_force(void **state)
{
	(void)state;
	rng_state = 7;
	compare(4000, 3, 1.1, 0, 0, 0, 20000, 1);
	compare(2500, 0, 1.1, 3e7, 4e13, 0, 20000, 1); /* with the run-rate term */
	compare(40, 0, 1.1, 0, 0, 0, 20000, 0);        /* few deals: all drawn exactly */
	compare(3000, 1, 1.1, 5e6, 0, 0, 20000, 1);    /* a fixed run-rate */
	compare(3000, 1, 1.1, 5e6, 1e13, 0.04, 20000, 1); /* and the period factor */
	compare(3000, 1, 1.1, 5e7, 1e14, 0.09, 20000, 1); /* ... on a large run-rate */
	/* many alike deals: the normal part carries most of the spread */
	compare(100000, 0, 0.3, 0, 0, 0, 2000, 1);
}

static void sampler_is_seeded(void **state)
{
	size_t n = 50000, e1, e2;
	int it = 3000;
	double *a = malloc(n * sizeof(*a)), *p = malloc(n * sizeof(*p)), b1, b2;
	double *t1 = malloc((size_t)it * sizeof(double)), *t2 = malloc((size_t)it * sizeof(double));

	(void)state;
	assert_non_null(a);
	assert_non_null(p);
	assert_non_null(t1);
	assert_non_null(t2);
	rng_state = 11;
	deals(n, 5, 1.1, a, p);
	assert_int_equal(fc_simulate(a, p, n, 1e7, 1e13, 0.01, it, 99, 1, t1, &e1, &b1), 0);
	assert_int_equal(fc_simulate(a, p, n, 1e7, 1e13, 0.01, it, 99, 2, t2, &e2, &b2), 0);
	assert_true(e1 == e2 && b1 == b2);
	assert_memory_equal(t1, t2, (size_t)it * sizeof(double));
	assert_int_equal(fc_simulate(a, p, n, 1e7, 1e13, 0.01, it, 99, 2, t2, &e2, &b2), 0);
	assert_memory_equal(t1, t2, (size_t)it * sizeof(double));
	assert_int_equal(fc_simulate(a, p, n, 1e7, 1e13, 0.01, it, 100, 2, t2, &e2, &b2), 0);
	assert_memory_not_equal(t1, t2, (size_t)it * sizeof(double));
	free(a);
	free(p);
	free(t1);
	free(t2);
}

/* --- a synthetic history with known rates ---------------------------------------- */

static struct {
	char path[64];
	struct store *st;
	struct principal sys;
	long long users[6];
} H;

/* Owner u: a stage and a channel, and the chance their deals are won. */
static const char *const u_stage[6] = {"qualification", "qualification", "proposal", "proposal",
				       "negotiation", "negotiation"};
static const char *const u_channel[6] = {"field", "web", "field", "web", "field", "web"};
static const double u_rate[6] = {0.20, 0.10, 0.50, 0.30, 0.80, 0.60};

#define A_ISO "2026-10-01T00:00:00Z"
#define A_TIME 1790812800LL         /* 2026-10-01 */
#define START_TIME 1719792000LL     /* 2024-07-01 */
#define NDEALS 36000

static void sql(const char *text)
{
	struct err e;

	err_clear(&e);
	if (store_exec(H.st, text, &e))
		fail_msg("%s: %s", text, e.msg);
}

static long long insert_deal(int u, long long created, long long closed, int won,
			     const char *amount)
{
	char c[TIME_ISO_LEN], x[TIME_ISO_LEN], cd[11];
	struct stmt *s;
	struct err e;
	long long id;

	err_clear(&e);
	time_iso((time_t)created, c);
	time_iso((time_t)closed, x);
	time_date((time_t)closed, cd);
	s = store_prepare(H.st,
			  "INSERT INTO opportunities (account_id, owner_id, pipeline_id, name, amount, "
			  "currency, close_date, channel, stage, status, probability, "
			  "forecast_category, stage_entered_at, closed_at, created_at, updated_at) "
			  "VALUES (1, ?, 1, 'Deal', ?, 'EUR', ?, ?, ?, ?, 50, NULL, ?, ?, ?, ?)",
			  &e);
	assert_non_null(s);
	stmt_bind_int(s, 1, H.users[u]);
	stmt_bind_int(s, 2, atoll(amount));
	stmt_bind_text(s, 3, cd);
	stmt_bind_text(s, 4, u_channel[u]);
	stmt_bind_text(s, 5, won < 0 ? u_stage[u] : won ? "conversion" : "lost");
	stmt_bind_text(s, 6, won < 0 ? "open" : won ? "won" : "lost");
	stmt_bind_text(s, 7, won < 0 ? c : x);
	if (won < 0)
		stmt_bind_null(s, 8);
	else
		stmt_bind_text(s, 8, x);
	stmt_bind_text(s, 9, c);
	stmt_bind_text(s, 10, c);
	assert_int_equal(stmt_step(s, &e), OK);
	stmt_done(s);
	id = store_last_id(H.st);
	s = store_prepare(H.st,
			  "INSERT INTO stage_history (opportunity_id, stage, entered_at, exited_at) "
			  "VALUES (?, ?, ?, ?)",
			  &e);
	assert_non_null(s);
	stmt_bind_int(s, 1, id);
	stmt_bind_text(s, 2, u_stage[u]);
	stmt_bind_text(s, 3, c);
	if (won < 0)
		stmt_bind_null(s, 4);
	else
		stmt_bind_text(s, 4, x);
	assert_int_equal(stmt_step(s, &e), OK);
	stmt_done(s);
	if (won >= 0) {
		s = store_prepare(H.st,
				  "INSERT INTO stage_history (opportunity_id, stage, entered_at) "
				  "VALUES (?, ?, ?)",
				  &e);
		assert_non_null(s);
		stmt_bind_int(s, 1, id);
		stmt_bind_text(s, 2, won ? "conversion" : "lost");
		stmt_bind_text(s, 3, x);
		assert_int_equal(stmt_step(s, &e), OK);
		stmt_done(s);
	}
	return id;
}

static int history_setup(void **state)
{
	struct err e;
	char text[512];
	int fd, u, i;

	(void)state;
	log_min_level = LOG_WARN;
	snprintf(H.path, sizeof(H.path), "/tmp/funnel-forecast-XXXXXX");
	fd = mkstemp(H.path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(H.path);
	err_clear(&e);
	if (store_open(H.path, STORE_CREATE, &H.st, &e) || store_migrate(H.st, &e))
		return -1;
	principal_system(&H.sys);
	for (u = 0; u < 6; u++) {
		snprintf(text, sizeof(text),
			 "INSERT INTO users (email, name, role, created_at, updated_at) VALUES "
			 "('u%d@test.funnel', 'User %d', 'rep', '2024-01-01T00:00:00Z', "
			 "'2024-01-01T00:00:00Z')",
			 u, u);
		if (store_exec(H.st, text, &e))
			return -1;
		H.users[u] = store_last_id(H.st);
	}
	if (store_exec(H.st,
		       "INSERT INTO accounts (id, name, owner_id, created_at, updated_at) VALUES "
		       "(1, 'Account', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
		       &e))
		return -1;
	/* deals made evenly from 2024-07-01 to the as_of date, each in its
	 * owner's stage until it closes 1..40 days later (won with the owner's
	 * rate): open at a quarter's start means closed inside that quarter */
	rng_state = 2026;
	if (store_begin(H.st, &e))
		return -1;
	for (i = 0; i < NDEALS; i++) {
		long long created = START_TIME + (long long)(runif() * (double)(A_TIME - START_TIME));
		long long closed = created + 86400LL + (long long)(runif() * 39 * 86400.0);

		u = i % 6;
		insert_deal(u, created, closed, runif() < u_rate[u], "100000");
	}
	return store_commit(H.st, &e) ? -1 : 0;
}

static int history_teardown(void **state)
{
	char p[80];

	(void)state;
	store_close(H.st);
	unlink(H.path);
	snprintf(p, sizeof(p), "%s-wal", H.path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", H.path);
	unlink(p);
	return 0;
}

static void forecast(struct analytics *a, const char *scope, long long id, const char *models,
		     struct fc_result *r)
{
	char sid[24];
	struct kv params[6] = {{"period", "2026-Q4"}, {"as_of", A_ISO}, {"model", models},
			       {"scope", scope}, {"scope_id", sid}, {"iterations", "2000"}};
	struct fc_query q;
	struct err e;

	snprintf(sid, sizeof(sid), "%lld", id);
	err_clear(&e);
	/* "now" is after as_of whatever the clock says */
	if (forecast_parse(params, id ? 6 : 3, 4102444800, &q, &e))
		fail_msg("forecast_parse: %s", e.msg);
	if (forecast_compute(a, H.st, &H.sys, &q, r, NULL, &e))
		fail_msg("forecast_compute: %s", e.msg);
}

static void historical_recovers_known_rates(void **state)
{
	struct analytics *a;
	struct fc_result r;
	struct err e;
	int u;

	(void)state;
	err_clear(&e);
	assert_int_equal(analytics_build(H.st, &a, &e), OK);
	for (u = 0; u < 6; u++) {
		double got;

		forecast(a, "user", H.users[u], "historical,simulation", &r);
		assert_true(r.open_deals > 100);
		got = (double)r.m[FC_HISTORICAL].open_expected / (double)r.open_amount;
		if (fabs(got - u_rate[u]) > 0.04)
			fail_msg("user %d (%s, %s): learned %.3f, true %.2f", u, u_stage[u],
				 u_channel[u], got, u_rate[u]);
		/* the simulation's mean is the historical expectation, up to noise */
		assert_true(fabs((double)(r.m[FC_SIMULATION].expected - r.m[FC_HISTORICAL].expected)) <
			    0.05 * (double)r.m[FC_HISTORICAL].expected);
	}
	analytics_free(a);
}

/* Later events do not move a forecast as of an earlier date. */
static void as_of_ignores_later_events(void **state)
{
	struct analytics *a;
	struct fc_result before, after;
	struct err e;
	long long id;
	int k;

	(void)state;
	err_clear(&e);
	/* a deal open at the date, due inside the period */
	id = insert_deal(4, A_TIME - 86400 * 3, A_TIME + 86400 * 20, -1, "100000");
	assert_int_equal(analytics_build(H.st, &a, &e), OK);
	forecast(a, "company", 0, "weighted,categories,historical,simulation", &before);
	assert_true(before.m[FC_WEIGHTED].deals > 0);
	/* after the date: new deals (half of them won), and that deal's amount
	 * and close date changed, then lost */
	assert_int_equal(store_begin(H.st, &e), OK);
	for (k = 0; k < 50; k++)
		insert_deal(k % 6, A_TIME + 3600 * (k + 1), A_TIME + 86400 * 3, k % 2, "250000");
	assert_int_equal(store_commit(H.st, &e), OK);
	{
		char text[512];

		snprintf(text, sizeof(text),
			 "INSERT INTO history (resource, record_id, at, action, field, old, new) "
			 "VALUES ('opportunities', %lld, '2026-10-05T00:00:00Z', 'update', 'amount', "
			 "'1000.00', '7777.00'), ('opportunities', %lld, '2026-10-05T00:00:00Z', "
			 "'update', 'close_date', '2026-10-21', '2027-03-31')",
			 id, id);
		sql(text);
		snprintf(text, sizeof(text),
			 "UPDATE opportunities SET amount = 777700, close_date = '2027-03-31', "
			 "stage = 'lost', status = 'lost', closed_at = '2026-10-06T00:00:00Z' "
			 "WHERE id = %lld",
			 id);
		sql(text);
		snprintf(text, sizeof(text),
			 "UPDATE stage_history SET exited_at = '2026-10-06T00:00:00Z' "
			 "WHERE opportunity_id = %lld; INSERT INTO stage_history (opportunity_id, "
			 "stage, entered_at) VALUES (%lld, 'lost', '2026-10-06T00:00:00Z')",
			 id, id);
		sql(text);
	}
	assert_int_equal(analytics_refresh(a, H.st, &e), OK);
	forecast(a, "company", 0, "weighted,categories,historical,simulation", &after);
	assert_true(after.closed_won == before.closed_won);
	assert_true(after.open_deals == before.open_deals);
	assert_true(after.open_amount == before.open_amount);
	for (k = 0; k < FC_NMODELS; k++) {
		assert_true(after.m[k].expected == before.m[k].expected);
		assert_true(after.m[k].p10 == before.m[k].p10);
		assert_true(after.m[k].p90 == before.m[k].p90);
	}
	analytics_free(a);
}

/* as_of aside: "now" moves between two calls */
static void result_equal(const struct fc_result *x, const struct fc_result *y, int i)
{
	int m;

	if (x->closed_won != y->closed_won || x->open_deals != y->open_deals ||
	    x->open_amount != y->open_amount ||
	    x->excluded_other_currency != y->excluded_other_currency ||
	    strcmp(x->currency, y->currency) || x->exact_deals != y->exact_deals ||
	    x->tail_bound != y->tail_bound || x->period_sd != y->period_sd ||
	    x->periods_measured != y->periods_measured)
		fail_msg("forecast %d: the batch's totals differ from forecast_compute's", i);
	for (m = 0; m < FC_NMODELS; m++) {
		const struct fc_model_result *a = &x->m[m], *b = &y->m[m];

		if (a->expected != b->expected || a->p10 != b->p10 || a->p50 != b->p50 ||
		    a->p90 != b->p90 || a->open_expected != b->open_expected ||
		    a->run_rate != b->run_rate || a->deals != b->deals || a->commit != b->commit)
			fail_msg("forecast %d, %s: batch %lld [%lld, %lld], alone %lld [%lld, %lld]",
				 i, fc_model_names[m], (long long)a->expected, (long long)a->p10,
				 (long long)a->p90, (long long)b->expected, (long long)b->p10,
				 (long long)b->p90);
	}
}

/* The backtest's queries over one scope: quarters 2025-Q2 .. 2026-Q3 as of
 * their start and 3 weeks later, each with its actual (as of now,
 * weighted). */
static int batch_queries(struct fc_query *q, enum fc_scope_kind kind, long long id, int threads)
{
	static const char *const periods[] = {"2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1",
					      "2026-Q2", "2026-Q3"};
	int i, k, n = 0;

	for (i = 0; i < 6; i++)
		for (k = 0; k < 3; k++) {
			memset(&q[n], 0, sizeof(q[n]));
			snprintf(q[n].period, sizeof(q[n].period), "%s", periods[i]);
			assert_int_equal(forecast_period(periods[i], &q[n].from, &q[n].to), 0);
			q[n].as_of = k == 2 ? 0 : q[n].from + (uint32_t)k * 21 * 86400;
			q[n].models = k == 2 ? 1u << FC_WEIGHTED : 0;
			q[n].iterations = 1000;
			q[n].seed = 7;
			q[n].scope.kind = kind;
			q[n].scope.id = id;
			q[n].threads = threads;
			n++;
		}
	return n;
}

static void batch_matches_single_forecasts(void **state)
{
	struct analytics *a;
	struct fc_query q[18], one;
	struct fc_result r, alone;
	struct fc_batch *b;
	struct err e;
	struct buf bb, sb;
	struct jw jb, js;
	int n, i, threads, scope;

	(void)state;
	err_clear(&e);
	assert_int_equal(analytics_build(H.st, &a, &e), OK);
	for (scope = 0; scope < 2; scope++)
		for (threads = 1; threads <= 2; threads++) {
			n = batch_queries(q, scope ? FS_USER : FS_COMPANY, scope ? H.users[2] : 0,
					  threads);
			assert_int_equal(fc_batch_run(a, H.st, &H.sys, q, n, &b, &e), OK);
			for (i = 0; i < n; i++) {
				/* the second as_of of a period in the currency the
				 * first chose, given afterwards (as the backtest does) */
				const char *cur = i % 3 == 1 ? "EUR" : NULL;

				memset(&bb, 0, sizeof(bb));
				memset(&sb, 0, sizeof(sb));
				jw_init(&jb, &bb);
				jw_init(&js, &sb);
				assert_int_equal(fc_batch_result(b, i, cur, &r, i % 3 ? NULL : &jb, &e),
						 OK);
				one = q[i];
				if (cur)
					snprintf(one.currency, sizeof(one.currency), "%s", cur);
				one.threads = threads == 1 ? 2 : 1; /* threads change nothing */
				assert_int_equal(forecast_compute(a, H.st, &H.sys, &one, &alone,
								  i % 3 ? NULL : &js, &e), OK);
				result_equal(&r, &alone, i);
				if (q[i].as_of)
					assert_int_equal(r.as_of, q[i].as_of);
				if (i % 3 == 0) {
					assert_true(bb.len > 0);
					assert_int_equal(bb.len, sb.len);
					assert_memory_equal(bb.data, sb.data, bb.len);
				}
				/* the historical model has something to learn from */
				if (i % 3 == 0 && i >= 6)
					assert_true(r.m[FC_HISTORICAL].open_expected > 0);
				buf_release(&bb);
				buf_release(&sb);
			}
			/* each once */
			assert_int_equal(fc_batch_result(b, 0, NULL, &r, NULL, &e), E_INTERNAL);
			fc_batch_free(b);
		}
	/* one scope per batch */
	n = batch_queries(q, FS_COMPANY, 0, 1);
	q[4].scope.kind = FS_USER;
	q[4].scope.id = H.users[1];
	err_clear(&e);
	assert_int_equal(fc_batch_run(a, H.st, &H.sys, q, n, &b, &e), E_INVAL);
	assert_null(b);
	analytics_free(a);
}

/* The range's period factor is the model's own error on the past periods:
 * small when every quarter converts alike (the fixture), large once some
 * quarters book far more than their deals said. */
static void period_factor_is_measured(void **state)
{
	static const char *const bursts[] = {"2025-01-06T00:00:00Z", "2026-04-06T00:00:00Z"};
	struct analytics *a;
	struct fc_result steady, uneven;
	struct err e;
	time_t t;
	int b, k;

	(void)state;
	err_clear(&e);
	assert_int_equal(analytics_build(H.st, &a, &e), OK);
	forecast(a, "company", 0, "historical,simulation", &steady);
	assert_true(steady.periods_measured >= 4);
	/* no more than the prior shrunk by the periods measured */
	if (steady.period_sd > 0.12)
		fail_msg("steady history: period sd %.3f", steady.period_sd);
	/* two quarters (not a season apart) each with a burst of deals made
	 * and won inside them: their bookings are far above the forecast */
	assert_int_equal(store_begin(H.st, &e), OK);
	for (b = 0; b < 2; b++) {
		assert_int_equal(time_parse_iso(bursts[b], &t), 0);
		for (k = 0; k < 1500; k++)
			insert_deal(k % 6, (long long)t + 60 * k, (long long)t + 86400 * 5, 1,
				    "100000");
	}
	assert_int_equal(store_commit(H.st, &e), OK);
	assert_int_equal(analytics_refresh(a, H.st, &e), OK);
	forecast(a, "company", 0, "historical,simulation", &uneven);
	if (uneven.period_sd < 0.25)
		fail_msg("uneven history: period sd %.3f (steady %.3f)", uneven.period_sd,
			 steady.period_sd);
	/* and the range is wider for it, in both models */
	for (k = FC_HISTORICAL; k <= FC_SIMULATION; k++)
		assert_true(uneven.m[k].p90 - uneven.m[k].p10 >
			    steady.m[k].p90 - steady.m[k].p10);
	analytics_free(a);
}


/* --- calibration ---------------------------------------------------------------- */

static double t90_of(int nu)
{
	static const double t[] = {0, 3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397};

	return t[nu] / 1.2815515655446004;
}

static void calibration_arithmetic(void **state)
{
	double pred[6] = {100, 100, 100, 100, 0, 100}, actual[6] = {110, 90, 120, 80, 500, 100},
	       noise[6] = {0}, lo, hi;
	struct fc_calib c;

	(void)state;
	/* five periods measured (the fifth has no forecast; the sixth no
	 * error): mean e² = (.01 + .01 + .04 + .04 + 0) / 5 = 0.02, above the
	 * prior's 0.01 and measured on FC_CAL_OWN or more: taken as measured,
	 * widened by t(5) / z */
	fc_calibrate(pred, actual, noise, 6, 1.0, 0, -1, 0, 1, &c);
	assert_int_equal(c.periods, 5);
	assert_int_equal(c.nu, 5);
	assert_int_equal(c.basis, FC_BASIS_OWN);
	assert_true(fabs(c.tau2_raw - 0.02) < 1e-12);
	assert_true(fabs(c.tau2 - 0.02 * t90_of(5) * t90_of(5)) < 1e-6);
	assert_true(fabs(fc_t_widen(5, 1) - t90_of(5)) < 1e-12);
	assert_int_equal(c.checked, 5);
	/* the draws' own noise explains part of the error: 100 (an sd of 10)
	 * is 0.01 of each period's e², so (0 + 0 + .03 + .03 − .01) / 5 */
	for (int k = 0; k < 6; k++)
		noise[k] = 100;
	fc_calibrate(pred, actual, noise, 6, 1.0, 0, -1, 0, 1, &c);
	assert_true(fabs(c.tau2_raw - 0.01) < 1e-12);
	/* noise beyond the errors: floored at 0, so the prior alone remains */
	for (int k = 0; k < 6; k++)
		noise[k] = 1e4;
	fc_calibrate(pred, actual, noise, 6, 1.0, 0, -1, 0, 1, &c);
	assert_true(fabs(c.tau2_raw - 2 * 0.01 / 7) < 1e-12);
	/* a measured error below the fallback is shrunk towards it: ν + 2 */
	memset(noise, 0, sizeof(noise));
	for (int k = 0; k < 6; k++)
		actual[k] = pred[k] ? 100 * (k % 2 ? 1.05 : 0.95) : actual[k];
	fc_calibrate(pred, actual, noise, 6, 1.0, 0, -1, 0, 1, &c);
	assert_true(fabs(c.tau2_raw - (5 * 0.0025 + 2 * 0.01) / 7) < 1e-12);
	assert_int_equal(c.nu, 7);
	actual[0] = 110, actual[1] = 90, actual[2] = 120, actual[3] = 80, actual[5] = 100;
	/* recency: weights 1, 0.5, 0.25, ... (the fifth skipped keeps its
	 * place), effective number (Σw)² / Σw² */
	memset(noise, 0, sizeof(noise));
	fc_calibrate(pred, actual, noise, 6, 0.5, 0, -1, 0, 1, &c);
	{
		double w[6] = {1, 0.5, 0.25, 0.125, 0, 0.03125}, e2[6] = {.01, .01, .04, .04, 0, 0},
		       sw = 0, sw2 = 0, d = 0, eff;

		for (int k = 0; k < 6; k++) {
			sw += w[k];
			sw2 += w[k] * w[k];
			d += w[k] * e2[k];
		}
		eff = sw * sw / sw2;
		assert_true(fabs(c.tau2_raw - d / sw) < 1e-12); /* above the prior: as measured */
		assert_int_equal(c.nu, (int)eff);
	}

	/* cold start: nothing of its own */
	memset(pred, 0, sizeof(pred));
	/* no parent measured: the prior, scaled by √(size ratio) */
	fc_calibrate(pred, actual, noise, 6, 1.0, 0, -1, 0, 16, &c);
	assert_int_equal(c.basis, FC_BASIS_PRIOR);
	assert_int_equal(c.periods, 0);
	assert_true(fabs(c.tau2_raw - 0.01 * 4) < 1e-12);
	assert_true(fabs(c.tau2 - 0.04 * t90_of(2) * t90_of(2)) < 1e-6);
	assert_int_equal(c.checked, 0);
	/* a parent measured on too few periods is not used */
	fc_calibrate(pred, actual, noise, 6, 1.0, 0, 0.09, FC_CAL_OWN - 1, 16, &c);
	assert_int_equal(c.basis, FC_BASIS_PRIOR);
	/* a parent measured on enough: its τ², scaled by √(size ratio) */
	fc_calibrate(pred, actual, noise, 6, 1.0, 0, 0.09, FC_CAL_OWN, 4, &c);
	assert_int_equal(c.basis, FC_BASIS_PARENT);
	assert_true(fabs(c.tau2_raw - 0.18) < 1e-12);
	assert_true(fabs(c.fallback_tau2 - 0.18) < 1e-12);
	/* the ratio is capped */
	fc_calibrate(pred, actual, noise, 6, 1.0, 0, 0.01, FC_CAL_OWN, 1e6, &c);
	assert_true(fabs(c.tau2_raw - 0.01 * sqrt(FC_SIZE_MAX)) < 1e-12);
	/* two periods of its own: still the parent's basis, blended 2 : 2 */
	pred[0] = pred[1] = 100;
	fc_calibrate(pred, actual, noise, 6, 1.0, 0, 0.09, FC_CAL_OWN, 1, &c);
	assert_int_equal(c.basis, FC_BASIS_PARENT);
	assert_int_equal(c.periods, 2);
	assert_true(fabs(c.tau2_raw - (2 * 0.01 + 2 * 0.09) / 4) < 1e-12);

	/* held / checked: each period's range from the ones older than it.
	 * Period 1 (older: none) has the fallback 0.01 widened by t(2): sd =
	 * 100 · 0.1 · 1.47 = 14.7, so an error of 10 is held; period 0 (older:
	 * period 1, e² = .01) τ² = (.01 + .02) / 3 = .01 widened by t(3):
	 * sd 12.8, an error of 30 is not. */
	memset(pred, 0, sizeof(pred));
	pred[0] = pred[1] = 100;
	actual[0] = 130;
	actual[1] = 90;
	fc_calibrate(pred, actual, noise, 6, 1.0, 0, -1, 0, 1, &c);
	assert_int_equal(c.checked, 2);
	assert_int_equal(c.held, 1);

	/* the lognormal range: its mean, its median below it */
	assert_true(fabs(fc_lognormal_q(100, 0, 1.28) - 100) < 1e-9);
	assert_true(fc_lognormal_q(100, 50, 0) < 100);
	assert_true(fc_lognormal_q(100, 50, -1.28) > 0);
	assert_true(fc_lognormal_q(0, 50, 1.28) == 0);

	/* Wilson's interval (values from its formula, z = 1.96) */
	fp_wilson(8, 10, &lo, &hi);
	assert_true(fabs(lo - 0.490162) < 1e-5 && fabs(hi - 0.943318) < 1e-5);
	fp_wilson(36, 44, &lo, &hi);
	assert_true(fabs(lo - 0.680394) < 1e-5 && fabs(hi - 0.904872) < 1e-5);
	fp_wilson(0, 5, &lo, &hi);
	assert_true(lo == 0 && fabs(hi - 0.434482) < 1e-5);
	fp_wilson(5, 5, &lo, &hi);
	assert_true(fabs(lo - 0.565518) < 1e-5 && hi == 1);
	fp_wilson(0, 0, &lo, &hi);
	assert_true(isnan(lo) && isnan(hi));
}

/* Synthetic histories whose truth is known: a scope's period books θ · μ
 * plus the draws' noise (normal, sd 5 % of μ), θ lognormal with mean 1 and
 * sd τ.  From 8 past periods fc_calibrate measures τ²; the next period's
 * range is then the engine's (the lognormal of mean μ and variance (1 +
 * τ²) noise + τ² μ²).  Over 4000 such scopes the share of next periods each
 * range holds must be its nominal level within sampling error: 3 standard
 * errors of a binomial at 4000, plus what Student's t is allowed to add
 * (the interval is meant to be honest, so a little wide, never narrow). */
static void coverage_property(void **state)
{
	static const double taus[] = {0.10, 0.25};
	static const double z[3] = {0.6744897501960817, 1.2815515655446004, 1.6448536269514722},
			    nominal[3] = {0.5, 0.8, 0.9};
	const int scopes = 4000, past = 8;
	int t, i, k, l;

	(void)state;
	rng_state = 20261207;
	for (t = 0; t < 2; t++) {
		int held[3] = {0};
		double tau = taus[t], s2 = log(1 + tau * tau), mu = 1e6, nsd = 0.05 * mu;

		for (i = 0; i < scopes; i++) {
			double pred[8], actual[8], noise[8], sd, y;
			struct fc_calib c;

			for (k = 0; k < past; k++) {
				double th = exp(-s2 / 2 + sqrt(s2) * rnorm());

				pred[k] = mu;
				noise[k] = nsd * nsd;
				actual[k] = th * mu + nsd * rnorm();
			}
			fc_calibrate(pred, actual, noise, past, 1.0, 0, -1, 0, 1, &c);
			assert_int_equal(c.periods, past);
			y = exp(-s2 / 2 + sqrt(s2) * rnorm()) * mu + nsd * rnorm();
			for (l = 0; l < 3; l++) {
				/* the engine's: τ² at the range's own level of t */
				double tw = fc_t_widen(c.nu, l) / fc_t_widen(c.nu, 1),
				       t2 = c.tau2 * tw * tw;

				sd = sqrt((1 + t2) * noise[0] + t2 * mu * mu);
				held[l] += fc_lognormal_q(mu, sd, -z[l]) <= y &&
					   y <= fc_lognormal_q(mu, sd, z[l]);
			}
		}
		for (l = 0; l < 3; l++) {
			double cov = (double)held[l] / scopes,
			       se = sqrt(nominal[l] * (1 - nominal[l]) / scopes);

			if (cov < nominal[l] - 3 * se || cov > nominal[l] + 3 * se + 0.04)
				fail_msg("τ %.2f: the %.0f %% range held %.1f %% of %d periods", tau,
					 100 * nominal[l], 100 * cov, scopes);
		}
	}
}

int main(void)
{
	const struct CMUnitTest sampler[] = {
		cmocka_unit_test(sampler_matches_brute_force),
		cmocka_unit_test(sampler_is_seeded),
		cmocka_unit_test(calibration_arithmetic),
		cmocka_unit_test(coverage_property),
	};
	const struct CMUnitTest history[] = {
		cmocka_unit_test(historical_recovers_known_rates),
		cmocka_unit_test(as_of_ignores_later_events),
		cmocka_unit_test(batch_matches_single_forecasts),
		cmocka_unit_test(period_factor_is_measured),
	};

	return cmocka_run_group_tests_name("forecast sampler", sampler, NULL, NULL) |
	       cmocka_run_group_tests_name("forecast history", history, history_setup,
					   history_teardown);
}
