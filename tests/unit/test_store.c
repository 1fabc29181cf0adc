/*
 * test_store.c — the store over a real SQLite file: migrations, nested
 * transactions, the statement cache under eviction, constraint mapping and
 * online backup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the project's headers first: cmocka defines a fail() macro that would
 * clash with err.h's fail() declaration */
#include "core/log.h"
#include "store/store.h"

#include <cmocka.h>

struct fixture {
	char path[64];
	struct store *st;
};

static void remove_db(const char *path)
{
	char side[256];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e;
	int fd;

	log_min_level = LOG_ERROR;
	err_clear(&e);
	snprintf(f->path, sizeof(f->path), "/tmp/funnel-unit-store-XXXXXX");
	fd = mkstemp(f->path);
	if (fd < 0)
		return -1;
	close(fd);
	if (store_open(f->path, STORE_CREATE, &f->st, &e) || store_migrate(f->st, &e) ||
	    store_exec(f->st, "CREATE TABLE t (x INTEGER NOT NULL UNIQUE, note TEXT)", &e)) {
		print_error("setup: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	remove_db(f->path);
	free(f);
	return 0;
}

static void insert(struct store *st, long long x)
{
	struct err e;
	struct stmt *s;

	err_clear(&e);
	s = store_prepare(st, "INSERT INTO t (x) VALUES (?)", &e);
	assert_non_null(s);
	stmt_bind_int(s, 1, x);
	assert_int_equal(stmt_step(s, &e), OK);
	stmt_done(s);
}

/* The values of t as "1,2,3". */
static void rows_are(struct store *st, const char *want)
{
	char got[256] = "";
	size_t n = 0;
	struct stmt *s = store_prepare(st, "SELECT x FROM t ORDER BY x", NULL);

	assert_non_null(s);
	while (!stmt_step(s, NULL) && stmt_row(s))
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%lld", n ? "," : "",
				      stmt_int(s, 0));
	stmt_done(s);
	assert_string_equal(got, want);
}

static void test_migrate(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct stmt *s;

	err_clear(&e);
	assert_true(store_schema_version(f->st) >= 1);
	assert_string_equal(store_path(f->st), f->path);
	/* migrating again applies nothing and fails nothing */
	assert_int_equal(store_migrate(f->st, &e), OK);
	/* the seeded default pipeline is there */
	s = store_prepare(f->st, "SELECT count(*) FROM pipelines WHERE is_default = 1", &e);
	assert_non_null(s);
	assert_int_equal(stmt_step(s, &e), OK);
	assert_true(stmt_row(s));
	assert_int_equal(stmt_int(s, 0), 1);
	stmt_done(s);
}

static void test_nested_inner_rollback(void **state)
{
	struct fixture *f = *state;
	struct err e;

	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), OK);
	insert(f->st, 1);
	assert_int_equal(store_begin(f->st, &e), OK); /* a savepoint */
	insert(f->st, 2);
	rows_are(f->st, "1,2");
	store_rollback(f->st);
	rows_are(f->st, "1");
	insert(f->st, 3); /* the outer transaction goes on */
	assert_int_equal(store_commit(f->st, &e), OK);
	rows_are(f->st, "1,3");
	/* no transaction is left open: a rollback now changes nothing */
	store_rollback(f->st);
	rows_are(f->st, "1,3");
}

static void test_nested_outer_rollback(void **state)
{
	struct fixture *f = *state;
	struct err e;

	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), OK);
	insert(f->st, 10);
	assert_int_equal(store_begin(f->st, &e), OK);
	insert(f->st, 20);
	assert_int_equal(store_begin(f->st, &e), OK);
	insert(f->st, 30);
	assert_int_equal(store_commit(f->st, &e), OK);
	assert_int_equal(store_commit(f->st, &e), OK); /* inner levels released */
	rows_are(f->st, "10,20,30");
	store_rollback(f->st); /* the outer one discards all */
	rows_are(f->st, "");

	/* three levels, the middle one rolled back */
	assert_int_equal(store_begin(f->st, &e), OK);
	insert(f->st, 1);
	assert_int_equal(store_begin(f->st, &e), OK);
	insert(f->st, 2);
	assert_int_equal(store_begin(f->st, &e), OK);
	insert(f->st, 3);
	assert_int_equal(store_commit(f->st, &e), OK);
	store_rollback(f->st); /* takes 2 and 3 */
	assert_int_equal(store_begin(f->st, &e), OK);
	insert(f->st, 4);
	assert_int_equal(store_commit(f->st, &e), OK);
	assert_int_equal(store_commit(f->st, &e), OK);
	rows_are(f->st, "1,4");
}

