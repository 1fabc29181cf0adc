/*
 * job.h — an upload imported in the background (POST /api/v1/imports).
 *
 * The upload's file moves to <files>/imports/<id>.csv and a process of its
 * own runs `funnel import --job <id>` on it — the command line's import,
 * every check and path the same — as the uploader (--as their e-mail).  It
 * survives the request and the page that sent it; it writes its progress
 * (bytes read of the file) to <id>.progress, fills the import's record
 * (journal.h) when it ends, and removes its files.  A job whose process is
 * gone without a result is marked failed by journal_reap().
 *
 * The job holds the database's write lock while it imports, as the command
 * line does: the server keeps reading, and its writes wait.  One machine:
 * several servers on one database each run their own jobs (issue 14's job
 * table is where claiming belongs).
 */
#ifndef FUNNEL_JOB_H
#define FUNNEL_JOB_H

#include "core/err.h"
#include "crm/records/principal.h"
#include "store/store.h"

struct import_job {
	const char *resource;    /* accounts, contacts, leads, opportunities, activities */
	const char *file_name;   /* as the uploader named it */
	const char *preset;      /* NULL, salesforce, hubspot */
	const char *encoding;    /* NULL or recode.h's name */
	const char *delimiter;   /* NULL, ",", ";", "|", "tab" */
	const char *date_format; /* NULL, dmy, mdy */
	const char *map;         /* NULL, or --map's COLUMN=FIELD,... */
	int partial;
};

/* Queue the import of `upload` (a file this takes: moved, or removed on
 * failure) and start its job.  *id: the import.  E_IO when the files
 * directory or the process cannot be made. */
int import_job_start(struct store *st, const struct principal *p, const char *files_dir,
		     const struct import_job *job, const char *upload, long long *id,
		     struct err *e);

/* Bytes read of import `id`'s file so far and its size (0, 0 when its job
 * has not said, or is over). */
void import_job_progress(const char *files_dir, long long id, long long *done, long long *total);

#endif
