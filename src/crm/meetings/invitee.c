/*
 * invitee.c — who is invited to a meeting, their personal links, the
 * invitations mailed to them and their answers (meetings.h).
 *
 * A link's token is 32 random bytes (base64url); only its SHA-256 is kept.
 * Each invitation mail carries a fresh one (the clear token is known only
 * while the mail is written), so an invitee's newest mail holds the link that
 * works; it expires an hour after the meeting's planned end.
 */
#include "meetings.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/email.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "crm/records/resources.h"

#define LINK_GRACE 3600 /* seconds a link outlives the meeting's planned end */

static char public_url[512] = "http://127.0.0.1:8080";

void meetings_set_public_url(const char *url)
{
	size_t n;

	snprintf(public_url, sizeof(public_url), "%s", url);
	n = strlen(public_url);
	while (n && public_url[n - 1] == '/')
		public_url[--n] = '\0';
}

const char *meetings_public_url(void)
{
	return public_url;
}

static void token_hash(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static void new_token(char token[MEETING_TOKEN_LEN], char hash[65])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, MEETING_TOKEN_LEN, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	token_hash(token, hash);
}

/* The meeting as p sees it (E_NOTFOUND otherwise); `open`: not ended or
 * cancelled, else E_CONFLICT. */
static int load_meeting(struct store *st, const struct principal *p, long long id, int open,
			struct record *m, struct err *e)
{
	const char *state;
	int rc = record_get(st, p, &meeting_resource, id, m, e);

	if (rc || !open)
		return rc;
	state = record_text(m, "state");
	if (!strcmp(state, "ended") || !strcmp(state, "cancelled"))
		return fail(e, E_CONFLICT, "the meeting is %s", state);
	return OK;
}

static void invitee_json(struct stmt *s, struct jw *w)
{
	jw_obj(w);
	jw_kint(w, "id", stmt_int(s, 0));
	jw_kstr(w, "kind", stmt_text(s, 1));
	jw_key(w, "contact_id");
	stmt_null(s, 2) ? jw_null(w) : jw_int(w, stmt_int(s, 2));
	jw_key(w, "user_id");
	stmt_null(s, 3) ? jw_null(w) : jw_int(w, stmt_int(s, 3));
	jw_kstr(w, "email", stmt_text(s, 4));
	jw_kstr(w, "name", stmt_text(s, 5));
	jw_kstr(w, "role", stmt_text(s, 6));
	jw_kstr(w, "rsvp", stmt_text(s, 7));
	jw_kstr(w, "rsvp_at", stmt_text(s, 8));
	jw_kstr(w, "mail", stmt_text(s, 9));
	jw_kstr(w, "mail_error", stmt_text(s, 10));
	jw_kbool(w, "has_link", !stmt_null(s, 11));
	jw_obj_end(w);
}

#define INVITEE_COLS                                                                            \
	"id, kind, contact_id, user_id, email, name, role, rsvp, rsvp_at, mail_state, mail_error, " \
	"join_token_hash"

int meeting_invitees_json(struct store *st, long long id, struct jw *w, struct err *e)
{
	struct stmt *s = store_prepare(
		st, "SELECT " INVITEE_COLS " FROM meeting_invitees WHERE meeting_id = ? ORDER BY id", e);
	int rc;

	if (!s)
		return e->code;
	stmt_bind_int(s, 1, id);
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s))
		invitee_json(s, w);
	jw_arr_end(w);
	stmt_done(s);
	return rc;
}

static int one_invitee_json(struct store *st, long long invitee, struct jw *w, struct err *e)
{
	struct stmt *s = store_prepare(st, "SELECT " INVITEE_COLS " FROM meeting_invitees WHERE id = ?",
				       e);
	int rc;

	if (!s)
		return e->code;
	stmt_bind_int(s, 1, invitee);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s))
		invitee_json(s, w);
	else if (!rc)
		rc = fail(e, E_NOTFOUND, "no such invitee");
	stmt_done(s);
	return rc;
}

