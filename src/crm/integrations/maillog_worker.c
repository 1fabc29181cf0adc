/*
 * maillog_worker.c — the thread of `funnel serve --imap URL` that reads the
 * BCC mailbox (maillog.h).
 *
 *   every interval: STATUS (UIDVALIDITY) ─► UID SEARCH UID last+1:* ─►
 *     each new UID in order: fetch, maillog_ingest() as the system, then
 *     remember the UID (one short transaction each)
 *
 * The place reached is kept per mailbox in maillog_mailbox, so a restart
 * goes on where it stopped; a mailbox whose UIDVALIDITY changed (recreated)
 * is read again from the start, and what was logged already is recognised
 * by its Message-ID.  A message that cannot be fetched or stored stops the
 * pass (it is tried again next time); one that is not mail is skipped, with a
 * warning in the log.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/imapc.h"
#include "core/log.h"
#include "maillog.h"

#define TIMEOUT_MS 30000
#define MAX_MESSAGE (25 << 20) /* what mail servers commonly take */
#define MAX_PASS 500           /* messages per pass, so the rest waits its turn */

/* url without "user:password@", for the log and the state row */
static void public_url(const char *url, char *out, size_t n)
{
	const char *at = strchr(url, '@'), *scheme = strstr(url, "://");

	if (at && scheme && at > scheme)
		snprintf(out, n, "%.*s%s", (int)(scheme + 3 - url), url, at + 1);
	else
		snprintf(out, n, "%s", url);
}

/* The mailbox the URL's path names ("INBOX" when none). */
static void mailbox_of(const char *url, char *out, size_t n)
{
	const char *p = strstr(url, "://");
	size_t len;

	p = p ? strchr(p + 3, '/') : NULL;
	if (!p || !p[1]) {
		snprintf(out, n, "INBOX");
		return;
	}
	len = strcspn(p + 1, "/;?");
	snprintf(out, n, "%.*s", (int)len, p + 1);
}

static int uidvalidity(const char *url, const char *mailbox, long long *out, struct err *e)
{
	struct buf b = BUF_INIT;
	char cmd[300], why[256], base[2048];
	const char *v;
	const char *p = strstr(url, "://");
	int rc = OK;

	/* STATUS runs outside a mailbox: the URL without its path */
	p = p ? strchr(p + 3, '/') : NULL;
	snprintf(base, sizeof(base), "%.*s/", p ? (int)(p - url) : (int)strlen(url), url);
	snprintf(cmd, sizeof(cmd), "STATUS \"%s\" (UIDVALIDITY)", mailbox);
	if (imapc_request(base, cmd, TIMEOUT_MS, 1 << 16, &b, why))
		rc = fail(e, E_UNAVAILABLE, "the mailbox does not answer: %s", why);
	else if (buf_add(&b, "", 1), !(v = strstr(b.data, "UIDVALIDITY ")))
		rc = fail(e, E_UNAVAILABLE, "the mailbox gave no UIDVALIDITY");
	else
		*out = strtoll(v + 12, NULL, 10);
	buf_release(&b);
	return rc;
}

