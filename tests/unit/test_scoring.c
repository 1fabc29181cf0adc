/*
 * test_scoring.c — the parts of lead scoring that need no database: fit
 * rules (compiled from a decoded record) matched against leads, their labels
 * in a lead's factors, and the seniority and size bands the model reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* the project's headers first: cmocka defines a fail() macro */
#include "crm/records/resources.h"
#include "crm/scoring/scoring.h"

#include <cmocka.h>

/* A compiled rule from JSON text written with single quotes. */
static void rule(const char *text, struct scoring_rule *r)
{
	char buf[1024], *c;
	struct record rec;
	struct err e;
	json_t *j;

	snprintf(buf, sizeof(buf), "%s", text);
	for (c = buf; *c; c++)
		if (*c == '\'')
			*c = '"';
	j = json_loads(buf, 0, NULL);
	assert_non_null(j);
	err_clear(&e);
	record_init(&rec, &scoring_rule_resource);
	assert_int_equal(record_decode(&scoring_rule_resource, j, 0, &rec, &e), OK);
	rec.id = 7;
	assert_int_equal(scoring_rule_compile(&rec, r, &e), OK);
	record_release(&rec);
	json_decref(j);
}

static struct lead_facts lead(const char *industry, const char *title, const char *channel,
			      int has_employees, long long employees)
{
	struct lead_facts f;

	memset(&f, 0, sizeof(f));
	f.text[SF_INDUSTRY] = industry;
	f.text[SF_TITLE] = title;
	f.text[SF_CHANNEL] = channel;
	f.text[SF_EMAIL] = "ann@acme.example";
	f.has_employees = has_employees;
	f.employees = employees;
	return f;
}

static void label_is(const struct scoring_rule *r, const char *want)
{
	struct buf b = BUF_INIT;

	scoring_rule_label(r, &b);
	assert_string_equal(b.data, want);
	buf_release(&b);
}

static void equals_ignores_case_only(void **state)
{
	struct scoring_rule r;
	struct lead_facts a = lead("Software", NULL, NULL, 0, 0), b = lead("software", NULL, NULL, 0, 0),
			  c = lead("Software services", NULL, NULL, 0, 0), none = lead(NULL, NULL, NULL, 0, 0);

	(void)state;
	rule("{'field': 'industry', 'operator': 'equals', 'value': 'SOFTWARE', 'points': 12}", &r);
	assert_int_equal(r.points, 12);
	assert_true(scoring_rule_match(&r, &a));
	assert_true(scoring_rule_match(&r, &b));
	assert_false(scoring_rule_match(&r, &c));
	assert_false(scoring_rule_match(&r, &none));
	label_is(&r, "Industry is SOFTWARE");
	scoring_rule_release(&r);
}

static void contains_and_in(void **state)
{
	struct scoring_rule r;
	struct lead_facts dir = lead(NULL, "Sales Director EMEA", "web", 0, 0),
			  clerk = lead(NULL, "Clerk", "retail", 0, 0);

	(void)state;
	rule("{'field': 'title', 'operator': 'contains', 'value': 'director', 'points': 5}", &r);
	assert_true(scoring_rule_match(&r, &dir));
	assert_false(scoring_rule_match(&r, &clerk));
	label_is(&r, "Title contains \u201cdirector\u201d");
	scoring_rule_release(&r);

	rule("{'field': 'channel', 'operator': 'in', 'one_of': ['field', 'WEB'], 'points': -3,"
	     " 'name': 'Direct channels'}",
	     &r);
	assert_int_equal(r.n_one_of, 2);
	assert_true(scoring_rule_match(&r, &dir));
	assert_false(scoring_rule_match(&r, &clerk));
	label_is(&r, "Direct channels"); /* a name wins over the condition */
	scoring_rule_release(&r);

	rule("{'field': 'channel', 'operator': 'in', 'one_of': ['a', 'b', 'c', 'd', 'e'],"
	     " 'points': 1}",
	     &r);
	label_is(&r, "Channel is a, b, c or 2 more");
	scoring_rule_release(&r);
}

static void range_bounds_are_inclusive_and_open(void **state)
{
	struct scoring_rule r;
	struct lead_facts small = lead(NULL, NULL, NULL, 1, 49), lo = lead(NULL, NULL, NULL, 1, 50),
			  hi = lead(NULL, NULL, NULL, 1, 999), big = lead(NULL, NULL, NULL, 1, 1000),
			  unknown = lead(NULL, NULL, NULL, 0, 0);

	(void)state;
	rule("{'field': 'employees', 'operator': 'range', 'min': 50, 'max': 999, 'points': 8}", &r);
	assert_false(scoring_rule_match(&r, &small));
	assert_true(scoring_rule_match(&r, &lo));
	assert_true(scoring_rule_match(&r, &hi));
	assert_false(scoring_rule_match(&r, &big));
	assert_false(scoring_rule_match(&r, &unknown)); /* no head count: no match */
	label_is(&r, "Employees 50\u2013999");
	scoring_rule_release(&r);

	rule("{'field': 'employees', 'operator': 'range', 'min': 1000, 'points': 8}", &r);
	assert_true(scoring_rule_match(&r, &big));
	assert_false(scoring_rule_match(&r, &hi));
	label_is(&r, "Employees at least 1000");
	scoring_rule_release(&r);

	rule("{'field': 'employees', 'operator': 'range', 'max': 49, 'points': -8}", &r);
	assert_true(scoring_rule_match(&r, &small));
	assert_false(scoring_rule_match(&r, &lo));
	label_is(&r, "Employees at most 49");
	scoring_rule_release(&r);
}

static void seniority_from_titles(void **state)
{
	(void)state;
	assert_string_equal(scoring_seniority("Chief Executive Officer"), "executive");
	assert_string_equal(scoring_seniority("CFO"), "executive");
	assert_string_equal(scoring_seniority("Managing Director"), "executive");
	assert_string_equal(scoring_seniority("Vice President, Sales"), "vp_director");
	assert_string_equal(scoring_seniority("VP Operations"), "vp_director");
	assert_string_equal(scoring_seniority("Head of IT"), "vp_director");
	assert_string_equal(scoring_seniority("Director of Engineering"), "vp_director");
	assert_string_equal(scoring_seniority("IT Manager"), "manager");
	assert_string_equal(scoring_seniority("Business Analyst"), "staff");
	/* words, not substrings: "director" holds "cto", "developer" no "vp" */
	assert_string_equal(scoring_seniority("Art director"), "vp_director");
	assert_string_equal(scoring_seniority("Developer"), "staff");
	assert_string_equal(scoring_seniority(""), "");
	assert_string_equal(scoring_seniority(NULL), "");
}

static void size_bands(void **state)
{
	(void)state;
	assert_string_equal(scoring_size_band(0, 500), "");
	assert_string_equal(scoring_size_band(1, 0), "1-49");
	assert_string_equal(scoring_size_band(1, 49), "1-49");
	assert_string_equal(scoring_size_band(1, 50), "50-249");
	assert_string_equal(scoring_size_band(1, 999), "250-999");
	assert_string_equal(scoring_size_band(1, 1000), "1000-4999");
	assert_string_equal(scoring_size_band(1, 5000), "5000+");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equals_ignores_case_only),
		cmocka_unit_test(contains_and_in),
		cmocka_unit_test(range_bounds_are_inclusive_and_open),
		cmocka_unit_test(seniority_from_titles),
		cmocka_unit_test(size_bands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
