/*
 * recode.c — other character sets to UTF-8 through iconv (recode.h).
 */
#include "recode.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *alias, *name, *iconv;
} names[] = {
	{"utf-8", "utf-8", "UTF-8"},
	{"utf8", "utf-8", "UTF-8"},
	{"windows-1252", "windows-1252", "WINDOWS-1252"},
	{"cp1252", "windows-1252", "WINDOWS-1252"},
	{"win1252", "windows-1252", "WINDOWS-1252"},
	{"latin-1", "latin-1", "ISO-8859-1"},
	{"latin1", "latin-1", "ISO-8859-1"},
	{"iso-8859-1", "latin-1", "ISO-8859-1"},
	{"iso8859-1", "latin-1", "ISO-8859-1"},
};

static int find(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(name, names[i].alias))
			return (int)i;
	return -1;
}

const char *recode_name(const char *name)
{
	int i = find(name);

	return i < 0 ? NULL : names[i].name;
}

int recode_open(struct recode *rc, const char *name, struct err *e)
{
	int i = find(name);

	memset(rc, 0, sizeof(*rc));
	rc->cd = (iconv_t)-1;
	if (i < 0)
		return fail(e, E_INVAL,
			    "'%s' is not an encoding the import reads (utf-8, "
			    "windows-1252, latin-1)",
			    name);
	rc->name = names[i].name;
	rc->cd = iconv_open("UTF-8", names[i].iconv);
	if (rc->cd == (iconv_t)-1)
		return fail(e, E_INTERNAL, "iconv cannot convert from %s: %s", names[i].iconv,
			    strerror(errno));
	return OK;
}

/* Convert *in (len *n) as far as it goes; leaves an incomplete tail. */
static int convert(struct recode *rc, char **in, size_t *n, struct buf *out, struct err *e)
{
	char room[16384];

	while (*n) {
		char *o = room;
		size_t left = sizeof(room), before = *n;
		size_t r = iconv(rc->cd, in, n, &o, &left);

		buf_add(out, room, sizeof(room) - left);
		rc->offset += (long long)(before - *n);
		if (r != (size_t)-1)
			continue;
		if (errno == E2BIG)
			continue;
		if (errno == EINVAL)
			return OK; /* an incomplete character: the caller keeps it */
		return fail(e, E_INVAL, "byte 0x%02X at offset %lld is not a %s character",
			    (unsigned char)**in, rc->offset, rc->name);
	}
	return OK;
}

int recode_feed(struct recode *rc, const char *in, size_t n, struct buf *out, struct err *e)
{
	char *p;
	size_t left;
	int r;

	while (rc->ntail && n) {
		/* complete the character cut at the last chunk's end, a byte at a time */
		rc->tail[rc->ntail++] = *in++;
		n--;
		p = rc->tail;
		left = rc->ntail;
		r = convert(rc, &p, &left, out, e);
		if (r)
			return r;
		if (!left)
			rc->ntail = 0;
		else if (rc->ntail == sizeof(rc->tail))
			return fail(e, E_INVAL, "bad %s at offset %lld", rc->name, rc->offset);
	}
	p = (char *)in;
	left = n;
	r = convert(rc, &p, &left, out, e);
	if (!r && left) {
		if (left > sizeof(rc->tail))
			return fail(e, E_INVAL, "bad %s at offset %lld", rc->name, rc->offset);
		memcpy(rc->tail, p, left);
		rc->ntail = left;
	}
	return r;
}

void recode_close(struct recode *rc)
{
	if (rc->cd != (iconv_t)-1)
		iconv_close(rc->cd);
	rc->cd = (iconv_t)-1;
}
