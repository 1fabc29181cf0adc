/*
 * money.h — exact amounts.
 *
 * Amounts are integers in the currency's minor unit (cents for EUR, yen for
 * JPY, fils for KWD).  Input is a decimal string ("1234.56", exact) or a JSON
 * number; either is refused when it has more decimals than the currency
 * allows, rather than rounded.  Output is a decimal with exactly the
 * currency's number of decimals.
 */
#ifndef FUNNEL_MONEY_H
#define FUNNEL_MONEY_H

#include "buf.h"

/* Largest amount accepted, in minor units (about 9e15: exact in a double). */
#define MONEY_MAX 9000000000000000LL

/* Number of decimals of an ISO 4217 code, or -1 when the code is unknown. */
int money_digits(const char *currency);

/* The i-th known currency (0-based): its code and decimals; -1 past the end. */
int money_currency_at(int i, const char **code, int *digits);

/* Parse a decimal string.  Returns 0, or -1 with *why set to a reason. */
int money_parse(const char *s, int digits, long long *minor, const char **why);
/* Convert a JSON number; same contract. */
int money_from_double(double v, int digits, long long *minor, const char **why);

/* Append minor as a decimal with `digits` decimals ("1234.50"). */
void money_format(struct buf *b, long long minor, int digits);

/* The same as a JSON number, after the member name `key` when not NULL. */
struct jw;
void money_jw(struct jw *w, const char *key, long long minor, int digits);

#endif
