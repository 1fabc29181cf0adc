/*
 * datein.c — dates as people write them (datein.h).
 */
#include "datein.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int valid(long y, long m, long d)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	/* the years Funnel's dates take (timeutil.h) */
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap(y));
}

static void put(char out[11], long y, long m, long d)
{
	/* valid() bounds them: 4, 2 and 2 digits */
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
}

/* Days since 1970-01-01 → y, m, d (Howard Hinnant's civil_from_days). */
static void civil(long z, long *y, long *m, long *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* Up to `max` digits at s[*i]; -1 when none. */
static long digits(const char *s, size_t n, size_t *i, int max, int *count)
{
	long v = 0;

	*count = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9' && *count < max) {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		(*count)++;
	}
	return *count ? v : -1;
}

/* a sep b sep yyyy, with nothing after it (a time after a space is allowed). */
static int dmy_shape(const char *s, size_t n, long *a, long *b, long *y)
{
	size_t i = 0;
	int c;
	char sep;

	*a = digits(s, n, &i, 2, &c);
	if (*a < 0 || i >= n || (s[i] != '/' && s[i] != '.' && s[i] != '-'))
		return 0;
	sep = s[i++];
	*b = digits(s, n, &i, 2, &c);
	if (*b < 0 || i >= n || s[i] != sep)
		return 0;
	i++;
	*y = digits(s, n, &i, 4, &c);
	if (c != 4)
		return 0;
	return i == n || s[i] == ' ';
}

int datein_orders(const char *s, size_t n)
{
	long a, b, y;
	int o = 0;

	if (!dmy_shape(s, n, &a, &b, &y))
		return 0;
	if (valid(y, b, a))
		o |= 1 << DATE_DMY;
	if (valid(y, a, b))
		o |= 1 << DATE_MDY;
	return o;
}

int datein_parse(const char *s, size_t n, enum date_order order, char out[11])
{
	long y, m, d, a, b, serial;
	size_t i = 0;
	int c, o;

	/* ISO: YYYY-MM-DD or YYYY/MM/DD, maybe a time after it */
	y = digits(s, n, &i, 4, &c);
	if (c == 4 && i < n && (s[i] == '-' || s[i] == '/')) {
		char sep = s[i++];

		m = digits(s, n, &i, 2, &c);
		if (m < 0 || i >= n || s[i] != sep)
			return DATEIN_NOT;
		i++;
		d = digits(s, n, &i, 2, &c);
		if (d < 0 || (i < n && s[i] != 'T' && s[i] != ' ') || !valid(y, m, d))
			return DATEIN_NOT;
		put(out, y, m, d);
		return DATEIN_OK;
	}
	/* an Excel serial: digits, maybe a fraction (the time of day) */
	i = 0;
	serial = digits(s, n, &i, 7, &c);
	if (serial >= 1 && (i == n || s[i] == '.')) {
		size_t j = i + (i < n);

		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j != n)
			goto dmy; /* 1.2.2027 */
		if (serial > 2958465)
			return DATEIN_NOT;
		if (serial == 60)
			return DATEIN_NOT; /* 1900-02-29, which Lotus thought was a day */
		if (serial < 60)
			serial++; /* before Lotus's day the epoch is 1899-12-31 */
		civil(serial - 25569, &y, &m, &d);
		if (!valid(y, m, d))
			return DATEIN_NOT; /* after 2999 */
		put(out, y, m, d);
		return DATEIN_OK;
	}
dmy:
	o = datein_orders(s, n);
	if (!o)
		return DATEIN_NOT;
	dmy_shape(s, n, &a, &b, &y);
	if (order == DATE_DMY || (order == DATE_ANY && o == 1 << DATE_DMY)) {
		if (!(o & 1 << DATE_DMY))
			return DATEIN_NOT;
		put(out, y, b, a);
		return DATEIN_OK;
	}
	if (order == DATE_MDY || (order == DATE_ANY && o == 1 << DATE_MDY)) {
		if (!(o & 1 << DATE_MDY))
			return DATEIN_NOT;
		put(out, y, a, b);
		return DATEIN_OK;
	}
	return DATEIN_AMBIGUOUS;
}

int datein_order_parse(const char *s)
{
	if (!strcasecmp(s, "dmy") || !strcasecmp(s, "DD/MM/YYYY") || !strcasecmp(s, "D/M/Y"))
		return DATE_DMY;
	if (!strcasecmp(s, "mdy") || !strcasecmp(s, "MM/DD/YYYY") || !strcasecmp(s, "M/D/Y"))
		return DATE_MDY;
	return -1;
}
