/*
 * test_buf_json.c — struct buf (cap, sticky failure, ownership), the escapers
 * for each output context, the JSON writer and json_parse's refusals.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the project's headers first: cmocka defines a fail() macro that would
 * clash with err.h's fail() declaration */
#include "core/buf.h"
#include "core/json.h"

#include <cmocka.h>

/* --- struct buf ------------------------------------------------------------ */

static void test_buf_basics(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	/* never NULL, always terminated, even before the first append */
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_puts(&b, "abc");
	buf_putc(&b, '-');
	buf_add(&b, "xyz!", 3);
	buf_printf(&b, "[%d:%s]", 42, "q");
	buf_add_ll(&b, -17);
	assert_string_equal(b.data, "abc-xyz[42:q]-17");
	assert_int_equal(b.len, strlen(b.data));
	assert_false(b.failed);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_puts(&b, "again");
	assert_string_equal(b.data, "again");
	buf_release(&b);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	/* reset and release of a never-used buf are harmless */
	buf_reset(&b);
	buf_release(&b);
}

static void test_buf_add_ll(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_add_ll(&b, 0);
	buf_putc(&b, ' ');
	buf_add_ll(&b, LLONG_MAX);
	buf_putc(&b, ' ');
	buf_add_ll(&b, LLONG_MIN);
	assert_string_equal(b.data, "0 9223372036854775807 -9223372036854775808");
	buf_release(&b);
}

static void test_buf_grows(void **state)
{
	struct buf b;
	int i;

	(void)state;
	buf_init(&b, 0);
	for (i = 0; i < 10000; i++)
		buf_putc(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.data[9999], 'a' + 9999 % 26);
	assert_int_equal(b.data[10000], '\0');
	/* a long printf that does not fit the current storage */
	buf_reset(&b);
	buf_printf(&b, "%05000d|%s", 7, "end");
	assert_int_equal(b.len, 5004);
	assert_string_equal(b.data + 5000, "|end");
	assert_false(b.failed);
	buf_release(&b);
}

static void test_buf_cap_sticky(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	buf_puts(&b, "12345");
	buf_puts(&b, "67890"); /* exactly the cap */
	assert_false(b.failed);
	assert_string_equal(b.data, "1234567890");
	buf_putc(&b, 'x'); /* one past */
	assert_true(b.failed);
	assert_string_equal(b.data, "1234567890"); /* still printable */
	/* sticky: even what would fit after a reset is refused */
	buf_reset(&b);
	buf_puts(&b, "a");
	buf_printf(&b, "%d", 1);
	buf_add_ll(&b, 5);
	assert_true(b.failed);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_grow(&b, 1), -1);
	/* a failed buf does not hand out partial output */
	assert_null(buf_detach(&b, NULL));
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_release(&b);

	/* one big append over the cap fails at once, leaving what was there */
	buf_init(&b, 8);
	buf_puts(&b, "ok");
	buf_printf(&b, "%s", "this is longer than eight");
	assert_true(b.failed);
	assert_string_equal(b.data, "ok");
	buf_release(&b);

	/* buf_grow refuses sizes that would overflow */
	buf_init(&b, 0);
	assert_int_equal(buf_grow(&b, (size_t)-1), -1);
	assert_true(b.failed);
	buf_release(&b);
}

static void test_buf_detach(void **state)
{
	struct buf b;
	char *p;
	size_t n = 99;

	(void)state;
	buf_init(&b, 100);
	buf_puts(&b, "mine now");
	p = buf_detach(&b, &n);
	assert_non_null(p);
	assert_string_equal(p, "mine now");
	assert_int_equal(n, 8);
	/* the buf is empty and usable, with its cap kept */
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(b.cap, 100);
	assert_ptr_not_equal(b.data, p);
	buf_puts(&b, "next");
	assert_string_equal(b.data, "next");
	assert_string_equal(p, "mine now"); /* not shared */
	free(p);
	buf_release(&b);

	/* an empty buf still hands over a string the caller can free */
	buf_init(&b, 0);
	p = buf_detach(&b, &n);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(n, 0);
	free(p);
	buf_release(&b);
}

/* --- escapers --------------------------------------------------------------- */

static void json_str_is(const char *in, size_t n, const char *want)
{
	struct buf b = BUF_INIT;

	buf_json_str(&b, in, n);
	assert_string_equal(b.data, want);
	buf_release(&b);
}

