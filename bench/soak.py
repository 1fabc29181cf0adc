"""The soak client of bench/soak.sh: CONNS threads, each with a keep-alive
connection and a signed-in demo user, sending mixed traffic for SECONDS.

Mix (per request): 30% a record by id, 25% a list page, 10% a new activity,
10% an update with If-Match (412 expected when another thread was first),
6% a stage move (409 expected when the pipeline refuses it), 15% report
reads, 3.9% /me, 0.1% a login (argon2id: a second of CPU each, on purpose).
Each connection signs in once before the clock starts.  Every 10 s the server's RSS and open
files are sampled.  At the end: p50/p99 per route, every status, errors that
are not the expected 412/409, and whether the database holds exactly the
activities acknowledged with 201.
"""
import http.client
import json
import os
import random
import sqlite3
import sys
import threading
import time
import urllib.parse

url, db, pid, conns, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
    float(sys.argv[5])
u = urllib.parse.urlparse(url)
RUN = "soak-%d" % int(time.time())
PASSWORD = "demo-password"
lock = threading.Lock()
lat = {}          # route → [seconds]
statuses = {}     # (route, status) → n
unexpected = []   # (route, status, body)
acked = [0]
stop = time.time() + seconds


def conn():
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60)


def call(c, method, path, body=None, token=None, headers=None):
    h = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    if token:
        h["Authorization"] = "Bearer " + token
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    return r.status, dict(r.getheaders()), r.read()


def note(route, status, t, body, ok=(200, 201, 204)):
    with lock:
        lat.setdefault(route, []).append(t)
        statuses[(route, status)] = statuses.get((route, status), 0) + 1
        if status not in ok:
            unexpected.append((route, status, body[:200]))


def login(c, email):
    s, _, b = call(c, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
    assert s == 200, (email, s, b)
    return json.loads(b)["token"]


def worker(email, tok):
    c = conn()
    s, _, b = call(c, "GET", "/api/v1/opportunities?status=open&limit=100", token=tok)
    opps = [o["id"] for o in json.loads(b)["data"]] or [1]
    stages = ["qualification", "presentation", "proposal", "negotiation"]
    while time.time() < stop:
        x = random.random()
        t0 = time.time()
        try:
            if x < 0.30:
                route = "GET /opportunities/{id}"
                s, _, b = call(c, "GET", "/api/v1/opportunities/%d" % random.choice(opps),
                               token=tok)
                note(route, s, time.time() - t0, b)
            elif x < 0.55:
                route = "GET /opportunities (list)"
                s, _, b = call(c, "GET", "/api/v1/opportunities?status=open&limit=50"
                               "&sort=-close_date", token=tok)
                note(route, s, time.time() - t0, b)
            elif x < 0.65:
                route = "POST /activities"
                s, _, b = call(c, "POST", "/api/v1/activities", {
                    "type": "call", "subject": RUN, "related_type": "opportunity",
                    "related_id": random.choice(opps)}, tok)
                note(route, s, time.time() - t0, b)
                if s == 201:
                    with lock:
                        acked[0] += 1
            elif x < 0.75:
                route = "PATCH /opportunities/{id} If-Match"
                oid = random.choice(opps)
                s, h, b = call(c, "GET", "/api/v1/opportunities/%d" % oid, token=tok)
                etag = h.get("ETag") or h.get("Etag") or ""
                s, _, b = call(c, "PATCH", "/api/v1/opportunities/%d" % oid,
                               {"name": "Soak %d" % random.randrange(10 ** 6)}, tok,
                               {"If-Match": etag})
                note(route, s, time.time() - t0, b, (200, 412))
            elif x < 0.81:
                route = "POST /opportunities/{id}/move"
                s, _, b = call(c, "POST", "/api/v1/opportunities/%d/move" % random.choice(opps),
                               {"stage": random.choice(stages)}, tok)
                note(route, s, time.time() - t0, b, (200, 409))
            elif x < 0.96:
                route, path = random.choice([
                    ("GET /reports/funnel", "/api/v1/reports/funnel"),
                    ("GET /forecast", "/api/v1/forecast?period=2026-Q4"),
                    ("GET /reports/stale", "/api/v1/reports/stale")])
                s, _, b = call(c, "GET", path, token=tok)
                note(route, s, time.time() - t0, b)
            elif x < 0.999:
                route = "GET /me"
                s, _, b = call(c, "GET", "/api/v1/me", token=tok)
                note(route, s, time.time() - t0, b)
            else:
                route = "POST /auth/login"
                t = login(c, email)
                note(route, 200, time.time() - t0, b"")
                tok = t
        except (OSError, http.client.HTTPException) as e:
            note(route, -1, time.time() - t0, str(e).encode())
            c.close()
            c = conn()


def sampler(out):
    while time.time() < stop + 1:
        try:
            with open("/proc/%d/status" % pid) as f:
                rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            fds = len(os.listdir("/proc/%d/fd" % pid))
        except OSError:
            return
        out.append((round(time.time() - start), rss, fds))
        time.sleep(10)


db0 = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
users = [r[0] for r in db0.execute("SELECT email FROM users WHERE active = 1 AND role <> 'admin' "
                                   "ORDER BY id")]
db0.close()
# sign in before the clock starts: a login is an argon2id hash on purpose
# (about a second of CPU and 64 MiB here), so they are rare in the mix
c0 = conn()
tokens = {e: login(c0, e) for e in users[:conns]}
c0.close()
start = time.time()
stop = start + seconds
samples = []
threads = [threading.Thread(target=worker, args=(users[i % len(users)],
                                                 tokens[users[i % len(users)]]))
           for i in range(conns)]
st = threading.Thread(target=sampler, args=(samples,))
st.start()
for t in threads:
    t.start()
for t in threads:
    t.join()
st.join()
elapsed = time.time() - start
total = sum(len(v) for v in lat.values())
print("soak: %d connections, %.0f s, %d requests (%.0f req/s)" % (conns, elapsed, total,
                                                                  total / elapsed))
print("%-36s %8s %9s %9s" % ("route", "requests", "p50 ms", "p99 ms"))
for route in sorted(lat):
    v = sorted(lat[route])
    print("%-36s %8d %9.1f %9.1f" % (route, len(v), 1000 * v[len(v) // 2],
                                      1000 * v[min(len(v) - 1, int(len(v) * 0.99))]))
print("statuses: " + ", ".join("%s %s: %d" % (r, s, n) for (r, s), n in sorted(statuses.items())))
print("samples (s, RSS KiB, open files): " + " ".join("%d:%d/%d" % x for x in samples))
if samples:
    print("RSS first %d KiB, last %d KiB, max %d KiB; open files first %d, last %d, max %d" % (
        samples[0][1], samples[-1][1], max(s[1] for s in samples), samples[0][2], samples[-1][2],
        max(s[2] for s in samples)))
db1 = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
stored = db1.execute("SELECT count(*) FROM activities WHERE subject = ?", (RUN,)).fetchone()[0]
db1.close()
print("activities acknowledged %d, in the database %d: %s" % (acked[0], stored,
                                                             "equal" if stored == acked[0]
                                                             else "DIFFERENT"))
print("unexpected errors: %d" % len(unexpected))
for x in unexpected[:10]:
    print("  %s %s %r" % x)
sys.exit(0 if not unexpected and stored == acked[0] else 1)
