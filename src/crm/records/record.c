/*
 * record.c — the engine behind record.h.
 */
#include "record.h"

#include <ctype.h>
#include <pthread.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/email.h"
#include "core/money.h"
#include "core/utf8.h"

/* Visibility as SQL over the record's table aliased `t`.  :owners is the
 * principal's visible owner set as a JSON array (principal.h). */
#define OWNED(col) col " IN (SELECT value FROM json_each(:owners))"

static const char *vis_sql(enum visibility v)
{
	switch (v) {
	case VIS_OWNER:
		return OWNED("t.owner_id");
	case VIS_ACCOUNT:
		return "(" OWNED("t.owner_id") " OR EXISTS (SELECT 1 FROM opportunities vo WHERE "
		       "vo.account_id = t.id AND " OWNED("vo.owner_id") "))";
	case VIS_CONTACT:
		return "(" OWNED("t.owner_id") " OR EXISTS (SELECT 1 FROM accounts va WHERE "
		       "va.id = t.account_id AND " OWNED("va.owner_id") ") OR EXISTS (SELECT 1 "
		       "FROM opportunities vo WHERE vo.account_id = t.account_id AND " OWNED(
			       "vo.owner_id") "))";
	case VIS_ALL:
		return "1 = 1"; /* conditions are comparisons: PostgreSQL wants a boolean */
	case VIS_SELF:
		return "t.owner_id = :me";
	case VIS_ADMIN:
		return "1 = 0"; /* admins see all before this is asked */
	case VIS_OPPORTUNITY:
		return "EXISTS (SELECT 1 FROM opportunities vo WHERE vo.id = t.opportunity_id AND " OWNED(
			"vo.owner_id") ")";
	case VIS_ACTIVITY:
		return "(" OWNED("t.owner_id") " OR (t.related_type = 'opportunity' AND EXISTS "
		       "(SELECT 1 FROM opportunities vo WHERE vo.id = t.related_id AND " OWNED(
			       "vo.owner_id") ")) OR (t.related_type = 'lead' AND EXISTS (SELECT 1 "
					      "FROM leads vl WHERE vl.id = t.related_id AND " OWNED(
						      "vl.owner_id") ")) OR (t.related_type = "
								     "'account' AND EXISTS (SELECT 1 "
								     "FROM accounts va WHERE va.id = "
								     "t.related_id AND " OWNED(
									     "va.owner_id") ")))";
	}
	return "1 = 0";
}

/*
 * Lists read visibility the other way round.  A page walks an index in the
 * list's order and keeps the rows the principal sees; for an account or a
 * contact the conditions above run a correlated subquery per row walked,
 * and a rep who sees 0.4% of a million rows walks (and probes) most of them
 * to fill a page: seconds.  In a list the visible ids are one set, built
 * once per query, instead:
 *   - several owners (managers): "owned OR in the set", a cheap probe per
 *     row walked — their teams see enough rows that walking in order wins;
 *   - one owner (reps): "id in the set" alone, so SQLite starts from the
 *     set (a few hundred rows) and sorts it (bench/lists.sh: 4.3 s → ms).
 * A read by id keeps the correlated form: one row, one probe.
 */
#define VISIBLE_ACCOUNTS                                                                   \
	"SELECT va.id FROM accounts va WHERE " OWNED("va.owner_id") " UNION ALL SELECT "   \
	"vo.account_id FROM opportunities vo WHERE " OWNED("vo.owner_id")

static const char *vis_list_sql(enum visibility v, int one_owner)
{
	switch (v) {
	case VIS_ACCOUNT:
		return one_owner ? "t.id IN (" VISIBLE_ACCOUNTS ")"
				 : "(" OWNED("t.owner_id") " OR t.id IN (SELECT vo.account_id FROM "
				   "opportunities vo WHERE " OWNED("vo.owner_id") "))";
	case VIS_CONTACT:
		return one_owner ? "t.id IN (SELECT vc.id FROM contacts vc WHERE " OWNED(
					   "vc.owner_id") " UNION ALL SELECT vc.id FROM contacts vc "
						  "WHERE vc.account_id IN (" VISIBLE_ACCOUNTS "))"
				 : "(" OWNED("t.owner_id") " OR t.account_id IN (" VISIBLE_ACCOUNTS "))";
	default:
		return vis_sql(v);
	}
}

/*
 * A principal who sees one owner (every rep) gets "= :owner" where others
 * get "IN (SELECT value FROM json_each(:owners))": the query planner can use
 * the owner indexes for an equality, not for a list it cannot size.
 */
#define VIS_KINDS (VIS_ALL + 1)
static char *vis_single[2][VIS_KINDS]; /* [list][visibility] */
static pthread_once_t vis_once = PTHREAD_ONCE_INIT;

static char *single_owner(const char *src)
{
	static const char from[] = "IN (SELECT value FROM json_each(:owners))";
	struct buf b = BUF_INIT;
	const char *hit;

	while ((hit = strstr(src, from))) {
		buf_add(&b, src, (size_t)(hit - src));
		buf_puts(&b, "= :owner");
		src = hit + sizeof(from) - 1;
	}
	buf_puts(&b, src);
	return buf_detach(&b, NULL);
}

static void vis_build(void)
{
	int v;

	for (v = 0; v < VIS_KINDS; v++) {
		vis_single[0][v] = single_owner(vis_sql((enum visibility)v));
		vis_single[1][v] = single_owner(vis_list_sql((enum visibility)v, 1));
	}
}

/* The visibility condition for p, in a read by id or in a list (see
 * vis_list_sql), or NULL when p sees everything. */
static const char *vis_for(const struct principal *p, enum visibility v, int list)
{
	if (!p || v == VIS_ALL)
		return NULL;
	if (v == VIS_SELF)
		return vis_sql(v); /* admins too */
	if (principal_is_admin(p))
		return NULL;
	if (p->nowners != 1)
		return list ? vis_list_sql(v, 0) : vis_sql(v);
	pthread_once(&vis_once, vis_build);
	return vis_single[list][v];
}

static const char *vis_of(const struct principal *p, enum visibility v)
{
	return vis_for(p, v, 0);
}

static void bind_owners(struct stmt *s, const struct principal *p)
{
	if (p)
		stmt_bind_named_int(s, ":me", p->user_id); /* VIS_SELF */
	if (!p || !p->owners_json)
		return;
	stmt_bind_named(s, ":owners", p->owners_json);
	if (p->nowners == 1)
		stmt_bind_named_int(s, ":owner", p->owners[0]);
}

const struct resource *resource_find(const char *name)
{
	int i;

	for (i = 0; resources[i]; i++)
		if (!strcmp(resources[i]->name, name))
			return resources[i];
	return NULL;
}

int record_field_set_filter(const struct field *f)
{
	return (f->flags & (FF_FILTER | FF_RANGE)) &&
	       !(f->flags & (FF_NOTNULL | FF_REQUIRED | FF_VIRTUAL | FF_HIDDEN));
}

int record_field(const struct resource *r, const char *name)
{
	int i;

	for (i = 0; i < r->nfields; i++)
		if (!strcmp(r->fields[i].name, name))
			return i;
	return -1;
}

void record_init(struct record *rec, const struct resource *r)
{
	int i;

	memset(rec, 0, sizeof(*rec));
	rec->res = r;
	for (i = 0; i < RECORD_MAX_FIELDS; i++)
		rec->v[i].null = 1;
}

