/*
 * handovers.c — handing a leaving salesperson's records over (crm/handover.h).
 *
 *   GET   /api/v1/handovers                        the handovers the caller sees
 *   POST  /api/v1/handovers                        plan: {"from_user", "successor"?,
 *                                                  "manager"?, "note"?} → 201, a draft
 *   GET   /api/v1/handovers/{id}                   the plan, grouped by funnel section
 *   PATCH /api/v1/handovers/{id}                   {"successor"?, "manager"?, "note"?,
 *                                                  "status": "cancelled"?}; re-plans
 *   PATCH /api/v1/handovers/{id}/items/{item_id}   {"new_owner_id"?, "included"?,
 *                                                  "task_due_at"?, "task_subject"?}
 *   POST  /api/v1/handovers/{id}/execute           apply it, in one transaction
 *
 * Users in bodies are ids or e-mails.  Every answer but the list is the whole
 * handover, as handover_json() writes it.
 */
#include <string.h>

#include "crm/handover/handover.h"
#include "api.h"

static void answer(struct req *rq, struct resp *rs, int status, long long id)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	api_json(rs, status, &w);
	rc = handover_json(rq->st, rq->p, id, &w, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	if (status == 201)
		api_set_header(rs, "Location", "/api/v1/handovers/%lld", id);
}

void api_handover_list(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	api_json(rs, 200, &w);
	rc = handover_list_json(rq->st, rq->p, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

void api_handover_create(struct req *rq, struct resp *rs)
{
	struct handover_req hr = {0, 0, 0, NULL};
	json_t *body, *v;
	const char *key;
	struct err e;
	long long id = 0;
	int rc = OK;

	err_clear(&e);
	/* before reading the body: a rep learns nothing about who exists */
	if (!principal_is_manager(rq->p)) {
		api_problem(rs, fail(&e, E_FORBIDDEN, "only managers and admins hand records over"),
			    &e);
		return;
	}
	body = api_body(rq, rs);
	if (!body)
		return;
	json_object_foreach(body, key, v)
	{
		if (!strcmp(key, "from_user")) {
			rc = handover_user_ref(rq->st, v, key, &hr.from_user, &e);
		} else if (!strcmp(key, "successor") || !strcmp(key, "manager")) {
			if (!json_is_null(v))
				rc = handover_user_ref(rq->st, v, key,
						       key[0] == 's' ? &hr.successor : &hr.manager,
						       &e);
		} else if (!strcmp(key, "note")) {
			if (json_is_string(v))
				hr.note = json_string_value(v);
			else if (!json_is_null(v))
				err_field(&e, key, "must be text");
		} else {
			err_field(&e, key,
				  "is not a member of a handover (from_user, successor, "
				  "manager, note)");
		}
		if (rc && rc != E_INVAL)
			break;
		rc = OK;
	}
	if (!rc && !json_object_get(body, "from_user"))
		err_field(&e, "from_user", "is required: the id or e-mail of the person leaving");
	if (!rc && e.nfields)
		rc = E_INVAL;
	if (!rc)
		rc = handover_create(rq->st, rq->p, &hr, &id, &e);
	json_decref(body);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	answer(rq, rs, 201, id);
}

void api_handover_get(struct req *rq, struct resp *rs)
{
	long long id = api_id(rq, rs, 0);

	if (id > 0)
		answer(rq, rs, 200, id);
}

void api_handover_update(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID | API_BODY, &a))
		return;
	if (!api_done(rs, &a, handover_update(rq->st, rq->p, a.id, a.body, &a.e)))
		answer(rq, rs, 200, a.id);
}

void api_handover_item_update(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID | API_ITEM | API_BODY, &a))
		return;
	if (!api_done(rs, &a, handover_item_update(rq->st, rq->p, a.id, a.item, a.body, &a.e)))
		answer(rq, rs, 200, a.id);
}

