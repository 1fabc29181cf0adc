/*
 * test_analytics.c — a property test of the analytics index (src/crm/
 * analytics.h) and the funnel report over it (src/crm/insight/funnel.h).
 *
 * On a temporary database, random writes go through the domain, as the API
 * makes them: opportunities created, changed (amount, probability, owner,
 * channel, currency), moved through the stages with a manager's override
 * (forward, back, won, lost), deleted; an account's industry and an owner's
 * territory and team changed.  The clock (FUNNEL_NOW) advances a random
 * while between writes, so the stage history spreads over months, and stops
 * on the window's edges to move deals exactly there.  After
 * each batch:
 *   1. the index kept current from the change feed equals one built from
 *      scratch (analytics_compare), and their reports are the same text;
 *   2. every figure of the report grouped by owner equals the same figure
 *      computed by SQL straight from opportunities and stage_history:
 *      open count / amount / weighted per owner and stage, entries, exits,
 *      conversion, time-in-stage count, median and p90, won and lost;
 *   3. as of random past instants, every deal's stage, amount, close_date
 *      and forecast_category read from the index (the stage history and the
 *      field pool, for forecasts) equal what SQL finds in stage_history and
 *      history.
 * Seeded and reproducible: FUNNEL_TEST_SEED picks another seed; a failure
 * prints the seed and the batch.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the project's headers first: cmocka defines a fail() macro that would
 * clash with err.h's fail() declaration */
#include "core/log.h"
#include "core/timeutil.h"
#include "crm/insight/analytics.h"
#include "crm/insight/funnel.h"
#include "crm/records/record.h"
#include "crm/records/resources.h"
#include "crm/records/user.h"

#include <cmocka.h>

#define NUSERS 4
#define NACCOUNTS 6
#define NSTAGES 8
#define BATCHES 25
#define OPS 24

static const char *const keys[NSTAGES] = {"prequalification", "qualification", "presentation",
					  "proposal", "negotiation", "conversion",
					  "payment_collected", "lost"};
static const char *const industries[] = {"Retail", "Banking", "Energy"};
static const char *const territories[] = {"North", "South"};

static struct world {
	char path[64];
	struct store *st;
	struct principal sys;
	long long teams[2], users[NUSERS], accounts[NACCOUNTS];
	long long *opps;
	int nopps, capopps;
	uint64_t rng;
	time_t now;
	unsigned long long seed;
	int batch, on_edge;
} W;

/* --- helpers ------------------------------------------------------------- */

static uint32_t rnd(void)
{
	/* xorshift64* */
	W.rng ^= W.rng >> 12;
	W.rng ^= W.rng << 25;
	W.rng ^= W.rng >> 27;
	return (uint32_t)((W.rng * 2685821657736338717ULL) >> 32);
}

static int rnd_n(int n)
{
	return (int)(rnd() % (uint32_t)n);
}

static void tick(void)
{
	char iso[TIME_ISO_LEN];

	/* minutes to days, about 150 days in all; now and then the same second
	 * twice (ties in the history's order) */
	static const time_t edges[] = {1769904000, 1769904000, 1777593599, 1777593599,
				       1777593600};
	static int next_edge;
	time_t was = W.now;

	W.now += rnd_n(4) == 0 ? 0 : rnd_n(10) == 0 ? 86400LL * (1 + rnd_n(4)) : 60 + rnd_n(43200);
	/* land on the window's edges (2026-02-01T00:00:00Z twice, 04-30T23:59:59Z,
	 * 05-01T00:00:00Z): writes exactly there */
	W.on_edge = next_edge < 5 && W.now >= edges[next_edge] && was <= edges[next_edge];
	if (W.on_edge)
		W.now = edges[next_edge++];
	time_iso(W.now, iso);
	setenv("FUNNEL_NOW", iso, 1);
}

