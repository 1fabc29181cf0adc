/*
 * test_record.c — the record engine against a real, migrated SQLite file:
 * decoding every field type (strict and lenient), create / get / update /
 * delete, visibility for reps and managers in a team tree, list query
 * parsing and keyset paging.
 *
 * The group setup builds one organisation, used by every test:
 *
 *     Sales (sales_mgr)
 *     ├── East (east_mgr, rep1)
 *     └── West (rep2)
 *
 * Tests create their own records with names of their own, so they do not
 * depend on one another.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the project's headers first: cmocka defines a fail() macro that would
 * clash with err.h's fail() declaration */
#include "core/log.h"
#include "crm/records/auth.h"
#include "crm/records/record.h"
#include "crm/records/resources.h"
#include "crm/records/user.h"

#include <cmocka.h>

static struct world {
	char path[64];
	struct store *st;
	struct principal sys;
	long long sales, east, west;                   /* teams */
	long long sales_mgr, east_mgr, rep1, rep2, gone; /* users */
} W;

/* --- helpers ------------------------------------------------------------- */

/* JSON from text written with single quotes, for readable bodies. */
static json_t *J(const char *fmt, ...)
{
	char text[4096], *c;
	json_error_t je;
	json_t *j;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (c = text; *c; c++)
		if (*c == '\'')
			*c = '"';
	j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		fail_msg("bad test JSON %s: %s", text, je.text);
	return j;
}

static void dump_err(const struct err *e)
{
	int i;

	print_error("  error %d: %s\n", e->code, e->msg);
	for (i = 0; i < e->nfields; i++)
		print_error("    %s: %s\n", e->fields[i].field, e->fields[i].message);
}

/* Does e report `field` with a message containing `frag`? */
static int has_field(const struct err *e, const char *field, const char *frag)
{
	int i;

	for (i = 0; i < e->nfields; i++)
		if (!strcmp(e->fields[i].field, field) && strstr(e->fields[i].message, frag))
			return 1;
	return 0;
}

#define assert_field(e, field, frag)                                                   \
	do {                                                                           \
		if (!has_field((e), (field), (frag))) {                                \
			dump_err(e);                                                   \
			fail_msg("no error on %s with \"%s\"", (field), (frag));       \
		}                                                                      \
	} while (0)

/* Create a record; fail the test unless it works.  Returns its id. */
static long long create_ok(const struct principal *p, const struct resource *r,
			   const char *fmt, ...)
{
	char text[4096];
	struct record out;
	struct err e;
	json_t *body;
	long long id;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	body = J("%s", text);
	err_clear(&e);
	rc = record_create(W.st, p, r, body, 0, &out, &e);
	json_decref(body);
	if (rc) {
		dump_err(&e);
		fail_msg("creating %s %s failed", r->singular, text);
	}
	id = out.id;
	assert_true(id > 0);
	record_release(&out);
	return id;
}

/* Create a record expecting failure `code`; e receives the problems. */
static void create_fails(const struct principal *p, const struct resource *r, int code,
			 struct err *e, const char *fmt, ...)
{
	char text[4096];
	struct record out;
	json_t *body;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	body = J("%s", text);
	err_clear(e);
	rc = record_create(W.st, p, r, body, 0, &out, e);
	json_decref(body);
	record_release(&out);
	if (rc != code) {
		dump_err(e);
		fail_msg("creating %s %s: got %d, want %d", r->singular, text, rc, code);
	}
}

/* Update record `id` of r as p with body (released here), If-Match `match`;
 * its answer, with the record into out and the problems into e. */
static int update(const struct principal *p, const struct resource *r, long long id,
		  long long match, struct record *out, struct err *e, json_t *body)
{
	int rc;

	err_clear(e);
	rc = record_update(W.st, p, r, id, body, match, out, e);
	json_decref(body);
	return rc;
}

static long long user_ok(const char *email, const char *role, long long team)
{
	char t[32] = "null";

	if (team)
		snprintf(t, sizeof(t), "%lld", team);
	return create_ok(&W.sys, &user_resource,
			 "{'email':'%s','name':'%s','role':'%s','team_id':%s,"
			 "'password':'correct horse battery'}",
			 email, email, role, t);
}

static void load_principal(long long id, struct principal *p)
{
	struct err e;

	err_clear(&e);
	if (principal_load(W.st, id, p, &e)) {
		dump_err(&e);
		fail_msg("principal_load(%lld)", id);
	}
}

/* Decode a body onto a fresh record of r. */
static int decode(const struct resource *r, int lenient, struct record *rec, struct err *e,
		  const char *fmt, ...)
{
	char text[4096];
	json_t *body;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	body = J("%s", text);
	record_init(rec, r);
	err_clear(e);
	rc = record_decode(r, body, lenient, rec, e);
	json_decref(body);
	return rc;
}

static void json_of(const struct record *rec, struct buf *b)
{
	struct jw w;

	buf_reset(b);
	jw_init(&w, b);
	record_json(rec, &w);
	assert_false(b->failed);
}

/* --- the world ----------------------------------------------------------- */

static int world_up(void **state)
{
	struct err e;
	int fd;

	(void)state;
	log_min_level = LOG_ERROR;
	unsetenv("FUNNEL_NOW");
	if (auth_init())
		return -1;
	snprintf(W.path, sizeof(W.path), "/tmp/funnel-unit-record-XXXXXX");
	fd = mkstemp(W.path);
	if (fd < 0)
		return -1;
	close(fd);
	err_clear(&e);
	if (store_open(W.path, STORE_CREATE, &W.st, &e) || store_migrate(W.st, &e)) {
		print_error("setup: %s\n", e.msg);
		return -1;
	}
	principal_system(&W.sys);
	W.sales = create_ok(&W.sys, &team_resource, "{'name':'Sales'}");
	W.east = create_ok(&W.sys, &team_resource, "{'name':'East','parent_id':%lld}", W.sales);
	W.west = create_ok(&W.sys, &team_resource, "{'name':'West','parent_id':%lld}", W.sales);
	W.sales_mgr = user_ok("boss@example.com", "manager", W.sales);
	W.east_mgr = user_ok("east@example.com", "manager", W.east);
	W.rep1 = user_ok("rep1@example.com", "rep", W.east);
	W.rep2 = user_ok("rep2@example.com", "rep", W.west);
	W.gone = user_ok("gone@example.com", "rep", W.west);
	return 0;
}

