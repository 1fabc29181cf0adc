/*
 * export.c — funnel export: records as CSV (RFC 4180), the inverse of
 * funnel import.
 *
 * The rows are record_csv_header() and record_csv_row() (record.h), the
 * writer the API's exports use too: the resource's field names, then id,
 * version, created_at and updated_at; values as record_value_text() gives
 * them (money as a decimal, booleans as true/false, null as an empty cell),
 * each cell through buf_csv_cell(), which quotes when needed and defuses
 * cells a spreadsheet would run as a formula.  Rows stream from
 * record_list() with no limit, so memory does not grow with the table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/records/record.h"
#include "crm/records/user.h"
#include "cli.h"

static const char usage[] =
	"usage: funnel export --db PATH RESOURCE [--out FILE] [--where FIELD=VALUE ...]\n"
	"                     [--as EMAIL]\n"
	"\n"
	"Write the records of RESOURCE (accounts, contacts, leads, opportunities,\n"
	"activities) as CSV to FILE, or to standard output.  The first row names the\n"
	"columns: the fields of RESOURCE, then id, version, created_at, updated_at.\n"
	"'funnel import' reads the file back (it ignores the last four columns).\n"
	"\n"
	"  --where FIELD=VALUE  only records matching, as the API's list filters take\n"
	"                       them: owner_id=3, stage=proposal,negotiation,\n"
	"                       close_date_from=2026-01-01, q=acme, sort=-amount ...\n"
	"                       (may be repeated; all must hold)\n"
	"  --as EMAIL           only what this user may see (default: everything)\n"
	"\n"
	"Cells that a spreadsheet would evaluate (starting with =, +, - or @) are written\n"
	"with a leading ' so that opening the file runs nothing.\n";

struct export {
	FILE *out;
	const struct resource *res;
	struct buf row, cell;
	long long n;
	int failed; /* a write failed */
};

static void write_row(struct export *x)
{
	if (x->row.failed || fwrite(x->row.data, 1, x->row.len, x->out) != x->row.len)
		x->failed = 1;
	buf_reset(&x->row);
}

static int each(const struct record *rec, void *ctx)
{
	struct export *x = ctx;

	record_csv_row(rec, &x->row, &x->cell);
	write_row(x);
	x->n++;
	return x->failed; /* stop early when the disk is full */
}

int cmd_export(int argc, char **argv)
{
	const char *db = NULL, *resname = NULL, *path = NULL, *as = NULL;
	struct kv *where = NULL;
	int nwhere = 0, i, rc, ex = EXIT_FAIL, have_q = 0;
	struct export x;
	struct list_query q;
	struct principal p;
	struct store *st = NULL;
	struct err e;
	char *cursor = NULL, *tmp = NULL;
	long long uid;

	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	memset(&x, 0, sizeof(x));
	buf_init(&x.row, 0);
	buf_init(&x.cell, 0);
	principal_system(&p);
	where = calloc((size_t)argc, sizeof(*where));
	if (!where)
		return EXIT_FAIL;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "--as") && i + 1 < argc) {
			as = argv[++i];
		} else if (!strcmp(argv[i], "--where") && i + 1 < argc) {
			char *eq = strchr(argv[++i], '=');

			if (!eq || eq == argv[i]) {
				ex = cli_usage("export", "--where takes FIELD=VALUE, not '%s'", argv[i]);
				goto out;
			}
			*eq = '\0';
			if (!strcmp(argv[i], "limit") || !strcmp(argv[i], "cursor") ||
			    !strcmp(argv[i], "total")) {
				ex = cli_usage("export", "--where %s: an export has no pages", argv[i]);
				goto out;
			}
			where[nwhere].k = argv[i];
			where[nwhere].v = eq + 1;
			nwhere++;
		} else if (argv[i][0] == '-') {
			ex = cli_usage("export", "unknown option %s", argv[i]);
			goto out;
		} else if (!resname) {
			resname = argv[i];
		} else {
			ex = cli_usage("export", "unexpected argument '%s'", argv[i]);
			goto out;
		}
	}
	if (!db || !resname) {
		ex = cli_usage("export", "--db PATH and RESOURCE are required");
		goto out;
	}
	x.res = resource_find(resname);
	if (!x.res || !strcmp(resname, "users") || !strcmp(resname, "teams")) {
		ex = cli_usage("export", "'%s' is not one of accounts, contacts, leads, "
					 "opportunities, activities",
			       resname);
		goto out;
	}
	err_clear(&e);
	rc = list_query_parse(x.res, where, nwhere, &q, &e);
	if (rc) {
		cli_error("export", &e);
		ex = EXIT_USAGE;
		goto out;
	}
	have_q = 1;
	q.limit = 0;
	if (cli_open(db, 0, &st))
		goto out;
	if (as) {
		rc = user_by_email(st, as, &uid, &e);
		if (!rc)
			rc = principal_load(st, uid, &p, &e);
		if (rc) {
			cli_error("export", &e);
			ex = rc == E_NOTFOUND ? EXIT_USAGE : cli_exit_code(rc);
			goto out;
		}
	}
	if (path) {
		/* write beside the target and rename at the end: a failed export
		 * never leaves a truncated file under the name asked for */
		size_t n = strlen(path) + 16;

		tmp = malloc(n);
		if (!tmp)
			goto out;
		snprintf(tmp, n, "%s.partial", path);
		x.out = fopen(tmp, "w");
		if (!x.out) {
			fprintf(stderr, "funnel export: cannot create %s: %s\n", tmp,
				strerror(errno));
			goto out;
		}
	} else {
		x.out = stdout;
	}
	setvbuf(x.out, NULL, _IOFBF, 1 << 20);

	record_csv_header(x.res, &x.row);
	write_row(&x);

	rc = record_list(st, &p, x.res, &q, each, &x, &cursor, NULL, &e);
	free(cursor);
	if (rc) {
		cli_error("export", &e);
		goto out;
	}
	if (x.failed || fflush(x.out) || ferror(x.out)) {
		fprintf(stderr, "funnel export: cannot write %s: %s\n", path ? tmp : "output",
			strerror(errno));
		goto out;
	}
	if (path) {
		if (fclose(x.out) || rename(tmp, path)) {
			x.out = NULL;
			fprintf(stderr, "funnel export: cannot write %s: %s\n", path,
				strerror(errno));
			goto out;
		}
		x.out = NULL;
		fprintf(stderr, "funnel export: %lld %s written to %s\n", x.n, x.res->name, path);
	}
	ex = EXIT_OK;
out:
	if (x.out && x.out != stdout)
		fclose(x.out);
	if (tmp && ex != EXIT_OK)
		unlink(tmp);
	if (have_q)
		list_query_release(&q);
	buf_release(&x.row);
	buf_release(&x.cell);
	principal_release(&p);
	store_close(st);
	free(where);
	free(tmp);
	return ex;
}
