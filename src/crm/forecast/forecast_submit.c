/*
 * forecast_submit.c — scopes, submissions and the roll-up (see
 * forecast_process.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/timeutil.h"
#include "forecast_process.h"
#include "forecast_process_int.h"
#include "crm/records/user.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

const char *const fp_kind_names[3] = {"user", "team", "company"};

/* --- scopes ---------------------------------------------------------------- */

int fp_kind_parse(const char *s, enum fp_kind *k)
{
	int i;

	for (i = 0; i < N(fp_kind_names); i++)
		if (!strcmp(s, fp_kind_names[i])) {
			*k = (enum fp_kind)i;
			return 0;
		}
	return -1;
}

int fp_team_in_subtree(struct store *st, long long root, long long team, int *in,
		       struct err *e)
{
	long long one;

	return store_int(st, &one, in, e, "SELECT 1 FROM (" SQL_TEAM_SUBTREE ") WHERE id = ?2",
			 "ii", root, team);
}

int fp_scope_visible(struct store *st, const struct principal *p, const struct fp_scope *s,
		     struct err *e)
{
	long long one;
	int found = 0, rc;

	switch (s->kind) {
	case FP_COMPANY:
		return principal_is_admin(p) ? OK : fail(e, E_NOTFOUND, "no such scope");
	case FP_USER:
		rc = store_int(st, &one, &found, e, "SELECT 1 FROM users WHERE id = ?", "i", s->id);
		if (rc)
			return rc;
		if (!found || !principal_sees_owner(p, s->id))
			return fail(e, E_NOTFOUND, "no such user");
		return OK;
	case FP_TEAM:
		rc = store_int(st, &one, &found, e, "SELECT 1 FROM teams WHERE id = ?", "i", s->id);
		if (rc)
			return rc;
		if (found && !principal_is_admin(p)) {
			found = 0;
			if (p->role == ROLE_MANAGER && p->team_id &&
			    (rc = fp_team_in_subtree(st, p->team_id, s->id, &found, e)))
				return rc;
		}
		return found ? OK : fail(e, E_NOTFOUND, "no such team");
	}
	return fail(e, E_INTERNAL, "bad scope");
}

void fp_scope_engine(const struct fp_scope *s, struct fc_scope *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = s->kind == FP_USER ? FS_USER : s->kind == FP_TEAM ? FS_TEAM : FS_COMPANY;
	out->id = s->id;
}

int fp_scope_name(struct store *st, const struct fp_scope *s, char *out, size_t n,
		  struct err *e)
{
	struct stmt *q;
	int rc;

	snprintf(out, n, "%s", s->kind == FP_COMPANY ? "Company" : "");
	if (s->kind == FP_COMPANY)
		return OK;
	q = store_prepare(st, s->kind == FP_USER ? "SELECT name FROM users WHERE id = ?"
						 : "SELECT name FROM teams WHERE id = ?",
			  e);
	if (!q)
		return E_INTERNAL;
	stmt_bind_int(q, 1, s->id);
	rc = stmt_step(q, e);
	if (!rc && stmt_row(q))
		snprintf(out, n, "%s", stmt_text(q, 0));
	stmt_done(q);
	return rc;
}

/* --- periods and weeks ---------------------------------------------------- */

void fp_iso_week(time_t t, char out[9])
{
	struct tm tm;
	char buf[16];

	gmtime_r(&t, &tm);
	/* %G-W%V: the ISO 8601 week-based year and week */
	if (strftime(buf, sizeof(buf), "%G-W%V", &tm) != 8)
		snprintf(buf, sizeof(buf), "0000-W00");
	memcpy(out, buf, 9);
}

void fp_period_of(time_t t, char quarter[8], char month[8])
{
	struct tm tm;
	unsigned y, m;

	gmtime_r(&t, &tm);
	y = (unsigned)(tm.tm_year + 1900) % 10000u;
	m = (unsigned)tm.tm_mon % 12u + 1;
	snprintf(quarter, 8, "%04u-Q%u", y, (m - 1) / 3 + 1);
	snprintf(month, 8, "%04u-%02u", y, m);
}

