/*
 * progress.h — progress of long work (imports, demo generation).
 *
 * On a terminal it draws a bar on stderr, redrawn at most ten times a second;
 * elsewhere (CI, a pipe, a log file) it prints a plain line at every 10%, so
 * logs stay readable.  `total` may be 0 when unknown: then only counts show.
 */
#ifndef FUNNEL_PROGRESS_H
#define FUNNEL_PROGRESS_H

struct progress {
	const char *label;
	long long total, done;
	int tty, last_decile, quiet;
	double started, last_draw;
};

void progress_start(struct progress *p, const char *label, long long total);
void progress_update(struct progress *p, long long done);
void progress_finish(struct progress *p);

#endif
