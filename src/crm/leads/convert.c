/*
 * convert.c — lead conversion (see convert.h).
 */
#include "convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/email.h"
#include "core/timeutil.h"
#include "crm/process/pipeline.h"
#include "crm/records/resources.h"
#include "crm/scoring/scoring.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))
#define MAX_CANDIDATES 50

void convert_result_release(struct convert_result *r)
{
	record_release(&r->lead);
	record_release(&r->account);
	record_release(&r->contact);
	record_release(&r->opportunity);
}

/* The lead's company domain, lower case, from its e-mail; "" when none or a
 * free-mail one. */
static void company_domain(const struct record *lead, char *out, size_t n)
{
	const char *email = record_text(lead, "email"), *at = email ? strrchr(email, '@') : NULL;
	size_t i;

	out[0] = '\0';
	if (!at || !at[1] || email_free_domain(at + 1) || strlen(at + 1) >= n)
		return;
	for (i = 0; at[1 + i]; i++)
		out[i] = (char)(at[1 + i] >= 'A' && at[1 + i] <= 'Z' ? at[1 + i] + 32 : at[1 + i]);
	out[i] = '\0';
}

/* "Ann Smith", or "Smith". */
static void lead_name(const struct record *lead, struct buf *b)
{
	const char *first = record_text(lead, "first_name");

	if (first && *first) {
		buf_puts(b, first);
		buf_putc(b, ' ');
	}
	buf_puts(b, record_text(lead, "last_name"));
}

/* Append at most `max` characters of UTF-8 `s`. */
static void put_cut(struct buf *b, const char *s, long max)
{
	const char *c = s;
	long n = 0;

	for (; *c; c++)
		if ((*c & 0xc0) != 0x80 && n++ == max)
			break;
	buf_add(b, s, (size_t)(c - s));
}

/* The first id `s` (prepared and bound) selects that p sees; 0 when none.
 * Ends the statement. */
static int first_visible(struct store *st, const struct principal *p, const struct resource *r,
			 struct stmt *s, long long *id, struct err *e)
{
	long long ids[MAX_CANDIDATES];
	int rc, n = 0, i;

	*id = 0;
	while (!(rc = stmt_step(s, e)) && stmt_row(s) && n < MAX_CANDIDATES)
		ids[n++] = stmt_int(s, 0);
	stmt_done(s);
	if (rc)
		return rc;
	/* candidates are collected first: no statement stays open meanwhile */
	for (i = 0; i < n; i++) {
		rc = record_visible(st, p, r, ids[i], e);
		if (rc == E_NOTFOUND)
			continue;
		if (!rc)
			*id = ids[i];
		return rc;
	}
	return OK;
}

static void set_text(json_t *o, const char *k, const char *v)
{
	if (v && *v)
		json_object_set_new(o, k, json_string(v));
}

/* Link or create the account; sets out->account and its flag. */
static int do_account(struct store *st, const struct principal *p, json_t *given,
		      struct convert_result *out, struct err *e)
{
	const struct record *lead = &out->lead;
	const char *company = record_text(lead, "company");
	char domain[256];
	struct buf name = BUF_INIT;
	struct stmt *s;
	json_t *body;
	long long id = 0;
	int rc;

