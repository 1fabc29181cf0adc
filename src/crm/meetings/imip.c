/*
 * imip.c — the invitation mail (meetings.h): the iCalendar object written
 * with libical, and the MIME message around it.
 *
 * Why the MIME is written here and the iCalendar is not: libical writes and
 * folds iCalendar correctly (escaping, VTIMEZONE, line folding at 75 octets),
 * so it does; the message around it is a few lines of fixed structure —
 *
 *   multipart/mixed
 *   ├── multipart/alternative
 *   │   ├── text/plain
 *   │   ├── text/html
 *   │   └── text/calendar; method=REQUEST|CANCEL   (what calendar programs act on)
 *   └── application/ics, attachment invite.ics      (the same object, for the rest)
 *
 * — and the only part that needs care — header values — is
 * handled by refusing CR/LF and encoding non-ASCII words (RFC 2047) below.
 */
#include "meetings.h"

#include <libical/ical.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/email.h"
#include "core/timeutil.h"

static icalparameter_partstat partstat(const char *rsvp)
{
	if (rsvp && !strcmp(rsvp, "accepted"))
		return ICAL_PARTSTAT_ACCEPTED;
	if (rsvp && !strcmp(rsvp, "declined"))
		return ICAL_PARTSTAT_DECLINED;
	if (rsvp && !strcmp(rsvp, "tentative"))
		return ICAL_PARTSTAT_TENTATIVE;
	return ICAL_PARTSTAT_NEEDSACTION;
}

static icalproperty *person(icalproperty *p, const char *name)
{
	if (name && *name)
		icalproperty_add_parameter(p, icalparameter_new_cn(name));
	return p;
}

/* --- the iCalendar writer ------------------------------------------------ */

struct ical_doc {
	icalcomponent *cal;
	char zones[16][64]; /* the VTIMEZONEs added so far (more are not tracked: */
	int nzones;         /* a zone past 16 is added again, which is still valid) */
};

struct ical_doc *ical_doc_new(const char *method, const char *name)
{
	struct ical_doc *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(d->cal, icalproperty_new_prodid("-//Funnel//Meetings//EN"));
	icalcomponent_add_property(d->cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(d->cal, icalproperty_new_calscale("GREGORIAN"));
	if (method)
		icalcomponent_add_property(d->cal,
					   icalproperty_new_method(icalenum_string_to_method(method)));
	if (name) {
		icalproperty *p = icalproperty_new_x(name);

		icalproperty_set_x_name(p, "X-WR-CALNAME");
		icalcomponent_add_property(d->cal, p);
	}
	return d;
}

void ical_doc_free(struct ical_doc *d)
{
	if (!d)
		return;
	icalcomponent_free(d->cal);
	free(d);
}

/* The zone named tz (UTC for "UTC"), its VTIMEZONE added to d once. */
static icaltimezone *doc_zone(struct ical_doc *d, const char *tz, struct err *e)
{
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	icaltimezone *zone = strcmp(tz, "UTC") ? icaltimezone_get_builtin_timezone(tz) : utc;
	icalcomponent *vtz;
	icalproperty *id;
	int i;

	if (!zone) {
		fail(e, E_INVAL, "unknown time zone %s", tz);
		return NULL;
	}
	if (zone == utc)
		return zone;
	for (i = 0; i < d->nzones; i++)
		if (!strcmp(d->zones[i], tz))
			return zone;
	if (d->nzones < 16 && strlen(tz) < sizeof(d->zones[0]))
		snprintf(d->zones[d->nzones++], sizeof(d->zones[0]), "%s", tz);
	/* libical names its built-in zones "/freeassociation.sourceforge.net/
	 * Europe/Paris"; DTSTART's TZID says "Europe/Paris", and RFC 5545 wants
	 * the two the same (a parser looks the one up by the other) */
	vtz = icalcomponent_new_clone(icaltimezone_get_component(zone));
	id = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	if (id)
		icalproperty_set_tzid(id, tz);
	icalcomponent_add_component(d->cal, vtz);
	return zone;
}

static struct icaltimetype utc_time(time_t t)
{
	return icaltime_from_timet_with_zone(t, 0, icaltimezone_get_utc_timezone());
}

int ical_doc_add_meeting(struct ical_doc *d, const struct imip_meeting *m,
			 const struct imip_attendee *a, int na, const char *link, struct err *e)
{
	icaltimezone *zone = doc_zone(d, m->timezone, e);
	icalcomponent *ev;
	icalproperty *p;
	struct buf desc = BUF_INIT;
	char mailto[300];
	int i;

	if (!zone)
		return E_INVAL;
	ev = icalcomponent_new_vevent();
	icalcomponent_add_property(ev, icalproperty_new_uid(m->uid));
	icalcomponent_add_property(ev, icalproperty_new_sequence((int)m->sequence));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc_time(m->stamp ? m->stamp
										 : time_now())));
	{
		/* local time in the zone, named by TZID (written without a Z) */
		struct icaltimetype t = icaltime_from_timet_with_zone(m->starts_at, 0, zone);

		if (zone != icaltimezone_get_utc_timezone())
			t.zone = NULL;
		p = icalproperty_new_dtstart(t);
		if (zone != icaltimezone_get_utc_timezone())
			icalproperty_add_parameter(p, icalparameter_new_tzid(m->timezone));
	}
	icalcomponent_add_property(ev, p);
	icalcomponent_add_property(
		ev, icalproperty_new_duration(icaldurationtype_from_int(m->duration_minutes * 60)));
	icalcomponent_add_property(ev, icalproperty_new_summary(m->title));
	buf_puts(&desc, m->description ? m->description : "");
	if (link)
		buf_printf(&desc, "%sJoin: %s", desc.len ? "\n\n" : "", link);
	if (desc.len)
		icalcomponent_add_property(ev, icalproperty_new_description(desc.data));
	if (link)
		icalcomponent_add_property(ev, icalproperty_new_url(link));
	icalcomponent_add_property(ev, icalproperty_new_status(m->cancelled ? ICAL_STATUS_CANCELLED
									    : ICAL_STATUS_CONFIRMED));
	snprintf(mailto, sizeof(mailto), "mailto:%s", m->organizer_email);
	icalcomponent_add_property(ev, person(icalproperty_new_organizer(mailto),
					      m->organizer_name));
	for (i = 0; i < na; i++) {
		snprintf(mailto, sizeof(mailto), "mailto:%s", a[i].email);
		p = person(icalproperty_new_attendee(mailto), a[i].name);
		icalproperty_add_parameter(p, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
		icalproperty_add_parameter(p, icalparameter_new_partstat(partstat(a[i].rsvp)));
		icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
		icalcomponent_add_property(ev, p);
	}
	icalcomponent_add_component(d->cal, ev);
	buf_release(&desc);
	return OK;
}

