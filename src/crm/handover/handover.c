/*
 * handover.c — plans for a leaving salesperson's records, and their
 * execution (see handover.h for the rules and the states).
 *
 * A plan is computed in memory (struct plan) from the leaver's records, then
 * stored as handover_items; everything after that — edits, execution, the
 * JSON — works from the stored rows, so what the manager reviewed is what is
 * executed.
 */
#include "handover.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "crm/records/record.h"
#include "crm/records/resources.h"
#include "crm/records/user.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))
#define SUBJECT_MAX 200 /* characters, as activity.subject */
#define MAX_PROBLEMS 20 /* records listed in a refusal; the rest are counted */

/* The kinds of record a plan covers, in the order they are planned and
 * applied (deals first: accounts, contacts and activities follow them). */
static const struct {
	const char *resource, *singular;
	const struct resource *res;
} kinds[] = {
	{"opportunities", "opportunity", &opportunity_resource},
	{"leads", "lead", &lead_resource},
	{"accounts", "account", &account_resource},
	{"contacts", "contact", &contact_resource},
	{"activities", "activity", &activity_resource},
};

static const char *const section_order[] = {"lower", "middle", "upper", "other"};

/* What counts as the leaver's open records, per kind (owner bound as ?1). */
static const char *const open_sql[] = {
	"SELECT id FROM opportunities WHERE owner_id = ?1 AND status = 'open'",
	"SELECT id FROM leads WHERE owner_id = ?1 AND status IN ('new', 'working', 'qualified') "
	"AND converted_at IS NULL",
	"SELECT id FROM accounts WHERE owner_id = ?1",
	"SELECT id FROM contacts WHERE owner_id = ?1",
	"SELECT id FROM activities WHERE owner_id = ?1 AND done_at IS NULL",
};

static int kind_of(const char *resource)
{
	int i;

	for (i = 0; i < N(kinds); i++)
		if (!strcmp(kinds[i].resource, resource))
			return i;
	return -1;
}

/* --- people --------------------------------------------------------------- */

struct person {
	long long id, team_id, manager_id;
	int active;
	char role[16], name[832], email[256], territory[416], channel[16];
};

static int person_load(struct store *st, long long id, struct person *u, struct err *e)
{
	struct stmt *s = store_prepare(st,
				       "SELECT id, coalesce(team_id, 0), coalesce(manager_id, 0), "
				       "active, role, name, email, coalesce(territory, ''), "
				       "coalesce(channel, '') FROM users WHERE id = ?",
				       e);
	int rc;

	memset(u, 0, sizeof(*u));
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = fail(e, E_NOTFOUND, "no user with id %lld", id);
	if (!rc) {
		u->id = stmt_int(s, 0);
		u->team_id = stmt_int(s, 1);
		u->manager_id = stmt_int(s, 2);
		u->active = (int)stmt_int(s, 3);
		snprintf(u->role, sizeof(u->role), "%s", stmt_text(s, 4));
		snprintf(u->name, sizeof(u->name), "%s", stmt_text(s, 5));
		snprintf(u->email, sizeof(u->email), "%s", stmt_text(s, 6));
		snprintf(u->territory, sizeof(u->territory), "%s", stmt_text(s, 7));
		snprintf(u->channel, sizeof(u->channel), "%s", stmt_text(s, 8));
	}
	stmt_done(s);
	return rc;
}

/* May p hand records of `leaver` to user `id`?  Active, not the leaver,
 * and one the caller may assign records to (record.c's owner rule). */
static int assignable(struct store *st, const struct principal *p, long long leaver, long long id,
		      int *yes, struct err *e)
{
	struct stmt *s;
	int rc;

	*yes = 0;
	if (id <= 0 || id == leaver || !principal_sees_owner(p, id))
		return OK;
	s = store_prepare(st, "SELECT 1 FROM users WHERE id = ? AND active = 1", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	*yes = !rc && stmt_row(s);
	stmt_done(s);
	return rc;
}

int handover_user_ref(struct store *st, json_t *v, const char *field, long long *id, struct err *e)
{
	struct stmt *s;
	int rc, found;

	*id = 0;
	if (json_is_integer(v) && json_integer_value(v) > 0) {
		s = store_prepare(st, "SELECT id FROM users WHERE id = ?", e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, json_integer_value(v));
	} else if (json_is_string(v) && json_string_length(v) && json_string_length(v) <= 254) {
		s = store_prepare(st, "SELECT id FROM users WHERE email = ?", e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_text(s, 1, json_string_value(v));
	} else {
		return err_field(e, field, "must be a user id or e-mail");
	}
	rc = stmt_step(s, e);
	found = stmt_row(s);
	if (!rc && found)
		*id = stmt_int(s, 0);
	stmt_done(s);
	if (rc)
		return rc;
	return found ? OK : err_field(e, field, "no such user");
}

/* The teams from `team` up to the top, nearest first; *n of them. */
static int team_chain(struct store *st, long long team, long long *out, int max, int *n,
		      struct err *e)
{
	struct stmt *s;
	int rc = OK;

	*n = 0;
	while (team && *n < max) {
		out[(*n)++] = team;
		s = store_prepare(st, "SELECT coalesce(parent_id, 0) FROM teams WHERE id = ?", e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, team);
		rc = stmt_step(s, e);
		team = !rc && stmt_row(s) ? stmt_int(s, 0) : 0;
		stmt_done(s);
		if (rc)
			return rc;
	}
	return rc;
}

/* Candidates for successor in one team (team 0: every team), best first. */
#define SQL_CANDIDATES(where)                                                                      \
	"SELECT u.id, u.name, CASE WHEN u.territory = ?2 THEN 1 ELSE 0 END, CASE WHEN u.channel = ?3 THEN 1 ELSE 0 END, "        \
	"(SELECT count(*) FROM opportunities o WHERE o.owner_id = u.id AND o.status = 'open'), "   \
	"(SELECT coalesce(sum(o.amount * o.probability), 0) FROM opportunities o "                 \
	"WHERE o.owner_id = u.id AND o.status = 'open'), coalesce(u.territory, ''), "              \
	"coalesce(u.channel, '') FROM users u WHERE " where " AND u.active = 1 AND "               \
	"u.role = 'rep' AND u.id <> ?4 ORDER BY 3 DESC, 4 DESC, 5, 6, u.id"

static int pick_successor(struct store *st, const struct principal *p, const struct person *l,
			  long long *id, struct buf *why, struct err *e)
{
	long long chain[64];
	int n, i, rc;

	*id = 0;
	rc = team_chain(st, l->team_id, chain, N(chain), &n, e);
	if (rc)
		return rc;
	for (i = 0; i <= n && !*id; i++) {
		struct stmt *s = store_prepare(
			st, i < n ? SQL_CANDIDATES("u.team_id = ?1") : SQL_CANDIDATES("?1 = 0"), e);

		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, i < n ? chain[i] : 0);
		if (l->territory[0])
			stmt_bind_text(s, 2, l->territory);
		else
			stmt_bind_null(s, 2);
		if (l->channel[0])
			stmt_bind_text(s, 3, l->channel);
		else
			stmt_bind_null(s, 3);
		stmt_bind_int(s, 4, l->id);
		while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
			if (!principal_sees_owner(p, stmt_int(s, 0)))
				continue;
			*id = stmt_int(s, 0);
			buf_printf(why, "%s: an active rep %s", stmt_text(s, 1),
				   i == n   ? "(none in the leaver's team or the teams above it)"
				   : i == 0 ? "of the leaver's team"
					    : "of the nearest team up with one");
			if (stmt_int(s, 2))
				buf_printf(why, ", same territory (%s)", stmt_text(s, 6));
			if (stmt_int(s, 3))
				buf_printf(why, ", same channel (%s)", stmt_text(s, 7));
			buf_printf(why, ", lowest load among them: %lld open opportunities",
				   stmt_int(s, 4));
			break;
		}
		stmt_done(s);
		if (rc)
			return rc;
	}
	if (!*id)
		return fail(e, E_CONFLICT,
			    "no active rep could be proposed as successor for %s: name one",
			    l->name);
	return OK;
}

