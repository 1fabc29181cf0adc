/*
 * scoring_train.c — learning the lead scoring model (scoring.h) from the
 * organisation's leads with a known outcome.
 *
 *   read every lead (batches) ──► labelled ones: category values interned,
 *   numbers kept ──► held-out split by a hash of the id ──► features from
 *   the training leads only (a value needs SCORING_MIN_SUPPORT or 0.5% of
 *   them, the rest pool as "other"; numbers standardised, dropped when
 *   constant) ──► logistic regression (src/core/logreg.h) ──► AUC on both
 *   sets ──► the model and its features stored; scores invalidated.
 *
 * Nothing about the held-out leads enters the features or the fit, so their
 * AUC is an honest estimate of how well the score ranks new leads.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/logreg.h"
#include "core/timeutil.h"
#include "scoring_impl.h"

#define NNUM (G_COUNT - G_NCAT)
#define DICT_MAX 20000 /* distinct values kept per group; beyond: "other" */

/* --- interned category values ------------------------------------------ */

struct dict {
	char **key;       /* lower case, for matching */
	char **shown;     /* as first seen */
	long long *count; /* training leads with it */
	int n, cap;
	int *slot;        /* open addressing: index + 1, 0 empty */
	int nslot;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static char *lower_dup(const char *s)
{
	char *d = strdup(s), *c;

	for (c = d; c && *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	return d;
}

static int dict_grow(struct dict *d)
{
	int ncap = d->cap ? d->cap * 2 : 64, i, nslot = ncap * 2;
	int *slot = calloc((size_t)nslot, sizeof(int));
	char **key = realloc(d->key, sizeof(char *) * (size_t)ncap);

	if (key)
		d->key = key;
	if (!slot || !key)
		goto oom;
	key = realloc(d->shown, sizeof(char *) * (size_t)ncap);
	if (!key)
		goto oom;
	d->shown = key;
	{
		long long *c = realloc(d->count, sizeof(long long) * (size_t)ncap);

		if (!c)
			goto oom;
		d->count = c;
	}
	for (i = 0; i < d->n; i++) {
		int h = (int)(hash_str(d->key[i]) % (uint64_t)nslot);

		while (slot[h])
			h = (h + 1) % nslot;
		slot[h] = i + 1;
	}
	free(d->slot);
	d->slot = slot;
	d->nslot = nslot;
	d->cap = ncap;
	return 0;
oom:
	free(slot);
	return -1;
}

/* The id of value s, added if new; -1 past DICT_MAX or out of memory. */
static int dict_id(struct dict *d, const char *s)
{
	char *k = lower_dup(s);
	int h, id = -1;

	if (!k)
		return -1;
	if (d->nslot) {
		h = (int)(hash_str(k) % (uint64_t)d->nslot);
		while (d->slot[h]) {
			if (!strcmp(d->key[d->slot[h] - 1], k)) {
				id = d->slot[h] - 1;
				break;
			}
			h = (h + 1) % d->nslot;
		}
	}
	if (id >= 0 || d->n >= DICT_MAX || (d->n == d->cap && dict_grow(d))) {
		free(k);
		return id;
	}
	id = d->n++;
	d->key[id] = k;
	d->shown[id] = strdup(s);
	d->count[id] = 0;
	h = (int)(hash_str(k) % (uint64_t)d->nslot);
	while (d->slot[h])
		h = (h + 1) % d->nslot;
	d->slot[h] = id + 1;
	return id;
}

static void dict_release(struct dict *d)
{
	int i;

	for (i = 0; i < d->n; i++) {
		free(d->key[i]);
		free(d->shown[i]);
	}
	free(d->key);
	free(d->shown);
	free(d->count);
	free(d->slot);
	memset(d, 0, sizeof(*d));
}

/* --- the training set ------------------------------------------------------ */

struct sample {
	long long id;
	int cat[G_NCAT];
	double num[NNUM];
	unsigned char y, train;
};

struct set {
	struct sample *s;
	long long n, cap;
	struct dict dict[G_NCAT];
	/* features */
	int d;
	int *fgrp;
	const char **fval; /* shown value; NULL: other or a number */
	double *center, *scale;
	long long *support;
	int *map[G_NCAT];  /* dict id -> feature, -1 none */
	int num_feature[NNUM];
};

static void set_release(struct set *t)
{
	int g;

	free(t->s);
	for (g = 0; g < G_NCAT; g++) {
		dict_release(&t->dict[g]);
		free(t->map[g]);
	}
	free(t->fgrp);
	free(t->fval);
	free(t->center);
	free(t->scale);
	free(t->support);
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Held out, or trained on: a fixed function of the id, so a lead stays on
 * its side from one training to the next. */
static int held_out(long long id)
{
	return mix64((uint64_t)id ^ 0x53434f52494e47ULL) % 100 < SCORING_HOLDOUT_PERCENT;
}

static int add_sample(struct set *t, const struct lead_facts *f, struct err *e)
{
	struct sample *x;
	int g;

	if (t->n == t->cap) {
		long long cap = t->cap ? t->cap * 2 : 1024;
		struct sample *more = realloc(t->s, sizeof(*more) * (size_t)cap);

		if (!more)
			return fail(e, E_INTERNAL, "out of memory");
		t->s = more;
		t->cap = cap;
	}
	x = &t->s[t->n++];
	x->id = f->id;
	x->y = f->label == 1;
	x->train = !held_out(f->id);
	for (g = 0; g < G_NCAT; g++) {
		x->cat[g] = dict_id(&t->dict[g], scoring_category(f, g));
		if (x->cat[g] >= 0 && x->train)
			t->dict[g].count[x->cat[g]]++;
	}
	for (g = G_NCAT; g < G_COUNT; g++)
		x->num[g - G_NCAT] = scoring_number(f, g);
	return OK;
}

static int read_set(struct store *st, time_t now, struct set *t, struct err *e)
{
	struct lead_row *rows = calloc(SCORING_BATCH, sizeof(*rows));
	long long cursor = 0;
	int rc = OK, n = SCORING_BATCH, i;

	if (!rows)
		return fail(e, E_INTERNAL, "out of memory");
	while (!rc && n == SCORING_BATCH) {
		rc = scoring_read_leads(st, cursor, SCORING_BATCH, now, rows, &n, e);
		for (i = 0; !rc && i < n; i++)
			if (rows[i].f.label >= 0)
				rc = add_sample(t, &rows[i].f, e);
		if (n)
			cursor = rows[n - 1].f.id;
		scoring_rows_release(rows, n);
	}
	free(rows);
	return rc;
}

static int add_feature(struct set *t, int g, const char *value, double center, double scale,
		       long long support)
{
	int j = t->d++;

	t->fgrp[j] = g;
	t->fval[j] = value;
	t->center[j] = center;
	t->scale[j] = scale;
	t->support[j] = support;
	return j;
}

static const struct dict *sort_dict; /* for by_support: features are built
					 under the caller's single thread */

static int by_support(const void *a, const void *b)
{
	long long x = sort_dict->count[*(const int *)a], y = sort_dict->count[*(const int *)b];

	return (x < y) - (x > y);
}

/* The features, from the training leads. */
static int build_features(struct set *t, long long n_train, struct err *e)
{
	static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
	long long minsup = n_train / 200 > SCORING_MIN_SUPPORT ? n_train / 200 : SCORING_MIN_SUPPORT;
	int max = 0, g, i;

	for (g = 0; g < G_NCAT; g++)
		max += t->dict[g].n + 1;
	max += NNUM;
	t->fgrp = calloc((size_t)max, sizeof(int));
	t->fval = calloc((size_t)max, sizeof(char *));
	t->center = calloc((size_t)max, sizeof(double));
	t->scale = calloc((size_t)max, sizeof(double));
	t->support = calloc((size_t)max, sizeof(long long));
	if (!t->fgrp || !t->fval || !t->center || !t->scale || !t->support)
		return fail(e, E_INTERNAL, "out of memory");
	for (g = 0; g < G_NCAT; g++) {
		struct dict *d = &t->dict[g];
		int *order = malloc(sizeof(int) * ((size_t)d->n + 1)), other = -1;
		long long pooled = 0;

		t->map[g] = malloc(sizeof(int) * ((size_t)d->n + 1));
		if (!order || !t->map[g]) {
			free(order);
			return fail(e, E_INTERNAL, "out of memory");
		}
		for (i = 0; i < d->n; i++) {
			order[i] = i;
			t->map[g][i] = -1;
			if (d->count[i] < minsup)
				pooled += d->count[i];
		}
		pthread_mutex_lock(&sort_lock);
		sort_dict = d;
		qsort(order, (size_t)d->n, sizeof(int), by_support);
		pthread_mutex_unlock(&sort_lock);
		for (i = 0; i < d->n; i++) {
			int v = order[i];

			if (d->count[v] >= minsup)
				t->map[g][v] = add_feature(t, g, d->shown[v],
							   (double)d->count[v] / (double)n_train, 1,
							   d->count[v]);
		}
		if (pooled)
			other = add_feature(t, g, NULL, (double)pooled / (double)n_train, 1, pooled);
		for (i = 0; i < d->n; i++)
			if (t->map[g][i] < 0)
				t->map[g][i] = other;
		free(order);
	}
	for (g = 0; g < NNUM; g++) {
		double sum = 0, sq = 0, mean, sd;
		long long nz = 0, k;

		for (k = 0; k < t->n; k++) {
			if (!t->s[k].train)
				continue;
			sum += t->s[k].num[g];
			sq += t->s[k].num[g] * t->s[k].num[g];
			nz += t->s[k].num[g] != 0;
		}
		mean = sum / (double)n_train;
		sd = sqrt(fmax(0, sq / (double)n_train - mean * mean));
		t->num_feature[g] = sd > 1e-9 ? add_feature(t, G_NCAT + g, NULL, mean, sd, nz) : -1;
	}
	return OK;
}

/* --- storing ------------------------------------------------------------------ */

static int store_model(struct store *st, const struct principal *p, time_t now,
		       const struct set *t, const struct logreg_result *fit,
		       struct scoring_train_result *out, struct err *e)
{
	char at[TIME_ISO_LEN], asof[TIME_ISO_LEN];
	struct stmt *s;
	long long id;
	int rc, j;

	time_iso(time_now(), at);
	time_iso(now, asof);
	rc = store_begin(st, e);
	if (rc)
		return rc;
	s = store_prepare(st,
			  "INSERT INTO scoring_models (trained_at, trained_by, as_of, intercept, l2, "
			  "iterations, n_train, n_test, pos_train, pos_test, auc_train, auc_test) "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_text(s, 1, at);
	if (p->user_id)
		stmt_bind_int(s, 2, p->user_id);
	else
		stmt_bind_null(s, 2);
	stmt_bind_text(s, 3, asof);
	stmt_bind_double(s, 4, fit->intercept);
	stmt_bind_double(s, 5, SCORING_L2);
	stmt_bind_int(s, 6, fit->iterations);
	stmt_bind_int(s, 7, out->n_train);
	stmt_bind_int(s, 8, out->n_test);
	stmt_bind_int(s, 9, out->pos_train);
	stmt_bind_int(s, 10, out->pos_test);
	stmt_bind_double(s, 11, out->auc_train);
	if (out->has_auc_test)
		stmt_bind_double(s, 12, out->auc_test);
	else
		stmt_bind_null(s, 12);
	rc = stmt_step(s, e);
	stmt_done(s);
	if (rc)
		goto fail;
	id = store_last_id(st);
	s = store_prepare(st,
			  "INSERT INTO scoring_features (model_id, idx, grp, value, center, scale, "
			  "weight, support) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	for (j = 0; j < t->d && !rc; j++) {
		stmt_bind_int(s, 1, id);
		stmt_bind_int(s, 2, j);
		stmt_bind_text(s, 3, scoring_group_keys[t->fgrp[j]]);
		stmt_bind_text(s, 4, t->fval[j]);
		stmt_bind_double(s, 5, t->center[j]);
		stmt_bind_double(s, 6, t->scale[j]);
		stmt_bind_double(s, 7, fit->w[j]);
		stmt_bind_int(s, 8, t->support[j]);
		rc = stmt_step(s, e);
		stmt_done(s);
	}
	if (!rc)
		rc = store_run(st, e,
			       "DELETE FROM scoring_features WHERE model_id <= ?", "i",
			       id - SCORING_KEEP_MODELS);
	if (!rc)
		rc = store_run(st, e, "DELETE FROM scoring_models WHERE id <= ?", "i",
			       id - SCORING_KEEP_MODELS);
	if (!rc)
		rc = scoring_invalidate(st, e);
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		goto fail;
	out->model_id = id;
	return OK;
fail:
	store_rollback(st);
	return rc;
}

/* --- training --------------------------------------------------------------- */

static int fit_and_measure(const struct set *t, struct logreg_data *x,
			   struct logreg_result *fit, struct scoring_train_result *out,
			   struct err *e)
{
	struct logreg_opts o = {.l2 = SCORING_L2, .max_iter = 100, .tol = 1e-7};
	double *z = malloc(sizeof(double) * (size_t)t->n);
	unsigned char *y = malloc((size_t)t->n);
	long long i, n;
	int side;

	if (!z || !y) {
		free(z);
		free(y);
		return fail(e, E_INTERNAL, "out of memory");
	}
	if (logreg_fit(x, &o, fit)) {
		free(z);
		free(y);
		return fail(e, E_INTERNAL, "the model could not be fitted");
	}
	out->iterations = fit->iterations;
	for (side = 0; side < 2; side++) {
		for (i = 0, n = 0; i < t->n; i++)
			if (t->s[i].train == !side) {
				z[n] = logreg_z(x, (int)i, fit->intercept, fit->w);
				y[n++] = t->s[i].y;
			}
		if (side == 0)
			logreg_auc(z, y, (int)n, &out->auc_train);
		else
			out->has_auc_test = !logreg_auc(z, y, (int)n, &out->auc_test);
	}
	free(z);
	free(y);
	return OK;
}

int scoring_train(struct store *st, const struct principal *p, time_t now,
		  struct scoring_train_result *out, struct err *e)
{
	struct set t;
	struct logreg_data x;
	struct logreg_result fit = {0};
	int *idx = NULL, rc, g;
	double *val = NULL;
	unsigned char *y = NULL, *use = NULL;
	long long i;

	memset(out, 0, sizeof(*out));
	if (!principal_is_admin(p))
		return fail(e, E_FORBIDDEN, "only admins train the scoring model");
	memset(&t, 0, sizeof(t));
	rc = read_set(st, now, &t, e);
	if (rc)
		goto out;
	for (i = 0; i < t.n; i++) {
		if (t.s[i].train) {
			out->n_train++;
			out->pos_train += t.s[i].y;
		} else {
			out->n_test++;
			out->pos_test += t.s[i].y;
		}
	}
	if (out->pos_train < SCORING_MIN_CLASS || out->n_train - out->pos_train < SCORING_MIN_CLASS) {
		rc = fail(e, E_CONFLICT,
			  "not enough leads with a known outcome to learn from: %lld converted and "
			  "%lld not converted in training, at least %d of each needed",
			  out->pos_train, out->n_train - out->pos_train, SCORING_MIN_CLASS);
		goto out;
	}
	rc = build_features(&t, out->n_train, e);
	if (rc)
		goto out;
	out->features = t.d;
	idx = malloc(sizeof(int) * (size_t)t.n * G_COUNT);
	val = malloc(sizeof(double) * (size_t)t.n * G_COUNT);
	y = malloc((size_t)t.n);
	use = malloc((size_t)t.n);
	fit.w = calloc((size_t)t.d + 1, sizeof(double));
	if (!idx || !val || !y || !use || !fit.w) {
		rc = fail(e, E_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < t.n; i++) {
		const struct sample *s = &t.s[i];

		for (g = 0; g < G_NCAT; g++) {
			idx[i * G_COUNT + g] = s->cat[g] >= 0 ? t.map[g][s->cat[g]] : -1;
			val[i * G_COUNT + g] = 1;
		}
		for (g = 0; g < NNUM; g++) {
			idx[i * G_COUNT + G_NCAT + g] = t.num_feature[g];
			val[i * G_COUNT + G_NCAT + g] = s->num[g];
		}
		y[i] = s->y;
		use[i] = s->train;
	}
	x = (struct logreg_data){.n = (int)t.n, .d = t.d, .k = G_COUNT, .idx = idx, .val = val,
				 .y = y, .use = use, .center = t.center, .scale = t.scale};
	rc = fit_and_measure(&t, &x, &fit, out, e);
	if (!rc)
		rc = store_model(st, p, now, &t, &fit, out, e);
out:
	free(idx);
	free(val);
	free(y);
	free(use);
	free(fit.w);
	set_release(&t);
	return rc;
}
