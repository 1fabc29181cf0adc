/*
 * analytics.c — the analytics index: build, change feed, compaction (see
 * analytics.h for the layout and the rules).
 */
#include "analytics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "crm/records/resources.h"

/* --- small containers ----------------------------------------------------- */

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static uint32_t hash_id(long long k)
{
	uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15ULL;

	return (uint32_t)(x >> 32);
}

static void dict_release(struct an_dict *d)
{
	int i;

	for (i = 0; i < d->n; i++)
		free(d->s[i]);
	free(d->s);
	free(d->slots);
	memset(d, 0, sizeof(*d));
}

static int dict_find(const struct an_dict *d, const char *s)
{
	uint32_t i;

	if (!d->nslots)
		return -1;
	for (i = hash_str(s) & (uint32_t)(d->nslots - 1); d->slots[i];
	     i = (i + 1) & (uint32_t)(d->nslots - 1))
		if (!strcmp(d->s[d->slots[i] - 1], s))
			return d->slots[i] - 1;
	return -1;
}

/* The index of s, added when new; -1 past `limit` entries or out of memory. */
static int dict_add(struct an_dict *d, const char *s, int limit)
{
	int i = dict_find(d, s), j;
	uint32_t h;

	if (i >= 0)
		return i;
	if (d->n >= limit)
		return -1;
	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 16;
		char **ns = realloc(d->s, (size_t)cap * sizeof(*ns));

		if (!ns)
			return -1;
		d->s = ns;
		d->cap = cap;
	}
	if ((d->n + 1) * 2 > d->nslots) {
		int nslots = d->nslots ? d->nslots * 2 : 32;
		int *sl = calloc((size_t)nslots, sizeof(*sl));

		if (!sl)
			return -1;
		free(d->slots);
		d->slots = sl;
		d->nslots = nslots;
		for (j = 0; j < d->n; j++) {
			for (h = hash_str(d->s[j]) & (uint32_t)(nslots - 1); sl[h];
			     h = (h + 1) & (uint32_t)(nslots - 1))
				;
			sl[h] = j + 1;
		}
	}
	d->s[d->n] = strdup(s);
	if (!d->s[d->n])
		return -1;
	for (h = hash_str(s) & (uint32_t)(d->nslots - 1); d->slots[h];
	     h = (h + 1) & (uint32_t)(d->nslots - 1))
		;
	d->slots[h] = d->n + 1;
	return d->n++;
}

static int idmap_get(const struct an_idmap *m, long long k)
{
	uint32_t i;

	if (!m->cap)
		return -1;
	for (i = hash_id(k) & (uint32_t)(m->cap - 1); m->v[i]; i = (i + 1) & (uint32_t)(m->cap - 1))
		if (m->k[i] == k)
			return m->v[i] - 1;
	return -1;
}

static int idmap_put(struct an_idmap *m, long long k, int v)
{
	uint32_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct an_idmap g = {0};
		int j;

		g.cap = m->cap ? m->cap * 2 : 64;
		g.k = calloc((size_t)g.cap, sizeof(*g.k));
		g.v = calloc((size_t)g.cap, sizeof(*g.v));
		if (!g.k || !g.v) {
			free(g.k);
			free(g.v);
			return -1;
		}
		for (j = 0; j < m->cap; j++)
			if (m->v[j])
				idmap_put(&g, m->k[j], m->v[j] - 1);
		free(m->k);
		free(m->v);
		*m = g;
	}
	for (i = hash_id(k) & (uint32_t)(m->cap - 1); m->v[i]; i = (i + 1) & (uint32_t)(m->cap - 1))
		if (m->k[i] == k) {
			m->v[i] = v + 1;
			return 0;
		}
	m->k[i] = k;
	m->v[i] = v + 1;
	m->n++;
	return 0;
}

static void idmap_release(struct an_idmap *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* Grow *p (n elements of size sz) to `cap` elements. */
static int grow(void **p, size_t sz, size_t cap)
{
	void *q = realloc(*p, cap * sz > 0 ? cap * sz : 1);

	if (!q)
		return -1;
	*p = q;
	return 0;
}

/* --- times ---------------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int digits(const char *s, int n, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

static uint32_t clamp_u32(long long t)
{
	return t < 0 ? 0 : t > 0xFFFFFFFFLL ? 0xFFFFFFFFu : (uint32_t)t;
}

uint32_t analytics_time(const char *s)
{
	unsigned y, mo, d, h, mi, se;
	time_t t;

	if (!s)
		return 0;
	/* the form Funnel stores, without a library call per value */
	if (strlen(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
	    s[16] == ':' && s[19] == 'Z' && !digits(s, 4, &y) && !digits(s + 5, 2, &mo) &&
	    !digits(s + 8, 2, &d) && !digits(s + 11, 2, &h) && !digits(s + 14, 2, &mi) &&
	    !digits(s + 17, 2, &se) && mo >= 1 && mo <= 12 && d >= 1 && d <= 31)
		return clamp_u32(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se);
	if (time_parse_iso(s, &t))
		return 0;
	return clamp_u32((long long)t);
}

static uint16_t day_of(const char *s)
{
	unsigned y, mo, d;
	long long v;

	if (!s || strlen(s) < 10 || digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || mo < 1 || mo > 12)
		return 0;
	v = days_from_civil(y, mo, d);
	return v < 0 ? 0 : v > 0xFFFF ? 0xFFFF : (uint16_t)v;
}

/* --- dictionaries ------------------------------------------------------------ */

const char *const an_fcat_names[AN_NFCAT] = {"pipeline", "best_case", "commit", "closed",
					     "omitted"};

int an_fcat_parse(const char *s)
{
	int i;

	if (!s)
		return AN_NONE;
	for (i = 0; i < AN_NFCAT; i++)
		if (!strcmp(s, an_fcat_names[i]))
			return i;
	return -1;
}

static int channel_index(const char *s)
{
	int i;

	for (i = 0; s && channel_choices[i]; i++)
		if (!strcmp(s, channel_choices[i]))
			return i;
	return AN_NONE;
}

static int load_teams(struct analytics *a, struct store *st, struct err *e)
{
	struct stmt *s = store_prepare(st, "SELECT id, name, coalesce(parent_id, 0) FROM teams", e);
	int rc, i;

	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		long long id = stmt_int(s, 0);

		i = idmap_get(&a->team_map, id);
		if (i < 0) {
			if (a->nteams == AN_NONE16)
				goto toomany;
			if (a->nteams == a->cap_teams) {
				a->cap_teams = a->cap_teams ? a->cap_teams * 2 : 16;
				if (grow((void **)&a->teams, sizeof(*a->teams), (size_t)a->cap_teams))
					goto oom;
			}
			i = a->nteams++;
			memset(&a->teams[i], 0, sizeof(a->teams[i]));
			a->teams[i].id = id;
			if (idmap_put(&a->team_map, id, i))
				goto oom;
		}
		free(a->teams[i].name);
		a->teams[i].name = strdup(stmt_text(s, 1));
		a->teams[i].parent_id = stmt_int(s, 2);
	}
	stmt_done(s);
	return rc;
toomany:
	stmt_done(s);
	return fail(e, E_INTERNAL, "analytics: more than 65534 teams");
oom:
	stmt_done(s);
	return fail(e, E_INTERNAL, "out of memory");
}

