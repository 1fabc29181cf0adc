/*
 * scoring.c — scoring leads (scoring.h): their facts, the scorer (rules,
 * model and tiers of one generation, cached per process), the score of one
 * lead, rescoring in batches, the tiers and the model as JSON.  Training is
 * in scoring_train.c, the serve worker in scoring_worker.c.
 */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/email.h"
#include "core/logreg.h"
#include "core/timeutil.h"
#include "crm/records/resources.h"
#include "scoring_impl.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))
#define DAY 86400

const char *const scoring_group_keys[G_COUNT] = {
	"industry", "source",   "territory",             "channel", "seniority",
	"company_size", "email", "web_form",             "qualification_answers",
	"calls",    "emails",   "meetings",              "quiet",
};
const char *const scoring_group_labels[G_COUNT] = {
	"Industry",  "Source",     "Territory",         "Channel", "Seniority",
	"Company size", "E-mail",  "Came through a web form", "Qualification answers",
	"Calls done", "E-mails done", "Meetings attended",  "No activity in the last 30 days",
};

int scoring_group_find(const char *key)
{
	int g;

	for (g = 0; key && g < G_COUNT; g++)
		if (!strcmp(scoring_group_keys[g], key))
			return g;
	return -1;
}

/* --- what a lead is ------------------------------------------------------ */

/* Is `word` one of the words of `s` (lower case, split at non-letters)? */
static int has_word(const char *s, const char *word)
{
	size_t n = strlen(word);
	const char *p = s;

	while ((p = strcasestr(p, word))) {
		int before = p == s || !isalpha((unsigned char)p[-1]);
		int after = !isalpha((unsigned char)p[n]);

		if (before && after)
			return 1;
		p += n;
	}
	return 0;
}

const char *scoring_seniority(const char *title)
{
	static const char *const exec[] = {"chief", "ceo", "cfo", "cio", "cto", "coo", "cmo",
					   "president", "founder", "co-founder", "owner",
					   "managing director", "general manager"};
	static const char *const vp[] = {"vp", "svp", "evp", "vice president", "director",
					 "head"};
	static const char *const mgr[] = {"manager", "lead", "supervisor", "principal"};
	int i;

	if (!title || !*title)
		return "";
	/* "Vice President" holds "president": the VP words win over it */
	if (has_word(title, "vice president"))
		return "vp_director";
	for (i = 0; i < N(exec); i++)
		if (has_word(title, exec[i]))
			return "executive";
	for (i = 0; i < N(vp); i++)
		if (has_word(title, vp[i]))
			return "vp_director";
	for (i = 0; i < N(mgr); i++)
		if (has_word(title, mgr[i]))
			return "manager";
	return "staff";
}

const char *scoring_size_band(int has, long long n)
{
	if (!has)
		return "";
	return n < 50 ? "1-49" : n < 250 ? "50-249" : n < 1000 ? "250-999" : n < 5000 ? "1000-4999"
										   : "5000+";
}

static const char *email_kind(const char *email)
{
	const char *at = email ? strrchr(email, '@') : NULL;

	if (!at || !at[1])
		return "";
	return email_free_domain(at + 1) ? "free_mail" : "company";
}

const char *scoring_category(const struct lead_facts *f, int g)
{
	const char *s;

	switch (g) {
	case G_INDUSTRY: s = f->text[SF_INDUSTRY]; break;
	case G_SOURCE: s = f->text[SF_SOURCE]; break;
	case G_TERRITORY: s = f->text[SF_TERRITORY]; break;
	case G_CHANNEL: s = f->text[SF_CHANNEL]; break;
	case G_SENIORITY: return scoring_seniority(f->text[SF_TITLE]);
	case G_SIZE: return scoring_size_band(f->has_employees, f->employees);
	case G_EMAIL: return email_kind(f->text[SF_EMAIL]);
	default: return "";
	}
	return s ? s : "";
}

double scoring_number(const struct lead_facts *f, int g)
{
	switch (g) {
	case G_WEB_FORM: return f->web_form;
	case G_ANSWERS: return log1p(f->answers);
	case G_CALLS: return log1p(f->calls);
	case G_EMAILS: return log1p(f->emails);
	case G_MEETINGS: return log1p(f->meetings);
	case G_QUIET: return f->quiet;
	}
	return 0;
}

