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