/* An audit line on the meeting for what happened to one of its invitees. */
static int audit(struct store *st, const struct principal *p, long long meeting,
		 const char *what, const char *old, const char *new_, struct err *e)
{
	char now[TIME_ISO_LEN];

	time_iso(time_now(), now);
	return store_run(st, e,
			 "INSERT INTO history (resource, record_id, at, actor_id, action, field, old, "
			 "new) VALUES ('meetings', ?, ?, NULLIF(?, 0), 'update', ?, ?, ?)",
			 "itittt", meeting, now, p ? p->user_id : 0LL, what, old, new_);
}

static const char *member_text(json_t *body, const char *k, long max, const char *what,
			       struct err *e)
{
	json_t *v = json_object_get(body, k);
	long n;

	if (!v)
		return NULL;
	n = json_is_string(v) ? utf8_chars(json_string_value(v), 0) : -1;
	if (n < 1 || n > max) {
		err_field(e, k, "must be %s of 1 to %ld characters on one line", what, max);
		return NULL;
	}
	return json_string_value(v);
}

int meeting_invitee_add(struct store *st, const struct principal *p, long long id,
			json_t *body, struct jw *w, struct err *e)
{
	static const char *const members[] = {"contact_id", "user_id", "email", "name", "role"};
	struct record m;
	const char *k, *email = NULL, *name = NULL, *role = "attendee", *kind;
	json_t *v;
	long long contact = 0, user = 0, invitee = 0;
	char now[TIME_ISO_LEN], *cname = NULL, *cemail = NULL;
	int rc, i, known, given = 0, found, queued;

	record_init(&m, &meeting_resource);
	rc = load_meeting(st, p, id, 1, &m, e);
	if (rc)
		goto out;
	json_object_foreach(body, k, v) {
		for (i = 0, known = 0; i < 5; i++)
			known |= !strcmp(k, members[i]);
		if (!known)
			err_field(e, k, "is not a member of an invitee (contact_id, user_id, email, "
					"name, role)");
	}
	v = json_object_get(body, "contact_id");
	given += v != NULL;
	if (v && (!json_is_integer(v) || json_integer_value(v) < 1))
		err_field(e, "contact_id", "must be the id of a contact");
	contact = v ? json_integer_value(v) : 0;
	v = json_object_get(body, "user_id");
	given += v != NULL;
	if (v && (!json_is_integer(v) || json_integer_value(v) < 1))
		err_field(e, "user_id", "must be the id of a user");
	user = v ? json_integer_value(v) : 0;
	email = member_text(body, "email", 254, "an address", e);
	given += json_object_get(body, "email") != NULL;
	name = member_text(body, "name", 200, "a name", e);
	v = json_object_get(body, "role");
	if (v) {
		role = json_string_value(v);
		if (!role || (strcmp(role, "presenter") && strcmp(role, "attendee")))
			err_field(e, "role", "must be presenter or attendee");
		else if (!user)
			err_field(e, "role", "only a co-worker (user_id) presents");
	}
	if (given != 1)
		err_field(e, "contact_id", "give one of contact_id, user_id or email");
	if (email && !email_valid(email))
		err_field(e, "email", "must be an e-mail address such as ann@example.com");
	if (email && !name)
		err_field(e, "name", "is required with an e-mail address");
	if (e->nfields) {
		rc = E_INVAL;
		goto out;
	}
	if (contact) {
		struct stmt *s = store_prepare(st,
					       "SELECT email, trim(coalesce(first_name || ' ', '') || "
					       "last_name) FROM contacts WHERE id = ? AND account_id = ?",
					       e);

		if (!s) {
			rc = e->code;
			goto out;
		}
		stmt_bind_int(s, 1, contact);
		stmt_bind_int(s, 2, record_int(&m, "account_id"));
		rc = stmt_step(s, e);
		if (!rc && stmt_row(s)) {
			cemail = stmt_text(s, 0) ? strdup(stmt_text(s, 0)) : NULL;
			cname = strdup(stmt_text(s, 1));
		}
		stmt_done(s);
		if (!rc && !cname)
			rc = err_field(e, "contact_id", "is not a contact of the meeting's account");
		else if (!rc && (!cemail || !email_valid(cemail)))
			rc = err_field(e, "contact_id", "the contact has no valid e-mail address");
		if (rc)
			goto out;
		email = cemail;
		name = cname;
		kind = "contact";
	} else if (user) {
		struct stmt *s = store_prepare(st, "SELECT email, name FROM users WHERE id = ? AND "
						   "active = 1",
					       e);

		if (!s) {
			rc = e->code;
			goto out;
		}
		stmt_bind_int(s, 1, user);
		rc = stmt_step(s, e);
		if (!rc && stmt_row(s)) {
			cemail = strdup(stmt_text(s, 0));
			cname = strdup(stmt_text(s, 1));
		}
		stmt_done(s);
		if (!rc && !cname)
			rc = err_field(e, "user_id", "is not an active user");
		if (rc)
			goto out;
		email = cemail;
		name = cname;
		kind = "user";
	} else {
		kind = "email";
	}
	rc = store_int(st, &invitee, &found, e,
		       "SELECT id FROM meeting_invitees WHERE meeting_id = ? AND email = ?", "it", id,
		       email);
	if (!rc && found)
		rc = fail(e, E_CONFLICT, "%s is invited already", email);
	if (rc)
		goto out;
	rc = store_begin(st, e);
	if (rc)
		goto out;
	time_iso(time_now(), now);
	rc = store_run(st, e,
		       "INSERT INTO meeting_invitees (meeting_id, kind, contact_id, user_id, email, "
		       "name, role, created_at) VALUES (?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?)",
		       "itiitttt", id, kind, contact, user, email, name, role, now);
	if (!rc)
		invitee = store_last_id(st);
	if (!rc)
		rc = audit(st, p, id, "invitee", NULL, email, e);
	/* after the invitations went out, a newcomer gets theirs */
	if (!rc && record_text(&m, "invited_at"))
		rc = meeting_invite(st, p, id, 0, &queued, e);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
	if (!rc)
		rc = one_invitee_json(st, invitee, w, e);
out:
	free(cname);
	free(cemail);
	record_release(&m);
	return rc;
}