int ical_doc_add_todo(struct ical_doc *d, const struct ical_todo *t, struct err *e)
{
	icalcomponent *td = icalcomponent_new_vtodo();

	(void)e;
	icalcomponent_add_property(td, icalproperty_new_uid(t->uid));
	icalcomponent_add_property(td, icalproperty_new_sequence((int)t->sequence));
	icalcomponent_add_property(td, icalproperty_new_dtstamp(utc_time(t->stamp)));
	icalcomponent_add_property(td, icalproperty_new_lastmodified(utc_time(t->stamp)));
	icalcomponent_add_property(td, icalproperty_new_summary(t->summary));
	if (t->description && *t->description)
		icalcomponent_add_property(td, icalproperty_new_description(t->description));
	if (t->categories && *t->categories)
		icalcomponent_add_property(td, icalproperty_new_categories(t->categories));
	if (t->url)
		icalcomponent_add_property(td, icalproperty_new_url(t->url));
	icalcomponent_add_property(td, icalproperty_new_due(utc_time(t->due)));
	if (t->completed) {
		icalcomponent_add_property(td, icalproperty_new_completed(utc_time(t->completed)));
		icalcomponent_add_property(td, icalproperty_new_status(ICAL_STATUS_COMPLETED));
		icalcomponent_add_property(td, icalproperty_new_percentcomplete(100));
	} else {
		icalcomponent_add_property(td, icalproperty_new_status(ICAL_STATUS_NEEDSACTION));
	}
	icalcomponent_add_component(d->cal, td);
	return OK;
}

int ical_doc_finish(struct ical_doc *d, struct buf *out, struct err *e)
{
	char *text = icalcomponent_as_ical_string_r(d->cal);

	if (text)
		buf_puts(out, text);
	free(text);
	ical_doc_free(d);
	return !text || out->failed ? fail(e, E_INTERNAL, "out of memory") : OK;
}

int imip_calendar(const struct imip_meeting *m, const struct imip_attendee *a, int na,
		  const char *link, struct buf *out, struct err *e)
{
	struct ical_doc *d = ical_doc_new(m->cancelled ? "CANCEL" : "REQUEST", NULL);
	int rc;

	if (!d)
		return fail(e, E_INTERNAL, "out of memory");
	rc = ical_doc_add_meeting(d, m, a, na, link, e);
	if (rc) {
		ical_doc_free(d);
		return rc;
	}
	return ical_doc_finish(d, out, e);
}

