/*
 * analytics.h — the in-memory, column-oriented index of every opportunity and
 * its stage history, that the funnel report (funnel.h) reads instead of
 * scanning SQL on each request.
 *
 * Kept current by a change feed in the database.  Migration 005 adds
 * change_log(seq, opportunity_id) and triggers on opportunities and
 * stage_history (and on what the dictionaries hold: users, teams, pipelines,
 * stages; an account's industry) that append the id touched, in the writer's
 * own transaction.  So every writer is seen — this server, another `funnel
 * serve` on the same file, a `funnel import` process — and a rolled-back write
 * is not.  Before a report, analytics_refresh() reads the entries after the
 * last seq it applied (one indexed query when nothing changed) and, under the
 * write lock, re-reads those opportunities with their stage rows in one
 * statement (one snapshot), replacing what it had.  Re-reading the current
 * state makes applying an entry idempotent, so interleavings do not matter.
 * Id 0 in the feed means "reload the dictionaries".
 *
 *     start ──► full build (seq0 = max seq first) ──► apply seq > seq0 ──► prune
 *                 ▲                                        │
 *                 │ gap after our seq (pruned before       ▼
 *                 │ we saw it), or > REBUILD entries   report: refresh, then read
 *                 └────────────────────────────────────────┘
 *
 * Pruning: after the build at start, entries more than ANALYTICS_KEEP_SEQ
 * behind the newest are deleted; a refresh that finds itself 2 × KEEP ahead
 * of what was last pruned prunes again.  A process that lags more than that
 * (another server that had no report to answer for a long while) finds a gap
 * and rebuilds in full: correct, only slower.
 *
 * Locking: a pthread rwlock.  Reports hold the read lock while they compute;
 * the refresh is done by whichever request finds the feed ahead of the index,
 * under the write lock (the others wait on it, then find nothing to do).
 *
 * Layout (struct of arrays).  Dictionaries turn text and ids into dense small
 * integers: owners (user id → name, team, territory), teams, pipelines (each
 * with its stages in position order and a map stage key → position), stage
 * keys, currencies, territories, industries.  Per deal, slot i, slots in
 * ascending opportunity id (new deals have higher ids: AUTOINCREMENT):
 *
 *     id u32 | owner u16 | pipeline u16 | industry u16 (of its account)
 *     stage u8 (key) | status u8 | channel u8 | currency u8 | probability u8
 *     amount i64 (minor units) | created u32 | closed u32 (0: open)
 *     close_day u16 (days since 1970) | hoff u32 | hcnt u16
 *                                                      = 39 bytes
 *
 * and, for forecasts as of a past date (forecast.h), 7 more:
 *
 *     fcat u8 (forecast category, AN_NONE for NULL) | foff u32 | flen u16
 *
 * The field pool: slot i's changes of amount, close_date and
 * forecast_category are bytes [foff, foff + flen) of fpool, entries in time
 * order (ties: history order), each
 *
 *     field u8 | at u32 | the value the field had before the change:
 *         amount i64 (minor units) | close_date u16 (day) | category u8
 *                                                 = 13, 7 or 6 bytes
 *
 * taken from `history` rows (resource 'opportunities'): the value before a
 * field's first change is that row's `old`, before each later change the
 * `new` of the one before it.  So the value of a field just before instant t
 * is the value before its first change at or after t, or, when it has none,
 * the current value (analytics_field_before).  Migration 009 makes an
 * inserted history row of these fields a change-feed entry, so a field
 * history imported by another process is seen.  Values that do not parse
 * (an amount with more decimals than the deal's currency has) are left out
 * and counted in field_skipped.
 *
 * Times are seconds since 1970 (u32: until 2106).  The stage history of slot
 * i is rows [hoff, hoff + hcnt) of one pool, two arrays: hstage u8 (the key)
 * and hentered u32, in (entered_at, id) order.  Exits are not stored: rows
 * are contiguous (docs/sales-process.md: each exit is the next entry, which
 * pipeline moves and stage imports guarantee), so row k exited when row k+1
 * was entered, and the last row is the current stay.  That is 5 bytes a row
 * instead of 13 + 4 for a separate order by entered time, which is what
 * keeps the whole index at ~60 bytes per deal with the ~4 rows a deal has
 * (the build counts rows breaking the rule and logs them).
 *
 * The date window is a zone map rather than a sort: for every block of
 * ANALYTICS_BLOCK slots, the earliest row entered (zmin) and the latest row
 * entered or close (zmax).  Slots follow id order, which follows creation, so
 * a window skips every block whose deals were all settled before it or made
 * after it without touching their rows.  A write widens its block's zone;
 * compaction makes them exact again.
 *
 * Writes: a changed deal is updated in place; its rows are appended at the
 * end of the pool (the old ones become garbage); a deleted deal is marked
 * dead.  When garbage passes a quarter of the pool or dead slots an eighth of
 * the deals, analytics_compact() rewrites both in order.
 */
