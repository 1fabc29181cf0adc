/*
 * forecast_accuracy.c — how good the forecasts were: the accuracy report
 * over stored snapshots, and the backtest that replays as_of forecasts from
 * the stored history (see forecast_process.h for the definitions).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/timeutil.h"
#include "forecast_process_int.h"

#define WEEK (7 * 86400)

/* --- figures --------------------------------------------------------------- */

void fp_stats_add(struct fp_stats *s, int64_t forecast, int64_t actual, int has_interval,
		  int64_t lo, int64_t hi)
{
	s->n++;
	s->sum_abs_error += fabs((double)(forecast - actual));
	s->sum_actual += fabs((double)actual);
	if (actual != 0) {
		double d = (double)(forecast - actual) / (double)actual;

		s->n_ape++;
		s->sum_ape += fabs(d);
		s->sum_bias += d;
	}
	if (has_interval) {
		s->n_interval++;
		s->n_inside += lo <= actual && actual <= hi;
	}
}

double fp_stats_mape(const struct fp_stats *s)
{
	return s->n_ape ? s->sum_ape / s->n_ape : NAN;
}

double fp_stats_bias(const struct fp_stats *s)
{
	return s->n_ape ? s->sum_bias / s->n_ape : NAN;
}

/* Weighted APE: the errors over the actuals, pooled, so a scope whose
 * actual was nearly nothing does not swamp the figure as it does MAPE. */
double fp_stats_wape(const struct fp_stats *s)
{
	return s->sum_actual > 0 ? s->sum_abs_error / s->sum_actual : NAN;
}

double fp_stats_coverage(const struct fp_stats *s)
{
	return s->n_interval ? (double)s->n_inside / s->n_interval : NAN;
}

static void jw_kdouble(struct jw *w, const char *k, double v)
{
	jw_key(w, k);
	jw_double(w, v); /* NAN writes null */
}

/* error, ape, bias and inside of one forecast against the actual. */
static void compare_json(struct jw *w, int64_t f, int64_t actual, int has_interval,
			 int64_t lo, int64_t hi, const char *cur)
{
	fp_jw_money(w, "error", f - actual, cur);
	jw_kdouble(w, "ape", actual ? fabs((double)(f - actual) / (double)actual) : NAN);
	jw_kdouble(w, "bias", actual ? (double)(f - actual) / (double)actual : NAN);
	jw_key(w, "inside");
	if (has_interval)
		jw_bool(w, lo <= actual && actual <= hi);
	else
		jw_null(w);
}

static void stats_json(struct jw *w, const struct fp_stats *s)
{
	jw_kint(w, "n", s->n);
	jw_kdouble(w, "mape", fp_stats_mape(s));
	jw_kdouble(w, "bias", fp_stats_bias(s));
	jw_kdouble(w, "wape", fp_stats_wape(s));
	jw_kdouble(w, "coverage", fp_stats_coverage(s));
}

/* The scope / user_id / team_id parameters of a report over one scope: as
 * fp_parse_scope_params, and a user or team scope must name its id. */
static int report_scope(struct store *st, const struct principal *p, const char *kind,
			const char *uid, const char *tid, struct fp_scope *sc, int *has_kind,
			struct err *e)
{
	int rc = fp_parse_scope_params(st, p, kind, uid, tid, sc, has_kind, e);

	if (rc)
		return rc;
	if (e && e->nfields)
		return E_INVAL;
	if (*has_kind && sc->kind == FP_USER && !sc->id)
		return err_field(e, "user_id", "is required with scope user");
	if (*has_kind && sc->kind == FP_TEAM && !sc->id)
		return err_field(e, "team_id", "is required with scope team");
	return OK;
}

/* --- accuracy ---------------------------------------------------------------- */

/* A snapshot row, in the order the report reads them. */
#define SNAP_SQL                                                                             \
	"SELECT s.scope, s.scope_id, s.source, s.submitter_id, coalesce(u.name, ''), s.week, " \
	"s.as_of, s.currency, s.total, s.p10, s.p90, s.commit_amount, s.best_case, "          \
	"s.submission_id FROM forecast_snapshots s LEFT JOIN users u ON u.id = "              \
	"s.submitter_id WHERE s.period = ?1 AND (?2 IS NULL OR (s.scope = ?2 AND "            \
	"s.scope_id = ?3)) AND (?4 IS NULL OR s.source = ?4) AND %s ORDER BY CASE s.scope WHEN " \
	"'company' THEN 0 WHEN 'team' THEN 1 ELSE 2 END, s.scope_id, s.currency, CASE "       \
	"s.source WHEN 'weighted' THEN 0 WHEN 'categories' THEN 1 WHEN 'historical' THEN 2 "   \
	"WHEN 'simulation' THEN 3 ELSE 4 END, s.submitter_id, s.week"

