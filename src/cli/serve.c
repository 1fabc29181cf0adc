/*
 * serve.c — funnel serve: the HTTP API (and web UI) over a database.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/email.h"
#include "crm/meetings/janus.h"
#include "http/server.h"
#include "cli.h"

static const char usage[] =
	"usage: funnel serve [--db PATH] [--listen ADDR:PORT] [options]\n"
	"\n"
	"Serve the REST API (/api/v1, OpenAPI at /api/v1/openapi.json), /healthz,\n"
	"/metrics and the web UI.  Prints 'Funnel listening on http://ADDR:PORT' once\n"
	"it accepts connections.  SIGTERM or SIGINT: finish in-flight requests, exit 0.\n"
	"\n"
	"  --db PATH            database (default funnel.db); must exist\n"
	"  --listen ADDR:PORT   address (default 127.0.0.1:8080); port 0 picks a free one\n"
	"  --web DIR            serve the web UI from DIR (default: web/dist if present)\n"
	"  --threads N          worker threads (default: 2 per core, at least 4)\n"
	"  --timeout SECONDS    close connections idle this long (default 30)\n"
	"  --max-connections N  refuse connections beyond N (default 1024)\n"
	"  --max-body BYTES     largest request body (default 1048576)\n"
	"  --files DIR          attachments, stored by content (default: DB.files)\n"
	"  --max-upload BYTES   largest attachment upload (default 52428800)\n"
	"  --no-access-log      do not log each request\n"
	"  --snapshot-interval SECONDS\n"
	"                       how often to check that this week's forecast snapshot\n"
	"                       was taken, and take it if not (default 3600; 0: never)\n"
	"  --scoring-interval SECONDS\n"
	"                       retrain the lead scoring model this often (default 86400,\n"
	"                       or $FUNNEL_SCORING_INTERVAL; 0: only on demand)\n"
	"  --webhook-backoff SECONDS\n"
	"                       wait this long before retrying a failed webhook delivery,\n"
	"                       doubling each time up to an hour (default 10)\n"
	"  --smtp URL           send meeting invitations through this SMTP server\n"
	"                       (smtp://host:port); without it mail stays queued\n"
	"  --mail-from ADDR     the sender of that mail (default funnel@localhost.localdomain)\n"
	"  --mail-backoff SECONDS\n"
	"                       wait this long before retrying mail the SMTP server did not\n"
	"                       take, doubling each time up to an hour (default 30)\n"
	"  --public-url URL     how people outside reach this server, for the join and\n"
	"                       answer links in invitations (default http://LISTEN)\n"
	"  --imap URL           log the mail in this BCC mailbox on contacts' timelines\n"
	"                       (imaps://user:password@host/INBOX, or $FUNNEL_IMAP_URL)\n"
	"  --imap-interval SECONDS\n"
	"                       how often to read it (default 60)\n"
	"  --janus URL          live meetings on this Janus (http://127.0.0.1:8088/janus);\n"
	"                       scripts/janus-config.sh writes a matching configuration\n"
	"  --janus-ws URL       the WebSocket transport browsers use (default: --janus)\n"
	"  --janus-admin-key K  the VideoRoom's admin_key ($FUNNEL_JANUS_ADMIN_KEY)\n"
	"  --janus-token-secret S\n"
	"                       Janus's token_auth_secret ($FUNNEL_JANUS_TOKEN_SECRET)\n"
	"  --janus-events-secret S\n"
	"                       the event handler's password ($FUNNEL_JANUS_EVENTS_SECRET)\n"
	"  --janus-admin URL    Janus's admin API on loopback (http://127.0.0.1:7088/admin),\n"
	"                       to end a removed participant's session at once\n"
	"  --janus-admin-secret S\n"
	"                       its admin_secret ($FUNNEL_JANUS_ADMIN_SECRET)\n";

int cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"listen", required_argument, NULL, 'l'},
		{"web", required_argument, NULL, 'w'},
		{"threads", required_argument, NULL, 't'},
		{"timeout", required_argument, NULL, 'T'},
		{"max-connections", required_argument, NULL, 'c'},
		{"max-body", required_argument, NULL, 'b'},
		{"files", required_argument, NULL, 'f'},
		{"max-upload", required_argument, NULL, 'u'},
		{"no-access-log", no_argument, NULL, 'q'},
		{"snapshot-interval", required_argument, NULL, 's'},
		{"scoring-interval", required_argument, NULL, 'S'},
		{"webhook-backoff", required_argument, NULL, 'W'},
		{"mail-backoff", required_argument, NULL, 'B'},
		{"smtp", required_argument, NULL, 'M'},
		{"mail-from", required_argument, NULL, 'F'},
		{"public-url", required_argument, NULL, 'P'},
		{"janus", required_argument, NULL, 'J'},
		{"janus-ws", required_argument, NULL, 'w' + 256},
		{"janus-admin-key", required_argument, NULL, 'K'},
		{"janus-token-secret", required_argument, NULL, 'X'},
		{"janus-events-secret", required_argument, NULL, 'E'},
		{"imap", required_argument, NULL, 'i' + 256},
		{"imap-interval", required_argument, NULL, 'I' + 256},
		{"janus-admin", required_argument, NULL, 'a' + 256},
		{"janus-admin-secret", required_argument, NULL, 'A' + 256},
		{NULL, 0, NULL, 0},
	};
	struct server_opts o;
	struct stat sb;
	char files[4096], *end;
	const char *interval = getenv("FUNNEL_SCORING_INTERVAL");
	struct janus_conf jc = {getenv("FUNNEL_JANUS_URL"), getenv("FUNNEL_JANUS_WS"),
				getenv("FUNNEL_JANUS_ADMIN_KEY"), getenv("FUNNEL_JANUS_TOKEN_SECRET"),
				getenv("FUNNEL_JANUS_EVENTS_SECRET"), getenv("FUNNEL_JANUS_ADMIN_URL"),
				getenv("FUNNEL_JANUS_ADMIN_SECRET")};
	int c;

	if (cli_wants_help(argc, argv, usage))
		return EXIT_OK;
	server_opts_default(&o);
	if (!stat("web/dist/index.html", &sb))
		o.web_root = "web/dist";
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.db_path = optarg; break;
		case 'l': o.listen = optarg; break;
		case 'w': o.web_root = optarg; break;
		case 't': o.threads = atoi(optarg); break;
		case 'T': o.timeout = (unsigned)atoi(optarg); break;
		case 'c': o.max_connections = (unsigned)atoi(optarg); break;
		case 'b': o.max_body = strtoul(optarg, NULL, 10); break;
		case 'f': o.files_dir = optarg; break;
		case 'u': o.max_upload = strtoul(optarg, NULL, 10); break;
		case 'q': o.access_log = 0; break;
		case 's': o.snapshot_interval = atoi(optarg); break;
		case 'S': interval = optarg; break;
		case 'M': o.smtp_url = optarg; break;
		case 'F': o.mail_from = optarg; break;
		case 'B':
			o.mail_backoff = strtol(optarg, &end, 10);
			if (!*optarg || *end || o.mail_backoff < 1 || o.mail_backoff > 3600)
				return cli_usage("serve", "mail-backoff must be 1 to 3600 seconds");
			break;
		case 'P': o.public_url = optarg; break;
		case 'W':
			o.webhook_backoff = strtol(optarg, &end, 10);
			if (!*optarg || *end || o.webhook_backoff < 1 || o.webhook_backoff > 3600)
				return cli_usage("serve", "webhook-backoff must be 1 to 3600 seconds");
			break;
		case 'J': jc.url = optarg; break;
		case 'w' + 256: jc.ws_url = optarg; break;
		case 'K': jc.admin_key = optarg; break;
		case 'X': jc.token_secret = optarg; break;
		case 'E': jc.events_secret = optarg; break;
		case 'i' + 256: o.imap_url = optarg; break;
		case 'I' + 256:
			o.imap_interval = strtol(optarg, &end, 10);
			if (!*optarg || *end || o.imap_interval < 1 || o.imap_interval > 86400)
				return cli_usage("serve", "imap-interval must be 1 to 86400 seconds");
			break;
		case 'a' + 256: jc.admin_url = optarg; break;
		case 'A' + 256: jc.admin_secret = optarg; break;
		default: return cli_usage("serve", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage("serve", "unexpected argument '%s'", argv[optind]);
	if (o.threads < 0 || o.timeout == 0 || o.max_connections == 0 || o.max_body < 1024)
		return cli_usage("serve", "threads, timeout, max-connections and max-body must "
					  "be positive (max-body at least 1024)");
	if (o.snapshot_interval < 0)
		return cli_usage("serve", "snapshot-interval must be 0 or positive");
	if (o.max_upload == 0)
		return cli_usage("serve", "max-upload must be positive");
	if (interval) {
		o.scoring_interval = strtol(interval, &end, 10);
		if (!*interval || *end || o.scoring_interval < 0)
			return cli_usage("serve", "scoring-interval must be a whole number of "
						  "seconds, 0 or more");
	}
	if (o.smtp_url && strncmp(o.smtp_url, "smtp://", 7) && strncmp(o.smtp_url, "smtps://", 8))
		return cli_usage("serve", "--smtp takes smtp://host:port or smtps://host:port");
	if (o.mail_from && !email_valid(o.mail_from))
		return cli_usage("serve", "--mail-from must be an e-mail address");
	if (!o.imap_url)
		o.imap_url = getenv("FUNNEL_IMAP_URL");
	if (o.imap_url && strncmp(o.imap_url, "imap://", 7) && strncmp(o.imap_url, "imaps://", 8))
		return cli_usage("serve", "--imap takes imap://user:password@host[:port]/MAILBOX "
					  "(or imaps://)");
	if (o.public_url && strncmp(o.public_url, "http://", 7) && strncmp(o.public_url, "https://", 8))
		return cli_usage("serve", "--public-url takes http:// or https://");
	if (jc.url && (strncmp(jc.url, "http://", 7) && strncmp(jc.url, "https://", 8)))
		return cli_usage("serve", "--janus wants an http:// or https:// URL");
	if (jc.url && (!jc.admin_key || !*jc.admin_key || !jc.token_secret ||
		       !*jc.token_secret || !jc.events_secret || !*jc.events_secret))
		return cli_usage("serve", "--janus needs --janus-admin-key, --janus-token-secret "
					  "and --janus-events-secret");
	if (jc.admin_url && (strncmp(jc.admin_url, "http://", 7) &&
			     strncmp(jc.admin_url, "https://", 8)))
		return cli_usage("serve", "--janus-admin wants an http:// or https:// URL");
	if (jc.admin_url && (!jc.admin_secret || !*jc.admin_secret))
		return cli_usage("serve", "--janus-admin needs --janus-admin-secret");
	if (jc.url && !jc.ws_url)
		jc.ws_url = jc.url;
	janus_configure(&jc);
	if (!o.files_dir && store_is_server(o.db_path))
		/* several servers on one PostgreSQL database must share their
		 * attachments: the folder is named, on storage they all reach */
		return cli_usage("serve", "--files DIR is required with a postgresql:// --db "
					  "(attachments; docs/deployment.md)");
	if (!o.files_dir) {
		/* beside the database, so a backup of the folder takes both */
		if (snprintf(files, sizeof(files), "%s.files", o.db_path) >= (int)sizeof(files))
			return cli_usage("serve", "the database path is too long; give --files");
		o.files_dir = files;
	}
	if (!store_is_server(o.db_path) && stat(o.db_path, &sb)) {
		fprintf(stderr, "funnel serve: %s does not exist (create it with 'funnel init' "
				"or 'funnel demo')\n",
			o.db_path);
		return EXIT_FAIL;
	}
	return server_run(&o) ? EXIT_FAIL : EXIT_OK;
}
