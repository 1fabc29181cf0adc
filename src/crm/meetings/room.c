/*
 * room.c — the live room (room.h): lobby, admission, presenter rights on
 * Janus, the master's controls.
 */
#include "room.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "crm/records/record.h"
#include "crm/records/resources.h"
#include "janus.h"
#include "meetings.h"
#include "poll.h"

/* A participant's Janus token lives this long from its first use: a
 * meeting's length with margin; signed tokens cannot be revoked before
 * they expire, which is why presenter rights ride on the room's allowed
 * list, which can. */
#define TOKEN_SECONDS (4 * 3600)

static const char consent[] =
	"This meeting may be recorded, with the host's switch, for the customer's file and "
	"for training. By joining you agree that your voice, video and shared screen may be "
	"recorded. Leave the meeting if you do not agree.";

int room_invitee_by_link(struct store *st, const char *token, long long *invitee,
			 long long *meeting, struct err *e)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[65], now[TIME_ISO_LEN];
	struct stmt *s;
	int rc;

	*invitee = *meeting = 0;
	if (!token || strlen(token) < 16 || strlen(token) > 128)
		return fail(e, E_NOTFOUND, "no such meeting link");
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	time_iso(time_now(), now);
	s = store_prepare(st,
			  "SELECT id, meeting_id FROM meeting_invitees WHERE join_token_hash = ? "
			  "AND (join_expires_at IS NULL OR join_expires_at > ?)",
			  e);
	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_text(s, 1, hex);
	stmt_bind_text(s, 2, now);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		*invitee = stmt_int(s, 0);
		*meeting = stmt_int(s, 1);
	}
	stmt_done(s);
	if (!rc && !*invitee)
		rc = fail(e, E_NOTFOUND, "no such meeting link");
	return rc;
}

int room_meeting_visible(struct store *st, const struct principal *p, long long meeting,
			 struct err *e)
{
	long long owner, master;
	int found, rc;

	/* as the meeting record (its opportunity's visibility), and always for
	 * its master and the co-workers invited to it */
	rc = store_int(st, &master, &found, e, "SELECT master_id FROM meetings WHERE id = ?", "i",
		       meeting);
	if (rc || !found)
		return rc ? rc : fail(e, E_NOTFOUND, "no such meeting");
	if (master == p->user_id || !record_visible(st, p, &meeting_resource, meeting, NULL))
		return OK;
	rc = store_int(st, &owner, &found, e,
		       "SELECT id FROM meeting_invitees WHERE meeting_id = ? AND user_id = ?", "ii",
		       meeting, p->user_id);
	if (!rc && !found)
		rc = fail(e, E_NOTFOUND, "no such meeting");
	return rc;
}

int room_invitee_of_user(struct store *st, const struct principal *p, long long meeting,
			 long long *invitee, struct err *e)
{
	int found, rc = room_meeting_visible(st, p, meeting, e);

	if (rc)
		return rc;
	rc = store_int(st, invitee, &found, e,
		       "SELECT id FROM meeting_invitees WHERE meeting_id = ? AND user_id = ? "
		       "ORDER BY role = 'master' DESC, id LIMIT 1",
		       "ii", meeting, p->user_id);
	if (!rc && !found)
		rc = fail(e, E_NOTFOUND, "you are not invited to this meeting");
	return rc;
}

int room_controls(struct store *st, const struct principal *p, long long meeting,
		  struct err *e)
{
	long long master;
	int found, rc;

	rc = room_meeting_visible(st, p, meeting, e);
	if (rc)
		return rc;
	rc = store_int(st, &master, &found, e, "SELECT master_id FROM meetings WHERE id = ?", "i",
		       meeting);
	if (rc)
		return rc;
	if (master != p->user_id && !principal_is_admin(p))
		return fail(e, E_FORBIDDEN, "only the meeting's master controls its room");
	return OK;
}

/* The master's actions are in the meeting's history (GET
 * /api/v1/meetings/{id}/history), as "update" rows of field "room":
 * "open", "end", "lock", "presenter: <invitee>" ... */
