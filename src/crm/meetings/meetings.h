/*
 * meetings.h — eSales web meetings: the meetings capability (this folder;
 * start here).
 *
 * What it promises.  A salesperson prepares, holds and follows up a web
 * meeting — a webinar, a presentation, a proposal review, a negotiation, a
 * follow-up, a training — from the deal it belongs to, and what happens in it
 * lands on the customer's record.  A meeting (meeting_resource,
 * /api/v1/meetings) is on one opportunity (and so its account), is seen by
 * whoever sees that opportunity, and is audited like every record.  Its
 * invitees are contacts of the account, co-workers, or outside addresses;
 * each gets a personal, unguessable join link (/m/{token}: the token is only
 * mailed, its SHA-256 stored, and it expires when the meeting has ended),
 * an e-mail invitation with an iCalendar REQUEST (RFC 5545/5546, iMIP RFC
 * 6047) that calendar programs understand, and answers by a link or an iMIP
 * REPLY.  The lobby a guest waits in is themed for the account's sector.
 *
 * A meeting's state:
 *
 *     scheduled ──► open ──► live ──► ended
 *         │          │  ▲     │
 *         │          └──┘     │        (open: the lobby receives; live: the
 *         ▼          ▼        ▼         room runs on Janus, room.h)
 *      cancelled ◄───┴────────┘ (not once ended)
 *
 * ended and cancelled are final.  Ending marks the meeting's activity on the
 * deal's timeline done (a trigger, migration 014), which is what a stage's
 * "a meeting was held" criterion counts; cancelling mails a CANCEL.
 *
 * How its files divide the work:
 *
 *   meeting.c        the record type: fields, the state machine, the
 *                    activity on the deal, the master as first invitee,
 *                    re-invitation when the time or title changes
 *   lobby.c          lobby themes (a record type, admins keep them) and
 *                    which theme a meeting gets (chosen, else by industry)
 *   invitee.c        invitees, their links and their answers (RSVP)
 *   imip.c           the invitation mail: iCalendar by libical, MIME parts,
 *                    headers safe from injection; iMIP REPLY parsing
 *   mail.c           the outbox and the SMTP worker of `funnel serve`
 *                    (libcurl): retries with back-off, refusals recorded
 *   questionnaire.c  templates of live polls (questionnaire.h)
 *   handout.c        files sent to participants: to everyone or one, each
 *                    downloaded by the participant's own link, recorded
 *   poll.c, report.c live polls in a meeting, their answers and results, and
 *                    the participant report (poll.h, migration 019)
 *   room.c, janus.c, attendance.c  the live side on Janus (room.h, janus.h,
 *                    attendance.h, migration 015)
 *
 * How the live side plugs in (room.h, migration 015).  It owns
 * meetings.janus_room (NULL until a room is made) and moves the state
 * open → live → ended.  Through the record engine (record_update on
 * meeting_resource with {"state": …}) the checks and the history come
 * with it; when it writes the row itself (room.c does, in one statement
 * with janus_room) it keeps to meeting_may_move() and bumps `version`.
 * Either way the trigger of migration 014 marks the deal's activity done
 * when the state becomes ended.  A guest's /m/{token} is
 * resolved by hashing the token (hex SHA-256) and looking up
 * meeting_invitees.join_token_hash while join_expires_at is in the future;
 * the invitee's role (master, presenter, attendee) is what the room grants.
 * This side never reads attendance; the live side never writes invitations
 * or the outbox.
 *
 * Depends on records/ and process/ (the deal, its stages) only.
 */
#ifndef FUNNEL_MEETINGS_H
#define FUNNEL_MEETINGS_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "crm/records/record.h"
#include "store/store.h"

#define MEETING_TOKEN_LEN 44 /* the clear join token: 32 random bytes, base64url, + NUL */

/* May a meeting go from state `from` to state `to` (the arrows above; staying
 * put is allowed, except that ended and cancelled accept no change at all —
 * meeting.c refuses any update of a final meeting)?  0 for unknown names. */
int meeting_may_move(const char *from, const char *to);

/* Where Funnel is reached from outside (join and RSVP links in mail):
 * "https://crm.example.com", no trailing slash.  Set once at start (serve's
 * --public-url); default http://127.0.0.1:8080. */
void meetings_set_public_url(const char *url);
const char *meetings_public_url(void);

/* The lobby theme meeting `id` shows, as a JSON object ({id, name,
 * industries, welcome, primary_color, accent_color, logo_attachment_id,
 * deck_attachment_id}), or null when there is none (lobby.c). */