int meeting_invitee_update(struct store *st, const struct principal *p, long long id,
			   long long invitee, json_t *body, struct jw *w, struct err *e)
{
	struct record m;
	const char *k, *role;
	json_t *v;
	char old[16] = "";
	struct stmt *s;
	int rc, is_user = 0;

	record_init(&m, &meeting_resource);
	rc = load_meeting(st, p, id, 1, &m, e);
	if (rc)
		goto out;
	json_object_foreach(body, k, v)
		if (strcmp(k, "role"))
			err_field(e, k, "is not a member you can change (role)");
	role = json_string_value(json_object_get(body, "role"));
	if (!role || (strcmp(role, "presenter") && strcmp(role, "attendee")))
		err_field(e, "role", "must be presenter or attendee");
	if (e->nfields) {
		rc = E_INVAL;
		goto out;
	}
	s = store_prepare(st, "SELECT role, kind = 'user' FROM meeting_invitees WHERE id = ? AND "
			      "meeting_id = ?",
			  e);
	if (!s) {
		rc = e->code;
		goto out;
	}
	stmt_bind_int(s, 1, invitee);
	stmt_bind_int(s, 2, id);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		snprintf(old, sizeof(old), "%s", stmt_text(s, 0));
		is_user = (int)stmt_int(s, 1);
	}
	stmt_done(s);
	if (!rc && !*old)
		rc = fail(e, E_NOTFOUND, "no such invitee of this meeting");
	else if (!rc && !strcmp(old, "master"))
		rc = fail(e, E_CONFLICT, "the master's role changes with the meeting's master_id");
	else if (!rc && !is_user && !strcmp(role, "presenter"))
		rc = err_field(e, "role", "only a co-worker presents");
	if (rc || !strcmp(old, role))
		goto done;
	rc = store_begin(st, e);
	if (!rc)
		rc = store_run(st, e, "UPDATE meeting_invitees SET role = ? WHERE id = ?", "ti", role,
			       invitee);
	if (!rc)
		rc = audit(st, p, id, "invitee role", old, role, e);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