static int pick_manager(struct store *st, const struct principal *p, const struct person *l,
			long long *id, struct buf *why, struct err *e)
{
	long long chain[64];
	int n, i, rc, ok;
	struct person m;

	*id = 0;
	rc = assignable(st, p, l->id, l->manager_id, &ok, e);
	if (rc)
		return rc;
	if (ok) {
		rc = person_load(st, l->manager_id, &m, e);
		if (rc)
			return rc;
		*id = m.id;
		buf_printf(why, "%s: the leaver's manager", m.name);
		return OK;
	}
	rc = team_chain(st, l->team_id, chain, N(chain), &n, e);
	if (rc)
		return rc;
	for (i = 0; i < n && !*id; i++) {
		struct stmt *s =
			store_prepare(st,
				      "SELECT id, name FROM users WHERE team_id = ? AND "
				      "role = 'manager' AND active = 1 AND id <> ? ORDER BY id",
				      e);

		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, chain[i]);
		stmt_bind_int(s, 2, l->id);
		while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
			if (!principal_sees_owner(p, stmt_int(s, 0)))
				continue;
			*id = stmt_int(s, 0);
			buf_printf(why, "%s: a manager of the leaver's %s", stmt_text(s, 1),
				   i ? "nearest team up with one" : "team");
			break;
		}
		stmt_done(s);
		if (rc)
			return rc;
	}
	if (!*id && p->user_id && p->user_id != l->id) {
		*id = p->user_id;
		buf_printf(why, "%s: the leaver has no manager; whoever plans the handover",
			   p->name);
	}
	if (!*id)
		return fail(e, E_CONFLICT, "no manager could be proposed for %s: name one",
			    l->name);
	return OK;
}

/* A named successor or manager: active, not the leaver, assignable. */
static int check_named(struct store *st, const struct principal *p, const struct person *l,
		       long long id, const char *field, int need_manager, struct buf *why,
		       struct err *e)
{
	struct person u;
	int rc, ok;

	rc = person_load(st, id, &u, e);
	if (rc == E_NOTFOUND)
		return err_field(e, field, "no user with id %lld", id);
	if (rc)
		return rc;
	if (id == l->id)
		return err_field(e, field, "is the person leaving");
	rc = assignable(st, p, l->id, id, &ok, e);
	if (rc)
		return rc;
	if (!ok)
		return err_field(e, field, "no active user %lld in the teams you manage", id);
	if (need_manager && !strcmp(u.role, "rep"))
		return err_field(e, field, "%s is a rep, not a manager", u.name);
	buf_printf(why, "%s: named", u.name);
	return OK;
}

/* --- the plan ------------------------------------------------------------- */

struct item {
	int kind; /* index in kinds[] */
	long long record_id;
	char label[832];
	char section[8];
	char stage[64];
	long long new_owner;
	const char *action;
	char subject[1024]; /* "" when no task */
	char due[TIME_ISO_LEN];
	long long task_owner;
	int follows_kind; /* -1: none */
	long long follows_id;
	long long account_id; /* accounts and contacts: the account; activities: related */
};

struct plan {
	struct item *v;
	int n, cap;
	struct person leaver, successor, manager;
	time_t now;
};

static struct item *plan_add(struct plan *pl, int kind, long long id)
{
	struct item *it;

	if (pl->n == pl->cap) {
		int cap = pl->cap ? pl->cap * 2 : 32;
		struct item *v = realloc(pl->v, (size_t)cap * sizeof(*v));

		if (!v)
			return NULL;
		pl->v = v;
		pl->cap = cap;
	}
	it = &pl->v[pl->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->record_id = id;
	it->follows_kind = -1;
	return it;
}

static struct item *plan_find(struct plan *pl, int kind, long long id)
{
	int i;

	for (i = 0; i < pl->n; i++)
		if (pl->v[i].kind == kind && pl->v[i].record_id == id)
			return &pl->v[i];
	return NULL;
}

/* Cut s to at most SUBJECT_MAX characters, on a character boundary. */
static void clip_chars(char *s, int max)
{
	int chars = 0;
	char *q;

	for (q = s; *q; q++)
		if (((unsigned char)*q & 0xC0) != 0x80 && ++chars > max) {
			*q = '\0';
			return;
		}
}

/* The task's subject, cut to what an activity holds. */
static void set_subject(struct item *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_subject(struct item *it, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	clip_chars(b.data, SUBJECT_MAX);
	snprintf(it->subject, sizeof(it->subject), "%s", b.data);
	buf_release(&b);
}

static void due_in(time_t now, int days, char *out)
{
	time_t day = now - now % 86400;

	time_iso(day + (time_t)days * 86400 + 9 * 3600, out);
}

/* The task of an item: who, what, when, by section. */
static void plan_task(struct plan *pl, struct item *it, const char *client)
{
	const char *leaver = pl->leaver.name, *succ = pl->successor.name;

	if (!strcmp(it->section, "lower")) {
		it->action = "manager_takes_over";
		it->new_owner = pl->manager.id;
		it->task_owner = pl->manager.id;
		set_subject(it,
			    "Handover: contact %s personally about %s and tell them you are "
			    "responsible from now on (%s is leaving)",
			    client, it->label, leaver);
		due_in(pl->now, HANDOVER_DUE_LOWER, it->due);
	} else if (!strcmp(it->section, "middle")) {
		it->action = "introduce_successor";
		it->new_owner = pl->successor.id;
		it->task_owner = pl->leaver.id;
		set_subject(
			it,
			"Handover: phone %s with %s, introduce them as the new contact for %s and "
			"book the next meeting",
			client, succ, it->label);
		due_in(pl->now, HANDOVER_DUE_MIDDLE, it->due);
	} else {
		it->action = "successor_contacts";
		it->new_owner = pl->successor.id;
		it->task_owner = pl->successor.id;
		set_subject(it,
			    "Handover: contact %s about %s and introduce yourself as their new "
			    "contact (%s has left)",
			    client, it->label, leaver);
		due_in(pl->now, HANDOVER_DUE_UPPER, it->due);
	}
}

/* Opportunities, by the section of their stage; leads as upper funnel. */
static int plan_deals(struct store *st, struct plan *pl, struct err *e)
{
	struct stmt *s;
	struct item *it;
	int rc;

	s = store_prepare(st,
			  "SELECT o.id, o.name, a.name, coalesce(s.section, 'upper'), o.stage "
			  "FROM opportunities o JOIN accounts a ON a.id = o.account_id "
			  "LEFT JOIN stages s ON s.pipeline_id = o.pipeline_id AND s.key = o.stage "
			  "WHERE o.owner_id = ? AND o.status = 'open' "
			  "ORDER BY coalesce(s.position, 0) DESC, o.amount DESC, o.id",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, pl->leaver.id);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		const char *sec = stmt_text(s, 3);

		it = plan_add(pl, 0, stmt_int(s, 0));
		if (!it) {
			rc = fail(e, E_INTERNAL, "out of memory");
			break;
		}
		snprintf(it->label, sizeof(it->label), "%s", stmt_text(s, 1));
		snprintf(it->stage, sizeof(it->stage), "%s", stmt_text(s, 4));
		/* an open deal sits in upper, middle or lower */
		snprintf(it->section, sizeof(it->section), "%s",
			 !strcmp(sec, "lower") || !strcmp(sec, "middle") ? sec : "upper");
		plan_task(pl, it, stmt_text(s, 2));
	}
	stmt_done(s);
	if (rc)
		return rc;

	s = store_prepare(st,
			  "SELECT id, trim(coalesce(first_name, '') || ' ' || last_name), "
			  "company FROM leads WHERE owner_id = ? AND status IN ('new', 'working', "
			  "'qualified') AND converted_at IS NULL ORDER BY id",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, pl->leaver.id);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		it = plan_add(pl, 1, stmt_int(s, 0));
		if (!it) {
			rc = fail(e, E_INTERNAL, "out of memory");
			break;
		}
		if (stmt_text(s, 2))
			snprintf(it->label, sizeof(it->label), "%s (%s)", stmt_text(s, 1),
				 stmt_text(s, 2));
		else
			snprintf(it->label, sizeof(it->label), "%s", stmt_text(s, 1));
		strcpy(it->section, "upper");
		plan_task(pl, it, it->label);
		/* a lead is the prospect itself: "contact X about X" says it twice */
		set_subject(it,
			    "Handover: contact %s and introduce yourself as their new contact (%s "
			    "has left)",
			    it->label, pl->leaver.name);
	}
	stmt_done(s);
	return rc;
}