static void test_json_str(void **state)
{
	(void)state;
	json_str_is("", 0, "\"\"");
	json_str_is("plain", 5, "\"plain\"");
	json_str_is("say \"hi\"", 8, "\"say \\\"hi\\\"\"");
	json_str_is("back\\slash", 10, "\"back\\\\slash\"");
	json_str_is("a\nb\rc\td", 7, "\"a\\nb\\rc\\td\"");
	json_str_is("\x01\x1f", 2, "\"\\u0001\\u001f\"");
	json_str_is("x\0y", 3, "\"x\\u0000y\""); /* n bytes, NULs included */
	/* safe inside <script>: no raw < > & */
	json_str_is("</script><b>&amp;", 17,
		    "\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026amp;\"");
	/* UTF-8 passes through untouched; so does DEL */
	json_str_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
		    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	json_str_is("\x7f", 1, "\"\x7f\"");
	/* only n bytes are read */
	json_str_is("abcdef", 3, "\"abc\"");
}

/* Whatever buf_json_str writes, jansson reads back as the same bytes. */
static void test_json_str_round_trip(void **state)
{
	char in[256];
	struct buf b = BUF_INIT;
	json_t *j;
	json_error_t je;
	int i;

	(void)state;
	for (i = 1; i < 128; i++)
		in[i - 1] = (char)i;
	buf_json_str(&b, in, 127);
	j = json_loadb(b.data, b.len, JSON_DECODE_ANY, &je);
	if (!j)
		fail_msg("jansson refused %s: %s", b.data, je.text);
	assert_int_equal(json_string_length(j), 127);
	assert_memory_equal(json_string_value(j), in, 127);
	json_decref(j);
	buf_release(&b);
}

