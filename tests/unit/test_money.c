/*
 * test_money.c — exact amounts: parsing per currency digits, refusals,
 * conversion from JSON numbers, formatting and round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/money.h"

/* Parse s with `digits`, expecting success and `want` minor units. */
static void parses(const char *s, int digits, long long want)
{
	long long v = 12345;
	const char *why = NULL;

	if (money_parse(s, digits, &v, &why) != 0)
		fail_msg("money_parse(\"%s\", %d) refused: %s", s, digits, why ? why : "?");
	if (v != want)
		fail_msg("money_parse(\"%s\", %d) = %lld, want %lld", s, digits, v, want);
}

/* Parse s with `digits`, expecting a refusal whose reason contains `reason`. */
static void refuses(const char *s, int digits, const char *reason)
{
	long long v = 777;
	const char *why = NULL;

	if (money_parse(s, digits, &v, &why) == 0)
		fail_msg("money_parse(\"%s\", %d) accepted it as %lld", s, digits, v);
	assert_non_null(why);
	if (!strstr(why, reason))
		fail_msg("money_parse(\"%s\", %d): reason \"%s\" lacks \"%s\"", s, digits, why,
			 reason);
	assert_int_equal(v, 777); /* untouched on failure */
}

static void test_digits(void **state)
{
	(void)state;
	assert_int_equal(money_digits("EUR"), 2);
	assert_int_equal(money_digits("USD"), 2);
	assert_int_equal(money_digits("JPY"), 0);
	assert_int_equal(money_digits("KRW"), 0);
	assert_int_equal(money_digits("KWD"), 3);
	assert_int_equal(money_digits("BHD"), 3);
	assert_int_equal(money_digits("XXX"), -1);
	assert_int_equal(money_digits("eur"), -1); /* codes are upper case */
	assert_int_equal(money_digits("EURO"), -1);
	assert_int_equal(money_digits("EU"), -1);
	assert_int_equal(money_digits(""), -1);
	assert_int_equal(money_digits(NULL), -1);
}

static void test_parse_exact(void **state)
{
	(void)state;
	/* EUR: 2 decimals */
	parses("1234.56", 2, 123456);
	parses("1234.5", 2, 123450);
	parses("1234", 2, 123400);
	parses("0.01", 2, 1);
	parses("0", 2, 0);
	parses("0.00", 2, 0);
	parses("007.10", 2, 710);
	parses("19.99", 2, 1999);
	/* JPY: none */
	parses("1234", 0, 1234);
	parses("0", 0, 0);
	/* KWD: 3 */
	parses("1.234", 3, 1234);
	parses("1.2", 3, 1200);
	parses("12", 3, 12000);
	parses("0.001", 3, 1);
	/* negative amounts (credit notes) */
	parses("-5", 2, -500);
	parses("-0.01", 2, -1);
	parses("-1.234", 3, -1234);
	parses("-0", 2, 0);
}

static void test_parse_refusals(void **state)
{
	(void)state;
	refuses("1.234", 2, "more decimals");
	refuses("1.5", 0, "whole number");
	refuses("1.0", 0, "whole number"); /* even a zero decimal */
	refuses("1.2345", 3, "more decimals");
	refuses("", 2, "decimal number");
	refuses("-", 2, "decimal number");
	refuses("abc", 2, "decimal number");
	refuses("1.", 2, "decimal number");
	refuses(".5", 2, "decimal number");
	refuses("--1", 2, "decimal number");
	refuses("+1", 2, "decimal number");
	refuses(" 1", 2, "decimal number");
	refuses("1 ", 2, "decimal number");
	refuses("1,5", 2, "decimal number");
	refuses("1.2.3", 3, "decimal number");
	refuses("1e3", 2, "decimal number");
	refuses("0x10", 2, "decimal number");
	refuses("12a", 2, "decimal number");
	refuses("1.-5", 2, "decimal number");
	refuses("NaN", 2, "decimal number");
	refuses("\xe2\x82\xac" "5", 2, "decimal number");
}

static void test_parse_bounds(void **state)
{
	(void)state;
	/* MONEY_MAX is the largest amount accepted, in minor units */
	parses("9000000000000000", 0, MONEY_MAX);
	parses("-9000000000000000", 0, -MONEY_MAX);
	parses("90000000000000.00", 2, MONEY_MAX);
	parses("90000000000000", 2, MONEY_MAX);
	parses("9000000000000.000", 3, MONEY_MAX);
	parses("8999999999999999", 0, MONEY_MAX - 1);
	parses("89999999999999.99", 2, MONEY_MAX - 1);
	refuses("9000000000000001", 0, "too large");
	refuses("90000000000000.01", 2, "too large");
	refuses("90000000000001", 2, "too large");
	refuses("9000000000000.001", 3, "too large");
	refuses("99999999999999999999999999999", 0, "too large");
	refuses("-99999999999999999999999999999", 2, "too large");
	refuses("9223372036854775807", 0, "too large");
	refuses("9223372036854775808", 0, "too large");
	/* leading zeros do not count toward the size */
	parses("0000000000000000000000000001", 2, 100);
}

