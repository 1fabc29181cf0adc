/*
 * journal.h — every import is a record, and can be undone.
 *
 * An import (the CLI's or the API's) opens a journal inside its own
 * transaction, before it writes: the journal notes the last id of the
 * resource's table.  The import holds the write lock, so what it creates is
 * exactly the id range after that mark; nothing is kept per created row.
 * What it changes (a re-import by external id, preset.h) is kept per record:
 * the fields' values before and the version after.  Rejected rows are kept
 * with their line and reason (the first JOURNAL_MAX_ERRORS of them).
 *
 *   journal_begin ──▶ journal_error / journal_updated (any number)
 *        │
 *        ├─ written: journal_finish(written = 1) in the import's transaction,
 *        │           before its COMMIT            → status done
 *        └─ refused: the import rolled back; journal_finish(written = 0)
 *                    records it on its own         → status refused
 *
 *   done ──journal_undo──▶ undone
 *
 * An upload (the API's) is queued first and run by a job:
 *
 *   journal_queue ──▶ running ──the job's journal_finish──▶ done | refused
 *                        └──── the job dies (journal_fail, journal_reap) ──▶ failed
 *
 * Undo deletes what the import created and writes back what it changed, as
 * the principal, through the record engine (audited like any delete or
 * update), in one transaction.  It is refused (E_CONFLICT, a field per
 * record named "account 12") when that would lose a later change: a created
 * or changed record changed again since (its history after the import's
 * mark), activities or attachments put on a created record, or other
 * records that refer to it.  A record deleted since is simply gone.
 *
 * Visibility: admins see every import; everyone else the imports they made.
 * The system's imports (the CLI without --as) are the admins'.  An import
 * one may not see answers E_NOTFOUND.
 */
#ifndef FUNNEL_JOURNAL_H
#define FUNNEL_JOURNAL_H

#include "core/err.h"
#include "core/json.h"
#include "crm/records/principal.h"
#include "store/store.h"

#define JOURNAL_MAX_ERRORS 10000

struct journal;

/* Start recording an import of records into `table` (a resource's name, or
 * a history import's: those cannot be undone) read from `file` by p, `via`
 * "cli" or "api", `preset` NULL or its name.  Call inside the import's
 * transaction, before it writes.  *out is the caller's to journal_free(). */
int journal_begin(struct store *st, const struct principal *p, const char *via, const char *table,
		  const char *file, const char *preset, struct journal **out, struct err *e);

/* An upload (POST /api/v1/imports): its record, status running, made now
 * so it can be watched; the job (`funnel import --job ID`) then opens its
 * journal with journal_begin_job and its finish fills this record. */
int journal_queue(struct store *st, const struct principal *p, const char *table, const char *file,
		  const char *preset, long long *id, struct err *e);
/* As journal_begin, for the queued import `job`. */
int journal_begin_job(struct store *st, const struct principal *p, long long job, const char *table,
		      const char *file, const char *preset, struct journal **out, struct err *e);
/* The job of import `id` runs as process `pid`. */
int journal_set_pid(struct store *st, long long id, long long pid, struct err *e);
/* The job of import `id` stopped without a result: status failed, `why`
 * as its one error. */
int journal_fail(struct store *st, long long id, const char *why, struct err *e);
/* Jobs whose process is gone (a server restarted, a crash) failed. */
int journal_reap(struct store *st, struct err *e);

/* Line `line` (0: not a line's) was refused: `text`.  Kept in memory. */
void journal_error(struct journal *j, long long line, const char *text);

/* Record `record_id` was changed by the import: `before` is a JSON object
 * of the changed fields' previous values, in the API's format; `version`
 * the record's version after the change.  j NULL (a dry run): nothing. */
int journal_updated(struct journal *j, long long record_id, const char *before, long long version,
		    struct err *e);

/* How many rows were refused so far (journal_error calls). */
long long journal_rejected(const struct journal *j);

/* Write the import's record.  written: in the import's transaction, which
 * the caller then commits; otherwise after its rollback, in a transaction
 * of its own (nothing but the record and its errors).  *id: the import. */
int journal_finish(struct journal *j, int written, long long *id, struct err *e);

void journal_free(struct journal *j);

/* {"data": [import, ...]} newest first, at most `limit` (1..200), those
 * with id < before (0: from the newest). */
int journal_list(struct store *st, const struct principal *p, int limit, long long before,
		 struct jw *w, struct err *e);

/* One import with its errors (the first JOURNAL_MAX_ERRORS); while it runs,
 * progress {done, total} in bytes when total > 0. */
int journal_get(struct store *st, const struct principal *p, long long id, long long done,
		long long total, struct jw *w, struct err *e);

/* Undo import `id` (see above).  E_NOTFOUND: no such import for p;
 * E_CONFLICT: refused (already undone, nothing written, a history import,
 * or later changes, each named as a field of e). */
int journal_undo(struct store *st, const struct principal *p, long long id, long long *deleted,
		 long long *restored, struct err *e);

#endif