done:
	if (!rc)
		rc = one_invitee_json(st, invitee, w, e);
out:
	record_release(&m);
	return rc;
}

/* The meeting as the iMIP writer needs it; strings point into m. */
static int imip_of(struct store *st, const struct record *m, struct imip_meeting *im,
		   char *org_name, size_t nn, char *org_email, size_t ne, struct err *e)
{
	struct stmt *s;
	int rc;

	memset(im, 0, sizeof(*im));
	im->uid = record_text(m, "ical_uid");
	im->title = record_text(m, "title");
	im->description = record_text(m, "description");
	im->timezone = record_text(m, "timezone");
	im->sequence = record_int(m, "ical_sequence");
	im->duration_minutes = (int)record_int(m, "duration_minutes");
	im->cancelled = !strcmp(record_text(m, "state"), "cancelled");
	if (time_parse_iso(record_text(m, "starts_at"), &im->starts_at))
		return fail(e, E_INTERNAL, "the meeting's start is not a time");
	s = store_prepare(st, "SELECT name, email FROM users WHERE id = ?", e);
	if (!s)
		return e->code;
	stmt_bind_int(s, 1, record_int(m, "master_id"));
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		snprintf(org_name, nn, "%s", stmt_text(s, 0));
		snprintf(org_email, ne, "%s", stmt_text(s, 1));
	}
	stmt_done(s);
	im->organizer_name = org_name;
	im->organizer_email = org_email;
	return rc;
}

struct people {
	struct imip_attendee *a;
	long long *ids;
	int n;
};

static void people_release(struct people *pp)
{
	int i;

	for (i = 0; i < pp->n; i++) {
		free((char *)pp->a[i].name);
		free((char *)pp->a[i].email);
		free((char *)pp->a[i].rsvp);
	}
	free(pp->a);
	free(pp->ids);
	memset(pp, 0, sizeof(*pp));
}

static int people_of(struct store *st, long long id, const char *where, struct people *pp,
		     struct err *e)
{
	char sql[256];
	struct stmt *s;
	int rc, cap = 0;

	memset(pp, 0, sizeof(*pp));
	snprintf(sql, sizeof(sql),
		 "SELECT id, name, email, rsvp FROM meeting_invitees WHERE meeting_id = ? %s "
		 "ORDER BY id",
		 where);
	s = store_prepare(st, sql, e);
	if (!s)
		return e->code;
	stmt_bind_int(s, 1, id);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (pp->n == cap) {
			cap = cap ? cap * 2 : 16;
			pp->a = realloc(pp->a, (size_t)cap * sizeof(*pp->a));
			pp->ids = realloc(pp->ids, (size_t)cap * sizeof(*pp->ids));
			if (!pp->a || !pp->ids) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
		}
		pp->ids[pp->n] = stmt_int(s, 0);
		pp->a[pp->n].name = strdup(stmt_text(s, 1));
		pp->a[pp->n].email = strdup(stmt_text(s, 2));
		pp->a[pp->n].rsvp = strdup(stmt_text(s, 3));
		pp->n++;
	}
	stmt_done(s);
	return rc;
}

int meeting_ical_add(struct store *st, const struct record *m, struct ical_doc *d,
		     const char *link, struct err *e)
{
	struct imip_meeting im;
	struct people pp;
	char org_name[256] = "", org_email[256] = "";
	int rc;

	memset(&pp, 0, sizeof(pp));
	rc = imip_of(st, m, &im, org_name, sizeof(org_name), org_email, sizeof(org_email), e);
	if (!rc && time_parse_iso(m->updated_at, &im.stamp))
		im.stamp = 0;
	if (!rc)
		rc = people_of(st, m->id, "", &pp, e);
	if (!rc)
		rc = ical_doc_add_meeting(d, &im, pp.a, pp.n, link, e);
	people_release(&pp);
	return rc;
}

