/*
 * fuzz_scoring.c — a lead scoring rule decoded from arbitrary JSON, compiled
 * and matched against a lead made of arbitrary text; the seniority of
 * arbitrary titles.
 *
 * Input: a rule body as JSON, a NUL byte, then the lead's text (the same
 * text in every text field; its length as the head count).
 *
 * Properties:
 *   - decoding either refuses or gives a record; compiling either refuses
 *     or gives a rule, and matching it never crashes;
 *   - a rule's label is valid UTF-8 (it goes into JSON answers);
 *   - a rule whose condition is "equals <text>" matches a lead with that
 *     text whatever its ASCII case;
 *   - seniority is one of the five levels.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "crm/records/resources.h"
#include "crm/scoring/scoring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const levels[] = {"executive", "vp_director", "manager", "staff", ""};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t jlen = nul ? (size_t)(nul - data) : size;
	char *text = malloc(size + 1);
	const char *lvl;
	struct lead_facts f;
	struct record rec;
	struct scoring_rule r;
	struct err e;
	json_t *body = NULL;
	int i, ok = 0;

	if (!text)
		return 0;
	memcpy(text, nul ? nul + 1 : data, nul ? size - jlen - 1 : 0);
	text[nul ? size - jlen - 1 : 0] = '\0';

	lvl = scoring_seniority(text);
	for (i = 0; i < 5; i++)
		ok |= !strcmp(lvl, levels[i]);
	if (!ok)
		abort();

	memset(&f, 0, sizeof(f));
	for (i = 0; i < SF_EMPLOYEES; i++)
		f.text[i] = text;
	f.has_employees = 1;
	f.employees = (long long)strlen(text);

	err_clear(&e);
	if (json_parse((const char *)data, jlen, &body, &e))
		body = NULL;
	record_init(&rec, &scoring_rule_resource);
	if (body && !record_decode(&scoring_rule_resource, body, 0, &rec, &e) &&
	    !scoring_rule_compile(&rec, &r, &e)) {
		struct buf b = BUF_INIT;
		int m = scoring_rule_match(&r, &f);

		scoring_rule_label(&r, &b);
		if (b.len && !utf8_valid(b.data, b.len))
			abort();
		if (r.op == SO_EQUALS && r.field != SF_EMPLOYEES && r.value && *text &&
		    !strcasecmp(r.value, text) && !m)
			abort();
		buf_release(&b);
		scoring_rule_release(&r);
	}
	record_release(&rec);
	json_decref(body);
	free(text);
	return 0;
}
