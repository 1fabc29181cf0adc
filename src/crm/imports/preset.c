/*
 * preset.c — Salesforce's and HubSpot's export columns (preset.h).
 *
 * The column names are those of Salesforce's Data Export / Data Loader
 * files (the objects' API field names) and of HubSpot's CRM exports (the
 * properties' labels).  The --stage-map and User.csv files go into
 * temporary tables, so every lookup is one indexed statement.
 */
#include "preset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/datein.h"
#include "crm/records/record.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

/* --- Salesforce ------------------------------------------------------------ */

static const char *const sf_lead_status[] = {
	"Open - Not Contacted", "new",       "Working - Contacted",    "working",
	"Closed - Converted",   "qualified", "Closed - Not Converted", "disqualified",
	NULL};

static const struct preset_column sf_account[] = {
	{"Id", NULL, PR_EXTID, NULL, NULL},
	{"Name", "name", PR_FIELD, NULL, NULL},
	{"Website", "website", PR_FIELD, NULL, NULL},
	{"Industry", "industry", PR_FIELD, NULL, NULL},
	{"Phone", "phone", PR_FIELD, NULL, NULL},
	{"NumberOfEmployees", "employees", PR_FIELD, NULL, NULL},
	{"OwnerId", "owner_id", PR_OWNER_ID, NULL, NULL},
	{"Owner.Email", "owner_id", PR_OWNER, NULL, NULL},
};

static const struct preset_column sf_contact[] = {
	{"Id", NULL, PR_EXTID, NULL, NULL},
	{"AccountId", "account_id", PR_REF, "accounts", NULL},
	{"FirstName", "first_name", PR_FIELD, NULL, NULL},
	{"LastName", "last_name", PR_FIELD, NULL, NULL},
	{"Email", "email", PR_FIELD, NULL, NULL},
	{"Phone", "phone", PR_FIELD, NULL, NULL},
	{"Title", "title", PR_FIELD, NULL, NULL},
	{"OwnerId", "owner_id", PR_OWNER_ID, NULL, NULL},
	{"Owner.Email", "owner_id", PR_OWNER, NULL, NULL},
};

static const struct preset_column sf_lead[] = {
	{"Id", NULL, PR_EXTID, NULL, NULL},
	{"FirstName", "first_name", PR_FIELD, NULL, NULL},
	{"LastName", "last_name", PR_FIELD, NULL, NULL},
	{"Company", "company", PR_FIELD, NULL, NULL},
	{"Email", "email", PR_FIELD, NULL, NULL},
	{"Phone", "phone", PR_FIELD, NULL, NULL},
	{"Title", "title", PR_FIELD, NULL, NULL},
	{"LeadSource", "source", PR_FIELD, NULL, NULL},
	{"Industry", "industry", PR_FIELD, NULL, NULL},
	{"NumberOfEmployees", "employees", PR_FIELD, NULL, NULL},
	{"Status", "status", PR_VALUE, NULL, sf_lead_status},
	{"OwnerId", "owner_id", PR_OWNER_ID, NULL, NULL},
	{"Owner.Email", "owner_id", PR_OWNER, NULL, NULL},
};

/* Task.csv and Event.csv: a task's kind is its TaskSubtype, an event is a
 * meeting.  Status is not read (Funnel's done_at needs a time). */
static const char *const sf_activity_type[] = {
	"Task",  "task",  "Call",  "call",  "Email", "email", "ListEmail", "email",
	"Event", "meeting", "Cadence", "task", "LinkedIn", "task", NULL};

static const struct preset_column sf_activity[] = {
	{"Id", NULL, PR_EXTID, NULL, NULL},
	{"Subject", "subject", PR_FIELD, NULL, NULL},
	{"Description", "notes", PR_FIELD, NULL, NULL},
	{"TaskSubtype", "type", PR_VALUE, NULL, sf_activity_type},
	{"EventSubtype", "type", PR_VALUE, NULL, sf_activity_type},
	{"ActivityDate", "due_at", PR_WHEN, NULL, NULL},
	{"StartDateTime", "due_at", PR_WHEN, NULL, NULL},
	{"WhatId", NULL, PR_RELATED, "what", NULL},
	{"WhoId", NULL, PR_RELATED, "who", NULL},
	{"OwnerId", "owner_id", PR_OWNER_ID, NULL, NULL},
	{"Owner.Email", "owner_id", PR_OWNER, NULL, NULL},
};

