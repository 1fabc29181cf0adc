/*
 * opportunities.c — GET /api/v1/opportunities/{id}/stages: every stage entry
 * and exit, with time and actor.
 */
#include "crm/process/opportunity.h"
#include "api.h"

void api_opportunity_stages(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct jw w;

	if (api_args(rq, rs, API_ID, &a))
		return;
	api_data(rs, &w);
	api_data_end(rs, &w, opportunity_stages(rq->st, rq->p, a.id, &w, &a.e), &a.e);
}
