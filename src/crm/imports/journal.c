/*
 * journal.c — the record of each import, and its undo (journal.h).
 */
#include "journal.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "crm/records/record.h"

struct jerror {
	long long line;
	char *text;
};

struct journal {
	struct store *st;
	long long user_id;
	char via[8];
	char *table, *file, *preset;
	long long base;      /* max(id) of the table before the import */
	long long rejected;  /* journal_error calls */
	struct jerror *errs; /* the first JOURNAL_MAX_ERRORS */
	int nerrs;
	int has_items; /* temp.journal_items exists */
	long long updated;
	long long job; /* the queued import this fills, or 0 */
	char at[TIME_ISO_LEN];
};

/* Is `table` a record resource (so ids and undo mean something)? */
static const struct resource *undoable(const char *table)
{
	const struct resource *r = resource_find(table);

	return r && !r->path ? r : NULL;
}

int journal_begin(struct store *st, const struct principal *p, const char *via, const char *table,
		  const char *file, const char *preset, struct journal **out, struct err *e)
{
	struct journal *j = calloc(1, sizeof(*j));
	char sql[160];
	int found, rc = OK;

	*out = NULL;
	if (!j)
		return fail(e, E_INTERNAL, "out of memory");
	j->st = st;
	j->user_id = p->user_id;
	snprintf(j->via, sizeof(j->via), "%s", via);
	j->table = strdup(table);
	j->file = strdup(file);
	j->preset = preset ? strdup(preset) : NULL;
	time_iso(time_now(), j->at);
	if (!j->table || !j->file || (preset && !j->preset)) {
		journal_free(j);
		return fail(e, E_INTERNAL, "out of memory");
	}
	if (undoable(table)) {
		snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) FROM \"%s\"", table);
		rc = store_int(st, &j->base, &found, e, sql, "");
	}
	if (rc) {
		journal_free(j);
		return rc;
	}
	*out = j;
	return OK;
}

int journal_begin_job(struct store *st, const struct principal *p, long long job, const char *table,
		      const char *file, const char *preset, struct journal **out, struct err *e)
{
	int rc = journal_begin(st, p, "api", table, file, preset, out, e);

	if (!rc)
		(*out)->job = job;
	return rc;
}

int journal_queue(struct store *st, const struct principal *p, const char *table, const char *file,
		  const char *preset, long long *id, struct err *e)
{
	char now[TIME_ISO_LEN];
	int rc;

	time_iso(time_now(), now);
	rc = store_run(st, e,
		       "INSERT INTO imports (user_id, via, file_name, resource, preset, status, "
		       "created_at) VALUES (nullif(?, 0), 'api', ?, ?, ?, 'running', ?)",
		       "itttt", p->user_id, file, table, preset, now);
	*id = rc ? 0 : store_last_id(st);
	return rc;
}

int journal_set_pid(struct store *st, long long id, long long pid, struct err *e)
{
	return store_run(st, e, "UPDATE imports SET pid = ? WHERE id = ? AND status = 'running'",
			 "ii", pid, id);
}

int journal_fail(struct store *st, long long id, const char *why, struct err *e)
{
	int rc = store_begin(st, e);

	if (!rc)
		rc = store_run(st, e,
			       "UPDATE imports SET status = 'failed', pid = NULL WHERE id = ? AND "
			       "status = 'running'",
			       "i", id);
	if (!rc && store_changes(st))
		rc = store_run(st, e,
			       "INSERT OR REPLACE INTO import_rejects (import_id, seq, line, "
			       "message) VALUES (?, 1, NULL, ?)",
			       "it", id, why);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
	return rc;
}

int journal_reap(struct store *st, struct err *e)
{
	struct stmt *s =
		store_prepare(st, "SELECT id, pid FROM imports WHERE status = 'running'", e);
	long long ids[64];
	int n = 0, i, rc;

	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s) && n < 64) {
		long long pid = stmt_null(s, 1) ? 0 : stmt_int(s, 1);

		/* no process yet is a job being started: leave it to its server */
		if (pid > 0 && kill((pid_t)pid, 0) != 0)
			ids[n++] = stmt_int(s, 0);
	}
	stmt_done(s);
	for (i = 0; i < n && !rc; i++)
		rc = journal_fail(st, ids[i],
				  "the import stopped before it finished (its process "
				  "is gone): nothing was written",
				  e);
	return rc;
}