/* Probability, IsWon, IsClosed and ForecastCategoryName follow from the
 * stage in Funnel; CreatedDate is the server's. */
static const struct preset_column sf_opportunity[] = {
	{"Id", NULL, PR_EXTID, NULL, NULL},
	{"AccountId", "account_id", PR_REF, "accounts", NULL},
	{"ContactId", "contact_id", PR_REF, "contacts", NULL},
	{"Name", "name", PR_FIELD, NULL, NULL},
	{"StageName", "stage", PR_STAGE, NULL, NULL},
	{"CloseDate", "close_date", PR_FIELD, NULL, NULL},
	{"Amount", "amount", PR_FIELD, NULL, NULL},
	{"CurrencyIsoCode", "currency", PR_FIELD, NULL, NULL},
	{"OwnerId", "owner_id", PR_OWNER_ID, NULL, NULL},
	{"Owner.Email", "owner_id", PR_OWNER, NULL, NULL},
};

/* OpportunityHistory.csv: a row per stage a deal entered (funnel import
 * stage_history): it replaces the imported deals' stage histories. */
static const struct preset_column sf_history[] = {
	{"OpportunityId", "opportunity_id", PR_REF, "opportunities", NULL},
	{"StageName", "stage", PR_STAGE, NULL, NULL},
	{"CreatedDate", "entered_at", PR_WHEN, NULL, NULL},
	{"CreatedById", "actor_id", PR_OWNER_ID, NULL, NULL},
};

/* --- HubSpot --------------------------------------------------------------- */

static const struct preset_column hs_company[] = {
	{"Record ID", NULL, PR_EXTID, NULL, NULL},
	{"Company name", "name", PR_FIELD, NULL, NULL},
	{"Company Domain Name", "domain", PR_FIELD, NULL, NULL},
	{"Website URL", "website", PR_FIELD, NULL, NULL},
	{"Industry", "industry", PR_FIELD, NULL, NULL},
	{"Phone Number", "phone", PR_FIELD, NULL, NULL},
	{"Number of Employees", "employees", PR_FIELD, NULL, NULL},
	{"Company owner", "owner_id", PR_OWNER, NULL, NULL},
};

static const struct preset_column hs_contact[] = {
	{"Record ID", NULL, PR_EXTID, NULL, NULL},
	{"First Name", "first_name", PR_FIELD, NULL, NULL},
	{"Last Name", "last_name", PR_FIELD, NULL, NULL},
	{"Email", "email", PR_FIELD, NULL, NULL},
	{"Phone Number", "phone", PR_FIELD, NULL, NULL},
	{"Job Title", "title", PR_FIELD, NULL, NULL},
	{"Contact owner", "owner_id", PR_OWNER, NULL, NULL},
	{"Associated Company", "account_id", PR_REF_NAME, "accounts", NULL},
	{"Associated Company IDs", "account_id", PR_REF, "accounts", NULL},
};

static const struct preset_column hs_deal[] = {
	{"Record ID", NULL, PR_EXTID, NULL, NULL},
	{"Deal Name", "name", PR_FIELD, NULL, NULL},
	{"Deal Stage", "stage", PR_STAGE, NULL, NULL},
	{"Close Date", "close_date", PR_FIELD, NULL, NULL},
	{"Amount", "amount", PR_FIELD, NULL, NULL},
	{"Deal owner", "owner_id", PR_OWNER, NULL, NULL},
	{"Associated Company", "account_id", PR_REF_NAME, "accounts", NULL},
	{"Associated Company IDs", "account_id", PR_REF, "accounts", NULL},
};

static const struct preset presets[] = {
	{"salesforce", "accounts", "Account.csv", sf_account, N(sf_account)},
	{"salesforce", "contacts", "Contact.csv", sf_contact, N(sf_contact)},
	{"salesforce", "leads", "Lead.csv", sf_lead, N(sf_lead)},
	{"salesforce", "opportunities", "Opportunity.csv", sf_opportunity, N(sf_opportunity)},
	{"salesforce", "activities", "Task.csv or Event.csv", sf_activity, N(sf_activity)},
	{"salesforce", "stage_import", "OpportunityHistory.csv", sf_history, N(sf_history)},
	{"hubspot", "accounts", "companies export", hs_company, N(hs_company)},
	{"hubspot", "contacts", "contacts export", hs_contact, N(hs_contact)},
	{"hubspot", "opportunities", "deals export", hs_deal, N(hs_deal)},
};

