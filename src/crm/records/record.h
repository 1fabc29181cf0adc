/*
 * record.h — the records of the CRM, declared once and handled by one engine.
 *
 * Each resource (accounts, contacts, leads, opportunities, activities)
 * declares its fields: name, type, bounds, flags.  From that declaration this
 * engine does everything a record needs — decode and validate input (all
 * problems at once, unknown fields refused), enforce visibility, create,
 * read, update (partial, with optimistic concurrency), delete, list (filters,
 * sorting, keyset pagination), write the audit history and print JSON.  A
 * resource adds behaviour through hooks (prepare, after_write, after_delete);
 * the opportunity uses them for its stage, probability and stage history, the
 * lead and the activity to keep the lead's score current.
 *
 * The field name is both the JSON key and the column.  Money is a pair: an
 * FT_MONEY field stored as integer minor units, and the resource's field
 * "currency" that says how many decimals it has.
 *
 * Transactions: the write functions open their own (nested as savepoints when
 * the caller already holds one), so a failure anywhere leaves nothing behind.
 */
#ifndef FUNNEL_RECORD_H
#define FUNNEL_RECORD_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "principal.h"

#define RECORD_MAX_FIELDS 32

enum ftype {
	FT_TEXT,     /* one line; max = characters */
	FT_LONGTEXT, /* several lines allowed; max = characters */
	FT_EMAIL,
	FT_INT,      /* min..max */
	FT_REF,      /* id of a record of `ref` */
	FT_ENUM,     /* one of `choices` */
	FT_DATE,     /* YYYY-MM-DD */
	FT_TIME,     /* RFC 3339 instant, stored as UTC */
	FT_MONEY,    /* decimal in the record's currency */
	FT_CURRENCY, /* ISO 4217 code */
	FT_BOOL,
	FT_PERCENT,  /* integer 0..100 */
	FT_JSON      /* a JSON object or array, kept as compact text; max = bytes
		      * (0: none); the resource's prepare() checks its shape */
};

#define FF_REQUIRED 0x01  /* must be given on create (or derived by prepare) */
#define FF_READONLY 0x02  /* set by the server only */
#define FF_FILTER 0x04    /* ?name=value[,value...] on lists */
#define FF_RANGE 0x08     /* ?name_from= and ?name_to= on lists (inclusive) */
#define FF_SORT 0x10      /* ?sort=name or -name */
#define FF_SEARCH 0x20    /* matched by ?q= */
#define FF_NOTNULL 0x40   /* may not be set to null */
#define FF_OWNER 0x80     /* the owner: reassigning needs a manager */
#define FF_VIRTUAL 0x100  /* input only, no column: prepare() consumes it */
#define FF_HIDDEN 0x200   /* a column never shown nor logged (password_hash) */
#define FF_UNIQUE 0x400   /* no two records share the value (409 naming the field) */

struct field {
	const char *name;
	enum ftype type;
	unsigned flags;
	long long min, max;
	const char *const *choices; /* FT_ENUM, NULL-terminated */
	const char *ref;            /* FT_REF: resource name, "users" or "pipelines" */
	const char *doc;
};

struct val {
	int set;   /* given by the caller (or derived) in this write */
	int null;
	long long i;
	char *s;   /* owned */
};

/* How a write was asked for, beyond its fields: a manager's override of
 * the sales process and its reason (see pipeline.h). */
struct write_opts {
	int override;
	const char *reason;
};

struct record {
	const struct resource *res;
	const struct write_opts *opts; /* the write's options, for hooks; may be NULL */
	int overridden;                /* prepare() let a refused stage move through */
	long long id, version, created_by;
	char created_at[TIME_ISO_LEN], updated_at[TIME_ISO_LEN];
	struct val v[RECORD_MAX_FIELDS];
};

