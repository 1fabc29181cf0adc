/*
 * funnel.c — the funnel report over the analytics index (see funnel.h for
 * every figure's definition).
 *
 * One pass over the deal slots, split between two threads for large
 * indexes, each with accumulators of its own that are added up after:
 *   - every deal: is it in scope (owner, channel, pipeline), its group;
 *     open → its stage's open figures; closed in the window → won / lost;
 *   - only in blocks whose zone overlaps the window, and deals whose rows
 *     span it: the stage rows — entries, exits with their stay lengths
 *     (kept as (cell, seconds) pairs for the percentiles), conversion.
 * Then the stay lengths are bucketed by cell and each cell's median and p90
 * found by selection (no full sort).
 */
#include "funnel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/money.h"
#include "core/timeutil.h"
#include "crm/records/resources.h"

typedef __int128 i128;

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const char *const group_names[] = {"", "owner", "team", "channel", "territory",
					  "industry", "pipeline"};

/* --- parameters -------------------------------------------------------------- */

static int parse_id(const char *s, long long *v)
{
	char *end;

	if (!s || *s < '1' || *s > '9' || strlen(s) > 18)
		return -1;
	*v = strtoll(s, &end, 10);
	return *end ? -1 : 0;
}

int funnel_parse(const struct kv *params, int n, time_t now, struct funnel_query *q,
		 struct err *e)
{
	static const char *const known[] = {"from",     "to",      "group_by", "pipeline_id",
					    "owner_id", "team_id", "channel",  "territory",
					    "currency"};
	int i, j, seen[N(known)] = {0};
	struct tm tm;
	time_t tf, tt;

	memset(q, 0, sizeof(*q));
	q->channel = -1;
	/* the current quarter */
	gmtime_r(&now, &tm);
	{
		char t[64];
		int y = tm.tm_year + 1900, m = tm.tm_mon / 3 * 3;

		snprintf(t, sizeof(t), "%04d-%02d-01", y, m + 1);
		snprintf(q->from, sizeof(q->from), "%.10s", t);
		snprintf(t, sizeof(t), "%04d-%02d-%02d", y, m + 3, m == 0 || m == 9 ? 31 : 30);
		snprintf(q->to, sizeof(q->to), "%.10s", t);
	}
	for (i = 0; i < n; i++) {
		const char *k = params[i].k, *v = params[i].v ? params[i].v : "";

		for (j = 0; j < N(known) && strcmp(k, known[j]); j++)
			;
		if (j == N(known)) {
			err_field(e, k, "unknown parameter (known: from, to, group_by, pipeline_id, "
					"owner_id, team_id, channel, territory, currency)");
			continue;
		}
		if (seen[j]++) {
			err_field(e, k, "given more than once");
			continue;
		}
		if (!strcmp(k, "from") || !strcmp(k, "to")) {
			time_t t;

			if (strlen(v) != 10 || time_parse_date(v, &t))
				err_field(e, k, "must be a date, YYYY-MM-DD");
			else
				snprintf(!strcmp(k, "from") ? q->from : q->to, sizeof(q->from), "%s", v);
		} else if (!strcmp(k, "group_by")) {
			int g;

			for (g = 1; g < N(group_names) && strcmp(v, group_names[g]); g++)
				;
			if (g == N(group_names))
				err_field(e, k, "one of owner, team, channel, territory, industry, "
						"pipeline");
			else
				q->group = (enum funnel_group)g;
		} else if (!strcmp(k, "pipeline_id") || !strcmp(k, "owner_id") ||
			   !strcmp(k, "team_id")) {
			long long id;

			if (parse_id(v, &id))
				err_field(e, k, "must be an id (a positive integer)");
			else if (k[0] == 'p')
				q->pipeline_id = id;
			else if (k[0] == 'o')
				q->owner_id = id;
			else
				q->team_id = id;
		} else if (!strcmp(k, "channel")) {
			int c;

			for (c = 0; channel_choices[c] && strcmp(v, channel_choices[c]); c++)
				;
			if (!channel_choices[c])
				err_field(e, k, "one of field, inside, partner, web, retail");
			else
				q->channel = c;
		} else if (!strcmp(k, "territory")) {
			if (!*v || strlen(v) >= sizeof(q->territory))
				err_field(e, k, "must be 1 to %d characters", (int)sizeof(q->territory) - 1);
			else
				snprintf(q->territory, sizeof(q->territory), "%s", v);
		} else if (!strcmp(k, "currency")) {
			if (strlen(v) != 3 || money_digits(v) < 0)
				err_field(e, k, "must be an ISO 4217 code such as EUR");
			else
				snprintf(q->currency, sizeof(q->currency), "%s", v);
		}
	}
	if (e && e->nfields)
		return E_INVAL;
	time_parse_date(q->from, &tf);
	time_parse_date(q->to, &tt);
	if (tt < tf)
		return err_field(e, "to", "is before from");
	if (tf < 0 || tt + 86399 > (time_t)UINT32_MAX)
		return err_field(e, tf < 0 ? "from" : "to", "out of range (1970 to 2105)");
	q->t_from = (uint32_t)tf;
	q->t_to = (uint32_t)(tt + 86399);
	return OK;
}

