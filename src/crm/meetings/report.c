/*
 * report.c — the participant report of a meeting (poll.h): who was invited
 * and answered what, who came and for how long (attendance.h), every answer
 * to every poll, and the polls' results; as JSON, CSV and PDF.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attendance.h"
#include "crm/process/document.h"
#include "poll.h"
#include "room.h"

/* Each poll's answers by invitee ("<invitee id>" → answers), so the report
 * finds a participant's in one lookup per poll */
static json_t *answers_by_invitee(json_t *polls)
{
	json_t *out = json_array(), *poll, *row, *by;
	char id[24];
	size_t i, j;

	json_array_foreach(polls, i, poll) {
		by = json_object();
		json_array_foreach(json_object_get(poll, "answers"), j, row) {
			snprintf(id, sizeof(id), "%lld",
				 (long long)json_integer_value(json_object_get(row, "invitee_id")));
			json_object_set(by, id, json_object_get(row, "answers"));
		}
		json_array_append_new(out, by);
	}
	return out;
}

static int meeting_object(struct store *st, long long meeting, json_t **out, struct err *e)
{
	struct stmt *s;
	int rc;

	*out = NULL;
	s = store_prepare(st,
			  "SELECT m.id, m.title, m.kind, m.state, m.starts_at, m.duration_minutes, "
			  "m.timezone, m.opportunity_id, m.account_id, u.name, o.name FROM meetings m "
			  "LEFT JOIN users u ON u.id = m.master_id LEFT JOIN opportunities o ON o.id = "
			  "m.opportunity_id WHERE m.id = ?",
			  e);
	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_int(s, 1, meeting);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s))
		*out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:o, s:s?, s:s?}", "id",
				 (json_int_t)stmt_int(s, 0), "title", stmt_text(s, 1), "kind",
				 stmt_text(s, 2), "state", stmt_text(s, 3), "starts_at",
				 stmt_text(s, 4), "duration_minutes", (json_int_t)stmt_int(s, 5),
				 "timezone", stmt_text(s, 6), "opportunity_id",
				 (json_int_t)stmt_int(s, 7), "account_id",
				 stmt_null(s, 8) ? json_null() : json_integer(stmt_int(s, 8)), "host",
				 stmt_text(s, 9), "opportunity", stmt_text(s, 10));
	else if (!rc)
		rc = fail(e, E_NOTFOUND, "no such meeting");
	stmt_done(s);
	if (!rc && !*out)
		rc = fail(e, E_INTERNAL, "out of memory");
	return rc;
}

int meeting_report(struct store *st, const struct principal *p, long long meeting,
		   long long now_ms, json_t **out, struct err *e)
{
	struct buf b = BUF_INIT;
	struct jw w;
	json_t *m = NULL, *people = NULL, *polls = NULL, *person, *poll, *mine, *list, *v, *by;
	char idbuf[24];
	struct stmt *s;
	size_t i, j;
	const char *key;
	int rc;

	*out = NULL;
	rc = room_meeting_visible(st, p, meeting, e);
	if (!rc)
		rc = meeting_object(st, meeting, &m, e);
	if (rc)
		return rc;
	jw_init(&w, &b);
	rc = attendance_json(st, meeting, now_ms, &w, e);
	if (!rc && json_parse(b.data, b.len, &people, e))
		rc = E_INTERNAL;
	buf_release(&b);
	if (!rc)
		rc = poll_report_polls(st, meeting, &polls, e);
	if (rc)
		goto fail;
	by = answers_by_invitee(polls);
	json_array_foreach(people, i, person) {
		long long inv = json_integer_value(json_object_get(person, "invitee_id"));

		s = store_prepare(st, "SELECT rsvp, rsvp_at FROM meeting_invitees WHERE id = ?", e);
		if (!s) {
			rc = e ? e->code : E_INTERNAL;
			json_decref(by);
			goto fail;
		}
		stmt_bind_int(s, 1, inv);
		rc = stmt_step(s, e);
		if (!rc && stmt_row(s)) {
			json_object_set_new(person, "rsvp", json_string(stmt_text(s, 0)));
			json_object_set_new(person, "rsvp_at", stmt_null(s, 1)
								? json_null()
								: json_string(stmt_text(s, 1)));
		}
		stmt_done(s);
		if (rc) {
			json_decref(by);
			goto fail;
		}
		snprintf(idbuf, sizeof(idbuf), "%lld", inv);
		list = json_array();
		json_array_foreach(polls, j, poll) {
			json_t *q;
			size_t k;

			mine = json_object_get(json_array_get(by, j), idbuf);
			/* in the order of the questions */
			json_array_foreach(json_object_get(poll, "questions"), k, q) {
				key = json_string_value(json_object_get(q, "key"));
				v = key ? json_object_get(mine, key) : NULL;
				if (!v)
					continue;
				json_array_append_new(
					list,
					json_pack("{s:O, s:O, s:s, s:O, s:O, s:O}", "poll_id",
						  json_object_get(poll, "id"), "poll",
						  json_object_get(poll, "title"), "key", key,
						  "question", json_object_get(q, "text"), "kind",
						  json_object_get(q, "kind"), "answer", v));
			}
		}
		json_object_set_new(person, "answers", list);
	}
	json_decref(by);
	/* the report's polls carry their results; the rows went to the people */
	json_array_foreach(polls, i, poll)
		json_object_del(poll, "answers");
	*out = json_pack("{s:o, s:o, s:o}", "meeting", m, "participants", people, "polls", polls);
	return *out ? OK : fail(e, E_INTERNAL, "out of memory");
fail:
	json_decref(m);
	json_decref(people);
	json_decref(polls);
	return rc;
}

