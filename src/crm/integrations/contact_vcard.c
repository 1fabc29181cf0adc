/*
 * contact_vcard.c — contacts as vCards, out and in (contact_vcard.h).
 */
#include "contact_vcard.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/vcard.h"
#include "crm/meetings/meetings.h"
#include "crm/records/resources.h"

/* --- out --------------------------------------------------------------- */

/* The account's name as p sees it, "" when p does not see it. */
static int account_name(struct store *st, const struct principal *p, long long id,
			struct vcard_writer *w, char *out, size_t n, struct err *e)
{
	struct record a;
	int slot = (int)(id % VCARD_ACCOUNT_CACHE), rc;

	if (w && w->accounts[slot].id == id) {
		snprintf(out, n, "%s", w->accounts[slot].name);
		return OK;
	}
	out[0] = '\0';
	record_init(&a, &account_resource);
	rc = record_get(st, p, &account_resource, id, &a, e);
	if (rc == E_NOTFOUND) {
		err_clear(e);
		rc = OK;
	} else if (!rc) {
		snprintf(out, n, "%s", record_text(&a, "name"));
	}
	record_release(&a);
	if (!rc && w) {
		w->accounts[slot].id = id;
		snprintf(w->accounts[slot].name, sizeof(w->accounts[slot].name), "%s", out);
	}
	return rc;
}

static void one(struct buf *out, const char *name, const char *value)
{
	if (value && *value)
		vcard_line(out, name, &value, 1, 0);
}

int contact_vcard(struct store *st, const struct principal *p, const struct record *rec,
		  struct vcard_writer *w, struct buf *out, struct err *e)
{
	const char *first = record_text(rec, "first_name"), *last = record_text(rec, "last_name");
	const char *n[5] = {last, first, NULL, NULL, NULL};
	char org[201], uid[700], rev[20];
	struct buf fn = BUF_INIT;
	int rc;

	rc = account_name(st, p, record_int(rec, "account_id"), w, org, sizeof(org), e);
	if (rc)
		return rc;
	vcard_begin(out);
	one(out, "PRODID", "-//Funnel//Contacts//EN");
	snprintf(uid, sizeof(uid), "%s/contacts/%lld", meetings_public_url(), rec->id);
	one(out, "UID", uid);
	one(out, "KIND", "individual");
	if (first && *first)
		buf_printf(&fn, "%s ", first);
	buf_puts(&fn, last ? last : "");
	one(out, "FN", fn.data);
	vcard_line(out, "N", n, 5, 0);
	if (*org)
		vcard_line(out, "ORG", (const char *const[]){org}, 1, 0);
	one(out, "EMAIL;TYPE=work", record_text(rec, "email"));
	one(out, "TEL;TYPE=work,voice", record_text(rec, "phone"));
	one(out, "TITLE", record_text(rec, "title"));
	if (record_int(rec, "decision_maker"))
		one(out, "X-FUNNEL-DECISION-MAKER", "TRUE");
	/* REV is a timestamp: 20261207T161315Z */
	snprintf(rev, sizeof(rev), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", rec->updated_at,
		 rec->updated_at + 5, rec->updated_at + 8, rec->updated_at + 11,
		 rec->updated_at + 14, rec->updated_at + 17);
	one(out, "REV", rev);
	vcard_end(out);
	buf_release(&fn);
	return out->failed ? fail(e, E_INTERNAL, "out of memory") : OK;
}

/* --- in ---------------------------------------------------------------- */

struct import {
	struct store *st;
	const struct principal *p;
	const struct vcard_import_opts *o;
	struct vcard_import_result *res;
	struct buf a, b; /* scratch */
	int rc;          /* a failure that is not the card's (the database) */
	struct err *e;
};

static void report(struct import *im, long long line, const char *msg)
{
	im->res->rejected++;
	if (im->o->bad)
		im->o->bad(im->o->ctx, line, msg);
}

/* The message of a refused write: its first field problem, else its text,
 * on the line of the property the field came from when there is one. */
