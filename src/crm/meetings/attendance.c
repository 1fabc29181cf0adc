/*
 * attendance.c — presence from Janus's events, attendance per person
 * (attendance.h).
 */
#include "attendance.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "janus.h"

/* Janus's timestamps are microseconds since the epoch */
static long long event_ms(json_t *ev)
{
	json_t *ts = json_object_get(ev, "timestamp");

	return json_is_integer(ts) ? json_integer_value(ts) / 1000 : (long long)time(NULL) * 1000;
}

static int one(struct store *st, json_t *ev, int *used, struct err *e)
{
	json_t *body = json_object_get(ev, "event");
	long long type = json_integer_value(json_object_get(ev, "type"));
	long long session = json_integer_value(json_object_get(ev, "session_id"));
	long long handle = json_integer_value(json_object_get(ev, "handle_id"));
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *plugin = json_string_value(json_object_get(body, "plugin"));
	const char *token = json_string_value(json_object_get(body, "token"));
	const struct janus_conf *c = janus_config();
	long long room, p, ms = event_ms(ev);
	int rc = OK;

	if (!json_is_object(ev) || !name)
		return OK;
	if (type == 2 && !strcmp(name, "attached")) {
		if (!plugin || strcmp(plugin, "janus.plugin.videoroom") ||
		    !janus_verify(c->token_secret, token, 0, &room, &p) || room <= 0 || p <= 0)
			return OK;
		rc = store_run(st, e,
			       "INSERT INTO meeting_presence (janus_room, invitee_id, janus_session, "
			       "janus_handle, joined_ms) VALUES (?, ?, ?, ?, ?) "
			       "ON CONFLICT (janus_handle) DO NOTHING",
			       "iiiii", room, p, session, handle, ms);
	} else if (type == 2 && !strcmp(name, "detached")) {
		rc = store_run(st, e,
			       "UPDATE meeting_presence SET left_ms = ?, left_reason = 'left' "
			       "WHERE janus_handle = ? AND left_ms IS NULL",
			       "ii", ms, handle);
	} else if (type == 1 && !strcmp(name, "destroyed")) {
		rc = store_run(st, e,
			       "UPDATE meeting_presence SET left_ms = ?, left_reason = 'destroyed' "
			       "WHERE janus_session = ? AND left_ms IS NULL",
			       "ii", ms, session);
	} else if (type == 1 && !strcmp(name, "timeout")) {
		/* Janus detaches a timed-out session's handles as it times it
		 * out, and the events may come in either order: handles closed
		 * in the last seconds went with the timeout */
		rc = store_run(st, e,
			       "UPDATE meeting_presence SET left_ms = COALESCE(left_ms, ?), "
			       "left_reason = 'timeout' WHERE janus_session = ? AND (left_ms IS NULL "
			       "OR left_ms >= ? - 5000)",
			       "iii", ms, session, ms);
	} else {
		return OK;
	}
	if (!rc && store_changes(st) > 0)
		(*used)++;
	return rc;
}

int attendance_ingest(struct store *st, json_t *events, int *used, struct err *e)
{
	size_t i;
	json_t *ev;
	int rc;

	*used = 0;
	if (json_is_object(events))
		return one(st, events, used, e);
	if (!json_is_array(events))
		return fail(e, E_INVAL, "events must be a JSON array of Janus events");
	rc = store_begin(st, e);
	if (rc)
		return rc;
	json_array_foreach(events, i, ev)
	{
		rc = one(st, ev, used, e);
		if (rc)
			break;
	}
	if (!rc)
		rc = store_commit(st, e);
	if (rc)
		store_rollback(st);
	return rc;
}

int attendance_merge(long long *a, long long *b, int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++) {
		if (k && a[i] <= b[k - 1]) {
			if (b[i] > b[k - 1])
				b[k - 1] = b[i];
			continue;
		}
		a[k] = a[i];
		b[k] = b[i];
		k++;
	}
	return k;
}

static void iso_ms(struct jw *w, const char *key, long long ms)
{
	char t[TIME_ISO_LEN];

	jw_key(w, key);
	if (ms < 0) {
		jw_null(w);
		return;
	}
	time_iso((time_t)(ms / 1000), t);
	jw_str(w, t);
}

/* one person's rows (sorted by joined) → merged minutes */
static double minutes_of(long long *a, long long *b, int n)
{
	long long total = 0;
	int i;

	n = attendance_merge(a, b, n);
	for (i = 0; i < n; i++)
		total += b[i] - a[i];
	return (double)total / 60000.0;
}

int attendance_json(struct store *st, long long meeting_id, long long now_ms, struct jw *w,
		    struct err *e)
{
	struct stmt *s, *q = NULL;
	long long *a = NULL, *b = NULL;
	int n, cap = 0, rc = OK;

	s = store_prepare(st,
			  "SELECT i.id, i.name, i.email, i.kind, i.contact_id, i.user_id, i.role "
			  "FROM meeting_invitees i WHERE i.meeting_id = ? ORDER BY i.id",
			  e);
	if (!s)
		return e ? e->code : E_INTERNAL;
	stmt_bind_int(s, 1, meeting_id);
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		long long inv = stmt_int(s, 0);

		jw_obj(w);
		jw_kint(w, "invitee_id", inv);
		jw_kstr(w, "name", stmt_text(s, 1));
		jw_kstr(w, "email", stmt_text(s, 2));
		jw_kstr(w, "kind", stmt_text(s, 3));
		jw_key(w, "contact_id");
		stmt_null(s, 4) ? jw_null(w) : jw_int(w, stmt_int(s, 4));
		jw_key(w, "user_id");
		stmt_null(s, 5) ? jw_null(w) : jw_int(w, stmt_int(s, 5));
		jw_kstr(w, "role", stmt_text(s, 6));
		jw_key(w, "intervals");
		jw_arr(w);
		q = store_prepare(st,
				  "SELECT joined_ms, left_ms, left_reason FROM meeting_presence "
				  "WHERE invitee_id = ? ORDER BY joined_ms, id",
				  e);
		if (!q) {
			rc = e ? e->code : E_INTERNAL;
			break;
		}
		stmt_bind_int(q, 1, inv);
		n = 0;
		while (!(rc = stmt_step(q, e)) && stmt_row(q)) {
			long long j = stmt_int(q, 0), l = stmt_null(q, 1) ? -1 : stmt_int(q, 1);

			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				a = realloc(a, sizeof(*a) * (size_t)cap);
				b = realloc(b, sizeof(*b) * (size_t)cap);
				if (!a || !b) {
					rc = fail(e, E_INTERNAL, "out of memory");
					break;
				}
			}
			a[n] = j;
			b[n] = l < 0 ? (now_ms > j ? now_ms : j) : l;
			n++;
			jw_obj(w);
			iso_ms(w, "joined_at", j);
			iso_ms(w, "left_at", l);
			jw_kstr(w, "left_reason", stmt_text(q, 2));
			jw_obj_end(w);
		}
		stmt_done(q);
		q = NULL;
		if (rc)
			break;
		jw_arr_end(w);
		jw_key(w, "minutes");
		jw_double(w, (double)(long long)(minutes_of(a, b, n) * 10 + 0.5) / 10);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	stmt_done(s);
	free(a);
	free(b);
	return rc;
}
