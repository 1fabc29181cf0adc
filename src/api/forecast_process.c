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

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

/* The forecasting process (src/crm/forecast_process.h). */
static const char *const fp_scopes[] = {"user", "team", "company", NULL};
static const char *const fp_sources[] = {"weighted",   "categories", "historical",
					 "simulation", "submission", NULL};
static const struct api_prop p_fsub_create[] = {
	DOC_PROP("period", FT_TEXT, DOC_REQ, 7, "The quarter (2026-Q4) or month (2026-11)"),
	DOC_CHOICE("scope", DOC_REQ, fp_scopes,
		   "user: the submitter's own number; team: a team of a manager's subtree "
		   "(team_id); company: admins only"),
	DOC_PROP("team_id", FT_REF, 0, 0, "The team, for scope team"),
	DOC_PROP("commit", FT_MONEY, DOC_REQ, 0,
		 "What will book in the period for sure, closed-won included (not negative)"),
	DOC_PROP("best_case", FT_MONEY, DOC_REQ, 0,
		 "What the period may book at best (at least commit)"),
	DOC_PROP("currency", FT_CURRENCY, 0, 0, "ISO 4217 code (default EUR)"),
	DOC_PROP("note", FT_LONGTEXT, 0, 2000, "Why, for the manager"),
};
static const struct api_prop p_fsub[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The submission (ids grow with time)"),
	DOC_PROP("period", FT_TEXT, DOC_REQ, 0, "The quarter or month"),
	DOC_CHOICE("scope", DOC_REQ, fp_scopes, "Whose number it is"),
	DOC_PROP("scope_id", FT_REF, DOC_REQ | DOC_NULL, 0,
		 "The user or team; null for the company"),
	DOC_PROP("scope_name", FT_TEXT, DOC_REQ, 0, "Their name"),
	DOC_PROP("submitter_id", FT_REF, DOC_REQ, 0, "Who submitted it"),
	DOC_PROP("submitter_name", FT_TEXT, DOC_REQ, 0, "Their name"),
	DOC_PROP("currency", FT_CURRENCY, DOC_REQ, 0, "ISO 4217 code"),
	DOC_PROP("commit", FT_MONEY, DOC_REQ, 0, "The commit number"),
	DOC_PROP("best_case", FT_MONEY, DOC_REQ, 0, "The best-case number"),
	DOC_PROP("note", FT_LONGTEXT, DOC_REQ | DOC_NULL, 0, "Why"),
	DOC_PROP("submitted_at", FT_TIME, DOC_REQ, 0, "When"),
};
static const struct api_prop p_fsub_list[] = {
	DOC_SUB("data", "ForecastSubmission[]", DOC_REQ, "Newest first"),
	DOC_PROP("next_cursor", FT_TEXT, DOC_REQ | DOC_NULL, 0,
		 "Pass as ?cursor= for older ones; null on the last page"),
};
static const struct api_prop p_fscope[] = {
	DOC_CHOICE("kind", DOC_REQ, fp_scopes, "user, team (with its subtree) or company"),
	DOC_PROP("id", FT_REF, DOC_REQ | DOC_NULL, 0, "The user or team; null for the company"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 0, "Its name"),
};
static const struct api_prop p_fmember[] = {
	DOC_CHOICE("kind", DOC_REQ, fp_scopes, "A direct member (user) or a child team (team)"),
	DOC_PROP("id", FT_REF, DOC_REQ, 0, "The user or team"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 0, "Its name"),
	DOC_PROP("role", FT_TEXT, 0, 0, "A user's role"),
	DOC_PROP("submission", FT_JSON, DOC_REQ | DOC_NULL, 0,
		 "The latest submission for the member (a ForecastSubmission), or null"),
	DOC_PROP("models", FT_JSON, DOC_REQ | DOC_NULL, 0,
		 "The engine's models for the member (a ForecastModelFigures; null when the index "
		 "does not know them yet)"),
};
static const struct api_prop p_fsum[] = {
	DOC_PROP("commit", FT_MONEY, DOC_REQ, 0, "Sum of the members' commit numbers"),
	DOC_PROP("best_case", FT_MONEY, DOC_REQ, 0, "Sum of their best-case numbers"),
	DOC_PROP("submitted", FT_INT, DOC_REQ, 0, "Members with a submission in the currency"),
	DOC_PROP("missing", FT_INT, DOC_REQ, 0, "Members without one"),
	DOC_PROP("other_currency", FT_INT, DOC_REQ, 0,
		 "Members whose submission is in another currency"),
};
static const struct api_prop p_frollup[] = {
	DOC_PROP("period", FT_TEXT, DOC_REQ, 0, "As asked"),
	DOC_SUB("scope", "ForecastScopeRef", DOC_REQ, "The team (or the company)"),
	DOC_PROP("currency", FT_CURRENCY, DOC_REQ, 0, "The currency of the sums and models"),
	DOC_SUB("models", "ForecastModelFigures", DOC_REQ,
		"The engine's models for the whole scope"),
	DOC_SUB("submissions", "ForecastSubmission[]", DOC_REQ,
		"The scope's own current numbers: the latest of each submitter (the manager's)"),
	DOC_SUB("members", "ForecastRollupMember[]", DOC_REQ, "Direct members, then child teams"),
	DOC_SUB("sum", "ForecastRollupSum", DOC_REQ, "The members' submissions added up"),
};
static const struct api_prop p_facc_week[] = {
	DOC_PROP("week", FT_TEXT, DOC_REQ, 0, "The snapshot's ISO week (2026-W40)"),
	DOC_PROP("as_of", FT_TIME, DOC_REQ, 0, "The instant the forecast was as of"),
	DOC_PROP("forecast", FT_MONEY, DOC_REQ, 0, "The total the period would book"),
	DOC_PROP("p10", FT_MONEY, 0, 0, "Models with an interval"),
	DOC_PROP("p90", FT_MONEY, 0, 0, "Models with an interval"),
	DOC_PROP("commit", FT_MONEY, 0, 0, "Submissions"),
	DOC_PROP("best_case", FT_MONEY, 0, 0, "Submissions"),
	DOC_PROP("submission_id", FT_REF, 0, 0, "Submissions"),
	DOC_PROP("error", FT_MONEY, DOC_REQ, 0, "forecast - actual"),
	DOC_NUM("ape", DOC_REQ | DOC_NULL, "|error| / actual (null when the actual is 0)"),
	DOC_NUM("bias", DOC_REQ | DOC_NULL, "error / actual: positive when the forecast ran high"),
	DOC_PROP("inside", FT_BOOL, DOC_REQ | DOC_NULL, 0,
		 "P10 <= actual <= P90 (submissions: commit <= actual <= best_case); null when no "
		 "interval is claimed"),
};
static const struct api_prop p_facc_forecast[] = {
	DOC_CHOICE("source", DOC_REQ, fp_sources, "A model, or a person's submission"),
	DOC_PROP("submitter_id", FT_REF, 0, 0, "For submissions"),
	DOC_PROP("submitter_name", FT_TEXT, 0, 0, "For submissions"),
	DOC_SUB("weeks", "ForecastAccuracyWeek[]", DOC_REQ,
		"Each weekly snapshot, the first first"),
	DOC_PROP("n", FT_INT, DOC_REQ, 0, "Snapshots"),
	DOC_NUM("mape", DOC_REQ | DOC_NULL, "Mean APE over the weeks"),
	DOC_NUM("bias", DOC_REQ | DOC_NULL, "Mean bias over the weeks"),
	DOC_NUM("wape", DOC_REQ | DOC_NULL, "Σ |error| / Σ actual over the weeks"),
	DOC_NUM("coverage", DOC_REQ | DOC_NULL, "Share of weeks whose interval held the actual"),
};
static const struct api_prop p_facc_scope[] = {
	DOC_SUB("scope", "ForecastScopeRef", DOC_REQ, "Whose forecasts"),
	DOC_PROP("currency", FT_CURRENCY, DOC_REQ, 0, "Of the snapshots and the actual"),
	DOC_PROP("actual", FT_MONEY, DOC_REQ, 0, "Closed-won in the period"),
	DOC_SUB("forecasts", "ForecastAccuracySource[]", DOC_REQ, "Per model and submitter"),
};
static const struct api_prop p_facc[] = {
	DOC_PROP("period", FT_TEXT, DOC_REQ, 0, "As asked"),
	DOC_PROP("from", FT_TIME, DOC_REQ, 0, "Its start"),
	DOC_PROP("to", FT_TIME, DOC_REQ, 0, "Its end (exclusive)"),
	DOC_PROP("actual", FT_TEXT, DOC_REQ, 0, "What the actual is, in words"),
	DOC_PROP("forecast", FT_TEXT, DOC_REQ, 0, "What the forecast compared is, in words"),
	DOC_SUB("scopes", "ForecastAccuracyScope[]", DOC_REQ, "Company, teams, users"),
};
/* The backtest (src/crm/forecast_accuracy.c, fp_backtest_query). */
static const struct api_prop p_fbt_stats[] = {
	DOC_PROP("n", FT_INT, DOC_REQ, 0, "as_of points"),
	DOC_NUM("mape", DOC_REQ | DOC_NULL, "Mean |forecast - actual| / actual"),
	DOC_NUM("bias", DOC_REQ | DOC_NULL, "Mean (forecast - actual) / actual"),
	DOC_NUM("wape", DOC_REQ | DOC_NULL, "Σ |forecast - actual| / Σ actual"),
	DOC_NUM("coverage", DOC_REQ | DOC_NULL,
		"Share of points whose P10..P90 held the actual (null: no interval)"),
};
static const struct api_prop p_fbt_models[] = {
	DOC_SUB("weighted", "ForecastBacktestStats", DOC_REQ, "The weighted model"),
	DOC_SUB("categories", "ForecastBacktestStats", DOC_REQ, "The categories model"),
	DOC_SUB("historical", "ForecastBacktestStats", DOC_REQ, "The historical model"),
	DOC_SUB("simulation", "ForecastBacktestStats", DOC_REQ, "The simulation"),
};
static const struct api_prop p_fbt_week[] = {
	DOC_PROP("week", FT_INT, DOC_REQ, 0, "Weeks after the period's start (0: at it)"),
	DOC_SUB("weighted", "ForecastBacktestStats", DOC_REQ, "The weighted model"),
	DOC_SUB("categories", "ForecastBacktestStats", DOC_REQ, "The categories model"),
	DOC_SUB("historical", "ForecastBacktestStats", DOC_REQ, "The historical model"),
	DOC_SUB("simulation", "ForecastBacktestStats", DOC_REQ, "The simulation"),
};
static const struct api_prop p_fbt_forecast[] = {
	DOC_PROP("forecast", FT_MONEY, DOC_REQ, 0, "The total the period would book, as of then"),
	DOC_PROP("p10", FT_MONEY, 0, 0, "Models with an interval"),
	DOC_PROP("p90", FT_MONEY, 0, 0, "Models with an interval"),
	DOC_PROP("error", FT_MONEY, DOC_REQ, 0, "forecast - actual"),
	DOC_NUM("ape", DOC_REQ | DOC_NULL, "|error| / actual (null when the actual is 0)"),
	DOC_NUM("bias", DOC_REQ | DOC_NULL, "error / actual"),
	DOC_PROP("inside", FT_BOOL, DOC_REQ | DOC_NULL, 0,
		 "P10 <= actual <= P90; null when no interval is claimed"),
};
static const struct api_prop p_fbt_point[] = {
	DOC_PROP("period", FT_TEXT, DOC_REQ, 0, "2025-Q3 or 2025-07"),
	DOC_PROP("scope", FT_TEXT, DOC_REQ, 0, "company, team or user"),
	DOC_PROP("scope_id", FT_REF, DOC_REQ | DOC_NULL, 0,
		 "The team or user; null for the company"),
	DOC_PROP("week", FT_INT, DOC_REQ, 0, "Weeks after the period's start"),
	DOC_PROP("as_of", FT_TIME, DOC_REQ, 0, "The instant the forecast is replayed as of"),
	DOC_PROP("currency", FT_CURRENCY, DOC_REQ, 0, "Of the forecasts and the actual"),
	DOC_PROP("actual", FT_MONEY, DOC_REQ, 0, "Closed-won in the period"),
	DOC_SUB("weighted", "ForecastBacktestForecast", DOC_REQ, "The weighted model"),
	DOC_SUB("categories", "ForecastBacktestForecast", DOC_REQ, "The categories model"),
	DOC_SUB("historical", "ForecastBacktestForecast", DOC_REQ, "The historical model"),
	DOC_SUB("simulation", "ForecastBacktestForecast", DOC_REQ, "The simulation"),
};
static const struct api_prop p_fbt[] = {
	DOC_PROP("from", FT_TEXT, DOC_REQ, 0, "The first period"),
	DOC_PROP("to", FT_TEXT, DOC_REQ, 0, "The last period"),
	DOC_PROP("weeks", FT_INT, DOC_REQ, 0, "as_of points per period"),
	DOC_NUM("seconds", DOC_REQ, "The replay's wall time"),
	DOC_SUB("summary", "ForecastBacktestModels", DOC_REQ, "Per model over every point"),
	DOC_SUB("by_week", "ForecastBacktestWeek[]", DOC_REQ, "Per model and week"),
	DOC_SUB("points", "ForecastBacktestPoint[]", DOC_REQ, "Each as_of point, periods in order"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("ForecastSubmissionCreate", 1, "A forecast number for a period", p_fsub_create),
	DOC_SCHEMA("ForecastSubmission", 0, "A forecast number, as submitted", p_fsub),
	DOC_SCHEMA("ForecastSubmissionList", 0, "Submissions, newest first", p_fsub_list),
	DOC_SCHEMA("ForecastScopeRef", 0, "Whose forecast", p_fscope),
	{"ForecastModelFigures", 0,
	 "The engine's figures (forecast.h): currency, closed_won, open_deals, and per model "
	 "asked (weighted, categories, historical, simulation) expected, p10, p50, p90 (further "
	 "bookings), total, total_p10, total_p90 (with closed-won), interval; categories also "
	 "commit, best_case, pipeline",
	 NULL, 0},
	DOC_SCHEMA("ForecastRollupMember", 0, "A member of a roll-up", p_fmember),
	DOC_SCHEMA("ForecastRollupSum", 0, "The members' numbers added up", p_fsum),
	DOC_SCHEMA("ForecastRollup", 0, "A team's forecast roll-up", p_frollup),
	DOC_SCHEMA("ForecastAccuracyWeek", 0, "One snapshot against the actual", p_facc_week),
	DOC_SCHEMA("ForecastAccuracySource", 0, "One model's or submitter's snapshots",
		   p_facc_forecast),
	DOC_SCHEMA("ForecastAccuracyScope", 0, "One scope's forecasts against its actual",
		   p_facc_scope),
	DOC_SCHEMA("ForecastAccuracy", 0, "Forecast accuracy of a closed period", p_facc),
	DOC_SCHEMA("ForecastBacktestStats", 0, "A model's figures over as_of points", p_fbt_stats),
	DOC_SCHEMA("ForecastBacktestModels", 0, "Each model's figures", p_fbt_models),
	DOC_SCHEMA("ForecastBacktestWeek", 0, "Each model's figures at one week", p_fbt_week),
	DOC_SCHEMA("ForecastBacktestForecast", 0,
		   "One model's replayed forecast against the actual", p_fbt_forecast),
	DOC_SCHEMA("ForecastBacktestPoint", 0, "One as_of point of one period", p_fbt_point),
	DOC_SCHEMA("ForecastBacktest", 0, "Replayed forecasts of closed periods", p_fbt),
};

static const struct api_op doc_ops[] = {
	{api_forecast_submit, "submit_forecast", "forecasts", "Submit a forecast number",
	 "A salesperson's own number for a period (scope user), a manager's adjusted number for "
	 "a team of their subtree (scope team), an admin's for the company.  Append-only: every "
	 "submission is kept with its time; the latest per period, scope and submitter is "
	 "current.  404 for a team the caller does not manage; 403 for the company unless admin.  "
	 "With an Idempotency-Key a retry is safe: the same key and body within 24 hours get the "
	 "first answer again (Idempotent-Replayed: true), not a second submission.",
	 "ForecastSubmissionCreate", 201, "ForecastSubmission", "Idempotent-Replayed",
	 "403 404 409"},
	{api_forecast_submissions, "list_forecast_submissions", "forecasts",
	 "Forecast submissions, newest first",
	 "What the caller sees: a rep their own, a manager their subtree's users and teams, an "
	 "admin all.  Query: period, scope (user, team, company), user_id, team_id (404 when not "
	 "visible), submitter_id, latest=true (only the current ones), limit (1..500, default "
	 "100), cursor.",
	 NULL, 200, "ForecastSubmissionList", NULL, "404"},
	{api_forecast_rollup, "forecast_rollup", "forecasts", "A team's forecast roll-up",
	 "Query: period (required), team_id (default: the caller's team; an admin without it: "
	 "the company), currency.  Each direct member and child team with their latest "
	 "submission and the engine's models, the sum of the submissions, the team's own current "
	 "submissions and the engine's models for the whole team.  404 for a team the caller does "
	 "not manage (reps have none).",
	 NULL, 200, "ForecastRollup", NULL, "404 503"},
	{api_forecast_accuracy, "forecast_accuracy", "forecasts",
	 "Forecast accuracy of a closed period",
	 "Query: period (required; 400 until it has closed), scope, user_id, team_id, source "
	 "(a model or submission).  For each scope the caller sees that has weekly snapshots: the "
	 "actual (closed-won in the period now), and per model and submitter each week's "
	 "snapshot with error, APE, bias and whether the actual fell inside the interval, and "
	 "their mean over the weeks.",
	 NULL, 200, "ForecastAccuracy", NULL, "400 404 503"},
	{api_forecast_backtest, "forecast_backtest", "forecasts", "Replay past forecasts",
	 "Managers and admins (403 for reps).  Query: from and to (required; quarters or months "
	 "of one kind, at most 36, `to` closed by now), scope (user, team, company), user_id, "
	 "team_id (404 when not visible; default: the company as the caller sees it), weeks "
	 "(as_of points per period: its start and the weeks after, 1..13, default 4), "
	 "iterations, seed, currency.  Every model's forecast as of each point, replayed from "
	 "the history over the server's analytics index (as `funnel forecast backtest --json`), "
	 "against the period's actual, with MAPE, bias and P10-P90 coverage per model and week.",
	 NULL, 200, "ForecastBacktest", NULL, "400 403 404 503"},
};

const struct api_doc api_doc_forecast_process = {
	NULL, NULL, doc_ops, DOC_N(doc_ops), doc_schemas, DOC_N(doc_schemas),
};
