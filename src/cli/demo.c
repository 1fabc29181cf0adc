/*
 * demo.c — funnel demo: a new database filled with a demo company.
 *
 * The generator lives in src/crm/demo.c; this file parses options, refuses a
 * database that is in use, shows progress and prints what was made.  A file
 * this command created is removed again when generation fails, so a retry
 * starts clean.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/progress.h"
#include "core/timeutil.h"
#include "crm/demo/demo.h"
#include "crm/scoring/scoring.h"
#include "crm/records/user.h"
#include "cli.h"

static const char usage[] =
	"usage: funnel demo --db PATH [--scale N] [--seed S]\n"
	"\n"
	"Create PATH and fill it with a demo company: teams by region and channel,\n"
	"managers and reps with territories and quotas, accounts, contacts, leads,\n"
	"N opportunities (default 30000) with three years of stage history, and their\n"
	"activities.  The same --seed (default 42) and --scale give the same data;\n"
	"\"today\" is 2026-11-22 unless FUNNEL_NOW is set.  Ends by training the lead\n"
	"scoring model and scoring every lead.  Refuses a database that already has\n"
	"users.\n"
	"\n"
	"Logins (password 'demo-password'): " DEMO_ADMIN " (admin),\n"
	DEMO_MANAGER " (manager of a team), " DEMO_REP " (a rep in it).\n";

struct show {
	struct progress p;
	char phase[32];
	int active;
};

static void on_progress(void *ctx, const char *phase, long long done, long long total)
{
	struct show *sh = ctx;

	if (!sh->active || strcmp(sh->phase, phase)) {
		if (sh->active)
			progress_finish(&sh->p);
		snprintf(sh->phase, sizeof(sh->phase), "%s", phase);
		progress_start(&sh->p, sh->phase, total);
		sh->active = 1;
	}
	progress_update(&sh->p, done);
	if (done >= total) {
		progress_finish(&sh->p);
		sh->active = 0;
	}
}

/* Train the lead scoring model on the new company and score every lead;
 * too few leads for a model (small scales) is not a failure. */
static int train(struct store *st, time_t now, char *out, size_t n, struct err *e)
{
	struct scoring_train_result r;
	struct principal sys;
	int rc;

	principal_system(&sys);
	rc = scoring_train(st, &sys, now, &r, e);
	principal_release(&sys);
	if (rc == E_CONFLICT) {
		snprintf(out, n, "lead scoring: no model (%s)", e->msg);
		err_clear(e);
		rc = OK;
	} else if (!rc) {
		snprintf(out, n, "lead scoring: model trained on %lld leads, AUC %.3f held out",
			 r.n_train, r.has_auc_test ? r.auc_test : r.auc_train);
	}
	if (!rc)
		rc = scoring_rescore(st, NULL, NULL, e);
	return rc;
}

/* A whole decimal number in [lo, hi], nothing else. */
static int parse_num(const char *s, unsigned long long lo, unsigned long long hi,
		     unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static void remove_db(const char *db)
{
	char side[4096];

	unlink(db);
	snprintf(side, sizeof(side), "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db);
	unlink(side);
	snprintf(side, sizeof(side), "%s-journal", db);
	unlink(side);
}

int cmd_demo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"scale", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	char scoring[400];
	unsigned long long scale = 30000, seed = 42;
	struct demo_opts o;
	struct demo_counts n;
	struct show sh;
	struct store *st = NULL;
	struct stat sb;
	struct err e;
	long long users;
	double t0;
	int c, rc, created;

	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'n':
			if (parse_num(optarg, 1, DEMO_SCALE_MAX, &scale))
				return cli_usage("demo", "--scale must be a whole number from 1 to %lld",
						 DEMO_SCALE_MAX);
			break;
		case 's':
			if (parse_num(optarg, 0, ~0ULL, &seed))
				return cli_usage("demo", "--seed must be a whole number >= 0");
			break;
		default: return cli_usage("demo", "unknown option");
		}
	}
	if (!db)
		return cli_usage("demo", "--db is required");
	if (optind < argc)
		return cli_usage("demo", "unexpected argument '%s'", argv[optind]);

	err_clear(&e);
	created = !store_is_server(db) && stat(db, &sb) != 0;
	if (cli_open(db, 1, &st)) {
		if (created)
			remove_db(db);
		return EXIT_FAIL;
	}
	rc = user_count(st, &users, &e);
	if (rc || users) {
		if (rc)
			cli_error("demo", &e);
		else
			fprintf(stderr, "funnel demo: %s already has %lld users; nothing done\n", db,
				users);
		store_close(st);
		return EXIT_FAIL;
	}

	memset(&o, 0, sizeof(o));
	memset(&sh, 0, sizeof(sh));
	o.scale = (long long)scale;
	o.seed = seed;
	o.now = getenv("FUNNEL_NOW") ? time_now() : demo_default_now();
	o.progress = on_progress;
	o.ctx = &sh;
	t0 = time_mono();
	rc = demo_generate(st, &o, &n, &e);
	if (sh.active)
		progress_finish(&sh.p);
	if (!rc)
		rc = train(st, o.now, scoring, sizeof(scoring), &e);
	store_close(st);
	if (rc) {
		cli_error("demo", &e);
		if (created)
			remove_db(db);
		return cli_exit_code(rc) == EXIT_DATA ? EXIT_FAIL : cli_exit_code(rc);
	}
	printf("created %s (seed %llu, scale %llu) in %.1f s:\n"
	       "  %lld users in %lld teams (%lld quotas)\n"
	       "  %lld accounts, %lld contacts, %lld leads\n"
	       "  %lld opportunities, %lld stage history rows, %lld changes in history\n"
	       "  %lld activities\n"
	       "  %s\n"
	       "\n"
	       "Logins (password '%s'):\n"
	       "  %-22s admin\n"
	       "  %-22s sales manager (EMEA Field)\n"
	       "  %-22s salesperson in that team\n",
	       db, seed, scale, time_mono() - t0, n.users, n.teams, n.quotas, n.accounts,
	       n.contacts, n.leads, n.opportunities, n.stages, n.history, n.activities,
	       scoring, DEMO_PASSWORD, DEMO_ADMIN, DEMO_MANAGER, DEMO_REP);
	return EXIT_OK;
}
