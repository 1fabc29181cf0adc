/*
 * stage_import.h — importing stage histories (from another CRM, or a team's
 * own records) so that time in stage, conversion and forecasts see the past.
 *
 * Rows (opportunity_id, stage, entered_at, exited_at?, actor_id?, override?,
 * reason?) are checked one by one as records of stage_import_resource
 * (record.h) into a temporary table; stage_import_finish() then checks each
 * opportunity's rows together and replaces its stage history:
 *   - every stage is one of the opportunity's pipeline;
 *   - ordered by entered_at, each row's exited_at is the next row's
 *     entered_at (an empty exited_at is taken from the next row);
 *   - the last row is open (no exited_at) and is the opportunity's current
 *     stage.
 * The opportunity's stage_entered_at follows the last row, a closed deal's
 * closed_at its first entry after its last open stage, its created_at the
 * first row's entry when that is earlier (a deal imported today existed when
 * its history began: forecasts as of a past date need it), and the
 * replacement is in its audit history.
 */
#ifndef FUNNEL_STAGE_IMPORT_H
#define FUNNEL_STAGE_IMPORT_H

#include "crm/records/record.h"

extern const struct resource stage_import_resource;

/* Create the temporary table (inside the import's transaction). */
int stage_import_begin(struct store *st, struct err *e);

/* Check and apply what was added.  `reject` is called once per opportunity
 * whose rows do not make a history (with its first row's line); returns the
 * number of opportunities replaced in *done. */
int stage_import_finish(struct store *st, const struct principal *p,
			void (*reject)(void *ctx, long long opportunity_id, const char *why),
			void *ctx, long long *done, struct err *e);

#endif
