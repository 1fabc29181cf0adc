/*
 * server.c — the libmicrohttpd adapter: reads requests, authenticates them,
 * dispatches through the routing table, writes answers, logs and counts.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "crm/insight/analytics.h"
#include "crm/integrations/maillog.h"
#include "crm/integrations/webhook.h"
#include "crm/meetings/meetings.h"
#include "crm/records/attachment.h"
#include "crm/records/auth.h"
#include "crm/forecast/forecast_process.h"
#include "crm/scoring/scoring.h"
#include "metrics.h"
#include "routes.h"
#include "static.h"

static const struct server_opts *opts;
static struct MHD_Daemon *daemon_;
/* Requests begun and not yet completed: what a drain waits for.  Idle
 * keep-alive connections are not counted; stopping closes them. */
static atomic_int inflight;

void server_opts_default(struct server_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->db_path = "funnel.db";
	o->listen = "127.0.0.1:8080";
	o->timeout = 30;
	o->max_connections = 1024;
	o->max_body = 1 << 20;
	o->max_upload = 50UL << 20;
	o->access_log = 1;
	o->drain_seconds = 10;
	o->snapshot_interval = 3600;
	o->scoring_interval = 86400;
	o->webhook_backoff = 10;
	o->imap_interval = 60;
	o->mail_backoff = 30;
}

/* Per-request state, from the first callback to completion. */
struct conn {
	struct buf body;
	int toobig;
	double t0;
	int route;
	int status;
	double answered; /* seconds from the first byte to the queued answer */
	size_t bytes;
	long long user_id;
	char ip[INET6_ADDRSTRLEN];
	char method[8];
	char path[200]; /* for the access log; no query string */
	/* R_STREAM routes: the body goes to up_path, hashed as it comes */
	int stream, up_fd, up_error;
	unsigned long long up_len;
	crypto_hash_sha256_state up_sha;
	char up_path[PATH_MAX], up_hex[65];
};

static const char *conn_header(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

struct query_ctx {
	struct req *rq;
	int overflow;
};

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct query_ctx *q = cls;

	(void)kind;
	if (q->rq->nquery == API_MAX_QUERY) {
		q->overflow = 1;
		return MHD_NO;
	}
	q->rq->query[q->rq->nquery].k = key;
	q->rq->query[q->rq->nquery].v = value;
	q->rq->nquery++;
	return MHD_YES;
}

static void client_ip(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, n, "-");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)n);
}

/* A streamed answer (api.h, resp.stream): what the handler's producer
 * appended last, and how much of it is sent. */
struct stream {
	int (*fn)(void *ctx, struct store *st, struct buf *out);
	void *ctx;
	void (*free)(void *ctx);
	struct buf part;
	size_t sent;
	int done;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *s = cls;
	struct store *st;
	struct err e;
	size_t n;

