/*
 * maillog.c — one e-mail message onto the timelines of the contacts it was
 * to or from (maillog.h).  GMime parses: RFC 5322 headers, RFC 2047 encoded
 * words, address lists and groups, MIME parts and their charsets are what it
 * is for, and hand-written versions of them are where mail software breaks.
 */
#include "maillog.h"

#include <ctype.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/email.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "crm/records/record.h"
#include "crm/records/resources.h"

#define MAX_ADDRS 64
#define SUBJECT_MAX 200 /* an activity's subject */
#define TEXT_MAX 4000   /* the start of the text kept in its notes */

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_gmime(void)
{
	g_mime_init();
}

void maillog_init(void)
{
	pthread_once(&once, init_gmime);
}

/* What is read from a message. */
struct mail {
	char message_id[300];
	char from[256];
	char *to[MAX_ADDRS]; /* To and Cc, lower case, owned */
	int nto;
	char subject[SUBJECT_MAX * 4 + 8];
	char sent_at[TIME_ISO_LEN];
	struct buf text;
};

static void mail_release(struct mail *m)
{
	int i;

	for (i = 0; i < m->nto; i++)
		free(m->to[i]);
	buf_release(&m->text);
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The mailboxes of list (groups opened), lower case, into to[]. */
static void addresses(InternetAddressList *list, struct mail *m)
{
	int i, n = list ? internet_address_list_length(list) : 0;

	for (i = 0; i < n && m->nto < MAX_ADDRS; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), m);
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *a = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));

			if (a && email_valid(a) && (m->to[m->nto] = strdup(a)))
				lower(m->to[m->nto++]);
		}
	}
}

/* Keep at most max bytes of s, cut on a character boundary. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* The first text/plain part that is not an attachment, decoded to UTF-8. */
static void text_of(GMimeObject *part, struct mail *m)
{
	if (m->text.len)
		return;
	if (GMIME_IS_MULTIPART(part)) {
		GMimeMultipart *mp = GMIME_MULTIPART(part);
		int i, n = g_mime_multipart_get_count(mp);

		for (i = 0; i < n && !m->text.len; i++)
			text_of(g_mime_multipart_get_part(mp, i), m);
	} else if (GMIME_IS_MESSAGE_PART(part)) {
		return; /* a forwarded message is not this one's text */
	} else if (GMIME_IS_TEXT_PART(part) &&
		   g_mime_content_type_is_type(g_mime_object_get_content_type(part), "text",
					       "plain") &&
		   !g_mime_part_is_attachment(GMIME_PART(part))) {
		char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(part));

		if (t && utf8_valid(t, strlen(t)))
			buf_add(&m->text, t, utf8_cut(t, TEXT_MAX));
		g_free(t);
	}
}

static int parse(const char *raw, size_t n, struct mail *m, struct err *e)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	InternetAddressList *from;
	GDateTime *date;
	const char *v;
	struct mail one = {0};

	memset(m, 0, sizeof(*m));
	maillog_init();
	stream = g_mime_stream_mem_new_with_buffer(raw, n);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (!msg)
		return fail(e, E_INVAL, "not an e-mail message (RFC 5322)");
	from = g_mime_message_get_from(msg);
	addresses(from, &one);
	if (!one.nto) {
		mail_release(&one);
		g_object_unref(msg);
		return fail(e, E_INVAL, "the message has no From address");
	}
	snprintf(m->from, sizeof(m->from), "%s", one.to[0]);
	mail_release(&one);
	addresses(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), m);
	addresses(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC), m);
	v = g_mime_message_get_subject(msg);
	if (v && utf8_valid(v, strlen(v)))
		snprintf(m->subject, sizeof(m->subject), "%.*s", (int)utf8_cut(v, SUBJECT_MAX), v);
	date = g_mime_message_get_date(msg);
	if (date) {
		gint64 t = g_date_time_to_unix(date);

		time_iso((time_t)t, m->sent_at);
	}
	v = g_mime_message_get_message_id(msg);
	if (v && *v && strlen(v) < sizeof(m->message_id) - 2 && utf8_valid(v, strlen(v))) {
		snprintf(m->message_id, sizeof(m->message_id), "<%s>", v);
	} else {
		/* no Message-ID: the message's own hash keeps it from being logged twice */
		unsigned char h[crypto_generichash_BYTES];
		char hex[2 * sizeof(h) + 1];

		crypto_generichash(h, sizeof(h), (const unsigned char *)raw, n, NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		snprintf(m->message_id, sizeof(m->message_id), "sha:%s", hex);
	}
	text_of(g_mime_message_get_mime_part(msg), m);
	g_object_unref(msg);
	return OK;
}

