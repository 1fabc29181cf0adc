/*
 * idempotency.h — a retried POST with the same Idempotency-Key gets the first
 * answer instead of making a duplicate.
 *
 * The caller holds a write transaction around lookup → work → save, so two
 * concurrent requests with one key serialise and the second replays the
 * first.  Keys are per user; a key reused for a different request (method,
 * path or body) is E_CONFLICT.  Saved answers are kept 24 hours.
 */
#ifndef FUNNEL_IDEMPOTENCY_H
#define FUNNEL_IDEMPOTENCY_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

struct idem_reply {
	int found;
	int status;
	char location[256];
	char etag[64];
	struct buf body;
};

/* `fingerprint` identifies the request (method, path and a hash of the body). */
int idem_lookup(struct store *st, long long user_id, const char *key, const char *fingerprint,
		struct idem_reply *out, struct err *e);
int idem_save(struct store *st, long long user_id, const char *key, const char *fingerprint,
	      int status, const char *location, const char *etag, const char *body,
	      struct err *e);
/* hex BLAKE2b of method, path and body, into out[65]. */
void idem_fingerprint(const char *method, const char *path, const char *body, size_t n,
		      char out[65]);

#endif
