/*
 * csv.c — the streaming CSV reader behind csv.h.
 *
 * Bytes flow in two passes over each chunk: our scan cuts the chunk into
 * pieces that end at a line end (or at the row limit), counting lines and
 * quotes as it goes; each piece then goes to libcsv, whose callbacks collect
 * cells (cell_cb) and hand a finished row to the caller (row_cb).  Because a
 * piece holds at most one line end, libcsv finishes at most one row per
 * piece, and the line numbers we keep are exact when it does.
 */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define CSV_OPTIONS (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)

static const unsigned char utf8_bom[3] = {0xef, 0xbb, 0xbf};

/* Spaces are data: " Ann " stays " Ann " (libcsv trims them by default). */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void parser_start(struct csv_reader *r)
{
	csv_init(&r->parser, CSV_OPTIONS);
	csv_set_space_func(&r->parser, no_space);
	csv_set_delim(&r->parser, (unsigned char)(r->delim ? r->delim : ','));
	/* libcsv grows its cell buffer linearly by this much (default 128) */
	csv_set_blk_size(&r->parser, 4096);
}

/* Forget the half-read row in libcsv (after a malformed or over-long row). */
static void parser_restart(struct csv_reader *r)
{
	csv_free(&r->parser);
	parser_start(r);
}

void csv_reader_init(struct csv_reader *r, csv_row_fn fn, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->fn = fn;
	r->ctx = ctx;
	buf_init(&r->cells, 0);
	r->line = 1;
	r->row_line = 1;
	r->mode = CSV_READ;
	parser_start(r);
}

void csv_reader_set_delim(struct csv_reader *r, char delim)
{
	r->delim = delim;
	csv_set_delim(&r->parser, (unsigned char)delim);
}

char csv_sniff_delim(const char *data, size_t n)
{
	size_t i = 0, count[3] = {0, 0, 0};
	static const char cand[3] = {',', ';', '\t'};
	int quoted = 0, k, best = 0;

	if (n >= 3 && !memcmp(data, utf8_bom, 3))
		i = 3;
	for (; i < n; i++) {
		char c = data[i];

		if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == '\n' || c == '\r'))
			break;
		else if (!quoted)
			for (k = 0; k < 3; k++)
				if (c == cand[k])
					count[k]++;
	}
	for (k = 1; k < 3; k++)
		if (count[k] > count[best])
			best = k;
	return cand[best];
}

void csv_reader_release(struct csv_reader *r)
{
	csv_free(&r->parser);
	buf_release(&r->cells);
	free(r->offs);
	free(r->lens);
	free(r->ptrs);
	r->offs = r->lens = NULL;
	r->ptrs = NULL;
	r->ncells = r->acells = 0;
}

/* Digits with at most one '.', at least one digit ("5", "1234.50", ".5"). */
static int plain_number(const char *s)
{
	int digits = 0, dot = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s == '.' && !dot)
			dot = 1;
		else
			return 0;
	}
	return digits > 0;
}

int csv_guard_len(const char *c)
{
	/* the inverse of buf_csv_cell()'s formula test, one character later;
	 * tests/unit/test_csv.c checks the two agree */
	if (c[0] != '\'')
		return 0;
	return c[1] == '=' || c[1] == '+' || c[1] == '@' ||
	       (c[1] == '-' && c[2] && !plain_number(c + 2));
}

static void row_error(struct csv_reader *r, const char *fmt, long long a)
{
	if (!r->error[0])
		snprintf(r->error, sizeof(r->error), fmt, a);
}

/* libcsv: one cell is complete. */
static void cell_cb(void *s, size_t len, void *data)
{
	struct csv_reader *r = data;

	if (r->ncells == r->acells) {
		int n = r->acells ? 2 * r->acells : 32;
		size_t *o = realloc(r->offs, (size_t)n * sizeof(*o));
		size_t *l = o ? realloc(r->lens, (size_t)n * sizeof(*l)) : NULL;
		const char **p = l ? realloc(r->ptrs, (size_t)n * sizeof(*p)) : NULL;

		if (o)
			r->offs = o;
		if (l)
			r->lens = l;
		if (p)
			r->ptrs = p;
		if (!o || !l || !p) {
			r->cells.failed = 1; /* reported as out of memory after the parse */
			return;
		}
		r->acells = n;
	}
	if (memchr(s, '\0', len))
		row_error(r, "cell %lld contains a NUL byte", r->ncells + 1);
	else if (!utf8_valid(s, len))
		row_error(r, "cell %lld is not valid UTF-8", r->ncells + 1);
	r->offs[r->ncells] = r->cells.len;
	r->lens[r->ncells] = len;
	buf_add(&r->cells, s, len);
	buf_putc(&r->cells, '\0');
	r->ncells++;
}

/* Hand the collected row to the caller and start the next one. */
static void emit(struct csv_reader *r)
{
	struct csv_row row;
	int i, rc;

	if (r->cells.failed)
		return; /* the caller learns it from the feed's E_INTERNAL */
	if (r->ncells > 0 || r->error[0]) {
		/* pointers only now: `cells` may have moved while it grew */
		for (i = 0; i < r->ncells; i++)
			r->ptrs[i] = r->cells.data + r->offs[i];
		row.line = r->row_line;
		row.ncells = r->ncells;
		row.cells = r->ptrs;
		row.lens = r->lens;
		row.error = r->error[0] ? r->error : NULL;
		if (!r->stopped) {
			rc = r->fn(r->ctx, &row);
			if (rc)
				r->stopped = rc;
		}
	}
	buf_reset(&r->cells);
	r->ncells = 0;
	r->error[0] = '\0';
}

