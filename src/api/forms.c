/*
 * forms.c — the public face of web-to-lead forms, and lead conversion.
 *
 *   GET  /f/{slug}                 the form as an HTML page, embeddable in an
 *                                  iframe anywhere (its own CSP); ?sent=1 is
 *                                  the built-in thank-you page
 *   POST /f/{slug}                 a submission, as a browser posts it
 *                                  (application/x-www-form-urlencoded: 303 to
 *                                  the thank-you page, or an HTML page listing
 *                                  the problems) or as JSON (201 {lead_id},
 *                                  or problem+json)
 *   GET  /api/v1/forms/{id}/embed  the public address and an iframe snippet
 *                                  to paste into a web site
 *   POST /api/v1/leads/{id}/convert  lead → account + contact + opportunity
 *
 * The forms themselves are records (/api/v1/forms, records.c); the rules of
 * a submission are in src/crm/form.h, those of conversion in convert.h.
 * Every text that reaches HTML goes through buf_html_txt / buf_html_attr.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/urlform.h"
#include "crm/leads/convert.h"
#include "crm/leads/form.h"
#include "crm/records/resources.h"
#include "api.h"

/* The page's only style.  The CSP allows exactly this text, by its hash. */
static const char style[] =
	"body{font:16px/1.45 system-ui,sans-serif;color:#1b1b1b;margin:0;padding:1rem;"
	"max-width:36rem}h1{font-size:1.4rem}label{display:block;margin:.9rem 0 .25rem}"
	"input,select,textarea{width:100%;box-sizing:border-box;padding:.45rem;font:inherit}"
	"input[type=checkbox]{width:auto;margin-right:.4rem}.check{display:flex;align-items:"
	"center}.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:"
	"hidden}button{margin-top:1.2rem;padding:.55rem 1.4rem;font:inherit}.problems{color:"
	"#a00020;border:1px solid #a00020;padding:.5rem 1rem}";

/* "default-src 'none'; style-src 'sha256-…'; …" for the form pages. */
static void page_csp(struct resp *rs)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
					   sodium_base64_VARIANT_ORIGINAL)];

	crypto_hash_sha256(h, (const unsigned char *)style, sizeof(style) - 1);
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	/* frame-ancestors *: these pages are made to be embedded; the rest of
	 * the server keeps frame-ancestors 'none' */
	api_set_header(rs, "Content-Security-Policy",
		       "default-src 'none'; style-src 'sha256-%s'; base-uri 'none'; "
		       "frame-ancestors *",
		       b64);
	api_set_header(rs, "Referrer-Policy", "no-referrer");
}

static void page_start(struct resp *rs, int status, const char *title)
{
	rs->status = status;
	rs->content_type = "text/html; charset=utf-8";
	buf_reset(&rs->body);
	page_csp(rs);
	buf_puts(&rs->body, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			    "<meta name=\"viewport\" content=\"width=device-width, "
			    "initial-scale=1\"><title>");
	buf_html_txt(&rs->body, title);
	buf_printf(&rs->body, "</title><style>%s</style></head><body>\n<h1>", style);
	buf_html_txt(&rs->body, title);
	buf_puts(&rs->body, "</h1>\n");
}

static void page_end(struct resp *rs)
{
	buf_puts(&rs->body, "</body></html>\n");
}

/* A page with one message (not found, thanks, too many). */
static void page_message(struct resp *rs, int status, const char *title, const char *text)
{
	page_start(rs, status, title);
	buf_puts(&rs->body, "<p>");
	buf_html_txt(&rs->body, text);
	buf_puts(&rs->body, "</p>\n");
	page_end(rs);
}

static const char *answer_of(const struct form_answer *a, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return a[i].value;
	return NULL;
}

static void attr(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, " %s=\"", name);
	buf_html_attr(b, value);
	buf_putc(b, '"');
}

