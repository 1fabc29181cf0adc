/*
 * contact.c — a person at an account.
 */
#include "resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const struct field fields[] = {
	{"account_id", FT_REF, FF_REQUIRED | FF_FILTER, 0, 0, NULL, "accounts",
	 "The account the contact works for"},
	{"first_name", FT_TEXT, FF_SEARCH, 0, 100, NULL, NULL, "Given name"},
	{"last_name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH, 0, 100, NULL, NULL,
	 "Family name"},
	{"email", FT_EMAIL, FF_FILTER | FF_SEARCH, 0, 254, NULL, NULL, "E-mail address"},
	{"phone", FT_TEXT, 0, 0, 50, NULL, NULL, "Phone number"},
	{"title", FT_TEXT, 0, 0, 100, NULL, NULL, "Job title"},
	{"decision_maker", FT_BOOL, FF_FILTER | FF_NOTNULL, 0, 0, NULL, NULL,
	 "Takes or signs off the buying decision"},
	{"owner_id", FT_REF, FF_OWNER | FF_FILTER | FF_NOTNULL, 0, 0, NULL, "users",
	 "Owning salesperson (defaults to the caller)"},
};

const struct resource contact_resource = {
	.name = "contacts",
	.singular = "contact",
	.doc = "People at accounts",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_CONTACT,
	.search_index = "contacts_search",
};
