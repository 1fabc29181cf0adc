/*
 * fuzz_questionnaire.c — questionnaire_check() and questionnaire_check_answer()
 * on arbitrary JSON, and the poll results (poll.h) of the answers accepted.
 *
 * The input is "<questions>\n<answers>": the questions are checked; when they
 * pass, answers[i] (an array, missing members taken as no answer) is checked
 * against question i.  Properties:
 *   - never a crash, a leak or undefined behaviour (ASan, UBSan);
 *   - a refusal always names at least one problem, and an acceptance none;
 *   - every problem's name is within the err struct's bounds (terminated);
 *   - poll_results() has one result per question, none counting more
 *     respondents than there are answers, no option counted more often
 *     than there are respondents (multiple: each once per answer); and
 *     poll_answer_text() writes text for every accepted answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "crm/meetings/poll.h"
#include "crm/meetings/questionnaire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The results of one participant's accepted answers, twice (two respondents) */
static void check_results(json_t *qs, json_t *accepted)
{
	json_t *all = json_pack("[O, O]", accepted, accepted), *r, *one, *o;
	size_t i, j;

	r = poll_results(qs, all);
	if (!r || json_array_size(r) != json_array_size(qs))
		abort();
	json_array_foreach(r, i, one) {
		long long n = json_integer_value(json_object_get(one, "respondents"));

		if (n < 0 || n > 2)
			abort();
		json_array_foreach(json_object_get(one, "options"), j, o)
			if (json_object_get(o, "count") &&
			    json_integer_value(json_object_get(o, "count")) > n)
				abort();
	}
	json_decref(r);
	json_decref(all);
}

static void check_problems(int rc, const struct err *e, int before)
{
	int i;

	if ((rc != OK) != (e->nfields > before))
		abort();
	for (i = 0; i < e->nfields; i++)
		if (!memchr(e->fields[i].field, '\0', sizeof(e->fields[i].field)))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t qn = nl ? (size_t)(nl - data) : size;
	json_t *qs, *as = NULL, *q;
	json_error_t je;
	struct err e;
	size_t i;
	int rc;

	qs = json_loadb((const char *)data, qn, JSON_DECODE_ANY, &je);
	if (!qs)
		return 0;
	err_clear(&e);
	rc = questionnaire_check(qs, "questions", &e);
	check_problems(rc, &e, 0);
	if (rc == OK && nl)
		as = json_loadb((const char *)nl + 1, size - qn - 1, JSON_DECODE_ANY, &je);
	if (as && json_is_array(as)) {
		json_t *accepted = json_object();

		json_array_foreach(qs, i, q) {
			json_t *a = json_array_get(as, i);
			int before;

			err_clear(&e);
			before = e.nfields;
			rc = questionnaire_check_answer(q, a, "answer", &e);
			check_problems(rc, &e, before);
			if (rc == OK && a && !json_is_null(a)) {
				struct buf t = BUF_INIT;

				json_object_set(accepted, json_string_value(json_object_get(q, "key")), a);
				poll_answer_text(q, a, &t);
				buf_release(&t);
			}
		}
		check_results(qs, accepted);
		json_decref(accepted);
	}
	json_decref(as);
	json_decref(qs);
	return 0;
}
