/*
 * lost_reason.c — the managed list of reasons a deal is lost; moving a deal
 * to a lost stage needs one of the active ones.  Admins keep the list.
 */
#include "resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const struct field fields[] = {
	{"name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH, 0, 200, NULL, NULL,
	 "The reason, as salespeople pick it ('lost to competitor')"},
	{"active", FT_BOOL, FF_FILTER | FF_NOTNULL, 0, 0, NULL, NULL,
	 "false: kept on old deals, no longer offered"},
};

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const struct val *name = &rec->v[0];
	struct stmt *s;
	int rc, taken;

	(void)p;
	if (!name->set || name->null)
		return OK;
	s = store_prepare(st, "SELECT 1 FROM lost_reasons WHERE name = ? AND id <> ?", e);
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
		err_field(e, "name", "is already on the list");
		if (e)
			e->code = E_CONFLICT;
		return E_CONFLICT;
	}
	return OK;
}

const struct resource lost_reason_resource = {
	.name = "lost_reasons",
	.singular = "lost reason",
	.doc = "Why deals are lost: a managed list",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ALL,
	.write_role = ROLE_ADMIN,
	.prepare = prepare,
};
