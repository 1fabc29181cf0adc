/*
 * auth.c — sign in and out, who am I, API tokens.
 *
 *   POST   /api/v1/auth/login   {"email","password"} → {token, csrf_token, user}
 *                               + cookie funnel_session (HttpOnly, SameSite=Strict)
 *   POST   /api/v1/auth/logout  ends the session and clears the cookie
 *   GET    /api/v1/me           the caller; with the session cookie also its csrf_token,
 *                               so a reloaded page gets it again without storing it
 *   GET    /api/v1/tokens       the caller's API tokens (never the secret)
 *   POST   /api/v1/tokens       {"name","expires_at"?} → the secret, shown once
 *   DELETE /api/v1/tokens/{id}  revoke
 */
#include <string.h>

#include "crm/records/auth.h"
#include "crm/records/user.h"
#include "api.h"

/* Strict small bodies: named string members, nothing else. */
static int string_members(json_t *body, const char *const *names, const char **out, int nreq,
			  struct err *e)
{
	const char *key;
	json_t *v;
	int i, n;

	for (n = 0; names[n]; n++)
		out[n] = NULL;
	json_object_foreach(body, key, v) {
		for (i = 0; i < n && strcmp(names[i], key); i++)
			;
		if (i == n) {
			err_field(e, key, "is not a field of this request");
			continue;
		}
		if (json_is_null(v) && i >= nreq)
			continue;
		if (!json_is_string(v)) {
			err_field(e, key, "must be a string");
			continue;
		}
		out[i] = json_string_value(v);
	}
	for (i = 0; i < nreq; i++)
		if (!out[i])
			err_field(e, names[i], "is required");
	return e->nfields ? E_INVAL : OK;
}

static void write_me(struct req *rq, struct jw *w, long long user_id, struct err *e, int *rc)
{
	struct record u;

	*rc = record_get(rq->st, NULL, &user_resource, user_id, &u, e);
	if (*rc)
		return;
	record_json(&u, w);
	record_release(&u);
}

void api_login(struct req *rq, struct resp *rs)
{
	static const char *const names[] = {"email", "password", NULL};
	const char *v[2];
	struct login lg;
	struct jw w;
	struct err e;
	json_t *body = api_body(rq, rs);
	int rc;

	if (!body)
		return;
	err_clear(&e);
	rc = string_members(body, names, v, 2, &e);
	if (!rc)
		rc = auth_login(rq->st, v[0], v[1], rq->ip, &lg, &e);
	json_decref(body);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_json(rs, 200, &w);
	jw_obj(&w);
	jw_kstr(&w, "token", lg.token);
	jw_kstr(&w, "csrf_token", lg.csrf);
	jw_kstr(&w, "expires_at", lg.expires_at);
	jw_key(&w, "user");
	write_me(rq, &w, lg.user_id, &e, &rc);
	jw_obj_end(&w);
	sodium_memzero(&lg.csrf, sizeof(lg.csrf));
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_set_header(rs, "Set-Cookie",
		       "funnel_session=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
		       lg.token, AUTH_SESSION_SECONDS, rq->secure ? "; Secure" : "");
	sodium_memzero(&lg.token, sizeof(lg.token));
}

void api_logout(struct req *rq, struct resp *rs)
{
	struct err e;
	int rc;

	err_clear(&e);
	if (rq->p->session_id) {
		rc = auth_logout(rq->st, rq->p->session_id, &e);
		if (rc) {
			api_problem(rs, rc, &e);
			return;
		}
	}
	rs->status = 204;
	api_set_header(rs, "Set-Cookie",
		       "funnel_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

void api_me(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	int rc;

	struct record u;

	err_clear(&e);
	rc = record_get(rq->st, NULL, &user_resource, rq->p->user_id, &u, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_json(rs, 200, &w);
	jw_obj(&w);
	record_json_members(&u, &w);
	/* a browser keeps the CSRF token in memory only; after a reload it asks
	 * again here.  Other sites cannot read this answer (same-origin policy, and
	 * the cookie is SameSite=Strict). */
	if (rq->p->via_cookie && rq->p->csrf[0])
		jw_kstr(&w, "csrf_token", rq->p->csrf);
	jw_obj_end(&w);
	record_release(&u);
}

void api_token_list(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	api_data(rs, &w);
	rc = token_list(rq->st, rq->p, &w, &e);
	api_data_end(rs, &w, rc, &e);
}

void api_token_create(struct req *rq, struct resp *rs)
{
	static const char *const names[] = {"name", "expires_at", NULL};
	const char *v[2];
	char plain[AUTH_TOKEN_LEN], iso[TIME_ISO_LEN];
	long long id;
	time_t t;
	struct jw w;
	struct err e;
	json_t *body = api_body(rq, rs);
	int rc;

	if (!body)
		return;
	err_clear(&e);
	rc = string_members(body, names, v, 1, &e);
	if (!rc && (!*v[0] || strlen(v[0]) > 100))
		rc = err_field(&e, "name", "must be 1 to 100 characters");
	if (!rc && v[1]) {
		if (time_parse_iso(v[1], &t))
			rc = err_field(&e, "expires_at", "must be a date-time with a zone");
		else if (t <= time_now())
			rc = err_field(&e, "expires_at", "must be in the future");
		else
			time_iso(t, iso);
	}
	if (!rc)
		rc = token_create(rq->st, rq->p, v[0], v[1] ? iso : NULL, &id, plain, &e);
	if (rc) {
		json_decref(body);
		api_problem(rs, rc, &e);
		return;
	}
	api_json(rs, 201, &w);
	jw_obj(&w);
	jw_kint(&w, "id", id);
	jw_kstr(&w, "name", v[0]);
	jw_kstr(&w, "token", plain);
	jw_kstr(&w, "expires_at", v[1] ? iso : NULL);
	jw_obj_end(&w);
	json_decref(body);
	sodium_memzero(plain, sizeof(plain));
	api_set_header(rs, "Location", "/api/v1/tokens/%lld", id);
}

void api_token_revoke(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID, &a))
		return;
	if (!api_done(rs, &a, token_revoke(rq->st, rq->p, a.id, &a.e)))
		rs->status = 204;
}
