/*
 * fuzz_urlform.c — the form-body decoder (src/core/urlform.h) on any bytes.
 *
 * Properties checked on every input:
 *   1. urlform_parse() never crashes, and what it accepts is UTF-8 text
 *      without NUL bytes, at most max pairs, each part no longer than the
 *      input;
 *   2. round trip: the input cut in two at its first byte (the cut is the
 *      name's length, mod the size), each half encoded with
 *      urlform_escape() and joined as "name=value", decodes back to exactly
 *      those bytes — when they are text the decoder accepts;
 *   3. urlform_unescape() of an escape gives back the raw bytes, whatever
 *      they are (NUL and invalid UTF-8 included).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/urlform.h"
#include "core/utf8.h"

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static int is_text(const uint8_t *p, size_t n)
{
	return !memchr(p, 0, n) && utf8_valid((const char *)p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct urlform f;
	struct buf enc;
	size_t cut;
	char *raw;
	long l;
	int i;

	/* 1. anything at all */
	if (urlform_parse((const char *)data, size, 8, &f, NULL) == 0) {
		CHECK(f.n <= 8);
		for (i = 0; i < f.n; i++) {
			CHECK(strlen(f.pairs[i].name) == f.pairs[i].name_len);
			CHECK(strlen(f.pairs[i].value) == f.pairs[i].value_len);
			CHECK(f.pairs[i].name_len <= size && f.pairs[i].value_len <= size);
			CHECK(utf8_valid(f.pairs[i].name, f.pairs[i].name_len));
			CHECK(utf8_valid(f.pairs[i].value, f.pairs[i].value_len));
		}
		urlform_release(&f);
	}
	if (!size)
		return 0;

	/* 3. escape then unescape: the same bytes */
	buf_init(&enc, 0);
	urlform_escape(&enc, (const char *)data, size);
	CHECK(!enc.failed);
	CHECK(!memchr(enc.data, '&', enc.len) && !memchr(enc.data, '=', enc.len));
	raw = malloc(enc.len + 1);
	CHECK(raw);
	l = urlform_unescape(enc.data, enc.len, raw);
	CHECK(l == (long)size && !memcmp(raw, data, size));
	free(raw);

	/* 2. a name and a value, encoded as a browser would, parse back */
	cut = data[0] % size;
	buf_reset(&enc);
	urlform_escape(&enc, (const char *)data + 1, cut ? cut - 1 : 0);
	buf_putc(&enc, '=');
	urlform_escape(&enc, (const char *)data + cut, size - cut);
	buf_puts(&enc, "&second=a+b%2Bc");
	if (is_text(data + 1, cut ? cut - 1 : 0) && is_text(data + cut, size - cut)) {
		CHECK(urlform_parse(enc.data, enc.len, 8, &f, NULL) == 0);
		/* an empty name with an empty value is still a pair ("=") */
		CHECK(f.n == 2);
		CHECK(f.pairs[0].name_len == (cut ? cut - 1 : 0));
		CHECK(!memcmp(f.pairs[0].name, data + 1, f.pairs[0].name_len));
		CHECK(f.pairs[0].value_len == size - cut);
		CHECK(!memcmp(f.pairs[0].value, data + cut, size - cut));
		CHECK(!strcmp(f.pairs[1].name, "second") && !strcmp(f.pairs[1].value, "a b+c"));
		urlform_release(&f);
	} else {
		/* bytes that are not text are refused, never passed on */
		CHECK(urlform_parse(enc.data, enc.len, 8, &f, NULL) == E_INVAL);
	}
	buf_release(&enc);
	return 0;
}
