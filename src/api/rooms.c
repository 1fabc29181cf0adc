/*
 * rooms.c — live meetings on Janus (crm/meetings/room.h, attendance.h;
 * docs/meetings-live.md).
 *
 * Public (the join link is the credential; a bad one is 404, nothing more):
 *   GET  /m/{token}                       the lobby page (the web UI)
 *   GET  /api/v1/join/{token}             what the lobby shows, and status
 *   POST /api/v1/join/{token}             knock; when admitted: Janus
 *   GET  /api/v1/join/{token}/lobby/{asset}     the lobby theme's logo or deck
 *                                         credentials (200), else 202 waiting
 *   POST /api/v1/janus/events             Janus's event handler (basic auth)
 * Funnel users:
 *   POST /api/v1/meetings/{id}/join       the same credentials, by session
 *   GET  /api/v1/meetings/{id}/attendance intervals and minutes per person
 * The master (and admins):
 *   GET  /api/v1/meetings/{id}/room       lobby and participants
 *   POST /api/v1/meetings/{id}/room       {"action": "open" | "end" | "lock" |
 *                                         "unlock" | "admit_all" | "lobby" |
 *                                         "admit" | "presenter" | "attendee" |
 *                                         "mute" | "unmute" | "remove",
 *                                         "invitee_id"?, "feed"?, "mid"?}
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crm/meetings/attendance.h"
#include "crm/meetings/janus.h"
#include "crm/meetings/meetings.h"
#include "crm/records/attachment.h"
#include "crm/meetings/room.h"
#include "api.h"

static int link_of(struct req *rq, struct resp *rs, long long *invitee, long long *meeting)
{
	struct err e;
	int rc;

	err_clear(&e);
	rc = room_invitee_by_link(rq->st, rq->params[0], invitee, meeting, &e);
	if (rc)
		api_problem(rs, rc, &e);
	return rc;
}

void api_meeting_page(struct req *rq, struct resp *rs)
{
	long long invitee, meeting;
	char path[4096];
	FILE *f;
	char chunk[16384];
	size_t n;

	if (link_of(rq, rs, &invitee, &meeting))
		return;
	if (!rq->web_root ||
	    snprintf(path, sizeof(path), "%s/index.html", rq->web_root) >= (int)sizeof(path) ||
	    !(f = fopen(path, "rb"))) {
		api_problem_status(rs, 503, "Service unavailable", "the web UI is not built");
		return;
	}
	buf_reset(&rs->body);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&rs->body, chunk, n);
	fclose(f);
	rs->status = 200;
	rs->content_type = "text/html; charset=utf-8";
	/* the link is the credential: never cached, never sent on as a referrer */
	api_set_header(rs, "Cache-Control", "no-store");
	api_set_header(rs, "Referrer-Policy", "no-referrer");
	janus_connect_src(path, sizeof(path));
	api_set_header(rs, "Content-Security-Policy", WEB_UI_CSP, path);
}

