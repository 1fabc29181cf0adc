/*
 * store_pg.c — the PostgreSQL backend of store.h (store_impl.h), over libpq.
 * Chosen by a --db value that is a libpq URI (postgresql://... or
 * postgres://...); docs/postgresql.md says how to run it.
 *
 * Statements.  src/crm writes SQL for SQLite: `?`, `?NNN` and `:name`
 * placeholders and a few SQLite idioms.  translate() turns it into
 * PostgreSQL's once, when a statement is first prepared, and the result is
 * cached per connection like SQLite's statements (LRU, keyed by the original
 * text).  The idioms it knows (the whole dialect layer; everything else in
 * src/crm is portable SQL, and functions SQLite has and PostgreSQL lacks —
 * strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), julianday(), json_each(text) — are
 * defined in SQL by 001_init.pg.sql):
 *
 *   INSERT OR IGNORE INTO ...        INSERT INTO ... ON CONFLICT DO NOTHING
 *   x IN (SELECT value FROM json_each(:owners))   ... funnel_ids(:owners)
 *   a LIKE b                         a ILIKE b (SQLite's LIKE ignores ASCII case)
 *   temp.t                           pg_temp.t (the session's temporary tables)
 *   ORDER BY rowid (a temp table)    ORDER BY ctid (its insertion order)
 *   FROM (SELECT ...) with no name   FROM (SELECT ...) AS _q1 (PostgreSQL 15)
 *   WHERE 1                          WHERE true
 *   a IS NOT b (b not NULL)          a IS DISTINCT FROM b
 *   SELECT rowid FROM X WHERE X MATCH :qm   (an FTS5 trigram phrase)
 *                                    SELECT rowid FROM X WHERE X.doc ILIKE
 *                                    funnel_phrase_like(:qm) (X is a view
 *                                    over the record table, pg_trgm-indexed)
 *   PRAGMA ... (store_exec)          ignored: SQLite's tuning knobs
 *
 * Preparing is lazy, at the first step, when the values are bound: first
 * with untyped parameters (PostgreSQL infers each from its context, so an
 * integer bound to a TEXT column is fine, as on SQLite); where it cannot
 * infer one (`? IS NULL`, 42P18) again with the bound values' types.
 *
 * store_last_id(): PostgreSQL has no last_insert_rowid.  An INSERT without
 * its own RETURNING gets " RETURNING id" appended (dropped again when the
 * table has no id column), and the id it returns is remembered.
 *
 * Results are read whole (PQexecPrepared) and stepped through in memory, so
 * a caller may run other statements while it walks the rows, as on SQLite.
 * Values come as text: stmt_int() parses them (booleans 't'/'f' read as
 * 1/0), stmt_text() hands them out as they are (booleans as "1"/"0").
 *
 * Transactions: store.c's BEGIN + SAVEPOINTs as on SQLite, at READ
 * COMMITTED.  On SQLite a failed statement leaves its transaction usable; on
 * PostgreSQL it aborts it, so a write inside a transaction runs under a
 * savepoint of its own that a failure rolls back to (psql's
 * ON_ERROR_ROLLBACK): the caller sees the error and the transaction goes on.
 * SAVEPOINT, the write and RELEASE go out as one libpq pipeline, so this
 * costs no extra round trip.
 *
 * Connections: one per thread (store.c's store_for_thread()), so the pool
 * is the server's thread pool.  A connection found broken outside a
 * transaction (the server restarted, a failover) is reset once and the
 * statement retried; prepared statements are prepared again on the new one.
 */
#include "store_impl.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"

#define CACHE_SLOTS 256
#define MAX_PARAMS 1000
#define BOOLOID 16
#define INT8OID 20
#define TEXTOID 25
#define FLOAT8OID 701
#define BYTEAOID 17

struct pg_stmt {
	struct stmt base;
	char *sql;     /* the cache key (owned copy of the SQLite text) */
	char *pgsql;   /* translated */
	unsigned hash;
	unsigned name; /* server-side name "f<name>"; 0 = not prepared */
	unsigned gen;  /* the connection generation it was prepared on */
	int nparams;
	char **names;  /* [nparams]: ":name" of each index, or NULL */
	char **vals;   /* [nparams]: bound values as text, NULL = null */
	int *lens, *fmts;
	Oid *types;    /* the bound values' types, for the typed retry */
	int insert;    /* an INSERT we appended RETURNING id to */
	int write;     /* INSERT/UPDATE/DELETE: a savepoint of its own in a transaction */
	PGresult *res;
	int nrows, cur, state; /* state: 0 not run, 1 on a row, 2 done */
	int borrowed;
	unsigned long long used;
};

