/*
 * attachment.c — files linked to records, stored by content (attachment.h).
 */
#include "attachment.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/utf8.h"
#include "record.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

/* --- types -------------------------------------------------------------- */

static int starts(const unsigned char *h, size_t n, const char *sig, size_t len)
{
	return n >= len && !memcmp(h, sig, len);
}

static int m_pdf(const unsigned char *h, size_t n)
{
	return starts(h, n, "%PDF-", 5);
}

static int m_png(const unsigned char *h, size_t n)
{
	return starts(h, n, "\x89PNG\r\n\x1a\n", 8);
}

static int m_jpeg(const unsigned char *h, size_t n)
{
	return starts(h, n, "\xff\xd8\xff", 3);
}

static int m_gif(const unsigned char *h, size_t n)
{
	return starts(h, n, "GIF87a", 6) || starts(h, n, "GIF89a", 6);
}

static int m_webp(const unsigned char *h, size_t n)
{
	return starts(h, n, "RIFF", 4) && n >= 12 && !memcmp(h + 8, "WEBP", 4);
}

static int m_wav(const unsigned char *h, size_t n)
{
	return starts(h, n, "RIFF", 4) && n >= 12 && !memcmp(h + 8, "WAVE", 4);
}

/* docx, xlsx, pptx, odt and zip are all zip archives */
static int m_zip(const unsigned char *h, size_t n)
{
	return starts(h, n, "PK\x03\x04", 4) || starts(h, n, "PK\x05\x06", 4);
}

static int m_mp4(const unsigned char *h, size_t n)
{
	return n >= 8 && !memcmp(h + 4, "ftyp", 4);
}

static int m_webm(const unsigned char *h, size_t n)
{
	return starts(h, n, "\x1a\x45\xdf\xa3", 4);
}

static int m_ogg(const unsigned char *h, size_t n)
{
	return starts(h, n, "OggS", 4);
}

/* an ID3 tag, or straight into an MPEG audio frame (11 sync bits) */
static int m_mp3(const unsigned char *h, size_t n)
{
	return starts(h, n, "ID3", 3) || (n >= 2 && h[0] == 0xff && (h[1] & 0xe0) == 0xe0);
}

/* The types a file may have, each with the other names clients send for it
 * and how its first bytes look (NULL: no signature to check). */
static const struct {
	const char *type;
	const char *aliases[4];
	int (*magic)(const unsigned char *h, size_t n);
} types[] = {
	{"application/pdf", {NULL}, m_pdf},
	{"image/png", {NULL}, m_png},
	{"image/jpeg", {"image/jpg", "image/pjpeg", NULL}, m_jpeg},
	{"image/gif", {NULL}, m_gif},
	{"image/webp", {NULL}, m_webp},
	{"text/plain", {NULL}, NULL},
	{"text/csv", {"application/csv", NULL}, NULL},
	{"application/json", {NULL}, NULL},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", {NULL}, m_zip},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {NULL}, m_zip},
	{"application/vnd.openxmlformats-officedocument.presentationml.presentation", {NULL}, m_zip},
	{"application/vnd.oasis.opendocument.text", {NULL}, m_zip},
	{"application/zip", {"application/x-zip-compressed", NULL}, m_zip},
	{"video/mp4", {NULL}, m_mp4},
	{"video/webm", {"audio/webm", NULL}, m_webm},
	{"audio/ogg", {"video/ogg", "application/ogg", NULL}, m_ogg},
	{"audio/mpeg", {"audio/mp3", NULL}, m_mp3},
	{"audio/wav", {"audio/wave", "audio/x-wav", "audio/vnd.wave"}, m_wav},
};

const char *attachment_type_allowed(const char *content_type)
{
	char t[128];
	size_t n;
	int i, j;

	if (!content_type)
		return NULL;
	n = strcspn(content_type, ";");
	while (n && content_type[n - 1] == ' ')
		n--;
	if (n >= sizeof(t))
		return NULL;
	memcpy(t, content_type, n);
	t[n] = '\0';
	for (i = 0; i < N(types); i++) {
		if (!strcasecmp(t, types[i].type))
			return types[i].type;
		for (j = 0; j < 4 && types[i].aliases[j]; j++)
			if (!strcasecmp(t, types[i].aliases[j]))
				return types[i].type;
	}
	return NULL;
}

