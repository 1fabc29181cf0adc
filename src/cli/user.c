/*
 * user.c — funnel user add | list | disable.
 */
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crm/records/user.h"
#include "cli.h"

static const char usage[] =
	"usage: funnel user add --db PATH --email E --name N --role admin|manager|rep\n"
	"                       [--team NAME] [--manager EMAIL] [--territory T]\n"
	"                       [--industry I] [--channel field|inside|partner|web|retail]\n"
	"                       [--password-file FILE]\n"
	"       funnel user list --db PATH [--json]\n"
	"       funnel user disable --db PATH --email E\n"
	"\n"
	"add: create a user; --team names a team, created at the top when missing.  The\n"
	"password comes from FILE or a terminal prompt, never from the command line.\n"
	"list: every user with role, team and state.\n"
	"disable: stop a user signing in; ends their sessions, revokes their tokens.\n";

static int add(struct store *st, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"email", required_argument, NULL, 'e'},
		{"name", required_argument, NULL, 'n'},
		{"role", required_argument, NULL, 'r'},
		{"team", required_argument, NULL, 't'},
		{"manager", required_argument, NULL, 'm'},
		{"territory", required_argument, NULL, 'T'},
		{"industry", required_argument, NULL, 'i'},
		{"channel", required_argument, NULL, 'c'},
		{"password-file", required_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	const char *team = NULL, *manager = NULL, *pwfile = NULL;
	char password[1100];
	json_t *body = json_object();
	struct principal sys;
	struct record rec;
	struct err e;
	long long id;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		const char *key = NULL;

		switch (c) {
		case 'd': continue;
		case 'e': key = "email"; break;
		case 'n': key = "name"; break;
		case 'r': key = "role"; break;
		case 'T': key = "territory"; break;
		case 'i': key = "industry"; break;
		case 'c': key = "channel"; break;
		case 't': team = optarg; continue;
		case 'm': manager = optarg; continue;
		case 'p': pwfile = optarg; continue;
		default:
			json_decref(body);
			return cli_usage("user", "unknown option");
		}
		json_object_set_new(body, key, json_string(optarg));
	}
	if (!json_object_get(body, "email") || !json_object_get(body, "name") ||
	    !json_object_get(body, "role")) {
		json_decref(body);
		return cli_usage("user", "add needs --email, --name and --role");
	}
	if (cli_password(pwfile, password, sizeof(password))) {
		json_decref(body);
		return EXIT_FAIL;
	}
	json_object_set_new(body, "password", json_string(password));
	sodium_memzero(password, sizeof(password));
	err_clear(&e);
	principal_system(&sys);
	rc = store_begin(st, &e);
	if (!rc && team) {
		rc = team_ensure(st, &sys, team, &id, &e);
		if (!rc)
			json_object_set_new(body, "team_id", json_integer(id));
	}
	if (!rc && manager) {
		rc = user_by_email(st, manager, &id, &e);
		if (!rc)
			json_object_set_new(body, "manager_id", json_integer(id));
	}
	if (!rc)
		rc = record_create(st, &sys, &user_resource, body, 0, &rec, &e);
	if (!rc)
		rc = store_commit(st, &e);
	else
		store_rollback(st);
	json_decref(body);
	if (rc) {
		cli_error("user", &e);
		return cli_exit_code(rc);
	}
	printf("added user %lld %s (%s)\n", rec.id, record_text(&rec, "email"),
	       record_text(&rec, "role"));
	record_release(&rec);
	return EXIT_OK;
}

struct list_ctx {
	int json, n;
};

static int print_user(const struct record *rec, void *ctx)
{
	struct list_ctx *lc = ctx;

	if (lc->json) {
		struct buf b = BUF_INIT;
		struct jw w;

		jw_init(&w, &b);
		record_json(rec, &w);
		printf("%s\n", b.data);
		buf_release(&b);
	} else {
		printf("%-6lld %-32s %-28s %-8s %-6s %s\n", rec->id, record_text(rec, "email"),
		       record_text(rec, "name"), record_text(rec, "role"),
		       record_int(rec, "active") ? "active" : "off",
		       record_text(rec, "territory") ? record_text(rec, "territory") : "");
	}
	lc->n++;
	return 0;
}

static int list(struct store *st, int argc, char **argv)
{
	struct list_ctx lc = {0, 0};
	struct list_query q;
	struct principal sys;
	struct err e;
	char *next = NULL;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			lc.json = 1;
		else if (!strcmp(argv[i], "--db"))
			i++;
		else
			return cli_usage("user", "unexpected argument '%s'", argv[i]);
	}
	err_clear(&e);
	principal_system(&sys);
	rc = list_query_parse(&user_resource, NULL, 0, &q, &e);
	q.limit = 0;
	if (!rc) {
		if (!lc.json)
			printf("%-6s %-32s %-28s %-8s %-6s %s\n", "ID", "EMAIL", "NAME", "ROLE",
			       "STATE", "TERRITORY");
		rc = record_list(st, &sys, &user_resource, &q, print_user, &lc, &next, NULL, &e);
		list_query_release(&q);
	}
	if (rc) {
		cli_error("user", &e);
		return cli_exit_code(rc);
	}
	return EXIT_OK;
}

static int disable(struct store *st, int argc, char **argv)
{
	const char *email = NULL;
	struct principal sys;
	struct record rec;
	struct err e;
	json_t *body;
	long long id;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--email") && i + 1 < argc)
			email = argv[++i];
		else if (!strcmp(argv[i], "--db"))
			i++;
		else
			return cli_usage("user", "unexpected argument '%s'", argv[i]);
	}
	if (!email)
		return cli_usage("user", "disable needs --email");
	err_clear(&e);
	principal_system(&sys);
	rc = user_by_email(st, email, &id, &e);
	if (!rc) {
		body = json_pack("{s:b}", "active", 0);
		rc = record_update(st, &sys, &user_resource, id, body, -1, &rec, &e);
		json_decref(body);
		if (!rc)
			record_release(&rec);
	}
	if (rc) {
		cli_error("user", &e);
		return cli_exit_code(rc);
	}
	printf("disabled %s: sessions ended, tokens revoked\n", email);
	return EXIT_OK;
}

int cmd_user(int argc, char **argv)
{
	const char *db = NULL, *sub;
	struct store *st;
	int i, rc;

	if (argc < 2 || cli_wants_help(argc, argv, usage)) {
		if (argc < 2)
			fputs(usage, stderr);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	for (i = 2; i < argc - 1; i++)
		if (!strcmp(argv[i], "--db"))
			db = argv[i + 1];
	if (!db)
		return cli_usage("user", "--db PATH is required");
	if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "disable"))
		return cli_usage("user", "'%s' is not add, list or disable", sub);
	if (cli_open(db, 0, &st))
		return EXIT_FAIL;
	if (!strcmp(sub, "add"))
		rc = add(st, argc - 1, argv + 1);
	else if (!strcmp(sub, "list"))
		rc = list(st, argc - 1, argv + 1);
	else
		rc = disable(st, argc - 1, argv + 1);
	store_close(st);
	return rc;
}
