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
#include "crm/records/resources.h"
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

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const char *const betters[] = {"higher", "lower", NULL};
static const char *const segment_levels[] = {"territory+industry+channel", "territory+channel",
					     "channel", "all", NULL};
static const struct api_prop p_perf_figure[] = {
	DOC_NUM("value", DOC_REQ | DOC_NULL, "The rep's figure (null: not defined for them)"),
	DOC_CHOICE("better", DOC_REQ, betters, "Which way is good"),
	DOC_PROP("n", FT_INT, DOC_REQ, 0, "Peers in the segment that have the figure"),
	DOC_NUM("mean", DOC_REQ | DOC_NULL, "Their mean"),
	DOC_NUM("median", DOC_REQ | DOC_NULL, "Their median"),
	DOC_NUM("percentile", DOC_REQ | DOC_NULL,
		"Mid-rank percentile of the rep among them, 0..100"),
	DOC_NUM("z", DOC_REQ | DOC_NULL, "z-score among them (null: no spread)"),
};
static const struct api_prop p_perf_figures[] = {
	DOC_SUB("quota", "PerformanceFigure", DOC_REQ, "The period's quota"),
	DOC_SUB("closed_won", "PerformanceFigure", DOC_REQ, "Won in the period"),
	DOC_SUB("attainment", "PerformanceFigure", DOC_REQ, "closed_won / quota"),
	DOC_SUB("weighted_pipeline", "PerformanceFigure", DOC_REQ,
		"Open deals due in the period, amount x probability"),
	DOC_SUB("coverage", "PerformanceFigure", DOC_REQ, "weighted_pipeline / remaining quota"),
	DOC_SUB("win_rate", "PerformanceFigure", DOC_REQ, "won / (won + lost) in the period"),
	DOC_SUB("cycle_days", "PerformanceFigure", DOC_REQ, "Mean days from creation to won"),
	DOC_SUB("activities", "PerformanceFigure", DOC_REQ, "Activities done in the period"),
	DOC_SUB("new_opportunities", "PerformanceFigure", DOC_REQ, "Deals created in the period"),
};
static const struct api_prop p_perf_segment[] = {
	DOC_CHOICE("level", DOC_REQ, segment_levels, "Which peers the rep is compared with"),
	DOC_PROP("territory", FT_TEXT, DOC_REQ | DOC_NULL, 0,
		 "Their territory (when part of the level)"),
	DOC_PROP("industry", FT_TEXT, DOC_REQ | DOC_NULL, 0,
		 "Their industry (when part of the level)"),
	DOC_PROP("channel", FT_TEXT, DOC_REQ | DOC_NULL, 0,
		 "Their channel (when part of the level)"),
	DOC_PROP("n", FT_INT, DOC_REQ, 0, "Reps in the segment, the rep included"),
};
static const struct api_prop p_activity_counts[] = {
	DOC_PROP("call", FT_INT, DOC_REQ, 0, "Calls"),
	DOC_PROP("meeting", FT_INT, DOC_REQ, 0, "Meetings"),
	DOC_PROP("email", FT_INT, DOC_REQ, 0, "E-mails"),
	DOC_PROP("task", FT_INT, DOC_REQ, 0, "Tasks"),
	DOC_PROP("note", FT_INT, DOC_REQ, 0, "Notes"),
};
static const struct api_prop p_perf_rep[] = {
	DOC_PROP("user_id", FT_REF, DOC_REQ, 0, "The salesperson"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 0, "Their name"),
	DOC_PROP("territory", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Their territory"),
	DOC_PROP("industry", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Their industry"),
	DOC_CHOICE("channel", DOC_REQ | DOC_NULL, channel_choices, "Their channel"),
	DOC_SUB("segment", "PerformanceSegment", DOC_REQ, "The peers they are compared with"),
	DOC_PROP("won", FT_INT, DOC_REQ, 0, "Deals won in the period"),
	DOC_PROP("lost", FT_INT, DOC_REQ, 0, "Deals lost in the period"),
	DOC_PROP("excluded", FT_INT, DOC_REQ, 0,
		 "Their deals left out of amounts (other currencies)"),
	DOC_SUB("activities_by_type", "ActivityCounts", DOC_REQ, "Activities done in the period"),
	DOC_SUB("figures", "PerformanceFigures", DOC_REQ,
		"Each figure and its place in the segment"),
};
static const struct api_prop p_perf_excluded[] = {
	DOC_PROP("opportunities", FT_INT, DOC_REQ, 0,
		 "Deals of the reps shown in other currencies"),
	DOC_PROP("quotas", FT_INT, DOC_REQ, 0, "Quotas of the reps shown in other currencies"),
};
static const struct api_prop p_perf_report[] = {
	DOC_PROP("period", FT_TEXT, DOC_REQ, 0, "As asked"),
	DOC_PROP("from", FT_DATE, DOC_REQ, 0, "Its first day"),
	DOC_PROP("to", FT_DATE, DOC_REQ, 0, "Its last day"),
	DOC_PROP("currency", FT_CURRENCY, DOC_REQ, 0, "The currency of the amounts"),
	DOC_SUB("excluded", "PerformanceExcluded", DOC_REQ, "What other currencies left out"),
	DOC_PROP("method", FT_TEXT, DOC_REQ, 0, "How the comparison with peers is made, in words"),
	DOC_SUB("data", "PerformanceRep[]", DOC_REQ, "The salespeople the caller may see, by name"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("PerformanceFigure", 0, "A figure and its place among peers", p_perf_figure),
	DOC_SCHEMA("PerformanceFigures", 0, "A salesperson's figures", p_perf_figures),
	DOC_SCHEMA("PerformanceSegment", 0, "The peers of a salesperson", p_perf_segment),
	DOC_SCHEMA("ActivityCounts", 0, "Activities by type", p_activity_counts),
	DOC_SCHEMA("PerformanceRep", 0, "One salesperson's performance", p_perf_rep),
	DOC_SCHEMA("PerformanceExcluded", 0, "What other currencies left out", p_perf_excluded),
	DOC_SCHEMA("PerformanceReport", 0, "Performance per salesperson, compared fairly",
		   p_perf_report),
};

static const struct api_op doc_ops[] = {
	{api_report_performance, "performance_report", "reports",
	 "Performance per salesperson, compared fairly",
	 "Query: period (required: 2026-Q4 or 2026-11), currency (default the most common).  "
	 "Quota, closed-won, attainment, weighted pipeline, coverage, win rate, cycle length, "
	 "activities and new deals of each salesperson the caller sees (a rep: themselves), "
	 "each placed among peers of the same segment (territory, industry, channel, with "
	 "fallbacks) by percentile and z-score; `method` explains how.",
	 NULL, 200, "PerformanceReport", NULL, "400"},
};

const struct api_doc api_doc_performance = {
	NULL, NULL, doc_ops, DOC_N(doc_ops), doc_schemas, DOC_N(doc_schemas),
};
