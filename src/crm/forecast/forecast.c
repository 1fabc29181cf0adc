/*
 * forecast.c — forecasts of bookings over the analytics index (forecast.h
 * defines every figure and the method; this file follows it).
 *
 * A batch of forecasts over one scope (one forecast: a batch of one) makes
 * one pass over the deal slots, split between two threads for large
 * indexes (blocks taken in turn; each thread keeps accumulators of its own):
 *   - deals in scope: their state at each target's as_of — won in the
 *     period so far, or open (kept in a list with what the models need),
 *     per currency;
 *   - when historical or simulation is asked, every deal (or the sample):
 *     its state at each distinct past instant the targets compare with
 *     (struct point: a training point of the historical model, counted
 *     unweighted per feature cell at the levels it belongs to) and, for the
 *     scope's deals, whether it is run-rate (created after A_k, won in W_k).
 * Each target's struct fwork is then assembled from the points it uses, with
 * its own recency weights (work_fill): the same counts a pass of its own
 * would make, so a backtest's replay and a single forecast agree exactly.
 * Then the currency is chosen, the historical model's rates computed from
 * the counts, each open deal's probability read off its cell, and the
 * models summed; the sampler draws the simulation.
 */
#include "forecast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/money.h"
#include "core/timeutil.h"
#include "crm/insight/performance.h"
#include "crm/records/resources.h"

typedef __int128 i128;

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))
#define DAY 86400u

const char *const fc_model_names[FC_NMODELS] = {"weighted", "categories", "historical",
					       "simulation"};
static const char *const scope_names[] = {"company", "user", "team", "channel", "pipeline"};

/* --- parameters ---------------------------------------------------------------- */

int forecast_period(const char *period, uint32_t *from, uint32_t *to)
{
	char f[11], t[11];
	time_t a, b;

	if (!period || strlen(period) != 7 || perf_period_bounds(period, f, t) ||
	    time_parse_date(f, &a) || time_parse_date(t, &b) || a < 0 ||
	    b > (time_t)UINT32_MAX)
		return -1;
	*from = (uint32_t)a;
	*to = (uint32_t)b;
	return 0;
}

static int parse_ll(const char *s, long long lo, long long hi, long long *v)
{
	char *end;

	if (!s || !*s || strlen(s) > 19 || *s == '+' || *s == ' ')
		return -1;
	*v = strtoll(s, &end, 10);
	return *end || *v < lo || *v > hi ? -1 : 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9' || strlen(s) > 20)
		return -1;
	*v = strtoull(s, &end, 10);
	return *end ? -1 : 0;
}

/* The model list: names separated by commas. */
static int parse_models(const char *v, unsigned *models)
{
	char buf[128], *tok, *save = NULL;
	int i;

	*models = 0;
	if (!*v || strlen(v) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < FC_NMODELS && strcmp(tok, fc_model_names[i]); i++)
			;
		if (i == FC_NMODELS)
			return -1;
		*models |= 1u << i;
	}
	return *models ? 0 : -1;
}

int forecast_parse(const struct kv *params, int n, time_t now, struct fc_query *q,
		   struct err *e)
{
	static const char *const known[] = {"period", "scope", "scope_id", "owner_id",
					    "team_id", "pipeline_id", "channel", "as_of",
					    "model", "iterations", "seed", "currency", "top"};
	int i, j, seen[N(known)] = {0}, scope_given = 0, kind_given = -1;
	long long id = 0, v;
	struct tm tm;

	memset(q, 0, sizeof(*q));
	gmtime_r(&now, &tm);
	snprintf(q->period, sizeof(q->period), "%04u-Q%u", (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)(tm.tm_mon / 3) % 4u + 1);
	q->iterations = FC_DEFAULT_ITERATIONS;
	q->seed = FC_DEFAULT_SEED;
	q->top = FC_DEFAULT_TOP;
	q->scope.kind = FS_COMPANY;
	for (i = 0; i < n; i++) {
		const char *k = params[i].k, *val = params[i].v ? params[i].v : "";

		for (j = 0; j < N(known) && strcmp(k, known[j]); j++)
			;
		if (j == N(known)) {
			err_field(e, k, "unknown parameter (known: period, scope, scope_id, owner_id, "
					"team_id, pipeline_id, channel, as_of, model, iterations, "
					"seed, currency, top)");
			continue;
		}
		if (seen[j]++) {
			err_field(e, k, "given more than once");
			continue;
		}
		if (!strcmp(k, "period")) {
			uint32_t f, t;

			if (forecast_period(val, &f, &t))
				err_field(e, k, "must be a quarter (2026-Q4) or a month (2026-11)");
			else
				snprintf(q->period, sizeof(q->period), "%s", val);
		} else if (!strcmp(k, "scope")) {
			for (j = 0; j < N(scope_names) && strcmp(val, scope_names[j]); j++)
				;
			if (j == N(scope_names)) {
				err_field(e, k, "one of company, user, team, channel, pipeline");
			} else {
				scope_given = 1;
				q->scope.kind = (enum fc_scope_kind)j;
			}
		} else if (!strcmp(k, "scope_id") || !strcmp(k, "owner_id") ||
			   !strcmp(k, "team_id") || !strcmp(k, "pipeline_id")) {
			int kind = k[0] == 'o' ? FS_USER : k[0] == 't' ? FS_TEAM
				   : k[0] == 'p' ? FS_PIPELINE : -1;

			if (parse_ll(val, 1, 9223372036854775807LL, &v)) {
				err_field(e, k, "must be an id (a positive integer)");
			} else if (id) {
				err_field(e, k, "give one of scope_id, owner_id, team_id, pipeline_id");
			} else {
				id = v;
				kind_given = kind;
			}
		} else if (!strcmp(k, "channel")) {
			for (j = 0; channel_choices[j] && strcmp(val, channel_choices[j]); j++)
				;
			if (!channel_choices[j])
				err_field(e, k, "one of field, inside, partner, web, retail");
			else
				snprintf(q->scope.channel, sizeof(q->scope.channel), "%s", val);
		} else if (!strcmp(k, "as_of")) {
			time_t t;
			int ok = strlen(val) == 10 ? !time_parse_date(val, &t)
						   : strlen(val) > 10 && !time_parse_iso(val, &t);

			if (!ok)
				err_field(e, k, "must be a date (2026-10-01) or an instant "
						"(2026-10-01T12:00:00Z)");
			else if (t > now)
				err_field(e, k, "is in the future: a forecast can only be made as "
						"of now or before");
			else if (t <= 0)
				err_field(e, k, "out of range (after 1970)");
			else
				q->as_of = (uint32_t)t;
		} else if (!strcmp(k, "model")) {
			if (parse_models(val, &q->models))
				err_field(e, k, "a comma-separated list of weighted, categories, "
						"historical, simulation");
		} else if (!strcmp(k, "iterations")) {
			if (parse_ll(val, 100, FC_MAX_ITERATIONS, &v))
				err_field(e, k, "must be an integer from 100 to %d",
					  FC_MAX_ITERATIONS);
			else
				q->iterations = (int)v;
		} else if (!strcmp(k, "seed")) {
			if (parse_u64(val, &q->seed))
				err_field(e, k, "must be an integer from 0 to 18446744073709551615");
		} else if (!strcmp(k, "currency")) {
			if (strlen(val) != 3 || money_digits(val) < 0)
				err_field(e, k, "must be an ISO 4217 code such as EUR");
			else
				snprintf(q->currency, sizeof(q->currency), "%s", val);
		} else if (!strcmp(k, "top")) {
			if (parse_ll(val, 0, FC_MAX_TOP, &v))
				err_field(e, k, "must be an integer from 0 to %d", FC_MAX_TOP);
			else
				q->top = v ? (int)v : -1; /* -1: none listed */
		}
	}
	if (e && e->nfields)
		return E_INVAL;
	/* the scope: named, or implied by owner_id / team_id / pipeline_id / channel */
	if (!scope_given) {
		if (kind_given >= 0)
			q->scope.kind = (enum fc_scope_kind)kind_given;
		else if (q->scope.channel[0])
			q->scope.kind = FS_CHANNEL;
		else if (id)
			return err_field(e, "scope_id", "needs scope (user, team or pipeline)");
	}
	if (kind_given >= 0 && kind_given != (int)q->scope.kind)
		return err_field(e, "scope", "does not match the id given (%s)",
				 kind_given == FS_USER ? "owner_id" : kind_given == FS_TEAM
				 ? "team_id" : "pipeline_id");
	switch (q->scope.kind) {
	case FS_USER:
	case FS_TEAM:
	case FS_PIPELINE:
		if (!id)
			return err_field(e, "scope_id", "is required with scope=%s",
					 scope_names[q->scope.kind]);
		if (q->scope.channel[0])
			return err_field(e, "channel", "only with scope=channel");
		q->scope.id = id;
		break;
	case FS_CHANNEL:
		if (!q->scope.channel[0])
			return err_field(e, "channel", "is required with scope=channel");
		if (id)
			return err_field(e, "scope_id", "not with scope=channel");
		break;
	default:
		if (id)
			return err_field(e, "scope_id", "not with scope=company");
		if (q->scope.channel[0])
			return err_field(e, "channel", "only with scope=channel");
	}
	forecast_period(q->period, &q->from, &q->to);
	return OK;
}

static inline uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* --- the plan: what every thread reads ---------------------------------------------- */

#define NAGE 5
#define NCLOSE 3
#define NSIZE 4
#define NCH 6
#define CELLS (NCLOSE * NAGE * NSIZE * NCH) /* per stage slot */
#define NLEVELS 3
#define NDEPTH 5
#define MAX_SNAPS FC_SNAPSHOTS_M
#define RW_UNIT 1024 /* a point of the latest comparable period, in counts */

static const unsigned depth_div[NDEPTH] = {CELLS, NAGE * NSIZE * NCH, NSIZE * NCH, NCH, 1};

struct snap {
	uint32_t at, w0, w1;   /* A_k; W_k = [w0, w1) */
	uint16_t d0, d1;       /* W_k's days: [d0, d1) */
	int season;            /* k mod the periods in a year: 0, the same as the target's */
	uint32_t grow_from;    /* A_k minus FC_GROWTH_DAYS */
	uint64_t weight;       /* of its points: RW_UNIT × FC_RECENCY^(periods back) */
	int pt;                /* its point in the batch (struct point) */
};

struct plan {
	const struct analytics *a;
	const struct fc_query *q;
	uint32_t A, w0, T, F;   /* as_of (known: < A), the window [w0, T), the period */
	uint16_t dF, dT, dw0;   /* days of F, T, w0 */
	int now;                /* as_of now: current values */
	int window;             /* W not empty */
	uint8_t *owner_lvl;     /* bit 0: the scope's (and seen), bit 1: the parent level's */
	int channel;            /* FS_CHANNEL: the channel index, else -1 */
	int pipeline;           /* FS_PIPELINE: the pipeline index, else -1 */
	int *base;              /* stage slot of each pipeline's first position, -1: gone */
	uint8_t *shut;          /* by stage slot: won or lost section */
	int nslots;
	int train;              /* historical points and run-rate wanted */
	struct snap snaps[MAX_SNAPS];
	int nsnaps;
	int64_t median;         /* size bands of the open deals: m at A */
	uint32_t grow_from;     /* A minus FC_GROWTH_DAYS */
	int now_pt;             /* the batch's point at A (the flow of new deals) */
	int nind;               /* industries with a counter of their own */
	int ncur;
	int year;               /* periods in a year: 4 or 12 */
	uint64_t sample;        /* training: deals whose id hashes below this (all: max) */
	int sample_scope;       /* ... the scope's deals too (it is everyone) */
	double rr_scale;        /* the run-rate's sums over the sample's share */
};

/* What a thread gathers. */
struct odeal {
	uint32_t slot, entered;
	int64_t amount;
	uint16_t close_day;
	uint8_t pos, fcat, cur;
};

struct fwork {
	const struct plan *pl;
	int part, nparts;
	/* at A, by currency */
	i128 won[256];
	long long ccount[256];
	struct odeal *open;
	size_t nopen, capopen;
	/* training: NLEVELS × nslots × CELLS successes and points */
	uint64_t *num, *den;
	uint64_t *inum, *iden;      /* nslots × (nind + 1), company level */
	/* the scope's points by snapshot and cell: Σ amount, Σ amount², Σ
	 * amount won in W_k (nsnaps × nslots × CELLS) */
	double *pa, *pa2, *paw;
	uint32_t *pn, *pw;          /* the same: points, and points won */
	double wona[MAX_SNAPS];     /* Σ amount won in W_k of the scope's points */
	long long pcount[MAX_SNAPS]; /* the scope's points */
	/* run-rate by snapshot × currency */
	double *rr, *rr2;
	long long *rrn;
	long long created_k[MAX_SNAPS], created_now;
	int oom;
} __attribute__((aligned(128)));

enum { D_NONE, D_OPEN, D_WON, D_LOST };

struct dstate {
	uint32_t entered;
	int64_t amount;
	uint16_t close_day;
	uint8_t pos;   /* in its pipeline; AN_NONE: a stage it no longer has */
	int slot;      /* stage slot (plan), -1 with pos AN_NONE */
};

/* Slot i as known just before t (plan->now and t == A: as it is now).
 * D_OPEN fills d; D_WON / D_LOST: closed before t; D_NONE: not made yet,
 * dead, or in a won or lost stage without being closed (reopened). */
