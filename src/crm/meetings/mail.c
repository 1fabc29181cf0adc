/*
 * mail.c — the mail outbox and its SMTP worker (meetings.h).
 *
 * A message is queued in the transaction that decides to send it, so a
 * rolled-back change mails nothing and an acknowledged one is never lost.
 * `funnel serve --smtp smtp://host:port --mail-from ADDR` starts a thread
 * that sends what is due over libcurl's SMTP, oldest first:
 *
 *   queued ──250──► sent
 *     │ ▲
 *     │ └── no answer, or 4xx: attempts + 1, next try 30 s · 2^(attempts−1),
 *     │     at most an hour apart
 *     └──── 5xx (the server refuses: a bad mailbox, a policy) ──► failed
 *
 * The invitee's mail_state follows its latest message, with the server's
 * answer as mail_error.  Without --smtp nothing is sent; the invitations
 * show as queued.
 */
#include "meetings.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/httpc.h"
#include "core/log.h"
#include "core/timeutil.h"

static char from_addr[256] = "funnel@localhost.localdomain";

void mail_set_from(const char *from)
{
	snprintf(from_addr, sizeof(from_addr), "%s", from);
}

const char *mail_from(void)
{
	return from_addr;
}

int mail_queue(struct store *st, long long meeting, long long invitee, const char *to,
	       const char *subject, const char *method, const char *message, struct err *e)
{
	char now[TIME_ISO_LEN];

	time_iso(time_now(), now);
	return store_run(st, e,
			 "INSERT INTO mail_outbox (meeting_id, invitee_id, recipient, subject, method, "
			 "message, created_at) VALUES (NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?, ?)",
			 "iittttt", meeting, invitee, to, subject, method, message, now);
}

struct reader {
	const char *p;
	size_t left;
};

static size_t on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t len = size * n < r->left ? size * n : r->left;

	memcpy(buf, r->p, len);
	r->p += len;
	r->left -= len;
	return len;
}

/* Send one message; *code is the server's last reply code (0: none). */
static int smtp_send(const char *url, const char *from, const char *to, const char *message,
		     long *code, char *why, size_t whyn)
{
	struct curl_slist *rcpt = NULL;
	struct reader r = {message, strlen(message)};
	char addr[300];
	CURLcode rc;
	CURL *c = curl_easy_init();

	*code = 0;
	if (!c) {
		snprintf(why, whyn, "cannot start a request");
		return -1;
	}
	snprintf(addr, sizeof(addr), "<%s>", to);
	rcpt = curl_slist_append(rcpt, addr);
	snprintf(addr, sizeof(addr), "<%s>", from);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &r);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code);
	if (rc != CURLE_OK)
		snprintf(why, whyn, "%s (server said %ld)", curl_easy_strerror(rc), *code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

static long backoff(int n)
{
	long s = 30;

	while (--n > 0 && s < 3600)
		s *= 2;
	return s < 3600 ? s : 3600;
}

static int record_outcome(struct store *st, long long id, long long invitee, int attempts,
			  int ok, long code, const char *why, struct err *e)
{
	char now[TIME_ISO_LEN], next[TIME_ISO_LEN];
	const char *state = ok ? "sent" : code >= 500 ? "failed" : "queued";
	time_t t = time_now();
	int rc;

	time_iso(t, now);
	time_iso(t + backoff(attempts + 1), next);
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = store_run(st, e,
		       "UPDATE mail_outbox SET state = ?, attempts = attempts + 1, next_attempt_at = ?, "
		       "last_error = ?, sent_at = ? WHERE id = ?",
		       "tttti", state, next, ok ? NULL : why, ok ? now : NULL, id);
	/* the invitee shows their newest message's fate */
	if (!rc && invitee)
		rc = store_run(st, e,
			       "UPDATE meeting_invitees SET mail_state = ?, mail_error = ? WHERE id = ? "
			       "AND NOT EXISTS (SELECT 1 FROM mail_outbox WHERE invitee_id = ? AND id > ?)",
			       "ttiii", ok ? "sent" : code >= 500 ? "failed" : "queued",
			       ok ? NULL : why, invitee, invitee, id);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
	return rc;
}

int mail_send_due(struct store *st, const char *smtp_url, const char *from, int max,
		  int *sent, struct err *e)
{
	struct due {
		long long id, invitee;
		int attempts;
		char *to, *message;
	} *list;
	char now[TIME_ISO_LEN], why[300];
	struct stmt *s;
	int n = 0, i, rc;
	long code;

	*sent = 0;
	list = calloc((size_t)max, sizeof(*list));
	if (!list)
		return fail(e, E_INTERNAL, "out of memory");
	time_iso(time_now(), now);
	s = store_prepare(st,
			  "SELECT id, coalesce(invitee_id, 0), attempts, recipient, message FROM "
			  "mail_outbox WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY id "
			  "LIMIT ?",
			  e);
	rc = s ? OK : e->code;
	if (s) {
		stmt_bind_text(s, 1, now);
		stmt_bind_int(s, 2, max);
		while (!(rc = stmt_step(s, e)) && stmt_row(s) && n < max) {
			list[n].id = stmt_int(s, 0);
			list[n].invitee = stmt_int(s, 1);
			list[n].attempts = (int)stmt_int(s, 2);
			list[n].to = strdup(stmt_text(s, 3));
			list[n].message = strdup(stmt_text(s, 4));
			n++;
		}
		stmt_done(s);
	}
	for (i = 0; !rc && i < n; i++) {
		int ok;

		why[0] = '\0';
		ok = !smtp_send(smtp_url, from, list[i].to, list[i].message, &code, why, sizeof(why));
		if (!ok)
			log_warn("mail: to %s: %s", list[i].to, why);
		rc = record_outcome(st, list[i].id, list[i].invitee, list[i].attempts, ok, code, why,
				    e);
		*sent += ok;
	}
	for (i = 0; i < n; i++) {
		free(list[i].to);
		free(list[i].message);
	}
	free(list);
	return rc;
}

/* --- the serve thread ------------------------------------------------------ */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int running;
	volatile int stop;
	char db[4096], url[1024], from[256];
} W = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *run(void *arg)
{
	struct store *st;
	struct err e;
	int n;

	(void)arg;
	err_clear(&e);
	if (store_for_thread(W.db, &st, &e)) {
		log_error("mail: cannot open %s: %s", W.db, e.msg);
		return NULL;
	}
	while (!W.stop) {
		err_clear(&e);
		if (mail_send_due(st, W.url, W.from, 16, &n, &e))
			log_warn("mail: %s", e.msg);
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

int mail_worker_start(const char *db_path, const char *smtp_url, const char *from,
		      struct err *e)
{
	if (W.running || !smtp_url)
		return OK;
	if (httpc_init())
		return fail(e, E_INTERNAL, "cannot initialise libcurl");
	snprintf(W.db, sizeof(W.db), "%s", db_path);
	snprintf(W.url, sizeof(W.url), "%s", smtp_url);
	snprintf(W.from, sizeof(W.from), "%s", from);
	W.stop = 0;
	if (pthread_create(&W.thread, NULL, run, NULL))
		return fail(e, E_INTERNAL, "cannot start the mail worker");
	W.running = 1;
	return OK;
}

void mail_worker_stop(void)
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
