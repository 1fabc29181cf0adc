#!/bin/sh
# `make run`: funnel serve on 127.0.0.1:8080 with a Janus of its own for live
# meetings (docs/meetings-live.md).  The Janus configuration (and its secrets)
# is made once in funnel.janus/ by scripts/janus-config.sh; Janus runs while the
# server runs and stops with it.  Without janus installed, serves without live
# rooms.
#
#   scripts/serve-with-janus.sh DB [LISTEN]
set -eu
db=${1:-funnel.db}
listen=${2:-127.0.0.1:8080}
dir=funnel.janus
if ! command -v janus >/dev/null 2>&1; then
	echo "serve-with-janus: janus is not installed (scripts/deps.sh); no live rooms" >&2
	exec ./funnel serve --db "$db" --listen "$listen"
fi
[ -f "$dir/funnel.env" ] ||
	scripts/janus-config.sh "$dir" --events "http://$listen/api/v1/janus/events"
janus -F "$dir" -C "$dir/janus.jcfg" -N >"$dir/janus.log" 2>&1 &
jpid=$!
trap 'kill $jpid 2>/dev/null; wait $jpid 2>/dev/null' EXIT INT TERM
set -a
. "./$dir/funnel.env"
set +a
./funnel serve --db "$db" --listen "$listen" \
	--janus "$FUNNEL_JANUS_URL" --janus-ws "$FUNNEL_JANUS_WS"