void record_release(struct record *rec)
{
	int i;

	for (i = 0; i < RECORD_MAX_FIELDS; i++) {
		free(rec->v[i].s);
		rec->v[i].s = NULL;
	}
}

static void val_clear(struct val *v)
{
	free(v->s);
	v->s = NULL;
	v->i = 0;
	v->null = 1;
}

void record_set_text(struct record *rec, int f, const char *s)
{
	struct val *v = &rec->v[f];

	val_clear(v);
	v->set = 1;
	if (s) {
		v->s = strdup(s);
		v->null = 0;
	}
}

void record_set_int(struct record *rec, int f, long long i)
{
	struct val *v = &rec->v[f];

	val_clear(v);
	v->set = 1;
	v->null = 0;
	v->i = i;
}

void record_set_null(struct record *rec, int f)
{
	val_clear(&rec->v[f]);
	rec->v[f].set = 1;
}

const char *record_text(const struct record *rec, const char *field)
{
	int f = record_field(rec->res, field);

	return f < 0 || rec->v[f].null ? NULL : rec->v[f].s;
}

long long record_int(const struct record *rec, const char *field)
{
	int f = record_field(rec->res, field);

	return f < 0 || rec->v[f].null ? 0 : rec->v[f].i;
}

static int is_int_type(enum ftype t)
{
	return t == FT_INT || t == FT_REF || t == FT_MONEY || t == FT_BOOL || t == FT_PERCENT;
}

/* UTF-8 length in characters; -1 when a control character is present. */
static long long text_chars(const char *s, int multiline)
{
	long long n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
			return -1;
		if (c == 0x7f)
			return -1;
		if ((c & 0xc0) != 0x80)
			n++;
	}
	return n;
}

static int parse_ll(const char *s, long long *v)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static const char *choices_list(const struct field *f, char *out, size_t n)
{
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; f->choices[i]; i++)
		len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s", i ? ", " : "",
					f->choices[i]);
	return out;
}

/* An FT_JSON value: an object or array (lenient: a string holding one), kept
 * as compact text so it is stored and answered as given. */
static void decode_json(const struct field *f, json_t *j, const char *s, int lenient,
			struct val *v, struct err *e)
{
	json_t *parsed = NULL;
	char *text;

	if (s && lenient) {
		if (json_parse(s, strlen(s), &parsed, NULL)) {
			err_field(e, f->name, "must be JSON text (an object or array)");
			return;
		}
		j = parsed;
	}
	if (!json_is_object(j) && !json_is_array(j)) {
		err_field(e, f->name, "must be a JSON object or array, not %s", json_type_name(j));
		json_decref(parsed);
		return;
	}
	text = json_dumps(j, JSON_COMPACT);
	json_decref(parsed);
	if (!text) {
		err_field(e, f->name, "could not be encoded");
		return;
	}
	if (f->max && (long long)strlen(text) > f->max) {
		err_field(e, f->name, "must be at most %lld bytes of JSON", f->max);
		free(text);
		return;
	}
	v->s = text;
}

/*
 * Decode one member onto v.  Money is left as text in v->s (tagged by
 * v->i = -1 for a JSON number kept as its exact text) and converted once the
 * currency is known, in money_resolve().
 */
static void decode_value(const struct field *f, json_t *j, int lenient, struct val *v,
			 struct err *e)
{
	const char *s = NULL;
	long long n;
	char tmp[512];
	time_t t;

	v->set = 1;
	if (json_is_null(j)) {
		val_clear(v);
		return;
	}
	if (json_is_string(j)) {
		s = json_string_value(j);
		if (lenient && !*s) {
			/* "not given": an INSERT leaves the column to its default
			 * rather than writing NULL into it */
			val_clear(v);
			v->set = 0;
			return;
		}
	}
	val_clear(v);
	v->null = 0;
	switch (f->type) {
	case FT_TEXT:
	case FT_LONGTEXT:
	case FT_EMAIL:
	case FT_ENUM:
	case FT_CURRENCY:
	case FT_DATE:
	case FT_TIME:
		if (!s) {
			err_field(e, f->name, "must be a string, not %s", json_type_name(j));
			return;
		}
		break;
	case FT_INT:
	case FT_REF:
	case FT_PERCENT:
		if (json_is_integer(j)) {
			n = json_integer_value(j);
		} else if (s && (lenient || f->type == FT_REF) && !parse_ll(s, &n)) {
			;
		} else {
			err_field(e, f->name, "must be an integer, not %s",
				  s ? "a string" : json_type_name(j));
			return;
		}
		if (f->type == FT_REF && n <= 0) {
			err_field(e, f->name, "must be a positive id");
			return;
		}
		if (f->type == FT_PERCENT && (n < 0 || n > 100)) {
			err_field(e, f->name, "must be between 0 and 100");
			return;
		}
		if (f->type == FT_INT && (n < f->min || n > f->max)) {
			err_field(e, f->name, "must be between %lld and %lld", f->min, f->max);
			return;
		}
		v->i = n;
		return;
	case FT_BOOL:
		if (json_is_boolean(j)) {
			v->i = json_is_true(j);
		} else if (s && lenient &&
			   (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "yes"))) {
			v->i = 1;
		} else if (s && lenient &&
			   (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no"))) {
			v->i = 0;
		} else {
			err_field(e, f->name, "must be true or false");
		}
		return;
	case FT_JSON:
		decode_json(f, j, s, lenient, v, e);
		return;
	case FT_MONEY:
		if (json_is_integer(j)) {
			snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
			v->s = strdup(tmp);
		} else if (json_is_real(j)) {
			/* exact text lost in a double: convert later from the number */
			snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(j));
			v->s = strdup(tmp);
			v->i = -1;
		} else if (s) {
			v->s = strdup(s);
		} else {
			err_field(e, f->name, "must be a number or a decimal string, not %s",
				  json_type_name(j));
		}
		return;
	}

	/* the string types */
	switch (f->type) {
	case FT_TEXT:
	case FT_LONGTEXT:
		n = text_chars(s, f->type == FT_LONGTEXT);
		if (n < 0) {
			err_field(e, f->name, "must not contain control characters");
			return;
		}
		if (f->flags & (FF_REQUIRED | FF_NOTNULL) && n == 0) {
			err_field(e, f->name, "must not be empty");
			return;
		}
		if (f->max && n > f->max) {
			err_field(e, f->name, "must be at most %lld characters", f->max);
			return;
		}
		break;
	case FT_EMAIL:
		if (!email_valid(s)) {
			err_field(e, f->name, "must be an e-mail address such as ann@example.com");
			return;
		}
		break;
	case FT_ENUM: {
		int i, ok = 0;

		for (i = 0; f->choices[i]; i++)
			ok |= !strcmp(f->choices[i], s);
		if (!ok) {
			err_field(e, f->name, "must be one of: %s",
				  choices_list(f, tmp, sizeof(tmp)));
			return;
		}
		break;
	}
	case FT_CURRENCY:
		if (money_digits(s) < 0) {
			err_field(e, f->name, "must be an ISO 4217 currency code such as EUR");
			return;
		}
		break;
	case FT_DATE:
		if (time_parse_date(s, &t)) {
			err_field(e, f->name, "must be a date as YYYY-MM-DD");
			return;
		}
		break;
	case FT_TIME:
		if (time_parse_iso(s, &t)) {
			err_field(e, f->name,
				  "must be a date-time such as 2026-11-22T14:30:00Z (with a zone)");
			return;
		}
		time_iso(t, tmp);
		s = tmp;
		break;
	default:
		break;
	}
	v->s = strdup(s);
}