static json_t *J(const char *fmt, ...)
{
	char text[2048], *c;
	json_error_t je;
	json_t *j;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (c = text; *c; c++)
		if (*c == '\'')
			*c = '"';
	j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		fail_msg("bad test JSON %s: %s", text, je.text);
	return j;
}

static void die(const char *what, const struct err *e)
{
	int i;

	print_error("seed %llu, batch %d: %s: %d %s\n", W.seed, W.batch, what, e->code, e->msg);
	for (i = 0; i < e->nfields; i++)
		print_error("  %s: %s\n", e->fields[i].field, e->fields[i].message);
	fail_msg("%s failed", what);
}

static long long create(const struct resource *r, json_t *body)
{
	struct record out;
	struct err e;
	long long id;

	err_clear(&e);
	if (record_create(W.st, &W.sys, r, body, 0, &out, &e))
		die(r->singular, &e);
	json_decref(body);
	id = out.id;
	record_release(&out);
	return id;
}

static void update(const struct resource *r, long long id, json_t *body, int override)
{
	struct write_opts o = {override, "property test"};
	struct record out;
	struct err e;
	int rc;

	err_clear(&e);
	rc = record_update_opts(W.st, &W.sys, r, id, body, -1, &o, &out, &e);
	json_decref(body);
	record_release(&out);
	if (rc)
		die("update", &e);
}

static void exec_sql(const char *sql)
{
	struct err e;

	err_clear(&e);
	if (store_exec(W.st, sql, &e))
		die(sql, &e);
}

/* --- the world ----------------------------------------------------------- */

