/*
 * meeting.c — the meeting record type (see meetings.h): its fields, the state
 * machine, the activity on the deal's timeline, the master as the first
 * invitee, and a new invitation when the time or the title changes.
 */
#include "meetings.h"

#include <libical/ical.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "crm/records/resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const char *const kinds[] = {"webinar",     "presentation", "proposal_review",
				    "negotiation", "follow_up",    "training",
				    NULL};
static const char *const modes[] = {"web", "audio_conference", "phone", NULL};
static const char *const states[] = {"scheduled", "open", "live", "ended", "cancelled", NULL};

static const struct field fields[] = {
	{"opportunity_id", FT_REF, FF_REQUIRED | FF_FILTER, 0, 0, NULL, "opportunities",
	 "The deal it is about (it stays on it)"},
	{"account_id", FT_REF, FF_READONLY | FF_FILTER, 0, 0, NULL, "accounts",
	 "The deal's account"},
	{"kind", FT_ENUM, FF_REQUIRED | FF_FILTER, 0, 0, kinds, NULL,
	 "webinar, presentation, proposal_review, negotiation, follow_up or training"},
	{"mode", FT_ENUM, FF_NOTNULL | FF_FILTER, 0, 0, modes, NULL,
	 "web (default), audio_conference or phone: by the number of participants"},
	{"title", FT_TEXT, FF_REQUIRED | FF_SEARCH | FF_SORT, 0, 200, NULL, NULL,
	 "What invitees see (one line)"},
	{"description", FT_LONGTEXT, 0, 0, 5000, NULL, NULL, "The agenda, in the invitation"},
	{"starts_at", FT_TIME, FF_REQUIRED | FF_RANGE | FF_SORT, 0, 0, NULL, NULL, "When it starts"},
	{"duration_minutes", FT_INT, FF_REQUIRED, 5, 1440, NULL, NULL, "How long, 5 to 1440"},
	{"timezone", FT_TEXT, FF_REQUIRED, 0, 64, NULL, NULL,
	 "The IANA time zone the invitation shows it in (Europe/Paris, UTC)"},
	{"master_id", FT_REF, FF_NOTNULL | FF_FILTER, 0, 0, NULL, "users",
	 "The conference master: who runs it (default: the caller)"},
	{"lobby_id", FT_REF, 0, 0, 0, NULL, "lobbies",
	 "The lobby theme (null: the one for the account's industry)"},
	{"state", FT_ENUM, FF_NOTNULL | FF_FILTER, 0, 0, states, NULL,
	 "scheduled, open, live, ended or cancelled (the last two final)"},
	{"activity_id", FT_REF, FF_READONLY, 0, 0, NULL, "activities",
	 "Its activity on the deal's timeline"},
	{"ical_uid", FT_TEXT, FF_READONLY, 0, 100, NULL, NULL,
	 "The iCalendar UID of its invitations"},
	{"ical_sequence", FT_INT, FF_READONLY, 0, 1000000, NULL, NULL,
	 "The iCalendar SEQUENCE of the latest invitation"},
	{"invited_at", FT_TIME, FF_READONLY, 0, 0, NULL, NULL,
	 "When invitations were first sent (null: not yet)"},
	{"janus_room", FT_INT, FF_READONLY | FF_HIDDEN, 0, 9007199254740991LL, NULL, NULL,
	 "The live room on Janus"},
	{"invitees", FT_JSON, FF_READONLY, 0, 0, NULL, NULL,
	 "Who is invited and what they answered: [{id, kind (contact, user, email), contact_id, "
	 "user_id, email, name, role (master, presenter, attendee), rsvp (needs_action, accepted, "
	 "declined, tentative), rsvp_at, mail (none, queued, sent, failed), mail_error, has_link}]; "
	 "change it through /meetings/{id}/invitees"},
};

static int state_of(const char *s)
{
	int i;

	for (i = 0; s && states[i]; i++)
		if (!strcmp(s, states[i]))
			return i;
	return -1;
}

