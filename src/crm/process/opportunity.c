/*
 * opportunity.c — a deal: an amount expected from an account by a date,
 * moving through the stages of its pipeline.
 *
 * Stage, status, probability and forecast category hang together:
 *   - the stage decides the status (a won stage closes it as won, the lost
 *     stage as lost, any other leaves it open);
 *   - setting status alone moves the deal to the first won stage, or to the
 *     lost stage; reopening means choosing an open stage;
 *   - a new stage brings its probability and forecast category unless the
 *     same write sets them.
 * Every stage entry and exit goes to stage_history with its time and actor.
 */
#include <stdio.h>
#include <string.h>

#include "pipeline.h"
#include "opportunity.h"
#include "crm/records/resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const char *const status_choices[] = {"open", "won", "lost", NULL};
const char *const opportunity_categories[] = {"pipeline", "best_case", "commit", "closed",
					       "omitted", NULL};

static const struct field fields[] = {
	{"name", FT_TEXT, FF_REQUIRED | FF_SORT | FF_SEARCH, 0, 200, NULL, NULL,
	 "What is being sold"},
	{"account_id", FT_REF, FF_REQUIRED | FF_FILTER, 0, 0, NULL, "accounts", "The customer"},
	{"contact_id", FT_REF, FF_FILTER, 0, 0, NULL, "contacts",
	 "Main contact (must work for the account)"},
	{"owner_id", FT_REF, FF_OWNER | FF_FILTER | FF_NOTNULL, 0, 0, NULL, "users",
	 "Owning salesperson (defaults to the caller)"},
	{"pipeline_id", FT_REF, FF_FILTER | FF_NOTNULL, 0, 0, NULL, "pipelines",
	 "Process map (defaults to the default pipeline)"},
	{"amount", FT_MONEY, FF_RANGE | FF_SORT | FF_NOTNULL, 0, 0, NULL, NULL,
	 "Expected value, in currency; no more decimals than the currency has"},
	{"currency", FT_CURRENCY, FF_FILTER | FF_NOTNULL, 0, 0, NULL, NULL,
	 "ISO 4217 code (default EUR)"},
	{"close_date", FT_DATE, FF_REQUIRED | FF_RANGE | FF_SORT, 0, 0, NULL, NULL,
	 "Expected (or actual) close date"},
	{"channel", FT_ENUM, FF_FILTER, 0, 0, channel_choices, NULL, "Sales channel"},
	{"stage", FT_TEXT, FF_FILTER | FF_NOTNULL, 0, 64, NULL, NULL,
	 "Key of a stage of the pipeline (default: its first stage)"},
	{"status", FT_ENUM, FF_FILTER | FF_NOTNULL, 0, 0, status_choices, NULL,
	 "open, won or lost; follows the stage"},
	{"probability", FT_PERCENT, FF_RANGE | FF_NOTNULL, 0, 0, NULL, NULL,
	 "Win probability in percent (default: the stage's)"},
	{"forecast_category", FT_ENUM, FF_FILTER, 0, 0, opportunity_categories, NULL,
	 "Forecast category (default: the stage's)"},
	{"lost_reason", FT_TEXT, FF_FILTER, 0, 200, NULL, NULL, "Why it was lost"},
	{"stage_entered_at", FT_TIME, FF_READONLY | FF_RANGE, 0, 0, NULL, NULL,
	 "When the current stage was entered"},
	{"closed_at", FT_TIME, FF_READONLY | FF_RANGE, 0, 0, NULL, NULL,
	 "When it was won or lost"},
};

#define F(name) record_field(rec->res, name)

/* The contact must work for the deal's account. */
static int check_contact(struct store *st, struct record *rec, struct err *e)
{
	const struct val *c = &rec->v[F("contact_id")], *a = &rec->v[F("account_id")];
	struct stmt *s;
	int rc, ok;

	if (c->null || a->null)
		return OK;
	s = store_prepare(st, "SELECT 1 FROM contacts WHERE id = ? AND account_id = ?", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, c->i);
	stmt_bind_int(s, 2, a->i);
	rc = stmt_step(s, e);
	ok = stmt_row(s);
	stmt_done(s);
	if (rc)
		return rc;
	return ok ? OK : err_field(e, "contact_id", "contact %lld does not work for account %lld",
				   c->i, a->i);
}