static int audit(struct store *st, const struct principal *p, long long meeting,
		 const char *what, long long invitee, struct err *e)
{
	char now[TIME_ISO_LEN], text[96];

	time_iso(time_now(), now);
	if (invitee)
		snprintf(text, sizeof(text), "%s: invitee %lld", what, invitee);
	else
		snprintf(text, sizeof(text), "%s", what);
	return history_add(st, "meetings", meeting, now, p->user_id, "update", "room", NULL, text, e);
}

/* meetings.janus_room, or 0 when no room is open */
static long long janus_room_of(struct store *st, long long meeting, struct err *e)
{
	long long room = 0;
	int found;

	if (store_int(st, &room, &found, e,
		      "SELECT COALESCE(janus_room, 0) FROM meetings WHERE id = ? AND state = 'live'",
		      "i", meeting))
		return -1;
	return room;
}

/* The invitee's Janus token, signed for `expiry` (stored per participant so
 * it can be signed again, identically, to take it out of the allowed list) */
static void token_for(long long room, long long invitee, long long expiry, char *out, size_t n)
{
	janus_sign_room(janus_config()->token_secret, expiry, room, invitee, out, n);
}

/* The participant row's token expiry, made (now + TOKEN_SECONDS) when
 * missing or past */
static int expiry_for(struct store *st, long long invitee, long long *expiry, struct err *e)
{
	int found, rc;
	long long now = (long long)time(NULL);

	rc = store_int(st, expiry, &found, e,
		       "SELECT COALESCE(token_expiry, 0) FROM meeting_participants WHERE "
		       "invitee_id = ?",
		       "i", invitee);
	if (rc)
		return rc;
	if (*expiry > now + 60)
		return OK;
	*expiry = now + TOKEN_SECONDS;
	return store_run(st, e, "UPDATE meeting_participants SET token_expiry = ? WHERE invitee_id = ?",
			 "ii", *expiry, invitee);
}

static int ensure_participant(struct store *st, long long meeting, long long invitee,
			      struct err *e)
{
	return store_run(st, e,
			 "INSERT INTO meeting_participants (invitee_id, meeting_id) VALUES (?, ?) "
			 "ON CONFLICT (invitee_id) DO NOTHING",
			 "ii", invitee, meeting);
}

