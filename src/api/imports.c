/*
 * imports.c — the record of every import (crm/imports/journal.h):
 *
 *   GET  /api/v1/imports?limit=&before=   newest first
 *   GET  /api/v1/imports/{id}             one, with its rejected lines
 *   POST /api/v1/imports/{id}/undo        take it back → 200, or 409 naming
 *                                         the records whose later changes
 *                                         undo would lose
 *
 * Admins see every import; everyone else their own (404 for the others').
 */
#include <stdlib.h>
#include <string.h>

#include "core/datein.h"
#include "core/recode.h"
#include "crm/imports/job.h"
#include "crm/imports/journal.h"
#include "crm/imports/preset.h"
#include "api.h"

static const char *const importable[] = {"accounts", "contacts", "leads", "opportunities",
					 "activities", NULL};

static int one_of(const char *v, const char *const *set)
{
	int i;

	for (i = 0; set[i]; i++)
		if (!strcmp(v, set[i]))
			return 1;
	return 0;
}

void api_import_upload(struct req *rq, struct resp *rs)
{
	static const char *const delimiters[] = {",", ";", "|", "tab", NULL};
	static const char *const bools[] = {"true", "false", NULL};
	struct import_job job;
	struct err e;
	struct buf b = BUF_INIT;
	struct jw w;
	long long id;
	int i, rc;

	err_clear(&e);
	memset(&job, 0, sizeof(job));
	job.file_name = "upload.csv";
	for (i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].k, *v = rq->query[i].v;

		if (!strcmp(k, "resource")) {
			job.resource = v;
			if (!one_of(v, importable))
				err_field(&e, k, "must be one of accounts, contacts, leads, "
						 "opportunities, activities");
		} else if (!strcmp(k, "file_name")) {
			job.file_name = v;
			if (!*v || strlen(v) > 255 || strchr(v, '/'))
				err_field(&e, k, "must be a file name of 1 to 255 characters");
		} else if (!strcmp(k, "preset")) {
			job.preset = v;
			if (!preset_source_known(v))
				err_field(&e, k, "must be salesforce or hubspot");
		} else if (!strcmp(k, "encoding")) {
			job.encoding = recode_name(v);
			if (!job.encoding)
				err_field(&e, k, "must be utf-8, windows-1252 or latin-1");
		} else if (!strcmp(k, "delimiter")) {
			job.delimiter = v;
			if (!one_of(v, delimiters))
				err_field(&e, k, "must be one of , ; | tab");
		} else if (!strcmp(k, "date_format")) {
			job.date_format = v;
			if (datein_order_parse(v) < 0)
				err_field(&e, k, "must be dmy or mdy");
		} else if (!strcmp(k, "map")) {
			job.map = v;
			if (!*v || strlen(v) > 4000 || !strchr(v, '='))
				err_field(&e, k, "must be COLUMN=FIELD pairs, separated by commas "
						 "(FIELD - skips the column)");
		} else if (!strcmp(k, "partial")) {
			job.partial = !strcmp(v, "true");
			if (!one_of(v, bools))
				err_field(&e, k, "must be true or false");
		} else {
			err_field(&e, k, "is not a parameter of an upload (resource, file_name, "
					 "preset, encoding, delimiter, date_format, map, partial)");
		}
	}
	if (!job.resource)
		err_field(&e, "resource", "is required");
	else if (job.preset && !e.nfields && !preset_find(job.preset, job.resource))
		err_field(&e, "preset", "%s has no preset for %s", job.preset, job.resource);
	if (e.nfields) {
		api_problem(rs, E_INVAL, &e);
		return;
	}
	if (!rq->upload_path || !rq->files_dir) {
		api_problem(rs, fail(&e, E_INTERNAL, "the upload did not reach the disk"), &e);
		return;
	}
	rc = import_job_start(rq->st, rq->p, rq->files_dir, &job, rq->upload_path, &id, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	jw_init(&w, &b);
	rc = journal_get(rq->st, rq->p, id, 0, 0, &w, &e);
	if (rc) {
		buf_release(&b);
		api_problem(rs, rc, &e);
		return;
	}
	api_json(rs, 202, &w);
	jw_raw(&w, b.data);
	buf_release(&b);
	api_set_header(rs, "Location", "/api/v1/imports/%lld", id);
}

