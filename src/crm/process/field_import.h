/*
 * field_import.h — importing the history of a deal's forecast fields
 * (amount, close_date, forecast_category), so that forecasts as of a past
 * date (forecast.h) and the backtest see what was known then.
 *
 * Rows (opportunity_id, field, at, old, new, actor_id?) are checked one by one
 * as records of field_import_resource (record.h) into a temporary table:
 * old and new must be values of the field (an amount in the deal's currency,
 * a YYYY-MM-DD date, a forecast category; an empty forecast_category is
 * none), at not in the future.  field_import_finish() then checks each
 * deal's rows for one field together, in time order:
 *   - no two changes at the same instant;
 *   - each change starts from the value the one before left (old = the
 *     previous new);
 *   - the last change leaves the value the deal has now.
 * and replaces the deal's history rows of that field (action update, in
 * `history`, as the API writes them) with the imported ones; the replacement
 * is noted in the deal's audit history.  A deal's created_at moves back to
 * its first change if that came earlier: a deal imported today existed when
 * its history says it changed.
 */
#ifndef FUNNEL_FIELD_IMPORT_H
#define FUNNEL_FIELD_IMPORT_H

#include "crm/records/record.h"

extern const struct resource field_import_resource;

/* Create the temporary table (inside the import's transaction). */
int field_import_begin(struct store *st, struct err *e);

/* Check and apply what was added.  `reject` is called once per deal and
 * field whose rows do not make a history; *done counts the histories
 * replaced. */
int field_import_finish(struct store *st, const struct principal *p,
			void (*reject)(void *ctx, long long opportunity_id, const char *why),
			void *ctx, long long *done, struct err *e);

#endif
