/*
 * logreg.c — see logreg.h.
 *
 * One Newton step.  With a_i = p_i (1 - p_i) and the raw rows extended by a
 * constant x_0 = 1, the pass over the data accumulates, sparsely,
 *
 *     M = sum_i a_i x_i x_i^T        r = sum_i (y_i - p_i) x_i
 *
 * The standardised row is u = A x with u_0 = x_0 and
 * u_j = (x_j - c_j x_0) / s_j, so the gradient and Hessian in the model's
 * coordinates are  g = A r  and  H = A M A^T, written out entry by entry
 * below.  Then (H + l2 L) step = g - l2 L theta, L = diag(0, 1, ..., 1),
 * solved by Cholesky; H + l2 L is positive definite when l2 > 0 and the
 * rows are not all saturated.  A step that lowers the penalised
 * log-likelihood is halved until it does not.
 */
#include "logreg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double logreg_sigmoid(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	return exp(z) / (1.0 + exp(z));
}

/* log(1 + exp(z)), without overflow. */
static double log1pexp(double z)
{
	return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

/* theta (intercept, then weights in standardised units) as raw-row
 * coefficients: z = beta[0] + sum_j beta[1 + j] * x_j. */
static void raw_coef(const struct logreg_data *x, const double *theta, double *beta)
{
	int j;

	beta[0] = theta[0];
	for (j = 0; j < x->d; j++) {
		beta[1 + j] = theta[1 + j] / x->scale[j];
		beta[0] -= beta[1 + j] * x->center[j];
	}
}

static double row_z(const struct logreg_data *x, int i, const double *beta)
{
	const int *ix = x->idx + (long)i * x->k;
	const double *v = x->val + (long)i * x->k;
	double z = beta[0];
	int s;

	for (s = 0; s < x->k; s++)
		if (ix[s] >= 0)
			z += beta[1 + ix[s]] * v[s];
	return z;
}

double logreg_z(const struct logreg_data *x, int i, double intercept, const double *w)
{
	double z = intercept;
	int s, j;

	for (s = 0; s < x->k; s++) {
		j = x->idx[(long)i * x->k + s];
		if (j >= 0)
			z += w[j] * x->val[(long)i * x->k + s] / x->scale[j];
	}
	for (j = 0; j < x->d; j++)
		z -= w[j] * x->center[j] / x->scale[j];
	return z;
}

static int used(const struct logreg_data *x, int i)
{
	return !x->use || x->use[i];
}

/* The penalised log-likelihood at theta. */
static double objective(const struct logreg_data *x, const double *theta, double l2,
			double *beta, double *loglik)
{
	double ll = 0, pen = 0;
	int i, j;

	raw_coef(x, theta, beta);
	for (i = 0; i < x->n; i++) {
		double z;

		if (!used(x, i))
			continue;
		z = row_z(x, i, beta);
		/* log P(y|z) = y z - log(1 + e^z) */
		ll += (x->y[i] ? z : 0) - log1pexp(z);
	}
	for (j = 0; j < x->d; j++)
		pen += theta[1 + j] * theta[1 + j];
	if (loglik)
		*loglik = ll;
	return ll - 0.5 * l2 * pen;
}

/* Solve S v = b in place (b becomes v) for symmetric positive definite S
 * (m x m, overwritten by its Cholesky factor).  -1 if not positive
 * definite. */
static int cholesky_solve(double *S, double *b, int m)
{
	int i, j, k;

	for (j = 0; j < m; j++) {
		double d = S[j * m + j];

		for (k = 0; k < j; k++)
			d -= S[j * m + k] * S[j * m + k];
		if (!(d > 1e-300))
			return -1;
		d = sqrt(d);
		S[j * m + j] = d;
		for (i = j + 1; i < m; i++) {
			double t = S[i * m + j];

			for (k = 0; k < j; k++)
				t -= S[i * m + k] * S[j * m + k];
			S[i * m + j] = t / d;
		}
	}
	for (i = 0; i < m; i++) { /* L y = b */
		double t = b[i];

		for (k = 0; k < i; k++)
			t -= S[i * m + k] * b[k];
		b[i] = t / S[i * m + i];
	}
	for (i = m - 1; i >= 0; i--) { /* L^T v = y */
		double t = b[i];

		for (k = i + 1; k < m; k++)
			t -= S[k * m + i] * b[k];
		b[i] = t / S[i * m + i];
	}
	return 0;
}

/* Accumulate M and r (raw coordinates, index 0 the constant) at beta. */
static void accumulate(const struct logreg_data *x, const double *beta, double *M, double *r)
{
	int m = x->d + 1, i, s, t;

	memset(M, 0, sizeof(double) * (size_t)m * (size_t)m);
	memset(r, 0, sizeof(double) * (size_t)m);
	for (i = 0; i < x->n; i++) {
		const int *ix = x->idx + (long)i * x->k;
		const double *v = x->val + (long)i * x->k;
		double p, a, res;

		if (!used(x, i))
			continue;
		p = logreg_sigmoid(row_z(x, i, beta));
		a = p * (1 - p);
		res = x->y[i] - p;
		M[0] += a;
		r[0] += res;
		for (s = 0; s < x->k; s++) {
			int js = ix[s];

			if (js < 0)
				continue;
			r[1 + js] += res * v[s];
			M[1 + js] += a * v[s]; /* row 0, column 1 + js */
			for (t = 0; t < x->k; t++)
				if (ix[t] >= 0)
					M[(1 + js) * m + 1 + ix[t]] += a * v[s] * v[t];
		}
	}
	for (s = 1; s < m; s++)
		M[s * m] = M[s];
}

/* H = A M A^T and g = A r, in place of M and r. */
static void standardise(const struct logreg_data *x, double *M, double *r)
{
	int m = x->d + 1, j, k;
	const double *c = x->center, *sc = x->scale;
	double m00 = M[0], r0 = r[0];

	for (j = 1; j < m; j++)
		for (k = 1; k < m; k++)
			M[j * m + k] = (M[j * m + k] - c[j - 1] * M[k] - c[k - 1] * M[j] +
					c[j - 1] * c[k - 1] * m00) /
				       (sc[j - 1] * sc[k - 1]);
	for (j = 1; j < m; j++) {
		M[j] = (M[j] - c[j - 1] * m00) / sc[j - 1];
		M[j * m] = M[j];
		r[j] = (r[j] - c[j - 1] * r0) / sc[j - 1];
	}
}

int logreg_fit(const struct logreg_data *x, const struct logreg_opts *o,
	       struct logreg_result *res)
{
	int m = x->d + 1, i, j, it, npos = 0, nneg = 0, rc = -1;
	double *theta = calloc((size_t)m, sizeof(double));
	double *next = calloc((size_t)m, sizeof(double));
	double *beta = calloc((size_t)m, sizeof(double));
	double *M = malloc(sizeof(double) * (size_t)m * (size_t)m);
	double *g = malloc(sizeof(double) * (size_t)m);
	double f, fn, ll = 0;

	res->iterations = 0;
	res->converged = 0;
	if (!theta || !next || !beta || !M || !g)
		goto out;
	for (i = 0; i < x->n; i++)
		if (used(x, i))
			x->y[i] ? npos++ : nneg++;
	if (!npos || !nneg)
		goto out;
	/* with every weight 0 the best intercept is the log-odds of the rows */
	theta[0] = log((double)npos / nneg);
	f = objective(x, theta, o->l2, beta, &ll);
	for (it = 0; it < o->max_iter; it++) {
		double step = 1, moved = 0;

		raw_coef(x, theta, beta);
		accumulate(x, beta, M, g);
		standardise(x, M, g);
		for (j = 1; j < m; j++) {
			M[j * m + j] += o->l2;
			g[j] -= o->l2 * theta[j];
		}
		if (cholesky_solve(M, g, m))
			break;
		/* halve the step while it makes things worse */
		for (;;) {
			for (j = 0; j < m; j++)
				next[j] = theta[j] + step * g[j];
			fn = objective(x, next, o->l2, beta, &ll);
			if (fn >= f - 1e-12 * fabs(f) || step < 1e-6)
				break;
			step /= 2;
		}
		for (j = 0; j < m; j++) {
			double dlt = fabs(next[j] - theta[j]);

			if (dlt > moved)
				moved = dlt;
			theta[j] = next[j];
		}
		f = fn;
		res->iterations = it + 1;
		if (moved < o->tol) {
			res->converged = 1;
			break;
		}
	}
	res->intercept = theta[0];
	for (j = 0; j < x->d; j++)
		res->w[j] = theta[1 + j];
	objective(x, theta, o->l2, beta, &res->loglik);
	rc = 0;
out:
	free(theta);
	free(next);
	free(beta);
	free(M);
	free(g);
	return rc;
}

/* --- AUC --------------------------------------------------------------- */

struct scored {
	double s;
	int y;
};

static int by_score(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->s, y = ((const struct scored *)b)->s;

	return (x > y) - (x < y);
}

int logreg_auc(const double *s, const unsigned char *y, int n, double *auc)
{
	struct scored *v;
	int i, j;
	double npos = 0, nneg = 0, rank_sum = 0;

	for (i = 0; i < n; i++)
		y[i] ? npos++ : nneg++;
	if (!npos || !nneg)
		return -1;
	v = malloc(sizeof(*v) * (size_t)n);
	if (!v)
		return -1;
	for (i = 0; i < n; i++) {
		v[i].s = s[i];
		v[i].y = y[i] != 0;
	}
	qsort(v, (size_t)n, sizeof(*v), by_score);
	for (i = 0; i < n; i = j) {
		double pos = 0;

		for (j = i; j < n && v[j].s == v[i].s; j++)
			pos += v[j].y;
		/* the tied ranks i+1 .. j share their mean */
		rank_sum += pos * (i + 1 + j) / 2.0;
	}
	free(v);
	*auc = (rank_sum - npos * (npos + 1) / 2) / (npos * nneg);
	return 0;
}