int fp_parse_id(const char *v, const char *field, long long *out, struct err *e)
{
	char *end;

	if (v && *v >= '1' && *v <= '9' && strlen(v) < 19) {
		*out = strtoll(v, &end, 10);
		if (!*end)
			return OK;
	}
	return err_field(e, field, "must be a positive integer id");
}

int fp_parse_period(const char *v, const char *field, char out[8], uint32_t *from,
		    uint32_t *to, struct err *e)
{
	uint32_t f, t;

	if (!v || forecast_period(v, &f, &t))
		return err_field(e, field, "must be a quarter (2026-Q4) or a month (2026-11)");
	snprintf(out, 8, "%s", v);
	if (from)
		*from = f;
	if (to)
		*to = t;
	return OK;
}

/* --- JSON helpers --------------------------------------------------------- */

void fp_jw_money(struct jw *w, const char *key, int64_t minor, const char *currency)
{
	int digits = money_digits(currency);

	money_jw(w, key, minor, digits < 0 ? 2 : digits);
}

void fp_jw_time(struct jw *w, const char *key, time_t t)
{
	char iso[TIME_ISO_LEN];

	time_iso(t, iso);
	jw_kstr(w, key, iso);
}

/* One model's figures: further bookings and totals. */
static void model_json(struct jw *w, int m, const struct fc_result *r)
{
	const struct fc_model_result *x = &r->m[m];
	const char *c = r->currency;

	jw_key(w, fc_model_names[m]);
	jw_obj(w);
	fp_jw_money(w, "expected", x->expected, c);
	fp_jw_money(w, "p10", x->p10, c);
	fp_jw_money(w, "p50", x->p50, c);
	fp_jw_money(w, "p90", x->p90, c);
	fp_jw_money(w, "total", r->closed_won + x->expected, c);
	fp_jw_money(w, "total_p10", r->closed_won + x->p10, c);
	fp_jw_money(w, "total_p90", r->closed_won + x->p90, c);
	jw_kbool(w, "interval", fp_model_has_interval(m));
	if (m == FC_CATEGORIES) {
		fp_jw_money(w, "commit", x->commit, c);
		fp_jw_money(w, "best_case", x->best_case, c);
		fp_jw_money(w, "pipeline", x->pipeline, c);
	}
	jw_obj_end(w);
}

void fp_models_json(struct jw *w, const struct fc_result *r)
{
	int m;

	jw_obj(w);
	jw_kstr(w, "currency", r->currency);
	fp_jw_money(w, "closed_won", r->closed_won, r->currency);
	jw_kint(w, "open_deals", r->open_deals);
	for (m = 0; m < FC_NMODELS; m++)
		if (r->models & (1u << m))
			model_json(w, m, r);
	jw_obj_end(w);
}

int fp_model_has_interval(int m)
{
	return m == FC_HISTORICAL || m == FC_SIMULATION;
}

/* --- submissions ----------------------------------------------------------- */

static const char *const scope_choices[] = {"user", "team", "company", NULL};

const struct field fp_submission_fields[] = {
	{"period", FT_TEXT, FF_REQUIRED, 0, 7, NULL, NULL,
	 "The quarter (2026-Q4) or month (2026-11) the number is for"},
	{"scope", FT_ENUM, FF_REQUIRED, 0, 0, scope_choices, NULL,
	 "user: the submitter's own number; team: a team of a manager's subtree (team_id); "
	 "company: admins"},
	{"team_id", FT_REF, 0, 0, 0, NULL, "teams", "The team (scope team only)"},
	{"commit", FT_MONEY, FF_REQUIRED, 0, 0, NULL, NULL,
	 "What will book in the period for sure, closed-won included"},
	{"best_case", FT_MONEY, FF_REQUIRED, 0, 0, NULL, NULL,
	 "What the period may book at best (at least commit)"},
	{"currency", FT_CURRENCY, 0, 0, 0, NULL, NULL, "ISO 4217 code (default EUR)"},
	{"note", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, "Why, for the manager"},
};
const int fp_submission_nfields = N(fp_submission_fields);

static const struct resource submission_resource = {
	.name = "forecast_submissions",
	.singular = "forecast submission",
	.doc = "A person's forecast number for a period",
	.fields = fp_submission_fields,
	.nfields = N(fp_submission_fields),
	.vis = VIS_ALL,
};

