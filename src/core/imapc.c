/*
 * imapc.c — IMAP over libcurl (imapc.h).
 */
#include "imapc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

struct sink {
	struct buf *b;
	size_t keep;
	int over;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (s->b->len + len > s->keep) {
		s->over = 1;
		return 0; /* stop: a message over the limit is not taken in part */
	}
	buf_add(s->b, p, len);
	return len;
}

int imapc_request(const char *url, const char *command, long timeout_ms, size_t keep,
		  struct buf *out, char err[256])
{
	struct sink sink = {out, keep, 0};
	CURLcode rc;
	CURL *c;

	err[0] = '\0';
	buf_reset(out);
	c = curl_easy_init();
	if (!c) {
		snprintf(err, 256, "cannot start a request");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
	if (command)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, command);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		snprintf(err, 256, "%s", sink.over ? "the message is over the size limit"
						   : curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}
