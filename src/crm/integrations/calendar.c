/*
 * calendar.c — the calendar feed (calendar.h): its token, and the feed
 * written by the meetings' iCalendar writer (meetings.h, imip.c).
 */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "crm/meetings/meetings.h"
#include "crm/records/auth.h"
#include "crm/records/resources.h"

#define TOKEN_PREFIX "fnc_"

int calendar_feed_create(struct store *st, const struct principal *p, struct jw *w, struct err *e)
{
	char token[AUTH_TOKEN_LEN], hash[65], prefix[12], now[TIME_ISO_LEN];
	int rc;

	if (!p->user_id)
		return fail(e, E_FORBIDDEN, "a calendar feed belongs to a user");
	auth_secret_new(TOKEN_PREFIX, token);
	auth_secret_hash(token, hash);
	snprintf(prefix, sizeof(prefix), "%.10s", token);
	time_iso(time_now(), now);
	rc = store_run(st, e,
		       "INSERT INTO calendar_feeds (user_id, token_hash, prefix, created_at) "
		       "VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
		       "token_hash = excluded.token_hash, prefix = excluded.prefix, "
		       "created_at = excluded.created_at, last_polled_at = NULL",
		       "ittt", p->user_id, hash, prefix, now);
	if (!rc) {
		char url[800];

		snprintf(url, sizeof(url), "%s/cal/%s.ics", meetings_public_url(), token);
		jw_obj(w);
		jw_kstr(w, "url", url);
		jw_kstr(w, "prefix", prefix);
		jw_kstr(w, "created_at", now);
		jw_obj_end(w);
	}
	sodium_memzero(token, sizeof(token));
	return rc;
}

int calendar_feed_json(struct store *st, const struct principal *p, struct jw *w, struct err *e)
{
	struct stmt *s = store_prepare(st,
				       "SELECT prefix, created_at, last_polled_at FROM "
				       "calendar_feeds WHERE user_id = ?",
				       e);
	int rc, found;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, p->user_id);
	rc = stmt_step(s, e);
	found = !rc && stmt_row(s);
	if (!rc) {
		jw_obj(w);
		jw_kbool(w, "active", found);
		jw_kstr(w, "prefix", found ? stmt_text(s, 0) : NULL);
		jw_kstr(w, "created_at", found ? stmt_text(s, 1) : NULL);
		jw_kstr(w, "last_polled_at", found ? stmt_text(s, 2) : NULL);
		jw_obj_end(w);
	}
	stmt_done(s);
	return rc;
}

int calendar_feed_revoke(struct store *st, const struct principal *p, struct err *e)
{
	int rc = store_run(st, e, "DELETE FROM calendar_feeds WHERE user_id = ?", "i", p->user_id);

	if (!rc && !store_changes(st))
		rc = fail(e, E_NOTFOUND, "there is no calendar feed to revoke");
	return rc;
}

/* --- the feed ------------------------------------------------------------- */

struct feed {
	struct store *st;
	struct ical_doc *doc;
	char host[256]; /* the right side of UIDs: the public URL's host */
	int n;
	int rc;
	struct err *e;
};

/* Is activity `id` a meeting's own (the meeting is in the feed as itself)? */
static int is_meeting_activity(struct store *st, long long id, struct err *e)
{
	long long one;
	int found = 0;

	store_int(st, &one, &found, e, "SELECT 1 FROM meetings WHERE activity_id = ?", "i", id);
	return found;
}

static int each_activity(const struct record *rec, void *ctx)
{
	struct feed *f = ctx;
	const char *type = record_text(rec, "type"), *rt = record_text(rec, "related_type");
	const char *done = record_text(rec, "done_at");
	struct ical_todo t;
	char uid[320], url[800], section[16];
	if (f->n >= CALENDAR_MAX_ITEMS)
		return 1;
	if (type && !strcmp(type, "meeting") && is_meeting_activity(f->st, rec->id, f->e))
		return 0;
	memset(&t, 0, sizeof(t));
	snprintf(uid, sizeof(uid), "funnel-activity-%lld@%s", rec->id, f->host);
	t.uid = uid;
	t.summary = record_text(rec, "subject");
	t.description = record_text(rec, "notes");
	t.categories = type;
	t.sequence = rec->version - 1;
	if (rt) {
		/* the UI's page of the record it is on: /accounts/7 */
		snprintf(section, sizeof(section), "%s",
			 !strcmp(rt, "opportunity") ? "opportunities"
			 : !strcmp(rt, "account")   ? "accounts"
			 : !strcmp(rt, "contact")   ? "contacts"
						    : "leads");
		snprintf(url, sizeof(url), "%s/%s/%lld", meetings_public_url(), section,
			 record_int(rec, "related_id"));
		t.url = url;
	}
	if (time_parse_iso(record_text(rec, "due_at"), &t.due) ||
	    time_parse_iso(rec->updated_at, &t.stamp) ||
	    (done && time_parse_iso(done, &t.completed)))
		return 0; /* the engine writes these; one it cannot read is left out */
	f->rc = ical_doc_add_todo(f->doc, &t, f->e);
	f->n++;
	return f->rc;
}