/* The owner's team, for choosing a new deal's pipeline. */
static long long owner_team(struct store *st, long long owner, struct err *e)
{
	struct stmt *s = store_prepare(st, "SELECT coalesce(team_id, 0) FROM users WHERE id = ?", e);
	long long team = 0;

	if (!s)
		return 0;
	stmt_bind_int(s, 1, owner);
	if (!stmt_step(s, e) && stmt_row(s))
		team = stmt_int(s, 0);
	stmt_done(s);
	return team;
}

static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	struct val *pipe = &rec->v[F("pipeline_id")], *stage = &rec->v[F("stage")],
		   *status = &rec->v[F("status")];
	struct stage_info si, from;
	char now[TIME_ISO_LEN];
	int rc, stage_changed;

	if (old && rec->v[F("currency")].set && !rec->v[F("amount")].set &&
	    strcmp(rec->v[F("currency")].s ? rec->v[F("currency")].s : "",
		   old->v[F("currency")].s))
		return err_field(e, "amount", "give the amount again when changing the currency");
	rc = check_contact(st, rec, e);
	if (rc && rc != E_INVAL)
		return rc;
	if (!old && (!pipe->set || pipe->null)) {
		long long id;

		rc = pipeline_for(st, owner_team(st, record_int(rec, "owner_id"), e),
				  record_text(rec, "channel"), &id, e);
		if (rc)
			return rc;
		record_set_int(rec, F("pipeline_id"), id);
	}
	if (pipe->null)
		return OK; /* reported as may-not-be-null */

	/* which stage the write asks for */
	if (stage->set && !stage->null) {
		rc = pipeline_stage(st, pipe->i, stage->s, &si, e);
		if (rc == E_NOTFOUND)
			return err_field(e, "stage", "'%s' is not a stage of pipeline %lld",
					 stage->s, pipe->i);
		if (rc)
			return rc;
		if (status->set && !status->null &&
		    strcmp(status->s, pipeline_section_status(si.section)))
			return err_field(e, "status", "'%s' contradicts stage '%s' (which is %s)",
					 status->s, si.key, pipeline_section_status(si.section));
	} else if (status->set && !status->null &&
		   (!old || strcmp(status->s, old->v[F("status")].s))) {
		if (!strcmp(status->s, "open"))
			return err_field(e, "status",
					 old ? "to reopen, set an open stage"
					     : "give a stage, or leave status out");
		rc = pipeline_first_in(st, pipe->i, status->s, &si, e);
		if (rc)
			return rc == E_NOTFOUND
				       ? err_field(e, "status", "the pipeline has no %s stage",
						   status->s)
				       : rc;
	} else if (!old || (pipe->set && pipe->i != old->v[F("pipeline_id")].i)) {
		/* new deal, or moved to another pipeline: keep the stage if it has
		 * one of that key, else start at the top */
		struct err miss; /* not finding the old key is an answer, not an error */

		rc = old ? pipeline_stage(st, pipe->i, old->v[F("stage")].s, &si, &miss)
			 : E_NOTFOUND;
		if (rc == E_NOTFOUND)
			rc = pipeline_first_in(st, pipe->i, "upper", &si, e);
		if (rc)
			return rc;
	} else {
		return OK; /* stage untouched */
	}

	stage_changed = !old || strcmp(old->v[F("stage")].s, si.key);
	if (old && stage_changed && e && e->nfields == 0) {
		/* a move: the process decides (pipeline.h) */
		struct err miss;

		rc = pipeline_stage(st, old->v[F("pipeline_id")].i, old->v[F("stage")].s, &from,
				    &miss);
		if (rc == E_NOTFOUND)
			rc = OK; /* the old stage is gone: nothing to hold it to */
		else if (!rc && from.pipeline_id == si.pipeline_id) {
			record_set_text(rec, F("stage"), si.key);
			rc = pipeline_check_move(st, p, rec, &from, &si, e);
		}
		if (rc)
			return rc;
	}
	record_set_text(rec, F("stage"), si.key);
	record_set_text(rec, F("status"), pipeline_section_status(si.section));
	if (!stage_changed)
		return OK;
	time_iso(time_now(), now);
	record_set_text(rec, F("stage_entered_at"), now);
	if (!rec->v[F("probability")].set || rec->v[F("probability")].null)
		record_set_int(rec, F("probability"), si.probability);
	if (!rec->v[F("forecast_category")].set)
		record_set_text(rec, F("forecast_category"), si.forecast_category);
	if (strcmp(si.section, "won") && strcmp(si.section, "lost"))
		record_set_null(rec, F("closed_at"));
	else if (!old || !strcmp(old->v[F("status")].s, "open"))
		record_set_text(rec, F("closed_at"), now);
	return OK;
}