void journal_error(struct journal *j, long long line, const char *text)
{
	struct jerror *v;

	if (!j)
		return;
	j->rejected++;
	if (j->nerrs >= JOURNAL_MAX_ERRORS)
		return;
	v = realloc(j->errs, (size_t)(j->nerrs + 1) * sizeof(*v));
	if (!v)
		return; /* the count stays right; the message is lost */
	j->errs = v;
	v[j->nerrs].line = line;
	v[j->nerrs].text = strdup(text);
	if (v[j->nerrs].text)
		j->nerrs++;
}

long long journal_rejected(const struct journal *j)
{
	return j ? j->rejected : 0;
}

int journal_updated(struct journal *j, long long record_id, const char *before, long long version,
		    struct err *e)
{
	int rc;

	if (!j)
		return OK; /* a dry run: nothing is recorded */
	if (!j->has_items) {
		rc = store_exec(
			j->st,
			"DROP TABLE IF EXISTS temp.journal_items; CREATE TEMP TABLE "
			"journal_items (record_id INTEGER PRIMARY KEY, before TEXT NOT NULL, "
			"version INTEGER NOT NULL)",
			e);
		if (rc)
			return rc;
		j->has_items = 1;
	}
	/* a record changed twice by one file keeps its first `before` */
	rc = store_run(j->st, e,
		       "INSERT INTO temp.journal_items (record_id, before, version) VALUES (?, ?, "
		       "?) ON CONFLICT (record_id) DO UPDATE SET version = excluded.version",
		       "iti", record_id, before, version);
	if (!rc && store_changes(j->st))
		j->updated++;
	return rc;
}

static int write_errors(struct journal *j, long long id, struct err *e)
{
	int i, rc = OK;

	for (i = 0; i < j->nerrs && !rc; i++)
		rc = store_run(j->st, e,
			       "INSERT INTO import_rejects (import_id, seq, line, message) VALUES "
			       "(?, ?, nullif(?, 0), ?)",
			       "iiit", id, (long long)i + 1, j->errs[i].line, j->errs[i].text);
	return rc;
}

int journal_finish(struct journal *j, int written, long long *id, struct err *e)
{
	long long created = 0, top = j->base, mark = 0, updated = 0;
	char sql[200];
	int found, rc = OK, own = !written;

	*id = 0;
	if (own) {
		rc = store_begin(j->st, e);
		if (rc)
			return rc;
	}
	if (written && undoable(j->table)) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(*), coalesce(max(id), ?1) FROM \"%s\" WHERE id > ?1",
			 j->table);
		{
			struct stmt *s = store_prepare(j->st, sql, e);

			if (!s)
				return E_INTERNAL;
			stmt_bind_int(s, 1, j->base);
			rc = stmt_step(s, e);
			if (!rc && stmt_row(s)) {
				created = stmt_int(s, 0);
				top = stmt_int(s, 1);
			}
			stmt_done(s);
		}
		if (!rc)
			rc = store_int(j->st, &mark, &found, e,
				       "SELECT coalesce(max(id), 0) FROM history", "");
		updated = j->updated;
	} else if (written) {
		updated = j->updated;
	}
	if (rc)
		goto fail;
	if (j->job) {
		rc = store_run(
			j->st, e,
			"UPDATE imports SET status = ?, created = ?, updated = ?, rejected = ?, "
			"created_from = ?, created_to = ?, history_mark = ?, pid = NULL "
			"WHERE id = ?",
			"tiiiiiii", written ? "done" : "refused", created, updated, j->rejected,
			j->base, top, mark, j->job);
		*id = j->job;
	} else {
		rc = store_run(
			j->st, e,
			"INSERT INTO imports (user_id, via, file_name, resource, preset, "
			"status, created, updated, rejected, created_from, created_to, "
			"history_mark, created_at) VALUES (nullif(?, 0), ?, ?, ?, ?, ?, ?, ?, "
			"?, ?, ?, ?, ?)",
			"itttttiiiiiit", j->user_id, j->via, j->file, j->table, j->preset,
			written ? "done" : "refused", created, updated, j->rejected, j->base, top,
			mark, j->at);
		*id = rc ? 0 : store_last_id(j->st);
	}
	if (rc)
		goto fail;
	if (written && j->has_items)
		rc = store_run(j->st, e,
			       "INSERT INTO import_items (import_id, record_id, before, version) "
			       "SELECT ?, record_id, before, version FROM temp.journal_items",
			       "i", *id);
	if (!rc)
		rc = write_errors(j, *id, e);
	if (!rc && own)
		rc = store_commit(j->st, e);
fail:
	if (rc && own)
		store_rollback(j->st);
	return rc;
}