struct pg_store {
	struct store base;
	PGconn *conn;
	long long last_id, changes;
	unsigned long long tick;
	unsigned next_name, gen;
	struct pg_stmt cache[CACHE_SLOTS];
};

#define PG(st) ((struct pg_store *)(st))
#define PGS(s) ((struct pg_stmt *)(s))

static int pg_exec(struct store *st, const char *sql, struct err *e);
static int translate(const char *sql, struct buf *out, char ***names_out, int *insert);

/* An error result (or a dead connection) as an err code, mapped as SQLite's. */
static int pg_fail(struct pg_store *st, PGresult *res, struct err *e, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (!msg)
		msg = PQerrorMessage(st->conn);
	if (!state)
		state = "";
	if (!strcmp(state, "23503"))
		return fail(e, E_CONFLICT, "the record is linked to other records");
	if (!strncmp(state, "23", 2)) /* unique, check, not null, exclusion */
		return fail(e, E_CONFLICT, "%s", msg);
	if (!strcmp(state, "P0001")) /* RAISE in a trigger: SQLite's RAISE(ABORT) */
		return fail(e, E_CONFLICT, "%s", msg);
	log_error("store: %s (%s) in: %.300s", msg, state, what);
	if (!strcmp(state, "53100"))
		return fail(e, E_FULL, "the disk is full: nothing was stored");
	if (!strcmp(state, "25006")) { /* read-only transaction (a standby) */
		if (e)
			e->retry_after = 60;
		return fail(e, E_UNAVAILABLE, "the database cannot be written now: nothing was stored");
	}
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
		return fail(e, E_INTERNAL, "the database is busy; try again");
	if (PQstatus(st->conn) == CONNECTION_BAD) {
		if (e)
			e->retry_after = 5;
		return fail(e, E_UNAVAILABLE, "the database is not reachable: nothing was stored");
	}
	return fail(e, E_INTERNAL, "database error");
}

static void notice_drop(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* NOTICEs (IF NOT EXISTS ...): not worth a log line */
}

static void pg_close(struct store *base)
{
	struct pg_store *st = PG(base);
	int i, j;

	for (i = 0; i < CACHE_SLOTS; i++) {
		struct pg_stmt *s = &st->cache[i];

		if (!s->sql)
			continue;
		PQclear(s->res);
		for (j = 0; j < s->nparams; j++) {
			free(s->names[j]);
			free(s->vals[j]);
		}
		free(s->names);
		free(s->vals);
		free(s->lens);
		free(s->fmts);
		free(s->types);
		free(s->sql);
		free(s->pgsql);
	}
	if (st->conn)
		PQfinish(st->conn);
	free(st);
}

/* What every new (or reset) connection runs first. */
static int session_setup(struct pg_store *st, int flags, struct err *e)
{
	PQsetNoticeProcessor(st->conn, notice_drop, NULL);
	return pg_exec(&st->base,
		       (flags & STORE_READONLY)
			       ? "SET TIME ZONE 'UTC'; SET default_transaction_read_only = on"
			       : "SET TIME ZONE 'UTC'",
		       e);
}

static int pg_open(const char *path, int flags, struct store **out, struct err *e)
{
	struct pg_store *st;
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return fail(e, E_INTERNAL, "out of memory");
	st->conn = PQconnectdb(path);
	if (!st->conn || PQstatus(st->conn) != CONNECTION_OK) {
		const char *m = st->conn ? PQerrorMessage(st->conn) : "out of memory";
		size_t n = strlen(m);

		while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
			n--;
		rc = fail(e, E_IO, "cannot connect to PostgreSQL: %.*s", (int)n, m);
		pg_close(&st->base);
		return rc;
	}
	rc = session_setup(st, flags, e);
	if (rc) {
		pg_close(&st->base);
		return rc;
	}
	st->gen = 1;
	*out = &st->base;
	return OK;
}

/* The connection dropped (a restart, a failover): reconnect once.  Only
 * outside a transaction — inside one the work is lost and the caller must
 * see an error. */
static int reconnect(struct pg_store *st)
{
	if (PQstatus(st->conn) != CONNECTION_BAD || st->base.depth)
		return 0;
	log_info("store: the connection to PostgreSQL was lost; reconnecting");
	PQreset(st->conn);
	if (PQstatus(st->conn) != CONNECTION_OK)
		return 0;
	st->gen++; /* every prepared statement is gone with the old session */
	return session_setup(st, 0, NULL) == OK;
}

