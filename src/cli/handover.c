/*
 * handover.c — funnel handover: the plan for a leaving salesperson's records,
 * printed by funnel section, and (with --execute) carried out.  The same
 * domain calls as POST /api/v1/handovers and .../execute (crm/handover.h).
 */
#include <stdio.h>
#include <string.h>

#include "crm/handover/handover.h"
#include "crm/records/user.h"
#include "cli.h"

static const char usage[] =
	"usage: funnel handover --db PATH --from EMAIL [--to EMAIL] [--execute] [--as EMAIL]\n"
	"\n"
	"Plan the handover of everything open that EMAIL (--from) owns — opportunities,\n"
	"leads, accounts, contacts, pending activities — and print it by funnel section:\n"
	"  lower   the manager takes the deal and contacts the client personally;\n"
	"  middle  the leaver phones the client with the successor, introduces them and\n"
	"          books the next meeting; the deal goes to the successor;\n"
	"  upper   (and leads) the successor contacts the prospect, after the others;\n"
	"  other   accounts and contacts go with their deals, activities with their\n"
	"          records, else to the successor.\n"
	"The plan is kept as a draft (see GET /api/v1/handovers); running again shows\n"
	"the leaver's draft, or re-plans it when --to is given.\n"
	"\n"
	"  --to EMAIL   the successor (default: proposed — an active rep of the leaver's\n"
	"               team or the nearest team up, same territory, then same channel,\n"
	"               then the fewest open opportunities)\n"
	"  --execute    apply the plan in one transaction: owners change, tasks are\n"
	"               created, the leaver's login and tokens end; prints the counts\n"
	"               before and after\n"
	"  --as EMAIL   act as this manager (default: the system, with an admin's rights)\n";

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* s in a column of `width` characters (not bytes: names are UTF-8), cut or
 * padded, then a space. */
static void cell(const char *s, int width)
{
	int chars = 0;
	const char *q = s;

	while (*q) {
		const char *next = q + 1;

		while (((unsigned char)*next & 0xC0) == 0x80)
			next++;
		if (chars == width)
			break;
		fwrite(q, 1, (size_t)(next - q), stdout);
		chars++;
		q = next;
	}
	printf("%*s", width - chars + 1, "");
}

static void print_person(const char *what, json_t *u, const char *why)
{
	printf("  %-10s %s <%s>%s%s%s\n", what, str(u, "name"), str(u, "email"),
	       why && *why ? " — " : "", why ? why : "",
	       json_is_false(json_object_get(u, "active")) ? " (disabled)" : "");
}

static void print_plan(json_t *h)
{
	static const struct {
		const char *key, *title;
	} sections[] = {
		{"lower",
		 "LOWER FUNNEL: the manager takes over and contacts the client personally"},
		{"middle", "MIDDLE FUNNEL: the leaver introduces the successor by phone"},
		{"upper", "UPPER FUNNEL AND LEADS: the successor contacts the prospect, after the "
			  "others"},
		{"other", "OTHER RECORDS: to the successor, or with the record they belong to"},
	};
	json_t *secs = json_object_get(h, "sections"), *it;
	size_t i, k;

	printf("Handover %lld (%s): %s <%s> leaves\n",
	       (long long)json_integer_value(json_object_get(h, "id")), str(h, "status"),
	       str(json_object_get(h, "from_user"), "name"),
	       str(json_object_get(h, "from_user"), "email"));
	print_person("successor", json_object_get(h, "successor"),
		     str(json_object_get(h, "successor_choice"), "reason"));
	print_person("manager", json_object_get(h, "manager"), str(h, "manager_reason"));
	for (k = 0; k < sizeof(sections) / sizeof(sections[0]); k++) {
		json_t *list = json_object_get(secs, sections[k].key);

		if (!json_array_size(list))
			continue;
		printf("\n%s\n", sections[k].title);
		printf("  %-5s %-22s %-30s %-20s %s\n", "ITEM", "RECORD", "NAME", "NEW OWNER",
		       "TASK FOR, DUE");
		json_array_foreach(list, i, it)
		{
			char rec[40];
			const char *due = str(it, "task_due_at");

			snprintf(rec, sizeof(rec), "%s %lld", str(it, "resource"),
				 (long long)json_integer_value(json_object_get(it, "record_id")));
			printf("  %-5lld %-22s ",
			       (long long)json_integer_value(json_object_get(it, "id")), rec);
			cell(str(it, "label"), 30);
			cell(str(it, "new_owner_name"), 20);
			if (*str(it, "task_subject"))
				printf("%s, %.10s", str(it, "task_owner_name"), due);
			else
				printf("-");
			if (json_is_false(json_object_get(it, "included")))
				printf("  (excluded)");
			if (*str(it, "outcome"))
				printf("  [%s]", str(it, "outcome"));
			printf("\n");
		}
	}
}

