/*
 * reports.c — GET /api/v1/reports/funnel: the funnel report (src/crm/funnel.h)
 * over the server's analytics index, refreshed from the change feed first.
 */
#include "crm/insight/analytics.h"
#include "crm/insight/funnel.h"
#include "crm/process/pipeline.h"
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

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

/* Reports: the funnel (src/crm/funnel.h), over the analytics index. */
static const char *const funnel_groups[] = {"owner",    "team",     "channel", "territory",
					    "industry", "pipeline", NULL};
static const struct api_prop p_funnel_conversion[] = {
	DOC_NUM("rate", DOC_REQ | DOC_NULL, "numerator / denominator (null: no entries)"),
	DOC_PROP("numerator", FT_INT, DOC_REQ, 0,
		 "Of those, the deals that later entered a later stage "
		 "that is not lost"),
	DOC_PROP("denominator", FT_INT, DOC_REQ, 0, "Deals that entered the stage in the window"),
};
static const struct api_prop p_funnel_time[] = {
	DOC_PROP("count", FT_INT, DOC_REQ, 0, "Stays in the stage that ended in the window"),
	DOC_NUM("median_days", DOC_REQ | DOC_NULL, "Their median length in days (null: none)"),
	DOC_NUM("p90_days", DOC_REQ | DOC_NULL, "Their 90th percentile (nearest rank) in days"),
};
static const struct api_prop p_funnel_stage[] = {
	DOC_PROP("key", FT_TEXT, DOC_REQ, 64, "The stage's key"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 0, "Its name"),
	DOC_CHOICE("section", DOC_REQ, pipeline_sections, "Where it sits in the funnel"),
	DOC_PROP("open_count", FT_INT, DOC_REQ, 0, "Open deals now in the stage (any currency)"),
	DOC_PROP("open_amount", FT_MONEY, DOC_REQ, 0, "Their amounts in the report's currency"),
	DOC_PROP("weighted_amount", FT_MONEY, DOC_REQ, 0,
		 "Sum of amount x probability / 100, rounded half up once at the end"),
	DOC_PROP("entries", FT_INT, DOC_REQ, 0, "Stage rows entered in the window"),
	DOC_PROP("exits", FT_INT, DOC_REQ, 0, "Stage rows exited in the window"),
	DOC_SUB("conversion", "FunnelConversion", DOC_REQ, "Stage-to-stage conversion"),
	DOC_SUB("time_in_stage", "FunnelTimeInStage", DOC_REQ, "How long stays that ended lasted"),
};
static const struct api_prop p_funnel_group[] = {
	DOC_PROP("id", FT_INT, DOC_REQ | DOC_NULL, 0,
		 "The owner, team or pipeline id (null for channel, territory, industry, the group "
		 "of deals without one, and the single group without group_by)"),
	DOC_PROP("name", FT_TEXT, DOC_REQ | DOC_NULL, 0,
		 "Owner or team name, the channel, territory, industry or pipeline name; null for "
		 "deals without one; \"all\" without group_by"),
	DOC_PROP("pipeline_id", FT_INT, DOC_REQ | DOC_NULL, 0,
		 "The pipeline whose stages are listed"),
	DOC_PROP("deals", FT_INT, DOC_REQ, 0,
		 "Deals in scope in the group that are open, closed in the "
		 "window, or whose stage history spans it"),
	DOC_SUB("stages", "FunnelStage[]", DOC_REQ, "Per stage, in position order"),
	DOC_PROP("open_count", FT_INT, DOC_REQ, 0, "Open deals (sum over the stages)"),
	DOC_PROP("open_amount", FT_MONEY, DOC_REQ, 0, "Their amounts in the report's currency"),
	DOC_PROP("weighted_amount", FT_MONEY, DOC_REQ, 0, "Weighted, rounded half up once"),
	DOC_PROP("won_count", FT_INT, DOC_REQ, 0, "Won with closed_at in the window"),
	DOC_PROP("lost_count", FT_INT, DOC_REQ, 0, "Lost with closed_at in the window"),
	DOC_NUM("win_rate", DOC_REQ | DOC_NULL, "won / (won + lost)"),
	DOC_PROP("average_deal_size", FT_MONEY, DOC_REQ | DOC_NULL, 0,
		 "Mean amount of those won in the report's currency"),
	DOC_NUM("cycle_length_days", DOC_REQ | DOC_NULL,
		"Mean days from creation to close of those won"),
	DOC_PROP("sales_velocity", FT_MONEY, DOC_REQ | DOC_NULL, 0,
		 "open deals x win_rate x average_deal_size / cycle_length_days, per day"),
};
static const struct api_prop p_funnel_definitions[] = {
	DOC_PROP("window", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("scope", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("deals", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("open_count", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("open_amount", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("weighted_amount", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("entries", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("exits", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("conversion", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("time_in_stage", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("won_count", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("lost_count", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("win_rate", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("average_deal_size", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("cycle_length_days", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("sales_velocity", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("currency", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("excluded_other_currency", FT_TEXT, DOC_REQ, 0, ""),
};
static const struct api_prop p_funnel_report[] = {
	DOC_PROP("from", FT_DATE, DOC_REQ, 0, "First day of the window"),
	DOC_PROP("to", FT_DATE, DOC_REQ, 0, "Last day of the window (inclusive)"),
	DOC_CHOICE("group_by", DOC_REQ | DOC_NULL, funnel_groups, "As asked (null: one group)"),
	DOC_PROP("pipeline_id", FT_INT, DOC_REQ | DOC_NULL, 0,
		 "The pipeline reported on (null: every pipeline, with group_by=pipeline)"),
	DOC_PROP("currency", FT_CURRENCY, DOC_REQ, 0, "The currency of every amount"),
	DOC_PROP("excluded_other_currency", FT_INT, DOC_REQ, 0,
		 "Open and won-in-window deals in scope left out of amounts (other currencies)"),
	DOC_SUB("groups", "FunnelGroup[]", DOC_REQ, "Groups with deals in scope, by name"),
	DOC_SUB("definitions", "FunnelDefinitions", DOC_REQ, "What each figure means, in words"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("FunnelConversion", 0, "Stage-to-stage conversion", p_funnel_conversion),
	DOC_SCHEMA("FunnelTimeInStage", 0, "Time in stage of stays that ended in the window",
		   p_funnel_time),
	DOC_SCHEMA("FunnelStage", 0, "One stage's figures", p_funnel_stage),
	DOC_SCHEMA("FunnelGroup", 0, "One group's figures", p_funnel_group),
	DOC_SCHEMA("FunnelDefinitions", 0, "Each figure's definition, in words",
		   p_funnel_definitions),
	DOC_SCHEMA("FunnelReport", 0, "The sales funnel over a date window", p_funnel_report),
};

static const struct api_op doc_ops[] = {
	{api_report_funnel, "funnel_report", "reports", "The sales funnel",
	 "Query parameters: from, to (dates; default the current quarter), group_by (owner, team, "
	 "channel, territory, industry, pipeline), pipeline_id (default: the default pipeline), "
	 "owner_id, team_id (that team's subtree), channel, territory, currency (default: the "
	 "most common in scope).  Only deals the caller sees; an owner_id they do not see is "
	 "404, an unknown parameter 400.  Computed over the in-memory analytics index, brought "
	 "up to date from the database's change feed first.  The answer's definitions say what "
	 "each figure means.",
	 NULL, 200, "FunnelReport", NULL, "404"},
};

const struct api_doc api_doc_reports = {
	"reports",   "The funnel, stale deals and performance, over what the caller may see",
	doc_ops,     DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