static int skip_pragma(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '\t')
		sql++;
	return !strncasecmp(sql, "PRAGMA", 6);
}

static int pg_exec(struct store *base, const char *sql, struct err *e)
{
	struct pg_store *st = PG(base);
	PGresult *res;
	int rc = OK, tries;

	struct buf t;
	char **names = NULL;
	int n, insert;

	if (skip_pragma(sql))
		return OK;
	buf_init(&t, 0);
	if (!base->raw) {
		/* the same idioms as a prepared statement's (it has no parameters) */
		int k;

		n = translate(sql, &t, &names, &insert);
		for (k = 0; k < n; k++)
			free(names[k]);
		free(names);
		if (n >= 0)
			sql = t.data;
	}
	for (tries = 0; tries < 2; tries++) {
		res = PQexec(st->conn, sql);
		if (res && (PQresultStatus(res) == PGRES_COMMAND_OK ||
			    PQresultStatus(res) == PGRES_TUPLES_OK)) {
			st->changes = atoll(PQcmdTuples(res));
			PQclear(res);
			buf_release(&t);
			return OK;
		}
		if (tries == 0 && reconnect(st)) {
			PQclear(res);
			continue;
		}
		rc = pg_fail(st, res, e, sql);
		PQclear(res);
		break;
	}
	buf_release(&t);
	return rc;
}

static void pg_rollback_all(struct store *base)
{
	struct pg_store *st = PG(base);

	if (PQtransactionStatus(st->conn) != PQTRANS_IDLE) {
		PGresult *res = PQexec(st->conn, "ROLLBACK");

		PQclear(res);
	}
}

/* ---- translation ------------------------------------------------------- */

/* Replace every `from` in b's text by `to`. */
static void replace_all(struct buf *b, const char *from, const char *to)
{
	struct buf out;
	const char *p = b->data, *q;
	size_t n = strlen(from);

	if (!strstr(p, from))
		return;
	buf_init(&out, 0);
	while ((q = strstr(p, from))) {
		buf_add(&out, p, (size_t)(q - p));
		buf_puts(&out, to);
		p = q + n;
	}
	buf_puts(&out, p);
	buf_reset(b);
	buf_puts(b, out.data);
	buf_release(&out);
}

static int ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* `SELECT rowid FROM X WHERE X MATCH :qm` → a trigram ILIKE on X's view. */
static void rewrite_match(struct buf *b)
{
	const char *m;

	while ((m = strstr(b->data, " MATCH :qm"))) {
		const char *nm = m;
		struct buf out;

		while (nm > b->data && ident_char((unsigned char)nm[-1]))
			nm--;
		buf_init(&out, 0);
		buf_add(&out, b->data, (size_t)(m - b->data));
		buf_puts(&out, ".doc ILIKE funnel_phrase_like(:qm) ESCAPE '\\'");
		buf_puts(&out, m + strlen(" MATCH :qm"));
		(void)nm;
		buf_reset(b);
		buf_puts(b, out.data);
		buf_release(&out);
	}
}

/* "WHERE 1" followed by something other than a digit: WHERE true. */
static void rewrite_where1(struct buf *b)
{
	char *p = b->data;

	while ((p = strstr(p, "WHERE 1"))) {
		if (!ident_char((unsigned char)p[7]) && p[7] != '.') {
			struct buf out;
			size_t at = (size_t)(p - b->data);

			buf_init(&out, 0);
			buf_add(&out, b->data, at);
			buf_puts(&out, "WHERE true");
			buf_puts(&out, p + 7);
			buf_reset(b);
			buf_puts(b, out.data);
			buf_release(&out);
			p = b->data + at + 10;
		} else {
			p += 7;
		}
	}
}

/* SQLite's "a IS NOT b" (b not NULL): PostgreSQL's IS DISTINCT FROM. */
static void rewrite_is_not(struct buf *b)
{
	char *p = b->data;

	while ((p = strstr(p, " IS NOT "))) {
		const char *r = p + 8;

		if (!strncasecmp(r, "NULL", 4) || !strncasecmp(r, "DISTINCT", 8) ||
		    !strncasecmp(r, "TRUE", 4) || !strncasecmp(r, "FALSE", 5)) {
			p += 8;
			continue;
		}
		{
			struct buf out;
			size_t at = (size_t)(p - b->data);

			buf_init(&out, 0);
			buf_add(&out, b->data, at);
			buf_puts(&out, " IS DISTINCT FROM ");
			buf_puts(&out, r);
			buf_reset(b);
			buf_puts(b, out.data);
			buf_release(&out);
			p = b->data + at + 18;
		}
	}
}

