/*
 * contact_vcard.h — contacts as vCards (RFC 6350; core/vcard.h reads and
 * writes the format), out and in.
 *
 * Out, one card per contact, version 4.0:
 *
 *   UID   <public url>/contacts/<id>     (a URI, stable)
 *   FN    first last                      N  last;first;;;
 *   ORG   the account's name (when the reader sees the account)
 *   EMAIL;TYPE=work   TEL;TYPE=work,voice   TITLE
 *   X-FUNNEL-DECISION-MAKER:TRUE          (when so; read back on import)
 *   REV   updated_at                      PRODID
 *
 * In, versions 4.0, 3.0 and 2.1 (what Apple Contacts, Google Contacts and
 * phones export): N gives last and first name (else FN, its last word the
 * last name); EMAIL, TEL the preferred one (PREF=1, TYPE=pref) or the first;
 * TITLE; ORG's first part names the account — an account the importer sees
 * by that name (case-insensitive), else a new one by that name, or, without
 * ORG, the import's default account_id.  A card whose e-mail is a contact
 * the importer sees already updates it (the fields the card has) instead of
 * making another.  Each card goes through the record engine as an API write
 * would (same checks, same history).  A card that cannot be used — broken
 * syntax, no name, a field the engine refuses — is reported with its line
 * ("line 12: email: is not an e-mail address").
 *
 * All or nothing by default, as `funnel import`: one bad card and nothing is
 * written; with `partial` the good cards are kept.
 */
#ifndef FUNNEL_CONTACT_VCARD_H
#define FUNNEL_CONTACT_VCARD_H

#include "core/buf.h"
#include "core/err.h"
#include "crm/records/record.h"
#include "store/store.h"

#define VCARD_ACCOUNT_CACHE 64 /* account names remembered while writing a list */

/* What writing cards remembers between them: account names by id. */
struct vcard_writer {
	struct {
		long long id;
		char name[201];
	} accounts[VCARD_ACCOUNT_CACHE];
};

/* Contact rec (a contact_resource record p sees) as one vCard appended to
 * out.  w may be NULL (one card). */
int contact_vcard(struct store *st, const struct principal *p, const struct record *rec,
		  struct vcard_writer *w, struct buf *out, struct err *e);

struct vcard_import_opts {
	long long account_id; /* for cards without ORG; 0: none (such a card is bad) */
	int partial;          /* keep the good cards when some are bad */
	int dry_run;          /* check and count, write nothing */
	/* each bad card, in file order; may be NULL */
	void (*bad)(void *ctx, long long line, const char *message);
	void *ctx;
};

struct vcard_import_result {
	long long cards, created, updated, rejected, accounts_created;
};

/* Import the cards of data[0..n) as p.  OK when every card went in (or,
 * with partial, whatever did); E_INVAL when some card was bad and nothing
 * was written (e says how many); E_INVAL naming account_id when the default
 * account is not one p sees.  res counts what happened (what would have,
 * when nothing was written). */
int contacts_vcard_import(struct store *st, const struct principal *p, const char *data,
			  size_t n, const struct vcard_import_opts *o,
			  struct vcard_import_result *res, struct err *e);

#endif
