/*
 * forecast.c — funnel forecast: the weekly snapshot (as the server's job
 * takes it) and the backtest, over an analytics index built for the run
 * (crm/forecast_process.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "crm/insight/analytics.h"
#include "crm/forecast/forecast_process.h"
#include "cli.h"

static const char usage[] =
	"usage: funnel forecast snapshot [--db PATH] [--period P] [--as-of DATE] [--iterations N]\n"
	"       funnel forecast backtest --from P --to P [--db PATH] [--scope S]... [--weeks N]\n"
	"                                [--iterations N] [--seed N] [--currency CUR] [--json]\n"
	"                                [--quiet]\n"
	"\n"
	"Periods P are quarters (2026-Q4) or months (2026-11).  --db defaults to funnel.db.\n"
	"\n"
	"snapshot  Take the weekly forecast snapshot: every model's forecast for every\n"
	"          scope (the company, each team, each active rep) and every submission\n"
	"          current then, for the quarter and the month of --as-of (or --period),\n"
	"          stored under the ISO week of --as-of.  A week that has its snapshot is\n"
	"          left alone, so running it again does nothing.  `funnel serve` takes it\n"
	"          by itself (--snapshot-interval).\n"
	"  --as-of DATE|INSTANT  forecast as of then, from the history known then\n"
	"                        (default: now; a past date back-fills that week)\n"
	"  --period P            only this period\n"
	"  --iterations N        simulation iterations (default: the engine's, 10000)\n"
	"\n"
	"backtest  Replay the forecasts each model would have made for every period from\n"
	"          --from to --to (all closed), as of the period's start and each of the\n"
	"          following weeks, from the stored stage and field history; compare each\n"
	"          with the actual (closed-won in the period) and print, per model, the\n"
	"          MAPE, the bias and how often P10..P90 held the actual, the MAPE by week,\n"
	"          and one row per period, scope and as_of.  It writes nothing: the\n"
	"          database is opened read-only, and not migrated.\n"
	"  --scope S       company (default), user:ID, team:ID, teams (each team), reps\n"
	"                  (each active rep); repeatable: the figures pool every scope\n"
	"  --weeks N       as_of points per period: the start and N-1 weeks after (default\n"
	"                  4; 1..13)\n"
	"  --iterations N  simulation iterations (default: the engine's)\n"
	"  --seed N        simulation seed (default 1): the same seed, the same figures\n"
	"  --currency CUR  the currency of the figures (default: the engine's choice)\n"
	"  --json          one JSON document instead of tables\n"
	"  --quiet         only the summary tables\n"
	"  --threads N     replay with N workers (1..8, default 1: the engine already\n"
	"                  uses two threads per forecast on a large index)\n"
	"\n"
	"Exit: 0 done; 2 usage error; 3 bad periods; 1 other failures.\n";

/* A database and its index, for one run.  read_only: the backtest writes
 * nothing, so it opens the file read-only and does not migrate it (it reads
 * tables every schema since 008 has). */
