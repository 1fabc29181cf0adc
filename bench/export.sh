#!/bin/sh
# Export of N accounts as CSV: the API's streamed GET /api/v1/accounts.csv
# (as the admin: every row; and as a manager, whose visibility filters
# them) and `funnel export`, beside the sqlite3 CLI's `.mode csv` of the same
# columns from the same table, in the same run.  Prints rows/s, the ratio,
# and the server's anonymous memory before and at its peak during the
# admin's export (the export streams page by page: it must not grow with N).
#
#   bench/export.sh [ROWS]     (default 1000000)
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
CSV=$OUT/accounts-$N.csv
DB=$OUT/export.db
[ -f "$CSV" ] || python3 - "$N" "$CSV" <<'PY'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
r = random.Random(11)
with open(path, "w") as f:
    f.write("name,domain,industry,territory,employees,phone,owner_id\n")
    for i in range(n):
        f.write("Account %d,a%d.example,%s,%s,%d,+33 1 %08d,%d\n" % (
            i, i, r.choice(["Software", "Retail", "Banking", "Energy"]),
            r.choice(["North", "South", "East", "West"]), r.randint(1, 50000), i,
            r.randint(2, 21)))
PY
rm -f "$DB" "$DB"-*
"$FUNNEL" demo --db "$DB" --scale 100 >/dev/null 2>&1
"$FUNNEL" import --db "$DB" accounts "$CSV" >/dev/null 2>"$OUT/export-import.log" ||
	{ echo "import failed:"; tail -3 "$OUT/export-import.log"; exit 1; }
TOTAL=$(sqlite3 "$DB" "SELECT count(*) FROM accounts")
start_funnel "$DB"
PID=$(echo $PIDS | awk '{print $NF}')
ADMIN=$(login admin@demo.funnel demo-password)
MGR=$(login manager@demo.funnel demo-password)
# the server's anonymous memory (heap: what an export could make grow; the
# database file's pages, mapped by SQLite's mmap, are not counted), sampled
# every 50 ms while the export runs: its peak
anon() { awk '/RssAnon/ {print $2}' "/proc/$PID/status"; }
rss0=$(anon)
rm -f "$OUT/export.done"; echo "$rss0" >"$OUT/export.peak"
( peak=0; while [ ! -f "$OUT/export.done" ]; do a=$(anon); [ "$a" -gt "$peak" ] && peak=$a && echo "$peak" >"$OUT/export.peak"; sleep 0.05; done ) &

t0=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $ADMIN" "$URL/api/v1/accounts.csv" -o "$OUT/export-api.csv"
t1=$(date +%s.%N)
touch "$OUT/export.done"; sleep 0.2
rss1=$(cat "$OUT/export.peak")
curl -sf -H "Authorization: Bearer $MGR" "$URL/api/v1/accounts.csv" -o "$OUT/export-mgr.csv"
t2=$(date +%s.%N)
"$FUNNEL" export --db "$DB" accounts --out "$OUT/export-cli.csv" 2>/dev/null
t3=$(date +%s.%N)
sqlite3 -csv -header "$DB" "SELECT name, domain, industry, territory, employees, phone, website, address, owner_id, id, version, created_at, updated_at FROM accounts ORDER BY id" >"$OUT/export-sqlite.csv"
t4=$(date +%s.%N)
api_rows=$(($(wc -l <"$OUT/export-api.csv") - 1))
mgr_rows=$(($(wc -l <"$OUT/export-mgr.csv") - 1))
sq_rows=$(($(wc -l <"$OUT/export-sqlite.csv") - 1))
python3 - "$TOTAL" "$api_rows" "$mgr_rows" "$sq_rows" "$t0" "$t1" "$t2" "$t3" "$t4" "$rss0" "$rss1" <<'PY'
import sys
total, api, mgr, sq = map(int, sys.argv[1:5])
t0, t1, t2, t3, t4 = map(float, sys.argv[5:10])
rss0, rss1 = map(int, sys.argv[10:12])
a, m, c, s = t1 - t0, t2 - t1, t3 - t2, t4 - t3
assert api == total == sq, (api, total, sq)
print("GET /accounts.csv (admin)   %8d rows in %6.2f s = %9.0f rows/s" % (api, a, api / a))
print("GET /accounts.csv (manager) %8d rows in %6.2f s = %9.0f rows/s (visibility: their team's)" % (mgr, m, mgr / m))
print("funnel export               %8d rows in %6.2f s = %9.0f rows/s" % (total, c, total / c))
print("sqlite3 -csv SELECT         %8d rows in %6.2f s = %9.0f rows/s (no visibility, no guard)" % (sq, s, sq / s))
print("ratio: API %.2fx, funnel export %.2fx the sqlite3 CLI" % ((api / a) / (sq / s), (total / c) / (sq / s)))
print("server anonymous memory: %.1f MB before, at most %.1f MB during the %d-row export" % (rss0 / 1024, rss1 / 1024, api))
PY
