#include "err.h"

#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
	if (!e)
		return;
	e->code = OK;
	e->msg[0] = '\0';
	e->nfields = 0;
	e->retry_after = 0;
}

int fail(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int err_field(struct err *e, const char *field, const char *fmt, ...)
{
	va_list ap;
	struct err_field *f;

	if (!e)
		return E_INVAL;
	e->code = E_INVAL;
	if (!e->msg[0])
		snprintf(e->msg, sizeof(e->msg), "invalid input");
	if (e->nfields == ERR_MAX_FIELDS)
		return E_INVAL;
	f = &e->fields[e->nfields++];
	snprintf(f->field, sizeof(f->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	return E_INVAL;
}

static const struct {
	int status;
	const char *title;
	const char *slug;
} codes[] = {
	[OK] = {200, "OK", "ok"},
	[E_INVAL] = {400, "Invalid input", "invalid-input"},
	[E_NOTFOUND] = {404, "Not found", "not-found"},
	[E_CONFLICT] = {409, "Conflict", "conflict"},
	[E_PRECOND] = {412, "Precondition failed", "precondition-failed"},
	[E_AUTH] = {401, "Unauthorized", "unauthorized"},
	[E_FORBIDDEN] = {403, "Forbidden", "forbidden"},
	[E_TOOBIG] = {413, "Content too large", "too-large"},
	[E_THROTTLE] = {429, "Too many requests", "too-many-requests"},
	[E_UNSUPPORTED] = {415, "Unsupported media type", "unsupported"},
	[E_IO] = {500, "I/O error", "io-error"},
	[E_UNAVAILABLE] = {503, "Service unavailable", "unavailable"},
	[E_FULL] = {507, "Insufficient storage", "insufficient-storage"},
	[E_INTERNAL] = {500, "Internal error", "internal"},
};

int err_http_status(int code)
{
	if (code < 0 || code > E_INTERNAL)
		return 500;
	return codes[code].status;
}

const char *err_title(int code)
{
	if (code < 0 || code > E_INTERNAL)
		return "Internal error";
	return codes[code].title;
}

const char *err_slug(int code)
{
	if (code < 0 || code > E_INTERNAL)
		return "internal";
	return codes[code].slug;
}
