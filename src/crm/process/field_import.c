/*
 * field_import.c — see field_import.h.
 */
#include "field_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "crm/records/resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))
#define VALUE_MAX 64

static const char *const field_choices[] = {"amount", "close_date", "forecast_category", NULL};

static const struct field fields[] = {
	{"opportunity_id", FT_REF, FF_REQUIRED, 0, 0, NULL, "opportunities",
	 "The deal whose field changed"},
	{"field", FT_ENUM, FF_REQUIRED, 0, 0, field_choices, NULL,
	 "amount, close_date or forecast_category"},
	{"at", FT_TIME, FF_REQUIRED, 0, 0, NULL, NULL, "When it changed"},
	{"old", FT_TEXT, 0, 0, VALUE_MAX, NULL, NULL, "The value before"},
	{"new", FT_TEXT, 0, 0, VALUE_MAX, NULL, NULL, "The value after"},
	{"actor_id", FT_REF, 0, 0, 0, NULL, "users", "Who changed it"},
};

enum { F_OPP, F_FIELD, F_AT, F_OLD, F_NEW, F_ACTOR };

/* Check value `v` of `field` (column name `col` for problems) and normalise
 * it into out: amounts with exactly the currency's decimals. */
static void check_value(const char *field, const char *col, const struct val *v,
			const char *currency, char out[VALUE_MAX + 1], struct err *e)
{
	const struct field *cat =
		&opportunity_resource.fields[record_field(&opportunity_resource, "forecast_category")];
	long long minor;
	const char *why;
	time_t t;
	int i, digits;

	out[0] = '\0';
	if (v->null || !v->s || !*v->s) {
		if (strcmp(field, "forecast_category"))
			err_field(e, col, "is required for %s", field);
		return;
	}
	if (!strcmp(field, "amount")) {
		struct buf b = BUF_INIT;

		digits = money_digits(currency);
		if (money_parse(v->s, digits, &minor, &why)) {
			err_field(e, col, "%s (%s has %d decimals)", why, currency, digits);
			return;
		}
		if (minor < 0) {
			err_field(e, col, "must not be negative");
			return;
		}
		money_format(&b, minor, digits);
		snprintf(out, VALUE_MAX + 1, "%s", b.data);
		buf_release(&b);
	} else if (!strcmp(field, "close_date")) {
		if (strlen(v->s) != 10 || time_parse_date(v->s, &t))
			err_field(e, col, "must be a date YYYY-MM-DD");
		else
			snprintf(out, VALUE_MAX + 1, "%s", v->s);
	} else {
		for (i = 0; cat->choices[i] && strcmp(cat->choices[i], v->s); i++)
			;
		if (cat->choices[i])
			snprintf(out, VALUE_MAX + 1, "%s", v->s);
		else
			err_field(e, col, "must be one of pipeline, best_case, commit, closed, omitted");
	}
}

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const struct val *opp = &rec->v[F_OPP], *field = &rec->v[F_FIELD], *at = &rec->v[F_AT];
	char currency[8] = "", a[VALUE_MAX + 1], b[VALUE_MAX + 1], now[TIME_ISO_LEN];
	struct stmt *s;
	int rc;

	(void)p;
	(void)old;
	time_iso(time_now(), now);
	if (!at->null && at->s && strcmp(at->s, now) > 0)
		err_field(e, "at", "is in the future");
	if (opp->null || field->null || !field->s)
		return OK;
	s = store_prepare(st, "SELECT currency FROM opportunities WHERE id = ?", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, opp->i);
	rc = stmt_step(s, e);
	if (stmt_row(s))
		snprintf(currency, sizeof(currency), "%s", stmt_text(s, 0));
	stmt_done(s);
	if (rc || !currency[0])
		return rc; /* a missing deal is reported by the reference check */
	check_value(field->s, "old", &rec->v[F_OLD], currency, a, e);
	check_value(field->s, "new", &rec->v[F_NEW], currency, b, e);
	if (e && e->nfields)
		return E_INVAL;
	if (a[0])
		record_set_text(rec, F_OLD, a);
	else
		record_set_null(rec, F_OLD);
	if (b[0])
		record_set_text(rec, F_NEW, b);
	else
		record_set_null(rec, F_NEW);
	return OK;
}

const struct resource field_import_resource = {
	.name = "field_import", /* the temporary table */
	.singular = "field history row",
	.doc = "A change of a deal's amount, close date or forecast category",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ALL,
	.prepare = prepare,
};

int field_import_begin(struct store *st, struct err *e)
{
	return store_exec(st,
			  "CREATE TEMP TABLE IF NOT EXISTS field_import ("
			  " id INTEGER PRIMARY KEY, opportunity_id INTEGER NOT NULL,"
			  " field TEXT NOT NULL, at TEXT NOT NULL, old TEXT, new TEXT,"
			  " actor_id INTEGER, created_by INTEGER, created_at TEXT, updated_at TEXT,"
			  " version INTEGER NOT NULL DEFAULT 1);"
			  "DELETE FROM temp.field_import;",
			  e);
}

struct row {
	char at[TIME_ISO_LEN], old[VALUE_MAX + 1], new_[VALUE_MAX + 1];
	long long actor;
};

