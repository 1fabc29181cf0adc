/*
 * scoring_rule.c — the fit rules of lead scoring (scoring.h): a declared
 * record type that admins keep at /api/v1/scoring/rules and everyone signed
 * in may read (the rules are the organisation's stated idea of a good lead;
 * the factors on a lead name them anyway).
 *
 * A rule is a field, an operator and its operands, and points:
 *
 *   operator   fields                                  operands
 *   equals     industry source territory channel      value
 *              title company email
 *   contains   (the same)                              value
 *   in         (the same)                              one_of: 1..100 strings
 *   range      employees                               min and/or max (inclusive)
 *
 * Text compares ignore ASCII case.  Operands that do not belong to the
 * operator are cleared when a write changes the operator without naming
 * them, and refused when it names them.  Every write moves the scoring
 * generation, so every lead is rescored with the rules as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm/records/resources.h"
#include "scoring.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))
#define MAX_ONE_OF 100
#define MAX_TEXT 200

const char *const scoring_field_names[] = {"industry", "source",  "territory", "channel",
					   "title",    "company", "email",     "employees",
					   NULL};
static const char *const field_labels[] = {"Industry", "Source",  "Territory", "Channel",
					   "Title",    "Company", "E-mail",    "Employees"};
static const char *const op_names[] = {"equals", "in", "contains", "range", NULL};

static const struct field fields[] = {
	{"name", FT_TEXT, FF_SEARCH, 0, MAX_TEXT, NULL, NULL,
	 "How the rule reads in a lead's factors (default: its condition in words)"},
	{"field", FT_ENUM, FF_REQUIRED | FF_FILTER, 0, 0, scoring_field_names, NULL,
	 "The lead field it looks at"},
	{"operator", FT_ENUM, FF_REQUIRED | FF_FILTER, 0, 0, op_names, NULL,
	 "equals, in, contains (text, ignoring case) or range (employees only)"},
	{"value", FT_TEXT, 0, 0, MAX_TEXT, NULL, NULL, "equals and contains: the text"},
	{"one_of", FT_JSON, 0, 0, 40000, NULL, NULL,
	 "in: the values, an array of 1 to 100 non-empty strings"},
	{"min", FT_INT, 0, 0, 1000000000, NULL, NULL, "range: the lowest value that matches"},
	{"max", FT_INT, 0, 0, 1000000000, NULL, NULL, "range: the highest value that matches"},
	{"points", FT_INT, FF_REQUIRED | FF_SORT | FF_NOTNULL, -100, 100, NULL, NULL,
	 "Points a matching lead gets (negative: it loses them)"},
	{"active", FT_BOOL, FF_FILTER | FF_NOTNULL, 0, 0, NULL, NULL,
	 "false: kept but not applied (default true)"},
};

static int choice(const char *const *choices, const char *s)
{
	int i;

	for (i = 0; s && choices[i]; i++)
		if (!strcmp(choices[i], s))
			return i;
	return -1;
}

static int is_channel(const char *s)
{
	return choice(channel_choices, s) >= 0;
}

/* one_of: an array of 1..MAX_ONE_OF non-empty strings of at most MAX_TEXT
 * characters (channels: real ones). */
