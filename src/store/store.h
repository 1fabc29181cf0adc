/*
 * store.h — the database behind one small interface.
 *
 * The domain (src/crm) talks to the database only through this file: it
 * prepares SQL with `?` (positional) and `:owners` (named) parameters, binds
 * values, steps through rows and reads columns.  Nothing here is SQLite-
 * specific in its types, so a PostgreSQL backend can implement the same
 * functions (translating placeholders) without touching src/crm.
 *
 * Connections: one `struct store` per thread.  store_for_thread() opens one
 * lazily for the calling thread and closes it when the thread exits.
 * Statements: store_prepare() caches prepared statements per connection,
 * keyed by the SQL text, so the hot paths never re-parse SQL.  A statement is
 * borrowed: call stmt_done() when finished with it (it resets and unbinds);
 * stmt_done(NULL) is a no-op so cleanup paths need no checks.
 *
 * Errors: every function returning int follows err.h.  Constraint violations
 * map to E_CONFLICT, a busy database after the timeout to E_INTERNAL.  On
 * PostgreSQL the same: unique (23505), foreign-key (23503), check and
 * not-null violations to E_CONFLICT; serialization failures and deadlocks
 * (40001, 40P01) to E_INTERNAL "busy; try again", as SQLite's BUSY.
 *
 * Durability: WAL journal with synchronous=FULL, so a committed transaction
 * survives the process being killed (and power loss).
 *
 * Backends: the --db value chooses one.  A file path opens SQLite
 * (store_sqlite.c, the embedded default); a libpq URI, postgresql://... or
 * postgres://..., opens PostgreSQL (store_pg.c, docs/postgresql.md).  The
 * PostgreSQL backend takes the same SQLite-flavoured SQL: it numbers the
 * placeholders ($1...), and translates the few SQLite idioms src/crm uses
 * (INSERT OR IGNORE, json_each of an id list, ...) once per statement, when
 * it is first prepared.  The domain never asks which backend it runs on.
 */
#ifndef FUNNEL_STORE_H
#define FUNNEL_STORE_H

#include "core/err.h"

struct store;
struct stmt;

#define STORE_CREATE 1   /* create the file if missing */
#define STORE_READONLY 2

/* Open `path`; applies pragmas.  *out is NULL on failure. */
int store_open(const char *path, int flags, struct store **out, struct err *e);
void store_close(struct store *st);
const char *store_path(const struct store *st);

/* Does `path` name a database server (a postgresql:// or postgres:// URI)
 * rather than a file?  (A file that does not exist is an error the CLI
 * reports before opening; a server database is created with createdb.) */
int store_is_server(const char *path);
/* "sqlite" or "postgresql". */
const char *store_backend(const struct store *st);

/* The calling thread's connection to `path` (opened on first use). */
int store_for_thread(const char *path, struct store **out, struct err *e);

/* Apply the numbered migrations not yet applied, each in its transaction. */
int store_migrate(struct store *st, struct err *e);
/* Keep the query planner's statistics fresh: a full ANALYZE when there are
 * none yet (after a bulk load), else PRAGMA optimize, which re-analyses only
 * the tables that changed a lot — after analysing any index of an analysed
 * table that has no statistics yet (one a migration added).  Without
 * statistics SQLite sorts all open deals for a 50-row page where an index
 * walk would do. */
int store_optimize(struct store *st, struct err *e);

/* The highest applied migration, or 0. */
int store_schema_version(struct store *st);

/* Write transactions: BEGIN IMMEDIATE, so writers queue up front instead of
 * failing later on a lock upgrade.  When a transaction is already open they
 * nest as SAVEPOINTs, so a domain call is atomic alone and inside a larger
 * one.  store_rollback() undoes the innermost level and is safe to call when
 * no transaction is open. */
int store_begin(struct store *st, struct err *e);
int store_commit(struct store *st, struct err *e);
void store_rollback(struct store *st);

/* Flat mode, for bulk work that is all-or-nothing anyway (an import that
 * rolls back when any row fails): nested begin/commit cost nothing instead
 * of a savepoint each (a savepoint copies every page it touches), and a
 * nested rollback dooms the outer transaction: its commit then fails with
 * E_CONFLICT and rolls back.  Off again with flat = 0. */
void store_flat(struct store *st, int flat);

/* Run SQL with no parameters and no result (may hold several statements). */
int store_exec(struct store *st, const char *sql, struct err *e);

/* One-shot statements, for the many "bind a value or two, step once" cases.
 * `types` names the arguments that follow, one letter each: 'i' long long,
 * 't' const char * (NULL binds null).  store_run() steps once and ignores
 * any row; store_int() puts the first column of the first row in *out and
 * says in *found whether there was a row (*out is 0 when not). */
int store_run(struct store *st, struct err *e, const char *sql, const char *types, ...);
int store_int(struct store *st, long long *out, int *found, struct err *e, const char *sql,
	      const char *types, ...);

/* A cached prepared statement for `sql`, or NULL with `e` set. */
struct stmt *store_prepare(struct store *st, const char *sql, struct err *e);
void stmt_done(struct stmt *s);

/* Binding: `i` is 1-based, as in SQL.  stmt_bind_named() binds `:name` if the
 * statement has it (and does nothing otherwise). */
void stmt_bind_int(struct stmt *s, int i, long long v);
void stmt_bind_double(struct stmt *s, int i, double v);
void stmt_bind_text(struct stmt *s, int i, const char *v); /* NULL binds null */
void stmt_bind_blob(struct stmt *s, int i, const void *p, int n);
void stmt_bind_null(struct stmt *s, int i);
void stmt_bind_named(struct stmt *s, const char *name, const char *v);
void stmt_bind_named_int(struct stmt *s, const char *name, long long v);
int stmt_param_count(struct stmt *s);

/* Advance.  Returns OK or an error; stmt_row() tells whether a row is there. */
int stmt_step(struct stmt *s, struct err *e);
int stmt_row(const struct stmt *s);

/* Columns of the current row, 0-based.  Text stays valid until the next
 * stmt_step() or stmt_done(). */
int stmt_null(struct stmt *s, int col);
long long stmt_int(struct stmt *s, int col);
double stmt_double(struct stmt *s, int col);
const char *stmt_text(struct stmt *s, int col); /* NULL for SQL NULL */
int stmt_columns(struct stmt *s);
const char *stmt_column_name(struct stmt *s, int col);

/* The id of the row the last INSERT on this connection made.  (Cheaper
 * than INSERT ... RETURNING, which builds a temporary table per row.) */
long long store_last_id(struct store *st);

/* Rows were inserted into `table` (NULL: any table) with ids given by the
 * caller (a bulk import, the demo company): the ids the database makes next
 * follow the highest there.  SQLite's AUTOINCREMENT does that by itself (a
 * no-op); PostgreSQL's identity sequences are set forward. */
int store_ids_taken(struct store *st, const char *table, struct err *e);

/* Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
long long store_changes(struct store *st);

/* Online, consistent copy of the database into `dest` (which must not exist).
 * `progress` (may be NULL) is called with pages done and total. */
int store_backup(struct store *st, const char *dest,
		 void (*progress)(void *ctx, long long done, long long total), void *ctx,
		 struct err *e);

/* Seconds this thread has spent inside the database since the last call. */
double store_take_db_seconds(void);

#endif
