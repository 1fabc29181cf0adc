/*
 * demo.h — a realistic demo company, generated from a seed, at any scale.
 *
 * demo_generate() fills an empty, migrated database with a sales
 * organisation and three years of its history:
 *
 *   teams     Sales → regions (EMEA, Americas, APAC) → one team per channel
 *             (field, inside, partner, web, retail) with 6–10 reps each
 *   users     an admin, a head of sales, region and team managers, reps with
 *             territory, industry focus, channel and quarterly quotas
 *   accounts  ≈ scale/15, each with ≈ 2.5 contacts
 *   leads     ≈ scale/3
 *   opportunities  `scale` of them, moved through the default pipeline with
 *             a complete stage_history, close-date slips and amount changes in
 *             `history`, and ≈ 3 activities each
 *
 * Reproducible: everything is drawn from one PCG32 stream seeded by `seed`
 * and dated relative to `now` (never the wall clock), so the same seed,
 * scale and now give the same rows, byte for byte — the password hash too
 * (its salt is derived from the seed).
 *
 * Fast: rows go in through prepared INSERTs in large transactions with
 * journaling, fsync, foreign-key and CHECK enforcement off and most secondary
 * indexes dropped; then the indexes are rebuilt with their original SQL and
 * WAL + synchronous=FULL restored.  That is only safe
 * on a file nobody else uses: call it on a database created for the purpose.
 */
#ifndef FUNNEL_DEMO_H
#define FUNNEL_DEMO_H

#include <time.h>

#include "core/err.h"
#include "store/store.h"

#define DEMO_PASSWORD "demo-password"
#define DEMO_ADMIN "admin@demo.funnel"
#define DEMO_MANAGER "manager@demo.funnel"
#define DEMO_REP "rep@demo.funnel"
#define DEMO_SCALE_MAX 100000000LL

struct demo_opts {
	long long scale;        /* opportunities, 1..DEMO_SCALE_MAX */
	unsigned long long seed;
	time_t now;             /* "today": nothing is dated after it but planned work */
	/* Called as work advances (may be NULL): `phase` names the step, `done`
	 * of `total` rows; done == total ends a phase. */
	void (*progress)(void *ctx, const char *phase, long long done, long long total);
	void *ctx;
};

struct demo_counts {
	long long teams, users, quotas, accounts, contacts, leads, opportunities, stages,
		activities, history;
};

/* The default "today" of the demo company: 2026-11-22T17:00:00Z. */
time_t demo_default_now(void);

/* Fill `st` (migrated, without users).  Returns OK and the row counts, or an
 * error (E_CONFLICT when the database already has users, E_INVAL for a scale
 * out of range, E_INTERNAL / E_IO from the database).  On failure the file is
 * left half-written: the caller should remove a file it created. */
int demo_generate(struct store *st, const struct demo_opts *o, struct demo_counts *out,
		  struct err *e);

#endif
