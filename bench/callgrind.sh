#!/bin/sh
# Instructions per request of the hot paths, counted by callgrind: a figure that
# does not move with the load of a shared machine (wrk's req/s does).
#
#   bench/callgrind.sh [OPPORTUNITIES] [REQUESTS]    (defaults 20000, 300)
#
# Starts `funnel serve` under valgrind --tool=callgrind, warms it up, zeroes the
# counters, sends REQUESTS keep-alive requests of each kind one after the other,
# and prints the instructions (Ir) per request of:
#   1. GET /api/v1/opportunities/{id} as a rep (bearer token)
#   2. the rep's filtered 50-row list page (open deals by close date)
#   3. the same list page as admin
#   4. the demo manager's forecast roll-up of 2026-Q4 (REQS/20 requests: each
#      is a forecast per member)
# The profile of each (callgrind.out.*) is kept in bench/out for callgrind_annotate.
. "$(dirname "$0")/lib.sh"
N=${1:-20000}
REQS=${2:-300}
DB=$OUT/api-$N.db
command -v valgrind >/dev/null || "$ROOT/scripts/deps.sh" bench
[ -f "$DB" ] || { echo "generating $N opportunities..."; "$FUNNEL" demo --db "$DB" --scale "$N" >/dev/null; }
rm -f "$OUT"/callgrind.out.*
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out.%p" \
	"$FUNNEL" serve --db "$DB" --listen 127.0.0.1:0 --no-access-log --snapshot-interval 0 \
	>"$OUT/serve.out" 2>"$OUT/serve.log" &
VPID=$!
PIDS="$PIDS $VPID"
for _ in $(seq 600); do
	URL=$(grep -o 'http://[0-9.:]*' "$OUT/serve.out" 2>/dev/null || true)
	[ -n "$URL" ] && break
	sleep 0.1
done
[ -n "$URL" ] || { echo "funnel did not start under valgrind" >&2; cat "$OUT/serve.log" >&2; exit 1; }
TOKEN=$(login rep@demo.funnel demo-password)
ADMIN=$(login admin@demo.funnel demo-password)
MANAGER=$(login manager@demo.funnel demo-password)
ID=$(curl -sf "$URL/api/v1/opportunities?limit=1&status=open" -H "Authorization: Bearer $TOKEN" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
LIST="/api/v1/opportunities?status=open&limit=50&sort=-close_date"
# the analytics index builds in the background at start: wait for it, so that
# what is counted is the requests alone
for _ in $(seq 600); do
	curl -sf "$URL/api/v1/reports/funnel" -H "Authorization: Bearer $ADMIN" >/dev/null && break
	sleep 0.5
done

# measure NAME TOKEN PATH [COUNT]: COUNT (default REQS) requests on one keep-alive connection between
# a zeroing of the counters and a dump
measure() {
	warm=20; [ -n "${4:-}" ] && warm=2
	python3 - "$URL" "$2" "$3" "$warm" >/dev/null <<'PY'
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); c = http.client.HTTPConnection(u.hostname, u.port)
for _ in range(int(sys.argv[4])):
    c.request("GET", sys.argv[3], headers={"Authorization": "Bearer " + sys.argv[2]})
    r = c.getresponse(); r.read(); assert r.status == 200, r.status
PY
	callgrind_control -z "$VPID" >/dev/null 2>&1
	n=${4:-$REQS}
	python3 - "$URL" "$2" "$3" "$n" >/dev/null <<'PY'
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); c = http.client.HTTPConnection(u.hostname, u.port)
for _ in range(int(sys.argv[4])):
    c.request("GET", sys.argv[3], headers={"Authorization": "Bearer " + sys.argv[2]})
    r = c.getresponse(); r.read(); assert r.status == 200, r.status
PY
	callgrind_control -d "$1" "$VPID" >/dev/null 2>&1
	f=$(ls -t "$OUT"/callgrind.out.* | head -1)
	mv "$f" "$OUT/callgrind.out.$1"
	ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$OUT/callgrind.out.$1")
	printf '%-34s %12d instructions/request\n' "$1" $((ir / n))
}
echo "database: $N opportunities; $REQS requests each, under callgrind"
measure record "$TOKEN" "/api/v1/opportunities/$ID"
measure list "$TOKEN" "$LIST"
measure list-admin "$ADMIN" "$LIST"
measure rollup "$MANAGER" "/api/v1/forecast/rollup?period=2026-Q4" $(( REQS / 20 > 0 ? REQS / 20 : 1 ))
