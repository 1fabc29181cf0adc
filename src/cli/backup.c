/*
 * backup.c — funnel backup: an online, consistent copy of the database,
 * taken with SQLite's backup API while the server keeps serving.
 */
#include <stdio.h>
#include <string.h>

#include "core/progress.h"
#include "cli.h"

static const char usage[] =
	"usage: funnel backup --db PATH DEST\n"
	"\n"
	"Copy the database to DEST (which must not exist) while it stays in use.  The\n"
	"copy is consistent: it holds every transaction committed before the copy\n"
	"finished, and none half.  Restore by stopping the server and putting DEST in\n"
	"place of PATH.\n";

static void on_progress(void *ctx, long long done, long long total)
{
	struct progress *p = ctx;

	p->total = total;
	progress_update(p, done);
}

int cmd_backup(int argc, char **argv)
{
	const char *db = NULL, *dest = NULL;
	struct progress pr;
	struct store *st;
	struct err e;
	int i, rc;

	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (argv[i][0] == '-')
			return cli_usage("backup", "unknown option %s", argv[i]);
		else if (!dest)
			dest = argv[i];
		else
			return cli_usage("backup", "unexpected argument '%s'", argv[i]);
	}
	if (!db || !dest)
		return cli_usage("backup", "--db PATH and DEST are required");
	if (cli_open(db, 0, &st))
		return EXIT_FAIL;
	err_clear(&e);
	progress_start(&pr, "backup", 0);
	rc = store_backup(st, dest, on_progress, &pr, &e);
	progress_finish(&pr);
	store_close(st);
	if (rc) {
		cli_error("backup", &e);
		return EXIT_FAIL;
	}
	printf("backed up %s to %s\n", db, dest);
	return EXIT_OK;
}
