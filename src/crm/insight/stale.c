/*
 * stale.c — stale deals and their diagnosis (see stale.h).
 *
 * One query finds the open deals the caller sees with their stage's limits
 * and their last activity; C keeps the stale ones, sorts them by severity,
 * and only for those it answers (at most `limit`) gathers the evidence: the
 * last activity, the stage history, the team's median stay in the stage, the
 * decision makers known, and the lost reasons of similar deals.  The median
 * and the similar deals are cached per request, since many deals share them;
 * the median is taken over the stays in the analytics index.
 */
#include "stale.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "performance.h"
#include "crm/records/resources.h"

#define DAY 86400
#define YEAR_DAYS 365

enum idle_from { FROM_ACTIVITY, FROM_STAGE_CHANGE, FROM_CREATION };

static const char *const idle_from_names[] = {"activity", "stage_change", "creation"};

struct deal {
	long long id, account_id, owner_id, owner_team, pipeline_id, amount;
	char *name, *account_name, *industry, *territory, *owner_name, *stage, *stage_name;
	char currency[8], section[8];
	int stale_days, idle_days;
	long long days_in_stage, days_idle;
	char stage_entered_at[TIME_ISO_LEN], created_at[TIME_ISO_LEN], idle_since[TIME_ISO_LEN];
	enum idle_from idle_from;
	int over_stage, over_idle;
	double severity;
};

struct deals {
	struct deal *v;
	int n, cap;
};

/*
 * Per-request caches of what many deals share, each computed once: the
 * median stay per pipeline, team and stage (from the analytics index), and
 * the deals of a pipeline lost in the last 365 days (from SQL, the section
 * they were lost from from the index); from those, the similar deals per
 * section, industry and territory.
 */
struct median {
	long long pipeline_id, team_id;
	char *stage;
	double days;
	int n;
};

struct lost {
	char *section, *industry, *territory, *reason;
};

struct lost_set {
	long long pipeline_id;
	struct lost *v;
	int n;
};

struct similar {
	long long pipeline_id;
	char *section, *industry, *territory;
	int n, competitor, budget;
	char *top_reason;
	int top_n;
};

struct ctx {
	struct analytics *a;
	struct store *st;
	time_t now;
	char now_iso[TIME_ISO_LEN], year_ago_iso[TIME_ISO_LEN];
	struct median *medians;
	int nmedians;
	struct lost_set *lost;
	int nlost;
	struct similar *similars;
	int nsimilars;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void deal_release(struct deal *d)
{
	free(d->name);
	free(d->account_name);
	free(d->industry);
	free(d->territory);
	free(d->owner_name);
	free(d->stage);
	free(d->stage_name);
}

static void deals_release(struct deals *ds)
{
	int i;

	for (i = 0; i < ds->n; i++)
		deal_release(&ds->v[i]);
	free(ds->v);
	memset(ds, 0, sizeof(*ds));
}

static void ctx_release(struct ctx *c)
{
	int i, j;

	for (i = 0; i < c->nlost; i++) {
		for (j = 0; j < c->lost[i].n; j++) {
			free(c->lost[i].v[j].section);
			free(c->lost[i].v[j].industry);
			free(c->lost[i].v[j].territory);
			free(c->lost[i].v[j].reason);
		}
		free(c->lost[i].v);
	}
	free(c->lost);
	for (i = 0; i < c->nmedians; i++)
		free(c->medians[i].stage);
	free(c->medians);
	for (i = 0; i < c->nsimilars; i++) {
		free(c->similars[i].section);
		free(c->similars[i].industry);
		free(c->similars[i].territory);
		free(c->similars[i].top_reason);
	}
	free(c->similars);
}

/* Whole days from instant `from` to now, rounded down (0 if in the future). */
static long long days_since(const struct ctx *c, const char *from)
{
	time_t t;

	if (!from || time_parse_iso(from, &t) || t >= c->now)
		return 0;
	return (long long)((c->now - t) / DAY);
}

static void jw_money(struct jw *w, const char *key, long long minor, const char *currency)
{
	int digits = money_digits(currency);

	money_jw(w, key, minor, digits < 0 ? 2 : digits);
}

/* --- finding the stale deals ---------------------------------------------- */

static int check_exists(struct store *st, const char *sql, long long id, const char *field,
			const char *what, struct err *e)
{
	struct stmt *s = store_prepare(st, sql, e);
	int rc, found;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	found = stmt_row(s);
	stmt_done(s);
	if (rc)
		return rc;
	return found ? OK : err_field(e, field, "no %s with id %lld", what, id);
}

/* Keep d if it passed a limit; fills its measures. */
static int judge(const struct ctx *c, struct deal *d, const char *last_done)
{
	d->days_in_stage = days_since(c, d->stage_entered_at);
	if (last_done) {
		d->idle_from = FROM_ACTIVITY;
		snprintf(d->idle_since, sizeof(d->idle_since), "%s", last_done);
	} else if (strcmp(d->stage_entered_at, d->created_at) > 0) {
		/* instants are UTC text of one format: they compare as text; a
		 * deal never moved entered its stage when it was created */
		d->idle_from = FROM_STAGE_CHANGE;
		snprintf(d->idle_since, sizeof(d->idle_since), "%s", d->stage_entered_at);
	} else {
		d->idle_from = FROM_CREATION;
		snprintf(d->idle_since, sizeof(d->idle_since), "%s", d->created_at);
	}
	d->days_idle = days_since(c, d->idle_since);
	d->over_stage = d->stale_days > 0 && d->days_in_stage > d->stale_days;
	d->over_idle = d->idle_days > 0 && d->days_idle > d->idle_days;
	d->severity = 0;
	if (d->over_stage)
		d->severity = (double)d->days_in_stage / d->stale_days;
	if (d->over_idle && (double)d->days_idle / d->idle_days > d->severity)
		d->severity = (double)d->days_idle / d->idle_days;
	return d->over_stage || d->over_idle;
}

static int find_stale(struct ctx *c, const struct principal *p, const struct stale_query *q,
		      struct deals *out, struct err *e)
{
	struct buf sql = BUF_INIT;
	struct stmt *s = NULL;
	int rc, i = 1;

