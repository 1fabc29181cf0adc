/*
 * cli.h — `funnel <command>`: one file per command, one table (main.c).
 *
 * Exit codes mean the same for every command:
 *   0 success; 1 failure (I/O, database); 2 usage error (bad options);
 *   3 rejected input (e.g. an import with invalid rows, nothing written).
 */
#ifndef FUNNEL_CLI_H
#define FUNNEL_CLI_H

#include <stddef.h>

#include "core/err.h"
#include "store/store.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_DATA 3

#define FUNNEL_VERSION "0.1.0"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

extern const struct command commands[];

/* Print `usage` to stdout if argv has --help or -h (and return 1). */
int cli_wants_help(int argc, char **argv, const char *usage);
/* Print "funnel CMD: message" and a hint to stderr; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "funnel CMD: message: field problem; ..." to stderr. */
void cli_error(const char *cmd, const struct err *e);
/* The exit code for a domain error: EXIT_DATA for rejected input, else
 * EXIT_FAIL. */
int cli_exit_code(int rc);

/* Open the database (creating it when `create`) and apply migrations.
 * Prints the problem and returns non-zero on failure. */
int cli_open(const char *path, int create, struct store **st);
/* A password from `file` (first line) or, on a terminal, a prompt typed
 * twice.  Never from argv.  Returns 0 or prints why and returns -1. */
int cli_password(const char *file, char *out, size_t n);

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_handover(int argc, char **argv);
int cmd_meeting(int argc, char **argv);
int cmd_forecast(int argc, char **argv);
int cmd_scoring(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* import_vcard.c: funnel import contacts FILE.vcf (import.c hands over). */
int import_vcard(const char *db, const char *path, const char *as, long long account,
		 int partial, int dry_run);

#endif
