/*
 * pipelines.c — process maps and moving deals through them.
 *
 *   GET    /api/v1/pipelines            every map with its stages and criteria
 *   POST   /api/v1/pipelines            define one (managers for their teams, admins)
 *   GET    /api/v1/pipelines/{id}
 *   PATCH  /api/v1/pipelines/{id}       rename, attach, enforcement, stages (+reassign)
 *   DELETE /api/v1/pipelines/{id}       only when no deal uses it
 *   POST   /api/v1/opportunities/{id}/move  {"stage", "reason"?, "override"?, "lost_reason"?}
 */
#include <string.h>

#include "crm/process/opportunity.h"
#include "crm/process/pipeline.h"
#include "crm/records/resources.h"
#include "api.h"

static void answer(struct req *rq, struct resp *rs, int status, long long id)
{
	struct jw w;
	struct err e;
	long long version = 0;
	int rc;

	err_clear(&e);
	api_json(rs, status, &w);
	rc = pipeline_get_json(rq->st, id, &w, &version, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_set_header(rs, "ETag", "\"v%lld\"", version);
	if (status == 201)
		api_set_header(rs, "Location", "/api/v1/pipelines/%lld", id);
}

void api_pipeline_list(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	api_data(rs, &w);
	rc = pipeline_list_json(rq->st, &w, &e);
	api_data_end(rs, &w, rc, &e);
}

void api_pipeline_get(struct req *rq, struct resp *rs)
{
	long long id = api_id(rq, rs, 0);

	if (id > 0)
		answer(rq, rs, 200, id);
}

void api_pipeline_create(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_BODY, &a))
		return;
	if (!api_done(rs, &a, pipeline_create(rq->st, rq->p, a.body, &a.id, &a.e)))
		answer(rq, rs, 201, a.id);
}

void api_pipeline_update(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID | API_MATCH | API_BODY, &a))
		return;
	if (!api_done(rs, &a, pipeline_update(rq->st, rq->p, a.id, a.body, a.match, &a.e)))
		answer(rq, rs, 200, a.id);
}

void api_pipeline_delete(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID, &a))
		return;
	if (!api_done(rs, &a, pipeline_delete(rq->st, rq->p, a.id, &a.e)))
		rs->status = 204;
}

