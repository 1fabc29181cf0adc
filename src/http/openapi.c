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
 *   - the few other routes are described by ops[] below, keyed by handler,
 *     with the schemas of their bodies in static_schemas[].  A route whose
 *     handler is in neither place is still listed, marked
 *     "x-funnel-undocumented" (the API tests fail on it).
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

/* --- static schemas (the bodies of the routes that are not records) ----- */

#define P_NULL 0x10000 /* beyond the FF_ flags: may be null */
#define P_NUMBER 0x20000 /* a JSON number (not an integer), for ratios and statistics */

struct sprop {
	struct field f;     /* as a record field; FF_REQUIRED: in `required` */
	const char *schema; /* instead of f's type: a schema; "Name[]" an array of them */
};

struct sschema {
	const char *name;
	int request; /* a request body: strict, money may be a string */
	const char *doc;
	const struct sprop *props; /* NULL: any object */
	int nprops;
};

#define PROP(name, type, flags, max, doc) {{name, type, flags, 0, max, NULL, NULL, doc}, NULL}
#define SUB(name, schema, flags, doc) {{name, FT_TEXT, flags, 0, 0, NULL, NULL, doc}, schema}
#define REQ FF_REQUIRED

static const char *const health_states[] = {"ok", "unavailable", NULL};

static const struct sprop p_health[] = {
	{{"status", FT_ENUM, REQ, 0, 0, health_states, NULL, "ok when the database answers"},
	 NULL},
	PROP("schema_version", FT_INT, REQ, 0, "Database schema version (0: unavailable)"),
};
static const struct sprop p_login[] = {
	PROP("email", FT_EMAIL, REQ, 254, "Login e-mail (case-insensitive)"),
	PROP("password", FT_TEXT, REQ, 1024, "Password"),
};
static const struct sprop p_session[] = {
	PROP("token", FT_TEXT, REQ, 0,
	     "Session token: send it as Authorization: Bearer, or let the funnel_session cookie "
	     "carry it"),
	PROP("csrf_token", FT_TEXT, REQ, 0,
	     "Send as X-CSRF-Token on writes authenticated by the cookie alone"),
	PROP("expires_at", FT_TIME, REQ, 0, "When the session ends"),
	SUB("user", "User", REQ, "The signed-in user"),
};
static const struct sprop p_token_create[] = {
	PROP("name", FT_TEXT, REQ, 100, "What the token is for"),
	PROP("expires_at", FT_TIME, 0, 0, "When it stops working (in the future); null: never"),
};
static const struct sprop p_token_created[] = {
	PROP("id", FT_INT, REQ, 0, "Token id"),
	PROP("name", FT_TEXT, REQ, 100, "What the token is for"),
	PROP("token", FT_TEXT, REQ, 0,
	     "The secret, shown this once: send it as Authorization: Bearer"),
	PROP("expires_at", FT_TIME, REQ | P_NULL, 0, "When it stops working; null: never"),
};
static const struct sprop p_token[] = {
	PROP("id", FT_INT, REQ, 0, "Token id"),
	PROP("name", FT_TEXT, REQ, 100, "What the token is for"),
	PROP("prefix", FT_TEXT, REQ, 0, "The first characters of the secret, to recognise it"),
	PROP("created_at", FT_TIME, REQ, 0, "When it was made"),
	PROP("expires_at", FT_TIME, REQ | P_NULL, 0, "When it stops working; null: never"),
	PROP("last_used_at", FT_TIME, REQ | P_NULL, 0, "Last request it authenticated"),
	PROP("revoked_at", FT_TIME, REQ | P_NULL, 0, "When it was revoked; null: it works"),
};
static const struct sprop p_token_list[] = {
	SUB("data", "Token[]", REQ, "The caller's tokens, oldest first"),
};
static const struct sprop p_quota[] = {
	PROP("period", FT_TEXT, REQ, 7, "A quarter (2026-Q4) or a month (2026-11)"),
	PROP("amount", FT_MONEY, REQ, 0, "Target amount"),
	PROP("currency", FT_CURRENCY, REQ, 0, "ISO 4217 code"),
};
static const struct sprop p_quota_set[] = {
	PROP("amount", FT_MONEY, REQ, 0, "Target amount, not negative"),
	PROP("currency", FT_CURRENCY, FF_NOTNULL, 0, "ISO 4217 code (default EUR)"),
};
static const struct sprop p_quota_list[] = {
	SUB("data", "Quota[]", REQ, "The user's quotas by period"),
};
static const struct sprop p_stage_entry[] = {
	PROP("stage", FT_TEXT, REQ, 64, "Key of the stage"),
	PROP("entered_at", FT_TIME, REQ, 0, "When the deal entered it"),
	PROP("exited_at", FT_TIME, REQ | P_NULL, 0, "When it left (null: it is there now)"),
	{{"actor_id", FT_REF, REQ | P_NULL, 0, 0, NULL, "users", "Who moved it"}, NULL},
	PROP("override", FT_BOOL, REQ, 0, "A manager moved it past the pipeline's rules"),
	PROP("reason", FT_TEXT, REQ | P_NULL, 0, "Why (for an override)"),
};
static const struct sprop p_stage_list[] = {
	SUB("data", "StageEntry[]", REQ, "Every stage entry and exit, oldest first"),
};
static const struct sprop p_history_entry[] = {
	PROP("at", FT_TIME, REQ, 0, "When"),
	{{"actor_id", FT_REF, REQ | P_NULL, 0, 0, NULL, "users",
	  "Who (null: the command line or the system)"},
	 NULL},
	PROP("actor_name", FT_TEXT, P_NULL, 0, "Their name"),
	PROP("action", FT_TEXT, REQ, 0, "create, update or delete"),
	PROP("field", FT_TEXT, P_NULL, 0, "The field that changed (update)"),
	PROP("old", FT_TEXT, P_NULL, 0, "Its value before, as text (delete: the record's JSON)"),
	PROP("new", FT_TEXT, P_NULL, 0, "Its value after, as text"),
};
static const struct sprop p_history_list[] = {
	SUB("data", "HistoryEntry[]", REQ, "The audit trail, oldest first"),
};
/* Pipelines (pipeline.c validates them; its lists of choices are private to it,
 * so they are repeated here, and the API tests compare them with real answers). */
static const char *const sections[] = {"upper", "middle", "lower", "won", "lost", NULL};
static const char *const categories[] = {"pipeline", "best_case", "commit", "closed", "omitted",
					 NULL};
static const char *const enforcements[] = {"strict", "guided", "free", NULL};
static const char *const criterion_kinds[] = {"field", "activity", "document", "payment", NULL};
static const char *const criterion_fields[] = {"amount", "close_date", "contact_id", "channel",
					       "forecast_category", "decision_maker", NULL};
static const char *const activity_types[] = {"call", "meeting", "email", "task", "note", NULL};

#define CHOICE(name, flags, choices, doc) {{name, FT_ENUM, flags, 0, 0, choices, NULL, doc}, NULL}

static const struct sprop p_criterion[] = {
	CHOICE("kind", REQ, criterion_kinds,
	       "field: a field of the deal is filled; activity: one of its type was done; "
	       "document: one of its kind is attached; payment: it is paid"),
	CHOICE("field", REQ | P_NULL, criterion_fields, "For kind field"),
	CHOICE("activity_type", REQ | P_NULL, activity_types, "For kind activity"),
	PROP("document_kind", FT_TEXT, REQ | P_NULL, 200, "For kind document (proposal, contract ...)"),
	PROP("label", FT_TEXT, REQ | P_NULL, 250, "How the criterion reads to salespeople"),
};
static const struct sprop p_criterion_in[] = {
	CHOICE("kind", REQ, criterion_kinds, "What must hold to leave the stage"),
	CHOICE("field", 0, criterion_fields, "For kind field"),
	CHOICE("activity_type", 0, activity_types, "For kind activity"),
	PROP("document_kind", FT_TEXT, 0, 200, "For kind document: a word such as proposal"),
	PROP("label", FT_TEXT, 0, 250, "How the criterion reads to salespeople"),
};
static const struct sprop p_stage[] = {
	PROP("id", FT_INT, REQ, 0, "Stage id"),
	PROP("key", FT_TEXT, REQ, 200, "Stable key, what an opportunity's stage holds"),
	PROP("name", FT_TEXT, REQ, 200, "Name shown to people"),
	PROP("position", FT_INT, REQ, 0, "Order in the pipeline"),
	{{"probability", FT_PERCENT, REQ, 0, 0, NULL, NULL, "Win probability in percent"}, NULL},
	CHOICE("section", REQ, sections, "Place in the funnel"),
	CHOICE("forecast_category", REQ, categories, "Forecast category of deals here"),
	PROP("stale_days", FT_INT, REQ, 0, "A deal here longer than this is stale"),
	PROP("idle_days", FT_INT, REQ, 0, "A deal with no activity this long is idle"),
	SUB("criteria", "PipelineCriterion[]", REQ, "Exit criteria"),
};
static const struct sprop p_stage_in[] = {
	PROP("key", FT_TEXT, REQ, 200, "Lower-case letters, digits and _; unique in the pipeline"),
	PROP("name", FT_TEXT, REQ, 200, "Name shown to people"),
	CHOICE("section", REQ, sections, "Place in the funnel; stages go in funnel order"),
	{{"probability", FT_PERCENT, 0, 0, 0, NULL, NULL,
	  "Win probability (required for open stages; won 100, lost 0)"},
	 NULL},
	CHOICE("forecast_category", 0, categories, "Default: by section"),
	{{"stale_days", FT_INT, 0, 0, 3650, NULL, NULL, "Default 30"}, NULL},
	{{"idle_days", FT_INT, 0, 0, 3650, NULL, NULL, "Default 14"}, NULL},
	SUB("criteria", "PipelineCriterionInput[]", 0, "Exit criteria"),
};
static const struct sprop p_pipeline[] = {
	PROP("id", FT_INT, REQ, 0, "Pipeline id"),
	PROP("name", FT_TEXT, REQ, 200, "Name (unique)"),
	{{"team_id", FT_REF, REQ | P_NULL, 0, 0, NULL, "teams", "The team it serves (and those below)"},
	 NULL},
	CHOICE("channel", REQ | P_NULL, channel_choices, "The sales channel it serves"),
	CHOICE("enforcement", REQ, enforcements,
	       "strict: forward one stage at a time, criteria checked; guided: forward to any "
	       "later stage whose criteria hold, back freely; free: anything"),
	PROP("is_default", FT_BOOL, REQ, 0, "The pipeline for deals no other one serves"),
	PROP("version", FT_INT, REQ, 0, "Grows with every change; the ETag is \"v<version>\""),
	PROP("created_at", FT_TIME, REQ, 0, "When it was made"),
	PROP("updated_at", FT_TIME, REQ, 0, "When it last changed"),
	SUB("stages", "PipelineStage[]", REQ, "Its stages, in order"),
};
static const struct sprop p_pipeline_create[] = {
	PROP("name", FT_TEXT, REQ, 200, "Name (unique)"),
	{{"team_id", FT_REF, 0, 0, 0, NULL, "teams", "The team it serves (and those below)"}, NULL},
	CHOICE("channel", 0, channel_choices, "The sales channel it serves"),
	CHOICE("enforcement", 0, enforcements, "Default guided"),
	PROP("is_default", FT_BOOL, FF_NOTNULL, 0, "Make it the default pipeline"),
	SUB("stages", "PipelineStageInput[]", REQ,
	    "3 to 32 stages in funnel order: open ones, a won one, a lost one"),
};
static const struct sprop p_pipeline_update[] = {
	PROP("name", FT_TEXT, 0, 200, "Name (unique)"),
	{{"team_id", FT_REF, 0, 0, 0, NULL, "teams", "The team it serves (and those below)"}, NULL},
	CHOICE("channel", 0, channel_choices, "The sales channel it serves"),
	CHOICE("enforcement", 0, enforcements, "How strictly moves are checked"),
	PROP("is_default", FT_BOOL, FF_NOTNULL, 0, "Make it the default pipeline"),
	SUB("stages", "PipelineStageInput[]", 0, "All the stages, replacing the old ones"),
	SUB("reassign", "StageReassign", 0,
	    "For each removed stage that has deals: the stage they move to"),
};
static const struct sprop p_pipeline_list[] = {
	SUB("data", "Pipeline[]", REQ, "Every pipeline"),
};
static const struct sprop p_move[] = {
	PROP("stage", FT_TEXT, REQ, 64, "Key of the stage to move to"),
	PROP("lost_reason", FT_TEXT, 0, 200, "Why it was lost (a lost stage needs one of the list)"),
	PROP("override", FT_BOOL, 0, 0,
	     "A manager moves past the pipeline's rules (needs a reason)"),
	PROP("reason", FT_TEXT, 0, 1000, "Why: the salesperson's or manager's words, on the record"),
};