int room_open(struct store *st, const struct principal *p, long long meeting, struct err *e)
{
	struct stmt *s;
	json_t *allowed = json_array();
	char token[512], now[TIME_ISO_LEN], title[256] = "";
	long long room = 0, expiry = (long long)time(NULL) + TOKEN_SECONDS;
	int rc;

	rc = room_controls(st, p, meeting, e);
	if (rc)
		goto out;
	s = store_prepare(st, "SELECT state, janus_room, title FROM meetings WHERE id = ?", e);
	if (!s) {
		rc = e ? e->code : E_INTERNAL;
		goto out;
	}
	stmt_bind_int(s, 1, meeting);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		const char *state = stmt_text(s, 0);

		if (!strcmp(state, "live") && !stmt_null(s, 1))
			room = stmt_int(s, 1);
		else if (strcmp(state, "scheduled") && strcmp(state, "open"))
			rc = fail(e, E_CONFLICT, "the meeting is %s; its room cannot open", state);
		snprintf(title, sizeof(title), "%s", stmt_text(s, 2) ? stmt_text(s, 2) : "");
	}
	stmt_done(s);
	if (rc || room)
		goto out; /* already open: nothing to do */
	/* the room is made with its presenters' tokens allowed; the master
	 * and presenters are admitted */
	time_iso(time_now(), now);
	rc = store_begin(st, e);
	if (rc)
		goto out;
	rc = store_run(st, e,
		       "INSERT INTO meeting_participants (invitee_id, meeting_id, admitted_at, "
		       "presenter, token_expiry) SELECT id, meeting_id, ?, 1, ? FROM "
		       "meeting_invitees WHERE meeting_id = ? AND role IN ('master', 'presenter') "
		       "ON CONFLICT (invitee_id) DO UPDATE SET presenter = 1, admitted_at = "
		       "COALESCE(admitted_at, excluded.admitted_at), token_expiry = "
		       "excluded.token_expiry",
		       "tii", now, expiry, meeting);
	if (rc)
		goto fail;
	rc = store_run(st, e,
		       "INSERT INTO meeting_rooms (meeting_id, opened_at) VALUES (?, ?) "
		       "ON CONFLICT (meeting_id) DO UPDATE SET opened_at = excluded.opened_at, "
		       "ended_at = NULL",
		       "it", meeting, now);
	if (rc)
		goto fail;
	/* Janus picks the room id; the tokens name it, so the room is made
	 * with an empty list, which is then filled */
	rc = janus_room_create(meeting, title, allowed, &room, e);
	if (rc)
		goto fail;
	s = store_prepare(st,
			  "SELECT invitee_id FROM meeting_participants WHERE meeting_id = ? AND "
			  "presenter = 1 AND removed_at IS NULL",
			  e);
	if (!s) {
		rc = e ? e->code : E_INTERNAL;
		goto fail_room;
	}
	stmt_bind_int(s, 1, meeting);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		token_for(room, stmt_int(s, 0), expiry, token, sizeof(token));
		rc = janus_room_allow(meeting, room, token, 1, e);
		if (rc)
			break;
	}
	stmt_done(s);
	if (rc)
		goto fail_room;
	rc = store_run(st, e,
		       "UPDATE meetings SET janus_room = ?, state = 'live', updated_at = ?, version = "
		       "version + 1 WHERE id = ?",
		       "iti", room, now, meeting);
	if (!rc)
		rc = audit(st, p, meeting, "open", 0, e);
	if (!rc)
		rc = store_commit(st, e);
fail_room:
	if (rc)
		janus_room_destroy(meeting, room, NULL);
fail:
	if (rc)
		store_rollback(st);
out:
	json_decref(allowed);
	return rc;
}

int room_end(struct store *st, const struct principal *p, long long meeting, struct err *e)
{
	char now[TIME_ISO_LEN];
	long long room;
	int rc = room_controls(st, p, meeting, e);

	if (rc)
		return rc;
	room = janus_room_of(st, meeting, e);
	if (room < 0)
		return e ? e->code : E_INTERNAL;
	if (!room)
		return fail(e, E_CONFLICT, "the meeting is not live");
	rc = janus_room_destroy(meeting, room, e);
	if (rc)
		return rc;
	time_iso(time_now(), now);
	rc = store_begin(st, e);
	if (!rc)
		rc = store_run(st, e,
			       "UPDATE meetings SET state = 'ended', updated_at = ?, version = version "
			       "+ 1 WHERE id = ?",
			       "ti", now, meeting);
	if (!rc)
		rc = store_run(st, e, "UPDATE meeting_rooms SET ended_at = ? WHERE meeting_id = ?",
			       "ti", now, meeting);
	if (!rc)
		rc = poll_close_all(st, meeting, e);
	if (!rc)
		rc = audit(st, p, meeting, "end", 0, e);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
	return rc;
}

static int invitee_in(struct store *st, long long meeting, long long invitee, struct err *e)
{
	long long x;
	int found, rc;

	rc = store_int(st, &x, &found, e,
		       "SELECT id FROM meeting_invitees WHERE id = ? AND meeting_id = ?", "ii",
		       invitee, meeting);
	if (!rc && !found)
		rc = err_field(e, "invitee_id", "no such invitee in this meeting");
	return rc;
}

