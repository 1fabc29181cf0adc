/*
 * urlform.h — application/x-www-form-urlencoded, as browsers post HTML forms
 * (WHATWG URL standard, "application/x-www-form-urlencoded parsing").
 *
 * Why our own: libmicrohttpd has MHD_http_unescape() and a POST processor,
 * but src/core must not depend on the HTTP library (core ← store ← crm ← api
 * ← http), and MHD_http_unescape() is lenient where a public endpoint must
 * not be: it passes a stray '%' through and never checks UTF-8.  This
 * decoder is strict instead:
 *
 *   - pairs are separated by '&' (empty pieces are skipped); a piece without
 *     '=' is a name with an empty value;
 *   - '+' is a space, "%XX" (two hex digits, either case) is that byte; a
 *     '%' not followed by two hex digits is an error, not a literal;
 *   - every decoded name and value must be valid UTF-8 (utf8.h) without NUL
 *     bytes, so what comes out can be used as a C string and stored as text.
 *
 * Decoding happens in place in one copy of the body: the pairs point into
 * `storage`, which urlform_release() frees with the pairs array.
 */
#ifndef FUNNEL_URLFORM_H
#define FUNNEL_URLFORM_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct urlform_pair {
	const char *name, *value; /* NUL-terminated, valid UTF-8 */
	size_t name_len, value_len;
};

struct urlform {
	struct urlform_pair *pairs;
	int n;
	char *storage;
};

/* Decode `n` bytes of `in` (not NUL-terminated) into out (NUL-terminated;
 * it needs at most n + 1 bytes, decoding never grows).  Returns the decoded
 * length, or -1 for a bad percent-escape.  Checks no UTF-8. */
long urlform_unescape(const char *in, size_t n, char *out);

/* Split and decode a whole body.  More than `max_pairs` pairs is E_TOOBIG;
 * a bad escape or bytes that are not UTF-8 are E_INVAL with a message that
 * says which pair; E_INTERNAL when out of memory.  On success the caller
 * releases `f`; on failure there is nothing to release. */
int urlform_parse(const char *body, size_t n, int max_pairs, struct urlform *f,
		  struct err *e);
void urlform_release(struct urlform *f);

/* Append `s` (n bytes) encoded for a form body: unreserved characters
 * (A-Z a-z 0-9 - . _ *) as they are, space as '+', every other byte as %XX.
 * urlform_unescape() of the result gives the bytes back. */
void urlform_escape(struct buf *b, const char *s, size_t n);

#endif