static void test_commit_without_begin(void **state)
{
	struct fixture *f = *state;
	struct err e;

	err_clear(&e);
	assert_int_equal(store_commit(f->st, &e), E_INTERNAL);
	assert_non_null(strstr(e.msg, "without a transaction"));
	store_rollback(f->st); /* safe with nothing open */
	/* and the store still works */
	assert_int_equal(store_begin(f->st, &e), OK);
	insert(f->st, 5);
	assert_int_equal(store_commit(f->st, &e), OK);
	rows_are(f->st, "5");
}

static void test_failed_write_inside_savepoint(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct stmt *s;

	err_clear(&e);
	assert_int_equal(store_begin(f->st, &e), OK);
	insert(f->st, 1);
	assert_int_equal(store_begin(f->st, &e), OK);
	insert(f->st, 2);
	s = store_prepare(f->st, "INSERT INTO t (x) VALUES (1)", &e);
	assert_non_null(s);
	assert_int_equal(stmt_step(s, &e), E_CONFLICT);
	stmt_done(s);
	store_rollback(f->st);
	assert_int_equal(store_commit(f->st, &e), OK);
	rows_are(f->st, "1");
}

static void test_constraints(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct stmt *s;

	err_clear(&e);
	insert(f->st, 7);
	/* UNIQUE */
	s = store_prepare(f->st, "INSERT INTO t (x) VALUES (?)", &e);
	assert_non_null(s);
	stmt_bind_int(s, 1, 7);
	assert_int_equal(stmt_step(s, &e), E_CONFLICT);
	assert_int_equal(e.code, E_CONFLICT);
	assert_non_null(strstr(e.msg, "UNIQUE"));
	stmt_done(s);
	/* NOT NULL */
	err_clear(&e);
	s = store_prepare(f->st, "INSERT INTO t (x) VALUES (?)", &e);
	stmt_bind_null(s, 1);
	assert_int_equal(stmt_step(s, &e), E_CONFLICT);
	stmt_done(s);
	/* CHECK (a role the schema does not know) */
	err_clear(&e);
	assert_int_equal(store_exec(f->st,
				    "INSERT INTO users (email, name, role, created_at, updated_at)"
				    " VALUES ('a@b.cd', 'A', 'king', 'x', 'x')",
				    &e),
			 E_CONFLICT);
	/* FOREIGN KEY: a user in a team that does not exist */
	err_clear(&e);
	assert_int_equal(store_exec(f->st,
				    "INSERT INTO users (email, name, role, team_id, created_at,"
				    " updated_at) VALUES ('a@b.cd', 'A', 'rep', 999, 'x', 'x')",
				    &e),
			 E_CONFLICT);
	assert_non_null(strstr(e.msg, "linked"));
	/* the failed writes left nothing behind */
	rows_are(f->st, "7");
	/* malformed SQL is an internal error, not a conflict (and logged: keep
	 * the expected lines out of the test output) */
	log_min_level = (enum log_level)(LOG_ERROR + 1);
	err_clear(&e);
	assert_null(store_prepare(f->st, "SELEC nonsense", &e));
	assert_int_equal(e.code, E_INTERNAL);
	err_clear(&e);
	assert_int_equal(store_exec(f->st, "DROP TABLE no_such_table", &e), E_INTERNAL);
	log_min_level = LOG_ERROR;
}

