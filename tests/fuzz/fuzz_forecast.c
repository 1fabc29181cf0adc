/*
 * fuzz_forecast.c — a query string against forecast_parse() (GET
 * /api/v1/forecast), then forecast_compute() with what it accepted.
 *
 * The input is split on '&' into pairs and each pair on its first '=' (a
 * pair without '=' has a NULL value).  Properties:
 *   - forecast_parse answers OK exactly when it reported no field problem,
 *     else E_INVAL with at least one;
 *   - an accepted query is whole: a valid period with from < to, as_of not
 *     after "now", iterations and top in range, a scope with what it needs
 *     (an id for user, team and pipeline; a channel for channel; nothing
 *     else);
 *   - forecast_compute on an empty database (its analytics index built once)
 *     answers OK, or E_NOTFOUND for a user, team or pipeline that does not
 *     exist, and writes valid JSON.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "fuzz_kv.h"
#include "crm/insight/analytics.h"
#include "crm/forecast/forecast.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAIRS 32
#define NOW 1795363200 /* 2026-11-22 */

static struct store *st;
static struct principal sys;
static struct analytics *an;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_min_level = LOG_ERROR;
	if (store_open(":memory:", STORE_CREATE, &st, NULL) || store_migrate(st, NULL) ||
	    analytics_build(st, &an, NULL))
		abort();
	principal_system(&sys);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kv kv[MAX_PAIRS];
	struct fc_query q;
	struct fc_result r;
	struct buf b = BUF_INIT;
	struct jw w;
	struct err e;
	uint32_t from, to;
	json_t *doc;
	char *s;
	int n = 0, rc;

	s = fuzz_kv(data, size, kv, MAX_PAIRS, &n);
	if (!s)
		return 0;
	err_clear(&e);
	rc = forecast_parse(kv, n, NOW, &q, &e);
	if (rc != OK) {
		if (rc != E_INVAL || !e.nfields)
			abort();
		free(s);
		return 0;
	}
	if (e.nfields || forecast_period(q.period, &from, &to) || from != q.from || to != q.to ||
	    from >= to || q.as_of > NOW || q.iterations < 100 ||
	    q.iterations > FC_MAX_ITERATIONS || q.top < -1 || q.top > FC_MAX_TOP)
		abort();
	switch (q.scope.kind) {
	case FS_USER:
	case FS_TEAM:
	case FS_PIPELINE:
		if (q.scope.id <= 0 || q.scope.channel[0])
			abort();
		break;
	case FS_CHANNEL:
		if (q.scope.id || !q.scope.channel[0])
			abort();
		break;
	default:
		if (q.scope.id || q.scope.channel[0])
			abort();
	}
	/* keep a run short: the sampler's cost is not what is fuzzed */
	q.iterations = 100;
	jw_init(&w, &b);
	err_clear(&e);
	rc = forecast_compute(an, st, &sys, &q, &r, &w, &e);
	if (rc == OK) {
		doc = json_loadb(b.data, b.len, 0, NULL);
		if (b.failed || !doc)
			abort();
		json_decref(doc);
	} else if (!(rc == E_NOTFOUND && q.scope.kind != FS_COMPANY &&
		     q.scope.kind != FS_CHANNEL)) {
		abort();
	}
	buf_release(&b);
	free(s);
	return 0;
}