static int deal_at(const struct plan *pl, size_t i, uint32_t t, int now, struct dstate *d)
{
	const struct analytics *a = pl->a;
	uint8_t st = a->status[i], key;
	int64_t v;
	long r;

	if (st == AN_DEAD || a->created[i] >= t)
		return D_NONE;
	if (st != AN_OPEN && a->closed[i] < t)
		return st == AN_WON ? D_WON : D_LOST;
	if (now) {
		key = a->stage[i];
		r = a->hcnt[i] ? (long)(a->hoff[i] + a->hcnt[i] - 1) : -1;
		d->entered = r >= 0 && a->hstage[r] == key ? a->hentered[r] : a->created[i];
		d->amount = a->amount[i];
		d->close_day = a->close_day[i];
	} else {
		r = analytics_stage_before(a, i, t);
		if (r >= 0) {
			key = a->hstage[r];
			d->entered = a->hentered[r];
		} else if (a->hcnt[i]) {
			/* made before its first stage row says: in that stage */
			key = a->hstage[a->hoff[i]];
			d->entered = a->created[i];
		} else {
			key = a->stage[i];
			d->entered = a->created[i];
		}
		d->amount = analytics_field_before(a, i, AN_F_AMOUNT, t, &v) == 1 ? v : a->amount[i];
		d->close_day = analytics_field_before(a, i, AN_F_CLOSE, t, &v) == 1 ? (uint16_t)v
										 : a->close_day[i];
	}
	d->pos = a->pipelines[a->pipeline[i]].pos[key];
	d->slot = d->pos == AN_NONE || pl->base[a->pipeline[i]] < 0
			  ? -1 : pl->base[a->pipeline[i]] + d->pos;
	if (d->slot < 0)
		d->pos = AN_NONE;
	else if (pl->shut[d->slot])
		return D_NONE;
	return D_OPEN;
}

/* The forecast category of slot i at t, in stage position pos then (see
 * forecast.h: field history, else the stage's unless set by hand). */
static uint8_t fcat_at(const struct plan *pl, size_t i, uint32_t t, uint8_t pos)
{
	const struct analytics *a = pl->a;
	const struct an_pipeline *p = &a->pipelines[a->pipeline[i]];
	uint8_t cur = a->fcat[i], of_stage = pos == AN_NONE ? AN_NONE : p->fcat[pos], pn;
	int64_t v;
	int r;

	if (pl->now)
		return cur != AN_NONE ? cur : of_stage;
	r = analytics_field_before(a, i, AN_F_FCAT, t, &v);
	if (r == 1)
		return v != AN_NONE ? (uint8_t)v : of_stage;
	if (r == 0)
		return cur != AN_NONE ? cur : of_stage;
	pn = p->pos[a->stage[i]];
	if (cur == AN_NONE || (pn != AN_NONE && cur == p->fcat[pn]))
		return of_stage;
	return cur;
}

/* The feature cell of a deal in state d at t for a window of days [d0, d1),
 * its size band against m. */
static inline uint32_t cell_of(const struct analytics *a, size_t i, const struct dstate *d,
			       uint32_t t, uint16_t d0, uint16_t d1, int64_t m)
{
	uint32_t age = (t - (d->entered < t ? d->entered : t)) / DAY;
	int ab = age < 14 ? 0 : age < 30 ? 1 : age < 60 ? 2 : age < 120 ? 3 : 4;
	int cp = d->close_day < d0 ? 1 : d->close_day < d1 ? 0 : 2;
	int sb = m <= 0 ? 1 : d->amount < m / 2 ? 0 : d->amount < m ? 1 : d->amount < 2 * m ? 2 : 3;
	uint8_t ch = a->channel[i];

	return ((((uint32_t)d->slot * NCLOSE + (uint32_t)cp) * NAGE + (uint32_t)ab) * NSIZE +
		(uint32_t)sb) * NCH + (ch == AN_NONE ? 5u : ch);
}

static inline int ind_of(const struct plan *pl, size_t i)
{
	uint16_t ind = pl->a->industry[i];

	return ind == AN_NONE16 || ind >= pl->nind ? pl->nind : ind;
}

/* The levels slot i belongs to: bit 0 the scope, bit 1 the parent, bit 2
 * the company (always). */
static inline unsigned levels_of(const struct plan *pl, size_t i)
{
	const struct analytics *a = pl->a;
	unsigned l = pl->owner_lvl[a->owner[i]] | 4u;

	if ((l & 1) && ((pl->channel >= 0 && a->channel[i] != pl->channel) ||
			(pl->pipeline >= 0 && a->pipeline[i] != pl->pipeline)))
		l &= ~1u;
	return l;
}

/* --- the scan -------------------------------------------------------------------- */

/* A past instant the training counts are kept at: a comparable point A_k
 * (with its window) of one or more targets of a batch — period P's k-th
 * comparable point is P−1's (k−1)-th, so a backtest's targets share most of
 * theirs — or a target's own A, where only the flow of new deals counts. */
struct point {
	uint32_t at, w0, w1;   /* A_k; W_k = [w0, w1) */
	uint16_t d0, d1;       /* W_k's days */
	uint32_t grow_from;    /* at minus FC_GROWTH_DAYS */
	int64_t median;        /* size bands: m, the median amount of the deals existing at `at` */
	int train;             /* a comparable point (else: the flow only) */
};

/* What a thread counts at the points, unweighted (each target weighs its
 * points afterwards): per point NLEVELS × nslots × CELLS successes and
 * points, nslots × (nind + 1) for industries, the scope's points by cell
 * (count, won, Σ amount, Σ amount², Σ booked), ncur for the run-rate, and
 * the deals made in the FC_GROWTH_DAYS before it. */
struct pwork {
	const struct fc_batch *b;
	int part, nparts;
	uint32_t *num, *den, *inum, *iden, *pn, *pw;
	double *pa, *pa2, *paw, *wona, *rr, *rr2;
	long long *pcount, *rrn, *created;
	int oom;
};

/* Forecasts over one scope from one scan (forecast.h). */
struct fc_batch {
	struct analytics *a;
	struct store *st;
	struct fc_query *q;      /* n targets */
	struct plan *pl;         /* theirs; the scope's members shared (pl[0]'s arrays) */
	struct fwork (*tw)[2];   /* per target and thread: the state at its A */
	int n, nthreads, locked, train;
	const char *scope_name;
	struct point *pts;       /* latest first */
	int npts;
	uint32_t amin, amax;     /* earliest and latest comparable point */
	struct pwork pw[2];      /* the second added into the first */
};

static int open_add(struct fwork *w, const struct odeal *o)
{
	if (w->nopen == w->capopen) {
		size_t cap = w->capopen ? w->capopen * 2 : 4096;
		struct odeal *n = realloc(w->open, cap * sizeof(*n));

		if (!n)
			return -1;
		w->open = n;
		w->capopen = cap;
	}
	w->open[w->nopen++] = *o;
	return 0;
}

/* What deal i booked: its amount when it closed. */
static int64_t booked_of(const struct analytics *a, size_t i)
{
	int64_t v;

	return analytics_field_before(a, i, AN_F_AMOUNT, a->closed[i] + 1, &v) == 1 ? v
											: a->amount[i];
}

/* Slot i at the batch's points (training) and as run-rate. */
static void train_deal(struct pwork *w, size_t i, unsigned lv)
{
	const struct fc_batch *b = w->b;
	const struct plan *pl = &b->pl[0];
	const struct analytics *a = b->a;
	uint32_t created = a->created[i], closed = a->closed[i];
	uint8_t st = a->status[i];
	size_t stride = (size_t)pl->nslots * CELLS, icells = (size_t)pl->nslots * (size_t)(pl->nind + 1);
	struct dstate d;
	int k, l, kc, ko;
	double booked = st == AN_WON ? -1 : 0; /* -1: not looked up yet */

	/* the points go back in time: the deal exists at A_k for k < kc, is
	 * not closed yet for k >= ko; points are [ko, kc), run-rate from kc */
	for (kc = 0; kc < b->npts && created < b->pts[kc].at; kc++)
		;
	if (lv & 1) /* the flow of new deals: made in the FC_GROWTH_DAYS before A_k */
		for (k = kc - 1; k >= 0 && created >= b->pts[k].grow_from; k--)
			w->created[k]++;
	if (created >= b->amax || (st != AN_OPEN && closed < b->amin)) {
		/* no point; perhaps run-rate: made after A_k, won in W_k */
		if (!(lv & 1) || st != AN_WON)
			return;
	}
	for (ko = 0; st != AN_OPEN && ko < kc && closed < b->pts[ko].at; ko++)
		;
	for (k = kc; st == AN_WON && (lv & 1) && k < b->npts; k++) {
		const struct point *s = &b->pts[k];

		if (s->train && closed >= s->w0 && closed < s->w1) {
			size_t x = (size_t)k * (size_t)pl->ncur + a->currency[i];

			if (booked < 0)
				booked = (double)booked_of(a, i);
			w->rr[x] += booked;
			w->rr2[x] += booked * booked;
			w->rrn[x]++;
		}
	}
	for (k = ko; k < kc; k++) {
		const struct point *s = &b->pts[k];
		int won = st == AN_WON && closed >= s->w0 && closed < s->w1;
		uint32_t c;

		if (!s->train || deal_at(pl, i, s->at, 0, &d) != D_OPEN || d.slot < 0)
			continue;
		c = cell_of(a, i, &d, s->at, s->d0, s->d1, s->median);
		for (l = 0; l < NLEVELS; l++) {
			size_t x = ((size_t)k * NLEVELS + (size_t)l) * stride + c;

			if (!(lv & (1u << l)))
				continue;
			w->den[x]++;
			if (won)
				w->num[x]++;
		}
		if (lv & 1) {
			double amt = (double)d.amount;
			size_t x = (size_t)k * stride + c;

			w->pcount[k]++;
			w->pn[x]++;
			w->pa[x] += amt;
			w->pa2[x] += amt * amt;
			if (won) {
				if (booked < 0)
					booked = (double)booked_of(a, i);
				w->pw[x]++;
				w->paw[x] += booked;
				w->wona[k] += booked;
			}
		}
		c = (uint32_t)d.slot * (uint32_t)(pl->nind + 1) + (uint32_t)ind_of(pl, i);
		w->iden[(size_t)k * icells + c]++;
		if (won)
			w->inum[(size_t)k * icells + c]++;
	}
}

/* Slot i (in scope) at target t's A: won in its period so far, or open. */
static int at_target(struct fwork *t, size_t i)
{
	const struct plan *pl = t->pl;
	const struct analytics *a = pl->a;
	struct dstate d;
	struct odeal o;
	int s;

	if (a->status[i] != AN_OPEN && a->closed[i] < pl->F)
		return 0; /* closed before the period */
	s = deal_at(pl, i, pl->A, pl->now, &d);
	if (s == D_WON) {
		if (a->closed[i] >= pl->F && a->closed[i] < pl->T) {
			int64_t v, amt = pl->now ? a->amount[i]
				: analytics_field_before(a, i, AN_F_AMOUNT, pl->A, &v) == 1
					? v : a->amount[i];

			t->won[a->currency[i]] += amt;
			t->ccount[a->currency[i]]++;
		}
	} else if (s == D_OPEN) {
		t->ccount[a->currency[i]]++;
		o.slot = (uint32_t)i;
		o.entered = d.entered;
		o.amount = d.amount;
		o.close_day = d.close_day;
		o.pos = d.pos;
		o.cur = a->currency[i];
		o.fcat = fcat_at(pl, i, pl->A, d.pos);
		return open_add(t, &o);
	}
	return 0;
}

static void *scan(void *arg)
{
	struct pwork *w = arg;
	const struct fc_batch *b = w->b;
	const struct plan *pl = &b->pl[0];
	const struct analytics *a = b->a;
	size_t i, z, end;
	int j;

	for (z = (size_t)w->part; z * ANALYTICS_BLOCK < a->n && !w->oom; z += (size_t)w->nparts) {
		end = (z + 1) * ANALYTICS_BLOCK;
		if (end > a->n)
			end = a->n;
		for (i = z * ANALYTICS_BLOCK; i < end; i++) {
			unsigned lv;

			if (a->status[i] == AN_DEAD)
				continue;
			lv = levels_of(pl, i);
			if (b->train) {
				/* a sample of the company; the scope's own deals all
				 * (for its level only), unless the scope is everyone */
				if (mix64(a->id[i]) <= pl->sample)
					train_deal(w, i, lv);
				else if ((lv & 1) && !pl->sample_scope)
					train_deal(w, i, 1);
			}
			if (!(lv & 1))
				continue; /* not in scope */
			for (j = 0; j < b->n; j++)
				if (at_target(&b->tw[j][w->part], i))
					w->oom = 1;
			if (w->oom)
				break;
		}
	}
	return NULL;
}

#define PW_ARRAYS(X) X(num) X(den) X(inum) X(iden) X(pn) X(pw) X(pa) X(pa2) X(paw) \
	X(wona) X(rr) X(rr2) X(pcount) X(rrn) X(created)

