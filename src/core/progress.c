#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"

void progress_start(struct progress *p, const char *label, long long total)
{
	p->label = label;
	p->total = total;
	p->done = 0;
	p->tty = isatty(STDERR_FILENO);
	p->last_decile = -1;
	p->started = p->last_draw = time_mono();
	p->quiet = 0;
}

static void draw(struct progress *p)
{
	double el = time_mono() - p->started;
	double rate = el > 0 ? (double)p->done / el : 0;

	if (p->total > 0) {
		int width = 30, fill = (int)((double)p->done * width / (double)p->total), i;
		char bar[31];

		for (i = 0; i < width; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[width] = '\0';
		fprintf(stderr, "\r%-12s [%s] %3d%% %lld/%lld  %.0f/s ", p->label, bar,
			(int)(p->done * 100 / p->total), p->done, p->total, rate);
	} else {
		fprintf(stderr, "\r%-12s %lld  %.0f/s ", p->label, p->done, rate);
	}
	fflush(stderr);
}

void progress_update(struct progress *p, long long done)
{
	double now;

	p->done = done;
	if (p->quiet)
		return;
	if (!p->tty) {
		int dec = p->total > 0 ? (int)(done * 10 / p->total) : -1;

		if (dec > p->last_decile && dec < 10) {
			p->last_decile = dec;
			log_info("%s: %lld of %lld (%d%%)", p->label, done, p->total, dec * 10);
		}
		return;
	}
	now = time_mono();
	if (now - p->last_draw < 0.1)
		return;
	p->last_draw = now;
	draw(p);
}

void progress_finish(struct progress *p)
{
	if (p->quiet)
		return;
	if (p->tty) {
		draw(p);
		fputc('\n', stderr);
	} else {
		log_info("%s: %lld done in %.1f s", p->label, p->done, time_mono() - p->started);
	}
}