struct acc {
	struct analytics *a;
	struct store *st;
	const struct principal *p;
	const char *period;
	struct jw *w;
	/* the group open in the JSON */
	int in_scope, in_source;
	char scope[8], source[16], currency[4];
	long long scope_id, submitter;
	int64_t actual;
	struct fp_stats stats;
};

static void close_source(struct acc *c)
{
	if (!c->in_source)
		return;
	jw_arr_end(c->w); /* weeks */
	stats_json(c->w, &c->stats);
	jw_obj_end(c->w);
	c->in_source = 0;
}

static void close_scope(struct acc *c)
{
	close_source(c);
	if (!c->in_scope)
		return;
	jw_arr_end(c->w); /* forecasts */
	jw_obj_end(c->w);
	c->in_scope = 0;
}

static int open_scope(struct acc *c, const char *kind, long long id, const char *cur,
		      struct err *e)
{
	struct fp_scope sc = {FP_COMPANY, id};
	struct fc_result r;
	char name[128];
	int rc;

	close_scope(c);
	fp_kind_parse(kind, &sc.kind);
	rc = fp_scope_name(c->st, &sc, name, sizeof(name), e);
	if (!rc)
		rc = fp_compute(c->a, c->st, c->p, &sc, c->period, cur, 0, 0, 0,
				1u << FC_WEIGHTED, &r, e);
	if (rc)
		return rc;
	snprintf(c->scope, sizeof(c->scope), "%s", kind);
	snprintf(c->currency, sizeof(c->currency), "%s", cur);
	c->scope_id = id;
	c->actual = r.closed_won;
	jw_obj(c->w);
	jw_key(c->w, "scope");
	jw_obj(c->w);
	jw_kstr(c->w, "kind", kind);
	if (sc.kind == FP_COMPANY)
		jw_key(c->w, "id"), jw_null(c->w);
	else
		jw_kint(c->w, "id", id);
	jw_kstr(c->w, "name", name);
	jw_obj_end(c->w);
	jw_kstr(c->w, "currency", cur);
	fp_jw_money(c->w, "actual", c->actual, cur);
	jw_key(c->w, "forecasts");
	jw_arr(c->w);
	c->in_scope = 1;
	return OK;
}

static void open_source(struct acc *c, const char *source, long long submitter,
			const char *submitter_name)
{
	close_source(c);
	snprintf(c->source, sizeof(c->source), "%s", source);
	c->submitter = submitter;
	memset(&c->stats, 0, sizeof(c->stats));
	jw_obj(c->w);
	jw_kstr(c->w, "source", source);
	if (submitter) {
		jw_kint(c->w, "submitter_id", submitter);
		jw_kstr(c->w, "submitter_name", submitter_name);
	}
	jw_key(c->w, "weeks");
	jw_arr(c->w);
	c->in_source = 1;
}

/* One snapshot row against the actual. */
static void week_json(struct acc *c, struct stmt *s)
{
	const char *cur = c->currency;
	int sub = !strcmp(c->source, "submission");
	int64_t f = stmt_int(s, 8), lo, hi;
	int has;

	/* submissions: commit .. best case; models: P10 .. P90 when claimed */
	has = sub ? !stmt_null(s, 12) : !stmt_null(s, 9) && !stmt_null(s, 10);
	lo = sub ? stmt_int(s, 11) : stmt_int(s, 9);
	hi = sub ? stmt_int(s, 12) : stmt_int(s, 10);
	fp_stats_add(&c->stats, f, c->actual, has, lo, hi);
	jw_obj(c->w);
	jw_kstr(c->w, "week", stmt_text(s, 5));
	jw_kstr(c->w, "as_of", stmt_text(s, 6));
	fp_jw_money(c->w, "forecast", f, cur);
	if (has) {
		fp_jw_money(c->w, sub ? "commit" : "p10", lo, cur);
		fp_jw_money(c->w, sub ? "best_case" : "p90", hi, cur);
	}
	if (sub && !stmt_null(s, 13))
		jw_kint(c->w, "submission_id", stmt_int(s, 13));
	compare_json(c->w, f, c->actual, has, lo, hi, cur);
	jw_obj_end(c->w);
}

