/*
 * export.c — whole lists as files, streamed:
 *
 *   GET /api/v1/<records>.csv      any record list, its filters and sort, as CSV
 *   GET /api/v1/<records>          the same with Accept: text/csv (records.c)
 *   GET /api/v1/contacts.vcf       contacts as vCards (vcard.c), the same way
 *
 * Nothing is built whole: the answer is a stream (api.h, resp.stream) that
 * reads the list EXPORT_PAGE records at a time with the list's own keyset
 * cursor (record_list, list_query_next_page) and hands each page to the
 * adapter as the client takes it, so memory stays one page whatever the
 * list's length.  Each page is its own read, as a client paging through
 * the list would see it; visibility is the list's (record_list), for the
 * principal that asked (a copy outlives the request).  The filters are
 * checked before the first byte: a bad one is 400 naming it, and `limit`
 * and `cursor` are refused (an export has no pages).
 *
 * The rows are record_csv_row()'s, the writer of `funnel export`.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/log.h"
#include "crm/integrations/contact_vcard.h"
#include "crm/records/resources.h"

#define EXPORT_PAGE 1000

enum export_format { EXPORT_CSV, EXPORT_VCARD };

struct export {
	const struct resource *res;
	enum export_format format;
	struct principal p;
	struct list_query q;
	struct buf scratch;
	struct vcard_writer vw;
	struct store *st; /* this page's connection */
	struct buf *out;  /* the part being written */
	int started;
	int rc;
	struct err e;
};

static void export_free(void *ctx)
{
	struct export *x = ctx;

	list_query_release(&x->q);
	principal_release(&x->p);
	buf_release(&x->scratch);
	free(x);
}

static int each(const struct record *rec, void *ctx)
{
	struct export *x = ctx;

	if (x->format == EXPORT_CSV) {
		record_csv_row(rec, x->out, &x->scratch);
		return 0;
	}
	x->rc = contact_vcard(x->st, &x->p, rec, &x->vw, x->out, &x->e);
	return x->rc;
}

/* The stream (api.h): the header row first, then a page per call. */
static int next_part(void *ctx, struct store *st, struct buf *out)
{
	struct export *x = ctx;
	char *next = NULL;
	int rc;

	if (!x->started && x->format == EXPORT_CSV) {
		x->started = 1;
		record_csv_header(x->res, out);
		return 0;
	}
	x->started = 1;
	x->st = st;
	x->out = out;
	x->q.limit = EXPORT_PAGE;
	err_clear(&x->e);
	rc = record_list(st, &x->p, x->res, &x->q, each, x, &next, NULL, &x->e);
	if (!rc)
		rc = x->rc;
	if (!rc && next)
		rc = list_query_next_page(&x->q, next);
	free(next);
	if (rc) {
		log_error("export of %s stopped: %s", x->res->name, x->e.msg);
		return rc == 1 ? E_INTERNAL : rc;
	}
	return next ? 0 : 1;
}

void api_list_export(struct req *rq, struct resp *rs, const struct resource *r, int vcard)
{
	struct export *x;
	struct err e;
	int i, rc;

	err_clear(&e);
	for (i = 0; i < rq->nquery; i++)
		if (!strcmp(rq->query[i].k, "limit") || !strcmp(rq->query[i].k, "cursor") ||
		    !strcmp(rq->query[i].k, "total"))
			err_field(&e, rq->query[i].k, "an export has no pages: it holds every record");
	if (e.nfields) {
		api_problem(rs, E_INVAL, &e);
		return;
	}
	x = calloc(1, sizeof(*x));
	if (!x || principal_copy(&x->p, rq->p)) {
		free(x);
		api_problem(rs, fail(&e, E_INTERNAL, "out of memory"), &e);
		return;
	}
	x->res = r;
	x->format = vcard ? EXPORT_VCARD : EXPORT_CSV;
	buf_init(&x->scratch, 0);
	rc = list_query_parse(r, rq->query, rq->nquery, &x->q, &e);
	if (rc) {
		principal_release(&x->p);
		buf_release(&x->scratch);
		free(x);
		api_problem(rs, rc, &e);
		return;
	}
	rs->status = 200;
	buf_reset(&rs->body);
	rs->content_type = vcard ? "text/vcard; charset=utf-8" : "text/csv; charset=utf-8";
	api_set_header(rs, "Content-Disposition", "attachment; filename=\"%s.%s\"",
		       r->name, vcard ? "vcf" : "csv");
	rs->stream = next_part;
	rs->stream_ctx = x;
	rs->stream_free = export_free;
}

void api_record_export(struct req *rq, struct resp *rs)
{
	api_list_export(rq, rs, rq->route_arg, 0);
}

/* Does the request's Accept ask for `type` before JSON?  (A plain check:
 * the first of the two named, q-values aside.) */
int api_accepts(const struct req *rq, const char *type)
{
	const char *a = api_header(rq, "Accept"), *t, *j;

	if (!a)
		return 0;
	t = strstr(a, type);
	j = strstr(a, "application/json");
	return t && (!j || t < j);
}
