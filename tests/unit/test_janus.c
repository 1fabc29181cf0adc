/*
 * test_janus.c — the live meetings' pure parts: Janus's signed tokens as
 * Funnel makes and checks them (HMAC-SHA1, base64, as Janus's auth.c),
 * publisher ids, the union of attendance intervals, Janus's origins for the
 * web UI's connect-src.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crm/meetings/attendance.h"
#include "crm/meetings/janus.h"

#include <cmocka.h>

static void test_sign_verify(void **state)
{
	char t[512];
	long long room, p;

	(void)state;
	assert_int_equal(janus_sign("s3cret", 2000000000, 42, 7, t, sizeof(t)), 0);
	/* the known answer: HMAC-SHA1("s3cret", data), base64 (python's hmac agrees) */
	assert_string_equal(t, "2000000000,janus,janus.plugin.videoroom,janus.plugin.textroom,"
			       "room=42,p=7:BJ1Pi9blb+GwhcOKVclhhXZYI+E=");
	assert_true(janus_verify("s3cret", t, 1999999999, &room, &p));
	assert_int_equal(room, 42);
	assert_int_equal(p, 7);
	/* expired, another secret, tampered data or signature */
	assert_false(janus_verify("s3cret", t, 2000000001, &room, &p));
	assert_false(janus_verify("other", t, 0, &room, &p));
	t[strlen("2000000000,janus,janus.plugin.videoroom,janus.plugin.textroom,room=4")] = '3';
	assert_false(janus_verify("s3cret", t, 0, &room, &p));
	assert_false(janus_verify("s3cret", "123", 0, &room, &p));
	assert_false(janus_verify("s3cret", NULL, 0, &room, &p));
	assert_false(janus_verify(NULL, "1:x", 0, &room, &p));
	/* too small a buffer is an error, not a cut token */
	assert_int_equal(janus_sign("s3cret", 2000000000, 42, 7, t, 40), -1);
	/* the VideoRoom's own realm */
	assert_int_equal(janus_sign_room("s3cret", 2000000000, 42, 7, t, sizeof(t)), 0);
	assert_true(!strncmp(t, "2000000000,janus.plugin.videoroom,room=42,p=7:", 46));
}

static void test_feeds(void **state)
{
	(void)state;
	assert_int_equal(janus_feed_id(12, JANUS_FEED_CAMERA), 121);
	assert_int_equal(janus_feed_id(12, JANUS_FEED_SCREEN), 122);
	assert_int_equal(janus_feed_invitee(122), 12);
}

static void test_merge(void **state)
{
	long long a[] = {0, 5, 20, 21, 40}, b[] = {10, 12, 30, 25, 50};
	int n;

	(void)state;
	/* [0,10] and [5,12] overlap; [20,30] holds [21,25]; [40,50] alone */
	n = attendance_merge(a, b, 5);
	assert_int_equal(n, 3);
	assert_int_equal(a[0], 0);
	assert_int_equal(b[0], 12);
	assert_int_equal(a[1], 20);
	assert_int_equal(b[1], 30);
	assert_int_equal(a[2], 40);
	assert_int_equal(b[2], 50);
	assert_int_equal(attendance_merge(a, b, 0), 0);
}

static void test_connect_src(void **state)
{
	struct janus_conf c = {"http://127.0.0.1:8088/janus", "ws://127.0.0.1:8188", "k", "s", "e", NULL, NULL};
	char out[256];

	(void)state;
	janus_configure(&c);
	janus_connect_src(out, sizeof(out));
	assert_string_equal(out, " http://127.0.0.1:8088 ws://127.0.0.1:8188");
	c.ws_url = "ws://x; script-src *";
	janus_configure(&c);
	janus_connect_src(out, sizeof(out));
	assert_string_equal(out, " http://127.0.0.1:8088");
	c.url = c.ws_url = NULL;
	janus_configure(&c);
	janus_connect_src(out, sizeof(out));
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_feeds),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_connect_src),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
