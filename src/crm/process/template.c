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
#include "crm/records/resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const char *const kind_choices[] = {"welcome_letter", "contract", "proposal", "other",
					   NULL};

static const struct field fields[] = {
	{"kind", FT_ENUM, FF_REQUIRED | FF_FILTER | FF_NOTNULL, 0, 0, kind_choices, NULL,
	 "What the document is; a deal's stage criteria ask for documents by kind"},
	{"name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH | FF_NOTNULL | FF_UNIQUE, 0, 200, NULL, NULL,
	 "Unique name; the heading of the documents made from it"},
	{"body", FT_LONGTEXT, FF_REQUIRED | FF_NOTNULL, 0, 100000, NULL, NULL,
	 "Text with merge fields: {{account.name}}, {{contact.first_name}}, "
	 "{{opportunity.amount}}, {{owner.name}}, {{today}} (any field of the account, "
	 "contact, opportunity or owning user)"},
};

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const struct val *body = &rec->v[2];

	(void)p;
	(void)st;
	(void)old;
	if (body->set && !body->null)
		merge_check(body->s, strlen(body->s), e); /* problems join the others */
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