/* --- the scan -------------------------------------------------------------------- */

struct cell {
	long long open_count, entries, exits, conv_num, conv_den;
	i128 open_amount, weighted; /* weighted: Σ amount × percent */
};

struct gacc {
	long long deals, open_c, won, lost, won_c;
	i128 won_amount, cycle_seconds;
};

struct stay {
	uint32_t cell, secs;
};

/* What the threads share, read-only. */
struct scope {
	const struct analytics *a;
	const struct funnel_query *q;
	uint8_t *owner_ok;     /* by owner index */
	uint32_t *ogroup;      /* by owner index, for groups that follow the owner */
	uint8_t *pipe_ok;      /* by pipeline index */
	int ngroups, stride;   /* cells are group * stride + position */
	int cur;               /* the report's currency (index), -1: none in the index */
	int count_only;        /* only count currencies (choosing the default) */
};

struct work {
	const struct scope *sc;
	int part, nparts;      /* this thread takes blocks part, part + nparts, ... */
	struct cell *cells;
	struct gacc *groups;
	long long ccount[256], excluded;
	struct stay *stays;
	size_t nstays, capstays;
	uint32_t *secs;        /* after the scan: the stays' seconds grouped by cell */
	size_t *off;           /* cell c's are secs[off[c] .. off[c + 1]) */
	uint8_t *pos;
	int16_t *suf;
	int oom;
} __attribute__((aligned(128))); /* the two threads' counters never share a line */

static inline uint32_t group_of(const struct scope *sc, size_t i)
{
	const struct analytics *a = sc->a;

	switch (sc->q->group) {
	case FG_OWNER:
	case FG_TEAM:
	case FG_TERRITORY:
		return sc->ogroup[a->owner[i]];
	case FG_CHANNEL:
		return a->channel[i] == AN_NONE ? 5 : a->channel[i];
	case FG_INDUSTRY:
		return a->industry[i] == AN_NONE16 ? (uint32_t)a->industries.n : a->industry[i];
	case FG_PIPELINE:
		return a->pipeline[i];
	default:
		return 0;
	}
}

static void add_stay(struct work *w, uint32_t cell, uint32_t secs)
{
	if (w->nstays == w->capstays) {
		size_t cap = w->capstays ? w->capstays * 2 : 4096;
		struct stay *n = realloc(w->stays, cap * sizeof(*n));

		if (!n) {
			w->oom = 1;
			return;
		}
		w->stays = n;
		w->capstays = cap;
	}
	w->stays[w->nstays].cell = cell;
	w->stays[w->nstays].secs = secs;
	w->nstays++;
}

/* The stage rows of slot i (in scope, group g, pipeline pl), which span the
 * window: every entry and exit is at one of the rows' entry times. */
static void scan_rows(struct work *w, size_t i, uint32_t g, const struct an_pipeline *pl)
{
	const struct analytics *a = w->sc->a;
	uint32_t from = w->sc->q->t_from, to = w->sc->q->t_to, off = a->hoff[i], n = a->hcnt[i];
	const uint32_t *en = a->hentered + off;
	const uint8_t *key = a->hstage + off;
	struct cell *row = w->cells + (size_t)g * (size_t)w->sc->stride;
	uint64_t seen = 0;
	uint8_t pos_local[64], *pos = n <= 64 ? pos_local : w->pos;
	int16_t suf_local[64], *suf = n <= 64 ? suf_local : w->suf;
	int best = -1;
	uint32_t k;

	/* backwards: positions, and the furthest non-lost position entered
	 * after each row */
	for (k = n; k-- > 0;) {
		uint8_t p = pl->pos[key[k]];

		pos[k] = p;
		suf[k] = (int16_t)best;
		if (p != AN_NONE && !pl->lost[p] && p > best)
			best = p;
	}
	for (k = 0; k < n; k++) {
		int p = pos[k];

		if (p == AN_NONE)
			continue;
		if (en[k] >= from && en[k] <= to) {
			row[p].entries++;
			if (!(seen & (1ULL << p))) {
				/* the deal's first entry into p in the window */
				seen |= 1ULL << p;
				row[p].conv_den++;
				if (suf[k] > p)
					row[p].conv_num++;
			}
		}
		/* contiguous history: row k was exited when row k + 1 was entered */
		if (k + 1 < n && en[k + 1] >= from && en[k + 1] <= to) {
			row[p].exits++;
			add_stay(w, g * (uint32_t)w->sc->stride + (uint32_t)p, en[k + 1] - en[k]);
		}
	}
}

/* The most stays a thread collected last time (plus an eighth). */
static size_t stays_hint;