/* PostgreSQL 15 wants a name for every subquery in FROM: "FROM (SELECT ...)"
 * followed by no name gets one. */
static void name_subqueries(struct buf *b)
{
	static const char *const kw[] = {"WHERE", "ORDER", "GROUP", "LIMIT", "UNION", "JOIN",
					 "LEFT", "INNER", "CROSS", "HAVING", "ON", "EXCEPT",
					 "INTERSECT", "OFFSET", NULL};
	size_t from = 0;
	int n = 0;

	for (;;) {
		char *p = strstr(b->data + from, "FROM ("), *q;
		int depth = 0, named = 0, i;
		size_t at;

		if (!p)
			return;
		from = (size_t)(p - b->data) + 6;
		for (q = p + 5; *q; q++) {
			if (*q == '\'') {
				for (q++; *q && *q != '\''; q++)
					;
				if (!*q)
					return;
			} else if (*q == '(') {
				depth++;
			} else if (*q == ')' && --depth == 0) {
				break;
			}
		}
		if (!*q)
			return;
		at = (size_t)(q + 1 - b->data);
		q++;
		while (*q == ' ' || *q == '\n' || *q == '\t')
			q++;
		named = ident_char((unsigned char)*q);
		for (i = 0; named && kw[i]; i++)
			if (!strncasecmp(q, kw[i], strlen(kw[i])) &&
			    !ident_char((unsigned char)q[strlen(kw[i])]))
				named = 0;
		if (!named) {
			struct buf out;
			char alias[24];

			snprintf(alias, sizeof(alias), " AS _q%d", ++n);
			buf_init(&out, 0);
			buf_add(&out, b->data, at);
			buf_puts(&out, alias);
			buf_puts(&out, b->data + at);
			buf_reset(b);
			buf_puts(b, out.data);
			buf_release(&out);
		}
	}
}

static int starts_with_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '(')
		s++;
	return !strncasecmp(s, w, n) && !ident_char((unsigned char)s[n]);
}

/*
 * SQLite text → PostgreSQL text in `out`: the idioms above, then the
 * placeholders numbered as SQLite numbers them (a bare `?` takes the highest
 * index so far + 1, `?NNN` index NNN, a `:name` its first index), outside
 * string literals, quoted identifiers and comments.  names[i] gets ":name"
 * for a named index.  Returns the number of parameters, or -1 if too many.
 */