static int add_activities(struct feed *f, const struct principal *p, const char *since)
{
	char owner[24];
	struct kv kv[3];
	struct list_query q;
	char *next = NULL;
	int rc;

	snprintf(owner, sizeof(owner), "%lld", p->user_id);
	kv[0].k = "owner_id";
	kv[0].v = owner;
	kv[1].k = "due_at_from";
	kv[1].v = since;
	rc = list_query_parse(&activity_resource, kv, 2, &q, f->e);
	if (rc)
		return rc;
	q.limit = 0;
	rc = record_list(f->st, p, &activity_resource, &q, each_activity, f, &next, NULL, f->e);
	free(next);
	list_query_release(&q);
	return rc ? rc : f->rc;
}

static int add_meetings(struct feed *f, const struct principal *p, const char *since)
{
	struct stmt *s =
		store_prepare(f->st,
			      "SELECT id FROM meetings WHERE starts_at >= ?2 AND "
			      "(master_id = ?1 OR id IN (SELECT meeting_id FROM "
			      "meeting_invitees WHERE user_id = ?1)) ORDER BY starts_at, id "
			      "LIMIT ?3",
			      f->e);
	long long *ids = NULL;
	int rc, n = 0, cap = 0, i;
	char url[800];

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, p->user_id);
	stmt_bind_text(s, 2, since);
	stmt_bind_int(s, 3, CALENDAR_MAX_ITEMS);
	while (!(rc = stmt_step(s, f->e)) && stmt_row(s)) {
		if (n == cap) {
			long long *grown =
				realloc(ids, (size_t)(cap = cap ? cap * 2 : 64) * sizeof(*ids));

			if (!grown) {
				rc = fail(f->e, E_INTERNAL, "out of memory");
				break;
			}
			ids = grown;
		}
		ids[n++] = stmt_int(s, 0);
	}
	stmt_done(s);
	/* each through the record engine: a meeting on a deal the user does not
	 * see is not theirs to read, invited or not */
	for (i = 0; !rc && i < n && f->n < CALENDAR_MAX_ITEMS; i++) {
		struct record m;

		record_init(&m, &meeting_resource);
		rc = record_get(f->st, p, &meeting_resource, ids[i], &m, f->e);
		if (rc == E_NOTFOUND) {
			err_clear(f->e);
			rc = OK;
		} else if (!rc) {
			snprintf(url, sizeof(url), "%s/meetings/%lld/room", meetings_public_url(),
				 m.id);
			rc = meeting_ical_add(f->st, &m, f->doc, url, f->e);
			f->n++;
		}
		record_release(&m);
	}
	free(ids);
	return rc;
}

static void public_host(char *out, size_t n)
{
	const char *u = meetings_public_url(), *h = strstr(u, "://");
	size_t len;

	h = h ? h + 3 : u;
	len = strcspn(h, "/:");
	snprintf(out, n, "%.*s", (int)(len ? len : 6), len ? h : "funnel");
}

int calendar_feed_render(struct store *st, const char *token, struct buf *out, struct err *e)
{
	char hash[65], since[TIME_ISO_LEN], now[TIME_ISO_LEN], name[200];
	long long uid = 0;
	struct principal p;
	struct feed f;
	int rc, found = 0;

	memset(&p, 0, sizeof(p));
	if (strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) || strlen(token) >= AUTH_TOKEN_LEN)
		return fail(e, E_NOTFOUND, "no such calendar");
	auth_secret_hash(token, hash);
	rc = store_int(st, &uid, &found, e,
		       "SELECT user_id FROM calendar_feeds WHERE token_hash = ?", "t", hash);
	if (rc)
		return rc;
	if (!found || principal_load(st, uid, &p, e)) {
		principal_release(&p);
		err_clear(e);
		return fail(e, E_NOTFOUND, "no such calendar");
	}
	time_iso(time_now(), now);
	/* the last poll, for the settings page; written at most once a minute */
	rc = store_run(st, e,
		       "UPDATE calendar_feeds SET last_polled_at = ?1 WHERE user_id = ?2 AND "
		       "(last_polled_at IS NULL OR last_polled_at < strftime('%Y-%m-%dT%H:%M:%SZ', "
		       "?1, '-60 seconds'))",
		       "ti", now, uid);
	memset(&f, 0, sizeof(f));
	f.st = st;
	f.e = e;
	public_host(f.host, sizeof(f.host));
	snprintf(name, sizeof(name), "Funnel: %s", p.name);
	f.doc = rc ? NULL : ical_doc_new(NULL, name);
	if (!rc && !f.doc)
		rc = fail(e, E_INTERNAL, "out of memory");
	time_iso(time_now() - (time_t)CALENDAR_PAST_DAYS * 86400, since);
	if (!rc)
		rc = add_activities(&f, &p, since);
	if (!rc)
		rc = add_meetings(&f, &p, since);
	if (!rc) {
		rc = ical_doc_finish(f.doc, out, e);
		f.doc = NULL;
	}
	ical_doc_free(f.doc);
	principal_release(&p);
	return rc;
}
