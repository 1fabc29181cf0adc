/*
 * reports.c — GET /api/v1/reports/funnel: the funnel report (src/crm/funnel.h)
 * over the server's analytics index, refreshed from the change feed first.
 */
#include "crm/insight/analytics.h"
#include "crm/insight/funnel.h"
#include "api.h"

void api_report_funnel(struct req *rq, struct resp *rs)
{
	struct funnel_query q;
	struct analytics *a;
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	rc = funnel_parse(rq->query, rq->nquery, time_now(), &q, &e);
	if (api_index(rs, rc, &a, &w, &e))
		return;
	rc = funnel_report(a, rq->st, rq->p, &q, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}
