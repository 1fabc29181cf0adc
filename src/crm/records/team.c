/*
 * team.c — teams form a tree; a manager sees the records of everyone in the
 * team they belong to and in every team below it.
 */
#include "user.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const struct field fields[] = {
	{"name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH | FF_UNIQUE, 0, 100, NULL, NULL,
	 "Team name (unique)"},
	{"parent_id", FT_REF, FF_FILTER, 0, 0, NULL, "teams", "The team above (null: top)"},
};

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const struct val *parent = &rec->v[1];
	struct stmt *s;
	int rc, hit;

	(void)p;
	if (!old || !parent->set || parent->null)
		return OK;
	/* the new parent may not be the team itself or one below it */
	s = store_prepare(st, "SELECT 1 FROM (" SQL_TEAM_SUBTREE ") WHERE id = ?2", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, old->id);
	stmt_bind_int(s, 2, parent->i);
	rc = stmt_step(s, e);
	hit = stmt_row(s);
	stmt_done(s);
	if (rc)
		return rc;
	return hit ? err_field(e, "parent_id", "a team cannot be inside itself or a team below it")
		   : OK;
}

const struct resource team_resource = {
	.name = "teams",
	.singular = "team",
	.doc = "Teams, as a tree; admins manage them",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ALL,
	.write_role = ROLE_ADMIN,
	.prepare = prepare,
};

int team_ensure(struct store *st, const struct principal *p, const char *name, long long *id,
		struct err *e)
{
	struct record rec;
	struct stmt *s = store_prepare(st, "SELECT id FROM teams WHERE name = ?", e);
	json_t *body;
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, name);
	rc = stmt_step(s, e);
	*id = !rc && stmt_row(s) ? stmt_int(s, 0) : 0;
	stmt_done(s);
	if (rc || *id)
		return rc;
	body = json_pack("{s:s}", "name", name);
	rc = record_create(st, p, &team_resource, body, 0, &rec, e);
	json_decref(body);
	if (!rc)
		*id = rec.id;
	record_release(&rec);
	return rc;
}
