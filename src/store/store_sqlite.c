/*
 * store_sqlite.c — the SQLite implementation of store.h.
 */
#include "store.h"

#include <pthread.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "migrations.h"

#define CACHE_SLOTS 256

struct stmt {
	sqlite3_stmt *sq;
	struct store *st;
	const char *sql;   /* the cache key (owned copy) */
	unsigned hash;
	int row;
	int borrowed; /* between store_prepare() and stmt_done(): never evicted */
	unsigned long long used; /* for LRU eviction */
};

struct store {
	sqlite3 *db;
	char *path;
	int depth; /* open transactions: 1 = BEGIN, more = savepoints */
	int flat;  /* store_flat(): nested levels are not savepoints */
	int doomed; /* flat: a nested level rolled back */
	unsigned long long tick;
	struct stmt cache[CACHE_SLOTS];
};

static _Thread_local double db_seconds;

double store_take_db_seconds(void)
{
	double v = db_seconds;

	db_seconds = 0;
	return v;
}

static int sqlite_fail(struct store *st, struct err *e, int rc, const char *what)
{
	int ext = sqlite3_extended_errcode(st->db);
	const char *msg = sqlite3_errmsg(st->db);

	(void)rc;
	if ((ext & 0xff) == SQLITE_CONSTRAINT) {
		if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
			return fail(e, E_CONFLICT, "the record is linked to other records");
		return fail(e, E_CONFLICT, "%s", msg);
	}
	/* the write was refused whole (the transaction rolls back): say so, and
	 * that a retry may work once there is room, or the file is writable */
	if ((ext & 0xff) == SQLITE_FULL) {
		log_error("store: %s: %s (%d)", what, msg, ext);
		return fail(e, E_FULL, "the disk is full: nothing was stored");
	}
	if ((ext & 0xff) == SQLITE_READONLY) {
		log_error("store: %s: %s (%d)", what, msg, ext);
		if (e)
			e->retry_after = 60;
		return fail(e, E_UNAVAILABLE, "the database cannot be written now: nothing was stored");
	}
	log_error("store: %s: %s (%d)", what, msg, ext);
	if ((ext & 0xff) == SQLITE_BUSY)
		return fail(e, E_INTERNAL, "the database is busy; try again");
	return fail(e, E_INTERNAL, "database error");
}

