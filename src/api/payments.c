/*
 * payments.c — what a won deal pays (src/crm/payment.h):
 *
 *   PUT  /api/v1/opportunities/{id}/installments {"installments": [{due_date, amount}]}
 *        replace the schedule → 200 with the payment status
 *   POST /api/v1/opportunities/{id}/payments {amount, paid_at, method?, reference?}
 *        → 201 with the payment status, payment_id, and what happened to the
 *        stage: moved_to ("payment_collected" or null) and next_step (null,
 *        or what still holds the deal back once it is paid in full)
 *   GET  /api/v1/opportunities/{id}/payments → {status, amount, paid,
 *        outstanding, installments, payments, ...}
 */
#include "crm/process/payment.h"
#include "api.h"

/* Answer the status of deal `id` with `status`; `o` adds the outcome of a
 * payment. */
static void answer(struct req *rq, struct resp *rs, int status, long long id,
		   const struct payment_outcome *o)
{
	struct jw w;
	struct err e;
	int rc, i;

	err_clear(&e);
	api_json(rs, status, &w);
	jw_obj(&w);
	if (o) {
		jw_kint(&w, "payment_id", o->payment_id);
		jw_kstr(&w, "moved_to", o->moved ? "payment_collected" : NULL);
		jw_key(&w, "next_step");
		if (o->next_step.nfields) {
			jw_obj(&w);
			jw_kstr(&w, "stage", "payment_collected");
			jw_kstr(&w, "detail", "paid in full, but the deal cannot move on yet");
			jw_key(&w, "blocked_by");
			jw_arr(&w);
			for (i = 0; i < o->next_step.nfields; i++)
				jw_str(&w, o->next_step.fields[i].message);
			jw_arr_end(&w);
			jw_obj_end(&w);
		} else {
			jw_null(&w);
		}
	}
	rc = payment_status_members(rq->st, rq->p, id, &w, &e);
	jw_obj_end(&w);
	if (rc)
		api_problem(rs, rc, &e);
}

void api_payment_list(struct req *rq, struct resp *rs)
{
	long long id = api_id(rq, rs, 0);

	if (id > 0)
		answer(rq, rs, 200, id, NULL);
}

void api_installments_set(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID | API_BODY, &a))
		return;
	if (!api_done(rs, &a, payment_set_schedule(rq->st, rq->p, a.id, a.body, &a.e)))
		answer(rq, rs, 200, a.id, NULL);
}

