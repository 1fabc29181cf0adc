/*
 * calendar.c — the calendar feed (crm/integrations/calendar.h):
 *
 *   GET    /api/v1/me/calendar_feed   is there one (never its URL)
 *   POST   /api/v1/me/calendar_feed   make it, replacing the old one → 201 {url}
 *   DELETE /api/v1/me/calendar_feed   revoke it → 204
 *   GET    /cal/{token}.ics           the feed itself, public: the token is the credential
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "crm/integrations/calendar.h"

void api_calendar_feed_get(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	api_json(rs, 200, &w);
	rc = calendar_feed_json(rq->st, rq->p, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

void api_calendar_feed_create(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	api_json(rs, 201, &w);
	rc = calendar_feed_create(rq->st, rq->p, &w, &e);
	if (rc)
		api_problem(rs, rc, &e); /* Cache-Control: no-store, as every API answer */
}

void api_calendar_feed_revoke(struct req *rq, struct resp *rs)
{
	struct err e;
	int rc;

	err_clear(&e);
	rc = calendar_feed_revoke(rq->st, rq->p, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	rs->status = 204;
	buf_reset(&rs->body);
}

void api_calendar_feed(struct req *rq, struct resp *rs)
{
	char token[128];
	const char *t = rq->params[0];
	size_t n = strlen(t);
	struct err e;
	int rc;

	err_clear(&e);
	if (n < 5 || n - 4 >= sizeof(token) || strcmp(t + n - 4, ".ics")) {
		api_problem(rs, fail(&e, E_NOTFOUND, "no such calendar"), &e);
		return;
	}
	memcpy(token, t, n - 4);
	token[n - 4] = '\0';
	buf_reset(&rs->body);
	rc = calendar_feed_render(rq->st, token, &rs->body, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	/* calendar programs poll: an ETag of the feed's bytes (they depend on
	 * the records only — every DTSTAMP is a record's updated_at) lets an
	 * unchanged feed answer 304 without its body */
	{
		unsigned char h[16];
		char hex[33], tag[40];
		const char *inm = api_header(rq, "If-None-Match");

		crypto_generichash(h, sizeof(h), (const unsigned char *)rs->body.data, rs->body.len,
				   NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		snprintf(tag, sizeof(tag), "\"%s\"", hex);
		api_set_header(rs, "ETag", "%s", tag);
		if (inm && strstr(inm, tag)) {
			rs->status = 304;
			buf_reset(&rs->body);
			api_set_header(rs, "Referrer-Policy", "no-referrer");
			return;
		}
	}
	rs->status = 200;
	rs->content_type = "text/calendar; charset=utf-8";
	/* the URL is the credential: not sent on as a referrer (and, as every
	 * answer of a route, Cache-Control: no-store) */
	api_set_header(rs, "Referrer-Policy", "no-referrer");
	api_set_header(rs, "Content-Disposition", "inline; filename=\"funnel.ics\"");
}

/* --- the OpenAPI description of these routes */

static const struct api_prop p_feed[] = {
	{{"active", FT_BOOL, DOC_REQ, 0, 0, NULL, NULL, "Whether the caller has a feed"}, NULL},
	DOC_PROP("prefix", FT_TEXT, DOC_REQ | DOC_NULL, 0,
		 "The first characters of its token, to tell URLs apart"),
	DOC_PROP("created_at", FT_TIME, DOC_REQ | DOC_NULL, 0, "When it was made"),
	DOC_PROP("last_polled_at", FT_TIME, DOC_REQ | DOC_NULL, 0,
		 "When a calendar program last fetched it (to the minute)"),
};
static const struct api_prop p_feed_created[] = {
	DOC_PROP("url", FT_TEXT, DOC_REQ, 0,
		 "The subscription URL, <public url>/cal/fnc_….ics: in this answer only"),
	DOC_PROP("prefix", FT_TEXT, DOC_REQ, 0, "The first characters of its token"),
	DOC_PROP("created_at", FT_TIME, DOC_REQ, 0, "When it was made"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("CalendarFeed", 0, "The caller's calendar feed, without its secret", p_feed),
	DOC_SCHEMA("CalendarFeedCreated", 0, "A new calendar feed and its URL", p_feed_created),
};

static const struct api_op doc_ops[] = {
	{api_calendar_feed_get, "get_calendar_feed", "calendar", "The caller's calendar feed",
	 "Whether there is one, its token's prefix, when it was made and last polled; never "
	 "its URL (only its hash is kept).",
	 NULL, 200, "CalendarFeed", NULL, NULL},
	{api_calendar_feed_create, "create_calendar_feed", "calendar",
	 "Make (or rotate) the caller's calendar feed",
	 "A new private iCalendar subscription URL for the caller's activities with a due date "
	 "and their meetings, shown in this answer once.  Any URL made before stops working.",
	 NULL, 201, "CalendarFeedCreated", NULL, NULL},
	{api_calendar_feed_revoke, "revoke_calendar_feed", "calendar",
	 "Revoke the caller's calendar feed", "Its URL answers 404 from now on.", NULL, 204, NULL,
	 NULL, NULL},
	{api_calendar_feed, "calendar_feed", "calendar", "A calendar feed (iCalendar)",
	 "Public: the token in the URL is the credential.  text/calendar (RFC 5545): the "
	 "user's activities with a due date from 90 days ago on as VTODOs, and the meetings "
	 "they hold or are invited to as VEVENTs with their time zones, as the user sees them "
	 "now.  It carries an ETag of its content: with If-None-Match an unchanged feed answers "
	 "304 without a body.  404 for a revoked, guessed or forged token, or a disabled user's.",
	 NULL, 200, NULL, NULL, NULL},
};

const struct api_doc api_doc_calendar = {
	"calendar",  "Private iCalendar feeds for calendar programs",
	doc_ops,     DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
