/*
 * form.h — web-to-lead forms: a declared resource (form_resource, in
 * resources.h) that admins and managers keep, and the public submission that
 * turns a stranger's answers into an assigned lead with a follow-up task.
 *
 * A form's `fields` is a JSON array of questions, checked by the resource's
 * prepare() and named "fields[2].maps_to" when wrong:
 *
 *     {"name": "email", "label": "Work e-mail", "type": "email",
 *      "required": true, "maps_to": "email"}
 *
 *   name      [a-z0-9_]{1,64}, unique, the input's name in the HTML form
 *   type      text | email | tel | textarea | select | checkbox
 *   options   select only: the choices (strings)
 *   maps_to   a lead field (first_name last_name company email phone title
 *             industry territory) or "qualification.<key>": an answer kept
 *             in the lead's qualification object (budget, authority, need,
 *             timeline, or a key of the form's own).  textarea and checkbox
 *             only map to qualification; one question must map to last_name
 *             and be required, since every lead has one.
 *
 * A submission (form_submit) goes through, in order:
 *
 *   rate limit ──► limits ──► honeypot ──► answers ──► lead + task (one tx)
 *   429             400        fake OK      400         201 / 303
 *
 *   - rate limit: FORM_RATE_MAX attempts per FORM_RATE_WINDOW seconds per
 *     client address per form, counted in the database (form_hits) so that
 *     several servers share it; the attempt is counted in its own
 *     transaction, whatever happens to it next;
 *   - limits: at most FORM_MAX_ANSWERS answers of FORM_MAX_VALUE characters;
 *   - honeypot: an input named FORM_HONEYPOT that people never see and bots
 *     fill; such a submission is counted (forms.spam_blocked) and answered
 *     as a success, but nothing is created;
 *   - answers: unknown or repeated names, missing required answers, e-mail
 *     format, lengths, select choices: every problem at once, each named by
 *     the question's `name`;
 *   - the lead: source "web form: <form name>", the form's pipeline, the
 *     qualification answers, owned as assignment decides (below), with a task
 *     "Follow up web lead <name>" for its owner, due the next business day
 *     (Monday to Friday) at 17:00 UTC.  Written by the system principal.
 *
 * Assignment, first that applies: the form's fixed owner (if active); else
 * among the active reps of the form's team and the teams below it, the one
 * whose territory is the lead's, else whose channel is the form's, else any
 * of them — each time the next after the team's round-robin cursor
 * (assignment_cursor), so equals take turns; else (no team, or no rep in
 * it) the form's creator; else the first active admin.
 */
#ifndef FUNNEL_FORM_H
#define FUNNEL_FORM_H

#include <jansson.h>

#include "core/err.h"
#include "store/store.h"

#define FORM_MAX_QUESTIONS 50
#define FORM_MAX_ANSWERS 50      /* answers in one submission */
#define FORM_MAX_VALUE 5000      /* characters of one answer */
#define FORM_RATE_MAX 5          /* submissions per window, per address and form */
#define FORM_RATE_WINDOW 60      /* seconds */
#define FORM_HONEYPOT "website_url"

/* A form as the public endpoint needs it. */
struct form {
	long long id, pipeline_id, team_id, owner_id, created_by;
	char slug[80], name[808], channel[16];
	char *thank_you_url; /* NULL: the built-in thank-you page */
	json_t *questions;   /* the validated `fields` array */
};

/* The active form with this slug; E_NOTFOUND when there is none (or it is
 * switched off).  Release with form_release(). */
int form_load(struct store *st, const char *slug, struct form *f, struct err *e);
void form_release(struct form *f);

/* One answer as posted: name and value are NUL-terminated UTF-8. */
struct form_answer {
	const char *name, *value;
};

/* Submit answers `a[0..n)` to form f from client address `ip`.  On OK,
 * *lead_id is the new lead, or, when the honeypot was filled, *spam is set
 * and *lead_id is a decoy that looks like one (nothing was created).
 * E_THROTTLE (e->retry_after set), E_INVAL with one field per question, or a
 * database error. */
int form_submit(struct store *st, const struct form *f, const char *ip,
		const struct form_answer *a, int n, long long *lead_id, int *spam, struct err *e);

/* Does `q` (lead.qualification, a JSON object) hold only string answers of at
 * most 1000 characters under keys [a-z0-9_]{1,64}?  Adds field problems
 * named after `field` to e; returns OK or E_INVAL. */
int form_check_qualification(const char *field, const char *q, struct err *e);

#endif
