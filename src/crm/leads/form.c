/*
 * form.c — web-to-lead forms (see form.h): the declaration, its checks, and
 * the public submission with assignment.
 */
#include "form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/email.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "crm/records/resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const struct field fields[] = {
	{"slug", FT_TEXT, FF_REQUIRED | FF_FILTER | FF_SORT | FF_SEARCH | FF_UNIQUE, 0, 64, NULL, NULL,
	 "The public form's address, /f/<slug>: a-z, 0-9 and '-' (unique)"},
	{"name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH, 0, 200, NULL, NULL,
	 "Title shown on the form; leads get the source 'web form: <name>'"},
	{"fields", FT_JSON, FF_REQUIRED | FF_NOTNULL, 0, 200000, NULL, NULL,
	 "The questions: an array of {name, label, type (text, email, tel, textarea, select, "
	 "checkbox), required, options (select), maps_to (a lead field or "
	 "'qualification.<key>')}"},
	{"pipeline_id", FT_REF, FF_FILTER, 0, 0, NULL, "pipelines",
	 "Process map of the leads it brings (converted deals follow it)"},
	{"team_id", FT_REF, FF_FILTER, 0, 0, NULL, "teams",
	 "Team whose reps get the leads (by territory, channel, else in turn)"},
	{"owner_id", FT_REF, FF_FILTER, 0, 0, NULL, "users",
	 "Fixed owner of every lead, before any other rule"},
	{"channel", FT_ENUM, FF_FILTER, 0, 0, channel_choices, NULL,
	 "Sales channel of its leads; picks reps of that channel"},
	{"thank_you_url", FT_TEXT, 0, 0, 500, NULL, NULL,
	 "http(s) address shown after a submission (default: a built-in page)"},
	{"active", FT_BOOL, FF_FILTER | FF_NOTNULL, 0, 0, NULL, NULL,
	 "false: the public form answers 404"},
	{"submissions", FT_INT, FF_READONLY | FF_SORT, 0, 9007199254740991LL, NULL, NULL,
	 "Leads it brought"},
	{"spam_blocked", FT_INT, FF_READONLY, 0, 9007199254740991LL, NULL, NULL,
	 "Submissions refused as spam (the honeypot was filled)"},
};

static const char *const types[] = {"text", "email", "tel", "textarea", "select", "checkbox",
				    NULL};

/* The lead fields a question may fill, with their lengths (lead.c). */
static const struct {
	const char *name;
	int max;
} lead_targets[] = {
	{"first_name", 100}, {"last_name", 100}, {"company", 200},   {"email", 254},
	{"phone", 50},       {"title", 100},     {"industry", 100}, {"territory", 100},
};

#define QUALIFICATION_MAX 1000 /* characters of one qualification answer */

static int one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* Max characters of an answer mapped to `maps_to`; 0 when it maps nowhere. */
static int target_max(const char *maps_to)
{
	int i;

	if (!strncmp(maps_to, "qualification.", 14))
		return utf8_key(maps_to + 14, 64) ? QUALIFICATION_MAX : 0;
	for (i = 0; i < N(lead_targets); i++)
		if (!strcmp(maps_to, lead_targets[i].name))
			return lead_targets[i].max;
	return 0;
}

int form_check_qualification(const char *field, const char *q, struct err *e)
{
	json_t *j, *v;
	const char *k;
	char where[64];
	int n = 0;

	if (json_parse(q, strlen(q), &j, NULL))
		return err_field(e, field, "must be a JSON object");
	if (!json_is_object(j)) {
		json_decref(j);
		return err_field(e, field, "must be a JSON object of answers");
	}
	json_object_foreach(j, k, v) {
		snprintf(where, sizeof(where), "%s.%.40s", field, k);
		if (++n > FORM_MAX_QUESTIONS) {
			err_field(e, field, "must have at most %d answers", FORM_MAX_QUESTIONS);
			break;
		}
		if (!utf8_key(k, 64))
			err_field(e, where, "keys are 1 to 64 of a-z, 0-9 and _");
		else if (!json_is_string(v))
			err_field(e, where, "must be a string, not %s", json_type_name(v));
		else if (utf8_chars(json_string_value(v), 1) < 0)
			err_field(e, where, "must not contain control characters");
		else if (utf8_chars(json_string_value(v), 1) > QUALIFICATION_MAX)
			err_field(e, where, "must be at most %d characters", QUALIFICATION_MAX);
	}
	json_decref(j);
	return e && e->nfields ? E_INVAL : OK;
}

