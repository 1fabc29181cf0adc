"""The single-record GET and a small list, sequential on one connection, on
the backend FUNNEL_DB names (sqlite by default, pg: a throwaway cluster, as
the API tests).  Run: FUNNEL_BIN=build/release/funnel python3 bench/backends.py
and again with FUNNEL_DB=pg (docs/performance.md)."""
import sys, time, http.client
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "api"))
import harness
s = harness.Server()
tok = s.login()
acc = s.create("accounts", {"name": "Bench"}, tok)
c = http.client.HTTPConnection(s.host, s.port)
def once(path):
    c.request("GET", path, headers={"Authorization": "Bearer " + tok}); r = c.getresponse(); r.read(); assert r.status == 200
for _ in range(50): once("/api/v1/accounts/%d" % acc["id"])
for path in ("/api/v1/accounts/%d" % acc["id"], "/api/v1/accounts?limit=50"):
    t = time.time(); n = 1000
    for _ in range(n): once(path)
    print("%s %s: %.0f req/s sequential, one connection" % ("pg" if harness.PG else "sqlite", path, n / (time.time() - t)))
s.close()