/* One question as HTML, with the value given before (if any). */
static void question_html(struct buf *b, json_t *q, const char *given)
{
	const char *name = json_string_value(json_object_get(q, "name"));
	const char *label = json_string_value(json_object_get(q, "label"));
	const char *type = json_string_value(json_object_get(q, "type"));
	int required = json_is_true(json_object_get(q, "required"));
	char id[80];
	json_t *o;
	size_t i;

	snprintf(id, sizeof(id), "f-%s", name);
	if (!strcmp(type, "checkbox")) {
		buf_puts(b, "<label class=\"check\"><input type=\"checkbox\" value=\"on\"");
		attr(b, "name", name);
		if (required)
			buf_puts(b, " required");
		if (given && (!strcmp(given, "on") || !strcmp(given, "true")))
			buf_puts(b, " checked");
		buf_puts(b, ">");
		buf_html_txt(b, label);
		buf_puts(b, required ? " *</label>\n" : "</label>\n");
		return;
	}
	buf_puts(b, "<label");
	attr(b, "for", id);
	buf_puts(b, ">");
	buf_html_txt(b, label);
	buf_puts(b, required ? " *</label>\n" : "</label>\n");
	if (!strcmp(type, "select")) {
		buf_puts(b, "<select");
		attr(b, "id", id);
		attr(b, "name", name);
		buf_puts(b, required ? " required><option value=\"\"></option>"
				     : "><option value=\"\"></option>");
		json_array_foreach(json_object_get(q, "options"), i, o) {
			const char *v = json_string_value(o);

			buf_puts(b, "<option");
			attr(b, "value", v);
			if (given && !strcmp(given, v))
				buf_puts(b, " selected");
			buf_puts(b, ">");
			buf_html_txt(b, v);
			buf_puts(b, "</option>");
		}
		buf_puts(b, "</select>\n");
		return;
	}
	if (!strcmp(type, "textarea")) {
		buf_puts(b, "<textarea rows=\"4\" maxlength=\"1000\"");
		attr(b, "id", id);
		attr(b, "name", name);
		buf_puts(b, required ? " required>" : ">");
		if (given)
			buf_html_txt(b, given);
		buf_puts(b, "</textarea>\n");
		return;
	}
	buf_puts(b, "<input");
	attr(b, "type", type);
	attr(b, "id", id);
	attr(b, "name", name);
	if (!strcmp(type, "email"))
		buf_puts(b, " autocomplete=\"email\"");
	if (given)
		attr(b, "value", given);
	buf_puts(b, required ? " required>\n" : ">\n");
}

/* The form page; with the answers given and their problems after a refused
 * post. */
static void form_page(struct resp *rs, int status, const struct form *f,
		      const struct form_answer *a, int n, const struct err *e)
{
	json_t *q;
	size_t i;
	int k;

	page_start(rs, status, f->name);
	if (e && (e->nfields || e->msg[0])) {
		buf_puts(&rs->body, "<div class=\"problems\" role=\"alert\"><p>Please check the "
				    "form:</p><ul>\n");
		if (!e->nfields) {
			buf_puts(&rs->body, "<li>");
			buf_html_txt(&rs->body, e->msg);
			buf_puts(&rs->body, "</li>\n");
		}
		for (k = 0; k < e->nfields; k++) {
			const char *label = e->fields[k].field;

			/* name the question as the visitor saw it */
			json_array_foreach(f->questions, i, q)
				if (!strcmp(json_string_value(json_object_get(q, "name")), label))
					label = json_string_value(json_object_get(q, "label"));
			buf_puts(&rs->body, "<li>");
			buf_html_txt(&rs->body, label);
			buf_puts(&rs->body, ": ");
			buf_html_txt(&rs->body, e->fields[k].message);
			buf_puts(&rs->body, "</li>\n");
		}
		buf_puts(&rs->body, "</ul></div>\n");
	}
	buf_puts(&rs->body, "<form method=\"post\" accept-charset=\"utf-8\"");
	buf_puts(&rs->body, " action=\"/f/");
	buf_html_attr(&rs->body, f->slug);
	buf_puts(&rs->body, "\">\n");
	json_array_foreach(f->questions, i, q) {
		const char *given = answer_of(a, n, json_string_value(json_object_get(q, "name")));

		/* an answer refused for its size is not worth sending back */
		if (given && strlen(given) > 4 * FORM_MAX_VALUE)
			given = NULL;
		question_html(&rs->body, q, given);
	}
	/* the trap: off screen and out of the tab order, so people leave it
	 * empty and form-filling bots do not */
	buf_puts(&rs->body, "<div class=\"hp\" aria-hidden=\"true\"><label for=\"f-" FORM_HONEYPOT
			    "\">Website</label><input type=\"text\" id=\"f-" FORM_HONEYPOT
			    "\" name=\"" FORM_HONEYPOT "\" tabindex=\"-1\" autocomplete=\"off\" "
			    "value=\"\"></div>\n<button type=\"submit\">Send</button>\n</form>\n");
	page_end(rs);
}

