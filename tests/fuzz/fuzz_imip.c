/*
 * fuzz_imip.c — imip_parse_reply() on arbitrary bytes (the body of POST
 * /api/v1/imip), and imip_calendar() on what it takes from them.
 *
 * Properties:
 *   - never a crash, a leak or undefined behaviour (ASan, UBSan; libical is
 *     built without them, so this fuzzes our use of it);
 *   - an accepted reply has a non-empty UID, a valid e-mail address and one
 *     of the three answers; a refused one names at least one problem;
 *   - what was accepted can be written back as a REQUEST (the UID and the
 *     attendee as an invitation would carry them) without error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/email.h"
#include "core/err.h"
#include "crm/meetings/meetings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imip_reply r;
	struct err e;
	int rc;

	err_clear(&e);
	rc = imip_parse_reply((const char *)data, size, &r, &e);
	if (rc == OK) {
		struct imip_meeting m = {r.uid, "Fuzz", NULL, "Europe/Paris", "Host", "host@x.example",
					 1, 1796645400, 30, 0, 0};
		struct imip_attendee a = {"Guest", r.email, r.answer};
		struct buf out = BUF_INIT;

		if (!*r.uid || !email_valid(r.email) || !r.answer)
			abort();
		err_clear(&e);
		if (imip_calendar(&m, &a, 1, "http://x.example/m/t", &out, &e) || !out.len)
			abort();
		buf_release(&out);
	} else if (rc == E_INVAL && !e.nfields && !e.msg[0]) {
		abort();
	}
	return 0;
}
