/*
 * forecast.c — GET /api/v1/forecast: bookings expected in a period, per
 * model, for a scope the caller sees (src/crm/forecast.h), over the
 * server's analytics index, refreshed from the change feed first.
 */
#include "crm/insight/analytics.h"
#include "crm/forecast/forecast.h"
#include "api.h"

void api_forecast(struct req *rq, struct resp *rs)
{
	struct fc_query q;
	struct analytics *a;
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	rc = forecast_parse(rq->query, rq->nquery, time_now(), &q, &e);
	if (api_index(rs, rc, &a, &w, &e))
		return;
	rc = forecast_compute(a, rq->st, rq->p, &q, NULL, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}