static int load_owners(struct analytics *a, struct store *st, struct err *e)
{
	struct stmt *s = store_prepare(
		st, "SELECT id, name, coalesce(team_id, 0), territory FROM users", e);
	int rc, i, t;

	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		long long id = stmt_int(s, 0);
		const char *terr = stmt_text(s, 3);

		i = idmap_get(&a->owner_map, id);
		if (i < 0) {
			if (a->nowners == AN_NONE16)
				goto toomany;
			if (a->nowners == a->cap_owners) {
				a->cap_owners = a->cap_owners ? a->cap_owners * 2 : 64;
				if (grow((void **)&a->owners, sizeof(*a->owners), (size_t)a->cap_owners))
					goto oom;
			}
			i = a->nowners++;
			memset(&a->owners[i], 0, sizeof(a->owners[i]));
			a->owners[i].user_id = id;
			if (idmap_put(&a->owner_map, id, i))
				goto oom;
		}
		free(a->owners[i].name);
		a->owners[i].name = strdup(stmt_text(s, 1));
		a->owners[i].team_id = stmt_int(s, 2);
		t = idmap_get(&a->team_map, a->owners[i].team_id);
		a->owners[i].team = t < 0 ? AN_NONE16 : (uint16_t)t;
		t = terr ? dict_add(&a->territories, terr, AN_NONE16) : -1;
		if (terr && t < 0)
			goto toomany;
		a->owners[i].territory = t < 0 ? AN_NONE16 : (uint16_t)t;
	}
	stmt_done(s);
	return rc;
toomany:
	stmt_done(s);
	return fail(e, E_INTERNAL, "analytics: more than 65534 users or territories");
oom:
	stmt_done(s);
	return fail(e, E_INTERNAL, "out of memory");
}

static struct an_pipeline *pipeline_slot(struct analytics *a, long long id, struct err *e)
{
	int i = idmap_get(&a->pipeline_map, id);

	if (i >= 0)
		return &a->pipelines[i];
	if (a->npipelines == AN_NONE16) {
		fail(e, E_INTERNAL, "analytics: more than 65534 pipelines");
		return NULL;
	}
	if (a->npipelines == a->cap_pipelines) {
		a->cap_pipelines = a->cap_pipelines ? a->cap_pipelines * 2 : 8;
		if (grow((void **)&a->pipelines, sizeof(*a->pipelines), (size_t)a->cap_pipelines)) {
			fail(e, E_INTERNAL, "out of memory");
			return NULL;
		}
	}
	i = a->npipelines++;
	memset(&a->pipelines[i], 0, sizeof(a->pipelines[i]));
	a->pipelines[i].id = id;
	memset(a->pipelines[i].pos, AN_NONE, sizeof(a->pipelines[i].pos));
	if (idmap_put(&a->pipeline_map, id, i)) {
		fail(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	return &a->pipelines[i];
}

static void pipeline_clear_stages(struct an_pipeline *p)
{
	int j;

	for (j = 0; j < p->nstages; j++)
		free(p->stage_name[j]);
	p->nstages = 0;
	memset(p->pos, AN_NONE, sizeof(p->pos));
}

static int load_pipelines(struct analytics *a, struct store *st, struct err *e)
{
	struct stmt *s = store_prepare(st, "SELECT id, name, is_default FROM pipelines", e);
	struct an_pipeline *p;
	long long pr;
	int rc, i, k, fc;

	if (!s)
		return E_INTERNAL;
	for (i = 0; i < a->npipelines; i++) {
		a->pipelines[i].live = 0;
		pipeline_clear_stages(&a->pipelines[i]);
	}
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		p = pipeline_slot(a, stmt_int(s, 0), e);
		if (!p) {
			stmt_done(s);
			return E_INTERNAL;
		}
		free(p->name);
		p->name = strdup(stmt_text(s, 1));
		p->is_default = (int)stmt_int(s, 2);
		p->live = 1;
	}
	stmt_done(s);
	if (rc)
		return rc;
	s = store_prepare(st,
			  "SELECT pipeline_id, key, name, section, probability, forecast_category "
			  "FROM stages ORDER BY pipeline_id, position, id",
			  e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		p = pipeline_slot(a, stmt_int(s, 0), e);
		if (!p || p->nstages == AN_MAX_STAGES) {
			stmt_done(s);
			return p ? fail(e, E_INTERNAL, "analytics: a pipeline with more than %d stages",
					AN_MAX_STAGES)
				 : E_INTERNAL;
		}
		k = dict_add(&a->keys, stmt_text(s, 1), AN_NONE);
		if (k < 0) {
			stmt_done(s);
			return fail(e, E_INTERNAL, "analytics: more than 254 stage keys");
		}
		p->key[p->nstages] = (uint8_t)k;
		p->stage_name[p->nstages] = strdup(stmt_text(s, 2));
		snprintf(p->section[p->nstages], sizeof(p->section[0]), "%s", stmt_text(s, 3));
		p->lost[p->nstages] = !strcmp(p->section[p->nstages], "lost");
		pr = stmt_int(s, 4);
		p->prob[p->nstages] = (uint8_t)(pr < 0 ? 0 : pr > 100 ? 100 : pr);
		fc = an_fcat_parse(stmt_text(s, 5));
		p->fcat[p->nstages] = (uint8_t)(fc < 0 ? AN_NONE : fc);
		p->pos[k] = (uint8_t)p->nstages;
		p->nstages++;
	}
	stmt_done(s);
	return rc;
}

static int load_dicts(struct analytics *a, struct store *st, struct err *e)
{
	int rc = load_teams(a, st, e);

	if (!rc)
		rc = load_owners(a, st, e);
	if (!rc)
		rc = load_pipelines(a, st, e);
	return rc;
}

/* --- deals ---------------------------------------------------------------- */

static int reserve_deals(struct analytics *a, size_t cap)
{
	if (cap <= a->cap)
		return 0;
	if (grow((void **)&a->id, sizeof(*a->id), cap) ||
	    grow((void **)&a->owner, sizeof(*a->owner), cap) ||
	    grow((void **)&a->pipeline, sizeof(*a->pipeline), cap) ||
	    grow((void **)&a->industry, sizeof(*a->industry), cap) ||
	    grow((void **)&a->stage, sizeof(*a->stage), cap) ||
	    grow((void **)&a->status, sizeof(*a->status), cap) ||
	    grow((void **)&a->channel, sizeof(*a->channel), cap) ||
	    grow((void **)&a->currency, sizeof(*a->currency), cap) ||
	    grow((void **)&a->prob, sizeof(*a->prob), cap) ||
	    grow((void **)&a->amount, sizeof(*a->amount), cap) ||
	    grow((void **)&a->created, sizeof(*a->created), cap) ||
	    grow((void **)&a->closed, sizeof(*a->closed), cap) ||
	    grow((void **)&a->close_day, sizeof(*a->close_day), cap) ||
	    grow((void **)&a->hoff, sizeof(*a->hoff), cap) ||
	    grow((void **)&a->hcnt, sizeof(*a->hcnt), cap) ||
	    grow((void **)&a->fcat, sizeof(*a->fcat), cap) ||
	    grow((void **)&a->foff, sizeof(*a->foff), cap) ||
	    grow((void **)&a->flen, sizeof(*a->flen), cap))
		return -1;
	a->cap = cap;
	return 0;
}

static int reserve_rows(struct analytics *a, size_t cap)
{
	if (cap <= a->hcap)
		return 0;
	if (grow((void **)&a->hstage, sizeof(*a->hstage), cap) ||
	    grow((void **)&a->hentered, sizeof(*a->hentered), cap))
		return -1;
	a->hcap = cap;
	return 0;
}

static int reserve_fpool(struct analytics *a, size_t cap)
{
	if (cap <= a->fpcap)
		return 0;
	if (grow((void **)&a->fpool, 1, cap))
		return -1;
	a->fpcap = cap;
	return 0;
}

static int reserve_zones(struct analytics *a, size_t slots)
{
	size_t need = (slots + ANALYTICS_BLOCK - 1) / ANALYTICS_BLOCK, old = a->cap_zones, i;

	if (need <= old)
		return 0;
	need = need + need / 2 + 4;
	if (grow((void **)&a->zmin, sizeof(*a->zmin), need) ||
	    grow((void **)&a->zmax, sizeof(*a->zmax), need))
		return -1;
	for (i = old; i < need; i++) {
		a->zmin[i] = UINT32_MAX;
		a->zmax[i] = 0;
	}
	a->cap_zones = need;
	return 0;
}

/* Widen the zone of slot i to cover its rows and close. */
static void zone_widen(struct analytics *a, size_t i)
{
	size_t z = i / ANALYTICS_BLOCK;
	uint32_t lo = UINT32_MAX, hi = 0;

	if (a->hcnt[i]) {
		lo = a->hentered[a->hoff[i]];
		hi = a->hentered[a->hoff[i] + a->hcnt[i] - 1];
	}
	if (a->closed[i]) {
		lo = a->closed[i] < lo ? a->closed[i] : lo;
		hi = a->closed[i] > hi ? a->closed[i] : hi;
	}
	if (lo < a->zmin[z])
		a->zmin[z] = lo;
	if (hi > a->zmax[z])
		a->zmax[z] = hi;
	if (z + 1 > a->nzones)
		a->nzones = z + 1;
}

int analytics_owner(const struct analytics *a, long long user_id)
{
	return idmap_get(&a->owner_map, user_id);
}

long analytics_slot(const struct analytics *a, long long id)
{
	size_t lo = 0, hi = a->n;

	if (id <= 0 || id > UINT32_MAX)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->id[mid] < (uint32_t)id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->n && a->id[lo] == (uint32_t)id ? (long)lo : -1;
}

/* The columns an opportunity row gives, in this order, as the build and the
 * refresh select them. */
#define DEAL_COLUMNS                                                                      \
	"o.id, o.owner_id, o.pipeline_id, o.stage, o.status, o.channel, o.currency, "    \
	"o.amount, o.probability, o.created_at, o.closed_at, o.close_date, a.industry, "  \
	"o.forecast_category"
#define DEAL_NCOLS 14

/* Fill slot i from the current row of s.  E_CONFLICT when it names an owner or
 * pipeline the dictionaries do not know yet (reload them and retry). */
static int deal_fill(struct analytics *a, size_t i, struct stmt *s, struct err *e)
{
	int o = idmap_get(&a->owner_map, stmt_int(s, 1)),
	    p = idmap_get(&a->pipeline_map, stmt_int(s, 2)), k, c, ind;
	const char *status = stmt_text(s, 4), *industry = stmt_text(s, 12);
	long long prob = stmt_int(s, 8);
	int fc = an_fcat_parse(stmt_text(s, 13));

	if (o < 0 || p < 0)
		return E_CONFLICT;
	k = dict_add(&a->keys, stmt_text(s, 3), AN_NONE);
	c = dict_add(&a->currencies, stmt_text(s, 6) ? stmt_text(s, 6) : "", AN_NONE);
	ind = industry ? dict_add(&a->industries, industry, AN_NONE16) : AN_NONE16;
	if (k < 0 || c < 0 || ind < 0)
		return fail(e, E_INTERNAL,
			    "analytics: more than 254 stage keys or currencies, or 65534 industries");
	a->id[i] = (uint32_t)stmt_int(s, 0);
	a->owner[i] = (uint16_t)o;
	a->pipeline[i] = (uint16_t)p;
	a->stage[i] = (uint8_t)k;
	a->status[i] = !status ? AN_OPEN : !strcmp(status, "won") ? AN_WON
				  : !strcmp(status, "lost") ? AN_LOST : AN_OPEN;
	a->channel[i] = (uint8_t)channel_index(stmt_text(s, 5));
	a->currency[i] = (uint8_t)c;
	a->amount[i] = stmt_int(s, 7);
	a->prob[i] = (uint8_t)(prob < 0 ? 0 : prob > 100 ? 100 : prob);
	a->created[i] = analytics_time(stmt_text(s, 9));
	a->closed[i] = analytics_time(stmt_text(s, 10));
	a->close_day[i] = day_of(stmt_text(s, 11));
	a->industry[i] = (uint16_t)ind;
	a->fcat[i] = (uint8_t)(fc < 0 ? AN_NONE : fc);
	return OK;
}

/* One deal's stage rows while they are read: sorted, checked, then stored. */
struct rowbuf {
	uint8_t *key;
	uint32_t *entered, *exited; /* exited: 0 for NULL */
	uint32_t *order;            /* read order, the tie-break after entered */
	size_t n, cap;
};

static int rowbuf_add(struct rowbuf *b, int key, uint32_t entered, uint32_t exited)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;

