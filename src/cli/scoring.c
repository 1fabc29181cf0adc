/*
 * scoring.c — funnel scoring train: learn the lead scoring model from the
 * leads with a known outcome and rescore every lead (src/crm/scoring.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "crm/scoring/scoring.h"
#include "cli.h"

static const char usage[] =
	"usage: funnel scoring train [--db PATH]\n"
	"\n"
	"Train the lead scoring model on the leads whose outcome is known (converted;\n"
	"disqualified, or created more than 90 days ago and never converted), holding\n"
	"20% of them out (by id) to measure it, store it, and rescore every lead with\n"
	"it and the fit rules.  Prints the training size, class balance, AUC on the\n"
	"held-out and training leads.  A running\n"
	"'funnel serve' does the same on its own schedule (--scoring-interval).\n"
	"\n"
	"  --db PATH   database (default funnel.db)\n"
	"\n"
	"Exit 3 when there are fewer than 10 leads of either outcome to learn from.\n";

int cmd_scoring(int argc, char **argv)
{
	const char *db = "funnel.db";
	struct scoring_train_result r;
	struct principal sys;
	struct store *st;
	struct err e;
	long long n = 0;
	double t0;
	int i, rc;

	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	if (argc < 2 || strcmp(argv[1], "train"))
		return cli_usage("scoring", argc < 2 ? "which? train" : "unknown subcommand '%s'",
				 argv[argc < 2 ? 0 : 1]);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else
			return cli_usage("scoring", "unknown argument '%s'", argv[i]);
	}
	if (cli_open(db, 0, &st))
		return EXIT_FAIL;
	err_clear(&e);
	principal_system(&sys);
	t0 = time_mono();
	rc = scoring_train(st, &sys, time_now(), &r, &e);
	if (!rc) {
		printf("model %lld: %lld training leads (%lld converted, %lld not), %lld held out "
		       "(%lld converted), %d features, %d Newton steps, %.2f s\n",
		       r.model_id, r.n_train, r.pos_train, r.n_train - r.pos_train, r.n_test,
		       r.pos_test, r.features, r.iterations, time_mono() - t0);
		if (r.has_auc_test)
			printf("AUC: %.3f held out, %.3f in training\n", r.auc_test, r.auc_train);
		else
			printf("AUC: %.3f in training (the held-out leads have one outcome only)\n",
			       r.auc_train);
		t0 = time_mono();
		rc = scoring_rescore(st, NULL, &n, &e);
	}
	if (!rc)
		printf("rescored: %lld leads changed score in %.2f s\n", n, time_mono() - t0);
	principal_release(&sys);
	store_close(st);
	if (rc) {
		cli_error("scoring", &e);
		return cli_exit_code(rc);
	}
	return EXIT_OK;
}
