/*
 * webhook.h — outbound webhooks: the integrations capability (this folder;
 * start here).  What Funnel tells other systems, as it happens.
 *
 * What it promises.  An admin registers an endpoint (webhook_resource,
 * /api/v1/webhooks) for some events:
 *
 *   opportunity.created  opportunity.stage_changed  opportunity.won
 *   opportunity.lost     lead.created  lead.converted
 *   account.created      contact.created
 *
 * Each event is written by a database trigger (migration 022) in the same
 * transaction as the change, so no writer is missed and a rolled-back change
 * sends nothing; the write itself never waits for a delivery.  The delivery
 * worker of `funnel serve` (webhook_worker.c) posts it:
 *
 *   POST <url>                         Content-Type: application/json
 *   Funnel-Event: opportunity.won      Funnel-Delivery: evt_<event id>
 *   Funnel-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>
 *
 *   {"id": "evt_42", "type": "opportunity.won", "created_at": "...",
 *    "attempt": 1, "data": {"object": <the record as GET answers it now, or
 *    null once deleted>, "detail": <what the trigger saw: stage,
 *    previous_stage, status, lost_reason, converted ids>}}
 *
 * A receiver checks the signature with the webhook's secret (GET
 * /api/v1/webhooks/{id}/secret; POST rotates it) and refuses a t far from
 * its clock; it dedupes by Funnel-Delivery (delivery is at least once: a
 * server killed mid-request sends it again).
 *
 * States of an event:
 *
 *     pending ──2xx──► delivered
 *       │ ▲
 *       │ └── other status or no answer: attempts + 1, next_attempt_at =
 *       │     now + 10 s · 2^(attempts − 1), at most an hour apart
 *       └── still failing a day after it was made ──► failed
 *
 * Order: per webhook, events go in the order they were made; a later event
 * waits while an earlier one is retried (a receiver sees stage_changed
 * before won).  Every attempt is kept (webhook_attempts: status, the start of
 * the answer, the error, how long) and listed with its event; replay makes a
 * new pending event from an old one (replay_of says which).
 *
 * Several servers on one database would each run a worker; two could post
 * the same event at once.  At-least-once covers that for receivers that
 * dedupe; claiming events across servers is issue 14's job table.
 */
#ifndef FUNNEL_WEBHOOK_H
#define FUNNEL_WEBHOOK_H

#include "core/err.h"
#include "core/json.h"
#include "crm/records/record.h"
#include "store/store.h"

#define WEBHOOK_TIMEOUT_MS 10000   /* one attempt, connection to last byte */
#define WEBHOOK_GIVE_UP 86400      /* seconds after which a failing event is failed */
#define WEBHOOK_KEEP_ANSWER 1024   /* bytes of an answer kept in the log */
#define WEBHOOK_SECRET_LEN 71      /* "whsec_" + 64 hex digits + NUL */

/* The event names, NULL-terminated. */
extern const char *const webhook_events[];

/* Sign: out = hex HMAC-SHA256 of `t` + "." + body with `secret` (65 bytes). */
void webhook_sign(const char *secret, long long t, const char *body, size_t n, char out[65]);

/* The webhook's secret into out (admins only; E_NOTFOUND for others and for
 * no such webhook).  rotate: a new one first, audited. */
int webhook_secret(struct store *st, const struct principal *p, long long id, int rotate,
		   char out[WEBHOOK_SECRET_LEN], struct err *e);

/* The delivery log of webhook `id`, newest first: {"data": [event with its
 * attempts]}; state: "" for all or pending / delivered / failed; at most
 * `limit` events. */
int webhook_log(struct store *st, const struct principal *p, long long id, const char *state,
		int limit, struct jw *w, struct err *e);

/* A new pending event copied from event `event_id` of webhook `id`; its id
 * in *new_id.  E_NOTFOUND as above. */
int webhook_replay(struct store *st, const struct principal *p, long long id,
		   long long event_id, long long *new_id, struct err *e);

/* Deliver what is due: for each active webhook its oldest pending event, if
 * its time has come; up to `max` attempts, the first retry `backoff`
 * seconds after a failure.  *attempted says how many were made.  Stops early
 * when *stop becomes set. */
int webhook_deliver_due(struct store *st, int max, long backoff, volatile int *stop,
			int *attempted, struct err *e);

/* The serve thread (webhook_worker.c): delivers what is due every second. */
int webhook_worker_start(const char *db_path, long backoff, struct err *e);
void webhook_worker_stop(void);

#endif
