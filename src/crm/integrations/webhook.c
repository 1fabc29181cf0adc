/*
 * webhook.c — webhooks as records, signing, the delivery log and delivery
 * (see webhook.h).
 */
#include "webhook.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/httpc.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "crm/records/resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

const char *const webhook_events[] = {
	"opportunity.created", "opportunity.stage_changed", "opportunity.won",
	"opportunity.lost",    "lead.created",              "lead.converted",
	"account.created",     "contact.created",           NULL,
};

/* --- the record type ------------------------------------------------------ */

static const struct field fields[] = {
	{"url", FT_TEXT, FF_REQUIRED | FF_NOTNULL | FF_SORT | FF_SEARCH, 0, 2000, NULL, NULL,
	 "Where events are posted: an http:// or https:// address"},
	{"events", FT_JSON, FF_REQUIRED | FF_NOTNULL, 0, 2000, NULL, NULL,
	 "The events it receives: an array of opportunity.created, opportunity.stage_changed, "
	 "opportunity.won, opportunity.lost, lead.created, lead.converted, account.created, "
	 "contact.created"},
	{"description", FT_TEXT, 0, 0, 200, NULL, NULL, "What it is for"},
	{"active", FT_BOOL, FF_FILTER | FF_NOTNULL, 0, 0, NULL, NULL,
	 "false: no new events (those made are still delivered)"},
	{"secret", FT_TEXT, FF_READONLY | FF_HIDDEN, 0, 100, NULL, NULL,
	 "The signing key (GET /api/v1/webhooks/{id}/secret)"},
};

static void new_secret(char out[WEBHOOK_SECRET_LEN])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "whsec_", 6);
	sodium_bin2hex(out + 6, WEBHOOK_SECRET_LEN - 6, raw, sizeof(raw));
}

