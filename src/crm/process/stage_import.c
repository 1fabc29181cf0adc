/*
 * stage_import.c — see stage_import.h.
 */
#include "stage_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "crm/records/resources.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

static const struct field fields[] = {
	{"opportunity_id", FT_REF, FF_REQUIRED, 0, 0, NULL, "opportunities",
	 "The deal whose history this row is part of"},
	{"stage", FT_TEXT, FF_REQUIRED, 0, 64, NULL, NULL, "Key of a stage of its pipeline"},
	{"entered_at", FT_TIME, FF_REQUIRED, 0, 0, NULL, NULL, "When it entered the stage"},
	{"exited_at", FT_TIME, 0, 0, 0, NULL, NULL,
	 "When it left (empty: when the next row entered, or still there)"},
	{"actor_id", FT_REF, 0, 0, 0, NULL, "users", "Who moved it"},
	{"override", FT_BOOL, 0, 0, 0, NULL, NULL, "A manager's override"},
	{"reason", FT_TEXT, 0, 0, 1000, NULL, NULL, "Why"},
};

/* The stage must be one of the deal's pipeline; exits after entries. */
static int prepare(struct store *st, const struct principal *p, const struct record *old,
		   struct record *rec, struct err *e)
{
	const struct val *opp = &rec->v[0], *stage = &rec->v[1], *in = &rec->v[2],
			 *out = &rec->v[3];
	struct stage_info si;
	struct err miss;
	struct stmt *s;
	long long pipe = 0;
	int rc;

	(void)p;
	(void)old;
	if (!in->null && !out->null && strcmp(out->s, in->s) < 0)
		err_field(e, "exited_at", "is before entered_at");
	if (opp->null || stage->null)
		return OK;
	s = store_prepare(st, "SELECT pipeline_id FROM opportunities WHERE id = ?", e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, opp->i);
	rc = stmt_step(s, e);
	if (stmt_row(s))
		pipe = stmt_int(s, 0);
	stmt_done(s);
	if (rc || !pipe)
		return rc; /* a missing deal is reported by the reference check */
	rc = pipeline_stage(st, pipe, stage->s, &si, &miss);
	if (rc == E_NOTFOUND)
		return err_field(e, "stage", "'%s' is not a stage of the deal's pipeline", stage->s);
	return rc;
}

const struct resource stage_import_resource = {
	.name = "stage_import", /* the temporary table */
	.singular = "stage history row",
	.doc = "A row of an imported stage history",
	.fields = fields,
	.nfields = N(fields),
	.vis = VIS_ALL,
	.prepare = prepare,
};

int stage_import_begin(struct store *st, struct err *e)
{
	return store_exec(st,
			  "CREATE TEMP TABLE IF NOT EXISTS stage_import ("
			  " id INTEGER PRIMARY KEY, opportunity_id INTEGER NOT NULL,"
			  " stage TEXT NOT NULL, entered_at TEXT NOT NULL, exited_at TEXT,"
			  " actor_id INTEGER, override INTEGER, reason TEXT,"
			  " created_by INTEGER, created_at TEXT, updated_at TEXT,"
			  " version INTEGER NOT NULL DEFAULT 1);"
			  "DELETE FROM temp.stage_import;",
			  e);
}

struct row {
	char stage[64], in[TIME_ISO_LEN], out[TIME_ISO_LEN];
	long long actor;
	int override, has_actor;
	char *reason;
};

static void rows_free(struct row *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(r[i].reason);
	free(r);
}

/* Check one deal's rows (sorted by entered_at) into a history, or say why
 * not in `why`.  Fills the empty exits from the next entries. */
static int make_history(struct row *r, int n, const char *current, char *why, size_t wn)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i + 1 < n && !r[i].out[0])
			snprintf(r[i].out, sizeof(r[i].out), "%s", r[i + 1].in);
		if (i + 1 < n && strcmp(r[i].out, r[i + 1].in)) {
			snprintf(why, wn,
				 "stage %s (entered %s) exits at %s but the next stage %s is entered "
				 "at %s: the history must have no gaps or overlaps",
				 r[i].stage, r[i].in, r[i].out, r[i + 1].stage, r[i + 1].in);
			return -1;
		}
		if (i + 1 < n && !strcmp(r[i].in, r[i + 1].in)) {
			snprintf(why, wn, "two rows enter at %s", r[i].in);
			return -1;
		}
	}
	if (r[n - 1].out[0]) {
		snprintf(why, wn, "the last row (%s) has an exit: the current stage has none",
			 r[n - 1].stage);
		return -1;
	}
	if (strcmp(r[n - 1].stage, current)) {
		snprintf(why, wn, "the history ends in %s but the deal is in %s", r[n - 1].stage,
			 current);
		return -1;
	}
	return 0;
}