void api_payment_create(struct req *rq, struct resp *rs)
{
	struct payment_outcome o;
	struct api_args a;

	if (api_args(rq, rs, API_ID | API_BODY, &a))
		return;
	if (!api_done(rs, &a, payment_record(rq->st, rq->p, a.id, a.body, &o, &a.e)))
		answer(rq, rs, 201, a.id, &o);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

static const char *const pay_states[] = {"due", "partially_paid", "paid", "overdue", NULL};
static const struct api_prop p_installment_in[] = {
	DOC_PROP("due_date", FT_DATE, DOC_REQ, 0, "When it is due"),
	DOC_PROP("amount", FT_MONEY, DOC_REQ, 0, "How much, in the deal's currency"),
};
static const struct api_prop p_installments_in[] = {
	DOC_SUB("installments", "InstallmentInput[]", DOC_REQ,
		"The whole schedule; it replaces the old one.  Sums to at most the deal amount"),
};
static const struct api_prop p_payment_in[] = {
	DOC_PROP("amount", FT_MONEY, DOC_REQ, 0,
		 "Paid, in the deal's currency; at most what is outstanding"),
	DOC_PROP("paid_at", FT_DATE, DOC_REQ, 0, "When (not in the future)"),
	DOC_PROP("method", FT_TEXT, 0, 100, "Transfer, card …"),
	DOC_PROP("reference", FT_TEXT, 0, 200, "Bank reference, invoice number …"),
};
static const struct api_prop p_installment[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The installment"),
	DOC_PROP("due_date", FT_DATE, DOC_REQ, 0, "When it is due"),
	DOC_PROP("amount", FT_MONEY, DOC_REQ, 0, "How much"),
	DOC_PROP("paid", FT_MONEY, DOC_REQ, 0, "How much of it is paid (payments go oldest first)"),
	{{"status", FT_ENUM, DOC_REQ, 0, 0, pay_states, NULL, "overdue: past due and not paid"},
	 NULL},
};
static const struct api_prop p_payment[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The payment"),
	DOC_PROP("amount", FT_MONEY, DOC_REQ, 0, "How much"),
	DOC_PROP("paid_at", FT_DATE, DOC_REQ, 0, "When"),
	DOC_PROP("method", FT_TEXT, DOC_REQ | DOC_NULL, 0, "How"),
	DOC_PROP("reference", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Reference"),
	DOC_PROP("created_by", FT_REF, DOC_REQ | DOC_NULL, 0, "Who recorded it"),
	DOC_PROP("created_at", FT_TIME, DOC_REQ, 0, "When it was recorded"),
};
static const struct api_prop p_payment_status[] = {
	DOC_SUB("installments", "Installment[]", DOC_REQ,
		"The schedule, with what is paid of each"),
	{{"status", FT_ENUM, DOC_REQ, 0, 0, pay_states, NULL,
	  "The deal's payment status; paid moves it to payment collected"},
	 NULL},
	DOC_PROP("currency", FT_CURRENCY, DOC_REQ, 0, "The deal's currency"),
	DOC_PROP("amount", FT_MONEY, DOC_REQ, 0, "The deal amount"),
	DOC_PROP("scheduled", FT_MONEY, DOC_REQ | DOC_NULL, 0, "Sum of the schedule (null: none)"),
	DOC_PROP("to_pay", FT_MONEY, DOC_REQ, 0, "The schedule's sum, else the amount"),
	DOC_PROP("paid", FT_MONEY, DOC_REQ, 0, "Paid so far"),
	DOC_PROP("outstanding", FT_MONEY, DOC_REQ, 0, "Still to pay"),
	DOC_PROP("stage", FT_TEXT, DOC_REQ, 0, "The deal's stage now"),
	DOC_SUB("payments", "Payment[]", DOC_REQ, "Payments, oldest first"),
	DOC_PROP("payment_id", FT_INT, 0, 0, "After a payment: the new payment"),
	DOC_PROP("moved_to", FT_TEXT, DOC_NULL, 0,
		 "After a payment: payment_collected when it settled the deal and moved it"),
	DOC_SUB("next_step", "NextStep", 0,
		"After a payment that settled the deal but could not move it: why (null "
		"otherwise)"),
};
static const struct api_prop p_next_step[] = {
	DOC_PROP("stage", FT_TEXT, DOC_REQ, 0, "The stage it would move to"),
	DOC_PROP("detail", FT_TEXT, DOC_REQ, 0, "What happened"),
	DOC_SUB("blocked_by", "string[]", DOC_REQ, "The unmet rules, in words"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("InstallmentInput", 1, "One installment", p_installment_in),
	DOC_SCHEMA("InstallmentsSet", 1, "A payment schedule", p_installments_in),
	DOC_SCHEMA("PaymentCreate", 1, "A payment received", p_payment_in),
	DOC_SCHEMA("Installment", 0, "One installment and what is paid of it", p_installment),
	DOC_SCHEMA("Payment", 0, "A payment received", p_payment),
	DOC_SCHEMA("PaymentStatus", 0, "What a won deal is to pay and what it paid",
		   p_payment_status),
	DOC_SCHEMA("NextStep", 0, "Why a settled deal stays in its stage", p_next_step),
};

static const struct api_op doc_ops[] = {
	{api_installments_set, "set_installments", "payments", "Set a won deal's payment schedule",
	 "Replaces the schedule; only for won deals (409).", "InstallmentsSet", 200,
	 "PaymentStatus", NULL, "409"},
	{api_payment_list, "payment_status", "payments", "A deal's payments and their status",
	 "Overdue is judged against today.", NULL, 200, "PaymentStatus", NULL, NULL},
	{api_payment_create, "record_payment", "payments", "Record a payment",
	 "Audited.  A payment that settles a deal in the won stage moves it to payment collected "
	 "when its rules hold; otherwise next_step says why not.  409 when more than what is "
	 "outstanding.",
	 "PaymentCreate", 201, "PaymentStatus", NULL, "409"},
};

const struct api_doc api_doc_payments = {
	"payments",  "A won deal's payment schedule, its payments and the payment-collected stage",
	doc_ops,     DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
