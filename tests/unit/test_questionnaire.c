/*
 * test_questionnaire.c — the rules of questionnaire questions and of the
 * answers to them (crm/meetings/questionnaire.h): each kind's answers
 * accepted and refused at their edges, required questions, and every
 * problem of a questions array named by its place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the project's headers first: cmocka's fail() macro clashes with err.h */
#include "core/err.h"
#include "crm/meetings/questionnaire.h"

#include <cmocka.h>

static json_t *parse(const char *s)
{
	json_error_t je;
	json_t *j = json_loads(s, JSON_DECODE_ANY, &je);

	assert_non_null(j);
	return j;
}

/* Does `answer` (JSON text, or NULL for none) pass `question`? */
static int answer_ok(const char *question, const char *answer)
{
	json_t *q = parse(question), *a = answer ? parse(answer) : NULL;
	struct err e;
	int rc;

	err_clear(&e);
	rc = questionnaire_check_answer(q, a, "answer", &e);
	assert_true(rc == OK || (e.nfields == 1 && !strcmp(e.fields[0].field, "answer")));
	json_decref(q);
	json_decref(a);
	return rc == OK;
}

static void test_single(void **state)
{
	const char *q = "{\"key\":\"k\",\"text\":\"t\",\"kind\":\"single\",\"options\":[\"a\",\"b\"]}";

	(void)state;
	assert_true(answer_ok(q, "\"a\""));
	assert_true(answer_ok(q, "\"b\""));
	assert_false(answer_ok(q, "\"c\""));
	assert_false(answer_ok(q, "[\"a\"]"));
	assert_false(answer_ok(q, "1"));
	assert_true(answer_ok(q, NULL)); /* not required */
	assert_true(answer_ok(q, "null"));
}

static void test_multiple(void **state)
{
	const char *q = "{\"key\":\"k\",\"text\":\"t\",\"kind\":\"multiple\",\"options\":[\"a\",\"b\","
			"\"c\"],\"min_choices\":1,\"max_choices\":2}";
	const char *any = "{\"key\":\"k\",\"text\":\"t\",\"kind\":\"multiple\",\"options\":[\"a\","
			  "\"b\"]}";

	(void)state;
	assert_true(answer_ok(q, "[\"a\"]"));
	assert_true(answer_ok(q, "[\"c\",\"a\"]"));
	assert_false(answer_ok(q, "[]"));              /* below min_choices */
	assert_false(answer_ok(q, "[\"a\",\"b\",\"c\"]")); /* above max_choices */
	assert_false(answer_ok(q, "[\"a\",\"a\"]"));      /* twice */
	assert_false(answer_ok(q, "[\"d\"]"));
	assert_false(answer_ok(q, "\"a\""));
	assert_true(answer_ok(any, "[]"));
	assert_true(answer_ok(any, "[\"a\",\"b\"]"));
}

static void test_rating(void **state)
{
	const char *q = "{\"key\":\"k\",\"text\":\"t\",\"kind\":\"rating\",\"min\":0,\"max\":10}";
	const char *dflt = "{\"key\":\"k\",\"text\":\"t\",\"kind\":\"rating\"}";

	(void)state;
	assert_true(answer_ok(q, "0"));
	assert_true(answer_ok(q, "10"));
	assert_false(answer_ok(q, "11"));
	assert_false(answer_ok(q, "-1"));
	assert_false(answer_ok(q, "5.5"));
	assert_false(answer_ok(q, "\"5\""));
	assert_true(answer_ok(dflt, "1")); /* 1..5 when not said */
	assert_true(answer_ok(dflt, "5"));
	assert_false(answer_ok(dflt, "0"));
	assert_false(answer_ok(dflt, "6"));
}

static void test_ranking(void **state)
{
	const char *q = "{\"key\":\"k\",\"text\":\"t\",\"kind\":\"ranking\",\"options\":[\"a\",\"b\","
			"\"c\"]}";

	(void)state;
	assert_true(answer_ok(q, "[\"c\",\"a\",\"b\"]"));
	assert_false(answer_ok(q, "[\"c\",\"a\"]"));         /* not all */
	assert_false(answer_ok(q, "[\"c\",\"a\",\"a\"]"));   /* twice */
	assert_false(answer_ok(q, "[\"c\",\"a\",\"b\",\"d\"]"));
}

/* A JSON string of n x's. */
static char *xs(int n)
{
	char *s = malloc((size_t)n + 3);

	assert_non_null(s);
	s[0] = '"';
	memset(s + 1, 'x', (size_t)n);
	s[n + 1] = '"';
	s[n + 2] = '\0';
	return s;
}

static void test_text_and_required(void **state)
{
	const char *q = "{\"key\":\"k\",\"text\":\"t\",\"kind\":\"text\",\"required\":true}";
	char *s;

	(void)state;
	assert_true(answer_ok(q, "\"fine\\nand two lines\""));
	assert_false(answer_ok(q, NULL));
	assert_false(answer_ok(q, "null"));
	assert_false(answer_ok(q, "\"bell\\u0007\""));
	s = xs(QUESTIONNAIRE_TEXT_MAX);
	assert_true(answer_ok(q, s));
	free(s);
	s = xs(QUESTIONNAIRE_TEXT_MAX + 1);
	assert_false(answer_ok(q, s));
	free(s);
}

/* The names of the problems of a questions array, sorted by position. */
static void problems(const char *questions, const char *const *want, int nwant)
{
	json_t *j = parse(questions);
	struct err e;
	int i, k, found;

	err_clear(&e);
	assert_int_equal(questionnaire_check(j, "questions", &e), nwant ? E_INVAL : OK);
	for (k = 0; k < nwant; k++) {
		for (i = 0, found = 0; i < e.nfields; i++)
			found |= !strcmp(e.fields[i].field, want[k]);
		if (!found)
			fail_msg("no problem named %s", want[k]);
	}
	json_decref(j);
}

static void test_questions(void **state)
{
	static const char *const none[] = {NULL};
	static const char *const bad[] = {"questions[0].key",   "questions[0].options",
					  "questions[1].max",   "questions[1].min_label",
					  "questions[2].key",   "questions[2].min_choices",
					  "questions[3].kind"};

	(void)state;
	problems("[{\"key\":\"a\",\"text\":\"t\",\"kind\":\"text\"}]", none, 0);
	problems("[{\"key\":\"A\",\"text\":\"t\",\"kind\":\"single\",\"options\":[\"x\"]},"
		 "{\"key\":\"b\",\"text\":\"t\",\"kind\":\"rating\",\"min\":3,\"max\":3,"
		 "\"min_label\":\"\"},"
		 "{\"key\":\"b\",\"text\":\"t\",\"kind\":\"text\",\"min_choices\":1},"
		 "{\"key\":\"c\",\"text\":\"t\",\"kind\":\"poll\"}]",
		 bad, 7);
	problems("[]", (const char *const[]){"questions"}, 1);
	problems("{}", (const char *const[]){"questions"}, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single),  cmocka_unit_test(test_multiple),
		cmocka_unit_test(test_rating),  cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_text_and_required), cmocka_unit_test(test_questions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
