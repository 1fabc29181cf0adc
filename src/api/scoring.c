/*
 * scoring.c — lead scoring (src/crm/scoring.h):
 *
 *   GET  /api/v1/scoring/model   the model, its weights and AUCs, the rules,
 *                                the tiers (managers and admins; reps 403)
 *   POST /api/v1/scoring/train   train now (admins); answers as GET model
 *   PUT  /api/v1/scoring/tiers   {"A": 75, "B": 50, "C": 25} (admins)
 *
 * The fit rules are a record type (/api/v1/scoring/rules, records.c).  The
 * leads' scores follow a change of model, rules or tiers in the background
 * (the answer's `rescoring` is true until they have).
 */
#include <string.h>

#include "core/timeutil.h"
#include "crm/scoring/scoring.h"
#include "api.h"

void api_scoring_model(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	if (rq->nquery) {
		err_field(&e, rq->query[0].k, "is not a parameter of the scoring model");
		api_problem(rs, E_INVAL, &e);
		return;
	}
	api_json(rs, 200, &w);
	rc = scoring_model_json(rq->st, rq->p, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

void api_scoring_train(struct req *rq, struct resp *rs)
{
	struct scoring_train_result r;
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	/* no body, or an empty object: there is nothing to say */
	if (rq->body_len) {
		json_t *body = api_body(rq, rs);
		const char *key;
		json_t *v;

		if (!body)
			return;
		json_object_foreach(body, key, v)
			err_field(&e, key, "is not a member: training takes no options");
		json_decref(body);
		if (e.nfields) {
			api_problem(rs, E_INVAL, &e);
			return;
		}
	}
	rc = scoring_train(rq->st, rq->p, time_now(), &r, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_json(rs, 200, &w);
	rc = scoring_model_json(rq->st, rq->p, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

void api_scoring_tiers(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	json_t *body;
	int rc;

	body = api_body(rq, rs);
	if (!body)
		return;
	err_clear(&e);
	api_json(rs, 200, &w);
	rc = scoring_set_tiers(rq->st, rq->p, body, &w, &e);
	json_decref(body);
	if (rc)
		api_problem(rs, rc, &e);
}
