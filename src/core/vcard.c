/*
 * vcard.c — vCard reading and writing (vcard.h).
 */
#include "vcard.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

struct reader {
	const char *p, *end;
	long long line; /* of the next physical line */
	vcard_fn fn;
	void *ctx;
	struct err *e;
	struct buf logical, value;
	/* the card being read */
	int in_card, ncards, junk;
	size_t card_bytes;
	int aprops;
	struct vcard card;
	char error[200];
};

/* --- lines ------------------------------------------------------------- */

/* The physical line at r->p: its start and length, without its line end;
 * r->p moves past it. */
static const char *physical(struct reader *r, size_t *len)
{
	const char *s = r->p, *q = s;

	while (q < r->end && *q != '\r' && *q != '\n')
		q++;
	*len = (size_t)(q - s);
	if (q < r->end && *q == '\r') {
		q++;
		if (q < r->end && *q == '\n')
			q++;
	} else if (q < r->end && *q == '\n') {
		q++;
	}
	r->p = q;
	r->line++;
	return s;
}

/* Does the head of a logical line (before its first ':' outside quotes) say
 * QUOTED-PRINTABLE? */
static int says_qp(const char *s, size_t n)
{
	size_t i, head = n;
	int quoted = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == ':' && !quoted) {
			head = i;
			break;
		}
	}
	for (i = 0; i + 16 <= head; i++)
		if (!strncasecmp(s + i, "QUOTED-PRINTABLE", 16))
			return 1;
	return 0;
}

/* The next logical line into r->logical (unfolded; QP soft breaks joined);
 * *line is where it starts.  0 at the end of the input. */
static int next_line(struct reader *r, long long *line)
{
	const char *s;
	size_t n;

	if (r->p >= r->end)
		return 0;
	buf_reset(&r->logical);
	*line = r->line;
	s = physical(r, &n);
	buf_add(&r->logical, s, n);
	for (;;) {
		if (r->p < r->end && (*r->p == ' ' || *r->p == '\t')) {
			s = physical(r, &n);
			buf_add(&r->logical, s + 1, n - 1);
		} else if (r->p < r->end && r->logical.len &&
			   r->logical.data[r->logical.len - 1] == '=' &&
			   says_qp(r->logical.data, r->logical.len)) {
			r->logical.data[--r->logical.len] = '\0'; /* the soft break */
			s = physical(r, &n);
			buf_add(&r->logical, s, n);
		} else {
			break;
		}
		if (r->logical.len > VCARD_CARD_MAX)
			break; /* the card is bad anyway: see add_line */
	}
	return 1;
}

/* --- cards ------------------------------------------------------------- */

static void card_clear(struct reader *r)
{
	int i, j;

	for (i = 0; i < r->card.nprops; i++) {
		struct vcard_prop *p = &r->card.props[i];

		free(p->group);
		free(p->name);
		free(p->value);
		for (j = 0; j < p->nparams; j++) {
			free(p->params[j].name);
			free(p->params[j].value);
		}
		free(p->params);
	}
	r->card.nprops = 0;
	r->card.version[0] = '\0';
	r->card.error = NULL;
	r->card.error_line = 0;
	r->error[0] = '\0';
	r->card_bytes = 0;
}

static void bad(struct reader *r, long long line, const char *fmt, const char *arg)
{
	size_t n;

	if (r->card.error)
		return; /* the first problem is the one told */
	n = (size_t)snprintf(r->error, sizeof(r->error), "line %lld: ", line);
	if (n < sizeof(r->error))
		snprintf(r->error + n, sizeof(r->error) - n, fmt, arg ? arg : "");
	r->card.error = r->error;
	r->card.error_line = line;
}

static int deliver(struct reader *r)
{
	int rc = r->fn(r->ctx, &r->card);

	r->ncards++;
	card_clear(r);
	r->in_card = 0;
	return rc;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *upper(char *s)
{
	char *c;

	for (c = s; c && *c; c++)
		*c = (char)toupper((unsigned char)*c);
	return s;
}

static int name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)toupper((unsigned char)c);
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode the value as its ENCODING and CHARSET say, into r->value.
 * Returns NULL, or why not. */
