/*
 * polls.c — live questionnaires in meetings and the participant report
 * (crm/meetings/poll.h; docs/questionnaires.md):
 *
 * The master (and admins), by session:
 *   POST  /api/v1/meetings/{id}/polls          launch {questionnaire_id} |
 *                                              {title, questions} → 201
 *   PATCH /api/v1/meetings/{id}/polls/{poll}   {state: "closed"}, {shown}
 * Whoever sees the meeting:
 *   GET   /api/v1/meetings/{id}/polls          every poll, results, answers
 *   GET   /api/v1/meetings/{id}/polls/{poll}   one poll
 *   GET   /api/v1/meetings/{id}/report         the participant report: JSON,
 *                                              ?format=csv|pdf (or Accept)
 * Participants, by their link's token (public; a bad link is 404):
 *   GET   /api/v1/join/{token}/polls           open polls, shown results
 *   POST  /api/v1/join/{token}/polls/{poll}    {answers: {key: answer}}
 *
 * The room page polls the GETs every 2 s (poll.h says why short polling).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crm/meetings/poll.h"
#include "crm/meetings/room.h"
#include "api.h"

static void answer_buf(struct resp *rs, int status, struct buf *out)
{
	struct jw w;

	api_json(rs, status, &w);
	buf_add(&rs->body, out->data, out->len);
}

void api_meeting_polls(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct jw w;

	if (api_args(rq, rs, API_ID, &a))
		return;
	api_data(rs, &w);
	api_data_end(rs, &w, poll_list_json(rq->st, rq->p, a.id, &w, &a.e), &a.e);
}

void api_meeting_poll_launch(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct buf out = BUF_INIT;
	struct jw w;

	if (api_args(rq, rs, API_ID | API_BODY, &a))
		return;
	jw_init(&w, &out);
	if (!api_done(rs, &a, poll_launch(rq->st, rq->p, a.id, a.body, &w, &a.e)))
		answer_buf(rs, 201, &out);
	buf_release(&out);
}

void api_meeting_poll_get(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct buf out = BUF_INIT;
	struct jw w;

	if (api_args(rq, rs, API_ID | API_ITEM, &a))
		return;
	jw_init(&w, &out);
	if (!api_done(rs, &a, poll_get_json(rq->st, rq->p, a.id, a.item, &w, &a.e)))
		answer_buf(rs, 200, &out);
	buf_release(&out);
}

void api_meeting_poll_update(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct buf out = BUF_INIT;
	struct jw w;

	if (api_args(rq, rs, API_ID | API_ITEM | API_BODY, &a))
		return;
	jw_init(&w, &out);
	if (!api_done(rs, &a, poll_update(rq->st, rq->p, a.id, a.item, a.body, &w, &a.e)))
		answer_buf(rs, 200, &out);
	buf_release(&out);
}

void api_join_polls(struct req *rq, struct resp *rs)
{
	long long invitee, meeting;
	struct jw w;
	struct err e;

	err_clear(&e);
	if (room_invitee_by_link(rq->st, rq->params[0], &invitee, &meeting, &e)) {
		api_problem(rs, e.code, &e);
		return;
	}
	api_data(rs, &w);
	api_data_end(rs, &w, poll_invitee_json(rq->st, invitee, &w, &e), &e);
	api_set_header(rs, "Cache-Control", "no-store");
}

void api_join_poll_answer(struct req *rq, struct resp *rs)
{
	long long invitee, meeting, poll;
	struct buf out = BUF_INIT;
	struct jw w;
	struct err e;
	json_t *body;
	int rc;

	err_clear(&e);
	if (room_invitee_by_link(rq->st, rq->params[0], &invitee, &meeting, &e)) {
		api_problem(rs, e.code, &e);
		return;
	}
	if ((poll = api_id(rq, rs, 1)) < 0 || !(body = api_body(rq, rs)))
		return;
	jw_init(&w, &out);
	rc = poll_answer(rq->st, invitee, poll, body, &w, &e);
	json_decref(body);
	if (rc)
		api_problem(rs, rc, &e);
	else
		answer_buf(rs, 200, &out);
	buf_release(&out);
}

/* json (default), csv or pdf: ?format= first, else the Accept header */
static const char *report_format(struct req *rq, struct err *e)
{
	const char *accept = api_header(rq, "Accept");
	int i;

	for (i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].k, *v = rq->query[i].v;

		if (strcmp(k, "format")) {
			err_field(e, k, "is not a parameter of the report (format)");
			return NULL;
		}
		if (!strcmp(v, "json") || !strcmp(v, "csv") || !strcmp(v, "pdf"))
			return v;
		err_field(e, "format", "must be json, csv or pdf");
		return NULL;
	}
	if (accept && strstr(accept, "text/csv"))
		return "csv";
	if (accept && strstr(accept, "application/pdf"))
		return "pdf";
	return "json";
}

