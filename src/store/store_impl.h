/*
 * store_impl.h — what a backend of store.h provides (private to src/store).
 *
 * store.c holds everything the backends share: choosing one by the --db
 * value, the connection per thread, transactions as BEGIN + SAVEPOINTs, the
 * one-shot helpers, migrations and the time spent in the database.  A backend
 * (store_sqlite.c, store_pg.c) fills a `struct store_ops` with the rest: open,
 * exec, prepare, bind, step, columns.  Its connection struct starts with a
 * `struct store` and its statement struct with a `struct stmt`, so store.c
 * can reach the shared fields and the backend casts back to its own.
 */
#ifndef FUNNEL_STORE_IMPL_H
#define FUNNEL_STORE_IMPL_H

#include "store.h"

struct store_ops {
	const char *name; /* "sqlite", "postgresql" */
	int (*open)(const char *path, int flags, struct store **out, struct err *e);
	void (*close)(struct store *st);
	int (*exec)(struct store *st, const char *sql, struct err *e);
	const char *begin_sql;       /* starts the outermost transaction */
	void (*rollback_all)(struct store *st); /* ROLLBACK if one is open */
	struct stmt *(*prepare)(struct store *st, const char *sql, struct err *e);
	void (*done)(struct stmt *s);
	void (*bind_int)(struct stmt *s, int i, long long v);
	void (*bind_double)(struct stmt *s, int i, double v);
	void (*bind_text)(struct stmt *s, int i, const char *v);
	void (*bind_blob)(struct stmt *s, int i, const void *p, int n);
	void (*bind_null)(struct stmt *s, int i);
	int (*param_index)(struct stmt *s, const char *name); /* 0: none */
	int (*param_count)(struct stmt *s);
	int (*step)(struct stmt *s, struct err *e); /* sets s->row */
	int (*null)(struct stmt *s, int col);
	long long (*col_int)(struct stmt *s, int col);
	double (*col_double)(struct stmt *s, int col);
	const char *(*col_text)(struct stmt *s, int col);
	int (*columns)(struct stmt *s);
	const char *(*column_name)(struct stmt *s, int col);
	long long (*last_id)(struct store *st);
	long long (*changes)(struct store *st);
	int (*ids_taken)(struct store *st, const char *table, struct err *e);
	int (*optimize)(struct store *st, struct err *e);
	int (*backup)(struct store *st, const char *dest,
		      void (*progress)(void *ctx, long long done, long long total), void *ctx,
		      struct err *e);
};

struct store {
	const struct store_ops *ops;
	char *path;
	int depth;  /* open transactions: 1 = BEGIN, more = savepoints */
	int flat;   /* store_flat(): nested levels are not savepoints */
	int doomed; /* flat: a nested level rolled back */
	int raw;    /* store_exec() runs the text as written (a migration) */
};

struct stmt {
	const struct store_ops *ops;
	struct store *st;
	int row;
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

#endif
