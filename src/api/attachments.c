/*
 * attachments.c — files on records (src/crm/attachment.h):
 *
 *   POST   /api/v1/attachments?related_type=&related_id=&filename=&kind=
 *          the raw file as the body, with its Content-Type; streamed to disk
 *          by the adapter (R_STREAM) → 201 with the attachment
 *   GET    /api/v1/attachments?related_type=&related_id=   a record's files
 *   GET    /api/v1/attachments/{id}                        metadata
 *   GET    /api/v1/attachments/{id}/content                the bytes
 *   DELETE /api/v1/attachments/{id}
 */
#include <stdio.h>
#include <string.h>

#include "crm/records/attachment.h"
#include "crm/records/resources.h"
#include "api.h"

static const char *query(const struct req *rq, const char *k)
{
	int i;

	for (i = 0; i < rq->nquery; i++)
		if (!strcmp(rq->query[i].k, k))
			return rq->query[i].v;
	return NULL;
}

static void answer(struct resp *rs, int status, const struct attachment *a)
{
	struct jw w;

	api_json(rs, status, &w);
	attachment_json(a, &w);
}

void api_attachment_upload(struct req *rq, struct resp *rs)
{
	struct attachment_new n;
	struct attachment a;
	struct err e;
	int rc;

	err_clear(&e);
	if (!rq->upload_path) {
		fail(&e, E_INTERNAL, "the upload did not reach the disk");
		api_problem(rs, E_INTERNAL, &e);
		return;
	}
	memset(&n, 0, sizeof(n));
	n.path = rq->upload_path;
	n.size = rq->upload_size;
	n.sha256 = rq->upload_sha256;
	n.content_type = api_header(rq, "Content-Type");
	n.filename = query(rq, "filename");
	n.kind = query(rq, "kind");
	n.related_type = query(rq, "related_type");
	n.related_id = query(rq, "related_id");
	rc = attachment_create(rq->st, rq->p, rq->files_dir, &n, &a, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	answer(rs, 201, &a);
	api_set_header(rs, "Location", "/api/v1/attachments/%lld", a.id);
}

void api_attachment_list(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	api_data(rs, &w);
	rc = attachment_list(rq->st, rq->p, query(rq, "related_type"), query(rq, "related_id"),
			     &w, &e);
	api_data_end(rs, &w, rc, &e);
}

void api_attachment_get(struct req *rq, struct resp *rs)
{
	struct attachment at;
	struct api_args a;

	if (api_args(rq, rs, API_ID, &a))
		return;
	if (!api_done(rs, &a, attachment_get(rq->st, rq->p, a.id, &at, &a.e)))
		answer(rs, 200, &at);
}

/* Content-Disposition for a stored (already sanitised) name: an ASCII
 * fallback in quotes, and the exact name per RFC 6266/8187 when it needs
 * more than ASCII and fits. */
static void disposition(struct resp *rs, const char *name)
{
	char plain[ATTACHMENT_NAME_MAX + 1], ext[400];
	size_t i, o = 0, x = 0;
	int exact = 1;

	for (i = 0; name[i] && o < ATTACHMENT_NAME_MAX; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x80 && c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
			plain[o++] = (char)c;
		} else {
			exact = 0;
			if ((c & 0xc0) != 0x80)
				plain[o++] = '_';
		}
	}
	plain[o] = '\0';
	for (i = 0; !exact && name[i] && x + 4 < sizeof(ext); i++) {
		unsigned char c = (unsigned char)name[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("!#$&+-.^_`|~", c))
			ext[x++] = (char)c;
		else
			x += (size_t)snprintf(ext + x, sizeof(ext) - x, "%%%02X", c);
	}
	ext[x] = '\0';
	if (exact || name[i])
		api_set_header(rs, "Content-Disposition", "attachment; filename=\"%s\"", plain);
	else
		api_set_header(rs, "Content-Disposition",
			       "attachment; filename=\"%s\"; filename*=UTF-8''%s", plain, ext);
}