const char *scoring_category_text(int g, const char *v)
{
	static const struct {
		int g;
		const char *key, *text;
	} names[] = {
		{G_SENIORITY, "executive", "executive"},
		{G_SENIORITY, "vp_director", "VP, director or head"},
		{G_SENIORITY, "manager", "manager"},
		{G_SENIORITY, "staff", "individual contributor"},
		{G_SIZE, "1-49", "1\u201349 employees"},
		{G_SIZE, "50-249", "50\u2013249 employees"},
		{G_SIZE, "250-999", "250\u2013999 employees"},
		{G_SIZE, "1000-4999", "1,000\u20134,999 employees"},
		{G_SIZE, "5000+", "5,000+ employees"},
		{G_EMAIL, "company", "company domain"},
		{G_EMAIL, "free_mail", "free-mail provider"},
	};
	int i;

	if (!v)
		return "other";
	if (!*v)
		return "not given";
	for (i = 0; i < N(names); i++)
		if (names[i].g == g && !strcmp(names[i].key, v))
			return names[i].text;
	return v;
}

/* --- reading leads ----------------------------------------------------------- */

/* The reference time of a lead: when its outcome was decided, else now. */
#define REF "coalesce(l.converted_at, CASE WHEN l.status = 'disqualified' THEN l.updated_at END, ?2)"

#define FACTS_SQL                                                                         \
	"SELECT l.id, l.industry, l.source, l.territory, l.channel, l.title, l.company, "   \
	"l.email, l.employees, l.form_id IS NOT NULL, CASE WHEN json_valid(l.qualification) " \
	"THEN (SELECT count(*) FROM json_each(l.qualification) q WHERE q.value <> '') ELSE 0 " \
	"END, l.converted_at IS NOT NULL, l.status = 'disqualified', l.created_at, " REF ", " \
	"sum(a.type = 'call'), sum(a.type = 'email'), sum(a.type = 'meeting'), "            \
	"max(a.done_at) FROM leads l LEFT JOIN activities a ON a.related_type = 'lead' AND " \
	"a.related_id = l.id AND a.done_at IS NOT NULL AND a.done_at <= " REF " "

static int read_row(struct stmt *s, time_t now, struct lead_row *row, struct err *e)
{
	struct lead_facts *f = &row->f;
	size_t len = 0, at = 0;
	const char *last, *ref, *created;
	time_t t_last, t_ref, t_created;
	int i;

	memset(row, 0, sizeof(*row));
	for (i = 0; i < SF_EMPLOYEES; i++)
		len += stmt_null(s, 1 + i) ? 0 : strlen(stmt_text(s, 1 + i)) + 1;
	row->mem = malloc(len + 1);
	if (!row->mem)
		return fail(e, E_INTERNAL, "out of memory");
	f->id = stmt_int(s, 0);
	for (i = 0; i < SF_EMPLOYEES; i++) {
		const char *t = stmt_text(s, 1 + i);

		if (!t || !*t)
			continue;
		f->text[i] = row->mem + at;
		memcpy(row->mem + at, t, strlen(t) + 1);
		at += strlen(t) + 1;
	}
	f->has_employees = !stmt_null(s, 8);
	f->employees = stmt_int(s, 8);
	f->web_form = (int)stmt_int(s, 9);
	f->answers = (int)stmt_int(s, 10);
	f->calls = (int)stmt_int(s, 15);
	f->emails = (int)stmt_int(s, 16);
	f->meetings = (int)stmt_int(s, 17);
	last = stmt_text(s, 18);
	ref = stmt_text(s, 14);
	created = stmt_text(s, 13);
	if (ref && !time_parse_iso(ref, &t_ref)) {
		f->recent = last && !time_parse_iso(last, &t_last) &&
			    t_ref - t_last <= SCORING_RECENT_DAYS * DAY;
		f->quiet = !f->recent && created && !time_parse_iso(created, &t_created) &&
			   t_ref - t_created > SCORING_RECENT_DAYS * DAY;
	}
	if (stmt_int(s, 11))
		f->label = 1;
	else if (stmt_int(s, 12))
		f->label = 0;
	else if (created && !time_parse_iso(created, &t_created) &&
		 t_created < now - SCORING_STALE_DAYS * DAY)
		f->label = 0;
	else
		f->label = -1;
	return OK;
}

