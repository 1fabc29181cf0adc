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
