/*
 * test_forecast_process.c — the arithmetic of accuracy and backtests
 * (src/crm/forecast/forecast_process.h): APE, bias and interval coverage over
 * forecast/actual pairs, with actuals of 0 left out of the percentages; ISO
 * weeks at year ends; the quarter and month of an instant.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* before cmocka.h, whose fail() macro would rename err.h's fail() */
#include "core/timeutil.h"
#include "crm/forecast/forecast_process.h"

#include <cmocka.h>

static void near(double got, double want)
{
	if (fabs(got - want) > 1e-12)
		fail_msg("got %.15g, want %.15g", got, want);
}

static void test_stats(void **state)
{
	struct fp_stats s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_true(isnan(fp_stats_mape(&s)));
	assert_true(isnan(fp_stats_bias(&s)));
	assert_true(isnan(fp_stats_coverage(&s)));
	/* 90 for 100: APE 0.1, bias -0.1, inside 80..120 */
	fp_stats_add(&s, 90, 100, 1, 80, 120);
	/* 150 for 100: APE 0.5, bias +0.5, outside 110..140 */
	fp_stats_add(&s, 150, 100, 1, 110, 140);
	/* 30 for 40, no interval: APE 0.25, bias -0.25 */
	fp_stats_add(&s, 30, 40, 0, 0, 0);
	/* an actual of 0: no percentage, but inside 0..10 counts */
	fp_stats_add(&s, 5, 0, 1, 0, 10);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.n_ape, 3);
	near(fp_stats_mape(&s), (0.1 + 0.5 + 0.25) / 3);
	near(fp_stats_bias(&s), (-0.1 + 0.5 - 0.25) / 3);
	near(fp_stats_coverage(&s), 2.0 / 3);
	/* the bounds are inclusive */
	memset(&s, 0, sizeof(s));
	fp_stats_add(&s, 100, 80, 1, 80, 120);
	fp_stats_add(&s, 100, 120, 1, 80, 120);
	near(fp_stats_coverage(&s), 1);
}

static void week(const char *iso, const char *want)
{
	time_t t;
	char got[9];

	assert_int_equal(time_parse_iso(iso, &t), 0);
	fp_iso_week(t, got);
	assert_string_equal(got, want);
}

static void test_iso_week(void **state)
{
	(void)state;
	week("2026-11-22T17:00:00Z", "2026-W47"); /* a Sunday: the week's end */
	week("2026-11-23T00:00:00Z", "2026-W48"); /* Monday starts the next */
	week("2026-01-01T00:00:00Z", "2026-W01"); /* a Thursday */
	week("2027-01-01T00:00:00Z", "2026-W53"); /* a Friday: the year before's week */
	week("2024-12-30T00:00:00Z", "2025-W01"); /* a Monday: the next year's */
}

static void test_period_of(void **state)
{
	char q[8], m[8];
	time_t t;

	(void)state;
	time_parse_iso("2026-11-22T17:00:00Z", &t);
	fp_period_of(t, q, m);
	assert_string_equal(q, "2026-Q4");
	assert_string_equal(m, "2026-11");
	time_parse_iso("2026-04-01T00:00:00Z", &t);
	fp_period_of(t, q, m);
	assert_string_equal(q, "2026-Q2");
	assert_string_equal(m, "2026-04");
	time_parse_iso("2026-03-31T23:59:59Z", &t);
	fp_period_of(t, q, m);
	assert_string_equal(q, "2026-Q1");
	assert_string_equal(m, "2026-03");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_iso_week),
		cmocka_unit_test(test_period_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