	buf_puts(&sql,
		 "SELECT o.id, o.name, o.account_id, a.name, a.industry, a.territory, o.owner_id, "
		 "u.name, coalesce(u.team_id, 0), o.amount, o.currency, o.pipeline_id, o.stage, "
		 "s.name, s.section, s.stale_days, s.idle_days, o.stage_entered_at, o.created_at, "
		 "(SELECT max(x.done_at) FROM activities x WHERE x.related_type = 'opportunity' "
		 "AND x.related_id = o.id AND x.done_at IS NOT NULL AND x.done_at <= ?) "
		 "FROM opportunities o "
		 "JOIN stages s ON s.pipeline_id = o.pipeline_id AND s.key = o.stage "
		 "JOIN accounts a ON a.id = o.account_id JOIN users u ON u.id = o.owner_id "
		 "WHERE o.status = 'open'");
	if (q->owner_id)
		buf_puts(&sql, " AND o.owner_id = ?");
	if (q->team_id)
		buf_puts(&sql, " AND u.team_id IN (WITH RECURSIVE sub(id) AS (SELECT ? UNION "
			       "SELECT t.id FROM teams t JOIN sub ON t.parent_id = sub.id) "
			       "SELECT id FROM sub)");
	if (q->channel)
		buf_puts(&sql, " AND o.channel = ?");
	if (q->pipeline_id)
		buf_puts(&sql, " AND o.pipeline_id = ?");
	if (p->owners_json)
		buf_puts(&sql, " AND o.owner_id IN (SELECT value FROM json_each(:owners))");
	if (sql.failed)
		return fail(e, E_INTERNAL, "out of memory");
	s = store_prepare(c->st, sql.data, e);
	buf_release(&sql);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, i++, c->now_iso);
	if (q->owner_id)
		stmt_bind_int(s, i++, q->owner_id);
	if (q->team_id)
		stmt_bind_int(s, i++, q->team_id);
	if (q->channel)
		stmt_bind_text(s, i++, q->channel);
	if (q->pipeline_id)
		stmt_bind_int(s, i++, q->pipeline_id);
	if (p->owners_json)
		stmt_bind_named(s, ":owners", p->owners_json);

	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		struct deal d;

		memset(&d, 0, sizeof(d));
		d.id = stmt_int(s, 0);
		d.account_id = stmt_int(s, 2);
		d.owner_id = stmt_int(s, 6);
		d.owner_team = stmt_int(s, 8);
		d.amount = stmt_int(s, 9);
		snprintf(d.currency, sizeof(d.currency), "%s", stmt_text(s, 10));
		d.pipeline_id = stmt_int(s, 11);
		snprintf(d.section, sizeof(d.section), "%s", stmt_text(s, 14));
		d.stale_days = (int)stmt_int(s, 15);
		d.idle_days = (int)stmt_int(s, 16);
		snprintf(d.stage_entered_at, sizeof(d.stage_entered_at), "%s", stmt_text(s, 17));
		snprintf(d.created_at, sizeof(d.created_at), "%s", stmt_text(s, 18));
		if (!judge(c, &d, stmt_text(s, 19)))
			continue;
		d.name = dup_or_null(stmt_text(s, 1));
		d.account_name = dup_or_null(stmt_text(s, 3));
		d.industry = dup_or_null(stmt_text(s, 4));
		d.territory = dup_or_null(stmt_text(s, 5));
		d.owner_name = dup_or_null(stmt_text(s, 7));
		d.stage = dup_or_null(stmt_text(s, 12));
		d.stage_name = dup_or_null(stmt_text(s, 13));
		if (out->n == out->cap) {
			int cap = out->cap ? out->cap * 2 : 64;
			struct deal *v = realloc(out->v, (size_t)cap * sizeof(*v));

			if (!v) {
				deal_release(&d);
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			out->v = v;
			out->cap = cap;
		}
		out->v[out->n++] = d;
		if (!d.name || !d.account_name || !d.owner_name || !d.stage || !d.stage_name) {
			rc = fail(e, E_INTERNAL, "out of memory");
			break;
		}
	}
	stmt_done(s);
	return rc;
}

