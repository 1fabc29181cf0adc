/*
 * calendar.h — each user's private calendar feed: an iCalendar (RFC 5545)
 * subscription URL that calendar programs (Apple Calendar, Thunderbird,
 * Outlook, Google Calendar's "from URL") poll.
 *
 * What it promises.  A user makes their feed (POST /api/v1/me/calendar_feed)
 * and gets its URL once:
 *
 *     <public url>/cal/fnc_<43 characters of base64url>.ics
 *
 * The token in it is 32 random bytes (auth_secret_new); the database keeps
 * only its BLAKE2b hash (auth_secret_hash, as for API tokens and sessions),
 * so the URL cannot be read back — making the feed again replaces it and
 * the old URL answers 404, as does a revoked, guessed or forged one, or one
 * whose user is disabled.  One live feed per user (migration 017).
 *
 * What the feed holds: what its user sees, as of each poll — the feed acts
 * as its user (principal_load), so a record they lose sight of leaves it:
 *
 *   - their activities with a due date (owner = the user) as VTODOs: DUE,
 *     STATUS NEEDS-ACTION or COMPLETED with COMPLETED, CATEGORIES the type,
 *     URL the record the activity is on.  A meeting's own activity is left
 *     out: the meeting is there as itself;
 *   - the meetings they hold (master) or are invited to as a co-worker, on
 *     deals they see, as VEVENTs written by the invitations' writer
 *     (meetings.h, ical_doc_add_meeting): the same UID and SEQUENCE as the
 *     mail, DTSTART in the meeting's zone with its VTIMEZONE, cancelled ones
 *     as STATUS:CANCELLED so calendars drop them.
 *
 * Both from CALENDAR_PAST_DAYS ago on, at most CALENDAR_MAX_ITEMS.
 * DTSTAMP and LAST-MODIFIED are the record's updated_at, SEQUENCE its
 * version (an activity) or ical_sequence (a meeting).
 */
#ifndef FUNNEL_CALENDAR_H
#define FUNNEL_CALENDAR_H

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "crm/records/principal.h"
#include "store/store.h"

#define CALENDAR_PAST_DAYS 90
#define CALENDAR_MAX_ITEMS 5000

/* Make p's feed, replacing the one they had: {url, prefix, created_at} into
 * w; the URL is in no other answer, ever. */
int calendar_feed_create(struct store *st, const struct principal *p, struct jw *w,
			 struct err *e);
/* p's feed without its secret: {active, prefix, created_at, last_polled_at}
 * (active false and the rest null when there is none). */
int calendar_feed_json(struct store *st, const struct principal *p, struct jw *w,
		       struct err *e);
/* Revoke p's feed.  E_NOTFOUND when there is none. */
int calendar_feed_revoke(struct store *st, const struct principal *p, struct err *e);

/* The feed behind `token` (the URL's, without ".ics") as text/calendar into
 * out.  E_NOTFOUND for any token that is not a live feed's, saying nothing
 * more. */
int calendar_feed_render(struct store *st, const char *token, struct buf *out,
			 struct err *e);

#endif
