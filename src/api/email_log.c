/*
 * email_log.c — e-mail logged onto contacts' timelines
 * (crm/integrations/maillog.h):
 *
 *   POST /api/v1/email_log    a message (message/rfc822) from a mail gateway
 *                             or a salesperson's own client → 200 {status}
 *   GET  /api/v1/email_log    what was logged, newest first (?limit=)
 *
 * Anyone signed in may hand over mail they sent or received (403 for
 * anyone else's); an admin's token, a gateway's, anyone's.  Messages that
 * log nothing (no contact in them) are answered, not kept: the log keeps
 * what the mailbox reader took and what was logged.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm/integrations/maillog.h"
#include "api.h"

void api_email_log_post(struct req *rq, struct resp *rs)
{
	const char *ct = api_header(rq, "Content-Type");
	struct maillog_result r;
	struct err e;
	struct jw w;
	int rc;

	err_clear(&e);
	if (!ct || strncasecmp(ct, "message/rfc822", 14)) {
		api_problem_status(rs, 415, "Unsupported Media Type",
				   "send the message as message/rfc822, headers and body as sent");
		return;
	}
	rc = maillog_ingest(rq->st, rq->p, "api", rq->body, rq->body_len, &r, &e);
	if (!rc && !strcmp(r.status, "refused") && !principal_is_admin(rq->p)) {
		api_problem_status(rs, 403, "Forbidden",
				   "you neither sent nor received this message: only your own mail "
				   "is yours to log");
		return;
	}
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_json(rs, 200, &w);
	jw_obj(&w);
	jw_key(&w, "id");
	r.id ? jw_int(&w, r.id) : jw_null(&w);
	jw_kstr(&w, "status", r.status);
	jw_kint(&w, "activities", r.activities);
	jw_obj_end(&w);
}

void api_email_log_list(struct req *rq, struct resp *rs)
{
	long long limit = 50;
	struct err e;
	struct jw w;
	char *end;
	int i, rc;

	err_clear(&e);
	for (i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].k, *v = rq->query[i].v;

		if (!strcmp(k, "limit")) {
			limit = strtoll(v, &end, 10);
			if (!*v || *end || limit < 1 || limit > 200)
				err_field(&e, "limit", "must be an integer from 1 to 200");
		} else {
			err_field(&e, k, "is not a parameter of this list (limit)");
		}
	}
	if (e.nfields) {
		api_problem(rs, E_INVAL, &e);
		return;
	}
	api_json(rs, 200, &w);
	rc = maillog_list(rq->st, rq->p, (int)limit, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

/* --- the OpenAPI description ---------------------------------------------- */

static const char *const statuses[] = {"logged", "unmatched", "refused", "duplicate", NULL};

static const struct api_prop p_logged[] = {
	DOC_PROP("id", FT_INT, DOC_REQ | DOC_NULL, 0, "Its entry in the log (null: not kept)"),
	DOC_CHOICE("status", DOC_REQ, statuses,
		   "logged (activities made), unmatched (no contact you see in it), refused "
		   "(no Funnel user sent or received it), duplicate (its Message-ID was logged)"),
	DOC_PROP("activities", FT_INT, DOC_REQ, 0, "Activities of type email made now"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("EmailLogged", 0, "What came of a message", p_logged),
	{"EmailLog", 0,
	 "{data: [{id, message_id, source (imap, api), from_addr, subject, sent_at, status, "
	 "detail, created_at, owner_id, activities: [{activity_id, contact_id}]}]}",
	 NULL, 0},
};

static const struct api_op doc_ops[] = {
	{api_email_log_post, "log_email", "email_log", "Log an e-mail on its contacts",
	 "The body is the message as sent (message/rfc822).  Its owner is the Funnel user who "
	 "sent it (From), else one who received it (To, Cc); every other address that is a "
	 "contact's the owner sees gets an activity of type email (done at its Date, its "
	 "subject, who wrote to whom and the start of its text).  Once per Message-ID.  Your "
	 "own mail only (403), unless you are an admin.  415 for another type; 400 for what is "
	 "not a message.",
	 NULL, 200, "EmailLogged", NULL, "400 403 415"},
	{api_email_log_list, "list_email_log", "email_log", "The e-mail log",
	 "Newest first: what the mailbox reader (funnel serve --imap) took and what was "
	 "logged, with the activities each made.  Admins see all, others their own.  ?limit= "
	 "1..200 (50).",
	 NULL, 200, "EmailLog", NULL, "400"},
};

const struct api_doc api_doc_email_log = {
	"email_log",
	"E-mail logged onto contacts' timelines: a BCC mailbox Funnel reads, or messages posted "
	"by a gateway (docs/email-logging.md)",
	doc_ops, DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
