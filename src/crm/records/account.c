/*
 * account.c — a company the team sells to.
 */
#include "resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const struct field fields[] = {
	{"name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH, 0, 200, NULL, NULL,
	 "Company name"},
	{"domain", FT_TEXT, FF_FILTER | FF_SEARCH, 0, 253, NULL, NULL,
	 "Web domain, used to find duplicates (example.com)"},
	{"industry", FT_TEXT, FF_FILTER, 0, 100, NULL, NULL, "Industry or sector"},
	{"territory", FT_TEXT, FF_FILTER, 0, 100, NULL, NULL, "Sales territory"},
	{"employees", FT_INT, FF_RANGE, 0, 10000000, NULL, NULL, "Number of employees"},
	{"phone", FT_TEXT, 0, 0, 50, NULL, NULL, "Main phone number"},
	{"website", FT_TEXT, 0, 0, 500, NULL, NULL, "Web site address"},
	{"address", FT_LONGTEXT, 0, 0, 1000, NULL, NULL, "Postal address"},
	{"owner_id", FT_REF, FF_OWNER | FF_FILTER | FF_NOTNULL, 0, 0, NULL, "users",
	 "Owning salesperson (defaults to the caller)"},
};

const struct resource account_resource = {
	.name = "accounts",
	.singular = "account",
	.doc = "Companies the team sells to",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ACCOUNT,
	.search_index = "accounts_search",
};