enum { S_SCHEDULED, S_OPEN, S_LIVE, S_ENDED, S_CANCELLED };

/* The arrows of the diagram in meetings.h. */
static int may_move(int from, int to)
{
	if (from == to)
		return 1;
	switch (from) {
	case S_SCHEDULED:
		return to == S_OPEN || to == S_CANCELLED;
	case S_OPEN:
		return to == S_SCHEDULED || to == S_LIVE || to == S_CANCELLED;
	case S_LIVE:
		return to == S_ENDED || to == S_CANCELLED;
	}
	return 0;
}

static int field_set(const struct record *rec, const char *name)
{
	return rec->v[record_field(rec->res, name)].set;
}

static int timezone_ok(const char *tz)
{
	return !strcmp(tz, "UTC") || icaltimezone_get_builtin_timezone(tz) != NULL;
}

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const struct resource *r = rec->res;
	const char *tz = record_text(rec, "timezone");
	int from = old ? state_of(record_text(old, "state")) : -1;
	int to = state_of(record_text(rec, "state"));
	long long account = 0;
	int rc, found;

	if (tz && field_set(rec, "timezone") && !timezone_ok(tz))
		err_field(e, "timezone", "must be an IANA time zone such as Europe/Paris, or UTC");
	if (!old) {
		unsigned char raw[16];
		char uid[64];

		if (field_set(rec, "state") && to != S_SCHEDULED)
			err_field(e, "state", "a new meeting is scheduled");
		record_set_text(rec, record_field(r, "state"), "scheduled");
		if (!record_text(rec, "mode"))
			record_set_text(rec, record_field(r, "mode"), "web");
		if (rec->v[record_field(r, "master_id")].null) {
			if (p->user_id)
				record_set_int(rec, record_field(r, "master_id"), p->user_id);
			else
				err_field(e, "master_id", "is required from the command line");
		}
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(uid, sizeof(uid), raw, sizeof(raw));
		strcat(uid, "@funnel");
		record_set_text(rec, record_field(r, "ical_uid"), uid);
		record_set_int(rec, record_field(r, "ical_sequence"), 0);
		if (!rec->v[record_field(r, "opportunity_id")].null) {
			rc = store_int(st, &account, &found, e,
				       "SELECT account_id FROM opportunities WHERE id = ?", "i",
				       record_int(rec, "opportunity_id"));
			if (rc)
				return rc;
			if (found)
				record_set_int(rec, record_field(r, "account_id"), account);
		}
		return e && e->nfields ? E_INVAL : OK;
	}
	if (from == S_ENDED || from == S_CANCELLED)
		return fail(e, E_CONFLICT, "the meeting is %s: it does not change any more",
			    states[from]);
	if (field_set(rec, "opportunity_id") &&
	    record_int(rec, "opportunity_id") != record_int(old, "opportunity_id"))
		err_field(e, "opportunity_id", "a meeting stays on its deal; make a new one");
	if (to >= 0 && from >= 0 && !may_move(from, to))
		err_field(e, "state", "cannot go from %s to %s", states[from], states[to]);
	return e && e->nfields ? E_INVAL : OK;
}

/* The activity that puts the meeting on its deal's timeline. */
static int make_activity(struct store *st, const struct record *rec, struct err *e)
{
	struct principal sys;
	struct record act;
	json_t *body;
	long long owner = 0;
	int rc, found;

	rc = store_int(st, &owner, &found, e, "SELECT owner_id FROM opportunities WHERE id = ?",
		       "i", record_int(rec, "opportunity_id"));
	if (rc)
		return rc;
	body = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "type", "meeting", "subject",
			 record_text(rec, "title"), "due_at", record_text(rec, "starts_at"),
			 "related_type", "opportunity", "related_id",
			 (json_int_t)record_int(rec, "opportunity_id"), "owner_id", (json_int_t)owner);
	if (!body)
		return fail(e, E_INTERNAL, "out of memory");
	principal_system(&sys);
	record_init(&act, &activity_resource);
	rc = record_create(st, &sys, &activity_resource, body, 0, &act, e);
	if (!rc)
		rc = store_run(st, e, "UPDATE meetings SET activity_id = ? WHERE id = ?", "ii", act.id,
			       rec->id);
	record_release(&act);
	principal_release(&sys);
	json_decref(body);
	return rc;
}