/* Accounts and contacts: with the account's most advanced open deal. */
static int plan_follow_account(struct store *st, const struct principal *p, struct plan *pl,
			       struct item *it, struct err *e)
{
	struct stmt *s;
	long long deal = 0, owner = 0;
	char sec[8] = "upper";
	struct item *d;
	int rc, ok = 0;

	s = store_prepare(
		st,
		"SELECT o.id, o.owner_id, coalesce(s.section, 'upper') FROM opportunities o "
		"LEFT JOIN stages s ON s.pipeline_id = o.pipeline_id AND s.key = o.stage "
		"WHERE o.account_id = ? AND o.status = 'open' ORDER BY coalesce(s.position, "
		"0) DESC, o.probability DESC, o.amount DESC, o.id LIMIT 1",
		e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, it->account_id);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		deal = stmt_int(s, 0);
		owner = stmt_int(s, 1);
		snprintf(sec, sizeof(sec), "%s", stmt_text(s, 2));
	}
	stmt_done(s);
	if (rc)
		return rc;
	d = deal ? plan_find(pl, 0, deal) : NULL;
	if (d) {
		it->new_owner = d->new_owner;
		strcpy(it->section, d->section);
	} else if (deal) {
		/* someone else's deal: its owner keeps the client together */
		rc = assignable(st, p, pl->leaver.id, owner, &ok, e);
		if (rc)
			return rc;
		if (ok) {
			it->new_owner = owner;
			strcpy(it->section,
			       !strcmp(sec, "lower") || !strcmp(sec, "middle") ? sec : "upper");
		}
	}
	if (d || ok) {
		it->action = "follow_deal";
		it->follows_kind = 0;
		it->follows_id = deal;
	} else {
		it->action = "to_successor";
		it->new_owner = pl->successor.id;
		strcpy(it->section, "other");
	}
	return OK;
}

static int plan_accounts(struct store *st, const struct principal *p, struct plan *pl,
			 struct err *e)
{
	static const char *const sql[] = {
		"SELECT id, name, id FROM accounts WHERE owner_id = ? ORDER BY id",
		"SELECT id, trim(coalesce(first_name, '') || ' ' || last_name), account_id "
		"FROM contacts WHERE owner_id = ? ORDER BY id",
	};
	int k, i, first, rc = OK;

	for (k = 0; k < 2; k++) {
		struct stmt *s = store_prepare(st, sql[k], e);

		if (!s)
			return E_INTERNAL;
		first = pl->n;
		stmt_bind_int(s, 1, pl->leaver.id);
		while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
			struct item *it = plan_add(pl, 2 + k, stmt_int(s, 0));

			if (!it) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			snprintf(it->label, sizeof(it->label), "%s", stmt_text(s, 1));
			it->account_id = stmt_int(s, 2);
		}
		stmt_done(s);
		if (rc)
			return rc;
		/* after the rows are read: the follow-up queries need the connection */
		for (i = first; i < pl->n; i++) {
			rc = plan_follow_account(st, p, pl, &pl->v[i], e);
			if (rc)
				return rc;
		}
	}
	return rc;
}

/* Pending activities follow the record they are linked to. */
static int plan_activities(struct store *st, const struct principal *p, struct plan *pl,
			   struct err *e)
{
	static const char *const related[] = {"opportunity", "lead", "account", "contact"};
	static const char *const owner_sql[] = {
		"SELECT owner_id FROM opportunities WHERE id = ?",
		"SELECT owner_id FROM leads WHERE id = ?",
		"SELECT owner_id FROM accounts WHERE id = ?",
		"SELECT owner_id FROM contacts WHERE id = ?",
	};
	struct stmt *s;
	int i, k, first, rc, ok;

	s = store_prepare(st,
			  "SELECT id, subject, coalesce(related_type, ''), coalesce(related_id, 0) "
			  "FROM activities WHERE owner_id = ? AND done_at IS NULL ORDER BY id",
			  e);
	if (!s)
		return E_INTERNAL;
	first = pl->n;
	stmt_bind_int(s, 1, pl->leaver.id);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		struct item *it = plan_add(pl, 4, stmt_int(s, 0));

		if (!it) {
			rc = fail(e, E_INTERNAL, "out of memory");
			break;
		}
		snprintf(it->label, sizeof(it->label), "%s", stmt_text(s, 1));
		it->follows_kind = -1;
		for (k = 0; k < N(related); k++)
			if (!strcmp(stmt_text(s, 2), related[k]))
				it->follows_kind = k;
		it->account_id = stmt_int(s, 3);
	}
	stmt_done(s);
	if (rc)
		return rc;
	for (i = first; i < pl->n; i++) {
		struct item *it = &pl->v[i], *f;
		long long owner = 0;

		k = it->follows_kind;
		it->follows_id = it->account_id;
		it->account_id = 0;
		f = k >= 0 ? plan_find(pl, k, it->follows_id) : NULL;
		ok = 0;
		if (f) {
			it->new_owner = f->new_owner;
			strcpy(it->section, f->section);
		} else if (k >= 0) {
			s = store_prepare(st, owner_sql[k], e);
			if (!s)
				return E_INTERNAL;
			stmt_bind_int(s, 1, it->follows_id);
			rc = stmt_step(s, e);
			if (!rc && stmt_row(s))
				owner = stmt_int(s, 0);
			stmt_done(s);
			if (rc)
				return rc;
			rc = assignable(st, p, pl->leaver.id, owner, &ok, e);
			if (rc)
				return rc;
			if (ok) {
				it->new_owner = owner;
				strcpy(it->section, "other");
			}
		}
		if (f || ok) {
			it->action = "follow_record";
		} else {
			it->action = "to_successor";
			it->new_owner = pl->successor.id;
			strcpy(it->section, "other");
			it->follows_kind = -1;
			it->follows_id = 0;
		}
	}
	return OK;
}

static int plan_store(struct store *st, long long hid, const struct plan *pl, struct err *e)
{
	int i, rc = OK;

	for (i = 0; i < pl->n && !rc; i++) {
		const struct item *it = &pl->v[i];
		struct stmt *s = store_prepare(
			st,
			"INSERT INTO handover_items (handover_id, resource, record_id, label, "
			"section, stage, new_owner_id, action, task_subject, task_due_at, "
			"task_owner_id, follows_resource, follows_id) VALUES (?, ?, ?, ?, ?, ?, ?, "
			"?, ?, ?, ?, ?, ?)",
			e);

		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, hid);
		stmt_bind_text(s, 2, kinds[it->kind].resource);
		stmt_bind_int(s, 3, it->record_id);
		stmt_bind_text(s, 4, it->label);
		stmt_bind_text(s, 5, it->section);
		stmt_bind_text(s, 6, it->stage[0] ? it->stage : NULL);
		stmt_bind_int(s, 7, it->new_owner);
		stmt_bind_text(s, 8, it->action);
		stmt_bind_text(s, 9, it->subject[0] ? it->subject : NULL);
		stmt_bind_text(s, 10, it->subject[0] ? it->due : NULL);
		if (it->subject[0])
			stmt_bind_int(s, 11, it->task_owner);
		else
			stmt_bind_null(s, 11);
		stmt_bind_text(s, 12,
			       it->follows_kind >= 0 ? kinds[it->follows_kind].resource : NULL);
		if (it->follows_kind >= 0)
			stmt_bind_int(s, 13, it->follows_id);
		else
			stmt_bind_null(s, 13);
		rc = stmt_step(s, e);
		stmt_done(s);
	}
	return rc;
}

/* Compute the items of handover `hid` afresh (inside the caller's
 * transaction), replacing any there were. */