/* The source systems' standard stage names → the default pipeline's keys
 * (001_init.sql).  Consulted after the --stage-map and the pipeline's own
 * names. */
static const char *const standard_stages[] = {
	/* Salesforce's default Opportunity stages */
	"Prospecting", "prequalification", "Qualification", "qualification",
	"Needs Analysis", "qualification", "Value Proposition", "presentation",
	"Id. Decision Makers", "presentation", "Perception Analysis", "presentation",
	"Proposal/Price Quote", "proposal", "Negotiation/Review", "negotiation",
	"Closed Won", "conversion", "Closed Lost", "lost",
	/* HubSpot's default sales pipeline */
	"Appointment Scheduled", "qualification", "Qualified To Buy", "qualification",
	"Presentation Scheduled", "presentation", "Decision Maker Bought-In", "proposal",
	"Contract Sent", "negotiation", NULL};

const struct preset *preset_find(const char *source, const char *resource)
{
	int i;

	for (i = 0; i < N(presets); i++)
		if (!strcmp(presets[i].source, source) && !strcmp(presets[i].resource, resource))
			return &presets[i];
	return NULL;
}

int preset_source_known(const char *source)
{
	int i;

	for (i = 0; i < N(presets); i++)
		if (!strcmp(presets[i].source, source))
			return 1;
	return 0;
}

const struct preset_column *preset_column(const struct preset *p, const char *name)
{
	int i;

	for (i = 0; i < p->ncolumns; i++)
		if (!strcmp(p->columns[i].column, name))
			return &p->columns[i];
	return NULL;
}

struct preset_run {
	struct store *st;
	const struct preset *p;
	int has_users;
	long long pipeline; /* the default pipeline */
};

int preset_run_new(struct store *st, const struct preset *p, struct preset_run **out,
		   struct err *e)
{
	struct preset_run *pr = calloc(1, sizeof(*pr));
	int found, rc;

	*out = NULL;
	if (!pr)
		return fail(e, E_INTERNAL, "out of memory");
	pr->st = st;
	pr->p = p;
	rc = store_exec(st,
			"DROP TABLE IF EXISTS temp.preset_stages; DROP TABLE IF EXISTS "
			"temp.preset_users; CREATE TEMP TABLE preset_stages (name TEXT PRIMARY KEY "
			"COLLATE NOCASE, key TEXT NOT NULL); CREATE TEMP TABLE preset_users (id TEXT "
			"PRIMARY KEY, email TEXT NOT NULL)",
			e);
	if (!rc)
		rc = store_int(st, &pr->pipeline, &found, e,
			       "SELECT id FROM pipelines WHERE is_default = 1 ORDER BY id LIMIT 1",
			       "");
	if (rc) {
		preset_run_free(pr);
		return rc;
	}
	*out = pr;
	return OK;
}

void preset_run_free(struct preset_run *pr)
{
	if (!pr)
		return;
	store_exec(pr->st, "DROP TABLE IF EXISTS temp.preset_stages; DROP TABLE IF EXISTS "
			   "temp.preset_users",
		   NULL);
	free(pr);
}

/* A small CSV file, row by row into fn (the header included). */
struct small {
	struct preset_run *pr;
	int (*fn)(struct small *sm, const struct csv_row *row);
	struct err *e;
	int col[2];
	int rc;
};

static int small_row(void *ctx, const struct csv_row *row)
{
	struct small *sm = ctx;

	if (row->error) {
		sm->rc = fail(sm->e, E_INVAL, "line %lld: %s", row->line, row->error);
		return sm->rc;
	}
	sm->rc = sm->fn(sm, row);
	return sm->rc;
}

