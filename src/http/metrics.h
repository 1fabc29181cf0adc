/*
 * metrics.h — counters for /metrics (Prometheus text format 0.0.4):
 * requests by route and status, a latency histogram, time in the database.
 * Updated with relaxed atomics from every worker thread.
 */
#ifndef FUNNEL_METRICS_H
#define FUNNEL_METRICS_H

#include "core/buf.h"

void metrics_init(int nroutes);
/* route: index in the routing table, or -1 for unmatched paths */
void metrics_observe(int route, int status, double seconds, double db_seconds);
void metrics_render(struct buf *b, long long connections);

#endif