int room_admit(struct store *st, const struct principal *p, long long meeting,
	       long long invitee, struct err *e)
{
	char now[TIME_ISO_LEN];
	int rc = room_controls(st, p, meeting, e);

	if (!rc)
		rc = invitee_in(st, meeting, invitee, e);
	if (!rc)
		rc = ensure_participant(st, meeting, invitee, e);
	time_iso(time_now(), now);
	if (!rc)
		rc = store_run(st, e,
			       "UPDATE meeting_participants SET admitted_at = COALESCE(admitted_at, "
			       "?), removed_at = NULL WHERE invitee_id = ?",
			       "ti", now, invitee);
	if (!rc)
		rc = audit(st, p, meeting, "admit", invitee, e);
	return rc;
}

int room_admit_all(struct store *st, const struct principal *p, long long meeting, int on,
		   struct err *e)
{
	int rc = room_controls(st, p, meeting, e);

	if (!rc)
		rc = store_run(st, e,
			       "INSERT INTO meeting_rooms (meeting_id, opened_at, admit_all) VALUES "
			       "(?, ?, ?) ON CONFLICT (meeting_id) DO UPDATE SET admit_all = "
			       "excluded.admit_all",
			       "iti", meeting, "", (long long)(on != 0));
	if (!rc)
		rc = audit(st, p, meeting, on ? "admit everyone" : "lobby", 0, e);
	return rc;
}

int room_lock(struct store *st, const struct principal *p, long long meeting, int locked,
	      struct err *e)
{
	int rc = room_controls(st, p, meeting, e);

	if (!rc)
		rc = store_run(st, e,
			       "INSERT INTO meeting_rooms (meeting_id, opened_at, locked) VALUES "
			       "(?, ?, ?) ON CONFLICT (meeting_id) DO UPDATE SET locked = "
			       "excluded.locked",
			       "iti", meeting, "", (long long)(locked != 0));
	if (!rc)
		rc = audit(st, p, meeting, locked ? "lock" : "unlock", 0, e);
	return rc;
}

static int kick_feeds(long long meeting, long long room, long long invitee, struct err *e)
{
	int rc = janus_room_kick(meeting, room, janus_feed_id(invitee, JANUS_FEED_CAMERA), e);

	if (!rc)
		rc = janus_room_kick(meeting, room, janus_feed_id(invitee, JANUS_FEED_SCREEN), e);
	return rc;
}

int room_presenter(struct store *st, const struct principal *p, long long meeting,
		   long long invitee, int on, struct err *e)
{
	char token[512];
	long long room, expiry;
	int rc = room_controls(st, p, meeting, e);

	if (!rc)
		rc = invitee_in(st, meeting, invitee, e);
	if (rc)
		return rc;
	room = janus_room_of(st, meeting, e);
	if (room < 0)
		return e ? e->code : E_INTERNAL;
	rc = ensure_participant(st, meeting, invitee, e);
	if (!rc && room)
		rc = expiry_for(st, invitee, &expiry, e);
	if (rc)
		return rc;
	rc = store_run(st, e, "UPDATE meeting_participants SET presenter = ? WHERE invitee_id = ?",
		       "ii", (long long)(on != 0), invitee);
	if (rc || !room)
		return rc;
	token_for(room, invitee, expiry, token, sizeof(token));
	/* Janus enforces it: the token joins or leaves the allowed list, and a
	 * former presenter's feeds are kicked (their next publisher join is
	 * refused as "not in the allowed list") */
	rc = janus_room_allow(meeting, room, token, on, e);
	if (!rc && !on)
		rc = kick_feeds(meeting, room, invitee, e);
	if (!rc)
		rc = audit(st, p, meeting, on ? "presenter" : "attendee", invitee, e);
	return rc;
}

int room_mute(struct store *st, const struct principal *p, long long meeting,
	      long long invitee, int feed_kind, const char *mid, int mute, struct err *e)
{
	long long room;
	int rc = room_controls(st, p, meeting, e);

	if (!rc)
		rc = invitee_in(st, meeting, invitee, e);
	if (rc)
		return rc;
	room = janus_room_of(st, meeting, e);
	if (room < 0)
		return e ? e->code : E_INTERNAL;
	if (!room)
		return fail(e, E_CONFLICT, "the meeting is not live");
	rc = janus_room_moderate(meeting, room, janus_feed_id(invitee, feed_kind), mid, mute, e);
	if (!rc)
		rc = audit(st, p, meeting, mute ? "mute" : "unmute", invitee, e);
	return rc;
}