/* Once per process, before any connection: no global memory statistics
 * (they take a mutex on every allocation). */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, int flags, struct store **out, struct err *e)
{
	struct store *st;
	int oflags = SQLITE_OPEN_NOMUTEX, rc;

	*out = NULL;
	pthread_once(&config_once, configure);
	if (flags & STORE_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE | ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
	st = calloc(1, sizeof(*st));
	if (!st)
		return fail(e, E_INTERNAL, "out of memory");
	st->path = strdup(path);
	rc = sqlite3_open_v2(path, &st->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		rc = fail(e, E_IO, "cannot open database %s: %s", path,
			  st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return rc;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 10000);
	rc = store_exec(st,
			"PRAGMA journal_mode=WAL;"
			"PRAGMA synchronous=FULL;"
			"PRAGMA foreign_keys=ON;"
			"PRAGMA temp_store=MEMORY;"
			"PRAGMA cache_size=-65536;"
			"PRAGMA mmap_size=1073741824;",
			e);
	if (rc) {
		store_close(st);
		return rc;
	}
	*out = st;
	return OK;
}

void store_close(struct store *st)
{
	int i;

	if (!st)
		return;
	for (i = 0; i < CACHE_SLOTS; i++) {
		if (st->cache[i].sq)
			sqlite3_finalize(st->cache[i].sq);
		free((char *)st->cache[i].sql);
	}
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

const char *store_path(const struct store *st)
{
	return st->path;
}

static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void thread_close(void *p)
{
	store_close(p);
}

static void thread_key_make(void)
{
	pthread_key_create(&thread_key, thread_close);
}

int store_for_thread(const char *path, struct store **out, struct err *e)
{
	struct store *st;
	int rc;

	pthread_once(&thread_once, thread_key_make);
	st = pthread_getspecific(thread_key);
	if (st && !strcmp(st->path, path)) {
		*out = st;
		return OK;
	}
	if (st) {
		store_close(st);
		pthread_setspecific(thread_key, NULL);
	}
	rc = store_open(path, 0, &st, e);
	if (rc)
		return rc;
	pthread_setspecific(thread_key, st);
	*out = st;
	return OK;
}

int store_exec(struct store *st, const char *sql, struct err *e)
{
	char *msg = NULL;
	double t0 = time_mono();
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	db_seconds += time_mono() - t0;
	if (rc != SQLITE_OK) {
		rc = sqlite_fail(st, e, rc, msg ? msg : "exec");
		sqlite3_free(msg);
		return rc;
	}
	return OK;
}

int store_begin(struct store *st, struct err *e)
{
	char sql[32];
	int rc;

	if (st->depth == 0) {
		rc = store_exec(st, "BEGIN IMMEDIATE", e);
		st->doomed = 0;
	} else if (st->flat) {
		rc = OK;
	} else {
		snprintf(sql, sizeof(sql), "SAVEPOINT s%d", st->depth);
		rc = store_exec(st, sql, e);
	}
	if (!rc)
		st->depth++;
	return rc;
}

int store_commit(struct store *st, struct err *e)
{
	char sql[32];
	int rc;

	if (st->depth == 0)
		return fail(e, E_INTERNAL, "commit without a transaction");
	if (st->depth > 1 && st->flat) {
		st->depth--;
		return OK;
	}
	if (st->depth == 1 && st->doomed) {
		store_rollback(st);
		return fail(e, E_CONFLICT, "part of the transaction failed; nothing was written");
	}
	if (st->depth == 1)
		snprintf(sql, sizeof(sql), "COMMIT");
	else
		snprintf(sql, sizeof(sql), "RELEASE s%d", st->depth - 1);
	rc = store_exec(st, sql, e);
	if (rc) {
		store_rollback(st);
		return rc;
	}
	st->depth--;
	return OK;
}

void store_rollback(struct store *st)
{
	char sql[64];

	if (st->depth <= 1) {
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		st->depth = 0;
		st->doomed = 0;
		return;
	}
	st->depth--;
	if (st->flat) {
		st->doomed = 1;
		return;
	}
	snprintf(sql, sizeof(sql), "ROLLBACK TO s%d; RELEASE s%d", st->depth, st->depth);
	sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

void store_flat(struct store *st, int flat)
{
	st->flat = flat;
}

static unsigned hash_str(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct stmt *store_prepare(struct store *st, const char *sql, struct err *e)
{
	unsigned h = hash_str(sql);
	struct stmt *slot = NULL, *victim = NULL;
	int i, rc;

	/* Open addressing over a small table; evict the least recently used
	 * when every probe position is taken. */
	for (i = 0; i < 8; i++) {
		struct stmt *s = &st->cache[(h + (unsigned)i) % CACHE_SLOTS];

		if (s->sq && s->hash == h && !strcmp(s->sql, sql)) {
			s->used = ++st->tick;
			s->borrowed = 1;
			return s;
		}
		if (!s->sq && !slot)
			slot = s;
		/* a statement still in use (a caller stepping through its rows
		 * while it prepares others) must not be swapped under it */
		if (!s->borrowed && (!victim || s->used < victim->used))
			victim = s;
	}
	if (!slot) {
		if (!victim) {
			fail(e, E_INTERNAL, "too many statements in use at once");
			return NULL;
		}
		slot = victim;
		sqlite3_finalize(slot->sq);
		free((char *)slot->sql);
		memset(slot, 0, sizeof(*slot));
	}
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->sq, NULL);
	if (rc != SQLITE_OK) {
		sqlite_fail(st, e, rc, sql);
		slot->sq = NULL;
		return NULL;
	}
	slot->sql = strdup(sql);
	slot->hash = h;
	slot->st = st;
	slot->row = 0;
	slot->borrowed = 1;
	slot->used = ++st->tick;
	return slot;
}

static struct stmt *prepare_bound(struct store *st, struct err *e, const char *sql,
				  const char *types, va_list ap)
{
	struct stmt *s = store_prepare(st, sql, e);
	int i;

	if (!s)
		return NULL;
	for (i = 0; types[i]; i++) {
		if (types[i] == 'i')
			stmt_bind_int(s, i + 1, va_arg(ap, long long));
		else
			stmt_bind_text(s, i + 1, va_arg(ap, const char *));
	}
	return s;
}

int store_run(struct store *st, struct err *e, const char *sql, const char *types, ...)
{
	struct stmt *s;
	va_list ap;
	int rc;

	va_start(ap, types);
	s = prepare_bound(st, e, sql, types, ap);
	va_end(ap);
	if (!s)
		return E_INTERNAL;
	rc = stmt_step(s, e);
	stmt_done(s);
	return rc;
}

int store_int(struct store *st, long long *out, int *found, struct err *e, const char *sql,
	      const char *types, ...)
{
	struct stmt *s;
	va_list ap;
	int rc;

	va_start(ap, types);
	s = prepare_bound(st, e, sql, types, ap);
	va_end(ap);
	*out = 0;
	if (found)
		*found = 0;
	if (!s)
		return E_INTERNAL;
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		*out = stmt_int(s, 0);
		if (found)
			*found = 1;
	}
	stmt_done(s);
	return rc;
}

void stmt_done(struct stmt *s)
{
	if (!s || !s->sq)
		return;
	sqlite3_reset(s->sq);
	sqlite3_clear_bindings(s->sq);
	s->row = 0;
	s->borrowed = 0;
}

void stmt_bind_int(struct stmt *s, int i, long long v)
{
	sqlite3_bind_int64(s->sq, i, v);
}

void stmt_bind_double(struct stmt *s, int i, double v)
{
	sqlite3_bind_double(s->sq, i, v);
}

void stmt_bind_text(struct stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s->sq, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s->sq, i);
}

void stmt_bind_blob(struct stmt *s, int i, const void *p, int n)
{
	sqlite3_bind_blob(s->sq, i, p, n, SQLITE_TRANSIENT);
}

void stmt_bind_null(struct stmt *s, int i)
{
	sqlite3_bind_null(s->sq, i);
}

void stmt_bind_named(struct stmt *s, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(s->sq, name);

	if (i > 0)
		stmt_bind_text(s, i, v);
}

void stmt_bind_named_int(struct stmt *s, const char *name, long long v)
{
	int i = sqlite3_bind_parameter_index(s->sq, name);

	if (i > 0)
		stmt_bind_int(s, i, v);
}

int stmt_param_count(struct stmt *s)
{
	return sqlite3_bind_parameter_count(s->sq);
}

int stmt_step(struct stmt *s, struct err *e)
{
	double t0 = time_mono();
	int rc = sqlite3_step(s->sq);

	db_seconds += time_mono() - t0;
	if (rc == SQLITE_ROW) {
		s->row = 1;
		return OK;
	}
	s->row = 0;
	if (rc == SQLITE_DONE)
		return OK;
	return sqlite_fail(s->st, e, rc, sqlite3_sql(s->sq));
}

int stmt_row(const struct stmt *s)
{
	return s->row;
}

int stmt_null(struct stmt *s, int col)
{
	return sqlite3_column_type(s->sq, col) == SQLITE_NULL;
}

long long stmt_int(struct stmt *s, int col)
{
	return sqlite3_column_int64(s->sq, col);
}

double stmt_double(struct stmt *s, int col)
{
	return sqlite3_column_double(s->sq, col);
}

const char *stmt_text(struct stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s->sq, col);
}

int stmt_columns(struct stmt *s)
{
	return sqlite3_column_count(s->sq);
}

const char *stmt_column_name(struct stmt *s, int col)
{
	return sqlite3_column_name(s->sq, col);
}

long long store_last_id(struct store *st)
{
	return sqlite3_last_insert_rowid(st->db);
}

long long store_changes(struct store *st)
{
	return sqlite3_changes64(st->db);
}

int store_optimize(struct store *st, struct err *e)
{
	sqlite3_stmt *q;
	int have = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'",
			       -1, &q, NULL) == SQLITE_OK) {
		have = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_finalize(q);
	}
	if (!have)
		return store_exec(st, "ANALYZE", e);
	/* an index a migration added since the last ANALYZE has no statistics,
	 * and PRAGMA optimize does not look at it: the planner then guesses ten
	 * rows a key and may walk it where another index is far better (a
	 * manager's deals by close date: 2 → 210 ms, bench/lists.sh) */
	if (sqlite3_prepare_v2(st->db,
			       "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
			       "AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL) "
			       "AND EXISTS (SELECT 1 FROM sqlite_stat1 s WHERE s.tbl = tbl_name)",
			       -1, &q, NULL) == SQLITE_OK) {
		char sql[256];
		int rc = OK;

		while (!rc && sqlite3_step(q) == SQLITE_ROW) {
			snprintf(sql, sizeof(sql), "ANALYZE \"%s\"",
				 (const char *)sqlite3_column_text(q, 0));
			rc = store_exec(st, sql, e);
		}
		sqlite3_finalize(q);
		if (rc)
			return rc;
	}
	return store_exec(st, "PRAGMA optimize", e);
}

