/*
 * poll.c — live questionnaires in a meeting (poll.h): launching, closing and
 * showing, answers checked per question and kept per participant, the notes
 * they leave on the contact and the deal, and the arithmetic of the results.
 */
#include "poll.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/utf8.h"
#include "crm/records/record.h"
#include "crm/records/resources.h"
#include "questionnaire.h"
#include "room.h"

#define NOTES_MAX 20000 /* characters of an activity's notes (activity.c) */

/* --- the results ------------------------------------------------------------ */

static int option_at(json_t *opts, json_t *v)
{
	json_t *o;
	size_t i;

	if (!json_is_string(v))
		return -1;
	json_array_foreach(opts, i, o)
		if (!strcmp(json_string_value(o), json_string_value(v)))
			return (int)i;
	return -1;
}

static long long int_or(json_t *q, const char *name, long long def)
{
	json_t *v = json_object_get(q, name);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

/* single and multiple: how often each option was picked */
static void count_options(json_t *q, json_t *given, json_t *r)
{
	json_t *opts = json_object_get(q, "options"), *list = json_array(), *a, *v;
	long long count[QUESTIONNAIRE_OPTIONS] = {0};
	size_t i, j, n = json_array_size(opts);
	int k;

	json_array_foreach(given, i, a) {
		if (json_is_array(a)) {
			json_array_foreach(a, j, v)
				if ((k = option_at(opts, v)) >= 0 && k < QUESTIONNAIRE_OPTIONS)
					count[k]++;
		} else if ((k = option_at(opts, a)) >= 0 && k < QUESTIONNAIRE_OPTIONS) {
			count[k]++;
		}
	}
	for (i = 0; i < n && i < QUESTIONNAIRE_OPTIONS; i++)
		json_array_append_new(list, json_pack("{s:O, s:I}", "option", json_array_get(opts, i),
						      "count", (json_int_t)count[i]));
	json_object_set_new(r, "options", list);
}

static void rating(json_t *q, json_t *given, json_t *r)
{
	long long lo = int_or(q, "min", 1), hi = int_or(q, "max", 5), count[11] = {0}, n = 0,
		  sum = 0, x;
	json_t *dist = json_array(), *a;
	size_t i;

	json_array_foreach(given, i, a) {
		if (!json_is_integer(a))
			continue;
		x = json_integer_value(a);
		if (x < lo || x > hi || x < 0 || x > 10)
			continue;
		count[x]++;
		sum += x;
		n++;
	}
	for (x = lo; x <= hi && x <= 10; x++)
		json_array_append_new(dist, json_pack("{s:I, s:I}", "value", (json_int_t)x, "count",
						      (json_int_t)count[x]));
	json_object_set_new(r, "min", json_integer(lo));
	json_object_set_new(r, "max", json_integer(hi));
	json_object_set_new(r, "mean", n ? json_real((double)sum / (double)n) : json_null());
	json_object_set_new(r, "distribution", dist);
}

/* ranking: the mean place of each option (1 = first) and its Borda count
 * (first place k-1 points ... last 0), listed best first */
static void ranking(json_t *q, json_t *given, json_t *r)
{
	json_t *opts = json_object_get(q, "options"), *list = json_array(), *a, *v;
	long long borda[QUESTIONNAIRE_OPTIONS] = {0}, places[QUESTIONNAIRE_OPTIONS] = {0},
		  seen[QUESTIONNAIRE_OPTIONS] = {0};
	int order[QUESTIONNAIRE_OPTIONS];
	size_t i, j, n = json_array_size(opts);
	int k, m, t;

	if (n > QUESTIONNAIRE_OPTIONS)
		n = QUESTIONNAIRE_OPTIONS;
	json_array_foreach(given, i, a) {
		if (!json_is_array(a) || json_array_size(a) != n)
			continue; /* only whole rankings count (the check insists) */
		json_array_foreach(a, j, v) {
			if ((k = option_at(opts, v)) < 0 || k >= (int)n)
				continue;
			borda[k] += (long long)(n - 1 - j);
			places[k] += (long long)j + 1;
			seen[k]++;
		}
	}
	for (k = 0; k < (int)n; k++)
		order[k] = k;
	/* insertion sort: stable, so ties keep the question's order */
	for (k = 1; k < (int)n; k++) {
		t = order[k];
		for (m = k; m > 0 && borda[order[m - 1]] < borda[t]; m--)
			order[m] = order[m - 1];
		order[m] = t;
	}
	for (m = 0; m < (int)n; m++) {
		k = order[m];
		json_array_append_new(
			list, json_pack("{s:O, s:o, s:I}", "option", json_array_get(opts, (size_t)k),
					"mean_position",
					seen[k] ? json_real((double)places[k] / (double)seen[k])
						: json_null(),
					"borda", (json_int_t)borda[k]));
	}
	json_object_set_new(r, "options", list);
}

json_t *poll_results(json_t *questions, json_t *answers)
{
	json_t *out = json_array(), *q, *a, *given, *r, *v, *texts;
	size_t i, j;
	const char *key, *kind;

	if (!out)
		return NULL;
	json_array_foreach(questions, i, q) {
		key = json_string_value(json_object_get(q, "key"));
		kind = json_string_value(json_object_get(q, "kind"));
		if (!key || !kind)
			continue;
		given = json_array();
		json_array_foreach(answers, j, a) {
			v = json_object_get(a, key);
			if (v && !json_is_null(v))
				json_array_append(given, v);
		}
		r = json_pack("{s:s, s:O, s:s, s:I}", "key", key, "text", json_object_get(q, "text"),
			      "kind", kind, "respondents", (json_int_t)json_array_size(given));
		if (!r) {
			json_decref(given);
			continue;
		}
		if (!strcmp(kind, "single") || !strcmp(kind, "multiple")) {
			count_options(q, given, r);
		} else if (!strcmp(kind, "rating")) {
			rating(q, given, r);
		} else if (!strcmp(kind, "ranking")) {
			ranking(q, given, r);
		} else {
			texts = json_array();
			json_array_foreach(given, j, v)
				if (json_is_string(v))
					json_array_append(texts, v);
			json_object_set_new(r, "texts", texts);
		}
		json_decref(given);
		json_array_append_new(out, r);
	}
	return out;
}

void poll_answer_text(json_t *question, json_t *answer, struct buf *out)
{
	const char *kind = json_string_value(json_object_get(question, "kind"));
	json_t *v;
	size_t i;

	if (!answer || json_is_null(answer))
		return;
	if (json_is_string(answer)) {
		buf_puts(out, json_string_value(answer));
	} else if (json_is_integer(answer)) {
		buf_add_ll(out, json_integer_value(answer));
	} else if (json_is_array(answer)) {
		int ranked = kind && !strcmp(kind, "ranking");

		json_array_foreach(answer, i, v) {
			if (i)
				buf_puts(out, "; ");
			if (ranked)
				buf_printf(out, "%zu. ", i + 1);
			buf_puts(out, json_string_value(v) ? json_string_value(v) : "");
		}
	}
}

/* --- polls in the database -------------------------------------------------- */

enum view { V_HOST, V_INVITEE };

/* The poll `id` as the view asks: the host sees everything, an invitee
 * the questions, their own answers and (when shown) the results.  NULL and e set on failure. */
static json_t *poll_object(struct store *st, long long id, enum view view, long long invitee,
			   struct err *e)
{
	struct stmt *s;
	json_t *o = NULL, *questions = NULL, *all = json_array(), *rows = json_array(),
	       *mine = NULL, *a;
	int rc, shown = 0;

	s = store_prepare(st,
			  "SELECT id, meeting_id, questionnaire_id, title, questions, state, shown, "
			  "launched_at, closed_at FROM meeting_polls WHERE id = ?",
			  e);
	if (!s)
		goto fail;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		const char *qs = stmt_text(s, 4);

		if (json_parse(qs, strlen(qs), &questions, e))
			rc = E_INTERNAL;
		shown = (int)stmt_int(s, 6);
		o = json_pack("{s:I, s:I, s:o, s:s, s:s, s:b, s:s, s:o}", "id",
			      (json_int_t)stmt_int(s, 0), "meeting_id", (json_int_t)stmt_int(s, 1),
			      "questionnaire_id",
			      stmt_null(s, 2) ? json_null() : json_integer(stmt_int(s, 2)), "title",
			      stmt_text(s, 3), "state", stmt_text(s, 5), "shown", shown,
			      "launched_at", stmt_text(s, 7), "closed_at",
			      stmt_null(s, 8) ? json_null() : json_string(stmt_text(s, 8)));
	} else if (!rc) {
		rc = fail(e, E_NOTFOUND, "no such poll");
	}
	stmt_done(s);
	if (rc || !o)
		goto fail;
	json_object_set(o, "questions", questions);
	s = store_prepare(st,
			  "SELECT a.invitee_id, i.name, a.contact_id, a.answers, a.answered_at FROM "
			  "meeting_poll_answers a JOIN meeting_invitees i ON i.id = a.invitee_id "
			  "WHERE a.poll_id = ? ORDER BY a.answered_at, a.id",
			  e);
	if (!s)
		goto fail;
	stmt_bind_int(s, 1, id);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		const char *txt = stmt_text(s, 3);

		if (json_parse(txt, strlen(txt), &a, NULL))
			continue;
		json_array_append(all, a);
		if (view == V_INVITEE && stmt_int(s, 0) == invitee)
			mine = json_incref(a);
		json_array_append_new(
			rows, json_pack("{s:I, s:s, s:o, s:o, s:s}", "invitee_id",
					(json_int_t)stmt_int(s, 0), "name", stmt_text(s, 1),
					"contact_id",
					stmt_null(s, 2) ? json_null() : json_integer(stmt_int(s, 2)),
					"answers", a, "answered_at", stmt_text(s, 4)));
	}
	stmt_done(s);
	if (rc)
		goto fail;
	json_object_set_new(o, "respondents", json_integer((json_int_t)json_array_size(all)));
	if (view != V_INVITEE || shown)
		json_object_set_new(o, "results", poll_results(questions, all));
	if (view == V_HOST)
		json_object_set(o, "answers", rows);
	if (view == V_INVITEE)
		json_object_set_new(o, "mine", mine ? mine : json_null());
	json_decref(questions);
	json_decref(all);
	json_decref(rows);
	return o;