static int replan(struct store *st, const struct principal *p, long long hid, long long leaver,
		  long long successor, long long manager, struct err *e)
{
	struct plan pl;
	struct stmt *s;
	char now[TIME_ISO_LEN];
	int rc;

	memset(&pl, 0, sizeof(pl));
	pl.now = time_now();
	rc = person_load(st, leaver, &pl.leaver, e);
	if (!rc)
		rc = person_load(st, successor, &pl.successor, e);
	if (!rc)
		rc = person_load(st, manager, &pl.manager, e);
	if (!rc)
		rc = plan_deals(st, &pl, e);
	if (!rc)
		rc = plan_accounts(st, p, &pl, e);
	if (!rc)
		rc = plan_activities(st, p, &pl, e);
	if (rc)
		goto out;
	rc = store_run(st, e, "DELETE FROM handover_items WHERE handover_id = ?", "i",
		       hid);
	if (!rc)
		rc = plan_store(st, hid, &pl, e);
	if (rc)
		goto out;
	s = store_prepare(st, "UPDATE handovers SET planned_at = ? WHERE id = ?", e);
	if (!s) {
		rc = E_INTERNAL;
		goto out;
	}
	time_iso(pl.now, now);
	stmt_bind_text(s, 1, now);
	stmt_bind_int(s, 2, hid);
	rc = stmt_step(s, e);
	stmt_done(s);
out:
	free(pl.v);
	return rc;
}

/* --- create, find, change ------------------------------------------------- */

/* The leaver, checked against the caller. */
static int leaver_for(struct store *st, const struct principal *p, long long id, struct person *l,
		      struct err *e)
{
	int rc;

	if (!principal_is_manager(p))
		return fail(e, E_FORBIDDEN, "only managers and admins hand records over");
	rc = person_load(st, id, l, e);
	if (rc == E_NOTFOUND || (!rc && !principal_sees_owner(p, id)))
		return fail(e, E_NOTFOUND, "no user with id %lld in the teams you manage", id);
	if (rc)
		return rc;
	if (id == p->user_id)
		return err_field(e, "from_user",
				 "you cannot hand over your own records: ask your "
				 "manager or an admin");
	return OK;
}

int handover_find_draft(struct store *st, long long from_user, long long *id, struct err *e)
{
	struct stmt *s = store_prepare(st,
				       "SELECT id FROM handovers WHERE from_user = ? AND status = "
				       "'draft' ORDER BY id LIMIT 1",
				       e);
	int rc;

	*id = 0;
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, from_user);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s))
		*id = stmt_int(s, 0);
	stmt_done(s);
	return rc;
}

/* Choose (or check) successor and manager into *succ, *mgr with reasons. */
static int choose_people(struct store *st, const struct principal *p, const struct person *l,
			 long long *succ, long long *mgr, struct buf *swhy, struct buf *mwhy,
			 struct err *e)
{
	int rc = OK, bad = 0;

	if (*succ)
		rc = check_named(st, p, l, *succ, "successor", 0, swhy, e);
	else
		rc = pick_successor(st, p, l, succ, swhy, e);
	if (rc == E_INVAL)
		bad = 1;
	else if (rc)
		return rc;
	if (*mgr)
		rc = check_named(st, p, l, *mgr, "manager", 1, mwhy, e);
	else
		rc = pick_manager(st, p, l, mgr, mwhy, e);
	if (rc == E_INVAL)
		bad = 1;
	else if (rc)
		return rc;
	return bad ? E_INVAL : OK;
}