int store_schema_version(struct store *st)
{
	sqlite3_stmt *q;
	int v = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT max(version) FROM schema_migrations", -1, &q,
			       NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Is migration `version` recorded as applied? */
static int applied(struct store *st, int version, int *yes, struct err *e)
{
	struct stmt *s = store_prepare(st, "SELECT 1 FROM schema_migrations WHERE version = ?", e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, version);
	rc = stmt_step(s, e);
	*yes = stmt_row(s);
	stmt_done(s);
	return rc;
}

int store_migrate(struct store *st, struct err *e)
{
	int rc, i, done;
	char ts[TIME_ISO_LEN];
	struct stmt *s;

	rc = store_exec(st,
			"CREATE TABLE IF NOT EXISTS schema_migrations ("
			" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
			e);
	if (rc)
		return rc;
	/* each one not yet recorded, in order: a migration merged late (a lower
	 * number than one already applied) is still applied */
	for (i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];

		rc = applied(st, m->version, &done, e);
		if (rc)
			return rc;
		if (done)
			continue;
		rc = store_begin(st, e);
		if (rc)
			return rc;
		rc = store_exec(st, m->sql, e);
		if (rc) {
			log_error("migration %03d_%s failed: %s", m->version, m->name,
				  e ? e->msg : "");
			goto fail;
		}
		s = store_prepare(st, "INSERT INTO schema_migrations VALUES (?, ?, ?)", e);
		if (!s) {
			rc = E_INTERNAL;
			goto fail;
		}
		time_iso(time(NULL), ts);
		stmt_bind_int(s, 1, m->version);
		stmt_bind_text(s, 2, m->name);
		stmt_bind_text(s, 3, ts);
		rc = stmt_step(s, e);
		stmt_done(s);
		if (rc)
			goto fail;
		rc = store_commit(st, e);
		if (rc)
			goto fail;
		log_info("applied migration %03d_%s", m->version, m->name);
	}
	return OK;
fail:
	store_rollback(st);
	return rc;
}

