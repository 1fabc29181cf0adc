#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "timeutil.h"

enum log_level log_min_level = LOG_INFO;

void log_msg(enum log_level lv, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	char line[2048], ts[TIME_ISO_LEN];
	va_list ap;
	int n, m;

	if (lv < log_min_level)
		return;
	time_iso(time(NULL), ts);
	n = snprintf(line, sizeof(line), "%s %s ", ts, names[lv]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