static int world_down(void **state)
{
	char side[256];

	(void)state;
	store_close(W.st);
	unlink(W.path);
	snprintf(side, sizeof(side), "%s-wal", W.path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", W.path);
	unlink(side);
	return 0;
}

/* --- decoding ------------------------------------------------------------ */

static void test_decode_all_problems_at_once(void **state)
{
	struct record rec;
	struct err e;

	(void)state;
	assert_int_equal(decode(&opportunity_resource, 0, &rec, &e,
				"{'name':5,'close_date':'2026-02-30','probability':101,"
				"'channel':'moon','account_id':-1,'currency':'eur','amount':true,"
				"'colour':'red','id':3,'closed_at':'2026-01-01T00:00:00Z',"
				"'stage':['x'],'version':2}"),
			 E_INVAL);
	assert_int_equal(e.code, E_INVAL);
	assert_string_equal(e.msg, "invalid input");
	assert_int_equal(e.nfields, 12);
	assert_field(&e, "name", "must be a string, not number");
	assert_field(&e, "close_date", "YYYY-MM-DD");
	assert_field(&e, "probability", "between 0 and 100");
	assert_field(&e, "channel", "must be one of: field, inside, partner, web, retail");
	assert_field(&e, "account_id", "positive id");
	assert_field(&e, "currency", "ISO 4217");
	assert_field(&e, "amount", "not boolean");
	assert_field(&e, "colour", "is not a field of opportunity");
	assert_field(&e, "id", "set by the server");
	assert_field(&e, "version", "set by the server");
	assert_field(&e, "closed_at", "set by the server"); /* read-only */
	assert_field(&e, "stage", "must be a string, not array");
	record_release(&rec);

	/* not an object at all */
	record_init(&rec, &account_resource);
	err_clear(&e);
	{
		json_t *arr = json_array();

		assert_int_equal(record_decode(&account_resource, arr, 0, &rec, &e), E_INVAL);
		json_decref(arr);
	}
	assert_non_null(strstr(e.msg, "must be a JSON object"));
	assert_int_equal(e.nfields, 0);
}

static void test_decode_text_and_ints(void **state)
{
	struct record rec;
	struct err e;
	char longname[512];
	int i;

	(void)state;
	/* valid values land in the record, marked set */
	assert_int_equal(decode(&account_resource, 0, &rec, &e,
				"{'name':'Acme','employees':250,'domain':null,"
				"'address':'Line 1\\nLine 2\\tx'}"),
			 OK);
	assert_string_equal(record_text(&rec, "name"), "Acme");
	assert_int_equal(record_int(&rec, "employees"), 250);
	assert_true(rec.v[record_field(&account_resource, "domain")].set);
	assert_null(record_text(&rec, "domain"));
	assert_string_equal(record_text(&rec, "address"), "Line 1\nLine 2\tx");
	assert_false(rec.v[record_field(&account_resource, "phone")].set);
	record_release(&rec);

	/* one-line text refuses control characters; long text allows new lines */
	assert_int_equal(decode(&account_resource, 0, &rec, &e,
				"{'name':'a\\nb','phone':'1\\u007f','address':'a\\u0001'}"),
			 E_INVAL);
	assert_field(&e, "name", "control characters");
	assert_field(&e, "phone", "control characters");
	assert_field(&e, "address", "control characters");
	record_release(&rec);

	/* lengths count characters, not bytes */
	for (i = 0; i < 200; i++)
		memcpy(longname + 2 * i, "\xc3\xa9", 2);
	longname[400] = '\0';
	assert_int_equal(decode(&account_resource, 0, &rec, &e, "{'name':'%s'}", longname), OK);
	record_release(&rec);
	assert_int_equal(decode(&account_resource, 0, &rec, &e, "{'name':'%sx'}", longname),
			 E_INVAL);
	assert_field(&e, "name", "at most 200 characters");
	record_release(&rec);

	/* required text may not be empty */
	assert_int_equal(decode(&account_resource, 0, &rec, &e, "{'name':''}"), E_INVAL);
	assert_field(&e, "name", "must not be empty");
	record_release(&rec);

	/* integers: strict wants JSON integers in range */
	assert_int_equal(decode(&account_resource, 0, &rec, &e,
				"{'employees':'250','owner_id':1.5}"),
			 E_INVAL);
	assert_field(&e, "employees", "must be an integer, not a string");
	assert_field(&e, "owner_id", "must be an integer, not number");
	record_release(&rec);
	assert_int_equal(decode(&account_resource, 0, &rec, &e, "{'employees':-1}"), E_INVAL);
	assert_field(&e, "employees", "between 0 and 10000000");
	record_release(&rec);
	assert_int_equal(decode(&account_resource, 0, &rec, &e, "{'employees':10000001}"),
			 E_INVAL);
	assert_field(&e, "employees", "between 0 and 10000000");
	record_release(&rec);
	/* a reference may come as a numeric string (ids in URLs and forms) */
	assert_int_equal(decode(&contact_resource, 0, &rec, &e, "{'account_id':'12'}"), OK);
	assert_int_equal(record_int(&rec, "account_id"), 12);
	record_release(&rec);
	assert_int_equal(decode(&contact_resource, 0, &rec, &e, "{'account_id':'12x'}"),
			 E_INVAL);
	assert_field(&e, "account_id", "must be an integer");
	record_release(&rec);
	assert_int_equal(decode(&contact_resource, 0, &rec, &e, "{'account_id':0}"), E_INVAL);
	assert_field(&e, "account_id", "positive id");
	record_release(&rec);
}

static void test_decode_other_types(void **state)
{
	struct record rec;
	struct err e;

	(void)state;
	/* e-mail, boolean */
	assert_int_equal(decode(&contact_resource, 0, &rec, &e,
				"{'email':'ann@example.com','decision_maker':true}"),
			 OK);
	assert_string_equal(record_text(&rec, "email"), "ann@example.com");
	assert_int_equal(record_int(&rec, "decision_maker"), 1);
	record_release(&rec);
	assert_int_equal(decode(&contact_resource, 0, &rec, &e,
				"{'email':'not-an-address','decision_maker':'yes'}"),
			 E_INVAL);
	assert_field(&e, "email", "e-mail address");
	assert_field(&e, "decision_maker", "true or false"); /* strict: no strings */
	record_release(&rec);
	assert_int_equal(decode(&contact_resource, 0, &rec, &e, "{'email':'a b@example.com'}"),
			 E_INVAL);
	assert_field(&e, "email", "e-mail address");
	record_release(&rec);
	assert_int_equal(decode(&contact_resource, 0, &rec, &e, "{'email':'ann@example.'}"),
			 E_INVAL);
	record_release(&rec);

	/* instants are normalised to UTC; a zone is required */
	assert_int_equal(decode(&activity_resource, 0, &rec, &e,
				"{'type':'call','subject':'Call','due_at':'2026-11-22T12:00:00+02:00',"
				"'done_at':'2026-11-22T10:00:00.250Z','related_id':5}"),
			 OK);
	assert_string_equal(record_text(&rec, "due_at"), "2026-11-22T10:00:00Z");
	assert_string_equal(record_text(&rec, "done_at"), "2026-11-22T10:00:00Z");
	record_release(&rec);
	assert_int_equal(decode(&activity_resource, 0, &rec, &e,
				"{'type':'fax','due_at':'2026-11-22T12:00:00','related_id':0,"
				"'notes':5}"),
			 E_INVAL);
	assert_field(&e, "type", "must be one of: call, meeting, email, task, note");
	assert_field(&e, "due_at", "with a zone");
	assert_field(&e, "related_id", "between 1 and");
	assert_field(&e, "notes", "must be a string, not number");
	record_release(&rec);

	/* dates, percent */
	assert_int_equal(decode(&opportunity_resource, 0, &rec, &e,
				"{'close_date':'2024-02-29','probability':0}"),
			 OK);
	assert_string_equal(record_text(&rec, "close_date"), "2024-02-29");
	assert_int_equal(record_int(&rec, "probability"), 0);
	record_release(&rec);
	assert_int_equal(decode(&opportunity_resource, 0, &rec, &e,
				"{'close_date':'2026-1-01','probability':-1}"),
			 E_INVAL);
	assert_field(&e, "close_date", "YYYY-MM-DD");
	assert_field(&e, "probability", "between 0 and 100");
	record_release(&rec);

	/* money stays text until the currency is known; its type is checked now */
	assert_int_equal(decode(&opportunity_resource, 0, &rec, &e,
				"{'amount':{'v':1},'currency':'XYZ'}"),
			 E_INVAL);
	assert_field(&e, "amount", "not object");
	assert_field(&e, "currency", "ISO 4217");
	record_release(&rec);
}

static void test_decode_lenient(void **state)
{
	static const char *const yes[] = {"true", "1", "yes"};
	static const char *const no[] = {"false", "0", "no"};
	struct record rec;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(decode(&contact_resource, 1, &rec, &e,
					"{'decision_maker':'%s'}", yes[i]),
				 OK);
		assert_int_equal(record_int(&rec, "decision_maker"), 1);
		record_release(&rec);
		assert_int_equal(decode(&contact_resource, 1, &rec, &e,
					"{'decision_maker':'%s'}", no[i]),
				 OK);
		assert_false(rec.v[record_field(&contact_resource, "decision_maker")].null);
		assert_int_equal(record_int(&rec, "decision_maker"), 0);
		record_release(&rec);
	}
	assert_int_equal(decode(&contact_resource, 1, &rec, &e, "{'decision_maker':'maybe'}"),
			 E_INVAL);
	assert_field(&e, "decision_maker", "true or false");
	record_release(&rec);

	/* numeric strings are numbers; other strings are still refused */
	assert_int_equal(decode(&account_resource, 1, &rec, &e,
				"{'employees':'250','owner_id':'7'}"),
			 OK);
	assert_int_equal(record_int(&rec, "employees"), 250);
	assert_int_equal(record_int(&rec, "owner_id"), 7);
	record_release(&rec);
	assert_int_equal(decode(&account_resource, 1, &rec, &e,
				"{'employees':'2.5e2','owner_id':' 7'}"),
			 E_INVAL);
	assert_field(&e, "employees", "must be an integer");
	assert_field(&e, "owner_id", "must be an integer");
	record_release(&rec);
	assert_int_equal(decode(&account_resource, 1, &rec, &e, "{'employees':'99999999'}"),
			 E_INVAL);
	assert_field(&e, "employees", "between");
	record_release(&rec);

	/* an empty string means "not given", even for required fields */
	assert_int_equal(decode(&contact_resource, 1, &rec, &e,
				"{'last_name':'','email':'','decision_maker':'','first_name':'Ann'}"),
			 OK);
	assert_false(rec.v[record_field(&contact_resource, "last_name")].set);
	assert_false(rec.v[record_field(&contact_resource, "email")].set);
	assert_false(rec.v[record_field(&contact_resource, "decision_maker")].set);
	assert_string_equal(record_text(&rec, "first_name"), "Ann");
	record_release(&rec);

	/* read-only fields are skipped quietly (an export read back in) */
	assert_int_equal(decode(&opportunity_resource, 1, &rec, &e,
				"{'closed_at':'2026-01-01T00:00:00Z','stage_entered_at':'x'}"),
			 OK);
	assert_false(rec.v[record_field(&opportunity_resource, "closed_at")].set);
	record_release(&rec);
	/* but unknown and server fields are still reported */
	assert_int_equal(decode(&opportunity_resource, 1, &rec, &e, "{'colour':'','id':'1'}"),
			 E_INVAL);
	assert_field(&e, "colour", "is not a field");
	assert_field(&e, "id", "set by the server");
	record_release(&rec);
}