/* Group this thread's stays by cell (a counting sort: the cells' exits are
 * their counts), so that percentiles read each cell's slice. */
static void group_stays(struct work *w)
{
	size_t ncells = (size_t)w->sc->ngroups * (size_t)w->sc->stride, c, x, total = 0;

	w->off = malloc((ncells + 1) * sizeof(*w->off));
	w->secs = malloc((w->nstays + 1) * sizeof(*w->secs));
	if (!w->off || !w->secs) {
		w->oom = 1;
		return;
	}
	for (c = 0; c < ncells; c++) {
		w->off[c] = total;
		total += (size_t)w->cells[c].exits;
	}
	w->off[ncells] = total;
	for (x = 0; x < w->nstays; x++)
		w->secs[w->off[w->stays[x].cell]++] = w->stays[x].secs;
	for (c = ncells; c > 0; c--) /* back from ends to starts */
		w->off[c] = w->off[c - 1];
	w->off[0] = 0;
	free(w->stays);
	w->stays = NULL;
}

static void *scan(void *arg)
{
	struct work *w = arg;
	const struct scope *sc = w->sc;
	const struct analytics *a = sc->a;
	const struct funnel_query *q = sc->q;
	uint32_t from = q->t_from, to = q->t_to;
	size_t i, z, end;

	/* blocks in turn between the threads: ids follow time, and recent
	 * blocks have most of the window's rows */
	for (z = (size_t)w->part; z * ANALYTICS_BLOCK < a->n; z += (size_t)w->nparts) {
		int zone = z < a->nzones && a->zmax[z] >= from && a->zmin[z] <= to;

		end = (z + 1) * ANALYTICS_BLOCK;
		if (end > a->n)
			end = a->n;
		for (i = z * ANALYTICS_BLOCK; i < end; i++) {
			uint8_t st = a->status[i];
			const struct an_pipeline *pl;
			uint32_t g, n = a->hcnt[i];
			int closed_in = 0, rows_in, p;

			/* cheap tests first: outside the zone only open deals count;
			 * a closed one only for its close or its rows in the window */
			if (st != AN_OPEN && (!zone || st == AN_DEAD))
				continue;
			rows_in = zone && n && a->hentered[a->hoff[i]] <= to &&
				  a->hentered[a->hoff[i] + n - 1] >= from;
			if (st != AN_OPEN) {
				closed_in = a->closed[i] >= from && a->closed[i] <= to;
				if (!closed_in && !rows_in)
					continue;
			}
			if (!sc->owner_ok[a->owner[i]] || !sc->pipe_ok[a->pipeline[i]])
				continue;
			if (q->channel >= 0 && a->channel[i] != q->channel)
				continue;
			if (sc->count_only) {
				w->ccount[a->currency[i]]++;
				continue;
			}
			g = group_of(sc, i);
			w->groups[g].deals++;
			pl = &a->pipelines[a->pipeline[i]];
			if (st == AN_OPEN) {
				p = pl->pos[a->stage[i]];
				if (a->currency[i] != sc->cur) {
					w->excluded++;
				} else {
					w->groups[g].open_c++;
					if (p != AN_NONE) {
						struct cell *c = &w->cells[g * (uint32_t)sc->stride + (uint32_t)p];

						c->open_amount += a->amount[i];
						c->weighted += (i128)a->amount[i] * a->prob[i];
					}
				}
				if (p != AN_NONE)
					w->cells[g * (uint32_t)sc->stride + (uint32_t)p].open_count++;
			} else if (closed_in && st == AN_WON) {
				w->groups[g].won++;
				w->groups[g].cycle_seconds += (long long)a->closed[i] - a->created[i];
				if (a->currency[i] != sc->cur) {
					w->excluded++;
				} else {
					w->groups[g].won_c++;
					w->groups[g].won_amount += a->amount[i];
				}
			} else if (closed_in) {
				w->groups[g].lost++;
			}
			if (rows_in)
				scan_rows(w, i, g, pl);
		}
	}
	if (!sc->count_only && !w->oom)
		group_stays(w);
	return NULL;
}

/* --- percentiles ---------------------------------------------------------------- */

static void swap32(uint32_t *x, uint32_t *y)
{
	uint32_t t = *x;

	*x = *y;
	*y = t;
}

/* Reorder v[0..n) so that v[k] is the k-th smallest, smaller ones before it
 * (quickselect: median-of-three pivot, Hoare partition). */
static uint32_t select_k(uint32_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		uint32_t pivot;

		if (v[mid] < v[lo])
			swap32(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap32(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap32(&v[hi], &v[mid]);
		pivot = v[mid];
		/* v[lo] <= pivot <= v[hi] stop both scans inside [lo, hi] */
		for (;;) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i >= j)
				break;
			swap32(&v[i], &v[j]);
			i++;
			j--;
		}
		/* v[lo..j] <= pivot <= v[j+1..hi] */
		if (k <= j)
			hi = j;
		else
			lo = j + 1;
	}
	return v[k];
}