/* End the Janus sessions invitee is present with (meeting_presence). */
static int end_sessions(struct store *st, long long invitee, struct err *e)
{
	struct stmt *s = store_prepare(st, "SELECT DISTINCT janus_session FROM meeting_presence "
					   "WHERE invitee_id = ? AND left_ms IS NULL", e);
	int rc;

	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_int(s, 1, invitee);
	while (!(rc = stmt_step(s, e)) && stmt_row(s))
		if ((rc = janus_session_destroy(stmt_int(s, 0), e)))
			break;
	stmt_done(s);
	return rc;
}

int room_remove(struct store *st, const struct principal *p, long long meeting,
		long long invitee, struct err *e)
{
	char now[TIME_ISO_LEN];
	int rc = OK;
	long long room;

	rc = room_presenter(st, p, meeting, invitee, 0, e);
	if (rc)
		return rc;
	room = janus_room_of(st, meeting, e);
	if (room < 0)
		return e ? e->code : E_INTERNAL;
	time_iso(time_now(), now);
	rc = store_run(st, e, "UPDATE meeting_participants SET removed_at = ? WHERE invitee_id = ?",
		       "ti", now, invitee);
	if (!rc)
		rc = audit(st, p, meeting, "remove", invitee, e);
	/* their feeds were kicked above (room_presenter); what they receive ends
	 * with their Janus sessions, ended through the admin API.  Without one
	 * (funnel serve --janus-admin), the page is told (room_lobby_json:
	 * "removed") and their token, which names a room they cannot publish
	 * in, runs out by itself. */
	if (!rc)
		rc = end_sessions(st, invitee, e);
	return rc;
}

/* The participant's standing, for the lobby and room_join */
struct standing {
	long long meeting, room, master_id;
	int admitted, removed, presenter, locked, admit_all, knocked;
	char state[16], role[16];
};

static int standing_of(struct store *st, long long invitee, struct standing *sd,
		       struct err *e)
{
	struct stmt *s;
	int rc;

	memset(sd, 0, sizeof(*sd));
	s = store_prepare(st,
			  "SELECT m.id, COALESCE(m.janus_room, 0), m.state, i.role, "
			  "p.admitted_at IS NOT NULL, p.removed_at IS NOT NULL, COALESCE(p.presenter, "
			  "0), COALESCE(r.locked, 0), COALESCE(r.admit_all, 0), p.knocked_at IS NOT "
			  "NULL, m.master_id FROM meeting_invitees i JOIN meetings m ON m.id = "
			  "i.meeting_id LEFT JOIN meeting_participants p ON p.invitee_id = i.id LEFT "
			  "JOIN meeting_rooms r ON r.meeting_id = m.id WHERE i.id = ?",
			  e);
	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_int(s, 1, invitee);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		sd->meeting = stmt_int(s, 0);
		sd->room = stmt_int(s, 1);
		snprintf(sd->state, sizeof(sd->state), "%s", stmt_text(s, 2));
		snprintf(sd->role, sizeof(sd->role), "%s", stmt_text(s, 3));
		sd->admitted = (int)stmt_int(s, 4);
		sd->removed = (int)stmt_int(s, 5);
		sd->presenter = (int)stmt_int(s, 6);
		sd->locked = (int)stmt_int(s, 7);
		sd->admit_all = (int)stmt_int(s, 8);
		sd->knocked = (int)stmt_int(s, 9);
		sd->master_id = stmt_int(s, 10);
	} else if (!rc) {
		rc = fail(e, E_NOTFOUND, "no such meeting link");
	}
	stmt_done(s);
	return rc;
}

static const char *status_of(const struct standing *sd)
{
	if (sd->removed)
		return "removed";
	if (!strcmp(sd->state, "ended") || !strcmp(sd->state, "cancelled"))
		return "ended";
	if (!sd->room || strcmp(sd->state, "live"))
		return "not_open";
	if (sd->admitted)
		return "admitted";
	if (sd->locked)
		return "locked";
	return "waiting";
}