#ifndef FUNNEL_ANALYTICS_H
#define FUNNEL_ANALYTICS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "store/store.h"

#define ANALYTICS_BLOCK 256         /* slots per zone-map block */
#define ANALYTICS_KEEP_SEQ 100000   /* feed entries kept behind the newest */
#define ANALYTICS_REBUILD 200000    /* more entries than this: rebuild in full */
#define AN_NONE 0xFF                /* u8 "none": no channel, stage not in a pipeline */
#define AN_NONE16 0xFFFF            /* u16 "none": no industry, territory, team */
#define AN_MAX_STAGES 64            /* stages per pipeline the report handles */

enum an_status { AN_OPEN, AN_WON, AN_LOST, AN_DEAD };

/* Forecast categories (opportunities and stages); AN_NONE for NULL. */
enum an_fcat { AN_FC_PIPELINE, AN_FC_BEST_CASE, AN_FC_COMMIT, AN_FC_CLOSED, AN_FC_OMITTED,
	       AN_NFCAT };
extern const char *const an_fcat_names[AN_NFCAT]; /* "pipeline", "best_case", ... */
/* Text → enum an_fcat; AN_NONE for NULL, -1 for anything else. */
int an_fcat_parse(const char *s);

/* The fields whose past values the field pool keeps. */
enum an_field { AN_F_AMOUNT, AN_F_CLOSE, AN_F_FCAT, AN_NFIELDS };

/* A growable list of distinct strings; the index of a string never changes. */
struct an_dict {
	char **s;
	int n, cap;
	int *slots;   /* open addressing: index + 1, 0 empty */
	int nslots;
};

/* Ids (users, teams, pipelines) → dictionary index; open addressing. */
struct an_idmap {
	long long *k;
	int *v;        /* index + 1, 0 empty */
	int cap, n;
};

struct an_owner {
	long long user_id, team_id; /* team_id 0: none */
	char *name;
	uint16_t team;              /* index in teams, AN_NONE16 for none */
	uint16_t territory;         /* index in territories, AN_NONE16 for none */
};

struct an_team {
	long long id, parent_id;
	char *name;
};

struct an_pipeline {
	long long id;
	char *name;
	int is_default, live;              /* live: still in the database */
	int nstages;
	uint8_t key[AN_MAX_STAGES];        /* stage key (index in keys) by position */
	char *stage_name[AN_MAX_STAGES];
	char section[AN_MAX_STAGES][8];    /* upper middle lower won lost */
	uint8_t lost[AN_MAX_STAGES];       /* section is lost */
	uint8_t prob[AN_MAX_STAGES];       /* the stage's probability, percent */
	uint8_t fcat[AN_MAX_STAGES];       /* the stage's forecast category */
	uint8_t pos[256];                  /* key → position, AN_NONE when not here */
};

struct analytics {
	pthread_rwlock_t lock;
	long long seq;          /* last change_log seq applied */
	long long pruned_to;    /* change_log rows at or below this were deleted */

	/* dictionaries */
	struct an_owner *owners;
	int nowners, cap_owners;
	struct an_team *teams;
	int nteams, cap_teams;
	struct an_pipeline *pipelines;
	int npipelines, cap_pipelines;
	struct an_dict keys, currencies, territories, industries;
	struct an_idmap owner_map, team_map, pipeline_map;

	/* deals: n slots (dead ones included), cap allocated */
	size_t n, cap, ndead;
	uint32_t *id;
	uint16_t *owner, *pipeline, *industry;
	uint8_t *stage, *status, *channel, *currency, *prob;
	int64_t *amount;
	uint32_t *created, *closed;
	uint16_t *close_day;
	uint32_t *hoff;
	uint16_t *hcnt;
	uint8_t *fcat;          /* forecast category now */
	uint32_t *foff;         /* field pool bytes [foff, foff + flen) */
	uint16_t *flen;

	/* the stage-history pool */
	size_t hlen, hcap, hgarbage;
	uint8_t *hstage;
	uint32_t *hentered;

	/* the field pool (changes of amount, close_date, forecast_category) */
	size_t fplen, fpcap, fpgarbage;
	uint8_t *fpool;

	/* zone map: one entry per ANALYTICS_BLOCK slots */
	size_t nzones, cap_zones;
	uint32_t *zmin, *zmax;

	long long contiguity_breaks; /* rows whose exit is not the next entry (build) */
	long long field_skipped;     /* history values that did not parse */
};

