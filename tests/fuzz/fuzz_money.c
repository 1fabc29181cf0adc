/*
 * fuzz_money.c — money_parse() on arbitrary text.
 *
 * The first byte picks the currency's decimals (0..3); the rest is the text,
 * NUL-terminated.  Properties:
 *   - an accepted amount is within +-MONEY_MAX;
 *   - format(parse(x)) has exactly `digits` decimals and parses back to the
 *     same minor units (the round trip the API and CSV export rely on);
 *   - the same holds for money_from_double() on the text read as a number.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(long long v, int digits)
{
	struct buf b = BUF_INIT;
	const char *why = NULL, *dot;
	long long back = 0;

	if (v > MONEY_MAX || v < -MONEY_MAX)
		abort();
	money_format(&b, v, digits);
	if (b.failed)
		abort();
	dot = strchr(b.data, '.');
	if (digits ? !dot || strlen(dot + 1) != (size_t)digits : dot != NULL)
		abort();
	if (money_parse(b.data, digits, &back, &why) || back != v)
		abort();
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	const char *why = NULL;
	long long v = 0;
	int digits;

	if (size < 1)
		return 0;
	digits = data[0] % 4;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	if (money_parse(s, digits, &v, &why) == 0)
		round_trip(v, digits);
	else if (!why || !*why)
		abort();

	if (size < 64) {
		char *end;
		double d = strtod(s, &end);

		why = NULL;
		if (money_from_double(d, digits, &v, &why) == 0)
			round_trip(v, digits);
		else if (!why || !*why)
			abort();
	}
	money_digits(s);
	free(s);
	return 0;
}
