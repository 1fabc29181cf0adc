/*
 * opportunities.c — GET /api/v1/opportunities/{id}/stages: every stage entry
 * and exit, with time and actor.
 */
#include "../crm/opportunity.h"
#include "api.h"

void api_opportunity_stages(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	long long id = api_id(rq, rs, 0);
	int rc;

	if (id < 0)
		return;
	err_clear(&e);
	api_json(rs, 200, &w);
	jw_obj(&w);
	jw_key(&w, "data");
	rc = opportunity_stages(rq->st, rq->p, id, &w, &e);
	jw_obj_end(&w);
	if (rc)
		api_problem(rs, rc, &e);
}
