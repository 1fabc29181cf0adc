/*
 * test_datein.c — dates as spreadsheets write them (core/datein.h) and
 * other character sets to UTF-8 (core/recode.h), and the CSV reader's
 * separator sniffing (core/csv.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/datein.h"
#include "core/recode.h"

#include <cmocka.h> /* after err.h: its fail() macro would rename ours */

static void reads(const char *s, enum date_order o, const char *want)
{
	char out[11] = "";
	int rc = datein_parse(s, strlen(s), o, out);

	if (rc != DATEIN_OK || strcmp(out, want))
		fail_msg("datein_parse(\"%s\", %d) = %d \"%s\", want \"%s\"", s, (int)o, rc, out,
			 want);
}

static void refuses(const char *s, enum date_order o, int want)
{
	char out[11];
	int rc = datein_parse(s, strlen(s), o, out);

	if (rc != want)
		fail_msg("datein_parse(\"%s\", %d) = %d, want %d", s, (int)o, rc, want);
}

static void test_forms(void **state)
{
	(void)state;
	reads("2026-03-31", DATE_ANY, "2026-03-31");
	reads("2026/03/31", DATE_MDY, "2026-03-31");
	reads("2026-03-31T10:00:00.000Z", DATE_ANY, "2026-03-31");
	reads("2026-03-31 10:00", DATE_ANY, "2026-03-31");
	reads("31/03/2026", DATE_ANY, "2026-03-31");
	reads("3/31/2026", DATE_ANY, "2026-03-31");
	reads("31.03.2026", DATE_DMY, "2026-03-31");
	reads("03/04/2026", DATE_DMY, "2026-04-03");
	reads("03/04/2026", DATE_MDY, "2026-03-04");
	reads("29/02/2028", DATE_ANY, "2028-02-29");
	/* Excel serials, 1900 system: 1 is 1900-01-01, 61 is 1900-03-01 */
	reads("46112", DATE_ANY, "2026-03-31");
	reads("46112.5", DATE_ANY, "2026-03-31");
	reads("1", DATE_ANY, "1900-01-01");
	reads("59", DATE_ANY, "1900-02-28");
	reads("61", DATE_ANY, "1900-03-01");
	reads("45292", DATE_ANY, "2024-01-01");
}

static void test_refusals(void **state)
{
	(void)state;
	refuses("03/04/2026", DATE_ANY, DATEIN_AMBIGUOUS);
	refuses("31/03/2026", DATE_MDY, DATEIN_NOT);
	refuses("3/31/2026", DATE_DMY, DATEIN_NOT);
	refuses("29/02/2027", DATE_ANY, DATEIN_NOT);
	refuses("2026-02-30", DATE_ANY, DATEIN_NOT);
	refuses("60", DATE_ANY, DATEIN_NOT);
	refuses("0", DATE_ANY, DATEIN_NOT);
	refuses("614111", DATE_ANY, DATEIN_NOT); /* year 3581: found by fuzz_datein */
	refuses("1899-12-31", DATE_ANY, DATEIN_NOT);
	refuses("31/12/3000", DATE_ANY, DATEIN_NOT);
	refuses("tomorrow", DATE_ANY, DATEIN_NOT);
	refuses("31/03/26", DATE_ANY, DATEIN_NOT);
	refuses("1/2-2026", DATE_ANY, DATEIN_NOT);
	assert_int_equal(datein_orders("03/04/2026", 10), 1 << DATE_DMY | 1 << DATE_MDY);
	assert_int_equal(datein_orders("13/04/2026", 10), 1 << DATE_DMY);
	assert_int_equal(datein_orders("2026-04-03", 10), 0);
	assert_int_equal(datein_order_parse("DD/MM/YYYY"), DATE_DMY);
	assert_int_equal(datein_order_parse("mdy"), DATE_MDY);
	assert_int_equal(datein_order_parse("ymd"), -1);
}

static void test_recode(void **state)
{
	struct recode rc;
	struct buf out = BUF_INIT;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_string_equal(recode_name("CP1252"), "windows-1252");
	assert_string_equal(recode_name("ISO-8859-1"), "latin-1");
	assert_null(recode_name("ebcdic"));
	assert_int_equal(recode_open(&rc, "windows-1252", &e), OK);
	/* "Café €" in two chunks */
	assert_int_equal(recode_feed(&rc, "Caf\xe9", 4, &out, &e), OK);
	assert_int_equal(recode_feed(&rc, " \x80", 2, &out, &e), OK);
	assert_int_equal(out.len, strlen("Caf\xc3\xa9 \xe2\x82\xac"));
	assert_memory_equal(out.data, "Caf\xc3\xa9 \xe2\x82\xac", out.len);
	assert_int_equal(recode_feed(&rc, "ok\x81", 3, &out, &e), E_INVAL);
	assert_non_null(strstr(e.msg, "0x81 at offset 8"));
	recode_close(&rc);
	buf_release(&out);
}

static void test_sniff(void **state)
{
	(void)state;
	assert_int_equal(csv_sniff_delim("a,b,c\n", 6), ',');
	assert_int_equal(csv_sniff_delim("a;b;c\r\nx,y", 11), ';');
	assert_int_equal(csv_sniff_delim("\xef\xbb\xbf"
					 "a\tb\n",
					 7),
			 '\t');
	assert_int_equal(csv_sniff_delim("\"a;b\",c\n", 8), ',');
	assert_int_equal(csv_sniff_delim("name\n", 5), ',');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_recode),
		cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests_name("datein", tests, NULL, NULL);
}
