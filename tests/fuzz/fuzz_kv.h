/*
 * fuzz_kv.h — the fuzz targets' input as a query string: the bytes, made a
 * C string, cut at '&' into key=value pairs (no decoding: the parsers
 * under test see every byte as the fuzzer gave it).
 */
#ifndef FUNNEL_FUZZ_KV_H
#define FUNNEL_FUZZ_KV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crm/records/record.h" /* struct kv */

/* Split data into at most max pairs of kv (a pair without '=' has a NULL
 * value).  Returns the string the pairs point into (free it after), or
 * NULL when out of memory; *n the pairs. */
static char *fuzz_kv(const uint8_t *data, size_t size, struct kv *kv, int max, int *n)
{
	char *s = malloc(size + 1), *p;

	*n = 0;
	if (!s)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	for (p = s; p && *n < max;) {
		char *amp = strchr(p, '&'), *eq;

		if (amp)
			*amp = '\0';
		eq = strchr(p, '=');
		if (eq)
			*eq = '\0';
		kv[*n].k = p;
		kv[*n].v = eq ? eq + 1 : NULL;
		(*n)++;
		p = amp ? amp + 1 : NULL;
	}
	return s;
}

#endif
