/*
 * fuzz_query.c — a query string against list_query_parse() for every
 * resource.
 *
 * The input is split on '&' into pairs and each pair on its first '=' (a
 * pair without '=' has a NULL value, as a bare "?total" would).  Properties:
 *   - list_query_parse answers OK exactly when it reported no field problem;
 *   - an accepted query has one bound value for each '?' in its SQL
 *     conditions, and a limit of 1..200;
 *   - list_query_release() frees everything, and is safe after a refusal.
 * An accepted query is also run (record_list) on an empty in-memory
 * database as the system principal: the SQL it builds must be valid.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "fuzz_kv.h"
#include "crm/records/principal.h"
#include "crm/records/record.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAIRS 96

static struct store *st;
static struct principal sys;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_min_level = LOG_ERROR;
	if (store_open(":memory:", STORE_CREATE, &st, NULL) || store_migrate(st, NULL))
		abort();
	principal_system(&sys);
	return 0;
}

static int each(const struct record *rec, void *ctx)
{
	(void)rec;
	(void)ctx;
	return 0;
}

static int placeholders(const char *sql)
{
	int n = 0;

	for (; *sql; sql++)
		n += *sql == '?';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kv kv[MAX_PAIRS];
	struct list_query q;
	struct err e;
	char *s;
	int n = 0, i, rc;

	s = fuzz_kv(data, size, kv, MAX_PAIRS, &n);
	if (!s)
		return 0;
	for (i = 0; resources[i]; i++) {
		err_clear(&e);
		rc = list_query_parse(resources[i], kv, n, &q, &e);
		if (rc == OK) {
			long long total = 0;
			char *next = NULL;

			if (e.nfields || q.limit < 1 || q.limit > 200)
				abort();
			if (placeholders(q.where.data) != q.nbinds)
				abort();
			q.want_total = 1;
			if (record_list(st, &sys, resources[i], &q, each, NULL, &next, &total, &e))
				abort();
			free(next);
		} else if (rc != E_INVAL || !e.nfields) {
			abort();
		}
		list_query_release(&q);
	}
	free(s);
	return 0;
}