/* A header value: as it is when it is printable ASCII, else one RFC 2047
 * encoded word (base64 of the UTF-8).  The caller refused CR and LF. */
static void header_value(struct buf *b, const char *s)
{
	const unsigned char *c;
	char *enc;
	size_t n = strlen(s), len;

	for (c = (const unsigned char *)s; *c && *c >= 0x20 && *c < 0x7f; c++)
		;
	if (!*c) {
		buf_puts(b, s);
		return;
	}
	len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	enc = malloc(len);
	if (!enc) {
		b->failed = 1;
		return;
	}
	sodium_bin2base64(enc, len, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
	buf_printf(b, "=?UTF-8?B?%s?=", enc);
	free(enc);
}

/* "Name" <addr> with the name's quotes and backslashes escaped, or encoded. */
static void mailbox(struct buf *b, const char *name, const char *addr)
{
	const unsigned char *c;
	int ascii = 1;

	for (c = (const unsigned char *)name; *c; c++)
		ascii &= *c >= 0x20 && *c < 0x7f;
	if (!ascii) {
		header_value(b, name);
	} else {
		buf_putc(b, '"');
		for (c = (const unsigned char *)name; *c; c++) {
			if (*c == '"' || *c == '\\')
				buf_putc(b, '\\');
			buf_putc(b, (char)*c);
		}
		buf_putc(b, '"');
	}
	buf_printf(b, " <%s>", addr);
}

static int has_crlf(const char *s)
{
	return s && (strchr(s, '\r') || strchr(s, '\n'));
}

/* Text with every line end as CRLF (a mail's body). */
static void crlf(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n')
			buf_putc(b, '\r');
		buf_putc(b, *s);
	}
}

static void when(const struct imip_meeting *m, char *out, size_t n)
{
	icaltimezone *z = strcmp(m->timezone, "UTC") ? icaltimezone_get_builtin_timezone(m->timezone)
						     : icaltimezone_get_utc_timezone();
	struct icaltimetype t = icaltime_from_timet_with_zone(m->starts_at, 0, z);

	snprintf(out, n, "%04d-%02d-%02d %02d:%02d (%s), %d minutes", t.year, t.month,
		 t.day, t.hour, t.minute, m->timezone, m->duration_minutes);
}

int imip_message(const struct imip_meeting *m, const struct imip_attendee *a, int na, int to,
		 const char *from, const char *link, const char *rsvp_link, struct buf *out,
		 struct err *e)
{
	struct buf cal = BUF_INIT, text = BUF_INIT, html = BUF_INIT;
	unsigned char raw[12];
	char hex[25], boundary[40], alt[40], date[64], at[96], subject[400];
	time_t now = time_now();
	struct tm tm;
	int rc;

	if (has_crlf(m->title) || has_crlf(a[to].name) || has_crlf(m->organizer_name))
		return fail(e, E_INVAL, "a title or name holds a line break");
	if (!email_valid(a[to].email) || !email_valid(from))
		return fail(e, E_INVAL, "not an e-mail address: %s",
			    email_valid(from) ? a[to].email : from);
	rc = imip_calendar(m, a, na, link, &cal, e);
	if (rc)
		goto out;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(boundary, sizeof(boundary), "=_funnel_m_%s", hex);
	snprintf(alt, sizeof(alt), "=_funnel_a_%s", hex);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	when(m, at, sizeof(at));
	snprintf(subject, sizeof(subject), "%s: %s", m->cancelled ? "Cancelled" : "Invitation",
		 m->title);

	buf_puts(out, "From: ");
	mailbox(out, m->organizer_name ? m->organizer_name : "Funnel", from);
	buf_puts(out, "\r\nTo: ");
	mailbox(out, a[to].name, a[to].email);
	buf_puts(out, "\r\nReply-To: ");
	mailbox(out, m->organizer_name ? m->organizer_name : "Funnel", m->organizer_email);
	buf_puts(out, "\r\nSubject: ");
	header_value(out, subject);
	buf_printf(out, "\r\nDate: %s\r\nMessage-ID: <%s.%lld.%s@funnel>\r\n", date, hex,
		   m->sequence, m->uid);
	buf_printf(out, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
			"boundary=\"%s\"\r\n\r\n"
			"--%s\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
		   boundary, boundary, alt);

	buf_printf(&text, "%s\n\n%s\n", m->title, at);
	if (m->description && *m->description)
		buf_printf(&text, "\n%s\n", m->description);
	if (m->cancelled) {
		buf_puts(&text, "\nThis meeting is cancelled.\n");
	} else {
		if (link)
			buf_printf(&text, "\nJoin: %s\n", link);
		if (rsvp_link)
			buf_printf(&text, "Answer: %s\n", rsvp_link);
	}
	buf_printf(out, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
			"Content-Transfer-Encoding: 8bit\r\n\r\n",
		   alt);
	crlf(out, text.data);