/* Median (mean of the two middle values when even) and p90 (nearest rank)
 * of v[0..n), n > 0, in seconds. */
static void percentiles(uint32_t *v, size_t n, double *median, uint32_t *p90)
{
	uint32_t hi = select_k(v, n, n / 2);

	if (n % 2) {
		*median = hi;
	} else {
		uint32_t lo = v[0];
		size_t i;

		for (i = 1; i < n / 2; i++)
			if (v[i] > lo)
				lo = v[i];
		*median = ((double)lo + (double)hi) / 2;
	}
	/* v[n/2..n) holds the larger half now, and p90's rank is in it */
	*p90 = select_k(v + n / 2, n - n / 2, (9 * n + 9) / 10 - 1 - n / 2);
}

/* Median and p90 of every cell with stays, cells split between threads;
 * a cell's stays are its slices in each scan thread's grouped stays. */
struct pct_work {
	const struct work *wk;
	int nwork;
	size_t ncells;
	int part, nparts;
	double *median;
	uint32_t *p90;
	int oom;
};

static void *pct_run(void *arg)
{
	struct pct_work *p = arg;
	uint32_t *buf = NULL;
	size_t c, cap = 0;
	int t;

	for (c = (size_t)p->part; c < p->ncells; c += (size_t)p->nparts) {
		size_t n = 0;

		for (t = 0; t < p->nwork; t++)
			n += p->wk[t].off[c + 1] - p->wk[t].off[c];
		if (!n)
			continue;
		if (p->nwork == 1) {
			percentiles(p->wk[0].secs + p->wk[0].off[c], n, &p->median[c], &p->p90[c]);
			continue;
		}
		if (n > cap) {
			uint32_t *b = realloc(buf, n * sizeof(*b));

			if (!b) {
				p->oom = 1;
				break;
			}
			buf = b;
			cap = n;
		}
		n = 0;
		for (t = 0; t < p->nwork; t++) {
			size_t k = p->wk[t].off[c + 1] - p->wk[t].off[c];

			memcpy(buf + n, p->wk[t].secs + p->wk[t].off[c], k * sizeof(*buf));
			n += k;
		}
		percentiles(buf, n, &p->median[c], &p->p90[c]);
	}
	free(buf);
	return NULL;
}

/* --- money ------------------------------------------------------------------------- */

/* n / d rounded half up (towards +infinity at .5), d > 0. */
static i128 div_half_up(i128 n, i128 d)
{
	i128 num = 2 * n + d, den = 2 * d, q = num / den;

	if ((num % den) && ((num < 0) != (den < 0)))
		q--;
	return q;
}

static void put_minor(struct jw *w, i128 v, int digits)
{
	char tmp[64], out[80];
	int n = 0, len = 0, i, neg = v < 0;
	unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;

	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	while (n <= digits)
		tmp[n++] = '0';
	if (neg)
		out[len++] = '-';
	for (i = n - 1; i >= 0; i--) {
		out[len++] = tmp[i];
		if (i == digits && digits > 0)
			out[len++] = '.';
	}
	out[len] = '\0';
	jw_raw(w, out);
}

/* --- the report ------------------------------------------------------------------------ */

static int cmp_ll(const void *x, const void *y)
{
	long long a = *(const long long *)x, b = *(const long long *)y;

	return a < b ? -1 : a > b;
}

/* The team ids of team_id's subtree, sorted; E_NOTFOUND when it does not exist. */
static int team_subtree(struct store *st, long long team_id, long long **ids, int *n,
			struct err *e)
{
	struct stmt *s = store_prepare(st, SQL_TEAM_SUBTREE, e);
	int rc, cap = 0;

	*ids = NULL;
	*n = 0;
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, team_id);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (*n == cap) {
			long long *m;

			cap = cap ? cap * 2 : 16;
			m = realloc(*ids, (size_t)cap * sizeof(*m));
			if (!m) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			*ids = m;
		}
		(*ids)[(*n)++] = stmt_int(s, 0);
	}
	stmt_done(s);
	if (!rc)
		qsort(*ids, (size_t)*n, sizeof(**ids), cmp_ll);
	return rc;
}

static int team_exists(struct store *st, long long id, struct err *e)
{
	struct stmt *s = store_prepare(st, "SELECT 1 FROM teams WHERE id = ?", e);
	int rc, found;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	found = stmt_row(s);
	stmt_done(s);
	if (rc)
		return rc;
	return found ? OK : fail(e, E_NOTFOUND, "no team with id %lld", id);
}

/* A group in the answer, for sorting. */
struct gref {
	uint32_t g;
	int none;
	const char *name;
	long long key;       /* numeric keys */
	const char *skey;    /* text keys */
};

static int cmp_gref(const void *x, const void *y)
{
	const struct gref *a = x, *b = y;
	int c;

	if (a->none != b->none)
		return a->none - b->none;
	c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
	if (c)
		return c;
	return a->key < b->key ? -1 : a->key > b->key;
}

