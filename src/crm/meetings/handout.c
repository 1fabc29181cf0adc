/*
 * handout.c — files sent to a meeting's participants (meetings.h, migration
 * 023).
 *
 * Whoever sees the meeting (its deal) sends a file that is an attachment on
 * the deal — the proposal, a price list — to everyone or to one invitee.
 * Participants list and download what was sent to them by their own link,
 * nobody else's; each download is recorded, and the meeting's view of its
 * handouts says who took which file when.
 */
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "crm/records/attachment.h"
#include "crm/records/record.h"
#include "crm/records/resources.h"
#include "meetings.h"

static int member_id(json_t *body, const char *k, int required, long long *out, struct err *e)
{
	json_t *v = json_object_get(body, k);

	*out = 0;
	if (!v || json_is_null(v)) {
		if (required)
			err_field(e, k, "is required");
		return OK;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return err_field(e, k, "must be an id");
	*out = json_integer_value(v);
	return OK;
}

int meeting_handout_send(struct store *st, const struct principal *p, long long meeting,
			 json_t *body, long long *id, struct err *e)
{
	struct record m;
	const char *k;
	json_t *v;
	long long att = 0, invitee = 0, deal, n = 0;
	char now[TIME_ISO_LEN];
	int rc, found = 0;

	if (!json_is_object(body))
		return err_field(e, "", "must be an object {attachment_id, invitee_id}");
	record_init(&m, &meeting_resource);
	rc = record_get(st, p, &meeting_resource, meeting, &m, e);
	if (rc)
		goto out;
	deal = record_int(&m, "opportunity_id");
	if (!strcmp(record_text(&m, "state"), "ended") ||
	    !strcmp(record_text(&m, "state"), "cancelled")) {
		rc = fail(e, E_CONFLICT, "the meeting is %s", record_text(&m, "state"));
		goto out;
	}
	json_object_foreach(body, k, v)
		if (strcmp(k, "attachment_id") && strcmp(k, "invitee_id"))
			err_field(e, k, "is not a member of a handout (attachment_id, invitee_id)");
	member_id(body, "attachment_id", 1, &att, e);
	member_id(body, "invitee_id", 0, &invitee, e);
	if (att && store_int(st, &n, &found, e,
			     "SELECT count(*) FROM attachments WHERE id = ? AND "
			     "related_type = 'opportunity' AND related_id = ?",
			     "ii", att, deal)) {
		rc = e->code;
		goto out;
	}
	if (att && !n)
		err_field(e, "attachment_id", "must be a file attached to the meeting's deal");
	if (invitee && store_int(st, &n, &found, e,
				 "SELECT count(*) FROM meeting_invitees WHERE id = ? AND meeting_id = ?",
				 "ii", invitee, meeting)) {
		rc = e->code;
		goto out;
	}
	if (invitee && !n)
		err_field(e, "invitee_id", "must be someone invited to this meeting");
	if (e->nfields) {
		rc = E_INVAL;
		goto out;
	}
	time_iso(time_now(), now);
	rc = store_run(st, e,
		       "INSERT INTO meeting_handouts (meeting_id, attachment_id, invitee_id, sent_by, "
		       "sent_at) VALUES (?, ?, NULLIF(?, 0), NULLIF(?, 0), ?)",
		       "iiiit", meeting, att, invitee, p->user_id, now);
	if (!rc)
		*id = store_last_id(st);
out:
	record_release(&m);
	return rc;
}

/* The handouts of a meeting (invitee 0: all of them, with their downloads)
 * or those for one invitee (sent to everyone or to them). */
static int list(struct store *st, long long meeting, long long invitee, struct jw *w,
		struct err *e)
{
	struct stmt *s = store_prepare(
		st,
		"SELECT h.id, a.id, a.filename, a.content_type, a.size, h.invitee_id, h.sent_at, "
		"CASE WHEN ? THEN NULL ELSE (SELECT json_group_array(json_object('invitee_id', "
		"d.invitee_id, 'name', i.name, 'at', d.at)) FROM meeting_handout_downloads d JOIN "
		"meeting_invitees i ON i.id = d.invitee_id WHERE d.handout_id = h.id) END "
		"FROM meeting_handouts h JOIN attachments a ON a.id = h.attachment_id "
		"WHERE h.meeting_id = ? AND (? = 0 OR h.invitee_id IS NULL OR h.invitee_id = ?) "
		"ORDER BY h.id",
		e);
	int rc;

	if (!s)
		return e->code;
	stmt_bind_int(s, 1, invitee != 0);
	stmt_bind_int(s, 2, meeting);
	stmt_bind_int(s, 3, invitee);
	stmt_bind_int(s, 4, invitee);
	jw_obj(w);
	jw_key(w, "data");
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		jw_obj(w);
		jw_kint(w, "id", stmt_int(s, 0));
		jw_kint(w, "attachment_id", stmt_int(s, 1));
		jw_kstr(w, "filename", stmt_text(s, 2));
		jw_kstr(w, "content_type", stmt_text(s, 3));
		jw_kint(w, "size", stmt_int(s, 4));
		jw_key(w, "invitee_id");
		stmt_null(s, 5) ? jw_null(w) : jw_int(w, stmt_int(s, 5));
		jw_kstr(w, "sent_at", stmt_text(s, 6));
		if (!invitee) {
			jw_key(w, "downloads");
			jw_raw(w, stmt_text(s, 7));
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	stmt_done(s);
	return rc;
}

int meeting_handouts_json(struct store *st, const struct principal *p, long long meeting,
			  struct jw *w, struct err *e)
{
	int rc = record_visible(st, p, &meeting_resource, meeting, e);

	return rc ? rc : list(st, meeting, 0, w, e);
}

int meeting_handouts_for(struct store *st, long long meeting, long long invitee, struct jw *w,
			 struct err *e)
{
	return list(st, meeting, invitee, w, e);
}

int meeting_handout_take(struct store *st, long long meeting, long long invitee,
			 long long handout, long long *attachment, struct err *e)
{
	char now[TIME_ISO_LEN];
	int found = 0;

	if (store_int(st, attachment, &found, e,
		      "SELECT attachment_id FROM meeting_handouts WHERE id = ? AND meeting_id = ? "
		      "AND (invitee_id IS NULL OR invitee_id = ?)",
		      "iii", handout, meeting, invitee))
		return e->code;
	if (!found)
		return fail(e, E_NOTFOUND, "no such file for you");
	time_iso(time_now(), now);
	return store_run(st, e,
			 "INSERT INTO meeting_handout_downloads (handout_id, invitee_id, at) "
			 "VALUES (?, ?, ?)",
			 "iit", handout, invitee, now);
}
