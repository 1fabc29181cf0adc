/*
 * pipeline.c — process maps and the rules of moving between their stages.
 */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/utf8.h"
#include "crm/records/resources.h"
#include "crm/records/user.h"
#include "opportunity.h"

const char *const pipeline_sections[] = {"upper", "middle", "lower", "won", "lost", NULL};
const char *const pipeline_enforcements[] = {"strict", "guided", "free", NULL};
const char *const pipeline_criterion_kinds[] = {"field", "activity", "document", "payment", NULL};
/* opportunity fields a "field" criterion may name, beside decision_maker */
const char *const pipeline_criterion_fields[] = {"amount", "close_date", "contact_id", "channel",
					       "forecast_category", "decision_maker", NULL};

static int one_of(const char *s, const char *const *list)
{
	int i;

	for (i = 0; s && list[i]; i++)
		if (!strcmp(s, list[i]))
			return i;
	return -1;
}

int pipeline_default(struct store *st, long long *id, struct err *e)
{
	/* the default one, else the oldest: both by index, no sorting */
	int rc = store_int(st, id, NULL, e,
			   "SELECT coalesce((SELECT id FROM pipelines WHERE is_default = 1 LIMIT 1), "
			   "(SELECT min(id) FROM pipelines), 0)",
			   "");

	if (!rc && !*id)
		rc = fail(e, E_NOTFOUND, "there is no pipeline");
	return rc;
}

/* Are any pipelines attached to a team or channel?  Most companies have
 * none, and then every deal gets the default without walking team trees
 * (which costs a temporary table per deal: it shows in bulk imports). */
static int any_attached(struct store *st, int *yes, struct err *e)
{
	long long v;
	int rc = store_int(st, &v, NULL, e,
			   "SELECT EXISTS (SELECT 1 FROM pipelines WHERE team_id IS NOT NULL OR "
			   "channel IS NOT NULL)",
			   "");

	*yes = v != 0;
	return rc;
}

int pipeline_for(struct store *st, long long team_id, const char *channel, long long *id,
		 struct err *e)
{
	/* Rank: team+channel 0, team 1, channel 2; nearer teams first. */
	struct stmt *s = store_prepare(
		st,
		"WITH RECURSIVE up(id, depth) AS (SELECT ?1, 0 UNION ALL SELECT t.parent_id, "
		"up.depth + 1 FROM teams t JOIN up ON t.id = up.id WHERE t.parent_id IS NOT NULL) "
		"SELECT p.id FROM pipelines p LEFT JOIN up ON up.id = p.team_id "
		"WHERE (p.team_id IS NULL OR up.id IS NOT NULL) AND (p.channel IS NULL OR "
		"p.channel = ?2) AND (p.team_id IS NOT NULL OR p.channel IS NOT NULL) "
		"ORDER BY CASE WHEN p.team_id IS NOT NULL AND p.channel IS NOT NULL THEN 0 WHEN "
		"p.team_id IS NOT NULL THEN 1 ELSE 2 END, up.depth, p.id LIMIT 1",
		e);
	int rc, attached;

	if (!s)
		return E_INTERNAL;
	rc = any_attached(st, &attached, e);
	if (rc || !attached) {
		stmt_done(s);
		return rc ? rc : pipeline_default(st, id, e);
	}
	stmt_bind_int(s, 1, team_id);
	stmt_bind_text(s, 2, channel);
	rc = stmt_step(s, e);
	*id = !rc && stmt_row(s) ? stmt_int(s, 0) : 0;
	stmt_done(s);
	if (rc)
		return rc;
	return *id ? OK : pipeline_default(st, id, e);
}

#define STAGE_COLS                                                                      \
	"SELECT id, pipeline_id, key, name, section, forecast_category, position, "     \
	"probability, stale_days, idle_days FROM stages "

static void read_stage(struct stmt *s, struct stage_info *o)
{
	o->id = stmt_int(s, 0);
	o->pipeline_id = stmt_int(s, 1);
	snprintf(o->key, sizeof(o->key), "%s", stmt_text(s, 2));
	snprintf(o->name, sizeof(o->name), "%s", stmt_text(s, 3));
	snprintf(o->section, sizeof(o->section), "%s", stmt_text(s, 4));
	snprintf(o->forecast_category, sizeof(o->forecast_category), "%s", stmt_text(s, 5));
	o->position = (int)stmt_int(s, 6);
	o->probability = (int)stmt_int(s, 7);
	o->stale_days = (int)stmt_int(s, 8);
	o->idle_days = (int)stmt_int(s, 9);
}

static int one(struct stmt *s, struct stage_info *out, struct err *e, const char *what)
{
	int rc = stmt_step(s, e);

	if (!rc && !stmt_row(s))
		rc = fail(e, E_NOTFOUND, "no %s", what);
	if (!rc)
		read_stage(s, out);
	stmt_done(s);
	return rc;
}

int pipeline_stage(struct store *st, long long pipeline_id, const char *key,
		   struct stage_info *out, struct err *e)
{
	struct stmt *s = store_prepare(st, STAGE_COLS "WHERE pipeline_id = ? AND key = ?", e);

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, pipeline_id);
	stmt_bind_text(s, 2, key);
	return one(s, out, e, "such stage");
}

int pipeline_first_in(struct store *st, long long pipeline_id, const char *section,
		      struct stage_info *out, struct err *e)
{
	/* walks stages_position in order: no sorting */
	struct stmt *s = store_prepare(
		st,
		strcmp(section, "upper")
			? STAGE_COLS "WHERE pipeline_id = ? AND section = ? ORDER BY position LIMIT 1"
			: STAGE_COLS "WHERE pipeline_id = ? AND section <> 'won' AND section <> "
				     "'lost' AND ?2 = 'upper' ORDER BY position LIMIT 1",
		e);

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, pipeline_id);
	stmt_bind_text(s, 2, section);
	return one(s, out, e, "stage in that section");
}

const char *pipeline_section_status(const char *section)
{
	if (!strcmp(section, "won"))
		return "won";
	if (!strcmp(section, "lost"))
		return "lost";
	return "open";
}

