/*
 * fuzz_maillog.c — maillog_ingest() (src/crm/integrations/maillog.h) on any
 * bytes, as a mail gateway or the BCC mailbox would hand them over, against
 * an in-memory database with one user and one contact.
 *
 * Properties, beyond "no crash, no leak, no undefined behaviour" (GMime is
 * built without sanitizers, so this fuzzes our use of it):
 *   - the answer is OK with a known status, or E_INVAL saying why;
 *   - "logged" made at least one activity, each an e-mail on the contact,
 *     with a subject and notes that are valid UTF-8 within their bounds;
 *     anything else made none;
 *   - the same bytes again are a duplicate (when they were logged) and make
 *     nothing more.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "crm/integrations/maillog.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static struct store *st;
static struct principal sys;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_min_level = LOG_ERROR;
	maillog_init();
	if (store_open(":memory:", STORE_CREATE, &st, NULL) || store_migrate(st, NULL))
		abort();
	if (store_run(st, NULL,
		      "INSERT INTO users (email, name, role, active, password_hash, created_at, "
		      "updated_at) VALUES ('u@x.example', 'U', 'rep', 1, 'x', "
		      "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
		      "") ||
	    store_run(st, NULL,
		      "INSERT INTO accounts (name, owner_id, created_at, updated_at) VALUES "
		      "('A', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
		      "") ||
	    store_run(st, NULL,
		      "INSERT INTO contacts (account_id, last_name, email, owner_id, created_at, "
		      "updated_at) VALUES (1, 'C', 'c@x.example', 1, '2026-01-01T00:00:00Z', "
		      "'2026-01-01T00:00:00Z')",
		      ""))
		abort();
	principal_system(&sys);
	return 0;
}

static long long count(const char *sql)
{
	long long n = 0;
	int found;

	CHECK(!store_int(st, &n, &found, NULL, sql, ""));
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct maillog_result r, again;
	struct err e;
	struct stmt *s;
	int rc;

	err_clear(&e);
	rc = maillog_ingest(st, &sys, "imap", (const char *)data, size, &r, &e);
	CHECK(rc == OK || rc == E_INVAL);
	if (rc == E_INVAL) {
		CHECK(e.msg[0]);
		CHECK(count("SELECT count(*) FROM email_log") == 0);
		return 0;
	}
	CHECK(!strcmp(r.status, "logged") || !strcmp(r.status, "unmatched") ||
	      !strcmp(r.status, "refused"));
	CHECK(count("SELECT count(*) FROM activities") == r.activities);
	CHECK(!strcmp(r.status, "logged") == (r.activities > 0));
	s = store_prepare(st, "SELECT subject, notes, related_type, related_id FROM activities", NULL);
	CHECK(s);
	while (!stmt_step(s, NULL) && stmt_row(s)) {
		const char *subject = stmt_text(s, 0), *notes = stmt_text(s, 1);

		CHECK(subject && *subject && utf8_valid(subject, strlen(subject)));
		CHECK(strlen(subject) <= 800);
		CHECK(notes && utf8_valid(notes, strlen(notes)));
		CHECK(!strcmp(stmt_text(s, 2), "contact") && stmt_int(s, 3) == 1);
	}
	stmt_done(s);
	err_clear(&e);
	CHECK(!maillog_ingest(st, &sys, "imap", (const char *)data, size, &again, &e));
	CHECK(!strcmp(again.status, "duplicate") && again.activities == 0);
	CHECK(count("SELECT count(*) FROM activities") == r.activities);
	CHECK(!store_run(st, NULL, "DELETE FROM email_log", "") &&
	      !store_run(st, NULL, "DELETE FROM activities", "") &&
	      !store_run(st, NULL, "DELETE FROM history", ""));
	return 0;
}
