/*
 * openapi.c — GET /api/v1/openapi.json: the OpenAPI 3.1 description of the
 * API, generated from the declarations the server itself runs on, so that it
 * cannot drift from what the server does:
 *
 *   - every route of the routing table (routes.c) is an operation, and no
 *     other path is described;
 *   - a route served by the record handlers (records.c) takes its schemas and
 *     list parameters from its struct resource: each field's type, bounds,
 *     flags and doc (record.h);
 *   - every other route is described by the file of src/api that serves it,
 *     beside its handlers (struct api_doc, api.h): its words, the schemas of
 *     its body and answer, its statuses, its tag; docs[] below lists those
 *     files.  A route whose handler is described nowhere is still listed,
 *     marked "x-funnel-undocumented" (the API tests fail on it);
 *   - what is the same for every route (errors, headers, paging parameters,
 *     security) is here, once.
 *
 * The document only depends on those constant tables, so it is built once,
 * under pthread_once, and every request copies it.  It lives in src/http
 * rather than src/api because only here can it see the routing table
 * (http depends on api, not the reverse); its declaration stays in api.h with
 * the other handlers, where routes.c looks for it.
 *
 * How fields map to JSON Schema (field_schema()): text → string with
 * maxLength; email → string/email; int → integer with its bounds; ref →
 * integer ≥ 1; enum → enum; date → string/date; time → string/date-time;
 * money → a number in answers, a number or a decimal string in requests;
 * currency → ^[A-Z]{3}$; bool → boolean; percent → integer 0..100.  A field
 * that is neither required nor not-null may be null.  FF_READONLY is
 * readOnly, FF_VIRTUAL writeOnly, FF_HIDDEN left out, FF_REQUIRED listed in
 * `required` of the <Type>Create schema.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "crm/records/resources.h"
#include "crm/records/user.h"
#include "routes.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

/* How a field schema is used: in an answer, in a request body, or as the
 * value of a query parameter (never null there). */
enum use { AS_ANSWER, AS_REQUEST, AS_QUERY };

/* --- small writers ------------------------------------------------------ */

static void kraw(struct jw *w, const char *k, const char *json)
{
	jw_key(w, k);
	jw_raw(w, json);
}

/* {"$ref": "#/components/<section>/<name>"} */
static void ref_to(struct jw *w, const char *section, const char *name)
{
	char s[160];

	snprintf(s, sizeof(s), "#/components/%s/%s", section, name);
	jw_obj(w);
	jw_kstr(w, "$ref", s);
	jw_obj_end(w);
}

static void schema_ref(struct jw *w, const char *name)
{
	ref_to(w, "schemas", name);
}

/* "type": "t" or ["t", "null"] */
static void type_key(struct jw *w, const char *t, int nullable)
{
	jw_key(w, "type");
	if (!nullable) {
		jw_str(w, t);
		return;
	}
	jw_arr(w);
	jw_str(w, t);
	jw_str(w, "null");
	jw_arr_end(w);
}

/* The schema name of a resource: "lost reason" + "Create" → "LostReasonCreate". */
static void schema_name(char *out, size_t n, const struct resource *r, const char *suffix)
{
	const char *p;
	size_t i = 0;
	int up = 1;

	for (p = r->singular; *p && i + 1 < n; p++) {
		if (*p == ' ' || *p == '_') {
			up = 1;
			continue;
		}
		out[i++] = up ? (char)toupper((unsigned char)*p) : *p;
		up = 0;
	}
	snprintf(out + i, n - i, "%s", suffix);
}

/* An operationId: verb + "_" + the singular with underscores ("get_lost_reason"). */
static void op_id(char *out, size_t n, const char *verb, const char *name, const char *after)
{
	size_t i;

	snprintf(out, n, "%s%s%s%s", verb, *verb ? "_" : "", name, after);
	for (i = 0; out[i]; i++)
		if (out[i] == ' ')
			out[i] = '_';
}

static void resource_schema_ref(struct jw *w, const struct resource *r, const char *suffix)
{
	char name[64];

	schema_name(name, sizeof(name), r, suffix);
	schema_ref(w, name);
}

/* --- fields ------------------------------------------------------------- */

static int field_nullable(const struct field *f)
{
	return !(f->flags & (FF_REQUIRED | FF_NOTNULL));
}

/* The members of one field's schema (inside an open object). */
static void field_type(struct jw *w, const struct field *f, int nullable, enum use m)
{
	int i;

	if (m == AS_QUERY)
		nullable = 0;
	switch (f->type) {
	case FT_TEXT:
	case FT_LONGTEXT:
		type_key(w, "string", nullable);
		if (f->flags & (FF_REQUIRED | FF_NOTNULL))
			jw_kint(w, "minLength", 1);
		if (f->max)
			jw_kint(w, "maxLength", f->max);
		break;
	case FT_EMAIL:
		type_key(w, "string", nullable);
		jw_kstr(w, "format", "email");
		if (f->max)
			jw_kint(w, "maxLength", f->max);
		break;
	case FT_INT:
		type_key(w, "integer", nullable);
		if (f->max > f->min) {
			jw_kint(w, "minimum", f->min);
			jw_kint(w, "maximum", f->max);
		}
		break;
	case FT_REF:
		type_key(w, "integer", nullable);
		jw_kint(w, "minimum", 1);
		break;
	case FT_ENUM:
		type_key(w, "string", nullable);
		jw_key(w, "enum");
		jw_arr(w);
		for (i = 0; f->choices[i]; i++)
			jw_str(w, f->choices[i]);
		if (nullable)
			jw_null(w);
		jw_arr_end(w);
		break;
	case FT_DATE:
		type_key(w, "string", nullable);
		jw_kstr(w, "format", "date");
		break;
	case FT_TIME:
		type_key(w, "string", nullable);
		jw_kstr(w, "format", "date-time");
		break;
	case FT_MONEY:
		if (m == AS_ANSWER) {
			type_key(w, "number", nullable);
			break;
		}
		/* a decimal string keeps every digit; a JSON number is taken
		 * when it converts exactly */
		jw_key(w, "type");
		jw_arr(w);
		jw_str(w, "number");
		jw_str(w, "string");
		if (nullable)
			jw_str(w, "null");
		jw_arr_end(w);
		jw_kstr(w, "pattern", "^-?[0-9]+(\\.[0-9]+)?$");
		break;
	case FT_CURRENCY:
		type_key(w, "string", nullable);
		jw_kstr(w, "pattern", "^[A-Z]{3}$");
		break;
	case FT_BOOL:
		type_key(w, "boolean", nullable);
		break;
	case FT_PERCENT:
		type_key(w, "integer", nullable);
		jw_kint(w, "minimum", 0);
		jw_kint(w, "maximum", 100);
		break;
	case FT_JSON:
		/* the shape is the resource's rule, told in the field's doc */
		jw_key(w, "type");
		jw_arr(w);
		jw_str(w, "object");
		jw_str(w, "array");
		if (nullable)
			jw_str(w, "null");
		jw_arr_end(w);
		break;
	}
}