void scoring_rows_release(struct lead_row *rows, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(rows[i].mem);
		rows[i].mem = NULL;
	}
}

int scoring_read_leads(struct store *st, long long after, int limit, time_t now,
		       struct lead_row *rows, int *n, struct err *e)
{
	struct stmt *s;
	char iso[TIME_ISO_LEN];
	int rc;

	*n = 0;
	s = store_prepare(st,
			  limit ? FACTS_SQL "WHERE l.id > ?1 GROUP BY l.id ORDER BY l.id LIMIT ?3"
				: FACTS_SQL "WHERE l.id = ?1 GROUP BY l.id",
			  e);
	if (!s)
		return E_INTERNAL;
	time_iso(now, iso);
	stmt_bind_int(s, 1, after);
	stmt_bind_text(s, 2, iso);
	if (limit)
		stmt_bind_int(s, 3, limit);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		rc = read_row(s, now, &rows[*n], e);
		if (rc)
			break;
		(*n)++;
	}
	stmt_done(s);
	if (rc) {
		scoring_rows_release(rows, *n);
		*n = 0;
	}
	return rc;
}

/* --- the scorer -------------------------------------------------------------- */

struct feature {
	int grp;
	char *value; /* a category's value; NULL: "other", or a number */
	double center, scale, weight;
	long long support;
};

struct model {
	long long id;
	double intercept;
	int d;
	struct feature *f;
	int other[G_COUNT];   /* a category group's "other" feature, or -1 */
	int number[G_COUNT];  /* a number group's feature, or -1 */
	double base[G_COUNT]; /* a category group: sum of weight * center */
};

struct scorer {
	char db[512];
	long long gen;
	int refs;
	int tier[3]; /* A, B, C thresholds */
	struct scoring_rule *rules;
	int nrules;
	struct model *m;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct scorer *cache;

static void model_free(struct model *m)
{
	int i;

	if (!m)
		return;
	for (i = 0; i < m->d; i++)
		free(m->f[i].value);
	free(m->f);
	free(m);
}

static void scorer_free(struct scorer *sc)
{
	int i;

	for (i = 0; i < sc->nrules; i++)
		scoring_rule_release(&sc->rules[i]);
	free(sc->rules);
	model_free(sc->m);
	free(sc);
}

static int read_state(struct store *st, long long *gen, long long *rescored, int tier[3],
		      struct err *e)
{
	struct stmt *s = store_prepare(st,
				       "SELECT generation, rescored_generation, tier_a, tier_b, "
				       "tier_c FROM scoring_state WHERE id = 1",
				       e);
	int rc;

	if (!s)
		return E_INTERNAL;
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = fail(e, E_INTERNAL, "scoring_state has no row");
	if (!rc) {
		*gen = stmt_int(s, 0);
		if (rescored)
			*rescored = stmt_int(s, 1);
		if (tier) {
			tier[0] = (int)stmt_int(s, 2);
			tier[1] = (int)stmt_int(s, 3);
			tier[2] = (int)stmt_int(s, 4);
		}
	}
	stmt_done(s);
	return rc;
}

static int load_rules(struct store *st, struct scorer *sc, struct err *e)
{
	struct stmt *s;
	long long ids[256];
	int rc, n = 0, i;

	s = store_prepare(st, "SELECT id FROM scoring_rules WHERE active = 1 ORDER BY id LIMIT 256",
			  e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s))
		ids[n++] = stmt_int(s, 0);
	stmt_done(s);
	if (rc)
		return rc;
	sc->rules = calloc((size_t)n + 1, sizeof(*sc->rules));
	if (!sc->rules)
		return fail(e, E_INTERNAL, "out of memory");
	for (i = 0; i < n && !rc; i++) {
		struct record rec;

		rc = record_get(st, NULL, &scoring_rule_resource, ids[i], &rec, e);
		if (!rc)
			rc = scoring_rule_compile(&rec, &sc->rules[sc->nrules], e);
		if (!rc)
			sc->nrules++;
		record_release(&rec);
	}
	return rc;
}