		if (grow((void **)&b->key, 1, cap) || grow((void **)&b->entered, 4, cap) ||
		    grow((void **)&b->exited, 4, cap) || grow((void **)&b->order, 4, cap))
			return -1;
		b->cap = cap;
	}
	b->key[b->n] = (uint8_t)key;
	b->entered[b->n] = entered;
	b->exited[b->n] = exited;
	b->order[b->n] = (uint32_t)b->n;
	b->n++;
	return 0;
}

static void rowbuf_release(struct rowbuf *b)
{
	free(b->key);
	free(b->entered);
	free(b->exited);
	free(b->order);
	memset(b, 0, sizeof(*b));
}

/* Sort by (entered, read order): insertion sort, a deal has a handful. */
static void rowbuf_sort(struct rowbuf *b)
{
	size_t i, j;

	for (i = 1; i < b->n; i++) {
		uint8_t k = b->key[i];
		uint32_t en = b->entered[i], ex = b->exited[i], o = b->order[i];

		for (j = i; j > 0 && (b->entered[j - 1] > en ||
				      (b->entered[j - 1] == en && b->order[j - 1] > o));
		     j--) {
			b->key[j] = b->key[j - 1];
			b->entered[j] = b->entered[j - 1];
			b->exited[j] = b->exited[j - 1];
			b->order[j] = b->order[j - 1];
		}
		b->key[j] = k;
		b->entered[j] = en;
		b->exited[j] = ex;
		b->order[j] = o;
	}
}

/* Store b as slot i's history at the end of the pool. */
static int rows_store(struct analytics *a, size_t i, struct rowbuf *b)
{
	size_t k, n = b->n > 0xFFFF ? 0xFFFF : b->n;

	rowbuf_sort(b);
	for (k = 0; k < n; k++)
		if (k + 1 < n ? b->exited[k] != b->entered[k + 1] : b->exited[k] != 0)
			a->contiguity_breaks++;
	if (a->hlen + n > a->hcap && reserve_rows(a, a->hcap + a->hcap / 2 + n + 1024))
		return -1;
	a->hoff[i] = (uint32_t)a->hlen;
	a->hcnt[i] = (uint16_t)n;
	memcpy(a->hstage + a->hlen, b->key, n);
	memcpy(a->hentered + a->hlen, b->entered, n * sizeof(uint32_t));
	a->hlen += n;
	b->n = 0;
	return 0;
}

