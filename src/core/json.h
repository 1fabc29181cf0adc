/*
 * json.h — JSON in and out.
 *
 * Out: `struct jw` writes JSON straight into a struct buf, placing commas
 * itself; it is the only way Funnel produces JSON, so every string goes
 * through one escaper (buf_json_str).  Nesting is limited to JW_MAX_DEPTH.
 *
 * In: json_parse() wraps jansson once.  It rejects malformed JSON, invalid
 * UTF-8, duplicate keys and NUL bytes with an E_INVAL whose message says where,
 * and hands back a jansson value the caller must json_decref().
 */
#ifndef FUNNEL_JSON_H
#define FUNNEL_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

#define JW_MAX_DEPTH 32

struct jw {
	struct buf *b;
	int depth;
	unsigned char first[JW_MAX_DEPTH]; /* no value yet at this level */
	int after_key;
};

void jw_init(struct jw *w, struct buf *b);
void jw_obj(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *s);    /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, long long v);
void jw_double(struct jw *w, double v);      /* non-finite writes null */
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
void jw_raw(struct jw *w, const char *json); /* already-valid JSON text */

/* key + value in one call */
void jw_kstr(struct jw *w, const char *k, const char *s);
void jw_kint(struct jw *w, const char *k, long long v);
void jw_kbool(struct jw *w, const char *k, int v);

/* Parse `n` bytes of JSON.  On success *out is a new reference. */
int json_parse(const char *s, size_t n, json_t **out, struct err *e);

/* The JSON type name of v, for messages ("string", "number", ...). */
const char *json_type_name(const json_t *v);

#endif