/* Is the deal's rows' chain a history ending in `current`?  Else why. */
static int make_history(const struct row *r, int n, const char *field, const char *current,
			char *why, size_t wn)
{
	int i;

	for (i = 1; i < n; i++) {
		if (!strcmp(r[i].at, r[i - 1].at)) {
			snprintf(why, wn, "%s: two changes at %s", field, r[i].at);
			return -1;
		}
		if (strcmp(r[i].old, r[i - 1].new_)) {
			snprintf(why, wn,
				 "%s changes at %s from '%s', but the change before (at %s) left "
				 "'%s'",
				 field, r[i].at, r[i].old, r[i - 1].at, r[i - 1].new_);
			return -1;
		}
	}
	if (strcmp(r[n - 1].new_, current)) {
		snprintf(why, wn, "%s: the last change (at %s) leaves '%s' but the deal has '%s'",
			 field, r[n - 1].at, r[n - 1].new_, current);
		return -1;
	}
	return 0;
}

/* The deal's current value of `field`, as its history writes it. */
static int current_value(struct store *st, long long opp, const char *field, char *out,
			 size_t n, struct err *e)
{
	struct stmt *s = store_prepare(st,
				       "SELECT amount, currency, close_date, "
				       "coalesce(forecast_category, '') FROM opportunities WHERE "
				       "id = ?",
				       e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, opp);
	rc = stmt_step(s, e);
	out[0] = '\0';
	if (!rc && stmt_row(s)) {
		if (!strcmp(field, "amount")) {
			struct buf b = BUF_INIT;
			int digits = money_digits(stmt_text(s, 1));

			money_format(&b, stmt_int(s, 0), digits < 0 ? 2 : digits);
			snprintf(out, n, "%s", b.data);
			buf_release(&b);
		} else {
			snprintf(out, n, "%s", stmt_text(s, !strcmp(field, "close_date") ? 2 : 3));
		}
	}
	stmt_done(s);
	return rc;
}

static int replace_history(struct store *st, const struct principal *p, long long opp,
			   const char *field, const struct row *r, int n, struct err *e)
{
	char now[TIME_ISO_LEN], note[96];
	int i, rc;

	rc = store_run(st, e,
		       "DELETE FROM history WHERE resource = 'opportunities' AND record_id = ? AND "
		       "field = ? AND action = 'update'",
		       "it", opp, field);
	for (i = 0; !rc && i < n; i++)
		rc = history_add(st, "opportunities", opp, r[i].at, r[i].actor, "update", field,
				 r[i].old[0] ? r[i].old : NULL, r[i].new_[0] ? r[i].new_ : NULL, e);
	if (!rc) /* the deal existed when it changed */
		rc = store_run(st, e,
			       "UPDATE opportunities SET created_at = ?1 WHERE id = ?2 AND "
			       "created_at > ?1",
			       "ti", r[0].at, opp);
	if (rc)
		return rc;
	time_iso(time_now(), now);
	snprintf(note, sizeof(note), "%d rows of %s imported", n, field);
	return history_add(st, "opportunities", opp, now, p->user_id, "update", "field_history",
			   NULL, note, e);
}

int field_import_finish(struct store *st, const struct principal *p,
			void (*reject)(void *ctx, long long opportunity_id, const char *why),
			void *ctx, long long *done, struct err *e)
{
	struct stmt *s;
	struct row *r = NULL;
	long long opp = 0;
	char field[24] = "", current[VALUE_MAX + 1], why[400];
	int n = 0, cap = 0, rc, more = 1;

	*done = 0;
	s = store_prepare(st,
			  "SELECT opportunity_id, field, at, coalesce(old, ''), coalesce(new, ''), "
			  "coalesce(actor_id, 0) FROM temp.field_import ORDER BY opportunity_id, "
			  "field, at, id",
			  e);
	if (!s)
		return E_INTERNAL;
	/* one pass; a group ends when the deal or the field changes */
	while (more) {
		rc = stmt_step(s, e);
		if (rc)
			break;
		more = stmt_row(s);
		if (n && (!more || stmt_int(s, 0) != opp || strcmp(stmt_text(s, 1), field))) {
			rc = current_value(st, opp, field, current, sizeof(current), e);
			if (rc)
				break;
			if (make_history(r, n, field, current, why, sizeof(why)))
				reject(ctx, opp, why);
			else if ((rc = replace_history(st, p, opp, field, r, n, e)))
				break;
			else
				(*done)++;
			n = 0;
		}
		if (!more)
			break;
		if (n == cap) {
			struct row *x = realloc(r, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*x));

			if (!x) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			r = x;
		}
		opp = stmt_int(s, 0);
		snprintf(field, sizeof(field), "%s", stmt_text(s, 1));
		snprintf(r[n].at, sizeof(r[n].at), "%s", stmt_text(s, 2));
		snprintf(r[n].old, sizeof(r[n].old), "%s", stmt_text(s, 3));
		snprintf(r[n].new_, sizeof(r[n].new_), "%s", stmt_text(s, 4));
		r[n].actor = stmt_int(s, 5);
		n++;
	}
	stmt_done(s);
	free(r);
	return rc;
}