enum visibility {
	VIS_OWNER,    /* owner_id in the principal's owners */
	VIS_ACCOUNT,  /* owned, or an owned opportunity is on it */
	VIS_CONTACT,  /* owned, or its account is visible */
	VIS_ACTIVITY, /* owned, or its linked opportunity/lead/account is owned */
	VIS_SELF,     /* owner_id is the principal, whatever the role: a person's
		       * own settings (saved filters), which not even an admin
		       * reads; the owner is set on create and never changes */
	VIS_ADMIN,    /* admins only: the wiring of the installation (webhooks) */
	VIS_OPPORTUNITY, /* its opportunity_id is an opportunity the principal sees
			  * (meetings: the deal's visibility, whoever holds them) */
	VIS_ALL       /* everyone reads (users, teams); last: VIS_KINDS counts on it */
};

struct resource {
	const char *name;     /* table, and URL segment unless `path` says: "opportunities" */
	const char *path;     /* URL below /api/v1 when not `name` ("scoring/rules"); may be NULL */
	const char *singular; /* "opportunity" */
	const char *doc;
	const struct field *fields;
	int nfields;
	enum visibility vis;
	enum role write_role; /* least role that may create, change or delete */
	/* An FTS5 trigram table over the FF_SEARCH fields, kept by triggers
	 * (012_lists.sql): ?q= of 3 characters or more looks there instead of
	 * reading every row with LIKE.  NULL: LIKE always. */
	const char *search_index;
	/* Derive fields and check rules across fields, before required-field and
	 * reference checks.  `old` is NULL on create. */
	int (*prepare)(struct store *st, const struct principal *p, const struct record *old,
		       struct record *rec, struct err *e);
	/* After the row is written, in the same transaction.  rec->id is set. */
	int (*after_write)(struct store *st, const struct principal *p, const struct record *old,
			   const struct record *rec, struct err *e);
	/* The bulk import's versions of prepare and after_write (crm/imports):
	 * a resource with a prepare or after_write hook goes through the bulk
	 * path only when it gives both.  bulk_prepare derives a new record's
	 * fields as prepare would on create (rec NULL: free *cache, which it
	 * may use to remember lookups across rows).  bulk_after_write writes,
	 * in one statement per table, what after_write writes per record, for
	 * the rows of the staging table temp.import_rows (a column per field,
	 * named as the field; _id the new record's id) where _bad = 0. */
	int (*bulk_prepare)(struct store *st, const struct principal *p, struct record *rec,
			    void **cache, struct err *e);
	int (*bulk_after_write)(struct store *st, const struct principal *p, struct err *e);
	const char *bulk_table; /* the table bulk_after_write adds a row to per record */
	/* After the row is deleted, in the same transaction; `old` is what it was. */
	int (*after_delete)(struct store *st, const struct principal *p, const struct record *old,
			    struct err *e);
};

/* The registry (resources.c). */
extern const struct resource *const resources[];
const struct resource *resource_find(const char *name);

int record_field(const struct resource *r, const char *name); /* index or -1 */
/* Does a list take ?<name>_set=true|false for field f (set / empty)?  The
 * filterable or ranged fields that may be empty. */
int record_field_set_filter(const struct field *f);

void record_init(struct record *rec, const struct resource *r);
void record_release(struct record *rec);
/* Set a text or integer value (marks it set). */
void record_set_text(struct record *rec, int f, const char *s);
void record_set_int(struct record *rec, int f, long long v);
void record_set_null(struct record *rec, int f);
const char *record_text(const struct record *rec, const char *field); /* NULL if null */
long long record_int(const struct record *rec, const char *field);

/* Decode `body` (a JSON object) onto rec, checking each member against the
 * declaration.  With `lenient`, every value may be a string (CSV import) and
 * empty strings mean "not given".  All problems go into `e` as field errors.*/
int record_decode(const struct resource *r, json_t *body, int lenient, struct record *rec,
		  struct err *e);

int record_get(struct store *st, const struct principal *p, const struct resource *r,
	       long long id, struct record *out, struct err *e);
/* Is record `id` of `r` there and visible to p? */
int record_visible(struct store *st, const struct principal *p, const struct resource *r,
		   long long id, struct err *e);

/* For set-based callers (crm/imports/bulk.c): does field f live in an
 * INTEGER column; and r's visibility for p as SQL over the table aliased `t`
 * (NULL: p sees every row), whose parameters record_bind_visibility() binds
 * (:owners, :owner, :me — the statement must use named parameters only
 * beside them). */
