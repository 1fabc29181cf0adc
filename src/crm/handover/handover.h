/*
 * handover.h — when a salesperson leaves: a plan for every open record they
 * own, by funnel position, that a manager reviews, edits and then executes
 * in one transaction (the seeds: the company's customers are not the
 * salesperson's personal property).
 *
 * A handover moves through three states:
 *
 *     handover_create() ──► draft ──handover_execute()──► executed
 *                           │  ▲
 *                           │  └─ handover_update() {successor, manager}: re-plan
 *                           │     handover_item_update(): one item's owner, task
 *                           └──── handover_update() {status: cancelled} ──► cancelled
 *
 * Only drafts change; executed and cancelled are final.  One draft per
 * leaver at a time.
 *
 * The plan (one item per record of the leaver — open opportunities, open
 * leads (new/working/qualified, not converted), accounts, contacts, pending
 * activities) follows the funnel section of each deal's stage:
 *   lower   the manager takes the deal and a task to contact the client
 *           personally and say who is responsible from now on (due first);
 *   middle  a task for the leaver to phone the client together with the
 *           successor, introduce them and book the next meeting, before the
 *           leaver goes; the deal goes to the successor;
 *   upper   (and leads) the successor takes it, with a task to contact the
 *           prospect, due after the lower and middle tasks;
 *   other   accounts and contacts go with the account's most advanced open
 *           deal (to that deal's new owner), else to the successor; pending
 *           activities follow their record's new owner.
 *
 * The successor, when not named, is the active rep of the leaver's team (or
 * the nearest team up, else anywhere the caller sees) with the same territory,
 * then the same channel, then the lowest load: the number of open
 * opportunities, ties broken by their weighted amount (amount × probability).
 * The manager, when not named, is the leaver's manager_id, else a manager of
 * the leaver's team or the nearest team up, else the caller.  Everyone
 * proposed is active, not the leaver, and someone the caller may assign
 * records to.
 *
 * Execution applies every included item through the record engine (so each
 * record's history has its owner change), creates the tasks as activities
 * linked to their records, disables the leaver (which ends their sessions and
 * revokes their tokens), records the counts before and after and writes the
 * handover's own history — all or nothing.  It refuses (E_CONFLICT) when the
 * leaver owns an open record the plan does not include (excluded, or new
 * since planning): re-plan first.  Afterwards the leaver owns nothing open.
 * The leaver's own introduction call is filed under the deal's new owner,
 * who is on the call too, since the leaver's login ends with the execution.
 *
 * Who may: managers for the people of their team subtree, admins for anyone;
 * nobody for themselves.  Reps get E_FORBIDDEN; a handover of someone the
 * caller does not see is E_NOTFOUND.
 */
#ifndef FUNNEL_HANDOVER_H
#define FUNNEL_HANDOVER_H

#include <jansson.h>

#include "core/err.h"
#include "core/json.h"
#include "store/store.h"
#include "crm/records/principal.h"

/* Days from today (09:00 UTC) the tasks are due, by section. */
#define HANDOVER_DUE_LOWER 2
#define HANDOVER_DUE_MIDDLE 3
#define HANDOVER_DUE_UPPER 7

struct handover_req {
	long long from_user; /* the leaver */
	long long successor; /* 0: propose one */
	long long manager;   /* 0: propose one */
	const char *note;    /* may be NULL */
};

/* A user named in a body as an id or an e-mail: *id, or a field problem on
 * `field` (E_INVAL). */
int handover_user_ref(struct store *st, json_t *v, const char *field, long long *id, struct err *e);

/* Make and store a plan (a draft); nothing else changes.  *id is the new
 * handover.  E_CONFLICT when a draft for the leaver exists already or no
 * successor/manager can be proposed. */
int handover_create(struct store *st, const struct principal *p, const struct handover_req *rq,
		    long long *id, struct err *e);
/* The id of the leaver's draft, or 0. */
int handover_find_draft(struct store *st, long long from_user, long long *id, struct err *e);

/* Change a draft from a JSON body {successor?, manager?, note?, status?}.
 * A successor or manager (null: propose again) re-plans every item from the
 * leaver's records as they are now (item edits are lost); status "cancelled"
 * ends the draft. */
int handover_update(struct store *st, const struct principal *p, long long id, json_t *body,
		    struct err *e);
/* Edit one item of a draft: {new_owner_id?, included?, task_due_at?,
 * task_subject?}.  A new owner must be active, not the leaver, and someone the
 * caller may assign to; the records that follow the item (an account behind
 * its deal, activities behind their record) follow the change. */
int handover_item_update(struct store *st, const struct principal *p, long long id,
			 long long item_id, json_t *body, struct err *e);

/* Execute a draft (see above).  E_CONFLICT when it is not a draft, when the
 * leaver owns open records outside the plan (one field problem each), or when
 * an item cannot be applied any more (its new owner was disabled ...): then
 * nothing has changed. */
int handover_execute(struct store *st, const struct principal *p, long long id, struct err *e);

/* One handover as JSON: the people, the items grouped by section (lower,
 * middle, upper, other), the tallies, counts before/after once executed, and
 * its history. */
int handover_json(struct store *st, const struct principal *p, long long id, struct jw *w,
		  struct err *e);
/* {"data": [...]} the handovers the caller sees, newest first, without items. */
int handover_list_json(struct store *st, const struct principal *p, struct jw *w, struct err *e);

#endif