static int small_read(const char *path, struct small *sm)
{
	struct csv_reader cr;
	char chunk[16384];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = OK;

	if (!f)
		return fail(sm->e, E_INVAL, "cannot open %s", path);
	csv_reader_init(&cr, small_row, sm);
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (cr.consumed == 0)
			csv_reader_set_delim(&cr, csv_sniff_delim(chunk, n));
		rc = csv_reader_feed(&cr, chunk, n, sm->e);
	}
	if (!rc)
		rc = csv_reader_finish(&cr, sm->e);
	csv_reader_release(&cr);
	fclose(f);
	if (!rc && sm->rc)
		rc = sm->rc;
	if (rc && sm->e->msg[0] && !strstr(sm->e->msg, path)) {
		char msg[sizeof(sm->e->msg)];

		snprintf(msg, sizeof(msg), "%s", sm->e->msg);
		snprintf(sm->e->msg, sizeof(sm->e->msg), "%s: %.200s", path, msg);
	}
	return rc;
}

static int stage_map_row(struct small *sm, const struct csv_row *row)
{
	long long there = 0;
	int found, rc;

	if (row->ncells < 2 || (!row->lens[0] && !row->lens[1]))
		return row->ncells == 1 && !row->lens[0] ? OK
							 : fail(sm->e, E_INVAL, "line %lld: give "
										"two columns: the "
										"name in the export, "
										"a stage key",
								row->line);
	rc = store_int(sm->pr->st, &there, &found, sm->e,
		       "SELECT 1 FROM stages WHERE pipeline_id = ? AND key = ?", "it",
		       sm->pr->pipeline, row->cells[1]);
	if (rc)
		return rc;
	if (!found) {
		/* a header line ("name,stage") is no mapping: skip it */
		if (row->line == 1)
			return OK;
		return fail(sm->e, E_INVAL, "line %lld: '%s' is not a stage key of the default "
					    "pipeline",
			    row->line, row->cells[1]);
	}
	return store_run(sm->pr->st, sm->e,
			 "INSERT INTO temp.preset_stages (name, key) VALUES (?, ?) ON CONFLICT "
			 "(name) DO UPDATE SET key = excluded.key",
			 "tt", row->cells[0], row->cells[1]);
}

int preset_stage_map_load(struct preset_run *pr, const char *path, struct err *e)
{
	struct small sm = {pr, stage_map_row, e, {0, 0}, OK};

	return small_read(path, &sm);
}

static int users_row(struct small *sm, const struct csv_row *row)
{
	int i;

	if (row->line == 1) {
		sm->col[0] = sm->col[1] = -1;
		for (i = 0; i < row->ncells; i++) {
			if (!strcmp(row->cells[i], "Id"))
				sm->col[0] = i;
			else if (!strcmp(row->cells[i], "Email"))
				sm->col[1] = i;
		}
		if (sm->col[0] < 0 || sm->col[1] < 0)
			return fail(sm->e, E_INVAL, "the users file needs the columns Id and Email "
						    "(Salesforce's User.csv)");
		return OK;
	}
	if (row->ncells <= sm->col[0] || row->ncells <= sm->col[1])
		return OK;
	return store_run(sm->pr->st, sm->e,
			 "INSERT OR REPLACE INTO temp.preset_users (id, email) VALUES (?, ?)", "tt",
			 row->cells[sm->col[0]], row->cells[sm->col[1]]);
}

int preset_users_load(struct preset_run *pr, const char *path, struct err *e)
{
	struct small sm = {pr, users_row, e, {-1, -1}, OK};
	int rc = small_read(path, &sm);

	if (!rc)
		pr->has_users = 1;
	return rc;
}

int preset_has_users(const struct preset_run *pr)
{
	return pr->has_users;
}

int preset_stage(struct preset_run *pr, const char *name, char *key, struct err *e)
{
	struct stmt *s;
	int i, rc, found = 0;

	s = store_prepare(pr->st,
			  "SELECT key FROM temp.preset_stages WHERE name = ?1 UNION ALL SELECT key "
			  "FROM stages WHERE pipeline_id = ?2 AND (key = ?1 COLLATE NOCASE OR name = "
			  "?1 COLLATE NOCASE) LIMIT 1",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, name);
	stmt_bind_int(s, 2, pr->pipeline);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		snprintf(key, 64, "%s", stmt_text(s, 0));
		found = 1;
	}
	stmt_done(s);
	if (rc || found)
		return rc;
	for (i = 0; standard_stages[i]; i += 2)
		if (!strcasecmp(standard_stages[i], name)) {
			snprintf(key, 64, "%s", standard_stages[i + 1]);
			return OK;
		}
	return fail(e, E_NOTFOUND, "'%s' is not a stage", name);
}