static int is_open(const struct stage_info *s)
{
	return !strcmp(pipeline_section_status(s->section), "open");
}

/* --- criteria ----------------------------------------------------------- */

struct criterion {
	char kind[12], field[32], activity_type[12], document_kind[32], label[256];
	char stage_name[128];  /* the stage it belongs to */
	char next_name[128];   /* the stage after it: "before <next>" */
};

static int exists(struct store *st, const char *sql, long long a, const char *b, int *yes,
		  struct err *e)
{
	long long v;
	int rc = b ? store_int(st, &v, NULL, e, sql, "it", a, b)
		   : store_int(st, &v, NULL, e, sql, "i", a);

	*yes = v != 0;
	return rc;
}

/* Paid in full?  Against the schedule when there is one, else the amount. */
static int fully_paid(struct store *st, const struct record *opp, int *yes, struct err *e)
{
	long long v;
	int rc = store_int(
		st, &v, NULL, e,
		"SELECT coalesce((SELECT sum(amount) FROM payments WHERE opportunity_id = ?1), 0) "
		">= coalesce((SELECT sum(amount) FROM installments WHERE opportunity_id = ?1), "
		"?2) AND ?2 > 0",
		"ii", opp->id, record_int(opp, "amount"));

	*yes = v != 0;
	return rc;
}

static int criterion_holds(struct store *st, const struct record *opp, const struct criterion *c,
			   int *yes, struct err *e)
{
	if (!strcmp(c->kind, "field")) {
		int f;

		if (!strcmp(c->field, "decision_maker"))
			return exists(st,
				      "SELECT EXISTS (SELECT 1 FROM contacts WHERE account_id = ? "
				      "AND decision_maker = 1)",
				      record_int(opp, "account_id"), NULL, yes, e);
		f = record_field(opp->res, c->field);
		*yes = f >= 0 && !opp->v[f].null &&
		       (opp->res->fields[f].type != FT_MONEY || opp->v[f].i > 0);
		return OK;
	}
	if (!strcmp(c->kind, "activity"))
		return exists(st,
			      "SELECT EXISTS (SELECT 1 FROM activities WHERE related_type = "
			      "'opportunity' AND related_id = ? AND type = ? AND done_at IS NOT NULL)",
			      opp->id, c->activity_type, yes, e);
	if (!strcmp(c->kind, "document"))
		return exists(st,
			      "SELECT EXISTS (SELECT 1 FROM attachments WHERE related_type = "
			      "'opportunity' AND related_id = ? AND kind = ?)",
			      opp->id, c->document_kind, yes, e);
	return fully_paid(st, opp, yes, e);
}

/* The words a salesperson reads when a criterion is not met. */
static void criterion_words(const struct criterion *c, char *out, size_t n)
{
	const char *doc = c->document_kind;

	if (c->label[0]) {
		snprintf(out, n, "%s", c->label);
	} else if (!strcmp(c->kind, "field") && !strcmp(c->field, "decision_maker")) {
		snprintf(out, n, "A decision maker must be named among the account's contacts "
				 "before %s", c->next_name);
	} else if (!strcmp(c->kind, "field")) {
		const char *what = !strcmp(c->field, "amount")       ? "The amount"
				   : !strcmp(c->field, "close_date") ? "The expected close date"
				   : !strcmp(c->field, "contact_id") ? "The client's contact person"
				   : !strcmp(c->field, "channel")    ? "The sales channel"
								     : "The forecast category";
		snprintf(out, n, "%s must be filled in before %s", what, c->next_name);
	} else if (!strcmp(c->kind, "activity")) {
		snprintf(out, n, "A completed %s with the client is required before %s",
			 c->activity_type, c->next_name);
	} else if (!strcmp(c->kind, "document")) {
		snprintf(out, n, "%s %s must be attached to the deal before %s",
			 !strcmp(doc, "proposal") || !strcmp(doc, "contract") ? "The" : "A",
			 !strcmp(doc, "welcome_letter") ? "welcome letter"
			 : !strcmp(doc, "contract")     ? "signed contract"
			 : !strcmp(doc, "proposal")     ? "sent proposal"
							: doc,
			 c->next_name);
	} else {
		snprintf(out, n, "The payment must be collected in full before %s", c->next_name);
	}
}

/* Check the criteria of every stage from position `lo` up to (not
 * including) `hi`, adding a problem per unmet one.  Returns OK or an error
 * of the database; *unmet counts the problems. */
static int check_criteria(struct store *st, struct record *opp, long long pipeline_id, int lo,
			  int hi, int *unmet, struct err *e)
{
	struct stmt *s = store_prepare(
		st,
		"SELECT c.kind, coalesce(c.field, ''), coalesce(c.activity_type, ''), "
		"coalesce(c.document_kind, ''), coalesce(c.label, ''), s.name, coalesce((SELECT "
		"n.name FROM stages n WHERE n.pipeline_id = s.pipeline_id AND n.position > "
		"s.position AND n.section <> 'lost' ORDER BY n.position LIMIT 1), 'the next stage') "
		"FROM stage_criteria c JOIN stages s ON s.id = c.stage_id WHERE s.pipeline_id = ? "
		"AND s.position >= ? AND s.position < ? AND s.section <> 'lost' ORDER BY s.position, "
		"c.id",
		e);
	struct criterion cs[64];
	int n = 0, i, rc, yes;
	char words[400];

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, pipeline_id);
	stmt_bind_int(s, 2, lo);
	stmt_bind_int(s, 3, hi);
	/* read them all first: checking runs other statements */
	while (!(rc = stmt_step(s, e)) && stmt_row(s) && n < 64) {
		struct criterion *c = &cs[n++];

		snprintf(c->kind, sizeof(c->kind), "%s", stmt_text(s, 0));
		snprintf(c->field, sizeof(c->field), "%s", stmt_text(s, 1));
		snprintf(c->activity_type, sizeof(c->activity_type), "%s", stmt_text(s, 2));
		snprintf(c->document_kind, sizeof(c->document_kind), "%s", stmt_text(s, 3));
		snprintf(c->label, sizeof(c->label), "%s", stmt_text(s, 4));
		snprintf(c->stage_name, sizeof(c->stage_name), "%s", stmt_text(s, 5));
		snprintf(c->next_name, sizeof(c->next_name), "%s", stmt_text(s, 6));
	}
	stmt_done(s);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		rc = criterion_holds(st, opp, &cs[i], &yes, e);
		if (rc)
			return rc;
		if (yes)
			continue;
		criterion_words(&cs[i], words, sizeof(words));
		err_field(e, "stage", "%s", words);
		(*unmet)++;
	}
	return OK;
}

