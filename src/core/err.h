/*
 * err.h — the one error convention of Funnel.
 *
 * Every fallible function returns an `int`: 0 (OK) on success or one of the
 * codes below.  It may also fill a `struct err` with a human message and, for
 * input validation, a list of per-field problems so that a caller can answer
 * every problem at once.  `fail()` records the message and returns the code, so
 * a check reads as a sentence:
 *
 *     if (!valid_date(s))
 *             return fail(e, E_INVAL, "close_date must be YYYY-MM-DD");
 *
 * A NULL `struct err *` is allowed everywhere: the message is then dropped.
 * The only place that turns codes into HTTP statuses is err_http_status().
 */
#ifndef FUNNEL_ERR_H
#define FUNNEL_ERR_H

#include <stdarg.h>

enum {
	OK = 0,
	E_INVAL,      /* bad input: a field is missing, malformed or out of range */
	E_NOTFOUND,   /* no such record, or one the caller may not see */
	E_CONFLICT,   /* the write contradicts the current state (duplicate, in use) */
	E_PRECOND,    /* If-Match no longer matches */
	E_AUTH,       /* no or bad credentials */
	E_FORBIDDEN,  /* authenticated, but the role does not allow it */
	E_TOOBIG,     /* body or value over a limit */
	E_THROTTLE,   /* too many attempts; retry later */
	E_UNSUPPORTED,/* method or media type not supported */
	E_IO,         /* file system or network */
	E_UNAVAILABLE,/* not ready yet (an index being built); retry_after says when */
	E_FULL,       /* no room left to store it (the disk is full): nothing was written */
	E_INTERNAL    /* a bug or a database failure */
};

#define ERR_MAX_FIELDS 32

struct err_field {
	char field[64];
	char message[192];
};

struct err {
	int code;
	char msg[256];
	int nfields;
	struct err_field fields[ERR_MAX_FIELDS];
	int retry_after; /* seconds, for E_THROTTLE and E_UNAVAILABLE */
};

/* Reset `e` to "no error". */
void err_clear(struct err *e);

/* Record `code` and a printf-style message in `e` (if not NULL); return code. */
int fail(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Add a problem with one input field.  The code becomes E_INVAL and the
 * summary message "invalid input" unless a message is already set.
 * Returns E_INVAL. */
int err_field(struct err *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The HTTP status for a code (400, 404, 409, 412, 401, 403, 413, 429, 415,
 * 500). */
int err_http_status(int code);

/* A short, stable title for a code ("Invalid input", "Not found", ...). */
const char *err_title(int code);

/* A stable slug for the problem type URI ("invalid-input", ...). */
const char *err_slug(int code);

#endif
