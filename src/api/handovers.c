/*
 * handovers.c — handing a leaving salesperson's records over (crm/handover.h).
 *
 *   GET   /api/v1/handovers                        the handovers the caller sees
 *   POST  /api/v1/handovers                        plan: {"from_user", "successor"?,
 *                                                  "manager"?, "note"?} → 201, a draft
 *   GET   /api/v1/handovers/{id}                   the plan, grouped by funnel section
 *   PATCH /api/v1/handovers/{id}                   {"successor"?, "manager"?, "note"?,
 *                                                  "status": "cancelled"?}; re-plans
 *   PATCH /api/v1/handovers/{id}/items/{item_id}   {"new_owner_id"?, "included"?,
 *                                                  "task_due_at"?, "task_subject"?}
 *   POST  /api/v1/handovers/{id}/execute           apply it, in one transaction
 *
 * Users in bodies are ids or e-mails.  Every answer but the list is the whole
 * handover, as handover_json() writes it.
 */
#include <string.h>

#include "crm/handover/handover.h"
#include "api.h"

static void answer(struct req *rq, struct resp *rs, int status, long long id)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	api_json(rs, status, &w);
	rc = handover_json(rq->st, rq->p, id, &w, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	if (status == 201)
		api_set_header(rs, "Location", "/api/v1/handovers/%lld", id);
}

void api_handover_list(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	api_json(rs, 200, &w);
	rc = handover_list_json(rq->st, rq->p, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

void api_handover_create(struct req *rq, struct resp *rs)
{
	struct handover_req hr = {0, 0, 0, NULL};
	json_t *body, *v;
	const char *key;
	struct err e;
	long long id = 0;
	int rc = OK;

	err_clear(&e);
	/* before reading the body: a rep learns nothing about who exists */
	if (!principal_is_manager(rq->p)) {
		api_problem(rs, fail(&e, E_FORBIDDEN, "only managers and admins hand records over"),
			    &e);
		return;
	}
	body = api_body(rq, rs);
	if (!body)
		return;
	json_object_foreach(body, key, v)
	{
		if (!strcmp(key, "from_user")) {
			rc = handover_user_ref(rq->st, v, key, &hr.from_user, &e);
		} else if (!strcmp(key, "successor") || !strcmp(key, "manager")) {
			if (!json_is_null(v))
				rc = handover_user_ref(rq->st, v, key,
						       key[0] == 's' ? &hr.successor : &hr.manager,
						       &e);
		} else if (!strcmp(key, "note")) {
			if (json_is_string(v))
				hr.note = json_string_value(v);
			else if (!json_is_null(v))
				err_field(&e, key, "must be text");
		} else {
			err_field(&e, key,
				  "is not a member of a handover (from_user, successor, "
				  "manager, note)");
		}
		if (rc && rc != E_INVAL)
			break;
		rc = OK;
	}
	if (!rc && !json_object_get(body, "from_user"))
		err_field(&e, "from_user", "is required: the id or e-mail of the person leaving");
	if (!rc && e.nfields)
		rc = E_INVAL;
	if (!rc)
		rc = handover_create(rq->st, rq->p, &hr, &id, &e);
	json_decref(body);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	answer(rq, rs, 201, id);
}

void api_handover_get(struct req *rq, struct resp *rs)
{
	long long id = api_id(rq, rs, 0);

	if (id > 0)
		answer(rq, rs, 200, id);
}

void api_handover_update(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID | API_BODY, &a))
		return;
	if (!api_done(rs, &a, handover_update(rq->st, rq->p, a.id, a.body, &a.e)))
		answer(rq, rs, 200, a.id);
}

void api_handover_item_update(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID | API_ITEM | API_BODY, &a))
		return;
	if (!api_done(rs, &a, handover_item_update(rq->st, rq->p, a.id, a.item, a.body, &a.e)))
		answer(rq, rs, 200, a.id);
}

void api_handover_execute(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID, &a))
		return;
	if (!api_done(rs, &a, handover_execute(rq->st, rq->p, a.id, &a.e)))
		answer(rq, rs, 200, a.id);
}