/* Convert decoded money text to minor units now that the currency is known. */
static void money_resolve(struct record *rec, struct err *e)
{
	const struct resource *r = rec->res;
	int i, cf = record_field(r, "currency"), digits;
	const char *cur, *why;

	for (i = 0; i < r->nfields; i++) {
		struct val *v = &rec->v[i];
		long long minor;
		int bad;

		if (r->fields[i].type != FT_MONEY || !v->set || v->null || !v->s)
			continue;
		cur = cf >= 0 && !rec->v[cf].null ? rec->v[cf].s : "EUR";
		digits = money_digits(cur);
		if (digits < 0)
			digits = 2; /* the currency itself is reported invalid */
		if (v->i == -1)
			bad = money_from_double(strtod(v->s, NULL), digits, &minor, &why);
		else
			bad = money_parse(v->s, digits, &minor, &why);
		if (bad) {
			err_field(e, r->fields[i].name, "%s (%s has %d decimals)", why, cur, digits);
			continue;
		}
		free(v->s);
		v->s = NULL;
		v->i = minor;
	}
}

int record_decode(const struct resource *r, json_t *body, int lenient, struct record *rec,
		  struct err *e)
{
	const char *key;
	json_t *val;
	int f;

	if (!json_is_object(body))
		return fail(e, E_INVAL, "the body must be a JSON object");
	json_object_foreach(body, key, val) {
		f = record_field(r, key);
		if (f < 0) {
			if (!strcmp(key, "id") || !strcmp(key, "version") ||
			    !strcmp(key, "created_at") || !strcmp(key, "updated_at") ||
			    !strcmp(key, "created_by"))
				err_field(e, key, "is set by the server and cannot be written");
			else
				err_field(e, key, "is not a field of %s", r->singular);
			continue;
		}
		if (r->fields[f].flags & FF_READONLY) {
			if (!lenient)
				err_field(e, key, "is set by the server and cannot be written");
			continue;
		}
		decode_value(&r->fields[f], val, lenient, &rec->v[f], e);
	}
	/* here, not later: an amount's problems join the others in one answer */
	money_resolve(rec, e);
	return e && e->nfields ? E_INVAL : OK;
}

/* --- reading ------------------------------------------------------------ */

static void select_sql(struct buf *b, const struct resource *r)
{
	int i;

	buf_puts(b, "SELECT t.id, t.version, t.created_at, t.updated_at, coalesce(t.created_by, 0)");
	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].flags & FF_VIRTUAL)
			buf_puts(b, ", NULL");
		else
			buf_printf(b, ", t.%s", r->fields[i].name);
	buf_printf(b, " FROM %s t", r->name);
}

/* dst (n bytes) gets as much of src as fits, terminated: what snprintf("%s")
 * does, without the format parsing that showed in list pages' profiles */