/* libcsv: a row is complete (c is its line end, or -1 at the end of input). */
static void row_cb(int c, void *data)
{
	(void)c;
	emit(data);
}

/* A row has ended at a line end (or at the end of input): back to reading. */
static void row_done(struct csv_reader *r)
{
	r->row_bytes = 0;
	r->in_row = 0;
	r->quotes_odd = 0;
}

static int check_memory(struct csv_reader *r, struct err *e)
{
	if (r->cells.failed)
		return fail(e, E_INTERNAL, "out of memory reading CSV");
	return OK;
}

/* Cut `s` into pieces and read them; see the top of this file. */
static int process(struct csv_reader *r, const unsigned char *s, size_t n, struct err *e)
{
	size_t pos = 0;

	while (pos < n && !r->stopped) {
		size_t start = pos, stop = n, got;
		int ended = 0;

		if (r->cr_pending) {
			/* a CR not followed by LF ended a line by itself */
			if (s[pos] != '\n')
				r->line++;
			r->cr_pending = 0;
		}
		/* while reading, never scan past the row limit: no piece can make
		 * libcsv buffer more than CSV_ROW_MAX + 1 bytes */
		if (r->mode == CSV_READ && n - pos > CSV_ROW_MAX + 1 - r->row_bytes)
			stop = pos + (CSV_ROW_MAX + 1 - r->row_bytes);
		for (; pos < stop; pos++) {
			unsigned char c = s[pos];

			if (c == '\n' || c == '\r') {
				ended = c;
				pos++;
				break;
			}
			if (!r->in_row) {
				r->in_row = 1;
				r->row_line = r->line;
			}
			if (c == '"')
				r->quotes_odd ^= 1;
		}
		r->row_bytes += pos - start;

		if (r->mode == CSV_READ && r->row_bytes > CSV_ROW_MAX) {
			/* too long: drop what libcsv holds and skip to the row's end */
			parser_restart(r);
			buf_reset(&r->cells);
			r->ncells = 0;
			r->error[0] = '\0';
			row_error(r, "the row is longer than %lld bytes", (long long)CSV_ROW_MAX);
			r->mode = CSV_SKIP_ROW;
		}
		if (r->mode == CSV_READ) {
			got = csv_parse(&r->parser, s + start, pos - start, cell_cb, row_cb, r);
			if (check_memory(r, e))
				return E_INTERNAL;
			if (got < pos - start) {
				if (csv_error(&r->parser) != CSV_EPARSE)
					return fail(e, E_INTERNAL, "reading CSV: %s",
						    csv_strerror(csv_error(&r->parser)));
				row_error(r, "a quote inside an unquoted cell, or text after a "
					     "closing quote (line %lld)",
					  r->line);
				r->mode = CSV_SKIP_LINE;
			}
		}
		if (ended) {
			if (r->mode == CSV_SKIP_LINE ||
			    (r->mode == CSV_SKIP_ROW && !r->quotes_odd)) {
				parser_restart(r);
				emit(r);
				r->mode = CSV_READ;
				row_done(r);
			} else if (r->mode == CSV_READ && !r->quotes_odd) {
				row_done(r);
			}
			if (ended == '\n')
				r->line++;
			else
				r->cr_pending = 1;
		}
		if (check_memory(r, e))
			return E_INTERNAL;
	}
	return r->stopped;
}

int csv_reader_feed(struct csv_reader *r, const void *data, size_t n, struct err *e)
{
	const unsigned char *s = data;
	size_t pos = 0;

	if (r->stopped)
		return r->stopped;
	r->consumed += (long long)n;
	/* a byte order mark at the very start is not data */
	while (r->bom < 3 && pos < n) {
		if (s[pos] == utf8_bom[r->bom]) {
			r->bom++;
			pos++;
			continue;
		}
		int matched = r->bom, rc;

		r->bom = 3;
		rc = matched ? process(r, utf8_bom, (size_t)matched, e) : OK;
		if (rc)
			return rc;
	}
	return process(r, s + pos, n - pos, e);
}

int csv_reader_finish(struct csv_reader *r, struct err *e)
{
	int rc = OK;

	if (r->bom > 0 && r->bom < 3) {
		int matched = r->bom;

		r->bom = 3;
		rc = process(r, utf8_bom, (size_t)matched, e);
	}
	if (rc || r->stopped)
		return rc ? rc : r->stopped;
	switch (r->mode) {
	case CSV_SKIP_ROW:
		if (r->quotes_odd)
			return fail(e, E_INVAL, "line %lld: a quoted cell is never closed",
				    r->row_line);
		/* the over-long row simply ends with the input */
		emit(r);
		break;
	case CSV_SKIP_LINE:
		emit(r);
		break;
	case CSV_READ:
		if (csv_fini(&r->parser, cell_cb, row_cb, r))
			return fail(e, E_INVAL, "line %lld: a quoted cell is never closed",
				    r->row_line);
		break;
	}
	r->mode = CSV_READ;
	row_done(r);
	if (check_memory(r, e))
		return E_INTERNAL;
	return r->stopped;
}
