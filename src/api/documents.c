/*
 * documents.c — POST /api/v1/opportunities/{id}/documents {"template_id"} or
 * {"kind"} (the first template of that kind): merge the template with the
 * deal, render the PDF, attach it to the deal (src/crm/document.h) → 201
 * with the attachment; download it from its "url".
 */
#include <string.h>

#include "../crm/document.h"
#include "api.h"

void api_document_create(struct req *rq, struct resp *rs)
{
	struct attachment a;
	struct jw w;
	struct err e;
	long long id = api_id(rq, rs, 0), template_id = 0;
	json_t *body, *t, *k, *v;
	const char *key, *kind = NULL;
	int rc;

	if (id < 0)
		return;
	body = api_body(rq, rs);
	if (!body)
		return;
	err_clear(&e);
	json_object_foreach(body, key, v)
		if (strcmp(key, "template_id") && strcmp(key, "kind"))
			err_field(&e, key, "is not a field here (template_id or kind)");
	t = json_object_get(body, "template_id");
	k = json_object_get(body, "kind");
	if (t && (!json_is_integer(t) || json_integer_value(t) < 1))
		err_field(&e, "template_id", "must be the id of a template");
	else if (t)
		template_id = json_integer_value(t);
	if (k && !json_is_string(k))
		err_field(&e, "kind", "must be welcome_letter, contract, proposal or other");
	else if (k)
		kind = json_string_value(k);
	if (t && k)
		err_field(&e, "kind", "give template_id or kind, not both");
	rc = e.nfields ? E_INVAL
		       : document_generate(rq->st, rq->p, rq->files_dir, id, template_id, kind, &a,
					   &e);
	json_decref(body);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_json(rs, 201, &w);
	attachment_json(&a, &w);
	api_set_header(rs, "Location", "/api/v1/attachments/%lld", a.id);
}