static int after_write(struct store *st, const struct principal *p, const struct record *old,
		       const struct record *rec, struct err *e)
{
	const char *stage = rec->v[F("stage")].s, *at = rec->v[F("stage_entered_at")].s;
	struct stmt *s;
	int rc;

	if (old && !strcmp(old->v[F("stage")].s, stage))
		return OK;
	if (old) {
		s = store_prepare(st,
				  "UPDATE stage_history SET exited_at = ? WHERE opportunity_id = ? "
				  "AND exited_at IS NULL",
				  e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_text(s, 1, at);
		stmt_bind_int(s, 2, rec->id);
		rc = stmt_step(s, e);
		stmt_done(s);
		if (rc)
			return rc;
	}
	s = store_prepare(st,
			  "INSERT INTO stage_history (opportunity_id, stage, entered_at, actor_id, "
			  "override, reason) VALUES (?, ?, ?, ?, ?, ?)",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, rec->id);
	stmt_bind_text(s, 2, stage);
	stmt_bind_text(s, 3, at);
	if (p->user_id)
		stmt_bind_int(s, 4, p->user_id);
	else
		stmt_bind_null(s, 4);
	stmt_bind_int(s, 5, rec->overridden);
	stmt_bind_text(s, 6, rec->opts && rec->opts->reason && *rec->opts->reason
				     ? rec->opts->reason
				     : !strcmp(record_text(rec, "status"), "lost")
					   ? record_text(rec, "lost_reason")
					   : NULL);
	rc = stmt_step(s, e);
	stmt_done(s);
	/* an override is on the record's audit trail too, with its reason */
	if (!rc && rec->overridden)
		rc = history_add(st, "opportunities", rec->id, at, p->user_id, "update",
				 "stage_override", old ? old->v[F("stage")].s : NULL,
				 rec->opts->reason, e);
	return rc;
}

const struct resource opportunity_resource = {
	.name = "opportunities",
	.singular = "opportunity",
	.doc = "Deals moving through a pipeline",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_OWNER,
	.search_index = "opportunities_search",
	.prepare = prepare,
	.after_write = after_write,
};

int opportunity_stages(struct store *st, const struct principal *p, long long id,
		       struct jw *w, struct err *e)
{
	struct stmt *s;
	int rc = record_visible(st, p, &opportunity_resource, id, e);

	if (rc == E_NOTFOUND)
		return fail(e, E_NOTFOUND, "no opportunity with id %lld", id);
	if (rc)
		return rc;
	s = store_prepare(st,
			  "SELECT stage, entered_at, exited_at, actor_id, override, reason FROM "
			  "stage_history WHERE opportunity_id = ? ORDER BY entered_at, id",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		jw_obj(w);
		jw_kstr(w, "stage", stmt_text(s, 0));
		jw_kstr(w, "entered_at", stmt_text(s, 1));
		jw_kstr(w, "exited_at", stmt_text(s, 2));
		jw_key(w, "actor_id");
		if (stmt_null(s, 3))
			jw_null(w);
		else
			jw_int(w, stmt_int(s, 3));
		jw_kbool(w, "override", (int)stmt_int(s, 4));
		jw_kstr(w, "reason", stmt_text(s, 5));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	stmt_done(s);
	return rc;
}
