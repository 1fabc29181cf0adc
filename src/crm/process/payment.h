/*
 * payment.h — what a won deal is to pay (its schedule of installments) and
 * what it paid.
 *
 * The schedule.  A won deal may be given installments, each a due date and
 * an amount in the deal's currency; setting them replaces the schedule
 * whole.  They total at most the deal's amount and need NOT equal it: a
 * schedule below the amount says that only that much is to be collected
 * (a discount agreed at signing, a deposit settled before Funnel).  With a
 * schedule the deal is paid in full when the schedule is; without one, when
 * the deal's amount is — the same rule as the stage criterion "payment"
 * (pipeline.c), so what this module reports and what the process checks
 * never disagree.
 *
 * Payments.  Positive amounts in the deal's currency, exact (no more
 * decimals than the currency has), never more than is still outstanding,
 * on a won deal.  Each is on the deal's audit trail.  Payments are set
 * against installments oldest due date first, so:
 *
 *     installment  paid     ──► paid in full
 *                  partly   ──► partially_paid, or overdue once its due date passed
 *                  nothing  ──► due, or overdue once its due date passed
 *
 * and the deal's status is paid (nothing outstanding), else overdue (an
 * installment is), else partially_paid (something came in), else due.
 * "Today" is time_now(), so FUNNEL_NOW moves it in tests.
 *
 * Collecting.  When a payment settles a deal that sits in the won stage
 * "conversion", the deal moves on to "payment_collected" in the same
 * transaction, through the process rules like any move (record.h,
 * pipeline.h).  If a rule still holds it back — a welcome letter is
 * missing — the payment stands, the deal stays, and the answer says what is
 * left to do.
 */
#ifndef FUNNEL_PAYMENT_H
#define FUNNEL_PAYMENT_H

#include <jansson.h>

#include "core/err.h"
#include "core/json.h"
#include "store/store.h"
#include "crm/records/principal.h"

#define PAYMENT_MAX_INSTALLMENTS 120

/* What recording a payment did beyond the payment itself. */
struct payment_outcome {
	long long payment_id;
	int moved;             /* the deal moved to payment_collected */
	struct err next_step;  /* when paid in full but held back: why (its fields) */
};

/* Replace the schedule of won opportunity `opp_id` from {"installments":
 * [{"due_date", "amount"}, ...]} (an empty array removes it).  E_NOTFOUND
 * for a deal p does not see, E_CONFLICT when it is not won, E_INVAL (per
 * item) for bad dates or amounts, or a total above the deal's amount. */
int payment_set_schedule(struct store *st, const struct principal *p, long long opp_id,
			 json_t *body, struct err *e);

/* Record a payment from {"amount", "paid_at", "method"?, "reference"?}:
 * paid_at a date or an RFC 3339 instant, not in the future; method one of
 * bank_transfer, card, cash, cheque, direct_debit, other.  E_CONFLICT when
 * the deal is not won or the amount is more than is outstanding. */
int payment_record(struct store *st, const struct principal *p, long long opp_id,
		   json_t *body, struct payment_outcome *out, struct err *e);

/* The members (no braces: the caller opens the object) describing the
 * payments of `opp_id`: status, currency, amount, scheduled, to_pay, paid,
 * outstanding, stage, installments [{id, due_date, amount, paid, status}],
 * payments [{id, amount, paid_at, method, reference, created_by,
 * created_at}]. */
int payment_status_members(struct store *st, const struct principal *p, long long opp_id,
			   struct jw *w, struct err *e);

#endif