fail:
	if (e && !e->code)
		fail(e, E_INTERNAL, "cannot read the poll");
	json_decref(o);
	json_decref(questions);
	json_decref(all);
	json_decref(rows);
	return NULL;
}

static int write_object(json_t *o, struct jw *w, struct err *e)
{
	char *s;

	if (!o)
		return e && e->code ? e->code : E_INTERNAL;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		return fail(e, E_INTERNAL, "out of memory");
	jw_raw(w, s);
	free(s);
	return OK;
}

/* The poll's meeting (0 when there is no such poll) */
static int meeting_of_poll(struct store *st, long long poll, long long *meeting,
			   struct err *e)
{
	int found;

	*meeting = 0;
	return store_int(st, meeting, &found, e, "SELECT meeting_id FROM meeting_polls WHERE id = ?",
			 "i", poll);
}

static int history(struct store *st, const struct principal *p, long long meeting,
		   const char *what, long long poll, struct err *e)
{
	char now[TIME_ISO_LEN], text[96];

	time_iso(time_now(), now);
	snprintf(text, sizeof(text), "%s: poll %lld", what, poll);
	return history_add(st, "meetings", meeting, now, p->user_id, "update", "poll", NULL, text, e);
}

static int one_line(json_t *v, long max)
{
	long n = json_is_string(v) ? utf8_chars(json_string_value(v), 0) : -1;

	return n >= 1 && n <= max;
}