static const char *decode(struct reader *r, const struct vcard_prop *p, const char *v, size_t n)
{
	const char *enc = vcard_param(p, "ENCODING"), *cs = vcard_param(p, "CHARSET");
	size_t i;

	buf_reset(&r->value);
	if (enc && !strcasecmp(enc, "QUOTED-PRINTABLE")) {
		for (i = 0; i < n; i++) {
			int hi, lo;

			if (v[i] != '=') {
				buf_putc(&r->value, v[i]);
				continue;
			}
			if (i + 1 == n)
				break; /* a soft break left at the very end */
			hi = i + 1 < n ? hexval(v[i + 1]) : -1;
			lo = i + 2 < n ? hexval(v[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return "a quoted-printable value has a '=' not followed by two hex "
				       "digits";
			buf_putc(&r->value, (char)(hi * 16 + lo));
			i += 2;
		}
	} else {
		buf_add(&r->value, v, n);
	}
	if (cs && (!strcasecmp(cs, "ISO-8859-1") || !strcasecmp(cs, "LATIN1"))) {
		struct buf u = BUF_INIT;

		for (i = 0; i < r->value.len; i++) {
			unsigned char c = (unsigned char)r->value.data[i];

			if (c < 0x80) {
				buf_putc(&u, (char)c);
			} else {
				buf_putc(&u, (char)(0xc0 | (c >> 6)));
				buf_putc(&u, (char)(0x80 | (c & 0x3f)));
			}
		}
		buf_reset(&r->value);
		buf_add(&r->value, u.data, u.len);
		buf_release(&u);
	} else if (cs && strcasecmp(cs, "UTF-8") && strcasecmp(cs, "US-ASCII")) {
		return "CHARSET %s is not one of UTF-8, US-ASCII, ISO-8859-1";
	}
	if (r->value.failed)
		return "out of memory";
	if (!utf8_valid(r->value.data, r->value.len) || memchr(r->value.data, '\0', r->value.len))
		return "the value is not UTF-8 text (a CHARSET parameter may say what it is)";
	return NULL;
}

/* One parameter: NAME=value[,value] ("quoted" allowed), or 2.1's bare NAME.
 * *s is past the ';'; it moves to the ';' or ':' after. */
static const char *param(const char **s, struct vcard_prop *p)
{
	const char *q = *s, *name = q, *val;
	size_t nn, vn;
	struct vcard_param *grown, *pm;

	while (name_char(*q))
		q++;
	nn = (size_t)(q - name);
	if (!nn)
		return "a parameter without a name";
	if (*q == '=') {
		q++;
		if (*q == '"') {
			val = ++q;
			while (*q && *q != '"')
				q++;
			if (!*q)
				return "a quoted parameter value is never closed";
			vn = (size_t)(q - val);
			q++;
		} else {
			val = q;
			while (*q && *q != ';' && *q != ':') {
				if (*q == '"')
					return "a quote inside a parameter value";
				q++;
			}
			vn = (size_t)(q - val);
		}
	} else {
		val = NULL;
		vn = 0;
	}
	if (p->nparams >= 64)
		return "more than 64 parameters on one property";
	grown = realloc(p->params, (size_t)(p->nparams + 1) * sizeof(*grown));
	if (!grown)
		return "out of memory";
	p->params = grown;
	pm = &p->params[p->nparams];
	if (val) {
		pm->name = upper(dup_n(name, nn));
		pm->value = dup_n(val, vn);
	} else {
		/* 2.1: ;WORK;VOICE;PREF are types, ;QUOTED-PRINTABLE an encoding,
		 * ;UTF-8 a charset */
		char word[64];

		snprintf(word, sizeof(word), "%.*s", (int)(nn < 63 ? nn : 63), name);
		pm->name = strdup(!strcasecmp(word, "QUOTED-PRINTABLE") ||
						  !strcasecmp(word, "BASE64") ||
						  !strcasecmp(word, "8BIT")
					  ? "ENCODING"
					  : "TYPE");
		pm->value = dup_n(name, nn);
	}
	p->nparams++;
	if (!pm->name || !pm->value)
		return "out of memory";
	*s = q;
	return NULL;
}

/* Parse the logical line in r->logical into a property of the card. */
static void add_line(struct reader *r, long long line)
{
	const char *s = r->logical.data, *name, *dot = NULL, *why;
	struct vcard_prop *p, *grown;

	r->card_bytes += r->logical.len + 2;
	if (r->card.error)
		return;
	if (r->card_bytes > VCARD_CARD_MAX || r->logical.failed) {
		card_clear(r); /* what it held so far is freed now */
		bad(r, line, "the card is over %s bytes", "4 MiB");
		return;
	}
	if (r->card.nprops >= VCARD_PROPS_MAX) {
		bad(r, line, "more than %s properties in one card", "2000");
		return;
	}
	if (r->card.nprops == r->aprops) {
		int cap = r->aprops ? r->aprops * 2 : 16;

		grown = realloc(r->card.props, (size_t)cap * sizeof(*grown));
		if (!grown) {
			bad(r, line, "out of memory%s", NULL);
			return;
		}
		r->card.props = grown;
		r->aprops = cap;
	}
	p = &r->card.props[r->card.nprops];
	memset(p, 0, sizeof(*p));
	p->line = line;
	r->card.nprops++;
	name = s;
	while (name_char(*s) || *s == '.') {
		if (*s == '.')
			dot = s;
		s++;
	}
	if (s == name || (dot && (dot == name || dot + 1 == s))) {
		bad(r, line, "a line that is not NAME:value%s", NULL);
		return;
	}
	if (dot)
		p->group = dup_n(name, (size_t)(dot - name));
	p->name = upper(dup_n(dot ? dot + 1 : name, (size_t)(s - (dot ? dot + 1 : name))));
	if (!p->name || (dot && !p->group)) {
		bad(r, line, "out of memory%s", NULL);
		return;
	}
	while (*s == ';') {
		s++;
		why = param(&s, p);
		if (why) {
			bad(r, line, "%s", why);
			return;
		}
	}
	if (*s != ':') {
		bad(r, line, "no ':' after %s", p->name);
		return;
	}
	s++;
	why = decode(r, p, s, r->logical.len - (size_t)(s - r->logical.data));
	if (why) {
		bad(r, line, why, vcard_param(p, "CHARSET"));
		return;
	}
	p->value = dup_n(r->value.data, r->value.len);
	if (!p->value) {
		bad(r, line, "out of memory%s", NULL);
		return;
	}
	if (!strcmp(p->name, "VERSION")) {
		if (strcmp(p->value, "2.1") && strcmp(p->value, "3.0") && strcmp(p->value, "4.0")) {
			bad(r, line, "VERSION %s is not 2.1, 3.0 or 4.0", p->value);
			return;
		}
		memcpy(r->card.version, p->value, 4);
	}
}

/* Is the logical line `NAME:VALUE` (case-insensitive, spaces around the
 * value allowed)? */
static int is(const struct buf *l, const char *name, const char *value)
{
	size_t n = strlen(name), m = strlen(value);
	const char *s = l->data;

	if (strncasecmp(s, name, n) || s[n] != ':')
		return 0;
	s += n + 1;
	while (*s == ' ')
		s++;
	if (strncasecmp(s, value, m))
		return 0;
	for (s += m; *s == ' ' || *s == '\t'; s++)
		;
	return !*s;
}

static int blank(const struct buf *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (l->data[i] != ' ' && l->data[i] != '\t')
			return 0;
	return 1;
}

int vcard_parse(const char *data, size_t n, vcard_fn fn, void *ctx, struct err *e)
{
	struct reader r;
	long long line;
	int rc = OK;

	memset(&r, 0, sizeof(r));
	r.p = data;
	r.end = data + n;
	r.line = 1;
	r.fn = fn;
	r.ctx = ctx;
	r.e = e;
	buf_init(&r.logical, 0);
	buf_init(&r.value, 0);
	/* a UTF-8 byte order mark is not text */
	if (n >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		r.p += 3;
	while (!rc && next_line(&r, &line)) {
		if (!r.in_card) {
			if (is(&r.logical, "BEGIN", "VCARD")) {
				r.in_card = 1;
				r.junk = 0;
				r.card.line = line;
			} else if (!blank(&r.logical) && !r.junk) {
				/* one bad card per stretch of text between cards */
				r.junk = 1;
				r.card.line = line;
				bad(&r, line, "text outside BEGIN:VCARD ... END:VCARD%s", NULL);
				rc = deliver(&r);
			}
			continue;
		}
		if (is(&r.logical, "END", "VCARD")) {
			if (!r.card.version[0])
				bad(&r, r.card.line, "the card has no VERSION%s", NULL);
			rc = deliver(&r);
		} else if (is(&r.logical, "BEGIN", "VCARD")) {
			bad(&r, line, "a card inside a card (END:VCARD missing before?)%s", NULL);
		} else if (!blank(&r.logical)) {
			add_line(&r, line);
		}
	}
	if (!rc && r.in_card) {
		bad(&r, r.card.line, "the card never ends (no END:VCARD)%s", NULL);
		rc = deliver(&r);
	}
	if (!rc && !r.ncards) {
		r.card.line = 1;
		bad(&r, 1, "no vCard in the text (BEGIN:VCARD ... END:VCARD)%s", NULL);
		rc = deliver(&r);
	}
	card_clear(&r);
	free(r.card.props);
	buf_release(&r.logical);
	buf_release(&r.value);
	(void)e;
	return rc;
}

/* --- reading values ---------------------------------------------------- */

const char *vcard_param(const struct vcard_prop *p, const char *name)
{
	int i;

	for (i = 0; i < p->nparams; i++)
		if (!strcasecmp(p->params[i].name, name))
			return p->params[i].value;
	return NULL;
}

int vcard_has_type(const struct vcard_prop *p, const char *type)
{
	size_t n = strlen(type);
	int i;

	for (i = 0; i < p->nparams; i++) {
		const char *v = p->params[i].value;

		if (strcasecmp(p->params[i].name, "TYPE"))
			continue;
		while (*v) {
			size_t len = strcspn(v, ",");

			if (len == n && !strncasecmp(v, type, n))
				return 1;
			v += len;
			if (*v == ',')
				v++;
		}
	}
	return 0;
}

const struct vcard_prop *vcard_get(const struct vcard *c, const char *name)
{
	const struct vcard_prop *first = NULL;
	int i;

	for (i = 0; i < c->nprops; i++) {
		const struct vcard_prop *p = &c->props[i];
		const char *pref;

		if (!p->name || strcasecmp(p->name, name) || !p->value)
			continue;
		pref = vcard_param(p, "PREF");
		if ((pref && !strcmp(pref, "1")) || vcard_has_type(p, "pref"))
			return p;
		if (!first)
			first = p;
	}
	return first;
}

/* Append value[0..n) unescaped. */
static void unescape(const char *v, size_t n, struct buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] == '\\' && i + 1 < n) {
			char c = v[++i];

			buf_putc(out, c == 'n' || c == 'N' ? '\n' : c);
		} else {
			buf_putc(out, v[i]);
		}
	}
}