/* --- create / get / update / delete -------------------------------------- */

static void test_create_get_system(void **state)
{
	struct record rec, got;
	struct buf b = BUF_INIT;
	struct err e;
	json_t *body;
	long long id;

	(void)state;
	body = J("{'name':'Crud GmbH','employees':12,'owner_id':%lld,'domain':'crud.example'}",
		 W.rep1);
	err_clear(&e);
	assert_int_equal(record_create(W.st, &W.sys, &account_resource, body, 0, &rec, &e), OK);
	json_decref(body);
	id = rec.id;
	assert_true(id > 0);
	assert_int_equal(rec.version, 1);
	assert_int_equal(rec.created_by, 0); /* the system is nobody */
	assert_int_equal(strlen(rec.created_at), TIME_ISO_LEN - 1);
	assert_string_equal(rec.created_at, rec.updated_at);
	assert_string_equal(record_text(&rec, "name"), "Crud GmbH");
	assert_int_equal(record_int(&rec, "owner_id"), W.rep1);
	assert_null(record_text(&rec, "phone"));

	assert_int_equal(record_get(W.st, &W.sys, &account_resource, id, &got, &e), OK);
	assert_int_equal(got.id, id);
	assert_string_equal(record_text(&got, "domain"), "crud.example");
	assert_int_equal(record_int(&got, "employees"), 12);
	json_of(&got, &b);
	assert_non_null(strstr(b.data, "\"name\":\"Crud GmbH\""));
	assert_non_null(strstr(b.data, "\"phone\":null"));
	assert_non_null(strstr(b.data, "\"version\":1"));
	assert_non_null(strstr(b.data, "\"created_by\":null"));
	record_release(&got);
	record_release(&rec);

	/* no such record */
	err_clear(&e);
	assert_int_equal(record_get(W.st, &W.sys, &account_resource, 999999, &got, &e),
			 E_NOTFOUND);
	assert_non_null(strstr(e.msg, "no account with id 999999"));
	record_release(&got);
	buf_release(&b);
}

static void test_create_refusals(void **state)
{
	struct err e;

	(void)state;
	/* the system has no user id to default the owner to */
	create_fails(&W.sys, &account_resource, E_INVAL, &e, "{'name':'Ownerless'}");
	assert_field(&e, "owner_id", "is required");
	/* the owner must be an active user */
	create_fails(&W.sys, &account_resource, E_INVAL, &e, "{'name':'X','owner_id':987654}");
	assert_field(&e, "owner_id", "no active user 987654");
	/* required fields and references, all at once */
	create_fails(&W.sys, &contact_resource, E_INVAL, &e, "{'first_name':'Ann','owner_id':%lld}",
		     W.rep1);
	assert_field(&e, "last_name", "is required");
	assert_field(&e, "account_id", "is required");
	create_fails(&W.sys, &contact_resource, E_INVAL, &e,
		     "{'last_name':'Doe','account_id':424242,'owner_id':%lld}", W.rep1);
	assert_field(&e, "account_id", "no account with id 424242");
	/* decoding problems stop before the database */
	create_fails(&W.sys, &account_resource, E_INVAL, &e, "{'name':'X','nope':1}");
	assert_field(&e, "nope", "is not a field of account");
	/* teams: unique names answer a conflict */
	create_fails(&W.sys, &team_resource, E_CONFLICT, &e, "{'name':'Sales'}");
	assert_field(&e, "name", "another team");
	/* users: a duplicate e-mail (any case) is a conflict; short password */
	create_fails(&W.sys, &user_resource, E_CONFLICT, &e,
		     "{'email':'REP1@example.com','name':'Dup','role':'rep',"
		     "'password':'correct horse battery'}");
	assert_field(&e, "email", "already used");
	create_fails(&W.sys, &user_resource, E_INVAL, &e,
		     "{'email':'short@example.com','name':'S','role':'rep','password':'short'}");
	assert_field(&e, "password", "at least 8");
}