/* --- the declaration's checks ------------------------------------------- */

static int check_question(json_t *q, int i, json_t *seen_names, json_t *seen_maps,
			  int *has_last_name, struct err *e)
{
	static const char *const props[] = {"name",     "label",   "type", "required",
					    "options",  "maps_to", NULL};
	char where[64];
	const char *k, *name, *type, *maps;
	json_t *v, *opts;
	size_t j;

#define AT(prop) (snprintf(where, sizeof(where), "fields[%d].%s", i, prop), where)
	if (!json_is_object(q)) {
		snprintf(where, sizeof(where), "fields[%d]", i);
		return err_field(e, where, "must be an object {name, label, type, maps_to, ...}");
	}
	json_object_foreach(q, k, v)
		if (!one_of(k, props))
			err_field(e, AT(k), "is not a property of a question");
	name = json_string_value(json_object_get(q, "name"));
	if (!name || !utf8_key(name, 64))
		err_field(e, AT("name"), "must be 1 to 64 of a-z, 0-9 and _");
	else if (!strcmp(name, FORM_HONEYPOT))
		err_field(e, AT("name"), "'%s' is reserved (the spam trap)", FORM_HONEYPOT);
	else if (json_object_get(seen_names, name))
		err_field(e, AT("name"), "'%s' is the name of another question", name);
	else
		json_object_set_new(seen_names, name, json_true());
	v = json_object_get(q, "label");
	if (!json_is_string(v) || utf8_chars(json_string_value(v), 0) < 1 ||
	    utf8_chars(json_string_value(v), 0) > 200)
		err_field(e, AT("label"), "must be text of 1 to 200 characters");
	type = json_string_value(json_object_get(q, "type"));
	if (!type || !one_of(type, types)) {
		err_field(e, AT("type"), "must be one of: text, email, tel, textarea, select, "
					 "checkbox");
		type = NULL;
	}
	v = json_object_get(q, "required");
	if (v && !json_is_boolean(v))
		err_field(e, AT("required"), "must be true or false");
	opts = json_object_get(q, "options");
	if (type && !strcmp(type, "select")) {
		if (!json_is_array(opts) || !json_array_size(opts) || json_array_size(opts) > 100)
			err_field(e, AT("options"), "a select needs 1 to 100 options");
		else
			json_array_foreach(opts, j, v)
				if (!json_is_string(v) || utf8_chars(json_string_value(v), 0) < 1 ||
				    utf8_chars(json_string_value(v), 0) > 200) {
					err_field(e, AT("options"),
						  "each option is text of 1 to 200 characters");
					break;
				}
	} else if (opts) {
		err_field(e, AT("options"), "only a select has options");
	}
	maps = json_string_value(json_object_get(q, "maps_to"));
	if (!maps || !target_max(maps)) {
		err_field(e, AT("maps_to"),
			  "must be a lead field (first_name, last_name, company, email, phone, "
			  "title, industry, territory) or qualification.<key>");
		return E_INVAL;
	}
	if (json_object_get(seen_maps, maps))
		err_field(e, AT("maps_to"), "another question already fills %s", maps);
	json_object_set_new(seen_maps, maps, json_true());
	if (type && (!strcmp(type, "textarea") || !strcmp(type, "checkbox")) &&
	    strncmp(maps, "qualification.", 14))
		err_field(e, AT("maps_to"), "a %s answer can only go to qualification.<key>", type);
	if (!strcmp(maps, "email") && type && strcmp(type, "email"))
		err_field(e, AT("type"), "the question for the e-mail must be of type email");
	if (!strcmp(maps, "last_name")) {
		*has_last_name = 1;
		if (!json_is_true(json_object_get(q, "required")))
			err_field(e, AT("required"), "the question for last_name must be required "
						     "(every lead has one)");
	}
#undef AT
	return OK;
}