	if (given) {
		rc = record_get(st, p, &account_resource, json_integer_value(given), &out->account,
				e);
		if (rc == E_NOTFOUND) {
			err_clear(e);
			return err_field(e, "account_id", "no account with id %lld",
					 (long long)json_integer_value(given));
		}
		return rc;
	}
	company_domain(lead, domain, sizeof(domain));
	if (company && *company)
		buf_puts(&name, company);
	else
		lead_name(lead, &name);
	/* a domain match beats a name match: names are less unique */
	s = store_prepare(st,
			  "SELECT id FROM accounts WHERE (?1 <> '' AND lower(domain) = ?1) OR "
			  "lower(name) = lower(?2) ORDER BY (?1 <> '' AND lower(domain) = ?1) DESC, id "
			  "LIMIT 50",
			  e);
	if (!s) {
		buf_release(&name);
		return E_INTERNAL;
	}
	stmt_bind_text(s, 1, domain);
	stmt_bind_text(s, 2, name.data);
	rc = first_visible(st, p, &account_resource, s, &id, e);
	if (!rc && id)
		rc = record_get(st, p, &account_resource, id, &out->account, e);
	if (rc || id) {
		buf_release(&name);
		return rc;
	}
	body = json_object();
	{
		struct buf cut = BUF_INIT;

		put_cut(&cut, name.data, 200);
		set_text(body, "name", cut.data);
		buf_release(&cut);
	}
	set_text(body, "domain", domain);
	set_text(body, "industry", record_text(lead, "industry"));
	set_text(body, "territory", record_text(lead, "territory"));
	json_object_set_new(body, "owner_id", json_integer(record_int(lead, "owner_id")));
	rc = record_create(st, p, &account_resource, body, 0, &out->account, e);
	json_decref(body);
	buf_release(&name);
	out->account_created = !rc;
	return rc;
}

/* Link or create the contact at out->account. */
static int do_contact(struct store *st, const struct principal *p, json_t *given,
		      struct convert_result *out, struct err *e)
{
	const struct record *lead = &out->lead;
	const char *email = record_text(lead, "email");
	struct stmt *s;
	json_t *body;
	long long id = 0;
	int rc;

	if (given) {
		rc = record_get(st, p, &contact_resource, json_integer_value(given), &out->contact,
				e);
		if (rc == E_NOTFOUND) {
			err_clear(e);
			return err_field(e, "contact_id", "no contact with id %lld",
					 (long long)json_integer_value(given));
		}
		if (!rc && record_int(&out->contact, "account_id") != out->account.id)
			rc = err_field(e, "contact_id", "contact %lld does not work for account %lld",
				       out->contact.id, out->account.id);
		return rc;
	}
	if (email && !out->account_created) {
		s = store_prepare(st,
				  "SELECT id FROM contacts WHERE account_id = ? AND lower(email) = "
				  "lower(?) ORDER BY id LIMIT 50",
				  e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, out->account.id);
		stmt_bind_text(s, 2, email);
		rc = first_visible(st, p, &contact_resource, s, &id, e);
		if (!rc && id)
			rc = record_get(st, p, &contact_resource, id, &out->contact, e);
		if (rc || id)
			return rc;
	}
	body = json_object();
	json_object_set_new(body, "account_id", json_integer(out->account.id));
	set_text(body, "first_name", record_text(lead, "first_name"));
	set_text(body, "last_name", record_text(lead, "last_name"));
	set_text(body, "email", email);
	set_text(body, "phone", record_text(lead, "phone"));
	set_text(body, "title", record_text(lead, "title"));
	json_object_set_new(body, "owner_id", json_integer(record_int(lead, "owner_id")));
	rc = record_create(st, p, &contact_resource, body, 0, &out->contact, e);
	json_decref(body);
	out->contact_created = !rc;
	return rc;
}

/* The stage a converted deal starts in (convert.h). */
static int start_stage(struct store *st, long long pipeline, char *key, size_t n,
		       struct err *e)
{
	struct stage_info si;
	struct stmt *s;
	int rc = pipeline_stage(st, pipeline, "qualification", &si, e);

	if (!rc) {
		s = store_prepare(st,
				  "SELECT key FROM stages WHERE pipeline_id = ? AND position > ? AND "
				  "section IN ('upper', 'middle', 'lower') ORDER BY position LIMIT 1",
				  e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, pipeline);
		stmt_bind_int(s, 2, si.position);
		rc = stmt_step(s, e);
		if (!rc && stmt_row(s))
			snprintf(key, n, "%s", stmt_text(s, 0));
		stmt_done(s);
		if (rc || key[0])
			return rc;
	} else if (rc != E_NOTFOUND) {
		return rc;
	}
	err_clear(e);
	rc = pipeline_first_in(st, pipeline, "middle", &si, e);
	if (rc == E_NOTFOUND) {
		err_clear(e);
		rc = pipeline_first_in(st, pipeline, "upper", &si, e);
	}
	if (!rc)
		snprintf(key, n, "%s", si.key);
	return rc;
}