static int load_model(struct store *st, struct scorer *sc, struct err *e)
{
	struct model *m;
	struct stmt *s;
	int rc, found, g, cap = 16;
	long long id;

	rc = store_int(st, &id, &found, e, "SELECT max(id) FROM scoring_models", "");
	if (rc || !found || !id)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->f = calloc((size_t)cap, sizeof(*m->f)))) {
		free(m);
		return fail(e, E_INTERNAL, "out of memory");
	}
	m->id = id;
	for (g = 0; g < G_COUNT; g++)
		m->other[g] = m->number[g] = -1;
	sc->m = m;
	s = store_prepare(st, "SELECT intercept FROM scoring_models WHERE id = ?", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	m->intercept = rc ? 0 : stmt_double(s, 0);
	stmt_done(s);
	if (rc)
		return rc;
	s = store_prepare(st,
			  "SELECT grp, value, center, scale, weight, support FROM scoring_features "
			  "WHERE model_id = ? ORDER BY idx",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		struct feature *f;

		g = scoring_group_find(stmt_text(s, 0));
		if (g < 0)
			continue; /* a group this version does not know */
		if (m->d == cap) {
			struct feature *more = realloc(m->f, sizeof(*m->f) * (size_t)cap * 2);

			if (!more) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			m->f = more;
			cap *= 2;
		}
		f = &m->f[m->d];
		memset(f, 0, sizeof(*f));
		f->grp = g;
		f->value = stmt_null(s, 1) ? NULL : strdup(stmt_text(s, 1));
		f->center = stmt_double(s, 2);
		f->scale = stmt_double(s, 3);
		f->weight = stmt_double(s, 4);
		f->support = stmt_int(s, 5);
		if (!(f->scale > 0))
			f->scale = 1;
		if (g < G_NCAT) {
			m->base[g] += f->weight * f->center;
			if (!f->value)
				m->other[g] = m->d;
		} else {
			m->number[g] = m->d;
		}
		m->d++;
	}
	stmt_done(s);
	return rc;
}

/* The scorer of the current generation, with a reference the caller gives
 * back with scorer_put().  Read inside the caller's transaction, so a lead
 * written with it and the generation it read agree. */
static int scorer_get(struct store *st, struct scorer **out, struct err *e)
{
	struct scorer *sc;
	long long gen;
	int tier[3], rc;
	const char *db = store_path(st);

	*out = NULL;
	rc = read_state(st, &gen, NULL, tier, e);
	if (rc)
		return rc;
	pthread_mutex_lock(&cache_lock);
	if (cache && cache->gen == gen && !strcmp(cache->db, db ? db : "")) {
		cache->refs++;
		*out = cache;
	}
	pthread_mutex_unlock(&cache_lock);
	if (*out)
		return OK;
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return fail(e, E_INTERNAL, "out of memory");
	snprintf(sc->db, sizeof(sc->db), "%s", db ? db : "");
	sc->gen = gen;
	sc->refs = 1;
	memcpy(sc->tier, tier, sizeof(tier));
	rc = load_rules(st, sc, e);
	if (!rc)
		rc = load_model(st, sc, e);
	if (rc) {
		scorer_free(sc);
		return rc;
	}
	pthread_mutex_lock(&cache_lock);
	if (!cache || cache->gen < gen || strcmp(cache->db, sc->db)) {
		if (cache && --cache->refs == 0)
			scorer_free(cache);
		cache = sc;
		sc->refs++;
	}
	pthread_mutex_unlock(&cache_lock);
	*out = sc;
	return OK;
}

static void scorer_put(struct scorer *sc)
{
	int gone;

	if (!sc)
		return;
	pthread_mutex_lock(&cache_lock);
	gone = --sc->refs == 0;
	pthread_mutex_unlock(&cache_lock);
	if (gone)
		scorer_free(sc);
}

/* --- one lead's score ------------------------------------------------------- */

struct factor {
	char text[512];
	double points;
};

/* Cut s (NUL-terminated, maybe truncated by snprintf) back to whole UTF-8
 * characters. */
