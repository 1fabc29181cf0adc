/*
 * scoring.h — lead scoring and priority: a fit score from rules an admin
 * sets, a learned score from the organisation's own converted and
 * not-converted leads, combined into one 0..100 score, a tier A..D and the
 * factors that made it, kept on every lead.
 *
 * The scoring capability (this folder; start here).  Its files: scoring.c
 * (features, the cached scorer, a lead's score and factors, batched
 * rescoring), scoring_rule.c (fit rules, a record type), scoring_train.c (the
 * learned model, over core/logreg.h), scoring_worker.c (the serve thread that
 * rescores and retrains); scoring_impl.h is what they share, for them only.
 * Depends on records/ only: leads/ and ../crm.c call in when a lead changes.
 *
 * Fit rules (scoring_rule_resource, scoring_rule.c): "industry equals
 * Software: +15", "title contains director: +10", "employees range
 * 50..999: +5" ...  An active rule whose condition holds adds its points.
 *
 * The learned model (a logistic regression, src/core/logreg.h) predicts P,
 * the probability that a lead converts, from:
 *   categories  industry, source, territory, channel, seniority (from the
 *               title), company size (from employees, in bands), e-mail
 *               (company domain / free-mail / none) — one feature per value
 *               seen on enough training leads (SCORING_MIN_SUPPORT, or 0.5%),
 *               the rarer ones pooled as "other";
 *   engagement  activities on the lead done by its reference time: calls,
 *               e-mails and meetings (meetings attended), as log(1 + n);
 *               whether it went quiet: older than SCORING_RECENT_DAYS then,
 *               with no activity done in those days (a new lead is not
 *               quiet);
 *               the number of qualification (form) answers, log(1 + n);
 *               whether it came through a web form.
 * A lead's reference time is when its outcome was decided: converted_at for
 * a converted lead, updated_at for a disqualified one, else now.
 *
 * Outcomes, judged at training time `now`:
 *   converted      converted_at is set;
 *   not converted  disqualified, or created more than SCORING_STALE_DAYS
 *                  before now and never converted;
 *   unknown        the rest (young open leads): scored, not trained on.
 * The leads whose id hashes into SCORING_HOLDOUT_PERCENT are held out: the
 * model never sees them in training, and its AUC on them is reported with
 * its AUC on the training leads.
 *
 * The score:   score = clamp(round(100 * P + fit points), 0, 100)
 *              (no model yet: the fit points alone, clamped)
 * The tier:    A at or above tier_a (75), B at or above tier_b (50), C at or
 *              above tier_c (25), else D; admins may move the thresholds.
 * Factors:     the rules that matched, with their points, and for each
 *              learned group the points it alone adds to an average lead:
 *              100 * (sigmoid(b + c) - sigmoid(b)), b the intercept (the
 *              log-odds of an average lead), c the group's part of the
 *              lead's log-odds against the average;
 *              the SCORING_MAX_FACTORS largest in size, as
 *              [{"factor": "Industry: Software", "points": 12}, ...].
 *
 * When scores change:
 *
 *   lead written ───────────────► that lead rescored, in the write's transaction
 *   activity on a lead written ──► that lead rescored, likewise
 *   rule, tiers or model changed ► generation + 1 ──► every lead rescored in
 *                                  batches (scoring_rescore), by the serve
 *                                  worker at once, by `funnel scoring train`
 *
 * scoring_state.rescored_generation says which generation every lead was
 * last rescored with, so work owed is seen by any process that opens the
 * database; serve's worker also retrains on a schedule.
 */
#ifndef FUNNEL_SCORING_H
#define FUNNEL_SCORING_H

#include <time.h>

#include "core/json.h"
#include "crm/records/record.h"

#define SCORING_STALE_DAYS 90      /* older and never converted: not converted */
#define SCORING_RECENT_DAYS 30     /* "activity in the last 30 days" */
#define SCORING_HOLDOUT_PERCENT 20 /* of labelled leads, by a hash of the id */
#define SCORING_L2 1.0             /* penalty on the (standardised) weights */
#define SCORING_MIN_SUPPORT 10     /* training leads a category value needs */
#define SCORING_MIN_CLASS 10       /* converted and not converted leads needed */
#define SCORING_MAX_FACTORS 5
#define SCORING_BATCH 500          /* leads per transaction when rescoring */
#define SCORING_KEEP_MODELS 10