int room_lobby_json(struct store *st, long long invitee, struct jw *w, struct err *e)
{
	struct standing sd;
	struct stmt *s;
	int rc = standing_of(st, invitee, &sd, e);

	if (rc)
		return rc;
	if (sd.removed)
		return fail(e, E_NOTFOUND, "no such meeting link");
	s = store_prepare(st,
			  "SELECT m.id, m.title, m.starts_at, m.duration_minutes, m.timezone, "
			  "m.kind, u.name, i.name, i.role FROM meetings m JOIN meeting_invitees i ON "
			  "i.meeting_id = m.id LEFT JOIN users u ON u.id = m.master_id WHERE i.id = ?",
			  e);
	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_int(s, 1, invitee);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		jw_obj(w);
		jw_key(w, "meeting");
		jw_obj(w);
		jw_kint(w, "id", stmt_int(s, 0));
		jw_kstr(w, "title", stmt_text(s, 1));
		jw_kstr(w, "starts_at", stmt_text(s, 2));
		jw_kint(w, "duration_minutes", stmt_int(s, 3));
		jw_kstr(w, "timezone", stmt_text(s, 4));
		jw_kstr(w, "kind", stmt_text(s, 5));
		jw_kstr(w, "host", stmt_text(s, 6));
		jw_kstr(w, "state", sd.state);
		jw_obj_end(w);
		jw_key(w, "invitee");
		jw_obj(w);
		jw_kint(w, "id", invitee);
		jw_kstr(w, "name", stmt_text(s, 7));
		jw_kstr(w, "role", stmt_text(s, 8));
		jw_obj_end(w);
		/* the lobby theme: the meeting's, else its account's industry's */
		jw_key(w, "lobby");
		rc = meeting_lobby_json(st, sd.meeting, w, e);
		if (rc)
			goto out;
		jw_kstr(w, "consent", consent);
		jw_kstr(w, "status", status_of(&sd));
		jw_kbool(w, "presenter", sd.presenter);
		jw_kbool(w, "knocked", sd.knocked);
		jw_obj_end(w);
	}
out:
	stmt_done(s);
	return rc;
}

int room_join(struct store *st, long long invitee, int *admitted, struct jw *w,
	      struct err *e)
{
	const struct janus_conf *c = janus_config();
	struct standing sd;
	char token[512], room_token[512], now[TIME_ISO_LEN], exp_iso[TIME_ISO_LEN], display[32];
	long long expiry;
	const char *status;
	int rc;