int attachment_magic_ok(const char *type, const unsigned char *head, size_t n)
{
	int i;

	for (i = 0; i < N(types); i++)
		if (!strcmp(type, types[i].type))
			return !types[i].magic || types[i].magic(head, n);
	return 0;
}

/* --- names -------------------------------------------------------------- */

int attachment_filename(const char *in, char *out, size_t n)
{
	const char *base = in, *s;
	size_t len, o = 0, chars = 0;

	if (!in || !*in || !utf8_valid(in, strlen(in)) || n < 8)
		return -1;
	/* only the last component: "../../etc/passwd" and "C:\x\y.pdf" name a
	 * file, not a place */
	for (s = in; *s; s++)
		if (*s == '/' || *s == '\\')
			base = s + 1;
	while (*base == ' ')
		base++;
	len = strlen(base);
	while (len && (base[len - 1] == ' ' || base[len - 1] == '.'))
		len--;
	for (s = base; s < base + len && chars < ATTACHMENT_NAME_MAX; chars++) {
		unsigned char c = (unsigned char)*s;
		size_t cl = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

		if (o + cl + 1 > n)
			break;
		if (c < 0x20 || c == 0x7f) {
			out[o++] = '_';
			s++;
			continue;
		}
		memcpy(out + o, s, cl);
		o += cl;
		s += cl;
	}
	out[o] = '\0';
	if (!o || !strcmp(out, ".") || !strcmp(out, ".."))
		snprintf(out, n, "file");
	return 0;
}

static int kind_ok(const char *k)
{
	size_t i;

	for (i = 0; k[i]; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return 0;
	return i > 0 && i <= 32;
}

static int sha_ok(const char *s)
{
	size_t i;

	for (i = 0; s && s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s && i == 64;
}

/* The declared record type for a related_type, or NULL. */
static const struct resource *related_resource(const char *t)
{
	static const char *const names[][2] = {{"account", "accounts"},
					       {"contact", "contacts"},
					       {"lead", "leads"},
					       {"opportunity", "opportunities"}};
	int i;

	for (i = 0; t && i < N(names); i++)
		if (!strcmp(t, names[i][0]))
			return resource_find(names[i][1]);
	return NULL;
}

static int parse_id(const char *s, long long *id)
{
	char *end;

	if (!s || *s < '1' || *s > '9' || strlen(s) > 18)
		return -1;
	*id = strtoll(s, &end, 10);
	return *end ? -1 : 0;
}

/* Is record (type, id) there and visible to p?  E_NOTFOUND with words. */
static int related_visible(struct store *st, const struct principal *p, const char *type,
			   long long id, struct err *e)
{
	const struct resource *r = related_resource(type);
	int rc;

	if (!r)
		return fail(e, E_NOTFOUND, "no %s with id %lld", type, id);
	rc = record_visible(st, p, r, id, e);
	if (rc == E_NOTFOUND)
		return fail(e, E_NOTFOUND, "no %s with id %lld", type, id);
	return rc;
}

/* --- files -------------------------------------------------------------- */

static int mkdir_p1(const char *path, mode_t mode)
{
	return mkdir(path, mode) && errno != EEXIST ? -1 : 0;
}

int attachment_dir_init(const char *dir, struct err *e)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s/tmp", dir) >= (int)sizeof(tmp))
		return fail(e, E_IO, "the files directory's path is too long");
	if (mkdir_p1(dir, 0750) || mkdir_p1(tmp, 0700))
		return fail(e, E_IO, "cannot create %s: %s", tmp, strerror(errno));
	return OK;
}

static void blob_path(const char *dir, const char *sha, char *out, size_t n)
{
	snprintf(out, n, "%s/%.2s/%.2s/%s", dir, sha, sha + 2, sha);
}

int attachment_write_temp(const char *dir, const void *data, size_t n, char *path,
			  size_t path_n, char sha[65], struct err *e)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	const char *p = data;
	size_t done = 0;
	int fd;

	snprintf(path, path_n, "%s/tmp/doc-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return fail(e, E_IO, "cannot create a file in %s/tmp: %s", dir, strerror(errno));
	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(path);
			return fail(e, E_IO, "cannot write %s: %s", path, strerror(errno));
		}
		done += (size_t)w;
	}
	close(fd);
	crypto_hash_sha256(h, data, n);
	sodium_bin2hex(sha, 65, h, sizeof(h));
	return OK;
}