void api_handover_execute(struct req *rq, struct resp *rs)
{
	struct api_args a;

	if (api_args(rq, rs, API_ID, &a))
		return;
	if (!api_done(rs, &a, handover_execute(rq->st, rq->p, a.id, &a.e)))
		answer(rq, rs, 200, a.id);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

/* Handovers (src/crm/handover.h). */
static const char *const ho_states[] = {"draft", "executed", "cancelled", NULL};
static const char *const ho_sections[] = {"lower", "middle", "upper", "other", NULL};
static const char *const ho_resources[] = {"opportunities", "leads",      "accounts",
					   "contacts",      "activities", NULL};
static const char *const ho_follows[] = {"opportunities", "leads", "accounts", "contacts", NULL};
static const char *const ho_actions[] = {"manager_takes_over",
					 "introduce_successor",
					 "successor_contacts",
					 "follow_deal",
					 "follow_record",
					 "to_successor",
					 NULL};
static const char *const ho_outcomes[] = {"applied", "skipped", NULL};
static const char *const ho_roles[] = {"leaver", "successor", "manager", "new_owner", NULL};
static const char *const ho_cancel[] = {"cancelled", NULL};
static const struct api_prop p_ho_user[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The user"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 0, "Their name"),
	DOC_PROP("email", FT_TEXT, DOC_REQ, 0, "Their login e-mail"),
	DOC_PROP("active", FT_BOOL, DOC_REQ, 0,
		 "false once disabled (the leaver, after execution)"),
};
static const struct api_prop p_ho_choice[] = {
	DOC_PROP("automatic", FT_BOOL, DOC_REQ, 0, "Proposed by Funnel rather than named"),
	DOC_PROP("reason", FT_TEXT, DOC_REQ, 0, "Why this successor, in words"),
	DOC_PROP("load_measure", FT_TEXT, DOC_REQ, 0,
		 "How load is measured to choose among candidates"),
};
static const struct api_prop p_ho_item[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The item (PATCH .../items/{item_id})"),
	DOC_CHOICE("resource", DOC_REQ, ho_resources, "Kind of record"),
	DOC_PROP("record_id", FT_INT, DOC_REQ, 0, "The record"),
	DOC_PROP("label", FT_TEXT, DOC_REQ, 0, "Its name when planned"),
	DOC_CHOICE("section", DOC_REQ, ho_sections,
		   "Where in the funnel (other: no deal to follow)"),
	DOC_PROP("stage", FT_TEXT, DOC_REQ | DOC_NULL, 0,
		 "Opportunities: the stage key when planned"),
	DOC_PROP("new_owner_id", FT_INT, DOC_REQ, 0, "Who owns it after execution"),
	DOC_PROP("new_owner_name", FT_TEXT, DOC_REQ, 0, "Their name"),
	DOC_CHOICE("action", DOC_REQ, ho_actions,
		   "lower: manager_takes_over; middle: introduce_successor (the leaver phones the "
		   "client with the successor); upper and leads: successor_contacts; accounts and "
		   "contacts: follow_deal; activities: follow_record; else to_successor"),
	DOC_PROP("task_subject", FT_TEXT, DOC_REQ | DOC_NULL, 0,
		 "The task made on execution (null: none)"),
	DOC_PROP("task_due_at", FT_TIME, DOC_REQ | DOC_NULL, 0,
		 "When it is due: lower first, then middle, then upper"),
	DOC_PROP("task_owner_id", FT_INT, DOC_REQ | DOC_NULL, 0,
		 "Who must do it (middle: the leaver; the activity is filed under the new owner, "
		 "who is on the call too, since the leaver's login ends)"),
	DOC_PROP("task_owner_name", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Their name"),
	DOC_CHOICE("follows_resource", DOC_REQ | DOC_NULL, ho_follows,
		   "The record whose new owner it follows"),
	DOC_PROP("follows_id", FT_INT, DOC_REQ | DOC_NULL, 0, "Its id"),
	DOC_PROP("included", FT_BOOL, DOC_REQ, 0,
		 "Applied on execution (an excluded record the leaver "
		 "still owns blocks execution)"),
	DOC_CHOICE("outcome", DOC_REQ | DOC_NULL, ho_outcomes,
		   "After execution: applied, or skipped (no longer the leaver's, or closed)"),
	DOC_PROP("activity_id", FT_INT, DOC_REQ | DOC_NULL, 0, "After execution: the task made"),
};
static const struct api_prop p_ho_sections[] = {
	DOC_SUB("lower", "HandoverItem[]", DOC_REQ, "Lower funnel: the manager takes over"),
	DOC_SUB("middle", "HandoverItem[]", DOC_REQ,
		"Middle funnel: the leaver introduces the successor"),
	DOC_SUB("upper", "HandoverItem[]", DOC_REQ,
		"Upper funnel and leads: the successor, afterwards"),
	DOC_SUB("other", "HandoverItem[]", DOC_REQ, "Records with no deal to follow"),
};
static const struct api_prop p_ho_by_section[] = {
	DOC_PROP("lower", FT_INT, DOC_REQ, 0, "Included items"),
	DOC_PROP("middle", FT_INT, DOC_REQ, 0, "Included items"),
	DOC_PROP("upper", FT_INT, DOC_REQ, 0, "Included items"),
	DOC_PROP("other", FT_INT, DOC_REQ, 0, "Included items"),
};
static const struct api_prop p_ho_owned[] = {
	DOC_PROP("opportunities", FT_INT, DOC_REQ, 0, "Open opportunities"),
	DOC_PROP("leads", FT_INT, DOC_REQ, 0,
		 "Open leads (new, working, qualified; not converted)"),
	DOC_PROP("accounts", FT_INT, DOC_REQ, 0, "Accounts"),
	DOC_PROP("contacts", FT_INT, DOC_REQ, 0, "Contacts"),
	DOC_PROP("activities", FT_INT, DOC_REQ, 0, "Pending activities (not done)"),
};
static const struct api_prop p_ho_planned[] = {
	DOC_SUB("by_section", "HandoverBySection", DOC_REQ, "Included items per section"),
	DOC_SUB("by_resource", "HandoverOwned", DOC_REQ, "Included items per kind of record"),
};
static const struct api_prop p_ho_owner_count[] = {
	DOC_PROP("user_id", FT_INT, DOC_REQ, 0, "The user"),
	DOC_PROP("name", FT_TEXT, DOC_REQ, 0, "Their name"),
	DOC_CHOICE("role", DOC_REQ, ho_roles, "Their part in the handover"),
	DOC_PROP("opportunities", FT_INT, DOC_REQ, 0, "Open opportunities they own"),
	DOC_PROP("leads", FT_INT, DOC_REQ, 0, "Open leads they own"),
	DOC_PROP("accounts", FT_INT, DOC_REQ, 0, "Accounts they own"),
	DOC_PROP("contacts", FT_INT, DOC_REQ, 0, "Contacts they own"),
	DOC_PROP("activities", FT_INT, DOC_REQ, 0, "Pending activities they own"),
};
static const struct api_prop p_ho_counts[] = {
	DOC_SUB("planned", "HandoverPlanned", DOC_REQ, "What the plan moves"),
	DOC_SUB("before", "HandoverOwnerCount[]", DOC_REQ,
		"What each person concerned owned just before execution (empty until executed)"),
	DOC_SUB("after", "HandoverOwnerCount[]", DOC_REQ, "And just after (the leaver: all zero)"),
};
#define HANDOVER_HEAD                                                                             \
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "The handover"),                                       \
		DOC_CHOICE("status", DOC_REQ, ho_states,                                          \
			   "draft (may change), executed or cancelled (final)"),                  \
		DOC_SUB("successor_choice", "HandoverSuccessorChoice", DOC_REQ,                   \
			"How the successor was chosen"),                                          \
		DOC_PROP("manager_reason", FT_TEXT, DOC_REQ, 0, "How the manager was chosen"),    \
		DOC_PROP("note", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Free text"),                    \
		DOC_PROP("planned_at", FT_TIME, DOC_REQ, 0, "When the items were last computed"), \
		DOC_PROP("created_by", FT_INT, DOC_REQ | DOC_NULL, 0,                             \
			 "Who planned it (null: the command line)"),                              \
		DOC_PROP("created_at", FT_TIME, DOC_REQ, 0, "When"),                              \
		DOC_PROP("updated_at", FT_TIME, DOC_REQ, 0, "Last change"),                       \
		DOC_PROP("executed_at", FT_TIME, DOC_REQ | DOC_NULL, 0, "When it was executed"),  \
		DOC_PROP("executed_by", FT_INT, DOC_REQ | DOC_NULL, 0, "Who executed it"),        \
		DOC_PROP("version", FT_INT, DOC_REQ, 0, "Grows with every change"),               \
		DOC_SUB("from_user", "HandoverUser", DOC_REQ, "The person leaving"),              \
		DOC_SUB("successor", "HandoverUser", DOC_REQ,                                     \
			"Who takes the middle and upper funnel"),                                 \
		DOC_SUB("manager", "HandoverUser", DOC_REQ, "Who takes the lower funnel")
static const struct api_prop p_ho_summary[] = {
	HANDOVER_HEAD,
};
static const struct api_prop p_handover[] = {
	HANDOVER_HEAD,
	DOC_SUB("counts", "HandoverCounts", DOC_REQ,
		"What moves, and who owned what before and after"),
	DOC_SUB("sections", "HandoverSections", DOC_REQ, "The items by funnel section"),
	DOC_SUB("history", "HistoryEntry[]", DOC_REQ, "The handover's own audit trail"),
};
static const struct api_prop p_ho_list[] = {
	DOC_SUB("data", "HandoverSummary[]", DOC_REQ,
		"Handovers of the people the caller manages, newest "
		"first"),
};
static const struct api_prop p_ho_create[] = {
	DOC_PROP("from_user", FT_REF, DOC_REQ, 0, "The person leaving: a user id, or their e-mail"),
	DOC_PROP("successor", FT_REF, DOC_NULL, 0,
		 "A user id or e-mail; null or left out: proposed (same team or nearest up, same "
		 "territory, then channel, then fewest open opportunities)"),
	DOC_PROP("manager", FT_REF, DOC_NULL, 0,
		 "A user id or e-mail; null or left out: the leaver's manager, else a manager of "
		 "their team or the nearest team up"),
	DOC_PROP("note", FT_TEXT, DOC_NULL, 4000, "Free text"),
};
static const struct api_prop p_ho_update[] = {
	DOC_PROP("successor", FT_REF, DOC_NULL, 0,
		 "Re-plan with this successor (null: proposed again)"),
	DOC_PROP("manager", FT_REF, DOC_NULL, 0,
		 "Re-plan with this manager (null: proposed again)"),
	DOC_PROP("note", FT_TEXT, DOC_NULL, 4000, "Free text"),
	DOC_CHOICE("status", 0, ho_cancel, "cancelled ends the draft"),
};
static const struct api_prop p_ho_item_update[] = {
	DOC_PROP("new_owner_id", FT_REF, 0, 0,
		 "An active user the caller may assign to, not the "
		 "leaver"),
	DOC_PROP("included", FT_BOOL, 0, 0, "false leaves the record out"),
	DOC_PROP("task_due_at", FT_TIME, 0, 0, "When the task is due"),
	DOC_PROP("task_subject", FT_TEXT, 0, 200, "What the task says"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("HandoverUser", 0, "A person in a handover", p_ho_user),
	DOC_SCHEMA("HandoverSuccessorChoice", 0, "How the successor was chosen", p_ho_choice),
	DOC_SCHEMA("HandoverItem", 0, "One record of the leaver: where it goes, what to do",
		   p_ho_item),
	DOC_SCHEMA("HandoverSections", 0, "Items by funnel section", p_ho_sections),
	DOC_SCHEMA("HandoverBySection", 0, "Counts per section", p_ho_by_section),
	DOC_SCHEMA("HandoverOwned", 0, "Counts per kind of record", p_ho_owned),
	DOC_SCHEMA("HandoverPlanned", 0, "What a plan moves", p_ho_planned),
	DOC_SCHEMA("HandoverOwnerCount", 0, "What one person owns", p_ho_owner_count),
	DOC_SCHEMA("HandoverCounts", 0, "Counts of a handover", p_ho_counts),
	DOC_SCHEMA("HandoverSummary", 0, "A handover, without its items", p_ho_summary),
	DOC_SCHEMA("Handover", 0, "A handover plan and, once executed, its result", p_handover),
	DOC_SCHEMA("HandoverList", 0, "Handovers", p_ho_list),
	DOC_SCHEMA("HandoverCreate", 1, "Who leaves; who takes over (optional)", p_ho_create),
	DOC_SCHEMA("HandoverUpdate", 1, "A change to a draft", p_ho_update),
	DOC_SCHEMA("HandoverItemUpdate", 1, "A change to one item of a draft", p_ho_item_update),
};

static const struct api_op doc_ops[] = {
	{api_handover_list, "list_handovers", "handovers", "List handovers",
	 "Those of the people the caller manages (admins: all), newest first, without items.  "
	 "Managers and admins only (403).",
	 NULL, 200, "HandoverList", NULL, NULL},
	{api_handover_create, "create_handover", "handovers", "Plan a handover",
	 "For a salesperson who leaves: every open opportunity, open lead, account, contact and "
	 "pending activity they own, with its new owner and the action its funnel position "
	 "calls for (lower: the manager takes over; middle: the leaver introduces the "
	 "successor by phone; upper and leads: the successor contacts them afterwards; "
	 "accounts and contacts follow their deals).  Nothing else changes: the plan is a "
	 "draft to review.  Managers for their team subtree, admins for anyone; never "
	 "oneself.  409 when the leaver has a draft already or nobody can be proposed.",
	 "HandoverCreate", 201, "Handover", "Location", "409"},
	{api_handover_get, "get_handover", "handovers", "Read a handover",
	 "Its items grouped by funnel section, its counts and its history.", NULL, 200, "Handover",
	 NULL, NULL},
	{api_handover_update, "update_handover", "handovers", "Change or cancel a draft",
	 "A successor or manager (null: proposed again) re-plans every item from the leaver's "
	 "records as they are now; item edits are lost.  status cancelled ends it.  409 when "
	 "it is not a draft.",
	 "HandoverUpdate", 200, "Handover", NULL, "409"},
	{api_handover_item_update, "update_handover_item", "handovers", "Edit one item of a draft",
	 "New owner (an active user the caller may assign to; what follows the record follows "
	 "it), included, the task's due date or subject.  409 when it is not a draft.",
	 "HandoverItemUpdate", 200, "Handover", NULL, "409"},
	{api_handover_execute, "execute_handover", "handovers", "Execute a handover",
	 "In one transaction: every included item's owner changes (audited on each record), "
	 "the tasks are created as activities on their records, the leaver is disabled (their "
	 "sessions end and tokens are revoked), the counts before and after are kept.  409, "
	 "with nothing changed, when it is not a draft, when the leaver owns open records "
	 "outside the plan (one errors[] entry each: re-plan), or when an item cannot be "
	 "applied any more.",
	 NULL, 200, "Handover", NULL, "409"},
};

const struct api_doc api_doc_handovers = {
	"handovers",
	"When a salesperson leaves: a plan for every open record, reviewed, then executed at once",
	doc_ops,
	DOC_N(doc_ops),
	doc_schemas,
	DOC_N(doc_schemas),
};
