/*
 * fuzz_questionnaire.c — questionnaire_check() and questionnaire_check_answer()
 * on arbitrary JSON.
 *
 * The input is "<questions>\n<answers>": the questions are checked; when they
 * pass, answers[i] (an array, missing members taken as no answer) is checked
 * against question i.  Properties:
 *   - never a crash, a leak or undefined behaviour (ASan, UBSan);
 *   - a refusal always names at least one problem, and an acceptance none;
 *   - every problem's name is within the err struct's bounds (terminated).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crm/meetings/questionnaire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	if (as && json_is_array(as))
		json_array_foreach(qs, i, q) {
			int before;

			err_clear(&e);
			before = e.nfields;
			rc = questionnaire_check_answer(q, json_array_get(as, i), "answer", &e);
			check_problems(rc, &e, before);
		}
	json_decref(as);
	json_decref(qs);
	return 0;
}
