#include "metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "routes.h"

/* statuses worth a series of their own; others count under their class */
static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
			       412, 413, 415, 422, 429, 500, 503};
#define NSTATUS (int)(sizeof(statuses) / sizeof(statuses[0]))
#define NSLOT (NSTATUS + 1) /* last: any other */

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				 0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
#define NBUCKET (int)(sizeof(buckets) / sizeof(buckets[0]))

static int nroutes;
static atomic_ullong *counts;     /* [(nroutes + 1) * NSLOT] */
static atomic_ullong hist[NBUCKET + 1];
static atomic_ullong total_n, total_us, db_us;

void metrics_init(int n)
{
	nroutes = n;
	counts = calloc((size_t)(n + 1) * NSLOT, sizeof(*counts));
}

static int slot(int status)
{
	int i;

	for (i = 0; i < NSTATUS; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS;
}

void metrics_observe(int route, int status, double seconds, double db_seconds)
{
	int r = route < 0 || route >= nroutes ? nroutes : route, b;

	if (!counts)
		return;
	atomic_fetch_add_explicit(&counts[r * NSLOT + slot(status)], 1, memory_order_relaxed);
	for (b = 0; b < NBUCKET && seconds > buckets[b]; b++)
		;
	atomic_fetch_add_explicit(&hist[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&total_n, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&total_us, (unsigned long long)(seconds * 1e6),
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&db_us, (unsigned long long)(db_seconds * 1e6),
				  memory_order_relaxed);
}

void metrics_render(struct buf *b, long long connections)
{
	unsigned long long cum = 0;
	int r, s;

	buf_puts(b, "# HELP funnel_http_requests_total HTTP requests by route and status.\n"
		    "# TYPE funnel_http_requests_total counter\n");
	for (r = 0; r <= nroutes; r++) {
		for (s = 0; s < NSLOT; s++) {
			unsigned long long v = atomic_load_explicit(&counts[r * NSLOT + s],
								    memory_order_relaxed);
			if (!v)
				continue;
			buf_printf(b, "funnel_http_requests_total{route=\"%s %s\",status=\"",
				   r < nroutes ? method_name(routes[r].method) : "ANY",
				   r < nroutes ? routes[r].pattern : "unmatched");
			if (s < NSTATUS)
				buf_printf(b, "%d", statuses[s]);
			else
				buf_puts(b, "other");
			buf_printf(b, "\"} %llu\n", v);
		}
	}
	buf_puts(b, "# HELP funnel_http_request_duration_seconds Time to answer a request.\n"
		    "# TYPE funnel_http_request_duration_seconds histogram\n");
	for (s = 0; s < NBUCKET; s++) {
		cum += atomic_load_explicit(&hist[s], memory_order_relaxed);
		buf_printf(b, "funnel_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			   buckets[s], cum);
	}
	cum += atomic_load_explicit(&hist[NBUCKET], memory_order_relaxed);
	buf_printf(b, "funnel_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
	buf_printf(b, "funnel_http_request_duration_seconds_sum %.6f\n",
		   (double)atomic_load(&total_us) / 1e6);
	buf_printf(b, "funnel_http_request_duration_seconds_count %llu\n", atomic_load(&total_n));
	buf_printf(b, "# HELP funnel_db_seconds_total Time spent in the database.\n"
		      "# TYPE funnel_db_seconds_total counter\n"
		      "funnel_db_seconds_total %.6f\n",
		   (double)atomic_load(&db_us) / 1e6);
	buf_printf(b, "# HELP funnel_http_connections Open client connections.\n"
		      "# TYPE funnel_http_connections gauge\n"
		      "funnel_http_connections %lld\n",
		   connections);
}