void api_send_attachment(struct resp *rs, const struct attachment *a, int fd)
{
	rs->status = 200;
	/* the table's own string: it outlives this call, as the adapter needs */
	rs->content_type = attachment_type_allowed(a->content_type);
	if (!rs->content_type)
		rs->content_type = "application/octet-stream";
	rs->has_file = 1;
	rs->file_fd = fd;
	rs->file_size = a->size;
	buf_reset(&rs->body);
	disposition(rs, a->filename);
	/* Whatever the bytes are (a text/plain file full of HTML, a PDF with
	 * script), opened directly they run in no origin: a sandbox without
	 * allow-scripts or allow-same-origin, nothing loaded, never framed.
	 * Content-Disposition: attachment and nosniff (server.c) do the rest;
	 * an <img> shows an image whatever its disposition. */
	api_set_header(rs, "Content-Security-Policy",
		       "sandbox; default-src 'none'; frame-ancestors 'none'");
	api_set_header(rs, "ETag", "\"%s\"", a->sha256);
}

void api_attachment_content(struct req *rq, struct resp *rs)
{
	struct attachment a;
	struct err e;
	long long id = api_id(rq, rs, 0);
	int rc, fd;

	if (id < 0)
		return;
	err_clear(&e);
	rc = attachment_open(rq->st, rq->p, rq->files_dir, id, &a, &fd, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_send_attachment(rs, &a, fd);
}

void api_attachment_delete(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID, &a) ||
	    api_done(rs, &a, attachment_delete(rq->st, rq->p, rq->files_dir, a.id, &a.e)))
		return;
	rs->status = 204;
	buf_reset(&rs->body);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const struct api_prop p_attachment_list[] = {
	DOC_SUB("data", "Attachment[]", DOC_REQ, "The attachments of the record"),
};

static const struct api_prop p_attachment[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The attachment"),
	DOC_PROP("filename", FT_TEXT, DOC_REQ, 200, "File name as uploaded (no path)"),
	DOC_PROP("content_type", FT_TEXT, DOC_REQ, 0, "Media type, checked against the content"),
	DOC_PROP("size", FT_INT, DOC_REQ, 0, "Bytes"),
	DOC_PROP("sha256", FT_TEXT, DOC_REQ, 0, "Hex SHA-256 of the content (it is stored by it)"),
	DOC_PROP("kind", FT_TEXT, DOC_REQ | DOC_NULL, 0,
		 "What it is for the sales process: proposal, contract, welcome_letter, recording "
		 "…"),
	{{"related_type", FT_ENUM, DOC_REQ, 0, 0, activity_related, NULL,
	  "Kind of record it is on"},
	 NULL},
	DOC_PROP("related_id", FT_REF, DOC_REQ, 0, "The record it is on"),
	DOC_PROP("owner_id", FT_REF, DOC_REQ, 0, "Owner (the record's owner)"),
	DOC_PROP("created_by", FT_REF, DOC_REQ | DOC_NULL, 0, "Who uploaded or generated it"),
	DOC_PROP("created_at", FT_TIME, DOC_REQ, 0, "When"),
	DOC_PROP("url", FT_TEXT, DOC_REQ, 0, "Where to download the content"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("Attachment", 0, "A file on a record", p_attachment),
	DOC_SCHEMA("AttachmentList", 0, "Files on a record", p_attachment_list),
};

static const struct api_op doc_ops[] = {
	{api_attachment_upload, "upload_attachment", "attachments", "Upload a file to a record",
	 "The body is the file itself (any of the allowed media types, as Content-Type), not "
	 "JSON; query parameters related_type, related_id, filename and kind (optional) say "
	 "where it goes.  Streamed to disk while hashed; stored once per content (SHA-256).  413 "
	 "over --max-upload; 415 for a type not allowed; 400 when the content is not what the "
	 "type says.",
	 NULL, 201, "Attachment", "Location", "413"},
	{api_attachment_list, "list_attachments", "attachments", "Files on a record",
	 "Query parameters related_type and related_id.", NULL, 200, "AttachmentList", NULL, NULL},
	{api_attachment_get, "get_attachment", "attachments", "A file's description", NULL, NULL,
	 200, "Attachment", NULL, NULL},
	{api_attachment_content, "download_attachment", "attachments", "A file's content",
	 "The bytes as uploaded, with their Content-Type and Content-Disposition: attachment.",
	 NULL, 200, NULL, NULL, NULL},
	{api_attachment_delete, "delete_attachment", "attachments", "Remove a file from a record",
	 "The stored content goes when no attachment uses it any more.", NULL, 204, NULL, NULL,
	 NULL},
};

const struct api_doc api_doc_attachments = {
	"attachments", "Files on records: uploaded, kept once per content, downloaded",
	doc_ops,       DOC_N(doc_ops),
	doc_schemas,   DOC_N(doc_schemas),
};
