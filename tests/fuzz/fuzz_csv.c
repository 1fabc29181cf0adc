/*
 * fuzz_csv.c — libFuzzer target for the streaming CSV reader (core/csv.h).
 *
 * Each input is read twice: whole, and in chunks whose sizes come from the
 * input's first byte.  Beyond "no crash, no leak, no undefined behaviour",
 * it checks what the importer relies on:
 *   - both readings give the same rows, lines and result (chunk borders do
 *     not matter);
 *   - every cell is NUL-terminated at its length, and valid UTF-8 in a row
 *     without an error;
 *   - line numbers start at 1 and never go back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/utf8.h"

struct trace {
	struct buf out;
	long long last_line;
};

static int on_row(void *ctx, const struct csv_row *row)
{
	struct trace *t = ctx;
	int i;

	if (row->line < 1 || row->line < t->last_line)
		abort();
	t->last_line = row->line;
	buf_printf(&t->out, "%lld:%d:%s", row->line, row->ncells, row->error ? row->error : "");
	for (i = 0; i < row->ncells; i++) {
		if (row->cells[i][row->lens[i]] != '\0')
			abort();
		if (!row->error && (memchr(row->cells[i], '\0', row->lens[i]) ||
				    !utf8_valid(row->cells[i], row->lens[i])))
			abort();
		buf_putc(&t->out, '|');
		buf_add(&t->out, row->cells[i], row->lens[i]);
	}
	buf_putc(&t->out, '\n');
	return 0;
}

/* Read data in chunks of `chunk` bytes (0: whole); the trace into *t. */
static int read_in(const uint8_t *data, size_t n, size_t chunk, struct trace *t, struct err *e)
{
	struct csv_reader r;
	size_t pos = 0, k;
	int rc = OK;

	buf_init(&t->out, 0);
	t->last_line = 0;
	err_clear(e);
	csv_reader_init(&r, on_row, t);
	while (pos < n && !rc) {
		k = chunk && n - pos > chunk ? chunk : n - pos;
		rc = csv_reader_feed(&r, data + pos, k, e);
		pos += k;
	}
	if (!rc)
		rc = csv_reader_finish(&r, e);
	csv_reader_release(&r);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace a, b;
	struct err ea, eb;
	size_t chunk;
	int ra, rb;

	if (!size)
		return 0;
	chunk = (size_t)(data[0] % 17) + 1;
	ra = read_in(data, size, 0, &a, &ea);
	rb = read_in(data, size, chunk, &b, &eb);
	if (ra != rb || a.out.len != b.out.len || memcmp(a.out.data, b.out.data, a.out.len) ||
	    (ra && strcmp(ea.msg, eb.msg)))
		abort();
	buf_release(&a.out);
	buf_release(&b.out);
	return 0;
}
