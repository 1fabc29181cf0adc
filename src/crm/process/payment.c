/*
 * payment.c — payment schedules and payments of won deals (payment.h).
 */
#include "payment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "crm/records/record.h"
#include "crm/records/resources.h"

static const char *const methods[] = {"bank_transfer", "card",  "cash",
				      "cheque",        "direct_debit", "other", NULL};

/* The deal, as p sees it, and its currency's decimals. */
static int load_deal(struct store *st, const struct principal *p, long long id,
		     struct record *opp, int *digits, struct err *e)
{
	int rc = record_get(st, p, &opportunity_resource, id, opp, e);
	const char *cur;

	if (rc)
		return rc;
	cur = record_text(opp, "currency");
	*digits = money_digits(cur ? cur : "EUR");
	if (*digits < 0)
		*digits = 2;
	return OK;
}

static int must_be_won(const struct record *opp, const char *what, struct err *e)
{
	const char *status = record_text(opp, "status");

	if (status && !strcmp(status, "won"))
		return OK;
	return fail(e, E_CONFLICT, "%s only a won deal; this one is %s", what,
		    status ? status : "not won");
}

/* A money value from JSON (a decimal string or a number), exact, > 0. */
static int money_in(json_t *v, int digits, long long *minor, const char **why)
{
	if (json_is_string(v)) {
		if (money_parse(json_string_value(v), digits, minor, why))
			return -1;
	} else if (json_is_integer(v) || json_is_real(v)) {
		if (money_from_double(json_number_value(v), digits, minor, why))
			return -1;
	} else {
		*why = "must be a number or a decimal string";
		return -1;
	}
	if (*minor <= 0) {
		*why = "must be more than zero";
		return -1;
	}
	return 0;
}

/* Reject members other than `allowed` (NULL-terminated); the problem names
 * the member as prefix + key. */
static void only_keys(json_t *obj, const char *const *allowed, const char *prefix,
		      struct err *e)
{
	const char *k;
	char name[64];
	json_t *v;
	int i;

	json_object_foreach(obj, k, v) {
		for (i = 0; allowed[i] && strcmp(k, allowed[i]); i++)
			;
		if (allowed[i])
			continue;
		snprintf(name, sizeof(name), "%s%.40s", prefix, k);
		err_field(e, name, "is not a field here");
	}
}

/* Sums for one deal, read inside the caller's transaction. */
struct sums {
	long long scheduled, paid;
	int ninst;
};

static int read_sums(struct store *st, long long id, struct sums *s, struct err *e)
{
	struct stmt *q = store_prepare(
		st,
		"SELECT coalesce((SELECT sum(amount) FROM installments WHERE opportunity_id = ?1), "
		"0), (SELECT count(*) FROM installments WHERE opportunity_id = ?1), "
		"coalesce((SELECT sum(amount) FROM payments WHERE opportunity_id = ?1), 0)",
		e);
	int rc;

	if (!q)
		return E_INTERNAL;
	stmt_bind_int(q, 1, id);
	rc = stmt_step(q, e);
	if (!rc && stmt_row(q)) {
		s->scheduled = stmt_int(q, 0);
		s->ninst = (int)stmt_int(q, 1);
		s->paid = stmt_int(q, 2);
	}
	stmt_done(q);
	return rc;
}

/* What is to be paid: the schedule when there is one, else the amount. */
static long long to_pay(const struct record *opp, const struct sums *s)
{
	return s->ninst ? s->scheduled : record_int(opp, "amount");
}

static void summary(struct buf *b, int n, long long total, int digits, const char *cur)
{
	buf_reset(b);
	buf_printf(b, "%d installment%s, ", n, n == 1 ? "" : "s");
	money_format(b, total, digits);
	buf_printf(b, " %s", cur);
}

/* --- the schedule ------------------------------------------------------- */

