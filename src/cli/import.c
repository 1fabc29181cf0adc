/*
 * import.c — funnel import: records from a CSV file, through the same
 * validation as the API.
 *
 * The file streams through the CSV reader (core/csv.h) in fixed chunks; each
 * row becomes one JSON object of strings that record_create() checks in
 * lenient mode, exactly as a POST would be checked.  The object and one JSON
 * string per column are made once and refilled row after row, so the import
 * itself allocates next to nothing per row.
 *
 * All rows run inside one transaction (each record_create nests as a
 * savepoint, so a rejected row leaves nothing behind).  At the end:
 *
 *     any row rejected? ──no──▶ COMMIT                      exit 0
 *            │yes
 *            ├── --partial ───▶ COMMIT the valid rows       exit 3
 *            └── otherwise ───▶ ROLLBACK (nothing written)  exit 3
 *     --dry-run ─────────────▶ ROLLBACK always              exit 0 or 3
 *
 * While it runs the import holds the database's write lock (BEGIN
 * IMMEDIATE): a server on the same file keeps reading but its writes wait.
 *
 * Accounts, contacts and opportunities take the bulk path (crm/imports/
 * bulk.h) unless --row-by-row: each row is handed over as it is read, the
 * checks and the writes happen at the end, and the rejected rows are listed
 * then, in line order.  This file only reads the file and the arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/datein.h"
#include "core/recode.h"
#include "core/progress.h"
#include "crm/imports/imports.h"
#include "crm/imports/journal.h"
#include "crm/imports/preset.h"
#include "crm/records/record.h"
#include "crm/records/user.h"
#include "crm/process/field_import.h"
#include "crm/process/stage_import.h"
#include "cli.h"

static const char usage[] =
	"usage: funnel import --db PATH RESOURCE FILE [--map COLUMN=FIELD,...] [--partial]\n"
	"                     [--dry-run] [--as EMAIL] [--row-by-row] [--encoding NAME]\n"
	"                     [--delimiter C] [--date-format dmy|mdy]\n"
	"                     [--preset salesforce|hubspot [--users FILE] [--stage-map FILE]]\n"
	"       funnel import --db PATH contacts FILE.vcf --as EMAIL [--account ID] [--partial]\n"
	"                     [--dry-run] [--format vcard]\n"
	"       funnel import list --db PATH [--as EMAIL]\n"
	"       funnel import undo --db PATH ID [--as EMAIL]\n"
	"\n"
	"A .vcf file of contacts (or --format vcard) is read as vCards (4.0, 3.0, 2.1):\n"
	"a card whose e-mail is a contact already updates it, ORG names the account (made\n"
	"when none has that name), cards without ORG go to --account ID; bad cards are\n"
	"reported with their line (docs/calendar-vcard.md).\n"
	"\n"
	"Create records of RESOURCE (accounts, contacts, leads, opportunities, activities)\n"
	"from the CSV file FILE ('-' reads standard input).  Each row is checked exactly as\n"
	"the API checks a new record; numbers and true/false may be written as text, and\n"
	"an empty cell means the field is not given (its default applies).\n"
	"Accounts, contacts and opportunities are checked and written in bulk (all rows\n"
	"at once, at the end of the file); leads and activities row by row.\n"
	"\n"
	"RESOURCE stage_history replaces the stage histories of existing opportunities:\n"
	"columns opportunity_id, stage, entered_at, and optionally exited_at, actor_id,\n"
	"override, reason.  Each deal's rows must make a history: stages of its\n"
	"pipeline, no gaps or overlaps (an empty exited_at is the next row's entered_at),\n"
	"ending open in the deal's current stage; a deal whose rows do not is reported\n"
	"as 'opportunity N: why' and counted as one rejection.\n"
	"\n"
	"RESOURCE field_history replaces the history of existing opportunities' amount,\n"
	"close_date and forecast_category (what forecasts as of a past date read):\n"
	"columns opportunity_id, field, at, old, new, and optionally actor_id.  old and\n"
	"new are values of the field (an amount in the deal's currency, YYYY-MM-DD, a\n"
	"forecast category; empty: none, for forecast_category only); at is not in the\n"
	"future.  Each deal's changes of a field, in time order, must chain (each old\n"
	"is the previous new) and end at the deal's current value; a deal whose rows\n"
	"do not is reported as 'opportunity N: why'.  A deal's created_at moves back\n"
	"to its first imported change or stage entry when that is earlier.\n"
	"\n"
	"The first row names the columns: field names of RESOURCE ('funnel export'\n"
	"writes such a file).  The columns id, version, created_at and updated_at, and\n"
	"fields the server sets, are ignored.  Any other column must be mapped:\n"
	"  --map 'Company Name=name,E-mail=email'   column 'Company Name' gives 'name'\n"
	"  --map 'Notes=-'                           ignore column 'Notes'\n"
	"(--map may be repeated.)  An unknown column stops the import before any row is\n"
	"read.  Columns without a name, and rows whose cells are all empty, are skipped.\n"
	"\n"
	"By default the import is all or nothing: if any row is rejected, nothing is\n"
	"written and every rejected row is listed as\n"
	"  row N: field: problem; field: problem\n"
	"where N is the row's line in the file (the header is line 1).\n"
	"  --partial   write the valid rows anyway; list the rejected ones\n"
	"  --dry-run   check every row, write nothing\n"
	"  --row-by-row  create each record as the API would, one at a time (slower;\n"
	"              the bulk path's checks are the same)\n"
	"  --as EMAIL  act as this user: records they create, owned by them unless the\n"
	"              file has an owner_id column (checked against what they may\n"
	"              see and assign).  Without --as the import acts as the system,\n"
	"              and every row needs an owner_id.\n"
	"\n"
	"Files as spreadsheets write them: UTF-8 (a byte order mark is skipped), or\n"
	"  --encoding windows-1252|latin-1   (a file that is not UTF-8 is refused row by\n"
	"              row, with this hint); quoted as RFC 4180 says, with CRLF or LF line\n"
	"              ends and line breaks inside quotes; rows of at most 1 MiB\n"
	"  --delimiter ','|';'|'|'|tab   the separator (default: whichever of , ; and tab\n"
	"              the header uses most)\n"
	"  --date-format dmy|mdy   how to read dates written 03/04/2026 (3 April or\n"
	"              March 4).  Dates may be 2026-03-31, 31/03/2026 (or 31.03.2026),\n"
	"              3/31/2026 or Excel serial numbers (46112).  Without the option\n"
	"              the file is read ahead: the first date that reads one way only\n"
	"              decides, and a file whose dates all read both ways is refused\n"
	"              (exit 2) naming the column and a line.  Standard input is not\n"
	"              read ahead: there, an ambiguous date is a rejected row.\n"
	"A cell starting with ' before =, +, - or @ loses the ' (export adds it so\n"
	"spreadsheets do not run formulas).\n"
	"\n"	"Exports of other CRMs, with their own column names (docs/imports.md):\n"
	"  --preset salesforce   Account.csv, Contact.csv, Lead.csv, Opportunity.csv,\n"
	"              Task.csv and Event.csv (activities), OpportunityHistory.csv\n"
	"              (stage_history) of a Data Export or Data Loader\n"
	"              (Id, AccountId, OwnerId, StageName, WhatId ...)\n"
	"  --preset hubspot      companies, contacts and deals exports (Record ID,\n"
	"              Company name, Deal Stage, Deal owner, Associated Company ...)\n"
	"  --users User.csv      Salesforce's users (Id, Email): OwnerId finds the Funnel\n"
	"              user with that e-mail (HubSpot owners are e-mails or names)\n"
	"  --stage-map FILE      CSV of two columns: a stage name of the export, a stage\n"
	"              key of the default pipeline.  A file with stage names no map knows\n"
	"              is refused before any row, listing them (exit 2).\n"
	"The source's ids are kept: importing the same file again updates the records\n"
	"it made instead of making more, and AccountId finds the accounts an earlier\n"
	"file made.  Columns a preset does not know are not imported (and named).\n"
	"\n"
	"Every import but a dry run is recorded (GET /api/v1/imports): who, when, the\n"
	"file's name, what it created, updated and rejected, each rejected row's line\n"
	"and reason.  'funnel import list' lists them (tab-separated, newest first);\n"
	"'funnel import undo ID' deletes exactly what import ID created and writes back\n"
	"what it changed, and refuses (exit 3, naming the records) when that would lose\n"
	"a later change: a record changed since, activities or attachments added to one,\n"
	"other records that refer to one.  Stage and field history imports are recorded\n"
	"but cannot be undone.\n"
	"\n"
	"The server runs an upload (POST /api/v1/imports) as this command with --job ID,\n"
	"--progress-file and --file-name: the import record it fills, where it writes\n"
	"how far it has read, the name the uploader gave the file.\n"
	"\n"
	"Exit: 0 all rows imported; 2 usage error or unknown columns; 3 rows rejected or\n"
	"the file is malformed; 1 other failures.\n";

/* Columns every export writes that the database sets by itself. */
static const char *const server_columns[] = {"id", "version", "created_at", "updated_at",
					     "created_by", NULL};