/* Deals whose amount (and currency) are `money`, a JSON fragment: the
 * minor units stored and how the amount is written back. */
static const struct {
	const char *money;
	long long minor;
	const char *json; /* NULL: not checked */
} money_ok[] = {
	/* currencies with 0 and 3 decimals; JSON numbers */
	{"'amount':150000,'currency':'JPY'", 150000, "\"amount\":150000,"},
	{"'amount':1.234,'currency':'KWD'", 1234, "\"amount\":1.234,"},
	{"'amount':19.99", 1999, NULL},
};

/* Refusals name the field. */
static const struct {
	const char *money, *field, *message;
} money_bad[] = {
	{"'amount':'1.5','currency':'JPY'", "amount", "whole number"},
	{"'amount':10.005", "amount", "more decimals"},
	{"'amount':'12,50'", "amount", "decimal number"},
	{"'stage':'nirvana'", "stage", "not a stage"},
};

static void test_money_fields(void **state)
{
	struct record rec;
	struct buf b = BUF_INIT;
	struct err e;
	long long acc, id;
	size_t i;

	(void)state;
	acc = create_ok(&W.sys, &account_resource, "{'name':'Money AG','owner_id':%lld}",
			W.rep1);
	id = create_ok(&W.sys, &opportunity_resource,
		       "{'name':'Euro deal','account_id':%lld,'owner_id':%lld,"
		       "'close_date':'2026-12-31','amount':'1234.5'}",
		       acc, W.rep1);
	assert_int_equal(record_get(W.st, &W.sys, &opportunity_resource, id, &rec, &e), OK);
	assert_int_equal(record_int(&rec, "amount"), 123450);
	assert_string_equal(record_text(&rec, "currency"), "EUR"); /* the default */
	/* the stage defaults come from the default pipeline */
	assert_string_equal(record_text(&rec, "stage"), "prequalification");
	assert_string_equal(record_text(&rec, "status"), "open");
	assert_string_equal(record_text(&rec, "forecast_category"), "pipeline");
	assert_int_equal(record_int(&rec, "probability"), 10);
	assert_non_null(record_text(&rec, "stage_entered_at"));
	assert_null(record_text(&rec, "closed_at"));
	json_of(&rec, &b);
	assert_non_null(strstr(b.data, "\"amount\":1234.50,"));
	record_release(&rec);

	for (i = 0; i < sizeof(money_ok) / sizeof(money_ok[0]); i++) {
		id = create_ok(&W.sys, &opportunity_resource,
			       "{'name':'Deal %zu','account_id':%lld,'owner_id':%lld,"
			       "'close_date':'2026-12-31',%s}",
			       i, acc, W.rep1, money_ok[i].money);
		assert_int_equal(record_get(W.st, &W.sys, &opportunity_resource, id, &rec, &e), OK);
		assert_int_equal(record_int(&rec, "amount"), money_ok[i].minor);
		json_of(&rec, &b);
		if (money_ok[i].json)
			assert_non_null(strstr(b.data, money_ok[i].json));
		record_release(&rec);
	}
	for (i = 0; i < sizeof(money_bad) / sizeof(money_bad[0]); i++) {
		create_fails(&W.sys, &opportunity_resource, E_INVAL, &e,
			     "{'name':'Bad %zu','account_id':%lld,'owner_id':%lld,"
			     "'close_date':'2026-12-31',%s}",
			     i, acc, W.rep1, money_bad[i].money);
		assert_field(&e, money_bad[i].field, money_bad[i].message);
	}
	buf_release(&b);
}

static void test_update_delete(void **state)
{
	struct record rec, out;
	struct buf b = BUF_INIT;
	struct jw w;
	struct err e;
	long long id, contact;

	(void)state;
	id = create_ok(&W.sys, &account_resource, "{'name':'Before','owner_id':%lld}", W.rep1);

	/* a partial update with the right version */
	assert_int_equal(update(&W.sys, &account_resource, id, 1, &out, &e,
				J("{'name':'After','phone':'+49 30 1234'}")),
			 OK);
	assert_int_equal(out.version, 2);
	assert_string_equal(record_text(&out, "name"), "After");
	assert_string_equal(record_text(&out, "phone"), "+49 30 1234");
	assert_int_equal(record_int(&out, "owner_id"), W.rep1); /* untouched */
	record_release(&out);

	/* a stale version is refused */
	assert_int_equal(update(&W.sys, &account_resource, id, 1, &out, &e,
				J("{'name':'Lost update'}")),
			 E_PRECOND);
	assert_non_null(strstr(e.msg, "version 1, now 2"));
	record_release(&out);

	/* writing the same values changes nothing, not even the version */
	assert_int_equal(update(&W.sys, &account_resource, id, -1, &out, &e,
				J("{'name':'After'}")),
			 OK);
	assert_int_equal(out.version, 2);
	record_release(&out);

	/* invalid updates: nulls on required fields, server fields */
	assert_int_equal(update(&W.sys, &account_resource, id, -1, &out, &e,
				J("{'name':null,'owner_id':null,'version':7}")),
			 E_INVAL);
	assert_field(&e, "version", "set by the server");
	record_release(&out);
	assert_int_equal(update(&W.sys, &account_resource, id, -1, &out, &e,
				J("{'name':null}")),
			 E_INVAL);
	assert_field(&e, "name", "may not be null");
	record_release(&out);
	assert_int_equal(update(&W.sys, &account_resource, id, -1, &out, &e,
				J("{'owner_id':null}")),
			 E_INVAL);
	assert_field(&e, "owner_id", "is required");
	record_release(&out);
	/* nothing of the refused writes stuck */
	assert_int_equal(record_get(W.st, &W.sys, &account_resource, id, &rec, &e), OK);
	assert_int_equal(rec.version, 2);
	assert_string_equal(record_text(&rec, "name"), "After");
	record_release(&rec);

	/* the history has the change, old and new */
	jw_init(&w, &b);
	err_clear(&e);
	assert_int_equal(record_history(W.st, &W.sys, &account_resource, id, &w, &e), OK);
	assert_non_null(strstr(b.data, "\"action\":\"create\""));
	assert_non_null(
		strstr(b.data, "\"action\":\"update\",\"field\":\"name\",\"old\":\"Before\","
			       "\"new\":\"After\""));
	assert_non_null(strstr(b.data, "\"field\":\"phone\",\"old\":null,\"new\":\"+49 30 1234\""));

	/* deleting: the version must match, and nothing may refer to it */
	contact = create_ok(&W.sys, &contact_resource,
			    "{'last_name':'Doe','account_id':%lld,'owner_id':%lld}", id, W.rep1);
	err_clear(&e);
	assert_int_equal(record_delete(W.st, &W.sys, &account_resource, id, 1, &e), E_PRECOND);
	err_clear(&e);
	assert_int_equal(record_delete(W.st, &W.sys, &account_resource, id, 2, &e), E_CONFLICT);
	assert_non_null(strstr(e.msg, "cannot be deleted while other records refer to it"));
	err_clear(&e);
	assert_int_equal(record_delete(W.st, &W.sys, &contact_resource, contact, -1, &e), OK);
	assert_int_equal(record_delete(W.st, &W.sys, &account_resource, id, 2, &e), OK);
	err_clear(&e);
	assert_int_equal(record_get(W.st, &W.sys, &account_resource, id, &rec, &e), E_NOTFOUND);
	record_release(&rec);
	err_clear(&e);
	assert_int_equal(record_delete(W.st, &W.sys, &account_resource, id, -1, &e), E_NOTFOUND);
	/* updating a deleted record */
	assert_int_equal(update(&W.sys, &account_resource, id, -1, &out, &e,
				J("{'name':'Ghost'}")),
			 E_NOTFOUND);
	record_release(&out);
	buf_release(&b);
}