/* The rules' fields and operators (scoring_rule.c). */
enum scoring_field { SF_INDUSTRY, SF_SOURCE, SF_TERRITORY, SF_CHANNEL, SF_TITLE, SF_COMPANY,
		     SF_EMAIL, SF_EMPLOYEES, SF_COUNT };
enum scoring_op { SO_EQUALS, SO_IN, SO_CONTAINS, SO_RANGE };
extern const char *const scoring_field_names[]; /* by enum scoring_field, NULL-ended */

/* A lead as scoring sees it. */
struct lead_facts {
	long long id;
	const char *text[SF_EMPLOYEES]; /* the text fields, NULL when empty */
	int has_employees;
	long long employees;
	int web_form, answers, calls, emails, meetings;
	int recent; /* an activity done in the SCORING_RECENT_DAYS before the reference */
	int quiet;  /* older than that at the reference, and no such activity */
	int label; /* 1 converted, 0 not converted, -1 unknown */
};

/* A compiled rule. */
struct scoring_rule {
	long long id;
	char *name;      /* NULL: none */
	enum scoring_field field;
	enum scoring_op op;
	char *value;     /* equals, contains */
	char **one_of;   /* in */
	int n_one_of;
	int has_min, has_max;
	long long min, max;
	int points;
};

/* Does rule r hold for f?  Text compares ignore ASCII case. */
int scoring_rule_match(const struct scoring_rule *r, const struct lead_facts *f);
/* "Industry is Software", "Title contains “director”": the rule's name if
 * it has one, else its condition in words.  Appends to b. */
void scoring_rule_label(const struct scoring_rule *r, struct buf *b);
/* Compile the stored rule `rec`; release with scoring_rule_release(). */
int scoring_rule_compile(const struct record *rec, struct scoring_rule *r, struct err *e);
void scoring_rule_release(struct scoring_rule *r);

/* Seniority level of a job title (executive, vp_director, manager, staff;
 * "" for none) and size band of a head count ("" for none). */
const char *scoring_seniority(const char *title);
const char *scoring_size_band(int has, long long employees);

/* Recompute and store the score of lead `id` (gone: nothing to do). */
int scoring_lead_changed(struct store *st, long long id, struct err *e);

/* Scores are owed: the rules, the model or the tiers changed.  In the
 * caller's transaction; wakes the worker of this process. */
int scoring_invalidate(struct store *st, struct err *e);

/* Rescore leads in batches of SCORING_BATCH, each its own transaction,
 * until every lead has the current generation's score.  *n (may be NULL):
 * leads whose score changed.  Stops early, leaving the rest owed, when
 * `stop` (may be NULL) becomes non-zero. */
int scoring_rescore(struct store *st, const volatile int *stop, long long *n, struct err *e);
/* Is a rescore owed, as far as committed data says?  (Read only: a change
 * still in flight is not seen; scoring_rescore() waits for it.) */
int scoring_owed(struct store *st, int *owed, struct err *e);

struct scoring_train_result {
	long long model_id, n_train, n_test, pos_train, pos_test;
	int features, iterations, has_auc_test;
	double auc_train, auc_test;
};

/* Train on the leads with a known outcome as of `now`, store the model and
 * invalidate the scores (not rescored here).  Admins only (E_FORBIDDEN).
 * E_CONFLICT, saying what is missing, without SCORING_MIN_CLASS leads of
 * each outcome in training. */
int scoring_train(struct store *st, const struct principal *p, time_t now,
		  struct scoring_train_result *out, struct err *e);

/* GET /scoring/model: the model in use (or null), its named weights, AUCs
 * and class balance, the fit rules and the tiers.  Managers and admins
 * (E_FORBIDDEN for reps). */
int scoring_model_json(struct store *st, const struct principal *p, struct jw *w,
		       struct err *e);

/* Set the tier thresholds from {"A": 75, "B": 50, "C": 25} (admins), and
 * write them as JSON. */
int scoring_set_tiers(struct store *st, const struct principal *p, json_t *body,
		      struct jw *w, struct err *e);

/* The background worker of `funnel serve`: rescore what is owed (at once
 * when this process invalidates, else within SCORING_POLL_SECONDS) and
 * retrain every `interval` seconds (0: never) — first at start when there
 * is no model.  stop() finishes the batch in hand and joins the thread. */
#define SCORING_POLL_SECONDS 10
int scoring_worker_start(const char *db_path, long interval, struct err *e);
void scoring_worker_kick(void);
void scoring_worker_stop(void);

#endif