/* What the declaration says beyond the type, as a sentence for humans. */
static void field_description(struct jw *w, const struct field *f, enum use m)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, f->doc ? f->doc : "");
	if (f->type == FT_REF && f->ref)
		buf_printf(&b, " (an id of %s)", f->ref);
	if (f->type == FT_MONEY)
		buf_puts(&b, m == AS_ANSWER ? " (exact, with the currency's number of decimals)"
					: " (exact: a number, or a decimal string such as \"1234.50\";"
					  " no more decimals than the currency has)");
	if (f->type == FT_LONGTEXT)
		buf_puts(&b, " (several lines allowed)");
	if (b.len)
		jw_kstr(w, "description", b.data);
	buf_release(&b);
}

static void field_schema(struct jw *w, const struct field *f, int nullable, enum use m)
{
	jw_obj(w);
	field_type(w, f, nullable, m);
	field_description(w, f, m);
	if (f->flags & FF_READONLY)
		jw_kbool(w, "readOnly", 1);
	if (f->flags & FF_VIRTUAL)
		jw_kbool(w, "writeOnly", 1);
	jw_obj_end(w);
}

/* --- record schemas ------------------------------------------------------ */

/* The server's own members of every record, before and after the fields. */
static void meta_prop(struct jw *w, const char *name, const char *type, const char *format,
		      int nullable, const char *doc)
{
	jw_key(w, name);
	jw_obj(w);
	type_key(w, type, nullable);
	if (format)
		jw_kstr(w, "format", format);
	if (!strcmp(type, "integer"))
		jw_kint(w, "minimum", 1);
	jw_kstr(w, "description", doc);
	jw_kbool(w, "readOnly", 1);
	jw_obj_end(w);
}

/*
 * <Type>: a record as the API answers it (every member always present, null
 * when empty), plus its write-only inputs.  <Type>Create and <Type>Update:
 * what a POST or PATCH may send; unknown members are refused.
 */
static void record_schema(struct jw *w, const struct resource *r, const char *suffix)
{
	enum use m = *suffix ? AS_REQUEST : AS_ANSWER;
	int create = !strcmp(suffix, "Create"), i;
	char name[64];

	schema_name(name, sizeof(name), r, suffix);
	jw_key(w, name);
	jw_obj(w);
	jw_kstr(w, "type", "object");
	if (m == AS_ANSWER)
		jw_kstr(w, "description", r->doc);
	else if (create)
		jw_kstr(w, "description", "A new record: the required fields, and any others");
	else
		jw_kstr(w, "description",
			"A partial update: only the fields given change; null empties a field that "
			"may be empty");
	jw_key(w, "properties");
	jw_obj(w);
	if (m == AS_ANSWER)
		meta_prop(w, "id", "integer", NULL, 0, "Id, given by the server");
	for (i = 0; i < r->nfields; i++) {
		const struct field *f = &r->fields[i];

		if (f->flags & FF_HIDDEN)
			continue;
		if (m == AS_REQUEST && (f->flags & FF_READONLY))
			continue;
		jw_key(w, f->name);
		field_schema(w, f, field_nullable(f), m);
	}
	if (m == AS_ANSWER) {
		meta_prop(w, "version", "integer", NULL, 0,
			  "Starts at 1, grows with every change; the ETag is \"v<version>\"");
		meta_prop(w, "created_at", "string", "date-time", 0, "When it was created (UTC)");
		meta_prop(w, "updated_at", "string", "date-time", 0, "When it last changed (UTC)");
		meta_prop(w, "created_by", "integer", NULL, 1,
			  "The user who created it (null: the command line)");
	}
	jw_obj_end(w);

	if (m == AS_ANSWER || create) {
		jw_key(w, "required");
		jw_arr(w);
		if (m == AS_ANSWER)
			jw_str(w, "id");
		for (i = 0; i < r->nfields; i++) {
			unsigned fl = r->fields[i].flags;

			if (m == AS_ANSWER ? !(fl & (FF_HIDDEN | FF_VIRTUAL)) : (fl & FF_REQUIRED) != 0)
				jw_str(w, r->fields[i].name);
		}
		if (m == AS_ANSWER) {
			jw_str(w, "version");
			jw_str(w, "created_at");
			jw_str(w, "updated_at");
			jw_str(w, "created_by");
		}
		jw_arr_end(w);
	}
	if (m == AS_REQUEST)
		jw_kbool(w, "additionalProperties", 0);
	jw_obj_end(w);
}

