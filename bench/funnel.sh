#!/bin/sh
# The funnel report grouped by owner, served from the analytics index, beside
# the same aggregation run by the sqlite3 CLI on the same database, in the
# same run.
#
#   bench/funnel.sh [OPPORTUNITIES]      (default 10000000)
#
# The database is made once with `funnel demo --scale N` (about 4 stage rows
# a deal) and kept in bench/out; remove it afterwards, it is large (~23 GB at
# 10M).  The window is 2026 Q4 (the demo's "today" is 2026-11-22), the
# pipeline the default one, the currency EUR.
#
# Prints: the index's build time, size (bytes per deal) and the server's RSS
# before and after building it; the report's latency over RUNS requests
# (end to end through HTTP, default 20); the sqlite3 CLI's time for the SQL
# below; the ratio; and whether the two agree on the totals.
#
# What the SQL covers, per owner and stage (the report's figures): open
# count, open amount and weighted amount (EUR); entries and exits in the
# window; time in stage of the stays that ended in the window (count, median,
# p90, with window functions); conversion (each deal's first entry into a
# stage in the window, and whether a later row is at a later, non-lost
# position); and per owner won / lost closed in the window with the won
# amount and the mean cycle.  Not in the SQL: rounding, the derived ratios
# (win rate, velocity) and the JSON.
. "$(dirname "$0")/lib.sh"
N=${1:-10000000}
RUNS=${RUNS:-20}
DB=$OUT/funnel-$N.db
FROM=2026-10-01
TO=2026-12-31
if [ ! -f "$DB" ]; then
	echo "generating $N opportunities (once)..."
	"$FUNNEL" demo --db "$DB" --scale "$N" >/dev/null 2>"$OUT/demo.log"
fi

cat >"$OUT/funnel.sql" <<SQL
.headers off
.mode csv
-- open deals now, per owner and stage
SELECT 'open', owner_id, stage, count(*), sum(CASE WHEN currency = 'EUR' THEN amount END),
       sum(CASE WHEN currency = 'EUR' THEN amount * probability END)
FROM opportunities WHERE pipeline_id = 1 AND status = 'open' GROUP BY owner_id, stage;
-- stage rows entered in the window
SELECT 'entries', o.owner_id, h.stage, count(*) FROM stage_history h
JOIN opportunities o ON o.id = h.opportunity_id
WHERE o.pipeline_id = 1 AND h.entered_at BETWEEN '${FROM}T00:00:00Z' AND '${TO}T23:59:59Z'
GROUP BY 1, 2, 3;
-- stays that ended in the window: count, median and p90 of their length in days
WITH s AS (SELECT o.owner_id, h.stage, julianday(h.exited_at) - julianday(h.entered_at) AS d
           FROM stage_history h JOIN opportunities o ON o.id = h.opportunity_id
           WHERE o.pipeline_id = 1
             AND h.exited_at BETWEEN '${FROM}T00:00:00Z' AND '${TO}T23:59:59Z'),
     r AS (SELECT owner_id, stage, d,
                  row_number() OVER (PARTITION BY owner_id, stage ORDER BY d) AS rn,
                  count(*) OVER (PARTITION BY owner_id, stage) AS n FROM s)
SELECT 'exits', owner_id, stage, max(n), avg(CASE WHEN rn IN ((n + 1) / 2, n / 2 + 1) THEN d END),
       max(CASE WHEN rn = (9 * n + 9) / 10 THEN d END)
FROM r GROUP BY owner_id, stage;
-- conversion
WITH f AS (SELECT h.opportunity_id, h.stage, h.entered_at, h.id,
                  row_number() OVER (PARTITION BY h.opportunity_id, h.stage
                                     ORDER BY h.entered_at, h.id) AS n
           FROM stage_history h
           WHERE h.entered_at BETWEEN '${FROM}T00:00:00Z' AND '${TO}T23:59:59Z')
SELECT 'conversion', o.owner_id, f.stage, count(*), sum(EXISTS (
         SELECT 1 FROM stage_history l JOIN stages sl ON sl.pipeline_id = 1 AND sl.key = l.stage
         WHERE l.opportunity_id = f.opportunity_id AND (l.entered_at, l.id) > (f.entered_at, f.id)
           AND sl.section <> 'lost'
           AND sl.position > (SELECT position FROM stages WHERE pipeline_id = 1 AND key = f.stage)))
FROM f JOIN opportunities o ON o.id = f.opportunity_id
WHERE f.n = 1 AND o.pipeline_id = 1 GROUP BY 1, 2, 3;
-- won and lost in the window
SELECT 'closed', owner_id, status, count(*), sum(amount),
       avg(julianday(closed_at) - julianday(created_at))