static void copy_text(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void read_row(struct stmt *s, const struct resource *r, struct record *rec)
{
	int i;

	record_init(rec, r);
	rec->id = stmt_int(s, 0);
	rec->version = stmt_int(s, 1);
	copy_text(rec->created_at, sizeof(rec->created_at), stmt_text(s, 2));
	copy_text(rec->updated_at, sizeof(rec->updated_at), stmt_text(s, 3));
	rec->created_by = stmt_int(s, 4);
	for (i = 0; i < r->nfields; i++) {
		struct val *v = &rec->v[i];

		v->null = stmt_null(s, 5 + i);
		if (v->null)
			continue;
		if (is_int_type(r->fields[i].type))
			v->i = stmt_int(s, 5 + i);
		else
			v->s = strdup(stmt_text(s, 5 + i));
	}
}

/* Load record `id`, restricted to what p sees unless p is NULL. */
/*
 * The SELECT of one record by id, with (1) or without (0) the visibility
 * condition: built once per registered resource, as every read of a record
 * runs it.  Others (import-only resources) build theirs each time into
 * `tmp`.
 */
#define MAX_RESOURCES 32
static char *by_id_sql[MAX_RESOURCES][3]; /* everyone, several owners, one owner */
static pthread_once_t by_id_once = PTHREAD_ONCE_INIT;

static void by_id(struct buf *b, const struct resource *r, const char *vis)
{
	select_sql(b, r);
	buf_puts(b, " WHERE t.id = ?");
	if (vis)
		buf_printf(b, " AND %s", vis);
}

static void by_id_build(void)
{
	struct principal many = {.role = ROLE_REP, .nowners = 2},
			 one = {.role = ROLE_REP, .nowners = 1};
	int i;

	for (i = 0; resources[i] && i < MAX_RESOURCES; i++) {
		struct buf b[3] = {BUF_INIT, BUF_INIT, BUF_INIT};

		by_id(&b[0], resources[i], NULL);
		by_id(&b[1], resources[i], vis_of(&many, resources[i]->vis));
		by_id(&b[2], resources[i], vis_of(&one, resources[i]->vis));
		by_id_sql[i][0] = buf_detach(&b[0], NULL);
		by_id_sql[i][1] = buf_detach(&b[1], NULL);
		by_id_sql[i][2] = buf_detach(&b[2], NULL);
	}
}

static const char *by_id_of(const struct resource *r, const struct principal *p,
			    struct buf *tmp)
{
	const char *vis = vis_of(p, r->vis);
	int i, k = !vis ? 0 : p->nowners == 1 ? 2 : 1;

	pthread_once(&by_id_once, by_id_build);
	for (i = 0; resources[i] && i < MAX_RESOURCES; i++)
		if (resources[i] == r && by_id_sql[i][k])
			return by_id_sql[i][k];
	by_id(tmp, r, vis);
	return tmp->data;
}

static int load(struct store *st, const struct principal *p, const struct resource *r,
		long long id, struct record *out, struct err *e)
{
	struct buf sql = BUF_INIT;
	struct stmt *s;
	int rc;

	record_init(out, r);
	s = store_prepare(st, by_id_of(r, p, &sql), e);
	buf_release(&sql);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	bind_owners(s, p);
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = fail(e, E_NOTFOUND, "no %s with id %lld", r->singular, id);
	if (!rc)
		read_row(s, r, out);
	stmt_done(s);
	return rc;
}

int record_get(struct store *st, const struct principal *p, const struct resource *r,
	       long long id, struct record *out, struct err *e)
{
	return load(st, p, r, id, out, e);
}

int record_field_is_int(const struct field *f)
{
	return is_int_type(f->type);
}

const char *record_visibility_sql(const struct principal *p, const struct resource *r)
{
	return vis_of(p, r->vis);
}

void record_bind_visibility(struct stmt *s, const struct principal *p)
{
	bind_owners(s, p);
}

int record_visible(struct store *st, const struct principal *p, const struct resource *r,
		   long long id, struct err *e)
{
	char sql[1024];
	const char *vis = vis_of(p, r->vis);
	struct stmt *s;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s t WHERE t.id = ?%s%s", r->name,
		 vis ? " AND " : "", vis ? vis : "");
	s = store_prepare(st, sql, e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	bind_owners(s, p);
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = E_NOTFOUND;
	stmt_done(s);
	return rc;
}

/* --- output ------------------------------------------------------------- */

static int currency_digits_of(const struct record *rec)
{
	const char *c = record_text(rec, "currency");
	int d = money_digits(c ? c : "EUR");

	return d < 0 ? 2 : d;
}

void record_value_text(const struct record *rec, int f, struct buf *b)
{
	const struct val *v = &rec->v[f];

	if (v->null)
		return;
	switch (rec->res->fields[f].type) {
	case FT_MONEY:
		money_format(b, v->i, currency_digits_of(rec));
		break;
	case FT_BOOL:
		buf_puts(b, v->i ? "true" : "false");
		break;
	case FT_INT:
	case FT_REF:
	case FT_PERCENT:
		buf_add_ll(b, v->i);
		break;
	default:
		buf_puts(b, v->s);
	}
}

void record_json(const struct record *rec, struct jw *w)
{
	jw_obj(w);
	record_json_members(rec, w);
	jw_obj_end(w);
}

void record_json_members(const struct record *rec, struct jw *w)
{
	const struct resource *r = rec->res;
	int i;

	jw_kint(w, "id", rec->id);
	for (i = 0; i < r->nfields; i++) {
		const struct val *v = &rec->v[i];

		if (r->fields[i].flags & (FF_VIRTUAL | FF_HIDDEN))
			continue;
		jw_key(w, r->fields[i].name);
		if (v->null) {
			jw_null(w);
			continue;
		}
		switch (r->fields[i].type) {
		case FT_MONEY:
			jw_raw(w, ""); /* separator only */
			money_format(w->b, v->i, currency_digits_of(rec));
			break;
		case FT_BOOL:
			jw_bool(w, (int)v->i);
			break;
		case FT_INT:
		case FT_REF:
		case FT_PERCENT:
			jw_int(w, v->i);
			break;
		case FT_JSON:
			jw_raw(w, v->s); /* compact JSON text, written by decode_json() */
			break;
		default:
			jw_str(w, v->s);
		}
	}
	jw_kint(w, "version", rec->version);
	jw_kstr(w, "created_at", rec->created_at);
	jw_kstr(w, "updated_at", rec->updated_at);
	jw_key(w, "created_by");
	if (rec->created_by)
		jw_int(w, rec->created_by);
	else
		jw_null(w);
}

/* --- writing ------------------------------------------------------------ */

int history_add(struct store *st, const char *resource, long long id, const char *at,
		long long actor, const char *action, const char *field, const char *old,
		const char *new_, struct err *e)
{
	struct stmt *s = store_prepare(st,
				       "INSERT INTO history (resource, record_id, at, actor_id, "
				       "action, field, old, new) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				       e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, resource);
	stmt_bind_int(s, 2, id);
	stmt_bind_text(s, 3, at);
	if (actor)
		stmt_bind_int(s, 4, actor);
	stmt_bind_text(s, 5, action);
	stmt_bind_text(s, 6, field);
	stmt_bind_text(s, 7, old);
	stmt_bind_text(s, 8, new_);
	rc = stmt_step(s, e);
	stmt_done(s);
	return rc;
}

/* Does user `id` exist, active, and may p give records to them? */
static int check_owner(struct store *st, const struct principal *p, const char *name,
		       long long id, struct err *e)
{
	long long one;
	int found, rc = store_int(st, &one, &found, e,
				  "SELECT 1 FROM users WHERE id = ? AND active = 1", "i", id);

	if (rc)
		return rc;
	if (!found || !principal_sees_owner(p, id))
		return err_field(e, name, "no active user %lld in the teams you manage", id);
	return OK;
}

static int check_ref(struct store *st, const struct principal *p, const struct field *f,
		     long long id, struct err *e)
{
	const struct resource *target;
	struct stmt *s;
	int rc, found;

	if (!strcmp(f->ref, "users"))
		return check_owner(st, p, f->name, id, e);
	target = resource_find(f->ref);
	if (target) {
		rc = record_visible(st, p, target, id, e);
		if (rc == E_NOTFOUND)
			return err_field(e, f->name, "no %s with id %lld", target->singular, id);
		return rc;
	}
	/* other tables (pipelines): existence */
	{
		char sql[128];

		snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = ?", f->ref);
		s = store_prepare(st, sql, e);
	}
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	found = stmt_row(s);
	stmt_done(s);
	if (rc)
		return rc;
	if (!found)
		return err_field(e, f->name, "no such %s", f->ref);
	return OK;
}

/* Is text value v of field f taken by another record than `self`?  The
 * column's collation decides (users.email compares without case). */
static int taken(struct store *st, const struct resource *r, const struct field *f,
		 const struct val *v, long long self, int *yes, struct err *e)
{
	char sql[256];
	long long one;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE %s = ? AND id <> ?", r->name, f->name);
	return store_int(st, &one, yes, e, sql, "ti", v->s, self);
}

static int vals_equal(const struct field *f, const struct val *a, const struct val *b)
{
	if (a->null || b->null)
		return a->null == b->null;
	if (is_int_type(f->type))
		return a->i == b->i;
	return !strcmp(a->s, b->s);
}

/*
 * The checks every write shares: owner rules, the resource's own rules,
 * required fields, references.  `old` is NULL on create.
 */
static int validate(struct store *st, const struct principal *p, const struct record *old,
		    struct record *rec, struct err *e)
{
	const struct resource *r = rec->res;
	int i, rc, of = -1, conflicts = 0;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].flags & FF_OWNER)
			of = i;
	if (of >= 0) {
		struct val *v = &rec->v[of];

		if (!old && (!v->set || v->null)) {
			if (!p->user_id)
				return err_field(e, r->fields[of].name, "is required");
			record_set_int(rec, of, p->user_id);
		} else if (v->set && !(old && vals_equal(&r->fields[of], v, &old->v[of]))) {
			if (v->null)
				return err_field(e, r->fields[of].name, "is required");
			/* a rep names only themselves, and only on create: a record
			 * they see through a deal is not theirs to take over */
			if ((old || v->i != p->user_id) && !principal_is_manager(p))
				return fail(e, E_FORBIDDEN,
					    "only managers and admins assign records to others");
		}
	}
	if (r->prepare) {
		rc = r->prepare(st, p, old, rec, e);
		if (rc && rc != E_INVAL)
			return rc;
	}
	for (i = 0; i < r->nfields; i++) {
		const struct field *f = &r->fields[i];
		struct val *v = &rec->v[i];

		if ((f->flags & FF_REQUIRED) && !old && (!v->set || v->null)) {
			err_field(e, f->name, "is required");
			continue;
		}
		if ((f->flags & (FF_REQUIRED | FF_NOTNULL)) && old && v->set && v->null) {
			err_field(e, f->name, "may not be null");
			continue;
		}
		if (f->type == FT_REF && v->set && !v->null &&
		    !(old && vals_equal(f, v, &old->v[i]))) {
			rc = check_ref(st, p, f, v->i, e);
			if (rc && rc != E_INVAL)
				return rc;
		}
		if ((f->flags & FF_UNIQUE) && v->set && !v->null &&
		    !(old && vals_equal(f, v, &old->v[i]))) {
			int yes;

			rc = taken(st, r, f, v, old ? old->id : 0, &yes, e);
			if (rc)
				return rc;
			if (yes) {
				err_field(e, f->name, "is already used by another %s", r->singular);
				conflicts++;
			}
		}
	}
	/* only duplicates: 409; anything else wrong with the input: 400 */
	if (e && e->nfields)
		return e->nfields == conflicts ? E_CONFLICT : E_INVAL;
	return OK;
}

