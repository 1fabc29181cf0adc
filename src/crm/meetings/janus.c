/*
 * janus.c — the Janus client (janus.h): signed tokens, and VideoRoom
 * requests over the HTTP transport (core/httpc.h, libcurl).
 */
#include "janus.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/httpc.h"
#include "core/json.h"

static struct janus_conf conf;

void janus_configure(const struct janus_conf *c)
{
	conf = *c;
	httpc_init();
}

const struct janus_conf *janus_config(void)
{
	return &conf;
}

/* " scheme://host:port" of url appended to out */
static void origin(const char *url, char *out, size_t n)
{
	const char *p = url ? strstr(url, "://") : NULL;
	size_t len, used = strlen(out);

	if (!p || strpbrk(url, " ;,'\"\r\n"))
		return;
	len = (size_t)(p + 3 - url) + strcspn(p + 3, "/?#");
	if (used + len + 2 > n)
		return;
	out[used] = ' ';
	memcpy(out + used + 1, url, len);
	out[used + 1 + len] = '\0';
}

void janus_connect_src(char *out, size_t n)
{
	out[0] = '\0';
	origin(conf.url, out, n);
	if (conf.ws_url && (!conf.url || strcmp(conf.ws_url, conf.url)))
		origin(conf.ws_url, out, n);
}

long long janus_feed_id(long long invitee_id, int kind)
{
	return invitee_id * 10 + kind;
}

long long janus_feed_invitee(long long feed_id)
{
	return feed_id / 10;
}

/* base64 of HMAC-SHA1(secret, data), as Janus's auth.c checks it */
static void sign_part(const char *secret, const char *data, size_t len, char out[64])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)data, len, mac, &n);
	EVP_EncodeBlock((unsigned char *)out, mac, (int)n);
}

int janus_sign(const char *secret, long long expiry, long long room, long long p, char *out,
	       size_t n)
{
	char data[256], sig[64];
	int len;

	len = snprintf(data, sizeof(data), "%lld,janus,janus.plugin.videoroom,janus.plugin.textroom",
		       expiry);
	if (room > 0)
		len += snprintf(data + len, sizeof(data) - (size_t)len, ",room=%lld", room);
	if (p > 0)
		len += snprintf(data + len, sizeof(data) - (size_t)len, ",p=%lld", p);
	sign_part(secret, data, (size_t)len, sig);
	return snprintf(out, n, "%s:%s", data, sig) < (int)n ? 0 : -1;
}

int janus_sign_room(const char *secret, long long expiry, long long room, long long p, char *out,
		    size_t n)
{
	char data[256], sig[64];
	int len;

	len = snprintf(data, sizeof(data), "%lld,janus.plugin.videoroom", expiry);
	if (room > 0)
		len += snprintf(data + len, sizeof(data) - (size_t)len, ",room=%lld", room);
	if (p > 0)
		len += snprintf(data + len, sizeof(data) - (size_t)len, ",p=%lld", p);
	sign_part(secret, data, (size_t)len, sig);
	return snprintf(out, n, "%s:%s", data, sig) < (int)n ? 0 : -1;
}

int janus_verify(const char *secret, const char *token, long long now, long long *room,
		 long long *p)
{
	const char *colon, *s;
	char sig[64];
	size_t len;

	*room = *p = 0;
	if (!secret || !token || !(colon = strchr(token, ':')))
		return 0;
	len = (size_t)(colon - token);
	if (len >= 256 || strlen(colon + 1) != 28)
		return 0;
	sign_part(secret, token, len, sig);
	if (sodium_memcmp(sig, colon + 1, 28))
		return 0;
	if (strtoll(token, NULL, 10) < now)
		return 0;
	/* signed by us, so the fields are ours: ",room=N" and ",p=N" */
	for (s = token; s < colon; s++) {
		if (*s != ',')
			continue;
		if (!strncmp(s, ",room=", 6))
			*room = strtoll(s + 6, NULL, 10);
		else if (!strncmp(s, ",p=", 3))
			*p = strtoll(s + 3, NULL, 10);
	}
	return 1;
}

