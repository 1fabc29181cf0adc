/*
 * scoring_worker.c — the background thread of `funnel serve` that keeps
 * scores current (scoring.h).
 *
 *   start ──► loop: wait (kick, SCORING_POLL_SECONDS, or the next training)
 *               │   rescore what is owed, batch by batch
 *               │   training due? train, then rescore
 *               └─► stop: the batch in hand finishes, the thread is joined
 *
 * It has its own database connection, and each batch is a short
 * transaction of its own, so requests never wait long behind it.  A
 * training is due at start when there is no model or the newest is older
 * than `interval`, then every `interval` seconds; one that fails for want of
 * leads is tried again an interval later.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "scoring.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int running, kicked;
	volatile int stop;
	long interval;
	char db[4096];
} W = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

void scoring_worker_kick(void)
{
	pthread_mutex_lock(&W.lock);
	W.kicked = 1;
	pthread_cond_signal(&W.cond);
	pthread_mutex_unlock(&W.lock);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds until the next training is due by the newest model's age. */
static double first_training(struct store *st)
{
	int found;
	struct stmt *s;
	struct err e;
	time_t t;
	double age = -1;

	err_clear(&e);
	s = store_prepare(st, "SELECT trained_at FROM scoring_models ORDER BY id DESC LIMIT 1", &e);
	if (!s)
		return 0;
	found = !stmt_step(s, &e) && stmt_row(s);
	if (found && !time_parse_iso(stmt_text(s, 0), &t))
		age = (double)(time_now() - t);
	stmt_done(s);
	return age < 0 || age >= W.interval ? 0 : W.interval - age;
}

/* Rescore what is owed.  When this process made the change (kicked), the
 * rescore's write transaction waits for it to commit; on the timer a read
 * looks first, so an idle worker never takes the write lock. */
static void rescore(struct store *st, int kicked)
{
	struct err e;
	long long n = 0;
	double t0 = mono();
	int owed = 1;

	err_clear(&e);
	if (!kicked && (scoring_owed(st, &owed, &e) || !owed))
		return;
	if (scoring_rescore(st, &W.stop, &n, &e))
		log_warn("scoring: rescoring failed: %s", e.msg);
	else if (n)
		log_info("scoring: %lld leads rescored in %.2f s", n, mono() - t0);
}

static void train(struct store *st)
{
	struct scoring_train_result r;
	struct principal sys;
	struct err e;
	double t0 = mono();

	err_clear(&e);
	principal_system(&sys);
	if (scoring_train(st, &sys, time_now(), &r, &e)) {
		if (e.code == E_CONFLICT)
			log_info("scoring: no model trained: %s", e.msg);
		else
			log_warn("scoring: training failed: %s", e.msg);
	} else {
		log_info("scoring: model %lld trained on %lld leads in %.2f s, AUC %.3f held out, "
			 "%.3f in training",
			 r.model_id, r.n_train, mono() - t0, r.has_auc_test ? r.auc_test : 0.0,
			 r.auc_train);
	}
	principal_release(&sys);
}

static void *run(void *arg)
{
	struct store *st;
	struct err e;
	double next_train, wait;
	int kicked = 1; /* at start: whatever is owed */

	(void)arg;
	err_clear(&e);
	if (store_for_thread(W.db, &st, &e)) {
		log_error("scoring: cannot open %s: %s", W.db, e.msg);
		return NULL;
	}
	next_train = W.interval > 0 ? mono() + first_training(st) : -1;
	for (;;) {
		rescore(st, kicked);
		if (W.stop)
			break;
		if (next_train >= 0 && mono() >= next_train) {
			train(st);
			next_train = mono() + (double)W.interval;
			rescore(st, 1);
		}
		wait = SCORING_POLL_SECONDS;
		if (next_train >= 0 && next_train - mono() < wait)
			wait = next_train - mono();
		pthread_mutex_lock(&W.lock);
		if (!W.stop && !W.kicked && wait > 0) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += (time_t)wait;
			until.tv_nsec += (long)((wait - (double)(long)wait) * 1e9);
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			while (!W.stop && !W.kicked &&
			       pthread_cond_timedwait(&W.cond, &W.lock, &until) != ETIMEDOUT)
				;
		}
		kicked = W.kicked;
		W.kicked = 0;
		pthread_mutex_unlock(&W.lock);
		if (W.stop)
			break;
	}
	return NULL;
}

int scoring_worker_start(const char *db_path, long interval, struct err *e)
{
	if (W.running)
		return OK;
	snprintf(W.db, sizeof(W.db), "%s", db_path);
	W.interval = interval;
	W.stop = 0;
	W.kicked = 0;
	if (pthread_create(&W.thread, NULL, run, NULL))
		return fail(e, E_INTERNAL, "cannot start the scoring worker");
	W.running = 1;
	return OK;
}

void scoring_worker_stop(void)
{
	if (!W.running)
		return;
	pthread_mutex_lock(&W.lock);
	W.stop = 1;
	pthread_cond_signal(&W.cond);
	pthread_mutex_unlock(&W.lock);
	pthread_join(W.thread, NULL);
	W.running = 0;
}
