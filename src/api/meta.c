/*
 * meta.c — /healthz: the database answers and its schema is migrated.
 */
#include "api.h"

void api_healthz(struct req *rq, struct resp *rs)
{
	int v = store_schema_version(rq->st);
	struct jw w;

	api_json(rs, v > 0 ? 200 : 503, &w);
	jw_obj(&w);
	jw_kstr(&w, "status", v > 0 ? "ok" : "unavailable");
	jw_kint(&w, "schema_version", v);
	jw_obj_end(&w);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const char *const health_states[] = {"ok", "unavailable", NULL};
static const struct api_prop p_health[] = {
	{{"status", FT_ENUM, DOC_REQ, 0, 0, health_states, NULL, "ok when the database answers"},
	 NULL},
	DOC_PROP("schema_version", FT_INT, DOC_REQ, 0, "Database schema version (0: unavailable)"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("Health", 0, "Whether the server can serve", p_health),
	{"OpenAPI", 0, "This document", NULL, 0}, /* any object */
};

static const struct api_op doc_ops[] = {
	{api_healthz, "healthz", "meta", "Health check",
	 "200 when the database answers and its schema is migrated, 503 (same body) otherwise. "
	 "For load balancers; needs no credentials.",
	 NULL, 200, "Health", NULL, "503"},
	{api_openapi, "openapi", "meta", "This OpenAPI document",
	 "Generated from the routing table and the record declarations the server runs on.", NULL,
	 200, "OpenAPI", NULL, NULL},
};

const struct api_doc api_doc_meta = {
	"meta",      "Health and this document", doc_ops, DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