static int pwork_alloc(struct pwork *w, const struct fc_batch *b)
{
	const struct plan *pl = &b->pl[0];
	size_t np = (size_t)b->npts + 1, stride = (size_t)pl->nslots * CELLS,
	       icells = (size_t)pl->nslots * (size_t)(pl->nind + 1), nc = (size_t)pl->ncur;

	memset(w, 0, sizeof(*w));
	w->b = b;
	if (!b->train)
		return 0;
	w->num = calloc(np * NLEVELS * stride, sizeof(*w->num));
	w->den = calloc(np * NLEVELS * stride, sizeof(*w->den));
	w->inum = calloc(np * icells, sizeof(*w->inum));
	w->iden = calloc(np * icells, sizeof(*w->iden));
	w->pn = calloc(np * stride, sizeof(*w->pn));
	w->pw = calloc(np * stride, sizeof(*w->pw));
	w->pa = calloc(np * stride, sizeof(*w->pa));
	w->pa2 = calloc(np * stride, sizeof(*w->pa2));
	w->paw = calloc(np * stride, sizeof(*w->paw));
	w->wona = calloc(np, sizeof(*w->wona));
	w->rr = calloc(np * nc, sizeof(*w->rr));
	w->rr2 = calloc(np * nc, sizeof(*w->rr2));
	w->pcount = calloc(np, sizeof(*w->pcount));
	w->rrn = calloc(np * nc, sizeof(*w->rrn));
	w->created = calloc(np, sizeof(*w->created));
#define X(f) && w->f
	return 1 PW_ARRAYS(X) ? 0 : -1;
#undef X
}

static void pwork_release(struct pwork *w)
{
#define X(f) free(w->f);
	PW_ARRAYS(X)
#undef X
	memset(w, 0, sizeof(*w));
}

/* w += v, array by array. */
static void pwork_add(struct pwork *w, const struct pwork *v)
{
	const struct plan *pl = &w->b->pl[0];
	size_t np = (size_t)w->b->npts + 1, stride = (size_t)pl->nslots * CELLS,
	       icells = (size_t)pl->nslots * (size_t)(pl->nind + 1), nc = (size_t)pl->ncur, x;

	if (!w->b->train)
		return;
#define ADD(f, n) for (x = 0; x < (n); x++) w->f[x] += v->f[x];
	ADD(num, np * NLEVELS * stride)
	ADD(den, np * NLEVELS * stride)
	ADD(inum, np * icells)
	ADD(iden, np * icells)
	ADD(pn, np * stride)
	ADD(pw, np * stride)
	ADD(pa, np * stride)
	ADD(pa2, np * stride)
	ADD(paw, np * stride)
	ADD(wona, np)
	ADD(pcount, np)
	ADD(created, np)
	ADD(rr, np * nc)
	ADD(rr2, np * nc)
	ADD(rrn, np * nc)
#undef ADD
}

/* The training arrays of a target's work (the state at A is the scan's). */
static int work_alloc(struct fwork *w, const struct plan *pl)
{
	size_t cells = (size_t)NLEVELS * (size_t)pl->nslots * CELLS,
	       icells = (size_t)pl->nslots * (size_t)(pl->nind + 1),
	       rcells = (size_t)MAX_SNAPS * (size_t)pl->ncur,
	       pcells = (size_t)(pl->nsnaps ? pl->nsnaps : 1) * (size_t)pl->nslots * CELLS;

	w->num = calloc(cells, sizeof(*w->num));
	w->den = calloc(cells, sizeof(*w->den));
	w->inum = calloc(icells, sizeof(*w->inum));
	w->iden = calloc(icells, sizeof(*w->iden));
	w->rr = calloc(rcells, sizeof(*w->rr));
	w->rr2 = calloc(rcells, sizeof(*w->rr2));
	w->rrn = calloc(rcells, sizeof(*w->rrn));
	w->pa = calloc(pcells, sizeof(*w->pa));
	w->pa2 = calloc(pcells, sizeof(*w->pa2));
	w->paw = calloc(pcells, sizeof(*w->paw));
	w->pn = calloc(pcells, sizeof(*w->pn));
	w->pw = calloc(pcells, sizeof(*w->pw));
	return w->num && w->den && w->inum && w->iden && w->rr && w->rr2 && w->rrn && w->pa &&
			       w->pa2 && w->paw && w->pn && w->pw
		       ? 0 : -1;
}

static void work_release(struct fwork *w)
{
	free(w->open);
	free(w->num);
	free(w->den);
	free(w->inum);
	free(w->iden);
	free(w->rr);
	free(w->rr2);
	free(w->rrn);
	free(w->pa);
	free(w->pa2);
	free(w->paw);
	free(w->pn);
	free(w->pw);
	memset(w, 0, sizeof(*w));
}

/* A target's struct fwork from the points' counts: its comparable points
 * weighed by recency and summed for the rates, kept apart by snapshot for
 * the seasons and the run-rate — what one scan of its own would count. */
static int work_fill(struct fwork *w, const struct pwork *P)
{
	const struct plan *pl = w->pl;
	size_t stride = (size_t)pl->nslots * CELLS, cells = NLEVELS * stride,
	       icells = (size_t)pl->nslots * (size_t)(pl->nind + 1), nc = (size_t)pl->ncur, x;
	int k;

	if (work_alloc(w, pl))
		return -1;
	for (k = 0; k < pl->nsnaps; k++) {
		size_t p = (size_t)pl->snaps[k].pt;
		uint64_t wt = pl->snaps[k].weight;
		const uint32_t *num = P->num + p * cells, *den = P->den + p * cells;

		for (x = 0; x < cells; x++) {
			w->num[x] += wt * num[x];
			w->den[x] += wt * den[x];
		}
		for (x = 0; x < icells; x++) {
			w->inum[x] += wt * P->inum[p * icells + x];
			w->iden[x] += wt * P->iden[p * icells + x];
		}
		memcpy(w->pa + (size_t)k * stride, P->pa + p * stride, stride * sizeof(*w->pa));
		memcpy(w->pa2 + (size_t)k * stride, P->pa2 + p * stride, stride * sizeof(*w->pa2));
		memcpy(w->paw + (size_t)k * stride, P->paw + p * stride, stride * sizeof(*w->paw));
		memcpy(w->pn + (size_t)k * stride, P->pn + p * stride, stride * sizeof(*w->pn));
		memcpy(w->pw + (size_t)k * stride, P->pw + p * stride, stride * sizeof(*w->pw));
		memcpy(w->rr + (size_t)k * nc, P->rr + p * nc, nc * sizeof(*w->rr));
		memcpy(w->rr2 + (size_t)k * nc, P->rr2 + p * nc, nc * sizeof(*w->rr2));
		memcpy(w->rrn + (size_t)k * nc, P->rrn + p * nc, nc * sizeof(*w->rrn));
		w->wona[k] = P->wona[p];
		w->pcount[k] = P->pcount[p];
		w->created_k[k] = P->created[p];
	}
	w->created_now = P->created[pl->now_pt];
	return 0;
}

/* Add thread 1's state at A into thread 0's; the open deals are merged in
 * slot order, so the result does not depend on threads. */
static int work_merge(struct fwork *w0, struct fwork *w1)
{
	size_t i, j, n;

	for (i = 0; i < 256; i++) {
		w0->won[i] += w1->won[i];
		w0->ccount[i] += w1->ccount[i];
	}
	if (w1->nopen) {
		struct odeal *m = malloc((w0->nopen + w1->nopen) * sizeof(*m));

		if (!m)
			return -1;
		for (i = j = n = 0; i < w0->nopen || j < w1->nopen;)
			m[n++] = j == w1->nopen || (i < w0->nopen && w0->open[i].slot < w1->open[j].slot)
					 ? w0->open[i++] : w1->open[j++];
		free(w0->open);
		w0->open = m;
		w0->nopen = n;
		w0->capopen = n;
	}
	return 0;
}

/* --- the historical model: rates from the counts ---------------------------------- */

struct hmodel {
	int nslots, nind;
	double *r[NLEVELS][NDEPTH]; /* rate per node; nodes at depth d: nslots × CELLS / div */
	double *ind;                /* industry factor, nslots × (nind + 1) */
	double *season;             /* the target season's factor, by stage slot */
	double *won, *pred;         /* nsnaps × nslots: amount booked, and the base rates' */
	double avg_amount;          /* of the scope's points */
	double points[NLEVELS], wins[NLEVELS];
	double tau2;                /* variance of the period factor θ */
	int periods;                /* past periods τ² was measured on */
	/* each past period's open points forecast as of then, from the older
	 * periods (0: not measured), and the draws' own variance of that */
	double kpred[MAX_SNAPS], knoise[MAX_SNAPS];
	struct fc_calib cal;        /* how τ² was measured */
};

static void hmodel_release(struct hmodel *h)
{
	int l, d;

	for (l = 0; l < NLEVELS; l++)
		for (d = 0; d < NDEPTH; d++)
			free(h->r[l][d]);
	free(h->ind);
	free(h->season);
	free(h->won);
	free(h->pred);
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* The season-and-amount factor of stage slot st in season j from the
 * scope's points of the periods older than snapshot `newer` (-1: all of
 * them; snapshots go back in time, so k > newer): what the points'
 * amounts booked over what the base rates say of them, shrunk towards the
 * season's factor over all stages, and that towards 1, by FC_PSEUDO points of
 * the average amount (forecast.h, "Seasons"). */
static double season_factor(const struct hmodel *h, const struct plan *pl, int j, int st,
			    int newer)
{
	double ws = 0, ps = 0, wall = 0, pall = 0, K = FC_PSEUDO * h->avg_amount, f;
	int k, s;

	for (k = 0; k < pl->nsnaps; k++) {
		if (k <= newer || pl->snaps[k].season != j)
			continue;
		for (s = 0; s < pl->nslots; s++) {
			double w = h->won[(size_t)k * (size_t)pl->nslots + (size_t)s],
			       p = h->pred[(size_t)k * (size_t)pl->nslots + (size_t)s];

			wall += w;
			pall += p;
			if (s == st) {
				ws += w;
				ps += p;
			}
		}
	}
	if (K <= 0)
		return 1;
	f = (wall + K) / (pall + K);
	return (ws + K * f) / (ps + K);
}

/* The rate of the scope's full cell c at the target's season. */
static double cell_rate(const struct hmodel *h, size_t c)
{
	return clamp01(h->r[0][NDEPTH - 1][c] * h->season[c / CELLS]);
}

/* Season factors for the target; then, for each past period, what the
 * model would have said of its open points then: its cells' rates and season
 * factors from the older periods only (forecast.h, "Uncertainty"). */
static int hmodel_calibrate(struct hmodel *h, const struct plan *pl, const struct fwork *w)
{
	size_t ncell = (size_t)pl->nslots * CELLS, c, ns = (size_t)pl->nsnaps * (size_t)pl->nslots;
	double amount = 0, count = 0, K = FC_PSEUDO * RW_UNIT, *cn, *cd;
	int k, s;

	h->won = calloc(ns + 1, sizeof(*h->won));
	h->pred = calloc(ns + 1, sizeof(*h->pred));
	cn = calloc(ncell, sizeof(*cn)); /* the newer periods' weighted wins, points */
	cd = calloc(ncell, sizeof(*cd));
	if (!h->won || !h->pred || !cn || !cd) {
		free(cn);
		free(cd);
		return -1;
	}
	for (k = 0; k < pl->nsnaps; k++)
		for (c = 0; c < ncell; c++) {
			size_t x = (size_t)k * ncell + c;

			if (!w->pa[x])
				continue;
			amount += w->pa[x];
			h->won[(size_t)k * (size_t)pl->nslots + c / CELLS] += w->paw[x];
			h->pred[(size_t)k * (size_t)pl->nslots + c / CELLS] +=
				w->pa[x] * h->r[0][NDEPTH - 1][c];
		}
	for (k = 0; k < pl->nsnaps; k++)
		count += (double)w->pcount[k];
	h->avg_amount = count > 0 ? amount / count : 0;
	for (s = 0; s < pl->nslots; s++)
		h->season[s] = season_factor(h, pl, 0, s, -1);
	for (k = 0; k < pl->nsnaps; k++) {
		const double *pa = w->pa + (size_t)k * ncell, *pa2 = w->pa2 + (size_t)k * ncell;
		double pred = 0, noise = 0, f = 1, wk = (double)pl->snaps[k].weight;

		for (c = 0; c < ncell; c++) {
			double p, r = h->r[0][NDEPTH - 1][c], D = (double)w->den[c];
			size_t x = (size_t)k * ncell + c;

			cn[c] += wk * w->pw[x];
			cd[c] += wk * w->pn[x];
			if (c % CELLS == 0) /* a stage slot begins */
				f = season_factor(h, pl, pl->snaps[k].season, (int)(c / CELLS), k);
			if (!pa[c])
				continue;
			/* the cell's rate without the points of this period and
			 * the newer ones: r = (N + K prior) / (D + K), so without
			 * them (r (D + K) - N') / (D - D' + K) */
			r = (r * (D + K) - cn[c]) / (D - cd[c] + K);
			p = clamp01(r * f);
			pred += pa[c] * p;
			noise += pa2[c] * p * (1 - p);
		}
		h->kpred[k] = pred;
		h->knoise[k] = noise;
	}
	free(cn);
	free(cd);
	return 0;
}

