/*
 * fuzz_datein.c — libFuzzer target for what reads files as people have them:
 * dates as spreadsheets write them (core/datein.h), other character sets to
 * UTF-8 (core/recode.h) and the separator sniffer (core/csv.h).
 *
 * Beyond "no crash, no leak, no undefined behaviour":
 *   - a date read in any order is a real YYYY-MM-DD date (time_parse_date
 *     takes it), and an unambiguous one reads the same in every order that
 *     can read it;
 *   - Windows-1252 and Latin-1 convert the same whole and in chunks whose
 *     sizes come from the input's first byte, to valid UTF-8;
 *   - the sniffer answers one of ',', ';' and tab.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/datein.h"
#include "core/recode.h"
#include "core/timeutil.h"
#include "core/utf8.h"

static void dates(const char *s, size_t n)
{
	char out[11];
	time_t t;
	int o, rc, orders = datein_orders(s, n);

	for (o = DATE_ANY; o <= DATE_MDY; o++) {
		rc = datein_parse(s, n, (enum date_order)o, out);
		if (rc == DATEIN_OK && (strlen(out) != 10 || time_parse_date(out, &t)))
			abort();
		if (rc == DATEIN_AMBIGUOUS &&
		    (o != DATE_ANY || orders != (1 << DATE_DMY | 1 << DATE_MDY)))
			abort();
	}
}

static int convert(const char *name, const uint8_t *data, size_t n, size_t chunk, struct buf *out)
{
	struct recode rc;
	struct err e;
	size_t pos = 0, k;
	int r;

	err_clear(&e);
	buf_init(out, 0);
	r = recode_open(&rc, name, &e);
	while (!r && pos < n) {
		k = chunk && n - pos > chunk ? chunk : n - pos;
		r = recode_feed(&rc, (const char *)data + pos, k, out, &e);
		pos += k;
	}
	recode_close(&rc);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sets[] = {"windows-1252", "latin-1"};
	struct buf a, b;
	size_t chunk, i;
	int ra, rb;
	char d;

	if (!size)
		return 0;
	dates((const char *)data, size < 64 ? size : 64);
	d = csv_sniff_delim((const char *)data, size);
	if (d != ',' && d != ';' && d != '\t')
		abort();
	chunk = (size_t)(data[0] % 7) + 1;
	for (i = 0; i < 2; i++) {
		ra = convert(sets[i], data, size, 0, &a);
		rb = convert(sets[i], data, size, chunk, &b);
		if (ra != rb || (!ra && (a.len != b.len || memcmp(a.data, b.data, a.len))))
			abort();
		if (!ra && a.len && !utf8_valid(a.data, a.len) && !memchr(a.data, '\0', a.len))
			abort();
		buf_release(&a);
		buf_release(&b);
	}
	return 0;
}
