/*
 * forecast.c — GET /api/v1/forecast: bookings expected in a period, per
 * model, for a scope the caller sees (src/crm/forecast.h), over the
 * server's analytics index, refreshed from the change feed first.
 */
#include "crm/forecast/forecast.h"
#include "crm/insight/analytics.h"
#include "crm/process/opportunity.h"
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

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

/* Forecasts (src/crm/forecast.h), over the analytics index. */
static const char *const fc_scope_kinds[] = {"company", "user",     "team",
					     "channel", "pipeline", NULL};
#define FC_FIGURES                                                                             \
	DOC_PROP("expected", FT_MONEY, DOC_REQ, 0, "Expected further bookings in the window"), \
		DOC_PROP("p10", FT_MONEY, DOC_REQ, 0, "10th percentile of further bookings"),  \
		DOC_PROP("p50", FT_MONEY, DOC_REQ, 0, "Median of further bookings"),           \
		DOC_PROP("p90", FT_MONEY, DOC_REQ, 0, "90th percentile of further bookings"),  \
		DOC_PROP("total_expected", FT_MONEY, DOC_REQ, 0, "closed_won + expected"),     \
		DOC_PROP("total_p10", FT_MONEY, DOC_REQ, 0, "closed_won + p10"),               \
		DOC_PROP("total_p50", FT_MONEY, DOC_REQ, 0, "closed_won + p50"),               \
		DOC_PROP("total_p90", FT_MONEY, DOC_REQ, 0, "closed_won + p90"),               \
		DOC_PROP("deals", FT_INT, DOC_REQ, 0, "Open deals the model counted")
#define FC_OPEN_RUN                                                                               \
	DOC_PROP("open_expected", FT_MONEY, DOC_REQ, 0, "Expected from the deals open at as_of"), \
		DOC_PROP("run_rate", FT_MONEY, DOC_REQ, 0, "Expected from deals not created yet")
