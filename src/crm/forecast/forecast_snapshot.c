/*
 * forecast_snapshot.c — weekly snapshots of every model and every current
 * submission, and the job of `funnel serve` that takes them (see
 * forecast_process.h).
 *
 * The forecasts are computed first, outside any transaction (each call takes
 * the index's read lock for itself, so requests go on between scopes); the
 * rows are then written in one transaction, INSERT OR IGNORE on the week's
 * unique key, so a CLI run and the server's job racing for the same week
 * write it once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "forecast_process_int.h"

struct snap_row {
	enum fp_kind kind;
	long long scope_id;
	char source[16];
	long long submitter_id, submission_id;
	char currency[4];
	int64_t closed_won, total;
	int has_interval, has_categories;
	int64_t p10, p50, p90, commit, best_case, pipeline;
	long long open_deals;
};

struct snap {
	struct snap_row *r;
	int n, cap;
};

static struct snap_row *snap_add(struct snap *s, struct err *e)
{
	if (s->n == s->cap) {
		struct snap_row *r = realloc(s->r, (size_t)(s->cap = s->cap ? s->cap * 2 : 64) *
							   sizeof(*r));
		if (!r) {
			fail(e, E_INTERNAL, "out of memory");
			return NULL;
		}
		s->r = r;
	}
	memset(&s->r[s->n], 0, sizeof(s->r[0]));
	return &s->r[s->n++];
}

/* The scopes of a snapshot: the company, every team, every active rep and
 * anyone with a personal submission for the period. */
static int load_scopes(struct store *st, const char *period, struct fp_scope **out, int *n,
		       struct err *e)
{
	struct stmt *s = store_prepare(
		st,
		"SELECT 2, 0 UNION ALL SELECT 1, id FROM teams UNION ALL SELECT 0, id FROM users "
		"WHERE (active = 1 AND role = 'rep') OR id IN (SELECT scope_id FROM "
		"forecast_submissions WHERE period = ? AND scope = 'user') ORDER BY 1 DESC, 2",
		e);
	int rc, cap = 0;

	*out = NULL;
	*n = 0;
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, period);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (*n == cap) {
			struct fp_scope *x = realloc(*out, (size_t)(cap = cap ? cap * 2 : 64) *
								   sizeof(*x));
			if (!x) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			*out = x;
		}
		(*out)[*n].kind = (enum fp_kind)stmt_int(s, 0);
		(*out)[(*n)++].id = stmt_int(s, 1);
	}
	stmt_done(s);
	return rc;
}

static int model_rows(struct snap *sn, const struct fp_scope *sc, const struct fc_result *r,
		      struct err *e)
{
	int m;

	for (m = 0; m < FC_NMODELS; m++) {
		const struct fc_model_result *x = &r->m[m];
		struct snap_row *row;

		if (!(r->models & (1u << m)))
			continue;
		row = snap_add(sn, e);
		if (!row)
			return E_INTERNAL;
		row->kind = sc->kind;
		row->scope_id = sc->id;
		snprintf(row->source, sizeof(row->source), "%s", fc_model_names[m]);
		snprintf(row->currency, sizeof(row->currency), "%s", r->currency);
		row->closed_won = r->closed_won;
		row->total = r->closed_won + x->expected;
		row->has_interval = fp_model_has_interval(m);
		row->p10 = r->closed_won + x->p10;
		row->p50 = r->closed_won + x->p50;
		row->p90 = r->closed_won + x->p90;
		row->has_categories = m == FC_CATEGORIES;
		row->commit = x->commit;
		row->best_case = x->best_case;
		row->pipeline = x->pipeline;
		row->open_deals = r->open_deals;
	}
	return OK;
}