static int do_opportunity(struct store *st, const struct principal *p, json_t *given,
			  struct convert_result *out, struct err *e)
{
	const struct record *lead = &out->lead;
	long long owner = record_int(lead, "owner_id"), pipeline = record_int(lead, "pipeline_id");
	const char *company = record_text(lead, "company");
	json_t *body = given ? json_deep_copy(given) : json_object();
	struct buf name = BUF_INIT, cut = BUF_INIT;
	char key[64] = "", date[16];
	struct stmt *s;
	int rc = OK, i;

	if (!pipeline) {
		long long team = 0;

		s = store_prepare(st, "SELECT coalesce(team_id, 0) FROM users WHERE id = ?", e);
		if (!s) {
			rc = E_INTERNAL;
			goto out;
		}
		stmt_bind_int(s, 1, owner);
		rc = stmt_step(s, e);
		if (!rc && stmt_row(s))
			team = stmt_int(s, 0);
		stmt_done(s);
		if (!rc)
			rc = pipeline_for(st, team, record_text(lead, "channel"), &pipeline, e);
		if (rc)
			goto out;
	}
	rc = start_stage(st, pipeline, key, sizeof(key), e);
	if (rc)
		goto out;
	json_object_set_new(body, "account_id", json_integer(out->account.id));
	json_object_set_new(body, "contact_id", json_integer(out->contact.id));
	json_object_set_new(body, "owner_id", json_integer(owner));
	json_object_set_new(body, "pipeline_id", json_integer(pipeline));
	json_object_set_new(body, "stage", json_string(key));
	if (!json_object_get(body, "close_date")) {
		time_date(time_now() + 90 * 86400, date);
		json_object_set_new(body, "close_date", json_string(date));
	}
	if (!json_object_get(body, "channel") && record_text(lead, "channel"))
		json_object_set_new(body, "channel", json_string(record_text(lead, "channel")));
	if (!json_object_get(body, "name")) {
		buf_puts(&name, company && *company ? company : record_text(&out->account, "name"));
		buf_puts(&name, " \xe2\x80\x94 "); /* an em dash */
		lead_name(lead, &name);
		put_cut(&cut, name.data, 200);
		json_object_set_new(body, "name", json_string(cut.data));
	}
	rc = record_create(st, p, &opportunity_resource, body, 0, &out->opportunity, e);
	/* name what the caller gave as they gave it: opportunity.amount */
	for (i = 0; rc == E_INVAL && e && i < e->nfields; i++) {
		char f[64];

		if (!given || !json_object_get(given, e->fields[i].field))
			continue;
		snprintf(f, sizeof(f), "opportunity.%.50s", e->fields[i].field);
		snprintf(e->fields[i].field, sizeof(e->fields[i].field), "%s", f);
	}
out:
	json_decref(body);
	buf_release(&name);
	buf_release(&cut);
	return rc;
}

/* The body's shape; the values themselves are checked where they are used. */
static int check_body(json_t *body, struct err *e)
{
	static const char *const opp_keys[] = {"name", "amount", "currency", "close_date",
					       "channel"};
	const char *k;
	json_t *v, *ov;
	int i, ok;

	if (!body)
		return OK;
	if (!json_is_object(body))
		return fail(e, E_INVAL, "the body must be a JSON object");
	json_object_foreach(body, k, v) {
		if (!strcmp(k, "account_id") || !strcmp(k, "contact_id")) {
			if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) <= 0))
				err_field(e, k, "must be a positive id");
		} else if (!strcmp(k, "opportunity")) {
			if (!json_is_object(v)) {
				err_field(e, k, "must be an object");
				continue;
			}
			json_object_foreach(v, k, ov) {
				char f[64];

				for (i = 0, ok = 0; i < N(opp_keys); i++)
					ok |= !strcmp(k, opp_keys[i]);
				snprintf(f, sizeof(f), "opportunity.%.50s", k);
				if (!ok)
					err_field(e, f, "is not one of name, amount, currency, "
							"close_date, channel");
			}
		} else {
			err_field(e, k, "is not one of account_id, contact_id, opportunity");
		}
	}
	return e && e->nfields ? E_INVAL : OK;
}

