/*
 * activity.c — calls, meetings, e-mails, tasks and notes, linked to a record.
 */
#include <string.h>

#include "resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

const char *const activity_types[] = {"call", "meeting", "email", "task", "note", NULL};
const char *const activity_related[] = {"account", "contact", "lead", "opportunity",
					      NULL};

static const struct field fields[] = {
	{"type", FT_ENUM, FF_REQUIRED | FF_FILTER, 0, 0, activity_types, NULL, "Kind of activity"},
	{"subject", FT_TEXT, FF_REQUIRED | FF_SEARCH | FF_SORT, 0, 200, NULL, NULL,
	 "What it is about"},
	{"notes", FT_LONGTEXT, 0, 0, 20000, NULL, NULL, "Free text"},
	{"due_at", FT_TIME, FF_RANGE, 0, 0, NULL, NULL, "When it is due or scheduled"},
	{"done_at", FT_TIME, FF_RANGE, 0, 0, NULL, NULL, "When it was done (null: pending)"},
	{"related_type", FT_ENUM, FF_FILTER, 0, 0, activity_related, NULL,
	 "Kind of record it is linked to"},
	{"related_id", FT_INT, FF_FILTER, 1, 9007199254740991LL, NULL, NULL,
	 "Id of the linked record"},
	{"owner_id", FT_REF, FF_OWNER | FF_FILTER | FF_NOTNULL, 0, 0, NULL, "users",
	 "Who does it (defaults to the caller)"},
};

static const struct resource *related_resource(const char *type)
{
	if (!type)
		return NULL;
	if (!strcmp(type, "account"))
		return &account_resource;
	if (!strcmp(type, "contact"))
		return &contact_resource;
	if (!strcmp(type, "lead"))
		return &lead_resource;
	if (!strcmp(type, "opportunity"))
		return &opportunity_resource;
	return NULL;
}

/* The link is both fields or neither, to a record the caller can see. */
static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	int tf = record_field(rec->res, "related_type"), idf = record_field(rec->res, "related_id");
	const struct val *t = &rec->v[tf], *id = &rec->v[idf];
	const struct resource *target;
	int rc;

	if (!t->set && !id->set)
		return OK;
	if (t->null != id->null)
		return err_field(e, t->null ? "related_type" : "related_id",
				 "related_type and related_id go together");
	if (t->null)
		return OK;
	if (old && !old->v[tf].null && !old->v[idf].null && !strcmp(old->v[tf].s, t->s) &&
	    old->v[idf].i == id->i)
		return OK;
	target = related_resource(t->s);
	if (!target)
		return OK; /* the enum check already reported it */
	rc = record_visible(st, p, target, id->i, e);
	if (rc == E_NOTFOUND)
		return err_field(e, "related_id", "no %s with id %lld", target->singular, id->i);
	return rc;
}

/* The lead an activity is on, or 0. */
static long long lead_of(const struct record *rec)
{
	const char *t = record_text(rec, "related_type");

	return t && !strcmp(t, "lead") ? record_int(rec, "related_id") : 0;
}

/* An activity on a lead moves the lead's engagement, so its score: the lead
 * it is on now and the one it was on before are rescored. */
static int after_write(struct store *st, const struct principal *p, const struct record *old,
		       const struct record *rec, struct err *e)
{
	long long now = lead_of(rec), before = old ? lead_of(old) : 0;
	int rc = OK;

	(void)p;
	if (now)
		rc = crm_lead_engaged(st, now, e);
	if (!rc && before && before != now)
		rc = crm_lead_engaged(st, before, e);
	return rc;
}

static int after_delete(struct store *st, const struct principal *p, const struct record *old,
			struct err *e)
{
	long long lead = lead_of(old);

	(void)p;
	return lead ? crm_lead_engaged(st, lead, e) : OK;
}

const struct resource activity_resource = {
	.name = "activities",
	.singular = "activity",
	.doc = "Calls, meetings, e-mails, tasks and notes",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ACTIVITY,
	.prepare = prepare,
	.after_write = after_write,
	.after_delete = after_delete,
};
