/*
 * attendance.h — who was in a live meeting, and when, from Janus's event
 * handler (migration 015's meeting_presence; docs/meetings-live.md).
 *
 * Janus's sample event handler posts batches (JSON arrays) of session and
 * handle events to POST /api/v1/janus/events.  What counts:
 *
 *   handle "attached" with a token Funnel signed (janus.h: the token names
 *       the room and the invitee)     → a presence row opens (joined)
 *   handle "detached"                 → that row closes, reason 'left'
 *   session "destroyed" / "timeout"   → every open row of the session
 *                                       closes with that reason (a browser
 *                                       that vanished times out: leaving;
 *                                       rows its handles' "detached" closed
 *                                       in the 5 s before are re-marked
 *                                       timeout, as Janus sends both)
 *
 * Anything else (Funnel's own handles, which carry an unsigned opaque id
 * and a token without an invitee; media and plugin events) is ignored.  A
 * replayed event changes nothing (a handle opens once, closes once).
 *
 * A person's attendance is the union of their rows' intervals (a presenter
 * has a camera handle, a screen handle and one per feed watched; they
 * overlap), so minutes are not counted twice.
 */
#ifndef FUNNEL_ATTENDANCE_H
#define FUNNEL_ATTENDANCE_H

#include <jansson.h>

#include "core/err.h"
#include "core/json.h"
#include "store/store.h"

/* Ingest one event or an array of them.  *used gets how many changed
 * presence.  E_INVAL when `events` is neither an object nor an array. */
int attendance_ingest(struct store *st, json_t *events, int *used, struct err *e);

/* The attendance of meeting `meeting_id`'s invitees, as of `now_ms` (open
 * intervals run until then), every invitee listed, present or not:
 *   [{"invitee_id", "name", "email", "kind", "contact_id", "user_id",
 *     "role", "intervals": [{"joined_at", "left_at"|null, "left_reason"}],
 *     "minutes"}]
 * Written as an array value into w.  The caller checks visibility. */
int attendance_json(struct store *st, long long meeting_id, long long now_ms, struct jw *w,
		    struct err *e);

/* Merge intervals [a_i, b_i] (sorted by a) in place; returns how many are
 * left.  Exposed for the unit test. */
int attendance_merge(long long *a, long long *b, int n);

#endif
