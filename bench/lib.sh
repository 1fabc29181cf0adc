# Shared by the benchmarks: paths, a free port, a server started in the
# background and stopped on exit.  Source it.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
FUNNEL=${FUNNEL_BIN:-$ROOT/funnel}
mkdir -p "$OUT"
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_funnel DB → sets URL (without the forecast snapshot job: it would
# compete with what is measured)
start_funnel() {
	"$FUNNEL" serve --db "$1" --listen 127.0.0.1:0 --no-access-log --snapshot-interval 0 >"$OUT/serve.out" 2>"$OUT/serve.log" &
	PIDS="$PIDS $!"
	for _ in $(seq 100); do
		URL=$(grep -o 'http://[0-9.:]*' "$OUT/serve.out" 2>/dev/null || true)
		[ -n "$URL" ] && return 0
		sleep 0.1
	done
	echo "funnel did not start" >&2; cat "$OUT/serve.log" >&2; exit 1
}

login() { # email password → token
	curl -sf -XPOST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
		-d "{\"email\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# wrk_run NAME CONNS URL [wrk args...] → prints "NAME req/s p50 p99" and keeps the raw output
wrk_run() {
	name=$1; conns=$2; url=$3; shift 3
	f="$OUT/wrk-$(echo "$name" | tr -c 'A-Za-z0-9\n' '_').txt"
	wrk -t2 -c"$conns" -d"${BENCH_SECONDS:-10}s" --latency "$@" "$url" >"$f"
	rps=$(awk '/Requests\/sec/ {print $2}' "$f")
	p50=$(awk '$1=="50%" {print $2}' "$f")
	p99=$(awk '$1=="99%" {print $2}' "$f")
	non2xx=$(awk '/Non-2xx/ {print $4}' "$f")
	echo "$rps" >"$f.rps"
	printf '%-34s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
}
