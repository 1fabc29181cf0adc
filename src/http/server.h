/*
 * server.h — `funnel serve`: libmicrohttpd with an internal thread pool
 * (epoll), one SQLite connection per worker thread.
 *
 * Lifecycle:
 *
 *   server_run ──► listening ──(SIGTERM/SIGINT)──► draining ──► stopped (0)
 *                     │                             │ stop accepting, let in-flight
 *                     │                             │ requests finish (up to
 *                     │                             │ drain_seconds), then stop
 *
 * Limits answer cleanly: bodies over max_body (files sent to R_STREAM
 * routes: over max_upload) → 413; connections idle for
 * timeout seconds are closed; past max_connections new ones are refused.
 */
#ifndef FUNNEL_SERVER_H
#define FUNNEL_SERVER_H

struct server_opts {
	const char *db_path;
	const char *listen;       /* "127.0.0.1:8080", "[::1]:0" */
	const char *web_root;     /* static files of the UI, or NULL */
	int threads;              /* 0: two per core, at least 4 */
	unsigned timeout;         /* seconds an idle connection may stay */
	unsigned max_connections;
	unsigned long max_body;   /* bytes */
	unsigned long max_upload; /* bytes of one streamed file (R_STREAM routes) */
	const char *files_dir;    /* attachments (attachment.h); created if missing */
	int access_log;
	int drain_seconds;
	int snapshot_interval;    /* seconds between forecast snapshot checks; 0: no job */
	long scoring_interval;    /* seconds between scheduled retrains (0: none) */
	long webhook_backoff;     /* seconds before a failed webhook delivery is retried */
	const char *smtp_url;     /* meeting mail goes out through it; NULL: stays queued */
	const char *mail_from;    /* its sender; NULL: funnel@localhost */
	long mail_backoff;        /* seconds before unsent mail is tried again (then doubling) */
	const char *public_url;   /* the base of links in mail; NULL: http://<bound address> */
	const char *imap_url;     /* the BCC mailbox e-mail logging reads; NULL: none */
	long imap_interval;       /* seconds between its reads */
};

void server_opts_default(struct server_opts *o);

/* Run until SIGTERM or SIGINT; returns a process exit code. */
int server_run(const struct server_opts *o);

#endif