static int check_questions(const char *text, struct err *e)
{
	json_t *arr, *q, *names = json_object(), *maps = json_object();
	size_t i;
	int has_last_name = 0;

	if (json_parse(text, strlen(text), &arr, NULL) || !json_is_array(arr)) {
		json_decref(names);
		json_decref(maps);
		json_decref(arr);
		return err_field(e, "fields", "must be an array of questions");
	}
	if (!json_array_size(arr) || json_array_size(arr) > FORM_MAX_QUESTIONS)
		err_field(e, "fields", "must have 1 to %d questions", FORM_MAX_QUESTIONS);
	else
		json_array_foreach(arr, i, q)
			check_question(q, (int)i, names, maps, &has_last_name, e);
	if (json_array_size(arr) && !has_last_name)
		err_field(e, "fields", "one question must map to last_name (every lead has one)");
	json_decref(arr);
	json_decref(names);
	json_decref(maps);
	return e && e->nfields ? E_INVAL : OK;
}

#define F(name) record_field(rec->res, name)

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const struct val *slug = &rec->v[F("slug")], *qs = &rec->v[F("fields")],
			 *url = &rec->v[F("thank_you_url")];
	const char *c;

	(void)p;
	(void)st;
	(void)old;
	if (slug->set && !slug->null) {
		for (c = slug->s; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
				break;
		if (*c || !*slug->s)
			err_field(e, "slug", "must be made of a-z, 0-9 and '-'");
	}
	if (qs->set && !qs->null)
		check_questions(qs->s, e);
	if (url->set && !url->null &&
	    ((strncmp(url->s, "https://", 8) && strncmp(url->s, "http://", 7)) ||
	     strpbrk(url->s, " \"'<>\\")))
		err_field(e, "thank_you_url", "must be an http:// or https:// address");
	return e && e->nfields ? E_INVAL : OK;
}

const struct resource form_resource = {
	.name = "forms",
	.singular = "form",
	.doc = "Web-to-lead forms, public at /f/<slug>",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ALL,
	.write_role = ROLE_MANAGER,
	.prepare = prepare,
};

/* --- loading ------------------------------------------------------------ */

int form_load(struct store *st, const char *slug, struct form *f, struct err *e)
{
	struct stmt *s;
	int rc;

	memset(f, 0, sizeof(*f));
	s = store_prepare(st,
			  "SELECT id, coalesce(pipeline_id, 0), coalesce(team_id, 0), "
			  "coalesce(owner_id, 0), coalesce(created_by, 0), slug, name, "
			  "coalesce(channel, ''), thank_you_url, fields FROM forms "
			  "WHERE slug = ? AND active = 1",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, slug);
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = fail(e, E_NOTFOUND, "no form at this address");
	if (!rc) {
		f->id = stmt_int(s, 0);
		f->pipeline_id = stmt_int(s, 1);
		f->team_id = stmt_int(s, 2);
		f->owner_id = stmt_int(s, 3);
		f->created_by = stmt_int(s, 4);
		snprintf(f->slug, sizeof(f->slug), "%s", stmt_text(s, 5));
		snprintf(f->name, sizeof(f->name), "%s", stmt_text(s, 6));
		snprintf(f->channel, sizeof(f->channel), "%s", stmt_text(s, 7));
		if (stmt_text(s, 8))
			f->thank_you_url = strdup(stmt_text(s, 8));
		if (json_parse(stmt_text(s, 9), strlen(stmt_text(s, 9)), &f->questions, e) ||
		    !json_is_array(f->questions))
			rc = fail(e, E_INTERNAL, "form %lld has unreadable questions", f->id);
	}
	stmt_done(s);
	if (rc)
		form_release(f);
	return rc;
}

void form_release(struct form *f)
{
	free(f->thank_you_url);
	json_decref(f->questions);
	f->thank_you_url = NULL;
	f->questions = NULL;
}

/* --- submission --------------------------------------------------------- */

/* Count this attempt from `ip`; E_THROTTLE when the window is full.  Its own
 * transaction: an attempt counts whatever becomes of it. */
