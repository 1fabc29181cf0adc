/*
 * lobby.c — lobby themes: what a guest sees while waiting, themed for the
 * customer's sector (meetings.h).  Admins keep them; everyone reads them.
 * A meeting shows its chosen theme, else the active one whose industries name
 * its account's industry, else the first active one, else none.
 */
#include "meetings.h"

#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "crm/records/resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const struct field fields[] = {
	{"name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH | FF_UNIQUE, 0, 200, NULL, NULL,
	 "What admins call it"},
	{"industries", FT_JSON, 0, 0, 4000, NULL, NULL,
	 "The account industries it serves: an array of names (as accounts have them)"},
	{"welcome", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, "The welcome text guests read"},
	{"primary_color", FT_TEXT, 0, 0, 7, NULL, NULL, "#rrggbb"},
	{"accent_color", FT_TEXT, 0, 0, 7, NULL, NULL, "#rrggbb"},
	{"logo_attachment_id", FT_INT, 0, 1, 9007199254740991LL, NULL, NULL,
	 "An image attachment shown as the logo"},
	{"deck_attachment_id", FT_INT, 0, 1, 9007199254740991LL, NULL, NULL,
	 "A PDF attachment shown while waiting"},
	{"active", FT_BOOL, FF_FILTER | FF_NOTNULL, 0, 0, NULL, NULL, "false: no longer offered"},
};

static int color_ok(const char *c)
{
	int i;

	if (strlen(c) != 7 || c[0] != '#')
		return 0;
	for (i = 1; i < 7; i++)
		if (!strchr("0123456789abcdefABCDEF", c[i]))
			return 0;
	return 1;
}

/* An attachment of the right kind of content: an image, or a PDF. */
static void check_attachment(struct store *st, const struct record *rec, const char *field,
			     const char *like, const char *what, struct err *e)
{
	long long one;
	int found;

	if (!record_text(rec, field) && !record_int(rec, field))
		return;
	if (!store_int(st, &one, &found, e,
		       "SELECT 1 FROM attachments WHERE id = ? AND content_type LIKE ?", "it",
		       record_int(rec, field), like) &&
	    !found)
		err_field(e, field, "must be the id of %s attachment", what);
}

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	static const char *const colors[] = {"primary_color", "accent_color"};
	const char *ind = record_text(rec, "industries");
	json_t *j, *v;
	size_t i;
	int k;

	(void)p;
	(void)old;
	for (k = 0; k < N(colors); k++)
		if (record_text(rec, colors[k]) && !color_ok(record_text(rec, colors[k])))
			err_field(e, colors[k], "must be a colour as #rrggbb");
	if (ind) {
		if (json_parse(ind, strlen(ind), &j, NULL) || !json_is_array(j)) {
			err_field(e, "industries", "must be an array of industry names");
		} else {
			json_array_foreach(j, i, v)
				if (!json_is_string(v) || utf8_chars(json_string_value(v), 0) < 1 ||
				    utf8_chars(json_string_value(v), 0) > 100) {
					err_field(e, "industries", "[%zu] must be a name of 1 to 100 "
								   "characters", i);
					break;
				}
		}
		json_decref(j);
	}
	check_attachment(st, rec, "logo_attachment_id", "image/%", "an image", e);
	check_attachment(st, rec, "deck_attachment_id", "application/pdf", "a PDF", e);
	return e && e->nfields ? E_INVAL : OK;
}

const struct resource lobby_resource = {
	.name = "lobbies",
	.singular = "lobby",
	.doc = "Lobby themes for meetings, by the customer's sector",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ALL,
	.write_role = ROLE_ADMIN,
	.prepare = prepare,
};

/* The theme a meeting shows: chosen, else the first active theme naming the
 * account's industry, else the first active one. */
static const char lobby_sql[] =
	"SELECT l.id, l.name, l.industries, l.welcome, l.primary_color, l.accent_color, "
	"l.logo_attachment_id, l.deck_attachment_id FROM meetings m LEFT JOIN accounts a ON "
	"a.id = m.account_id JOIN lobbies l ON (m.lobby_id = l.id) OR (m.lobby_id IS NULL AND "
	"l.active = 1) WHERE m.id = ? ORDER BY m.lobby_id = l.id DESC, EXISTS (SELECT 1 FROM "
	"json_each(l.industries) j WHERE lower(j.value) = lower(a.industry)) DESC, l.id "
	"LIMIT 1";

int meeting_lobby_asset(struct store *st, long long meeting, int deck, long long *attachment,
			struct err *e)
{
	struct stmt *s = store_prepare(st, lobby_sql, e);
	int rc;

	if (!s)
		return e->code;
	stmt_bind_int(s, 1, meeting);
	rc = stmt_step(s, e);
	if (!rc && (!stmt_row(s) || stmt_null(s, deck ? 7 : 6)))
		rc = fail(e, E_NOTFOUND, "this meeting's lobby has no %s", deck ? "deck" : "logo");
	else if (!rc)
		*attachment = stmt_int(s, deck ? 7 : 6);
	stmt_done(s);
	return rc;
}

int meeting_lobby_json(struct store *st, long long meeting, struct jw *w, struct err *e)
{
	struct stmt *s = store_prepare(st, lobby_sql, e);
	int rc, k;

	if (!s)
		return e->code;
	stmt_bind_int(s, 1, meeting);
	rc = stmt_step(s, e);
	if (!rc && stmt_row(s)) {
		static const char *const names[] = {"name", "industries", "welcome", "primary_color",
						    "accent_color"};

		jw_obj(w);
		jw_kint(w, "id", stmt_int(s, 0));
		for (k = 0; k < N(names); k++) {
			jw_key(w, names[k]);
			if (stmt_null(s, k + 1))
				jw_null(w);
			else if (k == 1)
				jw_raw(w, stmt_text(s, k + 1));
			else
				jw_str(w, stmt_text(s, k + 1));
		}
		for (k = 0; k < 2; k++) {
			jw_key(w, k ? "deck_attachment_id" : "logo_attachment_id");
			if (stmt_null(s, 6 + k))
				jw_null(w);
			else
				jw_int(w, stmt_int(s, 6 + k));
		}
		jw_obj_end(w);
	} else if (!rc) {
		jw_null(w);
	}
	stmt_done(s);
	return rc;
}
