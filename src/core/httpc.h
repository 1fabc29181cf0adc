/*
 * httpc.h — an HTTP client for what Funnel sends out (webhook deliveries),
 * over libcurl.  No CRM knowledge.
 *
 * One call, one request: httpc_post() sends `body` to `url` with the given
 * extra headers and waits at most `timeout_ms` in all.  Redirects are not
 * followed (a webhook endpoint that moves says so with its status), only
 * http and https are allowed, and the answer is kept up to `keep` bytes.
 */
#ifndef FUNNEL_HTTPC_H
#define FUNNEL_HTTPC_H

#include <stddef.h>

#include "buf.h"

struct httpc_result {
	long status;        /* the HTTP status; 0 when there was no answer */
	char error[256];    /* why there was none ("" otherwise) */
	struct buf body;    /* the start of the answer; httpc_result_release() */
	long duration_ms;
};

/* Once per process, before threads start: curl_global_init().  0 or -1. */
int httpc_init(void);

/* POST `body` (n bytes) as application/json.  `headers`: "Name: value"
 * strings, NULL-terminated (may be NULL).  Always fills *r; returns 0 when
 * an HTTP answer came back (of any status), -1 otherwise. */
int httpc_post(const char *url, const char *const *headers, const char *body, size_t n,
	       long timeout_ms, size_t keep, struct httpc_result *r);
void httpc_result_release(struct httpc_result *r);

#endif
