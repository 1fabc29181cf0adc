/*
 * attachment.h — files linked to records, stored by content.
 *
 * Storage.  A file lives once under the files directory (funnel serve
 * --files, default "<database>.files"), named by the SHA-256 of its bytes:
 *
 *     DIR/ab/cd/abcd…(64 hex digits)        the blob
 *     DIR/tmp/                              uploads being received
 *
 * An attachment is a row (table attachments) pointing at a blob with the
 * name, type and kind the uploader gave, and the record it belongs to.  The
 * same bytes uploaded twice make two rows and one blob; the blob goes when
 * the last row using it is deleted.  Blobs are placed and removed inside
 * the write transaction, so an upload and a delete of the same content
 * cannot cross (writers are serialised by the database).
 *
 * Receiving.  The HTTP layer streams an upload into a temporary file in
 * DIR/tmp while hashing and counting it, and hands attachment_create() the
 * path, size and hash: no file is ever held in memory.  attachment_create()
 * moves the temporary file into place (or removes it when the blob is
 * already there) and checks what it can without reading it all:
 *
 *   - the type is one of the allowed ones (attachment_type_allowed), and
 *     for binary types the first bytes are that type's magic ("%PDF-" for
 *     a PDF, the PNG signature …): a declared type the bytes contradict is
 *     refused;
 *   - the file name is reduced to its last path component, control
 *     characters replaced, at most 200 characters (attachment_filename);
 *   - the record exists and the caller sees it.
 *
 * Visibility follows the record: whoever sees the record sees its
 * attachments, anyone else gets E_NOTFOUND, as if there were none.  Deleting
 * needs the attachment's owner or a manager (or admin) who sees the record.
 */
#ifndef FUNNEL_ATTACHMENT_H
#define FUNNEL_ATTACHMENT_H

#include <stddef.h>

#include "core/err.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "principal.h"

#define ATTACHMENT_NAME_MAX 200 /* characters of a file name */

struct attachment {
	long long id, size, related_id, owner_id, created_by;
	char sha256[65];
	char content_type[96];
	char filename[ATTACHMENT_NAME_MAX * 4 + 1];
	char kind[33];
	char related_type[16];
	char created_at[TIME_ISO_LEN];
};

/* A file received into DIR/tmp, to become an attachment. */
struct attachment_new {
	const char *path;         /* the temporary file; moved or removed on success */
	long long size;
	const char *sha256;       /* its SHA-256, 64 lower-case hex digits */
	const char *content_type; /* as declared (parameters are ignored) */
	const char *filename, *kind, *related_type, *related_id;
	long long owner_id;       /* 0: the caller (or, for the system, the record's owner) */
};

/* Create DIR and DIR/tmp if missing.  E_IO when that fails. */
int attachment_dir_init(const char *dir, struct err *e);

/* Write `n` bytes to a new temporary file in DIR/tmp, hashing them; for
 * files made in memory (documents).  path[] gets its name, sha[] the hex
 * hash.  The caller removes the file when it does not become an
 * attachment. */
int attachment_write_temp(const char *dir, const void *data, size_t n, char *path,
			  size_t path_n, char sha[65], struct err *e);

/* The canonical form of an allowed content type ("application/pdf"), or
 * NULL when it is not allowed.  Parameters (";charset=…") and case are
 * ignored. */
const char *attachment_type_allowed(const char *content_type);
/* Do the first `n` bytes of a file fit `type` (canonical)?  Types without a
 * signature (text, csv, json) always do. */
int attachment_magic_ok(const char *type, const unsigned char *head, size_t n);
/* Reduce a file name for storing and showing: last path component, control
 * characters as '_', at most ATTACHMENT_NAME_MAX characters; "." and ".."
 * become "file".  Returns 0, or -1 when `in` is not UTF-8 or is empty. */
int attachment_filename(const char *in, char *out, size_t n);

/* Check and store a received file; fills *out.  E_INVAL (field problems),
 * E_UNSUPPORTED for a type not allowed, E_NOTFOUND when the record is not
 * there or not visible, E_IO when the file cannot be placed. */
int attachment_create(struct store *st, const struct principal *p, const char *dir,
		      const struct attachment_new *n, struct attachment *out, struct err *e);

/* Attachment `id` if p sees its record; else E_NOTFOUND. */
int attachment_get(struct store *st, const struct principal *p, long long id,
		   struct attachment *out, struct err *e);
/* Open the bytes of attachment `id` for reading: *fd (the caller closes
 * it).  E_IO when the blob is missing. */
int attachment_open(struct store *st, const struct principal *p, const char *dir, long long id,
		    struct attachment *out, int *fd, struct err *e);
/* The attachments of one record, newest first, as a JSON array. */
int attachment_list(struct store *st, const struct principal *p, const char *related_type,
		    const char *related_id, struct jw *w, struct err *e);
/* Delete the row, and the blob when no other row uses it. */
int attachment_delete(struct store *st, const struct principal *p, const char *dir,
		      long long id, struct err *e);

void attachment_json(const struct attachment *a, struct jw *w);

#endif
