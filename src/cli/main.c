/*
 * main.c — the command table and what every command shares.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "crm/records/auth.h"
#include "cli.h"

const struct command commands[] = {
	{"serve", cmd_serve, "run the HTTP API and web UI"},
	{"init", cmd_init, "create a database and its first admin"},
	{"user", cmd_user, "add, list or disable users"},
	{"demo", cmd_demo, "generate a demo company (reproducible, any size)"},
	{"import", cmd_import, "import records from CSV"},
	{"export", cmd_export, "export records as CSV"},
	{"backup", cmd_backup, "copy the database online, consistently"},
	{"handover", cmd_handover, "hand a leaving salesperson's records over"},
	{"meeting", cmd_meeting, "list, show or cancel web meetings"},
	{"forecast", cmd_forecast, "forecast snapshots and the backtest"},
	{"scoring", cmd_scoring, "train the lead scoring model and rescore leads"},
	{"version", cmd_version, "print versions"},
	{NULL, NULL, NULL},
};

static void usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: funnel <command> [options]\n\n"
		   "Funnel is a sales force automation CRM: one binary, a REST API and a web UI\n"
		   "over SQLite.\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fprintf(f, "\n'funnel <command> --help' tells more; 'man funnel' tells all.\n"
		   "exit codes: 0 ok, 1 failure, 2 usage error, 3 input rejected\n");
}

int cli_wants_help(int argc, char **argv, const char *text)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(text, stdout);
			return 1;
		}
	return 0;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "funnel %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'funnel %s --help')\n", cmd);
	return EXIT_USAGE;
}

void cli_error(const char *cmd, const struct err *e)
{
	int i;

	fprintf(stderr, "funnel %s: %s", cmd, e->msg[0] ? e->msg : err_title(e->code));
	for (i = 0; i < e->nfields; i++)
		fprintf(stderr, "%s %s %s", i ? ";" : ":", e->fields[i].field, e->fields[i].message);
	fputc('\n', stderr);
}

int cli_exit_code(int rc)
{
	if (rc == OK)
		return EXIT_OK;
	return rc == E_INVAL || rc == E_CONFLICT || rc == E_NOTFOUND || rc == E_FORBIDDEN
		       ? EXIT_DATA
		       : EXIT_FAIL;
}

int cli_open(const char *path, int create, struct store **st)
{
	struct err e;
	struct stat sb;

	err_clear(&e);
	if (!create && !store_is_server(path) && stat(path, &sb)) {
		fprintf(stderr, "funnel: %s does not exist (create it with 'funnel init' or "
				"'funnel demo')\n",
			path);
		return -1;
	}
	if (store_open(path, create ? STORE_CREATE : 0, st, &e) || store_migrate(*st, &e)) {
		fprintf(stderr, "funnel: %s: %s\n", path, e.msg);
		store_close(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

static int read_line(FILE *f, char *out, size_t n)
{
	size_t len;

	if (!fgets(out, (int)n, f))
		return -1;
	len = strlen(out);
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	return 0;
}

int cli_password(const char *file, char *out, size_t n)
{
	struct termios old, quiet;
	char again[1100];
	FILE *f;

	if (file) {
		f = strcmp(file, "-") ? fopen(file, "r") : stdin;
		if (!f || read_line(f, out, n)) {
			fprintf(stderr, "funnel: cannot read a password from %s\n", file);
			if (f && f != stdin)
				fclose(f);
			return -1;
		}
		if (f != stdin)
			fclose(f);
		return 0;
	}
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "funnel: give --password-file (no terminal to ask on)\n");
		return -1;
	}
	tcgetattr(STDIN_FILENO, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	fprintf(stderr, "Password: ");
	int bad = read_line(stdin, out, n);
	fprintf(stderr, "\nAgain: ");
	bad |= read_line(stdin, again, sizeof(again));
	fprintf(stderr, "\n");
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
	if (bad || strcmp(out, again)) {
		fprintf(stderr, "funnel: the passwords differ\n");
		return -1;
	}
	sodium_memzero(again, sizeof(again));
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (auth_init()) {
		fprintf(stderr, "funnel: libsodium failed to initialise\n");
		return EXIT_FAIL;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv);
	for (c = commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "funnel: '%s' is not a command\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