/* The active user with address a, or 0. */
static long long user_of(struct store *st, const char *a, struct err *e)
{
	long long id = 0;
	int found = 0;

	if (store_int(st, &id, &found, e,
		      "SELECT id FROM users WHERE lower(email) = ? AND active = 1", "t", a))
		return -1;
	return found ? id : 0;
}

static int record(struct store *st, const struct principal *p, const char *source,
		  const struct mail *m, long long owner, const char *status, const char *detail,
		  long long *id, struct err *e)
{
	char now[TIME_ISO_LEN];

	time_iso(time_now(), now);
	if (store_run(st, e,
		      "INSERT INTO email_log (message_id, source, from_addr, subject, sent_at, "
		      "owner_id, status, detail, created_by, created_at) "
		      "VALUES (?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?, NULLIF(?, 0), ?)",
		      "tttttittit", m->message_id, source, m->from, m->subject[0] ? m->subject : NULL,
		      m->sent_at[0] ? m->sent_at : NULL, owner, status, detail,
		      p->user_id, now))
		return e->code;
	*id = store_last_id(st);
	return OK;
}

/* One activity on contact `contact` for the message, as the owner. */
static int log_on(struct store *st, const struct principal *owner, const struct mail *m,
		  int sent, long long contact, long long email_id, int *made, struct err *e)
{
	struct buf notes = BUF_INIT;
	struct record rec;
	char when[TIME_ISO_LEN];
	json_t *body;
	int i, rc;

	buf_printf(&notes, "%s %s", sent ? "Sent by" : "Received from", m->from);
	for (i = 0; i < m->nto; i++)
		buf_printf(&notes, "%s%s", i ? ", " : "\nTo: ", m->to[i]);
	if (m->text.len) {
		buf_add(&notes, "\n\n", 2);
		buf_add(&notes, m->text.data, m->text.len);
	}
	buf_add(&notes, "", 1);
	if (m->sent_at[0])
		snprintf(when, sizeof(when), "%s", m->sent_at);
	else
		time_iso(time_now(), when);
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "type", "email", "subject",
			 m->subject[0] ? m->subject : "(no subject)", "notes", notes.data,
			 "done_at", when, "related_type", "contact", "related_id",
			 (json_int_t)contact, "owner_id", (json_int_t)owner->user_id);
	buf_release(&notes);
	if (!body)
		return fail(e, E_INTERNAL, "out of memory");
	rc = record_create(st, owner, &activity_resource, body, 0, &rec, e);
	json_decref(body);
	if (rc == E_INVAL) {
		/* a contact the owner may not see: not theirs to log on */
		err_clear(e);
		return OK;
	}
	if (rc)
		return rc;
	rc = store_run(st, e,
		       "INSERT INTO email_log_activities (email_id, activity_id, contact_id) "
		       "VALUES (?, ?, ?)",
		       "iii", email_id, rec.id, contact);
	record_release(&rec);
	if (!rc)
		(*made)++;
	return rc;
}

