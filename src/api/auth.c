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

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const struct api_prop p_login[] = {
	DOC_PROP("email", FT_EMAIL, DOC_REQ, 254, "Login e-mail (case-insensitive)"),
	DOC_PROP("password", FT_TEXT, DOC_REQ, 1024, "Password"),
};
static const struct api_prop p_session[] = {
	DOC_PROP(
		"token", FT_TEXT, DOC_REQ, 0,
		"Session token: send it as Authorization: Bearer, or let the funnel_session cookie "
		"carry it"),
	DOC_PROP("csrf_token", FT_TEXT, DOC_REQ, 0,
		 "Send as X-CSRF-Token on writes authenticated by the cookie alone"),
	DOC_PROP("expires_at", FT_TIME, DOC_REQ, 0, "When the session ends"),
	DOC_SUB("user", "User", DOC_REQ, "The signed-in user"),
};
static const struct api_prop p_token_create[] = {
	DOC_PROP("name", FT_TEXT, DOC_REQ, 100, "What the token is for"),
	DOC_PROP("expires_at", FT_TIME, 0, 0, "When it stops working (in the future); null: never"),
};
static const struct api_prop p_token_created[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "Token id"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 100, "What the token is for"),
	DOC_PROP("token", FT_TEXT, DOC_REQ, 0,
		 "The secret, shown this once: send it as Authorization: Bearer"),
	DOC_PROP("expires_at", FT_TIME, DOC_REQ | DOC_NULL, 0,
		 "When it stops working; null: never"),
};
static const struct api_prop p_token[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "Token id"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 100, "What the token is for"),
	DOC_PROP("prefix", FT_TEXT, DOC_REQ, 0,
		 "The first characters of the secret, to recognise it"),
	DOC_PROP("created_at", FT_TIME, DOC_REQ, 0, "When it was made"),
	DOC_PROP("expires_at", FT_TIME, DOC_REQ | DOC_NULL, 0,
		 "When it stops working; null: never"),
	DOC_PROP("last_used_at", FT_TIME, DOC_REQ | DOC_NULL, 0, "Last request it authenticated"),
	DOC_PROP("revoked_at", FT_TIME, DOC_REQ | DOC_NULL, 0,
		 "When it was revoked; null: it works"),
};
static const struct api_prop p_token_list[] = {
	DOC_SUB("data", "Token[]", DOC_REQ, "The caller's tokens, oldest first"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("Login", 1, "Credentials", p_login),
	DOC_SCHEMA("Session", 0, "A new session", p_session),
	DOC_SCHEMA("TokenCreate", 1, "A new API token", p_token_create),
	DOC_SCHEMA("TokenCreated", 0, "A new API token and its secret", p_token_created),
	DOC_SCHEMA("Token", 0, "An API token (never its secret)", p_token),
	DOC_SCHEMA("TokenList", 0, "API tokens", p_token_list),
};

static const struct api_op doc_ops[] = {
	{api_login, "login", "auth", "Sign in",
	 "Checks e-mail and password and opens a session (12 hours).  The answer carries the "
	 "session token (for Authorization: Bearer) and a CSRF token; the session is also set "
	 "as the cookie funnel_session (HttpOnly, SameSite=Strict).  A wrong e-mail and a wrong "
	 "password get the same 401.  Repeated failures per e-mail and per client address lock "
	 "login for a growing time: 429 with Retry-After.",
	 "Login", 200, "Session", "Set-Cookie", "401 429"},
	{api_logout, "logout", "auth", "Sign out",
	 "Ends the session the request came with and clears the cookie.  With an API token it "
	 "does nothing (revoke the token instead).",
	 NULL, 204, NULL, "Set-Cookie", NULL},
	{api_me, "me", "auth", "The signed-in user",
	 "The caller's user record.  With the session cookie it also carries csrf_token, the "
	 "session's CSRF token, so a web page that keeps it in memory only can ask again after a "
	 "reload.",
	 NULL, 200, "User", NULL, NULL},
	{api_token_list, "list_tokens", "auth", "The caller's API tokens", "Never their secrets.",
	 NULL, 200, "TokenList", NULL, NULL},
	{api_token_create, "create_token", "auth", "Make an API token",
	 "For scripts and integrations: the secret is in the answer once and never again.  It "
	 "acts as its user, with the user's role and visibility.",
	 "TokenCreate", 201, "TokenCreated", "Location", NULL},
	{api_token_revoke, "revoke_token", "auth", "Revoke an API token",
	 "One of the caller's own tokens; it stops working at once.", NULL, 204, NULL, NULL, NULL},
};

const struct api_doc api_doc_auth = {
	"auth",      "Sign in and out, who am I, API tokens",
	doc_ops,     DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
