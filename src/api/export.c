/*
 * export.c — whole lists as files, streamed:
 *
 *   GET /api/v1/<records>.csv      any record list, its filters and sort, as CSV
 *   GET /api/v1/<records>          the same with Accept: text/csv (records.c)
 *   GET /api/v1/contacts.vcf       contacts as vCards (vcard.c), the same way
 *
 * Nothing is built whole: the answer is a stream (api.h, resp.stream) that
 * pulls the list's rows from one statement (record_iter, the list's own
 * query with its visibility) on a connection of the export's own, and hands
 * them to the adapter EXPORT_PAGE at a time as the client takes them, so
 * memory stays one page whatever the list's length.  The statement holds
 * one read transaction: the file is one consistent snapshot of the list,
 * for the principal that asked (a copy outlives the request).  The filters are
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
	struct store *own; /* the export's own connection (opened on the first part) */
	struct record_iter it;
	struct buf scratch;
	struct vcard_writer vw;
	int started;
	struct err e;
};

static void export_free(void *ctx)
{
	struct export *x = ctx;

	record_iter_close(&x->it);
	store_close(x->own);
	list_query_release(&x->q);
	principal_release(&x->p);
	buf_release(&x->scratch);
	free(x);
}

/* The stream (api.h): the header row first, then up to EXPORT_PAGE rows a
 * call.  One statement reads the whole list, on a connection of the
 * export's own: the request thread's connection serves other requests
 * between two parts, so it cannot hold a statement open. */
static int next_part(void *ctx, struct store *st, struct buf *out)
{
	struct export *x = ctx;
	struct record rec;
	int rc = OK, n;

	if (!x->started) {
		x->started = 1;
		rc = store_open(store_path(st), 0, &x->own, &x->e);
		if (!rc)
			rc = record_iter_open(x->own, &x->p, x->res, &x->q, &x->it, &x->e);
		if (rc)
			goto fail;
		if (x->format == EXPORT_CSV)
			record_csv_header(x->res, out);
	}
	for (n = 0; n < EXPORT_PAGE; n++) {
		int got = record_iter_next(&x->it, &rec, &x->e);

		if (got < 0) {
			rc = -got;
			goto fail;
		}
		if (!got)
			return 1;
		if (x->format == EXPORT_CSV)
			record_csv_row(&rec, out, &x->scratch);
		else
			rc = contact_vcard(x->own, &x->p, &rec, &x->vw, out, &x->e);
		record_release(&rec);
		if (rc)
			goto fail;
	}
	return 0;
fail:
	log_error("export of %s stopped: %s", x->res->name, x->e.msg);
	return rc == 1 ? E_INTERNAL : rc;
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
	x->q.limit = 0;
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