/* Rates for every node, level and depth (forecast.h, "Shrinkage"). */
static int hmodel_fit(struct hmodel *h, const struct plan *pl, const struct fwork *w)
{
	const struct analytics *a = pl->a;
	size_t ncell = (size_t)pl->nslots * CELLS, x, node;
	double *sn = NULL, *sd = NULL, root[NLEVELS], K = FC_PSEUDO * RW_UNIT;
	int l, d, pi, j, s;

	memset(h, 0, sizeof(*h));
	h->nslots = pl->nslots;
	h->nind = pl->nind;
	sn = malloc(ncell * sizeof(*sn));
	sd = malloc(ncell * sizeof(*sd));
	h->ind = malloc((size_t)pl->nslots * (size_t)(pl->nind + 1) * sizeof(*h->ind));
	h->season = malloc(((size_t)pl->nslots + 1) * sizeof(*h->season));
	if (!sn || !sd || !h->ind || !h->season)
		goto oom;
	for (l = 0; l < NLEVELS; l++)
		for (d = 0; d < NDEPTH; d++)
			if (!(h->r[l][d] = calloc(ncell / depth_div[d] + 1, sizeof(double))))
				goto oom;
	for (l = NLEVELS - 1; l >= 0; l--) {
		const uint64_t *num = w->num + (size_t)l * ncell, *den = w->den + (size_t)l * ncell;

		h->points[l] = h->wins[l] = 0;
		for (x = 0; x < ncell; x++) {
			h->points[l] += (double)den[x];
			h->wins[l] += (double)num[x];
		}
		root[l] = l == NLEVELS - 1 ? (h->points[l] > 0 ? h->wins[l] / h->points[l] : 0)
			  : (h->wins[l] + K * root[l + 1]) / (h->points[l] + K);
		for (d = 0; d < NDEPTH; d++) {
			size_t nn = ncell / depth_div[d];
			double *r = h->r[l][d];

			/* the counts of the nodes at this depth */
			memset(sn, 0, nn * sizeof(*sn));
			memset(sd, 0, nn * sizeof(*sd));
			for (x = 0; x < ncell; x++) {
				sn[x / depth_div[d]] += (double)num[x];
				sd[x / depth_div[d]] += (double)den[x];
			}
			for (node = 0; node < nn; node++) {
				double prior;

				if (l == NLEVELS - 1 && d == 0) {
					/* the process map's probability of the stage */
					prior = 0;
					for (pi = 0; pi < a->npipelines; pi++) {
						s = pl->base[pi];
						if (s >= 0 && (int)node >= s &&
						    (int)node < s + a->pipelines[pi].nstages)
							prior = a->pipelines[pi].prob[node - (size_t)s] / 100.0;
					}
				} else if (l == NLEVELS - 1) {
					prior = h->r[l][d - 1][node * depth_div[d] / depth_div[d - 1]];
				} else {
					double mine, theirs;

					if (d == 0) {
						mine = root[l];
						theirs = root[l + 1];
					} else {
						size_t parent = node * depth_div[d] / depth_div[d - 1];

						mine = h->r[l][d - 1][parent];
						theirs = h->r[l + 1][d - 1][parent];
					}
					/* the broader level's rate, with this level's
					 * edge over it one node up (none known: as is) */
					prior = h->r[l + 1][d][node];
					if (theirs > 0)
						prior *= mine / theirs;
				}
				r[node] = (sn[node] + K * clamp01(prior)) / (sd[node] + K);
			}
		}
	}
	/* industries, at the company level, per stage slot */
	for (s = 0; s < pl->nslots; s++) {
		double rs = h->r[NLEVELS - 1][0][s];

		for (j = 0; j <= pl->nind; j++) {
			size_t c = (size_t)s * (size_t)(pl->nind + 1) + (size_t)j;

			h->ind[c] = rs > 0 ? (((double)w->inum[c] + K * rs) / ((double)w->iden[c] + K)) / rs
					   : 1.0;
		}
	}
	if (hmodel_calibrate(h, pl, w))
		goto oom;
	free(sn);
	free(sd);
	return 0;
oom:
	free(sn);
	free(sd);
	return -1;
}

/* The run-rate in currency cur (forecast.h, "Run-rate"). */
struct rrate {
	double mean, var;         /* E[R], and its compound-Poisson variance */
	double v[MAX_SNAPS];      /* each past period's, scaled to the flow at A */
	double g[MAX_SNAPS];      /* that scale: deals made before A over before A_k */
	int use[MAX_SNAPS];       /* comparable (g within [1/4, 4]) */
	double amount2;           /* Σ amount² / Σ amount of the deals it counted */
};

/* The mean of the comparable periods' v in season j, of the periods older
 * than snapshot `newer` (-1: all); over all seasons when j has none.  0 when
 * there is none. */
static double rr_mean_of(const struct plan *pl, const struct rrate *r, int j, int newer)
{
	double all = 0, same = 0;
	int k, n = 0, ns = 0;

	for (k = 0; k < pl->nsnaps; k++) {
		if (!r->use[k] || k <= newer)
			continue;
		all += r->v[k];
		n++;
		if (pl->snaps[k].season == j) {
			same += r->v[k];
			ns++;
		}
	}
	return ns ? same / ns : n ? all / n : 0;
}

static void run_rate(const struct plan *pl, const struct fwork *w, int cur, struct rrate *r)
{
	double lam = 0, q = 0, cnt = 0, sum = 0;
	int k, n = 0;

	memset(r, 0, sizeof(*r));
	for (k = 0; k < pl->nsnaps; k++) {
		size_t c = (size_t)k * (size_t)pl->ncur + (size_t)cur;
		double g = w->created_k[k] ? (double)w->created_now / (double)w->created_k[k] : 0;

		/* a period when the scope made far fewer or more deals in a year
		 * than now (the company's first months) says little of now */
		r->use[k] = g >= 0.25 && g <= 4;
		if (!r->use[k])
			continue;
		r->g[k] = g;
		r->v[k] = g * w->rr[c] * pl->rr_scale;
		lam += g * (double)w->rrn[c];
		q += w->rr2[c];
		cnt += (double)w->rrn[c];
		sum += w->rr[c];
		n++;
	}
	if (!n)
		return;
	r->mean = rr_mean_of(pl, r, 0, -1);
	r->amount2 = sum > 0 ? q / sum : 0;
	r->var = cnt > 0 ? lam / n * q / cnt : 0;
}

/* Student's t at 0.9 by degrees of freedom 1..30 (beyond: the normal's). */
static const double t90[31] = {
	0,     3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372,
	1.363, 1.356, 1.350, 1.345, 1.341, 1.337, 1.333, 1.330, 1.328, 1.325,
	1.323, 1.321, 1.319, 1.318, 1.316, 1.315, 1.314, 1.313, 1.311, 1.310};
#define Z90 1.2815515655446004
#define Z95 1.6448536269514722 /* the normal's 0.95 and 0.75 quantiles */
#define Z75 0.6744897501960817

/* The mean squared relative error of periods j > k0 (those with pred > 0),
 * each weighing decay^(j − k0 − 1) (the newest 1), less what the draws' own
 * noise explains (floored at 0); *m: how many, *eff: their effective number
 * (Σw)² / Σw². */
static double sq_error_after(const double *pred, const double *actual, const double *noise, int n,
			     int k0, double decay, int trend, int *m, double *eff)
{
	double dev = 0, sw = 0, sw2 = 0, wt = 1, dt;
	int j;

	*m = 0;
	for (j = k0 + 1; j < n; j++, wt *= decay) {
		double e;

		if (!(pred[j] > 0))
			continue;
		e = actual[j] / pred[j] - 1;
		dev += wt * (e * e - noise[j] / (pred[j] * pred[j]));
		sw += wt;
		sw2 += wt * wt;
		(*m)++;
	}
	*eff = sw2 > 0 ? sw * sw / sw2 : 0;
	if (trend && *m >= FC_ERR_TREND_MIN) {
		/* errors shrink as forecasts have more history behind them:
		 * fit d_j = b + a / h_j (h_j: the periods older than j) and
		 * read it at the target's h, when a > 0 */
		double S = 0, Sx = 0, Sy = 0, Sxx = 0, Sxy = 0, a, bb, x0 = 1.0 / (n - 1 - k0);

		wt = 1;
		for (j = k0 + 1; j < n; j++, wt *= decay) {
			double e, d, x;

			if (!(pred[j] > 0))
				continue;
			e = actual[j] / pred[j] - 1;
			d = e * e - noise[j] / (pred[j] * pred[j]);
			x = 1.0 / (n - 1 - j > 0 ? n - 1 - j : 1);
			S += wt;
			Sx += wt * x;
			Sy += wt * d;
			Sxx += wt * x * x;
			Sxy += wt * x * d;
		}
		if (S * Sxx - Sx * Sx > 0) {
			a = (S * Sxy - Sx * Sy) / (S * Sxx - Sx * Sx);
			bb = (Sy - a * Sx) / S;
			if (a > 0) {
				dt = bb + a * x0;
				return dt > 0 ? dt : 0;
			}
		}
	}
	return dev > 0 && sw > 0 ? dev / sw : 0;
}

/* τ² from periods j > k0 (*raw): their mean squared error; shrunk towards
 * the fallback f, as if f were measured on FC_TAU_PERIODS more periods,
 * when they are fewer than FC_CAL_OWN or their error is below f (a few
 * lucky periods do not narrow the range below what is known of scopes like
 * it; a measured error above it is taken as measured).  *nu: the degrees of
 * freedom of the estimate, the periods' effective number (+ FC_TAU_PERIODS
 * when shrunk).  Returns τ² widened for the 80 % range, by (t₀.₉(ν) / z₀.₉)². */
static double tau2_after(const double *pred, const double *actual, const double *noise, int n,
			 int k0, double decay, int trend, double f, int *periods, double *raw,
			 int *nu)
{
	double tau2, eff, t;
	int m, v;

	tau2 = sq_error_after(pred, actual, noise, n, k0, decay, trend, &m, &eff);
	if (m < FC_CAL_OWN || tau2 < f) {
		tau2 = (eff * tau2 + FC_TAU_PERIODS * f) / (eff + FC_TAU_PERIODS);
		v = (int)(eff + FC_TAU_PERIODS);
	} else {
		v = (int)eff;
	}
	if (v < 1)
		v = 1;
	if (raw)
		*raw = tau2;
	if (periods)
		*periods = m;
	if (nu)
		*nu = v;
	t = fc_t_widen(v, 1);
	return tau2 * t * t;
}

/* Student's t over the normal's quantile, at the 0.75 (level 0), 0.9 (1) and
 * 0.95 (2) quantiles, by degrees of freedom 1..30 (beyond: 1). */
double fc_t_widen(int nu, int level)
{
	static const double t75[31] = {
		0,     1.000, 0.816, 0.765, 0.741, 0.727, 0.718, 0.711, 0.706, 0.703, 0.700,
		0.697, 0.695, 0.694, 0.692, 0.691, 0.690, 0.689, 0.688, 0.688, 0.687,
		0.686, 0.686, 0.685, 0.685, 0.684, 0.684, 0.684, 0.683, 0.683, 0.683};
	static const double t95[31] = {
		0,     6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812,
		1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725,
		1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697};

	if (nu < 1 || nu >= N(t90))
		return 1;
	return level == 0 ? t75[nu] / Z75 : level == 2 ? t95[nu] / Z95 : t90[nu] / Z90;
}

void fc_calibrate(const double *pred, const double *actual, const double *noise, int n,
		  double decay, int trend, double parent_tau2, int parent_periods, double size_ratio,
		  struct fc_calib *c)
{
	double f = FC_TAU_PRIOR * FC_TAU_PRIOR;
	int k;

	memset(c, 0, sizeof(*c));
	c->basis = FC_BASIS_PRIOR;
	if (parent_periods >= FC_CAL_OWN && parent_tau2 >= 0) {
		f = parent_tau2;
		c->basis = FC_BASIS_PARENT;
	}
	/* a smaller scope strays further: the fallback's variance grows as the
	 * square root of how many times smaller it is */
	if (size_ratio > 1)
		f *= sqrt(size_ratio > FC_SIZE_MAX ? FC_SIZE_MAX : size_ratio);
	c->fallback_tau2 = f;
	c->tau2 = tau2_after(pred, actual, noise, n, -1, decay, trend, f, &c->periods, &c->tau2_raw,
			     &c->nu);
	if (c->periods >= FC_CAL_OWN)
		c->basis = FC_BASIS_OWN;
	/* each measured past period's own range, from the periods older than it */
	for (k = 0; k < n; k++) {
		double t2, sd;

		if (!(pred[k] > 0))
			continue;
		t2 = tau2_after(pred, actual, noise, n, k, decay, trend, f, NULL, NULL, NULL);
		sd = sqrt((1 + t2) * noise[k] + t2 * pred[k] * pred[k]);
		c->checked++;
		if (fabs(actual[k] - pred[k]) <= Z90 * sd)
			c->held++;
	}
}

double fc_lognormal_q(double mean, double sd, double z)
{
	double s2;

	if (!(mean > 0))
		return 0;
	s2 = log(1 + (sd / mean) * (sd / mean));
	return exp(log(mean) - s2 / 2 + z * sqrt(s2));
}

const char *const fc_basis_names[3] = {"own", "parent_scaled", "prior"};

/* Each past period's forecast as of then (pred; 0: not measured), what it
 * booked and the draws' variance of it, for the scope (forecast.h,
 * "Uncertainty"): only periods forecast from at least FC_ERR_OLDER
 * comparable older ones, and for months only the latest FC_ERR_RECENT_M. */