/* Most severe first; then the larger amount, then the older id. */
static int by_severity(const void *a, const void *b)
{
	const struct deal *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->amount != y->amount)
		return x->amount > y->amount ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The most common currency among the deals (ties: the first in code order). */
static void common_currency(const struct deals *ds, char *out, size_t n)
{
	int i, j, best = 0;

	snprintf(out, n, "EUR");
	for (i = 0; i < ds->n; i++) {
		int count = 0;

		for (j = 0; j < ds->n; j++)
			count += !strcmp(ds->v[i].currency, ds->v[j].currency);
		if (count > best || (count == best && strcmp(ds->v[i].currency, out) < 0)) {
			best = count;
			snprintf(out, n, "%s", ds->v[i].currency);
		}
	}
}

/* --- evidence ------------------------------------------------------------- */

struct facts {
	/* activity */
	int has_activity;
	char act_type[16], act_done_at[TIME_ISO_LEN];
	int act_in_stage; /* activities done since the deal entered its stage */
	/* stage history */
	int back_moved, entries;
	char back_from[128], back_to[128], back_at[TIME_ISO_LEN];
	/* time in stage against the team */
	const struct median *median;
	/* decision makers */
	int decision_makers;
	/* similar deals */
	const struct similar *similar;
};

static int last_activity(struct ctx *c, const struct deal *d, struct facts *f, struct err *e)
{
	struct stmt *s;
	int rc;

	s = store_prepare(c->st,
			  "SELECT type, done_at FROM activities WHERE related_type = 'opportunity' "
			  "AND related_id = ? AND done_at IS NOT NULL AND done_at <= ? "
			  "ORDER BY done_at DESC, id DESC LIMIT 1",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, d->id);
	stmt_bind_text(s, 2, c->now_iso);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		f->has_activity = 1;
		snprintf(f->act_type, sizeof(f->act_type), "%s", stmt_text(s, 0));
		snprintf(f->act_done_at, sizeof(f->act_done_at), "%s", stmt_text(s, 1));
	}
	stmt_done(s);
	if (rc)
		return rc;
	s = store_prepare(c->st,
			  "SELECT count(*) FROM activities WHERE related_type = 'opportunity' "
			  "AND related_id = ? AND done_at >= ? AND done_at <= ?",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, d->id);
	stmt_bind_text(s, 2, d->stage_entered_at);
	stmt_bind_text(s, 3, c->now_iso);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s))
		f->act_in_stage = (int)stmt_int(s, 0);
	stmt_done(s);
	return rc;
}

/* Backward moves (to an earlier open stage) and how often the deal entered
 * its current stage. */
static int stage_history(struct ctx *c, const struct deal *d, struct facts *f, struct err *e)
{
	struct stmt *s;
	int rc, prev_pos = -1;
	char prev_name[128] = "";

	s = store_prepare(c->st,
			  "SELECT h.stage, h.entered_at, coalesce(s.position, -1), "
			  "coalesce(s.name, h.stage), coalesce(s.section, '') "
			  "FROM stage_history h LEFT JOIN stages s ON s.pipeline_id = ? "
			  "AND s.key = h.stage WHERE h.opportunity_id = ? ORDER BY h.entered_at, h.id",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, d->pipeline_id);
	stmt_bind_int(s, 2, d->id);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		int pos = (int)stmt_int(s, 2);
		const char *section = stmt_text(s, 4);
		int open = !strcmp(section, "upper") || !strcmp(section, "middle") ||
			   !strcmp(section, "lower");

		if (!strcmp(stmt_text(s, 0), d->stage))
			f->entries++;
		if (open && prev_pos >= 0 && pos >= 0 && pos < prev_pos) {
			/* the latest one wins */
			f->back_moved = 1;
			snprintf(f->back_from, sizeof(f->back_from), "%s", prev_name);
			snprintf(f->back_to, sizeof(f->back_to), "%s", stmt_text(s, 3));
			snprintf(f->back_at, sizeof(f->back_at), "%s", stmt_text(s, 1));
		}
		prev_pos = open ? pos : -1;
		snprintf(prev_name, sizeof(prev_name), "%s", stmt_text(s, 3));
	}
	stmt_done(s);
	return rc;
}

/* Index of pipeline `id` and of stage key `key` in the analytics index; -1
 * when absent. */
static int index_pipeline(const struct analytics *a, long long id)
{
	int i;

	for (i = 0; i < a->npipelines; i++)
		if (a->pipelines[i].id == id)
			return i;
	return -1;
}

static int index_key(const struct analytics *a, const char *key)
{
	int k;

	for (k = 0; k < a->keys.n; k++)
		if (!strcmp(a->keys.s[k], key))
			return k;
	return -1;
}