struct map {
	const char *column;
	const char *field; /* "" or "-": ignore the column */
	int used;
};

struct import {
	struct store *st;
	const struct principal *p;
	const struct resource *res;
	struct map *maps;
	int nmaps;

	int header_done;
	int ncols;
	int *colf;        /* per column: field index, or -1 when ignored */
	json_t **colv;    /* per column: the reused JSON string */
	char *present;    /* per column: is it in `obj` now? */
	json_t *obj;      /* the row, reused */
	int has_owner;
	struct bulk_import *bulk; /* the set-based path (crm/imports/bulk.h), or NULL */
	struct journal *journal;  /* the record of this import (crm/imports/journal.h) */
	long long journal_id;

	/* files as people have them */
	const char *encoding;     /* --encoding (recode.h's name), or NULL: UTF-8 */
	char delim;               /* --delimiter, or 0: the header's (csv_sniff_delim) */
	int order;                /* dates: --date-format or what the file shows (datein.h) */
	const char *order_why;    /* "--date-format" or "line N" */
	char order_line[200];
	char **colname;           /* per column: its name in the header */

	/* --preset: a source system's export (crm/imports/preset.h) */
	const struct preset *preset;
	struct preset_run *prun;
	const struct preset_column **pcol; /* per column: a preset role, or NULL */
	struct buf ignored;       /* columns the preset does not import */
	long long updated, unchanged;

	/* --job: an upload's import, run by the server (crm/imports/job.h) */
	long long job;
	const char *progress_file;

	long long valid, rejected;
	int usage_error;  /* the header was refused (exit 2) */
	int fatal;        /* a database failure stopped the import */
	struct err fe;    /* its message */
	struct buf line;  /* one report line */
};

static int allowed(const struct resource *r)
{
	return r && strcmp(r->name, "users") && strcmp(r->name, "teams");
}

static int server_column(const char *name)
{
	int i;

	for (i = 0; server_columns[i]; i++)
		if (!strcmp(server_columns[i], name))
			return 1;
	return 0;
}

static void list_fields(const struct resource *r, struct buf *b)
{
	int i, n = 0;

	for (i = 0; i < r->nfields; i++)
		if (!(r->fields[i].flags & (FF_READONLY | FF_VIRTUAL | FF_HIDDEN)))
			buf_printf(b, "%s%s", n++ ? ", " : "", r->fields[i].name);
}

