/*
 * questionnaire.c — questionnaire templates (a record type) and the rules of
 * their questions and answers (see questionnaire.h).
 */
#include "questionnaire.h"

#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "crm/records/resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

const char *const questionnaire_kinds[] = {"single", "multiple", "rating", "ranking", "text",
					   NULL};

enum kind { Q_SINGLE, Q_MULTIPLE, Q_RATING, Q_RANKING, Q_TEXT };

static int kind_of(json_t *q)
{
	const char *k = json_string_value(json_object_get(q, "kind"));
	int i;

	for (i = 0; k && questionnaire_kinds[i]; i++)
		if (!strcmp(k, questionnaire_kinds[i]))
			return i;
	return -1;
}

static int has_options(int kind)
{
	return kind == Q_SINGLE || kind == Q_MULTIPLE || kind == Q_RANKING;
}

/* An integer member in lo..hi, or `def` when absent; -1 and a problem when
 * it is there but not such an integer. */
static long long int_member(json_t *q, const char *name, long long def, long long lo,
			    long long hi, const char *where, struct err *e)
{
	json_t *v = json_object_get(q, name);

	if (!v)
		return def;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		err_field(e, where, "must be an integer from %lld to %lld", lo, hi);
		return -1;
	}
	return json_integer_value(v);
}

static int text_ok(json_t *v, long max)
{
	long n = json_is_string(v) ? utf8_chars(json_string_value(v), 0) : -1;

	return n >= 1 && n <= max;
}

static void check_options(json_t *q, int kind, const char *at, struct err *e)
{
	json_t *opts = json_object_get(q, "options"), *v, *w;
	size_t i, j;
	char where[96];

	snprintf(where, sizeof(where), "%s.options", at);
	if (!has_options(kind)) {
		if (opts)
			err_field(e, where, "only single, multiple and ranking questions have options");
		return;
	}
	if (!json_is_array(opts) || json_array_size(opts) < 2 ||
	    json_array_size(opts) > QUESTIONNAIRE_OPTIONS) {
		err_field(e, where, "must be 2 to %d options", QUESTIONNAIRE_OPTIONS);
		return;
	}
	json_array_foreach(opts, i, v) {
		if (!text_ok(v, 200)) {
			err_field(e, where, "each option is text of 1 to 200 characters (one line)");
			return;
		}
		for (j = 0; j < i; j++) {
			w = json_array_get(opts, j);
			if (!strcmp(json_string_value(v), json_string_value(w))) {
				err_field(e, where, "'%s' is there twice", json_string_value(v));
				return;
			}
		}
	}
}

static void check_question(json_t *q, int i, const char *field, json_t *keys, struct err *e)
{
	static const char *const members[] = {"key",         "text",      "kind",
					       "options",     "required",  "min",
					       "max",         "min_label", "max_label",
					       "min_choices", "max_choices"};
	char at[64], where[96];
	const char *k, *key;
	json_t *v;
	int kind, m, known;
	long long lo, hi;

	snprintf(at, sizeof(at), "%s[%d]", field, i);
#define AT(member) (snprintf(where, sizeof(where), "%s.%s", at, member), where)
	if (!json_is_object(q)) {
		err_field(e, at, "must be an object {key, text, kind, ...}");
		return;
	}
	json_object_foreach(q, k, v) {
		for (m = 0, known = 0; m < N(members); m++)
			known |= !strcmp(k, members[m]);
		if (!known)
			err_field(e, AT(k), "is not a member of a question");
	}
	key = json_string_value(json_object_get(q, "key"));
	if (!key || !utf8_key(key, 64))
		err_field(e, AT("key"), "must be 1 to 64 of a-z, 0-9 and _");
	else if (json_object_get(keys, key))
		err_field(e, AT("key"), "'%s' is the key of another question", key);
	else
		json_object_set_new(keys, key, json_true());
	if (!text_ok(json_object_get(q, "text"), 500))
		err_field(e, AT("text"), "must be text of 1 to 500 characters (one line)");
	kind = kind_of(q);
	if (kind < 0) {
		err_field(e, AT("kind"), "must be one of: single, multiple, rating, ranking, text");
		return;
	}
	v = json_object_get(q, "required");
	if (v && !json_is_boolean(v))
		err_field(e, AT("required"), "must be true or false");
	check_options(q, kind, at, e);
	if (kind == Q_RATING) {
		lo = int_member(q, "min", 1, 0, 9, AT("min"), e);
		hi = int_member(q, "max", 5, 1, 10, AT("max"), e);
		if (lo >= 0 && hi >= 0 && lo >= hi)
			err_field(e, AT("max"), "must be more than min (%lld)", lo);
		for (m = 0; m < 2; m++) {
			const char *name = m ? "max_label" : "min_label";

			v = json_object_get(q, name);
			if (v && !text_ok(v, 100))
				err_field(e, AT(name), "must be text of 1 to 100 characters");
		}
	} else {
		for (m = 0; m < 4; m++) {
			static const char *const rating_only[] = {"min", "max", "min_label",
								  "max_label"};

			if (json_object_get(q, rating_only[m]))
				err_field(e, AT(rating_only[m]), "only a rating question has it");
		}
	}
	if (kind == Q_MULTIPLE) {
		size_t n = json_array_size(json_object_get(q, "options"));

		lo = int_member(q, "min_choices", 0, 0, (long long)n, AT("min_choices"), e);
		hi = int_member(q, "max_choices", (long long)n, 1, (long long)n, AT("max_choices"), e);
		if (lo >= 0 && hi >= 0 && lo > hi)
			err_field(e, AT("max_choices"), "must be at least min_choices (%lld)", lo);
	} else {
		for (m = 0; m < 2; m++) {
			const char *name = m ? "max_choices" : "min_choices";

			if (json_object_get(q, name))
				err_field(e, AT(name), "only a multiple-choice question has it");
		}
	}
#undef AT
}

