/*
 * bulk.h — a set-based import of new records of one resource.
 *
 * A row goes through record_decode() (the API's own decoder: types, bounds,
 * enumerations, lengths) and the owner rules as it is read, then into the
 * staging table temp.import_rows — one column per field, named as the field,
 * plus _line (its line in the file), _mask (which fields it gives), _bad and
 * _id.  What needs the database is checked at the end, one statement per
 * rule over every staged row: required fields, references (existing, active
 * owners the principal may assign, records the principal sees), and the
 * resource's own rules (its bulk_prepare hook, record.h).  Every problem goes
 * to temp.import_errors (line, order, field, message); a row's problems are
 * reported together, in the words and order record_create() uses.
 *
 *     begin ──▶ row / reject (per line) ──▶ finish ──▶ free
 *                                             │
 *                   checks ─▶ report ─▶ (write?) INSERT … SELECT per _mask,
 *                                        the resource's bulk_after_write
 *
 * The caller holds the transaction (store_begin) and decides, from what
 * finish reports, whether to commit: all or nothing, or --partial.
 * Row problems are kept, not returned; the functions return an error only
 * when the import cannot go on (the database failed).
 */
#ifndef FUNNEL_BULK_H
#define FUNNEL_BULK_H

#include <jansson.h>

#include "core/err.h"
#include "crm/records/record.h"
#include "store/store.h"

struct bulk_import;

/* Does the bulk path take records of r?  Not those with a unique field or a
 * hook without its bulk version (they go row by row). */
int bulk_import_supports(const struct resource *r);

/* Start an import of records of r by p (the staging tables are made).
 * *out is the caller's to bulk_import_free(). */
int bulk_import_begin(struct store *st, const struct principal *p, const struct resource *r,
		      struct bulk_import **out, struct err *e);

/* Line `line`'s row: a JSON object of strings (empty: not given), read as
 * record_create(lenient) reads it.  Lines must grow. */
int bulk_import_row(struct bulk_import *bi, long long line, json_t *row, struct err *e);

/* Line `line` is refused before it is a row (a CSV problem): `why`. */
int bulk_import_reject(struct bulk_import *bi, long long line, const char *why, struct err *e);

/* Run the checks, call report() once per refused line, in line order, with
 * "field: problem; field: problem" (or the problem alone), and count.  Then
 * write the valid rows unless dry_run, or rows were refused and not
 * partial.  *written says whether it did. */
int bulk_import_finish(struct bulk_import *bi, int dry_run, int partial,
		       void (*report)(void *ctx, long long line, const char *text), void *ctx,
		       long long *valid, long long *rejected, int *written, struct err *e);

void bulk_import_free(struct bulk_import *bi);

#endif
