/*
 * document.h — documents made from templates: the merge and the PDF.
 *
 * A template body (template.c) is text with merge fields:
 *
 *     Dear {{contact.first_name}}, {{account.name}} orders for
 *     {{opportunity.amount}} {{opportunity.currency}} ... {{today}}
 *
 * A merge field is `{{` object `.` field `}}` (spaces inside the braces are
 * allowed), where the object is account, contact, opportunity or owner (the
 * deal's owner, a user) and the field is any field those records declare
 * (record.h) that is shown in their JSON, or `id`; `{{today}}` is the date of
 * the merge.  Everything else is literal text; a `{{` that does not open a
 * well-formed field is an error, so a typo never reaches a customer.
 *
 * Generating a document (document_generate) merges the template with the
 * deal's records — money with the currency's decimals, a missing record or
 * value as nothing — lays the text out as a PDF with libharu (A4, Helvetica
 * in WinAnsiEncoding, a heading with the template's name and the account,
 * words wrapped, pages broken, numbered), and stores it as an attachment of
 * the deal (attachment.h) with the template's kind as its kind, so the
 * stage criteria ("a contract must be attached") see it.
 *
 * Text reaches the PDF in the font's encoding (Windows-1252): characters it
 * has are kept, Latin letters with other accents lose the accent (ł → l),
 * a few punctuation marks map to their look-alikes, anything else becomes
 * '?'; control characters are dropped.
 */
#ifndef FUNNEL_DOCUMENT_H
#define FUNNEL_DOCUMENT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"
#include "crm/records/attachment.h"
#include "crm/records/principal.h"

/* The records a merge field may name. */
enum merge_obj { MERGE_ACCOUNT, MERGE_CONTACT, MERGE_OPPORTUNITY, MERGE_OWNER, MERGE_TODAY };

/* One merge field: its object and the field's index in the object's
 * declaration (-1 for `id`; unused for today). */
struct merge_ref {
	enum merge_obj obj;
	int field;
};

/* Called for each piece of a body, in order: literal text (ref NULL; `text`
 * is not NUL-terminated) or a merge field (text/n: the field as written,
 * braces included).  A non-zero answer stops the walk and is returned. */
typedef int (*merge_fn)(void *ctx, const char *text, size_t n, const struct merge_ref *ref);

/* The longest merge field name inside the braces, in bytes. */
#define MERGE_NAME_MAX 64

/* Walk `body` (n bytes).  When it has broken or unknown merge fields, `fn`
 * is not called at all: every problem is a field error on "body" (up to
 * what struct err holds) and the answer is E_INVAL. */
int merge_parse(const char *body, size_t n, merge_fn fn, void *ctx, struct err *e);
/* merge_parse with nothing to call: is the body a valid template? */
int merge_check(const char *body, size_t n, struct err *e);

/* Append UTF-8 `s` converted to Windows-1252 for the PDF's font (see the
 * top of this file).  Line feeds are kept; other control characters are
 * dropped. */
void document_winansi(const char *s, size_t n, struct buf *out);

/* Lay out a PDF: `title` as the heading, `subtitle` under it (may be NULL),
 * then `body`, paragraphs split at line feeds.  All three are UTF-8.  The
 * file's bytes go to `out`.  E_INTERNAL when libharu fails. */
int document_pdf(const char *title, const char *subtitle, const char *body, struct buf *out,
		 struct err *e);

/* Merge template `template_id` (or, when it is 0, the first template of
 * `kind`) for opportunity `opp_id`, which p must see, make the PDF and
 * attach it to the deal in `files_dir`, owned by the deal's owner.  Fills
 * *out.  E_NOTFOUND for an unseen deal or a missing template, E_INVAL for a
 * bad kind. */
int document_generate(struct store *st, const struct principal *p, const char *files_dir,
		      long long opp_id, long long template_id, const char *kind,
		      struct attachment *out, struct err *e);

#endif
