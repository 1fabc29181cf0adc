#!/bin/sh
# Soak: CONNS connections of mixed traffic for SECONDS against a demo database,
# outside CI (bench/soak.py says what the mix is and what is checked).
#
#   bench/soak.sh [OPPORTUNITIES] [SECONDS] [CONNS]     (defaults 1000000, 600, 64)
#
# Prints p50/p99 per route, every status, RSS and open files sampled every
# 10 s, and whether the database holds exactly the acknowledged writes; exits
# non-zero on an error that is not the expected 412/409 or a count that differs.
# Works on a copy of the demo database (the writes would change the original).
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
SECS=${2:-600}
CONNS=${3:-64}
DB=$OUT/api-$N.db
[ -f "$DB" ] || { echo "generating $N opportunities..."; "$FUNNEL" demo --db "$DB" --scale "$N" >/dev/null; }
SOAK=$OUT/soak-$N.db
rm -f "$SOAK" "$SOAK-wal" "$SOAK-shm"
sqlite3 "$DB" ".backup '$SOAK'"
start_funnel "$SOAK"
PID=$(echo "$PIDS" | awk '{print $NF}')
python3 "$(dirname "$0")/soak.py" "$URL" "$SOAK" "$PID" "$CONNS" "$SECS"
