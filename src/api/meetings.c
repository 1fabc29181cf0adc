/*
 * meetings.c — what a meeting has beyond its record (crm/meetings/meetings.h):
 *
 *   GET    /api/v1/meetings/{id}/lobby                the lobby theme it shows
 *   POST   /api/v1/meetings/{id}/invitees             invite {contact_id} | {user_id,
 *                                                     role?} | {email, name} → 201
 *   PATCH  /api/v1/meetings/{id}/invitees/{invitee}   {role}
 *   DELETE /api/v1/meetings/{id}/invitees/{invitee}   uninvite (a CANCEL is mailed)
 *   POST   /api/v1/meetings/{id}/invitations          mail invitations {"all"?: bool}
 *   POST   /api/v1/imip                               an iMIP REPLY (text/calendar)
 *
 * The meeting itself is a record (records.c); its `invitees` member shows who
 * is invited and their answers.
 *   GET    /api/v1/rsvp/{token}                       public: the answer page (HTML)
 *   POST   /api/v1/rsvp/{token}                       public: {answer} or a form post
 *
 * A link's RSVP is a POST: the mail's link opens a page with three buttons,
 * so a mail scanner that follows links answers nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/urlform.h"
#include "crm/meetings/meetings.h"
#include "crm/records/resources.h"
#include "api.h"

void api_meeting_lobby(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct jw w;
	struct buf out = BUF_INIT;

	if (api_args(rq, rs, API_ID, &a))
		return;
	jw_init(&w, &out);
	if (!api_done(rs, &a, record_visible(rq->st, rq->p, &meeting_resource, a.id, &a.e)) &&
	    !api_done(rs, &a, meeting_lobby_json(rq->st, a.id, &w, &a.e))) {
		api_json(rs, 200, &w);
		buf_add(&rs->body, out.data, out.len);
	}
	buf_release(&out);
}

void api_meeting_invitee_add(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct jw w;
	struct buf out = BUF_INIT;

	if (api_args(rq, rs, API_ID | API_BODY, &a))
		return;
	jw_init(&w, &out);
	if (!api_done(rs, &a, meeting_invitee_add(rq->st, rq->p, a.id, a.body, &w, &a.e))) {
		api_json(rs, 201, &w);
		buf_add(&rs->body, out.data, out.len);
	}
	buf_release(&out);
}

void api_meeting_invitee_update(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct jw w;
	struct buf out = BUF_INIT;

	if (api_args(rq, rs, API_ID | API_ITEM | API_BODY, &a))
		return;
	jw_init(&w, &out);
	if (!api_done(rs, &a, meeting_invitee_update(rq->st, rq->p, a.id, a.item, a.body, &w,
						     &a.e))) {
		api_json(rs, 200, &w);
		buf_add(&rs->body, out.data, out.len);
	}
	buf_release(&out);
}

void api_meeting_invitee_remove(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID | API_ITEM, &a) ||
	    api_done(rs, &a, meeting_invitee_remove(rq->st, rq->p, a.id, a.item, &a.e)))
		return;
	rs->status = 204;
}

void api_meeting_invite(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct jw w;
	json_t *all;
	int queued = 0;
	const char *k;
	json_t *v;

	if (api_args(rq, rs, API_ID, &a))
		return;
	a.body = rq->body_len ? api_body(rq, rs) : json_object();
	if (!a.body)
		return;
	json_object_foreach(a.body, k, v)
		if (strcmp(k, "all"))
			err_field(&a.e, k, "is not a member (all)");
	all = json_object_get(a.body, "all");
	if (all && !json_is_boolean(all))
		err_field(&a.e, "all", "must be true or false");
	if (api_done(rs, &a, a.e.nfields ? E_INVAL
					 : meeting_invite(rq->st, rq->p, a.id, json_is_true(all),
							  &queued, &a.e)))
		return;
	api_json(rs, 200, &w);
	jw_obj(&w);
	jw_kint(&w, "queued", queued);
	jw_kstr(&w, "mail", "queued: sent by the mail worker (funnel serve --smtp)");
	jw_obj_end(&w);
}

void api_meeting_imip(struct req *rq, struct resp *rs)
{
	const char *ct = api_header(rq, "Content-Type");
	struct err e;
	struct jw w;
	struct buf out = BUF_INIT;
	int rc;

	err_clear(&e);
	if (!ct || strncasecmp(ct, "text/calendar", 13)) {
		api_problem_status(rs, 415, "Unsupported Media Type",
				   "send the iMIP REPLY as text/calendar");
		return;
	}
	jw_init(&w, &out);
	rc = meeting_imip_reply(rq->st, rq->p, rq->body, rq->body_len, &w, &e);
	if (rc) {
		api_problem(rs, rc, &e);
	} else {
		api_json(rs, 200, &w);
		buf_add(&rs->body, out.data, out.len);
	}
	buf_release(&out);
}

/* --- the public answer page ------------------------------------------------- */

