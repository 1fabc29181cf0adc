/*
 * user.c — the people who use Funnel, and their quotas.
 *
 * Users are records like any other (record.h), readable by everyone signed in
 * and written by admins only.  The password is an input-only field: prepare()
 * hashes it into password_hash, which is never shown nor logged.  Disabling a
 * user (active = false) ends their sessions and revokes their tokens in the
 * same transaction.  Users are never deleted while records refer to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "auth.h"
#include "resources.h"
#include "user.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const char *const role_choices[] = {"admin", "manager", "rep", NULL};

static const struct field fields[] = {
	{"email", FT_EMAIL, FF_REQUIRED | FF_FILTER | FF_SEARCH | FF_SORT | FF_UNIQUE, 0, 254, NULL, NULL,
	 "Login e-mail (unique, case-insensitive)"},
	{"name", FT_TEXT, FF_REQUIRED | FF_SEARCH | FF_SORT, 0, 200, NULL, NULL, "Full name"},
	{"role", FT_ENUM, FF_REQUIRED | FF_FILTER, 0, 0, role_choices, NULL,
	 "admin (everything), manager (their team subtree) or rep (their own records)"},
	{"team_id", FT_REF, FF_FILTER, 0, 0, NULL, "teams", "Team; a manager manages it and "
							    "its sub-teams"},
	{"manager_id", FT_REF, FF_FILTER, 0, 0, NULL, "users", "Direct manager"},
	{"territory", FT_TEXT, FF_FILTER, 0, 100, NULL, NULL, "Sales territory"},
	{"industry", FT_TEXT, FF_FILTER, 0, 100, NULL, NULL, "Industry focus"},
	{"channel", FT_ENUM, FF_FILTER, 0, 0, channel_choices, NULL, "Sales channel"},
	{"active", FT_BOOL, FF_FILTER | FF_NOTNULL, 0, 0, NULL, NULL,
	 "false disables login and revokes tokens"},
	{"password", FT_TEXT, FF_VIRTUAL | FF_REQUIRED, 0, 1024, NULL, NULL,
	 "Write-only; at least 8 characters"},
	{"password_hash", FT_TEXT, FF_READONLY | FF_HIDDEN, 0, 0, NULL, NULL, "never shown"},
};

#define F(name) record_field(rec->res, name)

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	struct val *pw = &rec->v[F("password")], *active = &rec->v[F("active")];
	char hash[AUTH_HASH_LEN];
	int rc;

	if (old && active->set && !active->null && !active->i && old->id == p->user_id)
		return err_field(e, "active", "you cannot disable yourself");
	if (old && rec->v[F("role")].set && old->id == p->user_id && rec->v[F("role")].s &&
	    strcmp(rec->v[F("role")].s, "admin"))
		return err_field(e, "role", "you cannot take away your own admin role");
	if (pw->set && !pw->null) {
		rc = auth_hash_password(pw->s, hash, e);
		free(pw->s);
		pw->s = NULL;
		if (rc)
			return rc;
		record_set_text(rec, F("password_hash"), hash);
		sodium_memzero(hash, sizeof(hash));
	}
	return OK;
}

static int after_write(struct store *st, const struct principal *p, const struct record *old,
		       const struct record *rec, struct err *e)
{
	(void)p;
	if (old && !old->v[F("active")].null && old->v[F("active")].i &&
	    !rec->v[F("active")].null && !rec->v[F("active")].i)
		return auth_revoke_user(st, rec->id, e);
	if (old && rec->v[F("password_hash")].set)
		return auth_revoke_user(st, rec->id, e); /* a new password ends old sessions */
	return OK;
}

const struct resource user_resource = {
	.name = "users",
	.singular = "user",
	.doc = "People who use Funnel; admins manage them",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ALL,
	.write_role = ROLE_ADMIN,
	.prepare = prepare,
	.after_write = after_write,
};

/* --- quotas ------------------------------------------------------------- */

