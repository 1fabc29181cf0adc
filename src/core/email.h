/*
 * email.h — what an e-mail address says about who is behind it.  No CRM
 * knowledge: lead conversion and lead scoring both ask it, neither owns it.
 */
#ifndef FUNNEL_EMAIL_H
#define FUNNEL_EMAIL_H

/* Is `domain` one of the free e-mail providers anyone can sign up with, so
 * that it says nothing about the company?  Case-insensitive; 1 or 0. */
int email_free_domain(const char *domain);

#endif
