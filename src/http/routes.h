/*
 * routes.h — the one routing table.  A pattern is a path whose `{name}`
 * segments match any one non-empty segment; their values reach the handler
 * as req.params in order.
 */
#ifndef FUNNEL_ROUTES_H
#define FUNNEL_ROUTES_H

#include "api/api.h"

#define R_PUBLIC 0x1   /* no credentials needed */
/* The body is streamed to a temporary file (hashed, up to --max-upload)
 * instead of memory (up to --max-body); see req.upload_path. */
#define R_STREAM 0x2

struct route {
	enum method method;
	const char *pattern;
	api_handler handler;
	const void *arg;
	unsigned flags;
};

extern const struct route routes[];
extern const int routes_count;

/* Find the route for method + path, filling params.  Returns its index, -1
 * when no pattern matches the path (404), or -2 when the path exists but not
 * with this method (405; *allow lists the methods). */
int routes_match(enum method m, const char *path, struct req *rq, char *allow, size_t allow_n,
		 char *scratch, size_t scratch_n);

/* Does method + path go to an R_STREAM route? */
int routes_stream(enum method m, const char *path);

const char *method_name(enum method m);
enum method method_parse(const char *s);

#endif