/* A CSV row goes through record_create with lenient decoding. */
static void test_create_lenient(void **state)
{
	struct record out;
	struct err e;
	json_t *body;
	long long acc;

	(void)state;
	acc = create_ok(&W.sys, &account_resource, "{'name':'Csv Ltd','owner_id':%lld}", W.rep1);
	body = J("{'last_name':'Row','first_name':'','email':'','decision_maker':'',"
		 "'account_id':'%lld','owner_id':'%lld','phone':''}",
		 acc, W.rep1);
	err_clear(&e);
	if (record_create(W.st, &W.sys, &contact_resource, body, 1, &out, &e)) {
		dump_err(&e);
		fail_msg("a CSV row with empty cells was refused");
	}
	json_decref(body);
	assert_null(record_text(&out, "first_name"));
	assert_null(record_text(&out, "email"));
	assert_int_equal(record_int(&out, "decision_maker"), 0); /* the column's default */
	assert_int_equal(record_int(&out, "account_id"), acc);
	record_release(&out);

	body = J("{'last_name':'Yes','decision_maker':'yes','account_id':'%lld',"
		 "'owner_id':'%lld'}",
		 acc, W.rep1);
	err_clear(&e);
	assert_int_equal(record_create(W.st, &W.sys, &contact_resource, body, 1, &out, &e), OK);
	json_decref(body);
	assert_int_equal(record_int(&out, "decision_maker"), 1);
	record_release(&out);

	/* an empty required cell is reported as missing */
	body = J("{'last_name':'','account_id':'%lld','owner_id':'%lld'}", acc, W.rep1);
	err_clear(&e);
	assert_int_equal(record_create(W.st, &W.sys, &contact_resource, body, 1, &out, &e),
			 E_INVAL);
	json_decref(body);
	assert_field(&e, "last_name", "is required");
	record_release(&out);

	/* lenient money: a decimal string in the row's currency */
	body = J("{'name':'Csv deal','account_id':'%lld','owner_id':'%lld',"
		 "'close_date':'2026-06-30','amount':'99.9','currency':'USD','probability':'35'}",
		 acc, W.rep1);
	err_clear(&e);
	assert_int_equal(record_create(W.st, &W.sys, &opportunity_resource, body, 1, &out, &e),
			 OK);
	json_decref(body);
	assert_int_equal(record_int(&out, "amount"), 9990);
	assert_int_equal(record_int(&out, "probability"), 35);
	record_release(&out);
}

/* --- principals and visibility -------------------------------------------- */

static int count_row(const struct record *rec, void *ctx)
{
	(void)rec;
	(*(int *)ctx)++;
	return 0;
}

static int list_count(const struct principal *p, const struct resource *r, const char *k,
		      const char *v)
{
	struct kv kv = {k, v};
	struct list_query q;
	struct err e;
	char *next = NULL;
	int n = 0;

	err_clear(&e);
	assert_int_equal(list_query_parse(r, &kv, 1, &q, &e), OK);
	assert_int_equal(record_list(W.st, p, r, &q, count_row, &n, &next, NULL, &e), OK);
	free(next);
	list_query_release(&q);
	return n;
}

static void test_principals(void **state)
{
	struct principal p;
	struct err e;

	(void)state;
	load_principal(W.rep1, &p);
	assert_int_equal(p.role, ROLE_REP);
	assert_int_equal(p.team_id, W.east);
	assert_string_equal(p.email, "rep1@example.com");
	assert_int_equal(p.nowners, 1);
	assert_true(principal_sees_owner(&p, W.rep1));
	assert_false(principal_sees_owner(&p, W.rep2));
	assert_false(principal_is_manager(&p));
	principal_release(&p);

	/* a manager sees their team and every team below it */
	load_principal(W.sales_mgr, &p);
	assert_int_equal(p.role, ROLE_MANAGER);
	assert_true(principal_sees_owner(&p, W.sales_mgr));
	assert_true(principal_sees_owner(&p, W.east_mgr));
	assert_true(principal_sees_owner(&p, W.rep1));
	assert_true(principal_sees_owner(&p, W.rep2));
	assert_true(principal_is_manager(&p));
	assert_false(principal_is_admin(&p));
	principal_release(&p);

	load_principal(W.east_mgr, &p);
	assert_true(principal_sees_owner(&p, W.rep1));
	assert_false(principal_sees_owner(&p, W.rep2));
	assert_false(principal_sees_owner(&p, W.sales_mgr));
	assert_non_null(p.owners_json);
	assert_int_equal(p.nowners, 2);
	principal_release(&p);

	/* unknown users are not principals */
	err_clear(&e);
	assert_int_equal(principal_load(W.st, 999999, &p, &e), E_AUTH);
	principal_release(&p);
}