static int translate(const char *sql, struct buf *out, char ***names_out, int *insert)
{
	struct buf b;
	char **names = calloc(MAX_PARAMS + 1, sizeof(char *));
	const char *p;
	int max = 0, ignore;

	buf_init(&b, 0);
	buf_puts(&b, sql);
	ignore = strstr(b.data, "INSERT OR IGNORE INTO") != NULL;
	replace_all(&b, "INSERT OR IGNORE INTO", "INSERT INTO");
	replace_all(&b, "json_each(:owners)", "funnel_ids(:owners)");
	replace_all(&b, " LIKE ", " ILIKE ");
	replace_all(&b, " temp.", " pg_temp.");
	replace_all(&b, "ORDER BY rowid", "ORDER BY ctid"); /* insertion order of a temp table */
	replace_all(&b, "ord, rowid", "ord, ctid");
	rewrite_where1(&b);
	rewrite_is_not(&b);
	rewrite_match(&b);
	name_subqueries(&b);
	*insert = starts_with_word(b.data, "INSERT") && !strcasestr(b.data, "RETURNING");

	for (p = b.data; *p;) {
		if (*p == '\'' || *p == '"') {
			char q = *p;

			buf_putc(out, *p++);
			while (*p) {
				if (*p == q && p[1] == q) {
					buf_putc(out, *p++);
					buf_putc(out, *p++);
					continue;
				}
				if (*p == q)
					break;
				buf_putc(out, *p++);
			}
			if (*p)
				buf_putc(out, *p++);
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				buf_putc(out, *p++);
		} else if (p[0] == ':' && p[1] == ':') {
			buf_puts(out, "::");
			p += 2;
		} else if (*p == '?') {
			int idx;

			p++;
			if (*p >= '0' && *p <= '9') {
				idx = (int)strtol(p, (char **)&p, 10);
			} else {
				idx = max + 1;
			}
			if (idx < 1 || idx > MAX_PARAMS)
				goto fail;
			if (idx > max)
				max = idx;
			buf_printf(out, "$%d", idx);
		} else if (*p == ':' && (ident_char((unsigned char)p[1]) && !(p[1] >= '0' && p[1] <= '9'))) {
			const char *n = p + 1;
			int idx, len;

			while (ident_char((unsigned char)*n))
				n++;
			len = (int)(n - p);
			for (idx = 1; idx <= max; idx++)
				if (names[idx] && (int)strlen(names[idx]) == len &&
				    !strncmp(names[idx], p, (size_t)len))
					break;
			if (idx > max) {
				if (max >= MAX_PARAMS)
					goto fail;
				idx = ++max;
				names[idx] = strndup(p, (size_t)len);
			}
			buf_printf(out, "$%d", idx);
			p = n;
		} else {
			buf_putc(out, *p++);
		}
	}
	if (ignore) {
		/* before a RETURNING of the caller's, if it has one */
		char *r = strcasestr(out->data, " RETURNING ");

		if (r) {
			struct buf t;
			size_t at = (size_t)(r - out->data);

			buf_init(&t, 0);
			buf_add(&t, out->data, at);
			buf_puts(&t, " ON CONFLICT DO NOTHING");
			buf_puts(&t, out->data + at);
			buf_reset(out);
			buf_puts(out, t.data);
			buf_release(&t);
		} else {
			buf_puts(out, " ON CONFLICT DO NOTHING");
		}
	}
	buf_release(&b);
	/* names[] is 1-based while translating; hand it out 0-based */
	memmove(names, names + 1, (size_t)max * sizeof(char *));
	*names_out = names;
	return max;
fail:
	buf_release(&b);
	for (max = 0; max <= MAX_PARAMS; max++)
		free(names[max]);
	free(names);
	return -1;
}

/* ---- statements -------------------------------------------------------- */

static unsigned hash_str(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void deallocate(struct pg_store *st, struct pg_stmt *s)
{
	char sql[32];
	PGresult *res;

	if (!s->name || s->gen != st->gen)
		return;
	snprintf(sql, sizeof(sql), "DEALLOCATE f%u", s->name);
	res = PQexec(st->conn, sql);
	PQclear(res);
}

static void slot_free(struct pg_store *st, struct pg_stmt *s)
{
	int j;

	deallocate(st, s);
	PQclear(s->res);
	for (j = 0; j < s->nparams; j++) {
		free(s->names[j]);
		free(s->vals[j]);
	}
	free(s->names);
	free(s->vals);
	free(s->lens);
	free(s->fmts);
	free(s->types);
	free(s->sql);
	free(s->pgsql);
	memset(s, 0, sizeof(*s));
}

static struct stmt *pg_prepare(struct store *base, const char *sql, struct err *e)
{
	struct pg_store *st = PG(base);
	unsigned h = hash_str(sql);
	struct pg_stmt *slot = NULL, *victim = NULL;
	struct buf out;
	int i, n;

	for (i = 0; i < 8; i++) {
		struct pg_stmt *s = &st->cache[(h + (unsigned)i) % CACHE_SLOTS];

		if (s->sql && s->hash == h && !strcmp(s->sql, sql)) {
			s->used = ++st->tick;
			s->borrowed = 1;
			return &s->base;
		}
		if (!s->sql && !slot)
			slot = s;
		if (!s->borrowed && (!victim || s->used < victim->used))
			victim = s;
	}
	if (!slot) {
		if (!victim) {
			fail(e, E_INTERNAL, "too many statements in use at once");
			return NULL;
		}
		slot = victim;
		slot_free(st, slot);
	}
	buf_init(&out, 0);
	n = translate(sql, &out, &slot->names, &slot->insert);
	if (n < 0) {
		buf_release(&out);
		fail(e, E_INTERNAL, "too many parameters");
		return NULL;
	}
	slot->write = starts_with_word(out.data, "INSERT") || starts_with_word(out.data, "UPDATE") ||
		      starts_with_word(out.data, "DELETE") || starts_with_word(out.data, "WITH");
	if (slot->insert)
		buf_puts(&out, " RETURNING id");
	slot->pgsql = buf_detach(&out, NULL);
	slot->nparams = n;
	slot->vals = calloc((size_t)n + 1, sizeof(char *));
	slot->lens = calloc((size_t)n + 1, sizeof(int));
	slot->fmts = calloc((size_t)n + 1, sizeof(int));
	slot->types = calloc((size_t)n + 1, sizeof(Oid));
	slot->sql = strdup(sql);
	slot->hash = h;
	slot->base.ops = &store_pg_ops;
	slot->base.st = base;
	slot->base.row = 0;
	slot->borrowed = 1;
	slot->used = ++st->tick;
	return &slot->base;
}

static void reset(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->state = 0;
	s->nrows = s->cur = 0;
	s->base.row = 0;
}

static void pg_done(struct stmt *base)
{
	struct pg_stmt *s = PGS(base);
	int j;

	if (!s->sql)
		return;
	reset(s);
	for (j = 0; j < s->nparams; j++) {
		free(s->vals[j]);
		s->vals[j] = NULL;
		s->fmts[j] = 0;
		s->types[j] = 0;
	}
	s->borrowed = 0;
}

static void bind_set(struct pg_stmt *s, int i, char *v, int len, int fmt, Oid type)
{
	if (s->state)
		reset(s); /* binding again after a step: SQLite's reset */
	if (i < 1 || i > s->nparams) {
		free(v);
		return;
	}
	free(s->vals[i - 1]);
	s->vals[i - 1] = v;
	s->lens[i - 1] = len;
	s->fmts[i - 1] = fmt;
	s->types[i - 1] = type;
}

static void pg_bind_int(struct stmt *s, int i, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	bind_set(PGS(s), i, strdup(buf), 0, 0, INT8OID);
}

static void pg_bind_double(struct stmt *s, int i, double v)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%.17g", v);
	bind_set(PGS(s), i, strdup(buf), 0, 0, FLOAT8OID);
}

