/*
 * fuzz_merge.c — the merge-field parser of document templates, and the text
 * conversion for the PDF's font, on arbitrary bytes.
 *
 * Properties:
 *   - merge_parse() either hands out pieces that, put back together (each
 *     field as written, braces included), are exactly the input, or refuses
 *     with at least one problem on "body" and hands out nothing;
 *   - merge_check() agrees with it;
 *   - every field handed out names a real object and field;
 *   - document_winansi() never grows the text and never yields a control
 *     character other than a line feed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "crm/process/document.h"
#include "crm/records/resources.h"
#include "crm/records/user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int rebuild(void *ctx, const char *text, size_t n, const struct merge_ref *ref)
{
	static const struct resource *const res[] = {&account_resource, &contact_resource,
						     &opportunity_resource, &user_resource};

	if (ref) {
		if (ref->obj > MERGE_TODAY || n < 4 || memcmp(text, "{{", 2) ||
		    memcmp(text + n - 2, "}}", 2))
			abort();
		if (ref->obj != MERGE_TODAY && ref->field >= res[ref->obj]->nfields)
			abort();
	}
	buf_add(ctx, text, n);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct buf b = BUF_INIT, w = BUF_INIT;
	struct err e;
	size_t i;
	int rc;

	err_clear(&e);
	rc = merge_parse(s, size, rebuild, &b, &e);
	if (rc == OK) {
		if (b.len != size || (size && memcmp(b.data, s, size)) || e.nfields)
			abort();
	} else {
		if (rc != E_INVAL || b.len || !e.nfields || strcmp(e.fields[0].field, "body"))
			abort();
	}
	if (merge_check(s, size, NULL) != rc)
		abort();

	document_winansi(s, size, &w);
	if (w.failed || w.len > size)
		abort();
	for (i = 0; i < w.len; i++)
		if (((unsigned char)w.data[i] < 0x20 && w.data[i] != '\n') || w.data[i] == 0x7f)
			abort();
	buf_release(&b);
	buf_release(&w);
	return 0;
}