/* http(s)://host[...] with no spaces or control characters. */
static int url_ok(const char *u)
{
	const char *host, *p;

	if (!strncmp(u, "https://", 8))
		host = u + 8;
	else if (!strncmp(u, "http://", 7))
		host = u + 7;
	else
		return 0;
	if (!*host || *host == '/' || *host == ':' || *host == '?' || *host == '#')
		return 0;
	for (p = u; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static int check_events(const char *text, struct err *e)
{
	json_t *j, *v, *w;
	size_t i, k;
	int known, n;

	if (json_parse(text, strlen(text), &j, NULL) || !json_is_array(j) ||
	    !json_array_size(j)) {
		json_decref(j);
		return err_field(e, "events", "must be an array of one or more event names");
	}
	json_array_foreach(j, i, v) {
		for (n = 0, known = 0; webhook_events[n]; n++)
			known |= json_is_string(v) && !strcmp(json_string_value(v), webhook_events[n]);
		if (!known) {
			err_field(e, "events", "[%zu] is not an event (opportunity.created, "
					       "opportunity.stage_changed, opportunity.won, "
					       "opportunity.lost, lead.created, lead.converted, "
					       "account.created, contact.created)", i);
			break;
		}
		for (k = 0; k < i; k++) {
			w = json_array_get(j, k);
			if (!strcmp(json_string_value(v), json_string_value(w))) {
				err_field(e, "events", "'%s' is there twice", json_string_value(v));
				break;
			}
		}
	}
	json_decref(j);
	return e && e->nfields ? E_INVAL : OK;
}

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const char *url = record_text(rec, "url"), *events = record_text(rec, "events");
	char secret[WEBHOOK_SECRET_LEN];

	(void)st;
	(void)p;
	if (url && rec->v[record_field(rec->res, "url")].set && !url_ok(url))
		err_field(e, "url", "must be an http:// or https:// address with a host and no "
				    "spaces");
	if (events && rec->v[record_field(rec->res, "events")].set)
		check_events(events, e);
	if (!old) {
		new_secret(secret);
		record_set_text(rec, record_field(rec->res, "secret"), secret);
	}
	return e && e->nfields ? E_INVAL : OK;
}

const struct resource webhook_resource = {
	.name = "webhooks",
	.singular = "webhook",
	.doc = "Endpoints that receive events as they happen, signed (docs/webhooks.md)",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ADMIN,
	.write_role = ROLE_ADMIN,
	.prepare = prepare,
};

/* --- signing, the secret -------------------------------------------------- */

void webhook_sign(const char *secret, long long t, const char *body, size_t n, char out[65])
{
	crypto_auth_hmacsha256_state s;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[24];

	snprintf(ts, sizeof(ts), "%lld.", t);
	crypto_auth_hmacsha256_init(&s, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&s, (const unsigned char *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&s, (const unsigned char *)body, n);
	crypto_auth_hmacsha256_final(&s, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

/* Is webhook `id` there for p (admins only)? */
static int visible(struct store *st, const struct principal *p, long long id, struct err *e)
{
	return record_visible(st, p, &webhook_resource, id, e);
}

int webhook_secret(struct store *st, const struct principal *p, long long id, int rotate,
		   char out[WEBHOOK_SECRET_LEN], struct err *e)
{
	char now[TIME_ISO_LEN];
	struct stmt *s;
	int rc;

	rc = visible(st, p, id, e);
	if (rc)
		return rc;
	if (rotate) {
		new_secret(out);
		time_iso(time_now(), now);
		rc = store_begin(st, e);
		if (rc)
			return rc;
		rc = store_run(st, e,
			       "UPDATE webhooks SET secret = ?, updated_at = ?, version = version + 1 "
			       "WHERE id = ?",
			       "tti", out, now, id);
		if (!rc) /* the audit log says it changed, never what to */
			rc = store_run(st, e,
				       "INSERT INTO history (resource, record_id, at, actor_id, action, "
				       "field) VALUES ('webhooks', ?, ?, ?, 'update', 'secret')",
				       "iti", id, now, p->user_id ? p->user_id : (long long)0);
		if (!rc)
			rc = store_commit(st, e);
		if (rc)
			store_rollback(st);
		return rc;
	}
	s = store_prepare(st, "SELECT secret FROM webhooks WHERE id = ?", e);
	if (!s)
		return e->code;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = fail(e, E_NOTFOUND, "no such webhook");
	if (!rc)
		snprintf(out, WEBHOOK_SECRET_LEN, "%s", stmt_text(s, 0));
	stmt_done(s);
	return rc;
}

/* --- the log -------------------------------------------------------------- */

static void attempts_json(struct store *st, long long event_id, struct jw *w, struct err *e)
{
	struct stmt *s = store_prepare(st,
				       "SELECT at, status, error, response, duration_ms FROM "
				       "webhook_attempts WHERE event_id = ? ORDER BY id",
				       e);

	jw_key(w, "attempts");
	jw_arr(w);
	if (s) {
		stmt_bind_int(s, 1, event_id);
		while (!stmt_step(s, e) && stmt_row(s)) {
			jw_obj(w);
			jw_kstr(w, "at", stmt_text(s, 0));
			jw_key(w, "status");
			if (stmt_null(s, 1))
				jw_null(w);
			else
				jw_int(w, stmt_int(s, 1));
			jw_kstr(w, "error", stmt_text(s, 2));
			jw_kstr(w, "response", stmt_text(s, 3));
			jw_kint(w, "duration_ms", stmt_int(s, 4));
			jw_obj_end(w);
		}
		stmt_done(s);
	}
	jw_arr_end(w);
}

int webhook_log(struct store *st, const struct principal *p, long long id, const char *state,
		int limit, struct jw *w, struct err *e)
{
	struct stmt *s;
	char eid[32];
	int rc;

	rc = visible(st, p, id, e);
	if (rc)
		return rc;
	if (*state && strcmp(state, "pending") && strcmp(state, "delivered") &&
	    strcmp(state, "failed"))
		return err_field(e, "state", "must be pending, delivered or failed");
	s = store_prepare(st,
			  "SELECT id, event, resource, record_id, detail, created_at, state, "
			  "attempts, next_attempt_at, delivered_at, replay_of FROM webhook_events "
			  "WHERE webhook_id = ? AND (? = '' OR state = ?) ORDER BY id DESC LIMIT ?",
			  e);
	if (!s)
		return e->code;
	stmt_bind_int(s, 1, id);
	stmt_bind_text(s, 2, state);
	stmt_bind_text(s, 3, state);
	stmt_bind_int(s, 4, limit);
	jw_obj(w);
	jw_key(w, "data");
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		const char *st_ = stmt_text(s, 6), *next = stmt_text(s, 8);

		snprintf(eid, sizeof(eid), "evt_%lld", stmt_int(s, 0));
		jw_obj(w);
		jw_kint(w, "id", stmt_int(s, 0));
		jw_kstr(w, "delivery", eid);
		jw_kstr(w, "event", stmt_text(s, 1));
		jw_kstr(w, "resource", stmt_text(s, 2));
		jw_kint(w, "record_id", stmt_int(s, 3));
		jw_key(w, "detail");
		jw_raw(w, stmt_null(s, 4) ? "null" : stmt_text(s, 4));
		jw_kstr(w, "created_at", stmt_text(s, 5));
		jw_kstr(w, "state", st_);
		jw_kint(w, "attempt_count", stmt_int(s, 7));
		/* a new event's '' means "at once": its creation time */
		jw_kstr(w, "next_attempt_at",
			strcmp(st_, "pending") ? NULL : *next ? next : stmt_text(s, 5));
		jw_kstr(w, "delivered_at", stmt_text(s, 9));
		jw_key(w, "replay_of");
		if (stmt_null(s, 10))
			jw_null(w);
		else
			jw_int(w, stmt_int(s, 10));
		attempts_json(st, stmt_int(s, 0), w, e);
		jw_obj_end(w);
	}
	stmt_done(s);
	jw_arr_end(w);
	jw_obj_end(w);
	return rc;
}

int webhook_replay(struct store *st, const struct principal *p, long long id,
		   long long event_id, long long *new_id, struct err *e)
{
	char now[TIME_ISO_LEN];
	int rc, found;
	long long one;

	rc = visible(st, p, id, e);
	if (rc)
		return rc;
	rc = store_int(st, &one, &found, e,
		       "SELECT 1 FROM webhook_events WHERE id = ? AND webhook_id = ?", "ii",
		       event_id, id);
	if (!rc && !found)
		rc = fail(e, E_NOTFOUND, "no such event of this webhook");
	if (rc)
		return rc;
	time_iso(time_now(), now);
	rc = store_run(st, e,
		       "INSERT INTO webhook_events (webhook_id, event, resource, record_id, detail, "
		       "created_at, next_attempt_at, replay_of) SELECT webhook_id, event, resource, "
		       "record_id, detail, ?, '', id FROM webhook_events WHERE id = ?",
		       "ti", now, event_id);
	if (!rc)
		*new_id = store_last_id(st);
	return rc;
}

/* --- delivery ------------------------------------------------------------- */

struct due {
	long long id, webhook_id, record_id;
	int attempts;
	char event[64], resource[64], created_at[TIME_ISO_LEN];
	char *detail, *url, *secret;
};

static void due_release(struct due *d)
{
	free(d->detail);
	free(d->url);
	free(d->secret);
	memset(d, 0, sizeof(*d));
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The body of event d: see webhook.h. */
static void payload(struct store *st, const struct due *d, struct buf *b)
{
	const struct resource *r = resource_find(d->resource);
	struct principal sys;
	struct record rec;
	struct jw w;
	struct err e;
	char eid[32];

	snprintf(eid, sizeof(eid), "evt_%lld", d->id);
	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "id", eid);
	jw_kstr(&w, "type", d->event);
	jw_kstr(&w, "created_at", d->created_at);
	jw_kint(&w, "attempt", d->attempts + 1);
	jw_key(&w, "data");
	jw_obj(&w);
	jw_key(&w, "object");
	err_clear(&e);
	principal_system(&sys);
	record_init(&rec, r);
	if (r && !record_get(st, &sys, r, d->record_id, &rec, &e))
		record_json(&rec, &w);
	else
		jw_null(&w); /* deleted since */
	record_release(&rec);
	principal_release(&sys);
	jw_key(&w, "detail");
	jw_raw(&w, d->detail ? d->detail : "null");
	jw_obj_end(&w);
	jw_obj_end(&w);
}

/* Seconds to wait after the n-th failed attempt: b, 2b, 4b … at most an hour. */
static long backoff(long b, int n)
{
	long s = b > 0 ? b : 1;

	while (--n > 0 && s < 3600)
		s *= 2;
	return s < 3600 ? s : 3600;
}

/* Write what attempt `r` of event d came to, in one short transaction. */
static int record_attempt(struct store *st, const struct due *d, const struct httpc_result *r,
			  int ok, long b, struct err *e)
{
	char now[TIME_ISO_LEN], next[TIME_ISO_LEN];
	time_t t = time_now(), made;
	const char *state = "pending";
	int rc;

	time_iso(t, now);
	time_iso(t + backoff(b, d->attempts + 1), next);
	if (ok)
		state = "delivered";
	else if (!time_parse_iso(d->created_at, &made) && t - made >= WEBHOOK_GIVE_UP)
		state = "failed";
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = store_run(st, e,
		       "INSERT INTO webhook_attempts (event_id, at, status, error, response, "
		       "duration_ms) VALUES (?, ?, NULLIF(?, 0), ?, ?, ?)",
		       "ititti", d->id, now, (long long)r->status, *r->error ? r->error : NULL,
		       r->body.len ? r->body.data : NULL, (long long)r->duration_ms);
	if (!rc)
		rc = store_run(st, e,
			       "UPDATE webhook_events SET attempts = attempts + 1, state = ?, "
			       "next_attempt_at = ?, delivered_at = ? WHERE id = ?",
			       "ttti", state, next, ok ? now : NULL, d->id);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
	if (!rc && !strcmp(state, "failed"))
		log_warn("webhooks: event %lld to %s failed for a day: given up", d->id, d->url);
	return rc;
}

static int deliver(struct store *st, const struct due *d, long b, struct err *e)
{
	struct buf body = BUF_INIT;
	struct httpc_result r;
	char sig[65], h_sig[128], h_event[96], h_id[64];
	const char *headers[4];
	long long t = (long long)time(NULL);
	int ok, rc;

	payload(st, d, &body);
	webhook_sign(d->secret, t, body.data, body.len, sig);
	snprintf(h_sig, sizeof(h_sig), "Funnel-Signature: t=%lld,v1=%s", t, sig);
	snprintf(h_event, sizeof(h_event), "Funnel-Event: %s", d->event);
	snprintf(h_id, sizeof(h_id), "Funnel-Delivery: evt_%lld", d->id);
	headers[0] = h_sig;
	headers[1] = h_event;
	headers[2] = h_id;
	headers[3] = NULL;
	httpc_post(d->url, headers, body.data, body.len, WEBHOOK_TIMEOUT_MS, WEBHOOK_KEEP_ANSWER,
		   &r);
	ok = r.status >= 200 && r.status < 300;
	if (!ok && !*r.error)
		snprintf(r.error, sizeof(r.error), "answered %ld", r.status);
	if (r.body.len && !utf8_valid(r.body.data, r.body.len))
		buf_reset(&r.body); /* kept as text: a binary answer is not */
	rc = record_attempt(st, d, &r, ok, b, e);
	httpc_result_release(&r);
	buf_release(&body);
	return rc;
}

int webhook_deliver_due(struct store *st, int max, long backoff, volatile int *stop,
			int *attempted, struct err *e)
{
	/* each webhook's oldest pending event, when due (order per webhook) */
	static const char sql[] =
		"SELECT ev.id, ev.webhook_id, ev.record_id, ev.attempts, ev.event, ev.resource, "
		"ev.created_at, ev.detail, w.url, w.secret FROM webhooks w JOIN webhook_events ev "
		"ON ev.id = (SELECT min(x.id) FROM webhook_events x WHERE x.webhook_id = w.id AND "
		"x.state = 'pending') WHERE ev.next_attempt_at <= ? ORDER BY ev.id LIMIT ?";
	struct due *list;
	char now[TIME_ISO_LEN];
	struct stmt *s;
	int n = 0, i, rc;

	*attempted = 0;
	list = calloc((size_t)max, sizeof(*list));
	if (!list)
		return fail(e, E_INTERNAL, "out of memory");
	time_iso(time_now(), now);
	s = store_prepare(st, sql, e);
	rc = s ? OK : e->code;
	if (s) {
		stmt_bind_text(s, 1, now);
		stmt_bind_int(s, 2, max);
		while (!(rc = stmt_step(s, e)) && stmt_row(s) && n < max) {
			struct due *d = &list[n++];

			d->id = stmt_int(s, 0);
			d->webhook_id = stmt_int(s, 1);
			d->record_id = stmt_int(s, 2);
			d->attempts = (int)stmt_int(s, 3);
			snprintf(d->event, sizeof(d->event), "%s", stmt_text(s, 4));
			snprintf(d->resource, sizeof(d->resource), "%s", stmt_text(s, 5));
			snprintf(d->created_at, sizeof(d->created_at), "%s", stmt_text(s, 6));
			d->detail = dup_or_null(stmt_text(s, 7));
			d->url = dup_or_null(stmt_text(s, 8));
			d->secret = dup_or_null(stmt_text(s, 9));
		}
		stmt_done(s);
	}
	/* the statement is done before any request: no read is held open
	 * while a slow endpoint answers */
	for (i = 0; !rc && i < n && !(stop && *stop); i++) {
		if (!list[i].url || !list[i].secret)
			continue;
		rc = deliver(st, &list[i], backoff, e);
		(*attempted)++;
	}
	for (i = 0; i < n; i++)
		due_release(&list[i]);
	free(list);
	return rc;
}
