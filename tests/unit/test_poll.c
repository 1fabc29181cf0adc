/*
 * test_poll.c — the arithmetic of live poll results (crm/meetings/poll.h):
 * counts per option, a rating's mean and distribution, a ranking's mean
 * places and Borda counts (ties in the question's order), free texts, and
 * answers as text for notes, CSV and PDF.
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
#include "core/err.h"
#include "crm/meetings/poll.h"

#include <cmocka.h>

static json_t *parse(const char *s)
{
	json_error_t je;
	json_t *j = json_loads(s, JSON_DECODE_ANY, &je);

	assert_non_null(j);
	return j;
}

/* The results of one question (JSON text) and answers (a JSON array) */
static json_t *results(const char *question, const char *answers)
{
	char qs[2048];
	json_t *q, *a, *r, *one;

	snprintf(qs, sizeof(qs), "[%s]", question);
	q = parse(qs);
	a = parse(answers);
	r = poll_results(q, a);
	assert_non_null(r);
	assert_int_equal(json_array_size(r), 1);
	one = json_incref(json_array_get(r, 0));
	json_decref(q);
	json_decref(a);
	json_decref(r);
	return one;
}

static long long count_of(json_t *list, const char *member, const char *option)
{
	json_t *o;
	size_t i;

	json_array_foreach(list, i, o)
		if (!strcmp(json_string_value(json_object_get(o, "option")), option))
			return json_integer_value(json_object_get(o, member));
	fail_msg("no option %s", option);
	return -1;
}

static void test_single_and_multiple(void **state)
{
	json_t *r;

	(void)state;
	r = results("{\"key\":\"k\",\"text\":\"t\",\"kind\":\"single\",\"options\":[\"a\",\"b\",\"c\"]}",
		    "[{\"k\":\"a\"},{\"k\":\"c\"},{\"k\":\"a\"},{\"other\":1},{\"k\":null}]");
	assert_int_equal(json_integer_value(json_object_get(r, "respondents")), 3);
	assert_int_equal(count_of(json_object_get(r, "options"), "count", "a"), 2);
	assert_int_equal(count_of(json_object_get(r, "options"), "count", "b"), 0);
	assert_int_equal(count_of(json_object_get(r, "options"), "count", "c"), 1);
	/* in the question's order */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r, "options"), 1), "option")),
			    "b");
	json_decref(r);
	r = results("{\"key\":\"k\",\"text\":\"t\",\"kind\":\"multiple\",\"options\":[\"a\",\"b\"]}",
		    "[{\"k\":[\"a\",\"b\"]},{\"k\":[\"b\"]},{\"k\":[]}]");
	assert_int_equal(json_integer_value(json_object_get(r, "respondents")), 3);
	assert_int_equal(count_of(json_object_get(r, "options"), "count", "a"), 1);
	assert_int_equal(count_of(json_object_get(r, "options"), "count", "b"), 2);
	json_decref(r);
}

static void test_rating(void **state)
{
	json_t *r, *d;

	(void)state;
	r = results("{\"key\":\"k\",\"text\":\"t\",\"kind\":\"rating\",\"min\":0,\"max\":3}",
		    "[{\"k\":0},{\"k\":3},{\"k\":3},{\"k\":2}]");
	assert_true(json_real_value(json_object_get(r, "mean")) == 2.0);
	d = json_object_get(r, "distribution");
	assert_int_equal(json_array_size(d), 4); /* 0, 1, 2, 3 */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(d, 0), "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(d, 1), "count")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(d, 3), "count")), 2);
	json_decref(r);
	/* the default scale 1..5; no answer: mean null, every count 0 */
	r = results("{\"key\":\"k\",\"text\":\"t\",\"kind\":\"rating\"}", "[]");
	assert_true(json_is_null(json_object_get(r, "mean")));
	assert_int_equal(json_array_size(json_object_get(r, "distribution")), 5);
	assert_int_equal(json_integer_value(json_object_get(r, "respondents")), 0);
	json_decref(r);
	/* 1, 2, 2: the mean is not rounded */
	r = results("{\"key\":\"k\",\"text\":\"t\",\"kind\":\"rating\"}",
		    "[{\"k\":1},{\"k\":2},{\"k\":2}]");
	assert_true(json_real_value(json_object_get(r, "mean")) == 5.0 / 3.0);
	json_decref(r);
}