/* Put the received file at its content address; *placed says whether this
 * call created the blob (so a failure after it can take it back). */
static int place_blob(const char *dir, const char *tmp, const char *sha, int *placed,
		      struct err *e)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct stat sb;
	int fd;

	*placed = 0;
	blob_path(dir, sha, path, sizeof(path));
	if (!stat(path, &sb)) {
		unlink(tmp); /* stored already: the same content is kept once */
		return OK;
	}
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, sha);
	if (mkdir_p1(sub, 0750))
		goto fail;
	snprintf(sub, sizeof(sub), "%s/%.2s/%.2s", dir, sha, sha + 2);
	if (mkdir_p1(sub, 0750))
		goto fail;
	/* on disk before the row that points at it is committed */
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd)) {
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	if (rename(tmp, path))
		goto fail;
	*placed = 1;
	return OK;
fail:
	return fail(e, E_IO, "cannot store the file: %s", strerror(errno));
}

/* --- rows --------------------------------------------------------------- */

#define COLUMNS                                                                               \
	"id, sha256, size, content_type, filename, coalesce(kind, ''), related_type, related_id, " \
	"owner_id, coalesce(created_by, 0), created_at"

static void read_row(struct stmt *s, struct attachment *a)
{
	memset(a, 0, sizeof(*a));
	a->id = stmt_int(s, 0);
	snprintf(a->sha256, sizeof(a->sha256), "%s", stmt_text(s, 1));
	a->size = stmt_int(s, 2);
	snprintf(a->content_type, sizeof(a->content_type), "%s", stmt_text(s, 3));
	snprintf(a->filename, sizeof(a->filename), "%s", stmt_text(s, 4));
	snprintf(a->kind, sizeof(a->kind), "%s", stmt_text(s, 5));
	snprintf(a->related_type, sizeof(a->related_type), "%s", stmt_text(s, 6));
	a->related_id = stmt_int(s, 7);
	a->owner_id = stmt_int(s, 8);
	a->created_by = stmt_int(s, 9);
	snprintf(a->created_at, sizeof(a->created_at), "%s", stmt_text(s, 10));
}

/* The row alone, whoever asks. */
static int load(struct store *st, long long id, struct attachment *out, struct err *e)
{
	struct stmt *s = store_prepare(st, "SELECT " COLUMNS " FROM attachments WHERE id = ?", e);
	int rc;

	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = fail(e, E_NOTFOUND, "no attachment with id %lld", id);
	if (!rc)
		read_row(s, out);
	stmt_done(s);
	return rc;
}

int attachment_get(struct store *st, const struct principal *p, long long id,
		   struct attachment *out, struct err *e)
{
	int rc = load(st, id, out, e);

	if (!rc && related_visible(st, p, out->related_type, out->related_id, e) == E_NOTFOUND)
		return fail(e, E_NOTFOUND, "no attachment with id %lld", id);
	return rc;
}

static int record_owner(struct store *st, const struct resource *r, long long id,
			long long *owner, struct err *e)
{
	char sql[128];
	struct stmt *s;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT owner_id FROM %s WHERE id = ?", r->name);
	s = store_prepare(st, sql, e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, id);
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = fail(e, E_NOTFOUND, "no %s with id %lld", r->singular, id);
	if (!rc)
		*owner = stmt_int(s, 0);
	stmt_done(s);
	return rc;
}

