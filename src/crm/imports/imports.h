/*
 * imports.h — the data-in capability: start here.
 *
 * What it promises.  Records come in from files as fast as the database
 * allows and through every check the API makes: a row the API would refuse
 * is refused here too, with its line and the same words, and by default a
 * file with one bad row writes nothing.
 *
 * How its files divide the work:
 *
 *   bulk.h/.c   the set-based path: rows streamed into a staging table,
 *               checked with one statement per rule, written with one
 *               INSERT … SELECT per shape of row
 *   journal.h/.c  every import's record (who, when, file, counts, rejected
 *               lines) and its undo
 *   preset.h/.c   Salesforce's and HubSpot's export columns; source ids
 *   job.h/.c      an upload's import, in a process of its own
 *
 * The row-by-row path is the record engine itself (records/record.h's
 * record_create), which `funnel import --row-by-row` and the resources the
 * bulk path does not take (bulk_import_supports) use.
 *
 * Depends on records/ only (a resource's bulk hooks are its own).
 */
#ifndef FUNNEL_IMPORTS_H
#define FUNNEL_IMPORTS_H

#include "bulk.h"
#include "job.h"
#include "journal.h"
#include "preset.h"

#endif