static void test_html(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_html_txt(&b, "<a href=\"x\">Tom & Jerry's</a>");
	assert_string_equal(b.data, "&lt;a href=\"x\"&gt;Tom &amp; Jerry's&lt;/a&gt;");
	buf_reset(&b);
	buf_html_attr(&b, "<a href=\"x\">Tom & Jerry's</a>");
	assert_string_equal(b.data,
			    "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
	buf_reset(&b);
	buf_html_txt(&b, "");
	buf_html_attr(&b, "caf\xc3\xa9");
	buf_html_txt(&b, "&&");
	assert_string_equal(b.data, "caf\xc3\xa9&amp;&amp;");
	buf_release(&b);
}

static void csv_is(const char *in, const char *want)
{
	struct buf b = BUF_INIT;

	buf_csv_cell(&b, in);
	if (strcmp(b.data, want))
		fail_msg("buf_csv_cell(\"%s\") = [%s], want [%s]", in, b.data, want);
	buf_release(&b);
}

static void test_csv_cell(void **state)
{
	(void)state;
	csv_is("", "");
	csv_is("plain", "plain");
	csv_is("a,b", "\"a,b\"");
	csv_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	csv_is("two\nlines", "\"two\nlines\"");
	csv_is("cr\rhere", "\"cr\rhere\"");
	csv_is("caf\xc3\xa9", "caf\xc3\xa9");
	/* formulas are defused with a leading apostrophe, inside quotes */
	csv_is("=1+1", "\"'=1+1\"");
	csv_is("+1", "\"'+1\"");
	csv_is("@SUM(A1)", "\"'@SUM(A1)\"");
	csv_is("-cmd", "\"'-cmd\"");
	csv_is("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
	csv_is("-2+3+cmd|' /C calc'!A0", "\"'-2+3+cmd|' /C calc'!A0\"");
	csv_is("-1+1", "\"'-1+1\"");
	/* but negative numbers stay numbers */
	csv_is("-5", "-5");
	csv_is("-1234.50", "-1234.50");
	csv_is("-.5", "-.5");
	csv_is("-", "-");
	csv_is("a=b", "a=b"); /* only a leading sign counts */
}

/* --- JSON writer ------------------------------------------------------------ */

static void test_jw_object(void **state)
{
	struct buf b = BUF_INIT;
	struct jw w;

	(void)state;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "name", "Acme \"GmbH\"");
	jw_kint(&w, "n", -3);
	jw_kbool(&w, "ok", 1);
	jw_kbool(&w, "no", 0);
	jw_key(&w, "none");
	jw_null(&w);
	jw_kstr(&w, "nullstr", NULL);
	jw_key(&w, "list");
	jw_arr(&w);
	jw_int(&w, 1);
	jw_str(&w, "two");
	jw_arr(&w);
	jw_arr_end(&w);
	jw_obj(&w);
	jw_obj_end(&w);
	jw_double(&w, 2.5);
	jw_arr_end(&w);
	jw_key(&w, "nested");
	jw_obj(&w);
	jw_key(&w, "deep");
	jw_obj(&w);
	jw_kint(&w, "x", 0);
	jw_obj_end(&w);
	jw_kint(&w, "after", 9);
	jw_obj_end(&w);
	jw_key(&w, "raw");
	jw_raw(&w, "{\"pre\":true}");
	jw_key(&w, "<k>");
	jw_strn(&w, "abcdef", 2);
	jw_obj_end(&w);
	assert_false(b.failed);
	assert_string_equal(b.data,
			    "{\"name\":\"Acme \\\"GmbH\\\"\",\"n\":-3,\"ok\":true,\"no\":false,"
			    "\"none\":null,\"nullstr\":null,\"list\":[1,\"two\",[],{},2.5],"
			    "\"nested\":{\"deep\":{\"x\":0},\"after\":9},\"raw\":{\"pre\":true},"
			    "\"\\u003ck\\u003e\":\"ab\"}");
	buf_release(&b);
}

static void test_jw_top_level_and_doubles(void **state)
{
	struct buf b = BUF_INIT;
	struct jw w;

	(void)state;
	jw_init(&w, &b);
	jw_arr(&w);
	jw_double(&w, 1.0 / 0.0);
	jw_double(&w, 0.0 / 0.0);
	jw_double(&w, 0.1);
	jw_double(&w, -1e20);
	jw_int(&w, LLONG_MIN);
	jw_arr_end(&w);
	assert_string_equal(b.data, "[null,null,0.1,-1e+20,-9223372036854775808]");
	buf_release(&b);

	/* an empty object and an empty array */
	jw_init(&w, &b);
	jw_obj(&w);
	jw_obj_end(&w);
	assert_string_equal(b.data, "{}");
	buf_release(&b);
}

static void test_jw_depth_limit(void **state)
{
	struct buf b = BUF_INIT;
	struct jw w;
	int i;

	(void)state;
	jw_init(&w, &b);
	for (i = 0; i < JW_MAX_DEPTH - 1; i++)
		jw_arr(&w);
	assert_false(b.failed);
	for (i = 0; i < JW_MAX_DEPTH - 1; i++)
		jw_arr_end(&w);
	assert_false(b.failed);
	assert_int_equal(b.len, 2 * (JW_MAX_DEPTH - 1));
	buf_release(&b);

	/* one level more fails the buffer rather than overrunning `first` */
	jw_init(&w, &b);
	for (i = 0; i < JW_MAX_DEPTH + 5; i++)
		jw_obj(&w);
	assert_true(b.failed);
	buf_release(&b);
}

/* the writer's output is valid JSON that reads back to the same values */
static void test_jw_parses_back(void **state)
{
	struct buf b = BUF_INIT;
	struct jw w;
	json_t *j;
	struct err e;

	(void)state;
	err_clear(&e);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "s", "tab\there \"q\" <&> \xc3\xa9");
	jw_kint(&w, "i", 1234567890123LL);
	jw_key(&w, "a");
	jw_arr(&w);
	jw_bool(&w, 0);
	jw_null(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	assert_int_equal(json_parse(b.data, b.len, &j, &e), OK);
	assert_string_equal(json_string_value(json_object_get(j, "s")),
			    "tab\there \"q\" <&> \xc3\xa9");
	assert_int_equal(json_integer_value(json_object_get(j, "i")), 1234567890123LL);
	assert_int_equal(json_array_size(json_object_get(j, "a")), 2);
	json_decref(j);
	buf_release(&b);
}

/* --- json_parse -------------------------------------------------------------- */

/* Expect a refusal whose message contains each of the NULL-terminated
 * fragments. */
static void parse_refused(const char *s, size_t n, ...)
{
	struct err e;
	json_t *j = (json_t *)&e;
	va_list ap;
	const char *frag;

	err_clear(&e);
	if (json_parse(s, n, &j, &e) != E_INVAL)
		fail_msg("json_parse(%.*s) was not refused", (int)n, s);
	assert_null(j);
	assert_int_equal(e.code, E_INVAL);
	va_start(ap, n);
	while ((frag = va_arg(ap, const char *)))
		if (!strstr(e.msg, frag))
			fail_msg("json_parse(%.*s): \"%s\" lacks \"%s\"", (int)n, s, e.msg, frag);
	va_end(ap);
}

static void test_json_parse_ok(void **state)
{
	struct err e;
	json_t *j;
	const char body[] = "{\"a\": [1, 2.5, \"\xc3\xa9\"], \"b\": {\"c\": null}}";

	(void)state;
	err_clear(&e);
	assert_int_equal(json_parse(body, strlen(body), &j, &e), OK);
	assert_true(json_is_object(j));
	assert_int_equal(json_array_size(json_object_get(j, "a")), 3);
	assert_string_equal(e.msg, "");
	json_decref(j);
	/* only n bytes are read: what follows is not trailing garbage */
	assert_int_equal(json_parse("[1]xyz", 3, &j, &e), OK);
	json_decref(j);
	/* a NULL err is allowed */
	assert_int_equal(json_parse("{}", 2, &j, NULL), OK);
	json_decref(j);
	assert_int_equal(json_parse("{", 1, &j, NULL), E_INVAL);
	assert_null(j);
}

static void test_json_parse_refusals(void **state)
{
	(void)state;
	parse_refused("", 0, "empty", NULL);
	parse_refused("   ", 3, "line 1, column 3", NULL);
	parse_refused("{\"a\":1,\"a\":2}", 13, "line 1, column 10", "duplicate", NULL);
	parse_refused("{\n  \"a\": 1,\n  \"a\": 2\n}", 22, "line 3", "duplicate", NULL);
	parse_refused("{\"a\":{\"b\":1,\"b\":1}}", 19, "duplicate", NULL);
	parse_refused("{\"a\":\"\xff\"}", 9, "line 1, column 6", "byte 0xff", NULL);
	parse_refused("{\"a\":\"\xc0\xaf\"}", 10, "line 1", "0xc0", NULL); /* overlong */
	parse_refused("{\"a\":\"\xed\xa0\x80\"}", 11, "line 1", NULL);   /* surrogate */
	parse_refused("{\"a\":\"\\ud800\"}", 14, "line 1", "Unicode", NULL);
	parse_refused("{} x", 4, "line 1, column 4", "end of file expected", NULL);
	parse_refused("{}{}", 4, "end of file expected", NULL);
	parse_refused("{\"a\":1,}", 8, "line 1", NULL);
	parse_refused("{'a':1}", 7, "line 1, column 2", NULL);
	parse_refused("{\"a\":\"x\\u0000\"}", 15, "line 1", NULL);      /* NUL escape */
	parse_refused("{\"a\":\"x\0\"}", 9, "line 1, column 7", NULL); /* raw NUL */
	parse_refused("{\"a\":01}", 8, "line 1", NULL);
	parse_refused("{\"a\":NaN}", 9, "line 1", NULL);
	parse_refused("\n\n   {\"a\" 1}", 13, "line 3, column 9", NULL);
	/* a bare value is not a body */
	parse_refused("5", 1, "line 1", NULL);
	parse_refused("\"s\"", 3, "line 1", NULL);
}

static void test_json_type_name(void **state)
{
	json_t *v[] = {json_object(), json_array(), json_string("x"), json_integer(1),
		       json_real(1.5), json_true(), json_false(), json_null()};
	const char *want[] = {"object", "array",   "string",  "number",
			      "number", "boolean", "boolean", "null"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_string_equal(json_type_name(v[i]), want[i]);
		json_decref(v[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_basics),
		cmocka_unit_test(test_buf_add_ll),
		cmocka_unit_test(test_buf_grows),
		cmocka_unit_test(test_buf_cap_sticky),
		cmocka_unit_test(test_buf_detach),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_json_str_round_trip),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_csv_cell),
		cmocka_unit_test(test_jw_object),
		cmocka_unit_test(test_jw_top_level_and_doubles),
		cmocka_unit_test(test_jw_depth_limit),
		cmocka_unit_test(test_jw_parses_back),
		cmocka_unit_test(test_json_parse_ok),
		cmocka_unit_test(test_json_parse_refusals),
		cmocka_unit_test(test_json_type_name),
	};

	return cmocka_run_group_tests_name("buf_json", tests, NULL, NULL);
}