/* The columns fp_submission_json() reads, in its order. */
#define SUB_COLUMNS                                                                        \
	"s.id, s.period, s.scope, s.scope_id, s.submitter_id, u.name, s.currency, "        \
	"s.commit_amount, s.best_case, s.note, s.submitted_at, CASE s.scope WHEN 'user' "  \
	"THEN (SELECT name FROM users WHERE id = s.scope_id) WHEN 'team' THEN (SELECT name " \
	"FROM teams WHERE id = s.scope_id) ELSE 'Company' END"
#define SUB_FROM " FROM forecast_submissions s JOIN users u ON u.id = s.submitter_id"

void fp_submission_json(struct stmt *s, int col, struct jw *w)
{
	const char *cur = stmt_text(s, col + 6);

	jw_obj(w);
	jw_kint(w, "id", stmt_int(s, col));
	jw_kstr(w, "period", stmt_text(s, col + 1));
	jw_kstr(w, "scope", stmt_text(s, col + 2));
	if (strcmp(stmt_text(s, col + 2), "company"))
		jw_kint(w, "scope_id", stmt_int(s, col + 3));
	else
		jw_key(w, "scope_id"), jw_null(w);
	jw_kstr(w, "scope_name", stmt_text(s, col + 11));
	jw_kint(w, "submitter_id", stmt_int(s, col + 4));
	jw_kstr(w, "submitter_name", stmt_text(s, col + 5));
	jw_kstr(w, "currency", cur);
	fp_jw_money(w, "commit", stmt_int(s, col + 7), cur);
	fp_jw_money(w, "best_case", stmt_int(s, col + 8), cur);
	jw_kstr(w, "note", stmt_text(s, col + 9));
	jw_kstr(w, "submitted_at", stmt_text(s, col + 10));
	jw_obj_end(w);
}

/* May p submit for the scope?  Visibility first (404), then the role (403). */
static int may_submit(struct store *st, const struct principal *p, const struct fp_scope *s,
		      struct err *e)
{
	int rc;

	if (s->kind == FP_USER)
		return OK; /* always oneself */
	if (s->kind == FP_TEAM && p->role == ROLE_REP)
		return fail(e, E_NOTFOUND, "no such team");
	if (s->kind == FP_COMPANY && !principal_is_admin(p))
		return fail(e, E_FORBIDDEN, "only admins submit the company's number");
	rc = fp_scope_visible(st, p, s, e);
	if (rc == E_NOTFOUND)
		err_field(e, "team_id", "no such team among those you manage");
	return rc;
}

int fp_submit(struct store *st, const struct principal *p, json_t *body, time_t now,
	      long long *id, struct jw *w, struct err *e)
{
	struct record rec;
	struct fp_scope sc = {FP_USER, p->user_id};
	const struct val *v = NULL;
	char at[TIME_ISO_LEN];
	const char *cur;
	struct stmt *s;
	int rc, i;

	record_init(&rec, &submission_resource);
	rc = record_decode(&submission_resource, body, 0, &rec, e);
	if (rc && (!e || !e->nfields))
		goto out;
	for (i = 0; i < N(fp_submission_fields); i++)
		if ((fp_submission_fields[i].flags & FF_REQUIRED) &&
		    (!rec.v[i].set || rec.v[i].null))
			err_field(e, fp_submission_fields[i].name, "is required");
	v = rec.v;
	if (v[0].set && !v[0].null && !quota_period_valid(v[0].s))
		err_field(e, "period", "must be a quarter (2026-Q4) or a month (2026-11)");
	if (v[3].set && !v[3].null && !v[3].s && v[3].i < 0)
		err_field(e, "commit", "must not be negative");
	if (v[3].set && v[4].set && !v[3].null && !v[4].null && !v[3].s && !v[4].s &&
	    v[4].i < v[3].i)
		err_field(e, "best_case", "must be at least commit");
	/* an unknown scope was reported by the decoder (and has no text) */
	if (v[1].set && !v[1].null && v[1].s && !fp_kind_parse(v[1].s, &sc.kind)) {
		if (sc.kind == FP_TEAM && (!v[2].set || v[2].null))
			err_field(e, "team_id", "is required for scope team");
		else if (sc.kind != FP_TEAM && v[2].set && !v[2].null)
			err_field(e, "team_id", "is only for scope team");
		sc.id = sc.kind == FP_TEAM ? v[2].i : sc.kind == FP_USER ? p->user_id : 0;
	}
	if (e && e->nfields) {
		rc = E_INVAL;
		goto out;
	}
	rc = may_submit(st, p, &sc, e);
	if (rc)
		goto out;
	cur = v[5].set && !v[5].null ? v[5].s : "EUR";
	time_iso(now, at);
	rc = store_run(st, e,
		       "INSERT INTO forecast_submissions (period, scope, scope_id, submitter_id, "
		       "currency, commit_amount, best_case, note, submitted_at) VALUES (?, ?, ?, "
		       "?, ?, ?, ?, ?, ?)",
		       "ttiitiits", v[0].s, fp_kind_names[sc.kind], sc.id, p->user_id, cur, v[3].i,
		       v[4].i, v[6].set && !v[6].null ? v[6].s : NULL, at);
	if (rc)
		goto out;
	*id = store_last_id(st);
	s = store_prepare(st, "SELECT " SUB_COLUMNS SUB_FROM " WHERE s.id = ?", e);
	if (!s) {
		rc = E_INTERNAL;
		goto out;
	}
	stmt_bind_int(s, 1, *id);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s))
		fp_submission_json(s, 0, w);
	stmt_done(s);
