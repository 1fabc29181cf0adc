#!/bin/sh
# A company-wide `simulation` forecast (GET /api/v1/forecast?model=simulation,
# 10,000 iterations) over 1,000,000 open opportunities, beside the weighted sum
# of the same open deals computed by the sqlite3 CLI on the same database, in
# the same run.
#
#   bench/forecast.sh [SOURCE_DB] [OPEN]
#
# SOURCE_DB: a 10,000,000-deal demo database (`funnel demo --scale 10000000`,
# as bench/funnel.sh makes in bench/out; default bench/out/funnel-10000000.db,
# generated when missing), only read.  About 7% of demo deals are open, so the benchmark's database is
# made once, in bench/out/forecast-OPEN.db: the tables a forecast reads
# (teams, users, quotas, pipelines and stages, accounts, opportunities, their
# stage history and the field history of amount, close_date and
# forecast_category) are copied from the source with the sqlite3 CLI, indexes
# and change-feed triggers dropped during the copy (made without a journal:
# a failed copy is made again) and recreated after, the planner's statistics
# copied; then `funnel import opportunities` adds open
# deals (dated the demo's "today", 2026-11-22, at stages spread over the open
# ones, with amounts, owners and accounts drawn from the source's) until OPEN
# (default 1,000,000) are open.  It is large (~10 GB for 10M deals): remove it
# afterwards.
#
# Prints: the index build and its size (the funnel's columns and the
# forecast's extra ones, bytes per deal); the forecast's latency over HTTP,
# end to end (median, min, max of RUNS, default 10, after one warm-up) and
# the server's CPU time per request (on a shared machine, wall time is CPU
# time plus waiting for a core), with
# the open deals, the deals drawn exactly and the error bound of the rest;
# the sqlite3 CLI's time for the weighted sum; whether the two weighted
# figures agree; the machine's load while it ran (2 cores, shared).
. "$(dirname "$0")/lib.sh"
SRC=${1:-$OUT/funnel-10000000.db}
OPEN=${2:-1000000}
RUNS=${RUNS:-10}
DB=$OUT/forecast-$OPEN.db
NOW=2026-11-22T17:00:00Z
if [ ! -f "$SRC" ]; then
	[ -z "${1:-}" ] || { echo "no source database $SRC" >&2; exit 1; }
	echo "generating 10000000 opportunities (once, as bench/funnel.sh does)..."
	"$FUNNEL" demo --db "$SRC" --scale 10000000 >/dev/null 2>"$OUT/demo.log"
fi

if [ ! -f "$DB" ]; then
	echo "making $DB from $SRC (once)..."
	FINAL=$DB
	DB=$DB.part
	rm -f "$DB" "$DB"-*
	echo "bench-password-1" >"$OUT/pw"
	"$FUNNEL" init --db "$DB" --admin-email bench@bench.funnel \
		--admin-password-file "$OUT/pw" >/dev/null
	TABLES="'teams','users','quotas','pipelines','stages','stage_criteria','accounts',"
	TABLES="$TABLES'opportunities','stage_history','history'"
	# what to drop during the copy and make again after, as the demo does
	sqlite3 "$DB" "SELECT 'DROP ' || type || ' \"' || name || '\";' FROM sqlite_master
		WHERE sql IS NOT NULL AND ((type = 'index' AND tbl_name IN ($TABLES))
		OR (type = 'trigger' AND name LIKE 'change_log_%'))" >"$OUT/forecast-drop.sql"
	sqlite3 "$DB" "SELECT sql || ';' FROM sqlite_master
		WHERE sql IS NOT NULL AND ((type = 'index' AND tbl_name IN ($TABLES))
		OR (type = 'trigger' AND name LIKE 'change_log_%')) ORDER BY type" \
		>"$OUT/forecast-create.sql"
	t0=$(date +%s)
	sqlite3 "$DB" <<SQL
PRAGMA journal_mode = OFF;
PRAGMA foreign_keys = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
PRAGMA temp_store = MEMORY;
ATTACH 'file:$SRC?mode=ro' AS src;
.read $OUT/forecast-drop.sql
BEGIN;
DELETE FROM history; DELETE FROM users; DELETE FROM stage_criteria; DELETE FROM stages;
DELETE FROM pipelines; DELETE FROM teams; DELETE FROM change_log;
INSERT INTO teams SELECT * FROM src.teams;
INSERT INTO users SELECT * FROM src.users;
INSERT INTO quotas SELECT * FROM src.quotas;
INSERT INTO pipelines SELECT * FROM src.pipelines;
INSERT INTO stages SELECT * FROM src.stages;
INSERT INTO stage_criteria SELECT * FROM src.stage_criteria;
INSERT INTO accounts SELECT * FROM src.accounts;
INSERT INTO opportunities SELECT * FROM src.opportunities;
INSERT INTO stage_history SELECT * FROM src.stage_history;
INSERT INTO history SELECT * FROM src.history WHERE resource = 'opportunities'
  AND field IN ('amount', 'close_date', 'forecast_category');
COMMIT;
PRAGMA threads = 2;
.read $OUT/forecast-create.sql
ANALYZE main.lost_reasons;
DELETE FROM sqlite_stat1;
INSERT INTO sqlite_stat1 SELECT * FROM src.sqlite_stat1;
PRAGMA journal_mode = WAL;
SQL
	echo "copied in $(($(date +%s) - t0)) s"
	mv "$DB" "$FINAL"
	DB=$FINAL
fi

# top up the open deals (an interrupted run tops up again)
have=$(sqlite3 "$DB" "SELECT count(*) FROM opportunities WHERE status = 'open'")
add=$((OPEN - have))
if [ "$add" -gt 0 ]; then
	python3 - "$DB" "$add" "$OUT/forecast-open.csv" <<'PY'
