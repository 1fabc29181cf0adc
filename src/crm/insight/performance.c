/*
 * performance.c — fair performance evaluation (see performance.h).
 *
 * Every active rep of the company is loaded, because peers are company-wide;
 * five grouped queries (quotas, deals closed in the period, open deals due in
 * it, activities done in it, deals created in it) fill their figures; C then
 * chooses each rep's segment, computes the segment's statistics and writes
 * the reps the caller may see.  Rows are grouped by currency in SQL so that
 * the report's currency can be chosen after reading them once.
 */
#include "performance.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/money.h"
#include "crm/records/user.h"

/* --- statistics ------------------------------------------------------------ */

double perf_mean(const double *v, int n)
{
	double sum = 0;
	int i;

	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++)
		sum += v[i];
	return sum / n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double perf_median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double perf_percentile(const double *v, int n, double x)
{
	int i, below = 0, equal = 0;

	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (v[i] < x)
			below++;
		else if (v[i] == x)
			equal++;
	}
	return 100.0 * (below + equal / 2.0) / n;
}

int perf_zscore(const double *v, int n, double x, double *z)
{
	double mean, ss = 0, sd;
	int i;

	if (n < 2)
		return -1;
	mean = perf_mean(v, n);
	for (i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	sd = sqrt(ss / n);
	/* equal values can leave rounding dust in ss: call that no spread */
	if (!(sd > 1e-12 * (fabs(mean) + 1)))
		return -1;
	*z = (x - mean) / sd;
	return 0;
}

int perf_period_bounds(const char *period, char from[11], char to[11])
{
	int y, m, months;

	if (!period || !quota_period_valid(period))
		return -1;
	y = atoi(period);
	if (period[5] == 'Q') {
		m = (period[6] - '1') * 3 + 1;
		months = 3;
	} else {
		m = atoi(period + 5);
		months = 1;
	}
	snprintf(from, 11, "%04u-%02u-01", (unsigned)y % 10000u, (unsigned)m % 100u);
	m += months;
	if (m > 12) {
		m -= 12;
		y++;
	}
	snprintf(to, 11, "%04u-%02u-01", (unsigned)y % 10000u, (unsigned)m % 100u);
	return 0;
}

/* --- figures ----------------------------------------------------------------- */

enum fig {
	F_QUOTA,
	F_CLOSED_WON,
	F_ATTAINMENT,
	F_WEIGHTED,
	F_COVERAGE,
	F_WIN_RATE,
	F_CYCLE,
	F_ACTIVITIES,
	F_NEW_OPPS,
	NFIG
};

static const struct {
	const char *name;
	int money;
	const char *better;
} figs[NFIG] = {
	{"quota", 1, "higher"},         {"closed_won", 1, "higher"},
	{"attainment", 0, "higher"},    {"weighted_pipeline", 1, "higher"},
	{"coverage", 0, "higher"},      {"win_rate", 0, "higher"},
	{"cycle_days", 0, "lower"},     {"activities", 0, "higher"},
	{"new_opportunities", 0, "higher"},
};

static const char *const activity_types[] = {"call", "meeting", "email", "task", "note"};
#define NACT 5

enum level { L_TIC, L_TC, L_C, L_ALL };
static const char *const level_names[] = {"territory+industry+channel", "territory+channel",
					  "channel", "all"};

struct rep {
	long long id;
	char *name, *territory, *industry, *channel;
	int visible;
	/* raw, in the report's currency unless said */
	int has_quota;
	long long quota, won_amount, weighted_x100; /* amount × probability */
	int won, lost, excluded, new_opps, acts[NACT];
	double cycle_sum;
	/* figures */
	int has[NFIG];
	double val[NFIG];
	long long money[NFIG]; /* exact minor units of the money figures */
	enum level level;
	int seg_n;
};

/* A grouped row, before the currency is known. */
struct row {
	long long owner, sum;
	int kind; /* 'w' won, 'l' lost, 'o' open in period */
	char currency[8];
	int n;
	double cycle;
};

struct perf {
	struct store *st;
	struct rep *reps; /* by id */
	int nreps;
	struct row *rows;
	int nrows, caprows;
	char from[11], to[11], from_iso[TIME_ISO_LEN], to_iso[TIME_ISO_LEN];
	char currency[8];
	int digits, excluded_deals, excluded_quotas;
};

static void perf_release(struct perf *f)
{
	int i;

	for (i = 0; i < f->nreps; i++) {
		free(f->reps[i].name);
		free(f->reps[i].territory);
		free(f->reps[i].industry);
		free(f->reps[i].channel);
	}
	free(f->reps);
	free(f->rows);
}

static struct rep *rep_find(struct perf *f, long long id)
{
	int lo = 0, hi = f->nreps - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (f->reps[mid].id == id)
			return &f->reps[mid];
		if (f->reps[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int load_reps(struct perf *f, const struct principal *p, struct err *e)
{
	struct stmt *s = store_prepare(f->st,
				       "SELECT id, name, territory, industry, channel FROM users "
				       "WHERE role = 'rep' AND active = 1 ORDER BY id",
				       e);
	int rc, cap = 0;

	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		struct rep *r;

		if (f->nreps == cap) {
			cap = cap ? cap * 2 : 32;
			r = realloc(f->reps, (size_t)cap * sizeof(*r));
			if (!r) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			f->reps = r;
		}
		r = &f->reps[f->nreps++];
		memset(r, 0, sizeof(*r));
		r->id = stmt_int(s, 0);
		r->name = dup_or_null(stmt_text(s, 1));
		r->territory = dup_or_null(stmt_text(s, 2));
		r->industry = dup_or_null(stmt_text(s, 3));
		r->channel = dup_or_null(stmt_text(s, 4));
		/* a rep sees their own figures only, even if principal_sees_owner
		 * grew wider one day */
		r->visible = p->role == ROLE_REP ? r->id == p->user_id : principal_sees_owner(p, r->id);
		if (!r->name) {
			rc = fail(e, E_INTERNAL, "out of memory");
			break;
		}
	}
	stmt_done(s);
	return rc;
}

static int add_row(struct perf *f, const struct row *r, struct err *e)
{
	if (f->nrows == f->caprows) {
		int cap = f->caprows ? f->caprows * 2 : 64;
		struct row *v = realloc(f->rows, (size_t)cap * sizeof(*v));

		if (!v)
			return fail(e, E_INTERNAL, "out of memory");
		f->rows = v;
		f->caprows = cap;
	}
	f->rows[f->nrows++] = *r;
	return OK;
}

/* `sql` over the period, its two parameters bound to [from, to); NULL
 * with e set when it does not prepare. */
static struct stmt *in_period(struct perf *f, const char *sql, const char *from, const char *to,
			      struct err *e)
{
	struct stmt *s = store_prepare(f->st, sql, e);

	if (s) {
		stmt_bind_text(s, 1, from);
		stmt_bind_text(s, 2, to);
	}
	return s;
}

/* Deals closed in the period and open deals due in it, grouped. */
static int load_deals(struct perf *f, struct err *e)
{
	struct stmt *s;
	struct row r;
	int rc;

	s = in_period(f,
		      "SELECT owner_id, status, currency, sum(amount), count(*), "
		      "sum(julianday(closed_at) - julianday(created_at)) FROM opportunities "
		      "WHERE status IN ('won', 'lost') AND closed_at >= ? AND closed_at < ? "
		      "GROUP BY owner_id, status, currency",
		      f->from_iso, f->to_iso, e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		memset(&r, 0, sizeof(r));
		r.owner = stmt_int(s, 0);
		r.kind = stmt_text(s, 1)[0];
		snprintf(r.currency, sizeof(r.currency), "%s", stmt_text(s, 2));
		r.sum = stmt_int(s, 3);
		r.n = (int)stmt_int(s, 4);
		r.cycle = stmt_double(s, 5);
		if (rep_find(f, r.owner) && (rc = add_row(f, &r, e)))
			break;
	}
	stmt_done(s);
	if (rc)
		return rc;

	s = in_period(f,
		      "SELECT owner_id, currency, sum(amount * probability), count(*) "
		      "FROM opportunities WHERE status = 'open' AND close_date >= ? "
		      "AND close_date < ? GROUP BY owner_id, currency",
		      f->from, f->to, e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		memset(&r, 0, sizeof(r));
		r.owner = stmt_int(s, 0);
		r.kind = 'o';
		snprintf(r.currency, sizeof(r.currency), "%s", stmt_text(s, 1));
		r.sum = stmt_int(s, 2);
		r.n = (int)stmt_int(s, 3);
		if (rep_find(f, r.owner) && (rc = add_row(f, &r, e)))
			break;
	}
	stmt_done(s);
	return rc;
}

/* The currency most of the period's deals of reps are in (ties: the first
 * code in alphabetical order; EUR when there are none). */
static void choose_currency(struct perf *f)
{
	int i, j, best = 0;

	snprintf(f->currency, sizeof(f->currency), "EUR");
	for (i = 0; i < f->nrows; i++) {
		int n = 0;

		for (j = 0; j < f->nrows; j++)
			if (!strcmp(f->rows[i].currency, f->rows[j].currency))
				n += f->rows[j].n;
		if (n > best || (n == best && strcmp(f->rows[i].currency, f->currency) < 0)) {
			best = n;
			snprintf(f->currency, sizeof(f->currency), "%s", f->rows[i].currency);
		}
	}
}

static void fold_deals(struct perf *f)
{
	int i;

	for (i = 0; i < f->nrows; i++) {
		const struct row *r = &f->rows[i];
		struct rep *rep = rep_find(f, r->owner);
		int same = !strcmp(r->currency, f->currency);

		if (!same) {
			rep->excluded += r->n;
			if (rep->visible)
				f->excluded_deals += r->n;
		}
		switch (r->kind) {
		case 'w':
			rep->won += r->n;
			rep->cycle_sum += r->cycle;
			if (same)
				rep->won_amount += r->sum;
			break;
		case 'l':
			rep->lost += r->n;
			break;
		default:
			if (same)
				rep->weighted_x100 += r->sum;
			break;
		}
	}
}

static int load_quotas(struct perf *f, const char *period, struct err *e)
{
	struct stmt *s = store_prepare(f->st,
				       "SELECT user_id, amount, currency FROM quotas WHERE period = ?",
				       e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, period);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		struct rep *r = rep_find(f, stmt_int(s, 0));

		if (!r)
			continue;
		if (strcmp(stmt_text(s, 2), f->currency)) {
			f->excluded_quotas += r->visible;
			continue;
		}
		r->has_quota = 1;
		r->quota = stmt_int(s, 1);
	}
	stmt_done(s);
	return rc;
}

static int load_counts(struct perf *f, struct err *e)
{
	struct stmt *s;
	int rc, i;

	s = in_period(f,
		      "SELECT owner_id, type, count(*) FROM activities "
		      "WHERE done_at >= ? AND done_at < ? GROUP BY owner_id, type",
		      f->from_iso, f->to_iso, e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		struct rep *r = rep_find(f, stmt_int(s, 0));

		for (i = 0; r && i < NACT; i++)
			if (!strcmp(stmt_text(s, 1), activity_types[i]))
				r->acts[i] += (int)stmt_int(s, 2);
	}
	stmt_done(s);
	if (rc)
		return rc;

	s = in_period(f,
		      "SELECT owner_id, count(*) FROM opportunities "
		      "WHERE created_at >= ? AND created_at < ? GROUP BY owner_id",
		      f->from_iso, f->to_iso, e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		struct rep *r = rep_find(f, stmt_int(s, 0));

		if (r)
			r->new_opps = (int)stmt_int(s, 1);
	}
	stmt_done(s);
	return rc;
}

/* Money in minor units → the currency's major unit, for statistics. */
static double major(const struct perf *f, long long minor)
{
	return (double)minor / pow(10, f->digits);
}

static void set_money(struct perf *f, struct rep *r, enum fig k, long long minor)
{
	r->has[k] = 1;
	r->money[k] = minor;
	r->val[k] = major(f, minor);
}

static void set_val(struct rep *r, enum fig k, double v)
{
	r->has[k] = 1;
	r->val[k] = v;
}

static void compute_figures(struct perf *f)
{
	int i, j;

	for (i = 0; i < f->nreps; i++) {
		struct rep *r = &f->reps[i];
		/* Σ amount × probability is in hundredths of minor units:
		 * round half up to the minor unit (amounts are not negative) */
		long long weighted = (r->weighted_x100 + 50) / 100;
		int acts = 0;

		if (r->has_quota)
			set_money(f, r, F_QUOTA, r->quota);
		set_money(f, r, F_CLOSED_WON, r->won_amount);
		if (r->has_quota && r->quota > 0)
			set_val(r, F_ATTAINMENT, (double)r->won_amount / (double)r->quota);
		set_money(f, r, F_WEIGHTED, weighted);
		if (r->has_quota && r->quota - r->won_amount > 0)
			set_val(r, F_COVERAGE, (double)weighted / (double)(r->quota - r->won_amount));
		if (r->won + r->lost)
			set_val(r, F_WIN_RATE, (double)r->won / (r->won + r->lost));
		if (r->won)
			set_val(r, F_CYCLE, r->cycle_sum / r->won);
		for (j = 0; j < NACT; j++)
			acts += r->acts[j];
		set_val(r, F_ACTIVITIES, acts);
		set_val(r, F_NEW_OPPS, r->new_opps);
	}
}

/* --- segments ---------------------------------------------------------------- */

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int peers(const struct rep *a, const struct rep *b, enum level l)
{
	switch (l) {
	case L_TIC:
		return same(a->territory, b->territory) && same(a->industry, b->industry) &&
		       same(a->channel, b->channel);
	case L_TC:
		return same(a->territory, b->territory) && same(a->channel, b->channel);
	case L_C:
		return same(a->channel, b->channel);
	default:
		return 1;
	}
}

static void choose_segments(struct perf *f)
{
	int i, j;

	for (i = 0; i < f->nreps; i++) {
		struct rep *r = &f->reps[i];

		for (r->level = L_TIC; r->level < L_ALL; r->level++) {
			int n = 0;

			for (j = 0; j < f->nreps; j++)
				n += peers(r, &f->reps[j], r->level);
			if (n >= PERF_MIN_SEGMENT)
				break;
		}
		for (r->seg_n = 0, j = 0; j < f->nreps; j++)
			r->seg_n += peers(r, &f->reps[j], r->level);
	}
}

/* Four decimals are plenty for ratios and statistics, and keep the JSON
 * free of binary noise. */
static void jw_round(struct jw *w, const char *key, double v)
{
	jw_key(w, key);
	jw_double(w, round(v * 10000) / 10000);
}

static void jw_money(struct jw *w, const char *key, long long minor, int digits)
{
	jw_key(w, key);
	jw_raw(w, ""); /* separator only */
	money_format(w->b, minor, digits);
}

static void write_figure(struct perf *f, struct jw *w, const struct rep *r, enum fig k,
			 double *scratch)
{
	int j, n = 0;
	double z;

	for (j = 0; j < f->nreps; j++)
		if (f->reps[j].has[k] && peers(r, &f->reps[j], r->level))
			scratch[n++] = f->reps[j].val[k];
	jw_key(w, figs[k].name);
	jw_obj(w);
	if (!r->has[k])
		jw_kstr(w, "value", NULL);
	else if (figs[k].money)
		jw_money(w, "value", r->money[k], f->digits);
	else
		jw_round(w, "value", r->val[k]);
	jw_kstr(w, "better", figs[k].better);
	jw_kint(w, "n", n);
	if (n) {
		jw_round(w, "mean", perf_mean(scratch, n));
		/* sorts scratch, which the others do not mind */
		jw_round(w, "median", perf_median(scratch, n));
		if (r->has[k]) {
			jw_round(w, "percentile", perf_percentile(scratch, n, r->val[k]));
			if (!perf_zscore(scratch, n, r->val[k], &z))
				jw_round(w, "z", z);
			else
				jw_kstr(w, "z", NULL);
		} else {
			jw_kstr(w, "percentile", NULL);
			jw_kstr(w, "z", NULL);
		}
	} else {
		jw_kstr(w, "mean", NULL);
		jw_kstr(w, "median", NULL);
		jw_kstr(w, "percentile", NULL);
		jw_kstr(w, "z", NULL);
	}
	jw_obj_end(w);
}

static void write_rep(struct perf *f, struct jw *w, const struct rep *r, double *scratch)
{
	int k;

	jw_obj(w);
	jw_kint(w, "user_id", r->id);
	jw_kstr(w, "name", r->name);
	jw_kstr(w, "territory", r->territory);
	jw_kstr(w, "industry", r->industry);
	jw_kstr(w, "channel", r->channel);
	jw_key(w, "segment");
	jw_obj(w);
	jw_kstr(w, "level", level_names[r->level]);
	jw_kstr(w, "territory", r->level <= L_TC ? r->territory : NULL);
	jw_kstr(w, "industry", r->level == L_TIC ? r->industry : NULL);
	jw_kstr(w, "channel", r->level <= L_C ? r->channel : NULL);
	jw_kint(w, "n", r->seg_n);
	jw_obj_end(w);
	jw_kint(w, "won", r->won);
	jw_kint(w, "lost", r->lost);
	jw_kint(w, "excluded", r->excluded);
	jw_key(w, "activities_by_type");
	jw_obj(w);
	for (k = 0; k < NACT; k++)
		jw_kint(w, activity_types[k], r->acts[k]);
	jw_obj_end(w);
	jw_key(w, "figures");
	jw_obj(w);
	for (k = 0; k < NFIG; k++)
		write_figure(f, w, r, (enum fig)k, scratch);
	jw_obj_end(w);
	jw_obj_end(w);
}

static const char method[] =
	"Each figure is compared with the rep's peers in a segment: the active reps with the "
	"same territory, industry and channel when there are at least 3 of them (the rep "
	"included), else the same territory and channel, else the same channel, else "
	"everyone; segment.level says which was used and segment.n how many reps it holds. "
	"Peers are taken from the whole company; only their anonymous statistics are shown. "
	"For each figure, over the peers that have it (n): mean, median, the rep's percentile "
	"(mid-rank: 100 x (peers below + half of those equal) / n, so ties share a value and "
	"a segment of one gives 50) and z-score ((value - mean) / population standard "
	"deviation; null when all values are equal or n < 2).  A high percentile is good "
	"except for cycle_days (better: lower).  Ratios are fractions (0.75 = 75%).  Amounts "
	"are in the report's currency; deals in other currencies are excluded from amounts "
	"but counted in win_rate, cycle_days and new_opportunities; a quota in another "
	"currency counts as none.";

static int by_name(const void *a, const void *b)
{
	const struct rep *x = *(const struct rep *const *)a, *y = *(const struct rep *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->id < y->id ? -1 : x->id > y->id);
}

int performance_report(struct store *st, const struct principal *p, const char *period,
		       const char *currency, struct jw *w, struct err *e)
{
	struct perf f;
	struct rep **shown = NULL;
	double *scratch = NULL;
	char to_incl[11];
	time_t t;
	int rc, i, n = 0;

	memset(&f, 0, sizeof(f));
	f.st = st;
	if (perf_period_bounds(period, f.from, f.to))
		return err_field(e, "period", "must be a quarter (2026-Q4) or a month (2026-11)");
	snprintf(f.from_iso, sizeof(f.from_iso), "%sT00:00:00Z", f.from);
	snprintf(f.to_iso, sizeof(f.to_iso), "%sT00:00:00Z", f.to);
	time_parse_date(f.to, &t);
	time_date(t - 86400, to_incl);

	rc = load_reps(&f, p, e);
	if (!rc)
		rc = load_deals(&f, e);
	if (rc)
		goto fail;
	if (currency)
		snprintf(f.currency, sizeof(f.currency), "%s", currency);
	else
		choose_currency(&f);
	f.digits = money_digits(f.currency);
	if (f.digits < 0)
		f.digits = 2;
	fold_deals(&f);
	rc = load_quotas(&f, period, e);
	if (!rc)
		rc = load_counts(&f, e);
	if (rc)
		goto fail;
	compute_figures(&f);
	choose_segments(&f);

	scratch = malloc(((size_t)f.nreps + 1) * sizeof(*scratch));
	shown = malloc(((size_t)f.nreps + 1) * sizeof(*shown));
	if (!scratch || !shown) {
		rc = fail(e, E_INTERNAL, "out of memory");
		goto fail;
	}
	for (i = 0; i < f.nreps; i++)
		if (f.reps[i].visible)
			shown[n++] = &f.reps[i];
	qsort(shown, (size_t)n, sizeof(*shown), by_name);

	jw_obj(w);
	jw_kstr(w, "period", period);
	jw_kstr(w, "from", f.from);
	jw_kstr(w, "to", to_incl);
	jw_kstr(w, "currency", f.currency);
	jw_key(w, "excluded");
	jw_obj(w);
	jw_kint(w, "opportunities", f.excluded_deals);
	jw_kint(w, "quotas", f.excluded_quotas);
	jw_obj_end(w);
	jw_kstr(w, "method", method);
	jw_key(w, "data");
	jw_arr(w);
	for (i = 0; i < n; i++)
		write_rep(&f, w, shown[i], scratch);
	jw_arr_end(w);
	jw_obj_end(w);
fail:
	free(scratch);
	free(shown);
	perf_release(&f);
	return rc;
}