out:
	record_release(&rec);
	return rc;
}

/* The visibility condition over forecast_submissions s (or snapshots with
 * the same scope columns), for p.  Binds :owners and :vteam: place it after
 * every numbered parameter (SQLite numbers a name where it first appears). */
const char *fp_visible_sql(const struct principal *p)
{
	if (principal_is_admin(p))
		return "1 = 1"; /* a boolean on PostgreSQL too */
	if (p->role == ROLE_MANAGER && p->team_id)
		return "((s.scope = 'user' AND s.scope_id IN (SELECT value FROM json_each(:owners)))"
		       " OR (s.scope = 'team' AND s.scope_id IN (WITH RECURSIVE sub(id) AS (SELECT "
		       ":vteam UNION SELECT t.id FROM teams t JOIN sub ON t.parent_id = sub.id) "
		       "SELECT id FROM sub)))";
	return "(s.scope = 'user' AND s.scope_id IN (SELECT value FROM json_each(:owners)))";
}

void fp_visible_bind(struct stmt *s, const struct principal *p)
{
	stmt_bind_named(s, ":owners", p->owners_json ? p->owners_json : "[]");
	stmt_bind_named_int(s, ":vteam", p->team_id);
}

/* Query parameters naming a scope: scope, user_id, team_id.  A user or team
 * named must be visible (E_NOTFOUND). */
int fp_parse_scope_params(struct store *st, const struct principal *p, const char *kind,
			  const char *user_id, const char *team_id, struct fp_scope *out,
			  int *has_kind, struct err *e)
{
	struct fp_scope s = {FP_COMPANY, 0};
	long long uid = 0, tid = 0;

	*has_kind = 0;
	if (kind && fp_kind_parse(kind, &s.kind))
		err_field(e, "scope", "must be user, team or company");
	else if (kind)
		*has_kind = 1;
	if (user_id)
		fp_parse_id(user_id, "user_id", &uid, e);
	if (team_id)
		fp_parse_id(team_id, "team_id", &tid, e);
	if (uid && tid)
		err_field(e, "team_id", "give user_id or team_id, not both");
	if (*has_kind && s.kind == FP_COMPANY && (uid || tid))
		err_field(e, "scope", "company takes neither user_id nor team_id");
	if (*has_kind && ((s.kind == FP_USER && tid) || (s.kind == FP_TEAM && uid)))
		err_field(e, "scope", "does not match the id given");
	if (e && e->nfields)
		return E_INVAL;
	if (uid) {
		s.kind = FP_USER;
		s.id = uid;
		*has_kind = 1;
	} else if (tid) {
		s.kind = FP_TEAM;
		s.id = tid;
		*has_kind = 1;
	}
	*out = s;
	if (s.id || (*has_kind && s.kind == FP_COMPANY))
		return fp_scope_visible(st, p, &s, e);
	return OK;
}