int poll_launch(struct store *st, const struct principal *p, long long meeting, json_t *body,
		struct jw *w, struct err *e)
{
	const char *k, *state = NULL;
	json_t *v, *qid = NULL, *title = NULL, *questions = NULL, *loaded = NULL;
	char now[TIME_ISO_LEN], name[256] = "";
	char *qtext = NULL;
	struct stmt *s;
	long long id;
	int rc;

	rc = room_controls(st, p, meeting, e);
	if (rc)
		return rc;
	json_object_foreach(body, k, v) {
		if (!strcmp(k, "questionnaire_id"))
			qid = v;
		else if (!strcmp(k, "title"))
			title = v;
		else if (!strcmp(k, "questions"))
			questions = v;
		else
			err_field(e, k, "is not a member (questionnaire_id, or title and questions)");
	}
	if (qid && (title || questions)) {
		err_field(e, "questionnaire_id",
			  "launch either a questionnaire or your own title and questions, not both");
	} else if (qid) {
		if (!json_is_integer(qid) || json_integer_value(qid) <= 0)
			return err_field(e, "questionnaire_id", "must be a questionnaire's id");
		s = store_prepare(st, "SELECT name, questions, active FROM questionnaires WHERE id = ?",
				  e);
		if (!s)
			return e ? e->code : E_INTERNAL;
		stmt_bind_int(s, 1, json_integer_value(qid));
		rc = stmt_step(s, e);
		if (!rc && stmt_row(s)) {
			snprintf(name, sizeof(name), "%s", stmt_text(s, 0));
			if (!stmt_int(s, 2))
				err_field(e, "questionnaire_id", "that questionnaire is retired");
			else if (json_parse(stmt_text(s, 1), strlen(stmt_text(s, 1)), &loaded, NULL))
				err_field(e, "questionnaire_id", "its questions cannot be read");
		} else if (!rc) {
			err_field(e, "questionnaire_id", "no such questionnaire");
		}
		stmt_done(s);
		if (rc)
			return rc;
		questions = loaded;
	} else {
		if (!one_line(title, 200))
			err_field(e, "title", "must be text of 1 to 200 characters (one line)");
		else
			snprintf(name, sizeof(name), "%s", json_string_value(title));
		questionnaire_check(questions, "questions", e);
	}
	if (e && e->nfields) {
		json_decref(loaded);
		return E_INVAL;
	}
	s = store_prepare(st, "SELECT state FROM meetings WHERE id = ?", e);
	if (!s) {
		json_decref(loaded);
		return e ? e->code : E_INTERNAL;
	}
	stmt_bind_int(s, 1, meeting);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s))
		state = stmt_text(s, 0);
	if (!rc && (!state || strcmp(state, "live")))
		rc = fail(e, E_CONFLICT, "the meeting is %s: polls run in the live room",
			  state ? state : "gone");
	stmt_done(s);
	qtext = rc ? NULL : json_dumps(questions, JSON_COMPACT);
	json_decref(loaded);
	if (rc)
		return rc;
	if (!qtext)
		return fail(e, E_INTERNAL, "out of memory");
	time_iso(time_now(), now);
	rc = store_begin(st, e);
	if (!rc)
		rc = store_run(st, e,
			       "INSERT INTO meeting_polls (meeting_id, questionnaire_id, title, "
			       "questions, launched_by, launched_at) VALUES (?, NULLIF(?, 0), ?, ?, ?, ?)",
			       "iittit", meeting,
			       qid ? (long long)json_integer_value(qid) : (long long)0, name, qtext,
			       p->user_id, now);
	free(qtext);
	id = rc ? 0 : store_last_id(st);
	if (!rc)
		rc = history(st, p, meeting, "launch", id, e);
	if (!rc)
		rc = store_commit(st, e);
	if (rc) {
		store_rollback(st);
		return rc;
	}
	return write_object(poll_object(st, id, V_HOST, 0, e), w, e);
}