/* The position of the first open-or-won stage after `pos`, or 0. */
static int next_position(struct store *st, long long pipeline_id, int pos, struct err *e)
{
	long long next;

	if (store_int(st, &next, NULL, e,
		      "SELECT min(position) FROM stages WHERE pipeline_id = ? AND position > ? AND "
		      "section <> 'lost'",
		      "ii", pipeline_id, (long long)pos))
		return 0;
	return (int)next;
}

static int lost_reason_known(struct store *st, const char *reason, int *yes, struct err *e)
{
	long long v;
	int rc = store_int(st, &v, NULL, e,
			   "SELECT EXISTS (SELECT 1 FROM lost_reasons WHERE name = ? AND active = 1)",
			   "t", reason);

	*yes = v != 0;
	return rc;
}

static int enforcement_of(struct store *st, long long pipeline_id, char *out, size_t n,
			  struct err *e)
{
	struct stmt *s = store_prepare(st, "SELECT enforcement FROM pipelines WHERE id = ?", e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, pipeline_id);
	rc = stmt_step(s, e);
	snprintf(out, n, "%s", !rc && stmt_row(s) ? stmt_text(s, 0) : "guided");
	stmt_done(s);
	return rc;
}

int pipeline_check_move(struct store *st, const struct principal *p, struct record *opp,
			const struct stage_info *from, const struct stage_info *to,
			struct err *e)
{
	const struct write_opts *o = opp->opts;
	char mode[16];
	int rc, unmet = 0, yes, base = e ? e->nfields : 0;
	const char *lost_reason = record_text(opp, "lost_reason");

	if (!strcmp(to->section, "lost")) {
		/* always allowed, with a known reason */
		if (!lost_reason)
			return err_field(e, "lost_reason", "say why the deal was lost");
		rc = lost_reason_known(st, lost_reason, &yes, e);
		if (rc)
			return rc;
		return yes ? OK : err_field(e, "lost_reason",
					    "'%s' is not one of the lost reasons (see "
					    "/api/v1/lost_reasons)",
					    lost_reason);
	}
	rc = enforcement_of(st, to->pipeline_id, mode, sizeof(mode), e);
	if (rc)
		return rc;
	if (!strcmp(mode, "free"))
		return OK;

	if (!is_open(from) && !strcmp(from->section, "lost")) {
		/* reviving a lost deal */
		if (!strcmp(mode, "strict"))
			err_field(e, "stage", "In a strict process a lost deal is reopened only by "
					      "a manager's override");
	} else if (!strcmp(from->section, "won") && strcmp(to->section, "won")) {
		err_field(e, "stage", "A won deal is reopened only by a manager's override");
	} else if (to->position < from->position) {
		if (!strcmp(mode, "strict"))
			err_field(e, "stage", "In a strict process going back to %s needs a "
					      "manager's override",
				  to->name);
	} else {
		/* forward: the stage left and every stage skipped must be done */
		if (!strcmp(mode, "strict") &&
		    to->position != next_position(st, to->pipeline_id, from->position, e))
			err_field(e, "stage", "In a strict process the next stage after %s comes "
					      "first; %s cannot be skipped to",
				  from->name, to->name);
		rc = check_criteria(st, opp, to->pipeline_id, from->position, to->position,
				    &unmet, e);
		if (rc)
			return rc;
	}
	if (!e || e->nfields == base)
		return OK;
	if (o && o->override) {
		/* the override answers the process's problems, and only those */
		e->nfields = base;
		if (!principal_is_manager(p))
			return fail(e, E_FORBIDDEN, "only managers and admins override the sales "
						    "process");
		if (!o->reason || !*o->reason)
			return err_field(e, "reason", "an override needs a reason");
		if (!base)
			err_clear(e);
		opp->overridden = 1;
		return OK;
	}
	fail(e, E_CONFLICT, "moving to %s does not follow the sales process: %s%s", to->name,
	     e->fields[base].message,
	     principal_is_manager(p) ? " (a manager may override with a reason)"
				     : " (ask your manager if an exception is needed)");
	return E_CONFLICT;
}

/* --- reading maps ------------------------------------------------------- */

static int write_stages(struct store *st, long long pipeline_id, struct jw *w, struct err *e)
{
	struct stmt *s = store_prepare(
		st,
		"SELECT s.id, s.key, s.name, s.position, s.probability, s.section, "
		"s.forecast_category, s.stale_days, s.idle_days, c.kind, c.field, c.activity_type, "
		"c.document_kind, c.label FROM stages s LEFT JOIN stage_criteria c ON c.stage_id = "
		"s.id WHERE s.pipeline_id = ? ORDER BY s.position, s.id, c.id",
		e);
	long long last = 0;
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, pipeline_id);
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (stmt_int(s, 0) != last) {
			if (last) {
				jw_arr_end(w);
				jw_obj_end(w);
			}
			last = stmt_int(s, 0);
			jw_obj(w);
			jw_kint(w, "id", last);
			jw_kstr(w, "key", stmt_text(s, 1));
			jw_kstr(w, "name", stmt_text(s, 2));
			jw_kint(w, "position", stmt_int(s, 3));
			jw_kint(w, "probability", stmt_int(s, 4));
			jw_kstr(w, "section", stmt_text(s, 5));
			jw_kstr(w, "forecast_category", stmt_text(s, 6));
			jw_kint(w, "stale_days", stmt_int(s, 7));
			jw_kint(w, "idle_days", stmt_int(s, 8));
			jw_key(w, "criteria");
			jw_arr(w);
		}
		if (stmt_null(s, 9))
			continue;
		jw_obj(w);
		jw_kstr(w, "kind", stmt_text(s, 9));
		jw_kstr(w, "field", stmt_text(s, 10));
		jw_kstr(w, "activity_type", stmt_text(s, 11));
		jw_kstr(w, "document_kind", stmt_text(s, 12));
		jw_kstr(w, "label", stmt_text(s, 13));
		jw_obj_end(w);
	}
	if (last) {
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	stmt_done(s);
	return rc;
}

