/*
 * test_meeting.c — the meeting's state machine (crm/meetings/meetings.h:
 * every pair of states against the diagram) and the invitation's iCalendar
 * and MIME (imip.c): what a REQUEST and a CANCEL hold, an unknown time zone
 * refused, line breaks in headers refused, a REPLY parsed and a non-REPLY not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the project's headers first: cmocka's fail() macro clashes with err.h */
#include "core/err.h"
#include "crm/meetings/meetings.h"

#include <cmocka.h>

static void the_state_machine(void **state)
{
	static const char *const s[] = {"scheduled", "open", "live", "ended", "cancelled"};
	/* allowed[from][to], the arrows of the diagram in meetings.h */
	static const int allowed[5][5] = {
		/* scheduled */ {1, 1, 0, 0, 1},
		/* open      */ {1, 1, 1, 0, 1},
		/* live      */ {0, 0, 1, 1, 1},
		/* ended     */ {0, 0, 0, 1, 0},
		/* cancelled */ {0, 0, 0, 0, 1},
	};
	int f, t;

	(void)state;
	for (f = 0; f < 5; f++)
		for (t = 0; t < 5; t++) {
			if (meeting_may_move(s[f], s[t]) != allowed[f][t])
				print_error("%s -> %s\n", s[f], s[t]);
			assert_int_equal(meeting_may_move(s[f], s[t]), allowed[f][t]);
		}
	assert_false(meeting_may_move("scheduled", "done"));
	assert_false(meeting_may_move("nope", "open"));
	assert_false(meeting_may_move(NULL, "open"));
}

static const struct imip_attendee people[] = {
	{"Host Person", "host@seller.example", "accepted"},
	{"Ann Buyer", "ann@buyer.example", "needs_action"},
};

static void a_request_and_a_cancel(void **state)
{
	struct imip_meeting m = {"abc123@funnel", "Proposal review", "The agenda",
				 "Europe/Paris", "Host Person", "host@seller.example",
				 3, 1800000000, 45, 0, 0};
	struct buf out = BUF_INIT;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(imip_calendar(&m, people, 2, "https://crm.example/m/TOKEN", &out, &e),
			 OK);
	assert_non_null(strstr(out.data, "METHOD:REQUEST\r\n"));
	assert_non_null(strstr(out.data, "UID:abc123@funnel\r\n"));
	assert_non_null(strstr(out.data, "SEQUENCE:3\r\n"));
	assert_non_null(strstr(out.data, "DTSTART;TZID=Europe/Paris:"));
	/* the VTIMEZONE is named as DTSTART names it (RFC 5545 3.2.19) */
	assert_non_null(strstr(out.data, "\r\nTZID:Europe/Paris\r\n"));
	assert_non_null(strstr(out.data, "BEGIN:VTIMEZONE\r\n"));
	assert_non_null(strstr(out.data, "mailto:ann@buyer.example"));
	assert_non_null(strstr(out.data, "RSVP=TRUE"));
	assert_non_null(strstr(out.data, "URL:https://crm.example/m/TOKEN\r\n"));
	buf_release(&out);

	m.cancelled = 1;
	m.sequence = 4;
	err_clear(&e);
	assert_int_equal(imip_calendar(&m, people, 2, NULL, &out, &e), OK);
	assert_non_null(strstr(out.data, "METHOD:CANCEL\r\n"));
	assert_non_null(strstr(out.data, "STATUS:CANCELLED\r\n"));
	assert_non_null(strstr(out.data, "SEQUENCE:4\r\n"));
	buf_release(&out);

	m.cancelled = 0;
	m.timezone = "Mars/Olympus_Mons";
	err_clear(&e);
	assert_int_equal(imip_calendar(&m, people, 2, NULL, &out, &e), E_INVAL);
	buf_release(&out);
}

static void no_header_injection(void **state)
{
	struct imip_meeting m = {"abc123@funnel", "Review\r\nBcc: all@evil.example", NULL, "UTC",
				 "Host Person", "host@seller.example", 0, 1800000000, 30, 0, 0};
	struct imip_attendee bad[] = {{"Ann\nBcc: x@evil.example", "ann@buyer.example", NULL}};
	struct buf out = BUF_INIT;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(imip_message(&m, people, 2, 1, "crm@seller.example", NULL, NULL, &out, &e),
			 E_INVAL);
	buf_release(&out);
	m.title = "Review";
	err_clear(&e);
	assert_int_equal(imip_message(&m, bad, 1, 0, "crm@seller.example", NULL, NULL, &out, &e),
			 E_INVAL);
	buf_release(&out);
	err_clear(&e);
	assert_int_equal(imip_message(&m, people, 2, 1, "crm@seller.example", "https://x/m/t",
				      "https://x/api/v1/rsvp/t", &out, &e),
			 OK);
	assert_non_null(strstr(out.data, "Content-Type: multipart/mixed;"));
	assert_non_null(strstr(out.data, "text/calendar; charset=utf-8; method=REQUEST"));
	assert_null(strstr(out.data, "Bcc:"));
	buf_release(&out);
}

static void a_reply_parsed(void **state)
{
	static const char reply[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
				    "METHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:abc123@funnel\r\n"
				    "DTSTAMP:20270101T000000Z\r\n"
				    "ATTENDEE;PARTSTAT=TENTATIVE:mailto:Ann@Buyer.example\r\n"
				    "END:VEVENT\r\nEND:VCALENDAR\r\n";
	struct imip_reply r;
	struct err e;
	char *req;

	(void)state;
	err_clear(&e);
	assert_int_equal(imip_parse_reply(reply, strlen(reply), &r, &e), OK);
	assert_string_equal(r.uid, "abc123@funnel");
	assert_string_equal(r.answer, "tentative");
	assert_non_null(strcasestr(r.email, "ann@buyer.example"));

	req = strdup(reply);
	memcpy(strstr(req, "REPLY"), "XXXXX", 5);
	err_clear(&e);
	assert_int_equal(imip_parse_reply(req, strlen(req), &r, &e), E_INVAL);
	free(req);
	err_clear(&e);
	assert_int_equal(imip_parse_reply("not a calendar", 14, &r, &e), E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_state_machine),
		cmocka_unit_test(a_request_and_a_cancel),
		cmocka_unit_test(no_header_injection),
		cmocka_unit_test(a_reply_parsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
