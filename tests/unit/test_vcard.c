/*
 * test_vcard.c — the vCard reader and writer (core/vcard.h): folding,
 * escapes, parameters (quoted, lists, 2.1's bare ones), groups, preferred
 * properties, 2.1's quoted-printable with soft breaks and its charsets, bad
 * cards reported by line while the next ones still read, and the writer's
 * escaping and folding (75 octets, never inside a UTF-8 character) read
 * back unchanged.
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
#include "core/vcard.h"

#include <cmocka.h>

/* Cards as text: "L<line> <version> NAME=text|NAME=text" or "L<line>!<error>". */
static int collect(void *ctx, const struct vcard *c)
{
	struct buf *out = ctx;
	int i;

	buf_printf(out, "L%lld", c->line);
	if (c->error) {
		buf_printf(out, "!%s\n", c->error);
		return 0;
	}
	buf_printf(out, " %s", c->version);
	for (i = 0; i < c->nprops; i++) {
		if (!strcmp(c->props[i].name, "VERSION"))
			continue;
		buf_printf(out, " %s=", c->props[i].name);
		vcard_text(c->props[i].value, out);
		buf_putc(out, '|');
	}
	buf_putc(out, '\n');
	return 0;
}

static char *read_all(const char *text)
{
	struct buf out = BUF_INIT;
	struct err e;

	assert_int_equal(vcard_parse(text, strlen(text), collect, &out, &e), OK);
	return buf_detach(&out, NULL);
}

static void folding_and_escapes(void **state)
{
	char *s;

	(void)state;
	s = read_all("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann\r\n  Buyer\r\nNOTE:a\\, b\\; c\\nd\\\\e\r\n"
		     "\tmore\r\nEND:VCARD\r\n");
	assert_string_equal(s, "L1 4.0 FN=Ann Buyer| NOTE=a, b; c\nd\\emore|\n");
	free(s);
	/* LF only, bare CR, lower-case names, a BOM */
	s = read_all("\xef\xbb\xbf" "begin:vcard\nversion:3.0\rfn:Bob\nend:vcard\n");
	assert_string_equal(s, "L1 3.0 FN=Bob|\n");
	free(s);
}

static void parameters_groups_preference(void **state)
{
	const char *t = "BEGIN:VCARD\r\nVERSION:3.0\r\n"
			"item1.EMAIL;TYPE=INTERNET;TYPE=HOME:home@x.example\r\n"
			"EMAIL;type=\"work,pref\";X-LABEL=\"a;b:c\":work@x.example\r\n"
			"N:Müller;Jürgen;;Dr.;\r\nEND:VCARD\r\n";
	struct buf out = BUF_INIT;
	struct err e;

	(void)state;
	assert_int_equal(vcard_parse(t, strlen(t), collect, &out, &e), OK);
	assert_string_equal(out.data, "L1 3.0 EMAIL=home@x.example| EMAIL=work@x.example| "
				      "N=Müller;Jürgen;;Dr.;|\n");
	buf_release(&out);
}

struct pick {
	char email[64], group[16], label[16], family[32], given[32], prefix[16];
	int work;
};

static int pick(void *ctx, const struct vcard *c)
{
	struct pick *p = ctx;
	const struct vcard_prop *em = vcard_get(c, "EMAIL"), *n = vcard_get(c, "N");
	struct buf b = BUF_INIT;

	assert_null(c->error);
	assert_non_null(em);
	snprintf(p->email, sizeof(p->email), "%s", em->value);
	snprintf(p->label, sizeof(p->label), "%s", vcard_param(em, "x-label"));
	p->work = vcard_has_type(em, "WORK");
	snprintf(p->group, sizeof(p->group), "%s", c->props[1].group ? c->props[1].group : "");
	vcard_component(n->value, 0, &b);
	snprintf(p->family, sizeof(p->family), "%s", b.data);
	buf_reset(&b);
	vcard_component(n->value, 1, &b);
	snprintf(p->given, sizeof(p->given), "%s", b.data);
	buf_reset(&b);
	vcard_component(n->value, 3, &b);
	snprintf(p->prefix, sizeof(p->prefix), "%s", b.data);
	buf_release(&b);
	return 0;
}

static void preferred_and_components(void **state)
{
	const char *t = "BEGIN:VCARD\r\nVERSION:3.0\r\n"
			"item1.EMAIL;TYPE=INTERNET;TYPE=HOME:home@x.example\r\n"
			"EMAIL;type=\"work,pref\";X-LABEL=\"a;b:c\":work@x.example\r\n"
			"N:O\\;Neil;Ann;;Dr.;\r\nEND:VCARD\r\n";
	struct pick p;
	struct err e;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(vcard_parse(t, strlen(t), pick, &p, &e), OK);
	assert_string_equal(p.email, "work@x.example"); /* TYPE=pref wins over the first */
	assert_true(p.work);
	assert_string_equal(p.label, "a;b:c");
	assert_string_equal(p.group, "item1");
	assert_string_equal(p.family, "O;Neil");
	assert_string_equal(p.given, "Ann");
	assert_string_equal(p.prefix, "Dr.");
}

