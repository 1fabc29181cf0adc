/*
 * utf8.h — is this valid UTF-8?  (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF.)  Input from the network is checked
 * before it reaches the domain.
 */
#ifndef FUNNEL_UTF8_H
#define FUNNEL_UTF8_H

#include <stddef.h>

int utf8_valid(const char *s, size_t n);

/* Characters (code points) of valid UTF-8 text `s`, or -1 when it holds a
 * control character (newline, carriage return and tab allowed when
 * `multiline`) — the length rule of every declared text. */
long utf8_chars(const char *s, int multiline);

/* Is `s` a machine name: 1 to `max` of a-z, 0-9 and _?  (Keys of stages,
 * form questions, questionnaire questions.) */
int utf8_key(const char *s, size_t max);

#endif