/* Write and queue the mail to attendee `k` of `all` (the iCalendar lists
 * them all); a REQUEST carries a fresh link. */
static int mail_one(struct store *st, const struct record *m, const struct imip_meeting *im,
		    const struct people *all, int k, struct err *e)
{
	char token[MEETING_TOKEN_LEN], hash[65], link[700], rsvp[760], expires[TIME_ISO_LEN];
	struct buf msg = BUF_INIT;
	int rc;

	if (!im->cancelled) {
		new_token(token, hash);
		time_iso(im->starts_at + (time_t)im->duration_minutes * 60 + LINK_GRACE, expires);
		snprintf(link, sizeof(link), "%s/m/%s", meetings_public_url(), token);
		snprintf(rsvp, sizeof(rsvp), "%s/api/v1/rsvp/%s", meetings_public_url(), token);
		rc = store_run(st, e,
			       "UPDATE meeting_invitees SET join_token_hash = ?, join_expires_at = ? "
			       "WHERE id = ?",
			       "tti", hash, expires, all->ids[k]);
		if (rc)
			return rc;
	}
	rc = imip_message(im, all->a, all->n, k, mail_from(), im->cancelled ? NULL : link,
			  im->cancelled ? NULL : rsvp, &msg, e);
	if (!rc)
		rc = mail_queue(st, m->id, all->ids[k], all->a[k].email,
				im->cancelled ? "Cancelled" : "Invitation",
				im->cancelled ? "CANCEL" : "REQUEST", msg.data, e);
	if (!rc)
		rc = store_run(st, e,
			       "UPDATE meeting_invitees SET mail_state = 'queued', mail_error = NULL "
			       "WHERE id = ?",
			       "i", all->ids[k]);
	sodium_memzero(token, sizeof(token));
	buf_release(&msg);
	return rc;
}

int meeting_invite(struct store *st, const struct principal *p, long long id, int all,
		   int *queued, struct err *e)
{
	struct record m;
	struct imip_meeting im;
	struct people pp;
	char org_name[256] = "", org_email[256] = "", now[TIME_ISO_LEN];
	int rc, k, cancelled;

	*queued = 0;
	memset(&pp, 0, sizeof(pp));
	record_init(&m, &meeting_resource);
	rc = record_get(st, p, &meeting_resource, id, &m, e);
	if (rc)
		goto out;
	cancelled = !strcmp(record_text(&m, "state"), "cancelled");
	if (!strcmp(record_text(&m, "state"), "ended") || (cancelled && !all)) {
		rc = fail(e, E_CONFLICT, "the meeting is %s", record_text(&m, "state"));
		goto out;
	}
	rc = store_begin(st, e);
	if (rc)
		goto out;
	time_iso(time_now(), now);
	/* a REQUEST to everyone again is a new version of the event */
	if (all && record_text(&m, "invited_at"))
		rc = store_run(st, e,
			       "UPDATE meetings SET ical_sequence = ical_sequence + 1 WHERE id = ?",
			       "i", id);
	if (!rc && !record_text(&m, "invited_at"))
		rc = store_run(st, e, "UPDATE meetings SET invited_at = ? WHERE id = ?", "ti", now, id);
	if (!rc) {
		record_release(&m);
		record_init(&m, &meeting_resource);
		rc = record_get(st, NULL, &meeting_resource, id, &m, e);
	}
	if (!rc)
		rc = imip_of(st, &m, &im, org_name, sizeof(org_name), org_email, sizeof(org_email), e);
	if (!rc)
		rc = people_of(st, id, "", &pp, e);
	for (k = 0; !rc && k < pp.n; k++) {
		if (!all) {
			long long one;
			int found;

			rc = store_int(st, &one, &found, e,
				       "SELECT 1 FROM meeting_invitees WHERE id = ? AND mail_state = "
				       "'none'",
				       "i", pp.ids[k]);
			if (rc || !found)
				continue;
		}
		rc = mail_one(st, &m, &im, &pp, k, e);
		if (!rc)
			(*queued)++;
	}
	if (!rc)
		rc = audit(st, p, id, cancelled ? "cancellation mailed" : "invitation mailed", NULL,
			   NULL, e);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
out:
	people_release(&pp);
	record_release(&m);
	return rc;
}