int poll_update(struct store *st, const struct principal *p, long long meeting, long long poll,
		json_t *body, struct jw *w, struct err *e)
{
	const char *k;
	json_t *v, *state = NULL, *shown = NULL;
	char now[TIME_ISO_LEN];
	long long of;
	int rc = room_controls(st, p, meeting, e);

	if (!rc)
		rc = meeting_of_poll(st, poll, &of, e);
	if (rc)
		return rc;
	if (of != meeting)
		return fail(e, E_NOTFOUND, "no such poll");
	json_object_foreach(body, k, v) {
		if (!strcmp(k, "state"))
			state = v;
		else if (!strcmp(k, "shown"))
			shown = v;
		else
			err_field(e, k, "is not a member (state, shown)");
	}
	if (state && (!json_is_string(state) || strcmp(json_string_value(state), "closed")))
		err_field(e, "state", "must be closed (a closed poll stays closed)");
	if (shown && !json_is_boolean(shown))
		err_field(e, "shown", "must be true or false");
	if (!state && !shown && !(e && e->nfields))
		err_field(e, "state", "give state (closed) or shown");
	if (e && e->nfields)
		return E_INVAL;
	time_iso(time_now(), now);
	rc = store_begin(st, e);
	if (!rc && state) {
		rc = store_run(st, e,
			       "UPDATE meeting_polls SET state = 'closed', closed_at = ? WHERE id = ? "
			       "AND state = 'open'",
			       "ti", now, poll);
		if (!rc && store_changes(st) > 0)
			rc = history(st, p, meeting, "close", poll, e);
	}
	if (!rc && shown) {
		rc = store_run(st, e, "UPDATE meeting_polls SET shown = ? WHERE id = ?", "ii",
			       (long long)json_is_true(shown), poll);
		if (!rc)
			rc = history(st, p, meeting, json_is_true(shown) ? "show" : "hide", poll, e);
	}
	if (!rc)
		rc = store_commit(st, e);
	if (rc) {
		store_rollback(st);
		return rc;
	}
	return write_object(poll_object(st, poll, V_HOST, 0, e), w, e);
}