/* Decide what each column of the header gives; refuse unknown columns. */
static int header(struct import *im, const struct csv_row *row)
{
	const struct resource *r = im->res;
	struct buf unknown = BUF_INIT, b = BUF_INIT;
	int i, j, f, nunknown = 0;

	if (row->error) {
		fprintf(stderr, "funnel import: line %lld (the header): %s\n", row->line, row->error);
		im->usage_error = EXIT_DATA;
		return -1;
	}
	im->ncols = row->ncells;
	im->colf = calloc((size_t)row->ncells, sizeof(*im->colf));
	im->colv = calloc((size_t)row->ncells, sizeof(*im->colv));
	im->present = calloc((size_t)row->ncells, 1);
	im->colname = calloc((size_t)row->ncells, sizeof(*im->colname));
	for (i = 0; im->colname && i < row->ncells; i++)
		if (!(im->colname[i] = strdup(row->cells[i])))
			break;
	if (!im->colf || !im->colv || !im->present || !im->colname || i < row->ncells) {
		im->fatal = fail(&im->fe, E_INTERNAL, "out of memory");
		return -1;
	}
	if (im->preset && !(im->pcol = calloc((size_t)row->ncells, sizeof(*im->pcol)))) {
		im->fatal = fail(&im->fe, E_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < row->ncells; i++) {
		const char *name = row->cells[i], *field = name;

		for (j = 0; j < im->nmaps; j++)
			if (!strcmp(im->maps[j].column, name)) {
				im->maps[j].used = 1;
				field = im->maps[j].field;
				break;
			}
		im->colf[i] = -1;
		if (j < im->nmaps && (!*field || !strcmp(field, "-")))
			continue; /* mapped away */
		if (!*name)
			continue; /* no name, nothing it could give (a trailing comma) */
		if (im->preset && j == im->nmaps) {
			const struct preset_column *pc = preset_column(im->preset, name);

			if (pc && pc->role == PR_OWNER_ID && !preset_has_users(im->prun)) {
				buf_printf(&im->ignored, "%s%s (give --users User.csv to match "
					   "owners by e-mail)", im->ignored.len ? ", " : "", name);
				continue;
			}
			if (pc && pc->role != PR_FIELD) {
				im->pcol[i] = pc;
				if (pc->role == PR_OWNER || pc->role == PR_OWNER_ID)
					im->has_owner = 1;
				continue;
			}
			if (pc)
				field = pc->field;
			else if (record_field(r, name) < 0) {
				/* exports carry dozens of columns: import those it knows */
				buf_printf(&im->ignored, "%s%s", im->ignored.len ? ", " : "", name);
				continue;
			}
		}
		f = record_field(r, field);
		if (f < 0) {
			if (j == im->nmaps && server_column(name))
				continue;
			buf_printf(&unknown, "%s'%s'", nunknown++ ? ", " : "", name);
			continue;
		}
		if (r->fields[f].flags & (FF_READONLY | FF_HIDDEN | FF_VIRTUAL))
			continue; /* the server sets it: an export's column, ignored */
		for (j = 0; j < i; j++)
			if (im->colf[j] == f) {
				fprintf(stderr,
					"funnel import: columns %d and %d both give field '%s'\n",
					j + 1, i + 1, field);
				im->usage_error = EXIT_USAGE;
				goto out;
			}
		im->colf[i] = f;
		im->colv[i] = json_string("");
		if (!im->colv[i]) {
			im->fatal = fail(&im->fe, E_INTERNAL, "out of memory");
			goto out;
		}
		if (r->fields[f].flags & FF_OWNER)
			im->has_owner = 1;
	}
	if (nunknown) {
		list_fields(r, &b);
		fprintf(stderr,
			"funnel import: unknown column%s %s: not fields of %s (%s); map them with "
			"--map 'Column=field' or skip them with --map 'Column=-'\n",
			nunknown > 1 ? "s" : "", unknown.data, r->name, b.data);
		im->usage_error = EXIT_USAGE;
		goto out;
	}
	for (j = 0; j < im->nmaps; j++)
		if (!im->maps[j].used) {
			fprintf(stderr, "funnel import: --map names column '%s', which the file "
					"does not have\n",
				im->maps[j].column);
			im->usage_error = EXIT_USAGE;
			goto out;
		}
	im->header_done = 1;
	if (im->ignored.len)
		fprintf(stderr, "funnel import: not imported (the %s preset does not read them): "
				"%s\n",
			im->preset->source, im->ignored.data);
out:
	buf_release(&unknown);
	buf_release(&b);
	return im->header_done ? 0 : -1;
}

/* Print "row N: field: problem; ..." for a rejected row. */
static void reject(struct import *im, long long line, const struct err *e, const char *why)
{
	struct buf *b = &im->line;
	size_t start;
	int i;

	im->rejected++;
	buf_reset(b);
	buf_printf(b, "row %lld: ", line);
	start = b->len;
	if (why) {
		buf_puts(b, why);
	} else if (e->nfields) {
		for (i = 0; i < e->nfields; i++)
			buf_printf(b, "%s%s: %s", i ? "; " : "", e->fields[i].field,
				   e->fields[i].message);
	} else {
		buf_puts(b, e->msg[0] ? e->msg : err_title(e->code));
	}
	journal_error(im->journal, line, b->data + start);
	buf_putc(b, '\n');
	fwrite(b->data, 1, b->len, stderr);
}

/* A CSV problem on the bulk path: kept with the rows' problems, reported in
 * line order at the end. */
static int bulk_reject(struct import *im, long long line, const char *why)
{
	struct err e;
	int rc;

	err_clear(&e);
	rc = bulk_import_reject(im->bulk, line, why, &e);
	if (rc) {
		im->fatal = rc;
		im->fe = e;
	}
	return rc;
}

/* bulk_import_finish(): a refused row. */
static void bulk_report(void *ctx, long long line, const char *text)
{
	struct import *im = ctx;

	journal_error(im->journal, line, text);
	fprintf(stderr, "row %lld: %s\n", line, text);
}

/* The row's values typed as the API takes them (an update is not lenient):
 * integers and booleans written as text become JSON's. */
static json_t *typed(const struct resource *r, json_t *obj)
{
	json_t *b = json_object(), *v, *nv;
	const char *k;

	if (!b)
		return NULL;
	json_object_foreach(obj, k, v)
	{
		int f = record_field(r, k);
		const char *s = json_string_value(v);
		char *end;

		nv = NULL;
		if (s && f >= 0) {
			switch (r->fields[f].type) {
			case FT_INT:
			case FT_REF:
			case FT_PERCENT: {
				long long x = strtoll(s, &end, 10);

				if (*s && !*end)
					nv = json_integer(x);
				break;
			}
			case FT_BOOL:
				if (!strcasecmp(s, "true") || !strcmp(s, "1"))
					nv = json_true();
				else if (!strcasecmp(s, "false") || !strcmp(s, "0"))
					nv = json_false();
				break;
			default:
				break;
			}
		}
		json_object_set_new(b, k, nv ? nv : json_incref(v));
	}
	return b;
}

/* The values `body` changes, as they were in `old`: {"field": old value}. */
static char *before_of(const struct record *old, json_t *body)
{
	struct buf b = BUF_INIT;
	struct jw w;
	json_t *all, *out, *v;
	const char *k;
	char *text;

	jw_init(&w, &b);
	record_json(old, &w);
	all = json_loadb(b.data, b.len, 0, NULL);
	buf_release(&b);
	out = json_object();
	json_object_foreach(body, k, v)
	{
		json_t *was = json_object_get(all, k);

		json_object_set(out, k, was ? was : json_null());
	}
	text = json_dumps(out, JSON_COMPACT);
	json_decref(all);
	json_decref(out);
	return text;
}

/* A row of a source system's export: resolve its ids, owner and stage,
 * then update the record imported with its id before, or create one. */
static int preset_row(struct import *im, const struct csv_row *row)
{
	const struct resource *r = im->res;
	struct record old, out;
	struct err e, re;
	const char *ext = NULL;
	char why[256], key[64];
	long long id;
	json_t *body = NULL;
	int i, rc = OK, related = 0;

	err_clear(&e);
	err_clear(&re);
	record_init(&old, r);
	json_object_del(im->obj, "related_type"); /* the last row's PR_RELATED */
	json_object_del(im->obj, "related_id");
	record_init(&out, r);
	for (i = 0; i < im->ncols; i++) {
		const struct preset_column *pc = im->pcol[i];

		if (!pc)
			continue;
		if (pc->field)
			json_object_del(im->obj, pc->field); /* the last row's */
		if (!row->lens[i])
			continue;
		if (pc->role == PR_EXTID) {
			ext = row->cells[i];
			continue;
		}
		if (pc->role == PR_RELATED && !strcmp(pc->target, "who") && related)
			continue; /* the row's WhatId says what it is on */
		key[0] = '\0';
		rc = preset_resolve(im->prun, pc, row->cells[i], &id, key, why, &re);
		if (rc == E_INVAL) {
			err_field(&e, pc->column, "%s", why);
			rc = OK;
		} else if (rc) {
			goto fatal;
		} else if (pc->role == PR_RELATED) {
			json_object_set_new(im->obj, "related_type", json_string(key));
			json_object_set_new(im->obj, "related_id", json_integer(id));
			related = !strcmp(pc->target, "what");
		} else {
			json_object_set_new(im->obj, pc->field, id ? json_integer(id) : json_string(key));
		}
	}
	if (e.nfields) {
		reject(im, row->line, &e, NULL);
		goto out;
	}
	id = 0;
	if (ext) {
		rc = preset_existing(im->prun, ext, &id, &re);
		if (rc)
			goto fatal;
	}
	if (id) {
		char *before;

		body = typed(r, im->obj);
		rc = record_get(im->st, im->p, r, id, &old, &re);
		if (!rc)
			rc = record_update(im->st, im->p, r, id, body, old.version, &out, &re);
		if (rc)
			goto refused;
		im->valid++;
		if (out.version == old.version) {
			im->unchanged++;
			goto out;
		}
		before = before_of(&old, body);
		rc = journal_updated(im->journal, id, before ? before : "{}", out.version, &re);
		free(before);
		if (rc)
			goto fatal;
		im->updated++;
		goto out;
	}
	/* a history row (stage_history) has no id of its own to remember */
	rc = record_create(im->st, im->p, r, im->obj, 1, ext ? &out : NULL, &re);
	if (rc)
		goto refused;
	im->valid++;
	if (ext) {
		rc = preset_remember(im->prun, ext, out.id, &re);
		if (rc)
			goto fatal;
	}
	goto out;
refused:
	switch (rc) {
	case E_INVAL:
	case E_CONFLICT:
	case E_NOTFOUND:
	case E_FORBIDDEN:
	case E_TOOBIG:
	case E_PRECOND:
		reject(im, row->line, &re, NULL);
		rc = OK;
		goto out;
	default:
		break;
	}
fatal:
	im->fatal = rc;
	im->fe = re;
out:
	json_decref(body);
	record_release(&old);
	record_release(&out);
	return rc;
}

/* Why a D/M/Y-shaped date in column i cannot be read. */
static void date_problem(struct import *im, int i, const char *cell, char *why, size_t n)
{
	const char *field = im->res->fields[im->colf[i]].name;

	if (im->order == DATE_ANY)
		snprintf(why, n, "%s: '%s' reads as day/month or month/day: say which with "
			 "--date-format dmy or --date-format mdy", field, cell);
	else
		snprintf(why, n, "%s: '%s' is not a %s date, as %s says", field, cell,
			 im->order == DATE_DMY ? "day-first" : "month-first", im->order_why);
}

static int on_row(void *ctx, const struct csv_row *row)
{
	struct import *im = ctx;
	struct err e;
	char why[96];
	int i, rc;

	if (!im->header_done)
		return header(im, row);
	if (row->error) {
		const char *msg = row->error;
		char hinted[256];

		if (!im->encoding && strstr(msg, "not valid UTF-8")) {
			snprintf(hinted, sizeof(hinted), "%s (a file from Excel on Windows is "
				 "Windows-1252: pass --encoding windows-1252, or latin-1)", msg);
			msg = hinted;
		}
		if (im->bulk)
			return bulk_reject(im, row->line, msg);
		reject(im, row->line, NULL, msg);
		return 0;
	}
	for (i = 0; i < row->ncells && !row->lens[i]; i++)
		;
	if (i == row->ncells)
		return 0; /* ",,,": spreadsheets pad files with such rows */
	if (row->ncells != im->ncols) {
		snprintf(why, sizeof(why), "has %d cell%s where the header has %d", row->ncells,
			 row->ncells == 1 ? "" : "s", im->ncols);
		if (im->bulk)
			return bulk_reject(im, row->line, why);
		reject(im, row->line, NULL, why);
		return 0;
	}
	for (i = 0; i < im->ncols; i++) {
		const char *key, *cell = row->cells[i];
		size_t len = row->lens[i];
		int g;

		if (im->colf[i] < 0)
			continue;
		key = im->res->fields[im->colf[i]].name;
		if (!len) {
			/* empty: not given, so the field's default applies */
			if (im->present[i]) {
				json_object_del(im->obj, key);
				im->present[i] = 0;
			}
			continue;
		}
		g = csv_guard_len(cell);
		if (im->res->fields[im->colf[i]].type == FT_DATE) {
			char iso[11], dwhy[320];
			int d = datein_parse(cell + g, len - (size_t)g, (enum date_order)im->order,
					     iso);

			if (d != DATEIN_OK && datein_orders(cell + g, len - (size_t)g)) {
				date_problem(im, i, cell + g, dwhy, sizeof(dwhy));
				if (im->bulk)
					return bulk_reject(im, row->line, dwhy);
				reject(im, row->line, NULL, dwhy);
				return 0;
			}
			if (d == DATEIN_OK) {
				json_string_setn_nocheck(im->colv[i], iso, 10);
				goto set;
			}
		}
		/* the reader checked the UTF-8 already */
		json_string_setn_nocheck(im->colv[i], cell + g, len - (size_t)g);
set:
		if (!im->present[i]) {
			json_object_set_nocheck(im->obj, key, im->colv[i]);
			im->present[i] = 1;
		}
	}
	err_clear(&e);
	if (im->bulk) {
		rc = bulk_import_row(im->bulk, row->line, im->obj, &e);
		if (rc) {
			im->fatal = rc;
			im->fe = e;
		}
		return rc;
	}
	if (im->preset)
		return preset_row(im, row);
	rc = record_create(im->st, im->p, im->res, im->obj, 1, NULL, &e);
	switch (rc) {
	case OK:
		im->valid++;
		return 0;
	case E_INVAL:
	case E_CONFLICT:
	case E_NOTFOUND:
	case E_FORBIDDEN:
	case E_TOOBIG:
		reject(im, row->line, &e, NULL);
		return 0;
	default:
		im->fatal = rc;
		im->fe = e;
		return rc;
	}
}

/* stage_import_finish(): a deal whose rows do not make a history. */
static void reject_history(void *ctx, long long opportunity_id, const char *why)
{
	struct import *im = ctx;

	char text[512];

	snprintf(text, sizeof(text), "opportunity %lld: %s", opportunity_id, why);
	journal_error(im->journal, 0, text);
	fprintf(stderr, "%s\n", text);
	im->rejected++;
}

/* --map 'A=a,B=b' (repeatable): append to im->maps. */
static int parse_map(struct import *im, char *spec)
{
	char *tok, *save = NULL, *eq;
	int f;

	for (tok = strtok_r(spec, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct map *m;

		eq = strrchr(tok, '='); /* field names have no '=', column names may */
		if (!eq || eq == tok)
			return cli_usage("import", "--map takes COLUMN=FIELD, not '%s'", tok);
		*eq = '\0';
		if (eq[1] && strcmp(eq + 1, "-")) {
			f = record_field(im->res, eq + 1);
			if (f < 0 || im->res->fields[f].flags & (FF_READONLY | FF_HIDDEN)) {
				struct buf b = BUF_INIT;

				list_fields(im->res, &b);
				cli_usage("import", "--map: '%s' is not a field of %s (%s)", eq + 1,
					  im->res->name, b.data);
				buf_release(&b);
				return EXIT_USAGE;
			}
		}
		m = realloc(im->maps, (size_t)(im->nmaps + 1) * sizeof(*m));
		if (!m)
			return EXIT_FAIL;
		im->maps = m;
		m[im->nmaps].column = tok;
		m[im->nmaps].field = eq + 1;
		m[im->nmaps].used = 0;
		im->nmaps++;
	}
	return EXIT_OK;
}

/* The name an import record keeps of the file: its last component. */
static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return !strcmp(path, "-") ? "(standard input)" : slash ? slash + 1 : path;
}

/* Write the import's record (journal.h): written, in the import's own
 * transaction; refused, after its rollback.  A refused import's record
 * failing is only a warning: the import's answer stands. */
static int record(struct import *im, int written, struct err *e)
{
	int rc;

	if (!im->journal)
		return OK;
	rc = journal_finish(im->journal, written, &im->journal_id, e);
	if (rc && !written) {
		fprintf(stderr, "funnel import: warning: the import was not recorded: %s\n", e->msg);
		rc = OK;
	} else if (!written) {
		fprintf(stderr, "funnel import: recorded as import %lld (refused)\n",
			im->journal_id);
	}
	return rc;
}

/* "done total" for the server to read while the job runs (job.h). */
static void write_progress(const char *path, long long done, long long total)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%lld %lld\n", done, total);
	if (fclose(f) == 0)
		rename(tmp, path);
}

