#include "auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "record.h"

/* Throttle: per e-mail 5 failures in 15 minutes, per address 30. */
#define WINDOW 900
#define EMAIL_LIMIT 5
#define IP_LIMIT 30

static char dummy_hash[AUTH_HASH_LEN];

int auth_init(void)
{
	if (sodium_init() < 0)
		return -1;
	return 0;
}

int auth_equal(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

int auth_hash_password(const char *password, char out[AUTH_HASH_LEN], struct err *e)
{
	size_t n = strlen(password);

	if (n < 8)
		return err_field(e, "password", "must be at least 8 characters");
	if (n > 1024)
		return err_field(e, "password", "must be at most 1024 characters");
	if (crypto_pwhash_str(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return fail(e, E_INTERNAL, "out of memory while hashing the password");
	return OK;
}

/* auth.h: what the database keeps of a secret. */
void auth_secret_hash(const char *token, char out[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void auth_secret_new(const char *prefix, char out[AUTH_TOKEN_LEN])
{
	unsigned char raw[32];
	size_t n = strlen(prefix);

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, prefix, n);
	sodium_bin2base64(out + n, AUTH_TOKEN_LEN - n, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* --- throttling --------------------------------------------------------- */

static int throttle_check(struct store *st, const char *key, long long now, int *retry,
			  struct err *e)
{
	struct stmt *s = store_prepare(st, "SELECT locked_until FROM auth_throttle WHERE key = ?", e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, key);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s) && stmt_int(s, 0) > now) {
		long long left = stmt_int(s, 0) - now;

		if (left > *retry)
			*retry = (int)left;
	}
	stmt_done(s);
	return rc;
}

static int throttle_fail(struct store *st, const char *key, int limit, long long now,
			 struct err *e)
{
	/* Failures in the window count; at the limit the key locks for 30 s,
	 * doubling with each further failure, up to the window. */
	struct stmt *s = store_prepare(
		st,
		"INSERT INTO auth_throttle AS t (key, failures, window_start, locked_until) "
		"VALUES (?1, 1, ?2, 0) ON CONFLICT(key) DO UPDATE SET "
		"failures = CASE WHEN t.window_start < ?2 - ?3 THEN 1 ELSE t.failures + 1 END, "
		"window_start = CASE WHEN t.window_start < ?2 - ?3 THEN ?2 ELSE t.window_start END, "
		"locked_until = CASE WHEN t.window_start >= ?2 - ?3 AND t.failures + 1 >= ?4 THEN "
		"?2 + min(?3, 30 << min(t.failures + 1 - ?4, 5)) ELSE t.locked_until END",
		e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, key);
	stmt_bind_int(s, 2, now);
	stmt_bind_int(s, 3, WINDOW);
	stmt_bind_int(s, 4, limit);
	rc = stmt_step(s, e);
	stmt_done(s);
	return rc;
}

static int throttle_clear(struct store *st, const char *key, struct err *e)
{
	struct stmt *s = store_prepare(st, "DELETE FROM auth_throttle WHERE key = ?", e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, key);
	rc = stmt_step(s, e);
	stmt_done(s);
	return rc;
}

/* --- login -------------------------------------------------------------- */

int auth_login(struct store *st, const char *email, const char *password, const char *ip,
	       struct login *out, struct err *e)
{
	char ekey[300], ikey[80], hash[AUTH_HASH_LEN] = "", th[65], now_s[TIME_ISO_LEN];
	long long now = (long long)time_now(), uid = 0;
	int rc, retry = 0, active = 0, ok;
	struct stmt *s;
	size_t i;

	memset(out, 0, sizeof(*out));
	snprintf(ekey, sizeof(ekey), "email:%s", email);
	for (i = 6; ekey[i]; i++)
		if (ekey[i] >= 'A' && ekey[i] <= 'Z')
			ekey[i] = (char)(ekey[i] - 'A' + 'a');
	snprintf(ikey, sizeof(ikey), "ip:%s", ip ? ip : "-");
	rc = throttle_check(st, ekey, now, &retry, e);
	if (!rc)
		rc = throttle_check(st, ikey, now, &retry, e);
	if (rc)
		return rc;
	if (retry) {
		if (e)
			e->retry_after = retry;
		return fail(e, E_THROTTLE, "too many failed logins; try again in %d seconds", retry);
	}

	s = store_prepare(st, "SELECT id, password_hash, active FROM users WHERE email = ?", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, email);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		uid = stmt_int(s, 0);
		snprintf(hash, sizeof(hash), "%s", stmt_text(s, 1) ? stmt_text(s, 1) : "");
		active = (int)stmt_int(s, 2);
	}
	stmt_done(s);
	if (rc)
		return rc;
	if (!hash[0]) {
		/* same work for an unknown e-mail, so timing tells nothing */
		if (!dummy_hash[0] &&
		    crypto_pwhash_str(dummy_hash, "not a password", 14,
				      crypto_pwhash_OPSLIMIT_INTERACTIVE,
				      crypto_pwhash_MEMLIMIT_INTERACTIVE))
			dummy_hash[0] = '\0';
		if (crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
			log_warn("login: a password matched the dummy hash");
		ok = 0;
	} else {
		ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	}
	if (!ok || !active) {
		rc = store_begin(st, e);
		if (!rc)
			rc = throttle_fail(st, ekey, EMAIL_LIMIT, now, e);
		if (!rc)
			rc = throttle_fail(st, ikey, IP_LIMIT, now, e);
		if (!rc)
			rc = store_commit(st, e);
		else
			store_rollback(st);
		if (rc)
			return rc;
		return fail(e, E_AUTH, "wrong e-mail or password");
	}

	auth_secret_new("fns_", out->token);
	{
		unsigned char raw[16];

		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(out->csrf, sizeof(out->csrf), raw, sizeof(raw));
	}
	auth_secret_hash(out->token, th);
	time_iso((time_t)now, now_s);
	time_iso((time_t)(now + AUTH_SESSION_SECONDS), out->expires_at);
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = throttle_clear(st, ekey, e);
	if (rc)
		goto fail;
	s = store_prepare(st,
			  "INSERT INTO sessions (token_hash, csrf_token, user_id, created_at, "
			  "expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_text(s, 1, th);
	stmt_bind_text(s, 2, out->csrf);
	stmt_bind_int(s, 3, uid);
	stmt_bind_text(s, 4, now_s);
	stmt_bind_text(s, 5, out->expires_at);
	rc = stmt_step(s, e);
	if (!rc)
		out->session_id = stmt_int(s, 0);
	if (!rc)
		rc = stmt_step(s, e);
	stmt_done(s);
	if (rc)
		goto fail;
	/* expired sessions go as new ones come */
	rc = store_run(st, e, "DELETE FROM sessions WHERE expires_at < ?", "t", now_s);
	if (rc)
		goto fail;
	rc = store_commit(st, e);
	if (rc)
		return rc;
	out->user_id = uid;
	return OK;
fail:
	store_rollback(st);
	return rc;
}

int auth_logout(struct store *st, long long session_id, struct err *e)
{
	struct stmt *s = store_prepare(st, "DELETE FROM sessions WHERE id = ?", e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, session_id);
	rc = stmt_step(s, e);
	stmt_done(s);
	return rc;
}

/* --- the credential cache ----------------------------------------------
 *
 * Resolving a credential costs a lookup of the session or token, the user's
 * row and (for a manager) the walk of their team subtree — most of what a
 * single-record GET costs.  So each worker thread keeps, by the secret's
 * hash, the principal it resolved last for up to CACHE_SLOTS credentials
 * and answers from it while the auth_generation counter
 * (018_auth_generation.sql) is what it was when the entry was made and the
 * credential has not expired by the clock.  Every change that could make an
 * entry wrong — a logout, a revoked or deleted token, any change to users or
 * teams, from this process or another — moves the counter in the same
 * transaction, so the next request on every thread misses and resolves
 * afresh: revocation takes effect at once.  The check is one read of a
 * one-row table with a prepared statement. */
#define CACHE_SLOTS 64

struct cached {
	char th[65];           /* hex hash of the secret; "" when empty */
	long long gen;         /* auth_generation.n when resolved */
	time_t expires;        /* 0: never */
	time_t minute;         /* tokens: the minute last_used_at was last checked */
	char last[TIME_ISO_LEN];
	struct principal p;    /* owns its owner arrays */
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_ok;

static void cache_free(void *v)
{
	struct cached *c = v;
	int i;

	for (i = 0; c && i < CACHE_SLOTS; i++)
		principal_release(&c[i].p);
	free(c);
}

static void cache_init(void)
{
	cache_ok = pthread_key_create(&cache_key, cache_free) == 0;
}

static struct cached *cache_slot(const char *th)
{
	struct cached *c;
	unsigned h = 0;
	int i;

	pthread_once(&cache_once, cache_init);
	if (!cache_ok)
		return NULL;
	c = pthread_getspecific(cache_key);
	if (!c) {
		c = calloc(CACHE_SLOTS, sizeof(*c));
		if (!c || pthread_setspecific(cache_key, c)) {
			free(c);
			return NULL;
		}
	}
	for (i = 0; i < 8; i++)
		h = h * 16 + (unsigned)(th[i] <= '9' ? th[i] - '0' : th[i] - 'a' + 10);
	return &c[h % CACHE_SLOTS];
}

static int generation(struct store *st, long long *gen)
{
	struct stmt *s = store_prepare(st, "SELECT n FROM auth_generation WHERE id = 1", NULL);
	int rc;

	if (!s)
		return -1;
	rc = stmt_step(s, NULL);
	if (!rc && stmt_row(s))
		*gen = stmt_int(s, 0);
	else
		rc = -1;
	stmt_done(s);
	return rc;
}

/* A token's last use, at most once a minute: no write on every request. */
static void token_used(struct store *st, long long tid, const char *now_s, char *last)
{
	struct stmt *s;

	if (!strncmp(last, now_s, 15))
		return;
	s = store_prepare(st, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", NULL);
	if (!s)
		return;
	stmt_bind_text(s, 1, now_s);
	stmt_bind_int(s, 2, tid);
	if (!stmt_step(s, NULL))
		snprintf(last, TIME_ISO_LEN, "%s", now_s);
	stmt_done(s);
}

int auth_resolve(struct store *st, const char *token, struct principal *p, struct err *e)
{
	struct cached *slot;
	long long gen = 0;
	int have_gen;
	time_t now;
	char expires[TIME_ISO_LEN] = "";
	char th[65], now_s[TIME_ISO_LEN];
	struct stmt *s;
	long long uid = 0, sid = 0, tid = 0;
	char csrf[48] = "", last[TIME_ISO_LEN] = "";
	int rc, session;

	memset(p, 0, sizeof(*p));
	if (!strncmp(token, "fns_", 4))
		session = 1;
	else if (!strncmp(token, "fnt_", 4))
		session = 0;
	else
		return fail(e, E_AUTH, "the credentials are not valid");
	if (strlen(token) > AUTH_TOKEN_LEN)
		return fail(e, E_AUTH, "the credentials are not valid");
	auth_secret_hash(token, th);
	now = time_now();
	slot = cache_slot(th);
	have_gen = slot && !generation(st, &gen);
	if (have_gen && !strcmp(slot->th, th) && slot->gen == gen &&
	    (!slot->expires || slot->expires > now)) {
		if (slot->p.token_id && slot->minute != now / 60) {
			slot->minute = now / 60;
			time_iso(now, now_s);
			token_used(st, slot->p.token_id, now_s, slot->last);
		}
		return principal_copy(p, &slot->p) ? fail(e, E_INTERNAL, "out of memory") : OK;
	}
	time_iso(now, now_s);
	s = store_prepare(st,
			  session ? "SELECT user_id, id, csrf_token, expires_at FROM sessions "
				    "WHERE token_hash = ? AND expires_at > ?"
				  : "SELECT user_id, id, coalesce(last_used_at, ''), "
				    "coalesce(expires_at, '') FROM api_tokens "
				    "WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS "
				    "NULL OR expires_at > ?)",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, th);
	stmt_bind_text(s, 2, now_s);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		uid = stmt_int(s, 0);
		if (session) {
			sid = stmt_int(s, 1);
			snprintf(csrf, sizeof(csrf), "%s", stmt_text(s, 2));
		} else {
			tid = stmt_int(s, 1);
			snprintf(last, sizeof(last), "%s", stmt_text(s, 2));
		}
		snprintf(expires, sizeof(expires), "%s", stmt_text(s, 3));
	}
	stmt_done(s);
	if (rc)
		return rc;
	if (!uid)
		return fail(e, E_AUTH, "the credentials are not valid or have expired");
	if (tid)
		token_used(st, tid, now_s, last);
	rc = principal_load(st, uid, p, e);
	if (rc)
		return rc == E_AUTH ? fail(e, E_AUTH, "the credentials are not valid") : rc;
	p->session_id = sid;
	p->token_id = tid;
	snprintf(p->csrf, sizeof(p->csrf), "%s", csrf);
	if (have_gen) {
		principal_release(&slot->p);
		slot->th[0] = '\0';
		if (!principal_copy(&slot->p, p)) {
			memcpy(slot->th, th, sizeof(slot->th));
			slot->gen = gen;
			slot->minute = now / 60;
			memcpy(slot->last, last, sizeof(slot->last));
			slot->expires = 0;
			/* an expiry that cannot be read: never answered from the cache */
			if (expires[0] && time_parse_iso(expires, &slot->expires))
				slot->th[0] = '\0';
		}
	}
	return OK;
}

/* --- API tokens --------------------------------------------------------- */

int token_create(struct store *st, const struct principal *p, const char *name,
		 const char *expires_at, long long *id, char plain[AUTH_TOKEN_LEN], struct err *e)
{
	char th[65], now_s[TIME_ISO_LEN], prefix[12];
	struct stmt *s;
	int rc;

	auth_secret_new("fnt_", plain);
	auth_secret_hash(plain, th);
	snprintf(prefix, sizeof(prefix), "%.10s", plain);
	time_iso(time_now(), now_s);
	s = store_prepare(st,
			  "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, "
			  "expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, p->user_id);
	stmt_bind_text(s, 2, name);
	stmt_bind_text(s, 3, th);
	stmt_bind_text(s, 4, prefix);
	stmt_bind_text(s, 5, now_s);
	stmt_bind_text(s, 6, expires_at);
	rc = stmt_step(s, e);
	if (!rc)
		*id = stmt_int(s, 0);
	if (!rc)
		rc = stmt_step(s, e);
	stmt_done(s);
	return rc;
}

int token_list(struct store *st, const struct principal *p, struct jw *w, struct err *e)
{
	struct stmt *s = store_prepare(st,
				       "SELECT id, name, prefix, created_at, expires_at, "
				       "last_used_at, revoked_at FROM api_tokens WHERE user_id = ? "
				       "ORDER BY id",
				       e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, p->user_id);
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		jw_obj(w);
		jw_kint(w, "id", stmt_int(s, 0));
		jw_kstr(w, "name", stmt_text(s, 1));
		jw_kstr(w, "prefix", stmt_text(s, 2));
		jw_kstr(w, "created_at", stmt_text(s, 3));
		jw_kstr(w, "expires_at", stmt_text(s, 4));
		jw_kstr(w, "last_used_at", stmt_text(s, 5));
		jw_kstr(w, "revoked_at", stmt_text(s, 6));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	stmt_done(s);
	return rc;
}

int token_revoke(struct store *st, const struct principal *p, long long id, struct err *e)
{
	char now_s[TIME_ISO_LEN];
	struct stmt *s = store_prepare(st,
				       "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) "
				       "WHERE id = ? AND user_id = ?",
				       e);
	int rc;

	if (!s)
		return E_INTERNAL;
	time_iso(time_now(), now_s);
	stmt_bind_text(s, 1, now_s);
	stmt_bind_int(s, 2, id);
	stmt_bind_int(s, 3, p->user_id);
	rc = stmt_step(s, e);
	stmt_done(s);
	if (!rc && store_changes(st) == 0)
		rc = fail(e, E_NOTFOUND, "no token with id %lld", id);
	return rc;
}

int auth_revoke_user(struct store *st, long long user_id, struct err *e)
{
	char now_s[TIME_ISO_LEN];
	struct stmt *s;
	int rc;

	rc = store_run(st, e, "DELETE FROM sessions WHERE user_id = ?", "i", user_id);
	if (rc)
		return rc;
	s = store_prepare(st,
			  "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at "
			  "IS NULL",
			  e);
	if (!s)
		return E_INTERNAL;
	time_iso(time_now(), now_s);
	stmt_bind_text(s, 1, now_s);
	stmt_bind_int(s, 2, user_id);
	rc = stmt_step(s, e);
	stmt_done(s);
	return rc;
}
