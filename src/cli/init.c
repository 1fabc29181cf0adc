/*
 * init.c — funnel init: a new database with its first admin.
 */
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "crm/records/user.h"
#include "cli.h"

static const char usage[] =
	"usage: funnel init --db PATH --admin-email EMAIL [--admin-name NAME]\n"
	"                   [--admin-password-file FILE]\n"
	"\n"
	"Create a database with the schema, the default sales process (pre-qualification\n"
	"to payment collected) and its first admin.  The password comes from FILE (its\n"
	"first line; '-' reads standard input) or is asked on the terminal; never from\n"
	"the command line.  Refuses a database that already has users.\n";

int cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"admin-email", required_argument, NULL, 'e'},
		{"admin-name", required_argument, NULL, 'n'},
		{"admin-password-file", required_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *email = NULL, *name = "Administrator", *pwfile = NULL;
	char password[1100];
	struct principal sys;
	struct store *st;
	struct record rec;
	struct err e;
	json_t *body;
	long long any;
	int c, rc;

	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'e': email = optarg; break;
		case 'n': name = optarg; break;
		case 'p': pwfile = optarg; break;
		default: return cli_usage("init", "unknown option");
		}
	}
	if (!db || !email)
		return cli_usage("init", "--db and --admin-email are required");
	if (optind < argc)
		return cli_usage("init", "unexpected argument '%s'", argv[optind]);
	if (cli_password(pwfile, password, sizeof(password)))
		return EXIT_FAIL;
	if (cli_open(db, 1, &st))
		return EXIT_FAIL;
	err_clear(&e);
	principal_system(&sys);
	/* a database with users is not new */
	rc = user_count(st, &any, &e);
	if (rc || any) {
		if (rc)
			cli_error("init", &e);
		else
			fprintf(stderr, "funnel init: %s already has %lld users; nothing done\n", db,
				any);
		store_close(st);
		return EXIT_FAIL;
	}
	body = json_pack("{s:s, s:s, s:s, s:s}", "email", email, "name", name, "role", "admin",
			 "password", password);
	sodium_memzero(password, sizeof(password));
	rc = record_create(st, &sys, &user_resource, body, 0, &rec, &e);
	json_decref(body);
	if (rc) {
		cli_error("init", &e);
		store_close(st);
		return cli_exit_code(rc);
	}
	printf("created %s with admin %s (user %lld)\n", db, email, rec.id);
	record_release(&rec);
	store_close(st);
	return EXIT_OK;
}