/* One deal's field-history rows while they are read, then stored as field
 * pool entries (analytics.h): sorted by field and time, each change's
 * "value before" taken from the first row's old and the previous row's new. */
struct frow {
	uint32_t at, order;
	uint8_t field, has_old, has_new;
	int64_t old_v, new_v;
};

struct fieldbuf {
	struct frow *r;
	size_t n, cap;
	uint8_t *out;
	size_t outcap;
};

static int field_index(const char *s)
{
	return !s ? -1 : !strcmp(s, "amount") ? AN_F_AMOUNT : !strcmp(s, "close_date") ? AN_F_CLOSE
		: !strcmp(s, "forecast_category") ? AN_F_FCAT : -1;
}

/* A history value of field f; 0 and *v, or -1 when it does not parse. */
static int field_value(int f, const char *s, int digits, int64_t *v)
{
	if (f == AN_F_AMOUNT) {
		long long m;
		const char *why;

		if (!s || money_parse(s, digits, &m, &why))
			return -1;
		*v = m;
	} else if (f == AN_F_CLOSE) {
		uint16_t d = day_of(s);

		if (!d)
			return -1;
		*v = d;
	} else {
		int c = an_fcat_parse(s);

		if (c < 0)
			return -1;
		*v = c;
	}
	return 0;
}

/* Add a history row (field name, at, old, new) of slot i. */
static int fieldbuf_add(struct analytics *a, size_t i, struct fieldbuf *b, const char *field,
			const char *at, const char *old, const char *new_)
{
	int f = field_index(field), digits;
	struct frow *r;

	if (f < 0)
		return 0;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;

		if (grow((void **)&b->r, sizeof(*b->r), cap))
			return -1;
		b->cap = cap;
	}
	digits = money_digits(a->currencies.s[a->currency[i]]);
	r = &b->r[b->n];
	r->at = analytics_time(at);
	r->order = (uint32_t)b->n;
	r->field = (uint8_t)f;
	r->has_old = !field_value(f, old, digits < 0 ? 2 : digits, &r->old_v);
	r->has_new = !field_value(f, new_, digits < 0 ? 2 : digits, &r->new_v);
	b->n++;
	return 0;
}

static void fieldbuf_release(struct fieldbuf *b)
{
	free(b->r);
	free(b->out);
	memset(b, 0, sizeof(*b));
}

static int frow_before(const struct frow *x, const struct frow *y, int by_field)
{
	if (by_field && x->field != y->field)
		return x->field < y->field;
	if (x->at != y->at)
		return x->at < y->at;
	return x->order < y->order;
}

