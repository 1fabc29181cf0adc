/*
 * leads.h — the leads capability: start here.
 *
 * What it promises.  Prospects arrive through public web-to-lead forms
 * (embeddable, throttled, spam-resistant) or are entered by hand, are
 * assigned by the form's rules (territory, channel, round-robin), answer
 * qualification questions, carry a score and a priority (scoring/), and are
 * converted in one step into an account, a contact and an opportunity placed
 * on the right pipeline — nothing half-made if any part fails.
 *
 * How its files divide the work:
 *
 *   lead.c          the lead record type: its fields, qualification answers
 *                   checked against the form, the score kept current
 *   form.h/.c       forms (a record type), public submission, assignment
 *   convert.h/.c    lead → account + contact + opportunity, matching an
 *                   existing account by name or company domain
 *
 * Depends on records/, process/ (a converted deal enters a pipeline) and
 * scoring/ (a lead's score moves with it).
 */
#ifndef FUNNEL_LEADS_H
#define FUNNEL_LEADS_H

#include "convert.h"
#include "form.h"

#endif