static const struct sprop p_form_submitted[] = {
	PROP("lead_id", FT_INT, REQ, 0, "The new lead"),
};
static const struct sprop p_form_embed[] = {
	PROP("form_id", FT_INT, REQ, 0, "The form"),
	PROP("url", FT_TEXT, REQ, 0, "Its public address, as this request reached the server"),
	PROP("embed", FT_TEXT, REQ, 0, "An iframe to paste into a web page"),
};
static const struct sprop p_convert_opp[] = {
	PROP("name", FT_TEXT, 0, 200, "Default: \"<company> \u2014 <lead name>\""),
	PROP("amount", FT_MONEY, 0, 0, "Expected value, in currency"),
	PROP("currency", FT_CURRENCY, 0, 0, "ISO 4217 code (default EUR)"),
	PROP("close_date", FT_DATE, 0, 0, "Default: in 90 days"),
	{{"channel", FT_ENUM, 0, 0, 0, channel_choices, NULL, "Default: the lead's"}, NULL},
};
static const struct sprop p_convert[] = {
	PROP("account_id", FT_REF, 0, 0, "Link this account instead of finding or making one"),
	PROP("contact_id", FT_REF, 0, 0, "Link this contact (of that account)"),
	SUB("opportunity", "LeadConversionOpportunity", 0, "The new deal's details"),
};
static const struct sprop p_converted[] = {
	SUB("lead", "Lead", REQ, "The lead, qualified, with its converted_* links"),
	SUB("account", "Account", REQ, "The account, with created or linked (true)"),
	SUB("contact", "Contact", REQ, "The contact, with created or linked (true)"),
	SUB("opportunity", "Opportunity", REQ, "The new deal"),
};

static const char *const related_choices[] = {"account", "contact", "lead", "opportunity", NULL};
static const char *const pay_states[] = {"due", "partially_paid", "paid", "overdue", NULL};
static const struct sprop p_attachment[] = {
	PROP("id", FT_INT, REQ, 0, "The attachment"),
	PROP("filename", FT_TEXT, REQ, 200, "File name as uploaded (no path)"),
	PROP("content_type", FT_TEXT, REQ, 0, "Media type, checked against the content"),
	PROP("size", FT_INT, REQ, 0, "Bytes"),
	PROP("sha256", FT_TEXT, REQ, 0, "Hex SHA-256 of the content (it is stored by it)"),
	PROP("kind", FT_TEXT, REQ | P_NULL, 0,
	     "What it is for the sales process: proposal, contract, welcome_letter, recording …"),
	{{"related_type", FT_ENUM, REQ, 0, 0, related_choices, NULL, "Kind of record it is on"},
	 NULL},
	PROP("related_id", FT_REF, REQ, 0, "The record it is on"),
	PROP("owner_id", FT_REF, REQ, 0, "Owner (the record's owner)"),
	PROP("created_by", FT_REF, REQ | P_NULL, 0, "Who uploaded or generated it"),
	PROP("created_at", FT_TIME, REQ, 0, "When"),
	PROP("url", FT_TEXT, REQ, 0, "Where to download the content"),
};
static const struct sprop p_attachment_list[] = {
	SUB("data", "Attachment[]", REQ, "The attachments of the record"),
};
static const struct sprop p_document_in[] = {
	PROP("template_id", FT_REF, 0, 0, "The template to render"),
	PROP("kind", FT_TEXT, 0, 32, "Or: the first template of this kind (contract …)"),
};
static const struct sprop p_installment_in[] = {
	PROP("due_date", FT_DATE, REQ, 0, "When it is due"),
	PROP("amount", FT_MONEY, REQ, 0, "How much, in the deal's currency"),
};
static const struct sprop p_installments_in[] = {
	SUB("installments", "InstallmentInput[]", REQ,
	    "The whole schedule; it replaces the old one.  Sums to at most the deal amount"),
};
static const struct sprop p_payment_in[] = {
	PROP("amount", FT_MONEY, REQ, 0, "Paid, in the deal's currency; at most what is outstanding"),
	PROP("paid_at", FT_DATE, REQ, 0, "When (not in the future)"),
	PROP("method", FT_TEXT, 0, 100, "Transfer, card …"),
	PROP("reference", FT_TEXT, 0, 200, "Bank reference, invoice number …"),
};
static const struct sprop p_installment[] = {
	PROP("id", FT_INT, REQ, 0, "The installment"),
	PROP("due_date", FT_DATE, REQ, 0, "When it is due"),
	PROP("amount", FT_MONEY, REQ, 0, "How much"),
	PROP("paid", FT_MONEY, REQ, 0, "How much of it is paid (payments go oldest first)"),
	{{"status", FT_ENUM, REQ, 0, 0, pay_states, NULL, "overdue: past due and not paid"}, NULL},
};
static const struct sprop p_payment[] = {
	PROP("id", FT_INT, REQ, 0, "The payment"),
	PROP("amount", FT_MONEY, REQ, 0, "How much"),
	PROP("paid_at", FT_DATE, REQ, 0, "When"),
	PROP("method", FT_TEXT, REQ | P_NULL, 0, "How"),
	PROP("reference", FT_TEXT, REQ | P_NULL, 0, "Reference"),
	PROP("created_by", FT_REF, REQ | P_NULL, 0, "Who recorded it"),
	PROP("created_at", FT_TIME, REQ, 0, "When it was recorded"),
};
static const struct sprop p_payment_status[] = {
	SUB("installments", "Installment[]", REQ, "The schedule, with what is paid of each"),
	{{"status", FT_ENUM, REQ, 0, 0, pay_states, NULL,
	  "The deal's payment status; paid moves it to payment collected"}, NULL},
	PROP("currency", FT_CURRENCY, REQ, 0, "The deal's currency"),
	PROP("amount", FT_MONEY, REQ, 0, "The deal amount"),
	PROP("scheduled", FT_MONEY, REQ | P_NULL, 0, "Sum of the schedule (null: none)"),
	PROP("to_pay", FT_MONEY, REQ, 0, "The schedule's sum, else the amount"),
	PROP("paid", FT_MONEY, REQ, 0, "Paid so far"),
	PROP("outstanding", FT_MONEY, REQ, 0, "Still to pay"),
	PROP("stage", FT_TEXT, REQ, 0, "The deal's stage now"),
	SUB("payments", "Payment[]", REQ, "Payments, oldest first"),
	PROP("payment_id", FT_INT, 0, 0, "After a payment: the new payment"),
	PROP("moved_to", FT_TEXT, P_NULL, 0,
	     "After a payment: payment_collected when it settled the deal and moved it"),
	SUB("next_step", "NextStep", 0,
	    "After a payment that settled the deal but could not move it: why (null otherwise)"),
};
static const struct sprop p_next_step[] = {
	PROP("stage", FT_TEXT, REQ, 0, "The stage it would move to"),
	PROP("detail", FT_TEXT, REQ, 0, "What happened"),
	SUB("blocked_by", "string[]", REQ, "The unmet rules, in words"),
};

/* Handovers (src/crm/handover.h). */
static const char *const ho_states[] = {"draft", "executed", "cancelled", NULL};
static const char *const ho_sections[] = {"lower", "middle", "upper", "other", NULL};
static const char *const ho_resources[] = {"opportunities", "leads", "accounts", "contacts",
					   "activities", NULL};
static const char *const ho_follows[] = {"opportunities", "leads", "accounts", "contacts",
					 NULL};
static const char *const ho_actions[] = {"manager_takes_over", "introduce_successor",
					 "successor_contacts", "follow_deal", "follow_record",
					 "to_successor", NULL};
static const char *const ho_outcomes[] = {"applied", "skipped", NULL};
static const char *const ho_roles[] = {"leaver", "successor", "manager", "new_owner", NULL};
static const char *const ho_cancel[] = {"cancelled", NULL};

static const struct sprop p_ho_user[] = {
	PROP("id", FT_INT, REQ, 0, "The user"),
	PROP("name", FT_TEXT, REQ, 0, "Their name"),
	PROP("email", FT_TEXT, REQ, 0, "Their login e-mail"),
	PROP("active", FT_BOOL, REQ, 0, "false once disabled (the leaver, after execution)"),
};
static const struct sprop p_ho_choice[] = {
	PROP("automatic", FT_BOOL, REQ, 0, "Proposed by Funnel rather than named"),
	PROP("reason", FT_TEXT, REQ, 0, "Why this successor, in words"),
	PROP("load_measure", FT_TEXT, REQ, 0, "How load is measured to choose among candidates"),
};
static const struct sprop p_ho_item[] = {
	PROP("id", FT_INT, REQ, 0, "The item (PATCH .../items/{item_id})"),
	CHOICE("resource", REQ, ho_resources, "Kind of record"),
	PROP("record_id", FT_INT, REQ, 0, "The record"),
	PROP("label", FT_TEXT, REQ, 0, "Its name when planned"),
	CHOICE("section", REQ, ho_sections, "Where in the funnel (other: no deal to follow)"),
	PROP("stage", FT_TEXT, REQ | P_NULL, 0, "Opportunities: the stage key when planned"),
	PROP("new_owner_id", FT_INT, REQ, 0, "Who owns it after execution"),
	PROP("new_owner_name", FT_TEXT, REQ, 0, "Their name"),
	CHOICE("action", REQ, ho_actions,
	       "lower: manager_takes_over; middle: introduce_successor (the leaver phones the "
	       "client with the successor); upper and leads: successor_contacts; accounts and "
	       "contacts: follow_deal; activities: follow_record; else to_successor"),
	PROP("task_subject", FT_TEXT, REQ | P_NULL, 0, "The task made on execution (null: none)"),
	PROP("task_due_at", FT_TIME, REQ | P_NULL, 0,
	     "When it is due: lower first, then middle, then upper"),
	PROP("task_owner_id", FT_INT, REQ | P_NULL, 0,
	     "Who must do it (middle: the leaver; the activity is filed under the new owner, "
	     "who is on the call too, since the leaver's login ends)"),
	PROP("task_owner_name", FT_TEXT, REQ | P_NULL, 0, "Their name"),
	CHOICE("follows_resource", REQ | P_NULL, ho_follows, "The record whose new owner it follows"),
	PROP("follows_id", FT_INT, REQ | P_NULL, 0, "Its id"),
	PROP("included", FT_BOOL, REQ, 0, "Applied on execution (an excluded record the leaver "
					  "still owns blocks execution)"),
	CHOICE("outcome", REQ | P_NULL, ho_outcomes,
	       "After execution: applied, or skipped (no longer the leaver's, or closed)"),
	PROP("activity_id", FT_INT, REQ | P_NULL, 0, "After execution: the task made"),
};
static const struct sprop p_ho_sections[] = {
	SUB("lower", "HandoverItem[]", REQ, "Lower funnel: the manager takes over"),
	SUB("middle", "HandoverItem[]", REQ, "Middle funnel: the leaver introduces the successor"),
	SUB("upper", "HandoverItem[]", REQ, "Upper funnel and leads: the successor, afterwards"),
	SUB("other", "HandoverItem[]", REQ, "Records with no deal to follow"),
};
static const struct sprop p_ho_by_section[] = {
	PROP("lower", FT_INT, REQ, 0, "Included items"),
	PROP("middle", FT_INT, REQ, 0, "Included items"),
	PROP("upper", FT_INT, REQ, 0, "Included items"),
	PROP("other", FT_INT, REQ, 0, "Included items"),
};
static const struct sprop p_ho_owned[] = {
	PROP("opportunities", FT_INT, REQ, 0, "Open opportunities"),
	PROP("leads", FT_INT, REQ, 0, "Open leads (new, working, qualified; not converted)"),
	PROP("accounts", FT_INT, REQ, 0, "Accounts"),
	PROP("contacts", FT_INT, REQ, 0, "Contacts"),
	PROP("activities", FT_INT, REQ, 0, "Pending activities (not done)"),
};
static const struct sprop p_ho_planned[] = {
	SUB("by_section", "HandoverBySection", REQ, "Included items per section"),
	SUB("by_resource", "HandoverOwned", REQ, "Included items per kind of record"),
};
static const struct sprop p_ho_owner_count[] = {
	PROP("user_id", FT_INT, REQ, 0, "The user"),
	PROP("name", FT_TEXT, REQ, 0, "Their name"),
	CHOICE("role", REQ, ho_roles, "Their part in the handover"),
	PROP("opportunities", FT_INT, REQ, 0, "Open opportunities they own"),
	PROP("leads", FT_INT, REQ, 0, "Open leads they own"),
	PROP("accounts", FT_INT, REQ, 0, "Accounts they own"),
	PROP("contacts", FT_INT, REQ, 0, "Contacts they own"),
	PROP("activities", FT_INT, REQ, 0, "Pending activities they own"),
};
static const struct sprop p_ho_counts[] = {
	SUB("planned", "HandoverPlanned", REQ, "What the plan moves"),
	SUB("before", "HandoverOwnerCount[]", REQ,
	    "What each person concerned owned just before execution (empty until executed)"),
	SUB("after", "HandoverOwnerCount[]", REQ, "And just after (the leaver: all zero)"),
};
#define HANDOVER_HEAD                                                                          \
	PROP("id", FT_INT, REQ, 0, "The handover"),                                            \
	CHOICE("status", REQ, ho_states, "draft (may change), executed or cancelled (final)"), \
	SUB("successor_choice", "HandoverSuccessorChoice", REQ, "How the successor was chosen"), \
	PROP("manager_reason", FT_TEXT, REQ, 0, "How the manager was chosen"),                 \
	PROP("note", FT_TEXT, REQ | P_NULL, 0, "Free text"),                                    \
	PROP("planned_at", FT_TIME, REQ, 0, "When the items were last computed"),              \
	PROP("created_by", FT_INT, REQ | P_NULL, 0, "Who planned it (null: the command line)"), \
	PROP("created_at", FT_TIME, REQ, 0, "When"),                                           \
	PROP("updated_at", FT_TIME, REQ, 0, "Last change"),                                    \
	PROP("executed_at", FT_TIME, REQ | P_NULL, 0, "When it was executed"),                 \
	PROP("executed_by", FT_INT, REQ | P_NULL, 0, "Who executed it"),                       \
	PROP("version", FT_INT, REQ, 0, "Grows with every change"),                            \
	SUB("from_user", "HandoverUser", REQ, "The person leaving"),                           \
	SUB("successor", "HandoverUser", REQ, "Who takes the middle and upper funnel"),        \
	SUB("manager", "HandoverUser", REQ, "Who takes the lower funnel")