static void from_double_ok(double d, int digits, long long want)
{
	long long v = 0;
	const char *why = NULL;

	if (money_from_double(d, digits, &v, &why))
		fail_msg("money_from_double(%.17g, %d) refused: %s", d, digits, why);
	if (v != want)
		fail_msg("money_from_double(%.17g, %d) = %lld, want %lld", d, digits, v, want);
}

static void from_double_refused(double d, int digits, const char *reason)
{
	long long v = 4242;
	const char *why = NULL;

	if (!money_from_double(d, digits, &v, &why))
		fail_msg("money_from_double(%.17g, %d) accepted it as %lld", d, digits, v);
	assert_non_null(why);
	if (!strstr(why, reason))
		fail_msg("money_from_double(%.17g): \"%s\" lacks \"%s\"", d, why, reason);
	assert_int_equal(v, 4242);
}

static void test_from_double(void **state)
{
	volatile double a = 0.1, b = 0.2;

	(void)state;
	from_double_ok(19.99, 2, 1999);      /* 1998.9999999999998 once scaled */
	from_double_ok(0.29, 2, 29);         /* 28.999999999999996 */
	from_double_ok(a + b, 2, 30);        /* 0.30000000000000004 */
	from_double_ok(1.1 * 3, 2, 330);     /* 3.3000000000000003 */
	from_double_ok(1234.56, 2, 123456);
	from_double_ok(0, 2, 0);
	from_double_ok(-19.99, 2, -1999);
	from_double_ok(-0.01, 2, -1);
	from_double_ok(1500, 0, 1500);
	from_double_ok(1.234, 3, 1234);
	from_double_ok(90000000000000.0, 2, MONEY_MAX);
	from_double_refused(10.005, 2, "more decimals");
	from_double_refused(0.001, 2, "more decimals");
	from_double_refused(-10.005, 2, "more decimals");
	from_double_refused(1.5, 0, "whole number");
	from_double_refused(1.2345, 3, "more decimals");
	from_double_refused(1e16, 0, "too large");
	from_double_refused(-1e16, 0, "too large");
	from_double_refused(1e300, 2, "too large");
	from_double_refused(1.0 / 0.0, 2, "finite");
	from_double_refused(-1.0 / 0.0, 2, "finite");
	from_double_refused(0.0 / 0.0, 2, "finite");
}

static void formats(long long minor, int digits, const char *want)
{
	struct buf b = BUF_INIT;

	money_format(&b, minor, digits);
	assert_false(b.failed);
	assert_string_equal(b.data, want);
	buf_release(&b);
}

static void test_format(void **state)
{
	(void)state;
	formats(123456, 2, "1234.56");
	formats(123450, 2, "1234.50");
	formats(5, 2, "0.05");
	formats(0, 2, "0.00");
	formats(-1, 2, "-0.01");
	formats(-123456, 2, "-1234.56");
	formats(1234, 0, "1234");
	formats(-7, 0, "-7");
	formats(1, 3, "0.001");
	formats(1234567, 3, "1234.567");
	formats(MONEY_MAX, 2, "90000000000000.00");
	formats(-MONEY_MAX, 3, "-9000000000000.000");
}

static void test_format_appends(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_puts(&b, "amount=");
	money_format(&b, 995, 2);
	buf_puts(&b, " EUR");
	assert_string_equal(b.data, "amount=9.95 EUR");
	buf_release(&b);
}

/* format(parse(x)) parses back to the same minor units, for every digits. */
static void test_round_trip(void **state)
{
	static const char *const in[] = {"0", "1", "-1", "19.99", "0.5", "-0.05", "1234.567",
					 "100", "42.1", "8999999999999.999", "-3.000"};
	size_t i;
	int d;

	(void)state;
	for (d = 0; d <= 3; d++) {
		for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
			long long v, v2;
			const char *why;
			struct buf b = BUF_INIT;

			if (money_parse(in[i], d, &v, &why))
				continue;
			money_format(&b, v, d);
			if (money_parse(b.data, d, &v2, &why))
				fail_msg("\"%s\" (from \"%s\", %d) does not parse: %s", b.data,
					 in[i], d, why);
			assert_int_equal(v, v2);
			/* the output has exactly `d` decimals */
			if (d) {
				const char *dot = strchr(b.data, '.');

				assert_non_null(dot);
				assert_int_equal(strlen(dot + 1), (size_t)d);
			} else {
				assert_null(strchr(b.data, '.'));
			}
			buf_release(&b);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_parse_exact),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_from_double),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_appends),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests_name("money", tests, NULL, NULL);
}
