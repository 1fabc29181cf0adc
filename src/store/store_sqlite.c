/*
 * store_sqlite.c — the SQLite backend of store.h (store_impl.h): the
 * embedded default, chosen for any --db value that is not a
 * postgresql:// URI.
 */
#include "store_impl.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

#define CACHE_SLOTS 256

struct sq_stmt {
	struct stmt base;
	sqlite3_stmt *sq;
	const char *sql;   /* the cache key (owned copy) */
	unsigned hash;
	int borrowed; /* between store_prepare() and stmt_done(): never evicted */
	unsigned long long used; /* for LRU eviction */
};

struct sq_store {
	struct store base;
	sqlite3 *db;
	unsigned long long tick;
	struct sq_stmt cache[CACHE_SLOTS];
};

#define SQ(st) ((struct sq_store *)(st))
#define SQS(s) ((struct sq_stmt *)(s))

static int sq_exec(struct store *st, const char *sql, struct err *e);
static void sq_close(struct store *st);

static int sqlite_fail(struct sq_store *st, struct err *e, int rc, const char *what)
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
	/* WAL needs the -wal and -shm files beside the database: a directory
	 * or file system that is read-only stops it here, say which */
	if ((ext & 0xff) == SQLITE_CANTOPEN) {
		const char *file = sqlite3_db_filename(st->db, "main");
		const char *slash = file ? strrchr(file, '/') : NULL;
		char dir[4096];

		if (slash && snprintf(dir, sizeof(dir), "%.*s", slash == file ? 1 : (int)(slash - file),
				      file) < (int)sizeof(dir)) {
			if (access(dir, W_OK))
				return fail(e, E_IO, "cannot write beside %s (WAL keeps its -wal and "
					    "-shm files there): %s", file, strerror(errno));
		}
	}
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

static int sq_open(const char *path, int flags, struct store **out, struct err *e)
{
	struct sq_store *st;
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
	rc = sqlite3_open_v2(path, &st->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		rc = fail(e, E_IO, "cannot open database %s: %s", path,
			  st->db ? sqlite3_errmsg(st->db) : "out of memory");
		sq_close(&st->base);
		return rc;
	}
	/* SQLite opens a write-protected file read-only, and its -wal and -shm
	 * files with the same mode: reads go on, writes answer 503 (see
	 * sqlite_fail) until the files are writable and the server restarts */
	if (!(flags & STORE_READONLY) && sqlite3_db_readonly(st->db, "main") == 1)
		log_warn("store: %s is write-protected: opened read-only, writes are refused", path);
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 10000);
	rc = sq_exec(&st->base,
		     "PRAGMA journal_mode=WAL;"
		     "PRAGMA synchronous=FULL;"
		     "PRAGMA foreign_keys=ON;"
		     "PRAGMA temp_store=MEMORY;"
		     "PRAGMA cache_size=-65536;"
		     "PRAGMA mmap_size=1073741824;",
		     e);
	if (rc) {
		sq_close(&st->base);
		return rc;
	}
	*out = &st->base;
	return OK;
}

static void sq_close(struct store *base)
{
	struct sq_store *st = SQ(base);
	int i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		if (st->cache[i].sq)
			sqlite3_finalize(st->cache[i].sq);
		free((char *)st->cache[i].sql);
	}
	sqlite3_close_v2(st->db);
	free(st);
}

static int sq_exec(struct store *base, const char *sql, struct err *e)
{
	struct sq_store *st = SQ(base);
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		rc = sqlite_fail(st, e, rc, msg ? msg : "exec");
		sqlite3_free(msg);
		return rc;
	}
	return OK;
}