int meeting_lobby_json(struct store *st, long long id, struct jw *w, struct err *e);
/* The attachment id of that theme's logo (deck = 0) or deck (deck = 1):
 * E_NOTFOUND when there is no theme or it has none. */
int meeting_lobby_asset(struct store *st, long long id, int deck, long long *attachment,
			struct err *e);

/* --- files sent to participants (handout.c, migration 023) ---------------- */

/* Send attachment body.attachment_id (a file on the meeting's deal) to
 * body.invitee_id, or everyone when it is absent; *id gets the handout.
 * E_NOTFOUND for a meeting p does not see; E_INVAL naming the member;
 * E_CONFLICT once the meeting is over. */
int meeting_handout_send(struct store *st, const struct principal *p, long long meeting,
			 json_t *body, long long *id, struct err *e);
/* {data: [{id, attachment_id, filename, content_type, size, invitee_id,
 * sent_at, downloads: [{invitee_id, name, at}]}]} for one who sees it. */
int meeting_handouts_json(struct store *st, const struct principal *p, long long meeting,
			  struct jw *w, struct err *e);
/* The same for a participant (by their link): what was sent to everyone or
 * to them, without the downloads. */
int meeting_handouts_for(struct store *st, long long meeting, long long invitee, struct jw *w,
			 struct err *e);
/* A participant takes handout `handout`: *attachment gets the file, and the
 * download is recorded.  E_NOTFOUND when it was not sent to them. */
int meeting_handout_take(struct store *st, long long meeting, long long invitee,
			 long long handout, long long *attachment, struct err *e);

/* --- invitees (invitee.c) ------------------------------------------------ */

/* Invite one more person to meeting `id`: body {contact_id} (a contact of the
 * meeting's account), {user_id, role?} (a co-worker; role presenter or
 * attendee) or {email, name} (anyone else).  The new invitee's JSON into w.
 * E_NOTFOUND when p does not see the meeting; E_CONFLICT when the meeting is
 * ended or cancelled, or the address is invited already; E_INVAL with field
 * problems.  When invitations were sent already, this one is mailed too. */
int meeting_invitee_add(struct store *st, const struct principal *p, long long id,
			json_t *body, struct jw *w, struct err *e);
/* Change an invitee's role ({role: presenter|attendee}; co-workers only). */
int meeting_invitee_update(struct store *st, const struct principal *p, long long id,
			   long long invitee, json_t *body, struct jw *w, struct err *e);
/* Uninvite (not the master); a CANCEL is mailed when they were invited. */
int meeting_invitee_remove(struct store *st, const struct principal *p, long long id,
			   long long invitee, struct err *e);
/* The invitees of meeting `id` as a JSON array (no tokens, ever). */
int meeting_invitees_json(struct store *st, long long id, struct jw *w, struct err *e);

/* Mail every invitee not yet mailed (and, with `all`, everyone again) an
 * iCalendar REQUEST; the first time, the meeting's invited_at is set.
 * *queued says how many.  E_CONFLICT when ended or cancelled. */
int meeting_invite(struct store *st, const struct principal *p, long long id, int all,
		   int *queued, struct err *e);

/* RSVP by the link's token: answer accepted, declined or tentative.
 * E_NOTFOUND for a guessed or expired token (nothing else is said). */
int meeting_rsvp(struct store *st, const char *token, const char *answer, struct jw *w,
		 struct err *e);
/* The meeting and invitee behind a link token, for the RSVP page: title,
 * start, time zone, the invitee's name and current answer. */
int meeting_link_json(struct store *st, const char *token, struct jw *w, struct err *e);
/* An iMIP REPLY (RFC 6047) sent back by a calendar program, posted by p (a
 * mail gateway's token): its UID names the meeting (one p sees), its
 * ATTENDEE the invitee (by address), PARTSTAT the answer. */
int meeting_imip_reply(struct store *st, const struct principal *p, const char *ical, size_t n,
		       struct jw *w, struct err *e);

/* --- the invitation mail (imip.c) ----------------------------------------- */

struct imip_meeting {
	const char *uid, *title, *description, *timezone, *organizer_name, *organizer_email;
	long long sequence;
	time_t starts_at;
	int duration_minutes;
	int cancelled;
	time_t stamp; /* DTSTAMP: when this version was written; 0: now (a mail) */
};

struct imip_attendee {
	const char *name, *email, *rsvp; /* rsvp: needs_action|accepted|declined|tentative */
};