static void check_one_of(const char *text, int channel, struct err *e)
{
	json_t *a = NULL, *v;
	size_t i;

	if (json_parse(text, strlen(text), &a, NULL) || !json_is_array(a)) {
		err_field(e, "one_of", "must be an array of strings");
		json_decref(a);
		return;
	}
	if (json_array_size(a) < 1 || json_array_size(a) > MAX_ONE_OF)
		err_field(e, "one_of", "must hold 1 to %d values", MAX_ONE_OF);
	json_array_foreach(a, i, v) {
		char name[32];
		const char *s = json_string_value(v);

		snprintf(name, sizeof(name), "one_of[%zu]", i);
		if (!s || !*s || strlen(s) > MAX_TEXT * 4)
			err_field(e, name, "must be a non-empty string");
		else if (channel && !is_channel(s))
			err_field(e, name, "must be a channel: field, inside, partner, web or retail");
		if (e && e->nfields >= ERR_MAX_FIELDS - 2)
			break;
	}
	json_decref(a);
}

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	static const char *const operand[] = {"value", "one_of", "min", "max"};
	const struct resource *r = rec->res;
	int field = choice(scoring_field_names, rec->v[record_field(r, "field")].s);
	int op = choice(op_names, rec->v[record_field(r, "operator")].s), k;
	const struct val *value = &rec->v[record_field(r, "value")];
	const struct val *one_of = &rec->v[record_field(r, "one_of")];
	const struct val *min = &rec->v[record_field(r, "min")];
	const struct val *max = &rec->v[record_field(r, "max")];

	(void)st;
	(void)p;
	(void)old;
	if (field < 0 || op < 0)
		return OK; /* missing or not a choice: already reported */
	if (op == SO_RANGE && field != SF_EMPLOYEES)
		err_field(e, "operator", "range applies to employees only; use equals, in or "
					 "contains for %s",
			  scoring_field_names[field]);
	if (op != SO_RANGE && field == SF_EMPLOYEES)
		err_field(e, "operator", "employees takes range (with min and/or max)");
	for (k = 0; k < N(operand); k++) {
		int f = record_field(r, operand[k]);
		int used = k == 0 ? op == SO_EQUALS || op == SO_CONTAINS
			 : k == 1 ? op == SO_IN
				  : op == SO_RANGE;

		if (used || rec->v[f].null)
			continue;
		if (rec->v[f].set)
			err_field(e, operand[k], "must be null with operator %s", op_names[op]);
		else
			record_set_null(rec, f);
	}
	switch (op) {
	case SO_EQUALS:
	case SO_CONTAINS:
		if (value->null || !*value->s)
			err_field(e, "value", "is required with operator %s", op_names[op]);
		else if (field == SF_CHANNEL && op == SO_EQUALS && !is_channel(value->s))
			err_field(e, "value", "must be a channel: field, inside, partner, web or retail");
		break;
	case SO_IN:
		if (one_of->null)
			err_field(e, "one_of", "is required with operator in");
		else
			check_one_of(one_of->s, field == SF_CHANNEL, e);
		break;
	case SO_RANGE:
		if (min->null && max->null)
			err_field(e, "min", "min or max (or both) is required with operator range");
		else if (!min->null && !max->null && max->i < min->i)
			err_field(e, "max", "must not be below min");
		break;
	}
	return e && e->nfields ? E_INVAL : OK;
}

static int after_write(struct store *st, const struct principal *p, const struct record *old,
		       const struct record *rec, struct err *e)
{
	(void)p;
	(void)old;
	(void)rec;
	return scoring_invalidate(st, e);
}

static int after_delete(struct store *st, const struct principal *p, const struct record *old,
			struct err *e)
{
	(void)p;
	(void)old;
	return scoring_invalidate(st, e);
}

const struct resource scoring_rule_resource = {
	.name = "scoring_rules",
	.path = "scoring/rules",
	.singular = "scoring rule",
	.doc = "Fit rules of lead scoring: points for leads whose field matches",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ALL,
	.write_role = ROLE_ADMIN,
	.prepare = prepare,
	.after_write = after_write,
	.after_delete = after_delete,
};

/* --- compiled rules ------------------------------------------------------ */

void scoring_rule_release(struct scoring_rule *r)
{
	int i;

	free(r->name);
	free(r->value);
	for (i = 0; i < r->n_one_of; i++)
		free(r->one_of[i]);
	free(r->one_of);
	memset(r, 0, sizeof(*r));
}