static int setup(void **state)
{
	struct err e;
	const char *s = getenv("FUNNEL_TEST_SEED");
	int i, fd;

	(void)state;
	log_min_level = LOG_WARN;
	W.seed = s ? strtoull(s, NULL, 10) : 20261122ULL;
	W.rng = W.seed * 0x9E3779B97F4A7C15ULL + 1;
	snprintf(W.path, sizeof(W.path), "/tmp/funnel-analytics-XXXXXX");
	fd = mkstemp(W.path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(W.path);
	err_clear(&e);
	if (store_open(W.path, STORE_CREATE, &W.st, &e) || store_migrate(W.st, &e))
		return -1;
	principal_system(&W.sys);
	W.now = 1767225600; /* 2026-01-01 */
	tick();
	W.teams[0] = create(&team_resource, J("{'name':'Sales'}"));
	W.teams[1] = create(&team_resource, J("{'name':'East','parent_id':%lld}", W.teams[0]));
	for (i = 0; i < NUSERS; i++)
		W.users[i] = create(&user_resource,
				    J("{'email':'u%d@test.funnel','name':'User %d','role':'rep',"
				      "'team_id':%lld,'territory':'%s','password':'correct horse battery'}",
				      i, i, W.teams[i % 2], territories[i % 2]));
	for (i = 0; i < NACCOUNTS; i++)
		W.accounts[i] = create(&account_resource,
				       J("{'name':'Account %d','owner_id':%lld,'industry':'%s'}", i,
					 W.users[i % NUSERS], industries[i % 3]));
	return 0;
}

static int teardown(void **state)
{
	char p[80];

	(void)state;
	store_close(W.st);
	unlink(W.path);
	snprintf(p, sizeof(p), "%s-wal", W.path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", W.path);
	unlink(p);
	free(W.opps);
	unsetenv("FUNNEL_NOW");
	return 0;
}

/* --- random writes --------------------------------------------------------- */

static void op_create(void)
{
	static const char *const ch[] = {"'field'", "'web'", "'partner'", "null"};
	long long id = create(&opportunity_resource,
			      J("{'name':'Deal','account_id':%lld,'owner_id':%lld,'amount':'%d.%02d',"
				"'currency':'%s','close_date':'2026-09-30','channel':%s}",
				W.accounts[rnd_n(NACCOUNTS)], W.users[rnd_n(NUSERS)],
				rnd_n(100000), rnd_n(100), rnd_n(5) ? "EUR" : "USD", ch[rnd_n(4)]));

	if (W.nopps == W.capopps) {
		W.capopps = W.capopps ? W.capopps * 2 : 64;
		W.opps = realloc(W.opps, (size_t)W.capopps * sizeof(*W.opps));
		assert_non_null(W.opps);
	}
	W.opps[W.nopps++] = id;
}

static void op_move(long long id)
{
	const char *to = keys[rnd_n(NSTAGES)];

	if (!strcmp(to, "lost"))
		update(&opportunity_resource, id, J("{'stage':'lost','lost_reason':'price'}"), 1);
	else
		update(&opportunity_resource, id, J("{'stage':'%s'}", to), 1);
}

static void op_random(void)
{
	int k = rnd_n(100), i = W.nopps ? rnd_n(W.nopps) : 0;
	long long id = W.nopps ? W.opps[i] : 0;

	tick();
	if (W.on_edge && W.nopps) {
		op_move(id); /* entries and exits exactly on the edge */
	} else if (!W.nopps || k < 25) {
		op_create();
	} else if (k < 70) {
		op_move(id);
	} else if (k < 76) {
		update(&opportunity_resource, id,
		       J("{'amount':'%d.%02d','probability':%d}", rnd_n(50000), rnd_n(100),
			 rnd_n(101)), 0);
	} else if (k < 78) {
		static const char *const cats[] = {"'pipeline'", "'best_case'", "'commit'",
						   "'omitted'", "null"};

		update(&opportunity_resource, id,
		       J("{'close_date':'2026-%02d-%02d','forecast_category':%s}", 1 + rnd_n(12),
			 1 + rnd_n(28), cats[rnd_n(5)]), 0);
	} else if (k < 83) {
		update(&opportunity_resource, id, J("{'owner_id':%lld}", W.users[rnd_n(NUSERS)]), 0);
	} else if (k < 86) {
		update(&opportunity_resource, id,
		       J("{'channel':'%s'}", channel_choices[rnd_n(5)]), 0);
	} else if (k < 88) {
		update(&opportunity_resource, id,
		       J("{'currency':'%s','amount':'10.00'}", rnd_n(2) ? "EUR" : "USD"), 0);
	} else if (k < 92) {
		struct err e;

		err_clear(&e);
		if (record_delete(W.st, &W.sys, &opportunity_resource, id, -1, &e))
			die("delete", &e);
		W.opps[i] = W.opps[--W.nopps];
	} else if (k < 95) {
		update(&account_resource, W.accounts[rnd_n(NACCOUNTS)],
		       J("{'industry':'%s'}", industries[rnd_n(3)]), 0);
	} else if (k < 97) {
		update(&user_resource, W.users[rnd_n(NUSERS)],
		       J("{'territory':'%s'}", rnd_n(3) ? territories[rnd_n(2)] : "West"), 0);
	} else {
		update(&user_resource, W.users[rnd_n(NUSERS)],
		       J("{'team_id':%lld}", W.teams[rnd_n(2)]), 0);
	}
}

/* --- the report and SQL ------------------------------------------------------ */

#define WINDOW_FROM "2026-02-01"
#define WINDOW_TO "2026-04-30"
#define T_FROM "2026-02-01T00:00:00Z"
#define T_TO "2026-04-30T23:59:59Z"

static char *report(struct analytics *a, const char *group_by, int threads)
{
	struct kv params[4] = {{"from", WINDOW_FROM}, {"to", WINDOW_TO}, {"currency", "EUR"},
			       {"group_by", group_by}};
	struct funnel_query q;
	struct buf b = BUF_INIT;
	struct jw w;
	struct err e;

	err_clear(&e);
	if (funnel_parse(params, group_by ? 4 : 3, W.now, &q, &e))
		die("funnel_parse", &e);
	q.threads = threads;
	jw_init(&w, &b);
	if (funnel_report(a, W.st, &W.sys, &q, &w, &e))
		die("funnel_report", &e);
	assert_false(b.failed);
	return buf_detach(&b, NULL);
}

/* What SQL says for one owner and stage. */
struct expect {
	long long open_count, open_amount, weighted100, entries, exits, conv_num, conv_den;
	long long nstays;
	long long stays[512];
};

static struct expect X[NUSERS][NSTAGES];
static long long won[NUSERS], lost[NUSERS];

static int user_index(long long id)
{
	int i;

	for (i = 0; i < NUSERS; i++)
		if (W.users[i] == id)
			return i;
	fail_msg("unknown owner %lld", id);
	return -1;
}

static int stage_index(const char *key)
{
	int i;

	for (i = 0; i < NSTAGES; i++)
		if (!strcmp(keys[i], key))
			return i;
	fail_msg("unknown stage %s", key);
	return -1;
}

/* Run sql; call row() for each result row. */
static void each_row(const char *sql, void (*row)(struct stmt *s))
{
	struct err e;
	struct stmt *s;
	int rc;

	err_clear(&e);
	s = store_prepare(W.st, sql, &e);
	if (!s)
		die(sql, &e);
	while (!(rc = stmt_step(s, &e)) && stmt_row(s))
		row(s);
	stmt_done(s);
	if (rc)
		die(sql, &e);
}

static void row_open(struct stmt *s)
{
	struct expect *x = &X[user_index(stmt_int(s, 0))][stage_index(stmt_text(s, 1))];

	x->open_count = stmt_int(s, 2);
	x->open_amount = stmt_int(s, 3);
	x->weighted100 = stmt_int(s, 4);
}

static void row_entries(struct stmt *s)
{
	X[user_index(stmt_int(s, 0))][stage_index(stmt_text(s, 1))].entries = stmt_int(s, 2);
}

static void row_stay(struct stmt *s)
{
	struct expect *x = &X[user_index(stmt_int(s, 0))][stage_index(stmt_text(s, 1))];

	x->exits++;
	assert_true(x->nstays < 512);
	x->stays[x->nstays++] = stmt_int(s, 2);
}

static void row_conv(struct stmt *s)
{
	struct expect *x = &X[user_index(stmt_int(s, 0))][stage_index(stmt_text(s, 1))];

	x->conv_den = stmt_int(s, 2);
	x->conv_num = stmt_int(s, 3);
}

static void row_closed(struct stmt *s)
{
	int u = user_index(stmt_int(s, 0));

	if (!strcmp(stmt_text(s, 1), "won"))
		won[u] = stmt_int(s, 2);
	else
		lost[u] = stmt_int(s, 2);
}

static void sql_expectations(void)
{
	memset(X, 0, sizeof(X));
	memset(won, 0, sizeof(won));
	memset(lost, 0, sizeof(lost));
	each_row("SELECT owner_id, stage, count(*), "
		 "coalesce(sum(CASE WHEN currency = 'EUR' THEN amount END), 0), "
		 "coalesce(sum(CASE WHEN currency = 'EUR' THEN amount * probability END), 0) "
		 "FROM opportunities WHERE pipeline_id = 1 AND status = 'open' GROUP BY 1, 2",
		 row_open);
	each_row("SELECT o.owner_id, h.stage, count(*) FROM stage_history h "
		 "JOIN opportunities o ON o.id = h.opportunity_id WHERE o.pipeline_id = 1 "
		 "AND h.entered_at BETWEEN '" T_FROM "' AND '" T_TO "' GROUP BY 1, 2",
		 row_entries);
	each_row("SELECT o.owner_id, h.stage, "
		 "CAST(strftime('%s', h.exited_at) AS INTEGER) - "
		 "CAST(strftime('%s', h.entered_at) AS INTEGER) FROM stage_history h "
		 "JOIN opportunities o ON o.id = h.opportunity_id WHERE o.pipeline_id = 1 "
		 "AND h.exited_at BETWEEN '" T_FROM "' AND '" T_TO "'",
		 row_stay);
	/* conversion: each deal's first entry into a stage in the window (by
	 * entered_at, then id), and whether a later row (same order) is at a
	 * later position in a section other than lost */
	each_row("WITH f AS (SELECT h.opportunity_id, h.stage, h.entered_at, h.id, "
		 "  row_number() OVER (PARTITION BY h.opportunity_id, h.stage "
		 "    ORDER BY h.entered_at, h.id) AS n "
		 "  FROM stage_history h WHERE h.entered_at BETWEEN '" T_FROM "' AND '" T_TO "') "
		 "SELECT o.owner_id, f.stage, count(*), sum(EXISTS ("
		 "  SELECT 1 FROM stage_history l JOIN stages sl ON sl.pipeline_id = 1 "
		 "    AND sl.key = l.stage "
		 "  WHERE l.opportunity_id = f.opportunity_id "
		 "    AND (l.entered_at, l.id) > (f.entered_at, f.id) AND sl.section <> 'lost' "
		 "    AND sl.position > (SELECT position FROM stages WHERE pipeline_id = 1 "
		 "      AND key = f.stage))) "
		 "FROM f JOIN opportunities o ON o.id = f.opportunity_id "
		 "WHERE f.n = 1 AND o.pipeline_id = 1 GROUP BY 1, 2",
		 row_conv);
	each_row("SELECT owner_id, status, count(*) FROM opportunities WHERE pipeline_id = 1 "
		 "AND status <> 'open' AND closed_at BETWEEN '" T_FROM "' AND '" T_TO "' "
		 "GROUP BY 1, 2",
		 row_closed);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int close_to(double got, double want)
{
	return fabs(got - want) <= 1e-9 * fabs(want) + 1e-12;
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (!v)
		fail_msg("no member %s", k);
	return json_number_value(v);
}

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			print_error("seed %llu, batch %d: ", W.seed, W.batch);             \
			fail_msg(__VA_ARGS__);                                             \
		}                                                                          \
	} while (0)

static void check_against_sql(const char *text)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je), *groups, *g, *stages, *s;
	size_t i, j;
	int seen[NUSERS] = {0}, u, k;

	assert_non_null(doc);
	sql_expectations();
	groups = json_object_get(doc, "groups");
	json_array_foreach(groups, i, g) {
		u = user_index((long long)json_integer_value(json_object_get(g, "id")));
		seen[u] = 1;
		CHECK((long long)num(g, "won_count") == won[u], "owner %d won", u);
		CHECK((long long)num(g, "lost_count") == lost[u], "owner %d lost", u);
		stages = json_object_get(g, "stages");
		CHECK(json_array_size(stages) == NSTAGES, "stages listed");
		json_array_foreach(stages, j, s) {
			struct expect *x;
			json_t *conv = json_object_get(s, "conversion"),
			       *tis = json_object_get(s, "time_in_stage");

			k = stage_index(json_string_value(json_object_get(s, "key")));
			x = &X[u][k];
			CHECK((long long)num(s, "open_count") == x->open_count, "owner %d %s open",
			      u, keys[k]);
			/* money as minor units: amounts are below 2^53 / 100 here */
			CHECK(llround(num(s, "open_amount") * 100) == x->open_amount,
			      "owner %d %s open_amount %.2f vs %lld", u, keys[k],
			      num(s, "open_amount"), x->open_amount);
			CHECK(llround(num(s, "weighted_amount") * 100) ==
				      (x->weighted100 * 2 + 100) / 200,
			      "owner %d %s weighted", u, keys[k]);
			CHECK((long long)num(s, "entries") == x->entries, "owner %d %s entries %lld "
			      "vs %lld", u, keys[k], (long long)num(s, "entries"), x->entries);
			CHECK((long long)num(s, "exits") == x->exits, "owner %d %s exits %lld vs %lld",
			      u, keys[k], (long long)num(s, "exits"), x->exits);
			CHECK((long long)num(conv, "denominator") == x->conv_den &&
				      (long long)num(conv, "numerator") == x->conv_num,
			      "owner %d %s conversion %lld/%lld vs %lld/%lld", u, keys[k],
			      (long long)num(conv, "numerator"), (long long)num(conv, "denominator"),
			      x->conv_num, x->conv_den);
			CHECK((long long)num(tis, "count") == x->nstays, "owner %d %s stays", u,
			      keys[k]);
			if (x->nstays) {
				long long n = x->nstays, p90;
				double med;

				qsort(x->stays, (size_t)n, sizeof(long long), cmp_ll);
				med = n % 2 ? (double)x->stays[n / 2]
					    : (x->stays[n / 2 - 1] + x->stays[n / 2]) / 2.0;
				p90 = x->stays[(9 * n + 9) / 10 - 1];
				/* days are printed with 10 significant digits */
				CHECK(close_to(num(tis, "median_days"), med / 86400),
				      "owner %d %s median %.9f vs %.9f", u, keys[k],
				      num(tis, "median_days"), med / 86400);
				CHECK(close_to(num(tis, "p90_days"), p90 / 86400.0),
				      "owner %d %s p90", u, keys[k]);
			} else {
				CHECK(json_is_null(json_object_get(tis, "median_days")), "no median");
			}
		}
	}
	/* every owner with something to show is there */
	for (u = 0; u < NUSERS; u++)
		for (k = 0; k < NSTAGES; k++)
			CHECK(seen[u] || (!X[u][k].open_count && !X[u][k].entries && !X[u][k].exits),
			      "owner %d missing", u);
	json_decref(doc);
}

