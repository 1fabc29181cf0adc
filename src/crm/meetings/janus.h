/*
 * janus.h — Funnel's client of the Janus WebRTC server (the live side of
 * meetings; docs/meetings-live.md).
 *
 * Funnel drives a Janus that runs beside it on loopback (scripts/janus-
 * config.sh writes its configuration).  Three secrets tie them together,
 * none of which ever reaches a browser:
 *
 *   token secret   Janus's token_auth_secret: every Janus request carries a
 *                  token "<expiry>,janus,<plugin>[,...]:<base64 HMAC-SHA1>"
 *                  signed with it.  Funnel signs its own (a minute long) and
 *                  two per participant: the core one names the invitee
 *                  ("p=N", which Janus ignores but reports back to the event
 *                  handler with the handle's "attached" event, so attendance
 *                  is matched by a value only Funnel can have made), and the
 *                  room one ("<expiry>,janus.plugin.videoroom,room=N,p=N"),
 *                  which the VideoRoom checks on a join (signed_tokens).
 *   admin key      the VideoRoom's admin_key: only Funnel creates rooms.
 *   room secret    each room's "secret", derived from the admin key and the
 *                  meeting id (HMAC-SHA256), needed to edit, kick, moderate
 *                  and destroy; kept nowhere.
 *   admin secret   Janus's admin_secret, for its admin API (on loopback, when
 *                  given): Funnel ends a removed participant's Janus session
 *                  with it, so what they receive stops at once.
 *
 * Presenter rights are Janus's: a room is created with signed_tokens and an
 * `allowed` list, and joining as a publisher needs a token in that list.
 * Presenters' tokens are in it; attendees' are not, so their publisher join
 * is refused by Janus (they subscribe only).  Revoking removes the token from
 * the list and kicks the publisher's feeds.
 *
 * Calls are synchronous over libcurl (HTTP transport): each opens a Janus
 * session, attaches the VideoRoom, sends one request and destroys the session
 * (a few milliseconds on loopback).  Errors: E_UNAVAILABLE when Janus is not
 * configured or does not answer; E_CONFLICT with Janus's own reason when the
 * plugin refuses (no such room, no such participant); E_INTERNAL otherwise.
 */
#ifndef FUNNEL_JANUS_H
#define FUNNEL_JANUS_H

#include <jansson.h>

#include "core/err.h"

struct janus_conf {
	const char *url;           /* http://127.0.0.1:8088/janus, or NULL: no live rooms */
	const char *ws_url;        /* what browsers use, if not url (may be NULL) */
	const char *admin_key;     /* the VideoRoom's admin_key */
	const char *token_secret;  /* Janus's token_auth_secret */
	const char *events_secret; /* the event handler's backend_pwd (user "janus") */
	const char *admin_url;     /* Janus's admin API (http://127.0.0.1:7088/admin), or NULL */
	const char *admin_secret;  /* its admin_secret */
};

/* The process-wide configuration (set once by `funnel serve`; strings are
 * borrowed and must outlive the process).  janus_config() returns it, with
 * url NULL when Janus is not configured. */
void janus_configure(const struct janus_conf *c);
const struct janus_conf *janus_config(void);

/* The origins (scheme://host:port) of the configured Janus URLs, each
 * preceded by a space, for the web UI's connect-src; "" without Janus. */
void janus_connect_src(char *out, size_t n);

/* Participant publisher ids in a room: invitee*10 + 1 (camera and
 * microphone) and + 2 (the shared screen). */
#define JANUS_FEED_CAMERA 1
#define JANUS_FEED_SCREEN 2
long long janus_feed_id(long long invitee_id, int kind);
long long janus_feed_invitee(long long feed_id);

/* Sign a token valid until `expiry` (Unix seconds) for the VideoRoom and
 * TextRoom, naming `room` and invitee `p` when they are > 0.  Writes at
 * most n bytes to out; returns 0, or -1 if it does not fit. */
int janus_sign(const char *secret, long long expiry, long long room, long long p, char *out,
	       size_t n);
/* The VideoRoom's own token for the "token" of a join: realm
 * "janus.plugin.videoroom" (the plugin checks signed_tokens rooms against its
 * package name), "room=N" and "p=N".  It is what the room's `allowed` list
 * holds for presenters. */
int janus_sign_room(const char *secret, long long expiry, long long room, long long p, char *out,
		    size_t n);
/* Check a token made by janus_sign: signature and expiry (against `now`).
 * On success fills *room and *p (0 when absent) and returns 1, else 0. */
int janus_verify(const char *secret, const char *token, long long now, long long *room,
		 long long *p);

/* The room's secret for meeting `meeting_id` (hex, 64 characters + NUL). */
void janus_room_secret(long long meeting_id, char out[65]);

/* Create a VideoRoom for meeting `meeting_id` with signed tokens and an
 * `allowed` list holding the tokens in `allowed` (a JSON array of strings;
 * borrowed); *room gets the id Janus chose. */
int janus_room_create(long long meeting_id, const char *description, json_t *allowed,
		      long long *room, struct err *e);
/* Destroy it (a room already gone is not an error). */
int janus_room_destroy(long long meeting_id, long long room, struct err *e);
/* Add to or remove from the room's allowed list. */
int janus_room_allow(long long meeting_id, long long room, const char *token, int add,
		     struct err *e);
/* Kick publisher `feed` (a feed not in the room is not an error). */
int janus_room_kick(long long meeting_id, long long room, long long feed, struct err *e);
/* Mute (or unmute) stream `mid` of publisher `feed`. */
int janus_room_moderate(long long meeting_id, long long room, long long feed, const char *mid,
			int mute, struct err *e);
/* The room's participants, as Janus lists them (new reference in *out:
 * [{"id", "display", "publisher", "talking"?}]). */
int janus_room_participants(long long room, json_t **out, struct err *e);
/* End Janus session `session` through the admin API: every handle of it
 * (publisher, subscriptions, data channels) goes.  OK without an admin API
 * configured, or when the session is gone already. */
int janus_session_destroy(long long session, struct err *e);

/* One request to `plugin` ("janus.plugin.videoroom"); *out gets a new
 * reference to plugindata.data. */
int janus_plugin_request(const char *plugin, json_t *body, json_t **out, struct err *e);

#endif