int handover_create(struct store *st, const struct principal *p, const struct handover_req *rq,
		    long long *id, struct err *e)
{
	struct person l;
	struct buf swhy = BUF_INIT, mwhy = BUF_INIT;
	long long succ = rq->successor, mgr = rq->manager, draft;
	char now[TIME_ISO_LEN];
	struct stmt *s;
	int rc;

	*id = 0;
	rc = leaver_for(st, p, rq->from_user, &l, e);
	if (rc)
		return rc;
	if (rq->note && strlen(rq->note) > 4000)
		return err_field(e, "note", "is longer than 4000 bytes");
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = handover_find_draft(st, l.id, &draft, e);
	if (!rc && draft)
		rc = fail(e, E_CONFLICT,
			  "handover %lld for %s is still a draft: change it (PATCH) or cancel it",
			  draft, l.name);
	if (!rc)
		rc = choose_people(st, p, &l, &succ, &mgr, &swhy, &mwhy, e);
	if (rc)
		goto fail;
	time_iso(time_now(), now);
	s = store_prepare(
		st,
		"INSERT INTO handovers (from_user, successor, manager, successor_auto, "
		"successor_reason, manager_reason, note, planned_at, created_by, created_at, "
		"updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_int(s, 1, l.id);
	stmt_bind_int(s, 2, succ);
	stmt_bind_int(s, 3, mgr);
	stmt_bind_int(s, 4, rq->successor == 0);
	stmt_bind_text(s, 5, swhy.data);
	stmt_bind_text(s, 6, mwhy.data);
	stmt_bind_text(s, 7, rq->note);
	stmt_bind_text(s, 8, now);
	if (p->user_id)
		stmt_bind_int(s, 9, p->user_id);
	else
		stmt_bind_null(s, 9);
	stmt_bind_text(s, 10, now);
	stmt_bind_text(s, 11, now);
	rc = stmt_step(s, e);
	stmt_done(s);
	if (rc)
		goto fail;
	*id = store_last_id(st);
	rc = replan(st, p, *id, l.id, succ, mgr, e);
	if (!rc)
		rc = history_add(st, "handovers", *id, now, p->user_id, "create", NULL, NULL, NULL,
				 e);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		goto fail;
	buf_release(&swhy);
	buf_release(&mwhy);
	return OK;
fail:
	store_rollback(st);
	buf_release(&swhy);
	buf_release(&mwhy);
	*id = 0;
	return rc;
}

struct head {
	long long id, from_user, successor, manager, version;
	char status[16];
};

/* Load handover `id` for p: E_NOTFOUND unless p may hand its leaver over. */
static int head_load(struct store *st, const struct principal *p, long long id, struct head *h,
		     struct err *e)
{
	struct stmt *s;
	int rc;

	if (!principal_is_manager(p))
		return fail(e, E_FORBIDDEN, "only managers and admins hand records over");
	s = store_prepare(
		st,
		"SELECT id, from_user, successor, manager, status, version FROM handovers "
		"WHERE id = ?",
		e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		h->id = stmt_int(s, 0);
		h->from_user = stmt_int(s, 1);
		h->successor = stmt_int(s, 2);
		h->manager = stmt_int(s, 3);
		snprintf(h->status, sizeof(h->status), "%s", stmt_text(s, 4));
		h->version = stmt_int(s, 5);
	}
	if (!rc && (!stmt_row(s) || !principal_sees_owner(p, h->from_user)))
		rc = fail(e, E_NOTFOUND, "no handover with id %lld", id);
	stmt_done(s);
	return rc;
}

static int set_text(struct store *st, const char *sql, long long id, const char *v, struct err *e)
{
	return store_run(st, e, sql, "ti", v, id);
}

/* A change to handover h may start once its members are checked (e holds no
 * field problem) and it is still a draft: the transaction begins and `now`
 * is the time of the change. */
static int begin_change(struct store *st, const struct head *h, char *now, struct err *e)
{
	int rc;

	if (e && e->nfields)
		return E_INVAL;
	if (strcmp(h->status, "draft"))
		return fail(e, E_CONFLICT, "handover %lld is %s: only drafts change", h->id,
			    h->status);
	rc = store_begin(st, e);
	if (rc)
		return rc;
	time_iso(time_now(), now);
	return OK;
}

/* The end of a change begun by begin_change() that came to `rc`: on OK the
 * handover's new version, committed; otherwise rolled back. */
static int end_change(struct store *st, long long id, const char *now, int rc, struct err *e)
{
	if (!rc)
		rc = store_run(st, e,
			       "UPDATE handovers SET updated_at = ?, version = version + 1 "
			       "WHERE id = ?",
			       "ti", now, id);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
	return rc;
}

/* The audit line of a change of one of the handover's users, from `from`
 * to `to`. */
static int history_user(struct store *st, const struct principal *p, long long id,
			const char *now, const char *field, long long from, long long to,
			struct err *e)
{
	char a[32], b[32];

	snprintf(a, sizeof(a), "%lld", from);
	snprintf(b, sizeof(b), "%lld", to);
	return history_add(st, "handovers", id, now, p->user_id, "update", field, a, b, e);
}

int handover_update(struct store *st, const struct principal *p, long long id, json_t *body,
		    struct err *e)
{
	struct head h;
	struct person l;
	struct buf swhy = BUF_INIT, mwhy = BUF_INIT;
	long long succ = 0, mgr = 0;
	int want_replan = 0, cancel = 0, rc;
	const char *key, *note = NULL;
	char now[TIME_ISO_LEN];
	json_t *v;

	rc = head_load(st, p, id, &h, e);
	if (rc)
		return rc;
	if (!json_is_object(body))
		return fail(e, E_INVAL, "the body must be a JSON object");
	json_object_foreach(body, key, v)
	{
		if (!strcmp(key, "successor") || !strcmp(key, "manager")) {
			long long *dst = key[0] == 's' ? &succ : &mgr;

			want_replan = 1;
			if (!json_is_null(v) && (rc = handover_user_ref(st, v, key, dst, e)) &&
			    rc != E_INVAL)
				return rc;
		} else if (!strcmp(key, "note")) {
			if (!json_is_null(v) &&
			    (!json_is_string(v) || json_string_length(v) > 4000))
				err_field(e, "note", "must be text of at most 4000 bytes");
			else
				note = json_string_value(v);
		} else if (!strcmp(key, "status")) {
			if (!json_is_string(v) || strcmp(json_string_value(v), "cancelled"))
				err_field(e, "status",
					  "can only become cancelled (execute a plan "
					  "with POST .../execute)");
			cancel = 1;
		} else {
			err_field(e, key,
				  "is not a member of a handover change (successor, "
				  "manager, note, status)");
		}
	}
	rc = begin_change(st, &h, now, e);
	if (rc)
		return rc;
	if (json_object_get(body, "note"))
		rc = set_text(st, "UPDATE handovers SET note = ? WHERE id = ?", id, note, e);
	if (!rc && cancel) {
		rc = set_text(st, "UPDATE handovers SET status = ? WHERE id = ?", id, "cancelled",
			      e);
		if (!rc)
			rc = history_add(st, "handovers", id, now, p->user_id, "update", "status",
					 "draft", "cancelled", e);
	}
	if (!rc && want_replan && !cancel) {
		json_t *sv = json_object_get(body, "successor"),
		       *mv = json_object_get(body, "manager");

		rc = leaver_for(st, p, h.from_user, &l, e);
		/* who is named is checked; null proposes again; left out stays */
		if (!rc && sv)
			rc = succ ? check_named(st, p, &l, succ, "successor", 0, &swhy, e)
				  : pick_successor(st, p, &l, &succ, &swhy, e);
		if (!rc && mv)
			rc = mgr ? check_named(st, p, &l, mgr, "manager", 1, &mwhy, e)
				 : pick_manager(st, p, &l, &mgr, &mwhy, e);
		if (!rc && sv)
			rc = store_run(st, e,
				       "UPDATE handovers SET successor = ?, successor_auto = ?, "
				       "successor_reason = ? WHERE id = ?",
				       "iiti", succ, (long long)json_is_null(sv), swhy.data, id);
		if (!rc && mv)
			rc = store_run(st, e,
				       "UPDATE handovers SET manager = ?, manager_reason = ? WHERE "
				       "id = ?",
				       "iti", mgr, mwhy.data, id);
		if (!sv)
			succ = h.successor;
		if (!mv)
			mgr = h.manager;
		if (!rc && succ != h.successor)
			rc = history_user(st, p, id, now, "successor", h.successor, succ, e);
		if (!rc && mgr != h.manager)
			rc = history_user(st, p, id, now, "manager", h.manager, mgr, e);
		if (!rc)
			rc = replan(st, p, id, h.from_user, succ, mgr, e);
	}
	rc = end_change(st, id, now, rc, e);
	buf_release(&swhy);
	buf_release(&mwhy);
	return rc;
}

/* --- editing one item ------------------------------------------------------ */

int handover_item_update(struct store *st, const struct principal *p, long long id,
			 long long item_id, json_t *body, struct err *e)
{
	struct head h;
	struct stmt *s;
	const char *key, *resource = NULL;
	char res[32] = "", due[TIME_ISO_LEN], now[TIME_ISO_LEN], field[64];
	long long record_id = 0, old_owner = 0, new_owner = 0;
	int has_task = 0, rc, ok;
	json_t *v;
	time_t t;

	rc = head_load(st, p, id, &h, e);
	if (rc)
		return rc;
	s = store_prepare(st,
			  "SELECT resource, record_id, new_owner_id, task_subject IS NOT NULL "
			  "FROM handover_items WHERE id = ? AND handover_id = ?",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, item_id);
	stmt_bind_int(s, 2, id);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		snprintf(res, sizeof(res), "%s", stmt_text(s, 0));
		record_id = stmt_int(s, 1);
		old_owner = stmt_int(s, 2);
		has_task = (int)stmt_int(s, 3);
	} else if (!rc) {
		rc = fail(e, E_NOTFOUND, "handover %lld has no item %lld", id, item_id);
	}
	stmt_done(s);
	if (rc)
		return rc;
	resource = res;
	if (!json_is_object(body))
		return fail(e, E_INVAL, "the body must be a JSON object");
	json_object_foreach(body, key, v)
	{
		if (!strcmp(key, "new_owner_id")) {
			if (!json_is_integer(v) || json_integer_value(v) < 1) {
				err_field(e, key, "must be a user id");
				continue;
			}
			new_owner = json_integer_value(v);
			rc = assignable(st, p, h.from_user, new_owner, &ok, e);
			if (rc)
				return rc;
			if (!ok)
				err_field(e, key, "no active user %lld in the teams you manage%s",
					  new_owner,
					  new_owner == h.from_user ? " (it is the leaver)" : "");
		} else if (!strcmp(key, "included")) {
			if (!json_is_boolean(v))
				err_field(e, key, "must be true or false");
		} else if (!strcmp(key, "task_due_at")) {
			if (!has_task)
				err_field(e, key, "this item has no task");
			else if (!json_is_string(v) || time_parse_iso(json_string_value(v), &t))
				err_field(e, key, "must be an RFC 3339 date-time");
		} else if (!strcmp(key, "task_subject")) {
			if (!has_task)
				err_field(e, key, "this item has no task");
			else if (!json_is_string(v) || !json_string_length(v) ||
				 json_string_length(v) > 800)
				err_field(e, key, "must be text of 1 to %d characters",
					  SUBJECT_MAX);
			else {
				char tmp[1024];

				snprintf(tmp, sizeof(tmp), "%s", json_string_value(v));
				clip_chars(tmp, SUBJECT_MAX);
				if (strlen(tmp) != json_string_length(v))
					err_field(e, key, "must be text of 1 to %d characters",
						  SUBJECT_MAX);
			}
		} else {
			err_field(e, key,
				  "is not a member of an item change (new_owner_id, "
				  "included, task_due_at, task_subject)");
		}
	}
	rc = begin_change(st, &h, now, e);
	if (rc)
		return rc;
	if (new_owner && new_owner != old_owner) {
		/* the task goes with the record, except the leaver's own introduction
		 * call (middle funnel), which stays the leaver's */
		rc = store_run(st, e,
			       "UPDATE handover_items SET new_owner_id = ?1, task_owner_id = CASE "
			       "WHEN task_owner_id = ?3 THEN ?3 WHEN task_owner_id IS NULL THEN "
			       "NULL ELSE ?1 END WHERE id = ?2",
			       "iii", new_owner, item_id, h.from_user);
		/* what followed it (still with the old owner) follows the change:
		 * the account and contacts behind a deal, activities behind it */
		if (!rc)
			rc = store_run(st, e,
				       "UPDATE handover_items SET new_owner_id = ? WHERE "
				       "handover_id = ? AND follows_resource = ? AND follows_id = ? "
				       "AND new_owner_id = ?",
				       "iitii", new_owner, id, resource, record_id, old_owner);
		if (!rc) {
			snprintf(field, sizeof(field), "item %lld new_owner_id", item_id);
			rc = history_user(st, p, id, now, field, old_owner, new_owner, e);
		}
	}
	v = json_object_get(body, "included");
	if (!rc && v) {
		rc = store_run(st, e, "UPDATE handover_items SET included = ? WHERE id = ?", "ii",
			       (long long)(json_is_true(v)), item_id);
	}
	v = json_object_get(body, "task_due_at");
	if (!rc && v) {
		time_parse_iso(json_string_value(v), &t);
		time_iso(t, due);
		rc = set_text(st, "UPDATE handover_items SET task_due_at = ? WHERE id = ?", item_id,
			      due, e);
	}
	v = json_object_get(body, "task_subject");
	if (!rc && v)
		rc = set_text(st, "UPDATE handover_items SET task_subject = ? WHERE id = ?",
			      item_id, json_string_value(v), e);
	return end_change(st, id, now, rc, e);
}

