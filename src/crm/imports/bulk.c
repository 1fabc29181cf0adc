/*
 * bulk.c — the set-based import behind bulk.h.
 *
 * Why it is fast: the row-by-row path (record_create) runs, per row, a
 * savepoint, a query per reference, the resource's lookups and an INSERT
 * with its own statement.  Here a row costs its decode and one INSERT into
 * a temporary table with no index but its line; each database check is one
 * statement over all rows, and the real table gets one INSERT … SELECT per
 * shape of row (the set of fields rows give: an omitted field keeps its
 * column default, exactly as record_create's INSERT omits it).
 *
 * The checks are record.c's validate(), in its order: decode problems and
 * the owner rules stop a row (ord 0); the resource's rules (ord 100) and
 * then, field by field, required (200 + 3i) and the reference (201 + 3i)
 * add up, as they do there.
 */
#include "bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/timeutil.h"

struct bulk_import {
	struct store *st;
	const struct principal *p;
	const struct resource *r;
	int col[RECORD_MAX_FIELDS]; /* field i's staging parameter (1-based), 0: none */
	int ncols;
	int owner;                  /* the FF_OWNER field, or -1 */
	char *insert_sql;           /* the staging INSERT */
	void *cache;                /* the resource's bulk_prepare() memory */
	int forbidden;              /* p may not create these records */
};

#define ROWS "temp.import_rows"
#define ERRORS "temp.import_errors"

int bulk_import_supports(const struct resource *r)
{
	int i;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].flags & (FF_UNIQUE | FF_VIRTUAL))
			return 0;
	if ((r->prepare || r->after_write) && !(r->bulk_prepare && r->bulk_after_write))
		return 0;
	return r->vis != VIS_SELF && r->nfields < 62;
}

static int add_error(struct bulk_import *bi, long long line, int ord, const char *field,
		     const char *msg, struct err *e)
{
	return store_run(bi->st, e,
			 "INSERT INTO " ERRORS " (line, ord, field, msg) VALUES (?, ?, ?, ?)",
			 "iitt", line, (long long)ord, field, msg);
}

/* The problems in `re` as rows of line's errors, at order `ord`. */
static int add_errors(struct bulk_import *bi, long long line, int ord, const struct err *re,
		      struct err *e)
{
	int i, rc = OK;

	if (!re->nfields)
		return add_error(bi, line, ord, NULL, re->msg[0] ? re->msg : err_title(re->code),
				 e);
	for (i = 0; i < re->nfields && !rc; i++)
		rc = add_error(bi, line, ord, re->fields[i].field, re->fields[i].message, e);
	return rc;
}

int bulk_import_begin(struct store *st, const struct principal *p, const struct resource *r,
		      struct bulk_import **out, struct err *e)
{
	struct bulk_import *bi;
	struct buf ddl = BUF_INIT, ins = BUF_INIT;
	int i, rc;

	*out = NULL;
	if (!bulk_import_supports(r))
		return fail(e, E_INVAL, "%s are not imported in bulk", r->name);
	bi = calloc(1, sizeof(*bi));
	if (!bi)
		return fail(e, E_INTERNAL, "out of memory");
	bi->st = st;
	bi->p = p;
	bi->r = r;
	bi->owner = -1;
	bi->forbidden = p->role < r->write_role;
	buf_puts(&ddl, "CREATE TEMP TABLE import_rows (_line INTEGER PRIMARY KEY, _mask INTEGER, "
		       "_bad INTEGER, _id INTEGER");
	buf_puts(&ins, "INSERT INTO " ROWS " (_line, _mask, _bad");
	for (i = 0; i < r->nfields; i++) {
		bi->col[i] = 4 + bi->ncols++;
		buf_printf(&ddl, ", \"%s\" %s", r->fields[i].name,
			   record_field_is_int(&r->fields[i]) ? "INTEGER" : "TEXT");
		buf_printf(&ins, ", \"%s\"", r->fields[i].name);
		if (r->fields[i].flags & FF_OWNER)
			bi->owner = i;
	}
	buf_puts(&ddl, ")");
	buf_puts(&ins, ") VALUES (?, ?, ?");
	for (i = 0; i < bi->ncols; i++)
		buf_puts(&ins, ", ?");
	buf_putc(&ins, ')');
	bi->insert_sql = buf_detach(&ins, NULL);
	rc = store_exec(st, "DROP TABLE IF EXISTS " ROWS "; DROP TABLE IF EXISTS " ERRORS, e);
	if (!rc)
		rc = store_exec(st, ddl.data, e);
	if (!rc)
		rc = store_exec(st, "CREATE TEMP TABLE import_errors (line INTEGER NOT NULL, ord "
				    "INTEGER NOT NULL, field TEXT, msg TEXT NOT NULL)",
				e);
	buf_release(&ddl);
	if (rc) {
		bulk_import_free(bi);
		return rc;
	}
	*out = bi;
	return OK;
}