static void sq_rollback_all(struct store *base)
{
	struct sq_store *st = SQ(base);

	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static unsigned hash_str(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct stmt *sq_prepare(struct store *base, const char *sql, struct err *e)
{
	struct sq_store *st = SQ(base);
	unsigned h = hash_str(sql);
	struct sq_stmt *slot = NULL, *victim = NULL;
	int i, rc;

	/* Open addressing over a small table; evict the least recently used
	 * when every probe position is taken. */
	for (i = 0; i < 8; i++) {
		struct sq_stmt *s = &st->cache[(h + (unsigned)i) % CACHE_SLOTS];

		if (s->sq && s->hash == h && !strcmp(s->sql, sql)) {
			s->used = ++st->tick;
			s->borrowed = 1;
			return &s->base;
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
	slot->base.ops = &store_sqlite_ops;
	slot->base.st = base;
	slot->base.row = 0;
	slot->borrowed = 1;
	slot->used = ++st->tick;
	return &slot->base;
}

static void sq_done(struct stmt *base)
{
	struct sq_stmt *s = SQS(base);

	if (!s->sq)
		return;
	sqlite3_reset(s->sq);
	sqlite3_clear_bindings(s->sq);
	s->base.row = 0;
	s->borrowed = 0;
}

static void sq_bind_int(struct stmt *s, int i, long long v)
{
	sqlite3_bind_int64(SQS(s)->sq, i, v);
}

static void sq_bind_double(struct stmt *s, int i, double v)
{
	sqlite3_bind_double(SQS(s)->sq, i, v);
}

static void sq_bind_text(struct stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(SQS(s)->sq, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(SQS(s)->sq, i);
}

static void sq_bind_blob(struct stmt *s, int i, const void *p, int n)
{
	sqlite3_bind_blob(SQS(s)->sq, i, p, n, SQLITE_TRANSIENT);
}

static void sq_bind_null(struct stmt *s, int i)
{
	sqlite3_bind_null(SQS(s)->sq, i);
}

static int sq_param_index(struct stmt *s, const char *name)
{
	return sqlite3_bind_parameter_index(SQS(s)->sq, name);
}

static int sq_param_count(struct stmt *s)
{
	return sqlite3_bind_parameter_count(SQS(s)->sq);
}

static int sq_step(struct stmt *base, struct err *e)
{
	struct sq_stmt *s = SQS(base);
	int rc = sqlite3_step(s->sq);

	if (rc == SQLITE_ROW) {
		base->row = 1;
		return OK;
	}
	base->row = 0;
	if (rc == SQLITE_DONE)
		return OK;
	return sqlite_fail(SQ(base->st), e, rc, sqlite3_sql(s->sq));
}

static int sq_null(struct stmt *s, int col)
{
	return sqlite3_column_type(SQS(s)->sq, col) == SQLITE_NULL;
}

static long long sq_col_int(struct stmt *s, int col)
{
	return sqlite3_column_int64(SQS(s)->sq, col);
}

static double sq_col_double(struct stmt *s, int col)
{
	return sqlite3_column_double(SQS(s)->sq, col);
}

static const char *sq_col_text(struct stmt *s, int col)
{
	return (const char *)sqlite3_column_text(SQS(s)->sq, col);
}

static int sq_columns(struct stmt *s)
{
	return sqlite3_column_count(SQS(s)->sq);
}

static const char *sq_column_name(struct stmt *s, int col)
{
	return sqlite3_column_name(SQS(s)->sq, col);
}

static long long sq_last_id(struct store *st)
{
	return sqlite3_last_insert_rowid(SQ(st)->db);
}

static long long sq_changes(struct store *st)
{
	return sqlite3_changes64(SQ(st)->db);
}

static int sq_optimize(struct store *base, struct err *e)
{
	struct sq_store *st = SQ(base);
	sqlite3_stmt *q;
	int have = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'",
			       -1, &q, NULL) == SQLITE_OK) {
		have = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_finalize(q);
	}
	if (!have)
		return sq_exec(base, "ANALYZE", e);
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
			rc = sq_exec(base, sql, e);
		}
		sqlite3_finalize(q);
		if (rc)
			return rc;
	}
	return sq_exec(base, "PRAGMA optimize", e);
}

static int sq_backup(struct store *base, const char *dest,
		     void (*progress)(void *ctx, long long done, long long total), void *ctx,
		     struct err *e)
{
	struct sq_store *st = SQ(base);
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

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.begin_sql = "BEGIN IMMEDIATE",
	.rollback_all = sq_rollback_all,
	.prepare = sq_prepare,
	.done = sq_done,
	.bind_int = sq_bind_int,
	.bind_double = sq_bind_double,
	.bind_text = sq_bind_text,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.param_index = sq_param_index,
	.param_count = sq_param_count,
	.step = sq_step,
	.null = sq_null,
	.col_int = sq_col_int,
	.col_double = sq_col_double,
	.col_text = sq_col_text,
	.columns = sq_columns,
	.column_name = sq_column_name,
	.last_id = sq_last_id,
	.changes = sq_changes,
	.optimize = sq_optimize,
	.backup = sq_backup,
};