/* As of instant t, slot i of `a` against SQL: the stage (the last stage row
 * entered before t) and the value of each kept field (the old value of the
 * first change at or after t, else the current one). */
static void check_as_of_deal(const struct analytics *a, size_t i, time_t t)
{
	char iso[TIME_ISO_LEN], sql[2048];
	struct stmt *s;
	struct err e;
	long r = analytics_stage_before(a, i, (uint32_t)t);
	int64_t v;
	int f;

	time_iso(t, iso);
	err_clear(&e);
	s = store_prepare(W.st,
			  "SELECT stage FROM stage_history WHERE opportunity_id = ? AND entered_at < ? "
			  "ORDER BY entered_at DESC, id DESC LIMIT 1",
			  &e);
	assert_non_null(s);
	stmt_bind_int(s, 1, a->id[i]);
	stmt_bind_text(s, 2, iso);
	assert_int_equal(stmt_step(s, &e), OK);
	CHECK(stmt_row(s) == (r >= 0), "deal %u at %s: a stage row or not", a->id[i], iso);
	if (r >= 0)
		CHECK(!strcmp(stmt_text(s, 0), a->keys.s[a->hstage[r]]), "deal %u at %s: stage %s vs %s",
		      a->id[i], iso, stmt_text(s, 0), a->keys.s[a->hstage[r]]);
	stmt_done(s);
	for (f = 0; f < AN_NFIELDS; f++) {
		static const char *const names[] = {"amount", "close_date", "forecast_category"};
		static const char *const expr[] = {
			"CAST(round(CAST(%s AS REAL) * 100) AS INTEGER)",
			"CAST(julianday(%s) - 2440587.5 AS INTEGER)",
			"coalesce((SELECT n FROM (SELECT 'pipeline' AS k, 0 AS n UNION ALL SELECT "
			"'best_case', 1 UNION ALL SELECT 'commit', 2 UNION ALL SELECT 'closed', 3 "
			"UNION ALL SELECT 'omitted', 4) WHERE k = %s), 255)"};
		char e1[512], e2[512];
		int64_t want;

		snprintf(e1, sizeof(e1), expr[f], "h.old");
		snprintf(e2, sizeof(e2), expr[f], f == 0 ? "o.amount / 100.0" : f == 1 ? "o.close_date"
										    : "o.forecast_category");
		snprintf(sql, sizeof(sql),
			 "SELECT coalesce((SELECT %s FROM history h WHERE h.resource = 'opportunities' "
			 "AND h.record_id = o.id AND h.field = '%s' AND h.at >= ? ORDER BY h.at, h.id "
			 "LIMIT 1), %s) FROM opportunities o WHERE o.id = ?",
			 e1, names[f], e2);
		s = store_prepare(W.st, sql, &e);
		assert_non_null(s);
		stmt_bind_text(s, 1, iso);
		stmt_bind_int(s, 2, a->id[i]);
		assert_int_equal(stmt_step(s, &e), OK);
		assert_true(stmt_row(s));
		want = stmt_int(s, 0);
		stmt_done(s);
		if (analytics_field_before(a, i, f, (uint32_t)t, &v) != 1)
			v = f == AN_F_AMOUNT ? a->amount[i] : f == AN_F_CLOSE ? a->close_day[i]
									     : a->fcat[i];
		CHECK(v == want, "deal %u at %s: %s %lld vs %lld from SQL", a->id[i], iso, names[f],
		      (long long)v, (long long)want);
	}
}