	(void)pos;
	while (s->sent == s->part.len) {
		int rc;

		if (s->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		buf_reset(&s->part);
		s->sent = 0;
		err_clear(&e);
		if (store_for_thread(opts->db_path, &st, &e))
			return MHD_CONTENT_READER_END_WITH_ERROR;
		rc = s->fn(s->ctx, st, &s->part);
		if ((rc != 0 && rc != 1) || s->part.failed) {
			log_error("a streamed answer stopped: %s", e.msg[0] ? e.msg : "error");
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		s->done = rc == 1;
	}
	n = s->part.len - s->sent < max ? s->part.len - s->sent : max;
	memcpy(out, s->part.data + s->sent, n);
	s->sent += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;

	if (s->free)
		s->free(s->ctx);
	buf_release(&s->part);
	free(s);
}

static enum MHD_Result respond(struct MHD_Connection *c, struct conn *cn, struct resp *rs,
			    int api)
{
	struct MHD_Response *r;
	size_t len = 0;
	char *data = buf_detach(&rs->body, &len);
	enum MHD_Result ret;
	int i;

	if (!data && !rs->has_file && !rs->stream) {
		/* the answer outgrew memory: say so rather than send half */
		rs->status = 500;
		data = strdup("{\"title\":\"Internal error\",\"status\":500}");
		len = data ? strlen(data) : 0;
		rs->content_type = "application/problem+json";
	}
	if (rs->stream) {
		struct stream *sm = calloc(1, sizeof(*sm));

		free(data);
		data = NULL;
		len = 0;
		r = NULL;
		if (sm) {
			sm->fn = rs->stream;
			sm->ctx = rs->stream_ctx;
			sm->free = rs->stream_free;
			buf_init(&sm->part, 0);
			r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read,
							      sm, stream_free);
			if (!r)
				stream_free(sm);
		} else if (rs->stream_free) {
			rs->stream_free(rs->stream_ctx);
		}
		rs->stream = NULL;
	} else if (rs->has_file) {
		/* a stored file: libmicrohttpd sends it from the fd, then closes it */
		free(data);
		data = NULL;
		len = (size_t)rs->file_size;
		r = MHD_create_response_from_fd64((uint64_t)rs->file_size, rs->file_fd);
		if (!r)
			close(rs->file_fd);
	} else {
		r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	}
	if (!r) {
		free(data);
		return MHD_NO;
	}
	if (rs->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
	for (i = 0; i < rs->nheaders; i++)
		MHD_add_response_header(r, rs->headers[i].name, rs->headers[i].value);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (api) {
		MHD_add_response_header(r, "Cache-Control", "no-store");
		/* unless the handler set its own (the embeddable form pages) */
		if (!MHD_get_response_header(r, "Content-Security-Policy"))
			MHD_add_response_header(r, "Content-Security-Policy",
						"default-src 'none'; frame-ancestors 'none'");
	}
	cn->status = rs->status;
	cn->bytes = len;
	/* counted when queued, not on completion: a client holding the answer
	 * then always finds it in /metrics; the latency is to the answer */
	cn->answered = time_mono() - cn->t0;
	metrics_observe(cn->route, cn->status, cn->answered, store_take_db_seconds());
	ret = MHD_queue_response(c, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Who is calling?  Bearer token first, then the session cookie; a cookie
 * alone must bring the CSRF header on writes. */
static int authenticate(struct MHD_Connection *c, struct req *rq, struct principal *p,
			struct err *e)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *token = NULL;
	int rc;

	if (h) {
		if (strncasecmp(h, "Bearer ", 7))
			return fail(e, E_AUTH, "use Authorization: Bearer <token>");
		token = h + 7;
		while (*token == ' ')
			token++;
	} else {
		token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "funnel_session");
		if (!token)
			return fail(e, E_AUTH, "sign in first: no token or session cookie");
	}
	rc = auth_resolve(rq->st, token, p, e);
	if (rc)
		return rc;
	if (!h) {
		p->via_cookie = 1;
		if (rq->method != M_GET && rq->method != M_HEAD) {
			const char *csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								       "X-CSRF-Token");

			if (!csrf || !p->csrf[0] || !auth_equal(csrf, p->csrf)) {
				principal_release(p);
				return fail(e, E_FORBIDDEN,
					    "a write with the session cookie needs the X-CSRF-Token "
					    "header given at login");
			}
		}
	}
	return OK;
}

static enum MHD_Result dispatch(struct MHD_Connection *c, struct conn *cn, const char *url,
				const char *method)
{
	struct req rq;
	struct resp rs;
	struct principal p;
	struct query_ctx qc;
	struct err e;
	char allow[128], scratch[1024];
	int api = !strncmp(url, "/api/", 5), rc;
	enum MHD_Result ret;

	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	buf_init(&rs.body, 0);
	err_clear(&e);
	rq.method = method_parse(method);
	rq.method_name = method;
	rq.path = url;
	rq.ip = cn->ip;
	rq.body = cn->body.data;
	rq.body_len = cn->body.len;
	rq.header = conn_header;
	rq.header_ctx = c;
	rq.files_dir = opts->files_dir;
	rq.web_root = opts->web_root;

	if (cn->toobig) {
		fail(&e, E_TOOBIG, "the body is larger than %lu bytes",
		     cn->stream ? opts->max_upload : opts->max_body);
		api_problem(&rs, E_TOOBIG, &e);
		goto out;
	}
	if (cn->up_error) {
		fail(&e, E_IO, "the upload could not be stored");
		api_problem(&rs, E_IO, &e);
		goto out;
	}
	if (cn->stream && cn->up_fd >= 0) {
		unsigned char h[crypto_hash_sha256_BYTES];

		close(cn->up_fd);
		cn->up_fd = -1;
		crypto_hash_sha256_final(&cn->up_sha, h);
		sodium_bin2hex(cn->up_hex, sizeof(cn->up_hex), h, sizeof(h));
		rq.upload_path = cn->up_path;
		rq.upload_size = (long long)cn->up_len;
		rq.upload_sha256 = cn->up_hex;
	}
	if (!strcmp(url, "/metrics") && (rq.method == M_GET || rq.method == M_HEAD)) {
		const union MHD_DaemonInfo *di =
			MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		rs.status = 200;
		rs.content_type = "text/plain; version=0.0.4";
		metrics_render(&rs.body, di ? (long long)di->num_connections : 0);
		goto out;
	}
	cn->route = routes_match(rq.method, url, &rq, allow, sizeof(allow), scratch,
				 sizeof(scratch));
	if (cn->route == -2) {
		api_set_header(&rs, "Allow", "%s", allow);
		api_problem_status(&rs, 405, "Method not allowed", "this path does not take that method");
		goto out;
	}
	if (cn->route < 0) {
		if (!api && (rq.method == M_GET || rq.method == M_HEAD) && opts->web_root) {
			static_serve(opts->web_root, url, &rs);
			goto out;
		}
		fail(&e, E_NOTFOUND, "no such path: %.200s", url);
		api_problem(&rs, E_NOTFOUND, &e);
		goto out;
	}
	rq.route_arg = routes[cn->route].arg;
	qc.rq = &rq;
	qc.overflow = 0;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, &qc);
	if (qc.overflow) {
		fail(&e, E_INVAL, "too many query parameters (at most %d)", API_MAX_QUERY);
		api_problem(&rs, E_INVAL, &e);
		goto out;
	}
	rc = store_for_thread(opts->db_path, &rq.st, &e);
	if (rc) {
		api_problem(&rs, rc, &e);
		goto out;
	}
	if (!(routes[cn->route].flags & R_PUBLIC)) {
		rc = authenticate(c, &rq, &p, &e);
		if (rc) {
			api_problem(&rs, rc, &e);
			goto out;
		}
		rq.p = &p;
		cn->user_id = p.user_id;
	}
	routes[cn->route].handler(&rq, &rs);
	if (rq.p)
		principal_release(&p);
out:
	ret = respond(c, cn, &rs, api || cn->route >= 0);
	buf_release(&rs.body);
	return ret;
}

