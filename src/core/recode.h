/*
 * recode.h — bytes of a file in another character set, as UTF-8 (glibc's
 * iconv), for imports of files as spreadsheets write them.
 *
 * Windows-1252 (what Excel writes on a Western-European Windows) and
 * Latin-1 (ISO 8859-1) are single-byte sets, so a chunk boundary never cuts
 * a character; the converter still keeps any incomplete tail for the next
 * chunk, so multi-byte sources work too.  A byte the set has no character
 * for (0x81, 0x8D, 0x8F, 0x90, 0x9D in Windows-1252) is an error naming its
 * offset in the file.
 *
 * Lifecycle: recode_open, recode_feed (any number of times), recode_close.
 */
#ifndef FUNNEL_RECODE_H
#define FUNNEL_RECODE_H

#include <iconv.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct recode {
	iconv_t cd;
	char tail[8]; /* an incomplete character from the last chunk */
	size_t ntail;
	long long offset; /* bytes of input converted so far */
	const char *name; /* the canonical name, "windows-1252" */
};

/* The canonical name of an encoding the import reads ("utf-8",
 * "windows-1252", "latin-1"; case and the usual aliases — cp1252,
 * iso-8859-1, latin1, utf8 — accepted), or NULL. */
const char *recode_name(const char *name);

/* Prepare to convert from `name` (recode_name's) to UTF-8.  E_INVAL for a
 * name it does not know. */
int recode_open(struct recode *rc, const char *name, struct err *e);

/* Convert n bytes, appending the UTF-8 to `out`.  E_INVAL ("byte 0x81 at
 * offset N is not a windows-1252 character") when the input is not in the
 * set. */
int recode_feed(struct recode *rc, const char *in, size_t n, struct buf *out, struct err *e);

void recode_close(struct recode *rc);

#endif