int poll_get_json(struct store *st, const struct principal *p, long long meeting,
		  long long poll, struct jw *w, struct err *e)
{
	long long of;
	int rc = room_meeting_visible(st, p, meeting, e);

	if (!rc)
		rc = meeting_of_poll(st, poll, &of, e);
	if (rc)
		return rc;
	if (of != meeting)
		return fail(e, E_NOTFOUND, "no such poll");
	return write_object(poll_object(st, poll, V_HOST, 0, e), w, e);
}

/* Every poll of `meeting` (those `where` admits) into w, as an array */
static int polls_of(struct store *st, long long meeting, const char *where, enum view view,
		    long long invitee, struct jw *w, struct err *e)
{
	char sql[256];
	struct stmt *s;
	long long ids[256];
	int n = 0, i, rc;

	snprintf(sql, sizeof(sql), "SELECT id FROM meeting_polls WHERE meeting_id = ? %s ORDER BY id "
				   "DESC LIMIT 256",
		 where);
	s = store_prepare(st, sql, e);
	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_int(s, 1, meeting);
	while (!(rc = stmt_step(s, e)) && stmt_row(s))
		ids[n++] = stmt_int(s, 0);
	stmt_done(s);
	if (rc)
		return rc;
	jw_arr(w);
	for (i = n - 1; i >= 0 && !rc; i--) /* the oldest first */
		rc = write_object(poll_object(st, ids[i], view, invitee, e), w, e);
	jw_arr_end(w);
	return rc;
}

int poll_list_json(struct store *st, const struct principal *p, long long meeting,
		   struct jw *w, struct err *e)
{
	int rc = room_meeting_visible(st, p, meeting, e);

	return rc ? rc : polls_of(st, meeting, "", V_HOST, 0, w, e);
}