static void check_as_of(const struct analytics *a)
{
	size_t i;
	int k;

	for (k = 0; k < 6; k++) {
		/* from the first write to now; and exactly when a change was made */
		time_t t = 1767225600 + (time_t)(rnd() % (uint32_t)(W.now - 1767225600 + 2));

		if (k % 2) {
			struct stmt *s;
			struct err e;

			err_clear(&e);
			s = store_prepare(W.st,
					  k == 1 ? "SELECT at FROM history WHERE resource = 'opportunities' "
						   "AND field IN ('amount', 'close_date', "
						   "'forecast_category') ORDER BY id LIMIT 1 OFFSET ?"
						 : "SELECT entered_at FROM stage_history ORDER BY id "
						   "LIMIT 1 OFFSET ?",
					  &e);
			assert_non_null(s);
			stmt_bind_int(s, 1, rnd_n(200));
			assert_int_equal(stmt_step(s, &e), OK);
			if (stmt_row(s))
				time_parse_iso(stmt_text(s, 0), &t);
			stmt_done(s);
		}

		for (i = 0; i < a->n; i++)
			if (a->status[i] != AN_DEAD)
				check_as_of_deal(a, i, t);
	}
}

/* --- the property ------------------------------------------------------------- */

static void index_matches_scratch_and_sql(void **state)
{
	static const char *const groupings[] = {NULL, "owner", "team", "channel", "territory",
						"industry", "pipeline"};
	struct analytics *live, *fresh;
	struct err e;
	char why[256];
	int b, i, g;

	(void)state;
	err_clear(&e);
	/* enough deals for several zone blocks, so two threads share the work */
	for (i = 0; i < 3 * ANALYTICS_BLOCK; i++) {
		if (i % 8 == 0)
			tick();
		op_create();
	}
	if (analytics_build(W.st, &live, &e))
		die("analytics_build", &e);
	for (b = 0; b < BATCHES; b++) {
		W.batch = b;
		for (i = 0; i < OPS; i++)
			op_random();
		if (b == BATCHES / 2)
			analytics_compact(live);
		if (analytics_refresh(live, W.st, &e))
			die("analytics_refresh", &e);
		if (analytics_build(W.st, &fresh, &e))
			die("analytics_build", &e);
		CHECK(analytics_compare(live, fresh, why, sizeof(why)) == 0,
		      "live index differs from a fresh one: %s", why);
		CHECK(live->seq == fresh->seq, "seq %lld vs %lld", live->seq, fresh->seq);
		for (g = 0; g < (int)(sizeof(groupings) / sizeof(groupings[0])); g++) {
			/* two threads on the live index, one on the fresh: the
			 * split and the merge change nothing */
			char *x = report(live, groupings[g], 2), *y = report(fresh, groupings[g], 1);

			CHECK(!strcmp(x, y), "reports by %s differ:\n%s\n%s",
			      groupings[g] ? groupings[g] : "none", x, y);
			if (g == 1)
				check_against_sql(x);
			free(x);
			free(y);
		}
		check_as_of(live);
		analytics_free(fresh);
	}
	/* the feed was used, not a rebuild: the live index saw every seq */
	CHECK(W.nopps > 50, "enough deals (%d)", W.nopps);
	analytics_free(live);
}