static void describe_group(const struct analytics *a, enum funnel_group fg, uint32_t g,
			   struct gref *r)
{
	memset(r, 0, sizeof(*r));
	r->g = g;
	switch (fg) {
	case FG_OWNER:
		r->key = a->owners[g].user_id;
		r->name = a->owners[g].name;
		break;
	case FG_TEAM:
		r->none = g >= (uint32_t)a->nteams;
		if (!r->none) {
			r->key = a->teams[g].id;
			r->name = a->teams[g].name;
		}
		break;
	case FG_CHANNEL:
		r->none = g >= 5;
		r->key = g;
		if (!r->none)
			r->skey = r->name = channel_choices[g];
		break;
	case FG_TERRITORY:
		r->none = g >= (uint32_t)a->territories.n;
		if (!r->none)
			r->skey = r->name = a->territories.s[g];
		break;
	case FG_INDUSTRY:
		r->none = g >= (uint32_t)a->industries.n;
		if (!r->none)
			r->skey = r->name = a->industries.s[g];
		break;
	case FG_PIPELINE:
		r->key = a->pipelines[g].id;
		r->name = a->pipelines[g].name;
		break;
	default:
		r->name = "all";
	}
}

static void definitions(struct jw *w)
{
	jw_key(w, "definitions");
	jw_obj(w);
	jw_kstr(w, "window", "from 00:00:00 to 23:59:59 UTC of `to`, inclusive");
	jw_kstr(w, "scope", "deals of the pipeline(s) owned by people the caller sees, narrowed "
			    "by owner_id, team_id (its subtree), channel (the deal's), territory "
			    "(the owner's)");
	jw_kstr(w, "deals", "deals in scope that are open now, closed in the window, or whose "
			    "stage history spans it (first entry <= to, last entry >= from); a "
			    "group is listed when it has one");
	jw_kstr(w, "open_count", "open deals now in the stage, any currency");
	jw_kstr(w, "open_amount", "sum of the amounts of those open deals in `currency`");
	jw_kstr(w, "weighted_amount", "sum of amount x probability / 100 of those deals, summed "
				      "exactly and rounded half up to the minor unit at the end");
	jw_kstr(w, "entries", "stage-history rows of the stage entered in the window");
	jw_kstr(w, "exits", "stage-history rows of the stage exited in the window");
	jw_kstr(w, "conversion", "of the deals that entered the stage in the window "
				 "(denominator), those that afterwards, at any time, entered a later "
				 "stage (by position) that is not a lost stage (numerator); rate = "
				 "numerator / denominator");
	jw_kstr(w, "time_in_stage", "stays in the stage that ended in the window (exited in "
				    "it): median (mean of the two middle stays for an even count) "
				    "and p90 (nearest rank) of exited - entered, in days");
	jw_kstr(w, "won_count", "deals won with closed_at in the window");
	jw_kstr(w, "lost_count", "deals lost with closed_at in the window");
	jw_kstr(w, "win_rate", "won_count / (won_count + lost_count); null when both are 0");
	jw_kstr(w, "average_deal_size", "mean amount of the won deals counted in won_count that "
					"are in `currency`, rounded half up to the minor unit");
	jw_kstr(w, "cycle_length_days", "mean days from created_at to closed_at of the won "
					"deals counted in won_count");
	jw_kstr(w, "sales_velocity", "open deals in `currency` x win_rate x average_deal_size / "
				     "cycle_length_days: expected value won per day, rounded half "
				     "up to the minor unit");
	jw_kstr(w, "currency", "the currency of amount figures: the one asked for, else the most "
			       "common among the deals counted in `deals`");
	jw_kstr(w, "excluded_other_currency", "open deals and deals won in the window, in scope, "
					      "left out of amount figures for being in another "
					      "currency");
	jw_obj_end(w);
}

static void run_scan(struct scope *sc, struct work *w, int nthreads)
{
	int i;

	for (i = 0; i < nthreads; i++) {
		w[i].sc = sc;
		w[i].part = i;
		w[i].nparts = nthreads;
	}
	analytics_split(scan, &w[0], &w[1], nthreads);
}