static int replace_history(struct store *st, const struct principal *p, long long opp,
			   const struct row *r, int n, const char *closed, struct err *e)
{
	struct stmt *s;
	char now[TIME_ISO_LEN], note[64];
	int i, rc;

	rc = store_run(st, e, "DELETE FROM stage_history WHERE opportunity_id = ?", "i",
		       opp);
	for (i = 0; !rc && i < n; i++) {
		s = store_prepare(st,
				  "INSERT INTO stage_history (opportunity_id, stage, entered_at, "
				  "exited_at, actor_id, override, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
				  e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, opp);
		stmt_bind_text(s, 2, r[i].stage);
		stmt_bind_text(s, 3, r[i].in);
		stmt_bind_text(s, 4, r[i].out[0] ? r[i].out : NULL);
		if (r[i].has_actor)
			stmt_bind_int(s, 5, r[i].actor);
		stmt_bind_int(s, 6, r[i].override);
		stmt_bind_text(s, 7, r[i].reason);
		rc = stmt_step(s, e);
		stmt_done(s);
	}
	if (rc)
		return rc;
	/* the deal's own dates follow its history: a closed deal closed when it
	 * first entered a won or lost stage after its last open one (as a move
	 * sets it, opportunity.c), not when it was put in that stage before the
	 * import */
	s = store_prepare(st,
			  "UPDATE opportunities SET stage_entered_at = ?1, closed_at = CASE WHEN "
			  "?2 <> 0 THEN (SELECT min(h.entered_at) FROM stage_history h WHERE "
			  "h.opportunity_id = ?3 AND h.entered_at > coalesce((SELECT "
			  "max(l.entered_at) FROM stage_history l JOIN stages s ON s.pipeline_id = "
			  "opportunities.pipeline_id AND s.key = l.stage WHERE l.opportunity_id = ?3 "
			  "AND s.section <> 'won' AND s.section <> 'lost'), '')) ELSE NULL END, "
			  "created_at = min(created_at, ?4) WHERE id = ?3",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, r[n - 1].in);
	stmt_bind_int(s, 2, closed && strcmp(closed, "open"));
	stmt_bind_int(s, 3, opp);
	/* a deal imported today existed when its history began */
	stmt_bind_text(s, 4, r[0].in);
	rc = stmt_step(s, e);
	stmt_done(s);
	if (rc)
		return rc;
	time_iso(time_now(), now);
	snprintf(note, sizeof(note), "%d rows imported", n);
	return history_add(st, "opportunities", opp, now, p->user_id, "update", "stage_history",
			   NULL, note, e);
}

int stage_import_finish(struct store *st, const struct principal *p,
			void (*reject)(void *ctx, long long opportunity_id, const char *why),
			void *ctx, long long *done, struct err *e)
{
	struct stmt *s;
	long long *opps = NULL;
	int nopps = 0, cap = 0, i, rc;

	*done = 0;
	s = store_prepare(st, "SELECT DISTINCT opportunity_id FROM temp.stage_import ORDER BY 1", e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (nopps == cap) {
			long long *n2 = realloc(opps, (size_t)(cap = cap ? cap * 2 : 256) * sizeof(*opps));

			if (!n2) {
				rc = fail(e, E_INTERNAL, "out of memory");
				break;
			}
			opps = n2;
		}
		opps[nopps++] = stmt_int(s, 0);
	}
	stmt_done(s);
	for (i = 0; !rc && i < nopps; i++) {
		struct row *r = NULL;
		int n = 0, rcap = 0;
		char current[64] = "", status[8] = "", why[400];

		s = store_prepare(st, "SELECT stage, status FROM opportunities WHERE id = ?", e);
		if (!s) {
			rc = E_INTERNAL;
			break;
		}
		stmt_bind_int(s, 1, opps[i]);
		rc = stmt_step(s, e);
		if (stmt_row(s)) {
			snprintf(current, sizeof(current), "%s", stmt_text(s, 0));
			snprintf(status, sizeof(status), "%s", stmt_text(s, 1));
		}
		stmt_done(s);
		if (rc)
			break;
		s = store_prepare(st,
				  "SELECT stage, entered_at, coalesce(exited_at, ''), actor_id, "
				  "coalesce(override, 0), reason FROM temp.stage_import WHERE "
				  "opportunity_id = ? ORDER BY entered_at, id",
				  e);
		if (!s) {
			rc = E_INTERNAL;
			break;
		}
		stmt_bind_int(s, 1, opps[i]);
		while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
			struct row *x;

			if (n == rcap) {
				struct row *r2 = realloc(r, (size_t)(rcap = rcap ? rcap * 2 : 16) *
								   sizeof(*r));
				if (!r2) {
					rc = fail(e, E_INTERNAL, "out of memory");
					break;
				}
				r = r2;
			}
			x = &r[n++];
			snprintf(x->stage, sizeof(x->stage), "%s", stmt_text(s, 0));
			snprintf(x->in, sizeof(x->in), "%s", stmt_text(s, 1));
			snprintf(x->out, sizeof(x->out), "%s", stmt_text(s, 2));
			x->has_actor = !stmt_null(s, 3);
			x->actor = stmt_int(s, 3);
			x->override = (int)stmt_int(s, 4);
			x->reason = stmt_null(s, 5) ? NULL : strdup(stmt_text(s, 5));
		}
		stmt_done(s);
		if (!rc && n) {
			if (make_history(r, n, current, why, sizeof(why)))
				reject(ctx, opps[i], why);
			else if (!(rc = replace_history(st, p, opps[i], r, n, status, e)))
				(*done)++;
		}
		rows_free(r, n);
	}
	free(opps);
	return rc;
}