int fp_submissions(struct store *st, const struct principal *p, const struct kv *q, int n,
		   struct jw *w, struct err *e)
{
	const char *period = NULL, *kind = NULL, *uid = NULL, *tid = NULL;
	long long submitter = 0, cursor = 0, last = 0;
	struct fp_scope sc;
	char per[8];
	struct buf sql = BUF_INIT;
	struct stmt *s;
	int i, latest = 0, limit = 100, has_kind, rows = 0, rc;

	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!strcmp(k, "period"))
			period = fp_parse_period(v, k, per, NULL, NULL, e) ? NULL : per;
		else if (!strcmp(k, "scope"))
			kind = v;
		else if (!strcmp(k, "user_id"))
			uid = v;
		else if (!strcmp(k, "team_id"))
			tid = v;
		else if (!strcmp(k, "submitter_id"))
			fp_parse_id(v, k, &submitter, e);
		else if (!strcmp(k, "latest") && (!strcmp(v, "true") || !strcmp(v, "false")))
			latest = !strcmp(v, "true");
		else if (!strcmp(k, "latest"))
			err_field(e, k, "must be true or false");
		else if (!strcmp(k, "limit")) {
			char *end;
			long x = strtol(v, &end, 10);

			if (*v && !*end && x >= 1 && x <= 500)
				limit = (int)x;
			else
				err_field(e, k, "must be an integer from 1 to 500");
		} else if (!strcmp(k, "cursor"))
			fp_parse_id(v, k, &cursor, e);
		else
			err_field(e, k, "is not a parameter of this list");
	}
	rc = fp_parse_scope_params(st, p, kind, uid, tid, &sc, &has_kind, e);
	if (rc)
		return rc;
	if (e && e->nfields)
		return E_INVAL;
	buf_printf(&sql,
		   /* the named parameters after the numbered ones: SQLite numbers a
		    * name where it first appears */
		   "SELECT " SUB_COLUMNS SUB_FROM " WHERE (?1 IS NULL OR s.period = ?1) AND (?2 IS "
		   "NULL OR s.scope = ?2) AND (?3 = 0 OR s.scope_id = ?3) AND (?4 = 0 OR "
		   "s.submitter_id = ?4) AND (?5 = 0 OR s.id < ?5)%s AND %s ORDER BY s.id DESC "
		   "LIMIT :lim",
		   latest ? " AND s.id = (SELECT max(x.id) FROM forecast_submissions x WHERE "
			    "x.period = s.period AND x.scope = s.scope AND x.scope_id = "
			    "s.scope_id AND x.submitter_id = s.submitter_id)"
			  : "",
		   fp_visible_sql(p));
	s = store_prepare(st, sql.data, e);
	buf_release(&sql);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, period);
	stmt_bind_text(s, 2, has_kind ? fp_kind_names[sc.kind] : NULL);
	stmt_bind_int(s, 3, sc.id);
	stmt_bind_int(s, 4, submitter);
	stmt_bind_int(s, 5, cursor);
	stmt_bind_named_int(s, ":lim", limit + 1);
	fp_visible_bind(s, p);
	jw_obj(w);
	jw_key(w, "data");
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (++rows > limit)
			break;
		last = stmt_int(s, 0);
		fp_submission_json(s, 0, w);
	}
	stmt_done(s);
	jw_arr_end(w);
	if (rows > limit) {
		char c[24];

		snprintf(c, sizeof(c), "%lld", last);
		jw_kstr(w, "next_cursor", c);
	} else {
		jw_key(w, "next_cursor");
		jw_null(w);
	}
	jw_obj_end(w);
	return rc;
}

/* --- roll-up ----------------------------------------------------------------- */

struct member {
	enum fp_kind kind;
	long long id;
	char name[128], role[16];
};