int fp_accuracy(struct analytics *a, struct store *st, const struct principal *p,
		const struct kv *q, int n, time_t now, struct jw *w, struct err *e)
{
	const char *period = NULL, *kind = NULL, *uid = NULL, *tid = NULL, *source = NULL;
	struct acc c;
	struct fp_scope sc;
	struct buf sql = BUF_INIT;
	struct stmt *s;
	char per[8], end[11];
	uint32_t from = 0, to = 0;
	int i, m, has_kind, rc;

	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *v = q[i].v;

		if (!strcmp(k, "period"))
			period = fp_parse_period(v, k, per, &from, &to, e) ? NULL : per;
		else if (!strcmp(k, "scope"))
			kind = v;
		else if (!strcmp(k, "user_id"))
			uid = v;
		else if (!strcmp(k, "team_id"))
			tid = v;
		else if (!strcmp(k, "source")) {
			for (m = 0; m < FC_NMODELS && strcmp(v, fc_model_names[m]); m++)
				;
			if (m < FC_NMODELS || !strcmp(v, "submission"))
				source = v;
			else
				err_field(e, k, "must be weighted, categories, historical, "
						"simulation or submission");
		} else
			err_field(e, k, "is not a parameter of the accuracy report");
	}
	if (!period && !(e && e->nfields))
		err_field(e, "period", "is required: a quarter (2026-Q4) or a month (2026-11)");
	if (period && (time_t)to > now) {
		time_date((time_t)to - 86400, end);
		err_field(e, "period", "has not closed yet: it ends on %s", end);
	}
	rc = report_scope(st, p, kind, uid, tid, &sc, &has_kind, e);
	if (rc)
		return rc;

	memset(&c, 0, sizeof(c));
	c.a = a;
	c.st = st;
	c.p = p;
	c.period = period;
	c.w = w;
	buf_printf(&sql, SNAP_SQL, fp_visible_sql(p));
	s = store_prepare(st, sql.data, e);
	buf_release(&sql);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, period);
	stmt_bind_text(s, 2, has_kind ? fp_kind_names[sc.kind] : NULL);
	stmt_bind_int(s, 3, sc.id);
	stmt_bind_text(s, 4, source);
	fp_visible_bind(s, p);
	jw_obj(w);
	jw_kstr(w, "period", period);
	fp_jw_time(w, "from", from);
	fp_jw_time(w, "to", to);
	jw_kstr(w, "actual", "closed-won in the period, as the database says now");
	jw_kstr(w, "forecast", "each weekly snapshot's total (models: closed-won so far plus "
			       "expected further bookings; submissions: commit); the first week "
			       "is the first snapshot of the period");
	jw_key(w, "scopes");
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		const char *k = stmt_text(s, 0), *src = stmt_text(s, 2), *cur = stmt_text(s, 7);
		long long id = stmt_int(s, 1), subm = stmt_int(s, 3);

		if (!c.in_scope || strcmp(c.scope, k) || c.scope_id != id || strcmp(c.currency, cur))
			if ((rc = open_scope(&c, k, id, cur, e)))
				break;
		if (!c.in_source || strcmp(c.source, src) || c.submitter != subm)
			open_source(&c, src, subm, stmt_text(s, 4));
		week_json(&c, s);
	}
	stmt_done(s);
	if (rc)
		return rc;
	close_scope(&c);
	jw_arr_end(w);
	jw_obj_end(w);
	return OK;
}

/* --- backtest ------------------------------------------------------------------ */

/* The period after `p` ("2026-Q4" → "2027-Q1", "2026-12" → "2027-01"). */
static void period_next(const char *p, char out[8])
{
	unsigned y = (unsigned)atoi(p), k;

	if (p[5] == 'Q') {
		k = (unsigned)(p[6] - '0');
		snprintf(out, 8, "%04u-Q%u", (k == 4 ? y + 1 : y) % 10000u, k == 4 ? 1 : k + 1);
	} else {
		k = (unsigned)atoi(p + 5);
		snprintf(out, 8, "%04u-%02u", (k == 12 ? y + 1 : y) % 10000u, k == 12 ? 1 : k + 1);
	}
}

struct bt_point {
	char period[8];
	long long scope_id;
	enum fp_kind kind;
	int week;
	time_t as_of;
	char currency[4];
	int64_t actual;
	int64_t f[FC_NMODELS], lo[FC_NMODELS], hi[FC_NMODELS];
	int64_t qs[FC_NMODELS][4];  /* historical, simulation: p05 p25 p75 p95 */
	int basis, measured;        /* historical: its calibration's basis, periods */
};

/* --- coverage by scope size ------------------------------------------------ */

void fp_wilson(int k, int n, double *lo, double *hi)
{
	const double z = 1.959963984540054;
	double p, d, c, h;

	if (n <= 0) {
		*lo = *hi = NAN;
		return;
	}
	p = (double)k / n;
	d = 1 + z * z / n;
	c = (p + z * z / (2.0 * n)) / d;
	h = z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / d;
	*lo = c - h < 0 ? 0 : c - h;
	*hi = c + h > 1 ? 1 : c + h;
}

const double fp_nominal[FP_NLEVELS] = {0.5, 0.8, 0.9};
static const char *const level_names[FP_NLEVELS] = {"P25-P75", "P10-P90", "P05-P95"};

/* Whether p's range of level l (0: P25–P75, 1: P10–P90, 2: P05–P95) of
 * model m held the actual. */
static int held(const struct bt_point *p, int m, int l)
{
	int64_t lo = l == 0 ? p->qs[m][1] : l == 1 ? p->lo[m] : p->qs[m][0],
		hi = l == 0 ? p->qs[m][2] : l == 1 ? p->hi[m] : p->qs[m][3];

	return lo <= p->actual && p->actual <= hi;
}

/* The coverage table: per scope kind (company, team, user) and the two
 * models with a range, how many forecasts each level's range held; groups
 * counts the (period, scope) pairs, the independent units (a period's
 * as_of points are alike). */
