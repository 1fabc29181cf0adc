#include "json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void jw_init(struct jw *w, struct buf *b)
{
	w->b = b;
	w->depth = 0;
	w->first[0] = 1;
	w->after_key = 0;
}

/* Before any value or key: a comma unless first at this level. */
static void sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->first[w->depth])
		buf_putc(w->b, ',');
	w->first[w->depth] = 0;
}

static void open(struct jw *w, char c)
{
	sep(w);
	buf_putc(w->b, c);
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		w->b->failed = 1;
		return;
	}
	w->first[++w->depth] = 1;
}

static void close_(struct jw *w, char c)
{
	buf_putc(w->b, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj(struct jw *w) { open(w, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr(struct jw *w) { open(w, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

void jw_key(struct jw *w, const char *k)
{
	sep(w);
	buf_json_str(w->b, k, strlen(k));
	buf_putc(w->b, ':');
	w->after_key = 1;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	sep(w);
	buf_json_str(w->b, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_int(struct jw *w, long long v)
{
	sep(w);
	buf_add_ll(w->b, v);
}

void jw_double(struct jw *w, double v)
{
	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	sep(w);
	buf_printf(w->b, "%.10g", v);
}

void jw_bool(struct jw *w, int v)
{
	sep(w);
	buf_puts(w->b, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	sep(w);
	buf_puts(w->b, "null");
}

void jw_raw(struct jw *w, const char *json)
{
	sep(w);
	buf_puts(w->b, json);
}

void jw_kstr(struct jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *k, long long v)
{
	jw_key(w, k);
	jw_int(w, v);
}

void jw_kbool(struct jw *w, const char *k, int v)
{
	jw_key(w, k);
	jw_bool(w, v);
}

int json_parse(const char *s, size_t n, json_t **out, struct err *e)
{
	json_error_t je;

	*out = NULL;
	if (n == 0)
		return fail(e, E_INVAL, "the request body is empty; a JSON object was expected");
	*out = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
	if (!*out)
		return fail(e, E_INVAL, "malformed JSON at line %d, column %d: %s",
			    je.line, je.column, je.text);
	return OK;
}

const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "unknown";
}
