/*
 * email.c — see email.h.
 */
#include "email.h"

#include <string.h>
#include <strings.h>

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

/* Mail providers anyone can sign up with: their domain says nothing about
 * the company.  Lower case; compared case-insensitively. */
static const char *const free_mail[] = {
	"gmail.com",      "googlemail.com", "yahoo.com",    "yahoo.co.uk",   "yahoo.fr",
	"ymail.com",      "rocketmail.com", "hotmail.com",  "hotmail.co.uk", "hotmail.fr",
	"outlook.com",    "outlook.fr",     "live.com",     "live.co.uk",    "msn.com",
	"aol.com",        "icloud.com",     "me.com",       "mac.com",       "proton.me",
	"protonmail.com", "pm.me",          "gmx.com",      "gmx.de",        "gmx.net",
	"web.de",         "t-online.de",    "mail.com",     "yandex.ru",     "yandex.com",
	"mail.ru",        "zoho.com",       "fastmail.com", "hey.com",       "qq.com",
	"163.com",        "126.com",        "orange.fr",    "free.fr",       "laposte.net",
	"libero.it",      "seznam.cz",      "wp.pl",        "o2.pl",         "btinternet.com",
	"comcast.net",    "verizon.net",    "att.net",
};

int email_free_domain(const char *domain)
{
	int i;

	for (i = 0; i < N(free_mail); i++)
		if (!strcasecmp(domain, free_mail[i]))
			return 1;
	return 0;
}

int email_valid(const char *s)
{
	const char *at = strchr(s, '@'), *c;
	size_t n = strlen(s);

	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.' ||
	    s[n - 1] == '.' || n > 254)
		return 0;
	for (c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f || strchr("<>(),;:\"[]\\", *c))
			return 0;
	return 1;
}