void journal_free(struct journal *j)
{
	int i;

	if (!j)
		return;
	if (j->has_items)
		store_exec(j->st, "DROP TABLE IF EXISTS temp.journal_items", NULL);
	for (i = 0; i < j->nerrs; i++)
		free(j->errs[i].text);
	free(j->errs);
	free(j->table);
	free(j->file);
	free(j->preset);
	free(j);
}

/* --- reading ------------------------------------------------------------ */

#define COLUMNS                                                                          \
	"i.id, i.user_id, u.email, i.via, i.file_name, i.resource, i.preset, i.status, " \
	"i.created, i.updated, i.rejected, i.created_at, i.undone_at, i.undone_by"

/* The visibility rule as SQL over imports aliased i: ?1 is the user, ?2
 * whether they are an admin. */
#define VISIBLE "(?2 OR i.user_id = ?1)"

static void write_import(struct stmt *s, struct jw *w)
{
	jw_kint(w, "id", stmt_int(s, 0));
	jw_key(w, "user_id");
	if (stmt_null(s, 1))
		jw_null(w);
	else
		jw_int(w, stmt_int(s, 1));
	jw_kstr(w, "user_email", stmt_text(s, 2));
	jw_kstr(w, "via", stmt_text(s, 3));
	jw_kstr(w, "file_name", stmt_text(s, 4));
	jw_kstr(w, "resource", stmt_text(s, 5));
	jw_kstr(w, "preset", stmt_text(s, 6));
	jw_kstr(w, "status", stmt_text(s, 7));
	jw_key(w, "counts");
	jw_obj(w);
	jw_kint(w, "created", stmt_int(s, 8));
	jw_kint(w, "updated", stmt_int(s, 9));
	jw_kint(w, "rejected", stmt_int(s, 10));
	jw_obj_end(w);
	jw_kstr(w, "created_at", stmt_text(s, 11));
	jw_kstr(w, "undone_at", stmt_text(s, 12));
	jw_key(w, "undone_by");
	if (stmt_null(s, 13))
		jw_null(w);
	else
		jw_int(w, stmt_int(s, 13));
}

int journal_list(struct store *st, const struct principal *p, int limit, long long before,
		 struct jw *w, struct err *e)
{
	struct stmt *s =
		store_prepare(st,
			      "SELECT " COLUMNS " FROM imports i LEFT JOIN users u ON u.id = "
			      "i.user_id WHERE " VISIBLE " AND (?3 = 0 OR i.id < ?3) ORDER "
			      "BY i.id DESC LIMIT ?4",
			      e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, p->user_id);
	stmt_bind_int(s, 2, principal_is_admin(p));
	stmt_bind_int(s, 3, before);
	stmt_bind_int(s, 4, limit);
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		jw_obj(w);
		write_import(s, w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	stmt_done(s);
	return rc;
}

int journal_get(struct store *st, const struct principal *p, long long id, long long done,
		long long total, struct jw *w, struct err *e)
{
	struct stmt *s =
		store_prepare(st,
			      "SELECT " COLUMNS " FROM imports i LEFT JOIN users u ON u.id = "
			      "i.user_id WHERE " VISIBLE " AND i.id = ?3",
			      e);
	int rc, there = 0;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, p->user_id);
	stmt_bind_int(s, 2, principal_is_admin(p));
	stmt_bind_int(s, 3, id);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		there = 1;
		jw_obj(w);
		write_import(s, w);
		jw_key(w, "progress");
		if (total > 0 && !strcmp(stmt_text(s, 7), "running")) {
			jw_obj(w);
			jw_kint(w, "done", done);
			jw_kint(w, "total", total);
			jw_obj_end(w);
		} else {
			jw_null(w);
		}
	}
	stmt_done(s);
	if (rc)
		return rc;
	if (!there)
		return fail(e, E_NOTFOUND, "no import with id %lld", id);
	s = store_prepare(
		st, "SELECT line, message FROM import_rejects WHERE import_id = ? ORDER BY seq", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	jw_key(w, "errors");
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		jw_obj(w);
		jw_key(w, "line");
		if (stmt_null(s, 0))
			jw_null(w);
		else
			jw_int(w, stmt_int(s, 0));
		jw_kstr(w, "reason", stmt_text(s, 1));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	stmt_done(s);
	jw_obj_end(w);
	return rc;
}

/* --- undo --------------------------------------------------------------- */

struct imp {
	const struct resource *r;
	char status[16], resource[64];
	long long from, to, mark;
};