/* Does method + url go to an R_STREAM route? */
static int stream_route(const char *method, const char *url)
{
	return routes_stream(method_parse(method), url);
}

/* Start an R_STREAM request: its body goes to a temporary file in the files
 * directory (never memory), up to --max-upload.  Only a caller with valid
 * credentials gets that far: anyone else is answered before a byte is
 * written. */
static enum MHD_Result stream_begin(struct MHD_Connection *c, struct conn *cn, const char *url,
				    const char *method, const char *cl)
{
	struct req rq;
	struct principal p;
	struct err e;

	cn->stream = 1;
	cn->up_fd = -1;
	if (cl && strtoull(cl, NULL, 10) > opts->max_upload) {
		cn->toobig = 1;
		return dispatch(c, cn, url, method);
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = method_parse(method);
	err_clear(&e);
	if (store_for_thread(opts->db_path, &rq.st, &e) || authenticate(c, &rq, &p, &e))
		return dispatch(c, cn, url, method); /* answers the same problem */
	principal_release(&p);
	snprintf(cn->up_path, sizeof(cn->up_path), "%s/tmp/upload-XXXXXX", opts->files_dir);
	cn->up_fd = mkostemp(cn->up_path, O_CLOEXEC);
	if (cn->up_fd < 0) {
		log_error("cannot create %s: %s", cn->up_path, strerror(errno));
		cn->up_path[0] = '\0';
		cn->up_error = 1;
		return dispatch(c, cn, url, method);
	}
	crypto_hash_sha256_init(&cn->up_sha);
	return MHD_YES;
}

/* Append a chunk of an R_STREAM body to its file. */
static void stream_chunk(struct conn *cn, const char *data, size_t n)
{
	size_t done = 0;
	ssize_t w;

	if (cn->up_fd < 0 || cn->toobig || cn->up_error)
		return;
	if (cn->up_len + n > opts->max_upload) {
		/* no (or a false) Content-Length: the limit bites here; the rest
		 * is read and dropped, and the answer is 413 */
		cn->toobig = 1;
		if (ftruncate(cn->up_fd, 0))
			log_warn("cannot truncate %s: %s", cn->up_path, strerror(errno));
		return;
	}
	crypto_hash_sha256_update(&cn->up_sha, (const unsigned char *)data, n);
	cn->up_len += n;
	while (done < n) {
		w = write(cn->up_fd, data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_error("cannot write %s: %s", cn->up_path, strerror(errno));
			cn->up_error = 1;
			return;
		}
		done += (size_t)w;
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **ptr)
{
	struct conn *cn = *ptr;

	(void)cls;
	(void)version;
	if (!cn) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

		cn = calloc(1, sizeof(*cn));
		if (!cn)
			return MHD_NO;
		buf_init(&cn->body, opts->max_body);
		cn->t0 = time_mono();
		cn->route = -1;
		client_ip(c, cn->ip, sizeof(cn->ip));
		snprintf(cn->method, sizeof(cn->method), "%s", method);
		snprintf(cn->path, sizeof(cn->path), "%s", url);
		*ptr = cn;
		atomic_fetch_add(&inflight, 1);
		store_take_db_seconds();
		if (stream_route(method, url))
			return stream_begin(c, cn, url, method, cl);
		/* refuse a declared oversize body before reading it */
		if (cl && strtoull(cl, NULL, 10) > opts->max_body) {
			cn->toobig = 1;
			return dispatch(c, cn, url, method);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (cn->stream) {
			stream_chunk(cn, upload_data, *upload_size);
		} else if (!cn->toobig) {
			buf_add(&cn->body, upload_data, *upload_size);
			if (cn->body.failed)
				cn->toobig = 1;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (cn->status)
		return MHD_YES; /* already answered (oversize) */
	return dispatch(c, cn, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ptr,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *ptr;
	double el;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!cn)
		return;
	el = time_mono() - cn->t0;
	if (opts->access_log && cn->status)
		log_info("access %s %s %s %d %zu %.2fms user=%lld", cn->ip, cn->method, cn->path,
			 cn->status, cn->bytes, el * 1000, cn->user_id);
	if (cn->stream && cn->up_fd >= 0)
		close(cn->up_fd);
	if (cn->stream && cn->up_path[0])
		unlink(cn->up_path); /* gone already when it became an attachment */
	buf_release(&cn->body);
	free(cn);
	*ptr = NULL;
	atomic_fetch_sub(&inflight, 1);
}

/*
 * Open connections, counted here rather than left to libmicrohttpd's limit:
 * with a thread pool it splits that limit between the threads and, once
 * there, stops accepting, so further clients hang in the listen queue.
 * Past --max-connections a client is accepted and closed at once instead.
 * (Threads accepting at the same moment may overshoot by a few.)
 */
static atomic_int open_conns;

static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	(void)cls;
	(void)addr;
	(void)len;
	return atomic_load(&open_conns) < (int)opts->max_connections ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	(void)c;
	(void)socket_ctx;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&open_conns, 1);
	else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&open_conns, 1);
}

static void on_panic(void *cls, const char *file, unsigned line, const char *reason)
{
	(void)cls;
	log_error("libmicrohttpd panic at %s:%u: %s", file ? file : "?", line,
		  reason ? reason : "");
	abort();
}

/* Bind ADDR:PORT ("[v6]:port" too); returns the socket or -1. */
static int listen_on(const char *spec, char *bound, size_t n)
{
	char host[256];
	const char *port, *colon = strrchr(spec, ':');
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = -1, one = 1;

	if (!colon || colon == spec) {
		log_error("--listen wants ADDR:PORT, got %s", spec);
		return -1;
	}
	port = colon + 1;
	if (spec[0] == '[' && colon[-1] == ']')
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec - 2), spec + 1);
	else
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(host, port, &hints, &ai) || !ai) {
		log_error("cannot use %s as an address (a numeric IP and port are expected)", spec);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1024))
		goto fail;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET6) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
		snprintf(bound, n, "[%s]:%d", a, ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	} else {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
		snprintf(bound, n, "%s:%d", a, ntohs(((struct sockaddr_in *)&ss)->sin_port));
	}
	freeaddrinfo(ai);
	return fd;
