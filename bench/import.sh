#!/bin/sh
# `funnel import` of N opportunities (the set-based bulk path) beside
# `sqlite3 .import` of the same CSV into a bare table, in the same run; with
# ROW_BY_ROW=M, also `funnel import --row-by-row` of the file's first M rows
# (the record engine's path, ~20k rows/s: a million takes close to an hour).
#
#   bench/import.sh [ROWS]     (default 1000000)
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
CSV=$OUT/opportunities-$N.csv
[ -f "$CSV" ] || python3 - "$N" "$CSV" <<'PY'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
r = random.Random(7)
stages = ["prequalification", "qualification", "presentation", "proposal", "negotiation"]
with open(path, "w") as f:
    f.write("name,account_id,owner_id,amount,currency,close_date,channel,stage\n")
    for i in range(n):
        f.write("Deal %d,%d,%d,%d.%02d,EUR,2027-%02d-%02d,%s,%s\n" % (
            i, r.randint(1, 900), r.randint(2, 21), r.randint(1000, 200000), r.randint(0, 99),
            r.randint(1, 12), r.randint(1, 28), r.choice(["field", "inside", "partner", "web"]),
            r.choice(stages)))
PY
DB=$OUT/import.db
BARE=$OUT/bare.db
rm -f "$DB" "$DB"-* "$BARE"
# the target database: users and accounts the rows refer to
"$FUNNEL" demo --db "$DB" --scale 15000 >/dev/null 2>&1
cp "$DB" "$OUT/import-demo.db"

t0=$(date +%s.%N)
"$FUNNEL" import --db "$DB" opportunities "$CSV" >"$OUT/import.out" 2>"$OUT/import.log" || { echo "import failed:"; tail -3 "$OUT/import.log"; exit 1; }
t1=$(date +%s.%N)
sqlite3 "$BARE" "CREATE TABLE opportunities (name TEXT, account_id INTEGER, owner_id INTEGER, amount TEXT, currency TEXT, close_date TEXT, channel TEXT, stage TEXT);"
t2=$(date +%s.%N)
sqlite3 "$BARE" ".mode csv" ".import --skip 1 $CSV opportunities"
t3=$(date +%s.%N)
python3 - "$N" "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
n, t0, t1, t2, t3 = int(sys.argv[1]), *map(float, sys.argv[2:])
f, s = t1 - t0, t3 - t2
print("funnel import   %8d rows in %6.2f s = %9.0f rows/s (bulk: validated, indexed, stage history)" % (n, f, n / f))
print("sqlite3 .import %8d rows in %6.2f s = %9.0f rows/s (bare table, no checks)" % (n, s, n / s))
print("ratio: %.2fx the sqlite3 CLI" % ((n / f) / (n / s)))
PY
tail -1 "$OUT/import.out"
if [ -n "${ROW_BY_ROW:-}" ]; then
	head -n $((ROW_BY_ROW + 1)) "$CSV" >"$OUT/row-by-row.csv"
	cp "$OUT/import-demo.db" "$DB"; rm -f "$DB"-*
	t4=$(date +%s.%N)
	"$FUNNEL" import --db "$DB" --row-by-row opportunities "$OUT/row-by-row.csv" >"$OUT/import.out" 2>"$OUT/import.log" || { echo "row-by-row import failed:"; tail -3 "$OUT/import.log"; exit 1; }
	t5=$(date +%s.%N)
	cp "$OUT/import-demo.db" "$DB"; rm -f "$DB"-*
	t6=$(date +%s.%N)
	"$FUNNEL" import --db "$DB" opportunities "$OUT/row-by-row.csv" >"$OUT/import.out" 2>"$OUT/import.log" || { echo "bulk import failed:"; tail -3 "$OUT/import.log"; exit 1; }
	t7=$(date +%s.%N)
	python3 - "$ROW_BY_ROW" "$t4" "$t5" "$t6" "$t7" <<'PY'
import sys
m, t4, t5, t6, t7 = int(sys.argv[1]), *map(float, sys.argv[2:])
r, b = m / (t5 - t4), m / (t7 - t6)
print("funnel import --row-by-row %8d rows in %6.2f s = %9.0f rows/s" % (m, t5 - t4, r))
print("funnel import (bulk)       %8d rows in %6.2f s = %9.0f rows/s (%.1fx row by row)" % (m, t7 - t6, b, b / r))
PY
fi
rm -f "$OUT/import-demo.db"
