/*
 * test_performance.c — the statistics behind the fair performance report
 * (src/crm/insight/performance.h): mean, median, mid-rank percentiles with ties,
 * z-scores (undefined for n = 1 and for no spread) and period bounds.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* before cmocka.h, whose fail() macro would rename err.h's fail() */
#include "crm/insight/performance.h"

#include <cmocka.h>

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static void near(double got, double want)
{
	if (fabs(got - want) > 1e-9)
		fail_msg("got %.12g, want %.12g", got, want);
}

static void test_mean_median(void **state)
{
	double odd[] = {5, 1, 3}, even[] = {4, 1, 3, 2}, one[] = {7};

	(void)state;
	near(perf_mean(odd, 3), 3);
	near(perf_mean(NULL, 0), 0);
	near(perf_median(odd, 3), 3);
	near(odd[0], 1); /* sorted in place */
	near(odd[2], 5);
	near(perf_median(even, 4), 2.5);
	near(perf_median(one, 1), 7);
	near(perf_median(NULL, 0), 0);
}

static void test_percentile_ties(void **state)
{
	double v[] = {10, 20, 20, 20, 40};

	(void)state;
	/* 10: none below, itself equal → (0 + 0.5) / 5 */
	near(perf_percentile(v, N(v), 10), 10);
	/* the three 20s share one value: (1 below + 3 equal / 2) / 5 */
	near(perf_percentile(v, N(v), 20), 50);
	near(perf_percentile(v, N(v), 40), 90);
	/* a value not in the set: only those below count */
	near(perf_percentile(v, N(v), 30), 80);
	near(perf_percentile(v, N(v), 0), 0);
	near(perf_percentile(v, N(v), 99), 100);
	/* everyone equal: all in the middle */
	{
		double same[] = {3, 3, 3, 3};

		near(perf_percentile(same, 4, 3), 50);
	}
	/* alone in the segment */
	near(perf_percentile(v, 1, 10), 50);
	near(perf_percentile(NULL, 0, 1), 0);
}

static void test_zscore(void **state)
{
	double v[] = {2, 4, 4, 4, 5, 5, 7, 9}; /* mean 5, population sd 2 */
	double z = 12345;

	(void)state;
	assert_int_equal(perf_zscore(v, N(v), 9, &z), 0);
	near(z, 2);
	assert_int_equal(perf_zscore(v, N(v), 2, &z), 0);
	near(z, -1.5);
	assert_int_equal(perf_zscore(v, N(v), 5, &z), 0);
	near(z, 0);
}

static void test_zscore_undefined(void **state)
{
	double one[] = {42}, flat[] = {0.1 + 0.2, 0.3, 0.30000000000000004, 0.3};
	double z = 12345;

	(void)state;
	/* n = 1: no spread to measure against */
	assert_int_equal(perf_zscore(one, 1, 42, &z), -1);
	near(z, 12345); /* untouched */
	assert_int_equal(perf_zscore(NULL, 0, 1, &z), -1);
	/* zero variance, even with rounding dust in the values */
	{
		double same[] = {7, 7, 7};

		assert_int_equal(perf_zscore(same, 3, 7, &z), -1);
	}
	assert_int_equal(perf_zscore(flat, 4, 0.3, &z), -1);
	near(z, 12345);
	/* two different values: ±1 */
	{
		double two[] = {1, 3};

		assert_int_equal(perf_zscore(two, 2, 3, &z), 0);
		near(z, 1);
	}
}

static void test_period_bounds(void **state)
{
	char from[11], to[11];

	(void)state;
	assert_int_equal(perf_period_bounds("2026-Q4", from, to), 0);
	assert_string_equal(from, "2026-10-01");
	assert_string_equal(to, "2027-01-01");
	assert_int_equal(perf_period_bounds("2026-Q1", from, to), 0);
	assert_string_equal(from, "2026-01-01");
	assert_string_equal(to, "2026-04-01");
	assert_int_equal(perf_period_bounds("2026-11", from, to), 0);
	assert_string_equal(from, "2026-11-01");
	assert_string_equal(to, "2026-12-01");
	assert_int_equal(perf_period_bounds("2026-12", from, to), 0);
	assert_string_equal(to, "2027-01-01");
	assert_int_equal(perf_period_bounds("2026-Q5", from, to), -1);
	assert_int_equal(perf_period_bounds("2026-13", from, to), -1);
	assert_int_equal(perf_period_bounds("2026", from, to), -1);
	assert_int_equal(perf_period_bounds(NULL, from, to), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mean_median),
		cmocka_unit_test(test_percentile_ties),
		cmocka_unit_test(test_zscore),
		cmocka_unit_test(test_zscore_undefined),
		cmocka_unit_test(test_period_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