int questionnaire_check(json_t *questions, const char *field, struct err *e)
{
	json_t *keys, *q;
	size_t i;
	int before = e ? e->nfields : 0;

	if (!json_is_array(questions) || !json_array_size(questions) ||
	    json_array_size(questions) > QUESTIONNAIRE_MAX)
		return err_field(e, field, "must be an array of 1 to %d questions", QUESTIONNAIRE_MAX);
	keys = json_object();
	json_array_foreach(questions, i, q)
		check_question(q, (int)i, field, keys, e);
	json_decref(keys);
	return e && e->nfields > before ? E_INVAL : OK;
}

/* The index of string `v` among the question's options, or -1. */
static int option_index(json_t *question, json_t *v)
{
	json_t *opts = json_object_get(question, "options"), *o;
	size_t i;

	if (!json_is_string(v))
		return -1;
	json_array_foreach(opts, i, o)
		if (!strcmp(json_string_value(o), json_string_value(v)))
			return (int)i;
	return -1;
}

int questionnaire_check_answer(json_t *question, json_t *answer, const char *where,
			       struct err *e)
{
	json_t *v, *opts = json_object_get(question, "options");
	unsigned char seen[QUESTIONNAIRE_OPTIONS] = {0};
	size_t i, n = json_array_size(opts);
	long long lo, hi;
	int k;

	if (!answer || json_is_null(answer))
		return json_is_true(json_object_get(question, "required"))
			       ? err_field(e, where, "is required")
			       : OK;
	switch (kind_of(question)) {
	case Q_SINGLE:
		if (option_index(question, answer) < 0)
			return err_field(e, where, "must be one of the options");
		return OK;
	case Q_MULTIPLE:
	case Q_RANKING:
		if (!json_is_array(answer))
			return err_field(e, where, "must be an array of options");
		json_array_foreach(answer, i, v) {
			k = option_index(question, v);
			if (k < 0)
				return err_field(e, where, "[%zu] is not one of the options", i);
			if (seen[k]++)
				return err_field(e, where, "'%s' is there twice",
						 json_string_value(v));
		}
		if (kind_of(question) == Q_RANKING) {
			if (json_array_size(answer) != n)
				return err_field(e, where, "must rank all %zu options", n);
			return OK;
		}
		lo = json_integer_value(json_object_get(question, "min_choices"));
		v = json_object_get(question, "max_choices");
		hi = v ? json_integer_value(v) : (long long)n;
		if ((long long)json_array_size(answer) < lo ||
		    (long long)json_array_size(answer) > hi)
			return err_field(e, where, "must pick %lld to %lld options", lo, hi);
		return OK;
	case Q_RATING:
		v = json_object_get(question, "min");
		lo = v ? json_integer_value(v) : 1;
		v = json_object_get(question, "max");
		hi = v ? json_integer_value(v) : 5;
		if (!json_is_integer(answer) || json_integer_value(answer) < lo ||
		    json_integer_value(answer) > hi)
			return err_field(e, where, "must be an integer from %lld to %lld", lo, hi);
		return OK;
	case Q_TEXT:
		if (!json_is_string(answer) || utf8_chars(json_string_value(answer), 1) < 0 ||
		    utf8_chars(json_string_value(answer), 1) > QUESTIONNAIRE_TEXT_MAX)
			return err_field(e, where, "must be text of at most %d characters",
					 QUESTIONNAIRE_TEXT_MAX);
		return OK;
	}
	return err_field(e, where, "answers a question of no known kind");
}

/* --- the record type ------------------------------------------------------ */

static const struct field fields[] = {
	{"name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH | FF_UNIQUE, 0, 200, NULL, NULL,
	 "What it asks about ('Buying criteria')"},
	{"description", FT_LONGTEXT, 0, 0, 5000, NULL, NULL, "For the host: when to use it"},
	{"questions", FT_JSON, FF_REQUIRED | FF_NOTNULL, 0, 100000, NULL, NULL,
	 "The questions: an array of {key, text, kind (single, multiple, rating, ranking, text), "
	 "options, required, min, max, min_label, max_label, min_choices, max_choices}; see "
	 "docs/meetings.md"},
	{"active", FT_BOOL, FF_FILTER | FF_NOTNULL, 0, 0, NULL, NULL,
	 "false: kept for the meetings that used it, no longer offered"},
};

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const struct val *q = &rec->v[record_field(rec->res, "questions")];
	json_t *j;
	int rc;

	(void)st;
	(void)p;
	(void)old;
	if (q->null || !q->s)
		return OK; /* required: reported by the engine */
	if (json_parse(q->s, strlen(q->s), &j, NULL))
		return err_field(e, "questions", "must be a JSON array");
	rc = questionnaire_check(j, "questions", e);
	json_decref(j);
	return rc;
}

const struct resource questionnaire_resource = {
	.name = "questionnaires",
	.singular = "questionnaire",
	.doc = "Questionnaire templates for live polls in meetings (buying criteria and the like)",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ALL,
	.write_role = ROLE_MANAGER,
	.prepare = prepare,
};