int payment_set_schedule(struct store *st, const struct principal *p, long long opp_id,
			 json_t *body, struct err *e)
{
	static const char *const top[] = {"installments", NULL};
	static const char *const item_keys[] = {"due_date", "amount", NULL};
	struct record opp;
	struct buf old = BUF_INIT, new_ = BUF_INIT, amt = BUF_INIT;
	struct sums before = {0, 0, 0};
	json_t *arr = json_object_get(body, "installments"), *it;
	long long amounts[PAYMENT_MAX_INSTALLMENTS], total = 0;
	const char *cur;
	char now[TIME_ISO_LEN], path[64];
	struct stmt *s;
	size_t i, n = 0;
	int rc, digits;

	record_init(&opp, &opportunity_resource);
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = load_deal(st, p, opp_id, &opp, &digits, e);
	if (!rc)
		rc = must_be_won(&opp, "a payment schedule is for", e);
	if (rc)
		goto fail;
	cur = record_text(&opp, "currency");
	only_keys(body, top, "", e);
	if (!json_is_array(arr))
		err_field(e, "installments", "must be an array of {due_date, amount}");
	else if ((n = json_array_size(arr)) > PAYMENT_MAX_INSTALLMENTS)
		err_field(e, "installments", "at most %d installments", PAYMENT_MAX_INSTALLMENTS);
	for (i = 0; i < n && n <= PAYMENT_MAX_INSTALLMENTS; i++) {
		json_t *d, *a;
		const char *why;
		time_t t;

		it = json_array_get(arr, i);
		if (!json_is_object(it)) {
			snprintf(path, sizeof(path), "installments[%zu]", i);
			err_field(e, path, "must be an object {due_date, amount}");
			continue;
		}
		snprintf(path, sizeof(path), "installments[%zu].", i);
		only_keys(it, item_keys, path, e);
		d = json_object_get(it, "due_date");
		a = json_object_get(it, "amount");
		snprintf(path, sizeof(path), "installments[%zu].due_date", i);
		if (!json_is_string(d) || time_parse_date(json_string_value(d), &t))
			err_field(e, path, "must be a date as YYYY-MM-DD");
		snprintf(path, sizeof(path), "installments[%zu].amount", i);
		if (!a)
			err_field(e, path, "is required");
		else if (money_in(a, digits, &amounts[i], &why))
			err_field(e, path, "%s", why);
		else
			total += amounts[i];
	}
	if (e && !e->nfields && total > record_int(&opp, "amount")) {
		money_format(&amt, total, digits);
		buf_puts(&amt, " is more than the deal's amount ");
		money_format(&amt, record_int(&opp, "amount"), digits);
		err_field(e, "installments", "they total %s", amt.data);
	}
	if (e && e->nfields) {
		rc = E_INVAL;
		goto fail;
	}

	rc = read_sums(st, opp_id, &before, e);
	if (rc)
		goto fail;
	rc = store_run(st, e, "DELETE FROM installments WHERE opportunity_id = ?", "i",
		       opp_id);
	if (rc)
		goto fail;
	time_iso(time_now(), now);
	for (i = 0; i < n; i++) {
		s = store_prepare(st,
				  "INSERT INTO installments (opportunity_id, due_date, amount, "
				  "created_at) VALUES (?, ?, ?, ?)",
				  e);
		if (!s) {
			rc = E_INTERNAL;
			goto fail;
		}
		stmt_bind_int(s, 1, opp_id);
		stmt_bind_text(s, 2, json_string_value(
					     json_object_get(json_array_get(arr, i), "due_date")));
		stmt_bind_int(s, 3, amounts[i]);
		stmt_bind_text(s, 4, now);
		rc = stmt_step(s, e);
		stmt_done(s);
		if (rc)
			goto fail;
	}
	if (before.ninst)
		summary(&old, before.ninst, before.scheduled, digits, cur);
	if (n)
		summary(&new_, (int)n, total, digits, cur);
	rc = history_add(st, "opportunities", opp_id, now, p->user_id, "update", "installments",
			 before.ninst ? old.data : NULL, n ? new_.data : NULL, e);
	if (!rc)
		rc = store_commit(st, e);
fail:
	if (rc)
		store_rollback(st);
	buf_release(&old);
	buf_release(&new_);
	buf_release(&amt);
	record_release(&opp);
	return rc;
}

/* --- payments ----------------------------------------------------------- */

static int text_ok(const char *s, size_t max)
{
	size_t i, chars = 0;

	if (!utf8_valid(s, strlen(s)))
		return 0;
	for (i = 0; s[i]; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
		chars += ((unsigned char)s[i] & 0xc0) != 0x80;
	}
	return chars > 0 && chars <= max;
}

/* Move a settled deal from conversion to payment_collected, through the
 * process rules.  What holds it back goes to out->next_step. */
static int collect(struct store *st, const struct principal *p, const struct record *opp,
		   struct payment_outcome *out, struct err *e)
{
	struct record moved;
	json_t *body;
	int rc;

