/*
 * import_vcard.c — funnel import contacts FILE.vcf: vCards into contacts,
 * through crm/integrations/contact_vcard.h (the API's POST
 * /api/v1/contacts.vcf does the same).  Called by import.c when the file
 * is a .vcf, or --format vcard says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/integrations/contact_vcard.h"
#include "crm/records/user.h"
#include "cli.h"

#define VCF_MAX (256L << 20) /* a file read whole: 256 MiB of cards at most */

static void on_bad(void *ctx, long long line, const char *message)
{
	(void)ctx;
	(void)line;
	fprintf(stderr, "funnel import: %s\n", message);
}

/* The whole of `path` ('-': standard input) into memory. */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *data = NULL, *grown;
	size_t cap = 0, got;

	*n = 0;
	if (!f) {
		fprintf(stderr, "funnel import: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (*n + 65536 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			grown = cap > (size_t)VCF_MAX ? NULL : realloc(data, cap + 1);
			if (!grown) {
				fprintf(stderr, "funnel import: %s is over 256 MiB\n", path);
				free(data);
				data = NULL;
				break;
			}
			data = grown;
		}
		got = fread(data + *n, 1, cap - *n, f);
		*n += got;
		if (!got)
			break;
	}
	if (data && ferror(f)) {
		fprintf(stderr, "funnel import: cannot read %s\n", path);
		free(data);
		data = NULL;
	}
	if (f != stdin)
		fclose(f);
	if (data)
		data[*n] = '\0';
	return data;
}

int import_vcard(const char *db, const char *path, const char *as, long long account,
		 int partial, int dry_run)
{
	struct vcard_import_opts o;
	struct vcard_import_result res;
	struct principal p;
	struct store *st = NULL;
	struct err e;
	long long uid;
	size_t n;
	char *data;
	int rc, ex = EXIT_FAIL;

	principal_system(&p);
	if (!as)
		return cli_usage("import", "a vCard import needs --as EMAIL: the user who will own "
					   "the contacts (and sees what they are matched against)");
	data = slurp(path, &n);
	if (!data)
		return EXIT_FAIL;
	if (cli_open(db, 0, &st))
		goto out;
	err_clear(&e);
	if (as) {
		rc = user_by_email(st, as, &uid, &e);
		if (!rc)
			rc = principal_load(st, uid, &p, &e);
		if (rc) {
			cli_error("import", &e);
			ex = rc == E_NOTFOUND ? EXIT_USAGE : cli_exit_code(rc);
			goto out;
		}
	}
	memset(&o, 0, sizeof(o));
	o.account_id = account;
	o.partial = partial;
	o.dry_run = dry_run;
	o.bad = on_bad;
	rc = contacts_vcard_import(st, &p, data, n, &o, &res, &e);
	if (rc) {
		cli_error("import", &e);
		ex = cli_exit_code(rc);
		goto out;
	}
	fprintf(stderr,
		"funnel import: %lld cards: %lld contacts created, %lld updated, %lld rejected, "
		"%lld accounts created%s\n",
		res.cards, res.created, res.updated, res.rejected, res.accounts_created,
		dry_run ? " (dry run: nothing written)" : "");
	ex = res.rejected ? EXIT_DATA : EXIT_OK;
out:
	free(data);
	principal_release(&p);
	store_close(st);
	return ex;
}