/*
 * The median of the completed stays in the deal's stage, in its pipeline, of
 * the deals owned by people of its owner's team (everyone's when the owner
 * has no team), once per request for each (pipeline, team, stage).
 *
 * The stays come from the analytics index, not from SQL: they are ~a third
 * of all stage rows, and joining each to its deal and owner in SQL cost
 * ~30 ms a stage on the demo company, where the index holds every deal's rows
 * in memory, a stay ending where the next row begins (rows are contiguous,
 * analytics.h).
 */
static int team_median(struct ctx *c, const struct deal *d, struct facts *f, struct err *e)
{
	const struct analytics *a = c->a;
	struct median *m;
	double *v = NULL;
	size_t slot, n = 0, cap = 0;
	int i, pipe, key, rc = OK;

	for (i = 0; i < c->nmedians; i++) {
		m = &c->medians[i];
		if (m->pipeline_id == d->pipeline_id && m->team_id == d->owner_team &&
		    !strcmp(m->stage, d->stage)) {
			f->median = m;
			return OK;
		}
	}
	m = realloc(c->medians, (size_t)(c->nmedians + 1) * sizeof(*m));
	if (!m)
		return fail(e, E_INTERNAL, "out of memory");
	c->medians = m;
	m = &c->medians[c->nmedians];
	memset(m, 0, sizeof(*m));
	m->pipeline_id = d->pipeline_id;
	m->team_id = d->owner_team;
	m->stage = strdup(d->stage);
	if (!m->stage)
		return fail(e, E_INTERNAL, "out of memory");
	c->nmedians++;
	f->median = m;

	analytics_rdlock(c->a);
	pipe = index_pipeline(a, d->pipeline_id);
	key = index_key(a, d->stage);
	for (slot = 0; pipe >= 0 && key >= 0 && slot < a->n && !rc; slot++) {
		uint32_t r, end;

		if (a->pipeline[slot] != pipe || a->status[slot] == AN_DEAD ||
		    (d->owner_team && a->owners[a->owner[slot]].team_id != d->owner_team))
			continue;
		end = a->hoff[slot] + a->hcnt[slot];
		for (r = a->hoff[slot]; r + 1 < end; r++) {
			if (a->hstage[r] != key)
				continue;
			if (n == cap) {
				double *x = realloc(v, (cap = cap ? cap * 2 : 1024) * sizeof(*v));

				if (!x) {
					rc = fail(e, E_INTERNAL, "out of memory");
					break;
				}
				v = x;
			}
			v[n++] = ((double)a->hentered[r + 1] - a->hentered[r]) / DAY;
		}
	}
	analytics_unlock(c->a);
	if (!rc && n) {
		m->n = (int)n;
		m->days = perf_median(v, (int)n);
	}
	free(v);
	return rc;
}

static int decision_makers(struct ctx *c, const struct deal *d, struct facts *f, struct err *e)
{
	struct stmt *s = store_prepare(c->st,
				       "SELECT count(*) FROM contacts WHERE account_id = ? "
				       "AND decision_maker = 1",
				       e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, d->account_id);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s))
		f->decision_makers = (int)stmt_int(s, 0);
	stmt_done(s);
	return rc;
}

static int is_competitor_reason(const char *r)
{
	return r && strcasestr(r, "competitor");
}

static int is_budget_reason(const char *r)
{
	return r && (strcasestr(r, "budget") || strcasestr(r, "price"));
}

/* The section of the stage deal `id` was lost from: that of its latest
 * stage row with another stage than its current one (and a stage of its
 * pipeline); NULL when there is none.  Under the read lock. */
static const char *lost_from(const struct analytics *a, long long id)
{
	long slot = analytics_slot(a, id);
	const struct an_pipeline *pl;
	uint32_t r;

	if (slot < 0)
		return NULL;
	pl = &a->pipelines[a->pipeline[slot]];
	for (r = a->hoff[slot] + a->hcnt[slot]; r-- > a->hoff[slot];)
		if (a->hstage[r] != a->stage[slot] && pl->pos[a->hstage[r]] != AN_NONE)
			return pl->section[pl->pos[a->hstage[r]]];
	return NULL;
}

/* The deals of a pipeline lost in the last 365 days, with the section of the
 * stage they were lost from and their account's industry and territory. */
static int lost_of(struct ctx *c, long long pipeline_id, const struct lost_set **out,
		   struct err *e)
{
	struct lost_set *x;
	struct stmt *s;
	int i, cap = 0, rc;

	for (i = 0; i < c->nlost; i++)
		if (c->lost[i].pipeline_id == pipeline_id) {
			*out = &c->lost[i];
			return OK;
		}
	x = realloc(c->lost, (size_t)(c->nlost + 1) * sizeof(*x));
	if (!x)
		return fail(e, E_INTERNAL, "out of memory");
	c->lost = x;
	x = &c->lost[c->nlost++]; /* from here on ctx_release() frees it */
	memset(x, 0, sizeof(*x));
	x->pipeline_id = pipeline_id;
	*out = x;
	s = store_prepare(c->st,
			  "SELECT o.id, a.industry, a.territory, o.lost_reason FROM opportunities o "
			  "JOIN accounts a ON a.id = o.account_id WHERE o.status = 'lost' "
			  "AND o.pipeline_id = ? AND o.closed_at >= ? AND o.closed_at <= ?",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, pipeline_id);
	stmt_bind_text(s, 2, c->year_ago_iso);
	stmt_bind_text(s, 3, c->now_iso);
	analytics_rdlock(c->a);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		const char *section = lost_from(c->a, stmt_int(s, 0));
		struct lost *l;

