/*
 * test_logreg.c — the logistic regression and the AUC of src/core/logreg.h:
 * the exact maximum-likelihood answer where one is known in closed form,
 * recovery of known signs and ordering on synthetic data, an AUC well above
 * 0.5 on held-out rows with signal and about 0.5 on pure noise, and the AUC
 * itself on small cases worked by hand (ties included).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/logreg.h"

#include <cmocka.h>

/* A small deterministic generator (splitmix64), so the tests are fixed. */
static uint64_t seed_state;

static double unit(void)
{
	uint64_t z = (seed_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

static double normal(void)
{
	double u = 1.0 - unit(), v = unit();

	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* --- AUC by hand --------------------------------------------------------- */

static void auc_hand_cases(void **state)
{
	double auc;
	const double s1[] = {0.1, 0.4, 0.35, 0.8};
	const unsigned char y1[] = {0, 0, 1, 1};
	/* pairs (pos, neg): 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4: 3 of 4 */
	const double s2[] = {1, 2, 2, 3};
	const unsigned char y2[] = {0, 1, 0, 1};
	/* (2,1)=1 (2,2)=1/2 (3,1)=1 (3,2)=1: 3.5 of 4 */
	const double s3[] = {5, 5, 5, 5, 5};
	const unsigned char y3[] = {1, 0, 1, 0, 0};
	const double s4[] = {3, 2, 1};
	const unsigned char y4[] = {0, 1, 1};
	const unsigned char one_class[] = {1, 1, 1};

	(void)state;
	assert_int_equal(logreg_auc(s1, y1, 4, &auc), 0);
	assert_true(fabs(auc - 0.75) < 1e-12);
	assert_int_equal(logreg_auc(s2, y2, 4, &auc), 0);
	assert_true(fabs(auc - 0.875) < 1e-12);
	assert_int_equal(logreg_auc(s3, y3, 5, &auc), 0);
	assert_true(fabs(auc - 0.5) < 1e-12);      /* all tied */
	assert_int_equal(logreg_auc(s4, y4, 3, &auc), 0);
	assert_true(fabs(auc - 0.0) < 1e-12);      /* perfectly wrong */
	assert_int_equal(logreg_auc(s4, one_class, 3, &auc), -1);
}

/* AUC against the pairwise definition on random data with many ties. */
static void auc_matches_pair_count(void **state)
{
	enum { n = 300 };
	double s[n], auc, pairs = 0, good = 0;
	unsigned char y[n];
	int i, j;

	(void)state;
	seed_state = 11;
	for (i = 0; i < n; i++) {
		s[i] = floor(unit() * 10); /* ten values: many ties */
		y[i] = unit() < 0.3 + 0.04 * s[i];
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (y[i] && !y[j]) {
				pairs++;
				good += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
			}
	assert_int_equal(logreg_auc(s, y, n, &auc), 0);
	assert_true(fabs(auc - good / pairs) < 1e-12);
}

/* --- fitting ------------------------------------------------------------- */

/* One binary feature, no penalty: the fit is the two groups' log-odds. */
static void fit_exact_on_two_groups(void **state)
{
	enum { n = 100 };
	int idx[n];
	double val[n], w[1], center[1], scale[1] = {1};
	unsigned char y[n];
	struct logreg_data x = {.n = n, .d = 1, .k = 1, .idx = idx, .val = val, .y = y,
				.center = center, .scale = scale};
	struct logreg_opts o = {.l2 = 0, .max_iter = 100, .tol = 1e-10};
	struct logreg_result r = {.w = w};
	double p0, p1, z0, z1;
	int i;

	(void)state;
	/* 40 rows with x = 1, 12 of them positive; 60 with x = 0, 9 positive */
	for (i = 0; i < n; i++) {
		int one = i < 40;

		idx[i] = one ? 0 : -1;
		val[i] = one ? 1 : 0;
		y[i] = one ? i < 12 : i < 40 + 9;
	}
	center[0] = 0.4;
	assert_int_equal(logreg_fit(&x, &o, &r), 0);
	assert_true(r.converged);
	p1 = 12.0 / 40;
	p0 = 9.0 / 60;
	assert_true(fabs(w[0] - (log(p1 / (1 - p1)) - log(p0 / (1 - p0)))) < 1e-8);
	z1 = logreg_z(&x, 0, r.intercept, w);
	z0 = logreg_z(&x, 99, r.intercept, w);
	assert_true(fabs(logreg_sigmoid(z1) - p1) < 1e-8);
	assert_true(fabs(logreg_sigmoid(z0) - p0) < 1e-8);
}

/*
 * Synthetic leads: a category of three (true effects +1.2, 0, -1.2), a
 * number with effect +0.8 per unit, and a number with no effect.  Label
 * from the true model, or (noise) independent of everything.  Rows with
 * i % 5 == 0 are held out.
 */
enum { SN = 6000, SD = 5, SK = 3 };
static int s_idx[SN * SK];
static double s_val[SN * SK], s_center[SD], s_scale[SD];
static unsigned char s_y[SN], s_train[SN];

static void synth(int noise)
{
	static const double effect[3] = {1.2, 0, -1.2};
	double sum[SD] = {0}, sq[SD] = {0};
	int i, j, n = 0;

	seed_state = noise ? 99 : 7;
	for (i = 0; i < SN; i++) {
		int c = (int)(unit() * 3);
		double a = normal() * 2 + 1, b = normal(), z;

		s_idx[i * SK] = c; /* features 0..2: the category */
		s_val[i * SK] = 1;
		s_idx[i * SK + 1] = 3;
		s_val[i * SK + 1] = a;
		s_idx[i * SK + 2] = 4;
		s_val[i * SK + 2] = b;
		z = -0.3 + effect[c] + 0.8 * a;
		s_y[i] = noise ? unit() < 0.4 : unit() < 1 / (1 + exp(-z));
		s_train[i] = i % 5 != 0;
		if (!s_train[i])
			continue;
		n++;
		for (j = 0; j < SK; j++) {
			sum[s_idx[i * SK + j]] += s_val[i * SK + j];
			sq[s_idx[i * SK + j]] += s_val[i * SK + j] * s_val[i * SK + j];
		}
	}
	for (j = 0; j < SD; j++) {
		s_center[j] = sum[j] / n;
		s_scale[j] = j < 3 ? 1 : sqrt(sq[j] / n - s_center[j] * s_center[j]);
	}
}

static void held_out_auc(const struct logreg_data *x, const struct logreg_result *r,
			 double *auc)
{
	static double s[SN];
	static unsigned char y[SN];
	int i, n = 0;

	for (i = 0; i < SN; i++)
		if (!s_train[i]) {
			s[n] = logreg_z(x, i, r->intercept, r->w);
			y[n++] = s_y[i];
		}
	assert_int_equal(logreg_auc(s, y, n, auc), 0);
}

static void fit_recovers_signal(void **state)
{
	double w[SD], auc, per_unit;
	struct logreg_data x = {.n = SN, .d = SD, .k = SK, .idx = s_idx, .val = s_val,
				.y = s_y, .use = s_train, .center = s_center, .scale = s_scale};
	struct logreg_opts o = {.l2 = 1, .max_iter = 50, .tol = 1e-9};
	struct logreg_result r = {.w = w};

	(void)state;
	synth(0);
	assert_int_equal(logreg_fit(&x, &o, &r), 0);
	assert_true(r.converged);
	assert_true(r.iterations < 15);
	/* the ordering of the category, and its spread near the truth (2.4) */
	assert_true(w[0] > w[1] && w[1] > w[2]);
	assert_true(fabs((w[0] - w[2]) - 2.4) < 0.4);
	/* the number: positive, ~0.8 per raw unit; the other: nothing */
	per_unit = w[3] / s_scale[3];
	assert_true(per_unit > 0.65 && per_unit < 0.95);
	assert_true(fabs(w[4]) < 0.1);
	held_out_auc(&x, &r, &auc);
	assert_true(auc > 0.8);
}

static void fit_on_noise_is_chance(void **state)
{
	double w[SD], auc;
	struct logreg_data x = {.n = SN, .d = SD, .k = SK, .idx = s_idx, .val = s_val,
				.y = s_y, .use = s_train, .center = s_center, .scale = s_scale};
	struct logreg_opts o = {.l2 = 1, .max_iter = 50, .tol = 1e-9};
	struct logreg_result r = {.w = w};
	int j;

	(void)state;
	synth(1);
	assert_int_equal(logreg_fit(&x, &o, &r), 0);
	for (j = 0; j < SD; j++)
		assert_true(fabs(w[j]) < 0.15);
	held_out_auc(&x, &r, &auc);
	assert_true(auc > 0.45 && auc < 0.55);
}

static void fit_refuses_one_class(void **state)
{
	int idx[4] = {0, 0, -1, -1};
	double val[4] = {1, 1, 0, 0}, w[1], c[1] = {0.5}, sc[1] = {1};
	unsigned char y[4] = {1, 1, 1, 1};
	struct logreg_data x = {.n = 4, .d = 1, .k = 1, .idx = idx, .val = val, .y = y,
				.center = c, .scale = sc};
	struct logreg_opts o = {.l2 = 1, .max_iter = 50, .tol = 1e-9};
	struct logreg_result r = {.w = w};

	(void)state;
	assert_int_equal(logreg_fit(&x, &o, &r), -1);
}

/* Perfectly separable data: the penalty keeps the weights finite. */
static void fit_separable_stays_finite(void **state)
{
	enum { n = 50 };
	int idx[n];
	double val[n], w[1], c[1] = {0.5}, sc[1] = {1};
	unsigned char y[n];
	struct logreg_data x = {.n = n, .d = 1, .k = 1, .idx = idx, .val = val, .y = y,
				.center = c, .scale = sc};
	struct logreg_opts o = {.l2 = 1, .max_iter = 50, .tol = 1e-9};
	struct logreg_result r = {.w = w};
	int i;

	(void)state;
	for (i = 0; i < n; i++) {
		idx[i] = i % 2 ? 0 : -1;
		val[i] = i % 2;
		y[i] = i % 2;
	}
	assert_int_equal(logreg_fit(&x, &o, &r), 0);
	assert_true(isfinite(w[0]) && w[0] > 2 && w[0] < 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(auc_hand_cases),
		cmocka_unit_test(auc_matches_pair_count),
		cmocka_unit_test(fit_exact_on_two_groups),
		cmocka_unit_test(fit_recovers_signal),
		cmocka_unit_test(fit_on_noise_is_chance),
		cmocka_unit_test(fit_refuses_one_class),
		cmocka_unit_test(fit_separable_stays_finite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