int funnel_report(struct analytics *a, struct store *st, const struct principal *p,
		  const struct funnel_query *q, struct jw *w, struct err *e)
{
	struct scope sc;
	struct work wk[2];
	long long *subtree = NULL, excluded = 0;
	int nsub = 0, rc, nthreads, i, j, k, ngr = 0, digits, locked = 0, default_pipe = -1;
	struct cell *cells = NULL;
	struct gacc *groups = NULL;
	struct gref *order = NULL;
	size_t ncells, x;
	uint32_t *p90 = NULL;
	double *median = NULL;
	const char *cur_code;

	memset(&sc, 0, sizeof(sc));
	memset(wk, 0, sizeof(wk));
	if (!a)
		return fail(e, E_UNAVAILABLE, "the analytics index is not built yet");
	rc = analytics_refresh(a, st, e);
	if (rc)
		return rc;
	if (q->owner_id && !principal_sees_owner(p, q->owner_id))
		return fail(e, E_NOTFOUND, "no user with id %lld", q->owner_id);
	if (q->team_id) {
		rc = team_exists(st, q->team_id, e);
		if (!rc)
			rc = team_subtree(st, q->team_id, &subtree, &nsub, e);
		if (rc)
			return rc;
	}

	analytics_rdlock(a);
	locked = 1;
	sc.a = a;
	sc.q = q;
	if (q->owner_id && analytics_owner(a, q->owner_id) < 0) {
		rc = fail(e, E_NOTFOUND, "no user with id %lld", q->owner_id);
		goto out;
	}
	/* pipelines in scope */
	sc.pipe_ok = calloc((size_t)a->npipelines + 1, 1);
	sc.owner_ok = calloc((size_t)a->nowners + 1, 1);
	sc.ogroup = calloc((size_t)a->nowners + 1, sizeof(*sc.ogroup));
	if (!sc.pipe_ok || !sc.owner_ok || !sc.ogroup)
		goto oom;
	for (i = 0; i < a->npipelines; i++)
		if (a->pipelines[i].live && a->pipelines[i].is_default)
			default_pipe = i;
	for (i = 0; i < a->npipelines; i++) {
		const struct an_pipeline *pl = &a->pipelines[i];

		if (!pl->live)
			continue;
		if (q->pipeline_id ? pl->id == q->pipeline_id
				   : q->group == FG_PIPELINE || i == default_pipe) {
			sc.pipe_ok[i] = 1;
			if (pl->nstages > sc.stride)
				sc.stride = pl->nstages;
		}
	}
	if (q->pipeline_id && !sc.stride) {
		for (i = 0; i < a->npipelines && !(a->pipelines[i].live &&
						  a->pipelines[i].id == q->pipeline_id); i++)
			;
		if (i == a->npipelines) {
			rc = fail(e, E_NOTFOUND, "no pipeline with id %lld", q->pipeline_id);
			goto out;
		}
	}
	if (!sc.stride)
		sc.stride = 1;
	/* owners in scope, and their group */
	for (i = 0; i < a->nowners; i++) {
		const struct an_owner *o = &a->owners[i];
		int ok = principal_sees_owner(p, o->user_id);

		if (ok && q->owner_id)
			ok = o->user_id == q->owner_id;
		if (ok && q->team_id)
			ok = o->team_id && bsearch(&o->team_id, subtree, (size_t)nsub,
						   sizeof(*subtree), cmp_ll) != NULL;
		if (ok && q->territory[0])
			ok = o->territory != AN_NONE16 &&
			     !strcmp(a->territories.s[o->territory], q->territory);
		sc.owner_ok[i] = (uint8_t)ok;
		sc.ogroup[i] = q->group == FG_OWNER ? (uint32_t)i
			       : q->group == FG_TEAM
				       ? (o->team == AN_NONE16 ? (uint32_t)a->nteams : o->team)
			       : q->group == FG_TERRITORY
				       ? (o->territory == AN_NONE16 ? (uint32_t)a->territories.n
								    : o->territory)
				       : 0;
	}
	switch (q->group) {
	case FG_OWNER:
		sc.ngroups = a->nowners;
		break;
	case FG_TEAM:
		sc.ngroups = a->nteams + 1;
		break;
	case FG_CHANNEL:
		sc.ngroups = 6;
		break;
	case FG_TERRITORY:
		sc.ngroups = a->territories.n + 1;
		break;
	case FG_INDUSTRY:
		sc.ngroups = a->industries.n + 1;
		break;
	case FG_PIPELINE:
		sc.ngroups = a->npipelines;
		break;
	default:
		sc.ngroups = 1;
	}
	if (sc.ngroups < 1)
		sc.ngroups = 1;
	nthreads = q->threads ? q->threads : a->n >= 4 * ANALYTICS_BLOCK * 16 ? 2 : 1;
	if (nthreads > 2)
		nthreads = 2;

	/* the currency: named, else the most common in scope */
	sc.cur = -1;
	if (q->currency[0]) {
		for (i = 0; i < a->currencies.n && strcmp(a->currencies.s[i], q->currency); i++)
			;
		sc.cur = i < a->currencies.n ? i : -1;
		cur_code = q->currency;
	} else if (a->currencies.n <= 1) {
		sc.cur = a->currencies.n ? 0 : -1;
		cur_code = a->currencies.n ? a->currencies.s[0] : "EUR";
	} else {
		long long best = -1;

		sc.count_only = 1;
		run_scan(&sc, wk, nthreads);
		sc.count_only = 0;
		for (i = 0; i < a->currencies.n; i++) {
			long long c = wk[0].ccount[i] + wk[1].ccount[i];

			if (c > best || (c == best && strcmp(a->currencies.s[i],
							      a->currencies.s[sc.cur]) < 0)) {
				best = c;
				sc.cur = i;
			}
		}
		cur_code = a->currencies.s[sc.cur];
		memset(wk, 0, sizeof(wk));
	}
	digits = money_digits(cur_code);
	if (digits < 0)
		digits = 2;

	/* the scan */
	ncells = (size_t)sc.ngroups * (size_t)sc.stride;
	for (i = 0; i < nthreads; i++) {
		wk[i].cells = calloc(ncells, sizeof(*wk[i].cells));
		wk[i].groups = calloc((size_t)sc.ngroups, sizeof(*wk[i].groups));
		wk[i].pos = malloc(65536);
		wk[i].suf = malloc(65536 * sizeof(*wk[i].suf));
		/* as many stays as last time, so they are not grown by copying */
		wk[i].capstays = __atomic_load_n(&stays_hint, __ATOMIC_RELAXED) + 4096;
		wk[i].stays = malloc(wk[i].capstays * sizeof(*wk[i].stays));
		if (!wk[i].cells || !wk[i].groups || !wk[i].pos || !wk[i].suf || !wk[i].stays)
			goto oom;
	}
	run_scan(&sc, wk, nthreads);
	if (wk[0].oom || wk[1].oom)
		goto oom;
	x = wk[0].nstays > wk[1].nstays ? wk[0].nstays : wk[1].nstays;
	__atomic_store_n(&stays_hint, x + x / 8, __ATOMIC_RELAXED);
	cells = wk[0].cells;
	groups = wk[0].groups;
	for (i = 1; i < nthreads; i++) {
		for (x = 0; x < ncells; x++) {
			cells[x].open_count += wk[i].cells[x].open_count;
			cells[x].entries += wk[i].cells[x].entries;
			cells[x].exits += wk[i].cells[x].exits;
			cells[x].conv_num += wk[i].cells[x].conv_num;
			cells[x].conv_den += wk[i].cells[x].conv_den;
			cells[x].open_amount += wk[i].cells[x].open_amount;
			cells[x].weighted += wk[i].cells[x].weighted;
		}
		for (j = 0; j < sc.ngroups; j++) {
			groups[j].deals += wk[i].groups[j].deals;
			groups[j].open_c += wk[i].groups[j].open_c;
			groups[j].won += wk[i].groups[j].won;
			groups[j].lost += wk[i].groups[j].lost;
			groups[j].won_c += wk[i].groups[j].won_c;
			groups[j].won_amount += wk[i].groups[j].won_amount;
			groups[j].cycle_seconds += wk[i].groups[j].cycle_seconds;
		}
	}
	for (i = 0; i < nthreads; i++)
		excluded += wk[i].excluded;

	/* percentiles, from each thread's stays grouped by cell */
	median = malloc((ncells + 1) * sizeof(*median));
	p90 = malloc((ncells + 1) * sizeof(*p90));
	if (!median || !p90)
		goto oom;
	{
		struct pct_work pw[2];

		for (i = 0; i < 2; i++)
			pw[i] = (struct pct_work){wk, nthreads, ncells, i, nthreads, median, p90, 0};
		analytics_split(pct_run, &pw[0], &pw[1], nthreads);
		if (pw[0].oom || pw[1].oom)
			goto oom;
	}

	/* the answer */
	order = calloc((size_t)sc.ngroups, sizeof(*order));
	if (!order)
		goto oom;
	for (j = 0; j < sc.ngroups; j++)
		if (groups[j].deals)
			describe_group(a, q->group, (uint32_t)j, &order[ngr++]);
	qsort(order, (size_t)ngr, sizeof(*order), cmp_gref);

	jw_obj(w);
	jw_kstr(w, "from", q->from);
	jw_kstr(w, "to", q->to);
	jw_key(w, "group_by");
	if (q->group)
		jw_str(w, group_names[q->group]);
	else
		jw_null(w);
	jw_key(w, "pipeline_id");
	if (q->pipeline_id)
		jw_int(w, q->pipeline_id);
	else if (q->group != FG_PIPELINE && default_pipe >= 0)
		jw_int(w, a->pipelines[default_pipe].id);
	else
		jw_null(w);
	jw_kstr(w, "currency", cur_code);
	jw_kint(w, "excluded_other_currency", excluded);
	jw_key(w, "groups");
	jw_arr(w);
	for (k = 0; k < ngr; k++) {
		const struct gref *r = &order[k];
		const struct gacc *ga = &groups[r->g];
		const struct an_pipeline *pl = NULL;
		long long open_count = 0;
		i128 open_amount = 0, weighted = 0;
		int pidx = -1;

		if (q->group == FG_PIPELINE) {
			pidx = (int)r->g;
		} else {
			for (i = 0; i < a->npipelines; i++)
				if (sc.pipe_ok[i])
					pidx = i;
		}
		pl = pidx >= 0 ? &a->pipelines[pidx] : NULL;
		jw_obj(w);
		jw_key(w, "id");
		if (r->none || r->skey || q->group == FG_NONE || q->group == FG_CHANNEL)
			jw_null(w);
		else
			jw_int(w, r->key);
		jw_kstr(w, "name", r->none ? NULL : r->name);
		jw_key(w, "pipeline_id");
		if (pl)
			jw_int(w, pl->id);
		else
			jw_null(w);
		jw_kint(w, "deals", ga->deals);
		jw_key(w, "stages");
		jw_arr(w);
		for (i = 0; pl && i < pl->nstages; i++) {
			struct cell *c = &cells[(size_t)r->g * (size_t)sc.stride + (size_t)i];
			size_t n = (size_t)c->exits;

			open_count += c->open_count;
			open_amount += c->open_amount;
			weighted += c->weighted;
			jw_obj(w);
			jw_kstr(w, "key", a->keys.s[pl->key[i]]);
			jw_kstr(w, "name", pl->stage_name[i]);
			jw_kstr(w, "section", pl->section[i]);
			jw_kint(w, "open_count", c->open_count);
			jw_key(w, "open_amount");
			put_minor(w, c->open_amount, digits);
			jw_key(w, "weighted_amount");
			put_minor(w, div_half_up(c->weighted, 100), digits);
			jw_kint(w, "entries", c->entries);
			jw_kint(w, "exits", c->exits);
			jw_key(w, "conversion");
			jw_obj(w);
			jw_key(w, "rate");
			if (c->conv_den)
				jw_double(w, (double)c->conv_num / (double)c->conv_den);
			else
				jw_null(w);
			jw_kint(w, "numerator", c->conv_num);
			jw_kint(w, "denominator", c->conv_den);
			jw_obj_end(w);
			jw_key(w, "time_in_stage");
			jw_obj(w);
			jw_kint(w, "count", (long long)n);
			if (n) {
				size_t cell = (size_t)r->g * (size_t)sc.stride + (size_t)i;

				jw_key(w, "median_days");
				jw_double(w, median[cell] / 86400.0);
				jw_key(w, "p90_days");
				jw_double(w, p90[cell] / 86400.0);
			} else {
				jw_key(w, "median_days");
				jw_null(w);
				jw_key(w, "p90_days");
				jw_null(w);
			}
			jw_obj_end(w);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_kint(w, "open_count", open_count);
		jw_key(w, "open_amount");
		put_minor(w, open_amount, digits);
		jw_key(w, "weighted_amount");
		put_minor(w, div_half_up(weighted, 100), digits);
		jw_kint(w, "won_count", ga->won);
		jw_kint(w, "lost_count", ga->lost);
		jw_key(w, "win_rate");
		if (ga->won + ga->lost)
			jw_double(w, (double)ga->won / (double)(ga->won + ga->lost));
		else
			jw_null(w);
		jw_key(w, "average_deal_size");
		if (ga->won_c)
			put_minor(w, div_half_up(ga->won_amount, ga->won_c), digits);
		else
			jw_null(w);
		jw_key(w, "cycle_length_days");
		if (ga->won)
			jw_double(w, (double)ga->cycle_seconds / (double)ga->won / 86400.0);
		else
			jw_null(w);
		/* velocity = open_c × won/(won+lost) × (won_amount/won_c) ÷
		 * (cycle_seconds/won/86400), one fraction rounded once */
		jw_key(w, "sales_velocity");
		if (ga->won_c && ga->cycle_seconds > 0) {
			i128 num, den;
			long double v;

			if (!__builtin_mul_overflow((i128)ga->open_c * ga->won * ga->won * 86400,
						    ga->won_amount, &num) &&
			    !__builtin_mul_overflow((i128)(ga->won + ga->lost) * ga->won_c,
						    ga->cycle_seconds, &den)) {
				put_minor(w, div_half_up(num, den), digits);
			} else {
				v = (long double)ga->open_c * ga->won * ga->won * 86400.0L *
				    (long double)ga->won_amount /
				    ((long double)(ga->won + ga->lost) * ga->won_c *
				     (long double)ga->cycle_seconds);
				put_minor(w, (i128)(v + 0.5L), digits);
			}
		} else {
			jw_null(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	definitions(w);
	jw_obj_end(w);
	rc = OK;
	goto out;
oom:
	rc = fail(e, E_INTERNAL, "out of memory");
out:
	if (locked)
		analytics_unlock(a);
	for (i = 0; i < 2; i++) {
		free(wk[i].cells);
		free(wk[i].groups);
		free(wk[i].stays);
		free(wk[i].secs);
		free(wk[i].off);
		free(wk[i].pos);
		free(wk[i].suf);
	}
	free(sc.pipe_ok);
	free(sc.owner_ok);
	free(sc.ogroup);
	free(subtree);
	free(median);
	free(p90);
	free(order);
	return rc;
}