		if (!section)
			continue; /* no stage before lost: it was lost from nowhere */
		if (x->n == cap) {
			cap = cap ? cap * 2 : 256;
			l = realloc(x->v, (size_t)cap * sizeof(*l));
			if (!l) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			x->v = l;
		}
		l = &x->v[x->n++];
		l->section = strdup(section);
		l->industry = dup_or_null(stmt_text(s, 1));
		l->territory = dup_or_null(stmt_text(s, 2));
		l->reason = dup_or_null(stmt_text(s, 3));
		if (!l->section || (!stmt_null(s, 1) && !l->industry) ||
		    (!stmt_null(s, 2) && !l->territory) || (!stmt_null(s, 3) && !l->reason)) {
			rc = fail(e, E_INTERNAL, "out of memory");
			break;
		}
	}
	analytics_unlock(c->a);
	stmt_done(s);
	return rc;
}

/* Deals of the same pipeline lost in the last 365 days from a stage of the
 * same section, whose account shares the industry or the territory: how many,
 * how many to a competitor, how many on budget or price, the top reason (the
 * most frequent, then the first in alphabetical order). */
static int similar_deals(struct ctx *c, const struct deal *d, struct facts *f, struct err *e)
{
	const struct lost_set *x = NULL;
	struct similar *m;
	struct reason_count {
		const char *reason;
		int n;
	} *tally = NULL;
	int i, j, rc, ntally = 0;

	for (i = 0; i < c->nsimilars; i++) {
		m = &c->similars[i];
		if (m->pipeline_id == d->pipeline_id && !strcmp(m->section, d->section) &&
		    same_text(m->industry, d->industry) && same_text(m->territory, d->territory)) {
			f->similar = m;
			return OK;
		}
	}
	rc = lost_of(c, d->pipeline_id, &x, e);
	if (rc)
		return rc;
	m = realloc(c->similars, (size_t)(c->nsimilars + 1) * sizeof(*m));
	if (!m)
		return fail(e, E_INTERNAL, "out of memory");
	c->similars = m;
	m = &c->similars[c->nsimilars];
	memset(m, 0, sizeof(*m));
	m->pipeline_id = d->pipeline_id;
	m->section = strdup(d->section);
	m->industry = dup_or_null(d->industry);
	m->territory = dup_or_null(d->territory);
	c->nsimilars++; /* from here on ctx_release() frees it */
	if (!m->section || (d->industry && !m->industry) || (d->territory && !m->territory))
		return fail(e, E_INTERNAL, "out of memory");
	f->similar = m;
	for (i = 0; i < x->n; i++) {
		const struct lost *l = &x->v[i];

		if (strcmp(l->section, d->section) ||
		    !((d->industry && same_text(l->industry, d->industry)) ||
		      (d->territory && same_text(l->territory, d->territory))))
			continue;
		m->n++;
		m->competitor += is_competitor_reason(l->reason);
		m->budget += is_budget_reason(l->reason);
		if (!l->reason)
			continue;
		/* a managed list: a handful of distinct reasons */
		for (j = 0; j < ntally && strcmp(tally[j].reason, l->reason); j++)
			;
		if (j == ntally) {
			struct reason_count *t = realloc(tally, (size_t)(ntally + 1) * sizeof(*t));

			if (!t) {
				free(tally);
				return fail(e, E_INTERNAL, "out of memory");
			}
			tally = t;
			tally[ntally].reason = l->reason;
			tally[ntally++].n = 0;
		}
		tally[j].n++;
	}
	for (j = 0, i = -1; j < ntally; j++)
		if (i < 0 || tally[j].n > tally[i].n ||
		    (tally[j].n == tally[i].n && strcmp(tally[j].reason, tally[i].reason) < 0))
			i = j;
	if (i >= 0) {
		m->top_reason = strdup(tally[i].reason);
		m->top_n = tally[i].n;
	}
	free(tally);
	if (i >= 0 && !m->top_reason)
		return fail(e, E_INTERNAL, "out of memory");
	return OK;
}

static void date_of(const char *iso, char *out)
{
	snprintf(out, 11, "%.10s", iso);
}

static void evidence(struct jw *w, const char *kind, const char *detail)
{
	jw_obj(w);
	jw_kstr(w, "kind", kind);
	jw_kstr(w, "detail", detail);
	jw_obj_end(w);
}

/* The section's hypothesis, chosen from the facts. */
struct diagnosis {
	const char *hypothesis, *action;
	char summary[400], suggestion[300];
	const char *based_on[4];
};

