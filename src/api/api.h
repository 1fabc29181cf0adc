/*
 * api.h — HTTP requests turned into domain calls and JSON answers.
 *
 * The HTTP adapter (src/http) parses the request, authenticates it, and calls
 * one handler from its routing table with a `struct req`; the handler calls
 * src/crm and fills a `struct resp`.  Handlers never see libmicrohttpd and
 * never write SQL.
 *
 * Errors are answered as RFC 9457 problem+json by api_problem(), the only
 * place that builds them: {type, title, status, detail, errors: [{field,
 * message}]}.
 */
#ifndef FUNNEL_API_H
#define FUNNEL_API_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "crm/records/principal.h"
#include "crm/records/record.h"
#include "store/store.h"

enum method { M_GET, M_POST, M_PATCH, M_PUT, M_DELETE, M_HEAD, M_OPTIONS, M_OTHER };

#define API_MAX_PARAMS 4
#define API_MAX_QUERY 64
#define API_MAX_HEADERS 8

struct req {
	enum method method;
	const char *method_name;
	const char *path;
	const char *params[API_MAX_PARAMS]; /* the {…} parts of the route, in order */
	int nparams;
	struct kv query[API_MAX_QUERY];
	int nquery;
	const char *body;
	size_t body_len;
	const char *ip;
	const void *route_arg;              /* the routing table's argument */
	struct store *st;
	struct principal *p;                /* NULL on public routes */
	int secure;                         /* served over TLS (cookie Secure flag) */
	/* request headers, through the adapter */
	const char *(*header)(void *ctx, const char *name);
	void *header_ctx;
	/* R_STREAM routes (routes.h): the body is not in `body` but in a
	 * temporary file, hashed on the way in; the adapter removes the file
	 * after the answer unless the handler moved it */
	const char *upload_path;
	long long upload_size;
	const char *upload_sha256;          /* 64 hex digits */
	const char *files_dir;              /* where attachments live (--files) */
	const char *web_root;               /* the web UI's files (--web), or NULL */
};

struct resp {
	int status;
	struct buf body;
	const char *content_type;
	int nheaders;
	struct {
		char name[32];
		char value[512];
	} headers[API_MAX_HEADERS];
	/* with has_file, the answer's content is file_size bytes of the open
	 * file file_fd instead of body; the adapter sends and closes it */
	int has_file, file_fd;
	long long file_size;
	/* with stream set, the answer's content is made as the client reads it
	 * (an export of a whole list, never held whole in memory): the adapter
	 * calls stream(stream_ctx, st, out) on the request's thread, with that
	 * thread's database connection, each time it has sent what the last
	 * call appended to out; it returns 0 while more follows, 1 after the
	 * last part, or an error code — the connection is then cut, so the
	 * client sees a truncated chunked answer, never a short one that looks
	 * whole.  stream_free(stream_ctx) runs once the answer is done or
	 * abandoned (also when it is never sent). */
	int (*stream)(void *ctx, struct store *st, struct buf *out);
	void *stream_ctx;
	void (*stream_free)(void *ctx);
};

/* The web UI's Content-Security-Policy (static.c, and rooms.c's lobby page,
 * which is the same index.html); %s: more connect-src origins (Janus's,
 * janus_connect_src()), "" or starting with a space. */
#define WEB_UI_CSP                                                                     \
	"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " \
	"connect-src 'self'%s; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

typedef void (*api_handler)(struct req *rq, struct resp *rs);