static void page(struct resp *rs, int status, const char *title, const char *text,
		 const char *token, const char *rsvp)
{
	static const char *const answers[] = {"accepted", "tentative", "declined"};
	static const char *const labels[] = {"Accept", "Maybe", "Decline"};
	int i;

	rs->status = status;
	rs->content_type = "text/html; charset=utf-8";
	api_set_header(rs, "Content-Security-Policy",
		       "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
	api_set_header(rs, "Cache-Control", "no-store");
	api_set_header(rs, "Referrer-Policy", "no-referrer");
	buf_reset(&rs->body);
	buf_puts(&rs->body, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
			    "<meta name=\"viewport\" content=\"width=device-width\"><title>");
	buf_html_txt(&rs->body, title);
	buf_puts(&rs->body, "</title><style>body{font:16px system-ui;max-width:32rem;margin:2rem "
			    "auto;padding:0 1rem}button{font:inherit;margin:.25rem;padding:.5rem "
			    "1rem}</style></head><body><h1>");
	buf_html_txt(&rs->body, title);
	buf_puts(&rs->body, "</h1><p>");
	buf_html_txt(&rs->body, text);
	buf_puts(&rs->body, "</p>");
	if (token) {
		if (rsvp && strcmp(rsvp, "needs_action")) {
			buf_puts(&rs->body, "<p>Your answer: <strong>");
			buf_html_txt(&rs->body, rsvp);
			buf_puts(&rs->body, "</strong></p>");
		}
		buf_puts(&rs->body, "<form method=\"post\" action=\"/api/v1/rsvp/");
		buf_html_attr(&rs->body, token);
		buf_puts(&rs->body, "\">");
		for (i = 0; i < 3; i++) {
			buf_printf(&rs->body, "<button name=\"answer\" value=\"%s\">%s</button>",
				   answers[i], labels[i]);
		}
		buf_puts(&rs->body, "</form>");
	}
	buf_puts(&rs->body, "</body></html>\n");
}

static void rsvp_answer(struct req *rq, struct resp *rs, const char *answer)
{
	const char *token = rq->params[0];
	struct buf out = BUF_INIT;
	struct jw w;
	struct err e;
	json_t *j = NULL, *m;
	int rc;

	err_clear(&e);
	jw_init(&w, &out);
	rc = answer ? meeting_rsvp(rq->st, token, answer, &w, &e)
		    : meeting_link_json(rq->st, token, &w, &e);
	if (rc == E_NOTFOUND) {
		page(rs, 404, "Not found", "This link is not valid (any more).", NULL, NULL);
		goto out;
	}
	if (rc) {
		api_problem(rs, rc, &e);
		goto out;
	}
	json_parse(out.data, out.len, &j, NULL);
	m = j;
	{
		char text[600];

		snprintf(text, sizeof(text), "%s, you are invited by %s on %s (%s) for %lld minutes.",
			 json_string_value(json_object_get(m, "name")),
			 json_string_value(json_object_get(m, "host")),
			 json_string_value(json_object_get(m, "starts_at")),
			 json_string_value(json_object_get(m, "timezone")),
			 (long long)json_integer_value(json_object_get(m, "duration_minutes")));
		page(rs, 200, json_string_value(json_object_get(m, "title")), text, token,
		     json_string_value(json_object_get(m, "rsvp")));
	}
	json_decref(j);
out:
	buf_release(&out);
}

void api_rsvp_page(struct req *rq, struct resp *rs)
{
	rsvp_answer(rq, rs, NULL);
}

void api_rsvp(struct req *rq, struct resp *rs)
{
	const char *ct = api_header(rq, "Content-Type");
	char answer[32] = "";
	struct err e;
	json_t *j;

	err_clear(&e);
	if (ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
		struct urlform f;
		int i;

		if (urlform_parse(rq->body ? rq->body : "", rq->body_len, 8, &f, &e)) {
			api_problem(rs, e.code, &e);
			return;
		}
		for (i = 0; i < f.n; i++)
			if (!strcmp(f.pairs[i].name, "answer"))
				snprintf(answer, sizeof(answer), "%s", f.pairs[i].value);
		urlform_release(&f);
	} else {
		j = api_body(rq, rs);
		if (!j)
			return;
		if (!json_is_string(json_object_get(j, "answer")))
			err_field(&e, "answer", "must be accepted, declined or tentative");
		else
			snprintf(answer, sizeof(answer), "%s",
				 json_string_value(json_object_get(j, "answer")));
		json_decref(j);
		if (e.nfields) {
			api_problem(rs, E_INVAL, &e);
			return;
		}
	}
	rsvp_answer(rq, rs, answer);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const char *const roles[] = {"master", "presenter", "attendee", NULL};
static const char *const rsvps[] = {"needs_action", "accepted", "declined", "tentative", NULL};
static const char *const mails[] = {"none", "queued", "sent", "failed", NULL};
static const char *const kinds[] = {"contact", "user", "email", NULL};
static const char *const answers[] = {"accepted", "declined", "tentative", NULL};
static const char *const invitee_roles[] = {"presenter", "attendee", NULL};

static const struct api_prop p_invitee[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The invitee"),
	DOC_CHOICE("kind", DOC_REQ, kinds, "A contact of the account, a co-worker, or an address"),
	DOC_PROP("contact_id", FT_INT, DOC_REQ | DOC_NULL, 0, "The contact"),
	DOC_PROP("user_id", FT_INT, DOC_REQ | DOC_NULL, 0, "The co-worker"),
	DOC_PROP("email", FT_EMAIL, DOC_REQ, 254, "Where the invitation goes"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 200, "As the invitation names them"),
	DOC_CHOICE("role", DOC_REQ, roles, "master (runs it), presenter or attendee"),
	DOC_CHOICE("rsvp", DOC_REQ, rsvps, "Their answer"),
	DOC_PROP("rsvp_at", FT_TIME, DOC_REQ | DOC_NULL, 0, "When they answered"),
	DOC_CHOICE("mail", DOC_REQ, mails,
		   "Their newest invitation: none (not sent), queued, sent, failed (refused)"),
	DOC_PROP("mail_error", FT_TEXT, DOC_REQ | DOC_NULL, 0, "What the mail server said"),
	DOC_PROP("has_link", FT_BOOL, DOC_REQ, 0, "Whether a join link was mailed (never shown)"),
};

static const struct api_prop p_invitee_in[] = {
	DOC_PROP("contact_id", FT_INT, 0, 0, "A contact of the meeting's account"),
	DOC_PROP("user_id", FT_INT, 0, 0, "A co-worker"),
	DOC_PROP("email", FT_EMAIL, 0, 254, "Anyone else's address (with name)"),
	DOC_PROP("name", FT_TEXT, 0, 200, "Their name (with email)"),
	DOC_CHOICE("role", 0, invitee_roles, "presenter or attendee (co-workers); default attendee"),
};

static const struct api_prop p_role_in[] = {
	DOC_CHOICE("role", DOC_REQ, invitee_roles, "presenter or attendee"),
};

static const struct api_prop p_invite_in[] = {
	DOC_PROP("all", FT_BOOL, 0, 0, "true: everyone again (a new SEQUENCE); default: those "
				       "not mailed yet"),
};

static const struct api_prop p_invited[] = {
	DOC_PROP("queued", FT_INT, DOC_REQ, 0, "Messages queued"),
	DOC_PROP("mail", FT_TEXT, DOC_REQ, 0, "What happens to them"),
};

static const struct api_prop p_rsvp_in[] = {
	DOC_CHOICE("answer", DOC_REQ, answers, "accepted, declined or tentative"),
};

static const struct api_prop p_replied[] = {
	DOC_PROP("meeting_id", FT_INT, DOC_REQ, 0, "The meeting the UID names"),
	DOC_PROP("invitee_id", FT_INT, DOC_REQ, 0, "The invitee the ATTENDEE names"),
	DOC_CHOICE("rsvp", DOC_REQ, answers, "Their answer now"),
};

static const struct api_schema doc_schemas[] = {
	{"MeetingLobby", 0,
	 "The lobby theme a meeting shows (id, name, industries, welcome, primary_color, "
	 "accent_color, logo_attachment_id, deck_attachment_id), or null",
	 NULL, 0},
	DOC_SCHEMA("MeetingInvitee", 0, "Someone invited, their answer and their mail", p_invitee),
	DOC_SCHEMA("MeetingInviteeCreate", 1, "One of contact_id, user_id, or email with name",
		   p_invitee_in),
	DOC_SCHEMA("MeetingInviteeUpdate", 1, "A co-worker's role", p_role_in),
	DOC_SCHEMA("MeetingInvitations", 1, "Which invitations to mail", p_invite_in),
	DOC_SCHEMA("MeetingInvited", 0, "Invitations queued", p_invited),
	DOC_SCHEMA("Rsvp", 1, "An answer", p_rsvp_in),
	DOC_SCHEMA("ImipReplied", 0, "An iMIP REPLY taken", p_replied),
};

static const struct api_op doc_ops[] = {
	{api_meeting_lobby, "meeting_lobby", "meetings", "The lobby theme of a meeting",
	 "The one chosen (lobby_id), else the active one whose industries name the account's, "
	 "else the first active one; null when there is none.",
	 NULL, 200, "MeetingLobby", NULL, NULL},
	{api_meeting_invitee_add, "invite_to_meeting", "meetings", "Invite someone",
	 "A contact of the meeting's account, a co-worker (optionally as a presenter) or any "
	 "address with a name.  Once invitations are out, the newcomer is mailed theirs.  409 when "
	 "the address is invited already or the meeting is over.",
	 "MeetingInviteeCreate", 201, "MeetingInvitee", NULL, "409"},
	{api_meeting_invitee_update, "update_meeting_invitee", "meetings",
	 "Make a co-worker a presenter, or not", NULL, "MeetingInviteeUpdate", 200, "MeetingInvitee",
	 NULL, "409"},
	{api_meeting_invitee_remove, "uninvite_from_meeting", "meetings", "Uninvite someone",
	 "Mailed a CANCEL when they had an invitation.  The master stays (409).", NULL, 204, NULL,
	 NULL, "409"},
	{api_meeting_invite, "send_meeting_invitations", "meetings", "Mail the invitations",
	 "An iMIP REQUEST (text, HTML and text/calendar parts) to every invitee not mailed yet, or "
	 "with all: true to everyone again with the next SEQUENCE; each carries the invitee's own "
	 "join link and answer link.  Later changes of time, title or agenda re-invite everyone "
	 "by themselves; cancelling mails a CANCEL.  Mail goes through the outbox: with `funnel "
	 "serve --smtp` it is sent, otherwise it waits, shown as queued.  No body, or {all}.",
	 "MeetingInvitations", 200, "MeetingInvited", NULL, "409"},
	{api_meeting_imip, "meeting_imip_reply", "meetings", "Take an iMIP REPLY",
	 "The body is the text/calendar a calendar program sent back (METHOD:REPLY): its UID "
	 "names the meeting, its ATTENDEE the invitee, PARTSTAT the answer.  For a mail gateway "
	 "with a token that sees the meeting.",
	 NULL, 200, "ImipReplied", NULL, "400 415"},
	{api_rsvp_page, "rsvp_page", "meetings", "The answer page of an invitation",
	 "Public, text/html: the meeting and three buttons (accept, maybe, decline) that post "
	 "back; following the link answers nothing.  A guessed or expired link is 404.",
	 NULL, 200, NULL, NULL, NULL},
	{api_rsvp, "rsvp", "meetings", "Answer an invitation",
	 "Public.  A form post (answer=accepted|declined|tentative) from the page, or JSON "
	 "{answer}; answers the page with the answer recorded (audited on the meeting).",
	 "Rsvp", 200, NULL, NULL, NULL},
};

const struct api_doc api_doc_meetings = {
	NULL, NULL, /* the tag is the record type's, "meetings" */
	doc_ops, DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