void api_meeting_report(struct req *rq, struct resp *rs)
{
	struct api_args a;
	const char *format;
	json_t *report = NULL;
	char *s;
	int rc;

	if (api_args(rq, rs, API_ID, &a))
		return;
	format = report_format(rq, &a.e);
	if (!format) {
		api_done(rs, &a, E_INVAL);
		return;
	}
	rc = meeting_report(rq->st, rq->p, a.id, (long long)time(NULL) * 1000, &report, &a.e);
	if (api_done(rs, &a, rc))
		return;
	buf_reset(&rs->body);
	rs->status = 200;
	if (!strcmp(format, "csv")) {
		meeting_report_csv(report, &rs->body);
		rs->content_type = "text/csv; charset=utf-8";
		api_set_header(rs, "Content-Disposition",
			       "attachment; filename=\"meeting-%lld-report.csv\"", a.id);
	} else if (!strcmp(format, "pdf")) {
		rc = meeting_report_pdf(report, &rs->body, &a.e);
		if (rc) {
			api_problem(rs, rc, &a.e);
		} else {
			rs->content_type = "application/pdf";
			api_set_header(rs, "Content-Disposition",
				       "attachment; filename=\"meeting-%lld-report.pdf\"", a.id);
		}
	} else {
		s = json_dumps(report, JSON_COMPACT);
		if (s) {
			struct jw w;

			api_json(rs, 200, &w);
			buf_puts(&rs->body, s);
			free(s);
		} else {
			api_problem(rs, fail(&a.e, E_INTERNAL, "out of memory"), &a.e);
		}
	}
	json_decref(report);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c lists it) --- */

static const char *const poll_states[] = {"open", "closed", NULL};
static const char *const closed[] = {"closed", NULL};

static const struct api_prop p_launch[] = {
	DOC_PROP("questionnaire_id", FT_INT, 0, 0,
		 "An active template, an id of questionnaires (or title and questions)"),
	DOC_PROP("title", FT_TEXT, 0, 200, "An improvised poll's title"),
	{{"questions", FT_JSON, 0, 0, 0, NULL, NULL,
	  "An improvised poll's questions, as a questionnaire's (docs/questionnaires.md)"},
	 NULL},
};
static const struct api_prop p_update[] = {
	DOC_CHOICE("state", 0, closed, "closed: answers are no longer taken"),
	{{"shown", FT_BOOL, 0, 0, 0, NULL, NULL, "Show the results to everyone in the room"}, NULL},
};
static const struct api_prop p_poll[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The poll"),
	DOC_PROP("meeting_id", FT_INT, DOC_REQ, 0, "Its meeting"),
	DOC_PROP("questionnaire_id", FT_INT, DOC_REQ | DOC_NULL, 0,
		 "The template it came from (null: improvised)"),
	DOC_PROP("title", FT_TEXT, DOC_REQ, 200, "What it asks about"),
	DOC_CHOICE("state", DOC_REQ, poll_states, "open (taking answers) or closed"),
	{{"shown", FT_BOOL, DOC_REQ, 0, 0, NULL, NULL, "Results shown to the participants"}, NULL},
	DOC_PROP("launched_at", FT_TIME, DOC_REQ, 0, "When the host launched it"),
	DOC_PROP("closed_at", FT_TIME, DOC_REQ | DOC_NULL, 0, "When it closed"),
	{{"questions", FT_JSON, DOC_REQ, 0, 0, NULL, NULL, "Its questions (a copy)"}, NULL},
	DOC_PROP("respondents", FT_INT, DOC_REQ, 0, "How many participants answered"),
	{{"results", FT_JSON, DOC_REQ, 0, 0, NULL, NULL,
	  "Per question: {key, text, kind, respondents} and options [{option, count}] "
	  "(single, multiple), min, max, mean, distribution [{value, count}] (rating), "
	  "options [{option, mean_position, borda}] best first (ranking), texts (text)"},
	 NULL},
	{{"answers", FT_JSON, DOC_REQ, 0, 0, NULL, NULL,
	  "Every participant's answers: [{invitee_id, name, contact_id, answers, answered_at}]"},
	 NULL},
};
static const struct api_prop p_answer_in[] = {
	{{"answers", FT_JSON, DOC_REQ, 0, 0, NULL, NULL,
	  "Question key → answer: an option (single), options (multiple), an integer "
	  "(rating), every option in order (ranking), text"},
	 NULL},
};
static const struct api_prop p_answered[] = {
	DOC_PROP("poll_id", FT_INT, DOC_REQ, 0, "The poll"),
	DOC_PROP("invitee_id", FT_INT, DOC_REQ, 0, "Who answered"),
	DOC_PROP("contact_id", FT_INT, DOC_REQ | DOC_NULL, 0, "The contact they are"),
	{{"answers", FT_JSON, DOC_REQ, 0, 0, NULL, NULL, "What is stored"}, NULL},
	DOC_PROP("answered_at", FT_TIME, DOC_REQ, 0, "When"),
	{{"activity_ids", FT_JSON, DOC_REQ, 0, 0, NULL, NULL,
	  "The notes on the deal and the contact"},
	 NULL},
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("PollLaunch", 1, "A template, or an improvised title and questions", p_launch),
	DOC_SCHEMA("PollUpdate", 1, "Close the poll, show or hide its results", p_update),
	DOC_SCHEMA("Poll", 0, "A poll in a meeting, its results and answers", p_poll),
	{"Polls", 0, "{data: [Poll]}", NULL, 0},
	{"ParticipantPolls", 0,
	 "{data: [{id, title, state, shown, questions, respondents, mine (the participant's "
	 "answers or null), results (only when shown)}]}: the open polls and those shown",
	 NULL, 0},
	DOC_SCHEMA("PollAnswer", 1, "A participant's answers", p_answer_in),
	DOC_SCHEMA("PollAnswered", 0, "The answers as stored", p_answered),
	{"MeetingReport", 0,
	 "{meeting: {id, title, kind, state, starts_at, duration_minutes, timezone, "
	 "opportunity_id, account_id, host, opportunity}, participants: [{invitee_id, name, "
	 "email, kind, contact_id, user_id, role, rsvp, rsvp_at, intervals: [{joined_at, "
	 "left_at, left_reason}], minutes, answers: [{poll_id, poll, key, question, kind, "
	 "answer}]}], polls: [{id, title, state, shown, launched_at, closed_at, questions, "
	 "respondents, results}]}.  text/csv (one row per participant, one column per "
	 "question) with ?format=csv or Accept: text/csv; application/pdf likewise.",
	 NULL, 0},
};