import random, sqlite3, sys
db, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
r = random.Random(2026)
c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
accounts = c.execute("SELECT a.id, a.owner_id, u.channel FROM accounts a "
                     "JOIN users u ON u.id = a.owner_id WHERE u.role = 'rep'").fetchall()
step = max(1, c.execute("SELECT max(id) FROM opportunities").fetchone()[0] // 20000)
amounts = [row[0] for row in c.execute(
    "SELECT amount FROM opportunities WHERE id % ? = 0 AND currency = 'EUR'", (step,))]
stages = ["prequalification"] * 30 + ["qualification"] * 25 + ["presentation"] * 20 + \
         ["proposal"] * 15 + ["negotiation"] * 10
with open(path, "w") as f:
    f.write("name,account_id,owner_id,amount,currency,close_date,channel,stage\n")
    for i in range(n):
        acct, owner, channel = r.choice(accounts)
        a = r.choice(amounts)
        f.write("Bench deal %d,%d,%d,%d.%02d,EUR,%s,%s,%s\n" % (
            i, acct, owner, a // 100, a % 100,
            "2026-%02d-%02d" % (r.choice([11, 12]), r.randint(1, 28)) if r.random() < 0.5
            else "2027-%02d-%02d" % (r.randint(1, 6), r.randint(1, 28)),
            channel or "", r.choice(stages)))
PY
	t0=$(date +%s)
	FUNNEL_NOW=$NOW "$FUNNEL" import --db "$DB" opportunities "$OUT/forecast-open.csv" \
		>"$OUT/forecast-import.out" 2>"$OUT/forecast-import.log" ||
		{ echo "import failed:"; tail -3 "$OUT/forecast-import.log"; exit 1; }
	echo "imported $add open deals in $(($(date +%s) - t0)) s"
fi

open=$(sqlite3 -readonly "$DB" "SELECT count(*) FROM opportunities WHERE status = 'open'")
echo "machine: $(nproc) cores; database: $(sqlite3 -readonly "$DB" "SELECT count(*) FROM opportunities") opportunities, $open open ($(du -h "$DB" | cut -f1))"

# start_funnel (lib.sh) waits 10 s; the index of 10M deals takes longer
start_slowly() {
	FUNNEL_NOW=$NOW "$FUNNEL" serve --db "$1" --listen 127.0.0.1:0 --no-access-log \
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
start_slowly "$DB"
TOKEN=$(login admin@demo.funnel demo-password)
Q="$URL/api/v1/forecast?period=2026-Q4&model=simulation,weighted&iterations=10000&seed=1&currency=EUR&top=10"
# the first request waits for the index to be built
until curl -sf "$Q" -H "Authorization: Bearer $TOKEN" >"$OUT/forecast.json"; do sleep 1; done
grep -o 'analytics: .*' "$OUT/serve.log" | head -2
SPID=$(echo $PIDS | awk '{print $NF}')
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SPID/stat"; }
load0=$(cut -d' ' -f1 /proc/loadavg)
c0=$(cpu_ticks)
for _ in $(seq "$RUNS"); do
	curl -s -o /dev/null -w '%{time_total}\n' "$Q" -H "Authorization: Bearer $TOKEN"
done | sort -n >"$OUT/forecast-times.txt"
c1=$(cpu_ticks)
load1=$(cut -d' ' -f1 /proc/loadavg)
python3 - "$OUT/forecast.json" "$OUT/forecast-times.txt" "$RUNS" "$c0" "$c1" "$(getconf CLK_TCK)" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = [float(x) * 1000 for x in open(sys.argv[2])]
s = d["models"]["simulation"]
runs, c0, c1, tck = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print("simulation forecast (HTTP, %d runs): median %.0f ms  min %.0f ms  max %.0f ms" % (
    runs, t[(len(t) - 1) // 2], t[0], t[-1]))
print("  server CPU time per request (both threads): %.0f ms" % ((c1 - c0) * 1000.0 / tck / runs))
print("  open deals %d, iterations %d, drawn exactly %d, as one normal %d (bound %.4f sd)" % (
    d["open_deals"], s["iterations"], s["exact_deals"], s["normal_deals"], s["tail_error_bound"]))
print("  2026-Q4 EUR: closed won %s; simulation P10 %s P50 %s P90 %s; weighted %s" % (
    d["closed_won"], s["total_p10"], s["total_p50"], s["total_p90"],
    d["models"]["weighted"]["total_expected"]))
PY
echo "load average during the runs: $load0 -> $load1"

t0=$(date +%s.%N)
sql=$(sqlite3 -readonly "$DB" "SELECT (sum(o.amount * s.probability) * 2 + 100) / 200
	FROM opportunities o JOIN stages s ON s.pipeline_id = o.pipeline_id AND s.key = o.stage
	WHERE o.status = 'open' AND o.currency = 'EUR'
	AND o.close_date >= '2026-10-01' AND o.close_date < '2027-01-01'")
t1=$(date +%s.%N)
printf 'sqlite3 CLI, the weighted sum of the same open deals: %.0f ms\n' "$(echo "($t1 - $t0) * 1000" | bc)"
python3 - "$OUT/forecast.json" "$sql" <<'PY'
import json, sys
from decimal import Decimal
d = json.load(open(sys.argv[1]), parse_float=Decimal)
mine = int(d["models"]["weighted"]["expected"] * 100)
print("weighted: forecast %d, sqlite3 %s minor units: %s" % (
    mine, sys.argv[2], "agree" if mine == int(sys.argv[2]) else "DIFFER"))
sys.exit(0 if mine == int(sys.argv[2]) else 1)
PY