/* --- execution ------------------------------------------------------------- */

/* The counts of what user `uid` owns, as one JSON object into w. */
static int owner_counts(struct store *st, long long uid, const char *name, const char *role,
			struct jw *w, struct err *e)
{
	static const char *const keys[] = {"opportunities", "leads", "accounts", "contacts",
					   "activities"};
	int k, rc = OK;

	jw_obj(w);
	jw_kint(w, "user_id", uid);
	jw_kstr(w, "name", name);
	jw_kstr(w, "role", role);
	for (k = 0; k < N(kinds) && !rc; k++) {
		char sql[256];
		struct stmt *s;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM (%s)", open_sql[k]);
		s = store_prepare(st, sql, e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, uid);
		rc = stmt_step(s, e);
		if (!rc)
			jw_kint(w, keys[k], stmt_int(s, 0));
		stmt_done(s);
	}
	jw_obj_end(w);
	return rc;
}

/* The people the execution concerns: the leaver, the successor, the
 * manager, and every other new owner or task owner, in that order. */
static int counts_json(struct store *st, long long hid, const struct head *h, struct jw *w,
		       struct err *e)
{
	struct stmt *s;
	long long ids[3] = {h->from_user, h->successor, h->manager};
	static const char *const roles[] = {"leaver", "successor", "manager"};
	struct person u;
	long long *more = NULL;
	int nmore = 0, i, rc;

	jw_arr(w);
	for (i = 0; i < 3; i++) {
		if (i == 2 && ids[2] == ids[1])
			continue;
		rc = person_load(st, ids[i], &u, e);
		if (!rc)
			rc = owner_counts(st, ids[i], u.name, roles[i], w, e);
		if (rc)
			return rc;
	}
	s = store_prepare(
		st,
		"SELECT DISTINCT u FROM (SELECT new_owner_id u FROM handover_items WHERE "
		"handover_id = ?1 AND included = 1 UNION SELECT task_owner_id FROM "
		"handover_items WHERE handover_id = ?1 AND included = 1 AND task_owner_id "
		"IS NOT NULL) WHERE u NOT IN (?2, ?3, ?4) ORDER BY u",
		e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, hid);
	stmt_bind_int(s, 2, ids[0]);
	stmt_bind_int(s, 3, ids[1]);
	stmt_bind_int(s, 4, ids[2]);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		long long *m = realloc(more, (size_t)(nmore + 1) * sizeof(*m));

		if (!m) {
			rc = fail(e, E_INTERNAL, "out of memory");
			break;
		}
		more = m;
		more[nmore++] = stmt_int(s, 0);
	}
	stmt_done(s);
	for (i = 0; i < nmore && !rc; i++) {
		rc = person_load(st, more[i], &u, e);
		if (!rc)
			rc = owner_counts(st, more[i], u.name, "new_owner", w, e);
	}
	free(more);
	jw_arr_end(w);
	return rc;
}

/* Refuse when the leaver owns an open record the plan does not include. */
static int check_complete(struct store *st, long long hid, long long leaver, struct err *e)
{
	int k, rc = OK, n = 0;

	for (k = 0; k < N(kinds); k++) {
		char sql[512];
		struct stmt *s;

		snprintf(sql, sizeof(sql),
			 "SELECT r.id, i.id IS NOT NULL FROM (%s) r LEFT JOIN handover_items i ON "
			 "i.handover_id = ?2 AND i.resource = '%s' AND i.record_id = r.id WHERE "
			 "i.id IS NULL OR i.included = 0 ORDER BY r.id",
			 open_sql[k], kinds[k].resource);
		s = store_prepare(st, sql, e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, leaver);
		stmt_bind_int(s, 2, hid);
		while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
			char field[64];

			if (++n > MAX_PROBLEMS)
				continue;
			snprintf(field, sizeof(field), "%s/%lld", kinds[k].resource,
				 stmt_int(s, 0));
			err_field(e, field, "%s",
				  stmt_int(s, 1) ? "still the leaver's but excluded from the plan"
						 : "the leaver's, and not in the plan (new since "
						   "planning)");
		}
		stmt_done(s);
		if (rc)
			return rc;
	}
	if (!n)
		return OK;
	return fail(e, E_CONFLICT,
		    "the leaver still owns %d open record%s outside the plan%s: re-plan (PATCH the "
		    "handover with its successor) or reassign them first",
		    n, n == 1 ? "" : "s", n > MAX_PROBLEMS ? " (the first ones are listed)" : "");
}

struct exec_item {
	long long id, record_id, new_owner, task_owner;
	int kind, skipped;
	char *subject, *due;
};

static void exec_items_free(struct exec_item *v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(v[i].subject);
		free(v[i].due);
	}
	free(v);
}

static int exec_items_load(struct store *st, long long hid, struct exec_item **out, int *n,
			   struct err *e)
{
	struct stmt *s =
		store_prepare(st,
			      "SELECT id, resource, record_id, new_owner_id, task_subject, "
			      "task_due_at, coalesce(task_owner_id, 0) FROM handover_items "
			      "WHERE handover_id = ? AND included = 1 ORDER BY id",
			      e);
	struct exec_item *v = NULL;
	int rc, cap = 0;

	*out = NULL;
	*n = 0;
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, hid);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		struct exec_item *it;

		if (*n == cap) {
			struct exec_item *nv;

			cap = cap ? cap * 2 : 32;
			nv = realloc(v, (size_t)cap * sizeof(*nv));
			if (!nv) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			v = nv;
		}
		it = &v[(*n)++];
		memset(it, 0, sizeof(*it));
		it->id = stmt_int(s, 0);
		it->kind = kind_of(stmt_text(s, 1));
		it->record_id = stmt_int(s, 2);
		it->new_owner = stmt_int(s, 3);
		it->subject = stmt_text(s, 4) ? strdup(stmt_text(s, 4)) : NULL;
		it->due = stmt_text(s, 5) ? strdup(stmt_text(s, 5)) : NULL;
		it->task_owner = stmt_int(s, 6);
	}
	stmt_done(s);
	*out = v;
	return rc;
}

/* Is record (kind, id) still the leaver's and open?  (It may have been
 * reassigned, closed or deleted since planning: the item is then skipped.) */
static int still_open(struct store *st, int kind, long long id, long long leaver, int *yes,
		      struct err *e)
{
	char sql[384];
	struct stmt *s;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM (%s) WHERE id = ?2", open_sql[kind]);
	s = store_prepare(st, sql, e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, leaver);
	stmt_bind_int(s, 2, id);
	rc = stmt_step(s, e);
	*yes = !rc && stmt_row(s);
	stmt_done(s);
	return rc;
}

static int item_done(struct store *st, long long item_id, const char *outcome,
		     long long activity_id, struct err *e)
{
	struct stmt *s =
		store_prepare(st,
			      "UPDATE handover_items SET outcome = ?, activity_id = ? WHERE "
			      "id = ?",
			      e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, outcome);
	if (activity_id)
		stmt_bind_int(s, 2, activity_id);
	else
		stmt_bind_null(s, 2);
	stmt_bind_int(s, 3, item_id);
	rc = stmt_step(s, e);
	stmt_done(s);
	return rc;
}

/* A failed item: say which, keep the record engine's problems, answer 409
 * (the state changed since planning). */