/* Insertion sort: a deal has a handful. */
static void frows_sort(struct frow *r, size_t n, int by_field)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct frow x = r[i];

		for (j = i; j > 0 && frow_before(&x, &r[j - 1], by_field); j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/* Store b as slot i's field entries at the end of the pool (nothing when b
 * is empty).  Rows become entries in place: old_v holds the value before. */
static int fields_store(struct analytics *a, size_t i, struct fieldbuf *b)
{
	size_t k, m = 0, len = 0, skip = 0;
	uint8_t *p;

	a->fpgarbage += a->flen[i];
	a->flen[i] = 0;
	a->foff[i] = 0;
	if (!b->n)
		return 0;
	frows_sort(b->r, b->n, 1);
	for (k = 0; k < b->n; k++) {
		struct frow *r = &b->r[k];
		int first = !k || b->r[k - 1].field != r->field;
		int known = first ? r->has_old : b->r[k - 1].has_new;
		int64_t before = first ? r->old_v : b->r[k - 1].new_v;

		if (!known) {
			a->field_skipped++;
			continue;
		}
		b->r[m] = *r;
		b->r[m].old_v = before;
		m++;
	}
	frows_sort(b->r, m, 0);
	for (k = 0; k < m; k++)
		len += b->r[k].field == AN_F_AMOUNT ? 13 : b->r[k].field == AN_F_CLOSE ? 7 : 6;
	/* more than flen holds: keep the newest (older values then read as the
	 * oldest kept one's) */
	while (len > 0xFFFF) {
		len -= b->r[skip].field == AN_F_AMOUNT ? 13 : b->r[skip].field == AN_F_CLOSE ? 7 : 6;
		skip++;
		a->field_skipped++;
	}
	if (a->fplen + len > 0xFFFFFFFFu)
		return -2;
	if (a->fplen + len > a->fpcap && reserve_fpool(a, a->fpcap + a->fpcap / 2 + len + 65536))
		return -1;
	a->foff[i] = (uint32_t)a->fplen;
	a->flen[i] = (uint16_t)len;
	p = a->fpool + a->fplen;
	for (k = skip; k < m; k++) {
		const struct frow *r = &b->r[k];

		p[0] = r->field;
		memcpy(p + 1, &r->at, 4);
		if (r->field == AN_F_AMOUNT) {
			memcpy(p + 5, &r->old_v, 8);
			p += 13;
		} else if (r->field == AN_F_CLOSE) {
			uint16_t d = (uint16_t)r->old_v;

			memcpy(p + 5, &d, 2);
			p += 7;
		} else {
			p[5] = (uint8_t)r->old_v;
			p += 6;
		}
	}
	a->fplen += len;
	b->n = 0;
	return 0;
}

/* The field-history rows the index keeps, for the build (all deals, by
 * deal) and the refresh (one deal). */
#define SQL_FIELD_ROWS                                                                    \
	"SELECT record_id, field, at, old, new FROM history WHERE resource = 'opportunities' " \
	"AND field IN ('amount', 'close_date', 'forecast_category') "
#define FIELD_POOL_FULL "analytics: the field pool outgrew 4 GB"

/* --- build ------------------------------------------------------------------ */

static long long scalar(struct store *st, const char *sql, struct err *e)
{
	struct stmt *s = store_prepare(st, sql, e);
	long long v = -1;

	if (!s)
		return -1;
	if (!stmt_step(s, e))
		v = stmt_row(s) ? stmt_int(s, 0) : 0;
	stmt_done(s);
	return v;
}

/* The newest seq the feed ever gave (sqlite_sequence survives pruning). */
#define SQL_FEED_HEAD                                                                   \
	"SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'change_log'), 0)"

static int build(struct analytics *a, struct store *st, struct err *e)
{
	struct rowbuf rb = {0};
	struct fieldbuf fb = {0};
	struct stmt *s = NULL;
	long long nopp, nrows, cur = -1;
	size_t slot = 0, i;
	int rc, k;

	a->seq = scalar(st, SQL_FEED_HEAD, e);
	if (a->seq < 0)
		return E_INTERNAL;
	rc = load_dicts(a, st, e);
	if (rc)
		return rc;
	nopp = scalar(st, "SELECT count(*) FROM opportunities", e);
	nrows = scalar(st, "SELECT count(*) FROM stage_history", e);
	if (nopp < 0 || nrows < 0)
		return E_INTERNAL;
	if (reserve_deals(a, (size_t)nopp + 1024) || reserve_rows(a, (size_t)nrows + 4096) ||
	    reserve_zones(a, (size_t)nopp + 1024))
		return fail(e, E_INTERNAL, "out of memory");

	s = store_prepare(st,
			  "SELECT " DEAL_COLUMNS " FROM opportunities o "
			  "LEFT JOIN accounts a ON a.id = o.account_id ORDER BY o.id",
			  e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (stmt_int(s, 0) > UINT32_MAX) {
			rc = fail(e, E_INTERNAL, "analytics: opportunity ids past 2^32");
			break;
		}
		if (a->n == a->cap && reserve_deals(a, a->cap + a->cap / 2 + 1024)) {
			rc = fail(e, E_INTERNAL, "out of memory");
			break;
		}
		rc = deal_fill(a, a->n, s, e);
		if (rc == E_CONFLICT) {
			/* a user or pipeline made since the dictionaries were read */
			rc = load_dicts(a, st, e);
			if (!rc)
				rc = deal_fill(a, a->n, s, e);
			if (rc == E_CONFLICT)
				rc = fail(e, E_INTERNAL, "analytics: opportunity %lld has an unknown "
					  "owner or pipeline", stmt_int(s, 0));
		}
		if (rc)
			break;
		a->hoff[a->n] = 0;
		a->hcnt[a->n] = 0;
		a->foff[a->n] = 0;
		a->flen[a->n] = 0;
		a->n++;
	}
	stmt_done(s);
	if (rc)
		goto out;

	/* rows in index order, matched to slots by a merge walk (both by id);
	 * rows of deals made after the read above come with the feed */
	s = store_prepare(st,
			  "SELECT opportunity_id, stage, entered_at, exited_at FROM stage_history "
			  "ORDER BY opportunity_id, id",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto out;
	}
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		long long opp = stmt_int(s, 0);

		if (opp != cur) {
			if (cur >= 0 && rb.n && rows_store(a, slot, &rb))
				goto oom;
			rb.n = 0;
			cur = opp;
			while (slot < a->n && a->id[slot] < opp)
				slot++;
		}
		if (slot >= a->n || a->id[slot] != opp)
			continue;
		k = dict_add(&a->keys, stmt_text(s, 1), AN_NONE);
		if (k < 0) {
			rc = fail(e, E_INTERNAL, "analytics: more than 254 stage keys");
			break;
		}
		if (rowbuf_add(&rb, k, analytics_time(stmt_text(s, 2)),
			       analytics_time(stmt_text(s, 3))))
			goto oom;
	}
	if (!rc && rb.n && slot < a->n && a->id[slot] == cur && rows_store(a, slot, &rb))
		goto oom;
	stmt_done(s);
	s = NULL;
	if (rc)
		goto out;

	/* field history, the same way */
	s = store_prepare(st, SQL_FIELD_ROWS "ORDER BY record_id, id", e);
	if (!s) {
		rc = E_INTERNAL;
		goto out;
	}
	slot = 0;
	cur = -1;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		long long opp = stmt_int(s, 0);

		if (opp != cur) {
			if (cur >= 0 && slot < a->n && a->id[slot] == cur &&
			    (k = fields_store(a, slot, &fb)))
				goto pool;
			fb.n = 0;
			cur = opp;
			while (slot < a->n && a->id[slot] < opp)
				slot++;
		}
		if (slot >= a->n || a->id[slot] != opp)
			continue;
		if (fieldbuf_add(a, slot, &fb, stmt_text(s, 1), stmt_text(s, 2), stmt_text(s, 3),
				 stmt_text(s, 4)))
			goto oom;
	}
	if (!rc && slot < a->n && a->id[slot] == cur && (k = fields_store(a, slot, &fb)))
		goto pool;
	stmt_done(s);
	s = NULL;
	if (rc)
		goto out;
	if (a->field_skipped)
		log_warn("analytics: %lld field-history values (amount, close_date, "
			 "forecast_category) do not parse and were left out",
			 a->field_skipped);
	/* the pool grew by halves while it was read: give the rest back */
	if (a->fpcap > a->fplen + 65536 && !grow((void **)&a->fpool, 1, a->fplen + 65536))
		a->fpcap = a->fplen + 65536;
	for (i = 0; i < a->n; i++)
		zone_widen(a, i);
	if (a->contiguity_breaks)
		log_warn("analytics: %lld stage-history rows do not exit when the next one enters; "
			 "their time in stage is taken to the next entry",
			 a->contiguity_breaks);
out:
	stmt_done(s);
	rowbuf_release(&rb);
	fieldbuf_release(&fb);
	return rc;
pool:
	rc = k == -2 ? fail(e, E_INTERNAL, FIELD_POOL_FULL) : fail(e, E_INTERNAL, "out of memory");
	goto out;
oom:
	rc = fail(e, E_INTERNAL, "out of memory");
	goto out;
}

static struct analytics *analytics_new(void)
{
	struct analytics *a = calloc(1, sizeof(*a));

	if (a)
		pthread_rwlock_init(&a->lock, NULL);
	return a;
}

int analytics_build(struct store *st, struct analytics **out, struct err *e)
{
	struct analytics *a = analytics_new();
	int rc;

	*out = NULL;
	if (!a)
		return fail(e, E_INTERNAL, "out of memory");
	rc = build(a, st, e);
	if (rc) {
		analytics_free(a);
		return rc;
	}
	*out = a;
	/* what was written while we read */
	return analytics_refresh(a, st, e);
}

/* Everything but the lock. */
static void release_contents(struct analytics *a)
{
	int i;

	for (i = 0; i < a->nowners; i++)
		free(a->owners[i].name);
	free(a->owners);
	for (i = 0; i < a->nteams; i++)
		free(a->teams[i].name);
	free(a->teams);
	for (i = 0; i < a->npipelines; i++) {
		pipeline_clear_stages(&a->pipelines[i]);
		free(a->pipelines[i].name);
	}
	free(a->pipelines);
	dict_release(&a->keys);
	dict_release(&a->currencies);
	dict_release(&a->territories);
	dict_release(&a->industries);
	idmap_release(&a->owner_map);
	idmap_release(&a->team_map);
	idmap_release(&a->pipeline_map);
	free(a->id);
	free(a->owner);
	free(a->pipeline);
	free(a->industry);
	free(a->stage);
	free(a->status);
	free(a->channel);
	free(a->currency);
	free(a->prob);
	free(a->amount);
	free(a->created);
	free(a->closed);
	free(a->close_day);
	free(a->hoff);
	free(a->hcnt);
	free(a->fcat);
	free(a->foff);
	free(a->flen);
	free(a->fpool);
	free(a->hstage);
	free(a->hentered);
	free(a->zmin);
	free(a->zmax);
}

void analytics_free(struct analytics *a)
{
	if (!a)
		return;
	release_contents(a);
	pthread_rwlock_destroy(&a->lock);
	free(a);
}

