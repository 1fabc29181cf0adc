/*
 * convert.h — a qualified lead becomes an account, a contact and an
 * opportunity, in one step and one transaction.
 *
 * A lead's life:
 *
 *   new ──► working ──► qualified ──(convert)──► converted (converted_at set,
 *    │          │                                  links to account, contact,
 *    │          │                                  opportunity; status qualified)
 *    └──────────┴──► disqualified  (cannot be converted)
 *
 * Conversion may start from new, working or qualified; a lead converts once.
 *
 *   account      the one named by account_id (visible to the caller), else
 *                one the caller sees with the lead's e-mail domain (unless it
 *                is a free-mail domain such as gmail.com) or, failing that,
 *                with the lead's company as its name (case-insensitive); else
 *                a new one, owned by the lead's owner;
 *   contact      the one named by contact_id (visible, and at that account),
 *                else one at the account with the lead's e-mail
 *                (case-insensitive); else a new one;
 *   opportunity  always new: owned by the lead's owner, in the lead's
 *                pipeline (else the one pipeline_for() gives the owner's team
 *                and channel), at the first stage after qualification (the
 *                stage after the one keyed "qualification", else the first
 *                middle stage, else the first stage), closing in 90 days
 *                unless told, named "<company> — <lead name>" unless told.
 *
 * All of it is written with the caller's rights (record.h), so a rep
 * converts only their own leads.  Any failure leaves nothing behind.
 */
#ifndef FUNNEL_CONVERT_H
#define FUNNEL_CONVERT_H

#include <jansson.h>

#include "crm/records/record.h"

struct convert_result {
	struct record lead, account, contact, opportunity;
	int account_created, contact_created;
};

/* Convert lead `id` as p.  `body` (may be NULL) is {"account_id",
 * "contact_id", "opportunity": {"name", "amount", "currency", "close_date",
 * "channel"}}, all optional.  E_NOTFOUND when p does not see the lead;
 * E_CONFLICT when it is converted already or disqualified; E_INVAL with
 * field problems (an opportunity's named "opportunity.amount").  On OK the
 * caller releases `out` with convert_result_release(). */
int lead_convert(struct store *st, const struct principal *p, long long id, json_t *body,
		 struct convert_result *out, struct err *e);
void convert_result_release(struct convert_result *r);

#endif
