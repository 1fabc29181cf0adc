/*
 * stale.c — GET /api/v1/reports/stale: stale deals and their diagnosis
 * (src/crm/stale.h).
 *
 * Query: owner_id, team_id (the team and those below it), channel,
 * pipeline_id, currency, group_by=owner, limit (1..500, default 100).  The
 * answer is bounded by limit and sorted by severity; there is no cursor.
 * Unknown parameters are refused, like on lists.
 */
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "crm/insight/analytics.h"
#include "crm/records/resources.h"
#include "crm/insight/stale.h"
#include "api.h"

/* A positive id, or a field problem. */
static long long query_id(const char *v, const char *field, struct err *e)
{
	char *end;
	long long id;

	if (v && *v >= '1' && *v <= '9' && strlen(v) < 19) {
		id = strtoll(v, &end, 10);
		if (!*end)
			return id;
	}
	err_field(e, field, "must be a positive integer id");
	return 0;
}

static int parse(const struct req *rq, struct stale_query *q, struct err *e)
{
	int i, j;

	memset(q, 0, sizeof(*q));
	q->limit = STALE_DEFAULT_LIMIT;
	for (i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].k, *v = rq->query[i].v;

		if (!strcmp(k, "owner_id")) {
			q->owner_id = query_id(v, k, e);
		} else if (!strcmp(k, "team_id")) {
			q->team_id = query_id(v, k, e);
		} else if (!strcmp(k, "pipeline_id")) {
			q->pipeline_id = query_id(v, k, e);
		} else if (!strcmp(k, "channel")) {
			for (j = 0; channel_choices[j] && strcmp(channel_choices[j], v); j++)
				;
			if (channel_choices[j])
				q->channel = v;
			else
				err_field(e, k, "must be one of field, inside, partner, web, retail");
		} else if (!strcmp(k, "currency")) {
			if (money_digits(v) >= 0)
				q->currency = v;
			else
				err_field(e, k, "must be an ISO 4217 code such as EUR");
		} else if (!strcmp(k, "group_by")) {
			if (!strcmp(v, "owner"))
				q->group_by_owner = 1;
			else
				err_field(e, k, "must be owner");
		} else if (!strcmp(k, "limit")) {
			char *end;
			long n = strtol(v, &end, 10);

			if (*v && !*end && n >= 1 && n <= STALE_MAX_LIMIT)
				q->limit = (int)n;
			else
				err_field(e, k, "must be an integer from 1 to %d", STALE_MAX_LIMIT);
		} else {
			err_field(e, k, "is not a parameter of this report");
		}
	}
	return e->nfields ? E_INVAL : OK;
}

void api_report_stale(struct req *rq, struct resp *rs)
{
	struct stale_query q;
	struct analytics *a;
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	rc = parse(rq, &q, &e);
	if (api_index(rs, rc, &a, &w, &e))
		return;
	rc = stale_report(a, rq->st, rq->p, &q, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}