/* The iCalendar object (METHOD REQUEST, or CANCEL when m->cancelled) for
 * meeting m and its attendees, into out (CRLF lines, folded).  `link` is the
 * recipient's join link (URL and DESCRIPTION), NULL for none.  E_INVAL
 * for an unknown time zone. */
int imip_calendar(const struct imip_meeting *m, const struct imip_attendee *a, int na,
		  const char *link, struct buf *out, struct err *e);
/* The whole mail to one attendee: From, To, Subject (RFC 2047 for non-ASCII),
 * Date, Message-ID; multipart/mixed around multipart/alternative text, HTML
 * and text/calendar, plus the calendar again as an invite.ics attachment.
 * Names and subjects holding CR or LF are refused (E_INVAL): no header
 * can be injected. */
int imip_message(const struct imip_meeting *m, const struct imip_attendee *a, int na, int to,
		 const char *from, const char *link, const char *rsvp_link, struct buf *out,
		 struct err *e);

/* The iCalendar writer behind both the invitations and the calendar feed
 * (crm/integrations/calendar.h), over libical: a VCALENDAR that events and
 * to-dos are added to; each time zone an event uses gets its VTIMEZONE
 * once.  ical_doc_new: `method` REQUEST or CANCEL (an iMIP message) or NULL
 * (a published feed), `name` the X-WR-CALNAME calendar programs show, or
 * NULL; NULL when out of memory.  ical_doc_finish writes the object (CRLF,
 * folded at 75 octets) into out and frees d; ical_doc_free frees it unwritten. */
struct ical_doc;
struct ical_doc *ical_doc_new(const char *method, const char *name);
/* One VEVENT for meeting m (UID, SEQUENCE, DTSTAMP, DTSTART with its TZID,
 * DURATION, STATUS, ORGANIZER, an ATTENDEE per a[]); `link` as for
 * imip_calendar.  E_INVAL for an unknown time zone (nothing added). */
int ical_doc_add_meeting(struct ical_doc *d, const struct imip_meeting *m,
			 const struct imip_attendee *a, int na, const char *link, struct err *e);
/* One VTODO: DUE (UTC), STATUS NEEDS-ACTION, or COMPLETED when `completed`. */
struct ical_todo {
	const char *uid, *summary, *description, *categories, *url; /* may be NULL but uid,
								     * summary */
	long long sequence;
	time_t due, completed, stamp; /* completed 0: not done; stamp: DTSTAMP, LAST-MODIFIED */
};
int ical_doc_add_todo(struct ical_doc *d, const struct ical_todo *t, struct err *e);
int ical_doc_finish(struct ical_doc *d, struct buf *out, struct err *e);
void ical_doc_free(struct ical_doc *d);

/* A meeting as a VEVENT of d, as its invitations describe it (its master
 * as ORGANIZER, every invitee as an ATTENDEE with their answer), with
 * `link` as its URL (invitee.c). */
int meeting_ical_add(struct store *st, const struct record *m, struct ical_doc *d,
		     const char *link, struct err *e);

/* What an iMIP REPLY says: the event's UID, the one ATTENDEE's address and
 * PARTSTAT as an answer (accepted, declined, tentative; a static string).
 * E_INVAL naming METHOD, UID, ATTENDEE or PARTSTAT, or for text that is not
 * an iCalendar object with an event. */
struct imip_reply {
	char uid[256], email[255];
	const char *answer;
};
int imip_parse_reply(const char *ical, size_t n, struct imip_reply *r, struct err *e);

/* --- the outbox (mail.c) --------------------------------------------------- */

/* Queue one message (in the caller's transaction). */
int mail_queue(struct store *st, long long meeting, long long invitee, const char *to,
	       const char *subject, const char *method, const char *message, struct err *e);
/* Send what is due over `smtp_url` (smtp://host:port) from `from`; up to max. */
int mail_send_due(struct store *st, const char *smtp_url, const char *from, int max,
		  int *sent, struct err *e);
/* The serve thread: every second, when --smtp is given.  Without it mail
 * stays queued (and shows so), never dropped. */
int mail_worker_start(const char *db_path, const char *smtp_url, const char *from,
		      struct err *e);
void mail_worker_stop(void);
/* The sender set with --mail-from (default funnel@localhost.localdomain). */
const char *mail_from(void);
void mail_set_from(const char *from);
/* The first retry's wait in seconds (1 to 3600; serve's --mail-backoff,
 * default 30); each later one doubles it, up to an hour. */
void mail_set_backoff(long seconds);

#endif
