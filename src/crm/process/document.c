/*
 * document.c — merge fields, the PDF layout and generated documents
 * (document.h).
 */
#include "document.h"

#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "crm/records/resources.h"
#include "crm/records/user.h"

/* --- merge fields ------------------------------------------------------- */

static const struct {
	const char *name;
	const struct resource *res;
} objects[] = {
	[MERGE_ACCOUNT] = {"account", &account_resource},
	[MERGE_CONTACT] = {"contact", &contact_resource},
	[MERGE_OPPORTUNITY] = {"opportunity", &opportunity_resource},
	[MERGE_OWNER] = {"owner", &user_resource},
};

/* Resolve the name inside the braces (spaces trimmed); 0 or -1. */
static int lookup(const char *s, size_t n, struct merge_ref *ref)
{
	const char *dot = memchr(s, '.', n);
	size_t on, fn;
	int i, f;

	if (n == 5 && !memcmp(s, "today", 5)) {
		ref->obj = MERGE_TODAY;
		ref->field = -1;
		return 0;
	}
	if (!dot)
		return -1;
	on = (size_t)(dot - s);
	fn = n - on - 1;
	for (i = MERGE_ACCOUNT; i <= MERGE_OWNER; i++) {
		const struct resource *r = objects[i].res;

		if (strlen(objects[i].name) != on || memcmp(objects[i].name, s, on))
			continue;
		ref->obj = (enum merge_obj)i;
		if (fn == 2 && !memcmp(dot + 1, "id", 2)) {
			ref->field = -1;
			return 0;
		}
		for (f = 0; f < r->nfields; f++) {
			if (r->fields[f].flags & (FF_HIDDEN | FF_VIRTUAL))
				continue; /* never shown, so never merged (password_hash) */
			if (strlen(r->fields[f].name) == fn && !memcmp(r->fields[f].name, dot + 1, fn)) {
				ref->field = f;
				return 0;
			}
		}
		return -1;
	}
	return -1;
}

/* One walk over the body.  With `fn` NULL only problems are counted (and
 * reported); otherwise the pieces are handed to fn. */
static int walk(const char *body, size_t n, merge_fn fn, void *ctx, int *bad, struct err *e)
{
	size_t i = 0, lit = 0, j, a, b;
	int line = 1, rc;
	struct merge_ref ref;

	while (i < n) {
		if (body[i] == '\n')
			line++;
		if (body[i] != '{' || i + 1 >= n || body[i + 1] != '{') {
			i++;
			continue;
		}
		/* a field ends at the first "}}" on its line, not far away */
		for (j = i + 2; j + 1 < n && j - i < MERGE_NAME_MAX + 18; j++)
			if (body[j] == '\n' || (body[j] == '}' && body[j + 1] == '}') ||
			    (body[j] == '{' && body[j + 1] == '{'))
				break;
		if (j + 1 >= n || body[j] != '}' || body[j + 1] != '}') {
			if (!fn && (*bad)++ < ERR_MAX_FIELDS)
				err_field(e, "body",
					  "line %d: '{{' opens no merge field; write one like "
					  "{{account.name}}",
					  line);
			i += 2;
			continue;
		}
		for (a = i + 2; a < j && body[a] == ' '; a++)
			;
		for (b = j; b > a && body[b - 1] == ' '; b--)
			;
		if (b - a > MERGE_NAME_MAX || lookup(body + a, b - a, &ref)) {
			if (!fn && (*bad)++ < ERR_MAX_FIELDS)
				err_field(e, "body",
					  "line %d: unknown merge field {{%.*s}} (use account.*, "
					  "contact.*, opportunity.*, owner.* with a field they have, or "
					  "today)",
					  line, (int)(b - a > MERGE_NAME_MAX ? MERGE_NAME_MAX : b - a),
					  body + a);
		} else if (fn) {
			if (i > lit && (rc = fn(ctx, body + lit, i - lit, NULL)))
				return rc;
			if ((rc = fn(ctx, body + i, j + 2 - i, &ref)))
				return rc;
		}
		i = j + 2;
		lit = i;
	}
	if (fn && n > lit)
		return fn(ctx, body + lit, n - lit, NULL);
	return OK;
}

int merge_parse(const char *body, size_t n, merge_fn fn, void *ctx, struct err *e)
{
	int bad = 0;

	walk(body, n, NULL, NULL, &bad, e);
	if (bad) {
		if (e && e->code != E_INVAL)
			e->code = E_INVAL;
		return E_INVAL;
	}
	return fn ? walk(body, n, fn, ctx, &bad, e) : OK;
}

int merge_check(const char *body, size_t n, struct err *e)
{
	return merge_parse(body, n, NULL, NULL, e);
}

