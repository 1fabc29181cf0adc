/*
 * performance.c — GET /api/v1/reports/performance?period=2026-Q4: fair
 * performance evaluation per salesperson (src/crm/performance.h).
 *
 * Query: period (required: a quarter 2026-Q4 or a month 2026-11), currency
 * (default: the most common).  Unknown parameters are refused.
 */
#include <string.h>

#include "core/money.h"
#include "crm/insight/performance.h"
#include "api.h"

void api_report_performance(struct req *rq, struct resp *rs)
{
	const char *period = NULL, *currency = NULL;
	struct jw w;
	struct err e;
	int i, rc;

	err_clear(&e);
	for (i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].k, *v = rq->query[i].v;

		if (!strcmp(k, "period"))
			period = v;
		else if (!strcmp(k, "currency") && money_digits(v) >= 0)
			currency = v;
		else if (!strcmp(k, "currency"))
			err_field(&e, k, "must be an ISO 4217 code such as EUR");
		else
			err_field(&e, k, "is not a parameter of this report");
	}
	if (!period)
		err_field(&e, "period", "is required: a quarter (2026-Q4) or a month (2026-11)");
	if (e.nfields) {
		api_problem(rs, E_INVAL, &e);
		return;
	}
	api_json(rs, 200, &w);
	rc = performance_report(rq->st, rq->p, period, currency, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}