#define PIPELINE_COLS                                                                   \
	"SELECT id, name, team_id, channel, enforcement, is_default, version, created_at, " \
	"updated_at FROM pipelines "

static int write_pipelines(struct store *st, struct stmt *s, struct jw *w, int many,
			   long long *version, struct err *e)
{
	struct {
		long long id, team, version;
		int is_default;
		char name[128], channel[16], enforcement[16], created[TIME_ISO_LEN],
			updated[TIME_ISO_LEN];
	} *rows = NULL, *r;
	int n = 0, cap = 0, rc, i;

	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (n == cap) {
			void *nr = realloc(rows, (size_t)(cap = cap ? cap * 2 : 8) * sizeof(*rows));

			if (!nr) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			rows = nr;
		}
		r = &rows[n++];
		r->id = stmt_int(s, 0);
		snprintf(r->name, sizeof(r->name), "%s", stmt_text(s, 1));
		r->team = stmt_null(s, 2) ? 0 : stmt_int(s, 2);
		snprintf(r->channel, sizeof(r->channel), "%s", stmt_null(s, 3) ? "" : stmt_text(s, 3));
		snprintf(r->enforcement, sizeof(r->enforcement), "%s", stmt_text(s, 4));
		r->is_default = (int)stmt_int(s, 5);
		r->version = stmt_int(s, 6);
		snprintf(r->created, sizeof(r->created), "%s", stmt_text(s, 7));
		snprintf(r->updated, sizeof(r->updated), "%s", stmt_text(s, 8));
	}
	stmt_done(s);
	if (!rc && !many && n == 0)
		rc = fail(e, E_NOTFOUND, "no such pipeline");
	if (many)
		jw_arr(w);
	for (i = 0; !rc && i < n; i++) {
		r = &rows[i];
		jw_obj(w);
		jw_kint(w, "id", r->id);
		jw_kstr(w, "name", r->name);
		jw_key(w, "team_id");
		if (r->team)
			jw_int(w, r->team);
		else
			jw_null(w);
		jw_kstr(w, "channel", r->channel[0] ? r->channel : NULL);
		jw_kstr(w, "enforcement", r->enforcement);
		jw_kbool(w, "is_default", r->is_default);
		jw_kint(w, "version", r->version);
		jw_kstr(w, "created_at", r->created);
		jw_kstr(w, "updated_at", r->updated);
		jw_key(w, "stages");
		rc = write_stages(st, r->id, w, e);
		jw_obj_end(w);
		if (version)
			*version = r->version;
	}
	if (many)
		jw_arr_end(w);
	free(rows);
	return rc;
}

int pipeline_list_json(struct store *st, struct jw *w, struct err *e)
{
	struct stmt *s = store_prepare(st, PIPELINE_COLS "ORDER BY id", e);

	if (!s)
		return E_INTERNAL;
	return write_pipelines(st, s, w, 1, NULL, e);
}

int pipeline_get_json(struct store *st, long long id, struct jw *w, long long *version,
		      struct err *e)
{
	struct stmt *s = store_prepare(st, PIPELINE_COLS "WHERE id = ?", e);

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	return write_pipelines(st, s, w, 0, version, e);
}

/* --- writing maps ------------------------------------------------------- */

/* May p define maps for team `team_id` (0: company-wide)? */
static int may_edit(struct store *st, const struct principal *p, long long team_id,
		    struct err *e)
{
	int rc, yes;

	if (principal_is_admin(p))
		return OK;
	if (!principal_is_manager(p))
		return fail(e, E_FORBIDDEN, "only managers and admins define sales processes");
	if (!team_id || !p->team_id)
		return fail(e, E_FORBIDDEN, "a manager defines processes for their own teams; "
					    "company-wide ones are an admin's");
	{
		struct stmt *s = store_prepare(st,
					       "SELECT EXISTS (SELECT 1 FROM (" SQL_TEAM_SUBTREE
					       ") WHERE id = ?2)",
					       e);

		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, p->team_id);
		stmt_bind_int(s, 2, team_id);
		rc = stmt_step(s, e);
		yes = stmt_row(s) && stmt_int(s, 0);
		stmt_done(s);
	}
	if (rc)
		return rc;
	return yes ? OK : fail(e, E_FORBIDDEN, "team %lld is not one of the teams you manage",
			       team_id);
}

struct stage_def {
	const char *key, *name, *section, *category;
	long long probability, stale, idle;
	json_t *criteria;
};

static long long int_member(json_t *o, const char *k, long long def, long long lo, long long hi,
			    const char *path, struct err *e)
{
	json_t *v = json_object_get(o, k);

	if (!v)
		return def;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		err_field(e, path, "must be an integer from %lld to %lld", lo, hi);
		return def;
	}
	return json_integer_value(v);
}

static const char *str_member(json_t *o, const char *k, const char *path, struct err *e)
{
	json_t *v = json_object_get(o, k);

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 200) {
		err_field(e, path, "must be a string of 1 to 200 characters");
		return NULL;
	}
	return json_string_value(v);
}

static const char *const stage_keys[] = {"key", "name", "probability", "section",
					 "forecast_category", "stale_days", "idle_days", "criteria",
					 NULL};
static const char *const criterion_keys[] = {"kind", "field", "activity_type", "document_kind",
					     "label", NULL};