void api_import_list(struct req *rq, struct resp *rs)
{
	long long limit = 50, before = 0, *dst;
	struct err e;
	struct jw w;
	char *end;
	int i, rc;

	err_clear(&e);
	for (i = 0; i < rq->nquery; i++) {
		const char *k = rq->query[i].k, *v = rq->query[i].v;

		if (!strcmp(k, "limit") || !strcmp(k, "before")) {
			dst = k[0] == 'l' ? &limit : &before;
			*dst = strtoll(v, &end, 10);
			if (!*v || *end || *dst < 1 || (dst == &limit && *dst > 200))
				err_field(&e, k, "must be an integer from 1 to %s",
					  dst == &limit ? "200" : "2^63");
		} else {
			err_field(&e, k, "is not a parameter of this list (limit, before)");
		}
	}
	if (e.nfields) {
		api_problem(rs, E_INVAL, &e);
		return;
	}
	journal_reap(rq->st, NULL); /* jobs whose process died: failed */
	api_data(rs, &w);
	rc = journal_list(rq->st, rq->p, (int)limit, before, &w, &e);
	api_data_end(rs, &w, rc, &e);
}

void api_import_get(struct req *rq, struct resp *rs)
{
	struct api_args a;
	struct buf b = BUF_INIT;
	struct jw w;
	long long done = 0, total = 0;
	int rc;

	if (api_args(rq, rs, API_ID, &a))
		return;
	journal_reap(rq->st, NULL);
	if (rq->files_dir)
		import_job_progress(rq->files_dir, a.id, &done, &total);
	jw_init(&w, &b);
	rc = journal_get(rq->st, rq->p, a.id, done, total, &w, &a.e);
	if (!api_done(rs, &a, rc)) {
		api_json(rs, 200, &w);
		jw_raw(&w, b.data);
	}
	buf_release(&b);
}

void api_import_undo(struct req *rq, struct resp *rs)
{
	struct api_args a;
	long long deleted, restored;
	struct jw w;

	if (api_args(rq, rs, API_ID, &a))
		return;
	if (api_done(rs, &a, journal_undo(rq->st, rq->p, a.id, &deleted, &restored, &a.e)))
		return;
	api_json(rs, 200, &w);
	jw_obj(&w);
	jw_kint(&w, "id", a.id);
	jw_kstr(&w, "status", "undone");
	jw_kint(&w, "deleted", deleted);
	jw_kint(&w, "restored", restored);
	jw_obj_end(&w);
}

/* --- the OpenAPI description ---------------------------------------------- */

static const char *const statuses[] = {"running", "done", "refused", "failed", "undone", NULL};
static const char *const vias[] = {"cli", "api", NULL};

static const struct api_prop p_counts[] = {
	DOC_PROP("created", FT_INT, DOC_REQ, 0, "Records it made"),
	DOC_PROP("updated", FT_INT, DOC_REQ, 0, "Records it changed (a re-import by source id)"),
	DOC_PROP("rejected", FT_INT, DOC_REQ, 0, "Rows refused"),
};

#define IMPORT_PROPS                                                                        \
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The import"),                                      \
	DOC_PROP("user_id", FT_INT, DOC_REQ | DOC_NULL, 0, "Who ran it (null: the system, "   \
		 "funnel import without --as)"),                                              \
	DOC_PROP("user_email", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Their e-mail"),               \
	DOC_CHOICE("via", DOC_REQ, vias, "The command line or the API"),                     \
	DOC_PROP("file_name", FT_TEXT, DOC_REQ, 0, "The file it read"),                        \
	DOC_PROP("resource", FT_TEXT, DOC_REQ, 0, "What it made: accounts, contacts ..."),     \
	DOC_PROP("preset", FT_TEXT, DOC_REQ | DOC_NULL, 0, "salesforce, hubspot, or null"),    \
	DOC_CHOICE("status", DOC_REQ, statuses, "running (an upload's job), done (written), " \
		   "refused (rows rejected, nothing written), failed (stopped: its one error " \
		   "says why), undone"),                                                      \
	DOC_SUB("counts", "ImportCounts", DOC_REQ, "created, updated, rejected"),             \
	DOC_PROP("created_at", FT_TIME, DOC_REQ, 0, "When it ran"),                            \
	DOC_PROP("undone_at", FT_TIME, DOC_REQ | DOC_NULL, 0, "When it was undone"),           \
	DOC_PROP("undone_by", FT_INT, DOC_REQ | DOC_NULL, 0, "Who undid it")

