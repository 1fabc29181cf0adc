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

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const char *const open_sections[] = {"upper", "middle", "lower", NULL};
static const char *const evidence_kinds[] = {
	"threshold",     "activity", "stage_history", "time_in_stage", "decision_makers",
	"similar_deals", NULL};
static const char *const hypotheses[] = {
	"lost_contact",          "undecided", "competitor", "dilemma", "approval", "budget",
	"internal_disagreement", NULL};
static const char *const stale_actions[] = {"call",
					    "requalify",
					    "competitive_check",
					    "decision_meeting",
					    "map_decision_makers",
					    "involve_manager",
					    NULL};
static const char *const idle_froms[] = {"activity", "stage_change", "creation", NULL};
static const struct api_prop p_stale_evidence[] = {
	DOC_CHOICE("kind", DOC_REQ, evidence_kinds, "What part of the record it comes from"),
	DOC_PROP("detail", FT_TEXT, DOC_REQ, 0, "What it says, in words"),
};
static const struct api_prop p_stale_diagnosis[] = {
	DOC_CHOICE("hypothesis", DOC_REQ, hypotheses,
		   "upper: lost_contact or undecided; middle: competitor or dilemma; lower: "
		   "approval, budget or internal_disagreement"),
	DOC_PROP("summary", FT_TEXT, DOC_REQ, 0, "The diagnosis, in words"),
	DOC_CHOICE("action", DOC_REQ, stale_actions, "The suggested action"),
	DOC_PROP("suggestion", FT_TEXT, DOC_REQ, 0, "The action, in words"),
	DOC_PROP("based_on", FT_JSON, DOC_REQ, 0,
		 "The evidence kinds the choice rests on (an array)"),
};
static const struct api_prop p_stale_deal[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The opportunity"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 0, "Its name"),
	DOC_PROP("account_id", FT_REF, DOC_REQ, 0, "The customer"),
	DOC_PROP("account_name", FT_TEXT, DOC_REQ, 0, "The customer's name"),
	DOC_PROP("owner_id", FT_REF, DOC_REQ, 0, "The salesperson"),
	DOC_PROP("owner_name", FT_TEXT, DOC_REQ, 0, "The salesperson's name"),
	DOC_PROP("amount", FT_MONEY, DOC_REQ, 0, "Expected value, in currency"),
	DOC_PROP("currency", FT_CURRENCY, DOC_REQ, 0, "ISO 4217 code"),
	DOC_PROP("pipeline_id", FT_REF, DOC_REQ, 0, "Its pipeline"),
	DOC_PROP("stage", FT_TEXT, DOC_REQ, 0, "Key of the current stage"),
	DOC_PROP("stage_name", FT_TEXT, DOC_REQ, 0, "Name of the current stage"),
	DOC_CHOICE("section", DOC_REQ, open_sections, "Where in the funnel it is stuck"),
	DOC_PROP("stage_entered_at", FT_TIME, DOC_REQ, 0, "When it entered the stage"),
	DOC_PROP("days_in_stage", FT_INT, DOC_REQ, 0, "Whole days since then"),
	DOC_PROP("stale_days", FT_INT, DOC_REQ, 0, "The stage's limit (0: none)"),
	DOC_PROP("days_idle", FT_INT, DOC_REQ, 0, "Whole days without activity"),
	DOC_PROP("idle_days", FT_INT, DOC_REQ, 0, "The stage's idle limit (0: none)"),
	DOC_PROP("idle_since", FT_TIME, DOC_REQ, 0, "What days_idle is measured from"),
	DOC_CHOICE("idle_from", DOC_REQ, idle_froms,
		   "activity: the last done activity on the deal; else the later of the last stage "
		   "change and the creation"),
	DOC_PROP("thresholds", FT_JSON, DOC_REQ, 0,
		 "The limits passed: \"stage\", \"idle\" (an array)"),
	DOC_NUM("severity", DOC_REQ,
		"Days over limit, as the largest ratio of days to limit passed"),
	DOC_SUB("diagnosis", "StaleDiagnosis", DOC_REQ, "Why it is probably stuck, and what to do"),
	DOC_SUB("evidence", "StaleEvidence[]", DOC_REQ,
		"The facts on the record the diagnosis used"),
};
static const struct api_prop p_stale_group[] = {
	DOC_PROP("owner_id", FT_REF, DOC_REQ, 0, "The salesperson"),
	DOC_PROP("owner_name", FT_TEXT, DOC_REQ, 0, "Their name"),
	DOC_PROP("count", FT_INT, DOC_REQ, 0, "Their stale deals"),
	DOC_PROP("amount", FT_MONEY, DOC_REQ, 0, "Sum of those in the report's currency"),
	DOC_PROP("excluded", FT_INT, DOC_REQ, 0, "Their stale deals in other currencies"),
	DOC_SUB("deals", "StaleDeal[]", DOC_REQ,
		"Those of the deals shown (within limit) that are theirs"),
};
static const struct api_prop p_stale_report[] = {
	DOC_PROP("now", FT_TIME, DOC_REQ, 0, "The instant days are counted to"),
	DOC_PROP("currency", FT_CURRENCY, DOC_REQ, 0, "The currency amounts are summed in"),
	DOC_PROP("total", FT_INT, DOC_REQ, 0, "Stale deals found (all of them, beyond limit)"),
	DOC_PROP("amount", FT_MONEY, DOC_REQ, 0, "Their sum in currency"),
	DOC_PROP("excluded", FT_INT, DOC_REQ, 0, "Stale deals in other currencies, not in amount"),
	DOC_PROP("limit", FT_INT, DOC_REQ, 0, "At most this many deals are shown"),
	DOC_PROP("truncated", FT_BOOL, DOC_REQ, 0, "More were found than shown"),
	DOC_SUB("data", "StaleDeal[]", 0, "The most severe first (without group_by)"),
	DOC_SUB("groups", "StaleGroup[]", 0,
		"Per salesperson, largest amount first (group_by=owner)"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("StaleEvidence", 0, "A fact a diagnosis used", p_stale_evidence),
	DOC_SCHEMA("StaleDiagnosis", 0, "Why a deal is probably stuck and what to do",
		   p_stale_diagnosis),
	DOC_SCHEMA("StaleDeal", 0, "A stale deal, diagnosed", p_stale_deal),
	DOC_SCHEMA("StaleGroup", 0, "One salesperson's stale deals", p_stale_group),
	DOC_SCHEMA("StaleReport", 0, "Stale deals and their diagnosis", p_stale_report),
};

static const struct api_op doc_ops[] = {
	{api_report_stale, "stale_report", "reports", "Stale deals and their diagnosis",
	 "Open deals the caller sees that passed their stage's limit (days in stage over "
	 "stale_days) or idle limit (days without activity over idle_days; with no activity, "
	 "from the later of the last stage change and the creation).  Each with its funnel "
	 "section, a diagnosis chosen from the evidence on the record (recent activities, stage "
	 "history, the team's median time in the stage, decision makers known, lost reasons of "
	 "similar deals) and a suggested action.  Query: owner_id, team_id (its subtree), "
	 "channel, pipeline_id, currency (of the sums; default the most common), "
	 "group_by=owner (counts and amounts per salesperson, with their deals), limit (1..500, "
	 "default 100).  Not paged: the `limit` most severe deals, `total` counts them all.",
	 NULL, 200, "StaleReport", NULL, "400"},
};

const struct api_doc api_doc_stale = {
	NULL, NULL, doc_ops, DOC_N(doc_ops), doc_schemas, DOC_N(doc_schemas),
};