int bulk_import_reject(struct bulk_import *bi, long long line, const char *why, struct err *e)
{
	return add_error(bi, line, 0, NULL, why, e);
}

/* Stage line's row; bad = 1 keeps only the line (it has failed already). */
static int stage(struct bulk_import *bi, long long line, const struct record *rec, int bad,
		 struct err *e)
{
	const struct resource *r = bi->r;
	struct stmt *s = store_prepare(bi->st, bi->insert_sql, e);
	unsigned long long mask = 0;
	int i;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, line);
	stmt_bind_int(s, 3, bad);
	for (i = 0; i < r->nfields; i++) {
		const struct val *v = &rec->v[i];

		if (bad || !v->set || v->null) {
			stmt_bind_null(s, bi->col[i]);
		} else if (record_field_is_int(&r->fields[i])) {
			stmt_bind_int(s, bi->col[i], v->i);
		} else {
			stmt_bind_text(s, bi->col[i], v->s);
		}
		if (!bad && v->set)
			mask |= 1ULL << i;
	}
	stmt_bind_int(s, 2, (long long)mask);
	i = stmt_step(s, e);
	stmt_done(s);
	return i;
}

int bulk_import_row(struct bulk_import *bi, long long line, json_t *row, struct err *e)
{
	const struct principal *p = bi->p;
	const struct resource *r = bi->r;
	struct record rec;
	struct err re;
	int rc;

	record_init(&rec, r);
	err_clear(&re);
	if (bi->forbidden) {
		fail(&re, E_FORBIDDEN, "only %ss may create %s", role_name(r->write_role), r->name);
		goto refused;
	}
	if (record_decode(r, row, 1, &rec, &re))
		goto refused;
	/* validate()'s owner rules */
	if (bi->owner >= 0) {
		struct val *v = &rec.v[bi->owner];

		if (!v->set || v->null) {
			if (!p->user_id) {
				err_field(&re, r->fields[bi->owner].name, "is required");
				goto refused;
			}
			record_set_int(&rec, bi->owner, p->user_id);
		} else if (v->i != p->user_id && !principal_is_manager(p)) {
			fail(&re, E_FORBIDDEN, "only managers and admins assign records to others");
			goto refused;
		}
	}
	if (r->bulk_prepare) {
		rc = r->bulk_prepare(bi->st, p, &rec, &bi->cache, &re);
		if (rc == E_INVAL) {
			rc = add_errors(bi, line, 100, &re, e);
			if (rc)
				goto out;
		} else if (rc == E_NOTFOUND || rc == E_CONFLICT || rc == E_FORBIDDEN ||
			   rc == E_TOOBIG) {
			goto refused; /* as record_create's caller would refuse the row */
		} else if (rc) {
			*e = re;
			goto out;
		}
	}
	rc = stage(bi, line, &rec, 0, e);
	goto out;
refused:
	rc = add_errors(bi, line, 0, &re, e);
	if (!rc)
		rc = stage(bi, line, &rec, 1, e);
out:
	record_release(&rec);
	return rc;
}

/* One statement per rule: what validate() checks per field, for every row
 * not stopped already (_bad <> 1). */