FROM opportunities
WHERE pipeline_id = 1 AND status <> 'open'
  AND closed_at BETWEEN '${FROM}T00:00:00Z' AND '${TO}T23:59:59Z'
GROUP BY owner_id, status;
SQL

# start_funnel (lib.sh) waits 10 s; building the index of 10M deals takes longer
start_funnel_slowly() {
	"$FUNNEL" serve --db "$1" --listen 127.0.0.1:0 --no-access-log \
		>"$OUT/serve.out" 2>"$OUT/serve.log" &
	PIDS="$PIDS $!"
	for _ in $(seq 6000); do
		URL=$(grep -o 'http://[0-9.:]*' "$OUT/serve.out" 2>/dev/null || true)
		[ -n "$URL" ] && return 0
		kill -0 "$!" 2>/dev/null || break
		sleep 0.1
	done
	echo "funnel did not start" >&2; cat "$OUT/serve.log" >&2; exit 1
}

echo "machine: $(nproc) cores; database: $N opportunities ($(du -h "$DB" | cut -f1))"
t0=$(date +%s.%N)
start_funnel_slowly "$DB"
t1=$(date +%s.%N)
echo "server start (migrations + index build): $(echo "$t1 - $t0" | bc) s"
grep -o 'analytics: .*' "$OUT/serve.log" | head -1
TOKEN=$(login admin@demo.funnel demo-password)
Q="$URL/api/v1/reports/funnel?group_by=owner&from=$FROM&to=$TO&currency=EUR"
curl -sf "$Q" -H "Authorization: Bearer $TOKEN" >"$OUT/funnel-report.json"
curl -sf "$Q" -H "Authorization: Bearer $TOKEN" >/dev/null
for _ in $(seq "$RUNS"); do
	curl -s -o /dev/null -w '%{time_total}\n' "$Q" -H "Authorization: Bearer $TOKEN"
done | sort -n >"$OUT/funnel-times.txt"
med=$(awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)] * 1000}' "$OUT/funnel-times.txt")
min=$(head -1 "$OUT/funnel-times.txt" | awk '{print $1 * 1000}')
max=$(tail -1 "$OUT/funnel-times.txt" | awk '{print $1 * 1000}')
printf 'funnel report by owner (HTTP):  median %.1f ms  min %.1f ms  max %.1f ms' \
	"$med" "$min" "$max"
printf '  (%d runs, %s bytes)\n' "$RUNS" "$(wc -c <"$OUT/funnel-report.json")"
echo "server RSS after the requests: $(ps -o rss= -p "$(echo $PIDS | awk '{print $1}')") KiB"

t0=$(date +%s.%N)
sqlite3 -readonly "$DB" <"$OUT/funnel.sql" >"$OUT/funnel-sql.csv"
t1=$(date +%s.%N)
sql_ms=$(echo "($t1 - $t0) * 1000" | bc)
printf 'sqlite3 CLI, the same aggregation: %.0f ms\n' "$sql_ms"
echo "$sql_ms $med" | awk '{ printf "index vs sqlite3: %.0fx faster\n", $1 / $2 }'

# do they agree?  totals over owners and stages
python3 - "$OUT/funnel-report.json" "$OUT/funnel-sql.csv" <<'PY'
import csv, json, sys
rep = json.load(open(sys.argv[1]))
tot = {"open": 0, "entries": 0, "exits": 0, "den": 0, "num": 0, "won": 0, "lost": 0}
for g in rep["groups"]:
    tot["won"] += g["won_count"]
    tot["lost"] += g["lost_count"]
    for s in g["stages"]:
        tot["open"] += s["open_count"]
        tot["entries"] += s["entries"]
        tot["exits"] += s["exits"]
        tot["den"] += s["conversion"]["denominator"]
        tot["num"] += s["conversion"]["numerator"]
sql = dict.fromkeys(tot, 0)
for row in csv.reader(open(sys.argv[2])):
    kind, n = row[0], int(row[3])
    if kind == "open": sql["open"] += n
    elif kind == "entries": sql["entries"] += n
    elif kind == "exits": sql["exits"] += n
    elif kind == "conversion": sql["den"] += n; sql["num"] += int(row[4])
    elif kind == "closed": sql["won" if row[2] == "won" else "lost"] += n
same = tot == sql
words = " ".join("%s=%d" % kv for kv in tot.items())
print("totals %s: %s" % ("agree" if same else "DIFFER", words))
if not same:
    print("sqlite3: " + " ".join("%s=%d" % kv for kv in sql.items()))
    sys.exit(1)
PY