static const struct sprop p_ho_summary[] = {
	HANDOVER_HEAD,
};
static const struct sprop p_handover[] = {
	HANDOVER_HEAD,
	SUB("counts", "HandoverCounts", REQ, "What moves, and who owned what before and after"),
	SUB("sections", "HandoverSections", REQ, "The items by funnel section"),
	SUB("history", "HistoryEntry[]", REQ, "The handover's own audit trail"),
};
static const struct sprop p_ho_list[] = {
	SUB("data", "HandoverSummary[]", REQ, "Handovers of the people the caller manages, newest "
					      "first"),
};
static const struct sprop p_ho_create[] = {
	PROP("from_user", FT_REF, REQ, 0, "The person leaving: a user id, or their e-mail"),
	PROP("successor", FT_REF, P_NULL, 0,
	     "A user id or e-mail; null or left out: proposed (same team or nearest up, same "
	     "territory, then channel, then fewest open opportunities)"),
	PROP("manager", FT_REF, P_NULL, 0,
	     "A user id or e-mail; null or left out: the leaver's manager, else a manager of "
	     "their team or the nearest team up"),
	PROP("note", FT_TEXT, P_NULL, 4000, "Free text"),
};
static const struct sprop p_ho_update[] = {
	PROP("successor", FT_REF, P_NULL, 0, "Re-plan with this successor (null: proposed again)"),
	PROP("manager", FT_REF, P_NULL, 0, "Re-plan with this manager (null: proposed again)"),
	PROP("note", FT_TEXT, P_NULL, 4000, "Free text"),
	CHOICE("status", 0, ho_cancel, "cancelled ends the draft"),
};
static const struct sprop p_ho_item_update[] = {
	PROP("new_owner_id", FT_REF, 0, 0, "An active user the caller may assign to, not the "
					   "leaver"),
	PROP("included", FT_BOOL, 0, 0, "false leaves the record out"),
	PROP("task_due_at", FT_TIME, 0, 0, "When the task is due"),
	PROP("task_subject", FT_TEXT, 0, 200, "What the task says"),
};

static const struct sprop p_problem_error[] = {
	PROP("field", FT_TEXT, REQ, 0, "The input (member, query parameter or header) at fault"),
	PROP("message", FT_TEXT, REQ, 0, "What is wrong with it"),
};
static const struct sprop p_problem[] = {
	PROP("type", FT_TEXT, REQ, 0,
	     "A URI naming the kind of problem: https://funnel.dev/problems/<slug>"),
	PROP("title", FT_TEXT, REQ, 0, "Short and stable for each kind (\"Invalid input\")"),
	PROP("status", FT_INT, REQ, 0, "The HTTP status"),
	PROP("detail", FT_TEXT, REQ, 0, "What happened, for a human"),
	SUB("errors", "ProblemError[]", 0,
	    "Every problem with the input at once, one per field (400 only)"),
};

/* Reports: stale deals (src/crm/stale.h) and performance (src/crm/performance.h). */
#define NUM(name, flags, doc) {{name, FT_TEXT, (flags) | P_NUMBER, 0, 0, NULL, NULL, doc}, NULL}
static const char *const open_sections[] = {"upper", "middle", "lower", NULL};
static const char *const evidence_kinds[] = {"threshold", "activity", "stage_history",
					     "time_in_stage", "decision_makers", "similar_deals",
					     NULL};
static const char *const hypotheses[] = {"lost_contact", "undecided", "competitor", "dilemma",
					 "approval", "budget", "internal_disagreement", NULL};
static const char *const stale_actions[] = {"call", "requalify", "competitive_check",
					    "decision_meeting", "map_decision_makers",
					    "involve_manager", NULL};
static const char *const idle_froms[] = {"activity", "stage_change", "creation", NULL};
static const char *const betters[] = {"higher", "lower", NULL};
static const char *const segment_levels[] = {"territory+industry+channel", "territory+channel",
					     "channel", "all", NULL};

static const struct sprop p_stale_evidence[] = {
	CHOICE("kind", REQ, evidence_kinds, "What part of the record it comes from"),
	PROP("detail", FT_TEXT, REQ, 0, "What it says, in words"),
};
static const struct sprop p_stale_diagnosis[] = {
	CHOICE("hypothesis", REQ, hypotheses,
	       "upper: lost_contact or undecided; middle: competitor or dilemma; lower: "
	       "approval, budget or internal_disagreement"),
	PROP("summary", FT_TEXT, REQ, 0, "The diagnosis, in words"),
	CHOICE("action", REQ, stale_actions, "The suggested action"),
	PROP("suggestion", FT_TEXT, REQ, 0, "The action, in words"),
	PROP("based_on", FT_JSON, REQ, 0, "The evidence kinds the choice rests on (an array)"),
};
static const struct sprop p_stale_deal[] = {
	PROP("id", FT_INT, REQ, 0, "The opportunity"),
	PROP("name", FT_TEXT, REQ, 0, "Its name"),
	PROP("account_id", FT_REF, REQ, 0, "The customer"),
	PROP("account_name", FT_TEXT, REQ, 0, "The customer's name"),
	PROP("owner_id", FT_REF, REQ, 0, "The salesperson"),
	PROP("owner_name", FT_TEXT, REQ, 0, "The salesperson's name"),
	PROP("amount", FT_MONEY, REQ, 0, "Expected value, in currency"),
	PROP("currency", FT_CURRENCY, REQ, 0, "ISO 4217 code"),
	PROP("pipeline_id", FT_REF, REQ, 0, "Its pipeline"),
	PROP("stage", FT_TEXT, REQ, 0, "Key of the current stage"),
	PROP("stage_name", FT_TEXT, REQ, 0, "Name of the current stage"),
	CHOICE("section", REQ, open_sections, "Where in the funnel it is stuck"),
	PROP("stage_entered_at", FT_TIME, REQ, 0, "When it entered the stage"),
	PROP("days_in_stage", FT_INT, REQ, 0, "Whole days since then"),
	PROP("stale_days", FT_INT, REQ, 0, "The stage's limit (0: none)"),
	PROP("days_idle", FT_INT, REQ, 0, "Whole days without activity"),
	PROP("idle_days", FT_INT, REQ, 0, "The stage's idle limit (0: none)"),
	PROP("idle_since", FT_TIME, REQ, 0, "What days_idle is measured from"),
	CHOICE("idle_from", REQ, idle_froms,
	       "activity: the last done activity on the deal; else the later of the last stage "
	       "change and the creation"),
	PROP("thresholds", FT_JSON, REQ, 0, "The limits passed: \"stage\", \"idle\" (an array)"),
	NUM("severity", REQ, "Days over limit, as the largest ratio of days to limit passed"),
	SUB("diagnosis", "StaleDiagnosis", REQ, "Why it is probably stuck, and what to do"),
	SUB("evidence", "StaleEvidence[]", REQ, "The facts on the record the diagnosis used"),
};
static const struct sprop p_stale_group[] = {
	PROP("owner_id", FT_REF, REQ, 0, "The salesperson"),
	PROP("owner_name", FT_TEXT, REQ, 0, "Their name"),
	PROP("count", FT_INT, REQ, 0, "Their stale deals"),
	PROP("amount", FT_MONEY, REQ, 0, "Sum of those in the report's currency"),
	PROP("excluded", FT_INT, REQ, 0, "Their stale deals in other currencies"),
	SUB("deals", "StaleDeal[]", REQ, "Those of the deals shown (within limit) that are theirs"),
};
static const struct sprop p_stale_report[] = {
	PROP("now", FT_TIME, REQ, 0, "The instant days are counted to"),
	PROP("currency", FT_CURRENCY, REQ, 0, "The currency amounts are summed in"),
	PROP("total", FT_INT, REQ, 0, "Stale deals found (all of them, beyond limit)"),
	PROP("amount", FT_MONEY, REQ, 0, "Their sum in currency"),
	PROP("excluded", FT_INT, REQ, 0, "Stale deals in other currencies, not in amount"),
	PROP("limit", FT_INT, REQ, 0, "At most this many deals are shown"),
	PROP("truncated", FT_BOOL, REQ, 0, "More were found than shown"),
	SUB("data", "StaleDeal[]", 0, "The most severe first (without group_by)"),
	SUB("groups", "StaleGroup[]", 0, "Per salesperson, largest amount first (group_by=owner)"),
};
static const struct sprop p_perf_figure[] = {
	NUM("value", REQ | P_NULL, "The rep's figure (null: not defined for them)"),
	CHOICE("better", REQ, betters, "Which way is good"),
	PROP("n", FT_INT, REQ, 0, "Peers in the segment that have the figure"),
	NUM("mean", REQ | P_NULL, "Their mean"),
	NUM("median", REQ | P_NULL, "Their median"),
	NUM("percentile", REQ | P_NULL, "Mid-rank percentile of the rep among them, 0..100"),
	NUM("z", REQ | P_NULL, "z-score among them (null: no spread)"),
};
static const struct sprop p_perf_figures[] = {
	SUB("quota", "PerformanceFigure", REQ, "The period's quota"),
	SUB("closed_won", "PerformanceFigure", REQ, "Won in the period"),
	SUB("attainment", "PerformanceFigure", REQ, "closed_won / quota"),
	SUB("weighted_pipeline", "PerformanceFigure", REQ,
	    "Open deals due in the period, amount x probability"),
	SUB("coverage", "PerformanceFigure", REQ, "weighted_pipeline / remaining quota"),
	SUB("win_rate", "PerformanceFigure", REQ, "won / (won + lost) in the period"),
	SUB("cycle_days", "PerformanceFigure", REQ, "Mean days from creation to won"),
	SUB("activities", "PerformanceFigure", REQ, "Activities done in the period"),
	SUB("new_opportunities", "PerformanceFigure", REQ, "Deals created in the period"),
};
static const struct sprop p_perf_segment[] = {
	CHOICE("level", REQ, segment_levels, "Which peers the rep is compared with"),
	PROP("territory", FT_TEXT, REQ | P_NULL, 0, "Their territory (when part of the level)"),
	PROP("industry", FT_TEXT, REQ | P_NULL, 0, "Their industry (when part of the level)"),
	PROP("channel", FT_TEXT, REQ | P_NULL, 0, "Their channel (when part of the level)"),
	PROP("n", FT_INT, REQ, 0, "Reps in the segment, the rep included"),
};
static const struct sprop p_activity_counts[] = {
	PROP("call", FT_INT, REQ, 0, "Calls"),
	PROP("meeting", FT_INT, REQ, 0, "Meetings"),
	PROP("email", FT_INT, REQ, 0, "E-mails"),
	PROP("task", FT_INT, REQ, 0, "Tasks"),
	PROP("note", FT_INT, REQ, 0, "Notes"),
};
static const struct sprop p_perf_rep[] = {
	PROP("user_id", FT_REF, REQ, 0, "The salesperson"),
	PROP("name", FT_TEXT, REQ, 0, "Their name"),
	PROP("territory", FT_TEXT, REQ | P_NULL, 0, "Their territory"),
	PROP("industry", FT_TEXT, REQ | P_NULL, 0, "Their industry"),
	CHOICE("channel", REQ | P_NULL, channel_choices, "Their channel"),
	SUB("segment", "PerformanceSegment", REQ, "The peers they are compared with"),
	PROP("won", FT_INT, REQ, 0, "Deals won in the period"),
	PROP("lost", FT_INT, REQ, 0, "Deals lost in the period"),
	PROP("excluded", FT_INT, REQ, 0, "Their deals left out of amounts (other currencies)"),
	SUB("activities_by_type", "ActivityCounts", REQ, "Activities done in the period"),
	SUB("figures", "PerformanceFigures", REQ, "Each figure and its place in the segment"),
};
static const struct sprop p_perf_excluded[] = {
	PROP("opportunities", FT_INT, REQ, 0, "Deals of the reps shown in other currencies"),
	PROP("quotas", FT_INT, REQ, 0, "Quotas of the reps shown in other currencies"),
};
static const struct sprop p_perf_report[] = {
	PROP("period", FT_TEXT, REQ, 0, "As asked"),
	PROP("from", FT_DATE, REQ, 0, "Its first day"),
	PROP("to", FT_DATE, REQ, 0, "Its last day"),
	PROP("currency", FT_CURRENCY, REQ, 0, "The currency of the amounts"),
	SUB("excluded", "PerformanceExcluded", REQ, "What other currencies left out"),
	PROP("method", FT_TEXT, REQ, 0, "How the comparison with peers is made, in words"),
	SUB("data", "PerformanceRep[]", REQ, "The salespeople the caller may see, by name"),
};

