/*
 * timeutil.h — dates and times as Funnel stores them.
 *
 * Dates are "YYYY-MM-DD"; instants are UTC "YYYY-MM-DDTHH:MM:SSZ".  Both sort
 * correctly as text, which keeps SQL simple and the sqlite3 CLI readable.
 * Input instants may carry an offset ("+02:00") or fractions; they are
 * normalised to UTC seconds.
 */
#ifndef FUNNEL_TIMEUTIL_H
#define FUNNEL_TIMEUTIL_H

#include <time.h>

#define TIME_ISO_LEN 21 /* "2026-11-22T10:00:00Z" + NUL */

/* Format t (UTC) into out[TIME_ISO_LEN]. */
void time_iso(time_t t, char *out);
/* Format t (UTC) as a date into out[11]. */
void time_date(time_t t, char *out);
/* The current time; FUNNEL_NOW (an ISO instant) overrides it, for tests. */
time_t time_now(void);

/* Parse a date; returns 0 and sets *t (midnight UTC) or -1. */
int time_parse_date(const char *s, time_t *t);
/* Parse an RFC 3339 instant (or a bare date); returns 0 and sets *t or -1. */
int time_parse_iso(const char *s, time_t *t);

/* Monotonic clock in seconds, for measuring durations. */
double time_mono(void);

#endif
