/*
 * api.c — what every handler shares: problems, bodies, ids, preconditions.
 */
#include "api.h"

#include "crm/records/idempotency.h"
#include "crm/insight/analytics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *api_header(const struct req *rq, const char *name)
{
	return rq->header ? rq->header(rq->header_ctx, name) : NULL;
}

void api_set_header(struct resp *rs, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (rs->nheaders == API_MAX_HEADERS)
		return;
	snprintf(rs->headers[rs->nheaders].name, sizeof(rs->headers[0].name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(rs->headers[rs->nheaders].value, sizeof(rs->headers[0].value), fmt, ap);
	va_end(ap);
	rs->nheaders++;
}

void api_json(struct resp *rs, int status, struct jw *w)
{
	rs->status = status;
	rs->content_type = "application/json";
	buf_reset(&rs->body);
	jw_init(w, &rs->body);
}

static void problem(struct resp *rs, int status, const char *slug, const char *title,
		    const char *detail, const struct err *e)
{
	struct jw w;
	int i;

	rs->status = status;
	rs->content_type = "application/problem+json";
	buf_reset(&rs->body);
	rs->body.failed = 0;
	jw_init(&w, &rs->body);
	jw_obj(&w);
	buf_printf(&rs->body, "\"type\":\"https://funnel.dev/problems/%s\"", slug);
	w.first[w.depth] = 0;
	jw_kstr(&w, "title", title);
	jw_kint(&w, "status", status);
	jw_kstr(&w, "detail", detail);
	if (e && e->nfields) {
		jw_key(&w, "errors");
		jw_arr(&w);
		for (i = 0; i < e->nfields; i++) {
			jw_obj(&w);
			jw_kstr(&w, "field", e->fields[i].field);
			jw_kstr(&w, "message", e->fields[i].message);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
}

void api_problem(struct resp *rs, int code, const struct err *e)
{
	char detail[600];
	int i, n;

	if (code == OK)
		code = E_INTERNAL;
	if (e && e->msg[0] && (code != E_INTERNAL || e->code == code))
		n = snprintf(detail, sizeof(detail), "%s", e->msg);
	else
		n = snprintf(detail, sizeof(detail), "%s", err_title(code));
	/* "invalid input" alone says little: name the fields in the detail too */
	if (e && e->nfields && !strcmp(e->msg, "invalid input")) {
		n = snprintf(detail, sizeof(detail), "invalid input:");
		for (i = 0; i < e->nfields && n < (int)sizeof(detail); i++)
			n += snprintf(detail + n, sizeof(detail) - (size_t)n, "%s %s %s",
				      i ? ";" : "", e->fields[i].field, e->fields[i].message);
	}
	(void)n;
	if ((code == E_THROTTLE || code == E_UNAVAILABLE) && e && e->retry_after)
		api_set_header(rs, "Retry-After", "%d", e->retry_after);
	if (code == E_AUTH)
		api_set_header(rs, "WWW-Authenticate", "Bearer realm=\"funnel\"");
	problem(rs, err_http_status(code), err_slug(code), err_title(code), detail, e);
}

void api_problem_status(struct resp *rs, int status, const char *title, const char *detail)
{
	char slug[64];
	size_t i;

	snprintf(slug, sizeof(slug), "%s", title);
	for (i = 0; slug[i]; i++)
		slug[i] = slug[i] == ' ' ? '-' : (char)(slug[i] | 0x20);
	problem(rs, status, slug, title, detail, NULL);
}

json_t *api_body(struct req *rq, struct resp *rs)
{
	const char *ct = api_header(rq, "Content-Type");
	struct err e;
	json_t *j;

	err_clear(&e);
	if (!ct || strncasecmp(ct, "application/json", 16) ||
	    (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		fail(&e, E_UNSUPPORTED, "send the body as application/json");
		api_problem(rs, E_UNSUPPORTED, &e);
		return NULL;
	}
	if (json_parse(rq->body, rq->body_len, &j, &e)) {
		api_problem(rs, e.code, &e);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		fail(&e, E_INVAL, "the body must be a JSON object");
		api_problem(rs, E_INVAL, &e);
		return NULL;
	}
	return j;
}

long long api_id(struct req *rq, struct resp *rs, int i)
{
	const char *s = i < rq->nparams ? rq->params[i] : NULL;
	char *end;
	long long id;
	struct err e;

	if (s && *s >= '1' && *s <= '9' && strlen(s) < 19) {
		id = strtoll(s, &end, 10);
		if (!*end)
			return id;
	}
	err_clear(&e);
	fail(&e, E_NOTFOUND, "no record with id %.40s", s ? s : "");
	api_problem(rs, E_NOTFOUND, &e);
	return -1;
}

long long api_if_match(struct req *rq, struct resp *rs)
{
	const char *h = api_header(rq, "If-Match");
	long long v;
	char *end;
	struct err e;

	if (!h)
		return -1;
	if (!strcmp(h, "*"))
		return -1;
	if (!strncmp(h, "W/", 2))
		h += 2;
	if (h[0] == '"' && h[1] == 'v') {
		v = strtoll(h + 2, &end, 10);
		if (end[0] == '"' && !end[1] && v > 0)
			return v;
	}
	err_clear(&e);
	fail(&e, E_PRECOND, "If-Match does not match the current version");
	api_problem(rs, E_PRECOND, &e);
	return -2;
}

/* The saved answer is the whole response (status, body, Location, ETag);
 * a failed request is rolled back and not saved, so its retry runs again. */
void api_idempotent(struct req *rq, struct resp *rs, api_handler inner)
{
	const char *key = api_header(rq, "Idempotency-Key");
	struct idem_reply rep;
	char fp[65];
	const char *loc = NULL, *et = NULL;
	struct err e;
	int rc, i;

	if (!key) {
		inner(rq, rs);
		return;
	}
	err_clear(&e);
	if (!*key || strlen(key) > 200) {
		err_field(&e, "Idempotency-Key", "must be 1 to 200 characters");
		api_problem(rs, E_INVAL, &e);
		return;
	}
	idem_fingerprint(rq->method_name, rq->path, rq->body ? rq->body : "", rq->body_len, fp);
	rc = store_begin(rq->st, &e);
	if (!rc)
		rc = idem_lookup(rq->st, rq->p->user_id, key, fp, &rep, &e);
	if (rc) {
		store_rollback(rq->st);
		api_problem(rs, rc, &e);
		return;
	}
	if (rep.found) {
		store_rollback(rq->st);
		rs->status = rep.status;
		rs->content_type = "application/json";
		buf_reset(&rs->body);
		buf_puts(&rs->body, rep.body.data);
		if (rep.location[0])
			api_set_header(rs, "Location", "%s", rep.location);
		if (rep.etag[0])
			api_set_header(rs, "ETag", "%s", rep.etag);
		api_set_header(rs, "Idempotent-Replayed", "true");
		buf_release(&rep.body);
		return;
	}
	buf_release(&rep.body);
	inner(rq, rs);
	if (rs->status >= 300) {
		store_rollback(rq->st);
		return;
	}
	for (i = 0; i < rs->nheaders; i++) {
		if (!strcmp(rs->headers[i].name, "Location"))
			loc = rs->headers[i].value;
		if (!strcmp(rs->headers[i].name, "ETag"))
			et = rs->headers[i].value;
	}
	rc = idem_save(rq->st, rq->p->user_id, key, fp, rs->status, loc, et, rs->body.data, &e);
	if (!rc)
		rc = store_commit(rq->st, &e);
	if (rc) {
		store_rollback(rq->st);
		rs->nheaders = 0;
		api_problem(rs, rc, &e);
	}
}

int api_args(struct req *rq, struct resp *rs, unsigned want, struct api_args *a)
{
	/* not memset: the error struct is 8 KiB and err_clear() is all it needs */
	a->id = a->item = 0;
	a->match = -1;
	a->body = NULL;
	err_clear(&a->e);
	if ((want & API_ID) && (a->id = api_id(rq, rs, 0)) < 0)
		return -1;
	if ((want & API_ITEM) && (a->item = api_id(rq, rs, 1)) < 0)
		return -1;
	if ((want & API_MATCH) && (a->match = api_if_match(rq, rs)) == -2)
		return -1;
	if ((want & API_BODY) && !(a->body = api_body(rq, rs)))
		return -1;
	return 0;
}

int api_done(struct resp *rs, struct api_args *a, int rc)
{
	json_decref(a->body);
	a->body = NULL;
	if (rc)
		api_problem(rs, rc, &a->e);
	return rc;
}

int api_index(struct resp *rs, int rc, struct analytics **a, struct jw *w, struct err *e)
{
	if (!rc)
		rc = analytics_ready(2000, a, e);
	if (rc) {
		api_problem(rs, rc, e);
		return rc;
	}
	api_json(rs, 200, w);
	return 0;
}

void api_data(struct resp *rs, struct jw *w)
{
	api_json(rs, 200, w);
	jw_obj(w);
	jw_key(w, "data");
}

int api_data_end(struct resp *rs, struct jw *w, int rc, const struct err *e)
{
	jw_obj_end(w);
	if (rc)
		api_problem(rs, rc, e);
	return rc;
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const struct api_prop p_problem[] = {
	DOC_PROP("type", FT_TEXT, DOC_REQ, 0,
		 "A URI naming the kind of problem: https://funnel.dev/problems/<slug>"),
	DOC_PROP("title", FT_TEXT, DOC_REQ, 0,
		 "Short and stable for each kind (\"Invalid input\")"),
	DOC_PROP("status", FT_INT, DOC_REQ, 0, "The HTTP status"),
	DOC_PROP("detail", FT_TEXT, DOC_REQ, 0, "What happened, for a human"),
	DOC_SUB("errors", "ProblemError[]", 0,
		"Every problem with the input at once, one per field (400 only)"),
};

static const struct api_prop p_problem_error[] = {
	DOC_PROP("field", FT_TEXT, DOC_REQ, 0,
		 "The input (member, query parameter or header) at fault"),
	DOC_PROP("message", FT_TEXT, DOC_REQ, 0, "What is wrong with it"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("ProblemError", 0, "One problem with one input", p_problem_error),
	DOC_SCHEMA("Problem", 0, "An error, as RFC 9457 application/problem+json", p_problem),
};

const struct api_doc api_doc_common = {
	NULL, NULL, NULL, 0, doc_schemas, DOC_N(doc_schemas),
};
