/*
 * store.c — the backend-neutral half of store.h: which backend a --db value
 * names, one connection per thread, transactions, one-shot statements and
 * migrations.  The backends are store_sqlite.c and store_pg.c
 * (store_impl.h says what each provides).
 */
#include "store_impl.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "migrations.h"

static _Thread_local double db_seconds;

double store_take_db_seconds(void)
{
	double v = db_seconds;

	db_seconds = 0;
	return v;
}

int store_is_server(const char *path)
{
	return path && (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11));
}

const char *store_backend(const struct store *st)
{
	return st->ops->name;
}

int store_open(const char *path, int flags, struct store **out, struct err *e)
{
	const struct store_ops *ops = store_is_server(path) ? &store_pg_ops : &store_sqlite_ops;
	int rc;

	*out = NULL;
	rc = ops->open(path, flags, out, e);
	if (rc)
		return rc;
	(*out)->ops = ops;
	(*out)->path = strdup(path);
	if (!(*out)->path) {
		store_close(*out);
		*out = NULL;
		return fail(e, E_INTERNAL, "out of memory");
	}
	return OK;
}

void store_close(struct store *st)
{
	char *path;

	if (!st)
		return;
	path = st->path;
	st->ops->close(st);
	free(path);
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
	double t0 = time_mono();
	int rc = st->ops->exec(st, sql, e);

	db_seconds += time_mono() - t0;
	return rc;
}

int store_begin(struct store *st, struct err *e)
{
	char sql[32];
	int rc;

	if (st->depth == 0) {
		rc = store_exec(st, st->ops->begin_sql, e);
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
		st->ops->rollback_all(st);
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
	st->ops->exec(st, sql, NULL);
}

void store_flat(struct store *st, int flat)
{
	st->flat = flat;
}

struct stmt *store_prepare(struct store *st, const char *sql, struct err *e)
{
	return st->ops->prepare(st, sql, e);
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
	if (s)
		s->ops->done(s);
}

void stmt_bind_int(struct stmt *s, int i, long long v)
{
	s->ops->bind_int(s, i, v);
}

void stmt_bind_double(struct stmt *s, int i, double v)
{
	s->ops->bind_double(s, i, v);
}

void stmt_bind_text(struct stmt *s, int i, const char *v)
{
	s->ops->bind_text(s, i, v);
}

void stmt_bind_blob(struct stmt *s, int i, const void *p, int n)
{
	s->ops->bind_blob(s, i, p, n);
}

void stmt_bind_null(struct stmt *s, int i)
{
	s->ops->bind_null(s, i);
}

void stmt_bind_named(struct stmt *s, const char *name, const char *v)
{
	int i = s->ops->param_index(s, name);

	if (i > 0)
		stmt_bind_text(s, i, v);
}

void stmt_bind_named_int(struct stmt *s, const char *name, long long v)
{
	int i = s->ops->param_index(s, name);

	if (i > 0)
		stmt_bind_int(s, i, v);
}

int stmt_param_count(struct stmt *s)
{
	return s->ops->param_count(s);
}

int stmt_step(struct stmt *s, struct err *e)
{
	double t0 = time_mono();
	int rc = s->ops->step(s, e);

	db_seconds += time_mono() - t0;
	return rc;
}

int stmt_row(const struct stmt *s)
{
	return s->row;
}

int stmt_null(struct stmt *s, int col)
{
	return s->ops->null(s, col);
}

long long stmt_int(struct stmt *s, int col)
{
	return s->ops->col_int(s, col);
}

double stmt_double(struct stmt *s, int col)
{
	return s->ops->col_double(s, col);
}

const char *stmt_text(struct stmt *s, int col)
{
	return s->ops->col_text(s, col);
}

int stmt_columns(struct stmt *s)
{
	return s->ops->columns(s);
}

const char *stmt_column_name(struct stmt *s, int col)
{
	return s->ops->column_name(s, col);
}

long long store_last_id(struct store *st)
{
	return st->ops->last_id(st);
}

long long store_changes(struct store *st)
{
	return st->ops->changes(st);
}

int store_ids_taken(struct store *st, const char *table, struct err *e)
{
	return st->ops->ids_taken ? st->ops->ids_taken(st, table, e) : OK;
}

int store_optimize(struct store *st, struct err *e)
{
	return st->ops->optimize(st, e);
}

int store_backup(struct store *st, const char *dest,
		 void (*progress)(void *ctx, long long done, long long total), void *ctx,
		 struct err *e)
{
	return st->ops->backup(st, dest, progress, ctx, e);
}

int store_schema_version(struct store *st)
{
	long long v = 0;

	/* no table yet (a new database): version 0, no error to report */
	if (store_int(st, &v, NULL, NULL,
		      "SELECT coalesce(max(version), 0) FROM schema_migrations", ""))
		return 0;
	return (int)v;
}

/* Is migration `version` recorded as applied? */
static int applied(struct store *st, int version, int *yes, struct err *e)
{
	long long one;

	return store_int(st, &one, yes, e, "SELECT 1 FROM schema_migrations WHERE version = ?",
			 "i", (long long)version);
}

int store_migrate(struct store *st, struct err *e)
{
	int pg = st->ops == &store_pg_ops, rc, i, done;
	char ts[TIME_ISO_LEN];

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
		/* several servers migrating one PostgreSQL database at once: the
		 * first takes the lock, the others wait and then find it applied */
		if (pg) {
			rc = store_exec(st, "LOCK TABLE schema_migrations IN EXCLUSIVE MODE", e);
			if (rc)
				goto fail;
			rc = applied(st, m->version, &done, e);
			if (rc)
				goto fail;
			if (done) {
				rc = store_commit(st, e);
				if (rc)
					goto fail;
				continue;
			}
		}
		st->raw = 1; /* the backend's own dialect: no translation */
		rc = store_exec(st, pg && m->sql_pg ? m->sql_pg : m->sql, e);
		st->raw = 0;
		if (rc) {
			log_error("migration %03d_%s failed: %s", m->version, m->name,
				  e ? e->msg : "");
			goto fail;
		}
		time_iso(time(NULL), ts);
		rc = store_run(st, e, "INSERT INTO schema_migrations VALUES (?, ?, ?)", "itt",
			       (long long)m->version, m->name, ts);
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
