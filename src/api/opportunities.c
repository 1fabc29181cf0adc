/*
 * opportunities.c — GET /api/v1/opportunities/{id}/stages: every stage entry
 * and exit, with time and actor.
 */
#include "crm/process/opportunity.h"
#include "api.h"

void api_opportunity_stages(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct jw w;

	if (api_args(rq, rs, API_ID, &a))
		return;
	api_data(rs, &w);
	api_data_end(rs, &w, opportunity_stages(rq->st, rq->p, a.id, &w, &a.e), &a.e);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const struct api_prop p_stage_entry[] = {
	DOC_PROP("stage", FT_TEXT, DOC_REQ, 64, "Key of the stage"),
	DOC_PROP("entered_at", FT_TIME, DOC_REQ, 0, "When the deal entered it"),
	DOC_PROP("exited_at", FT_TIME, DOC_REQ | DOC_NULL, 0,
		 "When it left (null: it is there now)"),
	{{"actor_id", FT_REF, DOC_REQ | DOC_NULL, 0, 0, NULL, "users", "Who moved it"}, NULL},
	DOC_PROP("override", FT_BOOL, DOC_REQ, 0, "A manager moved it past the pipeline's rules"),
	DOC_PROP("reason", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Why (for an override)"),
};
static const struct api_prop p_stage_list[] = {
	DOC_SUB("data", "StageEntry[]", DOC_REQ, "Every stage entry and exit, oldest first"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("StageEntry", 0, "One stay of a deal in one stage", p_stage_entry),
	DOC_SCHEMA("StageList", 0, "A deal's stage history", p_stage_list),
};

static const struct api_op doc_ops[] = {
	{api_opportunity_stages, "opportunity_stages", "opportunities", "A deal's stage history",
	 "Every stage entry and exit, with when and who.", NULL, 200, "StageList", NULL, NULL},
};

const struct api_doc api_doc_opportunities = {
	NULL, NULL, doc_ops, DOC_N(doc_ops), doc_schemas, DOC_N(doc_schemas),
};
