/*
 * users.c — quotas per user and period (users and teams themselves are
 * declared records, served by records.c).
 *
 *   GET /api/v1/users/{id}/quotas
 *   PUT /api/v1/users/{id}/quotas/{period}   {"amount", "currency"}
 */
#include <string.h>

#include "core/money.h"
#include "crm/records/user.h"
#include "api.h"

void api_quota_list(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct jw w;

	if (api_args(rq, rs, API_ID, &a))
		return;
	api_data(rs, &w);
	api_data_end(rs, &w, quota_list(rq->st, rq->p, a.id, &w, &a.e), &a.e);
}

void api_quota_set(struct req *rq, struct resp *rs)
{
	const char *period = rq->params[1], *key, *currency = "EUR", *why;
	json_t *v, *amount = NULL;
	long long minor = 0;
	struct api_args a;
	int rc, digits;

	if (api_args(rq, rs, API_ID | API_BODY, &a))
		return;
	if (!quota_period_valid(period))
		err_field(&a.e, "period", "must be a quarter (2026-Q4) or a month (2026-11)");
	json_object_foreach(a.body, key, v) {
		if (!strcmp(key, "amount"))
			amount = v;
		else if (!strcmp(key, "currency") && json_is_string(v))
			currency = json_string_value(v);
		else if (!strcmp(key, "currency"))
			err_field(&a.e, "currency", "must be a string");
		else
			err_field(&a.e, key, "is not a field of a quota");
	}
	digits = money_digits(currency);
	if (digits < 0)
		err_field(&a.e, "currency", "must be an ISO 4217 currency code such as EUR");
	else if (!amount)
		err_field(&a.e, "amount", "is required");
	else if (json_is_integer(amount) || json_is_real(amount)) {
		if (money_from_double(json_number_value(amount), digits, &minor, &why))
			err_field(&a.e, "amount", "%s", why);
	} else if (json_is_string(amount)) {
		if (money_parse(json_string_value(amount), digits, &minor, &why))
			err_field(&a.e, "amount", "%s", why);
	} else {
		err_field(&a.e, "amount", "must be a number");
	}
	if (!a.e.nfields && minor < 0)
		err_field(&a.e, "amount", "must not be negative");
	rc = a.e.nfields ? E_INVAL : quota_set(rq->st, rq->p, a.id, period, minor, currency, &a.e);
	if (!api_done(rs, &a, rc))
		api_quota_list(rq, rs);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const struct api_prop p_quota[] = {
	DOC_PROP("period", FT_TEXT, DOC_REQ, 7, "A quarter (2026-Q4) or a month (2026-11)"),
	DOC_PROP("amount", FT_MONEY, DOC_REQ, 0, "Target amount"),
	DOC_PROP("currency", FT_CURRENCY, DOC_REQ, 0, "ISO 4217 code"),
};
static const struct api_prop p_quota_set[] = {
	DOC_PROP("amount", FT_MONEY, DOC_REQ, 0, "Target amount, not negative"),
	DOC_PROP("currency", FT_CURRENCY, FF_NOTNULL, 0, "ISO 4217 code (default EUR)"),
};
static const struct api_prop p_quota_list[] = {
	DOC_SUB("data", "Quota[]", DOC_REQ, "The user's quotas by period"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("Quota", 0, "A sales target for one period", p_quota),
	DOC_SCHEMA("QuotaSet", 1, "A quota to set (or replace)", p_quota_set),
	DOC_SCHEMA("QuotaList", 0, "Quotas", p_quota_list),
};

static const struct api_op doc_ops[] = {
	{api_quota_list, "list_quotas", "users", "A user's quotas", NULL, NULL, 200, "QuotaList",
	 NULL, NULL},
	{api_quota_set, "set_quota", "users", "Set a user's quota for a period",
	 "Admins for anyone, managers for the people of their team subtree (not themselves).  "
	 "Audited in the user's history.  Answers the user's quotas.",
	 "QuotaSet", 200, "QuotaList", NULL, NULL},
};

const struct api_doc api_doc_users = {
	NULL, NULL, doc_ops, DOC_N(doc_ops), doc_schemas, DOC_N(doc_schemas),
};
