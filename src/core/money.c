#include "money.h"

#include "json.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

static const struct {
	char code[4];
	int digits;
} currencies[] = {
	/* The currencies a sales team is likely to quote in; codes from ISO 4217. */
	{"AED", 2}, {"ARS", 2}, {"AUD", 2}, {"BHD", 3}, {"BRL", 2}, {"CAD", 2}, {"CHF", 2},
	{"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CZK", 2}, {"DKK", 2}, {"EGP", 2}, {"EUR", 2},
	{"GBP", 2}, {"HKD", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"ISK", 0},
	{"JOD", 3}, {"JPY", 0}, {"KRW", 0}, {"KWD", 3}, {"MAD", 2}, {"MXN", 2}, {"MYR", 2},
	{"NGN", 2}, {"NOK", 2}, {"NZD", 2}, {"OMR", 3}, {"PEN", 2}, {"PHP", 2}, {"PKR", 2},
	{"PLN", 2}, {"QAR", 2}, {"RON", 2}, {"RUB", 2}, {"SAR", 2}, {"SEK", 2}, {"SGD", 2},
	{"THB", 2}, {"TND", 3}, {"TRY", 2}, {"TWD", 2}, {"UAH", 2}, {"USD", 2}, {"VND", 0},
	{"ZAR", 2},
};

int money_digits(const char *currency)
{
	size_t i;

	if (!currency || strlen(currency) != 3)
		return -1;
	for (i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
		if (!strcmp(currencies[i].code, currency))
			return currencies[i].digits;
	return -1;
}

int money_currency_at(int i, const char **code, int *digits)
{
	if (i < 0 || i >= (int)(sizeof(currencies) / sizeof(currencies[0])))
		return -1;
	*code = currencies[i].code;
	*digits = currencies[i].digits;
	return 0;
}

int money_parse(const char *s, int digits, long long *minor, const char **why)
{
	long long v = 0;
	int neg = 0, frac = -1;
	const char *p = s;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; *p; p++) {
		if (*p == '.' && frac < 0) {
			frac = 0;
			if (!isdigit((unsigned char)p[1]))
				goto bad;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			goto bad;
		if (frac >= 0 && ++frac > digits) {
			*why = digits ? "has more decimals than the currency allows"
				      : "must be a whole number in this currency";
			return -1;
		}
		/* v * 10 + digit <= MONEY_MAX, so MONEY_MAX itself is accepted */
		if (v > (MONEY_MAX - (*p - '0')) / 10) {
			*why = "is too large";
			return -1;
		}
		v = v * 10 + (*p - '0');
	}
	for (frac = frac < 0 ? 0 : frac; frac < digits; frac++) {
		if (v > MONEY_MAX / 10) {
			*why = "is too large";
			return -1;
		}
		v *= 10;
	}
	*minor = neg ? -v : v;
	return 0;
bad:
	*why = "must be a decimal number such as 1234.50";
	return -1;
}

int money_from_double(double v, int digits, long long *minor, const char **why)
{
	double scaled = v, r;
	int i;

	if (!isfinite(v)) {
		*why = "must be a finite number";
		return -1;
	}
	for (i = 0; i < digits; i++)
		scaled *= 10;
	if (fabs(scaled) > (double)MONEY_MAX) {
		*why = "is too large";
		return -1;
	}
	r = nearbyint(scaled);
	/* A number like 19.99 is 1998.9999999999998 once scaled: accept what is
	 * within rounding noise of an integer, refuse 10.005 (1000.5). */
	if (fabs(scaled - r) > 1e-6 * fmax(1.0, fabs(scaled) * 1e-9)) {
		*why = digits ? "has more decimals than the currency allows"
			      : "must be a whole number in this currency";
		return -1;
	}
	*minor = (long long)r;
	return 0;
}

void money_format(struct buf *b, long long minor, int digits)
{
	unsigned long long u = minor < 0 ? -(unsigned long long)minor : (unsigned long long)minor;
	unsigned long long div = 1, whole, frac;
	char tmp[48], *p = tmp + sizeof(tmp);
	int i;

	if (digits > 18)
		digits = 18;
	for (i = 0; i < digits; i++)
		div *= 10;
	whole = u / div;
	frac = u % div;
	/* written backwards without printf: this is on every list page's rows */
	for (i = 0; i < digits; i++, frac /= 10)
		*--p = (char)('0' + frac % 10);
	if (digits)
		*--p = '.';
	do
		*--p = (char)('0' + whole % 10);
	while (whole /= 10);
	if (minor < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void money_jw(struct jw *w, const char *key, long long minor, int digits)
{
	if (key)
		jw_key(w, key);
	jw_raw(w, ""); /* the separator; the digits follow */
	money_format(w->b, minor, digits);
}