/* <Type>Page: one page of a list. */
static void page_schema(struct jw *w, const struct resource *r)
{
	char name[64];

	schema_name(name, sizeof(name), r, "Page");
	jw_key(w, name);
	jw_obj(w);
	jw_kstr(w, "type", "object");
	jw_key(w, "properties");
	jw_obj(w);
	jw_key(w, "data");
	jw_obj(w);
	jw_kstr(w, "type", "array");
	jw_key(w, "items");
	resource_schema_ref(w, r, "");
	jw_obj_end(w);
	jw_key(w, "next_cursor");
	jw_obj(w);
	type_key(w, "string", 1);
	jw_kstr(w, "description", "Pass as ?cursor= for the next page; null on the last page");
	jw_obj_end(w);
	jw_key(w, "total");
	jw_obj(w);
	jw_kstr(w, "type", "integer");
	jw_kstr(w, "description", "How many records match, over all pages; only with ?total=true");
	jw_obj_end(w);
	jw_obj_end(w);
	kraw(w, "required", "[\"data\",\"next_cursor\"]");
	jw_obj_end(w);
}

/* --- the schemas of the routes that are not records (struct api_schema) - */

/* Every file's description, in the order their tags are listed (auth first,
 * then the record types, then the rest). */
static const struct api_doc *const docs[] = {
	&api_doc_auth,
	&api_doc_common,
	&api_doc_records,
	&api_doc_users,
	&api_doc_forms,
	&api_doc_opportunities,
	&api_doc_pipelines,
	&api_doc_documents,
	&api_doc_attachments,
	&api_doc_payments,
	&api_doc_handovers,
	&api_doc_reports,
	&api_doc_stale,
	&api_doc_performance,
	&api_doc_forecast,
	&api_doc_forecast_process,
	&api_doc_scoring,
	&api_doc_rooms,
	&api_doc_calendar,
	&api_doc_vcard,
	&api_doc_polls,
	&api_doc_webhooks,
	&api_doc_email_log,
	&api_doc_handouts,
	&api_doc_imports,
	&api_doc_meetings,
	&api_doc_meta,
};

