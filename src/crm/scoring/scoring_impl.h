/*
 * scoring_impl.h — what scoring.c, scoring_train.c and scoring_worker.c
 * share and nobody else needs: the feature groups and reading leads' facts.
 */
#ifndef FUNNEL_SCORING_IMPL_H
#define FUNNEL_SCORING_IMPL_H

#include "scoring.h"

/* The learned model's feature groups: categories first (one feature per
 * value), then numbers (one feature each).  A group is also one factor. */
enum scoring_group {
	G_INDUSTRY, G_SOURCE, G_TERRITORY, G_CHANNEL, G_SENIORITY, G_SIZE, G_EMAIL,
	G_NCAT,
	G_WEB_FORM = G_NCAT, G_ANSWERS, G_CALLS, G_EMAILS, G_MEETINGS, G_QUIET,
	G_COUNT
};

extern const char *const scoring_group_keys[G_COUNT];   /* "industry", ... as stored */
extern const char *const scoring_group_labels[G_COUNT]; /* "Industry", ... */

/* The group's key, or -1. */
int scoring_group_find(const char *key);
/* Group g's category value of lead f ("" when it has none). */
const char *scoring_category(const struct lead_facts *f, int g);
/* Group g's number for lead f (as the model takes it). */
double scoring_number(const struct lead_facts *f, int g);
/* How category value v of group g reads: "Software", "VP, director or
 * head", "not given". */
const char *scoring_category_text(int g, const char *v);

/* Leads read in id order after `after`, at most `limit` (0: the one lead
 * `after`).  Each row's strings live in row->mem.  `now` sets the
 * reference time of open leads and the outcome labels. */
struct lead_row {
	struct lead_facts f;
	char *mem;
};
int scoring_read_leads(struct store *st, long long after, int limit, time_t now,
		       struct lead_row *rows, int *n, struct err *e);
void scoring_rows_release(struct lead_row *rows, int n);

#endif
