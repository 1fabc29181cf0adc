/*
 * datein.h — dates as spreadsheets and other CRMs write them, read as
 * YYYY-MM-DD (for imports).
 *
 *   2026-03-31, 2026/03/31, 2026-03-31T10:00:00.000Z   ISO, a time after it dropped
 *   31/03/2026, 31.03.2026, 31-03-2026                  day first (DATE_DMY)
 *   3/31/2026                                           month first (DATE_MDY)
 *   46112, 46112.5                                      an Excel serial (days since
 *                                                       1899-12-30; 1900 date system)
 *
 * Only dates of the years 1900 to 2999 are read (those Funnel's dates take);
 * others are DATEIN_NOT, for the field's own check to refuse.
 *
 * A D/M/Y-shaped date both of whose first numbers are 12 or less reads two
 * ways; only the order (the user's --date-format, or what the rest of the
 * file shows) decides it.  datein_orders() tells which orders can read a
 * cell, so a caller can look at a whole column first.
 */
#ifndef FUNNEL_DATEIN_H
#define FUNNEL_DATEIN_H

#include <stddef.h>

enum date_order { DATE_ANY, DATE_DMY, DATE_MDY };

enum { DATEIN_OK, DATEIN_AMBIGUOUS, DATEIN_NOT };

/* Read the n bytes at s.  DATEIN_OK: out holds YYYY-MM-DD (and a NUL);
 * DATEIN_AMBIGUOUS: a D/M/Y shape that `order` (DATE_ANY) does not decide;
 * DATEIN_NOT: no date of these forms (the caller leaves it to the field's
 * own check, which names the problem). */
int datein_parse(const char *s, size_t n, enum date_order order, char out[11]);

/* For a D/M/Y-shaped cell, the orders that read it as a real date: bit
 * 1 << DATE_DMY, bit 1 << DATE_MDY (both: ambiguous).  0 for anything else. */
int datein_orders(const char *s, size_t n);

/* "dmy" / "mdy" (also "DD/MM/YYYY", "MM/DD/YYYY"); -1 for anything else. */
int datein_order_parse(const char *s);

#endif