static void utf8_cut(char *s)
{
	size_t n = strlen(s), i = n, want;
	unsigned char c;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return;
	c = (unsigned char)s[i - 1];
	want = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (n - (i - 1) < want)
		s[i - 1] = '\0';
}

static int by_size(const void *a, const void *b)
{
	double x = fabs(((const struct factor *)a)->points),
	       y = fabs(((const struct factor *)b)->points);

	return (x < y) - (x > y);
}

/* The factor text of learned group g for lead f. */
static void group_text(const struct lead_facts *f, int g, char *out, size_t n)
{
	switch (g) {
	case G_WEB_FORM:
		snprintf(out, n, "%s", f->web_form ? "Came through a web form" : "Not from a web form");
		return;
	case G_QUIET:
		snprintf(out, n, "%s", f->quiet    ? "No activity in the last 30 days"
				       : f->recent ? "Active in the last 30 days"
						   : "New in the last 30 days");
		return;
	case G_ANSWERS: snprintf(out, n, "Qualification answers: %d", f->answers); return;
	case G_CALLS: snprintf(out, n, "Calls done: %d", f->calls); return;
	case G_EMAILS: snprintf(out, n, "E-mails done: %d", f->emails); return;
	case G_MEETINGS: snprintf(out, n, "Meetings attended: %d", f->meetings); return;
	}
	snprintf(out, n, "%s: %s", scoring_group_labels[g],
		 scoring_category_text(g, scoring_category(f, g)));
}

/* The logit contribution of category group g for lead f, against the
 * average training lead. */
static double category_part(const struct model *m, const struct lead_facts *f, int g)
{
	const char *v = scoring_category(f, g);
	int j, hit = -1;

	for (j = 0; j < m->d; j++)
		if (m->f[j].grp == g && m->f[j].value && !strcasecmp(m->f[j].value, v)) {
			hit = j;
			break;
		}
	if (hit < 0)
		hit = m->other[g];
	return (hit >= 0 ? m->f[hit].weight : 0) - m->base[g];
}

static char tier_of(const struct scorer *sc, int score)
{
	return score >= sc->tier[0] ? 'A' : score >= sc->tier[1] ? 'B' : score >= sc->tier[2] ? 'C'
											   : 'D';
}

/* Score lead f: *score, *tier and the factors as JSON into `factors`. */
static void score_lead(const struct scorer *sc, const struct lead_facts *f, int *score,
		       char *tier, struct buf *factors)
{
	struct factor *fx = malloc(sizeof(*fx) * (size_t)(G_COUNT + sc->nrules));
	double part[G_COUNT] = {0}, z, p, total = 0;
	int nf = 0, g, i;
	struct jw w;

	if (!fx) { /* out of memory: the next write or rescore puts it right */
		*score = 0;
		*tier = tier_of(sc, 0);
		buf_puts(factors, "[]");
		return;
	}

	for (i = 0; i < sc->nrules; i++) {
		struct buf b = BUF_INIT;

		if (!scoring_rule_match(&sc->rules[i], f))
			continue;
		total += sc->rules[i].points;
		scoring_rule_label(&sc->rules[i], &b);
		snprintf(fx[nf].text, sizeof(fx[nf].text), "%s", b.data ? b.data : "");
		utf8_cut(fx[nf].text);
		fx[nf++].points = sc->rules[i].points;
		buf_release(&b);
	}
	if (sc->m) {
		const struct model *m = sc->m;

		z = m->intercept;
		for (g = 0; g < G_COUNT; g++) {
			if (g < G_NCAT)
				part[g] = category_part(m, f, g);
			else if (m->number[g] >= 0)
				part[g] = m->f[m->number[g]].weight *
					  (scoring_number(f, g) - m->f[m->number[g]].center) /
					  m->f[m->number[g]].scale;
			z += part[g];
		}
		p = logreg_sigmoid(z);
		total += 100 * p;
		/* a factor's points: what it alone does to an average lead (whose
		 * log-odds are the intercept).  Measured on this lead instead, a
		 * lead near 0 or 100 would show factors of no points at all. */
		for (g = 0; g < G_COUNT; g++) {
			if (part[g] == 0)
				continue;
			group_text(f, g, fx[nf].text, sizeof(fx[nf].text));
			utf8_cut(fx[nf].text);
			fx[nf++].points = 100 * (logreg_sigmoid(m->intercept + part[g]) -
						 logreg_sigmoid(m->intercept));
		}
	}
	*score = (int)lround(total < 0 ? 0 : total > 100 ? 100 : total);
	*tier = tier_of(sc, *score);
	qsort(fx, (size_t)nf, sizeof(fx[0]), by_size);
	jw_init(&w, factors);
	jw_arr(&w);
	for (i = 0, g = 0; i < nf && g < SCORING_MAX_FACTORS; i++) {
		long pts = lround(fx[i].points);

		if (!pts)
			continue;
		jw_obj(&w);
		jw_kstr(&w, "factor", fx[i].text);
		jw_kint(&w, "points", pts);
		jw_obj_end(&w);
		g++;
	}
	jw_arr_end(&w);
	free(fx);
}