int maillog_poll(struct store *st, const char *url, int *taken, struct err *e)
{
	char pub[2048], mailbox[256], cmd[64], why[256], one[2400];
	struct buf b = BUF_INIT, msg = BUF_INIT;
	long long validity = 0, stored = -1, last = 0, uid;
	struct principal sys;
	int found = 0, rc, n = 0;
	char *p, *end;

	*taken = 0;
	public_url(url, pub, sizeof(pub));
	mailbox_of(url, mailbox, sizeof(mailbox));
	if ((rc = uidvalidity(url, mailbox, &validity, e)))
		return rc;
	if (store_int(st, &stored, &found, e,
		      "SELECT uidvalidity FROM maillog_mailbox WHERE url = ?", "t", pub))
		return e->code;
	if (found && stored == validity &&
	    store_int(st, &last, &found, e, "SELECT last_uid FROM maillog_mailbox WHERE url = ?",
		      "t", pub))
		return e->code;
	if (!found || stored != validity) {
		if (found)
			log_warn("maillog: %s was recreated (UIDVALIDITY %lld, was %lld): reading it "
				 "again",
				 pub, validity, stored);
		last = 0;
		if (store_run(st, e,
			      "INSERT INTO maillog_mailbox (url, uidvalidity, last_uid) VALUES (?, ?, 0) "
			      "ON CONFLICT (url) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
			      "last_uid = 0",
			      "ti", pub, validity))
			return e->code;
	}
	snprintf(cmd, sizeof(cmd), "UID SEARCH UID %lld:*", last + 1);
	if (imapc_request(url, cmd, TIMEOUT_MS, 1 << 20, &b, why)) {
		buf_release(&b);
		return fail(e, E_UNAVAILABLE, "cannot search %s: %s", pub, why);
	}
	buf_add(&b, "", 1);
	principal_system(&sys);
	rc = OK;
	/* "* SEARCH 4 5 9"; n:* answers the last message even when it is older */
	for (p = strstr(b.data, "SEARCH"); p && !rc && n < MAX_PASS; p = end) {
		struct maillog_result r;
		struct err ie;

		p += strcspn(p, "0123456789\r\n");
		if (*p < '0' || *p > '9')
			break;
		uid = strtoll(p, &end, 10);
		if (uid <= last)
			continue;
		snprintf(one, sizeof(one), "%.*s/;UID=%lld", (int)strcspn(url, "?"), url, uid);
		if (imapc_request(one, NULL, TIMEOUT_MS, MAX_MESSAGE, &msg, why)) {
			rc = fail(e, E_UNAVAILABLE, "cannot fetch message %lld of %s: %s", uid, pub, why);
			break;
		}
		err_clear(&ie);
		if ((rc = maillog_ingest(st, &sys, "imap", msg.data ? msg.data : "", msg.len, &r,
					 &ie)) == E_INVAL) {
			log_warn("maillog: message %lld of %s is skipped: %s", uid, pub, ie.msg);
			rc = OK;
		} else if (rc) {
			/* the database, not the message: tried again next pass */
			*e = ie;
			break;
		} else
			log_info("maillog: message %lld of %s: %s, %d activities", uid, pub, r.status,
				 r.activities);
		if ((rc = store_run(st, e, "UPDATE maillog_mailbox SET last_uid = ? WHERE url = ?",
				    "it", uid, pub)))
			break;
		last = uid;
		n++;
	}
	*taken = n;
	buf_release(&b);
	buf_release(&msg);
	return rc;
}

/* --- the thread --------------------------------------------------------- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int running;
	volatile int stop;
	long interval;
	char db[4096], url[2048];
} W = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *run(void *arg)
{
	struct store *st;
	struct err e;
	int n;

	(void)arg;
	err_clear(&e);
	if (store_for_thread(W.db, &st, &e)) {
		log_error("maillog: cannot open %s: %s", W.db, e.msg);
		return NULL;
	}
	while (!W.stop) {
		err_clear(&e);
		if (maillog_poll(st, W.url, &n, &e))
			log_warn("maillog: %s", e.msg);
		pthread_mutex_lock(&W.lock);
		if (!W.stop) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += n == MAX_PASS ? 0 : W.interval;
			while (!W.stop && pthread_cond_timedwait(&W.cond, &W.lock, &until) != ETIMEDOUT)
				;
		}
		pthread_mutex_unlock(&W.lock);
	}
	return NULL;
}

int maillog_worker_start(const char *db_path, const char *url, long interval, struct err *e)
{
	if (W.running || !url)
		return OK;
	maillog_init();
	snprintf(W.db, sizeof(W.db), "%s", db_path);
	snprintf(W.url, sizeof(W.url), "%s", url);
	W.stop = 0;
	W.interval = interval;
	if (pthread_create(&W.thread, NULL, run, NULL))
		return fail(e, E_INTERNAL, "cannot start the mailbox reader");
	W.running = 1;
	return OK;
}

void maillog_worker_stop(void)
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
