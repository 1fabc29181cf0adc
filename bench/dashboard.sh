#!/bin/sh
# The requests of the manager dashboard and of the handover wizard, server-side,
# on the demo company, beside GET /api/v1/me (the lightest signed-in request) in
# the same run.
#
#   bench/dashboard.sh [SCALE]      (default: funnel demo's own size, 30,000 deals)
#
# A fresh demo database in bench/out, `funnel serve` with its access log, and
# each request RUNS times in a row (default 20) as the demo manager and as the
# admin, after one warm-up.  Prints per request the server-side time from the
# access log (median, p90, max, in ms) and the CPU the server spent on it
# (utime + stime of the process over the runs, per request: the time on a
# quiet machine; on a busy one the access-log time also counts waiting for a
# core).  The handover requests (plan, read, edit an item, execute) run once
# per leaver on RUNS leavers of the manager's teams, executing the last one only.
. "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-20}
DB=$OUT/dashboard.db
rm -f "$DB" "$DB-wal" "$DB-shm"
"$FUNNEL" demo --db "$DB" ${1:+--scale "$1"} >/dev/null 2>"$OUT/demo.log"

"$FUNNEL" serve --db "$DB" --listen 127.0.0.1:0 --snapshot-interval 0 >"$OUT/serve.out" 2>"$OUT/serve.log" &
PID=$!
PIDS="$PIDS $PID"
for _ in $(seq 100); do
	URL=$(grep -o 'http://[0-9.:]*' "$OUT/serve.out" 2>/dev/null || true)
	[ -n "$URL" ] && break
	sleep 0.1
done
[ -n "$URL" ] || { echo "funnel did not start" >&2; cat "$OUT/serve.log" >&2; exit 1; }

echo "dashboard and handover requests, server-side (access log) and CPU, $RUNS runs each"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
URL=$URL PID=$PID RUNS=$RUNS LOG=$OUT/serve.log python3 - <<'PY'
import json, os, re, statistics, time, urllib.request

URL, PID, RUNS, LOG = os.environ["URL"], int(os.environ["PID"]), int(os.environ["RUNS"]), os.environ["LOG"]
TICK = os.sysconf("SC_CLK_TCK")

def login(email):
    req = urllib.request.Request(URL + "/api/v1/auth/login", method="POST",
                                 data=json.dumps({"email": email, "password": "demo-password"}).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["token"]

def call(tok, method, path, body=None):
    req = urllib.request.Request(URL + "/api/v1" + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r) if r.status != 204 else None

def cpu():
    f = open("/proc/%d/stat" % PID).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TICK

def log_ms(since):
    with open(LOG) as f:
        f.seek(since)
        return [float(m.group(1)) for m in re.finditer(r" access \S+ \S+ \S+ \d+ \d+ ([0-9.]+)ms", f.read())]

def row(name, ms, cpu_ms):
    ms = sorted(ms)
    p90 = ms[max(0, -(-9 * len(ms) // 10) - 1)]
    print("%-46s %8.1f %8.1f %8.1f %9.1f" % (name, statistics.median(ms), p90, ms[-1], cpu_ms))

def bench(tok, name, path, runs=RUNS):
    call(tok, "GET", path)  # warm
    at, c0 = os.path.getsize(LOG), cpu()
    for _ in range(runs):
        call(tok, "GET", path)
    c1 = cpu()
    time.sleep(0.05)
    row(name, log_ms(at), (c1 - c0) * 1000 / runs)

now = time.gmtime()
quarter = "%d-Q%d" % (now.tm_year, (now.tm_mon - 1) // 3 + 1)
month = "%d-%02d" % (now.tm_year, now.tm_mon)
print("%-46s %8s %8s %8s %9s" % ("request (ms)", "median", "p90", "max", "cpu/req"))
for who in ("manager", "admin"):
    tok = login(who + "@demo.funnel")
    print("-- as the demo %s" % who)
    bench(tok, "baseline: GET /me", "/me")
    bench(tok, "GET /teams (scope picker)", "/teams?limit=200")
    bench(tok, "GET /users (scope picker)", "/users?limit=200")
    bench(tok, "GET /reports/funnel (scope)", "/reports/funnel")
    for g in ("owner", "team", "channel"):
        bench(tok, "GET /reports/funnel?group_by=" + g, "/reports/funnel?group_by=" + g)
    bench(tok, "GET /reports/funnel (a month)", "/reports/funnel?from=%s-01&to=%s-28" % (month, month))
    bench(tok, "GET /forecast?period=%s&top=5" % quarter, "/forecast?period=%s&top=5" % quarter)
    bench(tok, "GET /forecast?period=%s&top=5" % month, "/forecast?period=%s&top=5" % month)
    bench(tok, "GET /reports/stale?limit=12", "/reports/stale?limit=12")
    bench(tok, "GET /reports/stale?limit=36 (show more)", "/reports/stale?limit=36")
    bench(tok, "GET /reports/performance?period=" + quarter, "/reports/performance?period=" + quarter)
    bench(tok, "GET /forecast/rollup (on demand)", "/forecast/rollup?period=" + quarter, max(3, RUNS // 4))

# the handover wizard, as the manager: plan, read, edit, cancel; execute the last
tok = login("manager@demo.funnel")
me = call(tok, "GET", "/me")
reps = [u for u in call(tok, "GET", "/users?team_id=%d&limit=200" % me["team_id"])["data"]
        if u["role"] == "rep" and u["active"]]
print("-- the handover wizard, as the demo manager (%d leavers)" % len(reps))
times = {k: [] for k in ("POST /handovers", "GET /handovers/{id}", "PATCH /handovers/{id}/items/{item}")}
cpus = {k: 0.0 for k in times}
n = 0
for i in range(RUNS):
    rep = reps[i % len(reps)]
    for k, fn in (("POST /handovers", lambda: call(tok, "POST", "/handovers", {"from_user": rep["id"]})),):
        at, c0 = os.path.getsize(LOG), cpu(); h = fn(); c1 = cpu(); time.sleep(0.02)
        times[k] += log_ms(at); cpus[k] += c1 - c0
    at, c0 = os.path.getsize(LOG), cpu(); call(tok, "GET", "/handovers/%d" % h["id"]); c1 = cpu(); time.sleep(0.02)
    times["GET /handovers/{id}"] += log_ms(at); cpus["GET /handovers/{id}"] += c1 - c0
    item = next(x for s in h["sections"].values() for x in s if x["resource"] == "opportunities")
    at, c0 = os.path.getsize(LOG), cpu()
    call(tok, "PATCH", "/handovers/%d/items/%d" % (h["id"], item["id"]), {"new_owner_id": me["id"]})
    c1 = cpu(); time.sleep(0.02)
    times["PATCH /handovers/{id}/items/{item}"] += log_ms(at); cpus["PATCH /handovers/{id}/items/{item}"] += c1 - c0
    call(tok, "PATCH", "/handovers/%d" % h["id"], {"status": "cancelled"})
    n += 1
for k in times:
    row(k, times[k], cpus[k] * 1000 / n)
h = call(tok, "POST", "/handovers", {"from_user": reps[0]["id"]})
items = sum(len(s) for s in h["sections"].values())
at, c0 = os.path.getsize(LOG), cpu()
call(tok, "POST", "/handovers/%d/execute" % h["id"])
c1 = cpu(); time.sleep(0.05)
row("POST /handovers/{id}/execute (%d items, once)" % items, log_ms(at), (c1 - c0) * 1000)
PY
