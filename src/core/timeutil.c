#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void time_iso(time_t t, char *out)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, TIME_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_date(time_t t, char *out)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

time_t time_now(void)
{
	const char *fake = getenv("FUNNEL_NOW");
	time_t t;

	if (fake && !time_parse_iso(fake, &t))
		return t;
	return time(NULL);
}

static int digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), Howard Hinnant's. */
static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153u * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) || s[7] != '-' ||
	    digits(s + 8, 2, d))
		return -1;
	if (*y < 1900 || *y > 2999 || *m < 1 || *m > 12 || *d < 1 ||
	    *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

int time_parse_date(const char *s, time_t *t)
{
	int y, m, d;

	if (strlen(s) != 10 || parse_ymd(s, &y, &m, &d))
		return -1;
	*t = (time_t)(days_from_civil(y, m, d) * 86400);
	return 0;
}

int time_parse_iso(const char *s, time_t *t)
{
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, sign = 0;
	const char *p;

	if (strlen(s) == 10)
		return time_parse_date(s, t);
	if (strlen(s) < 16 || parse_ymd(s, &y, &mo, &d))
		return -1;
	if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi))
		return -1;
	p = s + 16;
	if (*p == ':') {
		if (digits(p + 1, 2, &sec))
			return -1;
		p += 3;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
		p += 6;
	} else {
		return -1; /* an instant without a zone is ambiguous */
	}
	if (*p || h > 23 || mi > 59 || sec > 60)
		return -1;
	*t = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
		      sign * (oh * 3600 + om * 60));
	return 0;
}

double time_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