/* A job that ends without its record: why, from the last line it wrote to
 * its log (its standard error) that is not a progress or info line. */
static void job_failed(struct store *st, long long job)
{
	char buf[65536], why[512] = "the import stopped before it finished";
	struct err e;
	ssize_t n;
	int fd;

	fflush(stderr);
	fd = open("/proc/self/fd/2", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		off_t size = lseek(fd, 0, SEEK_END);

		lseek(fd, size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0,
		      SEEK_SET);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			char *line, *save = NULL;

			buf[n] = '\0';
			for (line = strtok_r(buf, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save))
				if (!strstr(line, " info ") && !strstr(line, " warn "))
					snprintf(why, sizeof(why), "%s",
						 !strncmp(line, "funnel import: ", 15) ? line + 15
											: line);
		}
	}
	err_clear(&e);
	journal_fail(st, job, why, &e);
}

/* Stream `fd` through the reader, converted to UTF-8 when the file is in
 * another encoding, with the separator its first line uses unless the
 * command line said; with a progress bar over `total` bytes (progress: 0
 * for none). */
static int read_all(struct import *im, struct csv_reader *cr, int fd, long long total,
		    int progress, struct err *e)
{
	static char chunk[64 * 1024];
	struct progress pr;
	struct recode rec;
	struct buf conv = BUF_INIT;
	long long done = 0;
	int first = 1, recoding = im->encoding && strcmp(im->encoding, "utf-8");
	ssize_t n;
	int rc = OK;

	if (recoding) {
		rc = recode_open(&rec, im->encoding, e);
		if (rc)
			return rc;
	}
	if (progress)
		progress_start(&pr, "import", total);
	for (;;) {
		const char *data = chunk;
		size_t len;

		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = fail(e, E_IO, "cannot read: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			rc = csv_reader_finish(cr, e);
			break;
		}
		done += n;
		len = (size_t)n;
		if (recoding) {
			buf_reset(&conv);
			rc = recode_feed(&rec, chunk, len, &conv, e);
			if (rc)
				break;
			data = conv.data ? conv.data : "";
			len = conv.len;
		}
		if (first) {
			csv_reader_set_delim(cr, im->delim ? im->delim : csv_sniff_delim(data, len));
			first = 0;
		}
		rc = csv_reader_feed(cr, data, len, e);
		if (rc)
			break;
		if (progress)
			progress_update(&pr, done);
		if (progress && im->progress_file && (done >> 20) != ((done - n) >> 20))
			write_progress(im->progress_file, done, total);
	}
	if (progress)
		progress_finish(&pr);
	if (recoding)
		recode_close(&rec);
	buf_release(&conv);
	return rc;
}