	buf_puts(&html, "<!doctype html><html><body><h1>");
	buf_html_txt(&html, m->title);
	buf_puts(&html, "</h1><p>");
	buf_html_txt(&html, at);
	buf_puts(&html, "</p>");
	if (m->description && *m->description) {
		buf_puts(&html, "<p>");
		buf_html_txt(&html, m->description);
		buf_puts(&html, "</p>");
	}
	if (m->cancelled) {
		buf_puts(&html, "<p>This meeting is cancelled.</p>");
	} else {
		if (link) {
			buf_puts(&html, "<p><a href=\"");
			buf_html_attr(&html, link);
			buf_puts(&html, "\">Join the meeting</a></p>");
		}
		if (rsvp_link) {
			buf_puts(&html, "<p><a href=\"");
			buf_html_attr(&html, rsvp_link);
			buf_puts(&html, "\">Accept, decline or say maybe</a></p>");
		}
	}
	buf_puts(&html, "</body></html>\n");
	buf_printf(out, "\r\n--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
			"Content-Transfer-Encoding: 8bit\r\n\r\n",
		   alt);
	crlf(out, html.data);
	buf_printf(out, "\r\n--%s\r\nContent-Type: text/calendar; charset=utf-8; method=%s\r\n"
			"Content-Transfer-Encoding: 8bit\r\n\r\n",
		   alt, m->cancelled ? "CANCEL" : "REQUEST");
	crlf(out, cal.data);
	buf_printf(out, "\r\n--%s--\r\n", alt);
	buf_printf(out, "\r\n--%s\r\nContent-Type: application/ics; name=\"invite.ics\"\r\n"
			"Content-Disposition: attachment; filename=\"invite.ics\"\r\n"
			"Content-Transfer-Encoding: 8bit\r\n\r\n",
		   boundary);
	crlf(out, cal.data);
	buf_printf(out, "\r\n--%s--\r\n", boundary);
	if (out->failed)
		rc = fail(e, E_INTERNAL, "out of memory");
out:
	buf_release(&cal);
	buf_release(&text);
	buf_release(&html);
	return rc;
}

int imip_parse_reply(const char *ical, size_t n, struct imip_reply *r, struct err *e)
{
	icalcomponent *cal, *ev;
	icalproperty *att;
	icalparameter *ps;
	const char *uid, *addr;
	char *text = malloc(n + 1);
	int rc = OK;

	memset(r, 0, sizeof(*r));
	if (!text)
		return fail(e, E_INTERNAL, "out of memory");
	memcpy(text, ical, n);
	text[n] = '\0';
	cal = memchr(ical, '\0', n) ? NULL : icalparser_parse_string(text);
	free(text);
	ev = cal ? icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT) : NULL;
	if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT || !ev) {
		rc = fail(e, E_INVAL, "not an iCalendar object with an event");
		goto out;
	}
	if (icalcomponent_get_method(cal) != ICAL_METHOD_REPLY)
		err_field(e, "METHOD", "must be REPLY");
	uid = icalcomponent_get_uid(ev);
	if (!uid || !*uid || strlen(uid) >= sizeof(r->uid))
		err_field(e, "UID", "must be there, under %zu characters", sizeof(r->uid));
	else
		snprintf(r->uid, sizeof(r->uid), "%s", uid);
	att = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	addr = att ? icalproperty_get_attendee(att) : NULL;
	if (addr && !strncasecmp(addr, "mailto:", 7))
		addr += 7;
	if (!addr || strlen(addr) >= sizeof(r->email) || !email_valid(addr))
		err_field(e, "ATTENDEE", "must be one mailto: address");
	else
		snprintf(r->email, sizeof(r->email), "%s", addr);
	ps = att ? icalproperty_get_first_parameter(att, ICAL_PARTSTAT_PARAMETER) : NULL;
	switch (ps ? icalparameter_get_partstat(ps) : ICAL_PARTSTAT_NONE) {
	case ICAL_PARTSTAT_ACCEPTED: r->answer = "accepted"; break;
	case ICAL_PARTSTAT_DECLINED: r->answer = "declined"; break;
	case ICAL_PARTSTAT_TENTATIVE: r->answer = "tentative"; break;
	default: err_field(e, "PARTSTAT", "must be ACCEPTED, DECLINED or TENTATIVE");
	}
	if (e && e->nfields)
		rc = E_INVAL;
out:
	if (cal)
		icalcomponent_free(cal);
	return rc;
}