int meeting_invitee_remove(struct store *st, const struct principal *p, long long id,
			   long long invitee, struct err *e)
{
	struct record m;
	struct imip_meeting im;
	struct people one;
	char org_name[256] = "", org_email[256] = "", role[16] = "", mail[16] = "";
	struct stmt *s;
	int rc;

	memset(&one, 0, sizeof(one));
	record_init(&m, &meeting_resource);
	rc = load_meeting(st, p, id, 1, &m, e);
	if (rc)
		goto out;
	s = store_prepare(st, "SELECT role, mail_state FROM meeting_invitees WHERE id = ? AND "
			      "meeting_id = ?",
			  e);
	if (!s) {
		rc = e->code;
		goto out;
	}
	stmt_bind_int(s, 1, invitee);
	stmt_bind_int(s, 2, id);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		snprintf(role, sizeof(role), "%s", stmt_text(s, 0));
		snprintf(mail, sizeof(mail), "%s", stmt_text(s, 1));
	}
	stmt_done(s);
	if (!rc && !*role)
		rc = fail(e, E_NOTFOUND, "no such invitee of this meeting");
	else if (!rc && !strcmp(role, "master"))
		rc = fail(e, E_CONFLICT, "the master stays; change the meeting's master_id");
	if (rc)
		goto out;
	rc = store_begin(st, e);
	if (rc)
		goto out;
	/* who was mailed an invitation is mailed that they are no longer expected */
	if (strcmp(mail, "none")) {
		char where[64];

		snprintf(where, sizeof(where), "AND id = %lld", invitee);
		rc = imip_of(st, &m, &im, org_name, sizeof(org_name), org_email, sizeof(org_email), e);
		if (!rc)
			rc = people_of(st, id, where, &one, e);
		im.cancelled = 1;
		if (!rc && one.n == 1)
			rc = mail_one(st, &m, &im, &one, 0, e);
	}
	if (!rc)
		rc = store_run(st, e, "DELETE FROM meeting_invitees WHERE id = ?", "i", invitee);
	if (!rc)
		rc = audit(st, p, id, "invitee", one.n ? one.a[0].email : NULL, NULL, e);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
out:
	people_release(&one);
	record_release(&m);
	return rc;
}

/* --- answers ---------------------------------------------------------------- */

/* The invitee and meeting behind a link token that is still valid. */
static int by_token(struct store *st, const char *token, long long *invitee,
		    long long *meeting, struct err *e)
{
	char hash[65], now[TIME_ISO_LEN];
	struct stmt *s;
	int rc;

	*invitee = *meeting = 0;
	if (strlen(token) != MEETING_TOKEN_LEN - 1)
		return fail(e, E_NOTFOUND, "no such link");
	token_hash(token, hash);
	time_iso(time_now(), now);
	s = store_prepare(st, "SELECT id, meeting_id FROM meeting_invitees WHERE join_token_hash = ? "
			      "AND join_expires_at > ?",
			  e);
	if (!s)
		return e->code;
	stmt_bind_text(s, 1, hash);
	stmt_bind_text(s, 2, now);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		*invitee = stmt_int(s, 0);
		*meeting = stmt_int(s, 1);
	}
	stmt_done(s);
	if (!rc && !*invitee)
		rc = fail(e, E_NOTFOUND, "no such link");
	return rc;
}

static int set_rsvp(struct store *st, long long invitee, long long meeting, const char *answer,
		    struct err *e)
{
	char now[TIME_ISO_LEN], old[16] = "", what[64];
	struct stmt *s;
	int rc;

