/*
 * utf8.h — is this valid UTF-8?  (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF.)  Input from the network is checked
 * before it reaches the domain.
 */
#ifndef FUNNEL_UTF8_H
#define FUNNEL_UTF8_H

#include <stddef.h>

int utf8_valid(const char *s, size_t n);

#endif