/* Every submission current at as_of: the latest of each (scope, submitter). */
static int submission_rows(struct store *st, struct snap *sn, const char *period,
			   const char *as_of, struct err *e)
{
	struct stmt *s = store_prepare(
		st,
		"SELECT s.scope, s.scope_id, s.submitter_id, s.id, s.currency, s.commit_amount, "
		"s.best_case FROM forecast_submissions s WHERE s.period = ?1 AND s.id = (SELECT "
		"max(x.id) FROM forecast_submissions x WHERE x.period = ?1 AND x.scope = s.scope "
		"AND x.scope_id = s.scope_id AND x.submitter_id = s.submitter_id AND "
		"x.submitted_at <= ?2) ORDER BY s.id",
		e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, period);
	stmt_bind_text(s, 2, as_of);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		struct snap_row *row = snap_add(sn, e);

		if (!row) {
			rc = E_INTERNAL;
			break;
		}
		fp_kind_parse(stmt_text(s, 0), &row->kind);
		row->scope_id = stmt_int(s, 1);
		snprintf(row->source, sizeof(row->source), "submission");
		row->submitter_id = stmt_int(s, 2);
		row->submission_id = stmt_int(s, 3);
		snprintf(row->currency, sizeof(row->currency), "%s", stmt_text(s, 4));
		row->total = row->commit = stmt_int(s, 5);
		row->best_case = stmt_int(s, 6);
		row->has_categories = 1;
	}
	stmt_done(s);
	return rc;
}

static int write_rows(struct store *st, const struct snap *sn, const char *period,
		      const char *week, const char *as_of, const char *taken, struct err *e)
{
	int i, rc;

	rc = store_begin(st, e);
	for (i = 0; !rc && i < sn->n; i++) {
		const struct snap_row *r = &sn->r[i];
		struct stmt *s = store_prepare(
			st,
			"INSERT OR IGNORE INTO forecast_snapshots (period, week, as_of, taken_at, "
			"scope, scope_id, source, submitter_id, submission_id, currency, "
			"closed_won, total, p10, p50, p90, commit_amount, best_case, pipeline, "
			"open_deals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			e);

		if (!s) {
			rc = E_INTERNAL;
			break;
		}
		stmt_bind_text(s, 1, period);
		stmt_bind_text(s, 2, week);
		stmt_bind_text(s, 3, as_of);
		stmt_bind_text(s, 4, taken);
		stmt_bind_text(s, 5, fp_kind_names[r->kind]);
		stmt_bind_int(s, 6, r->scope_id);
		stmt_bind_text(s, 7, r->source);
		stmt_bind_int(s, 8, r->submitter_id);
		if (r->submission_id)
			stmt_bind_int(s, 9, r->submission_id);
		stmt_bind_text(s, 10, r->currency);
		stmt_bind_int(s, 11, r->closed_won);
		stmt_bind_int(s, 12, r->total);
		if (r->has_interval) {
			stmt_bind_int(s, 13, r->p10);
			stmt_bind_int(s, 14, r->p50);
			stmt_bind_int(s, 15, r->p90);
		}
		if (r->has_categories) {
			stmt_bind_int(s, 16, r->commit);
			stmt_bind_int(s, 17, r->best_case);
			if (strcmp(r->source, "submission"))
				stmt_bind_int(s, 18, r->pipeline);
		}
		if (strcmp(r->source, "submission"))
			stmt_bind_int(s, 19, r->open_deals);
		rc = stmt_step(s, e);
		stmt_done(s);
	}
	if (!rc)
		return store_commit(st, e);
	store_rollback(st);
	return rc;
}

static int snapshot_period(struct analytics *a, struct store *st, const char *period,
			   time_t as_of, const struct fp_snapshot_opts *o, long long *rows,
			   struct err *e)
{
	struct principal sys;
	struct fp_scope *scopes = NULL;
	struct snap sn = {NULL, 0, 0};
	char week[9], at[TIME_ISO_LEN], taken[TIME_ISO_LEN];
	long long one;
	int found, i, nscopes = 0, rc;

	fp_iso_week(as_of, week);
	rc = store_int(st, &one, &found, e,
		       "SELECT 1 FROM forecast_snapshots WHERE week = ? AND period = ? LIMIT 1",
		       "tt", week, period);
	if (rc || found)
		return rc;
	principal_system(&sys);
	time_iso(as_of, at);
	rc = load_scopes(st, period, &scopes, &nscopes, e);
	for (i = 0; !rc && i < nscopes; i++) {
		struct fc_result r;

		if (o->stop && *o->stop) {
			rc = fail(e, E_UNAVAILABLE, "stopped");
			break;
		}
		rc = fp_compute(a, st, &sys, &scopes[i], period, NULL, as_of, o->iterations, 0,
				0, &r, e);
		if (rc == E_NOTFOUND) { /* not in the index (yet): nothing to forecast */
			err_clear(e);
			rc = OK;
			continue;
		}
		if (!rc)
			rc = model_rows(&sn, &scopes[i], &r, e);
	}
	if (!rc)
		rc = submission_rows(st, &sn, period, at, e);
	time_iso(time_now(), taken);
	if (!rc && !(o->stop && *o->stop))
		rc = write_rows(st, &sn, period, week, at, taken, e);
	if (!rc && rows)
		*rows += sn.n;
	free(sn.r);
	free(scopes);
	principal_release(&sys);
	return rc;
}

int fp_snapshot(struct analytics *a, struct store *st, const struct fp_snapshot_opts *o,
		long long *rows, struct err *e)
{
	time_t as_of = o->as_of ? o->as_of : time_now();
	char quarter[8], month[8];
	uint32_t f, t;
	int rc;

	if (rows)
		*rows = 0;
	if (o->period) {
		if (forecast_period(o->period, &f, &t))
			return err_field(e, "period", "must be a quarter (2026-Q4) or a month (2026-11)");
		return snapshot_period(a, st, o->period, as_of, o, rows, e);
	}
	fp_period_of(as_of, quarter, month);
	rc = snapshot_period(a, st, quarter, as_of, o, rows, e);
	if (!rc)
		rc = snapshot_period(a, st, month, as_of, o, rows, e);
	return rc;
}

/* --- the job of funnel serve --------------------------------------------------- */

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int running;
	volatile int stop;
	int interval;
	char db[4096];
} job = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Sleep up to `seconds`, or until stop. */
static void job_wait(int seconds)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&job.mu);
	while (!job.stop && pthread_cond_timedwait(&job.cv, &job.mu, &until) == 0)
		;
	pthread_mutex_unlock(&job.mu);
}