void vcard_text(const char *value, struct buf *out)
{
	unescape(value, strlen(value), out);
}

void vcard_component(const char *value, int i, struct buf *out)
{
	const char *s = value, *start = value;
	int k = 0;

	for (;; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (*s == ';' || !*s) {
			if (k == i) {
				unescape(start, (size_t)(s - start), out);
				return;
			}
			if (!*s)
				return;
			k++;
			start = s + 1;
		}
	}
}

/* --- writing ----------------------------------------------------------- */

void vcard_begin(struct buf *b)
{
	buf_puts(b, "BEGIN:VCARD\r\nVERSION:4.0\r\n");
}

void vcard_end(struct buf *b)
{
	buf_puts(b, "END:VCARD\r\n");
}

static void escape(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\r':
			break;
		case ',':
			buf_puts(b, "\\,");
			break;
		case ';':
			buf_puts(b, "\\;");
			break;
		default:
			buf_putc(b, *s);
		}
	}
}

void vcard_line(struct buf *b, const char *name, const char *const *values, int n, int list)
{
	struct buf l = BUF_INIT;
	size_t at = 0, room = 75;
	int i;

	buf_puts(&l, name);
	buf_putc(&l, ':');
	for (i = 0; i < n; i++) {
		if (i)
			buf_putc(&l, list ? ',' : ';');
		escape(&l, values[i]);
	}
	if (l.failed) {
		b->failed = 1;
		buf_release(&l);
		return;
	}
	/* fold: 75 octets a line, a continuation starting with a space, never
	 * inside a UTF-8 character */
	while (l.len - at > room) {
		size_t cut = at + room;

		while (cut > at && ((unsigned char)l.data[cut] & 0xc0) == 0x80)
			cut--;
		buf_add(b, l.data + at, cut - at);
		buf_puts(b, "\r\n ");
		at = cut;
		room = 74;
	}
	buf_add(b, l.data + at, l.len - at);
	buf_puts(b, "\r\n");
	buf_release(&l);
}