void api_form_page(struct req *rq, struct resp *rs)
{
	struct form f;
	struct err e;
	int rc, i;

	err_clear(&e);
	rc = form_load(rq->st, rq->params[0], &f, &e);
	if (rc) {
		if (rc == E_NOTFOUND)
			page_message(rs, 404, "Form not found",
				     "There is no form at this address (any more).");
		else
			page_message(rs, 500, "Something went wrong", "Please try again later.");
		return;
	}
	for (i = 0; i < rq->nquery; i++)
		if (!strcmp(rq->query[i].k, "sent")) {
			page_message(rs, 200, f.name, "Thank you: we received your answers and will "
						      "be in touch soon.");
			form_release(&f);
			return;
		}
	form_page(rs, 200, &f, NULL, 0, NULL);
	form_release(&f);
}

static int is_type(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return ct && !strncasecmp(ct, want, n) && (!ct[n] || ct[n] == ';' || ct[n] == ' ');
}

/* The answers of a JSON body: strings, or booleans for check boxes. */
static int json_answers(json_t *body, struct form_answer *a, int *n, struct err *e)
{
	const char *k;
	json_t *v;

	*n = 0;
	json_object_foreach(body, k, v) {
		if (*n == FORM_MAX_ANSWERS)
			return fail(e, E_INVAL, "a submission has at most %d fields",
				    FORM_MAX_ANSWERS);
		if (json_is_null(v))
			continue;
		if (json_is_boolean(v)) {
			a[*n].value = json_is_true(v) ? "on" : "off";
		} else if (json_is_string(v)) {
			a[*n].value = json_string_value(v);
		} else {
			err_field(e, k, "must be a string, not %s", json_type_name(v));
			continue;
		}
		a[(*n)++].name = k;
	}
	return e->nfields ? E_INVAL : OK;
}

void api_form_submit(struct req *rq, struct resp *rs)
{
	const char *ct = api_header(rq, "Content-Type");
	int html = is_type(ct, "application/x-www-form-urlencoded");
	struct form_answer a[FORM_MAX_ANSWERS + 1];
	struct urlform uf = {0};
	struct form f = {0};
	json_t *body = NULL;
	struct jw w;
	struct err e;
	long long lead = 0;
	int rc, n = 0, i, spam = 0, loaded = 0;

	err_clear(&e);
	if (!html && !is_type(ct, "application/json")) {
		fail(&e, E_UNSUPPORTED, "send the form as application/x-www-form-urlencoded or "
					"application/json");
		api_problem(rs, E_UNSUPPORTED, &e);
		return;
	}
	rc = form_load(rq->st, rq->params[0], &f, &e);
	if (rc)
		goto answer;
	loaded = 1;
	if (html) {
		rc = urlform_parse(rq->body ? rq->body : "", rq->body_len, FORM_MAX_ANSWERS, &uf,
				   &e);
		if (rc)
			goto answer;
		for (i = 0; i < uf.n; i++) {
			a[i].name = uf.pairs[i].name;
			a[i].value = uf.pairs[i].value;
		}
		n = uf.n;
	} else {
		body = api_body(rq, rs);
		if (!body) {
			form_release(&f);
			return; /* answered */
		}
		rc = json_answers(body, a, &n, &e);
		if (rc)
			goto answer;
	}
	rc = form_submit(rq->st, &f, rq->ip, a, n, &lead, &spam, &e);
answer:
	if (rc == E_THROTTLE && e.retry_after)
		api_set_header(rs, "Retry-After", "%d", e.retry_after);
	if (rc && !html) {
		rs->nheaders = 0; /* api_problem sets Retry-After itself */
		api_problem(rs, rc, &e);
	} else if (rc == E_NOTFOUND) {
		page_message(rs, 404, "Form not found", "There is no form at this address (any more).");
	} else if (rc == E_THROTTLE) {
		page_message(rs, 429, loaded ? f.name : "Too many submissions",
			     "Too many submissions from your address. Please wait a minute and "
			     "send the form again.");
	} else if (rc == E_INVAL || rc == E_TOOBIG) {
		form_page(rs, 400, &f, a, n, &e);
	} else if (rc) {
		page_message(rs, 500, "Something went wrong", "Please try again later.");
	} else if (!html) {
		/* spam gets this very answer, with a decoy id */
		api_json(rs, 201, &w);
		jw_obj(&w);
		jw_kint(&w, "lead_id", lead);
		jw_obj_end(&w);
	} else {
		rs->status = 303;
		rs->content_type = "text/html; charset=utf-8";
		buf_reset(&rs->body);
		if (f.thank_you_url)
			api_set_header(rs, "Location", "%s", f.thank_you_url);
		else
			api_set_header(rs, "Location", "/f/%s?sent=1", f.slug);
		buf_puts(&rs->body, "<!doctype html><p>Thank you.</p>\n");
	}
	(void)spam;
	urlform_release(&uf);
	json_decref(body);
	if (loaded)
		form_release(&f);
}

