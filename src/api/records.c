/*
 * records.c — the REST face of every declared record type:
 *
 *   GET    /api/v1/<records>              list (filters, sort, keyset pages)
 *   POST   /api/v1/<records>              create → 201, Location, ETag
 *   GET    /api/v1/<records>/{id}         read → ETag
 *   PATCH  /api/v1/<records>/{id}         partial update, If-Match optional
 *   DELETE /api/v1/<records>/{id}         delete, If-Match optional
 *   GET    /api/v1/<records>/{id}/history the audit trail
 *
 * The routing table passes the struct resource as route_arg.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "crm/records/resources.h"

static void etag(struct resp *rs, const struct record *rec)
{
	api_set_header(rs, "ETag", "\"v%lld\"", rec->version);
}

static void answer_record(struct resp *rs, int status, const struct record *rec)
{
	struct jw w;

	api_json(rs, status, &w);
	record_json(rec, &w);
	etag(rs, rec);
}

struct list_ctx {
	struct jw *w;
};

static int list_each(const struct record *rec, void *ctx)
{
	record_json(rec, ((struct list_ctx *)ctx)->w);
	return 0;
}

void api_record_list(struct req *rq, struct resp *rs)
{
	const struct resource *r = rq->route_arg;
	struct list_query q;
	struct list_ctx lc;
	struct jw w;
	struct err e;
	char *next = NULL;
	long long total = 0;
	int rc;

	/* the whole list as a file, when asked for one (export.c) */
	if (api_accepts(rq, "text/csv")) {
		api_list_export(rq, rs, r, 0);
		return;
	}
	if (r == &contact_resource && api_accepts(rq, "text/vcard")) {
		api_list_export(rq, rs, r, 1);
		return;
	}
	err_clear(&e);
	rc = list_query_parse(r, rq->query, rq->nquery, &q, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_json(rs, 200, &w);
	jw_obj(&w);
	jw_key(&w, "data");
	jw_arr(&w);
	lc.w = &w;
	rc = record_list(rq->st, rq->p, r, &q, list_each, &lc, &next, &total, &e);
	if (rc) {
		list_query_release(&q);
		api_problem(rs, rc, &e);
		return;
	}
	jw_arr_end(&w);
	jw_kstr(&w, "next_cursor", next);
	if (q.want_total)
		jw_kint(&w, "total", total);
	jw_obj_end(&w);
	free(next);
	list_query_release(&q);
}

static void create(struct req *rq, struct resp *rs)
{
	const struct resource *r = rq->route_arg;
	struct record rec;
	struct api_args a;

	if (api_args(rq, rs, API_BODY, &a) ||
	    api_done(rs, &a, record_create(rq->st, rq->p, r, a.body, 0, &rec, &a.e)))
		return;
	answer_record(rs, 201, &rec);
	api_set_header(rs, "Location", "/api/v1/%s/%lld", r->path ? r->path : r->name, rec.id);
	record_release(&rec);
}

void api_record_create(struct req *rq, struct resp *rs)
{
	api_idempotent(rq, rs, create);
}

void api_record_get(struct req *rq, struct resp *rs)
{
	const struct resource *r = rq->route_arg;
	struct record rec;
	struct api_args a;

	if (r == &contact_resource && api_accepts(rq, "text/vcard")) {
		api_contact_vcard(rq, rs); /* vcard.c */
		return;
	}
	if (api_args(rq, rs, API_ID, &a) ||
	    api_done(rs, &a, record_get(rq->st, rq->p, r, a.id, &rec, &a.e)))
		return;
	answer_record(rs, 200, &rec);
	record_release(&rec);
}

void api_record_update(struct req *rq, struct resp *rs)
{
	const struct resource *r = rq->route_arg;
	struct record rec;
	struct api_args a;

	if (api_args(rq, rs, API_ID | API_MATCH | API_BODY, &a) ||
	    api_done(rs, &a, record_update(rq->st, rq->p, r, a.id, a.body, a.match, &rec, &a.e)))
		return;
	answer_record(rs, 200, &rec);
	record_release(&rec);
}

void api_record_delete(struct req *rq, struct resp *rs)
{
	const struct resource *r = rq->route_arg;
	struct api_args a;

	if (api_args(rq, rs, API_ID | API_MATCH, &a) ||
	    api_done(rs, &a, record_delete(rq->st, rq->p, r, a.id, a.match, &a.e)))
		return;
	rs->status = 204;
	buf_reset(&rs->body);
}

void api_record_history(struct req *rq, struct resp *rs)
{
	const struct resource *r = rq->route_arg;
	struct api_args a;
	struct jw w;

	if (api_args(rq, rs, API_ID, &a))
		return;
	api_data(rs, &w);
	api_data_end(rs, &w, record_history(rq->st, rq->p, r, a.id, &w, &a.e), &a.e);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const struct api_prop p_history_list[] = {
	DOC_SUB("data", "HistoryEntry[]", DOC_REQ, "The audit trail, oldest first"),
};

static const struct api_prop p_history_entry[] = {
	DOC_PROP("at", FT_TIME, DOC_REQ, 0, "When"),
	{{"actor_id", FT_REF, DOC_REQ | DOC_NULL, 0, 0, NULL, "users",
	  "Who (null: the command line or the system)"},
	 NULL},
	DOC_PROP("actor_name", FT_TEXT, DOC_NULL, 0, "Their name"),
	DOC_PROP("action", FT_TEXT, DOC_REQ, 0, "create, update or delete"),
	DOC_PROP("field", FT_TEXT, DOC_NULL, 0, "The field that changed (update)"),
	DOC_PROP("old", FT_TEXT, DOC_NULL, 0,
		 "Its value before, as text (delete: the record's JSON)"),
	DOC_PROP("new", FT_TEXT, DOC_NULL, 0, "Its value after, as text"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("HistoryEntry", 0, "One audited change", p_history_entry),
	DOC_SCHEMA("HistoryList", 0, "A record's audit trail", p_history_list),
};

const struct api_doc api_doc_records = {
	NULL, NULL, NULL, 0, doc_schemas, DOC_N(doc_schemas),
};
