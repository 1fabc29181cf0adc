/*
 * preset.h — the column names of real exports, and what their ids mean.
 *
 * A preset says, for one source system (salesforce, hubspot) and one
 * resource, what each column of that system's export gives: a Funnel field
 * (Name → name), the record's id in the source (Id, Record ID), a reference
 * by the source's id (AccountId) or by name (HubSpot's Associated Company),
 * the owner (OwnerId through the export's User.csv, or an owner's e-mail or
 * name), or the stage (StageName, Deal Stage).  Columns a preset does not
 * know are not imported (exports carry dozens).
 *
 * Source ids are kept per record and source (the external_ids table,
 * migration 016): a re-import of the same file finds its records there and
 * updates them instead of making new ones, and a later file's references
 * (Contact.csv's AccountId) find the records an earlier file made.
 *
 * Stage names are read, in this order: the --stage-map file (a CSV of two
 * columns: the name in the export, a stage key of the pipeline), a stage's
 * key or name in the default pipeline (case aside), the source system's
 * standard stage names (Salesforce's Prospecting … Closed Won, HubSpot's
 * Appointment Scheduled … Closed Lost).  A name none of them knows is
 * refused (preset_stage answers E_NOTFOUND).
 */
#ifndef FUNNEL_PRESET_H
#define FUNNEL_PRESET_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "crm/records/principal.h"
#include "store/store.h"

enum preset_role {
	PR_FIELD,    /* the cell is the field's value */
	PR_EXTID,    /* the record's id in the source */
	PR_REF,      /* a reference by the source's id of a `target` record */
	PR_REF_NAME, /* a reference by the `target` record's name */
	PR_OWNER_ID, /* the owner's id in the source (Salesforce: User.csv's Id) */
	PR_OWNER,    /* the owner's e-mail, or their name */
	PR_STAGE,    /* a stage name */
	PR_VALUE,    /* an enumeration's value in the source's words: `values` */
	PR_RELATED,  /* the record an activity is on, by the source's id, whatever its
		      * kind (target "what": Salesforce's WhatId; "who": WhoId, used
		      * when the row has no "what") → related_type and related_id */
	PR_WHEN      /* an instant, or a date (taken as midnight UTC) */
};

struct preset_column {
	const char *column; /* as the export names it */
	const char *field;  /* the Funnel field it gives */
	enum preset_role role;
	const char *target;        /* PR_REF, PR_REF_NAME: the resource */
	const char *const *values; /* PR_VALUE: source, funnel, ..., NULL */
};

struct preset {
	const char *source;   /* "salesforce" */
	const char *resource; /* "opportunities" */
	const char *file;     /* the export's file: "Opportunity.csv" */
	const struct preset_column *columns;
	int ncolumns;
};

/* The preset of `source` for `resource`, or NULL. */
const struct preset *preset_find(const char *source, const char *resource);
/* Is `source` one of the presets' sources? */
int preset_source_known(const char *source);
/* The column of p named `name`, or NULL. */
const struct preset_column *preset_column(const struct preset *p, const char *name);

/* One import's lookups: the stage map, the source's users, caches. */
struct preset_run;

int preset_run_new(struct store *st, const struct preset *p, struct preset_run **out,
		   struct err *e);
void preset_run_free(struct preset_run *pr);

/* Read the --stage-map file (name in the export, stage key).  E_INVAL
 * naming the line when a key is not a stage of the default pipeline. */
int preset_stage_map_load(struct preset_run *pr, const char *path, struct err *e);
/* Read the export's User.csv (columns Id and Email) for PR_OWNER_ID. */
int preset_users_load(struct preset_run *pr, const char *path, struct err *e);
int preset_has_users(const struct preset_run *pr);

/* The stage key for `name` into key (64 bytes).  E_NOTFOUND when no map
 * knows it. */
int preset_stage(struct preset_run *pr, const char *name, char *key, struct err *e);
/* "prequalification (Pre-qualification), qualification (…), …": the
 * default pipeline's stages, for messages. */
int preset_stage_list(struct preset_run *pr, struct buf *b, struct err *e);

/* Resolve the cell of column c: *id (PR_REF, PR_REF_NAME, PR_OWNER_ID,
 * PR_OWNER, PR_RELATED) and/or `key` (PR_VALUE, PR_STAGE, PR_WHEN; PR_RELATED:
 * the record's kind, "opportunity").
 * E_INVAL with why (a sentence, 256 bytes) when the cell names nothing. */
int preset_resolve(struct preset_run *pr, const struct preset_column *c, const char *cell,
		   long long *id, char *key, char *why, struct err *e);

/* The record of the preset's resource imported from the source with id
 * `ext` and still there: *id, or 0. */
int preset_existing(struct preset_run *pr, const char *ext, long long *id, struct err *e);
/* Remember that record `id` is `ext` in the source. */
int preset_remember(struct preset_run *pr, const char *ext, long long id, struct err *e);

#endif