/* --- text for the PDF's font -------------------------------------------- */

/* Windows-1252 bytes 0x80..0x9f and the code points they stand for. */
static const unsigned short cp1252_high[32] = {
	0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017d, 0,
	0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

/* U+0100..U+017F (Latin Extended-A) without their accents. */
static const char latin_ext_a[] = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLl"
				  "LlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

static int winansi_of(unsigned cp)
{
	int i;

	if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff))
		return (int)cp;
	for (i = 0; i < 32; i++)
		if (cp1252_high[i] == cp)
			return 0x80 + i;
	if (cp >= 0x100 && cp <= 0x17f)
		return latin_ext_a[cp - 0x100];
	switch (cp) {
	case 0x2010: case 0x2011: case 0x2012: case 0x2212:
		return '-';
	case 0x2015:
		return 0x97; /* em dash */
	case 0x201b: case 0x2032:
		return '\'';
	case 0x201f: case 0x2033:
		return '"';
	case 0x2000: case 0x2001: case 0x2002: case 0x2003: case 0x2004: case 0x2005:
	case 0x2006: case 0x2007: case 0x2008: case 0x2009: case 0x200a: case 0x202f:
		return ' ';
	case 0x200b: case 0x200c: case 0x200d: case 0xfeff:
		return -1; /* invisible: nothing to draw */
	}
	return '?';
}