static int item_failed(struct err *e, const struct exec_item *it, const char *what, int rc)
{
	char msg[256];
	int i;

	if (!e)
		return rc == E_INVAL ? E_CONFLICT : rc;
	snprintf(msg, sizeof(msg), "%s", e->msg);
	for (i = 0; i < e->nfields && i < 3; i++) {
		size_t len = strlen(msg);

		snprintf(msg + len, sizeof(msg) - len, "%s %s %s", i ? ";" : ":",
			 e->fields[i].field, e->fields[i].message);
	}
	if (rc != E_INVAL && rc != E_NOTFOUND && rc != E_FORBIDDEN && rc != E_CONFLICT)
		return rc;
	e->nfields = 0;
	return fail(e, E_CONFLICT,
		    "item %lld (%s %lld) cannot be applied (%s): %.150s; edit the item or re-plan; "
		    "nothing was changed",
		    it->id, kinds[it->kind].singular, it->record_id, what, msg);
}

static const char *const related_names[] = {"opportunity", "lead", "account", "contact"};

int handover_execute(struct store *st, const struct principal *p, long long id, struct err *e)
{
	struct head h;
	struct person l;
	struct exec_item *items = NULL;
	struct buf counts = BUF_INIT;
	struct jw w;
	struct record rec;
	struct principal elevated;
	char now[TIME_ISO_LEN];
	json_t *body;
	struct stmt *s;
	int n = 0, i, rc, open;

	rc = head_load(st, p, id, &h, e);
	if (rc)
		return rc;
	rc = store_begin(st, e);
	if (rc)
		return rc;
	/* again inside the transaction: two executions queue up, one wins */
	rc = head_load(st, p, id, &h, e);
	if (!rc && strcmp(h.status, "draft"))
		rc = fail(e, E_CONFLICT, "handover %lld is %s already", id, h.status);
	if (!rc)
		rc = leaver_for(st, p, h.from_user, &l, e);
	if (!rc)
		rc = check_complete(st, id, h.from_user, e);
	if (!rc)
		rc = exec_items_load(st, id, &items, &n, e);
	if (rc)
		goto fail;
	time_iso(time_now(), now);
	jw_init(&w, &counts);
	jw_obj(&w);
	jw_key(&w, "before");
	rc = counts_json(st, id, &h, &w, e);
	if (rc)
		goto fail;

	/* owners first, through the record engine: each record's history says
	 * who moved it, and its rules (active owner, visibility) hold */
	for (i = 0; i < n; i++) {
		struct exec_item *it = &items[i];

		rc = still_open(st, it->kind, it->record_id, h.from_user, &open, e);
		if (rc)
			goto fail;
		if (!open) {
			rc = item_done(st, it->id, "skipped", 0, e);
			if (rc)
				goto fail;
			it->skipped = 1; /* no task either */
			continue;
		}
		body = json_pack("{s:I}", "owner_id", (json_int_t)it->new_owner);
		rc = record_update(st, p, kinds[it->kind].res, it->record_id, body, -1, &rec, e);
		json_decref(body);
		record_release(&rec);
		if (rc) {
			rc = item_failed(e, it, "owner", rc);
			goto fail;
		}
	}
	/* then the tasks, linked to their records; the leaver's introduction
	 * call goes to the deal's new owner, who is on the call too: the leaver's
	 * login ends below */
	for (i = 0; i < n; i++) {
		struct exec_item *it = &items[i];
		long long owner, act = 0;

		if (it->skipped)
			continue;
		if (it->subject && it->kind < 2) {
			owner = it->task_owner == h.from_user ? it->new_owner : it->task_owner;
			body = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "type", "task",
					 "subject", it->subject, "due_at", it->due, "related_type",
					 related_names[it->kind], "related_id",
					 (json_int_t)it->record_id, "owner_id", (json_int_t)owner);
			if (it->task_owner == h.from_user)
				json_object_set_new(
					body, "notes",
					json_sprintf(
						"%s leads this call before leaving: they "
						"introduce you to the client as the new contact.",
						l.name));
			rc = record_create(st, p, &activity_resource, body, 0, &rec, e);
			json_decref(body);
			act = rec.id;
			record_release(&rec);
			if (rc) {
				rc = item_failed(e, it, "task", rc);
				goto fail;
			}
		}
		rc = item_done(st, it->id, "applied", act, e);
		if (rc)
			goto fail;
	}

	/* the leaver's login and tokens end (user.c's after_write does it);
	 * a manager may do this for the people they hand over, hence the
	 * caller with an admin's rights for this one write, under their name */
	elevated = *p;
	elevated.role = ROLE_ADMIN;
	elevated.owners = NULL;
	elevated.nowners = 0;
	elevated.owners_json = NULL;
	body = json_pack("{s:b}", "active", 0);
	rc = record_update(st, &elevated, &user_resource, h.from_user, body, -1, &rec, e);
	json_decref(body);
	record_release(&rec);
	if (rc)
		goto fail;

	/* nothing open is left behind */
	rc = check_complete(st, -1, h.from_user, e);
	if (rc) {
		rc = fail(e, E_INTERNAL, "the leaver still owns open records after execution");
		goto fail;
	}
	jw_key(&w, "after");
	rc = counts_json(st, id, &h, &w, e);
	if (rc)
		goto fail;
	jw_obj_end(&w);
	if (counts.failed) {
		rc = fail(e, E_INTERNAL, "out of memory");
		goto fail;
	}
	s = store_prepare(
		st,
		"UPDATE handovers SET status = 'executed', executed_at = ?, executed_by = ?, "
		"counts = ?, updated_at = ?, version = version + 1 WHERE id = ?",
		e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_text(s, 1, now);
	if (p->user_id)
		stmt_bind_int(s, 2, p->user_id);
	else
		stmt_bind_null(s, 2);
	stmt_bind_text(s, 3, counts.data);
	stmt_bind_text(s, 4, now);
	stmt_bind_int(s, 5, id);
	rc = stmt_step(s, e);
	stmt_done(s);
	if (!rc)
		rc = history_add(st, "handovers", id, now, p->user_id, "update", "status", "draft",
				 "executed", e);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		goto fail;
	exec_items_free(items, n);
	buf_release(&counts);
	return OK;
fail:
	store_rollback(st);
	exec_items_free(items, n);
	buf_release(&counts);
	return rc;
}

/* --- JSON ------------------------------------------------------------------ */

static void person_json(struct jw *w, const char *key, struct store *st, long long id,
			struct err *e)
{
	struct person u;

	jw_key(w, key);
	if (!id || person_load(st, id, &u, e)) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kint(w, "id", u.id);
	jw_kstr(w, "name", u.name);
	jw_kstr(w, "email", u.email);
	jw_kbool(w, "active", u.active);
	jw_obj_end(w);
}

static void int_or_null(struct jw *w, const char *key, struct stmt *s, int col)
{
	jw_key(w, key);
	if (stmt_null(s, col))
		jw_null(w);
	else
		jw_int(w, stmt_int(s, col));
}