int quota_period_valid(const char *s)
{
	/* "2026-Q4" or "2026-11" */
	if (strlen(s) != 7 || s[4] != '-')
		return 0;
	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	if (s[5] == 'Q')
		return s[6] >= '1' && s[6] <= '4';
	return (s[5] == '0' && s[6] >= '1' && s[6] <= '9') ||
	       (s[5] == '1' && s[6] >= '0' && s[6] <= '2');
}

int quota_set(struct store *st, const struct principal *p, long long user_id,
	      const char *period, long long amount, const char *currency, struct err *e)
{
	struct stmt *s;
	char old[64] = "", now[TIME_ISO_LEN], val[64];
	struct buf b = BUF_INIT;
	int rc;

	if (!principal_is_admin(p) && !(principal_is_manager(p) &&
					 principal_sees_owner(p, user_id) && user_id != p->user_id))
		return fail(e, E_FORBIDDEN, "only admins, and managers for their team, set quotas");
	rc = record_visible(st, p, &user_resource, user_id, e);
	if (rc)
		return rc == E_NOTFOUND ? fail(e, E_NOTFOUND, "no user with id %lld", user_id) : rc;
	rc = store_begin(st, e);
	if (rc)
		return rc;
	s = store_prepare(st, "SELECT amount, currency FROM quotas WHERE user_id = ? AND period = ?",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_int(s, 1, user_id);
	stmt_bind_text(s, 2, period);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		money_format(&b, stmt_int(s, 0), money_digits(stmt_text(s, 1)));
		snprintf(old, sizeof(old), "%s %s", b.data, stmt_text(s, 1));
	}
	stmt_done(s);
	if (rc)
		goto fail;
	s = store_prepare(st,
			  "INSERT INTO quotas (user_id, period, amount, currency) VALUES (?, ?, ?, ?) "
			  "ON CONFLICT(user_id, period) DO UPDATE SET amount = excluded.amount, "
			  "currency = excluded.currency",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_int(s, 1, user_id);
	stmt_bind_text(s, 2, period);
	stmt_bind_int(s, 3, amount);
	stmt_bind_text(s, 4, currency);
	rc = stmt_step(s, e);
	stmt_done(s);
	if (rc)
		goto fail;
	buf_reset(&b);
	money_format(&b, amount, money_digits(currency));
	snprintf(val, sizeof(val), "%s %s", b.data, currency);
	{
		char field[32];

		snprintf(field, sizeof(field), "quota %s", period);
		time_iso(time_now(), now);
		rc = history_add(st, "users", user_id, now, p->user_id, "update", field,
				 old[0] ? old : NULL, val, e);
	}
	if (rc)
		goto fail;
	rc = store_commit(st, e);
	buf_release(&b);
	return rc;
fail:
	store_rollback(st);
	buf_release(&b);
	return rc;
}

int quota_list(struct store *st, const struct principal *p, long long user_id, struct jw *w,
	       struct err *e)
{
	struct stmt *s;
	int rc = record_visible(st, p, &user_resource, user_id, e);

	if (rc)
		return rc == E_NOTFOUND ? fail(e, E_NOTFOUND, "no user with id %lld", user_id) : rc;
	s = store_prepare(st,
			  "SELECT period, amount, currency FROM quotas WHERE user_id = ? ORDER BY "
			  "period",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, user_id);
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		jw_obj(w);
		jw_kstr(w, "period", stmt_text(s, 0));
		jw_key(w, "amount");
		jw_raw(w, "");
		money_format(w->b, stmt_int(s, 1), money_digits(stmt_text(s, 2)));
		jw_kstr(w, "currency", stmt_text(s, 2));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	stmt_done(s);
	return rc;
}

int user_by_email(struct store *st, const char *email, long long *id, struct err *e)
{
	int found, rc = store_int(st, id, &found, e, "SELECT id FROM users WHERE email = ?", "t",
				  email);

	if (!rc && !found)
		rc = fail(e, E_NOTFOUND, "no user with e-mail %s", email);
	return rc;
}

int user_count(struct store *st, long long *n, struct err *e)
{
	return store_int(st, n, NULL, e, "SELECT count(*) FROM users", "");
}
