/*
 * buf.h — a growable byte string with a size cap and a sticky error.
 *
 * Invariants (after git's strbuf and curl's dynbuf):
 *   - `b->data` is never NULL after buf_init() and is always NUL-terminated,
 *     so it can be printed even after an error;
 *   - once an append fails (out of memory, or the length would pass `cap`),
 *     `b->failed` stays set and further appends do nothing: check once at the
 *     end rather than after every call;
 *   - buf_release() frees the storage; buf_detach() hands it to the caller
 *     ("you now own it") and leaves the buf empty and usable.
 *
 * The escape helpers each serve one output context: JSON string contents,
 * HTML text, HTML attribute values, CSV cells.
 */
#ifndef FUNNEL_BUF_H
#define FUNNEL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;   /* 0: no limit */
	int failed;   /* sticky: an append was refused */
};

#define BUF_INIT {buf_empty, 0, 0, 0, 0}
extern char buf_empty[1];

void buf_init(struct buf *b, size_t cap);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);              /* length 0, keeps storage and error */
char *buf_detach(struct buf *b, size_t *len); /* caller frees; NULL if failed */
int buf_grow(struct buf *b, size_t extra);  /* 0 or -1 (and failed set) */

void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_add_ll(struct buf *b, long long v);

/* Escapes: each appends `s` (n bytes) encoded for one context. */
void buf_json_str(struct buf *b, const char *s, size_t n); /* with the quotes */
void buf_html_txt(struct buf *b, const char *s);
void buf_html_attr(struct buf *b, const char *s);
void buf_csv_cell(struct buf *b, const char *s);           /* quotes when needed */

#endif