static void only_keys(json_t *o, const char *const *keys, const char *path, struct err *e)
{
	const char *k;
	json_t *v;
	char f[96];

	json_object_foreach(o, k, v) {
		if (one_of(k, keys) < 0) {
			snprintf(f, sizeof(f), "%s.%s", path, k);
			err_field(e, f, "is not a known field");
		}
	}
}

/* Validate a "stages" array into defs[]; returns the count or -1. */
static int parse_stages(json_t *arr, struct stage_def *defs, int max, struct err *e)
{
	size_t i, j;
	int last_section = 0, open = 0, won = 0, lost = 0;
	char path[64], cpath[96];

	if (!json_is_array(arr) || json_array_size(arr) < 3 || json_array_size(arr) > (size_t)max) {
		err_field(e, "stages", "must be an array of 3 to %d stages (open ones, a won one, "
				       "a lost one)",
			  max);
		return -1;
	}
	for (i = 0; i < json_array_size(arr); i++) {
		json_t *o = json_array_get(arr, i), *c;
		struct stage_def *d = &defs[i];
		int sec;

		snprintf(path, sizeof(path), "stages[%zu]", i);
		memset(d, 0, sizeof(*d));
		if (!json_is_object(o)) {
			err_field(e, path, "must be an object");
			continue;
		}
		only_keys(o, stage_keys, path, e);
		snprintf(cpath, sizeof(cpath), "%s.key", path);
		d->key = str_member(o, "key", cpath, e);
		if (!d->key || !utf8_key(d->key, 63))
			err_field(e, cpath, "must be lower-case letters, digits and _");
		for (j = 0; d->key && j < i; j++)
			if (defs[j].key && !strcmp(defs[j].key, d->key))
				err_field(e, cpath, "'%s' is used twice", d->key);
		snprintf(cpath, sizeof(cpath), "%s.name", path);
		d->name = str_member(o, "name", cpath, e);
		if (!d->name)
			err_field(e, cpath, "is required");
		snprintf(cpath, sizeof(cpath), "%s.section", path);
		d->section = str_member(o, "section", cpath, e);
		sec = one_of(d->section, pipeline_sections);
		if (sec < 0) {
			err_field(e, cpath, "must be upper, middle, lower, won or lost");
			sec = last_section;
		} else if (sec < last_section) {
			err_field(e, cpath, "sections go in funnel order: upper, middle, lower, "
					    "won, lost");
		}
		last_section = sec;
		open += sec < 3;
		won += sec == 3;
		lost += sec == 4;
		snprintf(cpath, sizeof(cpath), "%s.probability", path);
		d->probability = int_member(o, "probability", sec == 3 ? 100 : sec == 4 ? 0 : -1,
					    0, 100, cpath, e);
		if (d->probability < 0)
			err_field(e, cpath, "is required for an open stage");
		snprintf(cpath, sizeof(cpath), "%s.forecast_category", path);
		d->category = str_member(o, "forecast_category", cpath, e);
		if (!d->category)
			d->category = sec == 3 ? "closed" : sec == 4 ? "omitted"
					   : sec == 2 ? "commit" : sec == 1 ? "best_case" : "pipeline";
		else if (one_of(d->category, opportunity_categories) < 0)
			err_field(e, cpath, "must be pipeline, best_case, commit, closed or omitted");
		snprintf(cpath, sizeof(cpath), "%s.stale_days", path);
		d->stale = int_member(o, "stale_days", 30, 0, 3650, cpath, e);
		snprintf(cpath, sizeof(cpath), "%s.idle_days", path);
		d->idle = int_member(o, "idle_days", 14, 0, 3650, cpath, e);
		c = json_object_get(o, "criteria");
		if (c && !json_is_array(c)) {
			snprintf(cpath, sizeof(cpath), "%s.criteria", path);
			err_field(e, cpath, "must be an array");
			continue;
		}
		d->criteria = c;
		for (j = 0; c && j < json_array_size(c); j++) {
			json_t *k = json_array_get(c, j);
			const char *kind;

			snprintf(cpath, sizeof(cpath), "%s.criteria[%zu]", path, j);
			if (!json_is_object(k)) {
				err_field(e, cpath, "must be an object");
				continue;
			}
			only_keys(k, criterion_keys, cpath, e);
			kind = json_string_value(json_object_get(k, "kind"));
			if (one_of(kind, pipeline_criterion_kinds) < 0)
				err_field(e, cpath, "kind must be field, activity, document or payment");
			else if (!strcmp(kind, "field") &&
				 one_of(json_string_value(json_object_get(k, "field")),
					pipeline_criterion_fields) < 0)
				err_field(e, cpath, "field must be one of amount, close_date, "
						    "contact_id, channel, forecast_category, "
						    "decision_maker");
			else if (!strcmp(kind, "activity") &&
				 one_of(json_string_value(json_object_get(k, "activity_type")),
					activity_types) < 0)
				err_field(e, cpath, "activity_type must be call, meeting, email, "
						    "task or note");
			else if (!strcmp(kind, "document") &&
				 (!json_is_string(json_object_get(k, "document_kind")) ||
				  !utf8_key(json_string_value(json_object_get(k, "document_kind")), 63)))
				err_field(e, cpath, "document_kind must be a word such as proposal "
						    "or contract");
			if (json_object_get(k, "label") &&
			    (!json_is_string(json_object_get(k, "label")) ||
			     json_string_length(json_object_get(k, "label")) > 250))
				err_field(e, cpath, "label must be a string of at most 250 "
						    "characters");
		}
	}
	if (!open || !won || !lost)
		err_field(e, "stages", "a process needs open stages, a won stage and a lost stage");
	return e && e->nfields ? -1 : (int)json_array_size(arr);
}