int poll_invitee_json(struct store *st, long long invitee, struct jw *w, struct err *e)
{
	long long meeting;
	int found, rc;

	rc = store_int(st, &meeting, &found, e,
		       "SELECT i.meeting_id FROM meeting_invitees i LEFT JOIN meeting_participants "
		       "p ON p.invitee_id = i.id WHERE i.id = ? AND p.removed_at IS NULL",
		       "i", invitee);
	if (!rc && !found)
		rc = fail(e, E_NOTFOUND, "no such meeting link");
	return rc ? rc
		  : polls_of(st, meeting, "AND (state = 'open' OR shown = 1)", V_INVITEE, invitee,
			     w, e);
}

int poll_report_polls(struct store *st, long long meeting, json_t **out, struct err *e)
{
	struct stmt *s;
	json_t *o;
	int rc;

	*out = json_array();
	s = store_prepare(st, "SELECT id FROM meeting_polls WHERE meeting_id = ? ORDER BY id", e);
	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_int(s, 1, meeting);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		o = poll_object(st, stmt_int(s, 0), V_HOST, 0, e);
		if (!o) {
			rc = e && e->code ? e->code : E_INTERNAL;
			break;
		}
		json_array_append_new(*out, o);
	}
	stmt_done(s);
	return rc;
}

int poll_close_all(struct store *st, long long meeting, struct err *e)
{
	char now[TIME_ISO_LEN];

	time_iso(time_now(), now);
	return store_run(st, e,
			 "UPDATE meeting_polls SET state = 'closed', closed_at = ? WHERE "
			 "meeting_id = ? AND state = 'open'",
			 "ti", now, meeting);
}

/* --- answers ---------------------------------------------------------------- */

struct answerer {
	long long meeting, contact, opportunity, owner;
	int admitted, removed;
	char name[256], meeting_title[256], state[16];
};

static int answerer_of(struct store *st, long long invitee, struct answerer *a, struct err *e)
{
	struct stmt *s;
	int rc;

	memset(a, 0, sizeof(*a));
	s = store_prepare(st,
			  "SELECT i.meeting_id, COALESCE(i.contact_id, (SELECT min(c.id) FROM contacts c "
			  "WHERE c.account_id = m.account_id AND c.email = i.email COLLATE NOCASE AND "
			  "i.kind = 'email'), 0), i.name, m.title, m.state, "
			  "m.opportunity_id, COALESCE(o.owner_id, m.master_id), p.admitted_at IS NOT "
			  "NULL, p.removed_at IS NOT NULL FROM meeting_invitees i JOIN meetings m ON "
			  "m.id = i.meeting_id LEFT JOIN opportunities o ON o.id = m.opportunity_id "
			  "LEFT JOIN meeting_participants p ON p.invitee_id = i.id WHERE i.id = ?",
			  e);
	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_int(s, 1, invitee);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		a->meeting = stmt_int(s, 0);
		a->contact = stmt_int(s, 1);
		snprintf(a->name, sizeof(a->name), "%s", stmt_text(s, 2));
		snprintf(a->meeting_title, sizeof(a->meeting_title), "%s", stmt_text(s, 3));
		snprintf(a->state, sizeof(a->state), "%s", stmt_text(s, 4));
		a->opportunity = stmt_int(s, 5);
		a->owner = stmt_int(s, 6);
		a->admitted = (int)stmt_int(s, 7);
		a->removed = (int)stmt_int(s, 8);
	} else if (!rc) {
		rc = fail(e, E_NOTFOUND, "no such meeting link");
	}
	stmt_done(s);
	return rc;
}

/* Cut UTF-8 text `s` to at most `max` characters, in place. */
static void cut(char *s, long max)
{
	size_t at = 0;
	long c = 0;

	while (s[at] && c < max) {
		at++;
		while (((unsigned char)s[at] & 0xC0) == 0x80)
			at++;
		c++;
	}
	s[at] = '\0';
}

