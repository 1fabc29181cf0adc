/*
 * stale.h — stale deals and their diagnosis (GET /api/v1/reports/stale).
 *
 * A deal is stale when it is open, the caller sees it, and it passed one of
 * its stage's limits (a limit of 0 is "none"):
 *
 *   stage  days in the current stage (now − stage_entered_at) > stale_days
 *   idle   days without activity > idle_days, where the last activity is the
 *          latest done_at of the activities linked to the deal; with none,
 *          idle is measured from the later of the last stage change and the
 *          deal's creation (never from creation alone when a stage change is
 *          later), and the answer says which it used.
 *
 * "Now" is time_now(), so FUNNEL_NOW moves it in tests.  Days are whole
 * days, rounded down.
 *
 * Each stale deal comes with its funnel section and a diagnosis after the
 * seeds, chosen from the evidence on the record, and the evidence itself
 * ([{kind, detail}]):
 *
 *   section  hypotheses                      chosen by                 action
 *   upper    lost_contact | undecided        idle passed / no activity call | requalify
 *   middle   competitor | dilemma            similar deals' lost       competitive_check |
 *                                            reasons (majority          decision_meeting
 *                                            "competitor")
 *   lower    approval | budget |             no decision maker known;  map_decision_makers |
 *            internal_disagreement           similar deals lost on     involve_manager
 *                                            budget/price; else
 *
 * Evidence kinds: threshold, activity, stage_history, time_in_stage,
 * decision_makers, similar_deals.  Similar deals are those of the same
 * pipeline lost in the last 365 days from a stage of the same section, whose
 * account shares the industry or the territory; they are counted over the
 * whole company (counts only: no deal of theirs is named), because one
 * salesperson's history is too small to learn from.
 *
 * The answer is bounded, not paged: the `limit` (1..500, default 100) most
 * severe deals, severity being the largest ratio of days to limit among the
 * limits passed; `total` counts them all, and amounts are summed in one
 * currency (the `currency` asked, else the most common among the stale
 * deals), the others counted in `excluded`.
 */
#ifndef FUNNEL_STALE_H
#define FUNNEL_STALE_H

#include "core/err.h"
#include "core/json.h"
#include "store/store.h"
#include "analytics.h"
#include "crm/records/principal.h"

#define STALE_MAX_LIMIT 500
#define STALE_DEFAULT_LIMIT 100

struct stale_query {
	long long owner_id;    /* 0: every owner the caller sees */
	long long team_id;     /* 0: any; else owners in this team's subtree */
	const char *channel;   /* NULL: any */
	long long pipeline_id; /* 0: any */
	const char *currency;  /* NULL: the most common */
	int group_by_owner;
	int limit;             /* 1..STALE_MAX_LIMIT */
};

/* Write the report as one JSON object into w.  The deals and their evidence
 * come from SQL; the team's median time in stage from the analytics index
 * `a` (refreshed first), which holds every stay in memory.  E_INVAL (field
 * team_id or pipeline_id) for a team or pipeline that does not exist;
 * E_UNAVAILABLE when a is NULL. */
int stale_report(struct analytics *a, struct store *st, const struct principal *p,
		 const struct stale_query *q, struct jw *w, struct err *e);

#endif
