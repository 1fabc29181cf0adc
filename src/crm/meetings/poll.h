/*
 * poll.h — live questionnaires in a meeting (the seed's buying-criteria
 * poll) and the participant report (docs/questionnaires.md; migration 019).
 *
 * A poll is a questionnaire launched in a live meeting: from a template
 * (questionnaire.h; its questions are copied, so a later change of the
 * template changes no meeting's record) or improvised by the host, whose
 * questions are checked by the same questionnaire_check().  Its states:
 *
 *     (launch) ──► open ──close──► closed        shown: 0 ⇄ 1 at any time
 *                   │                ▲
 *                   └── room_end ────┘  (ending the meeting closes its polls)
 *
 * Who does what.  The meeting's master and admins launch, close and show
 * (room_controls(): 403 for others who see the meeting, 404 for those who
 * do not).  Participants answer with their join link's token (room.h:
 * room_invitee_by_link), once admitted to the room and not removed; each
 * answer is checked per question by questionnaire_check_answer() and every
 * problem is reported at once under "answers.<key>".  Answering again
 * while the poll is open replaces the earlier answers; a closed poll
 * refuses (E_CONFLICT).
 *
 * Where answers land.  One row per participant and poll
 * (meeting_poll_answers), with the contact the invitee is (an invitee
 * invited by address is matched to the account's contact with that
 * address, when there is one); and, in the same
 * transaction, a note activity on the deal and one on the contact (when
 * the invitee is one), whose text is every question with its answer — so
 * whoever prepares the next call reads what this buyer said mattered.
 * Answering again rewrites the same two notes.
 *
 * Live results go by short polling: the room page already asks Funnel every
 * 2 s for the participant's standing, and the host's panel for the room's;
 * the polls ride on the same rhythm (GET …/polls).  Everything is in the
 * database, so any `funnel serve` behind a load balancer answers it, and
 * Janus's TextRoom (which Funnel does not relay) is not involved.
 */
#ifndef FUNNEL_POLL_H
#define FUNNEL_POLL_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "crm/records/principal.h"
#include "store/store.h"

/* The results of `answers` (an array of objects, question key → answer,
 * each already checked) to `questions` (a checked array), one element per
 * question: {key, text, kind, respondents, …} and by kind
 *   single, multiple  options: [{option, count}] in the question's order
 *   rating            min, max, mean (null with no answer),
 *                     distribution: [{value, count}] for min..max
 *   ranking           options: [{option, mean_position, borda}], best first
 *                     by Borda count (first place k−1 points … last 0, for
 *                     k options; ties keep the question's order);
 *                     mean_position is 1-based, null with no answer
 *   text              texts: [the answers, in the order given]
 * A new reference (NULL only when out of memory). */
json_t *poll_results(json_t *questions, json_t *answers);

/* One answer as text for people (notes, CSV, PDF): the option; the options
 * joined by "; "; the rating's number; the ranking as "1. a; 2. b"; the text.
 * null or absent: "" (appends to out). */
void poll_answer_text(json_t *question, json_t *answer, struct buf *out);

/* Launch a poll in live meeting `meeting`: body {questionnaire_id} (an
 * active template) or {title, questions} (improvised).  The new poll
 * (as poll_get_json) into w.  E_FORBIDDEN unless p controls the room,
 * E_CONFLICT unless the meeting is live, E_INVAL naming the field. */
int poll_launch(struct store *st, const struct principal *p, long long meeting, json_t *body,
		struct jw *w, struct err *e);

/* Close it ({"state": "closed"}) and/or show or hide its results
 * ({"shown": true|false}).  The poll into w. */
int poll_update(struct store *st, const struct principal *p, long long meeting, long long poll,
		json_t *body, struct jw *w, struct err *e);

/* The host's view (visible as the meeting): one poll, or every poll of the
 * meeting as an array — {id, meeting_id, questionnaire_id, title, state,
 * shown, launched_at, closed_at, questions, respondents, results, answers:
 * [{invitee_id, name, contact_id, answers, answered_at}]}. */
int poll_get_json(struct store *st, const struct principal *p, long long meeting,
		  long long poll, struct jw *w, struct err *e);
int poll_list_json(struct store *st, const struct principal *p, long long meeting,
		   struct jw *w, struct err *e);

/* What participant `invitee` sees: the meeting's open polls and those whose
 * results are shown — {id, title, state, shown, questions, mine (their
 * answers or null), results (only when shown; no names)} — as an array. */
int poll_invitee_json(struct store *st, long long invitee, struct jw *w, struct err *e);

/* Participant `invitee` answers poll `poll`: body {"answers": {key: answer}}.
 * Their stored answers into w.  E_NOTFOUND for a poll of another meeting or
 * a removed participant; E_CONFLICT when the poll is closed or they are
 * not in the room; E_INVAL naming "answers.<key>". */
int poll_answer(struct store *st, long long invitee, long long poll, json_t *body,
		struct jw *w, struct err *e);

/* Every poll of `meeting` as the host sees it (poll_get_json's objects),
 * oldest first, for the report; *out is a new reference. */
int poll_report_polls(struct store *st, long long meeting, json_t **out, struct err *e);

/* Close every open poll of `meeting` (the room is ending). */
int poll_close_all(struct store *st, long long meeting, struct err *e);

/* --- the participant report (report.c) ------------------------------------ */

/* Meeting `meeting`'s report as of now_ms, visible as the meeting:
 *   {meeting: {id, title, kind, state, starts_at, duration_minutes,
 *    timezone, opportunity_id, account_id, host},
 *    participants: [{invitee_id, name, email, kind, contact_id, user_id,
 *      role, rsvp, rsvp_at, intervals, minutes, answers: [{poll_id, poll,
 *      key, question, kind, answer}]}],
 *    polls: [{id, title, state, shown, launched_at, closed_at, questions,
 *      respondents, results}]}
 * *out is a new reference. */
int meeting_report(struct store *st, const struct principal *p, long long meeting,
		   long long now_ms, json_t **out, struct err *e);
/* The report as CSV: one row per participant, one column per question of
 * every poll ("<poll>: <key>"). */
void meeting_report_csv(json_t *report, struct buf *out);
/* The report as a PDF (libharu, through document_pdf()). */
int meeting_report_pdf(json_t *report, struct buf *out, struct err *e);

#endif