/* Score and store one lead; *changed when its row changed. */
static int store_score(struct store *st, const struct scorer *sc, const struct lead_facts *f,
		       int *changed, struct err *e)
{
	struct buf factors = BUF_INIT;
	struct stmt *s;
	char tier[2] = {0};
	int score, rc;

	score_lead(sc, f, &score, &tier[0], &factors);
	s = store_prepare(st,
			  "UPDATE leads SET score = ?1, tier = ?2, score_factors = ?3 WHERE id = ?4 "
			  "AND (score IS NOT ?1 OR tier IS NOT ?2 OR score_factors IS NOT ?3)",
			  e);
	if (!s) {
		buf_release(&factors);
		return E_INTERNAL;
	}
	stmt_bind_int(s, 1, score);
	stmt_bind_text(s, 2, tier);
	stmt_bind_text(s, 3, factors.data ? factors.data : "[]");
	stmt_bind_int(s, 4, f->id);
	rc = stmt_step(s, e);
	stmt_done(s);
	buf_release(&factors);
	if (!rc && changed)
		*changed = store_changes(st) > 0;
	return rc;
}

int scoring_lead_changed(struct store *st, long long id, struct err *e)
{
	struct scorer *sc;
	struct lead_row row;
	int n, rc;

	rc = scorer_get(st, &sc, e);
	if (rc)
		return rc;
	rc = scoring_read_leads(st, id, 0, time_now(), &row, &n, e);
	if (!rc && n)
		rc = store_score(st, sc, &row.f, NULL, e);
	if (!rc)
		scoring_rows_release(&row, n);
	scorer_put(sc);
	return rc;
}

int scoring_invalidate(struct store *st, struct err *e)
{
	int rc = store_run(st, e, "UPDATE scoring_state SET generation = generation + 1 WHERE id = 1",
			   "");

	if (!rc)
		scoring_worker_kick();
	return rc;
}

int scoring_owed(struct store *st, int *owed, struct err *e)
{
	long long gen, done;
	int rc = read_state(st, &gen, &done, NULL, e);

	*owed = !rc && done < gen;
	return rc;
}

int scoring_rescore(struct store *st, const volatile int *stop, long long *n, struct err *e)
{
	struct lead_row *rows = calloc(SCORING_BATCH, sizeof(*rows));
	long long cursor = 0, pass = -1, gen, done, changed_n = 0;
	int rc = OK, nrows = 0, i;

	if (!rows)
		return fail(e, E_INTERNAL, "out of memory");
	while (!(stop && *stop)) {
		struct scorer *sc = NULL;
		time_t now = time_now();

		nrows = 0;
		rc = store_begin(st, e);
		if (rc)
			break;
		rc = read_state(st, &gen, &done, NULL, e);
		if (!rc && done >= gen) {
			rc = store_commit(st, e);
			break;
		}
		if (!rc && gen != pass) { /* a new pass, from the first lead */
			pass = gen;
			cursor = 0;
		}
		if (!rc)
			rc = scorer_get(st, &sc, e);
		if (!rc)
			rc = scoring_read_leads(st, cursor, SCORING_BATCH, now, rows, &nrows, e);
		for (i = 0; !rc && i < nrows; i++) {
			int changed = 0;

			rc = store_score(st, sc, &rows[i].f, &changed, e);
			changed_n += changed;
		}
		if (!rc && nrows)
			cursor = rows[nrows - 1].f.id;
		scoring_rows_release(rows, nrows);
		scorer_put(sc);
		if (!rc && nrows < SCORING_BATCH)
			rc = store_run(st, e,
				       "UPDATE scoring_state SET rescored_generation = ? WHERE id = 1 "
				       "AND rescored_generation < ?",
				       "ii", pass, pass);
		if (!rc)
			rc = store_commit(st, e);
		if (rc) {
			store_rollback(st);
			break;
		}
	}
	free(rows);
	if (n)
		*n = changed_n;
	return rc;
}