/* --- CSV ---------------------------------------------------------------------- */

static void cell(struct buf *out, const char *s, int first)
{
	if (!first)
		buf_putc(out, ',');
	buf_csv_cell(out, s ? s : "");
}

static void cell_json(struct buf *out, json_t *v)
{
	char n[32];

	if (json_is_integer(v)) {
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(v));
		cell(out, n, 0);
	} else {
		cell(out, json_string_value(v), 0);
	}
}

void meeting_report_csv(json_t *report, struct buf *out)
{
	static const char *const cols[] = {"name", "email", "kind", "contact_id", "role", "rsvp",
					   "minutes"}; /* minutes last: a number */
	json_t *polls = json_object_get(report, "polls"), *person, *poll, *q, *iv;
	struct buf t = BUF_INIT;
	size_t i, j, k;
	int c;

	cell(out, "invitee_id", 1);
	for (c = 0; c < (int)(sizeof(cols) / sizeof(cols[0])); c++)
		cell(out, cols[c], 0);
	cell(out, "intervals", 0);
	json_array_foreach(polls, i, poll)
		json_array_foreach(json_object_get(poll, "questions"), j, q) {
			buf_reset(&t);
			buf_printf(&t, "%s: %s", json_string_value(json_object_get(poll, "title")),
				   json_string_value(json_object_get(q, "key")));
			cell(out, t.data, 0);
		}
	buf_puts(out, "\r\n");
	json_array_foreach(json_object_get(report, "participants"), i, person) {
		long long inv = json_integer_value(json_object_get(person, "invitee_id"));

		buf_reset(&t);
		buf_add_ll(&t, inv);
		cell(out, t.data, 1);
		for (c = 0; c < (int)(sizeof(cols) / sizeof(cols[0])) - 1; c++)
			cell_json(out, json_object_get(person, cols[c]));
		buf_reset(&t);
		buf_printf(&t, "%.1f", json_number_value(json_object_get(person, "minutes")));
		cell(out, t.data, 0);
		/* intervals: "joined/left; …" (ISO 8601 intervals) */
		buf_reset(&t);
		json_array_foreach(json_object_get(person, "intervals"), j, iv) {
			const char *l = json_string_value(json_object_get(iv, "left_at"));

			buf_printf(&t, "%s%s/%s", j ? "; " : "",
				   json_string_value(json_object_get(iv, "joined_at")), l ? l : "");
		}
		cell(out, t.data, 0);
		json_array_foreach(polls, j, poll) {
			json_t *a = NULL, *ans;

			json_array_foreach(json_object_get(poll, "questions"), k, q) {
				size_t x;

				a = NULL;
				json_array_foreach(json_object_get(person, "answers"), x, ans)
					if (json_integer_value(json_object_get(ans, "poll_id")) ==
						    json_integer_value(json_object_get(poll, "id")) &&
					    json_equal(json_object_get(ans, "key"),
						       json_object_get(q, "key")))
						a = json_object_get(ans, "answer");
				buf_reset(&t);
				poll_answer_text(q, a, &t);
				cell(out, t.data, 0);
			}
		}
		buf_puts(out, "\r\n");
	}
	buf_release(&t);
}

/* --- PDF ---------------------------------------------------------------------- */