static int check_fields(struct bulk_import *bi, struct err *e)
{
	const struct resource *r = bi->r;
	struct buf sql = BUF_INIT;
	struct stmt *s;
	int i, rc = OK;

	for (i = 0; i < r->nfields && !rc; i++) {
		const struct field *f = &r->fields[i];
		const struct resource *target;
		const char *vis = NULL;

		if (f->flags & FF_REQUIRED) {
			buf_reset(&sql);
			buf_printf(&sql,
				   "INSERT INTO " ERRORS " SELECT _line, %d, '%s', 'is required' "
				   "FROM " ROWS " WHERE _bad <> 1 AND \"%s\" IS NULL",
				   200 + 3 * i, f->name, f->name);
			rc = store_exec(bi->st, sql.data, e);
		}
		if (rc || f->type != FT_REF)
			continue;
		buf_reset(&sql);
		buf_printf(&sql, "INSERT INTO " ERRORS " SELECT _line, %d, '%s', ", 201 + 3 * i,
			   f->name);
		target = strcmp(f->ref, "users") ? resource_find(f->ref) : NULL;
		if (!strcmp(f->ref, "users")) {
			/* check_owner(): active, and one p may give records to */
			buf_printf(&sql,
				   "printf('no active user %%d in the teams you manage', s.\"%s\") "
				   "FROM " ROWS " s WHERE s._bad <> 1 AND s.\"%s\" IS NOT NULL AND "
				   "(NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.\"%s\" AND "
				   "u.active = 1) OR (:owners IS NOT NULL AND s.\"%s\" NOT IN "
				   "(SELECT value FROM json_each(:owners))))",
				   f->name, f->name, f->name, f->name);
		} else if (target) {
			/* record_visible(): there, and seen by p */
			vis = record_visibility_sql(bi->p, target);
			buf_printf(&sql,
				   "printf('no %s with id %%d', s.\"%s\") FROM " ROWS " s WHERE "
				   "s._bad <> 1 AND s.\"%s\" IS NOT NULL AND NOT EXISTS (SELECT 1 "
				   "FROM %s t WHERE t.id = s.\"%s\"%s%s)",
				   target->singular, f->name, f->name, target->name, f->name,
				   vis ? " AND " : "", vis ? vis : "");
		} else {
			buf_printf(&sql,
				   "'no such %s' FROM " ROWS " s WHERE s._bad <> 1 AND s.\"%s\" IS "
				   "NOT NULL AND NOT EXISTS (SELECT 1 FROM %s t WHERE t.id = s.\"%s\")",
				   f->ref, f->name, f->ref, f->name);
		}
		s = store_prepare(bi->st, sql.data, e);
		if (!s) {
			rc = E_INTERNAL;
			break;
		}
		if (!strcmp(f->ref, "users")) {
			if (bi->p->owners_json)
				stmt_bind_named(s, ":owners", bi->p->owners_json);
			else
				stmt_bind_named(s, ":owners", NULL);
		} else if (vis) {
			record_bind_visibility(s, bi->p);
		}
		rc = stmt_step(s, e);
		stmt_done(s);
	}
	buf_release(&sql);
	if (!rc)
		rc = store_exec(bi->st,
				"UPDATE " ROWS " SET _bad = 2 WHERE _bad = 0 AND _line IN "
				"(SELECT line FROM " ERRORS ")",
				e);
	return rc;
}

/* Each refused line, its problems in order, through report(). */
static int report_all(struct bulk_import *bi,
		      void (*report)(void *ctx, long long line, const char *text), void *ctx,
		      long long *rejected, struct err *e)
{
	struct stmt *s = store_prepare(
		bi->st, "SELECT line, field, msg FROM " ERRORS " ORDER BY line, ord, rowid", e);
	struct buf b = BUF_INIT;
	long long line = -1;
	int rc;

	if (!s)
		return E_INTERNAL;
	*rejected = 0;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		const char *field = stmt_text(s, 1);

		if (stmt_int(s, 0) != line) {
			if (line >= 0 && report)
				report(ctx, line, b.data);
			line = stmt_int(s, 0);
			(*rejected)++;
			buf_reset(&b);
		} else {
			buf_puts(&b, "; ");
		}
		if (field)
			buf_printf(&b, "%s: ", field);
		buf_puts(&b, stmt_text(s, 2));
	}
	stmt_done(s);
	if (!rc && line >= 0 && report)
		report(ctx, line, b.data);
	buf_release(&b);
	return rc;
}