/* A change written by another connection (another process, for the
 * database) shows after a refresh; nothing changed costs no rebuild. */
static void feed_sees_other_connections(void **state)
{
	struct analytics *a;
	struct store *other;
	struct err e;
	long long before;
	char sql[256];
	long slot;

	(void)state;
	err_clear(&e);
	if (analytics_build(W.st, &a, &e))
		die("analytics_build", &e);
	before = a->seq;
	assert_int_equal(analytics_refresh(a, W.st, &e), OK);
	assert_true(a->seq == before);
	assert_int_equal(store_open(W.path, 0, &other, &e), OK);
	assert_true(W.nopps > 0);
	snprintf(sql, sizeof(sql), "UPDATE opportunities SET amount = 4242 WHERE id = %lld",
		 W.opps[0]);
	assert_int_equal(store_exec(other, sql, &e), OK);
	store_close(other);
	assert_int_equal(analytics_refresh(a, W.st, &e), OK);
	assert_true(a->seq > before);
	slot = analytics_slot(a, W.opps[0]);
	assert_true(slot >= 0);
	assert_true(a->amount[slot] == 4242);
	/* pruned past what we saw: the gap is noticed and the index rebuilt */
	exec_sql("UPDATE opportunities SET amount = 4343 WHERE id IN (SELECT id FROM "
		 "opportunities ORDER BY id LIMIT 1)");
	exec_sql("DELETE FROM change_log");
	exec_sql("UPDATE opportunities SET amount = amount WHERE id IN (SELECT id FROM "
		 "opportunities ORDER BY id DESC LIMIT 1)");
	assert_int_equal(analytics_refresh(a, W.st, &e), OK);
	assert_true(a->amount[0] == 4343); /* rebuilt: slot 0 is the lowest id */
	{
		struct analytics *fresh;
		char why[256];

		assert_int_equal(analytics_build(W.st, &fresh, &e), OK);
		CHECK(analytics_compare(a, fresh, why, sizeof(why)) == 0, "after a gap: %s", why);
		analytics_free(fresh);
	}
	analytics_free(a);
}

/* The memory the layout promises: ~60 bytes a deal with 4 stage rows. */
static void bytes_per_deal(void **state)
{
	struct analytics *a;
	struct err e;
	size_t fixed, bytes;

	(void)state;
	err_clear(&e);
	assert_int_equal(analytics_build(W.st, &a, &e), OK);
	/* the funnel's part: the per-deal columns, the rows at 5 bytes, and
	 * the slack of the build */
	bytes = analytics_bytes(a) - analytics_forecast_bytes(a);
	fixed = bytes - (a->cap * 39 + a->hcap * 5);
	assert_true(fixed < 200000);
	assert_true(a->hlen == 0 || a->hcap - a->hlen <= 4096);
	/* the forecast's: 7 bytes a deal and the field pool */
	assert_true(analytics_forecast_bytes(a) == a->cap * 7 + a->fpcap);
	assert_true(a->fpcap - a->fplen <= 65536 + a->fplen / 2);
	analytics_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(index_matches_scratch_and_sql),
		cmocka_unit_test(feed_sees_other_connections),
		cmocka_unit_test(bytes_per_deal),
	};

	return cmocka_run_group_tests_name("analytics", tests, setup, teardown);
}