/* The notes of the activities: every question with the answer given. */
static void notes_of(const struct answerer *a, const char *title, json_t *questions,
		     json_t *answers, const char *now, struct buf *out)
{
	json_t *q;
	size_t i;

	buf_printf(out, "%s answered \"%s\" in the meeting \"%s\" (%.10s).\n", a->name, title,
		   a->meeting_title, now);
	json_array_foreach(questions, i, q) {
		json_t *v = json_object_get(answers, json_string_value(json_object_get(q, "key")));

		buf_printf(out, "\n%s\n  ", json_string_value(json_object_get(q, "text")));
		if (!v) {
			buf_puts(out, "(no answer)");
			continue;
		}
		poll_answer_text(q, v, out);
		if (!strcmp(json_string_value(json_object_get(q, "kind")), "rating"))
			buf_printf(out, " (on %lld to %lld)", int_or(q, "min", 1), int_or(q, "max", 5));
	}
	buf_putc(out, '\n');
	/* an activity's notes hold at most NOTES_MAX characters */
	if (!out->failed && utf8_chars(out->data, 1) > NOTES_MAX) {
		cut(out->data, NOTES_MAX - 1);
		out->len = strlen(out->data);
		buf_puts(out, "\u2026");
	}
}

/* A note on the deal or the contact (a new one, or `*id` rewritten) */
static int note(struct store *st, const struct answerer *a, const char *related, long long rid,
		const char *subject, const char *notes, const char *now, long long *id,
		struct err *e)
{
	struct principal sys;
	struct record act;
	json_t *body;
	int rc;

	if (*id) {
		rc = store_run(st, e,
			       "UPDATE activities SET subject = substr(?, 1, 200), notes = ?, done_at "
			       "= ?, updated_at = ?, version = version + 1 WHERE id = ?",
			       "tttti", subject, notes, now, now, *id);
		if (rc || store_changes(st) > 0)
			return rc;
		/* deleted since: a new one */
	}
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "type", "note", "subject",
			 subject, "notes", notes, "done_at", now, "related_type", related, "related_id",
			 (json_int_t)rid, "owner_id", (json_int_t)a->owner);
	if (!body)
		return fail(e, E_INTERNAL, "out of memory");
	principal_system(&sys);
	record_init(&act, &activity_resource);
	rc = record_create(st, &sys, &activity_resource, body, 0, &act, e);
	if (!rc)
		*id = act.id;
	record_release(&act);
	principal_release(&sys);
	json_decref(body);
	return rc;
}

int poll_answer(struct store *st, long long invitee, long long poll, json_t *body,
		struct jw *w, struct err *e)
{
	struct answerer a;
	struct stmt *s;
	json_t *questions = NULL, *answers, *kept = NULL, *q, *v;
	char now[TIME_ISO_LEN], where[96], subject[640], title[256] = "", pstate[16] = "";
	long long of = 0, opp_act = 0, con_act = 0;
	struct buf notes = BUF_INIT;
	const char *k;
	char *text = NULL;
	size_t i;
	int rc;

