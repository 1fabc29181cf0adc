/*
 * handouts.c — files sent to a meeting's participants (crm/meetings/
 * handout.c):
 *
 *   POST /api/v1/meetings/{id}/handouts          send {attachment_id, invitee_id?} → 201
 *   GET  /api/v1/meetings/{id}/handouts          what was sent, and who took it
 *   GET  /api/v1/join/{token}/handouts           a participant's files, by their link
 *   GET  /api/v1/join/{token}/handouts/{item}    download one (recorded)
 *
 * The last two are public: the link is the credential, and a file sent to
 * someone else answers 404 like a guessed link.
 */
#include <stdlib.h>
#include <string.h>

#include "crm/meetings/meetings.h"
#include "crm/meetings/room.h"
#include "crm/records/attachment.h"
#include "api.h"

void api_handout_send(struct req *rq, struct resp *rs)
{
	struct api_args a;
	long long id = 0;
	struct jw w;

	if (api_args(rq, rs, API_ID | API_BODY, &a))
		return;
	if (!api_done(rs, &a, meeting_handout_send(rq->st, rq->p, a.id, a.body, &id, &a.e))) {
		api_json(rs, 201, &w);
		jw_obj(&w);
		jw_kint(&w, "id", id);
		jw_obj_end(&w);
		api_set_header(rs, "Location", "/api/v1/meetings/%lld/handouts", a.id);
	}
}

void api_handout_list(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct jw w;
	struct buf out = BUF_INIT;

	if (api_args(rq, rs, API_ID, &a))
		return;
	jw_init(&w, &out);
	if (!api_done(rs, &a, meeting_handouts_json(rq->st, rq->p, a.id, &w, &a.e))) {
		api_json(rs, 200, &w);
		buf_add(&rs->body, out.data, out.len);
	}
	buf_release(&out);
}

/* The invitee and meeting the link names, or answered (404). */
static int by_link(struct req *rq, struct resp *rs, long long *invitee, long long *meeting)
{
	struct err e;
	int rc;

	err_clear(&e);
	rc = room_invitee_by_link(rq->st, rq->params[0], invitee, meeting, &e);
	if (rc)
		api_problem(rs, rc, &e);
	return rc;
}

void api_join_handouts(struct req *rq, struct resp *rs)
{
	long long invitee, meeting;
	struct buf out = BUF_INIT;
	struct err e;
	struct jw w;

	if (by_link(rq, rs, &invitee, &meeting))
		return;
	err_clear(&e);
	jw_init(&w, &out);
	if (meeting_handouts_for(rq->st, meeting, invitee, &w, &e)) {
		api_problem(rs, e.code, &e);
	} else {
		api_json(rs, 200, &w);
		buf_add(&rs->body, out.data, out.len);
		api_set_header(rs, "Cache-Control", "no-store");
	}
	buf_release(&out);
}

void api_join_handout_get(struct req *rq, struct resp *rs)
{
	long long invitee, meeting, handout, att = 0;
	struct principal sys;
	struct attachment a;
	struct err e;
	char *end;
	int rc, fd;

	if (by_link(rq, rs, &invitee, &meeting))
		return;
	err_clear(&e);
	handout = strtoll(rq->params[1], &end, 10);
	if (*end || handout < 1) {
		fail(&e, E_NOTFOUND, "no such file for you");
		api_problem(rs, E_NOTFOUND, &e);
		return;
	}
	/* recorded first: a download the network then loses still counts as asked */
	rc = meeting_handout_take(rq->st, meeting, invitee, handout, &att, &e);
	principal_system(&sys);
	if (!rc)
		rc = attachment_open(rq->st, &sys, rq->files_dir, att, &a, &fd, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_send_attachment(rs, &a, fd);
	api_set_header(rs, "Cache-Control", "private, no-store");
	api_set_header(rs, "Referrer-Policy", "no-referrer");
}

/* --- the OpenAPI description ---------------------------------------------- */

static const struct api_prop p_send[] = {
	DOC_PROP("attachment_id", FT_INT, DOC_REQ, 0, "A file attached to the meeting's deal"),
	DOC_PROP("invitee_id", FT_INT, 0, 0, "The one invitee it is for; absent: everyone"),
};

static const struct api_prop p_sent[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The handout"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("HandoutSend", 1, "A file to send", p_send),
	DOC_SCHEMA("HandoutSent", 0, "The handout made", p_sent),
	{"Handouts", 0,
	 "{data: [{id, attachment_id, filename, content_type, size, invitee_id (null: everyone), "
	 "sent_at, downloads: [{invitee_id, name, at}] (not in a participant's list)}]}",
	 NULL, 0},
};

static const struct api_op doc_ops[] = {
	{api_handout_send, "send_meeting_handout", "meetings", "Send a file to participants",
	 "A file attached to the meeting's deal (upload it with POST /api/v1/attachments first), "
	 "to everyone in the meeting or to one invitee.  Each downloads it by their own link, and "
	 "each download is recorded.  404 for a meeting you do not see; 409 once it is over.",
	 "HandoutSend", 201, "HandoutSent", "Location", "409"},
	{api_handout_list, "list_meeting_handouts", "meetings", "The files sent in a meeting",
	 "Every file sent, to whom, and who downloaded it when.", NULL, 200, "Handouts", NULL,
	 NULL},
	{api_join_handouts, "list_join_handouts", "meetings", "A participant's files",
	 "Public, by the link token: the files sent to everyone or to this invitee.  404 for a "
	 "bad link.",
	 NULL, 200, "Handouts", NULL, NULL},
	{api_join_handout_get, "get_join_handout", "meetings", "Download a file sent to you",
	 "Public, by the link token: the file, as GET /api/v1/attachments/{id}/content sends it; "
	 "the download is recorded.  404 for a bad link or a file sent to someone else.",
	 NULL, 200, NULL, NULL, NULL},
};

const struct api_doc api_doc_handouts = {
	NULL, NULL, doc_ops, DOC_N(doc_ops), doc_schemas, DOC_N(doc_schemas),
};