/* Mark the lead converted: status through the engine (audited, checked for
 * the caller's rights), the server-set links beside it. */
static int mark_converted(struct store *st, const struct principal *p,
			  struct convert_result *out, struct err *e)
{
	static const char *const links[] = {"converted_account_id", "converted_contact_id",
					    "converted_opportunity_id"};
	long long ids[3] = {out->account.id, out->contact.id, out->opportunity.id};
	long long id = out->lead.id;
	char now[TIME_ISO_LEN], num[24];
	json_t *body = json_pack("{s:s}", "status", "qualified");
	struct record upd;
	struct stmt *s;
	int rc, i;

	rc = record_update(st, p, &lead_resource, id, body, -1, &upd, e);
	json_decref(body);
	record_release(&upd);
	if (rc)
		return rc;
	time_iso(time_now(), now);
	s = store_prepare(st,
			  "UPDATE leads SET converted_at = ?, converted_account_id = ?, "
			  "converted_contact_id = ?, converted_opportunity_id = ?, updated_at = ?1, "
			  "version = version + 1 WHERE id = ?",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, now);
	for (i = 0; i < 3; i++)
		stmt_bind_int(s, 2 + i, ids[i]);
	stmt_bind_int(s, 5, id);
	rc = stmt_step(s, e);
	stmt_done(s);
	if (!rc)
		rc = history_add(st, "leads", id, now, p->user_id, "update", "converted_at", NULL,
				 now, e);
	for (i = 0; !rc && i < 3; i++) {
		snprintf(num, sizeof(num), "%lld", ids[i]);
		rc = history_add(st, "leads", id, now, p->user_id, "update", links[i], NULL, num, e);
	}
	/* converted_at is the lead's reference time from now on (scoring.h) */
	if (!rc)
		rc = scoring_lead_changed(st, id, e);
	if (rc)
		return rc;
	record_release(&out->lead);
	return record_get(st, p, &lead_resource, id, &out->lead, e);
}

int lead_convert(struct store *st, const struct principal *p, long long id, json_t *body,
		 struct convert_result *out, struct err *e)
{
	json_t *acc = body ? json_object_get(body, "account_id") : NULL;
	json_t *con = body ? json_object_get(body, "contact_id") : NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	record_init(&out->lead, &lead_resource);
	record_init(&out->account, &account_resource);
	record_init(&out->contact, &contact_resource);
	record_init(&out->opportunity, &opportunity_resource);
	rc = check_body(body, e);
	if (rc)
		return rc;
	if (json_is_null(acc))
		acc = NULL;
	if (json_is_null(con))
		con = NULL;
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = record_get(st, p, &lead_resource, id, &out->lead, e);
	if (rc)
		goto fail;
	if (record_text(&out->lead, "converted_at")) {
		rc = fail(e, E_CONFLICT, "lead %lld was converted already (on %s)", id,
			  record_text(&out->lead, "converted_at"));
		goto fail;
	}
	if (!strcmp(record_text(&out->lead, "status"), "disqualified")) {
		rc = fail(e, E_CONFLICT,
			  "lead %lld is disqualified; set its status back to work on it first", id);
		goto fail;
	}
	rc = do_account(st, p, acc, out, e);
	if (!rc)
		rc = do_contact(st, p, con, out, e);
	if (!rc)
		rc = do_opportunity(st, p, body ? json_object_get(body, "opportunity") : NULL, out,
				    e);
	if (!rc)
		rc = mark_converted(st, p, out, e);
	if (!rc)
		rc = store_commit(st, e);
	if (!rc)
		return OK;
fail:
	store_rollback(st);
	convert_result_release(out);
	return rc;
}
