/*
 * csv.h — a streaming CSV reader over libcsv (RFC 4180), for imports.
 *
 * Design.  The caller pushes bytes in chunks of any size (csv_reader_feed)
 * and gets one callback per row with every cell as a NUL-terminated string;
 * nothing is loaded whole, and the cell storage is reused from row to row,
 * so a steady import allocates nothing per row.  libcsv does the quoting
 * (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL; spaces are data, never
 * trimmed); this layer adds what libcsv lacks:
 *
 *   - line numbers: each row carries the physical line it starts on (a
 *     quoted cell may span several lines; LF, CRLF and a bare CR each end a
 *     line), so messages can say "row 17" and mean line 17 of the file;
 *   - UTF-8: every cell is checked (no overlong forms, surrogates or NUL
 *     bytes); a UTF-8 byte order mark at the very start is skipped;
 *   - limits: a row may hold at most CSV_ROW_MAX bytes.  A longer one is
 *     skipped without buffering it and reported as a bad row, so memory
 *     stays bounded whatever the input;
 *   - recovery: a malformed row (a quote inside an unquoted cell, text after
 *     a closing quote) is reported as a bad row and reading resumes on the
 *     next line.
 *
 * To find row ends without libcsv's help (for the limit and recovery) the
 * reader counts quote characters: in strict CSV a line end is a row end
 * exactly when an even number of quotes precede it in the row.
 *
 * Errors.  A bad row is not an error of the file: it reaches the callback
 * with `error` set (and its cells, as far as they were read, for context).
 * Only a broken file stops reading — a quoted cell still open at the end of
 * the input, which swallowed everything after it — and then feed/finish
 * return E_INVAL with "line N: ..." in `e`.
 *
 * Lifecycle: csv_reader_init, csv_reader_feed (any number of times),
 * csv_reader_finish (once, at the end of input), csv_reader_release.
 */
#ifndef FUNNEL_CSV_H
#define FUNNEL_CSV_H

#include <csv.h> /* Debian's libcsv, not this file: <> skips this directory */
#include <stddef.h>

#include "buf.h"
#include "err.h"

#define CSV_ROW_MAX (1024 * 1024) /* bytes of one row, line ends included */

/* One row as handed to the callback; valid only during the call. */
struct csv_row {
	long long line;           /* physical line (1-based) the row starts on */
	int ncells;
	const char *const *cells; /* ncells NUL-terminated strings */
	const size_t *lens;       /* their lengths in bytes */
	const char *error;        /* NULL, or why the row cannot be used */
};

/* Called once per row.  Returning non-zero stops reading: feed and finish
 * then return that value. */
typedef int (*csv_row_fn)(void *ctx, const struct csv_row *row);

struct csv_reader {
	struct csv_parser parser;
	csv_row_fn fn;
	void *ctx;
	int stopped;             /* the callback's non-zero answer, or 0 */
	char delim;              /* the cell separator: ',' (default), ';' or '\t' */

	/* the row being read */
	struct buf cells;        /* cell bytes, each followed by a NUL */
	size_t *offs, *lens;     /* per cell: start in `cells`, length */
	const char **ptrs;       /* per cell: pointer handed out in csv_row */
	int ncells, acells;
	char error[160];         /* first problem of this row, "" when none */

	/* position, tracked by our own scan of the bytes */
	long long line;          /* line of the next byte */
	long long row_line;      /* line the current row starts on */
	int cr_pending;          /* last byte was CR: a LF next belongs to it */
	int in_row;              /* a non-line-end byte was seen since the last row end */
	int quotes_odd;          /* inside a quoted cell, by quote parity */
	size_t row_bytes;        /* bytes of the current row so far */
	enum { CSV_READ, CSV_SKIP_ROW, CSV_SKIP_LINE } mode;
	int bom;                 /* bytes of a UTF-8 BOM matched at the start; 3 = done */
	long long consumed;      /* bytes fed so far */
};

/* Prepare `r` to call `fn(ctx, row)` for each row. */
void csv_reader_init(struct csv_reader *r, csv_row_fn fn, void *ctx);

/* Separate cells with `delim` (',', ';', '\t' ...) instead of ','.  Call
 * before the first csv_reader_feed. */
void csv_reader_set_delim(struct csv_reader *r, char delim);

/* The separator the first line of `data` (n bytes: the start of a file)
 * uses: whichever of ',', ';' and tab appears most often outside quotes;
 * ',' when none does or on a tie with ','. */
char csv_sniff_delim(const char *data, size_t n);

/* Read `n` more bytes.  Returns OK; the callback's non-zero value if it
 * stopped; E_INVAL (message "line N: ...") when the file is broken;
 * E_INTERNAL when out of memory. */
int csv_reader_feed(struct csv_reader *r, const void *data, size_t n, struct err *e);

/* The input has ended: deliver the last row (which need not end in a line
 * break).  Returns as csv_reader_feed; E_INVAL when a quoted cell is still
 * open ("line N: a quoted cell is never closed"). */
int csv_reader_finish(struct csv_reader *r, struct err *e);

/* Free what the reader holds; it may then be initialised again. */
void csv_reader_release(struct csv_reader *r);

/* Length of the formula guard at the start of `cell`: 1 when it is the `'`
 * that buf_csv_cell() puts before a cell a spreadsheet would evaluate
 * ("'=SUM(A1)"), else 0.  An import skips it so an export reads back
 * unchanged. */
int csv_guard_len(const char *cell);

#endif