static int ingest(struct store *st, const struct principal *p, const char *source,
		  const struct mail *m, struct maillog_result *out, struct err *e)
{
	struct principal owner = {0};
	long long uid = 0, id = 0;
	int found = 0, sent = 0, i, rc;
	struct stmt *s;

	if (store_int(st, &id, &found, e, "SELECT id FROM email_log WHERE message_id = ?", "t",
		      m->message_id))
		return e->code;
	if (found) {
		out->id = id;
		out->status = "duplicate";
		return OK;
	}
	/* the owner: who sent it, else who received it */
	if ((uid = user_of(st, m->from, e)) < 0)
		return e->code;
	sent = uid > 0;
	for (i = 0; !uid && i < m->nto; i++)
		if ((uid = user_of(st, m->to[i], e)) < 0)
			return e->code;
	if (uid && p->user_id && !principal_is_admin(p) && uid != p->user_id) {
		/* one's own mail only: a rep does not log a colleague's */
		uid = 0;
		for (i = -1; i < m->nto; i++)
			if (!strcasecmp(i < 0 ? m->from : m->to[i], p->email))
				uid = p->user_id;
		sent = uid && !strcasecmp(m->from, p->email);
	}
	if (!uid) {
		out->status = "refused";
		return record(st, p, source, m, 0, out->status,
			      p->user_id && !principal_is_admin(p)
				      ? "you neither sent nor received it"
				      : "no Funnel user sent or received it",
			      &out->id, e);
	}
	if ((rc = principal_load(st, uid, &owner, e)))
		return rc;
	rc = record(st, p, source, m, uid, "logged", NULL, &out->id, e);
	/* every other address that is a contact's */
	for (i = -1; !rc && i < m->nto; i++) {
		const char *a = i < 0 ? m->from : m->to[i];
		long long ids[16];
		int nids = 0, k;

		if (!strcasecmp(a, owner.email))
			continue;
		s = store_prepare(st, "SELECT id FROM contacts WHERE lower(email) = ? ORDER BY id "
				      "LIMIT 16", e);
		if (!s) {
			rc = e->code;
			break;
		}
		stmt_bind_text(s, 1, a);
		while (!(rc = stmt_step(s, e)) && stmt_row(s))
			ids[nids++] = stmt_int(s, 0);
		stmt_done(s);
		for (k = 0; !rc && k < nids; k++)
			rc = log_on(st, &owner, m, sent, ids[k], out->id, &out->activities, e);
	}
	if (!rc && !out->activities) {
		out->status = "unmatched";
		rc = store_run(st, e, "UPDATE email_log SET status = 'unmatched', detail = ? WHERE id = ?",
			       "ti", "no contact you see has an address in it", out->id);
	} else if (!rc) {
		out->status = "logged";
	}
	principal_release(&owner);
	return rc;
}

int maillog_ingest(struct store *st, const struct principal *p, const char *source,
		   const char *msg, size_t n, struct maillog_result *out, struct err *e)
{
	struct mail m;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = parse(msg, n, &m, e)))
		return rc;
	if (!(rc = store_begin(st, e))) {
		rc = ingest(st, p, source, &m, out, e);
		if (!rc && strcmp(source, "api") == 0 && strcmp(out->status, "logged") &&
		    strcmp(out->status, "duplicate")) {
			/* the caller is told; the log keeps what the mailbox reader took */
			store_rollback(st);
			out->id = 0;
		} else if (!rc) {
			rc = store_commit(st, e);
		} else {
			store_rollback(st);
		}
	}
	mail_release(&m);
	return rc;
}

int maillog_list(struct store *st, const struct principal *p, int limit, struct jw *w,
		 struct err *e)
{
	static const char *const cols[] = {"message_id", "source", "from_addr", "subject",
					   "sent_at", "status", "detail", "created_at"};
	struct stmt *s = store_prepare(
		st,
		"SELECT l.id, l.message_id, l.source, l.from_addr, l.subject, l.sent_at, l.status, "
		"l.detail, l.created_at, l.owner_id, (SELECT json_group_array(json_object("
		"'activity_id', a.activity_id, 'contact_id', a.contact_id)) FROM email_log_activities a "
		"WHERE a.email_id = l.id) FROM email_log l WHERE ? OR l.owner_id = ? "
		"ORDER BY l.id DESC LIMIT ?",
		e);
	int rc, k;

	if (!s)
		return e->code;
	stmt_bind_int(s, 1, principal_is_admin(p));
	stmt_bind_int(s, 2, p->user_id);
	stmt_bind_int(s, 3, limit);
	jw_obj(w);
	jw_key(w, "data");
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		jw_obj(w);
		jw_kint(w, "id", stmt_int(s, 0));
		for (k = 0; k < (int)(sizeof(cols) / sizeof(cols[0])); k++)
			jw_kstr(w, cols[k], stmt_text(s, k + 1));
		jw_key(w, "owner_id");
		stmt_null(s, 9) ? jw_null(w) : jw_int(w, stmt_int(s, 9));
		jw_key(w, "activities");
		jw_raw(w, stmt_text(s, 10));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	stmt_done(s);
	return rc;
}