	*admitted = 0;
	rc = standing_of(st, invitee, &sd, e);
	if (rc)
		return rc;
	status = status_of(&sd);
	if (!strcmp(status, "removed") || !strcmp(status, "ended"))
		return fail(e, E_NOTFOUND, "no such meeting link");
	if (!strcmp(status, "not_open"))
		return fail(e, E_CONFLICT, "the room is not open yet; wait in the lobby");
	time_iso(time_now(), now);
	rc = ensure_participant(st, sd.meeting, invitee, e);
	if (!rc && !sd.admitted && (sd.admit_all || !strcmp(sd.role, "master")) && !sd.locked) {
		rc = store_run(st, e,
			       "UPDATE meeting_participants SET admitted_at = ? WHERE invitee_id = ?",
			       "ti", now, invitee);
		sd.admitted = 1;
	}
	if (!rc && !sd.admitted) {
		rc = store_run(st, e,
			       "UPDATE meeting_participants SET knocked_at = COALESCE(knocked_at, ?) "
			       "WHERE invitee_id = ?",
			       "ti", now, invitee);
		if (!rc && sd.locked)
			rc = fail(e, E_CONFLICT, "the room is locked");
		if (!rc) {
			jw_obj(w);
			jw_kstr(w, "status", "waiting");
			jw_obj_end(w);
		}
		return rc;
	}
	if (!rc)
		rc = expiry_for(st, invitee, &expiry, e);
	if (rc)
		return rc;
	*admitted = 1;
	token_for(sd.room, invitee, expiry, room_token, sizeof(room_token));
	janus_sign(c->token_secret, expiry, sd.room, invitee, token, sizeof(token));
	time_iso((time_t)expiry, exp_iso);
	snprintf(display, sizeof(display), "%lld", invitee);
	jw_obj(w);
	jw_kstr(w, "status", "admitted");
	jw_kstr(w, "janus_url", c->ws_url ? c->ws_url : c->url);
	jw_kint(w, "room", sd.room);
	jw_kstr(w, "token", token);
	jw_kstr(w, "room_token", room_token);
	jw_kstr(w, "expires_at", exp_iso);
	jw_kstr(w, "role", sd.role);
	jw_kbool(w, "presenter", sd.presenter);
	jw_kbool(w, "master", !strcmp(sd.role, "master"));
	jw_kint(w, "meeting_id", sd.meeting);
	jw_kint(w, "invitee_id", invitee);
	jw_key(w, "feed_ids");
	jw_obj(w);
	jw_kint(w, "camera", janus_feed_id(invitee, JANUS_FEED_CAMERA));
	jw_kint(w, "screen", janus_feed_id(invitee, JANUS_FEED_SCREEN));
	jw_obj_end(w);
	jw_obj_end(w);
	return OK;
}

int room_state_json(struct store *st, const struct principal *p, long long meeting,
		    struct jw *w, struct err *e)
{
	struct stmt *s;
	int rc = room_controls(st, p, meeting, e);

	if (rc)
		return rc;
	s = store_prepare(st,
			  "SELECT m.state, COALESCE(m.janus_room, 0), COALESCE(r.locked, 0), "
			  "COALESCE(r.admit_all, 0) FROM meetings m LEFT JOIN meeting_rooms r ON "
			  "r.meeting_id = m.id WHERE m.id = ?",
			  e);
	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_int(s, 1, meeting);
	rc = stmt_step(s, e);
	jw_obj(w);
	if (!rc && stmt_row(s)) {
		jw_kstr(w, "state", stmt_text(s, 0));
		jw_kbool(w, "open", stmt_int(s, 1) > 0);
		jw_kbool(w, "locked", (int)stmt_int(s, 2));
		jw_kbool(w, "admit_all", (int)stmt_int(s, 3));
	}
	stmt_done(s);
	if (rc)
		return rc;
	s = store_prepare(st,
			  "SELECT i.id, i.name, i.role, p.knocked_at, p.admitted_at, p.removed_at, "
			  "COALESCE(p.presenter, 0) FROM meeting_invitees i LEFT JOIN "
			  "meeting_participants p ON p.invitee_id = i.id WHERE i.meeting_id = ? "
			  "ORDER BY i.id",
			  e);
	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_int(s, 1, meeting);
	jw_key(w, "participants");
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		const char *status = !stmt_null(s, 5)	? "removed"
				     : !stmt_null(s, 4) ? "admitted"
				     : !stmt_null(s, 3) ? "waiting"
							: "absent";

		jw_obj(w);
		jw_kint(w, "invitee_id", stmt_int(s, 0));
		jw_kstr(w, "name", stmt_text(s, 1));
		jw_kstr(w, "role", stmt_text(s, 2));
		jw_kstr(w, "status", status);
		jw_kbool(w, "presenter", (int)stmt_int(s, 6));
		jw_key(w, "feed_ids");
		jw_obj(w);
		jw_kint(w, "camera", janus_feed_id(stmt_int(s, 0), JANUS_FEED_CAMERA));
		jw_kint(w, "screen", janus_feed_id(stmt_int(s, 0), JANUS_FEED_SCREEN));
		jw_obj_end(w);
		jw_obj_end(w);
	}
	stmt_done(s);
	jw_arr_end(w);
	jw_obj_end(w);
	return rc;
}
