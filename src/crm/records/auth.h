/*
 * auth.h — passwords, sessions, API tokens and login throttling.
 *
 * Passwords are hashed with argon2id (libsodium's crypto_pwhash_str).  Secrets
 * handed to clients — session tokens ("fns_...") and API tokens ("fnt_...") —
 * are 32 random bytes; only their BLAKE2b hash is stored, so a copy of the
 * database does not let anyone in.  Failed logins are counted per e-mail and
 * per client address in the database (so several servers share the count):
 * past the limit the key is locked for a growing time and login answers
 * E_THROTTLE with retry_after.
 */
#ifndef FUNNEL_AUTH_H
#define FUNNEL_AUTH_H

#include <sodium.h>

#include "core/err.h"
#include "core/json.h"
#include "store/store.h"
#include "principal.h"

#define AUTH_HASH_LEN crypto_pwhash_STRBYTES
#define AUTH_TOKEN_LEN 64           /* "fns_" + base64url(32) + NUL fits */
#define AUTH_SESSION_SECONDS (12 * 3600)

int auth_init(void); /* sodium_init(); 0 or -1 */

/* Check a new password against the policy; argon2id-hash it into out. */
int auth_hash_password(const char *password, char out[AUTH_HASH_LEN], struct err *e);

struct login {
	long long user_id, session_id;
	char token[AUTH_TOKEN_LEN];
	char csrf[48];
	char expires_at[32];
};

/* Verify e-mail and password and open a session.  Wrong e-mail and wrong
 * password are one answer (E_AUTH), with the same cost. */
int auth_login(struct store *st, const char *email, const char *password, const char *ip,
	       struct login *out, struct err *e);
int auth_logout(struct store *st, long long session_id, struct err *e);

/* Who does `token` (a session or API token) belong to?  Sets the principal's
 * session_id or token_id and, for sessions, csrf. */
int auth_resolve(struct store *st, const char *token, struct principal *p, struct err *e);

/* API tokens of the principal. */
int token_create(struct store *st, const struct principal *p, const char *name,
		 const char *expires_at, long long *id, char plain[AUTH_TOKEN_LEN], struct err *e);
int token_list(struct store *st, const struct principal *p, struct jw *w, struct err *e);
int token_revoke(struct store *st, const struct principal *p, long long id, struct err *e);
/* End every session and revoke every token of a user (on disable). */
int auth_revoke_user(struct store *st, long long user_id, struct err *e);

/* A new secret for a client: `prefix` (at most 8 characters: "fnt_") and
 * base64url of 32 random bytes, into out.  Only auth_secret_hash() of it is
 * ever stored (sessions, API tokens, calendar feeds). */
void auth_secret_new(const char *prefix, char out[AUTH_TOKEN_LEN]);
/* hex(BLAKE2b-256(token)): what the database keeps of a secret. */
void auth_secret_hash(const char *token, char out[65]);

/* Constant-time comparison of two NUL-terminated strings. */
int auth_equal(const char *a, const char *b);

#endif
