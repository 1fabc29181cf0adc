#!/bin/sh
# API throughput, beside nginx serving a static file of the same size, in the
# same run on the same machine.
#
#   bench/api.sh [OPPORTUNITIES]      (default 1000000)
#
# Measures, with wrk (2 threads, BENCH_SECONDS each, default 10):
#   1. GET /api/v1/opportunities/{id} authenticated (64 connections)
#   2. nginx: the same JSON bytes as a static file (64 connections)
#   3. a filtered 50-row list page, authenticated, 64 connections (p99)
#   4. nginx: the same list page bytes as a static file
# The database is made once with `funnel demo --scale N` and kept in bench/out.
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
DB=$OUT/api-$N.db
command -v wrk >/dev/null && command -v nginx >/dev/null || "$ROOT/scripts/deps.sh" bench
[ -f "$DB" ] || { echo "generating $N opportunities..."; "$FUNNEL" demo --db "$DB" --scale "$N" >/dev/null; }
start_funnel "$DB"
TOKEN=$(login rep@demo.funnel demo-password)
ADMIN=$(login admin@demo.funnel demo-password)
AUTH="Authorization: Bearer $TOKEN"

# a record the rep owns, and a filtered page of theirs
ID=$(curl -sf "$URL/api/v1/opportunities?limit=1&status=open" -H "$AUTH" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
LIST="/api/v1/opportunities?status=open&limit=50&sort=-close_date"
mkdir -p "$OUT/www"
curl -sf "$URL/api/v1/opportunities/$ID" -H "$AUTH" >"$OUT/www/record.json"
curl -sf "$URL$LIST" -H "$AUTH" >"$OUT/www/list.json"

NPORT=$(free_port)
cat >"$OUT/nginx.conf" <<CONF
worker_processes auto;
pid $OUT/nginx.pid;
error_log $OUT/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  server { listen 127.0.0.1:$NPORT; root $OUT/www; }
}
CONF
nginx -c "$OUT/nginx.conf" -g 'daemon off;' &
PIDS="$PIDS $!"
sleep 0.5

echo "machine: $(nproc) cores; database: $N opportunities ($(du -h "$DB" | cut -f1))"
echo "record: $(wc -c <"$OUT/www/record.json") bytes; list page: $(wc -c <"$OUT/www/list.json") bytes"
wrk_run "funnel GET opportunity/{id}" 64 "$URL/api/v1/opportunities/$ID" -H "$AUTH"
wrk_run "nginx static record.json" 64 "http://127.0.0.1:$NPORT/record.json"
wrk_run "funnel list page (50, filtered)" 64 "$URL$LIST" -H "$AUTH"
wrk_run "nginx static list.json" 64 "http://127.0.0.1:$NPORT/list.json"
wrk_run "funnel list page as admin" 64 "$URL$LIST" -H "Authorization: Bearer $ADMIN"
cat "$OUT"/wrk-funnel_GET_opportunity__id_.txt.rps "$OUT"/wrk-nginx_static_record_json.txt.rps |
	paste -sd' ' | awk '{ if ($2 > 0) printf "single-record GET: %.2fx nginx\n", $1 / $2 }'
echo "server RSS: $(ps -o rss= -p "$(pgrep -f "funnel serve --db $DB" | head -1)") KiB"
