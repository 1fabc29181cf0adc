#!/bin/sh
# Write a loopback-only Janus configuration for Funnel's live meetings
# (docs/meetings-live.md) into DIR, then start it with `janus -F DIR`.
#
#   scripts/janus-config.sh DIR [--http-port N] [--ws-port N] [--events URL]
#                               [--token-secret S] [--admin-secret S]
#                               [--admin-key K] [--events-secret S]
#                               [--rtp-ports LO-HI] [--session-timeout S]
#                               [--admin-port N]
#
# Secrets not given are made here (32 random bytes, hex) and written to
# DIR/funnel.env as FUNNEL_JANUS_* lines, so `funnel serve` can be given
# the same ones.  What it configures:
#   - token_auth with token_auth_secret: every Janus request carries a token
#     Funnel signed with HMAC-SHA1 ("<expiry>,janus,<plugins>,room=<id>:<sig>");
#     nobody can open a session without one
#   - admin_secret for the admin API, on the HTTP transport's admin port on
#     127.0.0.1 only (default 7088, path /admin): Funnel ends a removed
#     participant's session with it
#   - the HTTP transport (and WebSocket) on 127.0.0.1 only
#   - VideoRoom and TextRoom with admin_key: rooms are created only by Funnel
#   - the sample HTTP event handler posting sessions/handles/plugins events,
#     grouped in JSON arrays, to Funnel's /api/v1/janus/events with basic auth
#     (user "janus", password the events secret)
#   - no STUN/TURN (closed network), ICE on 127.0.0.1, no other plugins,
#     transports, event handlers or loggers loaded
set -eu

dir=${1:?usage: janus-config.sh DIR [options]}
shift
http_port=8088 ws_port=8188 admin_port=7088 events="" rtp="20000-20999" session_timeout=30
token_secret="" admin_secret="" admin_key="" events_secret=""
while [ $# -gt 0 ]; do
	case $1 in
	--http-port) http_port=$2 ;;
	--ws-port) ws_port=$2 ;;
	--admin-port) admin_port=$2 ;;
	--events) events=$2 ;;
	--token-secret) token_secret=$2 ;;
	--admin-secret) admin_secret=$2 ;;
	--admin-key) admin_key=$2 ;;
	--events-secret) events_secret=$2 ;;
	--rtp-ports) rtp=$2 ;;
	--session-timeout) session_timeout=$2 ;;
	*) echo "janus-config.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done
rand() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
[ -n "$token_secret" ] || token_secret=$(rand)
[ -n "$admin_secret" ] || admin_secret=$(rand)
[ -n "$admin_key" ] || admin_key=$(rand)
[ -n "$events_secret" ] || events_secret=$(rand)
case $session_timeout in ''|*[!0-9]*) echo "janus-config.sh: --session-timeout wants seconds" >&2; exit 2 ;; esac
for v in "$token_secret" "$admin_secret" "$admin_key" "$events_secret"; do
	case $v in *[!A-Za-z0-9._-]*) echo "janus-config.sh: secrets are [A-Za-z0-9._-]" >&2; exit 2 ;; esac
done
lib=/usr/lib/x86_64-linux-gnu/janus
[ -d "$lib" ] || lib=$(dirname "$(dpkg -L janus 2>/dev/null | grep '/plugins/libjanus_videoroom.so$' | head -1)")/..

umask 077
mkdir -p "$dir"
# Everything in the folders but what Funnel uses is disabled.
others() { # folder, kept...
	folder=$1; shift
	ls "$lib/$folder" | grep '\.so$' | while read -r f; do
		keep=0
		for k in "$@"; do [ "$f" = "$k" ] && keep=1; done
		[ $keep = 1 ] || printf '%s,' "$f"
	done | sed 's/,$//'
}

cat > "$dir/janus.jcfg" <<CFG
general: {
	configs_folder = "$dir"
	plugins_folder = "$lib/plugins"
	transports_folder = "$lib/transports"
	events_folder = "$lib/events"
	loggers_folder = "$lib/loggers"
	debug_level = 3
	debug_timestamps = true
	admin_secret = "$admin_secret"
	token_auth = true
	token_auth_secret = "$token_secret"
	interface = "127.0.0.1"
	server_name = "funnel-janus"
	session_timeout = $session_timeout
	reclaim_session_timeout = 0
	protected_folders = ["/bin", "/boot", "/dev", "/etc", "/initrd", "/lib", "/lib32", "/lib64", "/proc", "/sbin", "/sys", "/usr", "/var"]
}
media: {
	rtp_port_range = "$rtp"
}
nat: {
	nice_debug = false
	ice_enforce_list = "127.0.0.1"
	ignore_mdns = true
}
plugins: {
	disable = "$(others plugins libjanus_videoroom.so libjanus_textroom.so)"
}
transports: {
	disable = "$(others transports libjanus_http.so libjanus_websockets.so)"
}
loggers: {
	disable = "$(others loggers)"
}
events: {
	broadcast = $( [ -n "$events" ] && echo true || echo false )
	disable = "$(others events libjanus_sampleevh.so)"
	stats_period = 0
}
CFG

cat > "$dir/janus.transport.http.jcfg" <<CFG
general: {
	json = "compact"
	base_path = "/janus"
	http = true
	port = $http_port
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_base_path = "/admin"
	admin_http = true
	admin_port = $admin_port
	admin_ip = "127.0.0.1"
	admin_https = false
}
CFG

cat > "$dir/janus.transport.websockets.jcfg" <<CFG
general: {
	json = "compact"
	ws = true
	ws_port = $ws_port
	ws_ip = "127.0.0.1"
	wss = false
}
admin: {
	admin_ws = false
}
CFG

cat > "$dir/janus.plugin.videoroom.jcfg" <<CFG
general: {
	admin_key = "$admin_key"
	lock_rtp_forward = true
	string_ids = false
}
CFG

cat > "$dir/janus.plugin.textroom.jcfg" <<CFG
general: {
	admin_key = "$admin_key"
	string_ids = false
}
CFG

cat > "$dir/janus.eventhandler.sampleevh.jcfg" <<CFG
general: {
	enabled = $( [ -n "$events" ] && echo true || echo false )
	events = "sessions,handles,plugins"
	grouping = true
	json = "compact"
	backend = "$events"
	backend_user = "janus"
	backend_pwd = "$events_secret"
	max_retransmissions = 5
	retransmissions_backoff = 100
}
CFG

cat > "$dir/funnel.env" <<ENV
FUNNEL_JANUS_URL=http://127.0.0.1:$http_port/janus
FUNNEL_JANUS_WS=ws://127.0.0.1:$ws_port
FUNNEL_JANUS_TOKEN_SECRET=$token_secret
FUNNEL_JANUS_ADMIN_KEY=$admin_key
FUNNEL_JANUS_EVENTS_SECRET=$events_secret
FUNNEL_JANUS_ADMIN_URL=http://127.0.0.1:$admin_port/admin
FUNNEL_JANUS_ADMIN_SECRET=$admin_secret
ENV