static const struct api_op doc_ops[] = {
	{api_meeting_polls, "meeting_polls", "meetings", "A meeting's polls, with live results",
	 "Every poll launched in the meeting, oldest first, with its results and every "
	 "participant's answers.  Visible as the meeting.  The host's panel asks every 2 s.",
	 NULL, 200, "Polls", NULL, NULL},
	{api_meeting_poll_launch, "launch_meeting_poll", "meetings", "Launch a poll",
	 "From an active questionnaire template (its questions are copied) or improvised "
	 "(title and questions, checked like a template's).  The master and admins (403); 409 "
	 "unless the meeting is live.",
	 "PollLaunch", 201, "Poll", NULL, "409"},
	{api_meeting_poll_get, "get_meeting_poll", "meetings", "One poll, with live results",
	 NULL, NULL, 200, "Poll", NULL, NULL},
	{api_meeting_poll_update, "update_meeting_poll", "meetings",
	 "Close a poll, show or hide its results",
	 "The master and admins (403).  A closed poll takes no more answers (ending the "
	 "meeting closes its polls); shown results reach every participant's room.",
	 "PollUpdate", 200, "Poll", NULL, NULL},
	{api_join_polls, "participant_polls", "meetings", "A participant's polls",
	 "Public, by the link token: the meeting's open polls with the participant's own "
	 "answers, and the results of those the host shows (no names).  404 for a bad link.",
	 NULL, 200, "ParticipantPolls", NULL, NULL},
	{api_join_poll_answer, "answer_meeting_poll", "meetings", "Answer a poll",
	 "Public, by the link token, from inside the live room (409 otherwise, and when the "
	 "poll is closed).  Each answer is checked against its question (400 naming "
	 "answers.<key>); answering again replaces the answers.  Stored per participant with "
	 "their contact, and written as a note on the deal and on the contact.",
	 "PollAnswer", 200, "PollAnswered", NULL, "409"},
	{api_meeting_report, "meeting_report", "meetings", "The participant report",
	 "Each participant with RSVP, join/leave intervals and minutes present, and every "
	 "answer to every poll; the polls' results.  JSON; ?format=csv or Accept: text/csv for "
	 "a spreadsheet, ?format=pdf or Accept: application/pdf for a document.  Visible as "
	 "the meeting.",
	 NULL, 200, "MeetingReport", NULL, NULL},
};

const struct api_doc api_doc_polls = {
	NULL, /* the tag "meetings" is the meeting record's */
	NULL,
	doc_ops,
	DOC_N(doc_ops),
	doc_schemas,
	DOC_N(doc_schemas),
};
