/*
 * forecast_process.c — the forecasting process over HTTP
 * (src/crm/forecast_process.h):
 *
 *   POST /api/v1/forecast/submissions   a submission (201; Idempotency-Key)
 *   GET  /api/v1/forecast/submissions   the history of what the caller sees
 *   GET  /api/v1/forecast/rollup        a team's members, their numbers, the models
 *   GET  /api/v1/forecast/accuracy      a closed period's snapshots against the actual
 *   GET  /api/v1/forecast/backtest      replayed as_of forecasts of closed periods
 */
#include "crm/insight/analytics.h"
#include "crm/forecast/forecast_process.h"
#include "api.h"

static void submit(struct req *rq, struct resp *rs)
{
	json_t *body = api_body(rq, rs);
	long long id = 0;
	struct jw w;
	struct err e;
	int rc;

	if (!body)
		return;
	err_clear(&e);
	api_json(rs, 201, &w);
	rc = fp_submit(rq->st, rq->p, body, time_now(), &id, &w, &e);
	json_decref(body);
	if (rc)
		api_problem(rs, rc, &e);
}

/* A submission is appended, never replaced, so a retried POST would count
 * twice: with an Idempotency-Key the retry gets the first answer instead. */
void api_forecast_submit(struct req *rq, struct resp *rs)
{
	api_idempotent(rq, rs, submit);
}

void api_forecast_submissions(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	api_json(rs, 200, &w);
	rc = fp_submissions(rq->st, rq->p, rq->query, rq->nquery, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

/* The roll-up and accuracy read the analytics index. */
static void with_index(struct req *rq, struct resp *rs,
		       int (*fn)(struct analytics *, struct store *, const struct principal *,
				 const struct kv *, int, time_t, struct jw *, struct err *))
{
	struct analytics *a;
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	if (api_index(rs, OK, &a, &w, &e))
		return;
	rc = fn(a, rq->st, rq->p, rq->query, rq->nquery, time_now(), &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

void api_forecast_rollup(struct req *rq, struct resp *rs)
{
	with_index(rq, rs, fp_rollup);
}

void api_forecast_accuracy(struct req *rq, struct resp *rs)
{
	with_index(rq, rs, fp_accuracy);
}

void api_forecast_backtest(struct req *rq, struct resp *rs)
{
	with_index(rq, rs, fp_backtest_query);
}
