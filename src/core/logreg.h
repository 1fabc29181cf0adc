/*
 * logreg.h — L2-regularised logistic regression on sparse rows, and the
 * exact area under the ROC curve.  No CRM knowledge: lead scoring
 * (src/crm/scoring.h) builds the rows.
 *
 * Why here and not a library: Debian has no C library that fits a
 * regularised logistic regression well (GSL has least squares and a generic
 * minimiser, not IRLS with a penalty; liblinear is C++ and answers a
 * different problem).  The model is small — tens of features — so Newton's
 * method (iteratively reweighted least squares) with a Cholesky solve
 * converges in a handful of passes and is exact to the last digit; it is a
 * page of code.
 *
 * The data.  Row i has k slots (idx, val): feature idx[i*k + s] (0..d-1, or
 * -1 for an empty slot) has raw value val[i*k + s]; features not named are 0.
 * Feature j enters the model standardised, as (x - center[j]) / scale[j],
 * so the intercept is the log-odds of an average row and the weights of
 * numbers measured in different units compare.  Rows stay sparse: the
 * centring is applied to the sums, never to the rows.
 *
 * The model:  P(y = 1 | x) = 1 / (1 + exp(-z)),
 *             z = b + sum_j w[j] * (x[j] - center[j]) / scale[j].
 * Fitting maximises  sum_i log P(y_i | x_i) - l2/2 * sum_j w[j]^2  (the
 * intercept is not penalised) over the rows with use[i] set.
 */
#ifndef FUNNEL_LOGREG_H
#define FUNNEL_LOGREG_H

struct logreg_data {
	int n, d, k;                  /* rows, features, slots per row */
	const int *idx;               /* n * k */
	const double *val;            /* n * k */
	const unsigned char *y;       /* n labels, 0 or 1 */
	const unsigned char *use;     /* n: fit on rows with use[i] != 0; NULL: all */
	const double *center, *scale; /* d each; scale > 0 */
};

struct logreg_opts {
	double l2;    /* penalty on the weights (>= 0) */
	int max_iter; /* Newton steps, e.g. 50 */
	double tol;   /* stop when no parameter moves more than this */
};

struct logreg_result {
	double intercept;
	double *w;      /* d weights, in the caller's array */
	int iterations;
	int converged;
	double loglik;  /* of the fitted rows, without the penalty */
};

/* Fit.  r->w must point to d doubles.  Returns 0, or -1 when there is
 * nothing to fit (no row used, or one class only) or memory runs out. */
int logreg_fit(const struct logreg_data *x, const struct logreg_opts *o,
	       struct logreg_result *r);

/* The linear predictor z of row i. */
double logreg_z(const struct logreg_data *x, int i, double intercept, const double *w);

/* 1 / (1 + exp(-z)), without overflow. */
double logreg_sigmoid(double z);

/* The AUC of scores s against labels y over the n rows: the probability
 * that a random positive scores above a random negative, ties counting one
 * half — the Mann-Whitney rank statistic with mid-ranks, computed exactly.
 * Returns 0 and sets *auc, or -1 when either class is empty (or memory runs
 * out). */
int logreg_auc(const double *s, const unsigned char *y, int n, double *auc);

#endif