fail:
	log_error("cannot listen on %s: %s", spec, strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}

int server_run(const struct server_opts *o)
{
	sigset_t set;
	int sig, fd, threads = o->threads, waited;
	char bound[128];
	struct store *st;
	struct err e;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	opts = o;
	err_clear(&e);
	/* open (and migrate) once up front, so a bad database fails here */
	if (store_open(o->db_path, 0, &st, &e)) {
		log_error("%s", e.msg);
		return 1;
	}
	if (store_migrate(st, &e)) {
		log_error("cannot migrate %s: %s", o->db_path, e.msg);
		store_close(st);
		return 1;
	}
	if (store_optimize(st, &e))
		log_warn("cannot refresh the query planner's statistics: %s", e.msg);
	store_close(st);
	if (attachment_dir_init(o->files_dir, &e)) {
		log_error("%s", e.msg);
		return 1;
	}
	if (threads <= 0)
		threads = ncpu > 2 ? (int)ncpu * 2 : 4;
	metrics_init(routes_count);

	/* signals go to sigwait below, not to worker threads */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	fd = listen_on(o->listen, bound, sizeof(bound));
	if (fd < 0)
		return 1;
	MHD_set_panic_func(on_panic, NULL);
	daemon_ = MHD_start_daemon(
		/* TURBO: sockets made non-blocking at accept, no per-request fcntl */
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_TURBO | MHD_USE_ERROR_LOG, 0,
		on_accept, NULL,
		on_request, NULL, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT, o->timeout,
		/* each thread may hold them all; on_accept enforces the real limit */
		MHD_OPTION_CONNECTION_LIMIT,
		o->max_connections > 65536 ? o->max_connections : o->max_connections * (unsigned)threads,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, NULL, MHD_OPTION_END);
	if (!daemon_) {
		log_error("cannot start the HTTP server on %s", bound);
		close(fd);
		return 1;
	}
	/* the analytics index builds while the server already answers: a large
	 * one takes tens of seconds (reports wait for it, or answer 503) */
	if (analytics_start_background(o->db_path, &e))
		log_error("%s", e.msg);
	/* the weekly forecast snapshots (forecast_process.h), on a thread of
	 * their own that waits for the index */
	if (o->snapshot_interval > 0 && fp_job_start(o->db_path, o->snapshot_interval, &e))
		log_error("%s", e.msg);
	/* lead scores: rescores owed at once, retrains on schedule */
	if (scoring_worker_start(o->db_path, o->scoring_interval, &e))
		log_error("%s", e.msg);
	/* meeting mail: the outbox, when there is an SMTP server to send it to */
	{
		char url[600];

		snprintf(url, sizeof(url), "http://%s", bound);
		meetings_set_public_url(o->public_url ? o->public_url : url);
		if (o->mail_from)
			mail_set_from(o->mail_from);
		mail_set_backoff(o->mail_backoff);
		if (mail_worker_start(o->db_path, o->smtp_url, mail_from(), &e))
			log_error("%s", e.msg);
	}
	/* webhook deliveries: what the triggers queued, every second */
	if (webhook_worker_start(o->db_path, o->webhook_backoff, &e))
		log_error("%s", e.msg);
	/* e-mail logging: the BCC mailbox, when there is one */
	maillog_init();
	if (maillog_worker_start(o->db_path, o->imap_url, o->imap_interval, &e))
		log_error("%s", e.msg);
	printf("Funnel listening on http://%s\n", bound);
	fflush(stdout);
	log_info("serving %s on http://%s with %d threads", o->db_path, bound, threads);

	while (sigwait(&set, &sig) == 0 && sig != SIGTERM && sig != SIGINT)
		;
	log_info("%s: draining in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	fp_job_stop(); /* a snapshot in progress gives up, writing nothing */
	fd = MHD_quiesce_daemon(daemon_);
	if (fd >= 0)
		close(fd);
	for (waited = 0; waited < o->drain_seconds * 20; waited++) {
		const union MHD_DaemonInfo *di =
			MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		if (!di || di->num_connections == 0)
			break;
		/* after a moment for requests already on the wire to be read,
		 * connections with nothing in flight need not be waited for */
		if (waited >= 5 && atomic_load(&inflight) == 0)
			break;
		usleep(50000);
	}
	MHD_stop_daemon(daemon_);
	scoring_worker_stop();
	maillog_worker_stop();
	webhook_worker_stop();
	mail_worker_stop();
	log_info("stopped");
	return 0;
}
