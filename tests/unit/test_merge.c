/*
 * test_merge.c — the merge-field parser of document templates, the text
 * conversion for the PDF's font, the PDF itself, and the pure helpers
 * attachments are checked with (file names, types and their magic bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* the project's headers first: cmocka's fail() macro clashes with err.h */
#include "core/buf.h"
#include "crm/records/attachment.h"
#include "crm/process/document.h"
#include "crm/records/resources.h"
#include "crm/records/user.h"

#include <cmocka.h>

/* Pieces as one string: literals as they are, fields as <obj:field name>. */
static int collect(void *ctx, const char *text, size_t n, const struct merge_ref *ref)
{
	static const char *const objs[] = {"account", "contact", "opportunity", "owner", "today"};
	static const struct resource *const res[] = {&account_resource, &contact_resource,
						     &opportunity_resource, &user_resource, NULL};
	struct buf *b = ctx;

	if (!ref) {
		buf_add(b, text, n);
		return 0;
	}
	assert_true(n >= 4 && !memcmp(text, "{{", 2) && !memcmp(text + n - 2, "}}", 2));
	buf_printf(b, "<%s:%s>", objs[ref->obj],
		   ref->obj == MERGE_TODAY ? "" : ref->field < 0 ? "id"
						: res[ref->obj]->fields[ref->field].name);
	return 0;
}

static void merges_to(const char *body, const char *want)
{
	struct buf b = BUF_INIT;
	struct err e;

	err_clear(&e);
	if (merge_parse(body, strlen(body), collect, &b, &e))
		fail_msg("merge_parse(\"%s\") refused: %s", body,
			 e.nfields ? e.fields[0].message : e.msg);
	if (strcmp(b.data, want))
		fail_msg("merge_parse(\"%s\") = \"%s\", want \"%s\"", body, b.data, want);
	assert_int_equal(merge_check(body, strlen(body), NULL), OK);
	buf_release(&b);
}

/* Refused with `nproblems` problems on "body", the first containing `what`. */
static void refused(const char *body, int nproblems, const char *what)
{
	struct buf b = BUF_INIT;
	struct err e;

	err_clear(&e);
	assert_int_equal(merge_parse(body, strlen(body), collect, &b, &e), E_INVAL);
	assert_int_equal(b.len, 0); /* nothing handed out from a broken body */
	assert_int_equal(e.code, E_INVAL);
	assert_int_equal(e.nfields, nproblems);
	assert_string_equal(e.fields[0].field, "body");
	if (!strstr(e.fields[0].message, what))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", body, e.fields[0].message, what);
	assert_int_equal(merge_check(body, strlen(body), NULL), E_INVAL);
	buf_release(&b);
}

static void test_merge_fields(void **state)
{
	(void)state;
	merges_to("", "");
	merges_to("no fields at all { } }} {x}", "no fields at all { } }} {x}");
	merges_to("Dear {{contact.first_name}},", "Dear <contact:first_name>,");
	merges_to("{{account.name}}{{opportunity.amount}}",
		  "<account:name><opportunity:amount>");
	merges_to("{{ today }} / {{owner.email}}", "<today:> / <owner:email>");
	merges_to("#{{opportunity.id}}\n{{owner.name}}", "#<opportunity:id>\n<owner:name>");
	merges_to("{{opportunity.close_date}} {{opportunity.currency}}",
		  "<opportunity:close_date> <opportunity:currency>");
	merges_to("x}}{{account.domain}}}", "x}}<account:domain>}");
}

static void test_merge_refusals(void **state)
{
	(void)state;
	refused("{{account.nam}}", 1, "unknown merge field {{account.nam}}");
	refused("{{invoice.total}}", 1, "invoice.total");
	refused("{{account}}", 1, "{{account}}");
	refused("{{}}", 1, "unknown");
	refused("{{Account.name}}", 1, "Account.name");
	/* never shown, so never merged */
	refused("{{owner.password_hash}}", 1, "owner.password_hash");
	refused("{{owner.password}}", 1, "owner.password");
	/* unclosed: at the end, at a line end, before another field */
	refused("Dear {{contact.first_name", 1, "line 1: '{{' opens no merge field");
	refused("a\nb {{x\n}}", 1, "line 2");
	refused("{{account.name {{today}}", 1, "opens no merge field");
	/* every problem, each on its line */
	refused("{{a.b}}\n{{c.d}}\n{{account.name}}\n{{e", 3, "line 1");
	{
		struct err e;
		char body[4096] = "";
		int i;

		for (i = 0; i < 100; i++)
			strcat(body, "{{x.y}}");
		err_clear(&e);
		assert_int_equal(merge_check(body, strlen(body), &e), E_INVAL);
		assert_int_equal(e.nfields, ERR_MAX_FIELDS); /* capped, not overflowed */
	}
	{
		/* a field name far too long is refused without being copied whole */
		char body[300];

		memset(body, 'a', sizeof(body));
		memcpy(body, "{{", 2);
		memcpy(body + sizeof(body) - 3, "}}", 3);
		refused(body, 1, "opens no merge field");
	}
}

static int stop_at_field(void *ctx, const char *text, size_t n, const struct merge_ref *ref)
{
	(void)text;
	(void)n;
	(*(int *)ctx)++;
	return ref ? 42 : 0;
}

static void test_merge_callback_stops(void **state)
{
	int calls = 0;

	(void)state;
	assert_int_equal(merge_parse("a {{today}} b {{today}}", 23, stop_at_field, &calls, NULL),
			 42);
	assert_int_equal(calls, 2); /* "a " then the field */
}