void api_opportunity_move(struct req *rq, struct resp *rs)
{
	struct write_opts o = {0, NULL};
	struct api_args a;
	struct record rec;
	struct jw w;
	json_t *patch = NULL, *v;
	const char *key;
	int rc;

	if (api_args(rq, rs, API_ID | API_BODY, &a))
		return;
	json_object_foreach(a.body, key, v) {
		if (!strcmp(key, "stage") || !strcmp(key, "lost_reason"))
			continue;
		if (!strcmp(key, "override")) {
			if (!json_is_boolean(v))
				err_field(&a.e, "override", "must be true or false");
			o.override = json_is_true(v);
		} else if (!strcmp(key, "reason")) {
			if (!json_is_string(v) || json_string_length(v) > 1000)
				err_field(&a.e, "reason", "must be text of at most 1000 characters");
			else
				o.reason = json_string_value(v);
		} else {
			err_field(&a.e, key, "is not a field of a move");
		}
	}
	if (!json_is_string(json_object_get(a.body, "stage")))
		err_field(&a.e, "stage", "is required: the key of the stage to move to");
	if (!a.e.nfields) {
		patch = json_pack("{s:O}", "stage", json_object_get(a.body, "stage"));
		v = json_object_get(a.body, "lost_reason");
		if (v)
			json_object_set(patch, "lost_reason", v);
		rc = record_update_opts(rq->st, rq->p, &opportunity_resource, a.id, patch, -1, &o,
					&rec, &a.e);
	} else {
		rc = E_INVAL;
	}
	json_decref(patch);
	if (api_done(rs, &a, rc))
		return;
	api_json(rs, 200, &w);
	record_json(&rec, &w);
	api_set_header(rs, "ETag", "\"v%lld\"", rec.version);
	record_release(&rec);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const struct api_prop p_criterion[] = {
	DOC_CHOICE("kind", DOC_REQ, pipeline_criterion_kinds,
		   "field: a field of the deal is filled; activity: one of its type was done; "
		   "document: one of its kind is attached; payment: it is paid"),
	DOC_CHOICE("field", DOC_REQ | DOC_NULL, pipeline_criterion_fields, "For kind field"),
	DOC_CHOICE("activity_type", DOC_REQ | DOC_NULL, activity_types, "For kind activity"),
	DOC_PROP("document_kind", FT_TEXT, DOC_REQ | DOC_NULL, 200,
		 "For kind document (proposal, contract ...)"),
	DOC_PROP("label", FT_TEXT, DOC_REQ | DOC_NULL, 250,
		 "How the criterion reads to salespeople"),
};
static const struct api_prop p_criterion_in[] = {
	DOC_CHOICE("kind", DOC_REQ, pipeline_criterion_kinds, "What must hold to leave the stage"),
	DOC_CHOICE("field", 0, pipeline_criterion_fields, "For kind field"),
	DOC_CHOICE("activity_type", 0, activity_types, "For kind activity"),
	DOC_PROP("document_kind", FT_TEXT, 0, 200, "For kind document: a word such as proposal"),
	DOC_PROP("label", FT_TEXT, 0, 250, "How the criterion reads to salespeople"),
};
static const struct api_prop p_stage[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "Stage id"),
	DOC_PROP("key", FT_TEXT, DOC_REQ, 200, "Stable key, what an opportunity's stage holds"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 200, "Name shown to people"),
	DOC_PROP("position", FT_INT, DOC_REQ, 0, "Order in the pipeline"),
	{{"probability", FT_PERCENT, DOC_REQ, 0, 0, NULL, NULL, "Win probability in percent"},
	 NULL},
	DOC_CHOICE("section", DOC_REQ, pipeline_sections, "Place in the funnel"),
	DOC_CHOICE("forecast_category", DOC_REQ, opportunity_categories,
		   "Forecast category of deals here"),
	DOC_PROP("stale_days", FT_INT, DOC_REQ, 0, "A deal here longer than this is stale"),
	DOC_PROP("idle_days", FT_INT, DOC_REQ, 0, "A deal with no activity this long is idle"),
	DOC_SUB("criteria", "PipelineCriterion[]", DOC_REQ, "Exit criteria"),
};
static const struct api_prop p_stage_in[] = {
	DOC_PROP("key", FT_TEXT, DOC_REQ, 200,
		 "Lower-case letters, digits and _; unique in the pipeline"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 200, "Name shown to people"),
	DOC_CHOICE("section", DOC_REQ, pipeline_sections,
		   "Place in the funnel; stages go in funnel order"),
	{{"probability", FT_PERCENT, 0, 0, 0, NULL, NULL,
	  "Win probability (required for open stages; won 100, lost 0)"},
	 NULL},
	DOC_CHOICE("forecast_category", 0, opportunity_categories, "Default: by section"),
	{{"stale_days", FT_INT, 0, 0, 3650, NULL, NULL, "Default 30"}, NULL},
	{{"idle_days", FT_INT, 0, 0, 3650, NULL, NULL, "Default 14"}, NULL},
	DOC_SUB("criteria", "PipelineCriterionInput[]", 0, "Exit criteria"),
};
static const struct api_prop p_pipeline[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "Pipeline id"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 200, "Name (unique)"),
	{{"team_id", FT_REF, DOC_REQ | DOC_NULL, 0, 0, NULL, "teams",
	  "The team it serves (and those below)"},
	 NULL},
	DOC_CHOICE("channel", DOC_REQ | DOC_NULL, channel_choices, "The sales channel it serves"),
	DOC_CHOICE("enforcement", DOC_REQ, pipeline_enforcements,
		   "strict: forward one stage at a time, criteria checked; guided: forward to any "
		   "later stage whose criteria hold, back freely; free: anything"),
	DOC_PROP("is_default", FT_BOOL, DOC_REQ, 0, "The pipeline for deals no other one serves"),
	DOC_PROP("version", FT_INT, DOC_REQ, 0,
		 "Grows with every change; the ETag is \"v<version>\""),
	DOC_PROP("created_at", FT_TIME, DOC_REQ, 0, "When it was made"),
	DOC_PROP("updated_at", FT_TIME, DOC_REQ, 0, "When it last changed"),
	DOC_SUB("stages", "PipelineStage[]", DOC_REQ, "Its stages, in order"),
};
static const struct api_prop p_pipeline_create[] = {
	DOC_PROP("name", FT_TEXT, DOC_REQ, 200, "Name (unique)"),
	{{"team_id", FT_REF, 0, 0, 0, NULL, "teams", "The team it serves (and those below)"}, NULL},
	DOC_CHOICE("channel", 0, channel_choices, "The sales channel it serves"),
	DOC_CHOICE("enforcement", 0, pipeline_enforcements, "Default guided"),
	DOC_PROP("is_default", FT_BOOL, FF_NOTNULL, 0, "Make it the default pipeline"),
	DOC_SUB("stages", "PipelineStageInput[]", DOC_REQ,
		"3 to 32 stages in funnel order: open ones, a won one, a lost one"),
};
static const struct api_prop p_pipeline_update[] = {
	DOC_PROP("name", FT_TEXT, 0, 200, "Name (unique)"),
	{{"team_id", FT_REF, 0, 0, 0, NULL, "teams", "The team it serves (and those below)"}, NULL},
	DOC_CHOICE("channel", 0, channel_choices, "The sales channel it serves"),
	DOC_CHOICE("enforcement", 0, pipeline_enforcements, "How strictly moves are checked"),
	DOC_PROP("is_default", FT_BOOL, FF_NOTNULL, 0, "Make it the default pipeline"),
	DOC_SUB("stages", "PipelineStageInput[]", 0, "All the stages, replacing the old ones"),
	DOC_SUB("reassign", "StageReassign", 0,
		"For each removed stage that has deals: the stage they move to"),
};
static const struct api_prop p_pipeline_list[] = {
	DOC_SUB("data", "Pipeline[]", DOC_REQ, "Every pipeline"),
};
static const struct api_prop p_move[] = {
	DOC_PROP("stage", FT_TEXT, DOC_REQ, 64, "Key of the stage to move to"),
	DOC_PROP("lost_reason", FT_TEXT, 0, 200,
		 "Why it was lost (a lost stage needs one of the list)"),
	DOC_PROP("override", FT_BOOL, 0, 0,
		 "A manager moves past the pipeline's rules (needs a reason)"),
	DOC_PROP("reason", FT_TEXT, 0, 1000,
		 "Why: the salesperson's or manager's words, on the record"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("PipelineCriterion", 0, "An exit criterion of a stage", p_criterion),
	DOC_SCHEMA("PipelineCriterionInput", 1, "An exit criterion of a stage", p_criterion_in),
	DOC_SCHEMA("PipelineStage", 0, "A stage of a pipeline", p_stage),
	DOC_SCHEMA("PipelineStageInput", 1, "A stage of a pipeline", p_stage_in),
	DOC_SCHEMA("Pipeline", 0, "A process map: ordered stages and how strictly they are kept",
		   p_pipeline),
	DOC_SCHEMA("PipelineCreate", 1, "A new pipeline", p_pipeline_create),
	DOC_SCHEMA("PipelineUpdate", 1, "A change to a pipeline (only the members given)",
		   p_pipeline_update),
	DOC_SCHEMA("PipelineList", 0, "Pipelines", p_pipeline_list),
	{"StageReassign", 0, "{\"removed_stage_key\": \"new_stage_key\", ...}", NULL, 0},
	DOC_SCHEMA("Move", 1, "A stage move", p_move),
};

static const struct api_op doc_ops[] = {
	{api_opportunity_move, "move_opportunity", "opportunities", "Move a deal to a stage",
	 "Checked against its pipeline's enforcement and the exit criteria; a refused move is "
	 "409 with one errors[] entry per unmet rule, in words a salesperson understands.  A "
	 "manager may override with a reason (403 for others).  Answers the opportunity.",
	 "Move", 200, "Opportunity", "ETag", "409"},
	{api_pipeline_list, "list_pipelines", "pipelines", "List pipelines",
	 "Every process map with its stages and their exit criteria.", NULL, 200, "PipelineList",
	 NULL, NULL},
	{api_pipeline_create, "create_pipeline", "pipelines", "Create a pipeline",
	 "Managers for their teams, admins for any.", "PipelineCreate", 201, "Pipeline",
	 "ETag Location", "409"},
	{api_pipeline_get, "get_pipeline", "pipelines", "Read a pipeline", NULL, NULL, 200,
	 "Pipeline", "ETag", NULL},
	{api_pipeline_update, "update_pipeline", "pipelines", "Change a pipeline",
	 "Rename, attach to a team or channel, change enforcement or replace the stages.  A "
	 "stage removed while deals are in it needs reassign; they move, with stage history "
	 "and audit.  With If-Match, only if unchanged since read (otherwise 412).",
	 "PipelineUpdate", 200, "Pipeline", "ETag", "409 412"},
	{api_pipeline_delete, "delete_pipeline", "pipelines", "Delete a pipeline",
	 "Only one no deal uses, and never the default (409).", NULL, 204, NULL, NULL, "409"},
};

const struct api_doc api_doc_pipelines = {
	"pipelines", "Process maps: stages, exit criteria, enforcement",
	doc_ops,     DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