static int rate_limit(struct store *st, long long form_id, const char *ip, struct err *e)
{
	long long now = (long long)time_now(), count = 0, oldest = 0;
	struct stmt *s = NULL;
	int rc;

	rc = store_begin(st, e);
	if (rc)
		return rc;
	/* forget what no window reaches any more (an index keeps this cheap) */
	s = store_prepare(st, "DELETE FROM form_hits WHERE at <= ?", e);
	if (!s)
		goto internal;
	stmt_bind_int(s, 1, now - FORM_RATE_WINDOW);
	rc = stmt_step(s, e);
	stmt_done(s);
	if (rc)
		goto fail;
	s = store_prepare(st,
			  "SELECT count(*), coalesce(min(at), 0) FROM form_hits WHERE form_id = ? "
			  "AND ip = ? AND at > ?",
			  e);
	if (!s)
		goto internal;
	stmt_bind_int(s, 1, form_id);
	stmt_bind_text(s, 2, ip);
	stmt_bind_int(s, 3, now - FORM_RATE_WINDOW);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		count = stmt_int(s, 0);
		oldest = stmt_int(s, 1);
	}
	stmt_done(s);
	if (rc)
		goto fail;
	if (count >= FORM_RATE_MAX) {
		rc = store_commit(st, e);
		if (rc)
			return rc;
		fail(e, E_THROTTLE, "too many submissions from your address; try again in a minute");
		if (e) {
			e->retry_after = (int)(oldest + FORM_RATE_WINDOW - now);
			if (e->retry_after < 1)
				e->retry_after = 1;
		}
		return E_THROTTLE;
	}
	s = store_prepare(st, "INSERT INTO form_hits (form_id, ip, at) VALUES (?, ?, ?)", e);
	if (!s)
		goto internal;
	stmt_bind_int(s, 1, form_id);
	stmt_bind_text(s, 2, ip);
	stmt_bind_int(s, 3, now);
	rc = stmt_step(s, e);
	stmt_done(s);
	if (rc)
		goto fail;
	return store_commit(st, e);
internal:
	rc = E_INTERNAL;
fail:
	store_rollback(st);
	return rc;
}

static int exec_ids(struct store *st, const char *sql, long long a, long long b, struct err *e)
{
	struct stmt *s = store_prepare(st, sql, e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, a);
	if (stmt_param_count(s) > 1)
		stmt_bind_int(s, 2, b);
	rc = stmt_step(s, e);
	stmt_done(s);
	return rc;
}

static long long one_id(struct store *st, const char *sql, long long a, struct err *e)
{
	struct stmt *s = store_prepare(st, sql, e);
	long long id = 0;

	if (!s)
		return -1;
	if (stmt_param_count(s) > 0)
		stmt_bind_int(s, 1, a);
	if (stmt_step(s, e))
		id = -1;
	else if (stmt_row(s))
		id = stmt_int(s, 0);
	stmt_done(s);
	return id;
}

/*
 * Pick the next rep of the team subtree after the team's cursor, among those
 * matching territory (when not NULL) and channel (when not NULL); 0 when
 * none matches.
 */
static long long next_rep(struct store *st, long long team, const char *territory,
			  const char *channel, struct err *e)
{
	struct stmt *s = store_prepare(
		st,
		"SELECT id FROM users WHERE active = 1 AND role = 'rep' AND team_id IN "
		"(" SQL_TEAM_SUBTREE ") AND (?2 IS NULL OR lower(territory) = lower(?2)) "
		"AND (?3 IS NULL OR channel = ?3) ORDER BY id > coalesce((SELECT last_user_id "
		"FROM assignment_cursor WHERE team_id = ?1), 0) DESC, id LIMIT 1",
		e);
	long long id = 0;

	if (!s)
		return -1;
	stmt_bind_int(s, 1, team);
	stmt_bind_text(s, 2, territory);
	stmt_bind_text(s, 3, channel);
	if (stmt_step(s, e))
		id = -1;
	else if (stmt_row(s))
		id = stmt_int(s, 0);
	stmt_done(s);
	return id;
}

/* The lead's owner, by the rules of form.h.  Inside the caller's transaction. */
static int assign(struct store *st, const struct form *f, const char *territory,
		  long long *owner, struct err *e)
{
	static const char active_sql[] = "SELECT id FROM users WHERE id = ? AND active = 1";
	long long id = 0;

	if (f->owner_id && (id = one_id(st, active_sql, f->owner_id, e)) != 0)
		goto found;
	if (f->team_id) {
		if (territory && *territory)
			id = next_rep(st, f->team_id, territory, NULL, e);
		if (!id && f->channel[0])
			id = next_rep(st, f->team_id, NULL, f->channel, e);
		if (!id)
			id = next_rep(st, f->team_id, NULL, NULL, e);
		if (id > 0 && exec_ids(st,
				       "INSERT INTO assignment_cursor (team_id, last_user_id) "
				       "VALUES (?, ?) ON CONFLICT (team_id) DO UPDATE SET "
				       "last_user_id = excluded.last_user_id",
				       f->team_id, id, e))
			return E_INTERNAL;
		if (id)
			goto found;
	}
	if (f->created_by && (id = one_id(st, active_sql, f->created_by, e)) != 0)
		goto found;
	id = one_id(st, "SELECT id FROM users WHERE active = 1 AND role = 'admin' ORDER BY id "
			"LIMIT 1",
		    0, e);
found:
	if (id < 0)
		return E_INTERNAL;
	if (id == 0)
		return fail(e, E_INTERNAL, "no active user to give the lead to");
	*owner = id;
	return OK;
}