static int insert_criteria(struct store *st, long long stage_id, json_t *c, struct err *e)
{
	size_t j;
	int rc = OK;

	for (j = 0; c && j < json_array_size(c) && !rc; j++) {
		json_t *k = json_array_get(c, j);
		struct stmt *s = store_prepare(st,
					       "INSERT INTO stage_criteria (stage_id, kind, field, "
					       "activity_type, document_kind, label) VALUES (?, ?, ?, "
					       "?, ?, ?)",
					       e);

		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, stage_id);
		stmt_bind_text(s, 2, json_string_value(json_object_get(k, "kind")));
		stmt_bind_text(s, 3, json_string_value(json_object_get(k, "field")));
		stmt_bind_text(s, 4, json_string_value(json_object_get(k, "activity_type")));
		stmt_bind_text(s, 5, json_string_value(json_object_get(k, "document_kind")));
		stmt_bind_text(s, 6, json_string_value(json_object_get(k, "label")));
		rc = stmt_step(s, e);
		stmt_done(s);
	}
	return rc;
}

/* Insert or update (by key) every stage; position from the array order. */
static int save_stages(struct store *st, long long pipeline_id, struct stage_def *defs, int n,
		       struct err *e)
{
	int i, rc = OK;

	for (i = 0; i < n && !rc; i++) {
		struct stage_def *d = &defs[i];
		struct stmt *s = store_prepare(
			st,
			"INSERT INTO stages (pipeline_id, key, name, position, probability, "
			"section, forecast_category, stale_days, idle_days) VALUES (?, ?, ?, ?, ?, "
			"?, ?, ?, ?) ON CONFLICT(pipeline_id, key) DO UPDATE SET name = "
			"excluded.name, position = excluded.position, probability = "
			"excluded.probability, section = excluded.section, forecast_category = "
			"excluded.forecast_category, stale_days = excluded.stale_days, idle_days = "
			"excluded.idle_days RETURNING id",
			e);
		long long sid;

		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, pipeline_id);
		stmt_bind_text(s, 2, d->key);
		stmt_bind_text(s, 3, d->name);
		stmt_bind_int(s, 4, i + 1);
		stmt_bind_int(s, 5, d->probability);
		stmt_bind_text(s, 6, d->section);
		stmt_bind_text(s, 7, d->category);
		stmt_bind_int(s, 8, d->stale);
		stmt_bind_int(s, 9, d->idle);
		rc = stmt_step(s, e);
		sid = stmt_row(s) ? stmt_int(s, 0) : 0;
		if (!rc)
			rc = stmt_step(s, e);
		stmt_done(s);
		if (rc)
			break;
		rc = store_run(st, e, "DELETE FROM stage_criteria WHERE stage_id = ?", "i",
			       sid);
		if (!rc)
			rc = insert_criteria(st, sid, d->criteria, e);
	}
	return rc;
}

