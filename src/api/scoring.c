/*
 * scoring.c — lead scoring (src/crm/scoring.h):
 *
 *   GET  /api/v1/scoring/model   the model, its weights and AUCs, the rules,
 *                                the tiers (managers and admins; reps 403)
 *   POST /api/v1/scoring/train   train now (admins); answers as GET model
 *   PUT  /api/v1/scoring/tiers   {"A": 75, "B": 50, "C": 25} (admins)
 *
 * The fit rules are a record type (/api/v1/scoring/rules, records.c).  The
 * leads' scores follow a change of model, rules or tiers in the background
 * (the answer's `rescoring` is true until they have).
 */
#include <string.h>

#include "core/timeutil.h"
#include "crm/scoring/scoring.h"
#include "api.h"

void api_scoring_model(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	if (rq->nquery) {
		err_field(&e, rq->query[0].k, "is not a parameter of the scoring model");
		api_problem(rs, E_INVAL, &e);
		return;
	}
	api_json(rs, 200, &w);
	rc = scoring_model_json(rq->st, rq->p, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

void api_scoring_train(struct req *rq, struct resp *rs)
{
	struct scoring_train_result r;
	struct jw w;
	struct err e;
	int rc;

	err_clear(&e);
	/* no body, or an empty object: there is nothing to say */
	if (rq->body_len) {
		json_t *body = api_body(rq, rs);
		const char *key;
		json_t *v;

		if (!body)
			return;
		json_object_foreach(body, key, v)
			err_field(&e, key, "is not a member: training takes no options");
		json_decref(body);
		if (e.nfields) {
			api_problem(rs, E_INVAL, &e);
			return;
		}
	}
	rc = scoring_train(rq->st, rq->p, time_now(), &r, &e);
	if (rc) {
		api_problem(rs, rc, &e);
		return;
	}
	api_json(rs, 200, &w);
	rc = scoring_model_json(rq->st, rq->p, &w, &e);
	if (rc)
		api_problem(rs, rc, &e);
}

void api_scoring_tiers(struct req *rq, struct resp *rs)
{
	struct jw w;
	struct err e;
	json_t *body;
	int rc;

	body = api_body(rq, rs);
	if (!body)
		return;
	err_clear(&e);
	api_json(rs, 200, &w);
	rc = scoring_set_tiers(rq->st, rq->p, body, &w, &e);
	json_decref(body);
	if (rc)
		api_problem(rs, rc, &e);
}

/* --- the OpenAPI description of these routes (src/http/openapi.c makes the
 * document: the paths from the routing table, these for what it cannot know) */

/* Lead scoring (src/crm/scoring.h). */
static const struct api_prop p_scoring_counts[] = {
	DOC_PROP("leads", FT_INT, DOC_REQ, 0, "Leads with a known outcome"),
	DOC_PROP("converted", FT_INT, DOC_REQ, 0, "Of them, converted"),
	DOC_PROP("not_converted", FT_INT, DOC_REQ, 0, "Of them, not converted"),
	DOC_NUM("converted_share", DOC_REQ, "converted / leads"),
};
static const struct api_prop p_scoring_auc[] = {
	DOC_NUM("held_out", DOC_REQ | DOC_NULL,
		"On the held-out leads (null: they have one outcome only); 0.5 is chance, 1 "
		"perfect"),
	DOC_NUM("training", DOC_REQ | DOC_NULL, "On the training leads"),
};
static const struct api_prop p_scoring_feature[] = {
	DOC_PROP("group", FT_TEXT, DOC_REQ, 0,
		 "industry, source, territory, channel, seniority, "
		 "company_size, email, web_form, qualification_answers, "
		 "calls, emails, meetings or quiet"),
	DOC_PROP("value", FT_TEXT, DOC_REQ | DOC_NULL, 0,
		 "A category's value (\"\": not given; \"(other)\": the rare ones pooled); null "
		 "for numbers"),
	DOC_PROP("label", FT_TEXT, DOC_REQ, 0, "How it reads: \"Industry: Software\""),
	DOC_NUM("weight", DOC_REQ, "Its weight on the log-odds of converting, per unit of scale"),
	DOC_NUM("center", DOC_REQ, "The training mean it is centred on"),
	DOC_NUM("scale", DOC_REQ,
		"The unit it is measured in (categories 1, numbers one standard "
		"deviation)"),
	DOC_PROP("support", FT_INT, DOC_REQ, 0, "Training leads with it (numbers: not zero)"),
};
static const struct api_prop p_scoring_info[] = {
	DOC_PROP("id", FT_INT, DOC_REQ, 0, "Model id"),
	DOC_PROP("kind", FT_TEXT, DOC_REQ, 0, "The method"),
	DOC_PROP("trained_at", FT_TIME, DOC_REQ, 0, "When it was trained"),
	DOC_PROP("trained_by", FT_INT, DOC_REQ | DOC_NULL, 0,
		 "Who trained it (null: the schedule, the CLI)"),
	DOC_PROP("trained_by_name", FT_TEXT, DOC_REQ | DOC_NULL, 0, "Their name"),
	DOC_PROP("as_of", FT_TIME, DOC_REQ, 0, "The instant outcomes were judged at"),
	DOC_NUM("l2", DOC_REQ, "The penalty on the weights"),
	DOC_PROP("iterations", FT_INT, DOC_REQ, 0, "Newton steps taken"),
	DOC_NUM("intercept", DOC_REQ, "Log-odds of converting for an average lead"),
	DOC_SUB("training", "ScoringCounts", DOC_REQ, "The leads it learned from"),
	DOC_SUB("held_out", "ScoringCounts", DOC_REQ, "The leads kept aside to measure it"),
	DOC_SUB("auc", "ScoringAuc", DOC_REQ,
		"How well it ranks converting leads above the others"),
	DOC_SUB("features", "ScoringFeature[]", DOC_REQ, "Every feature with its weight"),
};
static const struct api_prop p_scoring_tiers[] = {
	DOC_PROP("A", FT_INT, DOC_REQ, 0, "Lowest score of tier A"),
	DOC_PROP("B", FT_INT, DOC_REQ, 0, "Lowest score of tier B"),
	DOC_PROP("C", FT_INT, DOC_REQ, 0, "Lowest score of tier C (below: D)"),
};
static const struct api_prop p_scoring_tiers_set[] = {
	DOC_PROP("A", FT_INT, 0, 0, "Lowest score of tier A, 1..100"),
	DOC_PROP("B", FT_INT, 0, 0, "Lowest score of tier B, below A"),
	DOC_PROP("C", FT_INT, 0, 0, "Lowest score of tier C, below B"),
};
static const struct api_prop p_scoring_method[] = {
	DOC_PROP("score", FT_TEXT, DOC_REQ, 0, "How the score is made"),
	DOC_PROP("converted", FT_TEXT, DOC_REQ, 0, "Which leads count as converted"),
	DOC_PROP("not_converted", FT_TEXT, DOC_REQ, 0, "Which leads count as not converted"),
	DOC_PROP("held_out", FT_TEXT, DOC_REQ, 0, "Which leads are held out"),
};
static const struct api_prop p_scoring_model[] = {
	DOC_SUB("model", "ScoringModelInfo", DOC_REQ | DOC_NULL,
		"The model in use (null: none trained yet)"),
	DOC_SUB("rules", "ScoringRule[]", DOC_REQ, "The fit rules, active or not"),
	DOC_SUB("tiers", "ScoringTiers", DOC_REQ, "The tier thresholds"),
	DOC_PROP("rescoring", FT_BOOL, DOC_REQ, 0, "Leads are still being rescored after a change"),
	DOC_SUB("method", "ScoringMethod", DOC_REQ, "The definitions, in words"),
};

static const struct api_schema doc_schemas[] = {
	DOC_SCHEMA("ScoringCounts", 0, "Leads with a known outcome and their balance",
		   p_scoring_counts),
	DOC_SCHEMA("ScoringAuc", 0, "Area under the ROC curve", p_scoring_auc),
	DOC_SCHEMA("ScoringFeature", 0, "One feature of the scoring model", p_scoring_feature),
	DOC_SCHEMA("ScoringModelInfo", 0, "A trained scoring model", p_scoring_info),
	DOC_SCHEMA("ScoringTiers", 0, "Tier thresholds", p_scoring_tiers),
	DOC_SCHEMA("ScoringTiersSet", 1, "Tier thresholds to set (those given)",
		   p_scoring_tiers_set),
	DOC_SCHEMA("ScoringMethod", 0, "How lead scoring works, in words", p_scoring_method),
	DOC_SCHEMA("ScoringModel", 0, "Lead scoring: the model, the fit rules and the tiers",
		   p_scoring_model),
};

static const struct api_op doc_ops[] = {
	{api_scoring_model, "scoring_model", "scoring", "The lead scoring model",
	 "The learned model in use (null before the first training): its named features and "
	 "weights, intercept, training and held-out sizes and class balance, AUC on both; the "
	 "fit rules; the tier thresholds; whether leads are still being rescored after a change; "
	 "the definitions.  Managers and admins only: a rep is answered 403.",
	 NULL, 200, "ScoringModel", NULL, "400"},
	{api_scoring_train, "train_scoring_model", "scoring", "Train the lead scoring model now",
	 "Admins.  Trains on the leads with a known outcome (converted; disqualified or older "
	 "than "
	 "90 days and never converted), 20% held out by id, stores the model and answers as GET "
	 "/api/v1/scoring/model.  Leads are rescored in the background.  No body (or {}).  409 "
	 "when fewer than 10 leads of either outcome are there to learn from.",
	 NULL, 200, "ScoringModel", NULL, "400 409"},
	{api_scoring_tiers, "set_scoring_tiers", "scoring", "Set the tier thresholds",
	 "Admins.  The lowest score of tiers A, B and C (those given; the others stay), "
	 "strictly decreasing, 1..100.  Leads are rescored in the background.",
	 "ScoringTiersSet", 200, "ScoringTiers", NULL, NULL},
};

const struct api_doc api_doc_scoring = {
	"scoring",   "Lead scoring: the learned model, fit rules, tiers",
	doc_ops,     DOC_N(doc_ops),
	doc_schemas, DOC_N(doc_schemas),
};