/* The lead's form and pipeline: the server's to set, not a writer's. */
static int set_origin(struct store *st, long long lead, const struct form *f, struct err *e)
{
	struct stmt *s = store_prepare(st, "UPDATE leads SET form_id = ?, pipeline_id = ? "
					   "WHERE id = ?",
				       e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, f->id);
	if (f->pipeline_id)
		stmt_bind_int(s, 2, f->pipeline_id);
	else
		stmt_bind_null(s, 2);
	stmt_bind_int(s, 3, lead);
	rc = stmt_step(s, e);
	stmt_done(s);
	return rc;
}

/* The next business day (Monday to Friday) after `now`, at 17:00 UTC. */
static void follow_up_due(time_t now, char *out)
{
	time_t t = now - now % 86400 + 86400;
	struct tm tm;

	for (;;) {
		gmtime_r(&t, &tm);
		if (tm.tm_wday != 0 && tm.tm_wday != 6)
			break;
		t += 86400;
	}
	time_iso(t + 17 * 3600, out);
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

static const char *answer_of(const struct form_answer *a, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return a[i].value;
	return NULL;
}

static int truthy(const char *v)
{
	return !strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes");
}

/* Check the answers against the questions; build the lead's body in `lead`
 * (its fields and qualification object). */
static int read_answers(const struct form *f, const struct form_answer *a, int n,
			json_t *lead, struct err *e)
{
	json_t *q, *qual = json_object();
	size_t i;
	int k, j;

	/* every name must be a question (or the trap), and given once */
	for (k = 0; k < n; k++) {
		int known = !strcmp(a[k].name, FORM_HONEYPOT);

		json_array_foreach(f->questions, i, q)
			known |= !strcmp(a[k].name, json_string_value(json_object_get(q, "name")));
		for (j = 0; j < k; j++)
			if (!strcmp(a[j].name, a[k].name))
				break;
		if (j < k)
			err_field(e, a[k].name, "is given more than once");
		else if (!known)
			err_field(e, a[k].name, "is not a question of this form");
	}
	json_array_foreach(f->questions, i, q) {
		const char *name = json_string_value(json_object_get(q, "name"));
		const char *type = json_string_value(json_object_get(q, "type"));
		const char *maps = json_string_value(json_object_get(q, "maps_to"));
		const char *v = answer_of(a, n, name);
		int required = json_is_true(json_object_get(q, "required"));
		long len, max = target_max(maps);

		if (!strcmp(type, "checkbox")) {
			/* an unticked box is not posted at all */
			int on = v && truthy(v);

			if (v && *v && !on && strcmp(v, "off") && strcmp(v, "false") &&
			    strcmp(v, "0") && strcmp(v, "no"))
				err_field(e, name, "must be ticked or not (on or off)");
			else if (required && !on)
				err_field(e, name, "must be ticked");
			else
				json_object_set_new(qual, maps + 14, json_string(on ? "yes" : "no"));
			continue;
		}
		if (!v || !*v) {
			if (required)
				err_field(e, name, "is required");
			continue;
		}
		len = utf8_chars(v, !strcmp(type, "textarea"));
		if (len < 0) {
			err_field(e, name, "must not contain control characters");
			continue;
		}
		if (len > max) {
			err_field(e, name, "must be at most %ld characters", max);
			continue;
		}
		if (!strcmp(type, "email") && !email_valid(v)) {
			err_field(e, name, "must be an e-mail address such as ann@example.com");
			continue;
		}
		if (!strcmp(type, "select")) {
			json_t *o;
			size_t oi;
			int ok = 0;

			json_array_foreach(json_object_get(q, "options"), oi, o)
				ok |= !strcmp(v, json_string_value(o));
			if (!ok) {
				err_field(e, name, "must be one of the choices offered");
				continue;
			}
		}
		if (!strncmp(maps, "qualification.", 14))
			json_object_set_new(qual, maps + 14, json_string(v));
		else
			json_object_set_new(lead, maps, json_string(v));
	}
	if (json_object_size(qual))
		json_object_set(lead, "qualification", qual);
	json_decref(qual);
	return e && e->nfields ? E_INVAL : OK;
}

int form_submit(struct store *st, const struct form *f, const char *ip,
		const struct form_answer *a, int n, long long *lead_id, int *spam, struct err *e)
{
	struct principal sys;
	struct record lead, task;
	struct buf b = BUF_INIT;
	json_t *body = json_object(), *tb = NULL;
	const char *trap, *first, *last;
	char due[TIME_ISO_LEN];
	long long owner = 0;
	int rc, k;

	*lead_id = 0;
	*spam = 0;
	principal_system(&sys);
	record_init(&lead, &lead_resource);
	record_init(&task, &activity_resource);
	rc = rate_limit(st, f->id, ip, e);
	if (rc)
		goto out;
	if (n > FORM_MAX_ANSWERS) {
		rc = fail(e, E_INVAL, "a submission has at most %d fields", FORM_MAX_ANSWERS);
		goto out;
	}
	for (k = 0; k < n; k++)
		if (utf8_chars(a[k].value, 1) > FORM_MAX_VALUE ||
		    strlen(a[k].value) > 4 * FORM_MAX_VALUE)
			err_field(e, a[k].name, "must be at most %d characters", FORM_MAX_VALUE);
	if (e && e->nfields) {
		rc = E_INVAL;
		goto out;
	}
	trap = answer_of(a, n, FORM_HONEYPOT);
	if (trap && *trap) {
		/* a bot: look like a success, keep nothing but the count */
		*spam = 1;
		rc = exec_ids(st, "UPDATE forms SET spam_blocked = spam_blocked + 1 WHERE id = ?",
			      f->id, 0, e);
		*lead_id = one_id(st, "SELECT coalesce(max(id), 0) + 1 FROM leads", 0, e);
		if (!rc && *lead_id < 0)
			rc = E_INTERNAL;
		goto out;
	}
	rc = read_answers(f, a, n, body, e);
	if (rc)
		goto out;

	rc = store_begin(st, e);
	if (rc)
		goto out;
	rc = assign(st, f, json_string_value(json_object_get(body, "territory")), &owner, e);
	if (rc)
		goto fail;
	buf_puts(&b, "web form: ");
	put_cut(&b, f->name, 100 - 10);
	json_object_set_new(body, "source", json_string(b.data));
	json_object_set_new(body, "owner_id", json_integer(owner));
	json_object_set_new(body, "status", json_string("new"));
	if (f->channel[0])
		json_object_set_new(body, "channel", json_string(f->channel));
	rc = record_create(st, &sys, &lead_resource, body, 0, &lead, e);
	if (rc)
		goto fail;
	rc = set_origin(st, lead.id, f, e);
	if (rc)
		goto fail;
	rc = exec_ids(st, "UPDATE forms SET submissions = submissions + 1 WHERE id = ?", f->id,
		      0, e);
	if (rc)
		goto fail;

	buf_reset(&b);
	buf_puts(&b, "Follow up web lead ");
	first = record_text(&lead, "first_name");
	last = record_text(&lead, "last_name");
	if (first) {
		buf_puts(&b, first);
		buf_putc(&b, ' ');
	}
	buf_puts(&b, last);
	tb = json_object();
	{
		struct buf cut = BUF_INIT;

		put_cut(&cut, b.data, 200);
		json_object_set_new(tb, "subject", json_string(cut.data));
		buf_release(&cut);
	}
	follow_up_due(time_now(), due);
	json_object_set_new(tb, "type", json_string("task"));
	json_object_set_new(tb, "due_at", json_string(due));
	json_object_set_new(tb, "related_type", json_string("lead"));
	json_object_set_new(tb, "related_id", json_integer(lead.id));
	json_object_set_new(tb, "owner_id", json_integer(owner));
	rc = record_create(st, &sys, &activity_resource, tb, 0, &task, e);
	if (rc)
		goto fail;
	rc = store_commit(st, e);
	if (!rc)
		*lead_id = lead.id;
	goto out;
fail:
	store_rollback(st);
out:
	json_decref(body);
	json_decref(tb);
	buf_release(&b);
	record_release(&lead);
	record_release(&task);
	principal_release(&sys);
	return rc;
}
