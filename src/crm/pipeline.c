#include "pipeline.h"

#include <stdio.h>
#include <string.h>

int pipeline_default(struct store *st, long long *id, struct err *e)
{
	struct stmt *s = store_prepare(
		st, "SELECT id FROM pipelines ORDER BY is_default DESC, id LIMIT 1", e);
	int rc;

	if (!s)
		return E_INTERNAL;
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = fail(e, E_NOTFOUND, "there is no pipeline");
	if (!rc)
		*id = stmt_int(s, 0);
	stmt_done(s);
	return rc;
}

#define STAGE_COLS                                                                      \
	"SELECT id, pipeline_id, key, name, section, forecast_category, position, "     \
	"probability, stale_days FROM stages "

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
	struct stmt *s = store_prepare(
		st, STAGE_COLS "WHERE pipeline_id = ? AND (section = ?2 OR (?2 = 'upper' AND "
			       "section IN ('middle','lower'))) ORDER BY position LIMIT 1",
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