static void static_schema(struct jw *w, const struct api_schema *s)
{
	int i;

	jw_key(w, s->name);
	jw_obj(w);
	jw_kstr(w, "type", "object");
	jw_kstr(w, "description", s->doc);
	if (!s->props) {
		jw_obj_end(w);
		return;
	}
	jw_key(w, "properties");
	jw_obj(w);
	for (i = 0; i < s->nprops; i++) {
		const struct api_prop *p = &s->props[i];
		const char *brackets = p->schema ? strstr(p->schema, "[]") : NULL;

		jw_key(w, p->f.name);
		if (!p->schema) {
			if (p->f.flags & DOC_NUMBER) {
				jw_obj(w);
				type_key(w, "number", (p->f.flags & DOC_NULL) != 0);
				jw_kstr(w, "description", p->f.doc);
				jw_obj_end(w);
				continue;
			}
			field_schema(w, &p->f, (p->f.flags & DOC_NULL) != 0,
				     s->request ? AS_REQUEST : AS_ANSWER);
			continue;
		}
		if (!brackets && (p->f.flags & DOC_NULL)) {
			jw_obj(w);
			jw_kstr(w, "description", p->f.doc);
			jw_key(w, "anyOf");
			jw_arr(w);
			schema_ref(w, p->schema);
			jw_obj(w);
			jw_kstr(w, "type", "null");
			jw_obj_end(w);
			jw_arr_end(w);
			jw_obj_end(w);
			continue;
		}
		if (!brackets) {
			schema_ref(w, p->schema);
			continue;
		}
		jw_obj(w);
		jw_kstr(w, "type", "array");
		jw_kstr(w, "description", p->f.doc);
		jw_key(w, "items");
		{
			char name[64];

			snprintf(name, sizeof(name), "%.*s", (int)(brackets - p->schema),
				 p->schema);
			if (!strcmp(name, "string")) { /* a list of plain strings */
				jw_obj(w);
				jw_kstr(w, "type", "string");
				jw_obj_end(w);
			} else {
				schema_ref(w, name);
			}
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_key(w, "required");
	jw_arr(w);
	for (i = 0; i < s->nprops; i++)
		if (s->props[i].f.flags & FF_REQUIRED)
			jw_str(w, s->props[i].f.name);
	jw_arr_end(w);
	if (s->request)
		jw_kbool(w, "additionalProperties", 0);
	jw_obj_end(w);
}

/* The description of a route that is not a record's, by its handler. */
static const struct api_op *op_find(api_handler h)
{
	int i, j;

	for (i = 0; i < N(docs); i++)
		for (j = 0; j < docs[i]->nops; j++)
			if (docs[i]->ops[j].handler == h)
				return &docs[i]->ops[j];
	return NULL;
}

/* --- responses, headers, parameters ------------------------------------- */

static const struct {
	int status;
	const char *name, *schema, *headers, *description;
} errors[] = {
	{400, "BadRequest", "Problem", NULL,
	 "Invalid input: every problem at once, one errors[] entry per field, member or query "
	 "parameter"},
	{401, "Unauthorized", "Problem", "WWW-Authenticate",
	 "No credentials, or a token or session that is unknown, expired or revoked"},
	{403, "Forbidden", "Problem", NULL,
	 "The caller's role does not allow it, or a write authenticated by the session cookie "
	 "lacks the X-CSRF-Token header"},
	{404, "NotFound", "Problem", NULL,
	 "No such record, or one the caller may not see: the two answers are the same"},
	{409, "Conflict", "Problem", NULL,
	 "The write contradicts the current state: a duplicate (user e-mail, team name), a "
	 "record still in use, or an Idempotency-Key reused for a different request"},
	{412, "PreconditionFailed", "Problem", NULL,
	 "If-Match does not match the record's current version: someone changed it; read it "
	 "again and retry"},
	{413, "TooLarge", "Problem", NULL,
	 "The body is larger than the server accepts (funnel serve --max-body)"},
	{415, "UnsupportedMediaType", "Problem", NULL, "Send the body as application/json"},
	{429, "TooManyRequests", "Problem", "Retry-After",
	 "Too many failed attempts: retry after the given seconds"},
	{500, "InternalError", "Problem", NULL, "A bug, or the database failed"},
	{503, "Unavailable", "Health", NULL, "The database does not answer or is not migrated"},
};

static const struct {
	const char *name, *description, *schema;
} headers[] = {
	{"ETag", "The record's version, \"v<version>\": send it back as If-Match",
	 "{\"type\":\"string\",\"pattern\":\"^\\\"v[0-9]+\\\"$\"}"},
	{"Location", "The path of the new resource", "{\"type\":\"string\"}"},
	{"Idempotent-Replayed",
	 "true when this is the saved answer to an earlier request with the same "
	 "Idempotency-Key",
	 "{\"type\":\"string\",\"enum\":[\"true\"]}"},
	{"Set-Cookie",
	 "funnel_session=<token>; Path=/; HttpOnly; SameSite=Strict (Secure over TLS); "
	 "Max-Age=0 clears it",
	 "{\"type\":\"string\"}"},
	{"WWW-Authenticate", "Bearer realm=\"funnel\"", "{\"type\":\"string\"}"},
	{"Retry-After", "Seconds to wait", "{\"type\":\"integer\",\"minimum\":1}"},
};

static void header_refs(struct jw *w, const char *names)
{
	char name[40];
	const char *p = names;
	int n;

	jw_key(w, "headers");
	jw_obj(w);
	while (p && sscanf(p, "%39s%n", name, &n) == 1) {
		jw_key(w, name);
		ref_to(w, "headers", name);
		p += n;
	}
	jw_obj_end(w);
}

static void error_refs(struct jw *w, const int *st, int n)
{
	char code[8];
	int i, j;

	for (i = 0; i < N(errors); i++)
		for (j = 0; j < n; j++)
			if (st[j] == errors[i].status) {
				snprintf(code, sizeof(code), "%d", st[j]);
				jw_key(w, code);
				ref_to(w, "responses", errors[i].name);
				break;
			}
}

/* A success answer: status, description, optional headers and body schema. */
static void success(struct jw *w, int status, const char *description, const char *headers_,
		    const char *schema_name_)
{
	char code[8];

	snprintf(code, sizeof(code), "%d", status);
	jw_key(w, code);
	jw_obj(w);
	jw_kstr(w, "description", description);
	if (headers_)
		header_refs(w, headers_);
	if (schema_name_) {
		jw_key(w, "content");
		jw_obj(w);
		jw_key(w, "application/json");
		jw_obj(w);
		jw_key(w, "schema");
		schema_ref(w, schema_name_);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void request_body(struct jw *w, const char *schema)
{
	jw_key(w, "requestBody");
	jw_obj(w);
	jw_kbool(w, "required", 1);
	jw_key(w, "content");
	jw_obj(w);
	jw_key(w, "application/json");
	jw_obj(w);
	jw_key(w, "schema");
	schema_ref(w, schema);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* The error statuses any route can give, by its kind. */
static int common_errors(const struct route *r, int has_body, int *st)
{
	int n = 0;

	if (has_body) {
		st[n++] = 400;
		st[n++] = 413;
		st[n++] = 415;
	}
	if (!(r->flags & R_PUBLIC)) {
		st[n++] = 401;
		if (r->method != M_GET)
			st[n++] = 403;
	}
	if (strchr(r->pattern, '{'))
		st[n++] = 404;
	st[n++] = 500;
	return n;
}

/* --- operations --------------------------------------------------------- */

static void query_param(struct jw *w, const char *name, const struct field *f,
			const char *description, int list)
{
	jw_obj(w);
	jw_kstr(w, "name", name);
	jw_kstr(w, "in", "query");
	jw_kstr(w, "description", description);
	if (list) {
		jw_kstr(w, "style", "form");
		jw_kbool(w, "explode", 0);
	}
	jw_key(w, "schema");
	jw_obj(w);
	if (list) {
		jw_kstr(w, "type", "array");
		jw_kint(w, "minItems", 1);
		jw_key(w, "items");
		jw_obj(w);
	}
	if (f) {
		field_type(w, f, 0, AS_QUERY);
	} else {
		jw_kstr(w, "type", "string");
		jw_kstr(w, "description", "A date (YYYY-MM-DD) or a date-time");
	}
	if (list)
		jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* The query parameters of a list of r; `pages`: with limit, cursor, total
 * (a list; an export has no pages). */
static void list_params(struct jw *w, const struct resource *r, int pages)
{
	struct buf d = BUF_INIT, search = BUF_INIT;
	char name[80];
	int i;
	static const char *const stamps[] = {"created_at", "updated_at"};

	jw_obj(w);
	jw_kstr(w, "name", "id");
	jw_kstr(w, "in", "query");
	jw_kstr(w, "description", "Only these records (comma-separated ids, at most 64)");
	jw_kstr(w, "style", "form");
	jw_kbool(w, "explode", 0);
	kraw(w, "schema", "{\"type\":\"array\",\"minItems\":1,\"maxItems\":64,"
			  "\"items\":{\"type\":\"integer\",\"minimum\":1}}");
	jw_obj_end(w);
	for (i = 0; i < r->nfields; i++) {
		const struct field *f = &r->fields[i];

		if (f->flags & FF_FILTER) {
			buf_reset(&d);
			buf_printf(&d, "Only records whose %s is one of these values "
				       "(comma-separated)", f->name);
			query_param(w, f->name, f, d.data, 1);
		}
		if (f->flags & FF_RANGE) {
			buf_reset(&d);
			buf_printf(&d, "Only records whose %s is at least this (inclusive)", f->name);
			snprintf(name, sizeof(name), "%s_from", f->name);
			query_param(w, name, f, d.data, 0);
			buf_reset(&d);
			buf_printf(&d, "Only records whose %s is at most this (inclusive)", f->name);
			snprintf(name, sizeof(name), "%s_to", f->name);
			query_param(w, name, f, d.data, 0);
		}
		if (record_field_set_filter(f)) {
			buf_reset(&d);
			buf_printf(&d, "true: only records whose %s is set; false: only those where "
				       "it is empty",
				   f->name);
			snprintf(name, sizeof(name), "%s_set", f->name);
			jw_obj(w);
			jw_kstr(w, "name", name);
			jw_kstr(w, "in", "query");
			jw_kstr(w, "description", d.data);
			kraw(w, "schema", "{\"type\":\"boolean\"}");
			jw_obj_end(w);
		}
		if (f->flags & FF_SEARCH)
			buf_printf(&search, "%s%s", search.len ? ", " : "", f->name);
	}
	for (i = 0; i < 2; i++) {
		buf_reset(&d);
		buf_printf(&d, "Only records whose %s is at or after this", stamps[i]);
		snprintf(name, sizeof(name), "%s_from", stamps[i]);
		query_param(w, name, NULL, d.data, 0);
		buf_reset(&d);
		buf_printf(&d, "Only records whose %s is at or before this (a bare date includes "
			       "that whole day)",
			   stamps[i]);
		snprintf(name, sizeof(name), "%s_to", stamps[i]);
		query_param(w, name, NULL, d.data, 0);
	}
	if (search.len) {
		buf_reset(&d);
		buf_printf(&d, "Text to look for in %s", search.data);
		jw_obj(w);
		jw_kstr(w, "name", "q");
		jw_kstr(w, "in", "query");
		jw_kstr(w, "description", d.data);
		kraw(w, "schema", "{\"type\":\"string\",\"maxLength\":200}");
		jw_obj_end(w);
	}

	/* sort: id, the timestamps and the sortable fields, each either way */
	jw_obj(w);
	jw_kstr(w, "name", "sort");
	jw_kstr(w, "in", "query");
	jw_kstr(w, "description", "Order by this field, descending with a leading '-' (default id)");
	jw_key(w, "schema");
	jw_obj(w);
	jw_kstr(w, "type", "string");
	jw_kstr(w, "default", "id");
	jw_key(w, "enum");
	jw_arr(w);
	for (i = -3; i < r->nfields; i++) {
		const char *n = i == -3 ? "id" : i == -2 ? "created_at" : i == -1 ? "updated_at"
									    : r->fields[i].name;

		if (i >= 0 && !(r->fields[i].flags & FF_SORT))
			continue;
		jw_str(w, n);
		snprintf(name, sizeof(name), "-%s", n);
		jw_str(w, name);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj_end(w);

	if (pages) {
		ref_to(w, "parameters", "limit");
		ref_to(w, "parameters", "cursor");
		ref_to(w, "parameters", "total");
	}
	buf_release(&d);
	buf_release(&search);
}

static const char *visibility_text(enum visibility v)
{
	switch (v) {
	case VIS_OWNER:
		return "A rep sees the ones they own, a manager those owned by anyone in their team "
		       "and the teams below it, an admin all.";
	case VIS_ACCOUNT:
		return "A rep sees the ones they own and those with an opportunity they see; a "
		       "manager the same for their team subtree; an admin all.";
	case VIS_CONTACT:
		return "A rep sees the ones they own and those of an account they see; a manager "
		       "the same for their team subtree; an admin all.";
	case VIS_ACTIVITY:
		return "A rep sees the ones they own and those linked to an opportunity, lead or "
		       "account they own; a manager the same for their team subtree; an admin all.";
	case VIS_SELF:
		return "Each person sees only their own, whatever their role (admins too).";
	case VIS_ADMIN:
		return "Only admins see them.";
	case VIS_OPPORTUNITY:
		return "Whoever sees the opportunity sees them: a rep their own deals', a manager "
		       "their team subtree's, an admin all.";
	case VIS_ALL:
		return "Everyone signed in sees all of them.";
	}
	return "";
}

enum rec_op { R_LIST, R_CREATE, R_GET, R_UPDATE, R_DELETE, R_HISTORY, R_EXPORT };

static const struct {
	api_handler handler;
	enum rec_op op;
} record_handlers[] = {
	{api_record_list, R_LIST},     {api_record_create, R_CREATE},
	{api_record_get, R_GET},       {api_record_update, R_UPDATE},
	{api_record_delete, R_DELETE}, {api_record_history, R_HISTORY},
	{api_record_export, R_EXPORT},
};


/* "a" or "an" before a record type's name (none starts with a silent h or a
 * "you" sound: user takes "a"). */
static const char *article(const char *singular)
{
	return strchr("aeio", singular[0]) ? "an" : "a";
}

static int has_owner(const struct resource *r)
{
	int i;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].flags & FF_OWNER)
			return 1;
	return 0;
}

static void write_rule(struct buf *b, const struct resource *r)
{
	if (r->write_role == ROLE_ADMIN)
		buf_puts(b, " Only admins create, change and delete them.");
	else if (has_owner(r))
		buf_puts(b, " Anyone who sees one may change or delete it. A new one belongs to the "
			    "caller unless owner_id says otherwise, and only managers and admins give "
			    "records to others.");
}

/* operationId and summary of an operation on one record of r: "<verb>_<singular><after>"
 * and "<Summary> a <singular>".  Leaves d empty. */
static void record_names(struct jw *w, struct buf *d, const struct resource *r, const char *verb,
			 const char *after, const char *summary)
{
	char id[80];

	op_id(id, sizeof(id), verb, r->singular, after);
	jw_kstr(w, "operationId", id);
	buf_printf(d, "%s %s %s", summary, article(r->singular), r->singular);
	jw_kstr(w, "summary", d->data);
	buf_reset(d);
}

/* "parameters": [the one named in components]. */
static void one_parameter(struct jw *w, const char *name)
{
	jw_key(w, "parameters");
	jw_arr(w);
	ref_to(w, "parameters", name);
	jw_arr_end(w);
}

static void record_operation(struct jw *w, const struct route *rt, enum rec_op op)
{
	const struct resource *r = rt->arg;
	struct buf d = BUF_INIT;
	char id[80], schema[64];
	int st[16], n;

	jw_key(w, "tags");
	jw_arr(w);
	jw_str(w, r->name);
	jw_arr_end(w);
	switch (op) {
	case R_LIST:
		op_id(id, sizeof(id), "list", r->name, "");
		jw_kstr(w, "operationId", id);
		buf_printf(&d, "List %s", r->name);
		jw_kstr(w, "summary", d.data);
		buf_reset(&d);
		buf_printf(&d, "%s. %s Filters combine with AND; values of one filter with OR. "
			       "Pages hold `limit` records in `sort` order (then by id); follow "
			       "next_cursor for the next one. With Accept: text/csv%s the answer is "
			       "the whole list as a file, as GET /api/v1/%s.csv%s gives it.",
			   r->doc, visibility_text(r->vis),
			   r == &contact_resource ? " (or text/vcard)" : "", r->path ? r->path : r->name,
			   r == &contact_resource ? " (or /api/v1/contacts.vcf)" : "");
		jw_kstr(w, "description", d.data);
		jw_key(w, "parameters");
		jw_arr(w);
		list_params(w, r, 1);
		jw_arr_end(w);
		break;
	case R_EXPORT:
		op_id(id, sizeof(id), "export", r->name, "");
		jw_kstr(w, "operationId", id);
		buf_printf(&d, "Export %s as CSV", r->name);
		jw_kstr(w, "summary", d.data);
		buf_reset(&d);
		buf_printf(&d, "Every record of the list with these filters and this sort, as "
			       "text/csv (RFC 4180, UTF-8, CRLF), streamed as it is read: no pages. "
			       "The same as GET /api/v1/%s with Accept: text/csv. %s The first row "
			       "names the columns: the fields, then id, version, created_at, "
			       "updated_at; cells a spreadsheet would run as a formula start with '. "
			       "`funnel import` reads the file back.",
			   r->path ? r->path : r->name, visibility_text(r->vis));
		jw_kstr(w, "description", d.data);
		jw_key(w, "parameters");
		jw_arr(w);
		list_params(w, r, 0);
		jw_arr_end(w);
		break;
	case R_CREATE:
		record_names(w, &d, r, "create", "", "Create");
		buf_puts(&d, "Answers 201 with the record, its ETag and its Location.  Every "
			     "problem with the input is answered at once; unknown members are "
			     "refused.");
		write_rule(&d, r);
		buf_puts(&d, " With an Idempotency-Key a retry is safe: the same key and body within "
			     "24 hours get the first answer again (Idempotent-Replayed: true).");
		jw_kstr(w, "description", d.data);
		one_parameter(w, "Idempotency-Key");
		schema_name(schema, sizeof(schema), r, "Create");
		request_body(w, schema);
		break;
	case R_GET:
		record_names(w, &d, r, "get", "", "Read");
		buf_printf(&d, "%s One the caller may not see is 404, as if it did not exist.",
			   visibility_text(r->vis));
		jw_kstr(w, "description", d.data);
		break;
	case R_UPDATE:
		record_names(w, &d, r, "update", "", "Change");
		buf_puts(&d, "Only the members sent change.  With If-Match (the ETag of the version "
			     "read) the change is made only if nobody changed the record since: "
			     "otherwise 412.");
		write_rule(&d, r);
		jw_kstr(w, "description", d.data);
		one_parameter(w, "If-Match");
		schema_name(schema, sizeof(schema), r, "Update");
		request_body(w, schema);
		break;
	case R_DELETE:
		record_names(w, &d, r, "delete", "", "Delete");
		buf_puts(&d, "With If-Match, only if unchanged since read (otherwise 412).  "
			     "Refused (409) while other records refer to it.  The deleted record "
			     "stays in the audit log.");
		write_rule(&d, r);
		jw_kstr(w, "description", d.data);
		one_parameter(w, "If-Match");
		break;
	case R_HISTORY:
		record_names(w, &d, r, "", "_history", "The change history of");
		jw_kstr(w, "description", "Who changed what and when, from the audit log: the "
					  "creation, then every field change, oldest first.");
		break;
	}

	jw_key(w, "responses");
	jw_obj(w);
	schema_name(schema, sizeof(schema), r, op == R_LIST ? "Page" : "");
	switch (op) {
	case R_LIST:
		success(w, 200, "One page of records", NULL, schema);
		break;
	case R_EXPORT:
		success(w, 200, "The records as CSV", NULL, NULL);
		break;
	case R_CREATE:
		success(w, 201, "Created", "ETag Location Idempotent-Replayed", schema);
		break;
	case R_GET:
		success(w, 200, "The record", "ETag", schema);
		break;
	case R_UPDATE:
		success(w, 200, "The record as it is now", "ETag", schema);
		break;
	case R_DELETE:
		success(w, 204, "Deleted", NULL, NULL);
		break;
	case R_HISTORY:
		success(w, 200, "The audit trail", NULL, "HistoryList");
		break;
	}
	n = common_errors(rt, op == R_CREATE || op == R_UPDATE, st);
	if (op == R_LIST || op == R_EXPORT)
		st[n++] = 400;
	if (op == R_CREATE || op == R_UPDATE || op == R_DELETE)
		st[n++] = 409;
	if (op == R_UPDATE || op == R_DELETE)
		st[n++] = 412;
	error_refs(w, st, n);
	jw_obj_end(w);
	buf_release(&d);
}

static void static_operation(struct jw *w, const struct route *rt, const struct api_op *op)
{
	const char *what = op->status == 201 ? "Created" : op->status == 204 ? "No content" : "OK";
	int st[16], n, code, used;
	const char *p;

	jw_key(w, "tags");
	jw_arr(w);
	jw_str(w, op->tag);
	jw_arr_end(w);
	jw_kstr(w, "operationId", op->id);
	jw_kstr(w, "summary", op->summary);
	if (op->description)
		jw_kstr(w, "description", op->description);
	/* 412 only comes from If-Match, so a route that may answer it takes one;
	 * a route that may replay an answer takes an Idempotency-Key */
	if (op->errors && strstr(op->errors, "412"))
		one_parameter(w, "If-Match");
	else if (op->headers && strstr(op->headers, "Idempotent-Replayed"))
		one_parameter(w, "Idempotency-Key");
	if (op->request)
		request_body(w, op->request);
	jw_key(w, "responses");
	jw_obj(w);
	success(w, op->status, what, op->headers, op->response);
	n = common_errors(rt, op->request != NULL, st);
	for (p = op->errors; p && n < N(st) && sscanf(p, "%d%n", &code, &used) == 1; p += used)
		st[n++] = code;
	error_refs(w, st, n);
	jw_obj_end(w);
}

static void operation(struct jw *w, const struct route *rt)
{
	char method[8];
	const struct api_op *op = op_find(rt->handler);
	int i;

	snprintf(method, sizeof(method), "%s", method_name(rt->method));
	for (i = 0; method[i]; i++)
		method[i] = (char)tolower((unsigned char)method[i]);
	jw_key(w, method);
	jw_obj(w);
	for (i = 0; i < N(record_handlers); i++)
		if (record_handlers[i].handler == rt->handler && rt->arg)
			break;
	if (i < N(record_handlers)) {
		record_operation(w, rt, record_handlers[i].op);
	} else if (op) {
		static_operation(w, rt, op);
	} else {
		/* a route added without a description: still listed, and the
		 * tests point at it */
		jw_kstr(w, "summary", "Not described");
		jw_kbool(w, "x-funnel-undocumented", 1);
		kraw(w, "responses", "{\"default\":{\"description\":\"Not described\"}}");
	}
	if (rt->flags & R_PUBLIC)
		kraw(w, "security", "[]");
	jw_obj_end(w);
}

/* The {name} segments of a pattern, as path parameters. */
static void path_params(struct jw *w, const char *pattern)
{
	const char *p = pattern, *end;
	char name[32];

	if (!strchr(pattern, '{'))
		return;
	jw_key(w, "parameters");
	jw_arr(w);
	while ((p = strchr(p, '{')) && (end = strchr(p, '}'))) {
		snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
		jw_obj(w);
		jw_kstr(w, "name", name);
		jw_kstr(w, "in", "path");
		jw_kbool(w, "required", 1);
		if (!strcmp(name, "period")) {
			jw_kstr(w, "description", "A quarter (2026-Q4) or a month (2026-11)");
			kraw(w, "schema", "{\"type\":\"string\",\"pattern\":"
					  "\"^[0-9]{4}-(Q[1-4]|0[1-9]|1[0-2])$\"}");
		} else {
			jw_kstr(w, "description", "Id");
			kraw(w, "schema", "{\"type\":\"integer\",\"minimum\":1}");
		}
		jw_obj_end(w);
		p = end + 1;
	}
	jw_arr_end(w);
}

static void paths(struct jw *w)
{
	int i, j;

	jw_key(w, "paths");
	jw_obj(w);
	for (i = 0; i < routes_count; i++) {
		for (j = 0; j < i && strcmp(routes[j].pattern, routes[i].pattern); j++)
			;
		if (j < i)
			continue; /* written with the first route of this path */
		jw_key(w, routes[i].pattern);
		jw_obj(w);
		path_params(w, routes[i].pattern);
		for (j = i; j < routes_count; j++)
			if (!strcmp(routes[j].pattern, routes[i].pattern))
				operation(w, &routes[j]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

/* --- components --------------------------------------------------------- */

static void components(struct jw *w)
{
	int i, j;

	jw_key(w, "components");
	jw_obj(w);

	jw_key(w, "schemas");
	jw_obj(w);
	for (i = 0; resources[i]; i++) {
		record_schema(w, resources[i], "");
		record_schema(w, resources[i], "Create");
		record_schema(w, resources[i], "Update");
		page_schema(w, resources[i]);
	}
	for (i = 0; i < N(docs); i++)
		for (j = 0; j < docs[i]->nschemas; j++)
			static_schema(w, &docs[i]->schemas[j]);
	jw_obj_end(w);

	jw_key(w, "responses");
	jw_obj(w);
	for (i = 0; i < N(errors); i++) {
		jw_key(w, errors[i].name);
		jw_obj(w);
		jw_kstr(w, "description", errors[i].description);
		if (errors[i].headers)
			header_refs(w, errors[i].headers);
		jw_key(w, "content");
		jw_obj(w);
		jw_key(w, strcmp(errors[i].schema, "Problem") ? "application/json"
							       : "application/problem+json");
		jw_obj(w);
		jw_key(w, "schema");
		schema_ref(w, errors[i].schema);
		jw_obj_end(w);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);

	jw_key(w, "headers");
	jw_obj(w);
	for (i = 0; i < N(headers); i++) {
		jw_key(w, headers[i].name);
		jw_obj(w);
		jw_kstr(w, "description", headers[i].description);
		kraw(w, "schema", headers[i].schema);
		jw_obj_end(w);
	}
	jw_obj_end(w);

	jw_key(w, "parameters");
	jw_obj(w);
	jw_key(w, "limit");
	jw_obj(w);
	jw_kstr(w, "name", "limit");
	jw_kstr(w, "in", "query");
	jw_kstr(w, "description", "Records per page");
	kraw(w, "schema", "{\"type\":\"integer\",\"minimum\":1,\"maximum\":200,\"default\":50}");
	jw_obj_end(w);
	jw_key(w, "cursor");
	jw_obj(w);
	jw_kstr(w, "name", "cursor");
	jw_kstr(w, "in", "query");
	jw_kstr(w, "description",
		"The next_cursor of the previous page (opaque); give the same filters and sort");
	kraw(w, "schema", "{\"type\":\"string\"}");
	jw_obj_end(w);
	jw_key(w, "total");
	jw_obj(w);
	jw_kstr(w, "name", "total");
	jw_kstr(w, "in", "query");
	jw_kstr(w, "description", "true: also count every matching record (costs a query)");
	kraw(w, "schema", "{\"type\":\"boolean\",\"default\":false}");
	jw_obj_end(w);
	jw_key(w, "If-Match");
	jw_obj(w);
	jw_kstr(w, "name", "If-Match");
	jw_kstr(w, "in", "header");
	jw_kstr(w, "description",
		"The ETag of the version read (\"v3\"): the write happens only if the record is "
		"still at that version, otherwise 412.  Absent or *: no check.");
	kraw(w, "schema", "{\"type\":\"string\",\"examples\":[\"\\\"v3\\\"\"]}");
	jw_obj_end(w);
	jw_key(w, "Idempotency-Key");
	jw_obj(w);
	jw_kstr(w, "name", "Idempotency-Key");
	jw_kstr(w, "in", "header");
	jw_kstr(w, "description",
		"Any unique string (a UUID): a retry with the same key and body within 24 hours "
		"gets the first answer instead of a duplicate; the same key with another request "
		"is 409.  Keys are per user.");
	kraw(w, "schema", "{\"type\":\"string\",\"minLength\":1,\"maxLength\":200}");
	jw_obj_end(w);
	jw_obj_end(w);

	jw_key(w, "securitySchemes");
	jw_obj(w);
	jw_key(w, "bearer");
	jw_obj(w);
	jw_kstr(w, "type", "http");
	jw_kstr(w, "scheme", "bearer");
	jw_kstr(w, "description",
		"Authorization: Bearer <token>, with the session token from POST "
		"/api/v1/auth/login (12 hours) or an API token from POST /api/v1/tokens.");
	jw_obj_end(w);
	jw_key(w, "cookie");
	jw_obj(w);
	jw_kstr(w, "type", "apiKey");
	jw_kstr(w, "in", "cookie");
	jw_kstr(w, "name", "funnel_session");
	jw_kstr(w, "description",
		"The session cookie set by POST /api/v1/auth/login (HttpOnly, SameSite=Strict), "
		"for browsers.  A request authenticated by the cookie alone that writes (any "
		"method but GET and HEAD) must also send the header X-CSRF-Token with the "
		"csrf_token the login answered, or it is refused with 403.  A request with an "
		"Authorization header is judged by that header only.");
	jw_obj_end(w);
	jw_obj_end(w);

	jw_obj_end(w);
}

/* --- the document ------------------------------------------------------- */

static void tag(struct jw *w, const char *name, const char *description)
{
	jw_obj(w);
	jw_kstr(w, "name", name);
	jw_kstr(w, "description", description);
	jw_obj_end(w);
}

/* auth, the record types, then the tags the other files introduce. */
static void tags(struct jw *w)
{
	int i, k;

	jw_key(w, "tags");
	jw_arr(w);
	for (i = 0; i < N(docs); i++) {
		if (docs[i]->tag)
			tag(w, docs[i]->tag, docs[i]->tag_doc);
		if (i == 0) /* after auth */
			for (k = 0; resources[k]; k++)
				tag(w, resources[k]->name, resources[k]->doc);
	}
	jw_arr_end(w);
}

static char *doc;
static size_t doc_len;
static pthread_once_t doc_once = PTHREAD_ONCE_INIT;

static void build(void)
{
	struct buf b;
	struct jw w;

	buf_init(&b, 0);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "openapi", "3.1.0");
	jw_key(&w, "info");
	jw_obj(&w);
	jw_kstr(&w, "title", "Funnel API");
	jw_kstr(&w, "version", "1");
	jw_kstr(&w, "summary", "The REST API of Funnel, a self-hosted sales CRM");
	jw_kstr(&w, "description",
		"JSON over HTTP under /api/v1.  Errors are RFC 9457 application/problem+json "
		"with every input problem at once.  A record the caller may not see answers "
		"404, like one that does not exist.  Writes are audited; ETag and If-Match guard "
		"against lost updates; Idempotency-Key makes creates safe to retry.  Dates are "
		"YYYY-MM-DD, instants RFC 3339 in UTC, money exact decimals in the record's "
		"currency.  See docs/api.md for a guided tour.");
	jw_obj_end(&w);
	/* relative: the server that serves this document */
	kraw(&w, "servers", "[{\"url\":\"/\"}]");
	kraw(&w, "security", "[{\"bearer\":[]},{\"cookie\":[]}]");
	tags(&w);
	paths(&w);
	components(&w);
	jw_obj_end(&w);
	doc = buf_detach(&b, &doc_len); /* NULL if it outgrew memory */
}

void api_openapi(struct req *rq, struct resp *rs)
{
	(void)rq;
	pthread_once(&doc_once, build);
	if (!doc) {
		api_problem(rs, E_INTERNAL, NULL);
		return;
	}
	rs->status = 200;
	rs->content_type = "application/json";
	buf_reset(&rs->body);
	buf_add(&rs->body, doc, doc_len);
}
