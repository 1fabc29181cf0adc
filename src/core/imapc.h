/*
 * imapc.h — an IMAP client for the one mailbox Funnel reads (e-mail logging,
 * crm/integrations/maillog.h), over libcurl.  No CRM knowledge.
 *
 * A URL is imap://user:password@host[:port]/MAILBOX (or imaps://): curl logs
 * in, selects the mailbox the path names, then runs the command, or fetches
 * the message the URL names (".../MAILBOX/;UID=7").  Only imap and imaps are
 * allowed; each call is one connection (a mailbox read once a minute needs
 * no pool).
 */
#ifndef FUNNEL_IMAPC_H
#define FUNNEL_IMAPC_H

#include <stddef.h>

#include "buf.h"

/* Run `command` ("UID SEARCH UID 8:*", "STATUS INBOX (UIDVALIDITY)"), or
 * fetch the URL when command is NULL; what the server sent (the untagged
 * answers, or the message) goes to out (at most `keep` bytes are kept).  0,
 * or -1 with why in err. */
int imapc_request(const char *url, const char *command, long timeout_ms, size_t keep,
		  struct buf *out, char err[256]);

#endif