static void results_text(json_t *poll, struct buf *out)
{
	json_t *r, *o;
	size_t i, j;

	buf_printf(out, "\n%s (%s, %lld answered)\n",
		   json_string_value(json_object_get(poll, "title")),
		   json_string_value(json_object_get(poll, "state")),
		   (long long)json_integer_value(json_object_get(poll, "respondents")));
	json_array_foreach(json_object_get(poll, "results"), i, r) {
		const char *kind = json_string_value(json_object_get(r, "kind"));

		buf_printf(out, "  %s (%s, %lld answered)\n",
			   json_string_value(json_object_get(r, "text")), kind,
			   (long long)json_integer_value(json_object_get(r, "respondents")));
		if (!strcmp(kind, "single") || !strcmp(kind, "multiple")) {
			json_array_foreach(json_object_get(r, "options"), j, o)
				buf_printf(out, "      %s: %lld\n",
					   json_string_value(json_object_get(o, "option")),
					   (long long)json_integer_value(json_object_get(o, "count")));
		} else if (!strcmp(kind, "rating")) {
			json_t *mean = json_object_get(r, "mean");

			if (json_is_number(mean))
				buf_printf(out, "      mean %.2f (%lld to %lld)\n", json_number_value(mean),
					   (long long)json_integer_value(json_object_get(r, "min")),
					   (long long)json_integer_value(json_object_get(r, "max")));
			json_array_foreach(json_object_get(r, "distribution"), j, o)
				buf_printf(out, "      %lld: %lld\n",
					   (long long)json_integer_value(json_object_get(o, "value")),
					   (long long)json_integer_value(json_object_get(o, "count")));
		} else if (!strcmp(kind, "ranking")) {
			json_array_foreach(json_object_get(r, "options"), j, o) {
				json_t *mp = json_object_get(o, "mean_position");

				buf_printf(out, "      %zu. %s: Borda %lld", j + 1,
					   json_string_value(json_object_get(o, "option")),
					   (long long)json_integer_value(json_object_get(o, "borda")));
				if (json_is_number(mp))
					buf_printf(out, ", mean place %.2f", json_number_value(mp));
				buf_putc(out, '\n');
			}
		} else {
			json_array_foreach(json_object_get(r, "texts"), j, o)
				buf_printf(out, "      \"%s\"\n", json_string_value(o));
		}
	}
}

int meeting_report_pdf(json_t *report, struct buf *out, struct err *e)
{
	json_t *m = json_object_get(report, "meeting"), *person, *iv, *a, *poll;
	struct buf title = BUF_INIT, sub = BUF_INIT, body = BUF_INIT;
	size_t i, j;
	int rc;

	buf_printf(&title, "Meeting report: %s", json_string_value(json_object_get(m, "title")));
	buf_printf(&sub, "%s, %s (%s), %lld minutes; host %s; %s",
		   json_string_value(json_object_get(m, "kind")),
		   json_string_value(json_object_get(m, "starts_at")),
		   json_string_value(json_object_get(m, "timezone")),
		   (long long)json_integer_value(json_object_get(m, "duration_minutes")),
		   json_string_value(json_object_get(m, "host")) ? json_string_value(json_object_get(m, "host")) : "-",
		   json_string_value(json_object_get(m, "state")));
	if (json_string_value(json_object_get(m, "opportunity")))
		buf_printf(&sub, "\nDeal: %s", json_string_value(json_object_get(m, "opportunity")));
	buf_puts(&body, "PARTICIPANTS\n");
	json_array_foreach(json_object_get(report, "participants"), i, person) {
		buf_printf(&body, "\n%s <%s> (%s, %s): RSVP %s, %.1f minutes present\n",
			   json_string_value(json_object_get(person, "name")),
			   json_string_value(json_object_get(person, "email")),
			   json_string_value(json_object_get(person, "kind")),
			   json_string_value(json_object_get(person, "role")),
			   json_string_value(json_object_get(person, "rsvp")),
			   json_number_value(json_object_get(person, "minutes")));
		json_array_foreach(json_object_get(person, "intervals"), j, iv) {
			const char *l = json_string_value(json_object_get(iv, "left_at"));

			buf_printf(&body, "    in %s to %s%s%s\n",
				   json_string_value(json_object_get(iv, "joined_at")),
				   l ? l : "now", l ? ", " : "",
				   l ? json_string_value(json_object_get(iv, "left_reason")) : "");
		}
		json_array_foreach(json_object_get(person, "answers"), j, a) {
			json_t *q = json_pack("{s:O}", "kind", json_object_get(a, "kind"));

			buf_printf(&body, "    %s / %s: ", json_string_value(json_object_get(a, "poll")),
				   json_string_value(json_object_get(a, "question")));
			poll_answer_text(q, json_object_get(a, "answer"), &body);
			buf_putc(&body, '\n');
			json_decref(q);
		}
	}
	if (json_array_size(json_object_get(report, "polls")))
		buf_puts(&body, "\nQUESTIONNAIRE RESULTS\n");
	json_array_foreach(json_object_get(report, "polls"), i, poll)
		results_text(poll, &body);
	rc = title.failed || sub.failed || body.failed
		     ? fail(e, E_INTERNAL, "out of memory")
		     : document_pdf(title.data, sub.data, body.data, out, e);
	buf_release(&title);
	buf_release(&sub);
	buf_release(&body);
	return rc;
}