static void test_ranking(void **state)
{
	json_t *r, *o;

	(void)state;
	/* three options, three rankings: Borda points 2, 1, 0 per ranking */
	r = results("{\"key\":\"k\",\"text\":\"t\",\"kind\":\"ranking\",\"options\":[\"x\",\"y\",\"z\"]}",
		    "[{\"k\":[\"y\",\"x\",\"z\"]},{\"k\":[\"y\",\"z\",\"x\"]},"
		    "{\"k\":[\"x\",\"y\",\"z\"]}]");
	o = json_object_get(r, "options");
	/* y: 2+2+1 = 5, x: 1+0+2 = 3, z: 0+1+0 = 1; best first */
	assert_string_equal(json_string_value(json_object_get(json_array_get(o, 0), "option")), "y");
	assert_string_equal(json_string_value(json_object_get(json_array_get(o, 1), "option")), "x");
	assert_string_equal(json_string_value(json_object_get(json_array_get(o, 2), "option")), "z");
	assert_int_equal(count_of(o, "borda", "y"), 5);
	assert_int_equal(count_of(o, "borda", "x"), 3);
	assert_int_equal(count_of(o, "borda", "z"), 1);
	/* mean places: y (1+1+2)/3, x (2+3+1)/3 = 2, z (3+2+3)/3 */
	assert_true(json_real_value(json_object_get(json_array_get(o, 0), "mean_position")) ==
		    4.0 / 3.0);
	assert_true(json_real_value(json_object_get(json_array_get(o, 1), "mean_position")) == 2.0);
	assert_true(json_real_value(json_object_get(json_array_get(o, 2), "mean_position")) ==
		    8.0 / 3.0);
	json_decref(r);
	/* a tie keeps the question's order; no answers: all 0, places null */
	r = results("{\"key\":\"k\",\"text\":\"t\",\"kind\":\"ranking\",\"options\":[\"x\",\"y\"]}",
		    "[{\"k\":[\"y\",\"x\"]},{\"k\":[\"x\",\"y\"]},{\"k\":[\"x\"]}]");
	o = json_object_get(r, "options");
	assert_string_equal(json_string_value(json_object_get(json_array_get(o, 0), "option")), "x");
	assert_int_equal(count_of(o, "borda", "x"), 1);
	assert_int_equal(count_of(o, "borda", "y"), 1);
	json_decref(r);
	r = results("{\"key\":\"k\",\"text\":\"t\",\"kind\":\"ranking\",\"options\":[\"x\",\"y\"]}",
		    "[]");
	o = json_object_get(r, "options");
	assert_true(json_is_null(json_object_get(json_array_get(o, 0), "mean_position")));
	assert_int_equal(count_of(o, "borda", "y"), 0);
	json_decref(r);
}

static void test_text_and_answer_text(void **state)
{
	json_t *r, *q, *a;
	struct buf b = BUF_INIT;

	(void)state;
	r = results("{\"key\":\"k\",\"text\":\"t\",\"kind\":\"text\"}",
		    "[{\"k\":\"first\"},{},{\"k\":\"second\"}]");
	assert_int_equal(json_array_size(json_object_get(r, "texts")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "texts"), 1)),
			    "second");
	json_decref(r);
	q = parse("{\"kind\":\"ranking\"}");
	a = parse("[\"b\",\"a\"]");
	poll_answer_text(q, a, &b);
	assert_string_equal(b.data, "1. b; 2. a");
	json_decref(q);
	json_decref(a);
	buf_reset(&b);
	q = parse("{\"kind\":\"multiple\"}");
	a = parse("[\"b\",\"a\"]");
	poll_answer_text(q, a, &b);
	poll_answer_text(q, NULL, &b);
	assert_string_equal(b.data, "b; a");
	json_decref(a);
	buf_reset(&b);
	a = parse("4");
	poll_answer_text(q, a, &b);
	assert_string_equal(b.data, "4");
	json_decref(q);
	json_decref(a);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_and_multiple),
		cmocka_unit_test(test_rating),
		cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_text_and_answer_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
