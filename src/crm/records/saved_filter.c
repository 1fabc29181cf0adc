/*
 * saved_filter.c — a person's named list queries: "open deals in DACH",
 * "my new web leads".  The web UI's lists keep their filters, search and sort
 * as a query string (stage=proposal&owner_id=7&sort=-amount); a saved filter
 * is that string with a name, for one of the lists, kept on the server so it
 * follows its owner from browser to browser.
 *
 * Only the owner sees, changes or deletes one (VIS_SELF: admins included —
 * these are settings, not shared records).  The owner is whoever creates it
 * and never changes.  The query is checked when it is saved, as the list it
 * belongs to would parse it (list_query_parse), so a saved filter always
 * runs: an unknown parameter, a bad value or a paging cursor is a 400 naming
 * "query".  Names are unique per owner and list (409).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/urlform.h"
#include "resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

#define SAVED_FILTER_MAX_PARAMS 64

static const char *const list_choices[] = {"accounts", "contacts", "leads", "opportunities",
					   NULL};

enum { F_NAME, F_RESOURCE, F_QUERY, F_OWNER };

static const struct field fields[] = {
	[F_NAME] = {"name", FT_TEXT, FF_REQUIRED | FF_NOTNULL | FF_SORT | FF_SEARCH, 0, 100, NULL,
		    NULL, "What the owner calls it; unique per owner and list"},
	[F_RESOURCE] = {"resource", FT_ENUM, FF_REQUIRED | FF_NOTNULL | FF_FILTER, 0, 0,
			list_choices, NULL, "The list it filters"},
	[F_QUERY] = {"query", FT_TEXT, FF_NOTNULL, 0, 2000, NULL, NULL,
		     "The list's query parameters as a URL query string without '?' "
		     "(status=open&stage=proposal,negotiation&q=acme&sort=-amount); checked "
		     "against the list's parameters when saved; no cursor"},
	[F_OWNER] = {"owner_id", FT_REF, FF_READONLY, 0, 0, NULL, "users",
		     "Its owner: whoever created it, the only one who sees it"},
};

/* Is `query` a list query that `list` takes?  Problems are named "query". */
static int check_query(const char *list, const char *query, struct err *e)
{
	const struct resource *r = resource_find(list);
	struct kv kv[SAVED_FILTER_MAX_PARAMS];
	struct list_query q;
	struct urlform f;
	struct err pe;
	int i, rc;

	if (!r)
		return OK; /* the resource field reports it */
	err_clear(&pe);
	rc = urlform_parse(query, strlen(query), SAVED_FILTER_MAX_PARAMS, &f, &pe);
	if (rc == E_TOOBIG)
		return err_field(e, "query", "must have at most %d parameters",
				 SAVED_FILTER_MAX_PARAMS);
	if (rc)
		return err_field(e, "query", "%s", pe.msg);
	for (i = 0; i < f.n; i++) {
		kv[i].k = f.pairs[i].name;
		kv[i].v = f.pairs[i].value;
		if (!strcmp(kv[i].k, "cursor"))
			err_field(e, "query", "cursor: a page position is not part of a filter");
	}
	rc = list_query_parse(r, kv, f.n, &q, &pe);
	if (!rc)
		list_query_release(&q);
	for (i = 0; i < pe.nfields; i++)
		err_field(e, "query", "%s: %s", pe.fields[i].field, pe.fields[i].message);
	if (rc && !pe.nfields)
		err_field(e, "query", "%s", pe.msg);
	urlform_release(&f);
	return e && e->nfields ? E_INVAL : OK;
}

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const struct val *name = &rec->v[F_NAME], *list = &rec->v[F_RESOURCE],
			 *query = &rec->v[F_QUERY];
	long long one, self = old ? old->id : 0;
	int rc, taken;

	if (!old) {
		if (!p->user_id)
			return fail(e, E_FORBIDDEN, "saved filters belong to a signed-in user");
		record_set_int(rec, F_OWNER, p->user_id);
		if (!query->set)
			record_set_text(rec, F_QUERY, "");
		else if (query->null)
			err_field(e, "query", "may not be null (\"\" is no filter)");
	}
	if ((list->set || query->set) && !list->null && !query->null)
		check_query(list->s, query->s, e);
	if (e && e->nfields)
		return E_INVAL;
	if (!name->set && !list->set)
		return OK;
	if (name->null || list->null)
		return OK; /* reported as required */
	rc = store_int(st, &one, &taken, e,
		       "SELECT 1 FROM saved_filters WHERE owner_id = ? AND resource = ? AND name = ? "
		       "AND id <> ?",
		       "itti", old ? old->v[F_OWNER].i : p->user_id, list->s, name->s, self);
	if (rc)
		return rc;
	if (taken) {
		err_field(e, "name", "you already have a saved filter of %s with this name", list->s);
		return E_CONFLICT;
	}
	return OK;
}

const struct resource saved_filter_resource = {
	.name = "saved_filters",
	.singular = "saved filter",
	.doc = "A person's named list filters (the web UI's saved filters); only their owner "
	       "sees them",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_SELF,
	.write_role = ROLE_REP,
	.prepare = prepare,
};