static void test_visibility(void **state)
{
	struct principal r1, r2, em, sm;
	struct record rec;
	struct err e;
	long long a1, a2, c2, o2;

	(void)state;
	load_principal(W.rep1, &r1);
	load_principal(W.rep2, &r2);
	load_principal(W.east_mgr, &em);
	load_principal(W.sales_mgr, &sm);

	/* a rep's record is theirs by default */
	a1 = create_ok(&r1, &account_resource, "{'name':'Vis One','territory':'Vis'}");
	assert_int_equal(record_get(W.st, &r1, &account_resource, a1, &rec, &e), OK);
	assert_int_equal(record_int(&rec, "owner_id"), W.rep1);
	assert_int_equal(rec.created_by, W.rep1);
	record_release(&rec);
	a2 = create_ok(&r2, &account_resource, "{'name':'Vis Two','territory':'Vis'}");

	/* reps do not see each other's records: as if they did not exist */
	err_clear(&e);
	assert_int_equal(record_get(W.st, &r2, &account_resource, a1, &rec, &e), E_NOTFOUND);
	assert_non_null(strstr(e.msg, "no account with id"));
	record_release(&rec);
	assert_int_equal(record_visible(W.st, &r2, &account_resource, a1, NULL), E_NOTFOUND);
	assert_int_equal(record_visible(W.st, &r1, &account_resource, a1, NULL), OK);
	assert_int_equal(update(&r2, &account_resource, a1, -1, &rec, &e,
				J("{'name':'Hijack'}")),
			 E_NOTFOUND);
	record_release(&rec);
	err_clear(&e);
	assert_int_equal(record_delete(W.st, &r2, &account_resource, a1, -1, &e), E_NOTFOUND);

	/* managers see their subtree */
	assert_int_equal(record_visible(W.st, &em, &account_resource, a1, NULL), OK);
	assert_int_equal(record_visible(W.st, &em, &account_resource, a2, NULL), E_NOTFOUND);
	assert_int_equal(record_visible(W.st, &sm, &account_resource, a1, NULL), OK);
	assert_int_equal(record_visible(W.st, &sm, &account_resource, a2, NULL), OK);
	assert_int_equal(list_count(&r1, &account_resource, "territory", "Vis"), 1);
	assert_int_equal(list_count(&r2, &account_resource, "territory", "Vis"), 1);
	assert_int_equal(list_count(&em, &account_resource, "territory", "Vis"), 1);
	assert_int_equal(list_count(&sm, &account_resource, "territory", "Vis"), 2);
	assert_int_equal(list_count(&W.sys, &account_resource, "territory", "Vis"), 2);

	/* only managers assign records to others, and only inside their subtree */
	create_fails(&r1, &account_resource, E_FORBIDDEN, &e,
		     "{'name':'Gift','owner_id':%lld}", W.rep2);
	assert_non_null(strstr(e.msg, "only managers and admins"));
	create_fails(&em, &account_resource, E_INVAL, &e, "{'name':'Far','owner_id':%lld}",
		     W.rep2);
	assert_field(&e, "owner_id", "in the teams you manage");
	create_ok(&sm, &account_resource, "{'name':'Assigned','owner_id':%lld}", W.rep2);
	/* reassigning your own record to someone else is assigning too */
	assert_int_equal(update(&r1, &account_resource, a1, -1, &rec, &e,
				J("{'owner_id':%lld}", W.rep2)),
			 E_FORBIDDEN);
	record_release(&rec);

	/* a contact is visible through its account, an account through a deal on it */
	c2 = create_ok(&W.sys, &contact_resource,
		       "{'last_name':'Via','account_id':%lld,'owner_id':%lld}", a1, W.rep2);
	assert_int_equal(record_visible(W.st, &r1, &contact_resource, c2, NULL), OK);
	assert_int_equal(record_visible(W.st, &r2, &contact_resource, c2, NULL), OK);
	assert_int_equal(record_visible(W.st, &em, &contact_resource, c2, NULL), OK);
	assert_int_equal(record_visible(W.st, &r2, &account_resource, a1, NULL), E_NOTFOUND);
	o2 = create_ok(&W.sys, &opportunity_resource,
		       "{'name':'Cross deal','account_id':%lld,'owner_id':%lld,"
		       "'close_date':'2026-12-31'}",
		       a1, W.rep2);
	assert_int_equal(record_visible(W.st, &r2, &account_resource, a1, NULL), OK);
	assert_int_equal(record_visible(W.st, &r1, &opportunity_resource, o2, NULL), E_NOTFOUND);
	/* a rep cannot link a deal to an account they cannot see */
	create_fails(&r1, &opportunity_resource, E_INVAL, &e,
		     "{'name':'Blind','account_id':%lld,'close_date':'2026-12-31'}", a2);
	assert_field(&e, "account_id", "no account with id");

	/* users are readable by all, written by admins only */
	assert_int_equal(record_get(W.st, &r1, &user_resource, W.rep2, &rec, &e), OK);
	assert_string_equal(record_text(&rec, "email"), "rep2@example.com");
	record_release(&rec);
	create_fails(&sm, &user_resource, E_FORBIDDEN, &e,
		     "{'email':'new@example.com','name':'N','role':'rep',"
		     "'password':'correct horse battery'}");
	err_clear(&e);
	assert_int_equal(record_delete(W.st, &r1, &team_resource, W.west, -1, &e), E_FORBIDDEN);

	principal_release(&r1);
	principal_release(&r2);
	principal_release(&em);
	principal_release(&sm);
}

static void test_disabled_user(void **state)
{
	struct principal p;
	struct record out;
	struct err e;

	(void)state;
	load_principal(W.gone, &p);
	principal_release(&p);
	assert_int_equal(update(&W.sys, &user_resource, W.gone, -1, &out, &e,
				J("{'active':false}")),
			 OK);
	assert_int_equal(record_int(&out, "active"), 0);
	record_release(&out);
	err_clear(&e);
	assert_int_equal(principal_load(W.st, W.gone, &p, &e), E_AUTH);
	principal_release(&p);
	/* nor can records be given to them */
	create_fails(&W.sys, &account_resource, E_INVAL, &e, "{'name':'To gone','owner_id':%lld}",
		     W.gone);
	assert_field(&e, "owner_id", "no active user");
}

/* --- lists ------------------------------------------------------------------ */

/* Parse params given as "k=v" strings; expects `code`. */
static int parse(const struct resource *r, struct list_query *q, struct err *e, int n, ...)
{
	struct kv kv[16];
	char store[16][128];
	va_list ap;
	int i, rc;

	va_start(ap, n);
	for (i = 0; i < n; i++) {
		char *eq;

		snprintf(store[i], sizeof(store[i]), "%s", va_arg(ap, const char *));
		eq = strchr(store[i], '=');
		if (eq)
			*eq++ = '\0';
		kv[i].k = store[i];
		kv[i].v = eq;
	}
	va_end(ap);
	err_clear(e);
	rc = list_query_parse(r, kv, n, q, e);
	return rc;
}

static void parse_bad(const struct resource *r, const char *param, const char *field,
		      const char *frag)
{
	struct list_query q;
	struct err e;

	if (parse(r, &q, &e, 1, param) != E_INVAL)
		fail_msg("%s?%s was accepted", r->name, param);
	assert_field(&e, field, frag);
	/* released already; releasing again is harmless */
	list_query_release(&q);
}