static void pg_bind_text(struct stmt *s, int i, const char *v)
{
	bind_set(PGS(s), i, v ? strdup(v) : NULL, 0, 0, TEXTOID);
}

static void pg_bind_blob(struct stmt *s, int i, const void *p, int n)
{
	char *v = malloc((size_t)n + 1);

	if (v)
		memcpy(v, p, (size_t)n);
	bind_set(PGS(s), i, v, n, 1, BYTEAOID);
}

static void pg_bind_null(struct stmt *s, int i)
{
	bind_set(PGS(s), i, NULL, 0, 0, 0);
}

static int pg_param_index(struct stmt *base, const char *name)
{
	struct pg_stmt *s = PGS(base);
	int i;

	for (i = 0; i < s->nparams; i++)
		if (s->names[i] && !strcmp(s->names[i], name))
			return i + 1;
	return 0;
}

static int pg_param_count(struct stmt *s)
{
	return PGS(s)->nparams;
}

static const char *state_of(PGresult *res)
{
	const char *v = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return v ? v : "";
}

static int simple(struct pg_store *st, const char *sql);

/* Prepare on the server: untyped first, then typed by the bound values.  A
 * failed PREPARE in a transaction aborts it: `guard` says a savepoint was
 * taken (run()), and each retry first rolls back to it. */
static PGresult *server_prepare(struct pg_store *st, struct pg_stmt *s, int guard)
{
	char name[24];
	PGresult *res;

	s->name = ++st->next_name;
	s->gen = st->gen;
	snprintf(name, sizeof(name), "f%u", s->name);
	res = PQprepare(st->conn, name, s->pgsql, s->nparams, NULL);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		return res;
	/* could not infer a type (42P18), an ambiguous function (42725), or
	 * inferred text where the value is a number (42883, 42804: "SELECT ?
	 * UNION SELECT id") */
	if (!strcmp(state_of(res), "42P18") || !strcmp(state_of(res), "42725") ||
	    !strcmp(state_of(res), "42P08") ||
	    !strcmp(state_of(res), "42883") || !strcmp(state_of(res), "42804")) {
		PQclear(res);
		if (guard)
			simple(st, "ROLLBACK TO SAVEPOINT funnel_stmt");
		res = PQprepare(st->conn, name, s->pgsql, s->nparams, s->types);
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			return res;
	}
	if (s->insert && !strcmp(state_of(res), "42703")) {
		/* no id column: the INSERT as written */
		size_t n = strlen(s->pgsql) - strlen(" RETURNING id");

		PQclear(res);
		if (guard)
			simple(st, "ROLLBACK TO SAVEPOINT funnel_stmt");
		s->pgsql[n] = 0;
		s->insert = 0;
		return server_prepare(st, s, guard);
	}
	s->name = 0;
	return res;
}