static void period_errors(const struct hmodel *h, const struct plan *pl, const struct fwork *w,
			  int cur, const struct rrate *r, double *pred, double *actual,
			  double *noise)
{
	int k, j;

	for (k = 0; k < pl->nsnaps; k++) {
		size_t c = (size_t)k * (size_t)pl->ncur + (size_t)(cur < 0 ? 0 : cur);
		double rk = 0, rp = 0;
		int older = 0;

		pred[k] = actual[k] = noise[k] = 0;
		/* a period forecast from fewer than FC_ERR_OLDER comparable
		 * older periods (the company's first months) was a cold start,
		 * and says little of the error of a forecast made from more */
		for (j = k + 1; j < pl->nsnaps; j++)
			older += r->use[j];
		if (older < FC_ERR_OLDER || (pl->year == 12 && k >= FC_ERR_RECENT_M))
			continue;
		noise[k] = h->knoise[k];
		if (r->use[k]) {
			/* its run-rate, and the older periods' scaled to its flow */
			rk = w->rr[c] * pl->rr_scale;
			rp = rr_mean_of(pl, r, pl->snaps[k].season, k) / r->g[k];
			noise[k] += rp * r->amount2;
		}
		if (h->kpred[k] <= 0 || h->kpred[k] + rp <= 0)
			continue;
		pred[k] = h->kpred[k] + rp;
		actual[k] = w->wona[k] + rk;
	}
}

/* The parent level's past periods in deal counts (what it won over what its
 * cells' rates, without the period and the newer ones, said), for the
 * cold-start fallback: no season, no run-rate.  A period counts when it had
 * at least a quarter of the latest period's points and FC_ERR_OLDER such
 * older ones. */
static void parent_errors(const struct hmodel *h, const struct plan *pl, const struct fwork *w,
			  const struct pwork *P, double *pred, double *actual, double *noise)
{
	size_t stride = (size_t)pl->nslots * CELLS, cells = NLEVELS * stride, c;
	double K = FC_PSEUDO * RW_UNIT, *cn, *cd, pts[MAX_SNAPS] = {0};
	int k, j, ok[MAX_SNAPS] = {0};

	for (k = 0; k < pl->nsnaps; k++)
		pred[k] = actual[k] = noise[k] = 0;
	cn = calloc(stride, sizeof(*cn));
	cd = calloc(stride, sizeof(*cd));
	if (!cn || !cd || !P->den)
		goto out;
	for (k = 0; k < pl->nsnaps; k++) {
		const uint32_t *den = P->den + (size_t)pl->snaps[k].pt * cells + stride;

		for (c = 0; c < stride; c++)
			pts[k] += den[c];
	}
	for (k = 0; k < pl->nsnaps; k++)
		ok[k] = pts[k] > 0 && pts[k] >= pts[0] / 4;
	for (k = 0; k < pl->nsnaps; k++) {
		const uint32_t *num = P->num + (size_t)pl->snaps[k].pt * cells + stride,
			       *den = P->den + (size_t)pl->snaps[k].pt * cells + stride;
		double wk = (double)pl->snaps[k].weight, pr = 0, no = 0, won = 0;
		int older = 0;

		for (c = 0; c < stride; c++) {
			double r = h->r[1][NDEPTH - 1][c], D = (double)w->den[stride + c], p;

			cn[c] += wk * num[c];
			cd[c] += wk * den[c];
			if (!den[c])
				continue;
			r = (r * (D + K) - cn[c]) / (D - cd[c] + K);
			p = clamp01(r);
			pr += den[c] * p;
			no += den[c] * p * (1 - p);
			won += num[c];
		}
		for (j = k + 1; j < pl->nsnaps; j++)
			older += ok[j];
		if (!ok[k] || older < FC_ERR_OLDER || (pl->year == 12 && k >= FC_ERR_RECENT_M) ||
		    pr <= 0)
			continue;
		pred[k] = pr;
		actual[k] = won;
		noise[k] = no;
	}
out:
	free(cn);
	free(cd);
}

/* τ², the variance of the period factor θ on the whole forecast (open deals
 * and run-rate), from the model's own errors at the same point of the past
 * periods, each forecast from the periods older than it; with few of them,
 * the parent's (forecast.h, "Uncertainty" and "Calibration"). */
static void period_error(struct hmodel *h, const struct plan *pl, const struct fwork *w,
			 const struct pwork *P, int cur, const struct rrate *r, int has_parent)
{
	double pred[MAX_SNAPS], actual[MAX_SNAPS], noise[MAX_SNAPS], ptau2 = -1, eff,
	       decay = pl->year == 12 ? FC_ERR_DECAY_M : FC_ERR_DECAY_Q,
	       ratio;
	int pn = 0, lv;

	if (has_parent) {
		parent_errors(h, pl, w, P, pred, actual, noise);
		ptau2 = sq_error_after(pred, actual, noise, pl->nsnaps, -1, decay, pl->year == 12, &pn,
				       &eff);
	}
	/* the size ratio: to the parent when its error is the fallback, else
	 * to the company (the prior is the company's) */
	lv = pn >= FC_CAL_OWN ? 1 : 2;
	ratio = has_parent && h->points[0] > 0 && h->points[lv] > h->points[0]
			? h->points[lv] / h->points[0] : 1;
	period_errors(h, pl, w, cur, r, pred, actual, noise);
	fc_calibrate(pred, actual, noise, pl->nsnaps, decay, pl->year == 12, ptau2, pn, ratio,
		     &h->cal);
	h->tau2 = h->cal.tau2;
	h->periods = h->cal.periods;
}

static double hmodel_p(const struct hmodel *h, const struct plan *pl, size_t slot,
		       const struct odeal *o)
{
	struct dstate d;

	if (o->pos == AN_NONE)
		return 0;
	d.entered = o->entered;
	d.amount = o->amount;
	d.close_day = o->close_day;
	d.pos = o->pos;
	d.slot = pl->base[pl->a->pipeline[slot]] + o->pos;
	return clamp01(cell_rate(h, cell_of(pl->a, slot, &d, pl->A, pl->dw0, pl->dT, pl->median)) *
		       h->ind[(size_t)d.slot * (size_t)(h->nind + 1) + (size_t)ind_of(pl, slot)]);
}

/* --- the sampler ------------------------------------------------------------------ */