/* The forecasting process (src/crm/forecast_process.h). */
static const char *const fp_scopes[] = {"user", "team", "company", NULL};
static const char *const fp_sources[] = {"weighted", "categories", "historical", "simulation",
					 "submission", NULL};
static const struct sprop p_fsub_create[] = {
	PROP("period", FT_TEXT, REQ, 7, "The quarter (2026-Q4) or month (2026-11)"),
	CHOICE("scope", REQ, fp_scopes,
	       "user: the submitter's own number; team: a team of a manager's subtree "
	       "(team_id); company: admins only"),
	PROP("team_id", FT_REF, 0, 0, "The team, for scope team"),
	PROP("commit", FT_MONEY, REQ, 0,
	     "What will book in the period for sure, closed-won included (not negative)"),
	PROP("best_case", FT_MONEY, REQ, 0, "What the period may book at best (at least commit)"),
	PROP("currency", FT_CURRENCY, 0, 0, "ISO 4217 code (default EUR)"),
	PROP("note", FT_LONGTEXT, 0, 2000, "Why, for the manager"),
};
static const struct sprop p_fsub[] = {
	PROP("id", FT_INT, REQ, 0, "The submission (ids grow with time)"),
	PROP("period", FT_TEXT, REQ, 0, "The quarter or month"),
	CHOICE("scope", REQ, fp_scopes, "Whose number it is"),
	PROP("scope_id", FT_REF, REQ | P_NULL, 0, "The user or team; null for the company"),
	PROP("scope_name", FT_TEXT, REQ, 0, "Their name"),
	PROP("submitter_id", FT_REF, REQ, 0, "Who submitted it"),
	PROP("submitter_name", FT_TEXT, REQ, 0, "Their name"),
	PROP("currency", FT_CURRENCY, REQ, 0, "ISO 4217 code"),
	PROP("commit", FT_MONEY, REQ, 0, "The commit number"),
	PROP("best_case", FT_MONEY, REQ, 0, "The best-case number"),
	PROP("note", FT_LONGTEXT, REQ | P_NULL, 0, "Why"),
	PROP("submitted_at", FT_TIME, REQ, 0, "When"),
};
static const struct sprop p_fsub_list[] = {
	SUB("data", "ForecastSubmission[]", REQ, "Newest first"),
	PROP("next_cursor", FT_TEXT, REQ | P_NULL, 0,
	     "Pass as ?cursor= for older ones; null on the last page"),
};
static const struct sprop p_fscope[] = {
	CHOICE("kind", REQ, fp_scopes, "user, team (with its subtree) or company"),
	PROP("id", FT_REF, REQ | P_NULL, 0, "The user or team; null for the company"),
	PROP("name", FT_TEXT, REQ, 0, "Its name"),
};
static const struct sprop p_fmember[] = {
	CHOICE("kind", REQ, fp_scopes, "A direct member (user) or a child team (team)"),
	PROP("id", FT_REF, REQ, 0, "The user or team"),
	PROP("name", FT_TEXT, REQ, 0, "Its name"),
	PROP("role", FT_TEXT, 0, 0, "A user's role"),
	PROP("submission", FT_JSON, REQ | P_NULL, 0,
	     "The latest submission for the member (a ForecastSubmission), or null"),
	PROP("models", FT_JSON, REQ | P_NULL, 0,
	     "The engine's models for the member (a ForecastModelFigures; null when the index "
	     "does not know them yet)"),
};
static const struct sprop p_fsum[] = {
	PROP("commit", FT_MONEY, REQ, 0, "Sum of the members' commit numbers"),
	PROP("best_case", FT_MONEY, REQ, 0, "Sum of their best-case numbers"),
	PROP("submitted", FT_INT, REQ, 0, "Members with a submission in the currency"),
	PROP("missing", FT_INT, REQ, 0, "Members without one"),
	PROP("other_currency", FT_INT, REQ, 0, "Members whose submission is in another currency"),
};
static const struct sprop p_frollup[] = {
	PROP("period", FT_TEXT, REQ, 0, "As asked"),
	SUB("scope", "ForecastScopeRef", REQ, "The team (or the company)"),
	PROP("currency", FT_CURRENCY, REQ, 0, "The currency of the sums and models"),
	SUB("models", "ForecastModelFigures", REQ, "The engine's models for the whole scope"),
	SUB("submissions", "ForecastSubmission[]", REQ,
	    "The scope's own current numbers: the latest of each submitter (the manager's)"),
	SUB("members", "ForecastRollupMember[]", REQ, "Direct members, then child teams"),
	SUB("sum", "ForecastRollupSum", REQ, "The members' submissions added up"),
};
static const struct sprop p_facc_week[] = {
	PROP("week", FT_TEXT, REQ, 0, "The snapshot's ISO week (2026-W40)"),
	PROP("as_of", FT_TIME, REQ, 0, "The instant the forecast was as of"),
	PROP("forecast", FT_MONEY, REQ, 0, "The total the period would book"),
	PROP("p10", FT_MONEY, 0, 0, "Models with an interval"),
	PROP("p90", FT_MONEY, 0, 0, "Models with an interval"),
	PROP("commit", FT_MONEY, 0, 0, "Submissions"),
	PROP("best_case", FT_MONEY, 0, 0, "Submissions"),
	PROP("submission_id", FT_REF, 0, 0, "Submissions"),
	PROP("error", FT_MONEY, REQ, 0, "forecast - actual"),
	NUM("ape", REQ | P_NULL, "|error| / actual (null when the actual is 0)"),
	NUM("bias", REQ | P_NULL, "error / actual: positive when the forecast ran high"),
	PROP("inside", FT_BOOL, REQ | P_NULL, 0,
	     "P10 <= actual <= P90 (submissions: commit <= actual <= best_case); null when no "
	     "interval is claimed"),
};
static const struct sprop p_facc_forecast[] = {
	CHOICE("source", REQ, fp_sources, "A model, or a person's submission"),
	PROP("submitter_id", FT_REF, 0, 0, "For submissions"),
	PROP("submitter_name", FT_TEXT, 0, 0, "For submissions"),
	SUB("weeks", "ForecastAccuracyWeek[]", REQ, "Each weekly snapshot, the first first"),
	PROP("n", FT_INT, REQ, 0, "Snapshots"),
	NUM("mape", REQ | P_NULL, "Mean APE over the weeks"),
	NUM("bias", REQ | P_NULL, "Mean bias over the weeks"),
	NUM("wape", REQ | P_NULL, "Σ |error| / Σ actual over the weeks"),
	NUM("coverage", REQ | P_NULL, "Share of weeks whose interval held the actual"),
};
static const struct sprop p_facc_scope[] = {
	SUB("scope", "ForecastScopeRef", REQ, "Whose forecasts"),
	PROP("currency", FT_CURRENCY, REQ, 0, "Of the snapshots and the actual"),
	PROP("actual", FT_MONEY, REQ, 0, "Closed-won in the period"),
	SUB("forecasts", "ForecastAccuracySource[]", REQ, "Per model and submitter"),
};
static const struct sprop p_facc[] = {
	PROP("period", FT_TEXT, REQ, 0, "As asked"),
	PROP("from", FT_TIME, REQ, 0, "Its start"),
	PROP("to", FT_TIME, REQ, 0, "Its end (exclusive)"),
	PROP("actual", FT_TEXT, REQ, 0, "What the actual is, in words"),
	PROP("forecast", FT_TEXT, REQ, 0, "What the forecast compared is, in words"),
	SUB("scopes", "ForecastAccuracyScope[]", REQ, "Company, teams, users"),
};

/* --- Forecast ranges (issue 17): the range's calibration in the forecast and
 * the backtest's coverage by scope size.  One block, to move as a whole. */
static const struct sprop p_fc_calibration[] = {
	PROP("basis", FT_TEXT, REQ, 0, "Whose errors the range's width comes from: own (the "
				       "scope's past periods, 4 or more), parent_scaled (its "
				       "parent's, scaled by size), prior (too few anywhere)"),
	PROP("periods_measured", FT_INT, REQ, 0, "The scope's own past periods measured"),
	PROP("periods_checked", FT_INT, REQ, 0, "Past periods whose range, made then from the "
						"periods before them, was checked"),
	PROP("periods_held", FT_INT, REQ, 0, "Of those, how many held what the period booked"),
};
static const struct sprop p_fbt_level[] = {
	PROP("range", FT_TEXT, REQ, 0, "P25-P75, P10-P90 or P05-P95"),
	NUM("nominal", REQ, "What it promises: 0.5, 0.8, 0.9"),
	PROP("inside", FT_INT, REQ, 0, "Forecasts whose range held the actual"),
	NUM("observed", REQ, "inside / n"),
	NUM("ci_low", REQ, "95 % Wilson interval of observed, low"),
	NUM("ci_high", REQ, "... high"),
};
static const struct sprop p_fbt_coverage[] = {
	PROP("scope", FT_TEXT, REQ, 0, "company, team or rep (the scopes of that size, pooled)"),
	PROP("period_kind", FT_TEXT, REQ, 0, "quarter or month"),
	PROP("model", FT_TEXT, REQ, 0, "historical or simulation"),
	PROP("n", FT_INT, REQ, 0, "Forecasts"),
	PROP("groups", FT_INT, REQ, 0, "(period, scope) pairs: a period's as_of points are alike, "
				       "so this is the independent count"),
	SUB("levels", "ForecastBacktestLevel[]", REQ, "The 50, 80 and 90 % ranges"),
};
static const struct sprop p_fbt_calib[] = {
	PROP("basis", FT_TEXT, REQ, 0, "own, parent_scaled or prior"),
	PROP("periods_measured", FT_INT, REQ, 0, "The scope's own past periods measured"),
};
/* --- end of forecast ranges (issue 17) */

