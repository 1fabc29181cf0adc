/*
 * test_csv.c — the streaming CSV reader: quoting, embedded line breaks and
 * quotes, CRLF and CR, empty cells, line numbers, bad UTF-8, malformed and
 * over-long rows, an unterminated quote, and the formula guard's round trip
 * with buf_csv_cell().  Every input is read whole and also in chunks of
 * 1, 2, 3 and 7 bytes: the result must not depend on where chunks end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the project's headers first: cmocka's fail() macro clashes with err.h */
#include "core/buf.h"
#include "core/csv.h"

#include <cmocka.h>

/* Rows as text: "L<line>[cell|cell]" or "L<line>!<error>", one per line. */
struct seen {
	struct buf out;
	int stop_after; /* stop (return 99) after this many rows; 0 never */
	int rows;
};

static int collect(void *ctx, const struct csv_row *row)
{
	struct seen *s = ctx;
	int i;

	buf_printf(&s->out, "L%lld", row->line);
	if (row->error) {
		buf_printf(&s->out, "!%s\n", row->error);
	} else {
		buf_putc(&s->out, '[');
		for (i = 0; i < row->ncells; i++) {
			assert_int_equal(strlen(row->cells[i]), row->lens[i]);
			buf_printf(&s->out, "%s%s", i ? "|" : "", row->cells[i]);
		}
		buf_puts(&s->out, "]\n");
	}
	s->rows++;
	return s->stop_after && s->rows == s->stop_after ? 99 : 0;
}

/* Read `n` bytes in chunks of `chunk` (0: whole); rows into *out (caller
 * releases), the result code returned, message in e. */
static int read_in(const char *in, size_t n, size_t chunk, struct buf *out, struct err *e)
{
	struct csv_reader r;
	struct seen s;
	size_t pos = 0, k;
	int rc = OK;

	memset(&s, 0, sizeof(s));
	buf_init(&s.out, 0);
	err_clear(e);
	csv_reader_init(&r, collect, &s);
	while (pos < n && !rc) {
		k = chunk && n - pos > chunk ? chunk : n - pos;
		rc = csv_reader_feed(&r, in + pos, k, e);
		pos += k;
	}
	if (!rc)
		rc = csv_reader_finish(&r, e);
	csv_reader_release(&r);
	*out = s.out;
	return rc;
}

/* `in` reads as `want` (and rc `want_rc`) whatever the chunking. */
static void reads_n(const char *in, size_t n, const char *want, int want_rc)
{
	static const size_t chunks[] = {0, 1, 2, 3, 7};
	struct buf out;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		int rc = read_in(in, n, chunks[i], &out, &e);

		if (strcmp(out.data, want) || rc != want_rc)
			print_error("chunk %zu: got rc %d\n%s\nwanted rc %d\n%s\n", chunks[i], rc,
				    out.data, want_rc, want);
		assert_string_equal(out.data, want);
		assert_int_equal(rc, want_rc);
		buf_release(&out);
	}
}

static void reads(const char *in, const char *want)
{
	reads_n(in, strlen(in), want, OK);
}

static void test_plain_rows(void **state)
{
	(void)state;
	reads("a,b,c\n1,2,3\n", "L1[a|b|c]\nL2[1|2|3]\n");
	/* the last row needs no line break */
	reads("a,b\n1,2", "L1[a|b]\nL2[1|2]\n");
	/* spaces are data, not trimmed */
	reads(" a , b \n", "L1[ a | b ]\n");
	reads("", "");
}

static void test_line_ends(void **state)
{
	(void)state;
	reads("a,b\r\n1,2\r\n3,4", "L1[a|b]\nL2[1|2]\nL3[3|4]\n");
	/* a bare CR ends a line too (old Mac files) */
	reads("a,b\r1,2\r3,4\r", "L1[a|b]\nL2[1|2]\nL3[3|4]\n");
	/* blank lines are skipped but counted */
	reads("a\n\n\r\nb\n\n", "L1[a]\nL4[b]\n");
}

static void test_quoting(void **state)
{
	(void)state;
	reads("\"a,b\",c\n", "L1[a,b|c]\n");
	reads("\"he said \"\"hi\"\"\",x\n", "L1[he said \"hi\"|x]\n");
	reads("\"\"\"\"\n", "L1[\"]\n");
	/* an embedded line break: the next row's line number counts it */
	reads("name,notes\nAnn,\"line one\nline two\"\nBob,x\n",
	      "L1[name|notes]\nL2[Ann|line one\nline two]\nL4[Bob|x]\n");
	reads("a,\"x\r\ny\"\r\nb,c\r\n", "L1[a|x\r\ny]\nL3[b|c]\n");
	/* a quoted cell at the end of input without a line break */
	reads("a,\"q\"", "L1[a|q]\n");
}

static void test_empty_cells(void **state)
{
	(void)state;
	reads("a,,c\n,,\n\"\",x\n", "L1[a||c]\nL2[||]\nL3[|x]\n");
	reads("a,b,\n", "L1[a|b|]\n");
}

static void test_bad_utf8(void **state)
{
	(void)state;
	/* a stray continuation byte, an overlong '/', a surrogate, a cut sequence */
	reads("ok\n\x80x\nnext\n", "L1[ok]\nL2!cell 1 is not valid UTF-8\nL3[next]\n");
	reads("a,\xc0\xaf\n", "L1!cell 2 is not valid UTF-8\n");
	reads("a,\xed\xa0\x80\n", "L1!cell 2 is not valid UTF-8\n");
	reads("a,b,\xe2\x82\n", "L1!cell 3 is not valid UTF-8\n");
	/* valid multibyte text passes */
	reads("Müller,€,𝄞\n", "L1[Müller|€|𝄞]\n");
	/* a NUL byte inside a cell */
	reads_n("a,b\0c\nd\n", 8, "L1!cell 2 contains a NUL byte\nL2[d]\n", OK);
}

