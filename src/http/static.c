#include "static.h"

#include "crm/meetings/janus.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
	const char *ext, *type;
} types[] = {
	{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
	{".png", "image/png"},                 {".json", "application/json"},
	{".ico", "image/x-icon"},              {".woff2", "font/woff2"},
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	for (i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static int read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
	return b->failed ? -1 : 0;
}

/* scheme://host:port of url into out ("" and 0 when none) */
static int janus_origin(const char *url, char *out, size_t n)
{
	const char *p = url ? strstr(url, "://") : NULL;
	size_t len;

	out[0] = '\0';
	if (!p)
		return 0;
	len = (size_t)(p + 3 - url) + strcspn(p + 3, "/?#");
	if (len >= n || strpbrk(url, " ;'\"\r\n"))
		return 0;
	memcpy(out, url, len);
	out[len] = '\0';
	return 1;
}

void static_serve(const char *root, const char *url, struct resp *rs)
{
	char path[4096], a[256], b[256];
	struct stat sb;
	const char *last = strrchr(url, '/');

	if (url[0] != '/' || strstr(url, "..") || strstr(url, "/.") || strlen(url) > 1024) {
		api_problem_status(rs, 404, "Not found", "no such file");
		return;
	}
	snprintf(path, sizeof(path), "%s%s", root, url);
	if (stat(path, &sb) || S_ISDIR(sb.st_mode)) {
		if (last && strchr(last, '.')) {
			api_problem_status(rs, 404, "Not found", "no such file");
			return;
		}
		snprintf(path, sizeof(path), "%s/index.html", root);
	}
	buf_reset(&rs->body);
	if (read_file(path, &rs->body)) {
		api_problem_status(rs, 404, "Not found", "no such file");
		return;
	}
	rs->status = 200;
	rs->content_type = type_of(path);
	/* the live room's page talks to Janus (docs/meetings-live.md) */
	api_set_header(rs, "Content-Security-Policy",
		       "default-src 'self'; img-src 'self' data:; style-src 'self'; "
		       "script-src 'self'; connect-src 'self'%s%s%s%s; frame-ancestors 'none'; "
		       "base-uri 'none'; form-action 'self'",
		       janus_origin(janus_config()->url, a, sizeof(a)) ? " " : "", a,
		       janus_origin(janus_config()->ws_url, b, sizeof(b)) ? " " : "", b);
	api_set_header(rs, "Cache-Control", strstr(path, "/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
}