/* Keep the activity's subject and time with the meeting's. */
static int sync_activity(struct store *st, const struct record *rec, struct err *e)
{
	char subject[240];
	const char *state = record_text(rec, "state");

	snprintf(subject, sizeof(subject), "%s%s", !strcmp(state, "cancelled") ? "Cancelled: " : "",
		 record_text(rec, "title"));
	return store_run(st, e,
			 "UPDATE activities SET subject = substr(?, 1, 200), due_at = ?, "
			 "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now'), version = version + 1 "
			 "WHERE id = ? AND (subject IS NOT substr(?, 1, 200) OR due_at IS NOT ?)",
			 "ttitt", subject, record_text(rec, "starts_at"), record_int(rec, "activity_id"),
			 subject, record_text(rec, "starts_at"));
}

/* The master is the first invitee (role master), so they have a link too. */
static int add_master(struct store *st, const struct record *rec, struct err *e)
{
	char now[TIME_ISO_LEN];

	time_iso(time_now(), now);
	return store_run(st, e,
			 "INSERT INTO meeting_invitees (meeting_id, kind, user_id, email, name, role, "
			 "created_at) SELECT ?, 'user', id, email, name, 'master', ? FROM users "
			 "WHERE id = ? ON CONFLICT (meeting_id, email) DO UPDATE SET role = 'master', "
			 "kind = 'user', user_id = excluded.user_id",
			 "iti", rec->id, now, record_int(rec, "master_id"));
}

static int changed(const struct record *old, const struct record *rec, const char *name)
{
	const char *a = record_text(old, name), *b = record_text(rec, name);

	if (!field_set(rec, name))
		return 0;
	if (!strcmp(name, "duration_minutes"))
		return record_int(old, name) != record_int(rec, name);
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

static int after_write(struct store *st, const struct principal *p, const struct record *old,
		       const struct record *rec, struct err *e)
{
	static const char *const invitation[] = {"title", "description", "starts_at",
						 "duration_minutes", "timezone"};
	int rc, i, again = 0, queued;

	if (!old) {
		rc = make_activity(st, rec, e);
		return rc ? rc : add_master(st, rec, e);
	}
	rc = sync_activity(st, rec, e);
	if (!rc && field_set(rec, "master_id") &&
	    record_int(rec, "master_id") != record_int(old, "master_id")) {
		rc = store_run(st, e,
			       "UPDATE meeting_invitees SET role = 'presenter' WHERE meeting_id = ? "
			       "AND role = 'master'",
			       "i", rec->id);
		if (!rc)
			rc = add_master(st, rec, e);
	}
	if (rc || !record_text(rec, "invited_at"))
		return rc; /* not invited yet: the first invitation will say it all */
	if (!strcmp(record_text(rec, "state"), "cancelled") &&
	    strcmp(record_text(old, "state"), "cancelled"))
		return meeting_invite(st, p, rec->id, 1, &queued, e); /* CANCEL to all */
	for (i = 0; i < N(invitation); i++)
		again |= changed(old, rec, invitation[i]);
	return again ? meeting_invite(st, p, rec->id, 1, &queued, e) : OK;
}

const struct resource meeting_resource = {
	.name = "meetings",
	.singular = "meeting",
	.doc = "Web meetings on deals: webinars, presentations, proposal reviews, negotiations, "
	       "follow-ups, trainings (docs/meetings.md)",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_OPPORTUNITY,
	.write_role = ROLE_REP,
	.prepare = prepare,
	.after_write = after_write,
};
