/*
 * insight.h — what managers read: start here.
 *
 * What it promises.  The funnel as it truly is, per salesperson, team,
 * channel, territory and pipeline — counts, amounts, weighted amounts,
 * stage-to-stage conversion, time in stage, velocity; the deals that have
 * gone stale, with a diagnosis that depends on where in the funnel they are
 * stuck and the action to take; and performance (quota attainment, coverage,
 * win rate, cycle time, activity) compared fairly within peer segments.  All
 * of it within what the reader may see, and fast at a million deals: reports
 * read an in-memory index kept current from the database's change feed, not
 * SQL scans.
 *
 * How its files divide the work:
 *
 *   analytics.h/.c    the column-oriented index of every deal and its stage
 *                     history, its change feed, and analytics_split() for
 *                     work on two threads (forecast/ reads it too)
 *   funnel.h/.c       the funnel report over the index
 *   stale.h/.c        stale deals and their diagnosis
 *   performance.h/.c  quota attainment and the rest, peer segments
 *
 * Depends on records/ only.
 */
#ifndef FUNNEL_INSIGHT_H
#define FUNNEL_INSIGHT_H

#include "analytics.h"
#include "funnel.h"
#include "performance.h"
#include "stale.h"

#endif
