/*
 * vcard.h — vCard (RFC 6350, version 4.0) read and written; versions 3.0
 * (RFC 2426) and 2.1 read too.  No CRM knowledge: contacts ↔ cards is
 * crm/integrations/contact_vcard.c.
 *
 * Why by hand.  Debian's vCard C libraries are libvformat (vCard 2.1, last
 * released upstream in 2002), libvc (rolo's, 2.1, 2003) and libbelcard
 * (Linphone's, C++ only and strict 4.0: it refuses the 3.0 cards Apple and
 * Google export).  The format itself is small — lines, folding, escapes,
 * parameters — so this file is too.
 *
 * Reading, in the order it happens:
 *
 *   - lines end in CRLF, LF or CR; a line that starts with a space or a tab
 *     continues the one before (the space is dropped: RFC 6350 3.2);
 *   - a property line is  [group.]NAME *(;PARAM[=value[,value]]) : value;
 *     names are case-insensitive (handed out upper-cased); a parameter value
 *     may be "quoted" (holding ; : ,); 2.1's bare parameters (;WORK;PREF) are
 *     read as TYPE=WORK, TYPE=PREF;
 *   - 2.1's ENCODING=QUOTED-PRINTABLE is decoded, its soft line breaks
 *     (a line ending in '=') included; CHARSET UTF-8, US-ASCII and
 *     ISO-8859-1 (converted) are read, any other makes the card bad;
 *     every value must then be valid UTF-8;
 *   - cards are BEGIN:VCARD … END:VCARD with a VERSION of 2.1, 3.0 or 4.0.
 *
 * A card that breaks a rule is handed to the callback with `error` set
 * ("line 17: ...", the line being the file's) and reading goes on with the
 * next BEGIN:VCARD, so one bad card does not hide the others.  Values are
 * handed out as written (escapes still in): vcard_text() and
 * vcard_component() unescape (\n \N \, \; \\), because which separators a
 * value has depends on the property (N and ORG split on ';').
 *
 * Limits: a card of at most VCARD_CARD_MAX bytes and VCARD_PROPS_MAX
 * properties (a longer one is bad, and skipped without more memory).
 *
 * Writing: vcard_begin(), vcard_line() per property (escaped, folded at
 * 75 octets without splitting a UTF-8 character, CRLF), vcard_end().
 */
#ifndef FUNNEL_VCARD_H
#define FUNNEL_VCARD_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define VCARD_CARD_MAX (4 * 1024 * 1024) /* bytes of one card (inline photos) */
#define VCARD_PROPS_MAX 2000

struct vcard_param {
	char *name;  /* upper-cased: TYPE, PREF, CHARSET ... */
	char *value; /* quotes removed; never NULL (2.1 ;WORK is TYPE=WORK) */
};

struct vcard_prop {
	char *group; /* "item1" of item1.EMAIL, or NULL */
	char *name;  /* upper-cased */
	struct vcard_param *params;
	int nparams;
	char *value; /* UTF-8, unfolded and decoded, escapes still in */
	long long line;
};

struct vcard {
	long long line;  /* the line of BEGIN:VCARD */
	char version[4]; /* "2.1", "3.0" or "4.0" ("" when bad) */
	struct vcard_prop *props;
	int nprops;
	const char *error; /* NULL, or "line N: why" (the card is not to be used) */
	long long error_line; /* that N */
};

/* Called once per card; valid only during the call.  Non-zero stops reading
 * and vcard_parse() returns it. */
typedef int (*vcard_fn)(void *ctx, const struct vcard *card);

/* Read every card of data[0..n) (not NUL-terminated).  OK, the callback's
 * non-zero answer, or E_INTERNAL when out of memory.  Text that holds no
 * card at all is one bad card (line 1). */
int vcard_parse(const char *data, size_t n, vcard_fn fn, void *ctx, struct err *e);

/* The value of parameter `name` (case-insensitive) of p, or NULL. */
const char *vcard_param(const struct vcard_prop *p, const char *name);
/* Does p have TYPE `type` (TYPE=work,voice; TYPE="work,voice"; 2.1 ;WORK)? */
int vcard_has_type(const struct vcard_prop *p, const char *type);
/* The card's property `name`: the preferred one (PREF=1 in 4.0, TYPE=pref
 * before), else the first; NULL when there is none. */
const struct vcard_prop *vcard_get(const struct vcard *c, const char *name);

/* The value unescaped, into out (appended). */
void vcard_text(const char *value, struct buf *out);
/* Component i (0-based) of a structured value (N: family;given;additional;
 * prefixes;suffixes, ORG: name;unit...), unescaped, into out (appended;
 * nothing when there are fewer components). */
void vcard_component(const char *value, int i, struct buf *out);

/* Writing.  `name` is the property with its parameters as they go out
 * ("EMAIL;TYPE=work"; the caller writes only fixed ones).  The n values are
 * escaped and joined with ';' (a structured value: N, ORG), or with ','
 * when `list` (CATEGORIES); NULL values are written empty. */
void vcard_begin(struct buf *b); /* BEGIN:VCARD, VERSION:4.0 */
void vcard_line(struct buf *b, const char *name, const char *const *values, int n, int list);
void vcard_end(struct buf *b);

#endif
