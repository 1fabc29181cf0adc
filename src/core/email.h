/*
 * email.h — e-mail addresses: which are valid, and what one says about who
 * is behind it.  No CRM knowledge: records, forms, lead conversion, lead
 * scoring and meeting invitations all ask it, none owns it.
 */
#ifndef FUNNEL_EMAIL_H
#define FUNNEL_EMAIL_H

/* Is `domain` one of the free e-mail providers anyone can sign up with, so
 * that it says nothing about the company?  Case-insensitive; 1 or 0. */
int email_free_domain(const char *domain);

/* Is `s` an e-mail address as Funnel takes one: local@domain.tld, at most
 * 254 bytes, no spaces or control characters, and none of the characters
 * that mean something in a mail header (< > ( ) , ; : " [ ] \\), so an
 * address can always be written into To: without quoting.  1 or 0. */
int email_valid(const char *s);

#endif