static void coverage_add(struct fp_cover c[3][2], const struct bt_point *pt, int npt)
{
	int i, m, l;

	memset(c, 0, 3 * 2 * sizeof(c[0][0]));
	for (i = 0; i < npt; i++) {
		const struct bt_point *p = &pt[i];

		for (m = 0; m < 2; m++) {
			struct fp_cover *x = &c[p->kind][m];

			x->n++;
			if (p->week == 0 || i == 0 || strcmp(pt[i - 1].period, p->period) ||
			    pt[i - 1].scope_id != p->scope_id || pt[i - 1].kind != p->kind)
				x->groups++;
			for (l = 0; l < FP_NLEVELS; l++)
				x->inside[l] += held(p, FC_HISTORICAL + m, l);
		}
	}
}

static const char *const kind_label[3] = {"rep", "team", "company"};
static const int kind_order[3] = {FP_COMPANY, FP_TEAM, FP_USER};


/* Whole units, rounded: tables are wide enough as it is. */
static void fmt_money(char *out, size_t n, int64_t minor, const char *cur)
{
	int d = money_digits(cur);
	int64_t unit = 1;

	while (d-- > 0)
		unit *= 10;
	snprintf(out, n, "%lld",
		 (long long)((minor >= 0 ? minor + unit / 2 : minor - unit / 2) / unit));
}

static void pct(char *out, size_t n, double v)
{
	if (isnan(v))
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.1f%%", 100 * v);
}

