/*
 * meeting.c — funnel meeting list|show|cancel|report: the meetings of the CRM
 * from the command line, through the same domain calls as /api/v1/meetings
 * (crm/meetings/meetings.h, poll.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crm/meetings/meetings.h"
#include "crm/meetings/poll.h"
#include "crm/records/resources.h"
#include "crm/records/user.h"
#include "cli.h"

static const char usage[] =
	"usage: funnel meeting list   --db PATH [--state STATE] [--opportunity ID] [--as EMAIL]\n"
	"       funnel meeting show   --db PATH ID [--as EMAIL]\n"
	"       funnel meeting cancel --db PATH ID [--as EMAIL]\n"
	"       funnel meeting report --db PATH ID [--format json|csv|pdf] [--out FILE] [--as EMAIL]\n"
	"\n"
	"  list    the meetings, soonest first: id, start (UTC), state, kind, title, deal,\n"
	"          invitees and how many accepted\n"
	"  show    one meeting with each invitee's role, answer and mail\n"
	"  cancel  cancel it: invitees who were mailed an invitation are mailed a\n"
	"          CANCEL (sent by `funnel serve --smtp`)\n"
	"  report  the participant report: RSVP, attendance and every poll answer per\n"
	"          participant, and the polls' results (as GET /api/v1/meetings/{id}/report)\n"
	"\n"
	"  --state STATE   scheduled, open, live, ended or cancelled\n"
	"  --opportunity ID  only this deal's\n"
	"  --format F      report: json (default), csv or pdf\n"
	"  --out FILE      report: write it there instead of standard output\n"
	"  --as EMAIL      act as this user, seeing what they see (default: the system,\n"
	"                  an admin)\n";

struct row_ctx {
	int n;
};

static int print_row(const struct record *rec, void *arg)
{
	struct row_ctx *c = arg;
	const char *inv = record_text(rec, "invitees");
	json_t *j = NULL, *v;
	size_t i, n = 0, yes = 0;

	if (inv && !json_parse(inv, strlen(inv), &j, NULL))
		json_array_foreach(j, i, v) {
			n++;
			yes += !strcmp(json_string_value(json_object_get(v, "rsvp")), "accepted");
		}
	json_decref(j);
	printf("%-6lld %-20s %-10s %-16s %-30.30s deal %-6lld %zu invited, %zu accepted\n", rec->id,
	       record_text(rec, "starts_at"), record_text(rec, "state"), record_text(rec, "kind"),
	       record_text(rec, "title"), record_int(rec, "opportunity_id"), n, yes);
	c->n++;
	return 0;
}

static int list(struct store *st, const struct principal *p, const char *state,
		const char *opp, struct err *e)
{
	struct kv kv[4];
	struct list_query q;
	struct row_ctx c = {0};
	char *next = NULL;
	int n = 0, rc;

	kv[n].k = "sort", kv[n++].v = "starts_at";
	kv[n].k = "limit", kv[n++].v = "200";
	if (state)
		kv[n].k = "state", kv[n++].v = state;
	if (opp)
		kv[n].k = "opportunity_id", kv[n++].v = opp;
	rc = list_query_parse(&meeting_resource, kv, n, &q, e);
	if (rc)
		return rc;
	printf("%-6s %-20s %-10s %-16s %-30s\n", "id", "starts (UTC)", "state", "kind", "title");
	rc = record_list(st, p, &meeting_resource, &q, print_row, &c, &next, NULL, e);
	list_query_release(&q);
	if (!rc && next)
		printf("(more: the first 200 are shown; narrow with --state or --opportunity)\n");
	free(next);
	if (!rc && !c.n)
		printf("(no meetings)\n");
	return rc;
}

static int show(struct store *st, const struct principal *p, long long id, struct err *e)
{
	struct record m;
	json_t *j = NULL, *v;
	const char *inv;
	size_t i;
	int rc;

	record_init(&m, &meeting_resource);
	rc = record_get(st, p, &meeting_resource, id, &m, e);
	if (rc)
		goto out;
	printf("meeting %lld: %s\n", m.id, record_text(&m, "title"));
	printf("  kind %s, mode %s, state %s\n", record_text(&m, "kind"), record_text(&m, "mode"),
	       record_text(&m, "state"));
	printf("  starts %s (shown in %s), %lld minutes\n", record_text(&m, "starts_at"),
	       record_text(&m, "timezone"), record_int(&m, "duration_minutes"));
	printf("  deal %lld, account %lld, master user %lld\n", record_int(&m, "opportunity_id"),
	       record_int(&m, "account_id"), record_int(&m, "master_id"));
	printf("  invitations: %s (UID %s, SEQUENCE %lld)\n",
	       record_text(&m, "invited_at") ? record_text(&m, "invited_at") : "not sent",
	       record_text(&m, "ical_uid"), record_int(&m, "ical_sequence"));
	inv = record_text(&m, "invitees");
	if (inv && !json_parse(inv, strlen(inv), &j, NULL)) {
		printf("  %-4s %-9s %-30s %-34s %-12s %s\n", "id", "role", "name", "e-mail", "answer",
		       "mail");
		json_array_foreach(j, i, v) {
			const char *err = json_string_value(json_object_get(v, "mail_error"));

			printf("  %-4lld %-9s %-30.30s %-34.34s %-12s %s%s%s\n",
			       (long long)json_integer_value(json_object_get(v, "id")),
			       json_string_value(json_object_get(v, "role")),
			       json_string_value(json_object_get(v, "name")),
			       json_string_value(json_object_get(v, "email")),
			       json_string_value(json_object_get(v, "rsvp")),
			       json_string_value(json_object_get(v, "mail")), err ? ": " : "",
			       err ? err : "");
		}
	}
	json_decref(j);
out:
	record_release(&m);
	return rc;
}

static int cancel(struct store *st, const struct principal *p, long long id, struct err *e)
{
	json_t *body = json_pack("{s:s}", "state", "cancelled");
	struct record out;
	int rc;

	record_init(&out, &meeting_resource);
	rc = record_update(st, p, &meeting_resource, id, body, -1, &out, e);
	json_decref(body);
	record_release(&out);
	if (!rc)
		printf("meeting %lld cancelled\n", id);
	return rc ? rc : show(st, p, id, e);
}

static int report(struct store *st, const struct principal *p, long long id,
		  const char *format, const char *out, struct err *e)
{
	struct buf b = BUF_INIT;
	json_t *r = NULL;
	char *s;
	FILE *f;
	int rc;

	rc = meeting_report(st, p, id, (long long)time(NULL) * 1000, &r, e);
	if (rc)
		return rc;
	if (!strcmp(format, "csv")) {
		meeting_report_csv(r, &b);
	} else if (!strcmp(format, "pdf")) {
		rc = meeting_report_pdf(r, &b, e);
	} else {
		s = json_dumps(r, JSON_INDENT(2));
		buf_puts(&b, s ? s : "");
		buf_putc(&b, '\n');
		free(s);
	}
	json_decref(r);
	if (!rc && b.failed)
		rc = fail(e, E_INTERNAL, "out of memory");
	if (!rc) {
		f = out ? fopen(out, "wb") : stdout;
		if (!f)
			rc = fail(e, E_IO, "cannot write %s", out);
		else if (fwrite(b.data, 1, b.len, f) != b.len || (out ? fclose(f) : fflush(f)))
			rc = fail(e, E_IO, "cannot write %s", out ? out : "the report");
	}
	buf_release(&b);
	return rc;
}

int cmd_meeting(int argc, char **argv)
{
	const char *db = NULL, *as = NULL, *state = NULL, *opp = NULL, *verb;
	const char *format = "json", *out_path = NULL;
	struct store *st = NULL;
	struct principal p;
	struct err e;
	long long id = 0, uid;
	char *end;
	int i, rc = OK, ex = EXIT_FAIL;

	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	if (argc < 2)
		return cli_usage("meeting", "say list, show, cancel or report");
	verb = argv[1];
	if (strcmp(verb, "list") && strcmp(verb, "show") && strcmp(verb, "cancel") &&
	    strcmp(verb, "report"))
		return cli_usage("meeting", "unknown action '%s' (list, show, cancel, report)", verb);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--as") && i + 1 < argc)
			as = argv[++i];
		else if (!strcmp(argv[i], "--state") && i + 1 < argc)
			state = argv[++i];
		else if (!strcmp(argv[i], "--opportunity") && i + 1 < argc)
			opp = argv[++i];
		else if (!strcmp(argv[i], "--format") && i + 1 < argc && !strcmp(verb, "report"))
			format = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc && !strcmp(verb, "report"))
			out_path = argv[++i];
		else if (argv[i][0] != '-' && !id && strcmp(verb, "list")) {
			id = strtoll(argv[i], &end, 10);
			if (*end || id < 1)
				return cli_usage("meeting", "'%s' is not a meeting id", argv[i]);
		} else {
			return cli_usage("meeting", "unexpected argument '%s'", argv[i]);
		}
	}
	if (!db)
		return cli_usage("meeting", "--db PATH is required");
	if (strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "pdf"))
		return cli_usage("meeting", "--format is json, csv or pdf");
	if (strcmp(verb, "list") && !id)
		return cli_usage("meeting", "%s needs a meeting id", verb);
	if (cli_open(db, 0, &st))
		return EXIT_FAIL;
	err_clear(&e);
	principal_system(&p);
	if (as) {
		rc = user_by_email(st, as, &uid, &e);
		if (!rc)
			rc = principal_load(st, uid, &p, &e);
		if (rc) {
			cli_error("meeting", &e);
			ex = rc == E_NOTFOUND ? EXIT_USAGE : cli_exit_code(rc);
			goto out;
		}
	}
	if (!strcmp(verb, "list"))
		rc = list(st, &p, state, opp, &e);
	else if (!strcmp(verb, "show"))
		rc = show(st, &p, id, &e);
	else if (!strcmp(verb, "report"))
		rc = report(st, &p, id, format, out_path, &e);
	else
		rc = cancel(st, &p, id, &e);
	if (rc) {
		cli_error("meeting", &e);
		ex = cli_exit_code(rc);
		goto out;
	}
	ex = EXIT_OK;
out:
	principal_release(&p);
	store_close(st);
	return ex;
}
