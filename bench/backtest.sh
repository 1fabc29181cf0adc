#!/bin/sh
# `funnel forecast backtest` over 8 quarters of a large demo history, beside
# the 8 quarters' actuals (closed-won per quarter) computed by the sqlite3 CLI
# on the same database, in the same run.
#
#   bench/backtest.sh [OPPORTUNITIES]      (default 10000000)
#
# The database: BACKTEST_DB if set (read as it is: the backtest opens it
# read-only, and so does the sqlite3 CLI), else bench/out/backtest-N.db made
# once with `funnel demo --scale N` (~28 GB at 10M: remove it afterwards).
# The demo's "today" is 2026-11-22, so the 8 closed quarters are 2024-Q4 ..
# 2026-Q3.  The backtest replays the company's forecasts as of each
# quarter's start and the 3 weeks after (32 as_of points, every model,
# simulation at the engine's default 10,000 iterations), and the actual of
# each quarter.
#
# Prints: the backtest's wall time end to end (database open, analytics index
# built from the database, replay, output), the replay alone (the command's
# own figure), the sqlite3 CLI's time for the actuals, whether the actuals
# agree, and the models' figures.  Both read the same file after each other;
# the first to run warms the page cache for the second as far as 24 GiB go.
#
# Then the server's path: `funnel serve` on the same file builds its index
# once, and GET /api/v1/forecast/backtest (as the demo admin) replays over it:
# the request's wall time, and whether it gives the CLI's figures.  A server
# writes to its database (migrations, sessions, the change feed pruned), so
# this part runs only on the benchmark's own database, or when
# BACKTEST_SERVE=1 says the one given may be written to.
. "$(dirname "$0")/lib.sh"
N=${1:-10000000}
FROM=${FROM:-2024-Q4}
TO=${TO:-2026-Q3}
DB=${BACKTEST_DB:-$OUT/backtest-$N.db}
SERVE=${BACKTEST_SERVE:-$([ -z "${BACKTEST_DB:-}" ] && echo 1 || echo 0)}
export FUNNEL_NOW=${FUNNEL_NOW:-2026-11-22T17:00:00Z}
if [ ! -f "$DB" ]; then
	echo "generating $N opportunities (once)..."
	"$FUNNEL" demo --db "$DB" --scale "$N" >/dev/null 2>"$OUT/demo.log"
fi

t0=$(date +%s.%N)
"$FUNNEL" forecast backtest --db "$DB" --from "$FROM" --to "$TO" --json \
	>"$OUT/backtest.json" 2>"$OUT/backtest.log" || { echo "backtest failed:"; tail -3 "$OUT/backtest.log"; exit 1; }
t1=$(date +%s.%N)
cat >"$OUT/backtest.sql" <<'SQL'
.headers off
.mode csv
SELECT substr(closed_at, 1, 4) || '-Q' || ((CAST(substr(closed_at, 6, 2) AS INTEGER) + 2) / 3) AS q,
       sum(amount)
FROM opportunities
WHERE status = 'won' AND currency = 'EUR'
  AND closed_at >= '2024-10-01T00:00:00Z' AND closed_at < '2026-10-01T00:00:00Z'
GROUP BY q ORDER BY q;
SQL
t2=$(date +%s.%N)
sqlite3 -readonly "$DB" <"$OUT/backtest.sql" >"$OUT/backtest-sql.csv"
t3=$(date +%s.%N)
ts0=0; ts1=0; ts2=0
if [ "$SERVE" = 1 ]; then
	ts0=$(date +%s.%N)
	start_funnel "$DB"
	TOKEN=$(login admin@demo.funnel demo-password)
	# the index is built in the background: wait until a forecast answers
	until curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" \
		"$URL/api/v1/forecast?model=weighted&top=0"; do sleep 1; done
	ts1=$(date +%s.%N)
	curl -sf -H "Authorization: Bearer $TOKEN" \
		"$URL/api/v1/forecast/backtest?from=$FROM&to=$TO" >"$OUT/backtest-api.json"
	ts2=$(date +%s.%N)
fi
python3 - "$OUT/backtest.json" "$OUT/backtest-sql.csv" "$t0" "$t1" "$t2" "$t3" "$N" \
	"$OUT/backtest-api.json" "$ts0" "$ts1" "$ts2" <<'PY'
import csv, json, sys
bt = json.load(open(sys.argv[1]))
sql = {q: int(v) for q, v in csv.reader(open(sys.argv[2]))}
t0, t1, t2, t3 = map(float, sys.argv[3:7])
n = int(sys.argv[7])
actual = {}
for p in bt["points"]:
    actual[p["period"]] = round(p["actual"] * 100)
agree = all(sql.get(q) == v for q, v in actual.items()) and len(actual) == len(sql)
points = len(bt["points"])
print("funnel forecast backtest  %d quarters, %d as_of points x 4 models, %d deals" % (len(actual), points, n))
print("  end to end (open, index build, replay)  %7.2f s" % (t1 - t0))
print("  replay alone                            %7.2f s  (%.0f ms per as_of point)" % (bt["seconds"], 1000 * bt["seconds"] / max(points, 1)))
print("sqlite3 CLI: the 8 quarters' actuals      %7.2f s" % (t3 - t2))
print("actuals agree: %s" % ("yes" if agree else "NO: %r vs %r" % (actual, sql)))
ts0, ts1, ts2 = map(float, sys.argv[9:12])
if ts2:
    api = json.load(open(sys.argv[8]))
    same = api["points"] == bt["points"]
    print("funnel serve: index ready after           %7.2f s" % (ts1 - ts0))
    print("  GET /api/v1/forecast/backtest           %7.2f s  (replay %.2f s; the CLI's figures: %s)"
          % (ts2 - ts1, api["seconds"], "yes" if same else "NO"))
for m, s in bt["summary"].items():
    f = lambda v: "-" if v is None else "%.1f%%" % (100 * v)
    print("  %-11s MAPE %7s  bias %7s  P10-P90 %7s  n %d" % (m, f(s["mape"]), f(s["bias"]), f(s["coverage"]), s["n"]))
PY
