/*
 * fuzz_time.c — time_parse_iso() and time_parse_date() on arbitrary text.
 *
 * Properties:
 *   - a date that parses is canonical: time_date() gives back the same text,
 *     and time_parse_iso() reads it as the same instant (midnight UTC);
 *   - an instant that parses prints (time_iso) as 20 characters that parse
 *     back to the same second — unless the offset carried it outside the
 *     years Funnel accepts (1900..2999), e.g. "1900-01-01T00:00:00+01:00";
 *   - a refusal leaves the output untouched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, iso[TIME_ISO_LEN], date[11];
	time_t t = 12345, t2 = 0;
	struct tm tm;

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (time_parse_date(s, &t) == 0) {
		time_date(t, date);
		if (strcmp(date, s) || t % 86400)
			abort();
		if (time_parse_iso(s, &t2) || t2 != t)
			abort();
	} else if (t != 12345) {
		abort();
	}

	t = 12345;
	if (time_parse_iso(s, &t) == 0) {
		time_iso(t, iso);
		if (strlen(iso) != TIME_ISO_LEN - 1)
			abort();
		gmtime_r(&t, &tm);
		if (tm.tm_year + 1900 >= 1900 && tm.tm_year + 1900 <= 2999) {
			if (time_parse_iso(iso, &t2) || t2 != t)
				abort();
			time_date(t, date);
			if (time_parse_date(date, &t2) || t2 > t || t - t2 >= 86400)
				abort();
		}
	} else if (t != 12345) {
		abort();
	}
	free(s);
	return 0;
}