/* The backtest (src/crm/forecast_accuracy.c, fp_backtest_query). */
static const struct sprop p_fbt_stats[] = {
	PROP("n", FT_INT, REQ, 0, "as_of points"),
	NUM("mape", REQ | P_NULL, "Mean |forecast - actual| / actual"),
	NUM("bias", REQ | P_NULL, "Mean (forecast - actual) / actual"),
	NUM("wape", REQ | P_NULL, "Σ |forecast - actual| / Σ actual"),
	NUM("coverage", REQ | P_NULL, "Share of points whose P10..P90 held the actual (null: no interval)"),
};
static const struct sprop p_fbt_models[] = {
	SUB("weighted", "ForecastBacktestStats", REQ, "The weighted model"),
	SUB("categories", "ForecastBacktestStats", REQ, "The categories model"),
	SUB("historical", "ForecastBacktestStats", REQ, "The historical model"),
	SUB("simulation", "ForecastBacktestStats", REQ, "The simulation"),
};
static const struct sprop p_fbt_week[] = {
	PROP("week", FT_INT, REQ, 0, "Weeks after the period's start (0: at it)"),
	SUB("weighted", "ForecastBacktestStats", REQ, "The weighted model"),
	SUB("categories", "ForecastBacktestStats", REQ, "The categories model"),
	SUB("historical", "ForecastBacktestStats", REQ, "The historical model"),
	SUB("simulation", "ForecastBacktestStats", REQ, "The simulation"),
};
static const struct sprop p_fbt_forecast[] = {
	PROP("forecast", FT_MONEY, REQ, 0, "The total the period would book, as of then"),
	PROP("p10", FT_MONEY, 0, 0, "Models with an interval"),
	PROP("p90", FT_MONEY, 0, 0, "Models with an interval"),
	PROP("p05", FT_MONEY, 0, 0, "Models with an interval: the 90 % range's low end"),
	PROP("p25", FT_MONEY, 0, 0, "... the 50 % range's low end"),
	PROP("p75", FT_MONEY, 0, 0, "... the 50 % range's high end"),
	PROP("p95", FT_MONEY, 0, 0, "... the 90 % range's high end"),
	SUB("calibration", "ForecastBacktestCalibration", 0,
	    "historical: the basis of its range then (basis, periods_measured)"),
	PROP("error", FT_MONEY, REQ, 0, "forecast - actual"),
	NUM("ape", REQ | P_NULL, "|error| / actual (null when the actual is 0)"),
	NUM("bias", REQ | P_NULL, "error / actual"),
	PROP("inside", FT_BOOL, REQ | P_NULL, 0, "P10 <= actual <= P90; null when no interval is claimed"),
};
static const struct sprop p_fbt_point[] = {
	PROP("period", FT_TEXT, REQ, 0, "2025-Q3 or 2025-07"),
	PROP("scope", FT_TEXT, REQ, 0, "company, team or user"),
	PROP("scope_id", FT_REF, REQ | P_NULL, 0, "The team or user; null for the company"),
	PROP("week", FT_INT, REQ, 0, "Weeks after the period's start"),
	PROP("as_of", FT_TIME, REQ, 0, "The instant the forecast is replayed as of"),
	PROP("currency", FT_CURRENCY, REQ, 0, "Of the forecasts and the actual"),
	PROP("actual", FT_MONEY, REQ, 0, "Closed-won in the period"),
	SUB("weighted", "ForecastBacktestForecast", REQ, "The weighted model"),
	SUB("categories", "ForecastBacktestForecast", REQ, "The categories model"),
	SUB("historical", "ForecastBacktestForecast", REQ, "The historical model"),
	SUB("simulation", "ForecastBacktestForecast", REQ, "The simulation"),
};
static const struct sprop p_fbt[] = {
	PROP("from", FT_TEXT, REQ, 0, "The first period"),
	PROP("to", FT_TEXT, REQ, 0, "The last period"),
	PROP("weeks", FT_INT, REQ, 0, "as_of points per period"),
	NUM("seconds", REQ, "The replay's wall time"),
	SUB("summary", "ForecastBacktestModels", REQ, "Per model over every point"),
	SUB("by_week", "ForecastBacktestWeek[]", REQ, "Per model and week"),
	SUB("coverage", "ForecastBacktestCoverage[]", REQ,
	    "Per scope size and model: how often the 50 / 80 / 90 % ranges held the actual"),
	SUB("points", "ForecastBacktestPoint[]", REQ, "Each as_of point, periods in order"),
};

/* Lead scoring (src/crm/scoring.h). */
static const struct sprop p_scoring_counts[] = {
	PROP("leads", FT_INT, REQ, 0, "Leads with a known outcome"),
	PROP("converted", FT_INT, REQ, 0, "Of them, converted"),
	PROP("not_converted", FT_INT, REQ, 0, "Of them, not converted"),
	NUM("converted_share", REQ, "converted / leads"),
};
static const struct sprop p_scoring_auc[] = {
	NUM("held_out", REQ | P_NULL,
	    "On the held-out leads (null: they have one outcome only); 0.5 is chance, 1 perfect"),
	NUM("training", REQ | P_NULL, "On the training leads"),
};
static const struct sprop p_scoring_feature[] = {
	PROP("group", FT_TEXT, REQ, 0, "industry, source, territory, channel, seniority, "
				       "company_size, email, web_form, qualification_answers, "
				       "calls, emails, meetings or quiet"),
	PROP("value", FT_TEXT, REQ | P_NULL, 0,
	     "A category's value (\"\": not given; \"(other)\": the rare ones pooled); null "
	     "for numbers"),
	PROP("label", FT_TEXT, REQ, 0, "How it reads: \"Industry: Software\""),
	NUM("weight", REQ, "Its weight on the log-odds of converting, per unit of scale"),
	NUM("center", REQ, "The training mean it is centred on"),
	NUM("scale", REQ, "The unit it is measured in (categories 1, numbers one standard "
			  "deviation)"),
	PROP("support", FT_INT, REQ, 0, "Training leads with it (numbers: not zero)"),
};
static const struct sprop p_scoring_info[] = {
	PROP("id", FT_INT, REQ, 0, "Model id"),
	PROP("kind", FT_TEXT, REQ, 0, "The method"),
	PROP("trained_at", FT_TIME, REQ, 0, "When it was trained"),
	PROP("trained_by", FT_INT, REQ | P_NULL, 0, "Who trained it (null: the schedule, the CLI)"),
	PROP("trained_by_name", FT_TEXT, REQ | P_NULL, 0, "Their name"),
	PROP("as_of", FT_TIME, REQ, 0, "The instant outcomes were judged at"),
	NUM("l2", REQ, "The penalty on the weights"),
	PROP("iterations", FT_INT, REQ, 0, "Newton steps taken"),
	NUM("intercept", REQ, "Log-odds of converting for an average lead"),
	SUB("training", "ScoringCounts", REQ, "The leads it learned from"),
	SUB("held_out", "ScoringCounts", REQ, "The leads kept aside to measure it"),
	SUB("auc", "ScoringAuc", REQ, "How well it ranks converting leads above the others"),
	SUB("features", "ScoringFeature[]", REQ, "Every feature with its weight"),
};
static const struct sprop p_scoring_tiers[] = {
	PROP("A", FT_INT, REQ, 0, "Lowest score of tier A"),
	PROP("B", FT_INT, REQ, 0, "Lowest score of tier B"),
	PROP("C", FT_INT, REQ, 0, "Lowest score of tier C (below: D)"),
};
static const struct sprop p_scoring_tiers_set[] = {
	PROP("A", FT_INT, 0, 0, "Lowest score of tier A, 1..100"),
	PROP("B", FT_INT, 0, 0, "Lowest score of tier B, below A"),
	PROP("C", FT_INT, 0, 0, "Lowest score of tier C, below B"),
};
static const struct sprop p_scoring_method[] = {
	PROP("score", FT_TEXT, REQ, 0, "How the score is made"),
	PROP("converted", FT_TEXT, REQ, 0, "Which leads count as converted"),
	PROP("not_converted", FT_TEXT, REQ, 0, "Which leads count as not converted"),
	PROP("held_out", FT_TEXT, REQ, 0, "Which leads are held out"),
};
static const struct sprop p_scoring_model[] = {
	SUB("model", "ScoringModelInfo", REQ | P_NULL, "The model in use (null: none trained yet)"),
	SUB("rules", "ScoringRule[]", REQ, "The fit rules, active or not"),
	SUB("tiers", "ScoringTiers", REQ, "The tier thresholds"),
	PROP("rescoring", FT_BOOL, REQ, 0, "Leads are still being rescored after a change"),
	SUB("method", "ScoringMethod", REQ, "The definitions, in words"),
};

/* Reports: the funnel (src/crm/funnel.h), over the analytics index. */
static const char *const funnel_groups[] = {"owner", "team", "channel", "territory", "industry",
					    "pipeline", NULL};
static const char *const stage_sections[] = {"upper", "middle", "lower", "won", "lost", NULL};
static const struct sprop p_funnel_conversion[] = {
	NUM("rate", REQ | P_NULL, "numerator / denominator (null: no entries)"),
	PROP("numerator", FT_INT, REQ, 0, "Of those, the deals that later entered a later stage "
					  "that is not lost"),
	PROP("denominator", FT_INT, REQ, 0, "Deals that entered the stage in the window"),
};
static const struct sprop p_funnel_time[] = {
	PROP("count", FT_INT, REQ, 0, "Stays in the stage that ended in the window"),
	NUM("median_days", REQ | P_NULL, "Their median length in days (null: none)"),
	NUM("p90_days", REQ | P_NULL, "Their 90th percentile (nearest rank) in days"),
};
static const struct sprop p_funnel_stage[] = {
	PROP("key", FT_TEXT, REQ, 64, "The stage's key"),
	PROP("name", FT_TEXT, REQ, 0, "Its name"),
	CHOICE("section", REQ, stage_sections, "Where it sits in the funnel"),
	PROP("open_count", FT_INT, REQ, 0, "Open deals now in the stage (any currency)"),
	PROP("open_amount", FT_MONEY, REQ, 0, "Their amounts in the report's currency"),
	PROP("weighted_amount", FT_MONEY, REQ, 0,
	     "Sum of amount x probability / 100, rounded half up once at the end"),
	PROP("entries", FT_INT, REQ, 0, "Stage rows entered in the window"),
	PROP("exits", FT_INT, REQ, 0, "Stage rows exited in the window"),
	SUB("conversion", "FunnelConversion", REQ, "Stage-to-stage conversion"),
	SUB("time_in_stage", "FunnelTimeInStage", REQ, "How long stays that ended lasted"),
};
static const struct sprop p_funnel_group[] = {
	PROP("id", FT_INT, REQ | P_NULL, 0,
	     "The owner, team or pipeline id (null for channel, territory, industry, the group "
	     "of deals without one, and the single group without group_by)"),
	PROP("name", FT_TEXT, REQ | P_NULL, 0,
	     "Owner or team name, the channel, territory, industry or pipeline name; null for "
	     "deals without one; \"all\" without group_by"),
	PROP("pipeline_id", FT_INT, REQ | P_NULL, 0, "The pipeline whose stages are listed"),
	PROP("deals", FT_INT, REQ, 0, "Deals in scope in the group that are open, closed in the "
				      "window, or whose stage history spans it"),
	SUB("stages", "FunnelStage[]", REQ, "Per stage, in position order"),
	PROP("open_count", FT_INT, REQ, 0, "Open deals (sum over the stages)"),
	PROP("open_amount", FT_MONEY, REQ, 0, "Their amounts in the report's currency"),
	PROP("weighted_amount", FT_MONEY, REQ, 0, "Weighted, rounded half up once"),
	PROP("won_count", FT_INT, REQ, 0, "Won with closed_at in the window"),
	PROP("lost_count", FT_INT, REQ, 0, "Lost with closed_at in the window"),
	NUM("win_rate", REQ | P_NULL, "won / (won + lost)"),
	PROP("average_deal_size", FT_MONEY, REQ | P_NULL, 0,
	     "Mean amount of those won in the report's currency"),
	NUM("cycle_length_days", REQ | P_NULL, "Mean days from creation to close of those won"),
	PROP("sales_velocity", FT_MONEY, REQ | P_NULL, 0,
	     "open deals x win_rate x average_deal_size / cycle_length_days, per day"),
};
static const struct sprop p_funnel_definitions[] = {
	PROP("window", FT_TEXT, REQ, 0, ""), PROP("scope", FT_TEXT, REQ, 0, ""),
	PROP("deals", FT_TEXT, REQ, 0, ""),
	PROP("open_count", FT_TEXT, REQ, 0, ""), PROP("open_amount", FT_TEXT, REQ, 0, ""),
	PROP("weighted_amount", FT_TEXT, REQ, 0, ""), PROP("entries", FT_TEXT, REQ, 0, ""),
	PROP("exits", FT_TEXT, REQ, 0, ""), PROP("conversion", FT_TEXT, REQ, 0, ""),
	PROP("time_in_stage", FT_TEXT, REQ, 0, ""), PROP("won_count", FT_TEXT, REQ, 0, ""),
	PROP("lost_count", FT_TEXT, REQ, 0, ""), PROP("win_rate", FT_TEXT, REQ, 0, ""),
	PROP("average_deal_size", FT_TEXT, REQ, 0, ""),
	PROP("cycle_length_days", FT_TEXT, REQ, 0, ""),
	PROP("sales_velocity", FT_TEXT, REQ, 0, ""), PROP("currency", FT_TEXT, REQ, 0, ""),
	PROP("excluded_other_currency", FT_TEXT, REQ, 0, ""),
};
static const struct sprop p_funnel_report[] = {
	PROP("from", FT_DATE, REQ, 0, "First day of the window"),
	PROP("to", FT_DATE, REQ, 0, "Last day of the window (inclusive)"),
	CHOICE("group_by", REQ | P_NULL, funnel_groups, "As asked (null: one group)"),
	PROP("pipeline_id", FT_INT, REQ | P_NULL, 0,
	     "The pipeline reported on (null: every pipeline, with group_by=pipeline)"),
	PROP("currency", FT_CURRENCY, REQ, 0, "The currency of every amount"),
	PROP("excluded_other_currency", FT_INT, REQ, 0,
	     "Open and won-in-window deals in scope left out of amounts (other currencies)"),
	SUB("groups", "FunnelGroup[]", REQ, "Groups with deals in scope, by name"),
	SUB("definitions", "FunnelDefinitions", REQ, "What each figure means, in words"),
};

/* Forecasts (src/crm/forecast.h), over the analytics index. */
static const char *const fc_scope_kinds[] = {"company", "user", "team", "channel", "pipeline",
					     NULL};
static const char *const fc_categories[] = {"pipeline", "best_case", "commit", "closed",
					    "omitted", NULL};