static void *job_main(void *arg)
{
	struct fp_snapshot_opts o;
	struct analytics *a;
	struct store *st;
	struct err e;
	long long rows;

	(void)arg;
	memset(&o, 0, sizeof(o));
	o.stop = &job.stop;
	while (!job.stop) {
		err_clear(&e);
		if (store_for_thread(job.db, &st, &e) || analytics_ready(1000, &a, &e)) {
			if (e.code != E_UNAVAILABLE)
				log_warn("forecast snapshot: %s", e.msg);
			job_wait(e.code == E_UNAVAILABLE ? 1 : job.interval);
			continue;
		}
		o.as_of = time_now();
		if (fp_snapshot(a, st, &o, &rows, &e)) {
			if (!job.stop)
				log_warn("forecast snapshot: %s", e.msg);
		} else if (rows) {
			char week[9];

			fp_iso_week(o.as_of, week);
			log_info("forecast snapshot of %s taken: %lld rows", week, rows);
		}
		job_wait(job.interval);
	}
	return NULL;
}

int fp_job_start(const char *db_path, int interval, struct err *e)
{
	snprintf(job.db, sizeof(job.db), "%s", db_path);
	job.interval = interval > 0 ? interval : 3600;
	job.stop = 0;
	if (pthread_create(&job.thread, NULL, job_main, NULL))
		return fail(e, E_INTERNAL, "cannot start the forecast snapshot job");
	job.running = 1;
	return OK;
}

void fp_job_stop(void)
{
	if (!job.running)
		return;
	pthread_mutex_lock(&job.mu);
	job.stop = 1;
	pthread_cond_broadcast(&job.cv);
	pthread_mutex_unlock(&job.mu);
	pthread_join(job.thread, NULL);
	job.running = 0;
}