static const struct api_prop p_import[] = {IMPORT_PROPS};
static const struct api_prop p_progress[] = {
	DOC_PROP("done", FT_INT, DOC_REQ, 0, "Bytes of the file read"),
	DOC_PROP("total", FT_INT, DOC_REQ, 0, "Bytes of the file"),
};
static const struct api_prop p_import_full[] = {
	IMPORT_PROPS,
	DOC_SUB("progress", "ImportProgress", DOC_REQ | DOC_NULL, "While an upload runs: how "
		"far it has read (null otherwise)"),
	DOC_SUB("errors", "ImportError[]", DOC_REQ, "Each rejected row, in line order (the "
		"first 10,000)"),
};
static const struct api_prop p_error[] = {
	DOC_PROP("line", FT_INT, DOC_REQ | DOC_NULL, 0, "Its line in the file (the header is "
		 "line 1); null for a history import's deal"),
	DOC_PROP("reason", FT_TEXT, DOC_REQ, 0, "field: problem; field: problem"),
};
static const struct api_prop p_list[] = {
	DOC_SUB("data", "Import[]", DOC_REQ, "Newest first"),
};
static const struct api_prop p_undone[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The import"),
	DOC_PROP("status", FT_TEXT, DOC_REQ, 0, "undone"),
	DOC_PROP("deleted", FT_INT, DOC_REQ, 0, "Records it had made, now deleted"),
	DOC_PROP("restored", FT_INT, DOC_REQ, 0, "Records it had changed, now as before"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("ImportCounts", 0, "What an import did", p_counts),
	DOC_SCHEMA("ImportProgress", 0, "How far a running import has read", p_progress),
	DOC_SCHEMA("Import", 0, "An import: who, when, which file, what it did", p_import),
	DOC_SCHEMA("ImportDetail", 0, "An import with its rejected rows", p_import_full),
	DOC_SCHEMA("ImportError", 0, "A rejected row", p_error),
	DOC_SCHEMA("ImportList", 0, "Imports", p_list),
	DOC_SCHEMA("ImportUndone", 0, "An import taken back", p_undone),
};

static const struct api_op doc_ops[] = {
	{api_import_upload, "upload_import", "imports", "Import a CSV file",
	 "The body is the file (any Content-Type; at most the server's upload limit).  The query "
	 "says how to read it: resource= (required) accounts, contacts, leads, opportunities or "
	 "activities; file_name= the name it is recorded under (upload.csv); preset= salesforce "
	 "or hubspot; encoding= utf-8, windows-1252 or latin-1; delimiter= , ; | or tab (default: "
	 "the header's); date_format= dmy or mdy; map= Column=field,Other=- as funnel import "
	 "--map takes it; partial=true to keep the good rows.  Answers "
	 "202 at once with the import, status running: it runs on the server as a job of its "
	 "own, as the caller (what they may see and assign), exactly as funnel import does, and "
	 "survives the client going away.  Poll GET /api/v1/imports/{id} for its progress and "
	 "its outcome (done, refused with each rejected row, or failed with why).",
	 NULL, 202, "ImportDetail", "Location", "400"},
	{api_import_list, "list_imports", "imports", "List imports",
	 "Every import the caller ran (admins: every import, the command line's too), newest "
	 "first.  ?limit= 1..200 (50); ?before= an id, for the next page.",
	 NULL, 200, "ImportList", NULL, "400"},
	{api_import_get, "get_import", "imports", "Read an import",
	 "With every rejected row's line and reason.", NULL, 200, "ImportDetail", NULL, NULL},
	{api_import_undo, "undo_import", "imports", "Undo an import",
	 "Deletes exactly the records it created and writes back the values it changed, in one "
	 "transaction, audited as the caller's deletes and updates.  409 when that would lose a "
	 "later change — a record changed since, activities or attachments added to one, other "
	 "records referring to one — with each such record named in errors[] (\"account 12\"); "
	 "409 too when it is undone already, was refused, or replaced histories.",
	 NULL, 200, "ImportUndone", NULL, "409"},
};

const struct api_doc api_doc_imports = {
	"imports", "Every import is a record: who, when, what it did, its rejected rows; undo",
	doc_ops, DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
