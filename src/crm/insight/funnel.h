/*
 * funnel.h — the funnel report, computed over the analytics index
 * (analytics.h), never by scanning SQL.
 *
 * Scope: the deals of one pipeline (pipeline_id, default: the default
 * pipeline; with group_by=pipeline every pipeline, or the one named), owned
 * by people the caller sees (principal.h: a rep their own, a manager their
 * team subtree, an admin everyone), narrowed by owner_id, team_id (that team
 * and the teams below it), channel (the deal's) and territory (the owner's).
 *
 * Window: [from 00:00:00, to 23:59:59] UTC, inclusive; default the current
 * quarter.  Per group (owner, the owner's team, the deal's channel, the
 * owner's territory, the account's industry, the pipeline; or one group) and
 * per stage in position order:
 *
 *   open_count        open deals now in the stage (any currency)
 *   open_amount       Σ amount of those in `currency`
 *   weighted_amount   Σ amount × probability / 100 of those, exact: summed
 *                     in minor units × percent, rounded half up at the end
 *   entries, exits    stage-history rows entered / exited in the window
 *   conversion        of the deals that entered the stage in the window, those
 *                     that afterwards (any time, by history order) entered a
 *                     later stage by position whose section is not lost
 *   time_in_stage     the stays that ended in the window (exited in it):
 *                     median (mean of the two middle ones for an even count)
 *                     and p90 (nearest rank) of exited − entered, in days
 *
 * and per group: won / lost (closed_at in the window), win_rate = won / (won
 * + lost), average_deal_size (mean amount of those won, in `currency`,
 * rounded half up), cycle_length_days (mean created → closed of those won),
 * sales_velocity = open deals in `currency` × win_rate × average_deal_size ÷
 * cycle_length_days (per day, rounded half up to the minor unit).
 *
 * A group is listed when it has deals that count: in scope, and open now,
 * closed in the window, or with a stage history spanning it (first entry
 * before its end, last entry after its start) — its `deals`.
 *
 * currency: the one named, else the most common among those deals (ties: the
 * first code alphabetically); excluded_other_currency counts the open deals
 * and the won-in-window deals left out of the amounts.
 * The answer carries these definitions in its `definitions` member.
 */
#ifndef FUNNEL_FUNNEL_H
#define FUNNEL_FUNNEL_H

#include <stdint.h>

#include "core/json.h"
#include "analytics.h"
#include "crm/records/principal.h"
#include "crm/records/record.h"

enum funnel_group {
	FG_NONE,
	FG_OWNER,
	FG_TEAM,
	FG_CHANNEL,
	FG_TERRITORY,
	FG_INDUSTRY,
	FG_PIPELINE
};

struct funnel_query {
	char from[11], to[11];   /* YYYY-MM-DD */
	uint32_t t_from, t_to;   /* the window in seconds since 1970, inclusive */
	enum funnel_group group;
	long long pipeline_id;   /* 0: the default (all, with FG_PIPELINE) */
	long long owner_id, team_id;  /* 0: not narrowed */
	int channel;             /* index in channel_choices, -1: not narrowed */
	char territory[128];     /* "": not narrowed */
	char currency[4];        /* "": the most common in scope */
	int threads;             /* 0: 2 for large indexes, else 1 */
};

/* Parse the query string: from, to, group_by, pipeline_id, owner_id, team_id,
 * channel, territory, currency.  E_INVAL with one field problem per bad or
 * unknown parameter.  `now` decides the default quarter. */
int funnel_parse(const struct kv *params, int n, time_t now, struct funnel_query *q,
		 struct err *e);

/* Refresh the index from the change feed, then write the report as one JSON
 * object.  E_NOTFOUND for an owner_id the caller does not see (or that does
 * not exist), a team_id or pipeline_id that does not exist. */
int funnel_report(struct analytics *a, struct store *st, const struct principal *p,
		  const struct funnel_query *q, struct jw *w, struct err *e);

#endif