static void print_counts(json_t *h)
{
	static const char *const cols[] = {"opportunities", "leads", "accounts", "contacts",
					   "activities"};
	json_t *c = json_object_get(h, "counts"), *before = json_object_get(c, "before"),
	       *after = json_object_get(c, "after"), *b, *a;
	size_t i, k;

	if (!json_is_array(before))
		return;
	printf("\nOWNED BEFORE -> AFTER (open opportunities, open leads, accounts, contacts, "
	       "pending activities)\n");
	printf("  %-28s %-10s", "USER", "ROLE");
	for (k = 0; k < 5; k++)
		printf(" %13s", cols[k]);
	printf("\n");
	json_array_foreach(before, i, b)
	{
		a = json_array_get(after, i);
		printf("  ");
		cell(str(b, "name"), 28);
		printf("%-10s", str(b, "role"));
		for (k = 0; k < 5; k++) {
			char cell[32];

			snprintf(cell, sizeof(cell), "%lld -> %lld",
				 (long long)json_integer_value(json_object_get(b, cols[k])),
				 (long long)json_integer_value(json_object_get(a, cols[k])));
			printf(" %13s", cell);
		}
		printf("\n");
	}
}

static int show(struct store *st, const struct principal *p, long long id, int counts,
		struct err *e)
{
	struct buf b = BUF_INIT;
	struct jw w;
	json_t *h = NULL;
	int rc;

	jw_init(&w, &b);
	rc = handover_json(st, p, id, &w, e);
	if (!rc && b.failed)
		rc = fail(e, E_INTERNAL, "out of memory");
	if (!rc)
		rc = json_parse(b.data, b.len, &h, e);
	if (!rc) {
		print_plan(h);
		if (counts)
			print_counts(h);
	}
	json_decref(h);
	buf_release(&b);
	return rc;
}

int cmd_handover(int argc, char **argv)
{
	const char *db = NULL, *from = NULL, *to = NULL, *as = NULL;
	struct store *st = NULL;
	struct principal p;
	struct handover_req hr = {0, 0, 0, NULL};
	struct err e;
	long long uid, id = 0;
	int i, execute = 0, rc = OK, ex = EXIT_FAIL;

	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	principal_system(&p);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from = argv[++i];
		else if (!strcmp(argv[i], "--to") && i + 1 < argc)
			to = argv[++i];
		else if (!strcmp(argv[i], "--as") && i + 1 < argc)
			as = argv[++i];
		else if (!strcmp(argv[i], "--execute"))
			execute = 1;
		else
			return cli_usage("handover", "unexpected argument '%s'", argv[i]);
	}
	if (!db || !from)
		return cli_usage("handover", "--db PATH and --from EMAIL are required");
	if (cli_open(db, 0, &st))
		return EXIT_FAIL;
	err_clear(&e);
	if (as) {
		rc = user_by_email(st, as, &uid, &e);
		if (!rc)
			rc = principal_load(st, uid, &p, &e);
		if (rc) {
			cli_error("handover", &e);
			ex = rc == E_NOTFOUND ? EXIT_USAGE : cli_exit_code(rc);
			goto out;
		}
	}
	rc = user_by_email(st, from, &hr.from_user, &e);
	if (!rc && to)
		rc = user_by_email(st, to, &hr.successor, &e);
	if (rc) {
		cli_error("handover", &e);
		ex = EXIT_USAGE;
		goto out;
	}
	rc = handover_find_draft(st, hr.from_user, &id, &e);
	if (!rc && !id) {
		rc = handover_create(st, &p, &hr, &id, &e);
	} else if (!rc && to) {
		json_t *body = json_pack("{s:I}", "successor", (json_int_t)hr.successor);

		rc = handover_update(st, &p, id, body, &e);
		json_decref(body);
	}
	if (!rc && execute)
		rc = handover_execute(st, &p, id, &e);
	if (!rc)
		rc = show(st, &p, id, execute, &e);
	if (rc) {
		/* what was planned is worth seeing beside why it was refused */
		if (id && execute)
			show(st, &p, id, 0, NULL);
		cli_error("handover", &e);
		ex = cli_exit_code(rc);
		goto out;
	}
	if (!execute)
		printf("\nNothing has changed yet: run again with --execute to apply this plan.\n");
	ex = EXIT_OK;
out:
	principal_release(&p);
	store_close(st);
	return ex;
}