static void diagnose(const struct deal *d, const struct facts *f, struct diagnosis *g)
{
	const struct similar *sim = f->similar;

	memset(g, 0, sizeof(*g));
	if (!strcmp(d->section, "upper")) {
		if (d->over_idle || !f->has_activity) {
			g->hypothesis = "lost_contact";
			g->action = "call";
			snprintf(g->summary, sizeof(g->summary),
				 "The salesperson seems to have lost contact with the prospect: no "
				 "activity for %lld days, so what is known of the deal may no longer "
				 "be accurate.",
				 d->days_idle);
			snprintf(g->suggestion, sizeof(g->suggestion),
				 "Call the prospect to re-establish contact, check the need is still "
				 "there and book the next step.");
			g->based_on[0] = "activity";
			g->based_on[1] = "threshold";
		} else {
			g->hypothesis = "undecided";
			g->action = "requalify";
			snprintf(g->summary, sizeof(g->summary),
				 "The prospect has not decided to buy: there is contact (the last "
				 "activity was %lld days ago) but the deal has stayed %lld days in %s.",
				 d->days_idle, d->days_in_stage, d->stage_name);
			snprintf(g->suggestion, sizeof(g->suggestion),
				 "Re-qualify: confirm the need, the budget, who decides and the "
				 "timing, or close the deal as lost.");
			g->based_on[0] = "activity";
			g->based_on[1] = "time_in_stage";
		}
	} else if (!strcmp(d->section, "middle")) {
		if (sim && sim->n >= 2 && sim->competitor * 2 > sim->n) {
			g->hypothesis = "competitor";
			g->action = "competitive_check";
			snprintf(g->summary, sizeof(g->summary),
				 "The client may have been quietly taken by a competitor while saying "
				 "it is still under consideration: %d of %d similar deals lost at this "
				 "stage went to a competitor.",
				 sim->competitor, sim->n);
			snprintf(g->suggestion, sizeof(g->suggestion),
				 "Run a competitive check: ask openly which other suppliers are "
				 "considered and compare on the client's buying criteria.");
			g->based_on[0] = "similar_deals";
			g->based_on[1] = "time_in_stage";
		} else {
			g->hypothesis = "dilemma";
			g->action = "decision_meeting";
			snprintf(g->summary, sizeof(g->summary),
				 "The client faces a dilemma and cannot decide%s%s.",
				 f->back_moved ? ": the deal already moved back once" : "",
				 sim && sim->n ? "; similar deals were mostly not lost to competitors"
					       : "");
			snprintf(g->suggestion, sizeof(g->suggestion),
				 "Book a decision meeting with the decision makers, with the options "
				 "side by side and a clear next step.");
			g->based_on[0] = "similar_deals";
			g->based_on[1] = "stage_history";
		}
	} else {
		if (!f->decision_makers) {
			g->hypothesis = "approval";
			g->action = "map_decision_makers";
			snprintf(g->summary, sizeof(g->summary),
				 "The deal is likely waiting for an approval from above at the client, "
				 "and no decision maker is known among the account's contacts.");
			snprintf(g->suggestion, sizeof(g->suggestion),
				 "Map the decision makers: find who approves the purchase (budget "
				 "holder, management) and get a meeting with them, with your manager.");
			g->based_on[0] = "decision_makers";
			g->based_on[1] = "time_in_stage";
		} else if (sim && sim->n >= 2 && sim->budget * 2 > sim->n) {
			g->hypothesis = "budget";
			g->action = "involve_manager";
			snprintf(g->summary, sizeof(g->summary),
				 "An internal problem at the client, most likely the budget: %d of %d "
				 "similar deals lost at this stage were lost on budget or price.",
				 sim->budget, sim->n);
			snprintf(g->suggestion, sizeof(g->suggestion),
				 "Involve your manager: meet the decision makers at management level "
				 "about budget and terms (phasing, scope).");
			g->based_on[0] = "similar_deals";
			g->based_on[1] = "decision_makers";
		} else {
			g->hypothesis = "internal_disagreement";
			g->action = "involve_manager";
			snprintf(g->summary, sizeof(g->summary),
				 "An internal problem at the client: the people involved do not agree, "
				 "though %d decision maker%s known.",
				 f->decision_makers, f->decision_makers == 1 ? " is" : "s are");
			snprintf(g->suggestion, sizeof(g->suggestion),
				 "Involve your manager: meet the decision makers together to settle "
				 "the open points, and map who else has a say.");
			g->based_on[0] = "decision_makers";
			g->based_on[1] = "time_in_stage";
		}
	}
}