static int load(struct store *st, const struct principal *p, long long id, struct imp *im,
		struct err *e)
{
	struct stmt *s =
		store_prepare(st,
			      "SELECT status, resource, created_from, created_to, "
			      "history_mark FROM imports i WHERE " VISIBLE " AND i.id = ?3",
			      e);
	int rc, there = 0;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, p->user_id);
	stmt_bind_int(s, 2, principal_is_admin(p));
	stmt_bind_int(s, 3, id);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		there = 1;
		snprintf(im->status, sizeof(im->status), "%s", stmt_text(s, 0));
		snprintf(im->resource, sizeof(im->resource), "%s", stmt_text(s, 1));
		im->from = stmt_int(s, 2);
		im->to = stmt_int(s, 3);
		im->mark = stmt_int(s, 4);
	}
	stmt_done(s);
	if (rc)
		return rc;
	if (!there)
		return fail(e, E_NOTFOUND, "no import with id %lld", id);
	im->r = undoable(im->resource);
	return OK;
}

/* Ids from a one-column query with ?1 the import, ?2..?4 from, to, mark. */
static int ids(struct store *st, const char *sql, long long import_id, const struct imp *im,
	       long long **out, long long *n, struct err *e)
{
	struct stmt *s = store_prepare(st, sql, e);
	long long cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!s)
		return E_INTERNAL;
	stmt_bind_named_int(s, ":import", import_id);
	stmt_bind_named_int(s, ":from", im->from);
	stmt_bind_named_int(s, ":to", im->to);
	stmt_bind_named_int(s, ":mark", im->mark);
	stmt_bind_named(s, ":resource", im->r->name);
	stmt_bind_named(s, ":singular", im->r->singular);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (*n == cap) {
			long long *v;

			cap = cap ? cap * 2 : 256;
			v = realloc(*out, (size_t)cap * sizeof(*v));
			if (!v) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			*out = v;
		}
		(*out)[(*n)++] = stmt_int(s, 0);
	}
	stmt_done(s);
	return rc;
}

/* Collect a refusal: a field per record, the first few in the message. */
struct refusal {
	struct err *e;
	struct buf msg;
	long long n;
};

static void refuse(struct refusal *rf, const struct resource *r, long long id, const char *why)
{
	char name[64];

	snprintf(name, sizeof(name), "%s %lld", r->singular, id);
	if (rf->e->nfields < ERR_MAX_FIELDS) {
		struct err_field *f = &rf->e->fields[rf->e->nfields++];

		snprintf(f->field, sizeof(f->field), "%s", name);
		snprintf(f->message, sizeof(f->message), "%s", why);
	}
	if (rf->n < 5)
		buf_printf(&rf->msg, "%s%s (%s)", rf->n ? ", " : "", name, why);
	rf->n++;
}

static int check_later(struct store *st, long long import_id, const struct imp *im,
		       struct refusal *rf, struct err *e)
{
	/* changed since: a history row after the mark, the record still there */
	static const char changed[] =
		"SELECT DISTINCT h.record_id FROM history h WHERE h.resource = :resource AND "
		"h.id > :mark AND ((h.record_id > :from AND h.record_id <= :to) OR h.record_id IN "
		"(SELECT record_id FROM import_items WHERE import_id = :import)) ORDER BY 1";
	static const char activities[] =
		"SELECT DISTINCT related_id FROM activities WHERE related_type = :singular AND "
		"related_id > :from AND related_id <= :to UNION SELECT related_id FROM attachments "
		"WHERE related_type = :singular AND related_id > :from AND related_id <= :to "
		"ORDER BY 1";
	char sql[200];
	long long *v = NULL, n = 0, i;
	int found, rc;

	rc = ids(st, changed, import_id, im, &v, &n, e);
	for (i = 0; i < n && !rc; i++) {
		long long there = 0;

		snprintf(sql, sizeof(sql), "SELECT 1 FROM \"%s\" WHERE id = ?", im->r->name);
		rc = store_int(st, &there, &found, e, sql, "i", v[i]);
		if (!rc && found)
			refuse(rf, im->r, v[i], "changed after the import");
	}
	free(v);
	v = NULL;
	if (!rc && strcmp(im->r->name, "activities"))
		rc = ids(st, activities, import_id, im, &v, &n, e);
	for (i = 0; i < n && !rc; i++)
		refuse(rf, im->r, v[i], "has activities or attachments added after the import");
	free(v);
	return rc;
}

