/*
 * httpc.c — see httpc.h.
 */
#include "httpc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int httpc_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

struct sink {
	struct buf *b;
	size_t keep;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (s->b->len < s->keep)
		buf_add(s->b, p, len < s->keep - s->b->len ? len : s->keep - s->b->len);
	return len; /* the rest is read and dropped */
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int httpc_post(const char *url, const char *const *headers, const char *body, size_t n,
	       long timeout_ms, size_t keep, struct httpc_result *r)
{
	struct curl_slist *h = NULL;
	struct sink sink;
	struct timespec t0;
	CURLcode rc;
	CURL *c;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body, keep + 1);
	sink.b = &r->body;
	sink.keep = keep;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = curl_easy_init();
	if (!c) {
		snprintf(r->error, sizeof(r->error), "cannot start a request");
		return -1;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
	for (; headers && *headers; headers++)
		h = curl_slist_append(h, *headers);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "Funnel-Webhooks/1");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else
		snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(rc));
	r->duration_ms = ms_since(&t0);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

void httpc_result_release(struct httpc_result *r)
{
	buf_release(&r->body);
}