int preset_stage_list(struct preset_run *pr, struct buf *b, struct err *e)
{
	struct stmt *s = store_prepare(pr->st,
				       "SELECT key, name FROM stages WHERE pipeline_id = ? ORDER BY "
				       "position",
				       e);
	int rc, n = 0;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, pr->pipeline);
	while (!(rc = stmt_step(s, e)) && stmt_row(s))
		buf_printf(b, "%s%s (%s)", n++ ? ", " : "", stmt_text(s, 0), stmt_text(s, 1));
	stmt_done(s);
	return rc;
}

/* One id from `sql` with text parameters ?1 (and ?2, ?3); *n: rows (up to 2). */
static int lookup(struct preset_run *pr, const char *sql, const char *a, const char *b,
		  const char *c, long long *id, int *n, struct err *e)
{
	struct stmt *s = store_prepare(pr->st, sql, e);
	int rc;

	*id = 0;
	*n = 0;
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, a);
	if (b)
		stmt_bind_text(s, 2, b);
	if (c)
		stmt_bind_text(s, 3, c);
	while (!(rc = stmt_step(s, e)) && stmt_row(s) && *n < 2) {
		if (!*n)
			*id = stmt_int(s, 0);
		(*n)++;
	}
	stmt_done(s);
	return rc;
}

/* A user by e-mail, or by name when the cell has no '@'. */
static int owner(struct preset_run *pr, const char *cell, long long *id, char *why,
		 struct err *e)
{
	int n, rc;

	if (strchr(cell, '@')) {
		rc = lookup(pr, "SELECT id FROM users WHERE email = ?1 COLLATE NOCASE", cell, NULL,
			    NULL, id, &n, e);
		if (!rc && !n)
			snprintf(why, 256, "no Funnel user with the e-mail %s", cell);
	} else {
		rc = lookup(pr, "SELECT id FROM users WHERE name = ?1 COLLATE NOCASE", cell, NULL,
			    NULL, id, &n, e);
		if (!rc && !n)
			snprintf(why, 256, "no Funnel user named '%s' (owners are matched by "
				 "e-mail or by name)", cell);
		else if (!rc && n > 1)
			snprintf(why, 256, "several Funnel users are named '%s': give their "
				 "e-mail", cell);
	}
	return rc ? rc : (n == 1 ? OK : E_INVAL);
}