/* --- tiers --------------------------------------------------------------- */

static void tiers_json(struct jw *w, const int tier[3])
{
	jw_obj(w);
	jw_kint(w, "A", tier[0]);
	jw_kint(w, "B", tier[1]);
	jw_kint(w, "C", tier[2]);
	jw_obj_end(w);
}

int scoring_set_tiers(struct store *st, const struct principal *p, json_t *body,
		      struct jw *w, struct err *e)
{
	static const char *const names[] = {"A", "B", "C"};
	long long gen;
	int tier[3], rc, i;
	const char *key;
	json_t *v;

	if (!principal_is_admin(p))
		return fail(e, E_FORBIDDEN, "only admins set the tiers");
	if (!json_is_object(body))
		return fail(e, E_INVAL, "the body must be a JSON object");
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = read_state(st, &gen, NULL, tier, e);
	if (rc)
		goto fail;
	json_object_foreach(body, key, v) {
		for (i = 0; i < 3 && strcmp(key, names[i]); i++)
			;
		if (i == 3)
			err_field(e, key, "is not a tier: give A, B and/or C");
		else if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			 json_integer_value(v) > 100)
			err_field(e, key, "must be an integer from 1 to 100");
		else
			tier[i] = (int)json_integer_value(v);
	}
	if (!(e && e->nfields) && tier[1] >= tier[0])
		err_field(e, "B", "must be below A (%d)", tier[0]);
	if (!(e && e->nfields) && tier[2] >= tier[1])
		err_field(e, "C", "must be below B (%d)", tier[1]);
	if (e && e->nfields) {
		rc = E_INVAL;
		goto fail;
	}
	rc = store_run(st, e, "UPDATE scoring_state SET tier_a = ?, tier_b = ?, tier_c = ? WHERE id = 1",
		       "iii", (long long)tier[0], (long long)tier[1], (long long)tier[2]);
	if (!rc)
		rc = scoring_invalidate(st, e);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		goto fail;
	tiers_json(w, tier);
	return OK;
fail:
	store_rollback(st);
	return rc;
}

/* --- the model as JSON --------------------------------------------------- */

static void feature_label(const struct feature *f, char *out, size_t n)
{
	if (f->grp < G_NCAT)
		snprintf(out, n, "%s: %s", scoring_group_labels[f->grp],
			 scoring_category_text(f->grp, f->value));
	else
		snprintf(out, n, "%s", scoring_group_labels[f->grp]);
}