static void test_list_query_parse(void **state)
{
	struct list_query q;
	struct err e;
	char cursor[64];
	size_t n;

	(void)state;
	/* defaults */
	assert_int_equal(parse(&account_resource, &q, &e, 0), OK);
	assert_int_equal(q.limit, 50);
	assert_int_equal(q.sort, -1);
	assert_false(q.desc);
	assert_false(q.has_cursor);
	list_query_release(&q);
	/* good values */
	assert_int_equal(parse(&account_resource, &q, &e, 5, "limit=200", "sort=-name",
			       "total=true", "q=acme", "employees_from=10"),
			 OK);
	assert_int_equal(q.limit, 200);
	assert_int_equal(q.sort, record_field(&account_resource, "name"));
	assert_true(q.desc);
	assert_true(q.want_total);
	assert_string_equal(q.q, "acme");
	assert_int_equal(q.nbinds, 1);
	list_query_release(&q);
	assert_int_equal(parse(&account_resource, &q, &e, 2, "limit=1", "sort=created_at"), OK);
	assert_int_equal(q.limit, 1);
	assert_int_equal(q.sort, -2);
	list_query_release(&q);

	parse_bad(&account_resource, "limit=0", "limit", "from 1 to 200");
	parse_bad(&account_resource, "limit=201", "limit", "from 1 to 200");
	parse_bad(&account_resource, "limit=-5", "limit", "from 1 to 200");
	parse_bad(&account_resource, "limit=ten", "limit", "from 1 to 200");
	parse_bad(&account_resource, "limit=", "limit", "from 1 to 200");
	parse_bad(&account_resource, "colour=red", "colour", "is not a query parameter");
	parse_bad(&account_resource, "phone=1", "phone", "is not a query parameter");
	parse_bad(&account_resource, "sort=nope", "sort", "cannot sort accounts by nope");
	parse_bad(&account_resource, "sort=-domain", "sort", "cannot sort accounts by domain");
	parse_bad(&account_resource, "sort=--name", "sort", "cannot sort");
	parse_bad(&account_resource, "total=yes", "total", "true or false");
	parse_bad(&account_resource, "cursor=!!!", "cursor", "not a cursor");
	parse_bad(&account_resource, "cursor=YWJj", "cursor", "not a cursor"); /* "abc" */
	parse_bad(&account_resource, "cursor=LTU6eA", "cursor", "not a cursor"); /* "-5:x" */
	parse_bad(&account_resource, "cursor=eDp5", "cursor", "not a cursor");   /* "x:y" */
	parse_bad(&account_resource, "employees_from=many", "employees_from", "integer");
	parse_bad(&account_resource, "nope_from=1", "nope_from", "is not a filter");
	parse_bad(&account_resource, "name_to=b", "name_to", "is not a filter");
	parse_bad(&account_resource, "created_at_from=2026-13-01", "created_at_from",
		  "date or date-time");
	parse_bad(&account_resource, "domain=", "domain", "must not be empty");
	parse_bad(&account_resource, "domain=,,", "domain", "must not be empty");
	parse_bad(&lead_resource, "status=bogus", "status", "must be one of");
	parse_bad(&opportunity_resource, "amount_from=1.2345", "amount_from", "more decimals");
	parse_bad(&opportunity_resource, "amount_to=1e3", "amount_to", "decimal number");
	parse_bad(&opportunity_resource, "close_date_to=2026-02-30", "close_date_to",
		  "YYYY-MM-DD");
	parse_bad(&account_resource, "q=a\x01" "b", "q", "200 characters");

	/* several problems at once */
	assert_int_equal(parse(&account_resource, &q, &e, 3, "limit=0", "sort=x", "zzz=1"),
			 E_INVAL);
	assert_int_equal(e.nfields, 3);
	list_query_release(&q);

	/* a cursor this server would give out: base64url of "5:Acme" */
	n = sizeof(cursor);
	snprintf(cursor, n, "cursor=%s", "NTpBY21l");
	assert_int_equal(parse(&account_resource, &q, &e, 2, cursor, "sort=name"), OK);
	assert_true(q.has_cursor);
	assert_int_equal(q.after_id, 5);
	assert_string_equal(q.after_val, "Acme");
	list_query_release(&q);

	/* filters on several values, ranges on dates */
	assert_int_equal(parse(&opportunity_resource, &q, &e, 4, "status=open,won",
			       "amount_from=10.5", "close_date_to=2026-12-31",
			       "created_at_to=2026-11-22"),
			 OK);
	assert_int_equal(q.nbinds, 5);
	assert_string_equal(q.binds[4].s, "2026-11-22T23:59:59Z"); /* the whole day */
	list_query_release(&q);
}

/* More filter values than the query can bind are refused, not dropped. */
static void test_list_query_too_many(void **state)
{
	char many[512] = "", *c = many;
	struct kv kv[2] = {{"domain", many}, {"employees_from", "1"}};
	struct list_query q;
	struct err e;
	int i;

	(void)state;
	for (i = 0; i < 64; i++)
		c += sprintf(c, "%sd%d", i ? "," : "", i);
	err_clear(&e);
	assert_int_equal(list_query_parse(&account_resource, kv, 1, &q, &e), OK);
	assert_int_equal(q.nbinds, 64);
	list_query_release(&q);
	/* a 65th value in the list */
	strcat(many, ",d64");
	err_clear(&e);
	assert_int_equal(list_query_parse(&account_resource, kv, 1, &q, &e), E_INVAL);
	assert_field(&e, "domain", "too many");
	list_query_release(&q);
	/* or one more as a range */
	c = strrchr(many, ',');
	*c = '\0';
	err_clear(&e);
	assert_int_equal(list_query_parse(&account_resource, kv, 2, &q, &e), E_INVAL);
	assert_field(&e, "employees_from", "too many");
	list_query_release(&q);
}

struct page {
	char names[512];
	long long ids[16];
	int n;
};

static int collect(const struct record *rec, void *ctx)
{
	struct page *pg = ctx;
	size_t len = strlen(pg->names);

	snprintf(pg->names + len, sizeof(pg->names) - len, "%s%s", len ? "," : "",
		 record_text(rec, "name"));
	if (pg->n < 16)
		pg->ids[pg->n] = rec->id;
	pg->n++;
	return 0;
}

/* One page of r for principal p with the given params plus cursor (may be
 * NULL); returns the next cursor (caller frees) and fills pg. */
static char *page(const struct principal *p, const struct resource *r, const char *cursor,
		  struct page *pg, long long *total, int n, ...)
{
	struct kv kv[8];
	char store[8][128];
	struct list_query q;
	struct err e;
	char *next = NULL;
	va_list ap;
	int i, rc;

	memset(pg, 0, sizeof(*pg));
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		char *eq;

		snprintf(store[i], sizeof(store[i]), "%s", va_arg(ap, const char *));
		eq = strchr(store[i], '=');
		*eq++ = '\0';
		kv[i].k = store[i];
		kv[i].v = eq;
	}
	va_end(ap);
	if (cursor) {
		kv[n].k = "cursor";
		kv[n].v = cursor;
		n++;
	}
	err_clear(&e);
	rc = list_query_parse(r, kv, n, &q, &e);
	if (rc) {
		dump_err(&e);
		fail_msg("list_query_parse");
	}
	rc = record_list(W.st, p, r, &q, collect, pg, &next, total, &e);
	list_query_release(&q);
	if (rc) {
		dump_err(&e);
		fail_msg("record_list");
	}
	return next;
}

