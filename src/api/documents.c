/*
 * documents.c — POST /api/v1/opportunities/{id}/documents {"template_id"} or
 * {"kind"} (the first template of that kind): merge the template with the
 * deal, render the PDF, attach it to the deal (src/crm/document.h) → 201
 * with the attachment; download it from its "url".
 */
#include <string.h>

#include "crm/process/document.h"
#include "api.h"

void api_document_create(struct req *rq, struct resp *rs)
{
	struct attachment at;
	struct api_args a;
	struct jw w;
	long long template_id = 0;
	json_t *t, *k, *v;
	const char *key, *kind = NULL;
	int rc;

	if (api_args(rq, rs, API_ID | API_BODY, &a))
		return;
	json_object_foreach(a.body, key, v)
		if (strcmp(key, "template_id") && strcmp(key, "kind"))
			err_field(&a.e, key, "is not a field here (template_id or kind)");
	t = json_object_get(a.body, "template_id");
	k = json_object_get(a.body, "kind");
	if (t && (!json_is_integer(t) || json_integer_value(t) < 1))
		err_field(&a.e, "template_id", "must be the id of a template");
	else if (t)
		template_id = json_integer_value(t);
	if (k && !json_is_string(k))
		err_field(&a.e, "kind", "must be welcome_letter, contract, proposal or other");
	else if (k)
		kind = json_string_value(k);
	if (t && k)
		err_field(&a.e, "kind", "give template_id or kind, not both");
	rc = a.e.nfields ? E_INVAL
			 : document_generate(rq->st, rq->p, rq->files_dir, a.id, template_id, kind,
					     &at, &a.e);
	if (api_done(rs, &a, rc))
		return;
	api_json(rs, 201, &w);
	attachment_json(&at, &w);
	api_set_header(rs, "Location", "/api/v1/attachments/%lld", at.id);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const struct api_prop p_document_in[] = {
	DOC_PROP("template_id", FT_REF, 0, 0, "The template to render"),
	DOC_PROP("kind", FT_TEXT, 0, 32, "Or: the first template of this kind (contract …)"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("DocumentCreate", 1, "Which template to render (one of the two)", p_document_in),
};

static const struct api_op doc_ops[] = {
	{api_document_create, "create_document", "documents", "Render a document for a deal",
	 "Merges the template with the account, contact, opportunity and owner and renders a PDF, "
	 "stored as an attachment of the deal with the template's kind (so stage criteria that "
	 "need a contract or welcome letter see it).",
	 "DocumentCreate", 201, "Attachment", "Location", NULL},
};

const struct api_doc api_doc_documents = {
	"documents", "Documents merged from templates into PDFs and stored on the deal",
	doc_ops,     DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