int store_backup(struct store *st, const char *dest,
		 void (*progress)(void *ctx, long long done, long long total), void *ctx,
		 struct err *e)
{
	sqlite3 *out = NULL;
	sqlite3_backup *b;
	struct stat sb;
	int rc;

	if (stat(dest, &sb) == 0)
		return fail(e, E_CONFLICT, "%s already exists; refusing to overwrite it", dest);
	rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		rc = fail(e, E_IO, "cannot create %s: %s", dest,
			  out ? sqlite3_errmsg(out) : "out of memory");
		sqlite3_close(out);
		return rc;
	}
	b = sqlite3_backup_init(out, "main", st->db, "main");
	if (!b) {
		rc = fail(e, E_IO, "cannot start backup: %s", sqlite3_errmsg(out));
		goto out;
	}
	/* Copy in steps so writers are not blocked for long; a write between
	 * steps makes SQLite restart the copy, so the result is consistent. */
	do {
		rc = sqlite3_backup_step(b, 1024);
		if (progress)
			progress(ctx, sqlite3_backup_pagecount(b) - sqlite3_backup_remaining(b),
				 sqlite3_backup_pagecount(b));
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		rc = fail(e, E_IO, "backup failed: %s", sqlite3_errmsg(out));
		goto out;
	}
	rc = OK;
out:
	sqlite3_close(out);
	if (rc)
		unlink(dest);
	return rc;
}