	s = store_prepare(st, "SELECT rsvp FROM meeting_invitees WHERE id = ?", e);
	if (!s)
		return e->code;
	stmt_bind_int(s, 1, invitee);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s))
		snprintf(old, sizeof(old), "%s", stmt_text(s, 0));
	stmt_done(s);
	if (rc || !strcmp(old, answer))
		return rc;
	time_iso(time_now(), now);
	rc = store_begin(st, e);
	if (!rc)
		rc = store_run(st, e,
			       "UPDATE meeting_invitees SET rsvp = ?, rsvp_at = ? WHERE id = ?", "tti",
			       answer, now, invitee);
	snprintf(what, sizeof(what), "rsvp of invitee %lld", invitee);
	if (!rc)
		rc = audit(st, NULL, meeting, what, old, answer, e);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
	return rc;
}

static int answer_ok(const char *a)
{
	return a && (!strcmp(a, "accepted") || !strcmp(a, "declined") || !strcmp(a, "tentative"));
}

int meeting_link_json(struct store *st, const char *token, struct jw *w, struct err *e)
{
	long long invitee, meeting;
	struct stmt *s;
	int rc = by_token(st, token, &invitee, &meeting, e);

	if (rc)
		return rc;
	s = store_prepare(st,
			  "SELECT m.title, m.starts_at, m.duration_minutes, m.timezone, m.state, "
			  "i.name, i.rsvp, u.name FROM meeting_invitees i JOIN meetings m ON m.id = "
			  "i.meeting_id JOIN users u ON u.id = m.master_id WHERE i.id = ?",
			  e);
	if (!s)
		return e->code;
	stmt_bind_int(s, 1, invitee);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		jw_obj(w);
		jw_kstr(w, "title", stmt_text(s, 0));
		jw_kstr(w, "starts_at", stmt_text(s, 1));
		jw_kint(w, "duration_minutes", stmt_int(s, 2));
		jw_kstr(w, "timezone", stmt_text(s, 3));
		jw_kstr(w, "state", stmt_text(s, 4));
		jw_kstr(w, "name", stmt_text(s, 5));
		jw_kstr(w, "rsvp", stmt_text(s, 6));
		jw_kstr(w, "host", stmt_text(s, 7));
		jw_obj_end(w);
	} else if (!rc) {
		rc = fail(e, E_NOTFOUND, "no such link");
	}
	stmt_done(s);
	return rc;
}

int meeting_rsvp(struct store *st, const char *token, const char *answer, struct jw *w,
		 struct err *e)
{
	long long invitee, meeting;
	int rc = by_token(st, token, &invitee, &meeting, e);

	if (rc)
		return rc;
	if (!answer_ok(answer))
		return err_field(e, "answer", "must be accepted, declined or tentative");
	rc = set_rsvp(st, invitee, meeting, answer, e);
	return rc ? rc : meeting_link_json(st, token, w, e);
}

int meeting_imip_reply(struct store *st, const struct principal *p, const char *ical, size_t n,
		       struct jw *w, struct err *e)
{
	struct imip_reply r;
	long long meeting = 0, invitee = 0;
	int rc, found;

	rc = imip_parse_reply(ical, n, &r, e);
	if (rc)
		return rc;
	rc = store_int(st, &meeting, &found, e,
		       "SELECT id FROM meetings WHERE ical_uid = ? AND state <> 'cancelled'", "t",
		       r.uid);
	if (!rc && found && record_visible(st, p, &meeting_resource, meeting, e))
		found = 0, err_clear(e);
	if (!rc && found)
		rc = store_int(st, &invitee, &found, e,
			       "SELECT id FROM meeting_invitees WHERE meeting_id = ? AND email = ?",
			       "it", meeting, r.email);
	if (!rc && !found)
		rc = fail(e, E_NOTFOUND, "no such meeting or invitee");
	if (!rc)
		rc = set_rsvp(st, invitee, meeting, r.answer, e);
	if (!rc) {
		jw_obj(w);
		jw_kint(w, "meeting_id", meeting);
		jw_kint(w, "invitee_id", invitee);
		jw_kstr(w, "rsvp", r.answer);
		jw_obj_end(w);
	}
	return rc;
}
