/*
 * webhooks.c — what a webhook has beyond its record (crm/integrations/webhook.h):
 *
 *   GET  /api/v1/webhooks/{id}/deliveries?state=&limit=   the delivery log
 *   POST /api/v1/webhooks/{id}/deliveries/{event}/replay  send an event again → 201
 *   GET  /api/v1/webhooks/{id}/secret                     the signing secret
 *   POST /api/v1/webhooks/{id}/secret                     a new one (audited)
 *
 * Admins only: anyone else is answered 404, as for a webhook that is not
 * there.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crm/integrations/webhook.h"
#include "api.h"

void api_webhook_deliveries(struct req *rq, struct resp *rs)
{
	const char *state = "";
	long long id = api_id(rq, rs, 0), limit = 50;
	struct err e;
	struct jw w;
	char *end;
	int i, rc;

	if (id <= 0)
		return;
	err_clear(&e);
	for (i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].k, *v = rq->query[i].v;

		if (!strcmp(k, "state")) {
			state = v;
		} else if (!strcmp(k, "limit")) {
			limit = strtoll(v, &end, 10);
			if (!*v || *end || limit < 1 || limit > 200)
				err_field(&e, "limit", "must be an integer from 1 to 200");
		} else {
			err_field(&e, k, "is not a parameter of this list (state, limit)");
		}
	}
	if (e.nfields) {
		api_problem(rs, E_INVAL, &e);
		return;
	}
	api_json(rs, 200, &w);
	rc = webhook_log(rq->st, rq->p, id, state, (int)limit, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

void api_webhook_replay(struct req *rq, struct resp *rs)
{
	struct api_args a;
	long long event = 0;
	struct jw w;

	if (api_args(rq, rs, API_ID | API_ITEM, &a))
		return;
	if (api_done(rs, &a, webhook_replay(rq->st, rq->p, a.id, a.item, &event, &a.e)))
		return;
	api_set_header(rs, "Location", "/api/v1/webhooks/%lld/deliveries?state=pending", a.id);
	api_json(rs, 201, &w);
	jw_obj(&w);
	jw_kint(&w, "id", event);
	jw_kint(&w, "replay_of", a.item);
	jw_kstr(&w, "state", "pending");
	jw_obj_end(&w);
}

static void secret(struct req *rq, struct resp *rs, int rotate)
{
	char secret[WEBHOOK_SECRET_LEN];
	struct api_args a;
	struct jw w;

	if (api_args(rq, rs, API_ID, &a))
		return;
	if (api_done(rs, &a, webhook_secret(rq->st, rq->p, a.id, rotate, secret, &a.e)))
		return;
	api_json(rs, 200, &w);
	jw_obj(&w);
	jw_kstr(&w, "secret", secret);
	jw_obj_end(&w);
	sodium_memzero(secret, sizeof(secret));
}

void api_webhook_secret(struct req *rq, struct resp *rs)
{
	secret(rq, rs, 0);
}

void api_webhook_secret_rotate(struct req *rq, struct resp *rs)
{
	secret(rq, rs, 1);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const char *const event_states[] = {"pending", "delivered", "failed", NULL};

static const struct api_prop p_attempt[] = {
	DOC_PROP("at", FT_TIME, DOC_REQ, 0, "When it was made"),
	DOC_PROP("status", FT_INT, DOC_REQ | DOC_NULL, 0, "The endpoint's HTTP status (null: none)"),
	DOC_PROP("error", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Why it failed, when it did"),
	DOC_PROP("response", FT_TEXT, DOC_REQ | DOC_NULL, 0, "The first 1024 bytes of the answer"),
	DOC_PROP("duration_ms", FT_INT, DOC_REQ, 0, "How long it took"),
};

static const struct api_prop p_event[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The event"),
	DOC_PROP("delivery", FT_TEXT, DOC_REQ, 0, "Its Funnel-Delivery header: evt_<id>"),
	DOC_PROP("event", FT_TEXT, DOC_REQ, 0, "opportunity.stage_changed and the like"),
	DOC_PROP("resource", FT_TEXT, DOC_REQ, 0, "The record type it is about"),
	DOC_PROP("record_id", FT_INT, DOC_REQ, 0, "The record"),
	DOC_SUB("detail", "WebhookDetail", DOC_REQ | DOC_NULL,
		"What the change was: stage, previous_stage, status ..."),
	DOC_PROP("created_at", FT_TIME, DOC_REQ, 0, "When the change happened"),
	DOC_CHOICE("state", DOC_REQ, event_states, "pending (being tried), delivered, failed (a day of failures)"),
	DOC_PROP("attempt_count", FT_INT, DOC_REQ, 0, "Attempts made"),
	DOC_PROP("next_attempt_at", FT_TIME, DOC_REQ | DOC_NULL, 0, "When it is tried next (pending only)"),
	DOC_PROP("delivered_at", FT_TIME, DOC_REQ | DOC_NULL, 0, "When the endpoint took it"),
	DOC_PROP("replay_of", FT_INT, DOC_REQ | DOC_NULL, 0, "The event this one sends again"),
	DOC_SUB("attempts", "WebhookAttempt[]", DOC_REQ, "Every attempt, oldest first"),
};

static const struct api_prop p_event_list[] = {
	DOC_SUB("data", "WebhookEvent[]", DOC_REQ, "Newest first"),
};

static const struct api_prop p_replayed[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The new event"),
	DOC_PROP("replay_of", FT_INT, DOC_REQ, 0, "The one it sends again"),
	DOC_PROP("state", FT_TEXT, DOC_REQ, 0, "pending"),
};

static const struct api_prop p_secret[] = {
	DOC_PROP("secret", FT_TEXT, DOC_REQ, 0, "whsec_ and 64 hex digits: the HMAC-SHA256 key"),
};

static const struct api_schema doc_schemas[] = {
	{"WebhookDetail", 0, "What the trigger saw: stage, previous_stage, status, lost_reason, "
	 "the ids a conversion made", NULL, 0},
	DOC_SCHEMA("WebhookAttempt", 0, "One attempt to deliver an event", p_attempt),
	DOC_SCHEMA("WebhookEvent", 0, "An event for a webhook and its attempts", p_event),
	DOC_SCHEMA("WebhookEventList", 0, "A webhook's delivery log", p_event_list),
	DOC_SCHEMA("WebhookReplayed", 0, "An event made to send an old one again", p_replayed),
	DOC_SCHEMA("WebhookSecret", 0, "A webhook's signing secret", p_secret),
};

static const struct api_op doc_ops[] = {
	{api_webhook_deliveries, "list_webhook_deliveries", "webhooks", "A webhook's delivery log",
	 "Its events, newest first, each with every attempt: status, the start of the answer, the "
	 "error, how long it took.  ?state= pending, delivered or failed; ?limit= 1..200 (50).  "
	 "Admins only.",
	 NULL, 200, "WebhookEventList", NULL, "400"},
	{api_webhook_replay, "replay_webhook_event", "webhooks", "Send an event again",
	 "A new pending event with the same type, record and detail (replay_of names the old "
	 "one); the body it sends is built afresh, with the record as it is now.  Admins only.",
	 NULL, 201, "WebhookReplayed", "Location", NULL},
	{api_webhook_secret, "get_webhook_secret", "webhooks", "A webhook's signing secret",
	 "Funnel-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of t + \".\" + the body with "
	 "this secret>.  Admins only.",
	 NULL, 200, "WebhookSecret", NULL, NULL},
	{api_webhook_secret_rotate, "rotate_webhook_secret", "webhooks", "Rotate a webhook's secret",
	 "A new secret at once (the old one stops signing); the audit log says it changed, never "
	 "to what.  Admins only.",
	 NULL, 200, "WebhookSecret", NULL, NULL},
};

const struct api_doc api_doc_webhooks = {
	NULL, NULL, /* the tag is the record type's, "webhooks" */
	doc_ops, DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