int journal_undo(struct store *st, const struct principal *p, long long id, long long *deleted,
		 long long *restored, struct err *e)
{
	struct imp im;
	struct refusal rf = {e, BUF_INIT, 0};
	struct record rec;
	struct err re;
	struct stmt *s;
	char sql[200], now[TIME_ISO_LEN];
	long long *v = NULL, n = 0, i;
	int rc;

	*deleted = *restored = 0;
	memset(&im, 0, sizeof(im));
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = load(st, p, id, &im, e);
	if (rc)
		goto fail;
	if (strcmp(im.status, "done")) {
		rc = fail(e, E_CONFLICT, "import %lld %s", id,
			  !strcmp(im.status, "undone") ? "is undone already"
			  : !strcmp(im.status, "running")
				  ? "is still running"
				  : "wrote nothing to undo (it was refused or "
				    "failed)");
		goto fail;
	}
	if (!im.r) {
		rc = fail(e, E_CONFLICT, "import %lld replaced %s: such imports cannot be undone",
			  id,
			  !strcmp(im.resource, "stage_import") ? "stage histories"
							       : "field histories");
		goto fail;
	}
	rc = check_later(st, id, &im, &rf, e);
	if (rc)
		goto fail;
	/* the created records, newest first */
	snprintf(sql, sizeof(sql),
		 "SELECT id FROM \"%s\" WHERE id > :from AND id <= :to ORDER BY id DESC",
		 im.r->name);
	if (!rf.n)
		rc = ids(st, sql, id, &im, &v, &n, e);
	for (i = 0; i < n && !rc; i++) {
		err_clear(&re);
		rc = record_delete(st, p, im.r, v[i], -1, &re);
		if (rc == E_CONFLICT || rc == E_NOTFOUND || rc == E_FORBIDDEN) {
			refuse(&rf, im.r, v[i],
			       rc == E_CONFLICT ? "other records refer to it" : re.msg);
			rc = OK;
		} else if (rc) {
			*e = re;
		} else {
			(*deleted)++;
		}
	}
	free(v);
	v = NULL;
	/* the changed ones, back as they were */
	s = NULL;
	if (!rc && !rf.n) {
		s = store_prepare(st,
				  "SELECT record_id, before, version FROM import_items WHERE "
				  "import_id = ? ORDER BY record_id",
				  e);
		if (!s)
			rc = E_INTERNAL;
	}
	if (s) {
		struct {
			long long id, version;
			json_t *before;
		} *items = NULL;
		long long k, nitems = 0;

		stmt_bind_int(s, 1, id);
		while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
			void *grown = realloc(items, (size_t)(nitems + 1) * sizeof(*items));

			if (!grown) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			items = grown;
			items[nitems].id = stmt_int(s, 0);
			items[nitems].version = stmt_int(s, 2);
			items[nitems].before = json_loads(stmt_text(s, 1), 0, NULL);
			nitems++;
		}
		stmt_done(s);
		for (k = 0; k < nitems; k++) {
			if (!rc && items[k].before) {
				err_clear(&re);
				record_init(&rec, im.r);
				rc = record_update(st, p, im.r, items[k].id, items[k].before,
						   items[k].version, &rec, &re);
				record_release(&rec);
				if (rc == E_PRECOND || rc == E_CONFLICT || rc == E_NOTFOUND ||
				    rc == E_FORBIDDEN || rc == E_INVAL) {
					refuse(&rf, im.r, items[k].id,
					       rc == E_PRECOND ? "changed after the import"
							       : re.msg);
					rc = OK;
				} else if (rc) {
					*e = re;
				} else {
					(*restored)++;
				}
			}
			json_decref(items[k].before);
		}
		free(items);
	}
	if (!rc && rf.n) {
		long long shown = rf.n < 5 ? rf.n : 5;

		rc = E_CONFLICT;
		e->code = E_CONFLICT;
		snprintf(e->msg, sizeof(e->msg),
			 "undoing import %lld would lose later changes to %lld record%s: %s%s; "
			 "undo those changes (or delete the records) first",
			 id, rf.n, rf.n == 1 ? "" : "s", rf.msg.data, rf.n > shown ? ", …" : "");
		goto fail;
	}
	if (!rc)
		rc = store_run(st, e,
			       "DELETE FROM external_ids WHERE resource = ? AND record_id > ? AND "
			       "record_id <= ?",
			       "tii", im.r->name, im.from, im.to);
	time_iso(time_now(), now);
	if (!rc)
		rc = store_run(st, e,
			       "UPDATE imports SET status = 'undone', undone_at = ?, undone_by = "
			       "nullif(?, 0) WHERE id = ?",
			       "tii", now, p->user_id, id);
	if (!rc)
		rc = store_commit(st, e);
fail:
	if (rc)
		store_rollback(st);
	buf_release(&rf.msg);
	return rc;
}