static void test_columns_and_binding(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct stmt *s;

	err_clear(&e);
	s = store_prepare(f->st, "SELECT ?1 AS a, ?2 AS b, :name AS c, ?4 AS d, NULL AS e", &e);
	assert_non_null(s);
	assert_int_equal(stmt_param_count(s), 4);
	stmt_bind_int(s, 1, -42);
	stmt_bind_text(s, 2, "caf\xc3\xa9");
	stmt_bind_named(s, ":name", "named");
	stmt_bind_named(s, ":absent", "ignored"); /* no such parameter: no-op */
	stmt_bind_double(s, 4, 2.5); /* :name took number 3 */
	assert_int_equal(stmt_step(s, &e), OK);
	assert_true(stmt_row(s));
	assert_int_equal(stmt_columns(s), 5);
	assert_string_equal(stmt_column_name(s, 1), "b");
	assert_int_equal(stmt_int(s, 0), -42);
	assert_string_equal(stmt_text(s, 1), "caf\xc3\xa9");
	assert_string_equal(stmt_text(s, 2), "named");
	assert_true(stmt_double(s, 3) == 2.5);
	assert_true(stmt_null(s, 4));
	assert_null(stmt_text(s, 4));
	assert_false(stmt_null(s, 0));
	assert_int_equal(stmt_step(s, &e), OK);
	assert_false(stmt_row(s));
	stmt_done(s);
	stmt_done(NULL); /* a no-op, for cleanup paths */

	/* stmt_done unbinds: a reused statement starts with nulls */
	s = store_prepare(f->st, "SELECT ?1 AS a, ?2 AS b, :name AS c, ?4 AS d, NULL AS e", &e);
	assert_int_equal(stmt_step(s, &e), OK);
	assert_true(stmt_null(s, 0));
	assert_true(stmt_null(s, 2));
	stmt_done(s);

	/* text NULL binds SQL NULL; blobs */
	s = store_prepare(f->st, "SELECT ? IS NULL, length(?)", &e);
	stmt_bind_text(s, 1, NULL);
	stmt_bind_blob(s, 2, "a\0b", 3);
	assert_int_equal(stmt_step(s, &e), OK);
	assert_int_equal(stmt_int(s, 0), 1);
	assert_int_equal(stmt_int(s, 1), 3);
	stmt_done(s);

	/* store_changes counts the last write */
	insert(f->st, 1);
	insert(f->st, 2);
	assert_int_equal(store_exec(f->st, "UPDATE t SET note = 'n'", &e), OK);
	assert_int_equal(store_changes(f->st), 2);
}

/* A distinct statement per n; returns n * 3 + 1 when stepped. */
static void check_distinct(struct store *st, int n)
{
	char sql[96];
	struct err e;
	struct stmt *s;

	err_clear(&e);
	snprintf(sql, sizeof(sql), "SELECT ? * 3 + 1 AS v%d", n);
	s = store_prepare(st, sql, &e);
	if (!s)
		fail_msg("prepare %d: %s", n, e.msg);
	stmt_bind_int(s, 1, n);
	assert_int_equal(stmt_step(s, &e), OK);
	assert_true(stmt_row(s));
	assert_int_equal(stmt_int(s, 0), n * 3 + 1);
	assert_string_equal(stmt_column_name(s, 0), sql + strlen("SELECT ? * 3 + 1 AS "));
	stmt_done(s);
}

static void test_cache_eviction(void **state)
{
	struct fixture *f = *state;
	struct stmt *a, *b;
	int i, round;

	/* far more distinct SQL strings than the cache has slots (256) */
	for (round = 0; round < 2; round++)
		for (i = 0; i < 1000; i++)
			check_distinct(f->st, i);
	/* evicted ones come back working, in any order */
	for (i = 999; i >= 0; i -= 7)
		check_distinct(f->st, i);
	/* a hot statement is served from the cache */
	a = store_prepare(f->st, "SELECT 1 AS hot", NULL);
	stmt_done(a);
	b = store_prepare(f->st, "SELECT 1 AS hot", NULL);
	assert_ptr_equal(a, b);
	stmt_done(b);
	/* the store still writes and reads */
	insert(f->st, 3);
	rows_are(f->st, "3");
}

/* A statement being stepped is not taken away by other prepares. */
static void test_cache_borrowed_survives(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct stmt *s;
	int i, n = 0;

	err_clear(&e);
	for (i = 1; i <= 5; i++)
		insert(f->st, i);
	s = store_prepare(f->st, "SELECT x FROM t ORDER BY x", &e);
	assert_non_null(s);
	while (!stmt_step(s, &e) && stmt_row(s)) {
		int j;

		assert_int_equal(stmt_int(s, 0), ++n);
		/* a callback that prepares many statements meanwhile */
		for (j = 0; j < 400; j++)
			check_distinct(f->st, n * 1000 + j);
	}
	stmt_done(s);
	assert_int_equal(n, 5);
}