int attachment_create(struct store *st, const struct principal *p, const char *dir,
		      const struct attachment_new *n, struct attachment *out, struct err *e)
{
	char name[sizeof(out->filename)], now[TIME_ISO_LEN];
	unsigned char head[16];
	const struct resource *r = related_resource(n->related_type);
	const char *type = NULL;
	long long rid = 0, owner = n->owner_id, id = 0;
	struct stmt *s = NULL;
	int rc, fd, placed = 0;
	ssize_t got = 0;

	memset(out, 0, sizeof(*out));
	/* every problem with the request at once */
	if (!n->related_type)
		err_field(e, "related_type", "say which kind of record the file belongs to");
	else if (!r)
		err_field(e, "related_type", "must be account, contact, lead or opportunity");
	if (parse_id(n->related_id, &rid))
		err_field(e, "related_id", "must be the id of the record");
	if (!n->filename)
		err_field(e, "filename", "give the file's name");
	else if (attachment_filename(n->filename, name, sizeof(name)))
		err_field(e, "filename", "must be a non-empty UTF-8 name");
	if (n->kind && !kind_ok(n->kind))
		err_field(e, "kind", "must be a word of a-z, 0-9 and _ (proposal, contract, ...)");
	if (!n->content_type)
		err_field(e, "Content-Type", "say what type the file is");
	if (n->size <= 0)
		err_field(e, "body", "the file is empty");
	if (!sha_ok(n->sha256))
		return fail(e, E_INTERNAL, "the upload's hash is missing");
	if (e && e->nfields)
		return E_INVAL;
	type = attachment_type_allowed(n->content_type);
	if (!type)
		return fail(e, E_UNSUPPORTED,
			    "files of type %.80s are not accepted (PDF, images, text, CSV, JSON, "
			    "office documents, zip, audio and video are)",
			    n->content_type);
	rc = related_visible(st, p, n->related_type, rid, e);
	if (rc)
		return rc;

	/* what the bytes say they are */
	fd = open(n->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		got = read(fd, head, sizeof(head));
		close(fd);
	}
	if (fd < 0 || got < 0)
		return fail(e, E_IO, "cannot read the upload: %s", strerror(errno));
	if (!attachment_magic_ok(type, head, (size_t)got))
		return err_field(e, "Content-Type", "the file's content is not %s", type);

	rc = store_begin(st, e);
	if (rc)
		return rc;
	if (!owner)
		owner = p->user_id;
	if (!owner) {
		rc = record_owner(st, r, rid, &owner, e);
		if (rc)
			goto fail;
	}
	rc = place_blob(dir, n->path, n->sha256, &placed, e);
	if (rc)
		goto fail;
	time_iso(time_now(), now);
	s = store_prepare(st,
			  "INSERT INTO attachments (sha256, size, content_type, filename, kind, "
			  "related_type, related_id, owner_id, created_by, created_at, updated_at) "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_text(s, 1, n->sha256);
	stmt_bind_int(s, 2, n->size);
	stmt_bind_text(s, 3, type);
	stmt_bind_text(s, 4, name);
	stmt_bind_text(s, 5, n->kind);
	stmt_bind_text(s, 6, n->related_type);
	stmt_bind_int(s, 7, rid);
	stmt_bind_int(s, 8, owner);
	if (p->user_id)
		stmt_bind_int(s, 9, p->user_id);
	else
		stmt_bind_null(s, 9);
	stmt_bind_text(s, 10, now);
	stmt_bind_text(s, 11, now);
	rc = stmt_step(s, e);
	if (!rc)
		id = stmt_int(s, 0);
	stmt_step(s, NULL);
	stmt_done(s);
	if (rc)
		goto fail;
	/* on the record's audit trail: which file came, by whom */
	rc = history_add(st, r->name, rid, now, p->user_id, "update", "attachments", NULL, name, e);
	if (!rc)
		rc = load(st, id, out, e);
	if (!rc)
		rc = store_commit(st, e);
fail:
	if (rc) {
		store_rollback(st);
		if (placed) {
			char path[PATH_MAX];

			blob_path(dir, n->sha256, path, sizeof(path));
			unlink(path);
		}
	}
	return rc;
}

int attachment_open(struct store *st, const struct principal *p, const char *dir, long long id,
		    struct attachment *out, int *fd, struct err *e)
{
	char path[PATH_MAX];
	struct stat sb;
	int rc = attachment_get(st, p, id, out, e);

	*fd = -1;
	if (rc)
		return rc;
	blob_path(dir, out->sha256, path, sizeof(path));
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return fail(e, E_IO, "the file of attachment %lld is missing from the store", id);
	if (fstat(*fd, &sb) || sb.st_size != out->size) {
		close(*fd);
		*fd = -1;
		return fail(e, E_IO, "the file of attachment %lld is damaged in the store", id);
	}
	return OK;
}

int attachment_list(struct store *st, const struct principal *p, const char *related_type,
		    const char *related_id, struct jw *w, struct err *e)
{
	struct attachment a;
	struct stmt *s;
	long long rid = 0;
	int rc;

	if (!related_resource(related_type))
		err_field(e, "related_type", "must be account, contact, lead or opportunity");
	if (parse_id(related_id, &rid))
		err_field(e, "related_id", "must be the id of the record");
	if (e && e->nfields)
		return E_INVAL;
	rc = related_visible(st, p, related_type, rid, e);
	if (rc)
		return rc;
	s = store_prepare(st,
			  "SELECT " COLUMNS " FROM attachments WHERE related_type = ? AND "
			  "related_id = ? ORDER BY id DESC",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_text(s, 1, related_type);
	stmt_bind_int(s, 2, rid);
	jw_arr(w);
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		read_row(s, &a);
		attachment_json(&a, w);
	}
	jw_arr_end(w);
	stmt_done(s);
	return rc;
}

int attachment_delete(struct store *st, const struct principal *p, const char *dir,
		      long long id, struct err *e)
{
	const struct resource *r;
	struct attachment a;
	struct stmt *s;
	char now[TIME_ISO_LEN], path[PATH_MAX];
	int rc, used = 1;

	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = attachment_get(st, p, id, &a, e);
	if (rc)
		goto fail;
	if (a.owner_id != p->user_id && !principal_is_manager(p)) {
		rc = fail(e, E_FORBIDDEN, "only the file's owner or a manager may delete it");
		goto fail;
	}
	rc = store_run(st, e, "DELETE FROM attachments WHERE id = ?", "i", id);
	if (rc)
		goto fail;
	r = related_resource(a.related_type);
	time_iso(time_now(), now);
	rc = history_add(st, r->name, a.related_id, now, p->user_id, "update", "attachments",
			 a.filename, NULL, e);
	if (rc)
		goto fail;
	s = store_prepare(st, "SELECT EXISTS (SELECT 1 FROM attachments WHERE sha256 = ?)", e);
	if (!s) {
		rc = E_INTERNAL;
		goto fail;
	}
	stmt_bind_text(s, 1, a.sha256);
	rc = stmt_step(s, e);
	used = stmt_row(s) && stmt_int(s, 0);
	stmt_done(s);
	if (rc)
		goto fail;
	/* inside the transaction: an upload of the same bytes waits for it */
	if (!used) {
		blob_path(dir, a.sha256, path, sizeof(path));
		if (unlink(path) && errno != ENOENT) {
			rc = fail(e, E_IO, "cannot remove %s: %s", path, strerror(errno));
			goto fail;
		}
	}
	rc = store_commit(st, e);
fail:
	if (rc)
		store_rollback(st);
	return rc;
}

void attachment_json(const struct attachment *a, struct jw *w)
{
	char url[64];

	snprintf(url, sizeof(url), "/api/v1/attachments/%lld/content", a->id);
	jw_obj(w);
	jw_kint(w, "id", a->id);
	jw_kstr(w, "filename", a->filename);
	jw_kstr(w, "content_type", a->content_type);
	jw_kint(w, "size", a->size);
	jw_kstr(w, "sha256", a->sha256);
	jw_kstr(w, "kind", a->kind[0] ? a->kind : NULL);
	jw_kstr(w, "related_type", a->related_type);
	jw_kint(w, "related_id", a->related_id);
	jw_kint(w, "owner_id", a->owner_id);
	jw_key(w, "created_by");
	if (a->created_by)
		jw_int(w, a->created_by);
	else
		jw_null(w);
	jw_kstr(w, "created_at", a->created_at);
	jw_kstr(w, "url", url);
	jw_obj_end(w);
}