static int items_json(struct store *st, long long id, struct jw *w, struct err *e)
{
	int k, rc = OK;

	jw_key(w, "sections");
	jw_obj(w);
	for (k = 0; k < N(section_order) && !rc; k++) {
		/* records in the order of the work: deals, leads, then what
		 * follows them */
		struct stmt *s = store_prepare(
			st,
			"SELECT i.id, i.resource, i.record_id, i.label, i.stage, i.new_owner_id, "
			"u.name, i.action, i.task_subject, i.task_due_at, i.task_owner_id, t.name, "
			"i.follows_resource, i.follows_id, i.included, i.outcome, i.activity_id "
			"FROM handover_items i JOIN users u ON u.id = i.new_owner_id "
			"LEFT JOIN users t ON t.id = i.task_owner_id "
			"WHERE i.handover_id = ? AND i.section = ? ORDER BY CASE i.resource "
			"WHEN 'opportunities' THEN 1 WHEN 'leads' THEN 2 WHEN 'accounts' THEN 3 "
			"WHEN 'contacts' THEN 4 ELSE 5 END, i.id",
			e);

		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, id);
		stmt_bind_text(s, 2, section_order[k]);
		jw_key(w, section_order[k]);
		jw_arr(w);
		while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
			jw_obj(w);
			jw_kint(w, "id", stmt_int(s, 0));
			jw_kstr(w, "resource", stmt_text(s, 1));
			jw_kint(w, "record_id", stmt_int(s, 2));
			jw_kstr(w, "label", stmt_text(s, 3));
			jw_kstr(w, "section", section_order[k]);
			jw_kstr(w, "stage", stmt_text(s, 4));
			jw_kint(w, "new_owner_id", stmt_int(s, 5));
			jw_kstr(w, "new_owner_name", stmt_text(s, 6));
			jw_kstr(w, "action", stmt_text(s, 7));
			jw_kstr(w, "task_subject", stmt_text(s, 8));
			jw_kstr(w, "task_due_at", stmt_text(s, 9));
			int_or_null(w, "task_owner_id", s, 10);
			jw_kstr(w, "task_owner_name", stmt_text(s, 11));
			jw_kstr(w, "follows_resource", stmt_text(s, 12));
			int_or_null(w, "follows_id", s, 13);
			jw_kbool(w, "included", (int)stmt_int(s, 14));
			jw_kstr(w, "outcome", stmt_text(s, 15));
			int_or_null(w, "activity_id", s, 16);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		stmt_done(s);
	}
	jw_obj_end(w);
	return rc;
}

/* How many included items per section and per kind. */
static int tallies_json(struct store *st, long long id, struct jw *w, struct err *e)
{
	static const char *const sql[] = {
		"SELECT count(*) FROM handover_items WHERE handover_id = ? AND included = 1 AND "
		"section = ?",
		"SELECT count(*) FROM handover_items WHERE handover_id = ? AND included = 1 AND "
		"resource = ?",
	};
	int g, k, rc = OK;

	jw_key(w, "planned");
	jw_obj(w);
	for (g = 0; g < 2 && !rc; g++) {
		int nk = g ? N(kinds) : N(section_order);

		jw_key(w, g ? "by_resource" : "by_section");
		jw_obj(w);
		for (k = 0; k < nk && !rc; k++) {
			const char *name = g ? kinds[k].resource : section_order[k];
			struct stmt *s = store_prepare(st, sql[g], e);

			if (!s)
				return E_INTERNAL;
			stmt_bind_int(s, 1, id);
			stmt_bind_text(s, 2, name);
			rc = stmt_step(s, e);
			if (!rc)
				jw_kint(w, name, stmt_int(s, 0));
			stmt_done(s);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
	return rc;
}

static int history_json(struct store *st, long long id, struct jw *w, struct err *e)
{
	struct stmt *s =
		store_prepare(st,
			      "SELECT h.at, h.actor_id, u.name, h.action, h.field, h.old, "
			      "h.new FROM history h LEFT JOIN users u ON u.id = h.actor_id "
			      "WHERE h.resource = 'handovers' AND h.record_id = ? ORDER BY "
			      "h.id",
			      e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	jw_key(w, "history");
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		jw_obj(w);
		jw_kstr(w, "at", stmt_text(s, 0));
		int_or_null(w, "actor_id", s, 1);
		jw_kstr(w, "actor_name", stmt_text(s, 2));
		jw_kstr(w, "action", stmt_text(s, 3));
		jw_kstr(w, "field", stmt_text(s, 4));
		jw_kstr(w, "old", stmt_text(s, 5));
		jw_kstr(w, "new", stmt_text(s, 6));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	stmt_done(s);
	return rc;
}

#define HEAD_SQL                                                                                   \
	"SELECT id, status, from_user, successor, manager, successor_auto, successor_reason, "     \
	"manager_reason, note, planned_at, created_by, created_at, updated_at, executed_at, "      \
	"executed_by, counts, version FROM handovers "

/* The members every handover answer has (list entries and the full one). */
static void head_json(struct store *st, struct stmt *s, struct jw *w, struct err *e)
{
	long long from = stmt_int(s, 2), succ = stmt_int(s, 3), mgr = stmt_int(s, 4);
	char *status = strdup(stmt_text(s, 1));

	jw_kint(w, "id", stmt_int(s, 0));
	jw_kstr(w, "status", status ? status : "");
	free(status);
	jw_key(w, "successor_choice");
	jw_obj(w);
	jw_kbool(w, "automatic", (int)stmt_int(s, 5));
	jw_kstr(w, "reason", stmt_text(s, 6));
	jw_kstr(w, "load_measure",
		"open opportunities owned (count); ties broken by their weighted amount "
		"(amount x probability)");
	jw_obj_end(w);
	jw_kstr(w, "manager_reason", stmt_text(s, 7));
	jw_kstr(w, "note", stmt_text(s, 8));
	jw_kstr(w, "planned_at", stmt_text(s, 9));
	int_or_null(w, "created_by", s, 10);
	jw_kstr(w, "created_at", stmt_text(s, 11));
	jw_kstr(w, "updated_at", stmt_text(s, 12));
	jw_kstr(w, "executed_at", stmt_text(s, 13));
	int_or_null(w, "executed_by", s, 14);
	jw_kint(w, "version", stmt_int(s, 16));
	/* person_json() queries: the statement's text is not needed after this */
	person_json(w, "from_user", st, from, e);
	person_json(w, "successor", st, succ, e);
	person_json(w, "manager", st, mgr, e);
}

int handover_json(struct store *st, const struct principal *p, long long id, struct jw *w,
		  struct err *e)
{
	struct head h;
	struct stmt *s;
	char *counts = NULL;
	int rc;

	rc = head_load(st, p, id, &h, e);
	if (rc)
		return rc;
	s = store_prepare(st, HEAD_SQL "WHERE id = ?", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = fail(e, E_NOTFOUND, "no handover with id %lld", id);
	if (rc) {
		stmt_done(s);
		return rc;
	}
	if (stmt_text(s, 15))
		counts = strdup(stmt_text(s, 15));
	jw_obj(w);
	head_json(st, s, w, e);
	stmt_done(s);
	jw_key(w, "counts");
	jw_obj(w);
	rc = tallies_json(st, id, w, e);
	{
		/* stored at execution as {"before": [...], "after": [...]} */
		json_t *c = NULL;
		static const char *const when[] = {"before", "after"};
		int i;

		if (counts && json_parse(counts, strlen(counts), &c, NULL))
			c = NULL;
		for (i = 0; i < 2; i++) {
			json_t *v = c ? json_object_get(c, when[i]) : NULL;
			char *txt = v ? json_dumps(v, JSON_COMPACT) : NULL;

			jw_key(w, when[i]);
			jw_raw(w, txt ? txt : "[]");
			free(txt);
		}
		json_decref(c);
	}
	jw_obj_end(w);
	if (!rc)
		rc = items_json(st, id, w, e);
	if (!rc)
		rc = history_json(st, id, w, e);
	jw_obj_end(w);
	free(counts);
	return rc;
}

int handover_list_json(struct store *st, const struct principal *p, struct jw *w, struct err *e)
{
	struct stmt *s;
	long long *ids = NULL;
	int n = 0, i, rc;

	if (!principal_is_manager(p))
		return fail(e, E_FORBIDDEN, "only managers and admins hand records over");
	s = store_prepare(st, "SELECT id, from_user FROM handovers ORDER BY id DESC", e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		long long *v;

		if (!principal_sees_owner(p, stmt_int(s, 1)))
			continue;
		v = realloc(ids, (size_t)(n + 1) * sizeof(*v));
		if (!v) {
			rc = fail(e, E_INTERNAL, "out of memory");
			break;
		}
		ids = v;
		ids[n++] = stmt_int(s, 0);
	}
	stmt_done(s);
	jw_obj(w);
	jw_key(w, "data");
	jw_arr(w);
	for (i = 0; i < n && !rc; i++) {
		s = store_prepare(st, HEAD_SQL "WHERE id = ?", e);
		if (!s) {
			rc = E_INTERNAL;
			break;
		}
		stmt_bind_int(s, 1, ids[i]);
		rc = stmt_step(s, e);
		if (!rc && stmt_row(s)) {
			jw_obj(w);
			head_json(st, s, w, e);
			jw_obj_end(w);
		}
		stmt_done(s);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	free(ids);
	return rc;
}