/*
 * An import that more than doubles a table writes it faster without its
 * indexes: each row would otherwise go into every index of the table at a
 * random place (opportunities have 16), where CREATE INDEX afterwards sorts
 * once.  Dropped and made again inside the import's transaction, so no one
 * sees the table without them (SQLite's DDL is transactional).
 */
struct indexes {
	char **sql;
	int n;
};

static int indexes_drop(struct store *st, const char *table, struct indexes *ix, struct err *e)
{
	struct stmt *s = store_prepare(st,
				       "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
				       "tbl_name = ? AND sql IS NOT NULL",
				       e);
	struct buf drop = BUF_INIT;
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, table);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		char **v = realloc(ix->sql, (size_t)(ix->n + 1) * sizeof(*v));

		if (!v || !(v[ix->n] = strdup(stmt_text(s, 1)))) {
			if (v)
				ix->sql = v;
			rc = fail(e, E_INTERNAL, "out of memory");
			break;
		}
		ix->sql = v;
		ix->n++;
		buf_printf(&drop, "DROP INDEX \"%s\";", stmt_text(s, 0));
	}
	stmt_done(s);
	if (!rc && drop.len)
		rc = store_exec(st, drop.data, e);
	buf_release(&drop);
	return rc;
}

static int indexes_make(struct store *st, struct indexes *ix, struct err *e)
{
	int i, rc = OK;

	/* the sorter may merge in a helper thread (a no-op where SQLite has none) */
	if (ix->n)
		rc = store_exec(st, "PRAGMA threads = 2", e);
	for (i = 0; i < ix->n && !rc; i++)
		rc = store_exec(st, ix->sql[i], e);
	if (ix->n && !rc)
		rc = store_exec(st, "PRAGMA threads = 0", e);
	return rc;
}

static void indexes_release(struct indexes *ix)
{
	int i;

	for (i = 0; i < ix->n; i++)
		free(ix->sql[i]);
	free(ix->sql);
}

/* Drop table's indexes when the import adds more rows than it has, and over
 * 10,000 (below that, sorting again costs more than it saves). */
static int maybe_drop(struct bulk_import *bi, const char *table, struct indexes *ix,
		      struct err *e)
{
	char sql[128];
	long long have = 0, adding = 0;
	int found, rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	rc = store_int(bi->st, &have, &found, e, sql, "");
	if (!rc)
		rc = store_int(bi->st, &adding, &found, e,
			       "SELECT count(*) FROM " ROWS " WHERE _bad = 0", "");
	if (!rc && adding > have && adding > 10000)
		rc = indexes_drop(bi->st, table, ix, e);
	return rc;
}

/* The valid rows into the table: ids in line order after the table's last,
 * then one INSERT … SELECT per _mask, then the resource's own writes. */