const char *api_header(const struct req *rq, const char *name);
void api_set_header(struct resp *rs, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Answer the error in e (or code with a generic message). */
void api_problem(struct resp *rs, int code, const struct err *e);
/* Answer a problem with a status and detail of its own (405, 406, ...). */
void api_problem_status(struct resp *rs, int status, const char *title, const char *detail);

/* Start a JSON answer with `status`; returns the writer. */
void api_json(struct resp *rs, int status, struct jw *w);

/* Parse the body as a JSON object (checks Content-Type).  On failure the
 * problem is already answered and NULL returned. */
json_t *api_body(struct req *rq, struct resp *rs);

/* Path parameter `i` as a record id; answers 404 and returns -1 if it is not
 * one. */
long long api_id(struct req *rq, struct resp *rs, int i);

/* If-Match as a version: -1 when absent; -2 (answered 412) when it is not one
 * of ours. */
long long api_if_match(struct req *rq, struct resp *rs);

/* Run `inner` (a POST that creates something) under the request's
 * Idempotency-Key, if it has one (src/crm/idempotency.h): a retry with the
 * same key and body gets the first answer back with Idempotent-Replayed:
 * true; the same key with another request is 409. */
void api_idempotent(struct req *rq, struct resp *rs, api_handler inner);
/* What a handler reads of its request before it calls the domain, read in
 * the one order every handler keeps: the path ids (404), If-Match (412), the
 * body (415, 400).  API_ITEM is path parameter 1, read after the id. */
enum { API_ID = 1, API_ITEM = 2, API_MATCH = 4, API_BODY = 8 };

struct api_args {
	long long id, item; /* path parameters 0 and 1 */
	long long match;    /* If-Match: a version, or -1 when absent */
	json_t *body;       /* NULL unless API_BODY */
	struct err e;       /* cleared, for the domain call */
};

/* Read what `want` names into `a`.  Returns 0, or -1 when the problem is
 * already answered (nothing to release then). */
int api_args(struct req *rq, struct resp *rs, unsigned want, struct api_args *a);

/* After the domain call that answered `rc`: release the body, and answer
 * a->e as the problem when rc is not OK.  Returns rc; on OK the caller
 * answers. */
int api_done(struct resp *rs, struct api_args *a, int rc);

/* Answers {"data": ...} whose value the domain call writes: api_data()
 * starts the 200 answer up to the key; api_data_end() closes it after the
 * call that answered `rc`, or answers e as the problem.  Returns rc. */
void api_data(struct resp *rs, struct jw *w);
int api_data_end(struct resp *rs, struct jw *w, int rc, const struct err *e);

struct analytics;
/* Reports over the analytics index: unless `rc` (the parse of the query)
 * failed, wait for the index, which a server just started may still be
 * building, then start the 200 answer in w.  Returns 0, or not when the
 * problem is already answered. */
int api_index(struct resp *rs, int rc, struct analytics **a, struct jw *w, struct err *e);

/* --- handlers (one file per resource) ----------------------------------- */

/* records.c: route_arg is the struct resource */
void api_record_list(struct req *rq, struct resp *rs);
void api_record_create(struct req *rq, struct resp *rs);
void api_record_get(struct req *rq, struct resp *rs);
void api_record_update(struct req *rq, struct resp *rs);
void api_record_delete(struct req *rq, struct resp *rs);
void api_record_history(struct req *rq, struct resp *rs);
void api_opportunity_stages(struct req *rq, struct resp *rs);

/* export.c: a whole list streamed as a file — CSV (`vcard` 0) or, for
 * contacts, vCards — with the request's filters; and whether the request's
 * Accept asks for `type` ("text/csv") rather than JSON. */
void api_list_export(struct req *rq, struct resp *rs, const struct resource *r, int vcard);
void api_record_export(struct req *rq, struct resp *rs); /* route_arg: the resource */
int api_accepts(const struct req *rq, const char *type);

/* vcard.c: contacts as vCards (crm/integrations/contact_vcard.h) */
void api_contact_vcard(struct req *rq, struct resp *rs);
void api_contact_vcard_list(struct req *rq, struct resp *rs);
void api_contact_vcard_import(struct req *rq, struct resp *rs); /* an R_STREAM route */

/* pipelines.c */
void api_pipeline_list(struct req *rq, struct resp *rs);
void api_pipeline_get(struct req *rq, struct resp *rs);
void api_pipeline_create(struct req *rq, struct resp *rs);
void api_pipeline_update(struct req *rq, struct resp *rs);
void api_pipeline_delete(struct req *rq, struct resp *rs);
void api_opportunity_move(struct req *rq, struct resp *rs);

/* auth.c */
void api_login(struct req *rq, struct resp *rs);
void api_logout(struct req *rq, struct resp *rs);
void api_me(struct req *rq, struct resp *rs);
void api_token_list(struct req *rq, struct resp *rs);
void api_token_create(struct req *rq, struct resp *rs);
void api_token_revoke(struct req *rq, struct resp *rs);

/* users.c */
void api_quota_list(struct req *rq, struct resp *rs);
void api_quota_set(struct req *rq, struct resp *rs);

/* forms.c: public web-to-lead forms (R_PUBLIC), their embed snippet, and
 * lead conversion */
void api_form_page(struct req *rq, struct resp *rs);
void api_form_submit(struct req *rq, struct resp *rs);
void api_form_embed(struct req *rq, struct resp *rs);
void api_lead_convert(struct req *rq, struct resp *rs);

/* meta.c */
void api_healthz(struct req *rq, struct resp *rs);
/* The OpenAPI document.  Defined in src/http/openapi.c, the one place that
 * sees both the routing table and the record declarations. */
void api_openapi(struct req *rq, struct resp *rs);

/* attachments.c, documents.c, payments.c: files on records, documents
 * from templates, payment schedules and payments */
void api_attachment_upload(struct req *rq, struct resp *rs); /* an R_STREAM route */
void api_attachment_list(struct req *rq, struct resp *rs);
void api_attachment_get(struct req *rq, struct resp *rs);
void api_attachment_content(struct req *rq, struct resp *rs);
void api_attachment_delete(struct req *rq, struct resp *rs);
struct attachment;
/* Answer with attachment a's bytes from fd (taken: the adapter closes it),
 * as a sandboxed download. */
void api_send_attachment(struct resp *rs, const struct attachment *a, int fd);
void api_document_create(struct req *rq, struct resp *rs);
void api_installments_set(struct req *rq, struct resp *rs);
void api_payment_list(struct req *rq, struct resp *rs);
void api_payment_create(struct req *rq, struct resp *rs);

/* reports.c: funnel (analytics index) */
void api_report_funnel(struct req *rq, struct resp *rs);
/* forecast.c: forecasts of bookings (analytics index) */
void api_forecast(struct req *rq, struct resp *rs);
/* stale.c, performance.c: stale deals, performance */
void api_report_stale(struct req *rq, struct resp *rs);
void api_report_performance(struct req *rq, struct resp *rs);
/* forecast_process.c: submissions, roll-up, accuracy */
void api_forecast_submit(struct req *rq, struct resp *rs);
void api_forecast_submissions(struct req *rq, struct resp *rs);
void api_forecast_rollup(struct req *rq, struct resp *rs);
void api_forecast_accuracy(struct req *rq, struct resp *rs);
void api_forecast_backtest(struct req *rq, struct resp *rs);
/* scoring.c: lead scoring model, training, tiers (the rules are records) */
void api_scoring_model(struct req *rq, struct resp *rs);
void api_scoring_train(struct req *rq, struct resp *rs);
void api_scoring_tiers(struct req *rq, struct resp *rs);
/* webhooks.c: the delivery log, replay, the signing secret (the rest are records) */
void api_webhook_deliveries(struct req *rq, struct resp *rs);
void api_webhook_replay(struct req *rq, struct resp *rs);
void api_webhook_secret(struct req *rq, struct resp *rs);
void api_webhook_secret_rotate(struct req *rq, struct resp *rs);
/* handouts.c: files sent to a meeting's participants */
void api_handout_send(struct req *rq, struct resp *rs);
void api_handout_list(struct req *rq, struct resp *rs);
void api_join_handouts(struct req *rq, struct resp *rs);    /* R_PUBLIC */
void api_join_handout_get(struct req *rq, struct resp *rs); /* R_PUBLIC */
/* email_log.c: e-mail logged on contacts (crm/integrations/maillog.h) */
void api_email_log_post(struct req *rq, struct resp *rs);
void api_email_log_list(struct req *rq, struct resp *rs);
/* meetings.c: a meeting with its invitees; invitees, invitations, answers */
void api_meeting_lobby(struct req *rq, struct resp *rs);
void api_meeting_invitee_add(struct req *rq, struct resp *rs);
void api_meeting_invitee_update(struct req *rq, struct resp *rs);
void api_meeting_invitee_remove(struct req *rq, struct resp *rs);
void api_meeting_invite(struct req *rq, struct resp *rs);
void api_meeting_imip(struct req *rq, struct resp *rs);
void api_rsvp_page(struct req *rq, struct resp *rs);
void api_rsvp(struct req *rq, struct resp *rs);
/* calendar.c: the caller's calendar feed, and the feed itself (R_PUBLIC) */
void api_calendar_feed_get(struct req *rq, struct resp *rs);
void api_calendar_feed_create(struct req *rq, struct resp *rs);
void api_calendar_feed_revoke(struct req *rq, struct resp *rs);
void api_calendar_feed(struct req *rq, struct resp *rs);
/* imports.c: the record of every import, and undo (crm/imports/journal.h) */
void api_import_list(struct req *rq, struct resp *rs);
void api_import_upload(struct req *rq, struct resp *rs); /* an R_STREAM route */
void api_import_get(struct req *rq, struct resp *rs);
void api_import_undo(struct req *rq, struct resp *rs);
/* handovers.c */
void api_handover_list(struct req *rq, struct resp *rs);
void api_handover_create(struct req *rq, struct resp *rs);
void api_handover_get(struct req *rq, struct resp *rs);
void api_handover_update(struct req *rq, struct resp *rs);
void api_handover_item_update(struct req *rq, struct resp *rs);
void api_handover_execute(struct req *rq, struct resp *rs);

/* rooms.c: live meetings on Janus (crm/meetings/room.h, attendance.h) */
void api_meeting_page(struct req *rq, struct resp *rs); /* R_PUBLIC */
void api_join_get(struct req *rq, struct resp *rs);     /* R_PUBLIC */
void api_join_post(struct req *rq, struct resp *rs);    /* R_PUBLIC */
void api_join_asset(struct req *rq, struct resp *rs);   /* R_PUBLIC: logo, deck */
void api_janus_events(struct req *rq, struct resp *rs); /* R_PUBLIC, basic auth */
void api_meeting_join(struct req *rq, struct resp *rs);
void api_meeting_attendance(struct req *rq, struct resp *rs);
void api_meeting_room_get(struct req *rq, struct resp *rs);
void api_meeting_room_post(struct req *rq, struct resp *rs);

/* polls.c: live questionnaires in meetings, the participant report */
void api_meeting_polls(struct req *rq, struct resp *rs);
void api_meeting_poll_launch(struct req *rq, struct resp *rs);
void api_meeting_poll_get(struct req *rq, struct resp *rs);
void api_meeting_poll_update(struct req *rq, struct resp *rs);
void api_join_polls(struct req *rq, struct resp *rs);       /* R_PUBLIC */
void api_join_poll_answer(struct req *rq, struct resp *rs); /* R_PUBLIC */
void api_meeting_report(struct req *rq, struct resp *rs);

/*
 * The API's own description (GET /api/v1/openapi.json, src/http/openapi.c).
 * A route served by the record handlers is described from its struct
 * resource; every other route is described by its file, beside its
 * handlers, as data: one struct api_op per handler (what the routing table
 * cannot know: the words, the body and answer schemas, the statuses), the
 * schemas of those bodies (struct api_schema, whose members are declared
 * like record fields), and the file's tag.  openapi.c finds an operation by
 * its handler in the files' api_doc; a route whose handler is described
 * nowhere is still listed, marked "x-funnel-undocumented", and the API tests
 * fail on it.
 */
#define DOC_NULL 0x10000   /* beyond the FF_ flags: may be null */
#define DOC_NUMBER 0x20000 /* a JSON number (not an integer): ratios, statistics */
#define DOC_REQ FF_REQUIRED

struct api_prop {
	struct field f;     /* as a record field; FF_REQUIRED: in `required` */
	const char *schema; /* instead of f's type: a schema; "Name[]" an array of them */
};

struct api_schema {
	const char *name;
	int request; /* a request body: strict, money may be a string */
	const char *doc;
	const struct api_prop *props; /* NULL: any object */
	int nprops;
};

struct api_op {
	api_handler handler;
	const char *id, *tag, *summary, *description;
	const char *request;  /* schema of the JSON body, or NULL */
	int status;           /* on success */
	const char *response; /* schema of the answer, or NULL: no body */
	const char *headers;  /* names in components/headers, space-separated */
	const char *errors;   /* statuses beyond those every route of its kind has */
};

struct api_doc {
	const char *tag, *tag_doc; /* the tag this file introduces, or NULL */
	const struct api_op *ops;
	int nops;
	const struct api_schema *schemas;
	int nschemas;
};

#define DOC_N(a) ((int)(sizeof(a) / sizeof(a[0])))
#define DOC_PROP(name, type, flags, max, doc) {{name, type, flags, 0, max, NULL, NULL, doc}, NULL}
#define DOC_SUB(name, schema, flags, doc) {{name, FT_TEXT, flags, 0, 0, NULL, NULL, doc}, schema}
#define DOC_CHOICE(name, flags, choices, doc)                                                 \
	{{name, FT_ENUM, flags, 0, 0, choices, NULL, doc}, NULL}
#define DOC_NUM(name, flags, doc)                                                             \
	{{name, FT_TEXT, (flags) | DOC_NUMBER, 0, 0, NULL, NULL, doc}, NULL}
#define DOC_SCHEMA(name, req, doc, props) {name, req, doc, props, DOC_N(props)}

/* One per file of src/api that serves more than records; openapi.c lists them. */
extern const struct api_doc api_doc_documents;
extern const struct api_doc api_doc_common; /* api.c: problems */
extern const struct api_doc api_doc_records; /* records.c: history */
extern const struct api_doc api_doc_attachments;
extern const struct api_doc api_doc_payments;
extern const struct api_doc api_doc_forms;
extern const struct api_doc api_doc_meta;
extern const struct api_doc api_doc_webhooks;
extern const struct api_doc api_doc_email_log;
extern const struct api_doc api_doc_handouts;
extern const struct api_doc api_doc_imports;
extern const struct api_doc api_doc_meetings;
extern const struct api_doc api_doc_auth;
extern const struct api_doc api_doc_users;
extern const struct api_doc api_doc_pipelines;
extern const struct api_doc api_doc_handovers;
extern const struct api_doc api_doc_opportunities;
extern const struct api_doc api_doc_reports;
extern const struct api_doc api_doc_stale;
extern const struct api_doc api_doc_performance;
extern const struct api_doc api_doc_forecast_process;
extern const struct api_doc api_doc_forecast;
extern const struct api_doc api_doc_scoring;
extern const struct api_doc api_doc_rooms; /* rooms.c: live meetings */
extern const struct api_doc api_doc_calendar; /* calendar.c: calendar feeds */
extern const struct api_doc api_doc_vcard;    /* vcard.c: contacts as vCards */
extern const struct api_doc api_doc_polls; /* polls.c: polls in meetings, the report */

#endif
