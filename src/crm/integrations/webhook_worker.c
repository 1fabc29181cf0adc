/*
 * webhook_worker.c — the thread of `funnel serve` that delivers webhook
 * events (webhook.h).
 *
 *   start ──► loop: deliver what is due (a batch), then wait a second
 *               │   (at once again when the batch was full)
 *               └─► stop: the attempt in hand finishes, the thread is joined
 *
 * It has its own database connection.  Each attempt's outcome is a short
 * transaction of its own written after the request, so no request to a slow
 * endpoint ever holds the database.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/httpc.h"
#include "core/log.h"
#include "webhook.h"

#define BATCH 32

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int running;
	volatile int stop;
	long backoff;
	char db[4096];
} W = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *run(void *arg)
{
	struct store *st;
	struct err e;
	int n;

	(void)arg;
	err_clear(&e);
	if (store_for_thread(W.db, &st, &e)) {
		log_error("webhooks: cannot open %s: %s", W.db, e.msg);
		return NULL;
	}
	while (!W.stop) {
		err_clear(&e);
		if (webhook_deliver_due(st, BATCH, W.backoff, &W.stop, &n, &e))
			log_warn("webhooks: %s", e.msg);
		if (n == BATCH && !W.stop)
			continue;
		pthread_mutex_lock(&W.lock);
		if (!W.stop) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			while (!W.stop && pthread_cond_timedwait(&W.cond, &W.lock, &until) != ETIMEDOUT)
				;
		}
		pthread_mutex_unlock(&W.lock);
	}
	return NULL;
}

int webhook_worker_start(const char *db_path, long backoff, struct err *e)
{
	if (W.running)
		return OK;
	if (httpc_init())
		return fail(e, E_INTERNAL, "cannot initialise libcurl");
	snprintf(W.db, sizeof(W.db), "%s", db_path);
	W.stop = 0;
	W.backoff = backoff;
	if (pthread_create(&W.thread, NULL, run, NULL))
		return fail(e, E_INTERNAL, "cannot start the webhook worker");
	W.running = 1;
	return OK;
}

void webhook_worker_stop(void)
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
