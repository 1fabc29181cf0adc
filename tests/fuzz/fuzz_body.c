/*
 * fuzz_body.c — bytes as a JSON request body: json_parse(), then
 * record_decode() against every resource, strict and lenient.
 *
 * Properties, beyond "no crash, no leak, no undefined behaviour":
 *   - record_decode answers OK exactly when it reported no field problem;
 *   - every problem says something (its field is the member's name, which
 *     may be "" for a member named "");
 *   - a record that decoded cleanly prints (record_json) as valid JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "crm/records/record.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(1); /* the same member order on every run */
	return 0;
}

static void check(const struct resource *r, json_t *body, int lenient)
{
	struct record rec;
	struct err e;
	int rc, i;

	record_init(&rec, r);
	err_clear(&e);
	rc = record_decode(r, body, lenient, &rec, &e);
	if (rc != OK && rc != E_INVAL)
		abort();
	if (rc == OK && e.nfields)
		abort();
	if (rc == E_INVAL && !e.nfields && json_is_object(body))
		abort();
	for (i = 0; i < e.nfields; i++)
		if (!e.fields[i].message[0])
			abort();
	if (rc == OK) {
		struct buf b = BUF_INIT;
		struct jw w;
		json_t *back;

		jw_init(&w, &b);
		record_json(&rec, &w);
		if (b.failed || json_parse(b.data, b.len, &back, NULL))
			abort();
		json_decref(back);
		buf_release(&b);
		for (i = 0; i < r->nfields; i++) {
			buf_init(&b, 0);
			record_value_text(&rec, i, &b);
			buf_release(&b);
		}
	}
	record_release(&rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body;
	struct err e;
	int i;

	err_clear(&e);
	if (json_parse((const char *)data, size, &body, &e)) {
		if (e.code != E_INVAL || !e.msg[0] || body)
			abort();
		return 0;
	}
	for (i = 0; resources[i]; i++) {
		check(resources[i], body, 0);
		check(resources[i], body, 1);
	}
	json_decref(body);
	return 0;
}