static void report_err(struct import *im, const struct vcard *c, long long line,
		       const struct err *e)
{
	static const char *const from[][2] = {
		{"email", "EMAIL"}, {"phone", "TEL"},    {"title", "TITLE"},
		{"last_name", "N"}, {"first_name", "N"}, {"decision_maker", "X-FUNNEL-DECISION-MAKER"},
	};
	char msg[300];
	size_t i;

	for (i = 0; e->nfields && i < sizeof(from) / sizeof(from[0]); i++)
		if (!strcmp(e->fields[0].field, from[i][0])) {
			const struct vcard_prop *p = vcard_get(c, from[i][1]);

			if (!p && !strcmp(from[i][1], "N"))
				p = vcard_get(c, "FN");
			if (p)
				line = p->line;
		}

	if (e->nfields)
		snprintf(msg, sizeof(msg), "line %lld: %s: %s", line, e->fields[0].field,
			 e->fields[0].message);
	else
		snprintf(msg, sizeof(msg), "line %lld: %s", line, e->msg);
	report(im, line, msg);
}

/* Unescaped text of property `name`'s component `i` (-1: the whole value),
 * trimmed, or NULL when empty; valid until the next call with the same b. */
static const char *text_of(const struct vcard *c, const char *name, int i, struct buf *b,
			   long long *line)
{
	const struct vcard_prop *p = vcard_get(c, name);
	size_t s = 0;

	buf_reset(b);
	if (!p)
		return NULL;
	if (i < 0)
		vcard_text(p->value, b);
	else
		vcard_component(p->value, i, b);
	while (b->len && (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\t'))
		b->data[--b->len] = '\0';
	while (s < b->len && (b->data[s] == ' ' || b->data[s] == '\t'))
		s++;
	if (line)
		*line = p->line;
	return s < b->len ? b->data + s : NULL;
}

/* The id of what p sees in `table` (accounts or contacts) whose `column`
 * equals value, case-insensitive; 0 when none. */
static int find(struct store *st, const struct principal *p, const struct resource *r,
		const char *column, const char *value, long long *id, struct err *e)
{
	const char *vis = record_visibility_sql(p, r);
	char sql[1600];
	struct stmt *s;
	int rc;

	*id = 0;
	snprintf(sql, sizeof(sql),
		 "SELECT t.id FROM %s t WHERE t.%s = :value COLLATE NOCASE%s%s%s ORDER BY t.id "
		 "LIMIT 1",
		 r->name, column, vis ? " AND (" : "", vis ? vis : "", vis ? ")" : "");
	s = store_prepare(st, sql, e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_named(s, ":value", value);
	record_bind_visibility(s, p);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s))
		*id = stmt_int(s, 0);
	stmt_done(s);
	return rc;
}

static void set(json_t *body, const char *key, const char *value)
{
	if (value)
		json_object_set_new(body, key, json_string(value));
}

/* One card, in a savepoint of its own.  A problem of the card is reported
 * and answered OK (the import goes on); only a failure of the database is
 * returned. */
static int import_card(struct import *im, const struct vcard *c)
{
	struct store *st = im->st;
	struct err e;
	json_t *body = json_object();
	const char *last, *first, *org, *email, *tel, *title, *dm;
	char *first_copy = NULL, *last_copy = NULL;
	long long account = 0, existing = 0, line = c->line;
	int rc;

	err_clear(&e);
	if (!body)
		return fail(im->e, E_INTERNAL, "out of memory");
	/* names: N's family and given parts, else FN split at its last space */
	last = text_of(c, "N", 0, &im->a, NULL);
	last_copy = last ? strdup(last) : NULL;
	first = text_of(c, "N", 1, &im->a, NULL);
	first_copy = first ? strdup(first) : NULL;
	if (!last_copy && !first_copy) {
		const char *fn = text_of(c, "FN", -1, &im->a, NULL);
		const char *sp = fn ? strrchr(fn, ' ') : NULL;

		if (fn && sp) {
			first_copy = strndup(fn, (size_t)(sp - fn));
			last_copy = strdup(sp + 1);
		} else if (fn) {
			last_copy = strdup(fn);
		}
	} else if (!last_copy) {
		last_copy = first_copy; /* only a given name: it is the name there is */
		first_copy = NULL;
	}
	if (!last_copy) {
		char msg[200];

		snprintf(msg, sizeof(msg), "line %lld: the card has no name (N or FN)", line);
		report(im, line, msg);
		rc = OK;
		goto out;
	}
	set(body, "last_name", last_copy);
	set(body, "first_name", first_copy);
	email = text_of(c, "EMAIL", -1, &im->a, NULL);
	set(body, "email", email);
	if (email) {
		rc = find(st, im->p, &contact_resource, "email", email, &existing, im->e);
		if (rc)
			goto out;
	}
	tel = text_of(c, "TEL", -1, &im->a, NULL);
	if (tel && !strncmp(tel, "tel:", 4))
		tel += 4; /* 4.0's VALUE=uri */
	set(body, "phone", tel);
	title = text_of(c, "TITLE", -1, &im->a, NULL);
	set(body, "title", title);
	dm = text_of(c, "X-FUNNEL-DECISION-MAKER", -1, &im->a, NULL);
	if (dm)
		json_object_set_new(body, "decision_maker", json_boolean(!strcasecmp(dm, "TRUE")));

	rc = store_begin(st, im->e);
	if (rc)
		goto out;
	org = text_of(c, "ORG", 0, &im->b, &line);
	if (org) {
		rc = find(st, im->p, &account_resource, "name", org, &account, im->e);
		if (!rc && !account) {
			json_t *a = json_pack("{s:s}", "name", org);
			struct record made;

			record_init(&made, &account_resource);
			rc = a ? record_create(st, im->p, &account_resource, a, 0, &made, &e)
			       : fail(&e, E_INTERNAL, "out of memory");
			json_decref(a);
			if (!rc) {
				account = made.id;
				im->res->accounts_created++;
			}
			record_release(&made);
		}
	} else if (!existing) {
		account = im->o->account_id;
		if (!account)
			rc = err_field(&e, "ORG", "the card names no organisation and the import "
						  "has no account_id for such cards");
	}
	if (!rc && account)
		json_object_set_new(body, "account_id", json_integer(account));
	line = c->line;
	if (!rc && existing) {
		struct record upd;

		record_init(&upd, &contact_resource);
		rc = record_update(st, im->p, &contact_resource, existing, body, -1, &upd, &e);
		record_release(&upd);
		if (!rc)
			im->res->updated++;
	} else if (!rc) {
		rc = record_create(st, im->p, &contact_resource, body, 0, NULL, &e);
		if (!rc)
			im->res->created++;
	}
	if (!rc) {
		rc = store_commit(st, im->e);
		goto out;
	}
	store_rollback(st);
	if (rc == E_INTERNAL) {
		*im->e = e;
		goto out;
	}
	report_err(im, c, line, &e);
	rc = OK;
out:
	free(first_copy);
	free(last_copy);
	json_decref(body);
	return rc;
}

static int on_card(void *ctx, const struct vcard *c)
{
	struct import *im = ctx;

	im->res->cards++;
	if (c->error) {
		report(im, c->error_line, c->error);
		return 0;
	}
	im->rc = import_card(im, c);
	return im->rc ? 1 : 0;
}

int contacts_vcard_import(struct store *st, const struct principal *p, const char *data,
			  size_t n, const struct vcard_import_opts *o,
			  struct vcard_import_result *res, struct err *e)
{
	struct import im;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&im, 0, sizeof(im));
	im.st = st;
	im.p = p;
	im.o = o;
	im.res = res;
	im.e = e;
	buf_init(&im.a, 0);
	buf_init(&im.b, 0);
	if (o->account_id) {
		rc = record_visible(st, p, &account_resource, o->account_id, e);
		if (rc == E_NOTFOUND) {
			err_clear(e);
			rc = err_field(e, "account_id", "no account with id %lld", o->account_id);
		}
		if (rc)
			goto done;
	}
	rc = store_begin(st, e);
	if (rc)
		goto done;
	rc = vcard_parse(data, n, on_card, &im, e);
	if (!rc)
		rc = im.rc;
	if (!rc && res->rejected && !o->partial)
		rc = fail(e, E_INVAL, "%lld of %lld cards cannot be imported: nothing was written",
			  res->rejected, res->cards);
	if (!rc && o->dry_run) {
		store_rollback(st);
		goto done;
	}
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
done:
	buf_release(&im.a);
	buf_release(&im.b);
	return rc;
}
