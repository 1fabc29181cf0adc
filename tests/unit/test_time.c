/*
 * test_time.c — dates and instants: validation, zones, fractions, round
 * trips, and the FUNNEL_NOW override.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/timeutil.h"

static void date_ok(const char *s, long long want)
{
	time_t t = 1;

	if (time_parse_date(s, &t))
		fail_msg("time_parse_date(\"%s\") refused", s);
	if ((long long)t != want)
		fail_msg("time_parse_date(\"%s\") = %lld, want %lld", s, (long long)t, want);
}

static void date_bad(const char *s)
{
	time_t t = 4242;

	if (!time_parse_date(s, &t))
		fail_msg("time_parse_date(\"%s\") accepted it as %lld", s, (long long)t);
	assert_int_equal((long long)t, 4242);
}

static void iso_ok(const char *s, const char *want_iso)
{
	time_t t = 0;
	char out[TIME_ISO_LEN];

	if (time_parse_iso(s, &t))
		fail_msg("time_parse_iso(\"%s\") refused", s);
	time_iso(t, out);
	if (strcmp(out, want_iso))
		fail_msg("time_parse_iso(\"%s\") gave %s, want %s", s, out, want_iso);
}

static void iso_bad(const char *s)
{
	time_t t = 4242;

	if (!time_parse_iso(s, &t))
		fail_msg("time_parse_iso(\"%s\") accepted it as %lld", s, (long long)t);
	assert_int_equal((long long)t, 4242);
}

static void test_date_valid(void **state)
{
	(void)state;
	date_ok("1970-01-01", 0);
	date_ok("1970-01-02", 86400);
	date_ok("2000-03-01", 951868800);
	date_ok("2026-11-22", 1795305600);
	date_ok("2024-02-29", 1709164800); /* leap year */
	date_ok("2000-02-29", 951782400);  /* divisible by 400: leap */
	date_ok("1969-12-31", -86400);
	date_ok("1900-01-01", -2208988800LL);
	date_ok("2026-12-31", 1798675200);
	date_ok("2026-04-30", 1777507200);
}

static void test_date_invalid(void **state)
{
	(void)state;
	date_bad("2026-02-29"); /* not a leap year */
	date_bad("1900-02-29"); /* divisible by 100, not 400 */
	date_bad("2100-02-29");
	date_bad("2026-13-01");
	date_bad("2026-00-10");
	date_bad("2026-01-00");
	date_bad("2026-01-32");
	date_bad("2026-04-31");
	date_bad("2026-1-01");
	date_bad("2026-01-1");
	date_bad("26-01-01");
	date_bad("2026/01/01");
	date_bad("2026-01-01 ");
	date_bad(" 2026-01-01");
	date_bad("2026-01-01T00:00:00Z"); /* an instant is not a date */
	date_bad("");
	date_bad("abcd-ef-gh");
	date_bad("2026-0a-01");
	date_bad("+026-01-01");
	date_bad("1899-12-31"); /* outside the supported years */
	date_bad("3000-01-01");
}

static void test_iso_zones(void **state)
{
	(void)state;
	iso_ok("2026-11-22T10:00:00Z", "2026-11-22T10:00:00Z");
	iso_ok("2026-11-22t10:00:00z", "2026-11-22T10:00:00Z");
	iso_ok("2026-11-22 10:00:00Z", "2026-11-22T10:00:00Z");
	iso_ok("2026-11-22T10:00Z", "2026-11-22T10:00:00Z"); /* seconds optional */
	/* offsets normalise to UTC */
	iso_ok("2026-11-22T12:00:00+02:00", "2026-11-22T10:00:00Z");
	iso_ok("2026-11-22T05:30:00-04:30", "2026-11-22T10:00:00Z");
	iso_ok("2026-11-22T10:00:00+00:00", "2026-11-22T10:00:00Z");
	iso_ok("2026-11-22T10:00:00-00:00", "2026-11-22T10:00:00Z");
	iso_ok("2026-01-01T01:00:00+02:00", "2025-12-31T23:00:00Z"); /* across a year */
	iso_ok("2024-02-28T23:30:00-01:00", "2024-02-29T00:30:00Z");
	iso_ok("2026-11-22T00:00:00+23:59", "2026-11-21T00:01:00Z");
	/* fractions are dropped, not rounded */
	iso_ok("2026-11-22T10:00:00.999Z", "2026-11-22T10:00:00Z");
	iso_ok("2026-11-22T10:00:00.5+01:00", "2026-11-22T09:00:00Z");
	iso_ok("2026-11-22T10:00:00.123456789Z", "2026-11-22T10:00:00Z");
	/* a bare date is midnight UTC */
	iso_ok("2026-11-22", "2026-11-22T00:00:00Z");
	/* a leap second is taken as the next second */
	iso_ok("2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z");
}

