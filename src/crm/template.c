/*
 * template.c — document templates: a welcome letter, a contract, a proposal
 * … whose body holds merge fields (document.h).  Everyone signed in reads
 * them; managers and admins keep them.  A body with a merge field that
 * does not exist is refused when it is saved, naming the field, so a
 * broken one never reaches a customer.  Migration 004 ships one of each of
 * welcome_letter, contract and proposal.
 */
#include <string.h>

#include "document.h"
#include "resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const char *const kind_choices[] = {"welcome_letter", "contract", "proposal", "other",
					   NULL};

static const struct field fields[] = {
	{"kind", FT_ENUM, FF_REQUIRED | FF_FILTER | FF_NOTNULL, 0, 0, kind_choices, NULL,
	 "What the document is; a deal's stage criteria ask for documents by kind"},
	{"name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH | FF_NOTNULL, 0, 200, NULL, NULL,
	 "Unique name; the heading of the documents made from it"},
	{"body", FT_LONGTEXT, FF_REQUIRED | FF_NOTNULL, 0, 100000, NULL, NULL,
	 "Text with merge fields: {{account.name}}, {{contact.first_name}}, "
	 "{{opportunity.amount}}, {{owner.name}}, {{today}} (any field of the account, "
	 "contact, opportunity or owning user)"},
};

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const struct val *name = &rec->v[1], *body = &rec->v[2];
	struct stmt *s;
	int rc, taken = 0;

	(void)p;
	if (body->set && !body->null)
		merge_check(body->s, strlen(body->s), e); /* problems join the others */
	if (!name->set || name->null)
		return e && e->nfields ? E_INVAL : OK;
	s = store_prepare(st, "SELECT 1 FROM templates WHERE name = ? AND id <> ?", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, name->s);
	stmt_bind_int(s, 2, old ? old->id : 0);
	rc = stmt_step(s, e);
	taken = stmt_row(s);
	stmt_done(s);
	if (rc)
		return rc;
	if (taken) {
		err_field(e, "name", "another template has this name");
		if (e)
			e->code = E_CONFLICT;
		return E_CONFLICT;
	}
	return e && e->nfields ? E_INVAL : OK;
}

const struct resource template_resource = {
	.name = "templates",
	.singular = "template",
	.doc = "Document templates with merge fields, rendered to PDF for a deal",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ALL,
	.write_role = ROLE_MANAGER,
	.prepare = prepare,
};
