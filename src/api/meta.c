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