static void winansi(const char *in, const char *want)
{
	struct buf b = BUF_INIT;

	document_winansi(in, strlen(in), &b);
	if (strcmp(b.data, want)) {
		char hex[256] = "";
		size_t i;

		for (i = 0; i < b.len && i < 80; i++)
			snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex), "%02x ",
				 (unsigned char)b.data[i]);
		fail_msg("document_winansi(\"%s\") = %s", in, hex);
	}
	buf_release(&b);
}

static void test_winansi(void **state)
{
	(void)state;
	winansi("plain ASCII (1+1)\\", "plain ASCII (1+1)\\");
	winansi("Müller Straße", "M\xfcller Stra\xdf" "e");
	winansi("€5 – “q” — ‘x’ …", "\x80" "5 \x96 \x93q\x94 \x97 \x91x\x92 \x85");
	winansi("Šťastný Žižka Œuvre", "\x8at" "astn\xfd \x8ei\x9ek" "a \x8cuvre");
	winansi("Łódź Kraków Ăă Ő", "L\xf3" "dz Krak\xf3w Aa O");
	winansi("日本 😀", "?? ?");
	winansi("a\tb\nc\rd\x01" "e\x7f", "a b\ncde");
	winansi("zero\xe2\x80\x8bwidth", "zerowidth");
	winansi("bad \xff\xfe utf8 \xc3", "bad ?? utf8 ?");
}

static void test_pdf(void **state)
{
	struct buf b = BUF_INIT;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(document_pdf("Title ☃", "Acme", "one\n\ntwo (with parens) \\ and a "
				      "very long line that will certainly need to wrap because it "
				      "goes on and on and on and on and on beyond the margin",
				      &b, &e),
			 OK);
	assert_true(b.len > 500);
	assert_memory_equal(b.data, "%PDF-", 5);
	assert_non_null(memmem(b.data, b.len, "%%EOF", 5));
	buf_release(&b);
	/* an unbreakable word wider than the page is cut, not looped over */
	{
		char word[3000];

		memset(word, 'W', sizeof(word) - 1);
		word[sizeof(word) - 1] = '\0';
		err_clear(&e);
		assert_int_equal(document_pdf(word, NULL, word, &b, &e), OK);
		buf_release(&b);
	}
}

static void name(const char *in, const char *want)
{
	char out[ATTACHMENT_NAME_MAX * 4 + 1];

	if (attachment_filename(in, out, sizeof(out)))
		fail_msg("attachment_filename(\"%s\") refused", in);
	if (strcmp(out, want))
		fail_msg("attachment_filename(\"%s\") = \"%s\", want \"%s\"", in, out, want);
}

static void test_attachment_names(void **state)
{
	char out[1024], longname[1024];
	int i;

	(void)state;
	name("contract.pdf", "contract.pdf");
	name("../../../etc/passwd", "passwd");
	name("C:\\Users\\x\\offer.docx", "offer.docx");
	name("a/b/", "file");
	name("..", "file");
	name(" spaced .pdf. ", "spaced .pdf");
	name("tab\there\x1b.txt", "tab_here_.txt");
	for (i = 0; i < 300; i++)
		memcpy(longname + 2 * i, "\xc3\xa9", 2); /* é */
	longname[600] = '\0';
	assert_int_equal(attachment_filename(longname, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 2 * ATTACHMENT_NAME_MAX); /* 200 characters, whole */
	assert_int_equal(attachment_filename("", out, sizeof(out)), -1);
	assert_int_equal(attachment_filename("bad\xff.pdf", out, sizeof(out)), -1);
	assert_int_equal(attachment_filename(NULL, out, sizeof(out)), -1);
}

static void test_attachment_types(void **state)
{
	(void)state;
	assert_string_equal(attachment_type_allowed("application/pdf"), "application/pdf");
	assert_string_equal(attachment_type_allowed("Image/JPG"), "image/jpeg");
	assert_string_equal(attachment_type_allowed("text/csv; charset=utf-8"), "text/csv");
	assert_string_equal(attachment_type_allowed("audio/x-wav"), "audio/wav");
	assert_null(attachment_type_allowed("application/x-msdownload"));
	assert_null(attachment_type_allowed("text/html"));
	assert_null(attachment_type_allowed("image/svg+xml")); /* scripts inside */
	assert_null(attachment_type_allowed(NULL));

	assert_true(attachment_magic_ok("application/pdf", (const unsigned char *)"%PDF-1.7", 8));
	assert_false(attachment_magic_ok("application/pdf", (const unsigned char *)"%PDF", 4));
	assert_false(attachment_magic_ok("application/pdf", (const unsigned char *)"<html>", 6));
	assert_true(attachment_magic_ok("image/png",
					(const unsigned char *)"\x89PNG\r\n\x1a\n", 8));
	assert_true(attachment_magic_ok("image/webp", (const unsigned char *)"RIFF\0\0\0\0WEBP",
					12));
	assert_false(attachment_magic_ok("audio/wav", (const unsigned char *)"RIFF\0\0\0\0WEBP",
					 12));
	assert_true(attachment_magic_ok("video/mp4", (const unsigned char *)"\0\0\0\x18" "ftyp",
					8));
	assert_true(attachment_magic_ok("audio/mpeg", (const unsigned char *)"\xff\xfb", 2));
	assert_true(attachment_magic_ok("text/plain", (const unsigned char *)"", 0));
	assert_false(attachment_magic_ok("application/x-unknown", (const unsigned char *)"", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_fields),
		cmocka_unit_test(test_merge_refusals),
		cmocka_unit_test(test_merge_callback_stops),
		cmocka_unit_test(test_winansi),
		cmocka_unit_test(test_pdf),
		cmocka_unit_test(test_attachment_names),
		cmocka_unit_test(test_attachment_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