#define FC_FIGURES                                                                      \
	PROP("expected", FT_MONEY, REQ, 0, "Expected further bookings in the window"),  \
	PROP("p10", FT_MONEY, REQ, 0, "10th percentile of further bookings"),           \
	PROP("p50", FT_MONEY, REQ, 0, "Median of further bookings"),                    \
	PROP("p90", FT_MONEY, REQ, 0, "90th percentile of further bookings"),           \
	PROP("total_expected", FT_MONEY, REQ, 0, "closed_won + expected"),              \
	PROP("total_p10", FT_MONEY, REQ, 0, "closed_won + p10"),                        \
	PROP("total_p50", FT_MONEY, REQ, 0, "closed_won + p50"),                        \
	PROP("total_p90", FT_MONEY, REQ, 0, "closed_won + p90"),                        \
	PROP("deals", FT_INT, REQ, 0, "Open deals the model counted")
#define FC_OPEN_RUN                                                                     \
	PROP("open_expected", FT_MONEY, REQ, 0, "Expected from the deals open at as_of"), \
	PROP("run_rate", FT_MONEY, REQ, 0, "Expected from deals not created yet")
static const struct sprop p_fc_weighted[] = {FC_FIGURES};
static const struct sprop p_fc_categories[] = {
	FC_FIGURES,
	PROP("commit", FT_MONEY, REQ, 0, "Open deals in commit (expected)"),
	PROP("best_case", FT_MONEY, REQ, 0, "Open deals in best case"),
	PROP("pipeline", FT_MONEY, REQ, 0, "Open deals in pipeline"),
	PROP("best_case_number", FT_MONEY, REQ, 0, "commit + best_case"),
};
static const struct sprop p_fc_points[] = {
	NUM("scope", REQ, "Comparable points of the scope (weighted)"),
	NUM("parent", REQ, "Of its parent (a user's team; else the company)"),
	NUM("company", REQ, "Of the whole company"),
};
static const struct sprop p_fc_basis[] = {
	PROP("comparable_periods", FT_INT, REQ, 0, "Past periods the model learned from"),
	SUB("points", "ForecastPoints", REQ, "Points learned from, per level"),
	NUM("period_sd", REQ, "sd of the period factor: how far the model's forecasts of past "
			      "periods, made from the periods before them, strayed from what they "
			      "booked (relative), widened for the few periods measured"),
	PROP("periods_measured", FT_INT, REQ, 0, "Past periods that sd was measured on"),
	SUB("calibration", "ForecastCalibration", REQ, "How the range was calibrated, and how "
						       "often it held in past periods"),
};
static const struct sprop p_fc_historical[] = {
	FC_FIGURES, FC_OPEN_RUN,
	SUB("basis", "ForecastBasis", REQ, "What the model learned from"),
};
static const struct sprop p_fc_simulation[] = {
	FC_FIGURES, FC_OPEN_RUN,
	PROP("iterations", FT_INT, REQ, 0, "Draws"),
	PROP("seed", FT_INT, REQ, 0, "The seed (same seed, same answer)"),
	PROP("exact_deals", FT_INT, REQ, 0, "Deals drawn exactly"),
	PROP("normal_deals", FT_INT, REQ, 0, "Deals drawn together as one normal"),
	NUM("tail_error_bound", REQ,
	    "Bound on the mean gap between these quantiles and exact ones, in standard "
	    "deviations"),
};
static const struct sprop p_fc_models[] = {
	SUB("weighted", "ForecastWeighted", 0, "Amount x stage probability"),
	SUB("categories", "ForecastCategories", 0, "Forecast categories as the owners set them"),
	SUB("historical", "ForecastHistorical", 0, "Learned from the scope's own history"),
	SUB("simulation", "ForecastSimulation", 0, "Monte Carlo over the historical model"),
};
static const struct sprop p_fc_scope[] = {
	CHOICE("kind", REQ, fc_scope_kinds, "As asked"),
	PROP("id", FT_INT, REQ | P_NULL, 0, "The user, team or pipeline"),
	PROP("name", FT_TEXT, REQ | P_NULL, 0, "Its name (the channel for a channel)"),
};
static const struct sprop p_fc_deal[] = {
	PROP("id", FT_INT, REQ, 0, "The opportunity"),
	PROP("name", FT_TEXT, REQ | P_NULL, 0, "Its name"),
	PROP("owner_id", FT_INT, REQ, 0, "Its owner"),
	PROP("owner", FT_TEXT, REQ | P_NULL, 0, "The owner's name"),
	PROP("stage", FT_TEXT, REQ | P_NULL, 0, "Its stage at as_of"),
	PROP("stage_name", FT_TEXT, REQ | P_NULL, 0, "That stage's name"),
	PROP("amount", FT_MONEY, REQ, 0, "Its amount at as_of"),
	PROP("close_date", FT_DATE, REQ, 0, "Its expected close date at as_of"),
	CHOICE("forecast_category", REQ | P_NULL, fc_categories, "Its category at as_of"),
	NUM("probability", REQ, "The probability used, 0..1"),
	PROP("expected", FT_MONEY, REQ, 0, "amount x probability"),
};
static const struct sprop p_fc_definitions[] = {
	PROP("period", FT_TEXT, REQ, 0, ""), PROP("as_of", FT_TEXT, REQ, 0, ""),
	PROP("scope", FT_TEXT, REQ, 0, ""), PROP("closed_won", FT_TEXT, REQ, 0, ""),
	PROP("open_deals", FT_TEXT, REQ, 0, ""), PROP("expected", FT_TEXT, REQ, 0, ""),
	PROP("p10_p50_p90", FT_TEXT, REQ, 0, ""), PROP("weighted", FT_TEXT, REQ, 0, ""),
	PROP("categories", FT_TEXT, REQ, 0, ""), PROP("historical", FT_TEXT, REQ, 0, ""),
	PROP("simulation", FT_TEXT, REQ, 0, ""), PROP("run_rate", FT_TEXT, REQ, 0, ""),
	PROP("top", FT_TEXT, REQ, 0, ""), PROP("currency", FT_TEXT, REQ, 0, ""),
};
static const struct sprop p_forecast[] = {
	PROP("period", FT_TEXT, REQ, 0, "As asked (default: the current quarter)"),
	PROP("from", FT_DATE, REQ, 0, "Its first day"),
	PROP("to", FT_DATE, REQ, 0, "Its last day"),
	PROP("as_of", FT_TIME, REQ, 0, "The instant the forecast is made as of"),
	SUB("scope", "ForecastScope", REQ, "Whose deals"),
	PROP("currency", FT_CURRENCY, REQ, 0, "The currency of every amount"),
	PROP("excluded_other_currency", FT_INT, REQ, 0,
	     "Open and won-in-period deals in scope left out (other currencies)"),
	PROP("closed_won", FT_MONEY, REQ, 0, "Won in the period before as_of"),
	PROP("open_deals", FT_INT, REQ, 0, "Deals open at as_of in scope"),
	PROP("open_amount", FT_MONEY, REQ, 0, "Their amounts at as_of"),
	SUB("models", "ForecastModels", REQ, "The models asked for"),
	SUB("top", "ForecastDeal[]", REQ, "The deals contributing most, largest first"),
	SUB("definitions", "ForecastDefinitions", REQ, "What each figure means, in words"),
};

#define SCHEMA(name, req, doc, props) {name, req, doc, props, N(props)}