/* Replace a's contents with a fresh build (write lock held). */
static int rebuild(struct analytics *a, struct store *st, struct err *e)
{
	struct analytics *b = analytics_new();
	size_t off = offsetof(struct analytics, seq);
	long long pruned = a->pruned_to;
	int rc;

	if (!b)
		return fail(e, E_INTERNAL, "out of memory");
	rc = build(b, st, e);
	if (rc) {
		analytics_free(b);
		return rc;
	}
	release_contents(a);
	memcpy((char *)a + off, (char *)b + off, sizeof(*a) - off);
	memset((char *)b + off, 0, sizeof(*b) - off);
	analytics_free(b);
	a->pruned_to = pruned;
	log_info("analytics: rebuilt (%zu deals)", analytics_deals(a));
	return OK;
}

/* --- the change feed ---------------------------------------------------------- */

/* Re-read opportunity `id` and its stage rows (one statement, one snapshot),
 * then its field history.  A write between the two statements appends to
 * the feed after what is being applied, so the next refresh reads it again. */
static int reload_deal(struct analytics *a, struct store *st, long long id, struct rowbuf *rb,
		       struct fieldbuf *fb, struct err *e)
{
	struct stmt *s;
	long slot = analytics_slot(a, id);
	size_t i;
	int rc, k, first = 1, retried = 0;

again:
	s = store_prepare(st,
			  "SELECT " DEAL_COLUMNS ", h.stage, h.entered_at, h.exited_at "
			  "FROM opportunities o LEFT JOIN accounts a ON a.id = o.account_id "
			  "LEFT JOIN stage_history h ON h.opportunity_id = o.id "
			  "WHERE o.id = ? ORDER BY h.entered_at, h.id",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rb->n = 0;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (first) {
			if (slot < 0) {
				if (id > UINT32_MAX || (a->n && a->id[a->n - 1] > (uint32_t)id)) {
					/* an id below the newest: not AUTOINCREMENT's doing */
					stmt_done(s);
					return E_CONFLICT;
				}
				if (a->n == a->cap && reserve_deals(a, a->cap + a->cap / 2 + 1024))
					goto oom;
				if (reserve_zones(a, a->n + 1))
					goto oom;
				slot = (long)a->n;
				a->id[slot] = (uint32_t)id;
				a->hcnt[slot] = 0;
				a->flen[slot] = 0;
				a->foff[slot] = 0;
				a->status[slot] = AN_DEAD;
				a->n++;
				a->ndead++;
			}
			if (a->status[slot] == AN_DEAD)
				a->ndead--;
			rc = deal_fill(a, (size_t)slot, s, e);
			if (rc == E_CONFLICT && !retried) {
				stmt_done(s);
				a->status[slot] = AN_DEAD;
				a->ndead++;
				rc = load_dicts(a, st, e);
				if (rc)
					return rc;
				retried = 1;
				goto again;
			}
			if (rc) {
				a->status[slot] = AN_DEAD;
				a->ndead++;
				stmt_done(s);
				return rc == E_CONFLICT ? fail(e, E_INTERNAL,
							       "analytics: opportunity %lld has an "
							       "unknown owner or pipeline", id)
							: rc;
			}
			first = 0;
		}
		if (stmt_null(s, DEAL_NCOLS + 1))
			continue; /* no stage rows (LEFT JOIN) */
		k = dict_add(&a->keys, stmt_text(s, DEAL_NCOLS), AN_NONE);
		if (k < 0) {
			stmt_done(s);
			return fail(e, E_INTERNAL, "analytics: more than 254 stage keys");
		}
		if (rowbuf_add(rb, k, analytics_time(stmt_text(s, DEAL_NCOLS + 1)),
			       analytics_time(stmt_text(s, DEAL_NCOLS + 2))))
			goto oom;
	}
	stmt_done(s);
	if (rc)
		return rc;
	if (slot < 0)
		return OK; /* deleted before we ever saw it */
	i = (size_t)slot;
	a->hgarbage += a->hcnt[i];
	a->hcnt[i] = 0;
	if (first) {
		/* gone: deleted */
		if (a->status[i] != AN_DEAD) {
			a->status[i] = AN_DEAD;
			a->ndead++;
		}
		fb->n = 0;
		fields_store(a, i, fb);
		return OK;
	}
	/* the rows were sorted by SQL; rows_store keeps that order */
	if (rb->n && rows_store(a, i, rb))
		goto oom;
	zone_widen(a, i);

	s = store_prepare(st, SQL_FIELD_ROWS "AND record_id = ? ORDER BY id", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	fb->n = 0;
	while (!(rc = stmt_step(s, e)) && stmt_row(s))
		if (fieldbuf_add(a, i, fb, stmt_text(s, 1), stmt_text(s, 2), stmt_text(s, 3),
				 stmt_text(s, 4)))
			goto oom;
	stmt_done(s);
	if (rc)
		return rc;
	k = fields_store(a, i, fb);
	if (k)
		return fail(e, E_INTERNAL, k == -2 ? FIELD_POOL_FULL : "out of memory");
	return OK;
oom:
	stmt_done(s);
	return fail(e, E_INTERNAL, "out of memory");
}

static int cmp_ll(const void *x, const void *y)
{
	long long a = *(const long long *)x, b = *(const long long *)y;

	return a < b ? -1 : a > b;
}

static void compact(struct analytics *a);

int analytics_refresh(struct analytics *a, struct store *st, struct err *e)
{
	struct stmt *s;
	struct rowbuf rb = {0};
	struct fieldbuf fb = {0};
	long long *ids = NULL, seq, last;
	size_t nids = 0, capids = 0, j;
	int rc, ahead, dicts, full = 0;

	if (!a)
		return OK;
	/* the one query when nothing changed */
	s = store_prepare(st, "SELECT seq FROM change_log WHERE seq > ? ORDER BY seq LIMIT 1", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, __atomic_load_n(&a->seq, __ATOMIC_ACQUIRE));
	rc = stmt_step(s, e);
	ahead = stmt_row(s);
	stmt_done(s);
	if (rc || !ahead)
		return rc;

	pthread_rwlock_wrlock(&a->lock);
	for (;;) {
		s = store_prepare(st,
				  "SELECT seq, opportunity_id FROM change_log WHERE seq > ? "
				  "ORDER BY seq LIMIT ?",
				  e);
		if (!s) {
			rc = E_INTERNAL;
			break;
		}
		stmt_bind_int(s, 1, a->seq);
		stmt_bind_int(s, 2, ANALYTICS_REBUILD + 1);
		nids = 0;
		dicts = 0;
		last = a->seq;
		while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
			seq = stmt_int(s, 0);
			if (last == a->seq && seq != a->seq + 1) {
				full = 1; /* pruned before we saw them */
				break;
			}
			last = seq;
			if (nids == capids) {
				capids = capids ? capids * 2 : 256;
				if (grow((void **)&ids, sizeof(*ids), capids)) {
					rc = fail(e, E_INTERNAL, "out of memory");
					break;
				}
			}
			ids[nids++] = stmt_int(s, 1);
		}
		stmt_done(s);
		if (rc)
			break;
		if (nids > ANALYTICS_REBUILD)
			full = 1;
		if (full) {
			rc = rebuild(a, st, e);
			break;
		}
		if (!nids)
			break;
		qsort(ids, nids, sizeof(*ids), cmp_ll);
		for (j = 0; j < nids && !rc; j++) {
			if (j && ids[j] == ids[j - 1])
				continue;
			if (ids[j] == 0) {
				dicts = 1;
				rc = load_dicts(a, st, e);
				continue;
			}
			rc = reload_deal(a, st, ids[j], &rb, &fb, e);
			if (rc == E_CONFLICT) {
				full = 1;
				rc = OK;
				break;
			}
		}
		(void)dicts;
		if (rc)
			break;
		if (full) {
			rc = rebuild(a, st, e);
			break;
		}
		__atomic_store_n(&a->seq, last, __ATOMIC_RELEASE);
	}
	if (!rc && (a->hgarbage > a->hlen / 4 + 4096 || a->fpgarbage > a->fplen / 4 + 65536 ||
		    a->ndead > a->n / 8 + 1024))
		compact(a);
	pthread_rwlock_unlock(&a->lock);
	free(ids);
	rowbuf_release(&rb);
	fieldbuf_release(&fb);
	if (!rc &&
	    __atomic_load_n(&a->seq, __ATOMIC_ACQUIRE) - a->pruned_to > 2 * ANALYTICS_KEEP_SEQ)
		rc = analytics_prune(a, st, 0, e);
	return rc;
}