/* --- the admin's side ----------------------------------------------------- */

/* Host as the client named it, if it is a plain host[:port]. */
static const char *safe_host(struct req *rq)
{
	const char *h = api_header(rq, "Host"), *c;

	if (!h || !*h || strlen(h) > 255)
		return NULL;
	for (c = h; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr(".-:[]", *c)))
			return NULL;
	return h;
}

void api_form_embed(struct req *rq, struct resp *rs)
{
	long long id = api_id(rq, rs, 0);
	const char *host, *proto;
	struct buf url = BUF_INIT, snippet = BUF_INIT;
	struct record rec;
	struct jw w;
	struct err e;
	int rc;

	if (id < 0)
		return;
	err_clear(&e);
	rc = record_get(rq->st, rq->p, &form_resource, id, &rec, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	host = safe_host(rq);
	if (!host) {
		record_release(&rec);
		fail(&e, E_INVAL, "the Host header is needed to write the form's address");
		api_problem(rs, E_INVAL, &e);
		return;
	}
	/* behind a TLS-terminating proxy the scheme is the proxy's */
	proto = api_header(rq, "X-Forwarded-Proto");
	if (!proto || (strcmp(proto, "https") && strcmp(proto, "http")))
		proto = rq->secure ? "https" : "http";
	buf_printf(&url, "%s://%s/f/%s", proto, host, record_text(&rec, "slug"));
	buf_puts(&snippet, "<iframe src=\"");
	buf_html_attr(&snippet, url.data);
	buf_puts(&snippet, "\" title=\"");
	buf_html_attr(&snippet, record_text(&rec, "name"));
	buf_puts(&snippet, "\" style=\"border:0;width:100%;max-width:40rem;height:42rem\" "
			   "loading=\"lazy\"></iframe>");
	api_json(rs, 200, &w);
	jw_obj(&w);
	jw_kint(&w, "form_id", rec.id);
	jw_kstr(&w, "url", url.data);
	jw_kstr(&w, "embed", snippet.data);
	jw_obj_end(&w);
	buf_release(&url);
	buf_release(&snippet);
	record_release(&rec);
}

/* --- conversion ------------------------------------------------------------ */

static void linked(struct jw *w, const char *key, const struct record *rec, int created)
{
	jw_key(w, key);
	jw_obj(w);
	record_json_members(rec, w);
	jw_kbool(w, "created", created);
	jw_kbool(w, "linked", !created);
	jw_obj_end(w);
}

void api_lead_convert(struct req *rq, struct resp *rs)
{
	long long id = api_id(rq, rs, 0);
	struct convert_result r;
	json_t *body = NULL;
	struct jw w;
	struct err e;
	int rc;

	if (id < 0)
		return;
	/* every part of the body is optional, the body too */
	if (rq->body_len) {
		body = api_body(rq, rs);
		if (!body)
			return;
	}
	err_clear(&e);
	rc = lead_convert(rq->st, rq->p, id, body, &r, &e);
	json_decref(body);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_json(rs, 201, &w);
	jw_obj(&w);
	jw_key(&w, "lead");
	record_json(&r.lead, &w);
	linked(&w, "account", &r.account, r.account_created);
	linked(&w, "contact", &r.contact, r.contact_created);
	jw_key(&w, "opportunity");
	record_json(&r.opportunity, &w);
	jw_obj_end(&w);
	api_set_header(rs, "Location", "/api/v1/opportunities/%lld", r.opportunity.id);
	convert_result_release(&r);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const struct api_prop p_form_submitted[] = {
	DOC_PROP("lead_id", FT_INT, DOC_REQ, 0, "The new lead"),
};
static const struct api_prop p_form_embed[] = {
	DOC_PROP("form_id", FT_INT, DOC_REQ, 0, "The form"),
	DOC_PROP("url", FT_TEXT, DOC_REQ, 0,
		 "Its public address, as this request reached the server"),
	DOC_PROP("embed", FT_TEXT, DOC_REQ, 0, "An iframe to paste into a web page"),
};
static const struct api_prop p_convert_opp[] = {
	DOC_PROP("name", FT_TEXT, 0, 200, "Default: \"<company> \u2014 <lead name>\""),
	DOC_PROP("amount", FT_MONEY, 0, 0, "Expected value, in currency"),
	DOC_PROP("currency", FT_CURRENCY, 0, 0, "ISO 4217 code (default EUR)"),
	DOC_PROP("close_date", FT_DATE, 0, 0, "Default: in 90 days"),
	{{"channel", FT_ENUM, 0, 0, 0, channel_choices, NULL, "Default: the lead's"}, NULL},
};
static const struct api_prop p_convert[] = {
	DOC_PROP("account_id", FT_REF, 0, 0, "Link this account instead of finding or making one"),
	DOC_PROP("contact_id", FT_REF, 0, 0, "Link this contact (of that account)"),
	DOC_SUB("opportunity", "LeadConversionOpportunity", 0, "The new deal's details"),
};
static const struct api_prop p_converted[] = {
	DOC_SUB("lead", "Lead", DOC_REQ, "The lead, qualified, with its converted_* links"),
	DOC_SUB("account", "Account", DOC_REQ, "The account, with created or linked (true)"),
	DOC_SUB("contact", "Contact", DOC_REQ, "The contact, with created or linked (true)"),
	DOC_SUB("opportunity", "Opportunity", DOC_REQ, "The new deal"),
};

static const struct api_schema doc_schemas[] = {
	{"FormSubmission", 0,
	 "The answers by question name: strings, true/false for check "
	 "boxes",
	 NULL, 0},
	DOC_SCHEMA("FormSubmitted", 0, "A submission taken", p_form_submitted),
	DOC_SCHEMA("FormEmbed", 0, "How to put a form on a web site", p_form_embed),
	DOC_SCHEMA("LeadConversion", 1, "What to link or set; all optional", p_convert),
	DOC_SCHEMA("LeadConversionOpportunity", 1, "The deal a conversion makes", p_convert_opp),
	DOC_SCHEMA("LeadConverted", 0, "A converted lead and what it became", p_converted),
};

static const struct api_op doc_ops[] = {
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
	{api_form_embed, "embed_form", "forms", "A form's public address and embed snippet", NULL,
	 NULL, 200, "FormEmbed", NULL, NULL},
	{api_lead_convert, "convert_lead", "leads", "Convert a lead",
	 "Into an account (found by e-mail domain or name among those the caller sees, else "
	 "new), a contact (found by e-mail at that account, else new) and a new opportunity at "
	 "the stage after qualification, in one transaction.  409 when the lead is converted "
	 "already or disqualified.  The body is optional.",
	 "LeadConversion", 201, "LeadConverted", "Location", "409"},
};

const struct api_doc api_doc_forms = {
	NULL, NULL, doc_ops, DOC_N(doc_ops), doc_schemas, DOC_N(doc_schemas),
};