/* The pipeline as JSON text, for the audit log. */
static char *snapshot(struct store *st, long long id)
{
	struct buf b = BUF_INIT;
	struct jw w;

	jw_init(&w, &b);
	if (pipeline_get_json(st, id, &w, NULL, NULL)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static const char *const top_keys[] = {"name", "team_id", "channel", "enforcement", "is_default",
				       "stages", "reassign", NULL};

/* Common checks of the top-level members; fills the out-params present. */
static void parse_top(json_t *body, const char **name, json_t **team, json_t **channel,
		      const char **mode, json_t **def, struct err *e)
{
	only_keys(body, top_keys, "pipeline", e);
	if (e && e->nfields) {
		/* strip the "pipeline." prefix: top-level fields are named plainly */
		int i;

		for (i = 0; i < e->nfields; i++)
			if (!strncmp(e->fields[i].field, "pipeline.", 9))
				memmove(e->fields[i].field, e->fields[i].field + 9,
					strlen(e->fields[i].field + 9) + 1);
	}
	*name = str_member(body, "name", "name", e);
	*team = json_object_get(body, "team_id");
	if (*team && !json_is_null(*team) &&
	    (!json_is_integer(*team) || json_integer_value(*team) <= 0))
		err_field(e, "team_id", "must be a team id or null");
	*channel = json_object_get(body, "channel");
	if (*channel && !json_is_null(*channel) &&
	    one_of(json_string_value(*channel), channel_choices) < 0)
		err_field(e, "channel", "must be field, inside, partner, web, retail or null");
	*mode = str_member(body, "enforcement", "enforcement", e);
	if (*mode && one_of(*mode, pipeline_enforcements) < 0)
		err_field(e, "enforcement", "must be strict, guided or free");
	*def = json_object_get(body, "is_default");
	if (*def && !json_is_boolean(*def))
		err_field(e, "is_default", "must be true or false");
}

static int team_exists(struct store *st, json_t *team, struct err *e)
{
	int yes, rc;

	if (!team || json_is_null(team))
		return OK;
	rc = exists(st, "SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?)",
		    json_integer_value(team), NULL, &yes, e);
	if (rc)
		return rc;
	return yes ? OK : err_field(e, "team_id", "no team with id %lld",
				    (long long)json_integer_value(team));
}

static int set_default(struct store *st, long long id, struct err *e)
{
	return store_run(st, e, "UPDATE pipelines SET is_default = (id = ?)", "i", id);
}

int pipeline_create(struct store *st, const struct principal *p, json_t *body, long long *id,
		    struct err *e)
{
	struct stage_def defs[32];
	const char *name, *mode;
	json_t *team, *channel, *def;
	char now[TIME_ISO_LEN], *snap = NULL;
	struct stmt *s;
	int n, rc;

	parse_top(body, &name, &team, &channel, &mode, &def, e);
	if (!name)
		err_field(e, "name", "is required");
	if (json_object_get(body, "reassign"))
		err_field(e, "reassign", "only applies when changing a pipeline");
	n = parse_stages(json_object_get(body, "stages"), defs, 32, e);
	if (n < 0 || (e && e->nfields))
		return E_INVAL;
	rc = may_edit(st, p, team && !json_is_null(team) ? json_integer_value(team) : 0, e);
	if (!rc && def && json_is_true(def) && !principal_is_admin(p))
		rc = fail(e, E_FORBIDDEN, "only admins choose the default pipeline");
	if (rc)
		return rc;
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = team_exists(st, team, e);
	if (rc)
		goto fail;
	time_iso(time_now(), now);
	s = store_prepare(st,
			  "INSERT INTO pipelines (name, team_id, channel, enforcement, created_at, "
			  "updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_text(s, 1, name);
	if (team && !json_is_null(team))
		stmt_bind_int(s, 2, json_integer_value(team));
	stmt_bind_text(s, 3, channel ? json_string_value(channel) : NULL);
	stmt_bind_text(s, 4, mode ? mode : "guided");
	stmt_bind_text(s, 5, now);
	stmt_bind_text(s, 6, now);
	rc = stmt_step(s, e);
	*id = stmt_row(s) ? stmt_int(s, 0) : 0;
	if (!rc)
		rc = stmt_step(s, e);
	stmt_done(s);
	if (rc == E_CONFLICT)
		rc = err_field(e, "name", "another pipeline has this name");
	if (!rc)
		rc = save_stages(st, *id, defs, n, e);
	if (!rc && def && json_is_true(def))
		rc = set_default(st, *id, e);
	if (!rc && !(snap = snapshot(st, *id)))
		rc = fail(e, E_INTERNAL, "cannot read the new pipeline back");
	if (!rc)
		rc = history_add(st, "pipelines", *id, now, p->user_id, "create", "definition",
				 NULL, snap, e);
	free(snap);
	if (rc)
		goto fail;
	return store_commit(st, e);
fail:
	store_rollback(st);
	return rc;
}

/* Move every opportunity in stage `from` of the pipeline to stage `to`,
 * with stage history and audit rows. */
static int reassign_stage(struct store *st, const struct principal *p, long long pipeline_id,
			  const char *from, const struct stage_info *to, const char *now,
			  struct err *e)
{
	struct stmt *s;
	long long *ids = NULL;
	int n = 0, cap = 0, i, rc;
	char reason[200];

	s = store_prepare(st, "SELECT id FROM opportunities WHERE pipeline_id = ? AND stage = ?", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, pipeline_id);
	stmt_bind_text(s, 2, from);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (n == cap) {
			long long *ni = realloc(ids, (size_t)(cap = cap ? cap * 2 : 64) * sizeof(*ids));

			if (!ni) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			ids = ni;
		}
		ids[n++] = stmt_int(s, 0);
	}
	stmt_done(s);
	snprintf(reason, sizeof(reason), "stage %.63s removed from the pipeline", from);
	for (i = 0; !rc && i < n; i++) {
		s = store_prepare(st,
				  "UPDATE opportunities SET stage = ?, status = ?, probability = "
				  "CASE WHEN ?2 = 'open' THEN ? ELSE probability END, "
				  "stage_entered_at = ?, updated_at = ?5, version = version + 1 "
				  "WHERE id = ?",
				  e);
		if (!s) {
			rc = E_INTERNAL;
			break;
		}
		stmt_bind_text(s, 1, to->key);
		stmt_bind_text(s, 2, pipeline_section_status(to->section));
		stmt_bind_int(s, 3, to->probability);
		stmt_bind_text(s, 4, now);
		stmt_bind_text(s, 5, now);
		stmt_bind_int(s, 6, ids[i]);
		rc = stmt_step(s, e);
		stmt_done(s);
		if (!rc) {
			s = store_prepare(st,
					  "UPDATE stage_history SET exited_at = ? WHERE opportunity_id "
					  "= ? AND exited_at IS NULL",
					  e);
			if (!s) {
				rc = E_INTERNAL;
				break;
			}
			stmt_bind_text(s, 1, now);
			stmt_bind_int(s, 2, ids[i]);
			rc = stmt_step(s, e);
			stmt_done(s);
		}
		if (!rc) {
			s = store_prepare(st,
					  "INSERT INTO stage_history (opportunity_id, stage, "
					  "entered_at, actor_id, override, reason) VALUES (?, ?, ?, ?, "
					  "0, ?)",
					  e);
			if (!s) {
				rc = E_INTERNAL;
				break;
			}
			stmt_bind_int(s, 1, ids[i]);
			stmt_bind_text(s, 2, to->key);
			stmt_bind_text(s, 3, now);
			if (p->user_id)
				stmt_bind_int(s, 4, p->user_id);
			stmt_bind_text(s, 5, reason);
			rc = stmt_step(s, e);
			stmt_done(s);
		}
		if (!rc)
			rc = history_add(st, "opportunities", ids[i], now, p->user_id, "update",
					 "stage", from, to->key, e);
	}
	free(ids);
	return rc;
}

static int pipeline_team(struct store *st, long long id, long long *team, long long *version,
			 int *is_default, struct err *e)
{
	struct stmt *s = store_prepare(
		st, "SELECT coalesce(team_id, 0), version, is_default FROM pipelines WHERE id = ?", e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = fail(e, E_NOTFOUND, "no pipeline with id %lld", id);
	if (!rc) {
		*team = stmt_int(s, 0);
		*version = stmt_int(s, 1);
		*is_default = (int)stmt_int(s, 2);
	}
	stmt_done(s);
	return rc;
}

int pipeline_update(struct store *st, const struct principal *p, long long id, json_t *body,
		    long long if_match, struct err *e)
{
	struct stage_def defs[32];
	const char *name, *mode;
	json_t *team, *channel, *def, *stages = json_object_get(body, "stages"),
				       *reassign = json_object_get(body, "reassign");
	char now[TIME_ISO_LEN], *before = NULL, *after = NULL;
	long long cur_team, version;
	int n = 0, rc, is_default, i;
	struct stmt *s;

	parse_top(body, &name, &team, &channel, &mode, &def, e);
	if (stages)
		n = parse_stages(stages, defs, 32, e);
	if (reassign && !json_is_object(reassign))
		err_field(e, "reassign", "must be an object {\"removed_stage\": \"new_stage\"}");
	if (n < 0 || (e && e->nfields))
		return E_INVAL;
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = pipeline_team(st, id, &cur_team, &version, &is_default, e);
	if (!rc)
		rc = may_edit(st, p, cur_team, e);
	if (!rc && team && !json_is_null(team))
		rc = may_edit(st, p, json_integer_value(team), e);
	if (!rc && team && json_is_null(team) && !principal_is_admin(p))
		rc = fail(e, E_FORBIDDEN, "only admins make a process company-wide");
	if (!rc && def && !principal_is_admin(p))
		rc = fail(e, E_FORBIDDEN, "only admins choose the default pipeline");
	if (!rc && def && json_is_false(def) && is_default)
		rc = err_field(e, "is_default", "make another pipeline the default instead");
	if (!rc && if_match >= 0 && if_match != version)
		rc = fail(e, E_PRECOND, "the pipeline changed since you read it; reload and try "
					"again");
	if (!rc)
		rc = team_exists(st, team, e);
	if (rc)
		goto fail;
	before = snapshot(st, id);
	time_iso(time_now(), now);

	if (stages) {
		/* stages that go away: their deals must be sent somewhere */
		struct stmt *q = store_prepare(st,
					       "SELECT key, (SELECT count(*) FROM opportunities o "
					       "WHERE o.pipeline_id = s.pipeline_id AND o.stage = "
					       "s.key) FROM stages s WHERE pipeline_id = ?",
					       e);
		struct {
			char key[64];
			long long count;
		} gone[64];
		int ngone = 0, j;

		if (!q) {
			rc = E_INTERNAL;
			goto fail;
		}
		stmt_bind_int(q, 1, id);
		while (!(rc = stmt_step(q, e)) && stmt_row(q) && ngone < 64) {
			int kept = 0;

			for (j = 0; j < n; j++)
				kept |= !strcmp(defs[j].key, stmt_text(q, 0));
			if (kept)
				continue;
			snprintf(gone[ngone].key, sizeof(gone[0].key), "%s", stmt_text(q, 0));
			gone[ngone++].count = stmt_int(q, 1);
		}
		stmt_done(q);
		if (rc)
			goto fail;
		rc = save_stages(st, id, defs, n, e);
		for (i = 0; !rc && i < ngone; i++) {
			const char *target = reassign ? json_string_value(json_object_get(
								reassign, gone[i].key))
						      : NULL;
			struct stage_info to;
			char path[96];

			snprintf(path, sizeof(path), "reassign.%.63s", gone[i].key);
			if (gone[i].count && !target) {
				rc = err_field(e, path, "%lld opportunities are in stage %s: say "
							"which stage they move to",
					       gone[i].count, gone[i].key);
				break;
			}
			if (gone[i].count) {
				rc = pipeline_stage(st, id, target, &to, e);
				if (rc == E_NOTFOUND) {
					err_clear(e);
					rc = err_field(e, path, "'%s' is not a stage of the new map",
						       target);
				}
				for (j = 0; !rc && j < ngone; j++)
					if (!strcmp(gone[j].key, target))
						rc = err_field(e, path, "'%s' is being removed too",
							       target);
				if (!rc)
					rc = reassign_stage(st, p, id, gone[i].key, &to, now, e);
			}
			if (!rc) {
				s = store_prepare(st,
						  "DELETE FROM stages WHERE pipeline_id = ? AND key = ?",
						  e);
				if (!s) {
					rc = E_INTERNAL;
					break;
				}
				stmt_bind_int(s, 1, id);
				stmt_bind_text(s, 2, gone[i].key);
				rc = stmt_step(s, e);
				stmt_done(s);
			}
		}
		if (rc)
			goto fail;
	}
	s = store_prepare(st,
			  "UPDATE pipelines SET name = coalesce(?, name), team_id = CASE WHEN ?2 "
			  "THEN ?3 ELSE team_id END, channel = CASE WHEN ?4 THEN ?5 ELSE channel "
			  "END, enforcement = coalesce(?6, enforcement), updated_at = ?7, version = "
			  "version + 1 WHERE id = ?8",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_text(s, 1, name);
	stmt_bind_int(s, 2, team != NULL);
	if (team && !json_is_null(team))
		stmt_bind_int(s, 3, json_integer_value(team));
	stmt_bind_int(s, 4, channel != NULL);
	stmt_bind_text(s, 5, channel ? json_string_value(channel) : NULL);
	stmt_bind_text(s, 6, mode);
	stmt_bind_text(s, 7, now);
	stmt_bind_int(s, 8, id);
	rc = stmt_step(s, e);
	stmt_done(s);
	if (rc == E_CONFLICT) {
		err_clear(e);
		rc = err_field(e, "name", "another pipeline has this name");
	}
	if (!rc && def && json_is_true(def))
		rc = set_default(st, id, e);
	if (!rc)
		after = snapshot(st, id);
	if (!rc)
		rc = history_add(st, "pipelines", id, now, p->user_id, "update", "definition",
				 before, after, e);
	if (rc)
		goto fail;
	free(before);
	free(after);
	return store_commit(st, e);
fail:
	free(before);
	free(after);
	store_rollback(st);
	return rc;
}

int pipeline_delete(struct store *st, const struct principal *p, long long id, struct err *e)
{
	long long team, version;
	int rc, is_default, used;
	char now[TIME_ISO_LEN], *snap = NULL;

	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = pipeline_team(st, id, &team, &version, &is_default, e);
	if (!rc)
		rc = may_edit(st, p, team, e);
	if (!rc && is_default)
		rc = fail(e, E_CONFLICT, "the default pipeline cannot be deleted");
	if (!rc)
		rc = exists(st, "SELECT EXISTS (SELECT 1 FROM opportunities WHERE pipeline_id = ?)",
			    id, NULL, &used, e);
	if (!rc && used)
		rc = fail(e, E_CONFLICT, "opportunities use this pipeline; move them first");
	if (rc)
		goto fail;
	snap = snapshot(st, id);
	rc = store_run(st, e, "DELETE FROM pipelines WHERE id = ?", "i", id);
	time_iso(time_now(), now);
	if (!rc)
		rc = history_add(st, "pipelines", id, now, p->user_id, "delete", "definition", snap,
				 NULL, e);
	free(snap);
	if (rc)
		goto fail;
	return store_commit(st, e);
fail:
	store_rollback(st);
	return rc;
}