int analytics_prune(struct analytics *a, struct store *st, long long upto, struct err *e)
{
	struct stmt *s;
	int rc;

	if (!upto)
		upto = a->seq - ANALYTICS_KEEP_SEQ;
	if (upto <= a->pruned_to)
		return OK;
	rc = store_begin(st, e);
	if (rc)
		return rc;
	s = store_prepare(st, "DELETE FROM change_log WHERE seq <= ?", e);
	if (!s) {
		store_rollback(st);
		return E_INTERNAL;
	}
	stmt_bind_int(s, 1, upto);
	rc = stmt_step(s, e);
	stmt_done(s);
	if (!rc)
		rc = store_commit(st, e);
	if (rc) {
		store_rollback(st);
		return rc;
	}
	a->pruned_to = upto;
	return OK;
}

/* --- compaction --------------------------------------------------------------- */

static void compact(struct analytics *a)
{
	size_t live = a->hlen - a->hgarbage, flive = a->fplen - a->fpgarbage, i, j = 0, h = 0,
	       f = 0, z;
	uint8_t *hs = malloc(live + 4096), *fp = malloc(flive + 65536);
	uint32_t *he = malloc((live + 4096) * sizeof(*he));

	if (!hs || !he || !fp) {
		free(hs);
		free(he);
		free(fp);
		return; /* stays as it is: correct, only larger */
	}
	for (i = 0; i < a->n; i++) {
		if (a->status[i] == AN_DEAD)
			continue;
		memcpy(hs + h, a->hstage + a->hoff[i], a->hcnt[i]);
		memcpy(he + h, a->hentered + a->hoff[i], a->hcnt[i] * sizeof(*he));
		memcpy(fp + f, a->fpool + a->foff[i], a->flen[i]);
		a->id[j] = a->id[i];
		a->owner[j] = a->owner[i];
		a->pipeline[j] = a->pipeline[i];
		a->industry[j] = a->industry[i];
		a->stage[j] = a->stage[i];
		a->status[j] = a->status[i];
		a->channel[j] = a->channel[i];
		a->currency[j] = a->currency[i];
		a->prob[j] = a->prob[i];
		a->amount[j] = a->amount[i];
		a->created[j] = a->created[i];
		a->closed[j] = a->closed[i];
		a->close_day[j] = a->close_day[i];
		a->hcnt[j] = a->hcnt[i];
		a->hoff[j] = (uint32_t)h;
		h += a->hcnt[i];
		a->fcat[j] = a->fcat[i];
		a->flen[j] = a->flen[i];
		a->foff[j] = (uint32_t)f;
		f += a->flen[i];
		j++;
	}
	free(a->hstage);
	free(a->hentered);
	free(a->fpool);
	a->hstage = hs;
	a->hentered = he;
	a->hlen = h;
	a->hcap = live + 4096;
	a->hgarbage = 0;
	a->fpool = fp;
	a->fplen = f;
	a->fpcap = flive + 65536;
	a->fpgarbage = 0;
	a->n = j;
	a->ndead = 0;
	for (z = 0; z < a->cap_zones; z++) {
		a->zmin[z] = UINT32_MAX;
		a->zmax[z] = 0;
	}
	a->nzones = 0;
	for (i = 0; i < a->n; i++)
		zone_widen(a, i);
}

void analytics_compact(struct analytics *a)
{
	pthread_rwlock_wrlock(&a->lock);
	compact(a);
	pthread_rwlock_unlock(&a->lock);
}

/* --- readers ------------------------------------------------------------------- */

void analytics_rdlock(struct analytics *a)
{
	pthread_rwlock_rdlock(&a->lock);
}

void analytics_unlock(struct analytics *a)
{
	pthread_rwlock_unlock(&a->lock);
}

void analytics_split(void *(*fn)(void *), void *w0, void *w1, int nthreads)
{
	pthread_t t;
	int started = nthreads == 2 && !pthread_create(&t, NULL, fn, w1);

	fn(w0);
	if (started)
		pthread_join(t, NULL);
	else if (nthreads == 2)
		fn(w1);
}

size_t analytics_deals(const struct analytics *a)
{
	return a->n - a->ndead;
}

static size_t dict_bytes(const struct an_dict *d)
{
	size_t b = (size_t)d->cap * sizeof(char *) + (size_t)d->nslots * sizeof(int);
	int i;

	for (i = 0; i < d->n; i++)
		b += strlen(d->s[i]) + 1;
	return b;
}

size_t analytics_bytes(const struct analytics *a)
{
	size_t per_deal = sizeof(*a->id) + sizeof(*a->owner) + sizeof(*a->pipeline) +
			  sizeof(*a->industry) + sizeof(*a->stage) + sizeof(*a->status) +
			  sizeof(*a->channel) + sizeof(*a->currency) + sizeof(*a->prob) +
			  sizeof(*a->amount) + sizeof(*a->created) + sizeof(*a->closed) +
			  sizeof(*a->close_day) + sizeof(*a->hoff) + sizeof(*a->hcnt);
	size_t b = sizeof(*a) + a->cap * per_deal + a->hcap * (1 + sizeof(uint32_t)) +
		   a->cap_zones * 2 * sizeof(uint32_t) + analytics_forecast_bytes(a);
	int i;

	b += (size_t)a->cap_owners * sizeof(*a->owners) + (size_t)a->cap_teams * sizeof(*a->teams) +
	     (size_t)a->cap_pipelines * sizeof(*a->pipelines);
	for (i = 0; i < a->nowners; i++)
		b += strlen(a->owners[i].name ? a->owners[i].name : "") + 1;
	b += dict_bytes(&a->keys) + dict_bytes(&a->currencies) + dict_bytes(&a->territories) +
	     dict_bytes(&a->industries);
	b += (size_t)(a->owner_map.cap + a->team_map.cap + a->pipeline_map.cap) *
	     (sizeof(long long) + sizeof(int));
	return b;
}

size_t analytics_forecast_bytes(const struct analytics *a)
{
	return a->cap * (sizeof(*a->fcat) + sizeof(*a->foff) + sizeof(*a->flen)) + a->fpcap;
}

static const char *dict_at(const struct an_dict *d, int i)
{
	return i >= 0 && i < d->n ? d->s[i] : "(none)";
}