void janus_room_secret(long long meeting_id, char out[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char msg[64];
	crypto_auth_hmacsha256_state st;
	const char *key = conf.admin_key ? conf.admin_key : "";

	snprintf(msg, sizeof(msg), "funnel-room-%lld", meeting_id);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

/* POST `msg` (given "transaction" here, and "token" for the Janus API or
 * "admin_secret" for its admin API) to base + path; *out gets the parsed
 * answer. */
static int request(const char *base, const char *path, json_t *msg, json_t **out,
		   struct err *e)
{
	char url[1024], token[512], tx[32];
	unsigned char raw[8];
	struct httpc_result r;
	char *text;
	int rc = OK;

	*out = NULL;
	if (!base)
		return fail(e, E_UNAVAILABLE, "live rooms need Janus (funnel serve --janus URL)");
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(tx, sizeof(tx), raw, sizeof(raw));
	json_object_set_new(msg, "transaction", json_string(tx));
	if (base == conf.admin_url) {
		json_object_set_new(msg, "admin_secret", json_string(conf.admin_secret ?: ""));
	} else {
		janus_sign(conf.token_secret ? conf.token_secret : "", (long long)time(NULL) + 60,
			   0, 0, token, sizeof(token));
		json_object_set_new(msg, "token", json_string(token));
	}
	text = json_dumps(msg, JSON_COMPACT);
	if (!text)
		return fail(e, E_INTERNAL, "out of memory");
	snprintf(url, sizeof(url), "%s%s", base, path);
	if (httpc_post(url, NULL, text, strlen(text), 10000, 1 << 20, &r) || r.status != 200) {
		rc = fail(e, E_UNAVAILABLE, "Janus does not answer at %s (%s, HTTP %ld)", base,
			  r.error, r.status);
		goto out;
	}
	if (json_parse(r.body.data, r.body.len, out, NULL) || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = fail(e, E_INTERNAL, "Janus answered something that is not JSON");
		goto out;
	}
	if (!strcmp(json_string_value(json_object_get(*out, "janus")) ?: "", "error")) {
		rc = fail(e, E_UNAVAILABLE, "Janus refused the request: %s",
			  json_string_value(json_object_get(json_object_get(*out, "error"),
							    "reason")) ?: "?");
		json_decref(*out);
		*out = NULL;
	}
out:
	httpc_result_release(&r);
	free(text);
	return rc;
}

static int post(const char *path, json_t *msg, json_t **out, struct err *e)
{
	return request(conf.url, path, msg, out, e);
}

static long long data_id(json_t *ans)
{
	return json_integer_value(json_object_get(json_object_get(ans, "data"), "id"));
}

int janus_plugin_request(const char *plugin, json_t *body, json_t **out, struct err *e)
{
	json_t *msg, *ans = NULL, *data;
	char path[128];
	long long session = 0, handle;
	const char *err_text;
	int rc;

	*out = NULL;
	msg = json_pack("{s:s}", "janus", "create");
	rc = post("", msg, &ans, e);
	json_decref(msg);
	if (rc)
		return rc;
	session = data_id(ans);
	json_decref(ans);
	snprintf(path, sizeof(path), "/%lld", session);
	msg = json_pack("{s:s,s:s,s:s}", "janus", "attach", "plugin", plugin, "opaque_id",
			"funnel");
	rc = post(path, msg, &ans, e);
	json_decref(msg);
	if (rc)
		goto out;
	handle = data_id(ans);
	json_decref(ans);
	snprintf(path, sizeof(path), "/%lld/%lld", session, handle);
	msg = json_pack("{s:s,s:O}", "janus", "message", "body", body);
	rc = post(path, msg, &ans, e);
	json_decref(msg);
	if (rc)
		goto out;
	data = json_object_get(json_object_get(ans, "plugindata"), "data");
	if (!json_is_object(data)) {
		rc = fail(e, E_INTERNAL, "Janus's %s answered without data", plugin);
	} else if ((err_text = json_string_value(json_object_get(data, "error")))) {
		rc = fail(e, E_CONFLICT, "Janus: %s", err_text);
	} else {
		*out = json_incref(data);
	}
	json_decref(ans);
out:
	snprintf(path, sizeof(path), "/%lld", session);
	msg = json_pack("{s:s}", "janus", "destroy");
	if (!post(path, msg, &ans, NULL))
		json_decref(ans);
	json_decref(msg);
	return rc;
}

static int videoroom(json_t *body, json_t **out, struct err *e)
{
	json_t *ans = NULL;
	int rc = janus_plugin_request("janus.plugin.videoroom", body, &ans, e);

	json_decref(body);
	if (out)
		*out = ans;
	else
		json_decref(ans);
	return rc;
}

int janus_room_create(long long meeting_id, const char *description, json_t *allowed,
		      long long *room, struct err *e)
{
	char secret[65];
	json_t *ans = NULL;
	int rc;

	janus_room_secret(meeting_id, secret);
	rc = videoroom(json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:i,s:O,s:b,s:b,s:s,s:s}", "request",
				 "create", "admin_key", conf.admin_key ? conf.admin_key : "",
				 "description", description, "secret", secret, "is_private", 1,
				 "signed_tokens", 1, "publishers", 20, "allowed", allowed,
				 "notify_joining", 1, "permanent", 0, "videocodec", "vp8",
				 "audiocodec", "opus"),
		       &ans, e);
	if (rc)
		return rc;
	*room = json_integer_value(json_object_get(ans, "room"));
	json_decref(ans);
	return *room > 0 ? OK : fail(e, E_INTERNAL, "Janus created a room without an id");
}