static void version_21(void **state)
{
	char *s;

	(void)state;
	/* quoted-printable with a soft line break, bare parameters, Latin-1 */
	s = read_all("BEGIN:VCARD\r\nVERSION:2.1\r\n"
		     "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=\r\n=C3=BCrgen\r\n"
		     "TEL;WORK;VOICE:+49 30 123\r\n"
		     "ORG;CHARSET=ISO-8859-1:Caf\xe9\r\n"
		     "NOTE;QUOTED-PRINTABLE:a=3Db=0D=0Ac\r\n"
		     "END:VCARD\r\n");
	assert_string_equal(s, "L1 2.1 N=Müller;Jürgen| TEL=+49 30 123| ORG=Café| NOTE=a=b\r\nc|\n");
	free(s);
}

static void bad_cards_by_line(void **state)
{
	char *s;

	(void)state;
	s = read_all("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Good\r\nEND:VCARD\r\n"   /* 1-4 */
		     "BEGIN:VCARD\r\nVERSION:4.0\r\nno colon here\r\nEND:VCARD\r\n" /* 5-8 */
		     "BEGIN:VCARD\r\nVERSION:5.0\r\nEND:VCARD\r\n"                  /* 9-11 */
		     "BEGIN:VCARD\r\nFN:No version\r\nEND:VCARD\r\n"                /* 12-14 */
		     "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\xff\xfe\r\nEND:VCARD\r\n"   /* 15-18 */
		     "junk\r\nmore junk\r\n"                                        /* 19-20 */
		     "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE;CHARSET=KOI8-R:x\r\nEND:VCARD\r\n"
		     "BEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL;TYPE=\"work:a@b\r\nEND:VCARD\r\n"
		     "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Also good\r\nEND:VCARD\r\n"
		     "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Never ends\r\n");
	assert_string_equal(s, "L1 4.0 FN=Good|\n"
			       "L5!line 7: no ':' after NO\n"
			       "L9!line 10: VERSION 5.0 is not 2.1, 3.0 or 4.0\n"
			       "L12!line 12: the card has no VERSION\n"
			       "L15!line 17: the value is not UTF-8 text (a CHARSET parameter may "
			       "say what it is)\n"
			       "L19!line 19: text outside BEGIN:VCARD ... END:VCARD\n"
			       "L21!line 23: CHARSET KOI8-R is not one of UTF-8, US-ASCII, ISO-8859-1\n"
			       "L25!line 27: a quoted parameter value is never closed\n"
			       "L29 4.0 FN=Also good|\n"
			       "L33!line 33: the card never ends (no END:VCARD)\n");
	free(s);
	s = read_all("");
	assert_string_equal(s, "L1!line 1: no vCard in the text (BEGIN:VCARD ... END:VCARD)\n");
	free(s);
}

static void writer_escapes_and_folds(void **state)
{
	const char *vals[2] = {"Dupont, \"Jr\"; and\nsons \\ co", "Éléonore"};
	const char *long_text = "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"
				"ééééééééééééééééééééééééééééééééééééééééééééééééééé";
	struct buf b = BUF_INIT, back = BUF_INIT;
	struct err e;
	const char *line, *nl;

	(void)state;
	vcard_begin(&b);
	vcard_line(&b, "N", vals, 2, 0);
	vcard_line(&b, "NOTE", &long_text, 1, 0);
	vcard_end(&b);
	assert_non_null(strstr(b.data, "N:Dupont\\, \"Jr\"\\; and\\nsons \\\\ co;Éléonore\r\n"));
	/* no line over 75 octets, and every line valid UTF-8 on its own */
	for (line = b.data; *line; line = nl + 2) {
		nl = strstr(line, "\r\n");
		assert_non_null(nl);
		assert_true(nl - line <= 75);
		assert_true((unsigned char)line[line[0] == ' ' ? 1 : 0] < 0x80 ||
			    ((unsigned char)line[line[0] == ' ' ? 1 : 0] & 0xc0) != 0x80);
	}
	assert_int_equal(vcard_parse(b.data, b.len, collect, &back, &e), OK);
	assert_non_null(strstr(back.data, " N=Dupont, \"Jr\"; and\nsons \\ co;Éléonore|"));
	assert_non_null(strstr(back.data, long_text));
	buf_release(&b);
	buf_release(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(folding_and_escapes),
		cmocka_unit_test(parameters_groups_preference),
		cmocka_unit_test(preferred_and_components),
		cmocka_unit_test(version_21),
		cmocka_unit_test(bad_cards_by_line),
		cmocka_unit_test(writer_escapes_and_folds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