static int open_index(const char *db, int read_only, struct store **st, struct analytics **a)
{
	struct err e;

	err_clear(&e);
	if (!read_only && cli_open(db, 0, st))
		return EXIT_FAIL;
	if (read_only && store_open(db, STORE_READONLY, st, &e)) {
		fprintf(stderr, "funnel: %s: %s\n", db, e.msg);
		return EXIT_FAIL;
	}
	if (analytics_build(*st, a, &e)) {
		cli_error("forecast", &e);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int snapshot(int argc, char **argv)
{
	const char *db = "funnel.db";
	struct fp_snapshot_opts o;
	struct store *st = NULL;
	struct analytics *a = NULL;
	struct err e;
	long long rows = 0;
	char week[9];
	int i, ex;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--period") && i + 1 < argc)
			o.period = argv[++i];
		else if (!strcmp(argv[i], "--as-of") && i + 1 < argc) {
			if (time_parse_iso(argv[++i], &o.as_of))
				return cli_usage("forecast", "--as-of takes a date or an instant, "
							     "not '%s'", argv[i]);
		} else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
			o.iterations = atoi(argv[++i]);
		else
			return cli_usage("forecast", "unknown option %s", argv[i]);
	}
	if (o.iterations < 0)
		return cli_usage("forecast", "--iterations must be positive");
	ex = open_index(db, 0, &st, &a);
	if (ex)
		goto out;
	err_clear(&e);
	if (!o.as_of)
		o.as_of = time_now();
	if (fp_snapshot(a, st, &o, &rows, &e)) {
		cli_error("forecast", &e);
		ex = cli_exit_code(e.code);
		goto out;
	}
	fp_iso_week(o.as_of, week);
	if (rows)
		printf("snapshot of %s taken: %lld rows\n", week, rows);
	else
		printf("snapshot of %s already taken: nothing to do\n", week);
out:
	analytics_free(a);
	store_close(st);
	return ex;
}

/* Add the scopes `spec` names to the list. */
static int add_scopes(struct store *st, const char *spec, struct fp_scope **sc, int *n)
{
	const char *sql = NULL;
	struct stmt *s;
	struct err e;
	int rc;

	if (!strcmp(spec, "teams"))
		sql = "SELECT 1, id FROM teams ORDER BY id";
	else if (!strcmp(spec, "reps"))
		sql = "SELECT 0, id FROM users WHERE active = 1 AND role = 'rep' ORDER BY id";
	else {
		struct fp_scope x = {FP_COMPANY, 0};
		char *end;

		if (!strncmp(spec, "user:", 5) || !strncmp(spec, "team:", 5)) {
			x.kind = spec[0] == 'u' ? FP_USER : FP_TEAM;
			x.id = strtoll(spec + 5, &end, 10);
			if (x.id <= 0 || *end)
				return -1;
		} else if (strcmp(spec, "company")) {
			return -1;
		}
		*sc = realloc(*sc, (size_t)(*n + 1) * sizeof(**sc));
		if (!*sc)
			return -1;
		(*sc)[(*n)++] = x;
		return 0;
	}
	err_clear(&e);
	s = store_prepare(st, sql, &e);
	if (!s)
		return -1;
	while (!(rc = stmt_step(s, &e)) && stmt_row(s)) {
		*sc = realloc(*sc, (size_t)(*n + 1) * sizeof(**sc));
		if (!*sc)
			break;
		(*sc)[*n].kind = (enum fp_kind)stmt_int(s, 0);
		(*sc)[(*n)++].id = stmt_int(s, 1);
	}
	stmt_done(s);
	return rc || !*sc ? -1 : 0;
}

static int backtest(int argc, char **argv)
{
	const char *db = "funnel.db", *specs[64];
	struct fp_backtest_opts o;
	struct store *st = NULL;
	struct analytics *a = NULL;
	struct err e;
	int i, nspecs = 0, ex;

	memset(&o, 0, sizeof(o));
	o.weeks = 4;
	o.seed = 1;
	o.threads = 1; /* the engine already splits a large forecast in two */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			snprintf(o.from, sizeof(o.from), "%s", argv[++i]);
		else if (!strcmp(argv[i], "--to") && i + 1 < argc)
			snprintf(o.to, sizeof(o.to), "%s", argv[++i]);
		else if (!strcmp(argv[i], "--scope") && i + 1 < argc && nspecs < 64)
			specs[nspecs++] = argv[++i];
		else if (!strcmp(argv[i], "--weeks") && i + 1 < argc)
			o.weeks = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
			o.iterations = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			o.seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--currency") && i + 1 < argc)
			snprintf(o.currency, sizeof(o.currency), "%s", argv[++i]);
		else if (!strcmp(argv[i], "--json"))
			o.json = 1;
		else if (!strcmp(argv[i], "--quiet"))
			o.quiet = 1;
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			o.threads = atoi(argv[++i]);
		else
			return cli_usage("forecast", "unknown option %s", argv[i]);
	}
	if (!o.from[0] || !o.to[0])
		return cli_usage("forecast", "backtest needs --from and --to");
	if (o.weeks < 1 || o.weeks > 13)
		return cli_usage("forecast", "--weeks must be 1..13");
	if (o.iterations < 0)
		return cli_usage("forecast", "--iterations must be positive");
	if (o.threads < 1 || o.threads > 8)
		return cli_usage("forecast", "--threads must be 1..8");
	ex = open_index(db, 1, &st, &a);
	if (ex)
		goto out;
	if (!nspecs)
		specs[nspecs++] = "company";
	for (i = 0; i < nspecs; i++)
		if (add_scopes(st, specs[i], &o.scopes, &o.nscopes)) {
			ex = cli_usage("forecast", "--scope takes company, user:ID, team:ID, teams "
						   "or reps, not '%s'", specs[i]);
			goto out;
		}
	o.now = time_now();
	err_clear(&e);
	if (fp_backtest(a, st, &o, stdout, &e)) {
		cli_error("forecast", &e);
		ex = cli_exit_code(e.code);
	}
out:
	free(o.scopes);
	analytics_free(a);
	store_close(st);
	return ex;
}

int cmd_forecast(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	if (!strcmp(argv[1], "snapshot"))
		return snapshot(argc - 1, argv + 1);
	if (!strcmp(argv[1], "backtest"))
		return backtest(argc - 1, argv + 1);
	return cli_usage("forecast", "unknown subcommand '%s': snapshot or backtest", argv[1]);
}
