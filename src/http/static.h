/*
 * static.h — the web UI's files, served from a directory.  Paths are checked
 * (no "..", no hidden files); a path without an extension that is not a file
 * gets index.html, so the single-page UI owns its URLs.
 */
#ifndef FUNNEL_STATIC_H
#define FUNNEL_STATIC_H

#include "api/api.h"

void static_serve(const char *root, const char *url, struct resp *rs);

#endif