static void test_malformed_quotes(void **state)
{
	(void)state;
	/* a quote inside an unquoted cell: that row is bad, reading goes on */
	reads("h\na\"b,c\nok\n",
	      "L1[h]\nL2!a quote inside an unquoted cell, or text after a closing quote (line "
	      "2)\nL3[ok]\n");
	/* text after a closing quote */
	reads("\"ab\"x,1\nok\n", "L1!a quote inside an unquoted cell, or text after a closing "
				"quote (line 1)\nL2[ok]\n");
}

static void test_unterminated_quote(void **state)
{
	struct buf out;
	struct err e;
	int rc;

	(void)state;
	reads_n("a,b\n1,\"open\n2,3\n", 16, "L1[a|b]\n", E_INVAL);
	rc = read_in("a,b\n1,\"open\n2,3\n", 16, 0, &out, &e);
	assert_int_equal(rc, E_INVAL);
	assert_string_equal(e.msg, "line 2: a quoted cell is never closed");
	buf_release(&out);
}

static void test_long_rows(void **state)
{
	size_t big = CSV_ROW_MAX + 100, n;
	char *in = malloc(big + 64);
	struct buf out;
	struct err e;
	int rc;

	(void)state;
	assert_non_null(in);
	/* an over-long row between two good ones: reported, then skipped */
	n = (size_t)sprintf(in, "a\n\"");
	memset(in + n, 'x', big);
	n += big;
	n += (size_t)sprintf(in + n, "\n\",y\nb\n");
	rc = read_in(in, n, 0, &out, &e);
	assert_int_equal(rc, OK);
	assert_string_equal(out.data, "L1[a]\nL2!the row is longer than 1048576 bytes\nL4[b]\n");
	buf_release(&out);
	rc = read_in(in, n, 4096, &out, &e);
	assert_int_equal(rc, OK);
	assert_string_equal(out.data, "L1[a]\nL2!the row is longer than 1048576 bytes\nL4[b]\n");
	buf_release(&out);

	/* an unquoted over-long line, last in the file */
	n = (size_t)sprintf(in, "a\n");
	memset(in + n, 'x', big);
	n += big;
	rc = read_in(in, n, 0, &out, &e);
	assert_int_equal(rc, OK);
	assert_string_equal(out.data, "L1[a]\nL2!the row is longer than 1048576 bytes\n");
	buf_release(&out);

	/* a quote opened and never closed, swallowing more than the limit */
	n = (size_t)sprintf(in, "a\nb,\"");
	memset(in + n, 'x', big);
	n += big;
	rc = read_in(in, n, 65536, &out, &e);
	assert_int_equal(rc, E_INVAL);
	assert_string_equal(e.msg, "line 2: a quoted cell is never closed");
	buf_release(&out);
	free(in);
}

static void test_bom(void **state)
{
	(void)state;
	reads("\xef\xbb\xbfname,x\n1,2\n", "L1[name|x]\nL2[1|2]\n");
	/* a start that only looks like a BOM is data (and here bad UTF-8) */
	reads("\xef\xbbz\n", "L1!cell 1 is not valid UTF-8\n");
	/* a BOM only in the first position */
	reads("a\n\xef\xbb\xbf\n", "L1[a]\nL2[\xef\xbb\xbf]\n");
}

static void test_stop(void **state)
{
	struct csv_reader r;
	struct seen s;
	struct err e;
	const char *in = "a\nb\nc\nd\n";

	(void)state;
	memset(&s, 0, sizeof(s));
	buf_init(&s.out, 0);
	s.stop_after = 2;
	csv_reader_init(&r, collect, &s);
	assert_int_equal(csv_reader_feed(&r, in, strlen(in), &e), 99);
	assert_int_equal(csv_reader_finish(&r, &e), 99);
	csv_reader_release(&r);
	assert_string_equal(s.out.data, "L1[a]\nL2[b]\n");
	buf_release(&s.out);
}

/* What export writes (buf_csv_cell), import reads back unchanged. */
static void test_guard_round_trip(void **state)
{
	static const char *const values[] = {
		"plain", "=SUM(A1:A2)", "+1", "@cmd", "-5", "-1234.50", "-.5", "-x", "-2+3",
		"-", "'", "'quoted", "a,b", "say \"hi\"", "two\nlines", "", "'-5", "=", NULL,
	};
	struct buf line = BUF_INIT, out;
	struct err e;
	int i, rc;

	(void)state;
	for (i = 0; values[i]; i++) {
		buf_reset(&line);
		buf_csv_cell(&line, values[i]);
		buf_puts(&line, ",end\n");
		rc = read_in(line.data, line.len, 0, &out, &e);
		assert_int_equal(rc, OK);
		{
			/* "L1[" cell "|end]\n" */
			const char *cell = out.data + 3;
			size_t len = out.len - 3 - strlen("|end]\n");
			char *got = strndup(cell, len);
			const char *unguarded = got + csv_guard_len(got);

			if (strcmp(unguarded, values[i]))
				print_error("'%s' came back as '%s'\n", values[i], unguarded);
			assert_string_equal(unguarded, values[i]);
			free(got);
		}
		buf_release(&out);
	}
	buf_release(&line);
	/* no guard on ordinary text */
	assert_int_equal(csv_guard_len("'hello"), 0);
	assert_int_equal(csv_guard_len("'=1"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_rows),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_empty_cells),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_malformed_quotes),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_long_rows),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_guard_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
