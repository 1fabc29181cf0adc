/*
 * lead.c — a prospect not yet qualified into an account and opportunity.
 */
#include "form.h"
#include "crm/records/resources.h"
#include "crm/scoring/scoring.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const char *const status_choices[] = {"new", "working", "qualified", "disqualified",
					     NULL};
static const char *const tier_choices[] = {"A", "B", "C", "D", NULL};

static const struct field fields[] = {
	{"first_name", FT_TEXT, FF_SEARCH, 0, 100, NULL, NULL, "Given name"},
	{"last_name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH, 0, 100, NULL, NULL,
	 "Family name"},
	{"company", FT_TEXT, FF_SEARCH | FF_FILTER, 0, 200, NULL, NULL, "Company name"},
	{"email", FT_EMAIL, FF_FILTER | FF_SEARCH, 0, 254, NULL, NULL, "E-mail address"},
	{"phone", FT_TEXT, 0, 0, 50, NULL, NULL, "Phone number"},
	{"title", FT_TEXT, 0, 0, 100, NULL, NULL, "Job title"},
	{"source", FT_TEXT, FF_FILTER, 0, 100, NULL, NULL,
	 "Where the lead came from (web form, event, referral ...)"},
	{"industry", FT_TEXT, FF_FILTER, 0, 100, NULL, NULL, "Industry"},
	{"territory", FT_TEXT, FF_FILTER, 0, 100, NULL, NULL, "Sales territory"},
	{"channel", FT_ENUM, FF_FILTER, 0, 0, channel_choices, NULL, "Sales channel"},
	{"status", FT_ENUM, FF_FILTER | FF_NOTNULL, 0, 0, status_choices, NULL,
	 "Qualification status (default new)"},
	{"owner_id", FT_REF, FF_OWNER | FF_FILTER | FF_NOTNULL, 0, 0, NULL, "users",
	 "Owning salesperson (defaults to the caller)"},
	/* qualification and conversion (form.h, convert.h) */
	{"qualification", FT_JSON, 0, 0, 100000, NULL, NULL,
	 "Qualification answers: an object of strings (budget, authority, need, timeline, "
	 "...), each at most 1000 characters"},
	{"form_id", FT_REF, FF_READONLY | FF_FILTER, 0, 0, NULL, "forms",
	 "The web form it came from"},
	{"pipeline_id", FT_REF, FF_READONLY | FF_FILTER, 0, 0, NULL, "pipelines",
	 "Process map its deal will follow (from the form)"},
	{"converted_at", FT_TIME, FF_READONLY | FF_RANGE, 0, 0, NULL, NULL,
	 "When it was converted (POST /leads/{id}/convert)"},
	{"converted_account_id", FT_REF, FF_READONLY, 0, 0, NULL, "accounts",
	 "Account it was converted into"},
	{"converted_contact_id", FT_REF, FF_READONLY, 0, 0, NULL, "contacts",
	 "Contact it was converted into"},
	{"converted_opportunity_id", FT_REF, FF_READONLY, 0, 0, NULL, "opportunities",
	 "Opportunity it was converted into"},
	/* scoring (scoring.h): kept by the server, without a new version */
	{"employees", FT_INT, FF_RANGE, 0, 10000000, NULL, NULL,
	 "Company size: number of employees"},
	{"score", FT_INT, FF_READONLY | FF_NOTNULL | FF_SORT | FF_RANGE, 0, 100, NULL, NULL,
	 "Priority score 0..100: the learned probability of converting (x 100) plus the fit "
	 "rules' points, clamped (docs/scoring.md)"},
	{"tier", FT_ENUM, FF_READONLY | FF_NOTNULL | FF_FILTER, 0, 0, tier_choices, NULL,
	 "Priority tier by score: A (best) to D; thresholds in GET /api/v1/scoring/model"},
	{"score_factors", FT_JSON, FF_READONLY, 0, 0, NULL, NULL,
	 "What made the score, largest first: [{\"factor\": \"Industry: Software\", "
	 "\"points\": 12}, ...]"},
};

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const struct val *q = &rec->v[record_field(rec->res, "qualification")];

	(void)st;
	(void)p;
	(void)old;
	if (q->set && !q->null)
		return form_check_qualification("qualification", q->s, e);
	return OK;
}

/* Every write to a lead rescores it, in the same transaction. */
static int after_write(struct store *st, const struct principal *p, const struct record *old,
		       const struct record *rec, struct err *e)
{
	(void)p;
	(void)old;
	return scoring_lead_changed(st, rec->id, e);
}

const struct resource lead_resource = {
	.name = "leads",
	.singular = "lead",
	.doc = "Prospects to qualify",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_OWNER,
	.search_index = "leads_search",
	.prepare = prepare,
	.after_write = after_write,
};