	rc = answerer_of(st, invitee, &a, e);
	if (rc)
		return rc;
	if (a.removed)
		return fail(e, E_NOTFOUND, "no such meeting link");
	s = store_prepare(st, "SELECT meeting_id, title, questions, state FROM meeting_polls WHERE "
			      "id = ?",
			  e);
	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_int(s, 1, poll);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		of = stmt_int(s, 0);
		snprintf(title, sizeof(title), "%s", stmt_text(s, 1));
		if (json_parse(stmt_text(s, 2), strlen(stmt_text(s, 2)), &questions, e))
			rc = E_INTERNAL;
		snprintf(pstate, sizeof(pstate), "%s", stmt_text(s, 3));
	}
	stmt_done(s);
	if (rc)
		goto out;
	if (of != a.meeting) {
		rc = fail(e, E_NOTFOUND, "no such poll");
		goto out;
	}
	if (strcmp(pstate, "open")) {
		rc = fail(e, E_CONFLICT, "the poll is closed: answers are no longer taken");
		goto out;
	}
	if (strcmp(a.state, "live") || !a.admitted) {
		rc = fail(e, E_CONFLICT, "answer from inside the live room");
		goto out;
	}
	json_object_foreach(body, k, v)
		if (strcmp(k, "answers"))
			err_field(e, k, "is not a member (answers)");
	answers = json_object_get(body, "answers");
	if (!json_is_object(answers)) {
		rc = err_field(e, "answers", "must be an object: question key → answer");
		goto out;
	}
	kept = json_object();
	json_object_foreach(answers, k, v) {
		int known = 0;

		json_array_foreach(questions, i, q)
			known |= !strcmp(k, json_string_value(json_object_get(q, "key")));
		if (!known) {
			snprintf(where, sizeof(where), "answers.%.80s", k);
			err_field(e, where, "is not a question of this poll");
		}
	}
	json_array_foreach(questions, i, q) {
		k = json_string_value(json_object_get(q, "key"));
		v = json_object_get(answers, k);
		snprintf(where, sizeof(where), "answers.%s", k);
		if (!questionnaire_check_answer(q, v, where, e) && v && !json_is_null(v))
			json_object_set(kept, k, v);
	}
	if (e && e->nfields) {
		rc = E_INVAL;
		goto out;
	}
	text = json_dumps(kept, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text) {
		rc = fail(e, E_INTERNAL, "out of memory");
		goto out;
	}
	time_iso(time_now(), now);
	notes_of(&a, title, questions, kept, now, &notes);
	snprintf(subject, sizeof(subject), "Poll answers: %s (%s)", title, a.name);
	cut(subject, 200);
	rc = store_begin(st, e);
	if (rc)
		goto out;
	s = store_prepare(st,
			  "SELECT COALESCE(opportunity_activity_id, 0), COALESCE(contact_activity_id, "
			  "0) FROM meeting_poll_answers WHERE poll_id = ? AND invitee_id = ?",
			  e);
	if (!s) {
		rc = e ? e->code : E_INTERNAL;
		goto fail;
	}
	stmt_bind_int(s, 1, poll);
	stmt_bind_int(s, 2, invitee);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		opp_act = stmt_int(s, 0);
		con_act = stmt_int(s, 1);
	}
	stmt_done(s);
	if (!rc)
		rc = note(st, &a, "opportunity", a.opportunity, subject, notes.data, now, &opp_act, e);
	if (!rc && a.contact)
		rc = note(st, &a, "contact", a.contact, subject, notes.data, now, &con_act, e);
	if (!rc)
		rc = store_run(st, e,
			       "INSERT INTO meeting_poll_answers (poll_id, invitee_id, contact_id, "
			       "answers, opportunity_activity_id, contact_activity_id, answered_at) "
			       "VALUES (?, ?, NULLIF(?, 0), ?, NULLIF(?, 0), NULLIF(?, 0), ?) ON "
			       "CONFLICT (poll_id, invitee_id) DO UPDATE SET answers = "
			       "excluded.answers, contact_id = excluded.contact_id, "
			       "opportunity_activity_id = excluded.opportunity_activity_id, "
			       "contact_activity_id = excluded.contact_activity_id, answered_at = "
			       "excluded.answered_at",
			       "iiitiit", poll, invitee, a.contact, text, opp_act, con_act, now);
	if (!rc)
		rc = store_commit(st, e);
fail:
	if (rc) {
		store_rollback(st);
		goto out;
	}
	jw_obj(w);
	jw_kint(w, "poll_id", poll);
	jw_kint(w, "invitee_id", invitee);
	jw_key(w, "contact_id");
	a.contact ? jw_int(w, a.contact) : jw_null(w);
	jw_key(w, "answers");
	jw_raw(w, text);
	jw_kstr(w, "answered_at", now);
	jw_key(w, "activity_ids");
	jw_arr(w);
	jw_int(w, opp_act);
	if (con_act)
		jw_int(w, con_act);
	jw_arr_end(w);
	jw_obj_end(w);
out:
	free(text);
	buf_release(&notes);
	json_decref(kept);
	json_decref(questions);
	return rc;
}