/* A uniform in (0, 1) from a 64-bit hash. */
static inline double unit(uint64_t h)
{
	return ((double)(h >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

#define SIM_CHUNK 512

struct sim {
	const double *amount; /* the exact deals, by amount descending */
	const uint64_t *thr;  /* p × 2^64 */
	const uint64_t *key;  /* per exact deal */
	size_t nexact;
	double base, mu, sigma;   /* constants + the normal part */
	double rr_mu, rr_sigma;   /* log-scale R (rr_on) */
	int rr_on;
	double rr_const;
	double th_mu, th_sigma;   /* log-scale θ, the period factor (th_sigma 0: none) */
	uint64_t seed;
	int iterations, part, nparts;
	double *totals;
};

static void *sim_run(void *arg)
{
	struct sim *s = arg;
	uint64_t kn = mix64(s->seed ^ 0x6e6f726d616c2121ULL), kr = mix64(s->seed ^ 0x72756e2d72617465ULL),
		 kt = mix64(s->seed ^ 0x7468657461212121ULL);
	int c, j;
	size_t d;

	for (c = s->part; c * SIM_CHUNK < s->iterations; c += s->nparts) {
		int lo = c * SIM_CHUNK, hi = lo + SIM_CHUNK > s->iterations ? s->iterations
									   : lo + SIM_CHUNK;
		double *t = s->totals + lo;

		for (j = lo; j < hi; j++) {
			double z = 0;

			if (s->sigma > 0) {
				double u1 = unit(mix64(kn + 2 * (uint64_t)j)),
				       u2 = unit(mix64(kn + 2 * (uint64_t)j + 1));

				z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
			}
			t[j - lo] = s->base + s->mu + s->sigma * z;
		}
		for (d = 0; d < s->nexact; d++) {
			uint64_t k = s->key[d], thr = s->thr[d];
			double amt = s->amount[d];

			/* one hash, four draws (16 bits each); no branch to mispredict */
			for (j = lo; j + 4 <= hi; j += 4) {
				uint64_t h = mix64(k + (uint64_t)(j >> 2) * 0x9e3779b97f4a7c15ULL);
				double *u = t + (j - lo);

				u[0] += amt * (double)((h & 0xFFFF) < thr);
				u[1] += amt * (double)((h >> 16 & 0xFFFF) < thr);
				u[2] += amt * (double)((h >> 32 & 0xFFFF) < thr);
				u[3] += amt * (double)((h >> 48) < thr);
			}
			if (j < hi) {
				uint64_t h = mix64(k + (uint64_t)(j >> 2) * 0x9e3779b97f4a7c15ULL);
				int q;

				for (q = 0; j + q < hi; q++)
					t[j + q - lo] += amt * (double)((h >> (16 * q) & 0xFFFF) < thr);
			}
		}
		/* the run-rate, then the period factor on the whole */
		for (j = lo; j < hi; j++) {
			double r = s->rr_const;

			if (s->rr_on) {
				double u1 = unit(mix64(kr + 2 * (uint64_t)j)),
				       u2 = unit(mix64(kr + 2 * (uint64_t)j + 1));

				r = exp(s->rr_mu + s->rr_sigma * sqrt(-2 * log(u1)) *
							   cos(6.283185307179586 * u2));
			}
			t[j - lo] += r;
			if (s->th_sigma > 0) {
				double u1 = unit(mix64(kt + 2 * (uint64_t)j)),
				       u2 = unit(mix64(kt + 2 * (uint64_t)j + 1));

				t[j - lo] *= exp(s->th_mu + s->th_sigma * sqrt(-2 * log(u1)) *
								cos(6.283185307179586 * u2));
			}
		}
	}
	return NULL;
}

struct cand {
	double amount, p;
};

static int cmp_cand(const void *x, const void *y)
{
	double a = fabs(((const struct cand *)x)->amount), b = fabs(((const struct cand *)y)->amount);

	return a < b ? 1 : a > b ? -1 : 0;
}

/* Put the k largest |amount| first in c[0..n) (quickselect), then sort them. */
static void top_by_amount(struct cand *c, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	if (k >= n) {
		qsort(c, n, sizeof(*c), cmp_cand);
		return;
	}
	while (lo < hi) {
		double pivot = fabs(c[lo + (hi - lo) / 2].amount);
		size_t i = lo, j = hi;

		while (i <= j) {
			while (fabs(c[i].amount) > pivot)
				i++;
			while (fabs(c[j].amount) < pivot)
				j--;
			if (i <= j) {
				struct cand t = c[i];

				c[i] = c[j];
				c[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k - 1 <= j)
			hi = j;
		else if (k - 1 >= i)
			lo = i;
		else
			break;
	}
	qsort(c, k, sizeof(*c), cmp_cand);
}

int fc_simulate(const double *amount, const double *p, size_t n, double rr_mean, double rr_var,
		double tau2, int iterations, uint64_t seed, int threads, double *totals,
		size_t *exact, double *bound)
{
	struct cand *c = malloc((n + 1) * sizeof(*c));
	double base = 0, rest_v = 0, rest_t = 0, *sv = NULL, *st = NULL, *amt = NULL, mu = 0,
	       b = 0;
	uint64_t *thr = NULL, *key = NULL;
	size_t nr = 0, i, k, m;
	struct sim s[2];
	int rc = -1;

	if (!c)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] >= 1)
			base += amount[i];
		else if (p[i] > 0 && amount[i] != 0)
			c[nr++] = (struct cand){amount[i], p[i]};
	}
	/* the exact set: the shortest prefix by amount whose rest passes the bound */
	k = nr < FC_EXACT_MAX ? nr : FC_EXACT_MAX;
	if (nr)
		top_by_amount(c, nr, k);
	for (i = k; i < nr; i++) {
		double q = 1 - c[i].p, a3 = fabs(c[i].amount) * c[i].amount * c[i].amount;

		mu += c[i].amount * c[i].p;
		rest_v += c[i].amount * c[i].amount * c[i].p * q;
		rest_t += a3 * c[i].p * q * (c[i].p * c[i].p + q * q);
	}
	sv = malloc((k + 1) * sizeof(*sv));
	st = malloc((k + 1) * sizeof(*st));
	if (!sv || !st)
		goto out;
	/* suffix sums over the sorted prefix: the rest when the first m are exact */
	sv[k] = rest_v;
	st[k] = rest_t;
	for (i = k; i-- > 0;) {
		double q = 1 - c[i].p, a3 = fabs(c[i].amount) * c[i].amount * c[i].amount;

		sv[i] = sv[i + 1] + c[i].amount * c[i].amount * c[i].p * q;
		st[i] = st[i + 1] + a3 * c[i].p * q * (c[i].p * c[i].p + q * q);
	}
	/* W1(rest, its normal) <= Σ E|X - EX|³ / Var(rest) (Stein's method), and
	 * the total's W1 distance is at most the rest's; in units of the total's
	 * standard deviation sqrt(sv[0]) */
	for (m = 0; m < k; m++)
		if (sv[m] > 0 && st[m] / sv[m] <= FC_W1_EPS(iterations) * sqrt(sv[0]))
			break;
	b = sv[m] > 0 ? st[m] / sv[m] / sqrt(sv[0]) : 0;
	for (i = m; i < k; i++)
		mu += c[i].amount * c[i].p;
	amt = malloc((m + 1) * sizeof(*amt));
	thr = malloc((m + 1) * sizeof(*thr));
	key = malloc((m + 1) * sizeof(*key));
	if (!amt || !thr || !key)
		goto out;
	for (i = 0; i < m; i++) {
		amt[i] = c[i].amount;
		thr[i] = (uint64_t)llround(ldexp(c[i].p, 16)); /* to within 2^-16 */
		key[i] = mix64(seed ^ mix64(0x6465616c00000000ULL + i));
	}
	memset(s, 0, sizeof(s));
	s[0].amount = amt;
	s[0].thr = thr;
	s[0].key = key;
	s[0].nexact = m;
	s[0].base = base;
	s[0].mu = mu;
	s[0].sigma = sqrt(sv[m]);
	s[0].seed = seed;
	s[0].iterations = iterations;
	s[0].totals = totals;
	s[0].rr_const = rr_mean > 0 ? rr_mean : 0;
	if (rr_mean > 0 && rr_var > 0) {
		double sg2 = log(1 + rr_var / (rr_mean * rr_mean));

		s[0].rr_on = 1;
		s[0].rr_sigma = sqrt(sg2);
		s[0].rr_mu = log(rr_mean) - sg2 / 2;
	}
	if (tau2 > 0) {
		double sg2 = log(1 + tau2);

		s[0].th_sigma = sqrt(sg2);
		s[0].th_mu = -sg2 / 2;
	}
	s[0].nparts = threads == 2 ? 2 : 1;
	s[1] = s[0];
	s[1].part = 1;
	analytics_split(sim_run, &s[0], &s[1], threads == 2 ? 2 : 1);
	if (exact)
		*exact = m;
	if (bound)
		*bound = b;
	rc = 0;
out:
	free(c);
	free(sv);
	free(st);
	free(amt);
	free(thr);
	free(key);
	return rc;
}

/* Order statistics without sorting (Hoare's selection, median of three):
 * after select_T(v, lo, hi, k), v[k] is the value a full sort of v[lo..hi]
 * would put there, everything in v[lo..k) is <= it and everything in
 * (k..hi] >= it.  O(n) where qsort was O(n log n): a roll-up's forecasts
 * spent a third of their time sorting 10,000 draws, and the samples of the
 * median amount, only to read three of them. */
#define DEFINE_SELECT(name, T)                                                         \
	static void name(T *v, size_t lo, size_t hi, size_t k)                          \
	{                                                                              \
		while (lo < hi) {                                                      \
			size_t i = lo, j = hi, mid = lo + (hi - lo) / 2;               \
			T a = v[lo], b = v[mid], c = v[hi], pivot, t;                  \
                                                                                       \
			pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b); \
			while (i <= j) {                                               \
				while (v[i] < pivot)                                   \
					i++;                                           \
				while (pivot < v[j])                                   \
					j--;                                           \
				if (i <= j) {                                          \
					t = v[i], v[i] = v[j], v[j] = t;               \
					i++;                                           \
					if (j == 0)                                    \
						break;                                 \
					j--;                                           \
				}                                                      \
			}                                                              \
			if (k <= j)                                                    \
				hi = j;                                                \
			else if (k >= i)                                               \
				lo = i;                                                \
			else                                                           \
				return;                                                \
		}                                                                      \
	}
DEFINE_SELECT(select_i64, int64_t)
DEFINE_SELECT(select_double, double)

/* Put v[k[0]], …, v[k[nk-1]] (k ascending, within lo..hi) where a full sort
 * of v[lo..hi] would: the middle one first, then each half's within its
 * side.  The simulation's range reads seven quantiles of its 10,000 draws:
 * about 3n steps where the sort took n log n calls of a comparison (a
 * roll-up's forecasts spent a fifth of their time there). */
static void select_doubles(double *v, size_t lo, size_t hi, const size_t *k, int nk)
{
	int m;

	while (nk > 0 && k[0] < lo) /* equal ranks: placed already */
		k++, nk--;
	while (nk > 0 && k[nk - 1] > hi)
		nk--;
	if (nk <= 0 || lo > hi)
		return;
	m = nk / 2;
	select_double(v, lo, hi, k[m]);
	if (m > 0 && k[m] > lo)
		select_doubles(v, lo, k[m] - 1, k, m);
	select_doubles(v, k[m] + 1, hi, k + m + 1, nk - m - 1);
}

/* --- scope ------------------------------------------------------------------------- */

static int team_index(const struct analytics *a, long long id)
{
	int i;

	for (i = 0; i < a->nteams; i++)
		if (a->teams[i].id == id)
			return i;
	return -1;
}

/* Is team `id` root or below it? */
static int team_under(const struct analytics *a, long long id, long long root)
{
	int steps, t;

	for (steps = 0; id && steps <= a->nteams; steps++) {
		if (id == root)
			return 1;
		t = team_index(a, id);
		if (t < 0)
			return 0;
		id = a->teams[t].parent_id;
	}
	return 0;
}

/* Owner levels and the deal conditions of the scope; the scope's name. */
static int plan_scope(struct plan *pl, const struct principal *p, const char **name,
		      struct err *e)
{
	const struct analytics *a = pl->a;
	const struct fc_query *q = pl->q;
	long long parent_team = 0;
	int i, t;

	*name = NULL;
	pl->channel = -1;
	pl->pipeline = -1;
	switch (q->scope.kind) {
	case FS_USER:
		i = analytics_owner(a, q->scope.id);
		if (i < 0 || !principal_sees_owner(p, q->scope.id))
			return fail(e, E_NOTFOUND, "no user with id %lld", q->scope.id);
		*name = a->owners[i].name;
		parent_team = a->owners[i].team_id;
		break;
	case FS_TEAM:
		t = team_index(a, q->scope.id);
		if (t < 0 || !(principal_is_admin(p) ||
			       (p->role == ROLE_MANAGER && p->team_id &&
				team_under(a, q->scope.id, p->team_id))))
			return fail(e, E_NOTFOUND, "no team with id %lld", q->scope.id);
		*name = a->teams[t].name;
		break;
	case FS_PIPELINE:
		for (i = 0; i < a->npipelines &&
			    !(a->pipelines[i].live && a->pipelines[i].id == q->scope.id); i++)
			;
		if (i == a->npipelines)
			return fail(e, E_NOTFOUND, "no pipeline with id %lld", q->scope.id);
		pl->pipeline = i;
		*name = a->pipelines[i].name;
		break;
	case FS_CHANNEL:
		for (i = 0; channel_choices[i] && strcmp(channel_choices[i], q->scope.channel); i++)
			;
		pl->channel = channel_choices[i] ? i : 99;
		*name = q->scope.channel;
		break;
	default:
		*name = "company";
	}
	for (i = 0; i < a->nowners; i++) {
		const struct an_owner *o = &a->owners[i];
		unsigned l = 0;

		if (principal_sees_owner(p, o->user_id)) {
			if (q->scope.kind == FS_USER)
				l = o->user_id == q->scope.id;
			else if (q->scope.kind == FS_TEAM)
				l = o->team_id && team_under(a, o->team_id, q->scope.id);
			else
				l = 1;
		}
		/* the parent: a user's team subtree, else the company */
		if (q->scope.kind != FS_USER || !parent_team || team_under(a, o->team_id, parent_team))
			l |= 2;
		pl->owner_lvl[i] = (uint8_t)l;
	}
	return OK;
}

/* --- the answer ---------------------------------------------------------------------- */

struct topd {
	double contrib, p;
	const struct odeal *o;
};

static int top_before(const struct topd *x, const struct topd *y, const struct analytics *a)
{
	if (x->contrib != y->contrib)
		return x->contrib > y->contrib;
	return a->id[x->o->slot] < a->id[y->o->slot];
}

static void put_money(struct jw *w, const char *key, int64_t v, int digits)
{
	money_jw(w, key, v, digits);
}

static void put_day(struct jw *w, const char *key, long long day)
{
	char d[11];

	time_date((time_t)(day * (long long)DAY), d);
	jw_kstr(w, key, d);
}

static void definitions(struct jw *w)
{
	jw_key(w, "definitions");
	jw_obj(w);
	jw_kstr(w, "period", "[from 00:00:00, to 23:59:59] UTC: a quarter (2026-Q4) or a month "
			     "(2026-11)");
	jw_kstr(w, "as_of", "the forecast as it would have been made at this instant: only what "
			    "happened before it counts (stage history, field history of amount, "
			    "close_date and forecast_category, deals created and closed before it)");
	jw_kstr(w, "scope", "the deals the forecast is over, narrowed to those the caller sees "
			    "(a rep: their own; a manager: their team subtree)");
	jw_kstr(w, "closed_won", "sum of the amounts of deals in scope won with closed_at in the "
				 "period before as_of");
	jw_kstr(w, "open_deals", "deals in scope open at as_of, in `currency`");
	jw_kstr(w, "expected", "expected further bookings: won with closed_at in [max(from, "
			       "as_of), end of period)");
	jw_kstr(w, "p10_p50_p90", "quantiles of further bookings; total_* add closed_won");
	jw_kstr(w, "weighted", "amount x the stage's probability (stages table) / 100 over open "
			       "deals whose close_date at as_of is in the period; no spread");
	jw_kstr(w, "categories", "sums of amount by forecast category at as_of over the same "
				 "deals (an open deal marked closed counts as commit); expected = "
				 "commit; best_case_number = commit + best_case; no spread");
	jw_kstr(w, "historical", "each open deal's probability of being won inside the window, "
				 "learned from comparable points of the past (the same forecast "
				 "made 1..8 quarters or 1..24 months earlier: the share of deals in "
				 "the same stage, close-date position, age in stage, size band, "
				 "channel and industry that were won inside the same window), shrunk "
				 "towards the team and the company where data is thin; plus the "
				 "run-rate of deals not yet created; quantiles from a normal "
				 "approximation");
	jw_kstr(w, "simulation", "Monte Carlo of the open deals with the historical "
				 "probabilities plus the run-rate: the largest deals drawn exactly, "
				 "the rest as one normal (tail_error_bound: a bound on the mean gap between "
				 "the quantiles drawn and exact ones, in standard deviations); seeded");
	jw_kstr(w, "run_rate", "expected bookings from deals created after as_of and won in the "
			       "window: the scope's past periods, scaled by how many deals it "
			       "creates now against then");
	jw_kstr(w, "top", "the open deals contributing most to the expected figure (historical "
			  "probability when that model is asked, else the stage's)");
	jw_kstr(w, "currency", "the one asked, else the most common among the open and won-in-"
			       "period deals in scope; others are left out and counted in "
			       "excluded_other_currency");
	jw_obj_end(w);
}

/* Σ v / 100, rounded half up, for v ≥ 0. */
static int64_t percent_sum(i128 v)
{
	return (int64_t)((2 * v + 100) / 200);
}

static void model_json(struct jw *w, const struct fc_result *r, int m, int digits)
{
	const struct fc_model_result *x = &r->m[m];

	jw_key(w, fc_model_names[m]);
	jw_obj(w);
	put_money(w, "expected", x->expected, digits);
	put_money(w, "p10", x->p10, digits);
	put_money(w, "p50", x->p50, digits);
	put_money(w, "p90", x->p90, digits);
	put_money(w, "total_expected", r->closed_won + x->expected, digits);
	put_money(w, "total_p10", r->closed_won + x->p10, digits);
	put_money(w, "total_p50", r->closed_won + x->p50, digits);
	put_money(w, "total_p90", r->closed_won + x->p90, digits);
	jw_kint(w, "deals", x->deals);
	if (m == FC_CATEGORIES) {
		put_money(w, "commit", x->commit, digits);
		put_money(w, "best_case", x->best_case, digits);
		put_money(w, "pipeline", x->pipeline, digits);
		put_money(w, "best_case_number", x->commit + x->best_case, digits);
	}
	if (m == FC_HISTORICAL || m == FC_SIMULATION) {
		put_money(w, "open_expected", x->open_expected, digits);
		put_money(w, "run_rate", x->run_rate, digits);
	}
}

static int64_t round_minor(double v)
{
	return v <= 0 ? 0 : v >= 9.2e18 ? INT64_MAX : (int64_t)llround(v);
}

/* m: the median amount of the deals existing at t, from an even sample.  It
 * depends on the index's state and t only, not on the scope: a roll-up's
 * members, a backtest's targets and a snapshot's scopes ask for the same
 * instants, so each thread remembers the last answers by the index's state
 * (its address, the change feed position applied, its size) and t. */
static int64_t median_at(const struct analytics *a, uint32_t t)
{
	static __thread struct {
		const struct analytics *a;
		long long seq;
		size_t n;
		uint32_t t;
		int64_t m;
	} memo[64];
	static __thread unsigned next;
	int64_t sample[4096], v;
	size_t step = a->n / 4096 + 1, ns = 0, x;
	unsigned k;

	for (k = 0; k < 64; k++)
		if (memo[k].a == a && memo[k].seq == a->seq && memo[k].n == a->n && memo[k].t == t)
			return memo[k].m;
	for (x = 0; x < a->n && ns < 4096; x += step) {
		if (a->status[x] == AN_DEAD || a->created[x] >= t)
			continue;
		sample[ns++] = analytics_field_before(a, x, AN_F_AMOUNT, t, &v) == 1 ? v : a->amount[x];
	}
	if (ns) {
		select_i64(sample, 0, ns - 1, ns / 2);
		v = sample[ns / 2];
	} else {
		v = 0;
	}
	k = next++ % 64;
	memo[k].a = a, memo[k].seq = a->seq, memo[k].n = a->n, memo[k].t = t, memo[k].m = v;
	return v;
}

/* A target's own members of its plan (the scope's are in already). */
static int plan_target(struct plan *pl, const struct fc_query *q, time_t now, struct err *e)
{
	unsigned models = q->models ? q->models : (1u << FC_NMODELS) - 1;
	int k;

	pl->q = q;
	pl->F = q->from;
	pl->T = q->to;
	if (!pl->T && forecast_period(q->period, &pl->F, &pl->T))
		return err_field(e, "period", "must be a quarter (2026-Q4) or a month (2026-11)");
	pl->now = !q->as_of;
	pl->A = q->as_of ? q->as_of : (uint32_t)(now + 1);
	pl->w0 = pl->A > pl->F ? pl->A : pl->F;
	pl->window = pl->w0 < pl->T;
	pl->dF = (uint16_t)(pl->F / DAY);
	pl->dT = (uint16_t)(pl->T / DAY);
	pl->dw0 = (uint16_t)(pl->w0 / DAY);
	pl->train = pl->window && (models & ((1u << FC_HISTORICAL) | (1u << FC_SIMULATION)));
	pl->nsnaps = 0;
	if (pl->train) {
		/* the comparable past points: the same forecast k periods ago */
		int months = q->period[5] == 'Q' ? 3 : 1,
		    want = months == 3 ? FC_SNAPSHOTS_Q : FC_SNAPSHOTS_M;
		long long off = (long long)pl->A - pl->F;

		pl->year = months == 3 ? 4 : 12;
		pl->grow_from = pl->A > FC_GROWTH_DAYS * DAY ? pl->A - FC_GROWTH_DAYS * DAY : 0;
		for (k = 1; pl->nsnaps < want && k < 1200; k++) {
			struct tm tm;
			time_t f = pl->F, t2 = pl->T;
			long long at;
			struct snap *s = &pl->snaps[pl->nsnaps];

			gmtime_r(&f, &tm);
			tm.tm_mon -= k * months;
			f = timegm(&tm);
			gmtime_r(&t2, &tm);
			tm.tm_mon -= k * months;
			t2 = timegm(&tm);
			if (f <= 0)
				break;
			if (t2 > (time_t)pl->A)
				continue; /* its outcome is not known at A */
			at = (long long)f + off;
			if (at <= 0)
				break;
			s->at = (uint32_t)at;
			s->w0 = s->at > (uint32_t)f ? s->at : (uint32_t)f;
			s->w1 = (uint32_t)t2;
			s->d0 = (uint16_t)(s->w0 / DAY);
			s->d1 = (uint16_t)(s->w1 / DAY);
			s->season = k % pl->year;
			s->weight = (uint64_t)llround(RW_UNIT * pow(FC_RECENCY, (double)pl->nsnaps * months / 3.0));
			s->grow_from = s->at > FC_GROWTH_DAYS * DAY ? s->at - FC_GROWTH_DAYS * DAY : 0;
			pl->nsnaps++;
		}
		pl->median = median_at(pl->a, pl->A);
	}
	return OK;
}

static int cmp_point(const void *x, const void *y)
{
	const struct point *a = x, *b = y;

	if (a->at != b->at)
		return a->at > b->at ? -1 : 1;
	if (a->w0 != b->w0)
		return a->w0 < b->w0 ? -1 : 1;
	return a->w1 < b->w1 ? -1 : a->w1 > b->w1;
}

static int point_find(const struct fc_batch *b, const struct point *key)
{
	int k;

	for (k = 0; k < b->npts && cmp_point(&b->pts[k], key); k++)
		;
	return k;
}

/* The batch's points: every training target's comparable points and its A,
 * each once, latest first. */
static int batch_points(struct fc_batch *b)
{
	int j, k, n = 0, cap = 1;
	struct point key;

	for (j = 0; j < b->n; j++)
		cap += b->pl[j].train ? b->pl[j].nsnaps + 1 : 0;
	b->pts = calloc((size_t)cap, sizeof(*b->pts));
	if (!b->pts)
		return -1;
	for (j = 0; j < b->n; j++) {
		const struct plan *pl = &b->pl[j];

		if (!pl->train)
			continue;
		for (k = 0; k < pl->nsnaps; k++) {
			const struct snap *s = &pl->snaps[k];

			b->pts[n++] = (struct point){s->at, s->w0, s->w1, s->d0, s->d1, s->grow_from,
						     0, 1};
		}
		b->pts[n++] = (struct point){pl->A, 0, 0, 0, 0, pl->grow_from, 0, 0};
	}
	qsort(b->pts, (size_t)n, sizeof(*b->pts), cmp_point);
	for (j = k = 0; j < n; j++)
		if (!k || cmp_point(&b->pts[k - 1], &b->pts[j]))
			b->pts[k++] = b->pts[j];
	b->npts = k;
	for (k = 0; k < b->npts; k++) {
		struct point *s = &b->pts[k];

		if (!s->train)
			continue;
		s->median = median_at(b->a, s->at);
		if (!b->amax || s->at > b->amax)
			b->amax = s->at;
		if (!b->amin || s->at < b->amin)
			b->amin = s->at;
	}
	for (j = 0; j < b->n; j++) {
		struct plan *pl = &b->pl[j];

		if (!pl->train)
			continue;
		for (k = 0; k < pl->nsnaps; k++) {
			const struct snap *s = &pl->snaps[k];

			key = (struct point){s->at, s->w0, s->w1, 0, 0, 0, 0, 0};
			pl->snaps[k].pt = point_find(b, &key);
		}
		key = (struct point){pl->A, 0, 0, 0, 0, 0, 0, 0};
		pl->now_pt = point_find(b, &key);
	}
	return 0;
}

int fc_batch_run(struct analytics *a, struct store *st, const struct principal *p,
		 const struct fc_query *q, int n, struct fc_batch **out, struct err *e)
{
	struct fc_batch *b;
	struct plan *pl;
	time_t now = time_now();
	int rc, i, j, k;

	*out = NULL;
	if (!a)
		return fail(e, E_UNAVAILABLE, "the analytics index is not built yet");
	if (n < 1)
		return fail(e, E_INVAL, "no forecast asked");
	for (j = 1; j < n; j++)
		if (q[j].scope.kind != q[0].scope.kind || q[j].scope.id != q[0].scope.id ||
		    strcmp(q[j].scope.channel, q[0].scope.channel))
			return fail(e, E_INVAL, "the forecasts of a batch share one scope");
	rc = analytics_refresh(a, st, e);
	if (rc)
		return rc;
	b = calloc(1, sizeof(*b));
	if (!b)
		return fail(e, E_INTERNAL, "out of memory");
	b->a = a;
	b->st = st;
	b->n = n;
	b->q = malloc((size_t)n * sizeof(*b->q));
	b->pl = calloc((size_t)n, sizeof(*b->pl));
	/* the works are aligned (each thread writes its own) */
	b->tw = aligned_alloc(128, (size_t)n * sizeof(*b->tw));
	if (!b->q || !b->pl || !b->tw)
		goto oom;
	memset(b->tw, 0, (size_t)n * sizeof(*b->tw));
	memcpy(b->q, q, (size_t)n * sizeof(*q));
	analytics_rdlock(a);
	b->locked = 1;

	/* the scope's members of the plans */
	pl = &b->pl[0];
	pl->a = a;
	pl->q = &b->q[0];
	pl->owner_lvl = calloc((size_t)a->nowners + 1, 1);
	pl->base = malloc(((size_t)a->npipelines + 1) * sizeof(*pl->base));
	if (!pl->owner_lvl || !pl->base)
		goto oom;
	for (i = 0; i < a->npipelines; i++) {
		pl->base[i] = a->pipelines[i].live ? pl->nslots : -1;
		if (a->pipelines[i].live)
			pl->nslots += a->pipelines[i].nstages;
	}
	pl->shut = calloc((size_t)pl->nslots + 1, 1);
	if (!pl->shut)
		goto oom;
	for (i = 0; i < a->npipelines; i++)
		for (k = 0; pl->base[i] >= 0 && k < a->pipelines[i].nstages; k++)
			pl->shut[pl->base[i] + k] = a->pipelines[i].lost[k] ||
						    !strcmp(a->pipelines[i].section[k], "won");
	rc = plan_scope(pl, p, &b->scope_name, e);
	if (rc)
		goto out;
	pl->ncur = a->currencies.n ? a->currencies.n : 1;
	pl->nind = a->industries.n < 64 ? a->industries.n : 64;
	/* learn from at most FC_TRAIN_DEALS deals: a sample, the same each time */
	pl->sample = UINT64_MAX;
	pl->rr_scale = 1;
	if (analytics_deals(a) > FC_TRAIN_DEALS) {
		double share = (double)FC_TRAIN_DEALS / (double)analytics_deals(a);

		pl->sample = (uint64_t)ldexp(share, 64);
		pl->sample_scope = q[0].scope.kind == FS_COMPANY && principal_is_admin(p);
		if (pl->sample_scope)
			pl->rr_scale = 1 / share;
	}
	for (j = 1; j < n; j++)
		b->pl[j] = b->pl[0];
	for (j = 0; j < n; j++) {
		rc = plan_target(&b->pl[j], &b->q[j], now, e);
		if (rc)
			goto out;
		b->train |= b->pl[j].train;
	}
	if (batch_points(b))
		goto oom;

	/* the scan */
	b->nthreads = q[0].threads ? q[0].threads : a->n >= 65536 ? 2 : 1;
	if (b->nthreads > 2)
		b->nthreads = 2;
	for (k = 0; k < b->nthreads; k++) {
		if (pwork_alloc(&b->pw[k], b))
			goto oom;
		b->pw[k].part = k;
		b->pw[k].nparts = b->nthreads;
	}
	for (j = 0; j < n; j++)
		b->tw[j][0].pl = b->tw[j][1].pl = &b->pl[j];
	analytics_split(scan, &b->pw[0], &b->pw[1], b->nthreads);
	if (b->pw[0].oom || b->pw[1].oom)
		goto oom;
	if (b->nthreads == 2)
		pwork_add(&b->pw[0], &b->pw[1]);
	pwork_release(&b->pw[1]);
	for (j = 0; j < n; j++) {
		if (work_merge(&b->tw[j][0], &b->tw[j][1]))
			goto oom;
		work_release(&b->tw[j][1]);
	}
	*out = b;
	return OK;
oom:
	rc = fail(e, E_INTERNAL, "out of memory");
out:
	fc_batch_free(b);
	return rc;
}

void fc_batch_free(struct fc_batch *b)
{
	int j;

	if (!b)
		return;
	if (b->locked)
		analytics_unlock(b->a);
	for (j = 0; b->tw && j < b->n; j++) {
		work_release(&b->tw[j][0]);
		work_release(&b->tw[j][1]);
	}
	pwork_release(&b->pw[0]);
	pwork_release(&b->pw[1]);
	if (b->pl) {
		free(b->pl[0].owner_lvl);
		free(b->pl[0].base);
		free(b->pl[0].shut);
	}
	free(b->pl);
	free(b->q);
	free(b->tw);
	free(b->pts);
	free(b);
}

int fc_batch_result(struct fc_batch *b, int idx, const char *currency, struct fc_result *out,
		    struct jw *w, struct err *e)
{
	struct analytics *a = b->a;
	struct store *st = b->st;
	struct fc_query *q;
	struct plan pl;
	struct fwork *wk;
	struct hmodel hm;
	struct fc_result res;
	struct topd *top = NULL;
	double *amount = NULL, *prob = NULL, *totals = NULL, rr_mean = 0, rr_var = 0;
	struct rrate rr = {0};
	const char *scope_name = b->scope_name, *cur_code;
	unsigned models;
	int rc, i, k, nthreads = b->nthreads, cur = -1, digits, ntop = 0, want_top, fitted = 0;
	size_t x, n = 0;
	i128 wsum = 0;

	if (idx < 0 || idx >= b->n || !b->tw[idx][0].pl)
		return fail(e, E_INTERNAL, "forecast %d of the batch: none, or already read", idx);
	q = &b->q[idx];
	pl = b->pl[idx];
	wk = b->tw[idx];
	models = q->models ? q->models : (1u << FC_NMODELS) - 1;
	memset(&res, 0, sizeof(res));
	memset(&hm, 0, sizeof(hm));
	if (currency)
		snprintf(q->currency, sizeof(q->currency), "%s", currency);
	res.as_of = q->as_of ? q->as_of : pl.A - 1;
	if (pl.train && work_fill(&wk[0], &b->pw[0]))
		goto oom;

	/* the currency */
	if (q->currency[0]) {
		for (i = 0; i < a->currencies.n && strcmp(a->currencies.s[i], q->currency); i++)
			;
		cur = i < a->currencies.n ? i : -1;
		cur_code = q->currency;
	} else {
		long long best = 0;

		for (i = 0; i < a->currencies.n; i++)
			if (wk[0].ccount[i] > best ||
			    (wk[0].ccount[i] == best && best > 0 &&
			     strcmp(a->currencies.s[i], a->currencies.s[cur]) < 0)) {
				best = wk[0].ccount[i];
				cur = i;
			}
		cur_code = cur >= 0 ? a->currencies.s[cur] : a->currencies.n ? a->currencies.s[0]
									     : "EUR";
	}
	snprintf(res.currency, sizeof(res.currency), "%s", cur_code);
	digits = money_digits(cur_code);
	if (digits < 0)
		digits = 2;
	for (i = 0; i < a->currencies.n; i++)
		if (i != cur)
			res.excluded_other_currency += wk[0].ccount[i];
	res.closed_won = cur >= 0 ? (int64_t)wk[0].won[cur] : 0;
	/* the open deals in the currency */
	for (x = 0; x < wk[0].nopen; x++)
		if ((int)wk[0].open[x].cur == cur)
			wk[0].open[n++] = wk[0].open[x];
	wk[0].nopen = n;
	res.open_deals = (long long)n;
	res.models = models;

	/* weighted and categories: deals closing in the period */
	{
		i128 cat[AN_NFCAT] = {0};
		long long in_period = 0;

		for (x = 0; x < n; x++) {
			const struct odeal *o = &wk[0].open[x];
			const struct an_pipeline *pp = &a->pipelines[a->pipeline[o->slot]];

			res.open_amount += o->amount;
			if (o->close_day < pl.dF || o->close_day >= pl.dT)
				continue;
			in_period++;
			if (o->pos != AN_NONE)
				wsum += (i128)o->amount * pp->prob[o->pos];
			if (o->fcat < AN_NFCAT)
				cat[o->fcat] += o->amount;
		}
		if (pl.window) {
			res.m[FC_WEIGHTED].expected = percent_sum(wsum);
			res.m[FC_CATEGORIES].commit = (int64_t)(cat[AN_FC_COMMIT] + cat[AN_FC_CLOSED]);
			res.m[FC_CATEGORIES].best_case = (int64_t)cat[AN_FC_BEST_CASE];
			res.m[FC_CATEGORIES].pipeline = (int64_t)cat[AN_FC_PIPELINE];
			res.m[FC_CATEGORIES].expected = res.m[FC_CATEGORIES].commit;
			res.m[FC_WEIGHTED].deals = res.m[FC_CATEGORIES].deals = in_period;
		}
		for (k = FC_WEIGHTED; k <= FC_CATEGORIES; k++)
			res.m[k].p10 = res.m[k].p50 = res.m[k].p90 = res.m[k].expected;
	}

	/* historical and simulation */
	if (pl.train) {
		double ev = 0, var = 0;

		if (hmodel_fit(&hm, &pl, &wk[0]))
			goto oom;
		fitted = 1;
		if (cur >= 0)
			run_rate(&pl, &wk[0], cur, &rr);
		period_error(&hm, &pl, &wk[0], &b->pw[0], cur, &rr, q->scope.kind != FS_COMPANY);
		res.period_sd = sqrt(hm.tau2);
		res.periods_measured = hm.periods;
		res.basis = hm.cal.basis;
		res.periods_checked = hm.cal.checked;
		res.periods_held = hm.cal.held;
		rr_mean = rr.mean;
		rr_var = rr.var;
		amount = malloc((n + 1) * sizeof(*amount));
		prob = malloc((n + 1) * sizeof(*prob));
		if (!amount || !prob)
			goto oom;
		for (x = 0; x < n; x++) {
			const struct odeal *o = &wk[0].open[x];

			amount[x] = (double)o->amount;
			prob[x] = hmodel_p(&hm, &pl, o->slot, o);
			ev += amount[x] * prob[x];
			var += amount[x] * amount[x] * prob[x] * (1 - prob[x]);
		}
		for (k = FC_HISTORICAL; k <= FC_SIMULATION; k++) {
			res.m[k].open_expected = round_minor(ev);
			res.m[k].run_rate = round_minor(rr_mean);
			res.m[k].deals = (long long)n;
		}
		{
			struct fc_model_result *h = &res.m[FC_HISTORICAL];
			/* θ (S + R): Var = (1 + τ²) (Var S + Var R) + τ² (E S + E R)²;
			 * the range that of the lognormal with that mean and
			 * variance (bookings are positive and skewed) */
			double mean = ev + rr_mean, z[6] = {-Z90, Z90, -Z95, -Z75, Z75, Z95};
			int64_t *qv[6] = {&h->p10, &h->p90, &h->p05, &h->p25, &h->p75, &h->p95};
			static const int lvl[6] = {1, 1, 2, 0, 0, 2};

			h->expected = round_minor(mean);
			h->p50 = round_minor(mean);
			/* each range with the period factor widened by Student's t at
			 * its own level (τ² is the 80 % range's) */
			for (i = 0; i < 6; i++) {
				double tw = fc_t_widen(hm.cal.nu, lvl[i]) / fc_t_widen(hm.cal.nu, 1),
				       t2 = hm.tau2 * tw * tw,
				       sdl = sqrt((1 + t2) * (var + rr_var) + t2 * mean * mean);

				*qv[i] = round_minor(fc_lognormal_q(mean, sdl, z[i]));
			}
		}
		/* a scope of few deals: its outcome is lumpy, so historical's
		 * range is the draws' (forecast.h, "Small scopes") */
		if ((models & (1u << FC_SIMULATION)) || n < FC_SMALL_DEALS) {
			int it = q->iterations ? q->iterations : FC_DEFAULT_ITERATIONS;
			double sum = 0;
			struct fc_model_result *sm = &res.m[FC_SIMULATION];

			totals = malloc((size_t)it * sizeof(*totals));
			if (!totals || fc_simulate(amount, prob, n, rr_mean, rr_var, hm.tau2, it, q->seed,
						   nthreads, totals, &res.exact_deals, &res.tail_bound))
				goto oom;
			/* the ranks of P5, P10, P25, P50, P75, P90, P95 */
			const size_t rank[7] = {
				(size_t)(5 * it + 99) / 100 - 1,  (size_t)(it + 9) / 10 - 1,
				(size_t)(25 * it + 99) / 100 - 1, (size_t)(it + 1) / 2 - 1,
				(size_t)(75 * it + 99) / 100 - 1, (size_t)(9 * it + 9) / 10 - 1,
				(size_t)(95 * it + 99) / 100 - 1};

			for (i = 0; i < it; i++)
				sum += totals[i];
			select_doubles(totals, 0, (size_t)it - 1, rank, 7);
			sm->expected = round_minor(sum / it);
			sm->p05 = round_minor(totals[rank[0]]);
			sm->p10 = round_minor(totals[rank[1]]);
			sm->p25 = round_minor(totals[rank[2]]);
			sm->p50 = round_minor(totals[rank[3]]);
			sm->p75 = round_minor(totals[rank[4]]);
			sm->p90 = round_minor(totals[rank[5]]);
			sm->p95 = round_minor(totals[rank[6]]);
			if (n < FC_SMALL_DEALS) {
				struct fc_model_result *h = &res.m[FC_HISTORICAL];

				h->p10 = sm->p10;
				h->p90 = sm->p90;
				h->p05 = sm->p05;
				h->p25 = sm->p25;
				h->p75 = sm->p75;
				h->p95 = sm->p95;
				res.range_from_draws = 1;
			}
			if (!(models & (1u << FC_SIMULATION))) {
				res.exact_deals = 0;
				res.tail_bound = 0;
			}
		}
	}

	/* the deals contributing most */
	want_top = q->top < 0 ? 0 : q->top ? q->top : FC_DEFAULT_TOP;
	if (w && want_top && pl.window) {
		top = malloc((size_t)want_top * sizeof(*top));
		if (!top)
			goto oom;
		for (x = 0; x < n; x++) {
			const struct odeal *o = &wk[0].open[x];
			struct topd cand;

			if (prob) {
				cand.p = prob[x];
			} else if (o->close_day < pl.dF || o->close_day >= pl.dT) {
				continue;
			} else if (models & (1u << FC_WEIGHTED)) {
				cand.p = o->pos == AN_NONE ? 0
					 : a->pipelines[a->pipeline[o->slot]].prob[o->pos] / 100.0;
			} else {
				cand.p = o->fcat == AN_FC_COMMIT || o->fcat == AN_FC_CLOSED;
			}
			cand.contrib = (double)o->amount * cand.p;
			cand.o = o;
			if (cand.contrib <= 0)
				continue;
			if (ntop == want_top && !top_before(&cand, &top[ntop - 1], a))
				continue;
			if (ntop < want_top)
				ntop++;
			for (i = ntop - 1; i > 0 && top_before(&cand, &top[i - 1], a); i--)
				top[i] = top[i - 1];
			top[i] = cand;
		}
	}

	if (w) {
		char t[TIME_ISO_LEN], d[11];

		jw_obj(w);
		jw_kstr(w, "period", q->period);
		time_date((time_t)pl.F, d);
		jw_kstr(w, "from", d);
		time_date((time_t)pl.T - 1, d);
		jw_kstr(w, "to", d);
		time_iso((time_t)res.as_of, t);
		jw_kstr(w, "as_of", t);
		jw_key(w, "scope");
		jw_obj(w);
		jw_kstr(w, "kind", scope_names[q->scope.kind]);
		jw_key(w, "id");
		if (q->scope.id)
			jw_int(w, q->scope.id);
		else
			jw_null(w);
		jw_kstr(w, "name", scope_name);
		jw_obj_end(w);
		jw_kstr(w, "currency", res.currency);
		jw_kint(w, "excluded_other_currency", res.excluded_other_currency);
		put_money(w, "closed_won", res.closed_won, digits);
		jw_kint(w, "open_deals", res.open_deals);
		put_money(w, "open_amount", res.open_amount, digits);
		jw_key(w, "models");
		jw_obj(w);
		for (k = 0; k < FC_NMODELS; k++) {
			if (!(models & (1u << k)))
				continue;
			model_json(w, &res, k, digits);
			if (k == FC_HISTORICAL) {
				jw_key(w, "basis");
				jw_obj(w);
				jw_kint(w, "comparable_periods", pl.nsnaps);
				jw_key(w, "points");
				jw_obj(w);
				jw_key(w, "scope");
				jw_double(w, fitted ? hm.points[0] / RW_UNIT : 0);
				jw_key(w, "parent");
				jw_double(w, fitted ? hm.points[1] / RW_UNIT : 0);
				jw_key(w, "company");
				jw_double(w, fitted ? hm.points[2] / RW_UNIT : 0);
				jw_obj_end(w);
				jw_key(w, "period_sd");
				jw_double(w, res.period_sd);
				jw_kint(w, "periods_measured", res.periods_measured);
				jw_key(w, "calibration");
				jw_obj(w);
				jw_kstr(w, "basis", fc_basis_names[fitted ? res.basis : FC_BASIS_PRIOR]);
				jw_kint(w, "periods_measured", res.periods_measured);
				jw_kint(w, "periods_checked", res.periods_checked);
				jw_kint(w, "periods_held", res.periods_held);
				jw_obj_end(w);
				jw_obj_end(w);
			}
			if (k == FC_SIMULATION) {
				jw_kint(w, "iterations", q->iterations ? q->iterations
								       : FC_DEFAULT_ITERATIONS);
				jw_key(w, "seed");
				{
					char sd[24];

					snprintf(sd, sizeof(sd), "%llu", (unsigned long long)q->seed);
					jw_raw(w, sd);
				}
				jw_kint(w, "exact_deals", (long long)res.exact_deals);
				jw_kint(w, "normal_deals", (long long)(pl.train ? n : 0) -
							   (long long)res.exact_deals);
				jw_key(w, "tail_error_bound");
				jw_double(w, res.tail_bound);
			}
			jw_obj_end(w);
		}
		jw_obj_end(w);
		jw_key(w, "top");
		jw_arr(w);
		for (i = 0; i < ntop; i++) {
			const struct odeal *o = top[i].o;
			const struct an_pipeline *pp = &a->pipelines[a->pipeline[o->slot]];
			const struct an_owner *ow = &a->owners[a->owner[o->slot]];
			struct stmt *s;

			jw_obj(w);
			jw_kint(w, "id", a->id[o->slot]);
			s = store_prepare(st, "SELECT name FROM opportunities WHERE id = ?", e);
			if (!s) {
				rc = E_INTERNAL;
				goto out;
			}
			stmt_bind_int(s, 1, a->id[o->slot]);
			rc = stmt_step(s, e);
			jw_kstr(w, "name", !rc && stmt_row(s) ? stmt_text(s, 0) : NULL);
			stmt_done(s);
			if (rc)
				goto out;
			jw_kint(w, "owner_id", ow->user_id);
			jw_kstr(w, "owner", ow->name);
			jw_kstr(w, "stage", o->pos == AN_NONE ? NULL : a->keys.s[pp->key[o->pos]]);
			jw_kstr(w, "stage_name", o->pos == AN_NONE ? NULL : pp->stage_name[o->pos]);
			put_money(w, "amount", o->amount, digits);
			put_day(w, "close_date", o->close_day);
			jw_kstr(w, "forecast_category", o->fcat < AN_NFCAT ? an_fcat_names[o->fcat]
									 : NULL);
			jw_key(w, "probability");
			jw_double(w, top[i].p);
			put_money(w, "expected", round_minor(top[i].contrib), digits);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		definitions(w);
		jw_obj_end(w);
	}
	if (out)
		*out = res;
	rc = OK;
	goto out;
oom:
	rc = fail(e, E_INTERNAL, "out of memory");
out:
	work_release(&wk[0]);
	hmodel_release(&hm);
	free(amount);
	free(prob);
	free(totals);
	free(top);
	return rc;
}

int forecast_compute(struct analytics *a, struct store *st, const struct principal *p,
		     const struct fc_query *q, struct fc_result *out, struct jw *w,
		     struct err *e)
{
	struct fc_batch *b;
	int rc = fc_batch_run(a, st, p, q, 1, &b, e);

	if (rc)
		return rc;
	rc = fc_batch_result(b, 0, NULL, out, w, e);
	fc_batch_free(b);
	return rc;
}
