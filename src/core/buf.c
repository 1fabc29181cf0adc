#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char buf_empty[1];

void buf_init(struct buf *b, size_t cap)
{
	b->data = buf_empty;
	b->len = b->alloc = 0;
	b->cap = cap;
	b->failed = 0;
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->data);
	buf_init(b, b->cap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->data[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->failed) {
		buf_release(b);
		return NULL;
	}
	if (!b->alloc) {
		p = malloc(1);
		if (p)
			p[0] = '\0';
	} else {
		p = b->data;
	}
	if (len)
		*len = b->len;
	buf_init(b, b->cap);
	return p;
}

int buf_grow(struct buf *b, size_t extra)
{
	size_t want, n;
	char *p;

	if (b->failed)
		return -1;
	if (extra > (size_t)-1 / 2 - b->len)
		goto refuse;
	want = b->len + extra + 1;
	if (b->cap && want > b->cap + 1)
		goto refuse;
	if (want <= b->alloc)
		return 0;
	n = b->alloc ? b->alloc : 64;
	while (n < want)
		n *= 2;
	if (b->cap && n > b->cap + 1)
		n = b->cap + 1;
	p = realloc(b->alloc ? b->data : NULL, n);
	if (!p)
		goto refuse;
	if (!b->alloc)
		p[0] = '\0';
	b->data = p;
	b->alloc = n;
	return 0;
refuse:
	b->failed = 1;
	return -1;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	if (buf_grow(b, 1))
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->failed)
		return;
	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->alloc ? b->alloc - b->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if (!b->alloc || (size_t)n >= b->alloc - b->len) {
		if (buf_grow(b, (size_t)n)) {
			/* the truncated attempt wrote past len: keep the invariant */
			if (b->alloc)
				b->data[b->len] = '\0';
			return;
		}
		vsnprintf(b->data + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_add_ll(struct buf *b, long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Characters a JSON string written here escapes: controls, the quote and the
 * backslash, and <>& so JSON is safe inside HTML. */
static int json_special(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&';
}

void buf_json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	/* the common case, nothing to escape: one reservation, one copy */
	for (i = 0; i < n && !json_special((unsigned char)s[i]); i++)
		;
	if (i == n) {
		if (buf_grow(b, n + 2))
			return;
		b->data[b->len] = '"';
		memcpy(b->data + b->len + 1, s, n);
		b->data[b->len + 1 + n] = '"';
		b->len += n + 2;
		b->data[b->len] = '\0';
		return;
	}
	buf_putc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[6];

		if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&')
			continue;
		buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			/* control characters, and <>& so JSON is safe inside HTML */
			u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
			u[4] = hex[c >> 4]; u[5] = hex[c & 15];
			buf_add(b, u, 6);
		}
		if (esc)
			buf_puts(b, esc);
	}
	buf_add(b, s + run, n - run);
	buf_putc(b, '"');
}

static void html_escape(struct buf *b, const char *s, int attr)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc;

		switch (*s) {
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '&': esc = "&amp;"; break;
		case '"': esc = attr ? "&quot;" : NULL; break;
		case '\'': esc = attr ? "&#39;" : NULL; break;
		default: esc = NULL;
		}
		if (!esc)
			continue;
		buf_add(b, run, (size_t)(s - run));
		buf_puts(b, esc);
		run = s + 1;
	}
	buf_puts(b, run);
}

void buf_html_txt(struct buf *b, const char *s)
{
	html_escape(b, s, 0);
}

void buf_html_attr(struct buf *b, const char *s)
{
	html_escape(b, s, 1);
}

/* Digits with at most one '.', at least one digit: "5", "1234.50", ".5". */
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

void buf_csv_cell(struct buf *b, const char *s)
{
	const char *p;

	/* A leading = + - @ makes spreadsheets evaluate the cell; prefix a quote
	 * (OWASP's CSV injection advice) only for those, keeping numbers like
	 * -5 intact.  "-2+3+cmd|..." starts like a number but is a formula: only
	 * a plain number after the minus is safe. */
	int formula = (s[0] == '=' || s[0] == '+' || s[0] == '@' ||
		       (s[0] == '-' && s[1] && !plain_number(s + 1)));

	if (!formula && !strpbrk(s, ",\"\r\n")) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	if (formula)
		buf_putc(b, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}