/* Build an index of the database `st` is connected to.  *out (free with
 * analytics_free) is NULL on failure: E_INTERNAL from the database, or when
 * the data outgrows the layout (more than 65535 owners or pipelines, 254
 * stage keys or currencies, ids past 2^32). */
int analytics_build(struct store *st, struct analytics **out, struct err *e);
void analytics_free(struct analytics *a);

/* Apply the change feed (see the top).  OK when the index is current. */
int analytics_refresh(struct analytics *a, struct store *st, struct err *e);

/* Rewrite the deal arrays and the pool without dead slots and garbage, and
 * make the zone map exact.  Takes the write lock. */
void analytics_compact(struct analytics *a);

/* Readers. */
void analytics_rdlock(struct analytics *a);
void analytics_unlock(struct analytics *a);

/* Scans split over two threads: fn(w0) here and, when nthreads is 2,
 * fn(w1) on a second thread (or here after, if none can be started); each
 * work takes the blocks of ANALYTICS_BLOCK slots of its part in turn. */
void analytics_split(void *(*fn)(void *), void *w0, void *w1, int nthreads);

/* Live deals (dead slots excluded). */
size_t analytics_deals(const struct analytics *a);
/* Bytes allocated for the index (arrays at their capacity, dictionaries). */
size_t analytics_bytes(const struct analytics *a);
/* The part of those that only forecasts as of a past date need: fcat, foff,
 * flen and the field pool. */
size_t analytics_forecast_bytes(const struct analytics *a);

/* The slot of opportunity `id`, or -1. */
long analytics_slot(const struct analytics *a, long long id);
/* The owner index of user `user_id`, or -1. */
int analytics_owner(const struct analytics *a, long long user_id);

/* Do a and b hold the same deals and histories (compared by value: ids,
 * texts, times — not by dictionary index or slot)?  0 when equal, else -1
 * with the first difference described in why. */
int analytics_compare(const struct analytics *a, const struct analytics *b, char *why,
		      size_t n);

/* Delete change_log entries at or below `upto` (0: the newest minus
 * ANALYTICS_KEEP_SEQ). */
int analytics_prune(struct analytics *a, struct store *st, long long upto, struct err *e);

/* The server's index: built (and the feed pruned) by analytics_start() once,
 * after migrations; NULL before. */
int analytics_start(struct store *st, struct err *e);
struct analytics *analytics_global(void);

/* The same in a thread of its own on a connection to `db_path`, so the
 * server listens while a large index builds (44 s at 10M deals).  Until it
 * is ready analytics_ready() waits up to `wait_ms` and then answers
 * E_UNAVAILABLE (retry_after set), or E_INTERNAL if the build failed. */
int analytics_start_background(const char *db_path, struct err *e);
int analytics_ready(int wait_ms, struct analytics **out, struct err *e);

/* As of a past instant t: what was known just before t (events at times < t).
 *
 * analytics_stage_before: the stage row of slot i current just before t (the
 * last one entered before t), or -1 when none was (no rows, or all later).
 * analytics_field_before: the value field f (enum an_field) of slot i had
 * just before t: 1 and *v set when a change at or after t tells it; else the
 * current value (amount, close_day, fcat) holds: 0 when the field has
 * changes (all before t), -1 when it has none. */
static inline long analytics_stage_before(const struct analytics *a, size_t i, uint32_t t)
{
	uint32_t off = a->hoff[i], n = a->hcnt[i], k = 0;

	while (k < n && a->hentered[off + k] < t)
		k++;
	return k ? (long)(off + k - 1) : -1;
}

static inline int analytics_field_before(const struct analytics *a, size_t i, int f, uint32_t t,
					 int64_t *v)
{
	const uint8_t *p = a->fpool + a->foff[i], *end = p + a->flen[i];
	int seen = -1;

	while (p < end) {
		uint32_t at;
		int g = p[0];

		memcpy(&at, p + 1, 4);
		if (g == f)
			seen = 0;
		if (g == f && at >= t) {
			if (f == AN_F_AMOUNT) {
				memcpy(v, p + 5, 8);
			} else if (f == AN_F_CLOSE) {
				uint16_t d;

				memcpy(&d, p + 5, 2);
				*v = d;
			} else {
				*v = p[5];
			}
			return 1;
		}
		p += g == AN_F_AMOUNT ? 13 : g == AN_F_CLOSE ? 7 : 6;
	}
	return seen;
}

/* Text ↔ time as the index keeps them (UTC "YYYY-MM-DDTHH:MM:SSZ" → seconds;
 * 0 for NULL or unparsable). */
uint32_t analytics_time(const char *iso);

#endif
