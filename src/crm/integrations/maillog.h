/*
 * maillog.h — e-mail logged onto contacts' timelines (docs/email-logging.md).
 *
 * Salespeople BCC (or forward) their mail with customers to one mailbox;
 * `funnel serve --imap URL` reads it (maillog_worker.c, over libcurl's IMAP),
 * and a mail gateway may post a message to POST /api/v1/email_log instead.
 * Either way one message goes through maillog_ingest():
 *
 *   parse (GMime: headers with their encoded words, address lists, the
 *   text part in its charset)
 *     → the owner: the Funnel user who sent it (From), else one who received
 *       it (To, Cc); none → refused
 *     → the contacts: every other address that is a contact's e-mail and
 *       that the owner may see
 *     → one activity of type email per contact, done at the message's Date,
 *       the subject its subject, the notes who wrote to whom and the start
 *       of the text — as the owner, through the record engine (audit,
 *       change feed, webhooks, visibility)
 *   and a row in email_log, once per Message-ID: a message seen again
 *   (the same mail BCC'd by two people, a mailbox read twice) changes
 *   nothing and answers "duplicate".
 */
#ifndef FUNNEL_MAILLOG_H
#define FUNNEL_MAILLOG_H

#include <stddef.h>

#include "core/err.h"
#include "core/json.h"
#include "crm/records/principal.h"
#include "store/store.h"

/* What came of a message. */
struct maillog_result {
	long long id;       /* its email_log row */
	const char *status; /* "logged", "unmatched", "refused" or "duplicate" */
	int activities;     /* made now */
};

/* Once per process, before threads (GMime's own initialisation). */
void maillog_init(void);

/* Log one RFC 5322 message (n bytes) from `source` ("imap" or "api").  p:
 * who hands it over — the system (the mailbox worker, an admin's gateway
 * token) may log anyone's mail; anyone else only mail they sent or
 * received.  OK with *out filled (refused and unmatched messages are
 * recorded too, and are OK); E_INVAL for what is not a message at all. */
int maillog_ingest(struct store *st, const struct principal *p, const char *source,
		   const char *msg, size_t n, struct maillog_result *out, struct err *e);

/* The log, newest first, as {data: [...]}: admins see every entry, others
 * those they own.  limit 1..200. */
int maillog_list(struct store *st, const struct principal *p, int limit, struct jw *w,
		 struct err *e);

/* The serve thread: reads `url` (imap[s]://user:password@host[:port]/MAILBOX)
 * every `interval` seconds, each message not taken yet (by UID, the
 * mailbox's UIDVALIDITY remembered in the database). */
int maillog_worker_start(const char *db_path, const char *url, long interval, struct err *e);
void maillog_worker_stop(void);
/* One pass over the mailbox (the worker's, and the tests'): *taken gets how
 * many messages were ingested. */
int maillog_poll(struct store *st, const char *url, int *taken, struct err *e);

#endif
