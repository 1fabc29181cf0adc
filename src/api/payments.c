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