void api_join_get(struct req *rq, struct resp *rs)
{
	long long invitee, meeting;
	struct jw w;
	struct err e;
	int rc;

	if (link_of(rq, rs, &invitee, &meeting))
		return;
	err_clear(&e);
	api_json(rs, 200, &w);
	rc = room_lobby_json(rq->st, invitee, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
	api_set_header(rs, "Cache-Control", "no-store");
}

/* The lobby's logo or deck for a guest, who has no session to read
 * attachments with: the link proves they are invited, the theme names the
 * file, and the file is read as the system. */
void api_join_asset(struct req *rq, struct resp *rs)
{
	long long invitee, meeting, id;
	struct principal sys;
	struct attachment a;
	struct err e;
	int rc, fd, deck;

	if (link_of(rq, rs, &invitee, &meeting))
		return;
	err_clear(&e);
	deck = !strcmp(rq->params[1], "deck");
	if (!deck && strcmp(rq->params[1], "logo")) {
		fail(&e, E_NOTFOUND, "a lobby has a logo and a deck, nothing else");
		api_problem(rs, E_NOTFOUND, &e);
		return;
	}
	principal_system(&sys);
	rc = meeting_lobby_asset(rq->st, meeting, deck, &id, &e);
	if (!rc)
		rc = attachment_open(rq->st, &sys, rq->files_dir, id, &a, &fd, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_send_attachment(rs, &a, fd);
	api_set_header(rs, "Cache-Control", "private, max-age=300");
	api_set_header(rs, "Referrer-Policy", "no-referrer");
}

static void join(struct req *rq, struct resp *rs, long long invitee)
{
	struct jw w;
	struct err e;
	int rc, admitted = 0;

	err_clear(&e);
	api_json(rs, 200, &w);
	rc = room_join(rq->st, invitee, &admitted, &w, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	if (!admitted)
		rs->status = 202;
	api_set_header(rs, "Cache-Control", "no-store");
}

void api_join_post(struct req *rq, struct resp *rs)
{
	long long invitee, meeting;

	if (link_of(rq, rs, &invitee, &meeting))
		return;
	join(rq, rs, invitee);
}

void api_meeting_join(struct req *rq, struct resp *rs)
{
	long long invitee, id = api_id(rq, rs, 0);
	struct err e;
	int rc;

	if (id < 0)
		return;
	err_clear(&e);
	rc = room_invitee_of_user(rq->st, rq->p, id, &invitee, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	join(rq, rs, invitee);
}

void api_meeting_attendance(struct req *rq, struct resp *rs)
{
	long long id = api_id(rq, rs, 0);
	struct jw w;
	struct err e;
	int rc;

	if (id < 0)
		return;
	err_clear(&e);
	rc = room_meeting_visible(rq->st, rq->p, id, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_data(rs, &w);
	rc = attendance_json(rq->st, id, (long long)time(NULL) * 1000, &w, &e);
	api_data_end(rs, &w, rc, &e);
}

void api_meeting_room_get(struct req *rq, struct resp *rs)
{
	long long id = api_id(rq, rs, 0);
	struct jw w;
	struct err e;
	int rc;

	if (id < 0)
		return;
	err_clear(&e);
	api_json(rs, 200, &w);
	rc = room_state_json(rq->st, rq->p, id, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

static const char *const actions[] = {"open",	 "end",	      "lock",  "unlock",
				      "admit_all", "lobby",     "admit", "presenter",
				      "attendee",  "mute",      "unmute", "remove"};

void api_meeting_room_post(struct req *rq, struct resp *rs)
{
	struct api_args a;
	const char *action = NULL, *key, *mid = "0", *feed = "camera";
	long long invitee = 0;
	json_t *v;
	size_t i;
	int rc = OK, which = -1, needs;

	if (api_args(rq, rs, API_ID | API_BODY, &a))
		return;
	json_object_foreach(a.body, key, v)
	{
		if (!strcmp(key, "action")) {
			action = json_string_value(v);
			for (i = 0; action && i < sizeof(actions) / sizeof(actions[0]); i++)
				if (!strcmp(action, actions[i]))
					which = (int)i;
			if (which < 0)
				err_field(&a.e, "action",
					  "must be open, end, lock, unlock, admit_all, lobby, admit, "
					  "presenter, attendee, mute, unmute or remove");
		} else if (!strcmp(key, "invitee_id")) {
			if (!json_is_integer(v) || json_integer_value(v) <= 0)
				err_field(&a.e, "invitee_id", "must be an invitee's id");
			else
				invitee = json_integer_value(v);
		} else if (!strcmp(key, "feed")) {
			feed = json_string_value(v);
			if (!feed || (strcmp(feed, "camera") && strcmp(feed, "screen")))
				err_field(&a.e, "feed", "must be camera or screen");
		} else if (!strcmp(key, "mid")) {
			mid = json_string_value(v);
			if (!mid || !*mid || strlen(mid) > 8 || strspn(mid, "0123456789") != strlen(mid))
				err_field(&a.e, "mid", "must be a stream's mid (digits)");
		} else {
			err_field(&a.e, key, "unknown field");
		}
	}
	if (!action && !a.e.nfields)
		err_field(&a.e, "action", "is required");
	needs = which >= 6;
	if (which >= 0 && needs && !invitee && !a.e.nfields)
		err_field(&a.e, "invitee_id", "is required for %s", action);
	if (a.e.nfields) {
		api_done(rs, &a, E_INVAL);
		return;
	}
	switch (which) {
	case 0: rc = room_open(rq->st, rq->p, a.id, &a.e); break;
	case 1: rc = room_end(rq->st, rq->p, a.id, &a.e); break;
	case 2: rc = room_lock(rq->st, rq->p, a.id, 1, &a.e); break;
	case 3: rc = room_lock(rq->st, rq->p, a.id, 0, &a.e); break;
	case 4: rc = room_admit_all(rq->st, rq->p, a.id, 1, &a.e); break;
	case 5: rc = room_admit_all(rq->st, rq->p, a.id, 0, &a.e); break;
	case 6: rc = room_admit(rq->st, rq->p, a.id, invitee, &a.e); break;
	case 7: rc = room_presenter(rq->st, rq->p, a.id, invitee, 1, &a.e); break;
	case 8: rc = room_presenter(rq->st, rq->p, a.id, invitee, 0, &a.e); break;
	case 9:
	case 10:
		rc = room_mute(rq->st, rq->p, a.id, invitee,
			       strcmp(feed, "screen") ? JANUS_FEED_CAMERA : JANUS_FEED_SCREEN, mid,
			       which == 9, &a.e);
		break;
	default: rc = room_remove(rq->st, rq->p, a.id, invitee, &a.e); break;
	}
	if (api_done(rs, &a, rc))
		return;
	api_meeting_room_get(rq, rs);
}

/* Janus's sample event handler authenticates with HTTP basic auth, user
 * "janus" and the events secret. */
static int events_auth(struct req *rq)
{
	const char *h = api_header(rq, "Authorization");
	const char *secret = janus_config()->events_secret;
	char want[512], enc[700];
	size_t n;

	if (!h || !secret || strncasecmp(h, "Basic ", 6))
		return 0;
	n = (size_t)snprintf(want, sizeof(want), "janus:%s", secret);
	if (n >= sizeof(want))
		return 0;
	sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)want, n,
			  sodium_base64_VARIANT_ORIGINAL);
	h += 6;
	while (*h == ' ')
		h++;
	return strlen(h) == strlen(enc) && !sodium_memcmp(h, enc, strlen(enc));
}

void api_janus_events(struct req *rq, struct resp *rs)
{
	json_t *events = NULL;
	struct jw w;
	struct err e;
	int rc, used = 0;

	err_clear(&e);
	if (!events_auth(rq)) {
		api_problem(rs, fail(&e, E_AUTH, "Janus's event handler authenticates with the "
						 "events secret"),
			    &e);
		return;
	}
	rc = json_parse(rq->body, rq->body_len, &events, &e);
	if (!rc)
		rc = attendance_ingest(rq->st, events, &used, &e);
	json_decref(events);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_json(rs, 200, &w);
	jw_obj(&w);
	jw_kint(&w, "used", used);
	jw_obj_end(&w);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c lists it) --- */
static const char *const room_actions[] = {"open",  "end",       "lock",     "unlock",
					   "admit_all", "lobby", "admit", "presenter",
					   "attendee", "mute", "unmute", "remove", NULL};
static const struct api_prop p_room_action[] = {
	DOC_CHOICE("action", DOC_REQ, room_actions,
	       "open (create the Janus room), end (destroy it), lock/unlock (no one new gets "
	       "in), admit_all/lobby (invitees skip the lobby or wait in it), admit, "
	       "presenter/attendee (the token joins or leaves the room's allowed list; revoking "
	       "kicks the feeds), mute/unmute, remove"),
	DOC_PROP("invitee_id", FT_INT, 0, 0, "The invitee acted on (admit … remove)"),
	DOC_PROP("feed", FT_TEXT, 0, 8, "mute/unmute: camera (default) or screen"),
	DOC_PROP("mid", FT_TEXT, 0, 8, "mute/unmute: the stream's mid (default 0, the microphone)"),
};
static const struct api_prop p_join[] = {
	DOC_PROP("status", FT_TEXT, DOC_REQ, 16, "admitted, or waiting (202) in the lobby"),
	DOC_PROP("janus_url", FT_TEXT, 0, 0, "Where the browser reaches Janus"),
	DOC_PROP("room", FT_INT, 0, 0, "The Janus VideoRoom"),
	DOC_PROP("token", FT_TEXT, 0, 0, "Signed Janus token (core; names the invitee)"),
	DOC_PROP("room_token", FT_TEXT, 0, 0, "Signed VideoRoom token for join requests"),
	DOC_PROP("expires_at", FT_TEXT, 0, 0, "When the tokens expire"),
	DOC_PROP("role", FT_TEXT, 0, 16, "master, presenter or attendee (as invited)"),
	{{"presenter", FT_BOOL, 0, 0, 0, NULL, NULL, "May publish now (Janus enforces it)"}, NULL},
	{{"master", FT_BOOL, 0, 0, 0, NULL, NULL, "Controls the room"}, NULL},
	DOC_PROP("meeting_id", FT_INT, 0, 0, "The meeting"),
	DOC_PROP("invitee_id", FT_INT, 0, 0, "The participant"),
	DOC_SUB("feed_ids", "FeedIds", 0, "Publisher ids to use: camera, screen"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("RoomAction", 1, "One of the master's controls", p_room_action),
	DOC_SCHEMA("JoinCredentials", 0, "Janus credentials for an admitted participant", p_join),
	{"FeedIds", 0, "Publisher ids: {camera, screen}", NULL, 0},
	{"JoinLobby", 0, "What the lobby shows: meeting {id, title, starts_at, duration_minutes, "
		     "timezone, kind, host, state}, invitee {id, name, role}, consent, status "
		     "(waiting, admitted, locked, not_open, ended), presenter, knocked", NULL, 0},
	{"RoomState", 0, "The room: state, open, locked, admit_all, participants [{invitee_id, "
			 "name, role, status (absent, waiting, admitted, removed), presenter, "
			 "feed_ids}]", NULL, 0},
	{"Attendance", 0, "{data: [{invitee_id, name, email, kind, contact_id, user_id, role, "
			  "intervals: [{joined_at, left_at, left_reason}], minutes}]}", NULL, 0},
	{"JanusEvents", 0, "A Janus event, or an array of them (the sample event handler's "
			   "batches)", NULL, 0},
	{"JanusIngest", 0, "{used}: how many events changed presence", NULL, 0},
};

static const struct api_op doc_ops[] = {
	{api_meeting_page, "meeting_page", "meetings", "An invitee's lobby (the web UI)",
	 "Public: the personal join link /m/{token} of the invitation.  The web UI's page, "
	 "which asks GET /api/v1/join/{token}.  404 for a link that is guessed, expired or "
	 "withdrawn, saying nothing more.  Cache-Control no-store, Referrer-Policy no-referrer.",
	 NULL, 200, NULL, NULL, NULL},
	{api_join_get, "get_join", "meetings", "What the lobby shows",
	 "Public, by the link token: the meeting's title, time, host, the recording consent "
	 "notice and where the invitee stands.  404 for a bad link.",
	 NULL, 200, "JoinLobby", NULL, NULL},
	{api_join_post, "join", "meetings", "Join a live meeting by link",
	 "Public, by the link token.  Admitted (by the master, or everyone when admit_all): 200 "
	 "with the Janus URL, room and short-lived signed tokens; else the knock is recorded "
	 "and 202 {status: waiting}.  409 when the room is not open or locked; 404 for a bad "
	 "link, a removed invitee or an ended meeting.  No Janus secret is ever in it.",
	 NULL, 200, "JoinCredentials", NULL, "409"},
	{api_join_asset, "get_join_asset", "meetings", "The lobby's logo or deck, for a guest",
	 "Public, by the link token: {asset} is logo (an image) or deck (a PDF) of the lobby "
	 "theme the meeting shows (lobby_id, else the account's industry's).  The bytes as "
	 "GET /api/v1/attachments/{id}/content sends them (a sandboxed download; an <img> "
	 "shows it).  404 for a bad link, or a theme without one.",
	 NULL, 200, NULL, NULL, NULL},
	{api_janus_events, "janus_events", "meetings", "Janus's event handler",
	 "For Janus only: HTTP basic auth, user janus, password --janus-events-secret (401 "
	 "otherwise).  Session and handle events, one or a JSON array; handles attached with a "
	 "token Funnel signed open a participant's presence, detached/destroyed/timeout close "
	 "it.",
	 "JanusEvents", 200, "JanusIngest", NULL, "401"},
	{api_meeting_join, "join_meeting", "meetings", "Join a live meeting as a Funnel user",
	 "With the caller's session: their invitation in the meeting (the master's included), "
	 "as POST /api/v1/join/{token}.",
	 NULL, 200, "JoinCredentials", NULL, "409"},
	{api_meeting_attendance, "meeting_attendance", "meetings", "Who attended, and when",
	 "Every invitee with their join/leave intervals (from Janus's events; a session timeout "
	 "counts as leaving) and minutes present (overlapping intervals counted once).  Visible "
	 "as the meeting.",
	 NULL, 200, "Attendance", NULL, NULL},
	{api_meeting_room_get, "get_meeting_room", "meetings", "The live room, for its master",
	 "The room's switches and every invitee's standing (lobby, admitted, removed, "
	 "presenter).  The master and admins (403 for others).",
	 NULL, 200, "RoomState", NULL, NULL},
	{api_meeting_room_post, "control_meeting_room", "meetings", "The master's controls",
	 "Open or end the Janus room, lock it, admit, make or revoke presenters (Janus "
	 "enforces it: the room's allowed list), mute, remove.  Answers the room.  The master "
	 "and admins (403); 409 when the meeting is not live; 503 when Janus does not answer.",
	 "RoomAction", 200, "RoomState", NULL, "409 503"},
};

const struct api_doc api_doc_rooms = {
	NULL, /* the tag "meetings" is the meeting record's */
	NULL,
	doc_ops,
	DOC_N(doc_ops),
	doc_schemas,
	DOC_N(doc_schemas),
};