int scoring_rule_compile(const struct record *rec, struct scoring_rule *r, struct err *e)
{
	const char *name = record_text(rec, "name"), *one_of = record_text(rec, "one_of");
	const char *value = record_text(rec, "value");
	int f = record_field(rec->res, "min"), x = record_field(rec->res, "max");
	json_t *a = NULL, *v;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->id = rec->id;
	if (name && *name && !(r->name = strdup(name)))
		return fail(e, E_INTERNAL, "out of memory");
	r->field = (enum scoring_field)choice(scoring_field_names, record_text(rec, "field"));
	r->op = (enum scoring_op)choice(op_names, record_text(rec, "operator"));
	if ((int)r->field < 0 || (int)r->op < 0) {
		scoring_rule_release(r);
		return fail(e, E_INTERNAL, "scoring rule %lld is not valid", rec->id);
	}
	r->points = (int)record_int(rec, "points");
	r->has_min = !rec->v[f].null;
	r->min = rec->v[f].i;
	r->has_max = !rec->v[x].null;
	r->max = rec->v[x].i;
	if (value && !(r->value = strdup(value))) {
		scoring_rule_release(r);
		return fail(e, E_INTERNAL, "out of memory");
	}
	if (!one_of)
		return OK;
	if (json_parse(one_of, strlen(one_of), &a, e) || !json_is_array(a)) {
		json_decref(a);
		scoring_rule_release(r);
		return fail(e, E_INTERNAL, "scoring rule %lld: one_of is not an array", rec->id);
	}
	r->one_of = calloc(json_array_size(a) + 1, sizeof(char *));
	json_array_foreach(a, i, v)
		if (r->one_of && json_is_string(v) && (r->one_of[r->n_one_of] = strdup(json_string_value(v))))
			r->n_one_of++;
	json_decref(a);
	if (!r->one_of) {
		scoring_rule_release(r);
		return fail(e, E_INTERNAL, "out of memory");
	}
	return OK;
}

int scoring_rule_match(const struct scoring_rule *r, const struct lead_facts *f)
{
	const char *s;
	int i;

	if (r->field == SF_EMPLOYEES)
		return r->op == SO_RANGE && f->has_employees &&
		       (!r->has_min || f->employees >= r->min) &&
		       (!r->has_max || f->employees <= r->max);
	s = f->text[r->field];
	if (!s || !*s)
		return 0;
	switch (r->op) {
	case SO_EQUALS:
		return r->value && !strcasecmp(s, r->value);
	case SO_CONTAINS:
		return r->value && strcasestr(s, r->value) != NULL;
	case SO_IN:
		for (i = 0; i < r->n_one_of; i++)
			if (!strcasecmp(s, r->one_of[i]))
				return 1;
		return 0;
	case SO_RANGE:
		return 0;
	}
	return 0;
}

void scoring_rule_label(const struct scoring_rule *r, struct buf *b)
{
	const char *what = field_labels[r->field];
	int i;

	if (r->name) {
		buf_puts(b, r->name);
		return;
	}
	switch (r->op) {
	case SO_EQUALS:
		buf_printf(b, "%s is %s", what, r->value ? r->value : "");
		break;
	case SO_CONTAINS:
		buf_printf(b, "%s contains \u201c%s\u201d", what, r->value ? r->value : "");
		break;
	case SO_IN:
		buf_printf(b, "%s is ", what);
		for (i = 0; i < r->n_one_of && i < 3; i++)
			buf_printf(b, "%s%s", i ? (i + 1 == r->n_one_of ? " or " : ", ") : "",
				   r->one_of[i]);
		if (r->n_one_of > 3)
			buf_printf(b, " or %d more", r->n_one_of - 3);
		break;
	case SO_RANGE:
		if (r->has_min && r->has_max)
			buf_printf(b, "%s %lld\u2013%lld", what, r->min, r->max);
		else if (r->has_min)
			buf_printf(b, "%s at least %lld", what, r->min);
		else
			buf_printf(b, "%s at most %lld", what, r->max);
		break;
	}
}
