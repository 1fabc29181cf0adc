/*
 * fuzz_saved_filter.c — a saved filter's query (src/crm/records/saved_filter.c) on
 * any text: the query string is URL-decoded (urlform.h) and checked as its
 * list would parse it (list_query_parse) before it is stored.
 *
 * The first byte picks the list (accounts, contacts, leads, opportunities);
 * the rest is the query.  Properties:
 *   - record_create answers OK or E_INVAL naming "query" (never a crash, a
 *     database error or another field);
 *   - what it accepts is stored as given, and the stored query, decoded
 *     again, is a query its list accepts and runs (record_list) — a saved
 *     filter always runs;
 *   - a refused one leaves nothing behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/urlform.h"
#include "crm/records/principal.h"
#include "crm/records/resources.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static struct store *st;
static struct principal owner;
static const char *const lists[] = {"accounts", "contacts", "leads", "opportunities"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_min_level = LOG_ERROR;
	if (store_open(":memory:", STORE_CREATE, &st, NULL) || store_migrate(st, NULL))
		abort();
	if (store_run(st, NULL,
		      "INSERT INTO users (email, name, role, active, password_hash, created_at, "
		      "updated_at) VALUES ('f@x.example', 'F', 'rep', 1, 'x', "
		      "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
		      ""))
		abort();
	if (principal_load(st, store_last_id(st), &owner, NULL))
		abort();
	return 0;
}

static int each(const struct record *rec, void *ctx)
{
	(void)rec;
	(void)ctx;
	return 0;
}

/* The stored query runs on its list. */
static void runs(const struct resource *r, const char *query)
{
	struct kv kv[64];
	struct urlform f;
	struct list_query q;
	struct err e;
	char *next = NULL;
	int i;

	err_clear(&e);
	CHECK(!urlform_parse(query, strlen(query), 64, &f, &e));
	for (i = 0; i < f.n; i++) {
		kv[i].k = f.pairs[i].name;
		kv[i].v = f.pairs[i].value;
		CHECK(strcmp(kv[i].k, "cursor"));
	}
	CHECK(!list_query_parse(r, kv, f.n, &q, &e));
	CHECK(!record_list(st, &owner, r, &q, each, NULL, &next, NULL, &e));
	free(next);
	list_query_release(&q);
	urlform_release(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *list;
	json_t *body, *qs;
	char *given;
	struct record rec;
	struct err e;
	long long count = -1;
	int found, rc, i;

	if (!size)
		return 0;
	list = lists[data[0] % 4];
	qs = json_stringn((const char *)data + 1, size - 1); /* NULL: not UTF-8 text */
	if (!qs)
		return 0;
	given = strdup(json_string_value(qs)); /* C text: up to a NUL, as decoded */
	body = json_pack("{s:s, s:s, s:o}", "name", "fuzz", "resource", list, "query", qs);
	CHECK(body && given);
	err_clear(&e);
	rc = record_create(st, &owner, &saved_filter_resource, body, 0, &rec, &e);
	json_decref(body);
	if (rc == OK) {
		CHECK(record_text(&rec, "query") && !strcmp(record_text(&rec, "query"), given));
		runs(resource_find(list), record_text(&rec, "query"));
		CHECK(!record_delete(st, &owner, &saved_filter_resource, rec.id, -1, &e));
		record_release(&rec);
	} else {
		CHECK(rc == E_INVAL && e.nfields);
		for (i = 0; i < e.nfields; i++)
			CHECK(!strcmp(e.fields[i].field, "query"));
	}
	CHECK(!store_int(st, &count, &found, NULL, "SELECT count(*) FROM saved_filters", ""));
	CHECK(count == 0);
	free(given);
	return 0;
}