static const struct sschema static_schemas[] = {
	SCHEMA("Problem", 0, "An error, as RFC 9457 application/problem+json", p_problem),
	SCHEMA("ProblemError", 0, "One problem with one input", p_problem_error),
	SCHEMA("Health", 0, "Whether the server can serve", p_health),
	{"OpenAPI", 0, "This document", NULL, 0}, /* any object */
	SCHEMA("Login", 1, "Credentials", p_login),
	SCHEMA("Session", 0, "A new session", p_session),
	SCHEMA("TokenCreate", 1, "A new API token", p_token_create),
	SCHEMA("TokenCreated", 0, "A new API token and its secret", p_token_created),
	SCHEMA("Token", 0, "An API token (never its secret)", p_token),
	SCHEMA("TokenList", 0, "API tokens", p_token_list),
	SCHEMA("Quota", 0, "A sales target for one period", p_quota),
	SCHEMA("QuotaSet", 1, "A quota to set (or replace)", p_quota_set),
	SCHEMA("QuotaList", 0, "Quotas", p_quota_list),
	SCHEMA("StageEntry", 0, "One stay of a deal in one stage", p_stage_entry),
	SCHEMA("StageList", 0, "A deal's stage history", p_stage_list),
	SCHEMA("PipelineCriterion", 0, "An exit criterion of a stage", p_criterion),
	SCHEMA("PipelineCriterionInput", 1, "An exit criterion of a stage", p_criterion_in),
	SCHEMA("PipelineStage", 0, "A stage of a pipeline", p_stage),
	SCHEMA("PipelineStageInput", 1, "A stage of a pipeline", p_stage_in),
	SCHEMA("Pipeline", 0, "A process map: ordered stages and how strictly they are kept",
	       p_pipeline),
	SCHEMA("PipelineCreate", 1, "A new pipeline", p_pipeline_create),
	SCHEMA("PipelineUpdate", 1, "A change to a pipeline (only the members given)",
	       p_pipeline_update),
	SCHEMA("PipelineList", 0, "Pipelines", p_pipeline_list),
	{"StageReassign", 0, "{\"removed_stage_key\": \"new_stage_key\", ...}", NULL, 0},
	SCHEMA("Move", 1, "A stage move", p_move),
	{"FormSubmission", 0, "The answers by question name: strings, true/false for check "
	 "boxes", NULL, 0},
	SCHEMA("FormSubmitted", 0, "A submission taken", p_form_submitted),
	SCHEMA("FormEmbed", 0, "How to put a form on a web site", p_form_embed),
	SCHEMA("LeadConversion", 1, "What to link or set; all optional", p_convert),
	SCHEMA("LeadConversionOpportunity", 1, "The deal a conversion makes", p_convert_opp),
	SCHEMA("LeadConverted", 0, "A converted lead and what it became", p_converted),
	SCHEMA("Attachment", 0, "A file on a record", p_attachment),
	SCHEMA("AttachmentList", 0, "Files on a record", p_attachment_list),
	SCHEMA("DocumentCreate", 1, "Which template to render (one of the two)", p_document_in),
	SCHEMA("InstallmentInput", 1, "One installment", p_installment_in),
	SCHEMA("InstallmentsSet", 1, "A payment schedule", p_installments_in),
	SCHEMA("PaymentCreate", 1, "A payment received", p_payment_in),
	SCHEMA("Installment", 0, "One installment and what is paid of it", p_installment),
	SCHEMA("Payment", 0, "A payment received", p_payment),
	SCHEMA("PaymentStatus", 0, "What a won deal is to pay and what it paid", p_payment_status),
	SCHEMA("NextStep", 0, "Why a settled deal stays in its stage", p_next_step),
	SCHEMA("HistoryEntry", 0, "One audited change", p_history_entry),
	SCHEMA("HistoryList", 0, "A record's audit trail", p_history_list),
	SCHEMA("HandoverUser", 0, "A person in a handover", p_ho_user),
	SCHEMA("HandoverSuccessorChoice", 0, "How the successor was chosen", p_ho_choice),
	SCHEMA("HandoverItem", 0, "One record of the leaver: where it goes, what to do",
	       p_ho_item),
	SCHEMA("HandoverSections", 0, "Items by funnel section", p_ho_sections),
	SCHEMA("HandoverBySection", 0, "Counts per section", p_ho_by_section),
	SCHEMA("HandoverOwned", 0, "Counts per kind of record", p_ho_owned),
	SCHEMA("HandoverPlanned", 0, "What a plan moves", p_ho_planned),
	SCHEMA("HandoverOwnerCount", 0, "What one person owns", p_ho_owner_count),
	SCHEMA("HandoverCounts", 0, "Counts of a handover", p_ho_counts),
	SCHEMA("HandoverSummary", 0, "A handover, without its items", p_ho_summary),
	SCHEMA("Handover", 0, "A handover plan and, once executed, its result", p_handover),
	SCHEMA("HandoverList", 0, "Handovers", p_ho_list),
	SCHEMA("HandoverCreate", 1, "Who leaves; who takes over (optional)", p_ho_create),
	SCHEMA("HandoverUpdate", 1, "A change to a draft", p_ho_update),
	SCHEMA("HandoverItemUpdate", 1, "A change to one item of a draft", p_ho_item_update),
	SCHEMA("FunnelConversion", 0, "Stage-to-stage conversion", p_funnel_conversion),
	SCHEMA("FunnelTimeInStage", 0, "Time in stage of stays that ended in the window",
	       p_funnel_time),
	SCHEMA("FunnelStage", 0, "One stage's figures", p_funnel_stage),
	SCHEMA("FunnelGroup", 0, "One group's figures", p_funnel_group),
	SCHEMA("FunnelDefinitions", 0, "Each figure's definition, in words", p_funnel_definitions),
	SCHEMA("FunnelReport", 0, "The sales funnel over a date window", p_funnel_report),
	SCHEMA("StaleEvidence", 0, "A fact a diagnosis used", p_stale_evidence),
	SCHEMA("StaleDiagnosis", 0, "Why a deal is probably stuck and what to do",
	       p_stale_diagnosis),
	SCHEMA("StaleDeal", 0, "A stale deal, diagnosed", p_stale_deal),
	SCHEMA("StaleGroup", 0, "One salesperson's stale deals", p_stale_group),
	SCHEMA("StaleReport", 0, "Stale deals and their diagnosis", p_stale_report),
	SCHEMA("PerformanceFigure", 0, "A figure and its place among peers", p_perf_figure),
	SCHEMA("PerformanceFigures", 0, "A salesperson's figures", p_perf_figures),
	SCHEMA("PerformanceSegment", 0, "The peers of a salesperson", p_perf_segment),
	SCHEMA("ActivityCounts", 0, "Activities by type", p_activity_counts),
	SCHEMA("PerformanceRep", 0, "One salesperson's performance", p_perf_rep),
	SCHEMA("PerformanceExcluded", 0, "What other currencies left out", p_perf_excluded),
	SCHEMA("PerformanceReport", 0, "Performance per salesperson, compared fairly",
	       p_perf_report),
	SCHEMA("ForecastSubmissionCreate", 1, "A forecast number for a period", p_fsub_create),
	SCHEMA("ForecastSubmission", 0, "A forecast number, as submitted", p_fsub),
	SCHEMA("ForecastSubmissionList", 0, "Submissions, newest first", p_fsub_list),
	SCHEMA("ForecastScopeRef", 0, "Whose forecast", p_fscope),
	{"ForecastModelFigures", 0,
	 "The engine's figures (forecast.h): currency, closed_won, open_deals, and per model "
	 "asked (weighted, categories, historical, simulation) expected, p10, p50, p90 (further "
	 "bookings), total, total_p10, total_p90 (with closed-won), interval; categories also "
	 "commit, best_case, pipeline",
	 NULL, 0},
	SCHEMA("ForecastRollupMember", 0, "A member of a roll-up", p_fmember),
	SCHEMA("ForecastRollupSum", 0, "The members' numbers added up", p_fsum),
	SCHEMA("ForecastRollup", 0, "A team's forecast roll-up", p_frollup),
	SCHEMA("ForecastAccuracyWeek", 0, "One snapshot against the actual", p_facc_week),
	SCHEMA("ForecastAccuracySource", 0, "One model's or submitter's snapshots",
	       p_facc_forecast),
	SCHEMA("ForecastAccuracyScope", 0, "One scope's forecasts against its actual",
	       p_facc_scope),
	SCHEMA("ForecastAccuracy", 0, "Forecast accuracy of a closed period", p_facc),
	SCHEMA("ForecastBacktestStats", 0, "A model's figures over as_of points", p_fbt_stats),
	SCHEMA("ForecastBacktestModels", 0, "Each model's figures", p_fbt_models),
	SCHEMA("ForecastBacktestWeek", 0, "Each model's figures at one week", p_fbt_week),
	SCHEMA("ForecastBacktestForecast", 0, "One model's replayed forecast against the actual",
	       p_fbt_forecast),
	SCHEMA("ForecastBacktestPoint", 0, "One as_of point of one period", p_fbt_point),
	SCHEMA("ForecastBacktest", 0, "Replayed forecasts of closed periods", p_fbt),
	/* forecast ranges (issue 17) */
	SCHEMA("ForecastCalibration", 0, "How the range was calibrated", p_fc_calibration),
	SCHEMA("ForecastBacktestLevel", 0, "One range's coverage", p_fbt_level),
	SCHEMA("ForecastBacktestCoverage", 0, "Coverage of one scope size and model",
	       p_fbt_coverage),
	SCHEMA("ForecastBacktestCalibration", 0, "The basis of a replayed range",
	       p_fbt_calib),
	/* end of forecast ranges (issue 17) */
	SCHEMA("ForecastWeighted", 0, "The weighted model", p_fc_weighted),
	SCHEMA("ForecastCategories", 0, "The categories model", p_fc_categories),
	SCHEMA("ForecastPoints", 0, "Comparable points per level", p_fc_points),
	SCHEMA("ForecastBasis", 0, "What the historical model learned from", p_fc_basis),
	SCHEMA("ForecastHistorical", 0, "The historical model", p_fc_historical),
	SCHEMA("ForecastSimulation", 0, "The simulation model", p_fc_simulation),
	SCHEMA("ForecastModels", 0, "Each model asked for", p_fc_models),
	SCHEMA("ForecastScope", 0, "The scope of a forecast", p_fc_scope),
	SCHEMA("ForecastDeal", 0, "A deal contributing to a forecast", p_fc_deal),
	SCHEMA("ForecastDefinitions", 0, "Each figure's definition, in words", p_fc_definitions),
	SCHEMA("Forecast", 0, "Bookings expected in a period, per model", p_forecast),
	SCHEMA("ScoringCounts", 0, "Leads with a known outcome and their balance", p_scoring_counts),
	SCHEMA("ScoringAuc", 0, "Area under the ROC curve", p_scoring_auc),
	SCHEMA("ScoringFeature", 0, "One feature of the scoring model", p_scoring_feature),
	SCHEMA("ScoringModelInfo", 0, "A trained scoring model", p_scoring_info),
	SCHEMA("ScoringTiers", 0, "Tier thresholds", p_scoring_tiers),
	SCHEMA("ScoringTiersSet", 1, "Tier thresholds to set (those given)", p_scoring_tiers_set),
	SCHEMA("ScoringMethod", 0, "How lead scoring works, in words", p_scoring_method),
	SCHEMA("ScoringModel", 0, "Lead scoring: the model, the fit rules and the tiers",
	       p_scoring_model),
};

