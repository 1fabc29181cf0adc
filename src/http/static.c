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

void static_serve(const char *root, const char *url, struct resp *rs)
{
	char path[4096], extra[512];
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
	janus_connect_src(extra, sizeof(extra));
	api_set_header(rs, "Content-Security-Policy", WEB_UI_CSP, extra);
	api_set_header(rs, "Cache-Control", strstr(path, "/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
}
