/*
 * record_csv.c — records as CSV rows (record.h), the one writer behind
 * `funnel export` and the API's exports, so a file from either reads back
 * through `funnel import`.
 */
#include "record.h"

static int shown(const struct field *f)
{
	return !(f->flags & (FF_HIDDEN | FF_VIRTUAL));
}

void record_csv_header(const struct resource *r, struct buf *row)
{
	int i, first = 1;

	for (i = 0; i < r->nfields; i++) {
		if (!shown(&r->fields[i]))
			continue;
		if (!first)
			buf_putc(row, ',');
		buf_csv_cell(row, r->fields[i].name);
		first = 0;
	}
	buf_puts(row, ",id,version,created_at,updated_at\r\n");
}

void record_csv_row(const struct record *rec, struct buf *row, struct buf *scratch)
{
	const struct resource *r = rec->res;
	int i, first = 1;

	for (i = 0; i < r->nfields; i++) {
		if (!shown(&r->fields[i]))
			continue;
		if (!first)
			buf_putc(row, ',');
		buf_reset(scratch);
		record_value_text(rec, i, scratch);
		buf_csv_cell(row, scratch->data);
		first = 0;
	}
	buf_printf(row, ",%lld,%lld,", rec->id, rec->version);
	buf_csv_cell(row, rec->created_at);
	buf_putc(row, ',');
	buf_csv_cell(row, rec->updated_at);
	buf_puts(row, "\r\n");
}
