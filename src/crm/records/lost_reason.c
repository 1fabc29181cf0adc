/*
 * lost_reason.c — the managed list of reasons a deal is lost; moving a deal
 * to a lost stage needs one of the active ones.  Admins keep the list.
 */
#include "resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const struct field fields[] = {
	{"name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH | FF_UNIQUE, 0, 200, NULL, NULL,
	 "The reason, as salespeople pick it ('lost to competitor')"},
	{"active", FT_BOOL, FF_FILTER | FF_NOTNULL, 0, 0, NULL, NULL,
	 "false: kept on old deals, no longer offered"},
};

const struct resource lost_reason_resource = {
	.name = "lost_reasons",
	.singular = "lost reason",
	.doc = "Why deals are lost: a managed list",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ALL,
	.write_role = ROLE_ADMIN,
};
