/*
 * version.c — funnel version.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>

#include "cli.h"

int cmd_version(int argc, char **argv)
{
	if (cli_wants_help(argc, argv, "usage: funnel version\n\nPrint Funnel's version and "
				       "those of the libraries it runs on.\n"))
		return EXIT_OK;
	printf("funnel %s\n", FUNNEL_VERSION);
	printf("sqlite %s, libmicrohttpd %s, libsodium %s, jansson %s\n", sqlite3_libversion(),
	       MHD_get_version(), sodium_version_string(), jansson_version_str());
	return EXIT_OK;
}