/*
 * Dates written D/M/Y or M/D/Y: which, when the command line does not say?
 * Before the import, a regular file is read once for its date columns: the
 * first date that reads one way only (31/03/2026) decides for the file.  A
 * file whose D/M/Y dates all read both ways (03/04/2026) is refused, naming
 * the column and a line; one without such dates in its first 10,000 rows is
 * taken as it is (a later ambiguous date is then a rejected row).
 */
struct scan {
	struct import *im;
	int ncols;
	int *date;           /* per column: 0, or 1 + its name's offset in names */
	struct buf names;
	long long rows;
	int order;           /* found: DATE_DMY or DATE_MDY */
	char where[200];     /* the line that decided it, or the ambiguous example */
	int ambiguous;
	int stop_code;
};

#define SCAN_DONE 7001

/* The field column `name` gives under the --map options, or -1. */
static int column_field(const struct import *im, const char *name)
{
	const char *field = name;
	int j;

	for (j = 0; j < im->nmaps; j++)
		if (!strcmp(im->maps[j].column, name)) {
			field = im->maps[j].field;
			break;
		}
	if (j == im->nmaps && im->preset) {
		const struct preset_column *pc = preset_column(im->preset, name);

		if (pc)
			field = pc->role == PR_FIELD ? pc->field : "";
	}
	return *field && strcmp(field, "-") ? record_field(im->res, field) : -1;
}

static int scan_row(void *ctx, const struct csv_row *row)
{
	struct scan *sc = ctx;
	int i, f;

	if (!sc->date) {
		sc->ncols = row->ncells;
		sc->date = calloc((size_t)row->ncells + 1, sizeof(*sc->date));
		if (!sc->date)
			return SCAN_DONE;
		for (i = 0; i < row->ncells; i++) {
			f = column_field(sc->im, row->cells[i]);
			if (f < 0 || sc->im->res->fields[f].type != FT_DATE)
				continue;
			sc->date[i] = 1 + (int)sc->names.len;
			buf_add(&sc->names, row->cells[i], row->lens[i] + 1);
		}
		return 0;
	}
	if (row->error || ++sc->rows > 10000)
		return sc->rows > 10000 ? SCAN_DONE : 0;
	for (i = 0; i < row->ncells && i < sc->ncols; i++) {
		int o;

		if (!sc->date[i])
			continue;
		o = datein_orders(row->cells[i], row->lens[i]);
		if (!o)
			continue;
		if (o == (1 << DATE_DMY | 1 << DATE_MDY)) {
			if (!sc->ambiguous)
				snprintf(sc->where, sizeof(sc->where), "column '%s' has dates like "
					 "'%s' (line %lld)", sc->names.data + sc->date[i] - 1,
					 row->cells[i], row->line);
			sc->ambiguous = 1;
			continue;
		}
		sc->order = o == 1 << DATE_DMY ? DATE_DMY : DATE_MDY;
		snprintf(sc->where, sizeof(sc->where), "line %lld ('%s')", row->line,
			 row->cells[i]);
		return SCAN_DONE;
	}
	return 0;
}