static void test_iso_invalid(void **state)
{
	(void)state;
	iso_bad("2026-11-22T10:00:00");    /* no zone: ambiguous */
	iso_bad("2026-11-22T10:00");
	iso_bad("2026-11-22T10:00:00.5");
	iso_bad("2026-11-22T24:00:00Z");
	iso_bad("2026-11-22T10:60:00Z");
	iso_bad("2026-11-22T10:00:61Z");
	iso_bad("2026-11-22T10:00:00+24:00");
	iso_bad("2026-11-22T10:00:00+02:60");
	iso_bad("2026-11-22T10:00:00+0200");
	iso_bad("2026-11-22T10:00:00+02");
	iso_bad("2026-11-22T10:00:00+2:00");
	iso_bad("2026-11-22T10:00:00.Z");  /* a dot needs digits */
	iso_bad("2026-11-22T10:00.5Z");    /* fractions need seconds */
	iso_bad("2026-11-22T10:00:00ZZ");
	iso_bad("2026-11-22T10:00:00Z ");
	iso_bad("2026-11-22X10:00:00Z");
	iso_bad("2026-11-22T1:00:00Z");
	iso_bad("2026-11-22T10:0:00Z");
	iso_bad("2026-11-22T10:00:0Z");
	iso_bad("2026-11-22T10:00:");
	iso_bad("2026-11-22T10:00:00+");
	iso_bad("2026-02-29T10:00:00Z");
	iso_bad("2026-13-01T10:00:00Z");
	iso_bad("2026-1-01T10:00:00Z");
	iso_bad("2026-11-22T");
	iso_bad("");
	iso_bad("now");
}

static void test_round_trip(void **state)
{
	static const long long ts[] = {0, 1, 59, 86399, 951782400, 1709251199, 1795305600,
				       1798761599, -2208988800LL, 32503679999LL};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		char iso[TIME_ISO_LEN], date[11];
		time_t back = 0, day = 0;

		time_iso((time_t)ts[i], iso);
		assert_int_equal(strlen(iso), TIME_ISO_LEN - 1);
		assert_int_equal(time_parse_iso(iso, &back), 0);
		assert_int_equal((long long)back, ts[i]);
		/* the date of an instant is its UTC day */
		time_date((time_t)ts[i], date);
		assert_int_equal(strlen(date), 10);
		assert_int_equal(time_parse_date(date, &day), 0);
		assert_true(day <= back && back - day < 86400);
		assert_memory_equal(iso, date, 10);
	}
	/* the text sorts as the instants do */
	{
		char a[TIME_ISO_LEN], b[TIME_ISO_LEN];

		time_iso(1795305599, a);
		time_iso(1795305600, b);
		assert_true(strcmp(a, b) < 0);
		assert_string_equal(a, "2026-11-21T23:59:59Z");
		assert_string_equal(b, "2026-11-22T00:00:00Z");
	}
}

static void test_now_override(void **state)
{
	time_t before, got;
	char iso[TIME_ISO_LEN];

	(void)state;
	setenv("FUNNEL_NOW", "2026-11-22T14:30:00+01:00", 1);
	time_iso(time_now(), iso);
	assert_string_equal(iso, "2026-11-22T13:30:00Z");
	setenv("FUNNEL_NOW", "2030-01-01", 1);
	time_iso(time_now(), iso);
	assert_string_equal(iso, "2030-01-01T00:00:00Z");

	/* an unparsable override is ignored: the real clock */
	setenv("FUNNEL_NOW", "yesterday", 1);
	before = time(NULL);
	got = time_now();
	assert_true(got >= before && got <= time(NULL));

	unsetenv("FUNNEL_NOW");
	before = time(NULL);
	got = time_now();
	assert_true(got >= before && got <= time(NULL));
}

static void test_mono(void **state)
{
	double a, b;

	(void)state;
	a = time_mono();
	b = time_mono();
	assert_true(a > 0);
	assert_true(b >= a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_valid),  cmocka_unit_test(test_date_invalid),
		cmocka_unit_test(test_iso_zones),   cmocka_unit_test(test_iso_invalid),
		cmocka_unit_test(test_round_trip),  cmocka_unit_test(test_now_override),
		cmocka_unit_test(test_mono),
	};

	return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
