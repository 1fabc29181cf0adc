/*
 * vcard.c — contacts as vCards (crm/integrations/contact_vcard.h):
 *
 *   GET  /api/v1/contacts/{id}/vcard   one contact (also GET /contacts/{id}
 *                                      with Accept: text/vcard)
 *   GET  /api/v1/contacts.vcf          the list with its filters, streamed
 *                                      (export.c; also GET /contacts with
 *                                      Accept: text/vcard)
 *   POST /api/v1/contacts.vcf          import a .vcf file (the body)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "crm/integrations/contact_vcard.h"
#include "crm/records/resources.h"

void api_contact_vcard(struct req *rq, struct resp *rs)
{
	struct record rec;
	struct api_args a;

	if (api_args(rq, rs, API_ID, &a))
		return;
	record_init(&rec, &contact_resource);
	if (api_done(rs, &a, record_get(rq->st, rq->p, &contact_resource, a.id, &rec, &a.e))) {
		record_release(&rec);
		return;
	}
	buf_reset(&rs->body);
	if (contact_vcard(rq->st, rq->p, &rec, NULL, &rs->body, &a.e)) {
		api_problem(rs, a.e.code, &a.e);
	} else {
		rs->status = 200;
		rs->content_type = "text/vcard; charset=utf-8";
		api_set_header(rs, "Content-Disposition", "attachment; filename=\"contact-%lld.vcf\"",
			       rec.id);
		api_set_header(rs, "ETag", "\"v%lld\"", rec.version);
	}
	record_release(&rec);
}

void api_contact_vcard_list(struct req *rq, struct resp *rs)
{
	api_list_export(rq, rs, &contact_resource, 1);
}

struct bad_cards {
	struct jw *w; /* the errors array, or NULL */
	struct err *e; /* or the problem's field list */
};

static void on_bad(void *ctx, long long line, const char *message)
{
	struct bad_cards *b = ctx;
	char field[32];

	if (b->w) {
		jw_obj(b->w);
		jw_kint(b->w, "line", line);
		jw_kstr(b->w, "message", message);
		jw_obj_end(b->w);
	}
	snprintf(field, sizeof(field), "line %lld", line);
	if (b->e->nfields < ERR_MAX_FIELDS)
		err_field(b->e, field, "%s", message);
}

static int flag(const struct req *rq, const char *name, int *out, struct err *e)
{
	int i;

	*out = 0;
	for (i = 0; i < rq->nquery; i++)
		if (!strcmp(rq->query[i].k, name)) {
			if (strcmp(rq->query[i].v, "true") && strcmp(rq->query[i].v, "false"))
				return err_field(e, name, "must be true or false");
			*out = !strcmp(rq->query[i].v, "true");
		}
	return OK;
}

/* The uploaded body (R_STREAM: a temporary file), whole in memory: a .vcf
 * is at most --max-upload. */
static char *read_upload(const struct req *rq, size_t *n)
{
	int fd = rq->upload_path ? open(rq->upload_path, O_RDONLY) : -1;
	char *data;
	ssize_t got;
	size_t at = 0, size = (size_t)(rq->upload_size > 0 ? rq->upload_size : 0);

	if (fd < 0)
		return NULL;
	data = malloc(size + 1);
	while (data && at < size && (got = read(fd, data + at, size - at)) > 0)
		at += (size_t)got;
	close(fd);
	if (data)
		data[at] = '\0';
	*n = at;
	return data;
}

