#!/bin/sh
# Lead scoring: training and a full rescore on the demo company's leads,
# beside reading the same facts with the sqlite3 CLI; and lead writes (each
# rescores its lead) beside account writes (no scoring), both through
# `funnel import`, in the same run.
#
#   bench/scoring.sh [SCALE]   (default 300000 opportunities: 100,000 leads)
#   bench/scoring.sh [SCALE] [ROWS]   ROWS imported of each (default 20000)
. "$(dirname "$0")/lib.sh"
N=${1:-300000}
ROWS=${2:-20000}
DB=$OUT/scoring-$N.db
[ -f "$DB" ] || "$FUNNEL" demo --db "$DB" --scale "$N" >/dev/null 2>&1

# 1. training and rescoring every lead
"$FUNNEL" scoring train --db "$DB" >"$OUT/scoring-train.out" 2>"$OUT/scoring-train.log" || {
	echo "training failed:"; tail -3 "$OUT/scoring-train.log"; exit 1; }
# the baseline: the facts query alone (what training and rescoring read)
t0=$(date +%s.%N)
sqlite3 "$DB" "SELECT count(*), sum(c), sum(m) FROM (SELECT l.id, sum(a.type = 'call') c,
  sum(a.type = 'meeting') m, max(a.done_at) FROM leads l LEFT JOIN activities a
  ON a.related_type = 'lead' AND a.related_id = l.id AND a.done_at IS NOT NULL
  GROUP BY l.id)" >/dev/null
t1=$(date +%s.%N)
LEADS=$(sqlite3 "$DB" "SELECT count(*) FROM leads")
cat "$OUT/scoring-train.out"
python3 - "$LEADS" "$t0" "$t1" <<'PY'
import sys
n, t0, t1 = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print("sqlite3: the leads' facts alone (%d leads) in %.2f s" % (n, t1 - t0))
PY

# 2. writes: leads (scored on the way in) against accounts (not scored)
python3 - "$ROWS" "$OUT/leads-$ROWS.csv" "$OUT/accounts-$ROWS.csv" <<'PY'
import random, sys
n, leads, accounts = int(sys.argv[1]), sys.argv[2], sys.argv[3]
r = random.Random(7)
ind = ["Software", "Retail", "Media", "Energy", "Healthcare"]
with open(leads, "w") as f:
    f.write("last_name,company,title,industry,source,employees,owner_id\n")
    for i in range(n):
        f.write("Lead%d,Company %d,IT Manager,%s,referral,%d,%d\n" % (
            i, i, r.choice(ind), r.randint(1, 5000), r.randint(2, 21)))
with open(accounts, "w") as f:
    f.write("name,industry,owner_id\n")
    for i in range(n):
        f.write("Bench account %d,%s,%d\n" % (i, r.choice(ind), r.randint(2, 21)))
PY
rm -f "$OUT/scoring-w.db"*
cp "$DB" "$OUT/scoring-w.db"
t0=$(date +%s.%N)
"$FUNNEL" import --db "$OUT/scoring-w.db" leads "$OUT/leads-$ROWS.csv" >/dev/null 2>"$OUT/import-leads.log" || {
	echo "lead import failed"; tail -3 "$OUT/import-leads.log"; exit 1; }
t1=$(date +%s.%N)
"$FUNNEL" import --db "$OUT/scoring-w.db" accounts "$OUT/accounts-$ROWS.csv" >/dev/null 2>"$OUT/import-accounts.log" || {
	echo "account import failed"; tail -3 "$OUT/import-accounts.log"; exit 1; }
t2=$(date +%s.%N)
python3 - "$ROWS" "$t0" "$t1" "$t2" <<'PY'
import sys
n, t0, t1, t2 = int(sys.argv[1]), *map(float, sys.argv[2:])
l, a = t1 - t0, t2 - t1
print("import leads    %6d rows in %5.2f s = %7.0f rows/s (each scored)" % (n, l, n / l))
print("import accounts %6d rows in %5.2f s = %7.0f rows/s (baseline: no scoring)" % (n, a, n / a))
PY
rm -f "$OUT/scoring-w.db"*