static void test_list_paging(void **state)
{
	static const char *const names[] = {"Echo", "Birch", "Acme", "Fjord",
					    "Birch", "Dune", "Cobalt"};
	struct page pg;
	long long ids[7], total = -1;
	char *c1, *c2, *c3;
	size_t i;

	(void)state;
	for (i = 0; i < 7; i++)
		ids[i] = create_ok(&W.sys, &account_resource,
				   "{'name':'%s','territory':'Paging','owner_id':%lld,"
				   "'employees':%zu,'industry':'%s'}",
				   names[i], W.rep2, 100 * (i % 3), names[i]);

	/* by name, three a page; ties (the two Birch) in id order */
	c1 = page(&W.sys, &account_resource, NULL, &pg, &total, 4, "territory=Paging",
		  "sort=name", "limit=3", "total=true");
	assert_string_equal(pg.names, "Acme,Birch,Birch");
	assert_true(pg.ids[1] == ids[1] && pg.ids[2] == ids[4]);
	assert_int_equal(total, 7);
	assert_non_null(c1);
	c2 = page(&W.sys, &account_resource, c1, &pg, &total, 4, "territory=Paging", "sort=name",
		  "limit=3", "total=true");
	assert_string_equal(pg.names, "Cobalt,Dune,Echo");
	assert_int_equal(total, 7); /* the total ignores the cursor */
	assert_non_null(c2);
	c3 = page(&W.sys, &account_resource, c2, &pg, NULL, 3, "territory=Paging", "sort=name",
		  "limit=3");
	assert_string_equal(pg.names, "Fjord");
	assert_null(c3);
	free(c1);
	free(c2);

	/* a cursor splitting the two Birch rows */
	c1 = page(&W.sys, &account_resource, NULL, &pg, NULL, 3, "territory=Paging", "sort=name",
		  "limit=2");
	assert_string_equal(pg.names, "Acme,Birch");
	c2 = page(&W.sys, &account_resource, c1, &pg, NULL, 3, "territory=Paging", "sort=name",
		  "limit=2");
	assert_string_equal(pg.names, "Birch,Cobalt");
	assert_int_equal(pg.ids[0], ids[4]);
	free(c1);
	free(c2);

	/* descending: ties in descending id order too */
	c1 = page(&W.sys, &account_resource, NULL, &pg, NULL, 3, "territory=Paging",
		  "sort=-name", "limit=4");
	assert_string_equal(pg.names, "Fjord,Echo,Dune,Cobalt");
	c2 = page(&W.sys, &account_resource, c1, &pg, NULL, 3, "territory=Paging", "sort=-name",
		  "limit=4");
	assert_string_equal(pg.names, "Birch,Birch,Acme");
	assert_true(pg.ids[0] == ids[4] && pg.ids[1] == ids[1]);
	assert_null(c2);
	free(c1);

	/* by id (the default), two a page, through to the end */
	c1 = page(&W.sys, &account_resource, NULL, &pg, NULL, 2, "territory=Paging", "limit=2");
	assert_true(pg.ids[0] == ids[0] && pg.ids[1] == ids[1]);
	for (i = 1; c1; i++) {
		c2 = page(&W.sys, &account_resource, c1, &pg, NULL, 2, "territory=Paging",
			  "limit=2");
		assert_int_equal(pg.ids[0], ids[2 * i]);
		free(c1);
		c1 = c2;
	}
	assert_int_equal(i, 4); /* pages of 2, 2, 2, 1 */
	assert_int_equal(pg.n, 1);

	/* exactly a page's worth: no cursor to an empty page */
	c1 = page(&W.sys, &account_resource, NULL, &pg, NULL, 2, "territory=Paging", "limit=7");
	assert_int_equal(pg.n, 7);
	assert_null(c1);

	/* descending by id, and filters with several values */
	c1 = page(&W.sys, &account_resource, NULL, &pg, NULL, 3, "territory=Paging", "sort=-id",
		  "industry=Acme,Dune,Nope");
	assert_string_equal(pg.names, "Dune,Acme");
	assert_null(c1);

	/* integer ranges; search */
	c1 = page(&W.sys, &account_resource, NULL, &pg, NULL, 3, "territory=Paging",
		  "employees_from=100", "employees_to=100");
	assert_string_equal(pg.names, "Birch,Birch");
	c1 = page(&W.sys, &account_resource, NULL, &pg, NULL, 3, "territory=Paging",
		  "employees_from=150", "employees_to=10000000");
	assert_string_equal(pg.names, "Acme,Dune");
	c1 = page(&W.sys, &account_resource, NULL, &pg, NULL, 2, "territory=Paging", "q=ir");
	assert_string_equal(pg.names, "Birch,Birch");
	/* LIKE wildcards in q are literal */
	c1 = page(&W.sys, &account_resource, NULL, &pg, NULL, 2, "territory=Paging", "q=%");
	assert_int_equal(pg.n, 0);

	/* what a rep cannot see is not listed (these belong to rep2) */
	{
		struct principal r1;

		load_principal(W.rep1, &r1);
		c1 = page(&r1, &account_resource, NULL, &pg, &total, 2, "territory=Paging",
			  "total=true");
		assert_int_equal(pg.n, 0);
		assert_int_equal(total, 0);
		principal_release(&r1);
	}
}

/* Keyset paging on an integer sort column (money), with ties. */
static void test_list_paging_money(void **state)
{
	static const char *const amounts[] = {"5", "1.50", "5", "20", "0.99", "5"};
	struct page pg;
	long long acc;
	char *c1, *c2, *c3;
	size_t i;

	(void)state;
	acc = create_ok(&W.sys, &account_resource, "{'name':'Amounts','owner_id':%lld}", W.rep1);
	for (i = 0; i < 6; i++)
		create_ok(&W.sys, &opportunity_resource,
			  "{'name':'Amt%zu','account_id':%lld,'owner_id':%lld,"
			  "'close_date':'2026-12-31','amount':'%s'}",
			  i, acc, W.rep1, amounts[i]);
	{
		char filter[64];

		snprintf(filter, sizeof(filter), "account_id=%lld", acc);
		c1 = page(&W.sys, &opportunity_resource, NULL, &pg, NULL, 3, filter,
			  "sort=amount", "limit=2");
		assert_string_equal(pg.names, "Amt4,Amt1");
		c2 = page(&W.sys, &opportunity_resource, c1, &pg, NULL, 3, filter, "sort=amount",
			  "limit=2");
		assert_string_equal(pg.names, "Amt0,Amt2");
		c3 = page(&W.sys, &opportunity_resource, c2, &pg, NULL, 3, filter, "sort=amount",
			  "limit=2");
		assert_string_equal(pg.names, "Amt5,Amt3");
		assert_null(c3);
		free(c1);
		free(c2);
		c1 = page(&W.sys, &opportunity_resource, NULL, &pg, NULL, 3, filter,
			  "amount_from=1.5", "amount_to=5");
		assert_string_equal(pg.names, "Amt0,Amt1,Amt2,Amt5");
		assert_null(c1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_all_problems_at_once),
		cmocka_unit_test(test_decode_text_and_ints),
		cmocka_unit_test(test_decode_other_types),
		cmocka_unit_test(test_decode_lenient),
		cmocka_unit_test(test_create_get_system),
		cmocka_unit_test(test_create_refusals),
		cmocka_unit_test(test_money_fields),
		cmocka_unit_test(test_update_delete),
		cmocka_unit_test(test_create_lenient),
		cmocka_unit_test(test_principals),
		cmocka_unit_test(test_visibility),
		cmocka_unit_test(test_disabled_user),
		cmocka_unit_test(test_list_query_parse),
		cmocka_unit_test(test_list_query_too_many),
		cmocka_unit_test(test_list_paging),
		cmocka_unit_test(test_list_paging_money),
	};

	return cmocka_run_group_tests_name("record", tests, world_up, world_down);
}