/* Janus's "no such room/feed" answers, which some callers do not mind */
static int gone(int rc, struct err *e)
{
	if (rc == E_CONFLICT && e && (strstr(e->msg, "No such") || strstr(e->msg, "no such"))) {
		err_clear(e);
		return OK;
	}
	return rc;
}

int janus_room_destroy(long long meeting_id, long long room, struct err *e)
{
	char secret[65];

	janus_room_secret(meeting_id, secret);
	return gone(videoroom(json_pack("{s:s,s:I,s:s}", "request", "destroy", "room",
					(json_int_t)room, "secret", secret),
			      NULL, e),
		    e);
}

int janus_room_allow(long long meeting_id, long long room, const char *token, int add,
		     struct err *e)
{
	char secret[65];

	janus_room_secret(meeting_id, secret);
	return videoroom(json_pack("{s:s,s:I,s:s,s:s,s:[s]}", "request", "allowed", "room",
				   (json_int_t)room, "secret", secret, "action",
				   add ? "add" : "remove", "allowed", token),
			 NULL, e);
}

int janus_room_kick(long long meeting_id, long long room, long long feed, struct err *e)
{
	char secret[65];

	janus_room_secret(meeting_id, secret);
	return gone(videoroom(json_pack("{s:s,s:I,s:s,s:I}", "request", "kick", "room",
					(json_int_t)room, "secret", secret, "id",
					(json_int_t)feed),
			      NULL, e),
		    e);
}

int janus_room_moderate(long long meeting_id, long long room, long long feed, const char *mid,
			int mute, struct err *e)
{
	char secret[65];

	janus_room_secret(meeting_id, secret);
	return videoroom(json_pack("{s:s,s:I,s:s,s:I,s:s,s:b}", "request", "moderate", "room",
				   (json_int_t)room, "secret", secret, "id", (json_int_t)feed,
				   "mid", mid, "mute", mute),
			 NULL, e);
}

int janus_room_participants(long long room, json_t **out, struct err *e)
{
	json_t *ans = NULL;
	int rc;

	*out = NULL;
	rc = videoroom(json_pack("{s:s,s:I}", "request", "listparticipants", "room",
				 (json_int_t)room),
		       &ans, e);
	if (rc)
		return rc;
	*out = json_incref(json_object_get(ans, "participants"));
	json_decref(ans);
	if (!*out)
		*out = json_array();
	return OK;
}

int janus_session_destroy(long long session, struct err *e)
{
	json_t *ans = NULL;
	int rc;

	if (!conf.admin_url)
		return OK;
	rc = request(conf.admin_url, "", json_pack("{s:s,s:I}", "janus", "destroy_session",
						   "session_id", (json_int_t)session),
		     &ans, e);
	json_decref(ans);
	/* a session that ended meanwhile is what was wanted */
	if (rc == E_UNAVAILABLE && e && strstr(e->msg, "No such session"))
		err_clear(e), rc = OK;
	return rc;
}