static int load_members(struct store *st, const struct fp_scope *sc, struct member **out,
			int *n, struct err *e)
{
	static const char *const sql[2][2] = {
		{"SELECT id, name, role FROM users WHERE team_id = ? AND active = 1 AND role <> "
		 "'admin' ORDER BY name, id",
		 "SELECT id, name, '' FROM teams WHERE parent_id = ? ORDER BY name, id"},
		{"SELECT id, name, role FROM users WHERE team_id IS NULL AND active = 1 AND role "
		 "<> 'admin' AND ?1 = 0 ORDER BY name, id",
		 "SELECT id, name, '' FROM teams WHERE parent_id IS NULL AND ?1 = 0 ORDER BY name, "
		 "id"}};
	int k, rc = OK, cap = 0;

	*out = NULL;
	*n = 0;
	for (k = 0; k < 2 && !rc; k++) {
		struct stmt *s = store_prepare(st, sql[sc->kind == FP_COMPANY][k], e);

		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, sc->id);
		while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
			struct member *m;

			if (*n == cap) {
				m = realloc(*out, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*m));
				if (!m) {
					rc = fail(e, E_INTERNAL, "out of memory");
					break;
				}
				*out = m;
			}
			m = &(*out)[(*n)++];
			m->kind = k ? FP_TEAM : FP_USER;
			m->id = stmt_int(s, 0);
			snprintf(m->name, sizeof(m->name), "%s", stmt_text(s, 1));
			snprintf(m->role, sizeof(m->role), "%s", stmt_text(s, 2));
		}
		stmt_done(s);
	}
	return rc;
}

/* Write the latest submission for a member scope (any submitter), adding it
 * to the sums when in `currency`. */
static int member_submission(struct store *st, const char *period, const struct member *m,
			     const char *currency, int64_t *commit, int64_t *best, int *got,
			     int *other, struct jw *w, struct err *e)
{
	struct stmt *s = store_prepare(st,
				       "SELECT " SUB_COLUMNS SUB_FROM " WHERE s.period = ? AND "
				       "s.scope = ? AND s.scope_id = ? ORDER BY s.id DESC LIMIT 1",
				       e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, period);
	stmt_bind_text(s, 2, fp_kind_names[m->kind]);
	stmt_bind_int(s, 3, m->id);
	rc = stmt_step(s, e);
	jw_key(w, "submission");
	if (!rc && stmt_row(s)) {
		fp_submission_json(s, 0, w);
		if (!strcmp(stmt_text(s, 6), currency)) {
			*commit += stmt_int(s, 7);
			*best += stmt_int(s, 8);
			(*got)++;
		} else {
			(*other)++;
		}
	} else {
		jw_null(w);
	}
	stmt_done(s);
	return rc;
}

int fp_compute(struct analytics *a, struct store *st, const struct principal *p,
	       const struct fp_scope *sc, const char *period, const char *currency,
	       time_t as_of, int iterations, uint64_t seed, unsigned models,
	       struct fc_result *r, struct err *e)
{
	struct fc_query q;

	memset(&q, 0, sizeof(q));
	snprintf(q.period, sizeof(q.period), "%s", period);
	if (forecast_period(period, &q.from, &q.to))
		return err_field(e, "period", "must be a quarter (2026-Q4) or a month (2026-11)");
	q.as_of = (uint32_t)as_of;
	q.models = models;
	q.iterations = iterations;
	q.seed = seed;
	fp_scope_engine(sc, &q.scope);
	snprintf(q.currency, sizeof(q.currency), "%s", currency ? currency : "");
	memset(r, 0, sizeof(*r));
	return forecast_compute(a, st, p, &q, r, NULL, e);
}