/* Decide im->order from the file at `path` (see struct scan).  Returns 0,
 * or an exit code after saying why. */
static int scan_dates(struct import *im, const char *path)
{
	struct scan sc;
	struct csv_reader cr;
	struct err e;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc, ex = EXIT_OK;

	if (fd < 0)
		return EXIT_OK; /* the import itself says why */
	memset(&sc, 0, sizeof(sc));
	sc.im = im;
	err_clear(&e);
	csv_reader_init(&cr, scan_row, &sc);
	rc = read_all(im, &cr, fd, 0, 0, &e);
	csv_reader_release(&cr);
	close(fd);
	if (rc && rc != SCAN_DONE)
		goto out; /* the import reports a broken file */
	if (sc.order) {
		im->order = sc.order;
		snprintf(im->order_line, sizeof(im->order_line), "%s", sc.where);
		im->order_why = im->order_line;
	} else if (sc.ambiguous) {
		fprintf(stderr, "funnel import: %s, which reads as day/month or month/day, and no "
				"date in the file tells which: say with --date-format dmy "
				"(31/03/2026) or --date-format mdy (3/31/2026)\n",
			sc.where);
		ex = EXIT_USAGE;
	}
out:
	free(sc.date);
	buf_release(&sc.names);
	return ex;
}

/* With a preset: every stage name of the file known, or refuse the file
 * before any row, listing the unknown names and the pipeline's stages. */
struct stage_scan {
	struct import *im;
	int col;             /* the stage column, or -1 */
	struct buf unknown;  /* 'Name' (line N), ... */
	int n;
	struct buf seen;     /* \n-separated names reported already */
	char first[200];     /* the first of them, for the example */
	int rc;
	struct err e;
};

static int stage_scan_row(void *ctx, const struct csv_row *row)
{
	struct stage_scan *ss = ctx;
	char key[64], probe[260];
	int i, rc;

	if (row->line == 1 || ss->col == -2) {
		ss->col = -1;
		for (i = 0; i < row->ncells; i++) {
			const struct preset_column *pc = preset_column(ss->im->preset, row->cells[i]);

			if (pc && pc->role == PR_STAGE)
				ss->col = i;
		}
		return ss->col < 0 ? SCAN_DONE : 0;
	}
	if (row->error || row->ncells <= ss->col || !row->lens[ss->col])
		return 0;
	if (!ss->seen.len)
		buf_putc(&ss->seen, '\n');
	snprintf(probe, sizeof(probe), "\n%s\n", row->cells[ss->col]);
	if (strstr(ss->seen.data, probe))
		return 0;
	rc = preset_stage(ss->im->prun, row->cells[ss->col], key, &ss->e);
	if (rc == E_NOTFOUND) {
		if (!ss->n)
			snprintf(ss->first, sizeof(ss->first), "%s", row->cells[ss->col]);
		if (ss->n++ < 20)
			buf_printf(&ss->unknown, "%s'%s' (line %lld)", ss->n > 1 ? ", " : "",
				   row->cells[ss->col], row->line);
		buf_puts(&ss->seen, probe + 1);
		return 0;
	}
	if (rc) {
		ss->rc = rc;
		return rc;
	}
	return 0;
}

static int scan_stages(struct import *im, const char *path)
{
	struct stage_scan ss;
	struct csv_reader cr;
	struct buf stages = BUF_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc, ex = EXIT_OK;

	if (fd < 0)
		return EXIT_OK;
	memset(&ss, 0, sizeof(ss));
	ss.im = im;
	ss.col = -2;
	err_clear(&ss.e);
	csv_reader_init(&cr, stage_scan_row, &ss);
	rc = read_all(im, &cr, fd, 0, 0, &ss.e);
	csv_reader_release(&cr);
	close(fd);
	if (ss.rc) {
		cli_error("import", &ss.e);
		ex = EXIT_FAIL;
	} else if (ss.n) {
		preset_stage_list(im->prun, &stages, &ss.e);
		fprintf(stderr,
			"funnel import: %d stage name%s of the file %s of the default "
			"pipeline: %s%s.\nIts stages: %s.\nMap each name to a stage key with "
			"--stage-map FILE, a CSV file of two columns (the name in the file, the "
			"stage key), e.g.\n  %s,qualification\n",
			ss.n, ss.n == 1 ? "" : "s", ss.n == 1 ? "is not a stage" : "are not stages",
			ss.unknown.data,
			ss.n > 20 ? ", …" : "", stages.data ? stages.data : "",
			ss.first);
		ex = EXIT_USAGE;
	}
	(void)rc; /* a broken file is the import's to report */
	buf_release(&ss.unknown);
	buf_release(&ss.seen);
	buf_release(&stages);
	return ex;
}

/* funnel import list|undo: the records of past imports (journal.h). */
static int journal_command(int argc, char **argv)
{
	const char *db = NULL, *as = NULL, *idarg = NULL;
	struct principal p;
	struct store *st = NULL;
	struct buf b = BUF_INIT;
	struct jw w;
	struct err e;
	long long id = 0, uid, deleted, restored;
	json_t *doc = NULL, *v;
	size_t k;
	char *end;
	int undo = !strcmp(argv[0], "undo"), i, rc, ex = EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--as") && i + 1 < argc)
			as = argv[++i];
		else if (argv[i][0] == '-')
			return cli_usage("import", "unknown option %s", argv[i]);
		else if (undo && !idarg)
			idarg = argv[i];
		else
			return cli_usage("import", "unexpected argument '%s'", argv[i]);
	}
	if (!db || (undo && !idarg))
		return cli_usage("import", undo ? "undo takes --db PATH and an import id"
					       : "list takes --db PATH");
	if (undo) {
		id = strtoll(idarg, &end, 10);
		if (*end || id < 1)
			return cli_usage("import", "'%s' is not an import id", idarg);
	}
	principal_system(&p);
	if (cli_open(db, 0, &st))
		goto out;
	err_clear(&e);
	if (as) {
		rc = user_by_email(st, as, &uid, &e);
		if (!rc)
			rc = principal_load(st, uid, &p, &e);
		if (rc) {
			cli_error("import", &e);
			ex = rc == E_NOTFOUND ? EXIT_USAGE : cli_exit_code(rc);
			goto out;
		}
	}
	if (undo) {
		rc = journal_undo(st, &p, id, &deleted, &restored, &e);
		if (rc) {
			cli_error("import", &e);
			ex = rc == E_CONFLICT ? EXIT_DATA : cli_exit_code(rc);
			goto out;
		}
		printf("import %lld undone: %lld deleted, %lld restored\n", id, deleted, restored);
		ex = EXIT_OK;
		goto out;
	}
	jw_init(&w, &b);
	rc = journal_list(st, &p, 200, 0, &w, &e);
	if (rc) {
		cli_error("import", &e);
		goto out;
	}
	doc = json_loadb(b.data, b.len, 0, NULL);
	json_array_foreach(doc, k, v)
	{
		json_t *c = json_object_get(v, "counts");
		const char *who = json_string_value(json_object_get(v, "user_email"));

		printf("%lld\t%s\t%s\t%s\t%s\t%lld created, %lld updated, %lld rejected\t%s\n",
		       (long long)json_integer_value(json_object_get(v, "id")),
		       json_string_value(json_object_get(v, "created_at")),
		       json_string_value(json_object_get(v, "status")),
		       json_string_value(json_object_get(v, "resource")),
		       json_string_value(json_object_get(v, "file_name")),
		       (long long)json_integer_value(json_object_get(c, "created")),
		       (long long)json_integer_value(json_object_get(c, "updated")),
		       (long long)json_integer_value(json_object_get(c, "rejected")),
		       who ? who : "(system)");
	}
	ex = EXIT_OK;