/* Is field i written by an INSERT of rec? */
static int written(const struct resource *r, const struct record *rec, int i)
{
	return rec->v[i].set && !(r->fields[i].flags & FF_VIRTUAL);
}

/* Does an UPDATE of old to rec change field i? */
static int changed_field(const struct resource *r, const struct record *old,
			 const struct record *rec, int i)
{
	return written(r, rec, i) && !vals_equal(&r->fields[i], &rec->v[i], &old->v[i]);
}

static void bind_val(struct stmt *s, int n, const struct field *f, const struct val *v)
{
	if (v->null)
		stmt_bind_null(s, n);
	else if (is_int_type(f->type))
		stmt_bind_int(s, n, v->i);
	else
		stmt_bind_text(s, n, v->s);
}

/* OK when p's role may `verb` (create, change, delete) records of r. */
static int may_write(const struct principal *p, const struct resource *r, const char *verb,
		     struct err *e)
{
	if (p->role >= r->write_role)
		return OK;
	return fail(e, E_FORBIDDEN, "only %ss may %s %s", role_name(r->write_role), verb, r->name);
}

/* What follows a write, inside its transaction: the resource's own hook,
 * then the record as it now stands into out (when wanted). */
static int after_write(struct store *st, const struct principal *p, const struct resource *r,
		       const struct record *old, const struct record *rec, struct record *out,
		       struct err *e)
{
	int rc = r->after_write ? r->after_write(st, p, old, rec, e) : OK;

	if (!rc && out)
		rc = load(st, NULL, r, rec->id, out, e);
	return rc;
}