static void print_tables(FILE *out, const struct fp_backtest_opts *o, const struct bt_point *pt,
			 int npt, struct fp_stats all[FC_NMODELS], struct fp_stats *byweek,
			 double seconds)
{
	char a[32], f[32], m1[16], m2[16], m3[16], m4[16];
	int i, m, k;

	fprintf(out, "Backtest %s .. %s: %d scope%s, as_of at each period's start and %d "
		     "week%s after; %d forecasts per model (%.1f s)\n\n",
		o->from, o->to, o->nscopes, o->nscopes == 1 ? "" : "s", o->weeks - 1,
		o->weeks == 2 ? "" : "s", npt, seconds);
	if (!o->quiet) {
		fprintf(out, "%-8s %-10s %-9s %14s", "period", "as_of", "scope", "actual");
		for (m = 0; m < FC_NMODELS; m++)
			fprintf(out, " %14s %6s", fc_model_names[m], "APE");
		fputc('\n', out);
		for (i = 0; i < npt; i++) {
			const struct bt_point *p = &pt[i];
			char d[11], sc[16];

			time_date(p->as_of, d);
			snprintf(sc, sizeof(sc), "%s%s%lld", fp_kind_names[p->kind],
				 p->kind == FP_COMPANY ? "" : ":",
				 p->kind == FP_COMPANY ? 0 : p->scope_id);
			if (p->kind == FP_COMPANY)
				snprintf(sc, sizeof(sc), "company");
			fmt_money(a, sizeof(a), p->actual, p->currency);
			fprintf(out, "%-8s %-10s %-9s %14s", p->period, d, sc, a);
			for (m = 0; m < FC_NMODELS; m++) {
				fmt_money(f, sizeof(f), p->f[m], p->currency);
				pct(m1, sizeof(m1),
				    p->actual ? fabs((double)(p->f[m] - p->actual)) / (double)p->actual
					      : NAN);
				fprintf(out, " %14s %6s", f, m1);
			}
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	fprintf(out, "%-12s %8s %8s %8s %10s %6s\n", "model", "MAPE", "bias", "WAPE", "P10-P90",
		"n");
	for (m = 0; m < FC_NMODELS; m++) {
		pct(m1, sizeof(m1), fp_stats_mape(&all[m]));
		pct(m2, sizeof(m2), fp_stats_bias(&all[m]));
		pct(m4, sizeof(m4), fp_stats_wape(&all[m]));
		pct(m3, sizeof(m3), fp_stats_coverage(&all[m]));
		fprintf(out, "%-12s %8s %8s %8s %10s %6d\n", fc_model_names[m], m1, m2, m4, m3,
			all[m].n);
	}
	{
		struct fp_cover c[3][2];
		int j, l;

		coverage_add(c, pt, npt);
		fprintf(out, "\nCoverage by scope: share of forecasts whose range held the actual, "
			     "[95%% Wilson interval]\n(a period's as_of points are alike: `groups`, "
			     "the periods × scopes, is the independent count)\n");
		fprintf(out, "%-8s %-8s %-11s %5s %6s", "scope", "period", "model", "n", "groups");
		for (l = 0; l < FP_NLEVELS; l++)
			fprintf(out, "  %-20s", level_names[l]);
		fputc('\n', out);
		for (j = 0; j < 3; j++)
			for (m = 0; m < 2; m++) {
				const struct fp_cover *x = &c[kind_order[j]][m];

				if (!x->n)
					continue;
				fprintf(out, "%-8s %-8s %-11s %5d %6d", kind_label[kind_order[j]],
					o->from[5] == 'Q' ? "quarter" : "month",
					fc_model_names[FC_HISTORICAL + m], x->n, x->groups);
				for (l = 0; l < FP_NLEVELS; l++) {
					double lo, hi;
					char cell[40];

					fp_wilson(x->inside[l], x->n, &lo, &hi);
					snprintf(cell, sizeof(cell), "%.1f%% [%.1f, %.1f]",
						 100.0 * x->inside[l] / x->n, 100 * lo, 100 * hi);
					fprintf(out, "  %-20s", cell);
				}
				fputc('\n', out);
			}
		fprintf(out, "%-35s", "nominal");
		for (l = 0; l < FP_NLEVELS; l++)
			fprintf(out, "  %-20.0f", 100 * fp_nominal[l]);
		fputc('\n', out);
	}
	fprintf(out, "\nMAPE by as_of (weeks after the period's start)\n%-12s", "model");
	for (k = 0; k < o->weeks; k++)
		fprintf(out, " %7s%d", "+", k);
	fputc('\n', out);
	for (m = 0; m < FC_NMODELS; m++) {
		fprintf(out, "%-12s", fc_model_names[m]);
		for (k = 0; k < o->weeks; k++) {
			pct(m1, sizeof(m1), fp_stats_mape(&byweek[k * FC_NMODELS + m]));
			fprintf(out, " %8s", m1);
		}
		fputc('\n', out);
	}
}

/* The JSON answer into o->w, else to out. */
static void print_json(FILE *out, const struct fp_backtest_opts *o, const struct bt_point *pt,
		       int npt, struct fp_stats all[FC_NMODELS], struct fp_stats *byweek,
		       double seconds)
{
	struct buf b = BUF_INIT;
	struct jw own, *w = o->w ? o->w : &own;
	int i, m, k;

	if (!o->w)
		jw_init(&own, &b);
	jw_obj(w);
	jw_kstr(w, "from", o->from);
	jw_kstr(w, "to", o->to);
	jw_kint(w, "weeks", o->weeks);
	jw_kdouble(w, "seconds", seconds);
	jw_key(w, "summary");
	jw_obj(w);
	for (m = 0; m < FC_NMODELS; m++) {
		jw_key(w, fc_model_names[m]);
		jw_obj(w);
		stats_json(w, &all[m]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_key(w, "by_week");
	jw_arr(w);
	for (k = 0; k < o->weeks; k++) {
		jw_obj(w);
		jw_kint(w, "week", k);
		for (m = 0; m < FC_NMODELS; m++) {
			jw_key(w, fc_model_names[m]);
			jw_obj(w);
			stats_json(w, &byweek[k * FC_NMODELS + m]);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "coverage");
	jw_arr(w);
	{
		struct fp_cover c[3][2];
		int j, l;

		coverage_add(c, pt, npt);
		for (j = 0; j < 3; j++)
			for (m = 0; m < 2; m++) {
				const struct fp_cover *x = &c[kind_order[j]][m];

				if (!x->n)
					continue;
				jw_obj(w);
				jw_kstr(w, "scope", kind_label[kind_order[j]]);
				jw_kstr(w, "period_kind", o->from[5] == 'Q' ? "quarter" : "month");
				jw_kstr(w, "model", fc_model_names[FC_HISTORICAL + m]);
				jw_kint(w, "n", x->n);
				jw_kint(w, "groups", x->groups);
				jw_key(w, "levels");
				jw_arr(w);
				for (l = 0; l < FP_NLEVELS; l++) {
					double lo, hi;

					fp_wilson(x->inside[l], x->n, &lo, &hi);
					jw_obj(w);
					jw_kstr(w, "range", level_names[l]);
					jw_kdouble(w, "nominal", fp_nominal[l]);
					jw_kint(w, "inside", x->inside[l]);
					jw_kdouble(w, "observed", (double)x->inside[l] / x->n);
					jw_kdouble(w, "ci_low", lo);
					jw_kdouble(w, "ci_high", hi);
					jw_obj_end(w);
				}
				jw_arr_end(w);
				jw_obj_end(w);
			}
	}
	jw_arr_end(w);
	jw_key(w, "points");
	jw_arr(w);
	for (i = 0; i < npt; i++) {
		const struct bt_point *p = &pt[i];

		jw_obj(w);
		jw_kstr(w, "period", p->period);
		jw_kstr(w, "scope", fp_kind_names[p->kind]);
		if (p->kind == FP_COMPANY)
			jw_key(w, "scope_id"), jw_null(w);
		else
			jw_kint(w, "scope_id", p->scope_id);
		jw_kint(w, "week", p->week);
		fp_jw_time(w, "as_of", p->as_of);
		jw_kstr(w, "currency", p->currency);
		fp_jw_money(w, "actual", p->actual, p->currency);
		for (m = 0; m < FC_NMODELS; m++) {
			int has = fp_model_has_interval(m);

			jw_key(w, fc_model_names[m]);
			jw_obj(w);
			fp_jw_money(w, "forecast", p->f[m], p->currency);
			if (has) {
				fp_jw_money(w, "p10", p->lo[m], p->currency);
				fp_jw_money(w, "p90", p->hi[m], p->currency);
				fp_jw_money(w, "p05", p->qs[m][0], p->currency);
				fp_jw_money(w, "p25", p->qs[m][1], p->currency);
				fp_jw_money(w, "p75", p->qs[m][2], p->currency);
				fp_jw_money(w, "p95", p->qs[m][3], p->currency);
			}
			if (m == FC_HISTORICAL) {
				jw_key(w, "calibration");
				jw_obj(w);
				jw_kstr(w, "basis", fc_basis_names[p->basis]);
				jw_kint(w, "periods_measured", p->measured);
				jw_obj_end(w);
			}
			compare_json(w, p->f[m], p->actual, has, p->lo[m], p->hi[m], p->currency);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	if (!o->w)
		fprintf(out, "%s\n", b.data);
	buf_release(&b);
}

/* One (period, scope) of the backtest: its as_of points, in order. */
struct bt_group {
	char period[8];
	uint32_t from, to;
	const struct fp_scope *scope;
	struct bt_point *pt; /* weeks slots */
	int npt;
};

struct bt_run {
	struct analytics *a;
	const char *db;
	const struct fp_backtest_opts *o;
	struct bt_group *g;
	int ng;
	pthread_mutex_t mu;
	int next, rc;   /* the next scope to take; the first failure */
	struct err e;
};

/* Replay every group of one scope from one batch of the engine (they share
 * their comparable points): per group its as_of points and, as of now, its
 * actual.  The first as_of of a group fixes the currency, in which the
 * others and the actual are then read. */
static int bt_scope_run(struct bt_run *run, struct store *st, const struct principal *sys,
			int scope, struct err *e)
{
	const struct fp_backtest_opts *o = run->o;
	struct fc_query *q = NULL;
	struct fc_batch *b = NULL;
	int *first = NULL, i, k, m, nq = 0, rc = OK;

	q = calloc((size_t)run->ng * (size_t)(o->weeks + 1), sizeof(*q));
	first = calloc((size_t)run->ng, sizeof(*first));
	if (!q || !first) {
		rc = fail(e, E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < run->ng; i++) {
		const struct bt_group *g = &run->g[i];

		if (g->scope != &o->scopes[scope])
			continue;
		first[i] = nq;
		for (k = 0; k <= o->weeks; k++) {
			time_t as_of = (time_t)g->from + (time_t)k * WEEK;
			struct fc_query *x = &q[nq];

			if (k < o->weeks && as_of >= (time_t)g->to)
				continue;
			snprintf(x->period, sizeof(x->period), "%s", g->period);
			x->from = g->from;
			x->to = g->to;
			fp_scope_engine(g->scope, &x->scope);
			if (k == o->weeks) { /* the actual: as of now */
				x->models = 1u << FC_WEIGHTED;
			} else {
				x->as_of = (uint32_t)as_of;
				x->iterations = o->iterations;
				x->seed = o->seed;
			}
			x->top = -1;
			nq++;
		}
	}
	rc = fc_batch_run(run->a, st, sys, q, nq, &b, e);
	if (rc)
		goto out;
	for (i = 0; i < run->ng && !rc; i++) {
		struct bt_group *g = &run->g[i];
		int nw = 0, j = first[i];
		char cur[4];
		struct fc_result r, act;

		if (g->scope != &o->scopes[scope])
			continue;
		while (nw < o->weeks && (time_t)g->from + (time_t)nw * WEEK < (time_t)g->to)
			nw++;
		snprintf(cur, sizeof(cur), "%s", o->currency);
		for (k = 0; k < nw; k++) {
			struct bt_point *p = &g->pt[k];

			rc = fc_batch_result(b, j + k, cur, &r, NULL, e);
			if (rc)
				break;
			if (k == 0) {
				snprintf(cur, sizeof(cur), "%s", r.currency);
				rc = fc_batch_result(b, j + nw, cur, &act, NULL, e);
				if (rc)
					break;
			}
			memset(p, 0, sizeof(*p));
			snprintf(p->period, sizeof(p->period), "%s", g->period);
			p->kind = g->scope->kind;
			p->scope_id = g->scope->id;
			p->week = k;
			p->as_of = (time_t)g->from + (time_t)k * WEEK;
			snprintf(p->currency, sizeof(p->currency), "%s", cur);
			p->actual = act.closed_won;
			for (m = 0; m < FC_NMODELS; m++) {
				p->f[m] = r.closed_won + r.m[m].expected;
				p->lo[m] = r.closed_won + r.m[m].p10;
				p->hi[m] = r.closed_won + r.m[m].p90;
				p->qs[m][0] = r.closed_won + r.m[m].p05;
				p->qs[m][1] = r.closed_won + r.m[m].p25;
				p->qs[m][2] = r.closed_won + r.m[m].p75;
				p->qs[m][3] = r.closed_won + r.m[m].p95;
			}
			p->basis = r.basis;
			p->measured = r.periods_measured;
			g->npt = k + 1;
		}
	}
out:
	fc_batch_free(b);
	free(q);
	free(first);
	return rc;
}

/* A worker: takes scopes until none is left or one failed.  Each worker
 * has its own connection (the engine reads the change feed through it). */
static void *bt_worker(void *arg)
{
	struct bt_run *run = arg;
	struct principal sys;
	struct store *st = NULL;
	struct err e;
	int i, rc;

	err_clear(&e);
	principal_system(&sys);
	rc = store_open(run->db, STORE_READONLY, &st, &e);
	for (;;) {
		pthread_mutex_lock(&run->mu);
		if (rc && !run->rc) {
			run->rc = rc;
			run->e = e;
		}
		i = run->rc ? run->o->nscopes : run->next++;
		pthread_mutex_unlock(&run->mu);
		if (i >= run->o->nscopes)
			break;
		rc = bt_scope_run(run, st, run->o->p ? run->o->p : &sys, i, &e);
	}
	store_close(st);
	principal_release(&sys);
	return NULL;
}

int fp_backtest(struct analytics *a, struct store *st, const struct fp_backtest_opts *o,
		FILE *out, struct err *e)
{
	struct fp_stats all[FC_NMODELS], *byweek = NULL;
	struct bt_point *pt = NULL, *flat = NULL;
	struct bt_group *g = NULL;
	struct bt_run run;
	pthread_t th[8];
	char period[8];
	int ng = 0, npt = 0, i, k, m, rc = OK, nth, started = 0;
	uint32_t from, to;
	double t0 = time_mono();

	if (forecast_period(o->from, &from, &to) || forecast_period(o->to, &from, &to) ||
	    (o->from[5] == 'Q') != (o->to[5] == 'Q'))
		return fail(e, E_INVAL, "--from and --to must be both quarters or both months");
	if (strcmp(o->from, o->to) > 0)
		return fail(e, E_INVAL, "--from %s is after --to %s", o->from, o->to);
	if ((time_t)to > o->now)
		return fail(e, E_INVAL, "--to %s has not closed yet", o->to);
	if (o->weeks < 1 || o->weeks > 13 || o->nscopes < 1)
		return fail(e, E_INVAL, "--weeks must be 1..13, and a scope is needed");

	/* the groups, periods in order then scopes */
	snprintf(period, sizeof(period), "%s", o->from);
	for (k = 0; k < 1200; k++) {
		struct bt_group *x = realloc(g, (size_t)(ng + o->nscopes) * sizeof(*g));

		if (!x) {
			rc = fail(e, E_INTERNAL, "out of memory");
			goto out;
		}
		g = x;
		forecast_period(period, &from, &to);
		for (i = 0; i < o->nscopes; i++, ng++) {
			memset(&g[ng], 0, sizeof(g[ng]));
			snprintf(g[ng].period, sizeof(g[ng].period), "%s", period);
			g[ng].from = from;
			g[ng].to = to;
			g[ng].scope = &o->scopes[i];
		}
		if (!strcmp(period, o->to))
			break;
		period_next(period, period);
	}
	pt = calloc((size_t)ng * (size_t)o->weeks, sizeof(*pt));
	flat = calloc((size_t)ng * (size_t)o->weeks, sizeof(*flat));
	byweek = calloc((size_t)o->weeks * FC_NMODELS, sizeof(*byweek));
	if (!pt || !flat || !byweek) {
		rc = fail(e, E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < ng; i++)
		g[i].pt = pt + (size_t)i * (size_t)o->weeks;

	/* replay: scopes are independent (each one batch of the engine), so
	 * workers share them out; the figures are added up afterwards, in
	 * order, so they do not depend on who ran what */
	memset(&run, 0, sizeof(run));
	run.a = a;
	run.db = store_path(st);
	run.o = o;
	run.g = g;
	run.ng = ng;
	pthread_mutex_init(&run.mu, NULL);
	nth = o->threads > 0 ? o->threads : 1;
	if (nth > 8)
		nth = 8;
	if (nth > o->nscopes)
		nth = o->nscopes;
	for (i = 0; i < nth; i++)
		if (!pthread_create(&th[i], NULL, bt_worker, &run))
			started++;
	if (!started)
		bt_worker(&run);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&run.mu);
	if (run.rc) {
		rc = run.rc;
		if (e)
			*e = run.e;
		goto out;
	}

	memset(all, 0, sizeof(all));
	for (i = 0; i < ng; i++)
		for (k = 0; k < g[i].npt; k++) {
			const struct bt_point *p = &g[i].pt[k];

			flat[npt++] = *p;
			for (m = 0; m < FC_NMODELS; m++) {
				int has = fp_model_has_interval(m);

				fp_stats_add(&all[m], p->f[m], p->actual, has, p->lo[m], p->hi[m]);
				fp_stats_add(&byweek[k * FC_NMODELS + m], p->f[m], p->actual, has,
					     p->lo[m], p->hi[m]);
			}
		}
	if (o->json || o->w)
		print_json(out, o, flat, npt, all, byweek, time_mono() - t0);
	else
		print_tables(out, o, flat, npt, all, byweek, time_mono() - t0);
out:
	free(flat);
	free(pt);
	free(g);
	free(byweek);
	return rc;
}

/* Periods from..to, both quarters or both months: how many (0: not so). */
static int period_span(const char *from, const char *to)
{
	char p[8];
	int n = 1;

	if ((from[5] == 'Q') != (to[5] == 'Q') || strcmp(from, to) > 0)
		return 0;
	snprintf(p, sizeof(p), "%s", from);
	while (strcmp(p, to) && n < 10000) {
		period_next(p, p);
		n++;
	}
	return n;
}

#define BT_MAX_PERIODS 36

int fp_backtest_query(struct analytics *a, struct store *st, const struct principal *p,
		      const struct kv *q, int n, time_t now, struct jw *w, struct err *e)
{
	const char *kind = NULL, *uid = NULL, *tid = NULL, *from = NULL, *to = NULL;
	char f[8], t[8], end[11], *x;
	struct fp_backtest_opts o;
	struct fp_scope sc;
	uint32_t f0, f1, t0 = 0, t1 = 0;
	int i, has_kind, rc;
	long long v;

	if (!principal_is_admin(p) && p->role != ROLE_MANAGER)
		return fail(e, E_FORBIDDEN, "the backtest is for managers and admins");
	memset(&o, 0, sizeof(o));
	o.weeks = 4;
	o.seed = 1;
	for (i = 0; i < n; i++) {
		const char *k = q[i].k, *val = q[i].v ? q[i].v : "";

		if (!strcmp(k, "from"))
			from = fp_parse_period(val, k, f, &f0, &f1, e) ? NULL : f;
		else if (!strcmp(k, "to"))
			to = fp_parse_period(val, k, t, &t0, &t1, e) ? NULL : t;
		else if (!strcmp(k, "scope"))
			kind = val;
		else if (!strcmp(k, "user_id"))
			uid = val;
		else if (!strcmp(k, "team_id"))
			tid = val;
		else if (!strcmp(k, "weeks")) {
			v = strtoll(val, &x, 10);
			if (!*val || *x || v < 1 || v > 13)
				err_field(e, k, "must be an integer from 1 to 13");
			else
				o.weeks = (int)v;
		} else if (!strcmp(k, "iterations")) {
			v = strtoll(val, &x, 10);
			if (!*val || *x || v < 100 || v > FC_MAX_ITERATIONS)
				err_field(e, k, "must be an integer from 100 to %d", FC_MAX_ITERATIONS);
			else
				o.iterations = (int)v;
		} else if (!strcmp(k, "seed")) {
			unsigned long long s = strtoull(val, &x, 10);

			if (*val < '0' || *val > '9' || *x || strlen(val) > 20)
				err_field(e, k, "must be an integer from 0 to 18446744073709551615");
			else
				o.seed = s;
		} else if (!strcmp(k, "currency")) {
			if (strlen(val) != 3 || money_digits(val) < 0)
				err_field(e, k, "must be an ISO 4217 code such as EUR");
			else
				snprintf(o.currency, sizeof(o.currency), "%s", val);
		} else {
			err_field(e, k, "is not a parameter of the backtest (from, to, scope, user_id, "
					"team_id, weeks, iterations, seed, currency)");
		}
	}
	if (!from && !(e && e->nfields))
		err_field(e, "from", "is required: a quarter (2024-Q4) or a month (2024-10)");
	if (!to && !(e && e->nfields))
		err_field(e, "to", "is required: a quarter (2026-Q3) or a month (2026-09)");
	if (from && to) {
		int span = period_span(from, to);

		if (!span)
			err_field(e, "to", "must be a period of the same kind as from (quarters or "
					   "months), not before it");
		else if (span > BT_MAX_PERIODS)
			err_field(e, "to", "at most %d periods from `from`", BT_MAX_PERIODS);
	}
	if (to && (time_t)t1 > now) {
		time_date((time_t)t1 - 86400, end);
		err_field(e, "to", "has not closed yet: it ends on %s", end);
	}
	rc = report_scope(st, p, kind, uid, tid, &sc, &has_kind, e);
	if (rc)
		return rc;
	snprintf(o.from, sizeof(o.from), "%s", from);
	snprintf(o.to, sizeof(o.to), "%s", to);
	o.scopes = &sc;
	o.nscopes = 1;
	o.now = now;
	o.threads = 1;
	o.p = p;
	o.w = w;
	return fp_backtest(a, st, &o, NULL, e);
}
