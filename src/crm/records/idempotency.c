#include "idempotency.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"

void idem_fingerprint(const char *method, const char *path, const char *body, size_t n,
		      char out[65])
{
	crypto_generichash_state h;
	unsigned char d[32];

	crypto_generichash_init(&h, NULL, 0, sizeof(d));
	crypto_generichash_update(&h, (const unsigned char *)method, strlen(method) + 1);
	crypto_generichash_update(&h, (const unsigned char *)path, strlen(path) + 1);
	crypto_generichash_update(&h, (const unsigned char *)body, n);
	crypto_generichash_final(&h, d, sizeof(d));
	sodium_bin2hex(out, 65, d, sizeof(d));
}

int idem_lookup(struct store *st, long long user_id, const char *key, const char *fingerprint,
		struct idem_reply *out, struct err *e)
{
	struct stmt *s;
	char cutoff[TIME_ISO_LEN];
	int rc;

	out->found = 0;
	buf_init(&out->body, 0);
	time_iso(time_now() - 86400, cutoff);
	rc = store_run(st, e, "DELETE FROM idempotency WHERE created_at < ?", "t", cutoff);
	if (rc)
		return rc;
	s = store_prepare(st,
			  "SELECT fingerprint, status, coalesce(location, ''), coalesce(etag, ''), body "
			  "FROM idempotency WHERE user_id = ? AND key = ?",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, user_id);
	stmt_bind_text(s, 2, key);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		if (strcmp(stmt_text(s, 0), fingerprint)) {
			rc = fail(e, E_CONFLICT,
				  "this Idempotency-Key was already used for a different request");
		} else {
			out->found = 1;
			out->status = (int)stmt_int(s, 1);
			snprintf(out->location, sizeof(out->location), "%s", stmt_text(s, 2));
			snprintf(out->etag, sizeof(out->etag), "%s", stmt_text(s, 3));
			buf_puts(&out->body, stmt_text(s, 4));
		}
	}
	stmt_done(s);
	return rc;
}

int idem_save(struct store *st, long long user_id, const char *key, const char *fingerprint,
	      int status, const char *location, const char *etag, const char *body,
	      struct err *e)
{
	char now[TIME_ISO_LEN];
	struct stmt *s = store_prepare(st,
				       "INSERT INTO idempotency (user_id, key, fingerprint, status, "
				       "location, etag, body, created_at) VALUES (?, ?, ?, ?, ?, ?, "
				       "?, ?)",
				       e);
	int rc;

	if (!s)
		return E_INTERNAL;
	time_iso(time_now(), now);
	stmt_bind_int(s, 1, user_id);
	stmt_bind_text(s, 2, key);
	stmt_bind_text(s, 3, fingerprint);
	stmt_bind_int(s, 4, status);
	stmt_bind_text(s, 5, location);
	stmt_bind_text(s, 6, etag);
	stmt_bind_text(s, 7, body);
	stmt_bind_text(s, 8, now);
	rc = stmt_step(s, e);
	stmt_done(s);
	return rc;
}
