/*
 * fuzz_backtest.c — a query string against fp_backtest_query() (GET
 * /api/v1/forecast/backtest) on an empty database (a file: the replay opens
 * connections of its own to it), its analytics index built once.
 *
 * The input is split on '&' into pairs and each pair on its first '=' (a
 * pair without '=' has a NULL value).  Properties:
 *   - E_INVAL exactly when a field problem was reported;
 *   - E_NOTFOUND only for a user_id or team_id (none exists);
 *   - OK otherwise, with valid JSON whose "points" is an array.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "fuzz_kv.h"
#include "crm/insight/analytics.h"
#include "crm/forecast/forecast_process.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAIRS 32
#define NOW 1795363200 /* 2026-11-22 */

static struct store *st;
static struct principal sys;
static struct analytics *an;
static char path[64];

static void cleanup(void)
{
	char p[80];

	store_close(st);
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	log_min_level = LOG_ERROR;
	snprintf(path, sizeof(path), "/tmp/fuzz-backtest-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	unlink(path);
	if (store_open(path, STORE_CREATE, &st, NULL) || store_migrate(st, NULL) ||
	    analytics_build(st, &an, NULL))
		abort();
	atexit(cleanup);
	principal_system(&sys);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kv kv[MAX_PAIRS];
	struct buf b = BUF_INIT;
	struct jw w;
	struct err e;
	json_t *doc;
	char *s;
	int n = 0, rc, i, ids = 0;

	s = fuzz_kv(data, size, kv, MAX_PAIRS, &n);
	if (!s)
		return 0;
	for (i = 0; i < n; i++)
		ids |= !strcmp(kv[i].k, "user_id") || !strcmp(kv[i].k, "team_id");
	jw_init(&w, &b);
	err_clear(&e);
	rc = fp_backtest_query(an, st, &sys, kv, n, NOW, &w, &e);
	if ((rc == E_INVAL) != (e.nfields > 0))
		abort();
	if (rc == E_NOTFOUND && !ids)
		abort();
	if (rc == OK) {
		doc = json_loadb(b.data, b.len, 0, NULL);
		if (b.failed || !doc || !json_is_array(json_object_get(doc, "points")))
			abort();
		json_decref(doc);
	} else if (rc != E_INVAL && rc != E_NOTFOUND) {
		abort();
	}
	buf_release(&b);
	free(s);
	return 0;
}