/* The cache's hash (FNV-1a), to build statements that share probe slots. */
static unsigned fnv(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* When every slot a statement could take is in use, prepare says so instead
 * of taking one away; once one is given back, it works again. */
static void test_cache_all_borrowed(void **state)
{
	struct fixture *f = *state;
	char sql[10][64];
	struct stmt *held[9];
	struct err e;
	unsigned want = 0;
	int n = 0, i;

	for (i = 0; n < 10; i++) {
		snprintf(sql[n], sizeof(sql[n]), "SELECT %d AS same_bucket", i);
		if (n == 0)
			want = fnv(sql[0]) % 256;
		if (fnv(sql[n]) % 256 == want)
			n++;
	}
	for (i = 0; i < 8; i++) {
		held[i] = store_prepare(f->st, sql[i], NULL);
		assert_non_null(held[i]);
	}
	err_clear(&e);
	assert_null(store_prepare(f->st, sql[8], &e));
	assert_int_equal(e.code, E_INTERNAL);
	assert_non_null(strstr(e.msg, "in use"));
	/* the held ones are intact */
	for (i = 0; i < 8; i++) {
		assert_int_equal(stmt_step(held[i], NULL), OK);
		assert_int_equal(stmt_int(held[i], 0), atoi(sql[i] + 7));
	}
	stmt_done(held[3]);
	held[8] = store_prepare(f->st, sql[9], &e);
	assert_non_null(held[8]);
	assert_int_equal(stmt_step(held[8], NULL), OK);
	assert_int_equal(stmt_int(held[8], 0), atoi(sql[9] + 7));
	for (i = 0; i < 9; i++)
		stmt_done(held[i]);
	check_distinct(f->st, 1);
}

static long long last_done, last_total;
static int progress_calls;

static void progress(void *ctx, long long done, long long total)
{
	(void)ctx;
	progress_calls++;
	last_done = done;
	last_total = total;
}

static void test_backup(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct store *copy;
	struct stat sb;
	char dest[96];
	int i;

	err_clear(&e);
	for (i = 1; i <= 3; i++)
		insert(f->st, i * 11);
	snprintf(dest, sizeof(dest), "%s.backup", f->path);
	remove_db(dest);
	progress_calls = 0;
	assert_int_equal(store_backup(f->st, dest, progress, NULL, &e), OK);
	assert_true(progress_calls > 0);
	assert_true(last_total > 0);
	assert_int_equal(last_done, last_total);

	/* the copy is a complete database */
	assert_int_equal(store_open(dest, 0, &copy, &e), OK);
	assert_int_equal(store_schema_version(copy), store_schema_version(f->st));
	rows_are(copy, "11,22,33");
	store_close(copy);

	/* never over an existing file, which is left as it was */
	assert_int_equal(stat(dest, &sb), 0);
	insert(f->st, 44);
	err_clear(&e);
	assert_int_equal(store_backup(f->st, dest, NULL, NULL, &e), E_CONFLICT);
	assert_non_null(strstr(e.msg, "already exists"));
	assert_int_equal(store_open(dest, STORE_READONLY, &copy, &e), OK);
	rows_are(copy, "11,22,33");
	store_close(copy);
	remove_db(dest);

	/* a destination that cannot be created */
	err_clear(&e);
	assert_int_equal(store_backup(f->st, "/nonexistent-dir/x.db", NULL, NULL, &e), E_IO);
}

/* store_optimize: the first time a full ANALYZE; later, an index added
 * since (by a migration) gets its statistics before PRAGMA optimize. */
static void test_optimize_new_index(void **state)
{
	struct fixture *f = *state;
	struct err e;
	long long n;
	int found, i;

	err_clear(&e);
	for (i = 1; i <= 300; i++)
		insert(f->st, i);
	assert_int_equal(store_optimize(f->st, &e), OK);
	assert_int_equal(store_int(f->st, &n, &found, &e,
				   "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 't'", ""), OK);
	assert_true(n >= 1);
	assert_int_equal(store_exec(f->st, "CREATE INDEX t_note ON t(note, x)", &e), OK);
	assert_int_equal(store_int(f->st, &n, &found, &e,
				   "SELECT count(*) FROM sqlite_stat1 WHERE idx = 't_note'", ""), OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_optimize(f->st, &e), OK);
	assert_int_equal(store_int(f->st, &n, &found, &e,
				   "SELECT count(*) FROM sqlite_stat1 WHERE idx = 't_note' AND "
				   "stat LIKE '300 %'", ""), OK);
	assert_int_equal(n, 1);
}

static void test_open_errors(void **state)
{
	static int sentinel;
	struct store *st = (struct store *)&sentinel; /* store_open must clear it */
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(store_open("/tmp/funnel-unit-no-such.db", 0, &st, &e), E_IO);
	assert_null(st);
	assert_non_null(strstr(e.msg, "cannot open"));
	err_clear(&e);
	st = (struct store *)&sentinel;
	assert_int_equal(store_open("/nonexistent-dir/x.db", STORE_CREATE, &st, &e), E_IO);
	assert_null(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_optimize_new_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_inner_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_outer_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_without_begin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_inside_savepoint, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_constraints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_columns_and_binding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_borrowed_survives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_all_borrowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
