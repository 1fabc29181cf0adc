/*
 * urlform.c — the form-body decoder of urlform.h.
 */
#include "urlform.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long urlform_unescape(const char *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (in[i] == '+') {
			out[o++] = ' ';
		} else if (in[i] == '%') {
			int hi, lo;

			if (n - i < 3 || (hi = hexval(in[i + 1])) < 0 || (lo = hexval(in[i + 2])) < 0)
				return -1;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = in[i];
		}
	}
	out[o] = '\0';
	return (long)o;
}

/* Decode piece [p, p+n) in place at dst; checks it is text. */
static int decode_part(const char *p, size_t n, char *dst, size_t *len, int pair,
		       const char *what, struct err *e)
{
	long l = urlform_unescape(p, n, dst);

	if (l < 0)
		return fail(e, E_INVAL, "pair %d: the %s has a '%%' not followed by two hex digits",
			    pair, what);
	if (memchr(dst, '\0', (size_t)l) || !utf8_valid(dst, (size_t)l))
		return fail(e, E_INVAL, "pair %d: the %s is not UTF-8 text", pair, what);
	*len = (size_t)l;
	return OK;
}

int urlform_parse(const char *body, size_t n, int max_pairs, struct urlform *f,
		  struct err *e)
{
	size_t i = 0, start, end, eq, alloc = 0;
	char *dst;
	int rc = OK;

	memset(f, 0, sizeof(*f));
	/* one copy: name and value each decode into their own place in it,
	 * never longer than the text they came from (+1 for each NUL) */
	f->storage = malloc(n * 2 + 2);
	if (!f->storage)
		return fail(e, E_INTERNAL, "out of memory");
	dst = f->storage;
	while (i < n) {
		struct urlform_pair *pp;

		start = i;
		while (i < n && body[i] != '&')
			i++;
		end = i++;
		if (end == start)
			continue;
		if (f->n == max_pairs) {
			rc = fail(e, E_TOOBIG, "the form has more than %d fields", max_pairs);
			goto fail;
		}
		if ((size_t)f->n == alloc) {
			size_t na = alloc ? alloc * 2 : 16;
			void *np = realloc(f->pairs, na * sizeof(*f->pairs));

			if (!np) {
				rc = fail(e, E_INTERNAL, "out of memory");
				goto fail;
			}
			f->pairs = np;
			alloc = na;
		}
		pp = &f->pairs[f->n];
		for (eq = start; eq < end && body[eq] != '='; eq++)
			;
		rc = decode_part(body + start, eq - start, dst, &pp->name_len, f->n + 1, "name", e);
		if (rc)
			goto fail;
		pp->name = dst;
		dst += pp->name_len + 1;
		eq = eq < end ? eq + 1 : end;
		rc = decode_part(body + eq, end - eq, dst, &pp->value_len, f->n + 1, "value", e);
		if (rc)
			goto fail;
		pp->value = dst;
		dst += pp->value_len + 1;
		f->n++;
	}
	return OK;
fail:
	urlform_release(f);
	return rc;
}

void urlform_release(struct urlform *f)
{
	free(f->pairs);
	free(f->storage);
	memset(f, 0, sizeof(*f));
}

void urlform_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '*') {
			buf_putc(b, (char)c);
		} else if (c == ' ') {
			buf_putc(b, '+');
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}