out:
	json_decref(doc);
	buf_release(&b);
	principal_release(&p);
	store_close(st);
	return ex;
}

int cmd_import(int argc, char **argv)
{
	const char *db = NULL, *resname = NULL, *path = NULL, *as = NULL, *preset = NULL;
	const char *stage_map = NULL, *users = NULL, *display = NULL;
	char **specs = NULL;
	int nspecs = 0, partial = 0, dry_run = 0, row_by_row = 0, written = 0, i, rc, fd = -1, ex = EXIT_FAIL;
	struct import im;
	struct principal p;
	struct csv_reader cr;
	struct store *st = NULL;
	struct stat sb;
	struct err e;
	long long uid, total = 0, account = 0;
	const char *format = NULL;
	size_t plen;

	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	if (argc > 1 && (!strcmp(argv[1], "undo") || !strcmp(argv[1], "list")))
		return journal_command(argc - 1, argv + 1);
	memset(&im, 0, sizeof(im));
	buf_init(&im.line, 0);
	principal_system(&p);
	specs = calloc((size_t)argc, sizeof(*specs));
	if (!specs)
		return EXIT_FAIL;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--map") && i + 1 < argc)
			specs[nspecs++] = argv[++i];
		else if (!strcmp(argv[i], "--as") && i + 1 < argc)
			as = argv[++i];
		else if (!strcmp(argv[i], "--partial"))
			partial = 1;
		else if (!strcmp(argv[i], "--dry-run"))
			dry_run = 1;
		else if (!strcmp(argv[i], "--row-by-row"))
			row_by_row = 1;
		else if (!strcmp(argv[i], "--account") && i + 1 < argc)
			account = strtoll(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--format") && i + 1 < argc)
			format = argv[++i];
		else if (!strcmp(argv[i], "--encoding") && i + 1 < argc) {
			im.encoding = recode_name(argv[++i]);
			if (!im.encoding) {
				free(specs);
				return cli_usage("import", "--encoding: '%s' is not one of utf-8, "
							   "windows-1252, latin-1", argv[i]);
			}
		} else if (!strcmp(argv[i], "--delimiter") && i + 1 < argc) {
			const char *d = argv[++i];

			im.delim = !strcmp(d, "tab") || !strcmp(d, "\\t") ? '\t'
				   : (!strcmp(d, ",") || !strcmp(d, ";") || !strcmp(d, "|")) ? d[0]
											      : 0;
			if (!im.delim) {
				free(specs);
				return cli_usage("import", "--delimiter: '%s' is not one of , ; | tab",
						 d);
			}
		} else if (!strcmp(argv[i], "--job") && i + 1 < argc) {
			im.job = strtoll(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--progress-file") && i + 1 < argc) {
			im.progress_file = argv[++i];
		} else if (!strcmp(argv[i], "--file-name") && i + 1 < argc) {
			display = argv[++i];
		} else if (!strcmp(argv[i], "--preset") && i + 1 < argc) {
			preset = argv[++i];
		} else if (!strcmp(argv[i], "--stage-map") && i + 1 < argc) {
			stage_map = argv[++i];
		} else if (!strcmp(argv[i], "--users") && i + 1 < argc) {
			users = argv[++i];
		} else if (!strcmp(argv[i], "--date-format") && i + 1 < argc) {
			int o = datein_order_parse(argv[++i]);

			if (o < 0) {
				free(specs);
				return cli_usage("import", "--date-format: '%s' is not dmy (31/03/2026) "
							   "or mdy (3/31/2026)", argv[i]);
			}
			im.order = o;
			im.order_why = "--date-format";
		} else if (argv[i][0] == '-' && argv[i][1]) {
			free(specs);
			return cli_usage("import", "unknown option %s", argv[i]);
		} else if (!resname)
			resname = argv[i];
		else if (!path)
			path = argv[i];
		else {
			free(specs);
			return cli_usage("import", "unexpected argument '%s'", argv[i]);
		}
	}
	if (!db || !resname || !path) {
		free(specs);
		return cli_usage("import", "--db PATH, RESOURCE and FILE are required");
	}
	/* vCards (import_vcard.c): a .vcf file, or --format vcard */
	plen = strlen(path);
	if ((format && strcmp(format, "csv") && strcmp(format, "vcard")) ||
	    (format && !strcmp(format, "vcard") && strcmp(resname, "contacts"))) {
		free(specs);
		return cli_usage("import", "--format is csv or vcard (vcard: contacts only)");
	}
	if (!strcmp(resname, "contacts") &&
	    ((format && !strcmp(format, "vcard")) ||
	     (!format && plen > 4 && !strcasecmp(path + plen - 4, ".vcf")))) {
		free(specs);
		if (nspecs || row_by_row)
			return cli_usage("import", "--map and --row-by-row are for CSV files");
		return import_vcard(db, path, as, account, partial, dry_run);
	}
	im.res = !strcmp(resname, "stage_history")   ? &stage_import_resource
		 : !strcmp(resname, "field_history") ? &field_import_resource
						     : resource_find(resname);
	if (!allowed(im.res) || !strcmp(resname, "lost_reasons")) {
		free(specs);
		return cli_usage("import", "'%s' is not one of accounts, contacts, leads, "
					   "opportunities, activities, stage_history, field_history",
				 resname);
	}
	if (preset) {
		im.preset = preset_find(preset, im.res->name);
		if (!im.preset) {
			free(specs);
			return cli_usage("import", preset_source_known(preset)
							   ? "--preset %s has no preset for %s"
							   : "--preset: '%s' is not salesforce or hubspot%s",
					 preset, preset_source_known(preset) ? im.res->name : "");
		}
		row_by_row = 1; /* a re-import updates: record by record */
	} else if (stage_map || users) {
		free(specs);
		return cli_usage("import", "--stage-map and --users go with --preset");
	}
	for (i = 0; i < nspecs; i++) {
		ex = parse_map(&im, specs[i]);
		if (ex)
			goto out;
	}
	ex = EXIT_FAIL;

	if (!strcmp(path, "-")) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "funnel import: cannot open %s: %s\n", path, strerror(errno));
			goto out;
		}
	}
	if (!fstat(fd, &sb) && S_ISREG(sb.st_mode)) {
		total = (long long)sb.st_size;
		if (im.order == DATE_ANY) {
			ex = scan_dates(&im, path);
			if (ex)
				goto out;
			ex = EXIT_FAIL;
		}
	}
	if (cli_open(db, 0, &st))
		goto out;
	err_clear(&e);
	if (as) {
		rc = user_by_email(st, as, &uid, &e);
		if (!rc)
			rc = principal_load(st, uid, &p, &e);
		if (rc) {
			cli_error("import", &e);
			ex = rc == E_NOTFOUND ? EXIT_USAGE : cli_exit_code(rc);
			goto out;
		}
	}
	im.st = st;
	im.p = &p;
	im.obj = json_object();
	if (!im.obj)
		goto out;
	if (im.preset) {
		rc = preset_run_new(st, im.preset, &im.prun, &e);
		if (!rc && stage_map)
			rc = preset_stage_map_load(im.prun, stage_map, &e);
		if (!rc && users)
			rc = preset_users_load(im.prun, users, &e);
		if (rc) {
			cli_error("import", &e);
			ex = rc == E_INVAL ? EXIT_USAGE : EXIT_FAIL;
			goto out;
		}
		if (fd != STDIN_FILENO && S_ISREG(sb.st_mode)) {
			ex = scan_stages(&im, path);
			if (ex)
				goto out;
			ex = EXIT_FAIL;
		}
	}

	rc = store_begin(st, &e);
	if (rc) {
		cli_error("import", &e);
		goto out;
	}
	/* all-or-nothing: one transaction, no savepoint per row (store_flat) */
	store_flat(st, !partial);
	if (im.res == &stage_import_resource)
		rc = stage_import_begin(st, &e);
	else if (im.res == &field_import_resource)
		rc = field_import_begin(st, &e);
	else if (!row_by_row && bulk_import_supports(im.res))
		rc = bulk_import_begin(st, im.p, im.res, &im.bulk, &e);
	if (!rc && !dry_run)
		rc = im.job ? journal_begin_job(st, im.p, im.job, im.res->name,
						display ? display : file_name(path),
						im.preset ? im.preset->source : NULL, &im.journal, &e)
			    : journal_begin(st, im.p, "cli", im.res->name,
					    display ? display : file_name(path),
					    im.preset ? im.preset->source : NULL, &im.journal, &e);
	if (rc) {
		store_rollback(st);
		cli_error("import", &e);
		goto out;
	}
	csv_reader_init(&cr, on_row, &im);
	rc = read_all(&im, &cr, fd, total, 1, &e);
	csv_reader_release(&cr);

	if (im.usage_error || im.fatal || rc) {
		store_rollback(st);
		if (im.usage_error) {
			ex = im.usage_error;
		} else if (im.fatal) {
			cli_error("import", &im.fe);
		} else {
			/* a broken file: e.g. a quote never closed */
			fprintf(stderr, "funnel import: %s: %s\n", path, e.msg);
			journal_error(im.journal, 0, e.msg);
			record(&im, 0, &e);
			printf("0 imported, %lld valid, %lld rejected (nothing written)\n", im.valid,
			       im.rejected);
			ex = rc == E_INVAL ? EXIT_DATA : EXIT_FAIL;
		}
		goto out;
	}
	if (im.res == &stage_import_resource && im.header_done) {
		/* each deal's rows together: complete, contiguous, ending where it is */
		long long replaced = 0;

		rc = stage_import_finish(st, im.p, reject_history, &im, &replaced, &e);
		if (rc) {
			store_rollback(st);
			cli_error("import", &e);
			goto out;
		}
		if (!im.rejected)
			fprintf(stderr, "funnel import: stage history of %lld opportunities "
					"replaced\n",
				replaced);
	}
	if (im.res == &field_import_resource && im.header_done) {
		/* each deal's changes of a field together: chained, ending where it is */
		long long replaced = 0;

		rc = field_import_finish(st, im.p, reject_history, &im, &replaced, &e);
		if (rc) {
			store_rollback(st);
			cli_error("import", &e);
			goto out;
		}
		if (!im.rejected)
			fprintf(stderr, "funnel import: %lld field histories replaced\n", replaced);
	}
	if (im.bulk && im.header_done) {
		/* the checks over every row at once, then (maybe) the writes */
		rc = bulk_import_finish(im.bulk, dry_run, partial, bulk_report, &im, &im.valid,
					&im.rejected, &written, &e);
		if (rc) {
			store_rollback(st);
			cli_error("import", &e);
			goto out;
		}
	}
	if (!im.header_done) {
		store_rollback(st);
		fprintf(stderr, "funnel import: %s is empty: the first row must name the columns\n",
			path);
		ex = EXIT_DATA;
		goto out;
	}
	if (im.rejected && !as && !im.has_owner)
		fprintf(stderr, "funnel import: hint: the file has no owner_id column; name the "
				"owner with --as EMAIL\n");
	if (dry_run || (im.rejected && !partial)) {
		store_rollback(st);
		record(&im, 0, &e);
		printf("0 imported, %lld valid, %lld rejected (%snothing written)\n", im.valid,
		       im.rejected, dry_run ? "dry run, " : "");
		ex = im.rejected ? EXIT_DATA : EXIT_OK;
		goto out;
	}
	rc = record(&im, 1, &e);
	if (!rc)
		rc = store_commit(st, &e);
	if (rc) {
		store_rollback(st);
		cli_error("import", &e);
		goto out;
	}
	if (im.journal_id)
		fprintf(stderr, "funnel import: recorded as import %lld ('funnel import undo %lld' "
				"takes it back)\n",
			im.journal_id, im.journal_id);
	if (store_optimize(st, &e)) /* a big import changes the planner's picture */
		fprintf(stderr, "funnel import: warning: %s\n", e.msg);
	if (im.preset)
		printf("%lld imported (%lld created, %lld updated, %lld unchanged), %lld rejected\n",
		       im.valid, im.valid - im.updated - im.unchanged, im.updated, im.unchanged,
		       im.rejected);
	else
		printf("%lld imported, %lld rejected\n", im.valid, im.rejected);
	ex = im.rejected ? EXIT_DATA : EXIT_OK;
out:
	if (fd > STDIN_FILENO)
		close(fd);
	if (im.job && st && !im.journal_id)
		job_failed(st, im.job);
	if (im.job) {
		/* the upload and its progress were the job's */
		unlink(path);
		if (im.progress_file)
			unlink(im.progress_file);
	}
	for (i = 0; i < im.ncols; i++)
		json_decref(im.colv ? im.colv[i] : NULL);
	json_decref(im.obj);
	bulk_import_free(im.bulk);
	preset_run_free(im.prun);
	free(im.pcol);
	buf_release(&im.ignored);
	journal_free(im.journal);
	for (i = 0; im.colname && i < im.ncols; i++)
		free(im.colname[i]);
	free(im.colname);
	free(im.colf);
	free(im.colv);
	free(im.present);
	free(im.maps);
	free(specs);
	buf_release(&im.line);
	principal_release(&p);
	store_close(st);
	return ex;
}