void document_winansi(const char *s, size_t n, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned cp = u[i], len = 1, k;
		int c;

		if (cp >= 0xf8) {
			len = 1; /* no such lead byte */
		} else if (cp >= 0xf0) {
			len = 4;
			cp &= 0x07;
		} else if (cp >= 0xe0) {
			len = 3;
			cp &= 0x0f;
		} else if (cp >= 0xc0) {
			len = 2;
			cp &= 0x1f;
		}
		if (u[i] >= 0x80 && len == 1) {
			buf_putc(out, '?'); /* a stray byte: input was checked, but be safe */
			i++;
			continue;
		}
		for (k = 1; k < len; k++) {
			if (i + k >= n || (u[i + k] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (u[i + k] & 0x3f);
		}
		if (k < len) {
			buf_putc(out, '?');
			i += k;
			continue;
		}
		i += len;
		if (cp == '\n' || cp == '\t') {
			buf_putc(out, cp == '\t' ? ' ' : '\n');
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			continue; /* control characters draw nothing */
		c = winansi_of(cp);
		if (c > 0)
			buf_putc(out, (char)c);
	}
}

/* --- the PDF ------------------------------------------------------------ */

#define PAGE_W 595.276f /* A4, in points */
#define PAGE_H 841.89f
#define MARGIN 56.0f

struct layout {
	HPDF_Doc pdf;
	HPDF_Page page;
	HPDF_Font font, bold;
	float y;
	int pageno;
	HPDF_STATUS error, detail; /* the first libharu error */
};

static void on_hpdf_error(HPDF_STATUS code, HPDF_STATUS detail, void *data)
{
	struct layout *l = data;

	if (!l->error) {
		l->error = code;
		l->detail = detail;
	}
}

static void new_page(struct layout *l)
{
	char num[32];

	l->page = HPDF_AddPage(l->pdf);
	HPDF_Page_SetSize(l->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	l->pageno++;
	l->y = PAGE_H - MARGIN;
	snprintf(num, sizeof(num), "%d", l->pageno);
	HPDF_Page_BeginText(l->page);
	HPDF_Page_SetFontAndSize(l->page, l->font, 9);
	HPDF_Page_TextOut(l->page, PAGE_W - MARGIN - HPDF_Page_TextWidth(l->page, num),
			  MARGIN / 2, num);
	HPDF_Page_EndText(l->page);
}

/* Draw a paragraph (WinAnsi, NUL-terminated), wrapped at words, breaking
 * pages as needed. */
static void paragraph(struct layout *l, char *s, HPDF_Font font, float size, float leading)
{
	const float width = PAGE_W - 2 * MARGIN;

	if (!*s) {
		l->y -= leading;
		return;
	}
	while (*s && !l->error) {
		HPDF_REAL used;
		HPDF_UINT fit;
		size_t end;
		char keep;

		if (l->y - leading < MARGIN)
			new_page(l);
		HPDF_Page_SetFontAndSize(l->page, font, size);
		fit = HPDF_Page_MeasureText(l->page, s, width, HPDF_TRUE, &used);
		if (!fit) /* one word wider than the line: cut it */
			fit = HPDF_Page_MeasureText(l->page, s, width, HPDF_FALSE, &used);
		if (!fit)
			fit = 1;
		end = fit;
		while (end > 1 && s[end - 1] == ' ')
			end--;
		keep = s[end];
		s[end] = '\0';
		l->y -= leading;
		HPDF_Page_BeginText(l->page);
		HPDF_Page_TextOut(l->page, MARGIN, l->y, s);
		HPDF_Page_EndText(l->page);
		s[end] = keep;
		s += fit;
		while (*s == ' ')
			s++;
	}
}

/* Each line of `text` (UTF-8) as a paragraph. */
static void text_block(struct layout *l, const char *text, HPDF_Font font, float size,
		       float leading)
{
	struct buf w = BUF_INIT;
	char *line, *nl;

	document_winansi(text, strlen(text), &w);
	for (line = w.data; line && !l->error; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		paragraph(l, line, font, size, leading);
	}
	buf_release(&w);
}

int document_pdf(const char *title, const char *subtitle, const char *body, struct buf *out,
		 struct err *e)
{
	struct layout l;
	struct buf t = BUF_INIT;
	HPDF_UINT32 size, got;
	HPDF_STATUS st;

	memset(&l, 0, sizeof(l));
	l.pdf = HPDF_New(on_hpdf_error, &l);
	if (!l.pdf)
		return fail(e, E_INTERNAL, "cannot start a PDF (out of memory)");
	HPDF_SetCompressionMode(l.pdf, HPDF_COMP_ALL);
	l.font = HPDF_GetFont(l.pdf, "Helvetica", "WinAnsiEncoding");
	l.bold = HPDF_GetFont(l.pdf, "Helvetica-Bold", "WinAnsiEncoding");
	document_winansi(title, strlen(title), &t);
	HPDF_SetInfoAttr(l.pdf, HPDF_INFO_TITLE, t.data);
	HPDF_SetInfoAttr(l.pdf, HPDF_INFO_CREATOR, "Funnel");
	buf_release(&t);
	new_page(&l);

	text_block(&l, title, l.bold, 18, 24);
	if (subtitle && *subtitle)
		text_block(&l, subtitle, l.font, 12, 18);
	/* a rule between the heading and the text */
	l.y -= 10;
	HPDF_Page_SetLineWidth(l.page, 0.5);
	HPDF_Page_MoveTo(l.page, MARGIN, l.y);
	HPDF_Page_LineTo(l.page, PAGE_W - MARGIN, l.y);
	HPDF_Page_Stroke(l.page);
	l.y -= 10;
	text_block(&l, body, l.font, 11, 15);

	if (!l.error)
		HPDF_SaveToStream(l.pdf);
	size = l.error ? 0 : HPDF_GetStreamSize(l.pdf);
	if (!l.error && buf_grow(out, size) == 0) {
		HPDF_ResetStream(l.pdf);
		while (out->len < out->alloc - 1 && !l.error) {
			got = (HPDF_UINT32)(out->alloc - 1 - out->len);
			st = HPDF_ReadFromStream(l.pdf, (HPDF_BYTE *)out->data + out->len, &got);
			out->len += got;
			if (st == HPDF_STREAM_EOF || !got)
				break;
		}
		out->data[out->len] = '\0';
	}
	if (l.error || out->failed || out->len != size) {
		HPDF_Free(l.pdf);
		return fail(e, E_INTERNAL, "cannot make the PDF (libharu error 0x%04lX/%lu)",
			    (unsigned long)l.error, (unsigned long)l.detail);
	}
	HPDF_Free(l.pdf);
	return OK;
}

/* --- generated documents ------------------------------------------------ */

static const char *const template_kinds[] = {"welcome_letter", "contract", "proposal", "other",
					     NULL};

struct merge_values {
	const struct record *recs[4]; /* by enum merge_obj; NULL when there is none */
	char today[11];
	struct buf *out;
};

static int put_piece(void *ctx, const char *text, size_t n, const struct merge_ref *ref)
{
	struct merge_values *mv = ctx;
	const struct record *rec;

	if (!ref) {
		buf_add(mv->out, text, n);
		return 0;
	}
	if (ref->obj == MERGE_TODAY) {
		buf_puts(mv->out, mv->today);
		return 0;
	}
	rec = mv->recs[ref->obj];
	if (!rec)
		return 0;
	if (ref->field < 0)
		buf_add_ll(mv->out, rec->id);
	else
		record_value_text(rec, ref->field, mv->out); /* money with its decimals */
	return 0;
}

struct template_row {
	long long id;
	char kind[16], name[ATTACHMENT_NAME_MAX * 4 + 1];
	char *body;
};

static int load_template(struct store *st, long long id, const char *kind,
			 struct template_row *t, struct err *e)
{
	struct stmt *s;
	int rc;

	s = store_prepare(st,
			  id ? "SELECT id, kind, name, body FROM templates WHERE id = ?"
			     : "SELECT id, kind, name, body FROM templates WHERE kind = ? ORDER BY "
			       "id LIMIT 1",
			  e);
	if (!s)
		return E_INTERNAL;
	if (id)
		stmt_bind_int(s, 1, id);
	else
		stmt_bind_text(s, 1, kind);
	rc = stmt_step(s, e);
	if (!rc && !stmt_row(s))
		rc = id ? fail(e, E_NOTFOUND, "no template with id %lld", id)
			: fail(e, E_NOTFOUND, "there is no %s template", kind);
	if (!rc) {
		t->id = stmt_int(s, 0);
		snprintf(t->kind, sizeof(t->kind), "%s", stmt_text(s, 1));
		snprintf(t->name, sizeof(t->name), "%s", stmt_text(s, 2));
		t->body = strdup(stmt_text(s, 3));
		if (!t->body)
			rc = fail(e, E_INTERNAL, "out of memory");
	}
	stmt_done(s);
	return rc;
}

int document_generate(struct store *st, const struct principal *p, const char *files_dir,
		      long long opp_id, long long template_id, const char *kind,
		      struct attachment *out, struct err *e)
{
	struct record opp, account, contact, owner;
	struct template_row t = {0};
	struct merge_values mv;
	struct buf text = BUF_INIT, pdf = BUF_INIT, name = BUF_INIT;
	struct attachment_new an;
	char tmp[4096] = "", sha[65], rid[24];
	int rc, i, have_contact = 0;

	record_init(&opp, &opportunity_resource);
	record_init(&account, &account_resource);
	record_init(&contact, &contact_resource);
	record_init(&owner, &user_resource);
	if (!template_id) {
		for (i = 0; kind && template_kinds[i] && strcmp(kind, template_kinds[i]); i++)
			;
		if (!kind || !template_kinds[i])
			return err_field(e, kind ? "kind" : "template_id",
					 kind ? "must be welcome_letter, contract, proposal or other"
					      : "give template_id, or the kind of document");
	}
	/* the deal must be the caller's to see; what hangs off it then is shown
	 * in the document whoever owns it */
	rc = record_get(st, p, &opportunity_resource, opp_id, &opp, e);
	if (rc)
		goto out;
	rc = load_template(st, template_id, kind, &t, e);
	if (!rc)
		rc = record_get(st, NULL, &account_resource, record_int(&opp, "account_id"),
				&account, e);
	if (!rc && record_int(&opp, "contact_id")) {
		rc = record_get(st, NULL, &contact_resource, record_int(&opp, "contact_id"),
				&contact, e);
		have_contact = !rc;
	}
	if (!rc)
		rc = record_get(st, NULL, &user_resource, record_int(&opp, "owner_id"), &owner, e);
	if (rc)
		goto out;

	memset(&mv, 0, sizeof(mv));
	mv.recs[MERGE_ACCOUNT] = &account;
	mv.recs[MERGE_CONTACT] = have_contact ? &contact : NULL;
	mv.recs[MERGE_OPPORTUNITY] = &opp;
	mv.recs[MERGE_OWNER] = &owner;
	time_date(time_now(), mv.today);
	mv.out = &text;
	rc = merge_parse(t.body, strlen(t.body), put_piece, &mv, e);
	if (rc) {
		/* stored before the check existed, or edited in the database */
		rc = fail(e, E_CONFLICT, "template %lld has broken merge fields; fix it first",
			  t.id);
		goto out;
	}
	rc = document_pdf(t.name, record_text(&account, "name"), text.data, &pdf, e);
	if (rc)
		goto out;
	rc = attachment_write_temp(files_dir, pdf.data, pdf.len, tmp, sizeof(tmp), sha, e);
	if (rc)
		goto out;
	buf_printf(&name, "%s - %s.pdf", t.name, record_text(&account, "name"));
	snprintf(rid, sizeof(rid), "%lld", opp_id);
	memset(&an, 0, sizeof(an));
	an.path = tmp;
	an.size = (long long)pdf.len;
	an.sha256 = sha;
	an.content_type = "application/pdf";
	an.filename = name.data;
	an.kind = t.kind;
	an.related_type = "opportunity";
	an.related_id = rid;
	an.owner_id = record_int(&opp, "owner_id");
	rc = attachment_create(st, p, files_dir, &an, out, e);
out:
	if (tmp[0])
		unlink(tmp); /* gone already when it became the blob */
	free(t.body);
	buf_release(&text);
	buf_release(&pdf);
	buf_release(&name);
	record_release(&opp);
	record_release(&account);
	record_release(&contact);
	record_release(&owner);
	return rc;
}
