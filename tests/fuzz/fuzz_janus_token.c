/*
 * fuzz_janus_token.c — janus_verify() (src/crm/meetings/janus.h) on any
 * bytes: the tokens in Janus's events are what browsers sent Janus, so they
 * are an attacker's to choose.
 *
 * Properties:
 *   - never a crash or undefined behaviour (ASan, UBSan);
 *   - arbitrary bytes are accepted only if they are exactly what janus_sign
 *     makes for the room and invitee they name (forging needs the secret);
 *   - a token signed from the input's numbers verifies, naming those numbers,
 *     and with any one byte changed it no longer does (or names the same).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/meetings/janus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char secret[] = "fuzz-token-secret";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, token[512], again[512];
	long long room, p, room2, p2, expiry;
	uint32_t x[3] = {0, 0, 0};

	/* 1. the bytes as a token */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (janus_verify(secret, text, 0, &room, &p)) {
		expiry = strtoll(text, NULL, 10);
		if (janus_sign(secret, expiry, room, p, again, sizeof(again)) || strcmp(again, text))
			abort(); /* accepted something we did not sign */
	}
	free(text);

	/* 2. a token signed from the input's numbers, then one byte changed */
	memcpy(x, data, size < sizeof(x) ? size : sizeof(x));
	expiry = 1700000000LL + x[0] % 100000000;
	if (janus_sign(secret, expiry, x[1] % 1000000, x[2] % 1000000, token, sizeof(token)))
		abort();
	if (!janus_verify(secret, token, expiry, &room, &p) || room != (long long)(x[1] % 1000000) ||
	    p != (long long)(x[2] % 1000000))
		abort();
	if (janus_verify(secret, token, expiry + 1, &room, &p))
		abort(); /* expired */
	if (janus_verify("another secret", token, 0, &room, &p))
		abort();
	if (size > sizeof(x)) {
		size_t at = data[sizeof(x)] % strlen(token);
		char was = token[at];

		token[at] = (char)(data[size - 1] ?: 1);
		if (token[at] != was && janus_verify(secret, token, 0, &room2, &p2) &&
		    (janus_sign(secret, strtoll(token, NULL, 10), room2, p2, again, sizeof(again)) ||
		     strcmp(again, token)))
			abort();
	}
	return 0;
}