static int write_rows(struct bulk_import *bi, struct err *e)
{
	const struct resource *r = bi->r;
	struct buf sql = BUF_INIT;
	struct stmt *s;
	struct indexes ix = {NULL, 0};
	char now[TIME_ISO_LEN];
	double t;
	long long base = 0, *masks = NULL;
	int i, n = 0, k, found, rc;

	buf_printf(&sql,
		   "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '%s'), 0), "
		   "coalesce((SELECT max(id) FROM %s), 0))",
		   r->name, r->name);
	rc = store_int(bi->st, &base, &found, e, sql.data, "");
	if (!rc)
		rc = store_run(bi->st, e,
			       "UPDATE " ROWS " AS s SET _id = ? + n.rn FROM (SELECT _line, "
			       "row_number() OVER (ORDER BY _line) AS rn FROM " ROWS " WHERE _bad "
			       "= 0) AS n WHERE n._line = s._line",
			       "i", base);
	if (rc)
		goto out;
	s = store_prepare(bi->st, "SELECT DISTINCT _mask FROM " ROWS " WHERE _bad = 0", e);
	if (!s) {
		rc = E_INTERNAL;
		goto out;
	}
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		long long *m = realloc(masks, (size_t)(n + 1) * sizeof(*m));

		if (!m) {
			rc = fail(e, E_INTERNAL, "out of memory");
			break;
		}
		masks = m;
		masks[n++] = stmt_int(s, 0);
	}
	stmt_done(s);
	if (!rc)
		rc = maybe_drop(bi, r->name, &ix, e);
	t = time_mono();
	time_iso(time_now(), now);
	for (k = 0; k < n && !rc; k++) {
		struct buf cols = BUF_INIT;

		for (i = 0; i < r->nfields; i++)
			if ((unsigned long long)masks[k] & (1ULL << i))
				buf_printf(&cols, ", \"%s\"", r->fields[i].name);
		buf_reset(&sql);
		buf_printf(&sql,
			   "INSERT INTO %s (id, created_at, updated_at, created_by%s) SELECT _id, "
			   "?1, ?1, nullif(?2, 0)%s FROM " ROWS " WHERE _bad = 0 AND _mask = ?3 "
			   "ORDER BY _id",
			   r->name, cols.len ? cols.data : "", cols.len ? cols.data : "");
		buf_release(&cols);
		rc = store_run(bi->st, e, sql.data, "tii", now, bi->p->user_id, masks[k]);
	}
	if (!rc)
		rc = store_ids_taken(bi->st, r->name, e); /* the _ids given above */
	if (!rc)
		log_info("import: %s written in %.1f s", r->name, time_mono() - t);
	t = time_mono();
	if (!rc && ix.n) {
		rc = indexes_make(bi->st, &ix, e);
		if (!rc)
			log_info("import: %d indexes of %s made again in %.1f s", ix.n, r->name,
				 time_mono() - t);
	}
	t = time_mono();
	indexes_release(&ix);
	memset(&ix, 0, sizeof(ix));
	if (!rc && r->bulk_table)
		rc = maybe_drop(bi, r->bulk_table, &ix, e);
	if (!rc && r->bulk_after_write)
		rc = r->bulk_after_write(bi->st, bi->p, e);
	if (!rc)
		rc = indexes_make(bi->st, &ix, e);
	if (!rc && r->bulk_after_write)
		log_info("import: what follows a new %s written in %.1f s", r->singular,
			 time_mono() - t);
out:
	indexes_release(&ix);
	free(masks);
	buf_release(&sql);
	return rc;
}

int bulk_import_finish(struct bulk_import *bi, int dry_run, int partial,
		       void (*report)(void *ctx, long long line, const char *text), void *ctx,
		       long long *valid, long long *rejected, int *written, struct err *e)
{
	int found, rc;
	double t;

	*valid = *rejected = 0;
	*written = 0;
	t = time_mono();
	rc = check_fields(bi, e);
	if (!rc)
		log_info("import: references and required fields checked in %.1f s",
			 time_mono() - t);
	if (!rc)
		rc = report_all(bi, report, ctx, rejected, e);
	if (!rc)
		rc = store_int(bi->st, valid, &found, e,
			       "SELECT count(*) FROM " ROWS " WHERE _bad = 0", "");
	if (rc || dry_run || (*rejected && !partial))
		return rc;
	rc = write_rows(bi, e);
	if (!rc)
		*written = 1;
	return rc;
}

void bulk_import_free(struct bulk_import *bi)
{
	if (!bi)
		return;
	if (bi->r->bulk_prepare)
		bi->r->bulk_prepare(bi->st, bi->p, NULL, &bi->cache, NULL);
	free(bi->insert_sql);
	free(bi);
}