int preset_resolve(struct preset_run *pr, const struct preset_column *c, const char *cell,
		   long long *id, char *key, char *why, struct err *e)
{
	const struct resource *t;
	char sql[400], email[256], first[128];
	int n, i, rc;

	*id = 0;
	switch (c->role) {
	case PR_REF:
		/* HubSpot lists several ids "1;2": the first is the primary */
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(cell, ";"), cell);
		snprintf(sql, sizeof(sql),
			 "SELECT x.record_id FROM external_ids x JOIN \"%s\" t ON t.id = "
			 "x.record_id WHERE x.source = ?1 AND x.resource = ?2 AND x.external_id = "
			 "?3",
			 c->target);
		rc = lookup(pr, sql, pr->p->source, c->target, first, id, &n, e);
		t = resource_find(c->target);
		if (!rc && !n)
			snprintf(why, 256, "no %s imported from %s with id '%s' (import %s first)",
				 t ? t->singular : c->target, pr->p->source, first,
				 preset_find(pr->p->source, c->target)
					 ? preset_find(pr->p->source, c->target)->file
					 : c->target);
		return rc ? rc : (n ? OK : E_INVAL);
	case PR_REF_NAME:
		/* those imported from the same source first, then any of that name */
		snprintf(sql, sizeof(sql),
			 "SELECT t.id FROM \"%s\" t LEFT JOIN external_ids x ON x.source = ?2 AND "
			 "x.resource = ?3 AND x.record_id = t.id WHERE t.name = ?1 ORDER BY "
			 "x.record_id IS NULL, t.id",
			 c->target);
		rc = lookup(pr, sql, cell, pr->p->source, c->target, id, &n, e);
		if (!rc && !n)
			snprintf(why, 256, "no account named '%s'", cell);
		return rc ? rc : (n ? OK : E_INVAL);
	case PR_OWNER_ID:
		rc = lookup(pr, "SELECT rowid FROM temp.preset_users WHERE id = ?1", cell, NULL,
			    NULL, id, &n, e);
		if (rc)
			return rc;
		if (!n) {
			snprintf(why, 256, "no user with id '%s' in the users file", cell);
			return E_INVAL;
		}
		{
			struct stmt *s = store_prepare(
				pr->st, "SELECT email FROM temp.preset_users WHERE id = ?", e);

			if (!s)
				return E_INTERNAL;
			stmt_bind_text(s, 1, cell);
			rc = stmt_step(s, e);
			snprintf(email, sizeof(email), "%s",
				 !rc && stmt_row(s) ? stmt_text(s, 0) : "");
			stmt_done(s);
			if (rc)
				return rc;
		}
		rc = owner(pr, email, id, why, e);
		if (rc == E_INVAL)
			snprintf(why, 256, "no Funnel user with the e-mail %.180s (%.12s's user %.20s)",
				 email, pr->p->source, cell);
		return rc;
	case PR_OWNER:
		return owner(pr, cell, id, why, e);
	case PR_RELATED: {
		static const char *const kinds[] = {"accounts", "account", "contacts", "contact",
						    "leads", "lead", "opportunities",
						    "opportunity", NULL};
		struct stmt *s = store_prepare(pr->st,
					       "SELECT x.resource, x.record_id FROM external_ids x "
					       "WHERE x.source = ?1 AND x.external_id = ?2 AND "
					       "x.resource IN ('accounts', 'contacts', 'leads', "
					       "'opportunities')",
					       e);

		if (!s)
			return E_INTERNAL;
		stmt_bind_text(s, 1, pr->p->source);
		stmt_bind_text(s, 2, cell);
		rc = stmt_step(s, e);
		key[0] = '\0';
		if (!rc && stmt_row(s)) {
			for (i = 0; kinds[i]; i += 2)
				if (!strcmp(kinds[i], stmt_text(s, 0)))
					snprintf(key, 64, "%s", kinds[i + 1]);
			*id = stmt_int(s, 1);
		}
		stmt_done(s);
		if (rc)
			return rc;
		if (!*id) {
			snprintf(why, 256, "no record imported from %s with id '%.100s' (import "
				 "the accounts, contacts, leads and opportunities first)",
				 pr->p->source, cell);
			return E_INVAL;
		}
		return OK;
	}
	case PR_WHEN: {
		char day[11];

		if (strchr(cell, 'T') || strchr(cell, ':')) {
			snprintf(key, 64, "%s", cell); /* an instant: the field checks it */
			return OK;
		}
		if (datein_parse(cell, strlen(cell), DATE_ANY, day) != DATEIN_OK) {
			snprintf(why, 256, "'%.100s' is not a date or an instant", cell);
			return E_INVAL;
		}
		snprintf(key, 64, "%sT00:00:00Z", day);
		return OK;
	}
	case PR_STAGE:
		rc = preset_stage(pr, cell, key, e);
		if (rc == E_NOTFOUND) {
			snprintf(why, 256, "'%s' is not a stage Funnel knows: map it with "
				 "--stage-map FILE", cell);
			return E_INVAL;
		}
		return rc;
	case PR_VALUE:
		for (i = 0; c->values[i]; i += 2)
			if (!strcasecmp(c->values[i], cell)) {
				snprintf(key, 64, "%s", c->values[i + 1]);
				return OK;
			}
		snprintf(key, 64, "%s", cell); /* maybe Funnel's own word; the field checks */
		return OK;
	default:
		return OK;
	}
}

int preset_existing(struct preset_run *pr, const char *ext, long long *id, struct err *e)
{
	char sql[300];
	int n;

	snprintf(sql, sizeof(sql),
		 "SELECT x.record_id FROM external_ids x JOIN \"%s\" t ON t.id = x.record_id "
		 "WHERE x.source = ?1 AND x.resource = ?2 AND x.external_id = ?3",
		 pr->p->resource);
	return lookup(pr, sql, pr->p->source, pr->p->resource, ext, id, &n, e);
}

int preset_remember(struct preset_run *pr, const char *ext, long long id, struct err *e)
{
	return store_run(pr->st, e,
			 "INSERT INTO external_ids (source, resource, external_id, record_id) "
			 "VALUES (?, ?, ?, ?) ON CONFLICT (source, resource, external_id) DO UPDATE "
			 "SET record_id = excluded.record_id",
			 "ttti", pr->p->source, pr->p->resource, ext, id);
}