void api_contact_vcard_import(struct req *rq, struct resp *rs)
{
	struct vcard_import_opts o;
	struct vcard_import_result res;
	struct bad_cards bc;
	struct err e, bad;
	struct buf errors = BUF_INIT;
	struct jw ew, w;
	const char *ct = api_header(rq, "Content-Type"), *v;
	char *data = NULL, *end;
	size_t n = 0;
	int rc, i;

	err_clear(&e);
	err_clear(&bad);
	memset(&o, 0, sizeof(o));
	if (!ct || (strncasecmp(ct, "text/vcard", 10) && strncasecmp(ct, "text/x-vcard", 12) &&
		    strncasecmp(ct, "text/directory", 14))) {
		api_problem_status(rs, 415, "Unsupported media type",
				   "send the .vcf file as the body, Content-Type: text/vcard");
		return;
	}
	for (i = 0; i < rq->nquery; i++) {
		if (strcmp(rq->query[i].k, "account_id"))
			continue;
		v = rq->query[i].v;
		o.account_id = strtoll(v, &end, 10);
		if (!*v || *end || o.account_id < 1)
			err_field(&e, "account_id", "must be an account's id");
	}
	flag(rq, "partial", &o.partial, &e);
	flag(rq, "dry_run", &o.dry_run, &e);
	if (e.nfields) {
		api_problem(rs, E_INVAL, &e);
		return;
	}
	data = read_upload(rq, &n);
	if (!data) {
		api_problem(rs, fail(&e, E_INTERNAL, "cannot read the upload"), &e);
		return;
	}
	jw_init(&ew, &errors);
	jw_arr(&ew);
	bc.w = &ew;
	bc.e = &bad;
	o.bad = on_bad;
	o.ctx = &bc;
	rc = contacts_vcard_import(rq->st, rq->p, data, n, &o, &res, &e);
	free(data);
	jw_arr_end(&ew);
	if (rc == E_INVAL && res.rejected && !e.nfields) {
		/* nothing written: every bad card is a problem of its line */
		snprintf(bad.msg, sizeof(bad.msg), "%s", e.msg);
		bad.code = E_INVAL;
		api_problem(rs, E_INVAL, &bad);
	} else if (rc) {
		api_problem(rs, rc, &e);
	} else {
		api_json(rs, 200, &w);
		jw_obj(&w);
		jw_kint(&w, "cards", res.cards);
		jw_kint(&w, "created", res.created);
		jw_kint(&w, "updated", res.updated);
		jw_kint(&w, "rejected", res.rejected);
		jw_kint(&w, "accounts_created", res.accounts_created);
		jw_kbool(&w, "dry_run", o.dry_run);
		jw_key(&w, "errors");
		jw_raw(&w, errors.data);
		jw_obj_end(&w);
	}
	buf_release(&errors);
}

/* --- the OpenAPI description of these routes */

static const struct api_prop p_bad_card[] = {
	DOC_PROP("line", FT_INT, DOC_REQ, 0, "The line of the file the problem is on"),
	DOC_PROP("message", FT_TEXT, DOC_REQ, 0, "What is wrong, starting \"line N: \""),
};
static const struct api_prop p_import[] = {
	DOC_PROP("cards", FT_INT, DOC_REQ, 0, "Cards in the file"),
	DOC_PROP("created", FT_INT, DOC_REQ, 0, "Contacts made"),
	DOC_PROP("updated", FT_INT, DOC_REQ, 0,
		 "Contacts updated: their e-mail was a contact's the caller sees"),
	DOC_PROP("rejected", FT_INT, DOC_REQ, 0, "Cards not imported (with partial=true)"),
	DOC_PROP("accounts_created", FT_INT, DOC_REQ, 0,
		 "Accounts made for an ORG no account the caller sees is named"),
	{{"dry_run", FT_BOOL, DOC_REQ, 0, 0, NULL, NULL, "Nothing was written"}, NULL},
	DOC_SUB("errors", "BadCard[]", DOC_REQ, "The cards not imported, in file order"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("BadCard", 0, "A card that could not be imported", p_bad_card),
	DOC_SCHEMA("VcardImport", 0, "What a vCard import did", p_import),
};

static const struct api_op doc_ops[] = {
	{api_contact_vcard, "get_contact_vcard", "contacts", "A contact as a vCard",
	 "text/vcard, vCard 4.0 (RFC 6350): UID, FN, N, ORG (the account), EMAIL, TEL, TITLE, "
	 "REV.  GET /api/v1/contacts/{id} with Accept: text/vcard answers the same.",
	 NULL, 200, NULL, "ETag", NULL},
	{api_contact_vcard_list, "export_contacts_vcard", "contacts", "Contacts as vCards",
	 "Every contact of the list with the filters and sort of GET /api/v1/contacts (no "
	 "pages: limit and cursor are refused), as one text/vcard file of vCard 4.0 cards, "
	 "streamed.  GET /api/v1/contacts with Accept: text/vcard answers the same.",
	 NULL, 200, NULL, NULL, "400"},
	{api_contact_vcard_import, "import_contacts_vcard", "contacts", "Import a .vcf file",
	 "The body is the file (Content-Type: text/vcard), vCard 4.0, 3.0 or 2.1 (Apple "
	 "Contacts, Google Contacts, phones).  A card whose e-mail is a contact the caller sees "
	 "updates it; ORG names the account (one the caller sees by that name, else a new one); "
	 "cards without ORG go to the account of ?account_id=.  All or nothing: a bad card "
	 "answers 400 with one problem per bad card, its field \"line N\", and nothing is "
	 "written, unless ?partial=true keeps the good ones (the bad are listed in errors). "
	 "?dry_run=true checks and counts without writing.",
	 NULL, 200, "VcardImport", NULL, "413"},
};

const struct api_doc api_doc_vcard = {
	NULL, NULL, doc_ops, DOC_N(doc_ops), doc_schemas, DOC_N(doc_schemas),
};