int fp_rollup(struct analytics *a, struct store *st, const struct principal *p,
	      const struct kv *q, int n, time_t now, struct jw *w, struct err *e)
{
	const char *period = NULL, *tid = NULL, *currency = NULL;
	struct fp_scope sc = {FP_TEAM, p->team_id};
	struct member *mem = NULL;
	struct fc_result team, r;
	char per[8], name[128];
	int64_t commit = 0, best = 0;
	int i, nmem = 0, got = 0, other = 0, rc;
	struct stmt *s;

	(void)now;
	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!strcmp(k, "period"))
			period = fp_parse_period(v, k, per, NULL, NULL, e) ? NULL : per;
		else if (!strcmp(k, "team_id"))
			tid = v;
		else if (!strcmp(k, "currency") && money_digits(v) >= 0 && strlen(v) == 3)
			currency = v;
		else if (!strcmp(k, "currency"))
			err_field(e, k, "must be an ISO 4217 code such as EUR");
		else
			err_field(e, k, "is not a parameter of the roll-up");
	}
	if (!period && !(e && e->nfields))
		err_field(e, "period", "is required: a quarter (2026-Q4) or a month (2026-11)");
	if (tid)
		fp_parse_id(tid, "team_id", &sc.id, e);
	if (e && e->nfields)
		return E_INVAL;
	if (!tid && principal_is_admin(p))
		sc = (struct fp_scope){FP_COMPANY, 0};
	else if (!tid && (p->role != ROLE_MANAGER || !p->team_id))
		return fail(e, E_NOTFOUND, "you have no team to roll up: give team_id");
	rc = fp_scope_visible(st, p, &sc, e);
	if (!rc)
		rc = fp_scope_name(st, &sc, name, sizeof(name), e);
	if (!rc)
		rc = fp_compute(a, st, p, &sc, period, currency, 0, 0, 0, 0, &team, e);
	if (!rc)
		rc = load_members(st, &sc, &mem, &nmem, e);
	if (rc)
		goto out;
	jw_obj(w);
	jw_kstr(w, "period", period);
	jw_key(w, "scope");
	jw_obj(w);
	jw_kstr(w, "kind", fp_kind_names[sc.kind]);
	if (sc.kind == FP_COMPANY)
		jw_key(w, "id"), jw_null(w);
	else
		jw_kint(w, "id", sc.id);
	jw_kstr(w, "name", name);
	jw_obj_end(w);
	jw_kstr(w, "currency", team.currency);
	jw_key(w, "models");
	fp_models_json(w, &team);
	/* the scope's own current numbers: the latest of each submitter */
	jw_key(w, "submissions");
	jw_arr(w);
	s = store_prepare(st,
			  "SELECT " SUB_COLUMNS SUB_FROM " WHERE s.period = ?1 AND s.scope = ?2 AND "
			  "s.scope_id = ?3 AND s.id = (SELECT max(x.id) FROM forecast_submissions x "
			  "WHERE x.period = ?1 AND x.scope = ?2 AND x.scope_id = ?3 AND "
			  "x.submitter_id = s.submitter_id) ORDER BY s.id DESC",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto out;
	}
	stmt_bind_text(s, 1, period);
	stmt_bind_text(s, 2, fp_kind_names[sc.kind]);
	stmt_bind_int(s, 3, sc.id);
	while (!(rc = stmt_step(s, e)) && stmt_row(s))
		fp_submission_json(s, 0, w);
	stmt_done(s);
	jw_arr_end(w);
	jw_key(w, "members");
	jw_arr(w);
	for (i = 0; !rc && i < nmem; i++) {
		const struct member *m = &mem[i];
		struct fp_scope ms = {m->kind, m->id};

		jw_obj(w);
		jw_kstr(w, "kind", fp_kind_names[m->kind]);
		jw_kint(w, "id", m->id);
		jw_kstr(w, "name", m->name);
		if (m->kind == FP_USER)
			jw_kstr(w, "role", m->role);
		rc = member_submission(st, period, m, team.currency, &commit, &best, &got, &other,
				       w, e);
		if (!rc)
			rc = fp_compute(a, st, p, &ms, period, team.currency, 0, 0, 0, 0, &r, e);
		jw_key(w, "models");
		if (rc == E_NOTFOUND) { /* not in the index yet */
			err_clear(e);
			rc = OK;
			jw_null(w);
		} else if (!rc) {
			fp_models_json(w, &r);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (rc)
		goto out;
	jw_key(w, "sum");
	jw_obj(w);
	fp_jw_money(w, "commit", commit, team.currency);
	fp_jw_money(w, "best_case", best, team.currency);
	jw_kint(w, "submitted", got);
	jw_kint(w, "missing", nmem - got - other);
	jw_kint(w, "other_currency", other);
	jw_obj_end(w);
	jw_obj_end(w);
out:
	free(mem);
	return rc;
}