static void write_evidence(struct jw *w, const struct deal *d, const struct facts *f)
{
	struct buf b = BUF_INIT;
	char day[11], day2[11];

	jw_key(w, "evidence");
	jw_arr(w);

	if (d->over_stage) {
		buf_printf(&b, "%lld days in %s, over its limit of %d days", d->days_in_stage,
			   d->stage_name, d->stale_days);
		evidence(w, "threshold", b.data);
		buf_reset(&b);
	}
	if (d->over_idle) {
		buf_printf(&b, "%lld days without activity, over the stage's idle limit of %d days",
			   d->days_idle, d->idle_days);
		evidence(w, "threshold", b.data);
		buf_reset(&b);
	}

	if (f->has_activity) {
		date_of(f->act_done_at, day);
		buf_printf(&b, "last activity was %s %s on %s (%lld days ago); %d done since the "
			       "deal entered %s",
			   strchr("aeiou", f->act_type[0]) ? "an" : "a", f->act_type, day,
			   d->days_idle, f->act_in_stage, d->stage_name);
	} else {
		date_of(d->idle_since, day);
		date_of(d->created_at, day2);
		if (d->idle_from == FROM_STAGE_CHANGE)
			buf_printf(&b, "no activity on the deal: idle measured from the last stage "
				       "change on %s (the deal was created on %s), %lld days ago",
				   day, day2, d->days_idle);
		else
			buf_printf(&b, "no activity on the deal: idle measured from its creation on "
				       "%s (no later stage change), %lld days ago",
				   day, d->days_idle);
	}
	evidence(w, "activity", b.data);
	buf_reset(&b);

	if (f->back_moved) {
		date_of(f->back_at, day);
		buf_printf(&b, "moved back from %s to %s on %s", f->back_from, f->back_to, day);
	} else {
		buf_printf(&b, "no backward move in the stage history");
	}
	if (f->entries > 1)
		buf_printf(&b, "; entered %s %d times", d->stage_name, f->entries);
	evidence(w, "stage_history", b.data);
	buf_reset(&b);

	if (f->median && f->median->n)
		buf_printf(&b, "%lld days in %s vs the team's median of %.1f days (%d completed "
			       "stays)",
			   d->days_in_stage, d->stage_name, f->median->days, f->median->n);
	else
		buf_printf(&b, "%lld days in %s; the team has no completed stay in it to compare "
			       "with",
			   d->days_in_stage, d->stage_name);
	evidence(w, "time_in_stage", b.data);
	buf_reset(&b);

	if (f->decision_makers)
		buf_printf(&b, "%d decision maker%s known among the account's contacts",
			   f->decision_makers, f->decision_makers == 1 ? "" : "s");
	else
		buf_puts(&b, "no decision maker known among the account's contacts");
	evidence(w, "decision_makers", b.data);
	buf_reset(&b);

	if (!d->industry && !d->territory) {
		buf_puts(&b, "no similar deals: the account has no industry or territory");
	} else if (!f->similar || !f->similar->n) {
		buf_printf(&b, "no similar deal (same pipeline, lost from the %s funnel, same "
			       "industry or territory) was lost in the last 12 months",
			   d->section);
	} else {
		const struct similar *m = f->similar;

		buf_printf(&b, "%d of %d similar deals lost at this stage went to a competitor, "
			       "%d on budget or price (same pipeline, lost from the %s funnel, same "
			       "industry or territory, last 12 months)",
			   m->competitor, m->n, m->budget, d->section);
		if (m->top_reason)
			buf_printf(&b, "; most common reason: %s (%d)", m->top_reason, m->top_n);
	}
	evidence(w, "similar_deals", b.data);

	jw_arr_end(w);
	buf_release(&b);
}

static int write_deal(struct ctx *c, struct jw *w, const struct deal *d, struct err *e)
{
	struct facts f;
	struct diagnosis g;
	int rc, i;

	memset(&f, 0, sizeof(f));
	rc = last_activity(c, d, &f, e);
	if (!rc)
		rc = stage_history(c, d, &f, e);
	if (!rc)
		rc = team_median(c, d, &f, e);
	if (!rc)
		rc = decision_makers(c, d, &f, e);
	if (!rc)
		rc = similar_deals(c, d, &f, e);
	if (rc)
		return rc;
	diagnose(d, &f, &g);

	jw_obj(w);
	jw_kint(w, "id", d->id);
	jw_kstr(w, "name", d->name);
	jw_kint(w, "account_id", d->account_id);
	jw_kstr(w, "account_name", d->account_name);
	jw_kint(w, "owner_id", d->owner_id);
	jw_kstr(w, "owner_name", d->owner_name);
	jw_money(w, "amount", d->amount, d->currency);
	jw_kstr(w, "currency", d->currency);
	jw_kint(w, "pipeline_id", d->pipeline_id);
	jw_kstr(w, "stage", d->stage);
	jw_kstr(w, "stage_name", d->stage_name);
	jw_kstr(w, "section", d->section);
	jw_kstr(w, "stage_entered_at", d->stage_entered_at);
	jw_kint(w, "days_in_stage", d->days_in_stage);
	jw_kint(w, "stale_days", d->stale_days);
	jw_kint(w, "days_idle", d->days_idle);
	jw_kint(w, "idle_days", d->idle_days);
	jw_kstr(w, "idle_since", d->idle_since);
	jw_kstr(w, "idle_from", idle_from_names[d->idle_from]);
	jw_key(w, "thresholds");
	jw_arr(w);
	if (d->over_stage)
		jw_str(w, "stage");
	if (d->over_idle)
		jw_str(w, "idle");
	jw_arr_end(w);
	jw_key(w, "severity");
	jw_double(w, (double)(long long)(d->severity * 100 + 0.5) / 100);
	jw_key(w, "diagnosis");
	jw_obj(w);
	jw_kstr(w, "hypothesis", g.hypothesis);
	jw_kstr(w, "summary", g.summary);
	jw_kstr(w, "action", g.action);
	jw_kstr(w, "suggestion", g.suggestion);
	jw_key(w, "based_on");
	jw_arr(w);
	for (i = 0; i < 4 && g.based_on[i]; i++)
		jw_str(w, g.based_on[i]);
	jw_arr_end(w);
	jw_obj_end(w);
	write_evidence(w, d, &f);
	jw_obj_end(w);
	return OK;
}