static void static_schema(struct jw *w, const struct sschema *s)
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
		const struct sprop *p = &s->props[i];
		const char *brackets = p->schema ? strstr(p->schema, "[]") : NULL;

		jw_key(w, p->f.name);
		if (!p->schema) {
			if (p->f.flags & P_NUMBER) {
				jw_obj(w);
				type_key(w, "number", (p->f.flags & P_NULL) != 0);
				jw_kstr(w, "description", p->f.doc);
				jw_obj_end(w);
				continue;
			}
			field_schema(w, &p->f, (p->f.flags & P_NULL) != 0,
				     s->request ? AS_REQUEST : AS_ANSWER);
			continue;
		}
		if (!brackets && (p->f.flags & P_NULL)) {
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

/* --- the routes that are not records -------------------------------------- */

struct op {
	api_handler handler;
	const char *id, *tag, *summary, *description;
	const char *request;  /* schema of the JSON body, or NULL */
	int status;           /* on success */
	const char *response; /* schema of the answer, or NULL: no body */
	const char *headers;  /* names in components/headers, space-separated */
	const char *errors;   /* statuses beyond those every route of its kind has */
};

static const struct op ops[] = {
	{api_document_create, "create_document", "documents", "Render a document for a deal",
	 "Merges the template with the account, contact, opportunity and owner and renders a PDF, "
	 "stored as an attachment of the deal with the template's kind (so stage criteria that "
	 "need a contract or welcome letter see it).",
	 "DocumentCreate", 201, "Attachment", "Location", NULL},
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
	{api_installments_set, "set_installments", "payments", "Set a won deal's payment schedule",
	 "Replaces the schedule; only for won deals (409).", "InstallmentsSet", 200,
	 "PaymentStatus", NULL, "409"},
	{api_payment_list, "payment_status", "payments", "A deal's payments and their status",
	 "Overdue is judged against today.", NULL, 200, "PaymentStatus", NULL, NULL},
	{api_payment_create, "record_payment", "payments", "Record a payment",
	 "Audited.  A payment that settles a deal in the won stage moves it to payment collected "
	 "when its rules hold; otherwise next_step says why not.  409 when more than what is "
	 "outstanding.",
	 "PaymentCreate", 201, "PaymentStatus", NULL, "409"},
	{api_form_page, "form_page", "forms", "A web-to-lead form, as an HTML page",
	 "Public, and embeddable anywhere (Content-Security-Policy frame-ancestors *); "
	 "text/html.  ?sent=1 is the built-in thank-you page.  404 (HTML) for a form that does "
	 "not exist or is switched off.",
	 NULL, 200, NULL, NULL, NULL},
	{api_form_submit, "submit_form", "forms", "Submit a web-to-lead form",
	 "Public.  application/json answers 201 {lead_id} or problem+json; "
	 "application/x-www-form-urlencoded (a browser) answers 303 to the form's thank_you_url "
	 "(or ?sent=1), or the form again as HTML listing the problems (400).  Creates the lead, "
	 "assigned (fixed owner, territory, channel, else in turn among the team's reps), and a "
	 "follow-up task for its owner.  At most 5 submissions a minute per address and form "
	 "(429 with Retry-After), 50 fields, 5000 characters a value.",
	 "FormSubmission", 201, "FormSubmitted", NULL, "429"},
	{api_form_embed, "embed_form", "forms", "A form's public address and embed snippet",
	 NULL, NULL, 200, "FormEmbed", NULL, NULL},
	{api_lead_convert, "convert_lead", "leads", "Convert a lead",
	 "Into an account (found by e-mail domain or name among those the caller sees, else "
	 "new), a contact (found by e-mail at that account, else new) and a new opportunity at "
	 "the stage after qualification, in one transaction.  409 when the lead is converted "
	 "already or disqualified.  The body is optional.",
	 "LeadConversion", 201, "LeadConverted", "Location", "409"},
	{api_healthz, "healthz", "meta", "Health check",
	 "200 when the database answers and its schema is migrated, 503 (same body) otherwise. "
	 "For load balancers; needs no credentials.",
	 NULL, 200, "Health", NULL, "503"},
	{api_openapi, "openapi", "meta", "This OpenAPI document",
	 "Generated from the routing table and the record declarations the server runs on.",
	 NULL, 200, "OpenAPI", NULL, NULL},
	{api_login, "login", "auth", "Sign in",
	 "Checks e-mail and password and opens a session (12 hours).  The answer carries the "
	 "session token (for Authorization: Bearer) and a CSRF token; the session is also set "
	 "as the cookie funnel_session (HttpOnly, SameSite=Strict).  A wrong e-mail and a wrong "
	 "password get the same 401.  Repeated failures per e-mail and per client address lock "
	 "login for a growing time: 429 with Retry-After.",
	 "Login", 200, "Session", "Set-Cookie", "401 429"},
	{api_logout, "logout", "auth", "Sign out",
	 "Ends the session the request came with and clears the cookie.  With an API token it "
	 "does nothing (revoke the token instead).",
	 NULL, 204, NULL, "Set-Cookie", NULL},
	{api_me, "me", "auth", "The signed-in user",
	 "The caller's user record.  With the session cookie it also carries csrf_token, the "
	 "session's CSRF token, so a web page that keeps it in memory only can ask again after a "
	 "reload.",
	 NULL, 200, "User", NULL, NULL},
	{api_token_list, "list_tokens", "auth", "The caller's API tokens",
	 "Never their secrets.", NULL, 200, "TokenList", NULL, NULL},
	{api_token_create, "create_token", "auth", "Make an API token",
	 "For scripts and integrations: the secret is in the answer once and never again.  It "
	 "acts as its user, with the user's role and visibility.",
	 "TokenCreate", 201, "TokenCreated", "Location", NULL},
	{api_token_revoke, "revoke_token", "auth", "Revoke an API token",
	 "One of the caller's own tokens; it stops working at once.", NULL, 204, NULL, NULL,
	 NULL},
	{api_quota_list, "list_quotas", "users", "A user's quotas", NULL, NULL, 200, "QuotaList",
	 NULL, NULL},
	{api_quota_set, "set_quota", "users", "Set a user's quota for a period",
	 "Admins for anyone, managers for the people of their team subtree (not themselves).  "
	 "Audited in the user's history.  Answers the user's quotas.",
	 "QuotaSet", 200, "QuotaList", NULL, NULL},
	{api_opportunity_move, "move_opportunity", "opportunities", "Move a deal to a stage",
	 "Checked against its pipeline's enforcement and the exit criteria; a refused move is "
	 "409 with one errors[] entry per unmet rule, in words a salesperson understands.  A "
	 "manager may override with a reason (403 for others).  Answers the opportunity.",
	 "Move", 200, "Opportunity", "ETag", "409"},
	{api_handover_list, "list_handovers", "handovers", "List handovers",
	 "Those of the people the caller manages (admins: all), newest first, without items.  "
	 "Managers and admins only (403).",
	 NULL, 200, "HandoverList", NULL, NULL},
	{api_handover_create, "create_handover", "handovers", "Plan a handover",
	 "For a salesperson who leaves: every open opportunity, open lead, account, contact and "
	 "pending activity they own, with its new owner and the action its funnel position "
	 "calls for (lower: the manager takes over; middle: the leaver introduces the "
	 "successor by phone; upper and leads: the successor contacts them afterwards; "
	 "accounts and contacts follow their deals).  Nothing else changes: the plan is a "
	 "draft to review.  Managers for their team subtree, admins for anyone; never "
	 "oneself.  409 when the leaver has a draft already or nobody can be proposed.",
	 "HandoverCreate", 201, "Handover", "Location", "409"},
	{api_handover_get, "get_handover", "handovers", "Read a handover",
	 "Its items grouped by funnel section, its counts and its history.", NULL, 200,
	 "Handover", NULL, NULL},
	{api_handover_update, "update_handover", "handovers", "Change or cancel a draft",
	 "A successor or manager (null: proposed again) re-plans every item from the leaver's "
	 "records as they are now; item edits are lost.  status cancelled ends it.  409 when "
	 "it is not a draft.",
	 "HandoverUpdate", 200, "Handover", NULL, "409"},
	{api_handover_item_update, "update_handover_item", "handovers", "Edit one item of a draft",
	 "New owner (an active user the caller may assign to; what follows the record follows "
	 "it), included, the task's due date or subject.  409 when it is not a draft.",
	 "HandoverItemUpdate", 200, "Handover", NULL, "409"},
	{api_handover_execute, "execute_handover", "handovers", "Execute a handover",
	 "In one transaction: every included item's owner changes (audited on each record), "
	 "the tasks are created as activities on their records, the leaver is disabled (their "
	 "sessions end and tokens are revoked), the counts before and after are kept.  409, "
	 "with nothing changed, when it is not a draft, when the leaver owns open records "
	 "outside the plan (one errors[] entry each: re-plan), or when an item cannot be "
	 "applied any more.",
	 NULL, 200, "Handover", NULL, "409"},
	{api_pipeline_list, "list_pipelines", "pipelines", "List pipelines",
	 "Every process map with its stages and their exit criteria.", NULL, 200, "PipelineList",
	 NULL, NULL},
	{api_pipeline_create, "create_pipeline", "pipelines", "Create a pipeline",
	 "Managers for their teams, admins for any.", "PipelineCreate", 201, "Pipeline",
	 "ETag Location", "409"},
	{api_pipeline_get, "get_pipeline", "pipelines", "Read a pipeline", NULL, NULL, 200,
	 "Pipeline", "ETag", NULL},
	{api_pipeline_update, "update_pipeline", "pipelines", "Change a pipeline",
	 "Rename, attach to a team or channel, change enforcement or replace the stages.  A "
	 "stage removed while deals are in it needs reassign; they move, with stage history "
	 "and audit.  With If-Match, only if unchanged since read (otherwise 412).",
	 "PipelineUpdate", 200, "Pipeline", "ETag", "409 412"},
	{api_pipeline_delete, "delete_pipeline", "pipelines", "Delete a pipeline",
	 "Only one no deal uses, and never the default (409).", NULL, 204, NULL, NULL, "409"},
	{api_opportunity_stages, "opportunity_stages", "opportunities", "A deal's stage history",
	 "Every stage entry and exit, with when and who.", NULL, 200, "StageList", NULL, NULL},
	{api_report_funnel, "funnel_report", "reports", "The sales funnel",
	 "Query parameters: from, to (dates; default the current quarter), group_by (owner, team, "
	 "channel, territory, industry, pipeline), pipeline_id (default: the default pipeline), "
	 "owner_id, team_id (that team's subtree), channel, territory, currency (default: the "
	 "most common in scope).  Only deals the caller sees; an owner_id they do not see is "
	 "404, an unknown parameter 400.  Computed over the in-memory analytics index, brought "
	 "up to date from the database's change feed first.  The answer's definitions say what "
	 "each figure means.",
	 NULL, 200, "FunnelReport", NULL, "404"},
	{api_report_stale, "stale_report", "reports", "Stale deals and their diagnosis",
	 "Open deals the caller sees that passed their stage's limit (days in stage over "
	 "stale_days) or idle limit (days without activity over idle_days; with no activity, "
	 "from the later of the last stage change and the creation).  Each with its funnel "
	 "section, a diagnosis chosen from the evidence on the record (recent activities, stage "
	 "history, the team's median time in the stage, decision makers known, lost reasons of "
	 "similar deals) and a suggested action.  Query: owner_id, team_id (its subtree), "
	 "channel, pipeline_id, currency (of the sums; default the most common), "
	 "group_by=owner (counts and amounts per salesperson, with their deals), limit (1..500, "
	 "default 100).  Not paged: the `limit` most severe deals, `total` counts them all.",
	 NULL, 200, "StaleReport", NULL, "400"},
	{api_report_performance, "performance_report", "reports",
	 "Performance per salesperson, compared fairly",
	 "Query: period (required: 2026-Q4 or 2026-11), currency (default the most common).  "
	 "Quota, closed-won, attainment, weighted pipeline, coverage, win rate, cycle length, "
	 "activities and new deals of each salesperson the caller sees (a rep: themselves), "
	 "each placed among peers of the same segment (territory, industry, channel, with "
	 "fallbacks) by percentile and z-score; `method` explains how.",
	 NULL, 200, "PerformanceReport", NULL, "400"},
	{api_forecast_submit, "submit_forecast", "forecasts", "Submit a forecast number",
	 "A salesperson's own number for a period (scope user), a manager's adjusted number for "
	 "a team of their subtree (scope team), an admin's for the company.  Append-only: every "
	 "submission is kept with its time; the latest per period, scope and submitter is "
	 "current.  404 for a team the caller does not manage; 403 for the company unless admin.  "
	 "With an Idempotency-Key a retry is safe: the same key and body within 24 hours get the "
	 "first answer again (Idempotent-Replayed: true), not a second submission.",
	 "ForecastSubmissionCreate", 201, "ForecastSubmission", "Idempotent-Replayed", "403 404 409"},
	{api_forecast_submissions, "list_forecast_submissions", "forecasts",
	 "Forecast submissions, newest first",
	 "What the caller sees: a rep their own, a manager their subtree's users and teams, an "
	 "admin all.  Query: period, scope (user, team, company), user_id, team_id (404 when not "
	 "visible), submitter_id, latest=true (only the current ones), limit (1..500, default "
	 "100), cursor.",
	 NULL, 200, "ForecastSubmissionList", NULL, "404"},
	{api_forecast_rollup, "forecast_rollup", "forecasts", "A team's forecast roll-up",
	 "Query: period (required), team_id (default: the caller's team; an admin without it: "
	 "the company), currency.  Each direct member and child team with their latest "
	 "submission and the engine's models, the sum of the submissions, the team's own current "
	 "submissions and the engine's models for the whole team.  404 for a team the caller does "
	 "not manage (reps have none).",
	 NULL, 200, "ForecastRollup", NULL, "404 503"},
	{api_forecast_accuracy, "forecast_accuracy", "forecasts", "Forecast accuracy of a closed period",
	 "Query: period (required; 400 until it has closed), scope, user_id, team_id, source "
	 "(a model or submission).  For each scope the caller sees that has weekly snapshots: the "
	 "actual (closed-won in the period now), and per model and submitter each week's "
	 "snapshot with error, APE, bias and whether the actual fell inside the interval, and "
	 "their mean over the weeks.",
	 NULL, 200, "ForecastAccuracy", NULL, "400 404 503"},
	{api_forecast_backtest, "forecast_backtest", "forecasts", "Replay past forecasts",
	 "Managers and admins (403 for reps).  Query: from and to (required; quarters or months "
	 "of one kind, at most 36, `to` closed by now), scope (user, team, company), user_id, "
	 "team_id (404 when not visible; default: the company as the caller sees it), weeks "
	 "(as_of points per period: its start and the weeks after, 1..13, default 4), "
	 "iterations, seed, currency.  Every model's forecast as of each point, replayed from "
	 "the history over the server's analytics index (as `funnel forecast backtest --json`), "
	 "against the period's actual, with MAPE, bias and P10-P90 coverage per model and week.",
	 NULL, 200, "ForecastBacktest", NULL, "400 403 404 503"},
	{api_forecast, "forecast", "forecasts", "Bookings expected in a period",
	 "Query: period (2026-Q4 or 2026-11; default the current quarter), scope (company, "
	 "user, team, channel, pipeline; default company) with scope_id (or owner_id, team_id, "
	 "pipeline_id) or channel, as_of (a date or an instant, not in the future: the forecast "
	 "as it would have been made then, from what was known then), model (a comma list of "
	 "weighted, categories, historical, simulation; default all), iterations (100..100000, "
	 "default 10000) and seed (default 1) of the simulation, currency (default the most "
	 "common in scope), top (0..100 deals listed, default 10).  Closed-won so far plus each "
	 "model's expected further bookings with P10/P50/P90; `definitions` says how each is "
	 "computed.  Only deals the caller sees; a scope they may not see is 404, a bad "
	 "parameter 400 naming it.  503 with Retry-After while the index builds.",
	 NULL, 200, "Forecast", NULL, "400 404"},
	{api_scoring_model, "scoring_model", "scoring", "The lead scoring model",
	 "The learned model in use (null before the first training): its named features and "
	 "weights, intercept, training and held-out sizes and class balance, AUC on both; the "
	 "fit rules; the tier thresholds; whether leads are still being rescored after a change; "
	 "the definitions.  Managers and admins only: a rep is answered 403.",
	 NULL, 200, "ScoringModel", NULL, "400"},
	{api_scoring_train, "train_scoring_model", "scoring", "Train the lead scoring model now",
	 "Admins.  Trains on the leads with a known outcome (converted; disqualified or older than "
	 "90 days and never converted), 20% held out by id, stores the model and answers as GET "
	 "/api/v1/scoring/model.  Leads are rescored in the background.  No body (or {}).  409 "
	 "when fewer than 10 leads of either outcome are there to learn from.",
	 NULL, 200, "ScoringModel", NULL, "400 409"},
	{api_scoring_tiers, "set_scoring_tiers", "scoring", "Set the tier thresholds",
	 "Admins.  The lowest score of tiers A, B and C (those given; the others stay), "
	 "strictly decreasing, 1..100.  Leads are rescored in the background.",
	 "ScoringTiersSet", 200, "ScoringTiers", NULL, NULL},
};

static const struct op *op_find(api_handler h)
{
	int i;

	for (i = 0; i < N(ops); i++)
		if (ops[i].handler == h)
			return &ops[i];
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

static void list_params(struct jw *w, const struct resource *r)
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

	ref_to(w, "parameters", "limit");
	ref_to(w, "parameters", "cursor");
	ref_to(w, "parameters", "total");
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
	case VIS_ALL:
		return "Everyone signed in sees all of them.";
	}
	return "";
}

enum rec_op { R_LIST, R_CREATE, R_GET, R_UPDATE, R_DELETE, R_HISTORY };

static const struct {
	api_handler handler;
	enum rec_op op;
} record_handlers[] = {
	{api_record_list, R_LIST},     {api_record_create, R_CREATE},
	{api_record_get, R_GET},       {api_record_update, R_UPDATE},
	{api_record_delete, R_DELETE}, {api_record_history, R_HISTORY},
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
			       "next_cursor for the next one.",
			   r->doc, visibility_text(r->vis));
		jw_kstr(w, "description", d.data);
		jw_key(w, "parameters");
		jw_arr(w);
		list_params(w, r);
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
	if (op == R_LIST)
		st[n++] = 400;
	if (op == R_CREATE || op == R_UPDATE || op == R_DELETE)
		st[n++] = 409;
	if (op == R_UPDATE || op == R_DELETE)
		st[n++] = 412;
	error_refs(w, st, n);
	jw_obj_end(w);
	buf_release(&d);
}

static void static_operation(struct jw *w, const struct route *rt, const struct op *op)
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
	const struct op *op = op_find(rt->handler);
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
	int i;

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
	for (i = 0; i < N(static_schemas); i++)
		static_schema(w, &static_schemas[i]);
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

static void tags(struct jw *w)
{
	int i;

	jw_key(w, "tags");
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "name", "auth");
	jw_kstr(w, "description", "Sign in and out, who am I, API tokens");
	jw_obj_end(w);
	for (i = 0; resources[i]; i++) {
		jw_obj(w);
		jw_kstr(w, "name", resources[i]->name);
		jw_kstr(w, "description", resources[i]->doc);
		jw_obj_end(w);
	}
	jw_obj(w);
	jw_kstr(w, "name", "pipelines");
	jw_kstr(w, "description", "Process maps: stages, exit criteria, enforcement");
	jw_obj_end(w);
	jw_obj(w);
	jw_kstr(w, "name", "meta");
	jw_kstr(w, "description", "Health and this document");
	jw_obj_end(w);
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