int record_create(struct store *st, const struct principal *p, const struct resource *r,
		  json_t *body, int lenient, struct record *out, struct err *e)
{
	struct record rec;
	struct buf sql = BUF_INIT;
	struct stmt *s = NULL;
	char now[TIME_ISO_LEN];
	int rc, i, n;

	if (out)
		record_init(out, r);
	record_init(&rec, r);
	rc = may_write(p, r, "create", e);
	if (rc)
		return rc;
	rc = record_decode(r, body, lenient, &rec, e);
	if (rc)
		goto out;
	rc = store_begin(st, e);
	if (rc)
		goto out;
	rc = validate(st, p, NULL, &rec, e);
	if (rc)
		goto fail;

	time_iso(time_now(), now);
	buf_printf(&sql, "INSERT INTO %s (created_at, updated_at, created_by", r->name);
	for (i = 0; i < r->nfields; i++)
		if (written(r, &rec, i))
			buf_printf(&sql, ", %s", r->fields[i].name);
	/* ids are never reused: the tables are AUTOINCREMENT (001_init.sql) */
	buf_puts(&sql, ") VALUES (?, ?, ?");
	for (i = 0; i < r->nfields; i++)
		if (written(r, &rec, i))
			buf_puts(&sql, ", ?");
	buf_putc(&sql, ')');
	s = store_prepare(st, sql.data, e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_text(s, 1, now);
	stmt_bind_text(s, 2, now);
	if (p->user_id)
		stmt_bind_int(s, 3, p->user_id);
	else
		stmt_bind_null(s, 3);
	for (i = 0, n = 4; i < r->nfields; i++)
		if (written(r, &rec, i))
			bind_val(s, n++, &r->fields[i], &rec.v[i]);
	rc = stmt_step(s, e);
	if (rc)
		goto fail;
	rec.id = store_last_id(st);
	stmt_done(s);
	s = NULL;
	rc = after_write(st, p, r, NULL, &rec, out, e);
	if (rc)
		goto fail;
	rc = store_commit(st, e);
	goto out;
fail:
	stmt_done(s);
	store_rollback(st);
out:
	buf_release(&sql);
	record_release(&rec);
	return rc;
}

int record_update(struct store *st, const struct principal *p, const struct resource *r,
		  long long id, json_t *body, long long if_match, struct record *out,
		  struct err *e)
{
	return record_update_opts(st, p, r, id, body, if_match, NULL, out, e);
}

int record_update_opts(struct store *st, const struct principal *p, const struct resource *r,
		       long long id, json_t *body, long long if_match,
		       const struct write_opts *opts, struct record *out, struct err *e)
{
	struct record old, rec;
	struct buf sql = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	struct stmt *s = NULL;
	char now[TIME_ISO_LEN];
	int rc, i, n, changed = 0;

	record_init(out, r);
	record_init(&rec, r);
	record_init(&old, r);
	if (!json_is_object(body))
		return fail(e, E_INVAL, "the body must be a JSON object");
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = load(st, p, r, id, &old, e);
	if (!rc)
		rc = may_write(p, r, "change", e);
	if (rc)
		goto fail;
	if (if_match >= 0 && if_match != old.version) {
		rc = fail(e, E_PRECOND,
			  "the %s changed since you read it (version %lld, now %lld); reload and "
			  "try again",
			  r->singular, if_match, old.version);
		goto fail;
	}
	/* start from the old values, unmarked; decoding marks what the body sets */
	rec.opts = opts;
	rec.id = old.id;
	rec.version = old.version;
	for (i = 0; i < r->nfields; i++) {
		rec.v[i].null = old.v[i].null;
		rec.v[i].i = old.v[i].i;
		rec.v[i].s = old.v[i].s ? strdup(old.v[i].s) : NULL;
	}
	rc = record_decode(r, body, 0, &rec, e);
	if (rc)
		goto fail;
	rc = validate(st, p, &old, &rec, e);
	if (rc)
		goto fail;

	time_iso(time_now(), now);
	buf_printf(&sql, "UPDATE %s SET updated_at = ?, version = version + 1", r->name);
	for (i = 0; i < r->nfields; i++) {
		if (!changed_field(r, &old, &rec, i))
			continue;
		buf_printf(&sql, ", %s = ?", r->fields[i].name);
		changed++;
	}
	if (!changed) {
		/* nothing to write: answer the record as it is */
		rc = store_commit(st, e);
		if (!rc) {
			*out = old;
			record_init(&old, r);
		}
		goto out;
	}
	buf_puts(&sql, " WHERE id = ? AND version = ?");
	s = store_prepare(st, sql.data, e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_text(s, 1, now);
	for (i = 0, n = 2; i < r->nfields; i++)
		if (changed_field(r, &old, &rec, i))
			bind_val(s, n++, &r->fields[i], &rec.v[i]);
	stmt_bind_int(s, n++, id);
	stmt_bind_int(s, n, old.version);
	rc = stmt_step(s, e);
	stmt_done(s);
	s = NULL;
	if (rc)
		goto fail;
	if (store_changes(st) != 1) {
		rc = fail(e, E_PRECOND, "the %s changed meanwhile; reload and try again",
			  r->singular);
		goto fail;
	}
	for (i = 0; i < r->nfields; i++) {
		int hidden = r->fields[i].flags & FF_HIDDEN;

		if (!changed_field(r, &old, &rec, i))
			continue;
		buf_reset(&a);
		buf_reset(&b);
		record_value_text(&old, i, &a);
		record_value_text(&rec, i, &b);
		/* a hidden field is logged as changed, without its values */
		rc = history_add(st, r->name, id, now, p->user_id, "update", r->fields[i].name,
				 old.v[i].null || hidden ? NULL : a.data,
				 rec.v[i].null || hidden ? NULL : b.data, e);
		if (rc)
			goto fail;
	}
	rc = after_write(st, p, r, &old, &rec, out, e);
	if (rc)
		goto fail;
	rc = store_commit(st, e);
	goto out;
fail:
	stmt_done(s);
	store_rollback(st);
out:
	buf_release(&sql);
	buf_release(&a);
	buf_release(&b);
	record_release(&old);
	record_release(&rec);
	return rc;
}

int record_delete(struct store *st, const struct principal *p, const struct resource *r,
		  long long id, long long if_match, struct err *e)
{
	struct record old;
	struct buf snap = BUF_INIT;
	struct jw w;
	struct stmt *s = NULL;
	char sql[128], now[TIME_ISO_LEN];
	int rc;

	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = load(st, p, r, id, &old, e);
	if (!rc)
		rc = may_write(p, r, "delete", e);
	if (rc)
		goto fail;
	if (if_match >= 0 && if_match != old.version) {
		rc = fail(e, E_PRECOND, "the %s changed since you read it; reload and try again",
			  r->singular);
		goto fail;
	}
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?", r->name);
	s = store_prepare(st, sql, e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	stmt_done(s);
	s = NULL;
	if (rc == E_CONFLICT)
		rc = fail(e, E_CONFLICT,
			  "this %s cannot be deleted while other records refer to it; delete or "
			  "move those first",
			  r->singular);
	if (rc)
		goto fail;
	if (r->after_delete) {
		rc = r->after_delete(st, p, &old, e);
		if (rc)
			goto fail;
	}
	jw_init(&w, &snap);
	record_json(&old, &w);
	time_iso(time_now(), now);
	rc = history_add(st, r->name, id, now, p->user_id, "delete", NULL, snap.data, NULL, e);
	if (rc)
		goto fail;
	rc = store_commit(st, e);
	goto out;
fail:
	store_rollback(st);
out:
	buf_release(&snap);
	record_release(&old);
	return rc;
}

/* --- lists -------------------------------------------------------------- */

static int add_bind_text(struct list_query *q, const char *s)
{
	if (q->nbinds == 64)
		return -1;
	q->binds[q->nbinds].type = 1;
	q->binds[q->nbinds].s = strdup(s);
	q->nbinds++;
	return 0;
}

static int add_bind_int(struct list_query *q, long long v)
{
	if (q->nbinds == 64)
		return -1;
	q->binds[q->nbinds].type = 0;
	q->binds[q->nbinds].i = v;
	q->binds[q->nbinds].s = NULL;
	q->nbinds++;
	return 0;
}

/* Parse one filter value as field f would take it (lenient, as text). */
static int filter_value(const struct field *f, const char *param, const char *text,
			struct list_query *q, struct err *e)
{
	struct val v = {0};
	struct field ff = *f;
	json_t *j = json_string(text);
	int rc = OK;

	if (!j)
		return fail(e, E_INVAL, "%s must be valid UTF-8", param);
	ff.name = param;
	ff.flags &= ~(unsigned)(FF_REQUIRED | FF_NOTNULL);
	if (f->type == FT_MONEY) {
		/* an amount bound is a decimal in the deal's own currency; it is
		 * compared in thousandths (see money_scaled()) so one bound fits
		 * currencies with 0, 2 or 3 decimals alike */
		long long minor;
		const char *why;

		if (money_parse(text, 3, &minor, &why))
			rc = err_field(e, param, "%s", why);
		else if (add_bind_int(q, minor))
			rc = err_field(e, param, "too many filter values (at most 64)");
		json_decref(j);
		return rc;
	}
	decode_value(&ff, j, 1, &v, e);
	json_decref(j);
	if (e && e->nfields)
		rc = E_INVAL;
	else if (v.null)
		rc = err_field(e, param, "must not be empty");
	else if (is_int_type(f->type) ? add_bind_int(q, v.i) : add_bind_text(q, v.s))
		rc = err_field(e, param, "too many filter values (at most 64)");
	free(v.s);
	return rc;
}

/* " AND (t.<col> * k)": the amount in thousandths of its currency's major
 * unit, k = 1000 / 10^decimals, from the currency table in money.c. */
static void money_scaled(struct buf *b, const char *col)
{
	const char *code;
	int i, digits;

	buf_printf(b, " AND (t.%s * CASE t.currency", col);
	for (i = 0; !money_currency_at(i, &code, &digits); i++)
		if (digits != 2)
			buf_printf(b, " WHEN '%s' THEN %d", code, digits == 0 ? 1000 : 1);
	buf_puts(b, " ELSE 10 END)");
}

/* id=1,2,3: these records (the ones the caller sees), so a page that shows
 * names for ids asks once for a batch, not once per record. */
static void filter_ids(const char *v, struct list_query *q, struct err *e)
{
	const char *p = v;
	long long id;
	char *end;
	int cnt = 0;

	buf_puts(&q->where, " AND t.id IN (");
	while (*p) {
		if (*p < '0' || *p > '9') {
			err_field(e, "id", "must be ids separated by commas");
			break;
		}
		errno = 0;
		id = strtoll(p, &end, 10);
		if (errno || id < 1 || (*end && *end != ',')) {
			err_field(e, "id", "must be ids separated by commas");
			break;
		}
		if (add_bind_int(q, id)) {
			err_field(e, "id", "too many filter values (at most 64)");
			break;
		}
		buf_puts(&q->where, cnt++ ? ", ?" : "?");
		p = *end ? end + 1 : end;
	}
	if (!cnt && !(e && e->nfields))
		err_field(e, "id", "must not be empty");
	buf_putc(&q->where, ')');
}

static int decode_cursor(const char *c, struct list_query *q)
{
	unsigned char raw[600];
	size_t n;
	char *colon, *end;

	if (sodium_base642bin(raw, sizeof(raw) - 1, c, strlen(c), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return -1;
	raw[n] = '\0';
	if (memchr(raw, '\0', n))
		return -1;
	colon = strchr((char *)raw, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	q->after_id = strtoll((char *)raw, &end, 10);
	if (*end || q->after_id < 0)
		return -1;
	q->after_val = strdup(colon + 1);
	q->has_cursor = 1;
	return 0;
}

/* The field of a "<name>_set" parameter, or -1. */
static int set_filter_of(const struct resource *r, const char *k)
{
	size_t kl = strlen(k);
	char name[64];
	int f;

	if (kl <= 4 || kl - 4 >= sizeof(name) || strcmp(k + kl - 4, "_set"))
		return -1;
	snprintf(name, sizeof(name), "%.*s", (int)(kl - 4), k);
	f = record_field(r, name);
	return f >= 0 && record_field_set_filter(&r->fields[f]) ? f : -1;
}

int list_query_parse(const struct resource *r, const struct kv *params, int n,
		     struct list_query *q, struct err *e)
{
	int i, f;
	const char *sort = NULL, *cursor = NULL;

	memset(q, 0, sizeof(*q));
	buf_init(&q->where, 0);
	q->limit = 50;
	q->sort = -1;
	for (i = 0; i < n; i++) {
		const char *k = params[i].k, *v = params[i].v ? params[i].v : "";
		char name[64];
		size_t kl = strlen(k);

		if (!utf8_valid(k, kl) || !utf8_valid(v, strlen(v))) {
			err_field(e, utf8_valid(k, kl) ? k : "query", "must be valid UTF-8");
			continue;
		}
		if (!strcmp(k, "limit")) {
			long long l;

			if (parse_ll(v, &l) || l < 1 || l > 200)
				err_field(e, "limit", "must be an integer from 1 to 200");
			else
				q->limit = (int)l;
		} else if (!strcmp(k, "cursor")) {
			cursor = v;
		} else if (!strcmp(k, "sort")) {
			sort = v;
		} else if (!strcmp(k, "total")) {
			if (strcmp(v, "true") && strcmp(v, "false"))
				err_field(e, "total", "must be true or false");
			q->want_total = !strcmp(v, "true");
		} else if (!strcmp(k, "q")) {
			if (text_chars(v, 0) < 0 || strlen(v) > 200)
				err_field(e, "q", "must be at most 200 characters of text");
			else {
				free(q->q);
				q->q = strdup(v);
			}
		} else if (!strcmp(k, "id")) {
			filter_ids(v, q, e);
		} else if ((f = record_field(r, k)) >= 0 && (r->fields[f].flags & FF_FILTER)) {
			/* name=a,b,c: any of the values */
			char *copy = strdup(v), *tok, *save = NULL;
			int cnt = 0;

			buf_printf(&q->where, " AND t.%s IN (", k);
			for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				buf_puts(&q->where, cnt++ ? ", ?" : "?");
				if (filter_value(&r->fields[f], k, tok, q, e))
					break;
			}
			if (!cnt)
				err_field(e, k, "must not be empty");
			buf_putc(&q->where, ')');
			free(copy);
		} else if ((f = set_filter_of(r, k)) >= 0) {
			/* name_set=false: the field is empty (a lead not converted) */
			if (strcmp(v, "true") && strcmp(v, "false"))
				err_field(e, k, "must be true or false");
			else
				buf_printf(&q->where, " AND t.%s IS %sNULL", r->fields[f].name,
					   strcmp(v, "true") ? "" : "NOT ");
		} else if (kl > 5 && kl < sizeof(name) &&
			   (!strcmp(k + kl - 5, "_from") || (kl > 3 && !strcmp(k + kl - 3, "_to")))) {
			int from = !strcmp(k + kl - 5, "_from");

			snprintf(name, sizeof(name), "%.*s", (int)(kl - (from ? 5 : 3)), k);
			f = record_field(r, name);
			if (!strcmp(name, "created_at") || !strcmp(name, "updated_at")) {
				time_t t;
				char iso[TIME_ISO_LEN];

				if (time_parse_iso(v, &t)) {
					err_field(e, k, "must be a date or date-time");
					continue;
				}
				/* a bare date as upper bound includes that whole day */
				if (!from && strlen(v) == 10)
					t += 86399;
				time_iso(t, iso);
				buf_printf(&q->where, " AND t.%s %s ?", name, from ? ">=" : "<=");
				if (add_bind_text(q, iso))
					err_field(e, k, "too many filter values (at most 64)");
			} else if (f >= 0 && (r->fields[f].flags & FF_RANGE)) {
				if (r->fields[f].type == FT_MONEY)
					money_scaled(&q->where, name);
				else
					buf_printf(&q->where, " AND t.%s", name);
				buf_printf(&q->where, " %s ?", from ? ">=" : "<=");
				filter_value(&r->fields[f], k, v, q, e);
			} else {
				err_field(e, k, "is not a filter of %s", r->name);
			}
		} else {
			err_field(e, k, "is not a query parameter of %s", r->name);
		}
	}
	if (sort && *sort) {
		const char *name = sort;

		if (*name == '-') {
			q->desc = 1;
			name++;
		}
		f = record_field(r, name);
		if (!strcmp(name, "id"))
			q->sort = -1;
		else if (f >= 0 && (r->fields[f].flags & FF_SORT))
			q->sort = f;
		else if (!strcmp(name, "created_at"))
			q->sort = -2;
		else if (!strcmp(name, "updated_at"))
			q->sort = -3;
		else
			err_field(e, "sort", "cannot sort %s by %s", r->name, name);
	}
	if (cursor && decode_cursor(cursor, q))
		err_field(e, "cursor", "is not a cursor this server gave out");
	if (e && e->nfields) {
		list_query_release(q);
		return E_INVAL;
	}
	return OK;
}

void list_query_release(struct list_query *q)
{
	int i;

	for (i = 0; i < q->nbinds; i++)
		free(q->binds[i].s);
	q->nbinds = 0;
	free(q->q);
	free(q->after_val);
	q->q = q->after_val = NULL;
	buf_release(&q->where);
}

static const char *sort_column(const struct resource *r, int sort)
{
	switch (sort) {
	case -1: return "id";
	case -2: return "created_at";
	case -3: return "updated_at";
	default: return r->fields[sort].name;
	}
}

static int sort_is_int(const struct resource *r, int sort)
{
	return sort == -1 || (sort >= 0 && is_int_type(r->fields[sort].type));
}

/*
 * WHERE for the page and the count.  Positional parameters (filters, then the
 * cursor) come before the named ones (:owners, :q): SQLite numbers a bare `?`
 * after the highest index used so far, so this order keeps the positional
 * numbering 1, 2, 3 ... that bind_query() and the cursor binding assume.
 */
static void where_sql(struct buf *b, const struct principal *p, const struct resource *r,
		      const struct list_query *q, const char *cursor_sql)
{
	int i, first = 1;

	buf_puts(b, " WHERE 1");
	buf_puts(b, q->where.data);
	buf_puts(b, cursor_sql);
	if (vis_for(p, r->vis, 1))
		buf_printf(b, " AND %s", vis_for(p, r->vis, 1));
	if (q->q && r->search_index && text_chars(q->q, 0) >= 3) {
		/* a phrase of three characters or more is a substring match in a
		 * trigram index, in any of its columns, either case */
		buf_printf(b, " AND t.id IN (SELECT rowid FROM %s WHERE %s MATCH :qm)",
			   r->search_index, r->search_index);
	} else if (q->q) {
		buf_puts(b, " AND (");
		for (i = 0; i < r->nfields; i++) {
			if (!(r->fields[i].flags & FF_SEARCH))
				continue;
			buf_printf(b, "%st.%s LIKE '%%' || :q || '%%' ESCAPE '\\'", first ? "" : " OR ",
				   r->fields[i].name);
			first = 0;
		}
		buf_puts(b, first ? "1 = 0)" : ")");
	}
}

static void bind_query(struct stmt *s, const struct principal *p, const struct list_query *q,
		       int *n)
{
	int i;

	for (i = 0; i < q->nbinds; i++) {
		if (q->binds[i].type)
			stmt_bind_text(s, (*n)++, q->binds[i].s);
		else
			stmt_bind_int(s, (*n)++, q->binds[i].i);
	}
	bind_owners(s, p);
	if (q->q) {
		/* escape LIKE's wildcards so the search is literal */
		struct buf esc = BUF_INIT;
		const char *c;

		for (c = q->q; *c; c++) {
			if (*c == '%' || *c == '_' || *c == '\\')
				buf_putc(&esc, '\\');
			buf_putc(&esc, *c);
		}
		stmt_bind_named(s, ":q", esc.data);
		/* the same text as one FTS5 phrase: in quotes, quotes doubled */
		buf_reset(&esc);
		buf_putc(&esc, '"');
		for (c = q->q; *c; c++) {
			if (*c == '"')
				buf_putc(&esc, '"');
			buf_putc(&esc, *c);
		}
		buf_putc(&esc, '"');
		stmt_bind_named(s, ":qm", esc.data);
		buf_release(&esc);
	}
}

static char *make_cursor(const struct record *rec, int sort)
{
	struct buf raw = BUF_INIT;
	char *out;
	size_t n;

	buf_add_ll(&raw, rec->id);
	buf_putc(&raw, ':');
	if (sort == -2)
		buf_puts(&raw, rec->created_at);
	else if (sort == -3)
		buf_puts(&raw, rec->updated_at);
	else if (sort >= 0) {
		if (is_int_type(rec->res->fields[sort].type))
			buf_add_ll(&raw, rec->v[sort].i);
		else
			buf_puts(&raw, rec->v[sort].s ? rec->v[sort].s : "");
	}
	n = sodium_base64_ENCODED_LEN(raw.len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out = malloc(n);
	if (out)
		sodium_bin2base64(out, n, (const unsigned char *)raw.data, raw.len,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	buf_release(&raw);
	return out;
}

/* The list's SELECT for q (its cursor and limit, +1 to see whether more
 * follow), prepared and bound; NULL with e set. */
static struct stmt *list_statement(struct store *st, const struct principal *p,
				   const struct resource *r, const struct list_query *q,
				   struct err *e)
{
	struct buf sql = BUF_INIT, cur = BUF_INIT;
	struct stmt *s;
	const char *col = sort_column(r, q->sort), *dir = q->desc ? "DESC" : "ASC";
	int n = 1;

	if (q->has_cursor) {
		if (q->sort == -1)
			buf_printf(&cur, " AND t.id %s ?", q->desc ? "<" : ">");
		else
			buf_printf(&cur, " AND (t.%s, t.id) %s (?, ?)", col, q->desc ? "<" : ">");
	}
	select_sql(&sql, r);
	where_sql(&sql, p, r, q, cur.data);
	buf_release(&cur);
	if (q->sort == -1)
		buf_printf(&sql, " ORDER BY t.id %s", dir);
	else
		buf_printf(&sql, " ORDER BY t.%s %s, t.id %s", col, dir, dir);
	if (q->limit)
		buf_printf(&sql, " LIMIT %d", q->limit + 1);
	s = store_prepare(st, sql.data, e);
	buf_release(&sql);
	if (!s)
		return NULL;
	n = 1;
	bind_query(s, p, q, &n);
	if (q->has_cursor) {
		if (q->sort != -1) {
			if (sort_is_int(r, q->sort))
				stmt_bind_int(s, n++, strtoll(q->after_val, NULL, 10));
			else
				stmt_bind_text(s, n++, q->after_val);
		}
		stmt_bind_int(s, n, q->after_id);
	}
	return s;
}

int record_iter_open(struct store *st, const struct principal *p, const struct resource *r,
		     const struct list_query *q, struct record_iter *it, struct err *e)
{
	it->r = r;
	it->s = list_statement(st, p, r, q, e);
	return it->s ? OK : E_INTERNAL;
}

int record_iter_next(struct record_iter *it, struct record *rec, struct err *e)
{
	int rc = stmt_step(it->s, e);

	if (rc)
		return -rc;
	if (!stmt_row(it->s))
		return 0;
	read_row(it->s, it->r, rec);
	return 1;
}

void record_iter_close(struct record_iter *it)
{
	if (it->s)
		stmt_done(it->s);
	it->s = NULL;
}

int record_list(struct store *st, const struct principal *p, const struct resource *r,
		struct list_query *q, int (*each)(const struct record *rec, void *ctx), void *ctx,
		char **next_cursor, long long *total, struct err *e)
{
	struct buf sql = BUF_INIT;
	struct stmt *s;
	struct record rec;
	int rc, n = 1, rows = 0, stop = 0;

	*next_cursor = NULL;
	if (total && q->want_total) {
		buf_printf(&sql, "SELECT count(*) FROM %s t", r->name);
		where_sql(&sql, p, r, q, "");
		s = store_prepare(st, sql.data, e);
		if (!s) {
			buf_release(&sql);
			return E_INTERNAL;
		}
		bind_query(s, p, q, &n);
		rc = stmt_step(s, e);
		*total = rc ? 0 : stmt_int(s, 0);
		stmt_done(s);
		if (rc) {
			buf_release(&sql);
			return rc;
		}
	}
	buf_release(&sql);
	s = list_statement(st, p, r, q, e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		read_row(s, r, &rec);
		if (q->limit && rows == q->limit) {
			/* one more row exists: the cursor points after the last given */
			record_release(&rec);
			break;
		}
		rows++;
		if (q->limit && rows == q->limit) {
			free(*next_cursor);
			*next_cursor = make_cursor(&rec, q->sort);
		}
		stop = each(&rec, ctx);
		record_release(&rec);
		if (stop)
			break;
	}
	/* the cursor is only kept when a further row was seen */
	if (!rc && q->limit && rows == q->limit && !stmt_row(s)) {
		free(*next_cursor);
		*next_cursor = NULL;
	}
	stmt_done(s);
	if (rc) {
		free(*next_cursor);
		*next_cursor = NULL;
	}
	return rc;
}

/* --- history ------------------------------------------------------------ */

int record_history(struct store *st, const struct principal *p, const struct resource *r,
		   long long id, struct jw *w, struct err *e)
{
	struct record rec;
	struct stmt *s;
	int rc;

	rc = load(st, p, r, id, &rec, e);
	if (rc)
		return rc;
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "at", rec.created_at);
	jw_key(w, "actor_id");
	if (rec.created_by)
		jw_int(w, rec.created_by);
	else
		jw_null(w);
	jw_kstr(w, "action", "create");
	jw_obj_end(w);
	record_release(&rec);
	s = store_prepare(st,
			  "SELECT h.at, h.actor_id, h.action, h.field, h.old, h.new, u.name "
			  "FROM history h LEFT JOIN users u ON u.id = h.actor_id "
			  "WHERE h.resource = ? AND h.record_id = ? ORDER BY h.id",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, r->name);
	stmt_bind_int(s, 2, id);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		jw_obj(w);
		jw_kstr(w, "at", stmt_text(s, 0));
		jw_key(w, "actor_id");
		if (stmt_null(s, 1))
			jw_null(w);
		else
			jw_int(w, stmt_int(s, 1));
		jw_kstr(w, "actor_name", stmt_text(s, 6));
		jw_kstr(w, "action", stmt_text(s, 2));
		jw_kstr(w, "field", stmt_text(s, 3));
		jw_kstr(w, "old", stmt_text(s, 4));
		jw_kstr(w, "new", stmt_text(s, 5));
		jw_obj_end(w);
	}
	stmt_done(s);
	jw_arr_end(w);
	return rc;
}