	if (strcmp(record_text(opp, "stage") ? record_text(opp, "stage") : "", "conversion"))
		return OK;
	body = json_pack("{s:s}", "stage", "payment_collected");
	if (!body)
		return fail(e, E_INTERNAL, "out of memory");
	rc = record_update_opts(st, p, &opportunity_resource, opp->id, body, -1, NULL, &moved,
				&out->next_step);
	json_decref(body);
	record_release(&moved);
	if (!rc) {
		out->moved = 1;
		return OK;
	}
	/* the process said no (its own savepoint is rolled back): the payment
	 * stands, the answer says what is missing */
	if (rc == E_CONFLICT || rc == E_INVAL || rc == E_FORBIDDEN)
		return OK;
	*e = out->next_step;
	err_clear(&out->next_step);
	return rc;
}

int payment_record(struct store *st, const struct principal *p, long long opp_id,
		   json_t *body, struct payment_outcome *out, struct err *e)
{
	static const char *const keys[] = {"amount", "paid_at", "method", "reference", NULL};
	struct record opp;
	struct sums sm = {0, 0, 0};
	struct buf words = BUF_INIT;
	json_t *a = json_object_get(body, "amount"), *at = json_object_get(body, "paid_at"),
	       *m = json_object_get(body, "method"), *ref = json_object_get(body, "reference");
	const char *why, *method = NULL, *reference = NULL;
	char paid_at[TIME_ISO_LEN] = "", now[TIME_ISO_LEN];
	long long amount = 0, outstanding;
	struct stmt *s;
	time_t t;
	int rc, digits, i;

	memset(out, 0, sizeof(*out));
	err_clear(&out->next_step);
	record_init(&opp, &opportunity_resource);
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = load_deal(st, p, opp_id, &opp, &digits, e);
	if (!rc)
		rc = must_be_won(&opp, "payments are recorded on", e);
	if (rc)
		goto fail;

	only_keys(body, keys, "", e);
	if (!a)
		err_field(e, "amount", "is required");
	else if (money_in(a, digits, &amount, &why))
		err_field(e, "amount", "%s", why);
	if (!json_is_string(at))
		err_field(e, "paid_at", "is required: the date (YYYY-MM-DD) or time it was paid");
	else if (!time_parse_date(json_string_value(at), &t))
		snprintf(paid_at, sizeof(paid_at), "%s", json_string_value(at));
	else if (!time_parse_iso(json_string_value(at), &t))
		time_iso(t, paid_at);
	else
		err_field(e, "paid_at", "must be a date (YYYY-MM-DD) or a date-time with a zone");
	if (paid_at[0] && t > time_now())
		err_field(e, "paid_at", "is in the future");
	if (m && !json_is_null(m)) {
		method = json_string_value(m);
		for (i = 0; method && methods[i] && strcmp(method, methods[i]); i++)
			;
		if (!method || !methods[i])
			err_field(e, "method", "must be one of: bank_transfer, card, cash, cheque, "
					       "direct_debit, other");
	}
	if (ref && !json_is_null(ref)) {
		reference = json_string_value(ref);
		if (!reference || !text_ok(reference, 200))
			err_field(e, "reference", "must be one line of 1 to 200 characters");
	}
	if (e && e->nfields) {
		rc = E_INVAL;
		goto fail;
	}

	rc = read_sums(st, opp_id, &sm, e);
	if (rc)
		goto fail;
	outstanding = to_pay(&opp, &sm) - sm.paid;
	if (amount > outstanding) {
		if (outstanding <= 0) {
			rc = fail(e, E_CONFLICT, "nothing is outstanding on this deal");
			goto fail;
		}
		money_format(&words, outstanding, digits);
		err_field(e, "amount", "only %s %s is outstanding", words.data,
			  record_text(&opp, "currency"));
		if (e)
			e->code = E_CONFLICT;
		rc = E_CONFLICT;
		goto fail;
	}

	time_iso(time_now(), now);
	s = store_prepare(st,
			  "INSERT INTO payments (opportunity_id, amount, paid_at, method, "
			  "reference, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
			  "RETURNING id",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_int(s, 1, opp_id);
	stmt_bind_int(s, 2, amount);
	stmt_bind_text(s, 3, paid_at);
	stmt_bind_text(s, 4, method);
	stmt_bind_text(s, 5, reference);
	if (p->user_id)
		stmt_bind_int(s, 6, p->user_id);
	else
		stmt_bind_null(s, 6);
	stmt_bind_text(s, 7, now);
	rc = stmt_step(s, e);
	if (!rc)
		out->payment_id = stmt_int(s, 0);
	stmt_step(s, NULL);
	stmt_done(s);
	if (rc)
		goto fail;
	buf_reset(&words);
	money_format(&words, amount, digits);
	buf_printf(&words, " %s paid %s", record_text(&opp, "currency"), paid_at);
	if (method)
		buf_printf(&words, " by %s", method);
	if (reference)
		buf_printf(&words, " (%s)", reference);
	rc = history_add(st, "opportunities", opp_id, now, p->user_id, "update", "payment", NULL,
			 words.data, e);
	if (rc)
		goto fail;
	if (amount == outstanding)
		rc = collect(st, p, &opp, out, e);
	if (!rc)
		rc = store_commit(st, e);
fail:
	if (rc)
		store_rollback(st);
	buf_release(&words);
	record_release(&opp);
	return rc;
}

/* --- status ------------------------------------------------------------- */


int payment_status_members(struct store *st, const struct principal *p, long long opp_id,
			   struct jw *w, struct err *e)
{
	struct record opp;
	struct sums sm = {0, 0, 0};
	struct stmt *s = NULL;
	char today[11];
	long long left, due, got, total;
	int rc, digits, overdue = 0;

	record_init(&opp, &opportunity_resource);
	rc = load_deal(st, p, opp_id, &opp, &digits, e);
	if (!rc)
		rc = read_sums(st, opp_id, &sm, e);
	if (rc)
		goto out;
	time_date(time_now(), today);
	total = to_pay(&opp, &sm);

	/* payments go to installments oldest due date first */
	s = store_prepare(st,
			  "SELECT id, due_date, amount FROM installments WHERE opportunity_id = ? "
			  "ORDER BY due_date, id",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto out;
	}
	stmt_bind_int(s, 1, opp_id);
	jw_key(w, "installments");
	jw_arr(w);
	left = sm.paid;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		const char *date = stmt_text(s, 1), *status;

		due = stmt_int(s, 2);
		got = left < due ? left : due;
		left -= got;
		if (got == due)
			status = "paid";
		else if (strcmp(date, today) < 0)
			status = "overdue";
		else
			status = got ? "partially_paid" : "due";
		overdue |= !strcmp(status, "overdue");
		jw_obj(w);
		jw_kint(w, "id", stmt_int(s, 0));
		jw_kstr(w, "due_date", date);
		money_jw(w, "amount", due, digits);
		money_jw(w, "paid", got, digits);
		jw_kstr(w, "status", status);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	stmt_done(s);
	if (rc)
		goto out;

	jw_kstr(w, "status", total > 0 && sm.paid >= total ? "paid"
			     : overdue                      ? "overdue"
			     : sm.paid > 0                  ? "partially_paid"
							    : "due");
	jw_kstr(w, "currency", record_text(&opp, "currency"));
	money_jw(w, "amount", record_int(&opp, "amount"), digits);
	jw_key(w, "scheduled");
	if (sm.ninst)
		money_jw(w, NULL, sm.scheduled, digits);
	else
		jw_null(w);
	money_jw(w, "to_pay", total, digits);
	money_jw(w, "paid", sm.paid, digits);
	money_jw(w, "outstanding", total > sm.paid ? total - sm.paid : 0, digits);
	jw_kstr(w, "stage", record_text(&opp, "stage"));

	s = store_prepare(st,
			  "SELECT id, amount, paid_at, method, reference, created_by, created_at "
			  "FROM payments WHERE opportunity_id = ? ORDER BY paid_at, id",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto out;
	}
	stmt_bind_int(s, 1, opp_id);
	jw_key(w, "payments");
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		jw_obj(w);
		jw_kint(w, "id", stmt_int(s, 0));
		money_jw(w, "amount", stmt_int(s, 1), digits);
		jw_kstr(w, "paid_at", stmt_text(s, 2));
		jw_kstr(w, "method", stmt_text(s, 3));
		jw_kstr(w, "reference", stmt_text(s, 4));
		jw_key(w, "created_by");
		if (stmt_null(s, 5))
			jw_null(w);
		else
			jw_int(w, stmt_int(s, 5));
		jw_kstr(w, "created_at", stmt_text(s, 6));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	stmt_done(s);
out:
	record_release(&opp);
	return rc;
}