int record_field_is_int(const struct field *f);
const char *record_visibility_sql(const struct principal *p, const struct resource *r);
void record_bind_visibility(struct stmt *s, const struct principal *p);

/* out may be NULL when the caller needs only success (bulk imports): the new
 * record is then not read back. */
int record_create(struct store *st, const struct principal *p, const struct resource *r,
		  json_t *body, int lenient, struct record *out, struct err *e);
/* if_match < 0: no precondition. */
int record_update(struct store *st, const struct principal *p, const struct resource *r,
		  long long id, json_t *body, long long if_match, struct record *out,
		  struct err *e);
/* record_update with options the resource's hooks read from rec->opts. */
int record_update_opts(struct store *st, const struct principal *p, const struct resource *r,
		       long long id, json_t *body, long long if_match,
		       const struct write_opts *opts, struct record *out, struct err *e);
int record_delete(struct store *st, const struct principal *p, const struct resource *r,
		  long long id, long long if_match, struct err *e);

/* A list request, parsed from query parameters. */
struct kv {
	const char *k, *v;
};

struct list_query {
	int limit;          /* 1..200; 0 = no limit (exports) */
	int sort;           /* field index, or -1 for id */
	int desc;
	int want_total;
	char *q;
	char *after_val;    /* keyset cursor */
	long long after_id;
	int has_cursor;
	struct buf where;   /* SQL conditions after visibility */
	struct {
		int type;   /* 0 int, 1 text */
		long long i;
		char *s;
	} binds[64];
	int nbinds;
};

int list_query_parse(const struct resource *r, const struct kv *params, int n,
		     struct list_query *q, struct err *e);
void list_query_release(struct list_query *q);

/* Run q; call `each` for every row (stop early by returning non-zero).
 * *next_cursor (caller frees) is set when more rows follow; *total when asked. */
int record_list(struct store *st, const struct principal *p, const struct resource *r,
		struct list_query *q, int (*each)(const struct record *rec, void *ctx), void *ctx,
		char **next_cursor, long long *total, struct err *e);

/* The rows of q one at a time, for a caller that pulls them (a streamed
 * export): one statement over the whole list, so the caller keeps the
 * connection to itself until record_iter_close().  record_iter_next()
 * answers 1 with the next row in rec (the caller releases it), 0 at the
 * end, or minus an error code. */
struct record_iter {
	const struct resource *r;
	struct stmt *s;
};
int record_iter_open(struct store *st, const struct principal *p, const struct resource *r,
		     const struct list_query *q, struct record_iter *it, struct err *e);
int record_iter_next(struct record_iter *it, struct record *rec, struct err *e);
void record_iter_close(struct record_iter *it);

/* JSON of one record. */
void record_json(const struct record *rec, struct jw *w);
/* Its members only, into an object the caller opened (and closes): for
 * answers that add members of their own beside the record's. */
void record_json_members(const struct record *rec, struct jw *w);
/* One field's value as text (money as a decimal, booleans as true/false);
 * appends nothing for null. */
void record_value_text(const struct record *rec, int f, struct buf *b);

/* Records as CSV (RFC 4180; record_csv.c), for `funnel export` and the
 * API's exports alike: the header row — r's fields (not hidden or
 * virtual), then id, version, created_at, updated_at — and one record's
 * row, each cell as record_value_text() gives it through buf_csv_cell()
 * (quoted when needed, formulas defused), CRLF after each row.  `scratch`
 * is the caller's, reused from row to row. */
void record_csv_header(const struct resource *r, struct buf *row);
void record_csv_row(const struct record *rec, struct buf *row, struct buf *scratch);

/* The change history of one record as a JSON array. */
int record_history(struct store *st, const struct principal *p, const struct resource *r,
		   long long id, struct jw *w, struct err *e);

/* Write one audit row (used by records, users and teams). */
int history_add(struct store *st, const char *resource, long long id, const char *at,
		long long actor, const char *action, const char *field, const char *old,
		const char *new_, struct err *e);

#endif