/* --- the answer ----------------------------------------------------------- */

struct group {
	long long owner_id;
	const char *owner_name;
	int count, excluded;
	long long amount;
};

static int by_amount(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->amount != y->amount)
		return x->amount > y->amount ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->owner_id < y->owner_id ? -1 : x->owner_id > y->owner_id;
}

static int write_groups(struct ctx *c, struct jw *w, const struct deals *ds, int shown,
			const char *currency, struct err *e)
{
	struct group *g = calloc((size_t)ds->n + 1, sizeof(*g));
	int ng = 0, i, j, rc = OK;

	if (!g)
		return fail(e, E_INTERNAL, "out of memory");
	for (i = 0; i < ds->n; i++) {
		const struct deal *d = &ds->v[i];

		for (j = 0; j < ng && g[j].owner_id != d->owner_id; j++)
			;
		if (j == ng) {
			g[ng].owner_id = d->owner_id;
			g[ng].owner_name = d->owner_name;
			ng++;
		}
		g[j].count++;
		if (!strcmp(d->currency, currency))
			g[j].amount += d->amount;
		else
			g[j].excluded++;
	}
	qsort(g, (size_t)ng, sizeof(*g), by_amount);
	jw_key(w, "groups");
	jw_arr(w);
	for (j = 0; j < ng && !rc; j++) {
		jw_obj(w);
		jw_kint(w, "owner_id", g[j].owner_id);
		jw_kstr(w, "owner_name", g[j].owner_name);
		jw_kint(w, "count", g[j].count);
		jw_money(w, "amount", g[j].amount, currency);
		jw_kint(w, "excluded", g[j].excluded);
		jw_key(w, "deals");
		jw_arr(w);
		for (i = 0; i < shown && !rc; i++)
			if (ds->v[i].owner_id == g[j].owner_id)
				rc = write_deal(c, w, &ds->v[i], e);
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	free(g);
	return rc;
}

int stale_report(struct analytics *a, struct store *st, const struct principal *p,
		 const struct stale_query *q, struct jw *w, struct err *e)
{
	struct ctx c;
	struct deals ds = {0};
	char currency[8];
	long long amount = 0;
	int rc, i, shown, excluded = 0;

	memset(&c, 0, sizeof(c));
	if (!a)
		return fail(e, E_UNAVAILABLE, "the analytics index is not built yet");
	rc = analytics_refresh(a, st, e);
	if (rc)
		return rc;
	c.a = a;
	c.st = st;
	c.now = time_now();
	time_iso(c.now, c.now_iso);
	time_iso(c.now - (time_t)YEAR_DAYS * DAY, c.year_ago_iso);
	if (q->team_id) {
		rc = check_exists(st, "SELECT 1 FROM teams WHERE id = ?", q->team_id, "team_id",
				  "team", e);
		if (rc)
			return rc;
	}
	if (q->pipeline_id) {
		rc = check_exists(st, "SELECT 1 FROM pipelines WHERE id = ?", q->pipeline_id,
				  "pipeline_id", "pipeline", e);
		if (rc)
			return rc;
	}
	rc = find_stale(&c, p, q, &ds, e);
	if (rc)
		goto fail;
	if (ds.n) /* ds.v is NULL when there is none */
		qsort(ds.v, (size_t)ds.n, sizeof(*ds.v), by_severity);
	if (q->currency)
		snprintf(currency, sizeof(currency), "%s", q->currency);
	else
		common_currency(&ds, currency, sizeof(currency));
	for (i = 0; i < ds.n; i++) {
		if (!strcmp(ds.v[i].currency, currency))
			amount += ds.v[i].amount;
		else
			excluded++;
	}
	shown = ds.n < q->limit ? ds.n : q->limit;

	jw_obj(w);
	jw_kstr(w, "now", c.now_iso);
	jw_kstr(w, "currency", currency);
	jw_kint(w, "total", ds.n);
	jw_money(w, "amount", amount, currency);
	jw_kint(w, "excluded", excluded);
	jw_kint(w, "limit", q->limit);
	jw_kbool(w, "truncated", shown < ds.n);
	if (q->group_by_owner) {
		rc = write_groups(&c, w, &ds, shown, currency, e);
	} else {
		jw_key(w, "data");
		jw_arr(w);
		for (i = 0; i < shown && !rc; i++)
			rc = write_deal(&c, w, &ds.v[i], e);
		jw_arr_end(w);
	}
	jw_obj_end(w);
fail:
	deals_release(&ds);
	ctx_release(&c);
	return rc;
}
