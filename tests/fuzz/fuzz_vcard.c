/*
 * fuzz_vcard.c — libFuzzer target for the vCard reader and writer
 * (core/vcard.h).
 *
 * Beyond "no crash, no leak, no undefined behaviour", it checks what the
 * contact import relies on:
 *   - every card's line, and every property's, is at least 1, and cards
 *     come in line order;
 *   - a good card has a version, upper-case names and UTF-8 values;
 *   - a value written back by the writer (escaped, folded) reads back as
 *     the same text: the unescaped first property of each good card goes out
 *     as a NOTE and must come back equal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "core/vcard.h"

struct seen {
	long long last_line;
	const char *want; /* the round trip: the NOTE expected back */
	int got;
};

static int check_back(void *ctx, const struct vcard *c)
{
	struct seen *s = ctx;
	const struct vcard_prop *p = c->error ? NULL : vcard_get(c, "NOTE");
	struct buf b = BUF_INIT;

	if (!p)
		abort();
	vcard_text(p->value, &b);
	if (strcmp(b.data, s->want))
		abort();
	s->got++;
	buf_release(&b);
	return 0;
}

static int on_card(void *ctx, const struct vcard *c)
{
	struct seen *s = ctx;
	struct buf text = BUF_INIT, card = BUF_INIT;
	int i;

	if (c->line < 1 || c->line < s->last_line)
		abort();
	s->last_line = c->line;
	if (c->error)
		return 0;
	if (!c->version[0])
		abort();
	for (i = 0; i < c->nprops; i++) {
		const struct vcard_prop *p = &c->props[i];
		const char *n;

		if (p->line < c->line || !p->name || !p->value)
			abort();
		for (n = p->name; *n; n++)
			if (*n >= 'a' && *n <= 'z')
				abort();
		if (!utf8_valid(p->value, strlen(p->value)))
			abort();
	}
	if (c->nprops) {
		struct seen back = {0, NULL, 0};
		const char *v;
		struct err e;

		vcard_text(c->props[0].value, &text);
		/* the writer drops CR (vCard lines end in CRLF; a value's line
		 * breaks are \n): compare without them */
		for (i = 0, v = text.data; *v; v++)
			if (*v != '\r')
				text.data[i++] = *v;
		text.data[i] = '\0';
		text.len = (size_t)i;
		v = text.data;
		vcard_begin(&card);
		vcard_line(&card, "NOTE", &v, 1, 0);
		vcard_end(&card);
		back.want = text.data;
		if (vcard_parse(card.data, card.len, check_back, &back, &e) || back.got != 1)
			abort();
	}
	buf_release(&text);
	buf_release(&card);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = {0, NULL, 0};
	struct err e;

	vcard_parse((const char *)data, size, on_card, &s, &e);
	return 0;
}