int analytics_compare(const struct analytics *a, const struct analytics *b, char *why,
		      size_t n)
{
	size_t i = 0, j = 0, k;

#define DIFF(...)                                                                       \
	do {                                                                            \
		snprintf(why, n, __VA_ARGS__);                                          \
		return -1;                                                              \
	} while (0)
	for (;;) {
		while (i < a->n && a->status[i] == AN_DEAD)
			i++;
		while (j < b->n && b->status[j] == AN_DEAD)
			j++;
		if (i == a->n || j == b->n)
			break;
		if (a->id[i] != b->id[j])
			DIFF("deal %u in one, %u in the other", a->id[i], b->id[j]);
		if (a->owners[a->owner[i]].user_id != b->owners[b->owner[j]].user_id)
			DIFF("deal %u: owner %lld vs %lld", a->id[i], a->owners[a->owner[i]].user_id,
			     b->owners[b->owner[j]].user_id);
		if (a->pipelines[a->pipeline[i]].id != b->pipelines[b->pipeline[j]].id)
			DIFF("deal %u: pipeline", a->id[i]);
		if (strcmp(dict_at(&a->keys, a->stage[i]), dict_at(&b->keys, b->stage[j])))
			DIFF("deal %u: stage %s vs %s", a->id[i], dict_at(&a->keys, a->stage[i]),
			     dict_at(&b->keys, b->stage[j]));
		if (a->status[i] != b->status[j] || a->channel[i] != b->channel[j] ||
		    a->prob[i] != b->prob[j] || a->amount[i] != b->amount[j])
			DIFF("deal %u: status, channel, probability or amount", a->id[i]);
		if (strcmp(dict_at(&a->currencies, a->currency[i]),
			   dict_at(&b->currencies, b->currency[j])))
			DIFF("deal %u: currency", a->id[i]);
		if (strcmp(a->industry[i] == AN_NONE16 ? "" : dict_at(&a->industries, a->industry[i]),
			   b->industry[j] == AN_NONE16 ? "" : dict_at(&b->industries, b->industry[j])))
			DIFF("deal %u: industry", a->id[i]);
		if (a->created[i] != b->created[j] || a->closed[i] != b->closed[j] ||
		    a->close_day[i] != b->close_day[j])
			DIFF("deal %u: created %u/%u closed %u/%u close day %u/%u", a->id[i],
			     a->created[i], b->created[j], a->closed[i], b->closed[j],
			     a->close_day[i], b->close_day[j]);
		if (a->fcat[i] != b->fcat[j])
			DIFF("deal %u: forecast category %u vs %u", a->id[i], a->fcat[i], b->fcat[j]);
		if (a->flen[i] != b->flen[j] ||
		    memcmp(a->fpool + a->foff[i], b->fpool + b->foff[j], a->flen[i]))
			DIFF("deal %u: field history (%u bytes vs %u)", a->id[i], a->flen[i],
			     b->flen[j]);
		if (a->hcnt[i] != b->hcnt[j])
			DIFF("deal %u: %u stage rows vs %u", a->id[i], a->hcnt[i], b->hcnt[j]);
		for (k = 0; k < a->hcnt[i]; k++) {
			uint32_t x = a->hoff[i] + (uint32_t)k, y = b->hoff[j] + (uint32_t)k;

			if (a->hentered[x] != b->hentered[y] ||
			    strcmp(dict_at(&a->keys, a->hstage[x]), dict_at(&b->keys, b->hstage[y])))
				DIFF("deal %u: stage row %zu", a->id[i], k);
		}
		i++;
		j++;
	}
	if (i < a->n || j < b->n)
		DIFF("deal %u only in one", i < a->n ? a->id[i] : b->id[j]);
	for (i = 0; i < (size_t)a->nowners; i++) {
		int o = idmap_get(&b->owner_map, a->owners[i].user_id);

		if (o >= 0 && (strcmp(a->owners[i].name, b->owners[o].name) ||
			       a->owners[i].team_id != b->owners[o].team_id))
			DIFF("owner %lld: name or team", a->owners[i].user_id);
	}
#undef DIFF
	return 0;
}

/* --- the server's index ------------------------------------------------------------ */

static struct analytics *global;

struct analytics *analytics_global(void)
{
	return __atomic_load_n(&global, __ATOMIC_ACQUIRE);
}

/* Resident memory of the process in KiB (0 when /proc cannot tell). */
static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &size, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

int analytics_start(struct store *st, struct err *e)
{
	struct analytics *a;
	double t0 = time_mono();
	long rss0 = rss_kib();
	size_t bytes, fbytes, nd;
	int rc = analytics_build(st, &a, e);

	if (rc)
		return rc;
	bytes = analytics_bytes(a);
	fbytes = analytics_forecast_bytes(a);
	nd = analytics_deals(a) ? analytics_deals(a) : 1;
	log_info("analytics: %zu deals, %zu stage rows in %.2f s; %zu bytes (%.1f per deal); "
		 "RSS %ld KiB before the build, %ld KiB after (SQLite's cache of the build "
		 "included)",
		 analytics_deals(a), a->hlen, time_mono() - t0, bytes - fbytes,
		 (double)(bytes - fbytes) / (double)nd, rss0, rss_kib());
	log_info("analytics: forecast columns and field history (%zu bytes of changes): "
		 "%zu bytes more (%.1f per deal)",
		 a->fplen, fbytes, (double)fbytes / (double)nd);
	rc = analytics_prune(a, st, 0, e);
	if (rc) {
		analytics_free(a);
		return rc;
	}
	__atomic_store_n(&global, a, __ATOMIC_RELEASE);
	return OK;
}

/* --- the background build ------------------------------------------------ */

static pthread_mutex_t bg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bg_done = PTHREAD_COND_INITIALIZER;
static int bg_state; /* 0 none or building, 1 ready, -1 failed */
static char bg_db[4096], bg_why[256];

static void *bg_build(void *arg)
{
	struct store *st = NULL;
	struct err e;
	int rc;

	(void)arg;
	err_clear(&e);
	rc = store_open(bg_db, 0, &st, &e);
	if (!rc)
		rc = analytics_start(st, &e);
	store_close(st);
	if (rc)
		log_error("analytics: the index could not be built: %s", e.msg);
	pthread_mutex_lock(&bg_lock);
	bg_state = rc ? -1 : 1;
	snprintf(bg_why, sizeof(bg_why), "%s", rc ? e.msg : "");
	pthread_cond_broadcast(&bg_done);
	pthread_mutex_unlock(&bg_lock);
	return NULL;
}

int analytics_start_background(const char *db_path, struct err *e)
{
	pthread_t t;

	snprintf(bg_db, sizeof(bg_db), "%s", db_path);
	if (pthread_create(&t, NULL, bg_build, NULL))
		return fail(e, E_INTERNAL, "cannot start the analytics build");
	pthread_detach(t);
	return OK;
}

int analytics_ready(int wait_ms, struct analytics **out, struct err *e)
{
	struct timespec until;
	int state;

	*out = analytics_global();
	if (*out)
		return OK;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&bg_lock);
	while (bg_state == 0 && pthread_cond_timedwait(&bg_done, &bg_lock, &until) == 0)
		;
	state = bg_state;
	pthread_mutex_unlock(&bg_lock);
	*out = analytics_global();
	if (*out)
		return OK;
	if (state < 0)
		return fail(e, E_INTERNAL, "the analytics index could not be built: %s", bg_why);
	if (e)
		e->retry_after = 5;
	return fail(e, E_UNAVAILABLE, "the analytics index is being built; try again shortly");
}