static int simple(struct pg_store *st, const char *sql)
{
	PGresult *r = PQexec(st->conn, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	PQclear(r);
	return ok;
}

/* Run the statement with its bound values; the result goes to s->res. */
/* Execute a prepared write inside a transaction under a savepoint of its
 * own, in one round trip: SAVEPOINT, the statement and RELEASE go out as one
 * pipeline.  When the statement fails the server skips the RELEASE, and the
 * caller rolls back to the savepoint.  Returns the statement's result. */
static PGresult *exec_guarded(struct pg_store *st, const char *name, struct pg_stmt *s)
{
	PGconn *c = st->conn;
	PGresult *r, *out = NULL;
	int i;

	if (!PQenterPipelineMode(c))
		return NULL;
	if (!PQsendQueryParams(c, "SAVEPOINT funnel_stmt", 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQsendQueryPrepared(c, name, s->nparams, (const char *const *)s->vals, s->lens,
				 s->fmts, 0) ||
	    !PQsendQueryParams(c, "RELEASE SAVEPOINT funnel_stmt", 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQpipelineSync(c)) {
		PQexitPipelineMode(c);
		return NULL;
	}
	/* three results, each followed by NULL, then the sync */
	for (i = 0; i < 3; i++) {
		while ((r = PQgetResult(c))) {
			if (i == 1 && !out)
				out = r;
			else if (i == 0 && PQresultStatus(r) != PGRES_COMMAND_OK && !out)
				out = r; /* the SAVEPOINT itself failed */
			else
				PQclear(r);
		}
	}
	while ((r = PQgetResult(c)) && PQresultStatus(r) != PGRES_PIPELINE_SYNC)
		PQclear(r);
	PQclear(r);
	PQexitPipelineMode(c);
	return out;
}

/* Run the statement with its bound values; the result goes to s->res. */
static int run(struct pg_store *st, struct pg_stmt *s, struct err *e)
{
	char name[24];
	PGresult *res = NULL;
	int in_tx = 0, guarded = 0, rc = OK, tries;

	for (tries = 0; tries < 2; tries++) {
		/* in a transaction, a statement that may fail on a constraint (a
		 * write, or one prepared now) runs under a savepoint, so that a
		 * failure leaves the transaction usable, as on SQLite */
		in_tx = PQtransactionStatus(st->conn) == PQTRANS_INTRANS;
		guarded = 0;
		if (!s->name || s->gen != st->gen) {
			if (in_tx && !simple(st, "SAVEPOINT funnel_stmt"))
				break;
			guarded = in_tx;
			res = server_prepare(st, s, in_tx);
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				goto failed;
			PQclear(res);
			if (in_tx)
				simple(st, "RELEASE SAVEPOINT funnel_stmt");
			guarded = 0;
		}
		snprintf(name, sizeof(name), "f%u", s->name);
		if (in_tx && s->write) {
			guarded = 1;
			res = exec_guarded(st, name, s);
		} else {
			res = PQexecPrepared(st->conn, name, s->nparams,
					     (const char *const *)s->vals, s->lens, s->fmts, 0);
		}
		if (PQresultStatus(res) == PGRES_TUPLES_OK ||
		    PQresultStatus(res) == PGRES_COMMAND_OK) {
			s->res = res;
			return OK;
		}
	failed:
		if (guarded)
			simple(st, "ROLLBACK TO SAVEPOINT funnel_stmt; RELEASE SAVEPOINT funnel_stmt");
		if (tries == 0 && reconnect(st)) {
			PQclear(res);
			continue;
		}
		break;
	}
	rc = pg_fail(st, res, e, s->pgsql);
	PQclear(res);
	return rc;
}

static int pg_step(struct stmt *base, struct err *e)
{
	struct pg_stmt *s = PGS(base);
	struct pg_store *st = PG(base->st);
	int rc;

	if (s->state == 1) {
		s->cur++;
		if (s->cur < s->nrows)
			return OK;
		s->state = 2;
		base->row = 0;
		return OK;
	}
	reset(s);
	rc = run(st, s, e);
	if (rc)
		return rc;
	if (PQresultStatus(s->res) == PGRES_TUPLES_OK && !s->insert) {
		s->nrows = PQntuples(s->res);
		s->cur = 0;
		st->changes = atoll(PQcmdTuples(s->res));
		if (s->nrows) {
			s->state = 1;
			base->row = 1;
		} else {
			s->state = 2;
		}
		return OK;
	}
	st->changes = atoll(PQcmdTuples(s->res));
	if (s->insert && PQntuples(s->res) > 0)
		st->last_id = atoll(PQgetvalue(s->res, PQntuples(s->res) - 1, 0));
	s->state = 2;
	base->row = 0;
	return OK;
}

static int pg_null(struct stmt *base, int col)
{
	struct pg_stmt *s = PGS(base);

	if (!s->res || s->state != 1 || col >= PQnfields(s->res))
		return 1;
	return PQgetisnull(s->res, s->cur, col);
}

static const char *pg_col_text(struct stmt *base, int col)
{
	struct pg_stmt *s = PGS(base);
	const char *v;

	if (pg_null(base, col))
		return NULL;
	v = PQgetvalue(s->res, s->cur, col);
	if (PQftype(s->res, col) == BOOLOID)
		return *v == 't' ? "1" : "0";
	return v;
}

static long long pg_col_int(struct stmt *base, int col)
{
	const char *v = pg_col_text(base, col);

	if (!v)
		return 0;
	if (strchr(v, 'e') || strchr(v, 'E')) /* a float in exponent form */
		return (long long)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double pg_col_double(struct stmt *base, int col)
{
	const char *v = pg_col_text(base, col);

	return v ? strtod(v, NULL) : 0;
}

static int pg_columns(struct stmt *base)
{
	struct pg_stmt *s = PGS(base);

	return s->res ? PQnfields(s->res) : 0;
}

static const char *pg_column_name(struct stmt *base, int col)
{
	struct pg_stmt *s = PGS(base);

	return s->res ? PQfname(s->res, col) : NULL;
}

static long long pg_last_id(struct store *st)
{
	return PG(st)->last_id;
}

static long long pg_changes(struct store *st)
{
	return PG(st)->changes;
}

static int pg_ids_taken(struct store *base, const char *table, struct err *e)
{
	/* every identity column (of `table`): its sequence just past the
	 * highest id, or back at 1 on an empty table */
	struct stmt *s = store_prepare(
		base,
		"SELECT c.relname, a.attname, pg_get_serial_sequence(quote_ident(c.relname), a.attname) "
		"FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> '' "
		"WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace "
		"AND (?1 IS NULL OR c.relname = ?1)",
		e);
	struct buf sql;
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, table);
	buf_init(&sql, 0);
	while (!(rc = stmt_step(s, e)) && stmt_row(s))
		buf_printf(&sql,
			   "SELECT setval('%s', coalesce((SELECT max(\"%s\") FROM \"%s\"), 0) + 1, "
			   "false);",
			   stmt_text(s, 2), stmt_text(s, 1), stmt_text(s, 0));
	stmt_done(s);
	if (!rc && sql.len)
		rc = pg_exec(base, sql.data, e);
	buf_release(&sql);
	return rc;
}

/* Autovacuum keeps the planner's statistics: only a database never analysed
 * (just migrated, or just bulk-loaded) is analysed here. */
static int pg_optimize(struct store *base, struct err *e)
{
	long long never = 0;
	int rc = store_int(base, &never, NULL, e,
			   "SELECT count(*) FROM pg_stat_user_tables WHERE n_live_tup > 0 "
			   "AND last_analyze IS NULL AND last_autoanalyze IS NULL",
			   "");

	if (rc)
		return rc;
	return never ? pg_exec(base, "ANALYZE", e) : OK;
}

static int pg_backup(struct store *st, const char *dest,
		     void (*progress)(void *ctx, long long done, long long total), void *ctx,
		     struct err *e)
{
	return fail(e, E_UNSUPPORTED,
		    "funnel backup copies SQLite files; back PostgreSQL up with pg_basebackup "
		    "and WAL archiving, or pg_dump (docs/deployment.md)");
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.begin_sql = "BEGIN",
	.rollback_all = pg_rollback_all,
	.prepare = pg_prepare,
	.done = pg_done,
	.bind_int = pg_bind_int,
	.bind_double = pg_bind_double,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.param_index = pg_param_index,
	.param_count = pg_param_count,
	.step = pg_step,
	.null = pg_null,
	.col_int = pg_col_int,
	.col_double = pg_col_double,
	.col_text = pg_col_text,
	.columns = pg_columns,
	.column_name = pg_column_name,
	.last_id = pg_last_id,
	.changes = pg_changes,
	.ids_taken = pg_ids_taken,
	.optimize = pg_optimize,
	.backup = pg_backup,
};