static const struct api_prop p_fc_weighted[] = {FC_FIGURES};
static const struct api_prop p_fc_categories[] = {
	FC_FIGURES,
	DOC_PROP("commit", FT_MONEY, DOC_REQ, 0, "Open deals in commit (expected)"),
	DOC_PROP("best_case", FT_MONEY, DOC_REQ, 0, "Open deals in best case"),
	DOC_PROP("pipeline", FT_MONEY, DOC_REQ, 0, "Open deals in pipeline"),
	DOC_PROP("best_case_number", FT_MONEY, DOC_REQ, 0, "commit + best_case"),
};
static const struct api_prop p_fc_points[] = {
	DOC_NUM("scope", DOC_REQ, "Comparable points of the scope (weighted)"),
	DOC_NUM("parent", DOC_REQ, "Of its parent (a user's team; else the company)"),
	DOC_NUM("company", DOC_REQ, "Of the whole company"),
};
static const struct api_prop p_fc_basis[] = {
	DOC_PROP("comparable_periods", FT_INT, DOC_REQ, 0, "Past periods the model learned from"),
	DOC_SUB("points", "ForecastPoints", DOC_REQ, "Points learned from, per level"),
	DOC_NUM("period_sd", DOC_REQ,
		"sd of the period factor: how far the model's forecasts of past "
		"periods, made from the periods before them, strayed from what they "
		"booked (relative), widened for the few periods measured"),
	DOC_PROP("periods_measured", FT_INT, DOC_REQ, 0, "Past periods that sd was measured on"),
};
static const struct api_prop p_fc_historical[] = {
	FC_FIGURES,
	FC_OPEN_RUN,
	DOC_SUB("basis", "ForecastBasis", DOC_REQ, "What the model learned from"),
};
static const struct api_prop p_fc_simulation[] = {
	FC_FIGURES,
	FC_OPEN_RUN,
	DOC_PROP("iterations", FT_INT, DOC_REQ, 0, "Draws"),
	DOC_PROP("seed", FT_INT, DOC_REQ, 0, "The seed (same seed, same answer)"),
	DOC_PROP("exact_deals", FT_INT, DOC_REQ, 0, "Deals drawn exactly"),
	DOC_PROP("normal_deals", FT_INT, DOC_REQ, 0, "Deals drawn together as one normal"),
	DOC_NUM("tail_error_bound", DOC_REQ,
		"Bound on the mean gap between these quantiles and exact ones, in standard "
		"deviations"),
};
static const struct api_prop p_fc_models[] = {
	DOC_SUB("weighted", "ForecastWeighted", 0, "Amount x stage probability"),
	DOC_SUB("categories", "ForecastCategories", 0,
		"Forecast categories as the owners set them"),
	DOC_SUB("historical", "ForecastHistorical", 0, "Learned from the scope's own history"),
	DOC_SUB("simulation", "ForecastSimulation", 0, "Monte Carlo over the historical model"),
};
static const struct api_prop p_fc_scope[] = {
	DOC_CHOICE("kind", DOC_REQ, fc_scope_kinds, "As asked"),
	DOC_PROP("id", FT_INT, DOC_REQ | DOC_NULL, 0, "The user, team or pipeline"),
	DOC_PROP("name", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Its name (the channel for a channel)"),
};
static const struct api_prop p_fc_deal[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The opportunity"),
	DOC_PROP("name", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Its name"),
	DOC_PROP("owner_id", FT_INT, DOC_REQ, 0, "Its owner"),
	DOC_PROP("owner", FT_TEXT, DOC_REQ | DOC_NULL, 0, "The owner's name"),
	DOC_PROP("stage", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Its stage at as_of"),
	DOC_PROP("stage_name", FT_TEXT, DOC_REQ | DOC_NULL, 0, "That stage's name"),
	DOC_PROP("amount", FT_MONEY, DOC_REQ, 0, "Its amount at as_of"),
	DOC_PROP("close_date", FT_DATE, DOC_REQ, 0, "Its expected close date at as_of"),
	DOC_CHOICE("forecast_category", DOC_REQ | DOC_NULL, opportunity_categories,
		   "Its category at as_of"),
	DOC_NUM("probability", DOC_REQ, "The probability used, 0..1"),
	DOC_PROP("expected", FT_MONEY, DOC_REQ, 0, "amount x probability"),
};
static const struct api_prop p_fc_definitions[] = {
	DOC_PROP("period", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("as_of", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("scope", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("closed_won", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("open_deals", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("expected", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("p10_p50_p90", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("weighted", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("categories", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("historical", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("simulation", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("run_rate", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("top", FT_TEXT, DOC_REQ, 0, ""),
	DOC_PROP("currency", FT_TEXT, DOC_REQ, 0, ""),
};
static const struct api_prop p_forecast[] = {
	DOC_PROP("period", FT_TEXT, DOC_REQ, 0, "As asked (default: the current quarter)"),
	DOC_PROP("from", FT_DATE, DOC_REQ, 0, "Its first day"),
	DOC_PROP("to", FT_DATE, DOC_REQ, 0, "Its last day"),
	DOC_PROP("as_of", FT_TIME, DOC_REQ, 0, "The instant the forecast is made as of"),
	DOC_SUB("scope", "ForecastScope", DOC_REQ, "Whose deals"),
	DOC_PROP("currency", FT_CURRENCY, DOC_REQ, 0, "The currency of every amount"),
	DOC_PROP("excluded_other_currency", FT_INT, DOC_REQ, 0,
		 "Open and won-in-period deals in scope left out (other currencies)"),
	DOC_PROP("closed_won", FT_MONEY, DOC_REQ, 0, "Won in the period before as_of"),
	DOC_PROP("open_deals", FT_INT, DOC_REQ, 0, "Deals open at as_of in scope"),
	DOC_PROP("open_amount", FT_MONEY, DOC_REQ, 0, "Their amounts at as_of"),
	DOC_SUB("models", "ForecastModels", DOC_REQ, "The models asked for"),
	DOC_SUB("top", "ForecastDeal[]", DOC_REQ, "The deals contributing most, largest first"),
	DOC_SUB("definitions", "ForecastDefinitions", DOC_REQ, "What each figure means, in words"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("ForecastWeighted", 0, "The weighted model", p_fc_weighted),
	DOC_SCHEMA("ForecastCategories", 0, "The categories model", p_fc_categories),
	DOC_SCHEMA("ForecastPoints", 0, "Comparable points per level", p_fc_points),
	DOC_SCHEMA("ForecastBasis", 0, "What the historical model learned from", p_fc_basis),
	DOC_SCHEMA("ForecastHistorical", 0, "The historical model", p_fc_historical),
	DOC_SCHEMA("ForecastSimulation", 0, "The simulation model", p_fc_simulation),
	DOC_SCHEMA("ForecastModels", 0, "Each model asked for", p_fc_models),
	DOC_SCHEMA("ForecastScope", 0, "The scope of a forecast", p_fc_scope),
	DOC_SCHEMA("ForecastDeal", 0, "A deal contributing to a forecast", p_fc_deal),
	DOC_SCHEMA("ForecastDefinitions", 0, "Each figure's definition, in words",
		   p_fc_definitions),
	DOC_SCHEMA("Forecast", 0, "Bookings expected in a period, per model", p_forecast),
};

static const struct api_op doc_ops[] = {
	{api_forecast, "forecast", "forecasts", "Bookings expected in a period",
	 "Query: period (2026-Q4 or 2026-11; default the current quarter), scope (company, "
	 "user, team, channel, pipeline; default company) with scope_id (or owner_id, team_id, "
	 "pipeline_id) or channel, as_of (a date or an instant, not in the future: the forecast "
	 "as it would have been made then, from what was known then), model (a comma list of "
	 "weighted, categories, historical, simulation; default all), iterations (100..100000, "
	 "default 10000) and seed (default 1) of the simulation, currency (default the most "
	 "common in scope), top (0..100 deals listed, default 10).  Closed-won so far plus each "
	 "model's expected further bookings with P10/P50/P90; `definitions` says how each is "
	 "computed.  Only deals the caller sees; a scope they may not see is 404, a bad "
	 "parameter 400 naming it.  503 with Retry-After while the index builds.",
	 NULL, 200, "Forecast", NULL, "400 404"},
};

const struct api_doc api_doc_forecast = {
	"forecasts",
	"Forecasts by four models; submissions and the roll-up, snapshots, accuracy, backtest",
	doc_ops,
	DOC_N(doc_ops),
	doc_schemas,
	DOC_N(doc_schemas),
};