static int model_json(struct store *st, const struct model *m, struct jw *w, struct err *e)
{
	struct stmt *s;
	char label[300];
	int rc, i;

	s = store_prepare(st,
			  "SELECT m.trained_at, m.trained_by, u.name, m.as_of, m.l2, m.iterations, "
			  "m.n_train, m.pos_train, m.n_test, m.pos_test, m.auc_train, m.auc_test "
			  "FROM scoring_models m LEFT JOIN users u ON u.id = m.trained_by "
			  "WHERE m.id = ?",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, m->id);
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = fail(e, E_NOTFOUND, "no scoring model %lld", m->id);
	if (rc) {
		stmt_done(s);
		return rc;
	}
	jw_obj(w);
	jw_kint(w, "id", m->id);
	jw_kstr(w, "kind", "logistic regression (L2, Newton/IRLS)");
	jw_kstr(w, "trained_at", stmt_text(s, 0));
	jw_key(w, "trained_by");
	if (stmt_null(s, 1))
		jw_null(w);
	else
		jw_int(w, stmt_int(s, 1));
	jw_kstr(w, "trained_by_name", stmt_text(s, 2));
	jw_kstr(w, "as_of", stmt_text(s, 3));
	jw_key(w, "l2");
	jw_double(w, stmt_double(s, 4));
	jw_kint(w, "iterations", stmt_int(s, 5));
	jw_key(w, "intercept");
	jw_double(w, m->intercept);
	for (i = 0; i < 2; i++) {
		long long n = stmt_int(s, 6 + 2 * i), pos = stmt_int(s, 7 + 2 * i);

		jw_key(w, i ? "held_out" : "training");
		jw_obj(w);
		jw_kint(w, "leads", n);
		jw_kint(w, "converted", pos);
		jw_kint(w, "not_converted", n - pos);
		jw_key(w, "converted_share");
		jw_double(w, n ? (double)pos / (double)n : 0);
		jw_obj_end(w);
	}
	jw_key(w, "auc");
	jw_obj(w);
	jw_key(w, "held_out");
	if (stmt_null(s, 11))
		jw_null(w);
	else
		jw_double(w, stmt_double(s, 11));
	jw_key(w, "training");
	if (stmt_null(s, 10))
		jw_null(w);
	else
		jw_double(w, stmt_double(s, 10));
	jw_obj_end(w);
	stmt_done(s);
	jw_key(w, "features");
	jw_arr(w);
	for (i = 0; i < m->d; i++) {
		const struct feature *f = &m->f[i];

		feature_label(f, label, sizeof(label));
		jw_obj(w);
		jw_kstr(w, "group", scoring_group_keys[f->grp]);
		jw_kstr(w, "value", f->grp < G_NCAT ? (f->value ? f->value : "(other)") : NULL);
		jw_kstr(w, "label", label);
		jw_key(w, "weight");
		jw_double(w, f->weight);
		jw_key(w, "center");
		jw_double(w, f->center);
		jw_key(w, "scale");
		jw_double(w, f->scale);
		jw_kint(w, "support", f->support);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	return OK;
}

int scoring_model_json(struct store *st, const struct principal *p, struct jw *w,
		       struct err *e)
{
	struct scorer *sc;
	struct stmt *s;
	long long gen, done, ids[256];
	int tier[3], rc, n = 0, i;

	if (!principal_is_manager(p))
		return fail(e, E_FORBIDDEN, "only managers and admins see the scoring model");
	rc = read_state(st, &gen, &done, tier, e);
	if (!rc)
		rc = scorer_get(st, &sc, e);
	if (rc)
		return rc;
	jw_obj(w);
	jw_key(w, "model");
	if (sc->m)
		rc = model_json(st, sc->m, w, e);
	else
		jw_null(w);
	scorer_put(sc);
	if (rc)
		return rc;
	jw_key(w, "rules");
	jw_arr(w);
	s = store_prepare(st, "SELECT id FROM scoring_rules ORDER BY id LIMIT 256", e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s))
		ids[n++] = stmt_int(s, 0);
	stmt_done(s);
	for (i = 0; !rc && i < n; i++) {
		struct record rec;

		rc = record_get(st, NULL, &scoring_rule_resource, ids[i], &rec, e);
		if (!rc)
			record_json(&rec, w);
		record_release(&rec);
	}
	if (rc)
		return rc;
	jw_arr_end(w);
	jw_key(w, "tiers");
	tiers_json(w, tier);
	jw_kbool(w, "rescoring", done < gen);
	jw_key(w, "method");
	jw_obj(w);
	jw_kstr(w, "score", "clamp(round(100 * P + fit points), 0, 100), P the model's "
			    "probability that the lead converts; without a model, the fit "
			    "points alone");
	jw_kstr(w, "converted", "converted_at is set");
	jw_kstr(w, "not_converted", "disqualified, or created more than 90 days before "
				    "as_of and never converted");
	jw_kstr(w, "held_out", "the 20% of those leads whose id hashes there; the model "
			       "never sees them in training");
	jw_obj_end(w);
	jw_obj_end(w);
	return OK;
}
