#!/usr/bin/env python3
"""Live polls under a crowd (docs/questionnaires.md): N participants (default 200) answer the
Buying criteria poll by their links, one after another; then the host's 2-second poll of
the results (GET /api/v1/meetings/{id}/polls, every answer aggregated) and the participant
report as JSON, CSV and PDF.  Baseline in the same run: GET /api/v1/me, the lightest
signed-in request.  Wall-clock times on loopback (the client's, one connection per request,
the JSON parsed by Python), beside the server-side duration and size from the access log.

    bench/polls.py [N] [ROUNDS]        FUNNEL_BIN (default ./funnel); BENCH_KEEP=1 keeps the db
"""
import hashlib
import os
import random
import re
import secrets
import sqlite3
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("FUNNEL_BIN", os.path.join(ROOT, "funnel"))
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
from harness import Server  # noqa: E402


def timed(fn, rounds):
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        r = fn()
        out.append((time.perf_counter() - t) * 1000)
        assert r.status == 200, r
    out.sort()
    return out


def show(name, ms, server=None):
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    extra = ""
    if server:
        extra = "   server-side median %6.2f ms, %d bytes" % server
    print("  %-46s median %7.2f ms   p99 %7.2f ms   (%d)%s" % (name, statistics.median(ms), p99,
                                                              len(ms), extra))


def server_side(log, method, pattern, first=0, count=None):
    """Median duration and size of the access log's lines for method + path pattern
    (the log leaves the query string out: `first` and `count` pick the run's lines)."""
    rows = []
    for line in open(log, encoding="utf-8", errors="replace"):
        parts = line.split()
        if len(parts) > 8 and parts[2] == "access" and parts[4] == method and \
                re.fullmatch(pattern, parts[5]):
            rows.append((float(parts[8].rstrip("ms")), int(parts[7])))
    rows = rows[first:first + count if count else None]
    return (statistics.median(r[0] for r in rows), rows[-1][1]) if rows else None


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    s = Server()
    try:
        admin = s.login()
        acct = s.create("accounts", {"name": "Bench Corp"}, admin)
        deal = s.create("opportunities", {"name": "Bench deal", "account_id": acct["id"],
                                          "close_date": "2027-03-31"}, admin)
        m = s.create("meetings", {"opportunity_id": deal["id"], "kind": "webinar",
                                  "title": "Bench webinar", "starts_at": "2027-01-15T09:00:00Z",
                                  "duration_minutes": 60, "timezone": "UTC"}, admin)
        tokens = []
        db = sqlite3.connect(s.db)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7200))
        for i in range(n):
            tok = secrets.token_urlsafe(32)
            cur = db.execute(
                "INSERT INTO meeting_invitees (meeting_id, kind, email, name, role, "
                "join_token_hash, join_expires_at, created_at) VALUES (?, 'email', ?, ?, "
                "'attendee', ?, ?, ?)",
                (m["id"], "p%d@bench.example" % i, "Participant %d" % i,
                 hashlib.sha256(tok.encode()).hexdigest(), later, now))
            db.execute("INSERT INTO meeting_participants (invitee_id, meeting_id, admitted_at) "
                       "VALUES (?, ?, ?)", (cur.lastrowid, m["id"], now))
            tokens.append(tok)
        db.execute("UPDATE meetings SET state = 'live', janus_room = 1 WHERE id = ?", (m["id"],))
        db.commit()
        db.close()
        tpl = s.get("/api/v1/questionnaires?q=buying", admin).json["data"][0]
        poll = s.post("/api/v1/meetings/%d/polls" % m["id"], {"questionnaire_id": tpl["id"]},
                      admin).json
        q = {x["key"]: x for x in poll["questions"]}
        rnd = random.Random(13)
        answers = []
        for tok in tokens:
            opts = list(q["differentials"]["options"])
            rnd.shuffle(opts)
            body = {"answers": {"priority": rnd.choice(q["priority"]["options"]),
                                "price": rnd.randint(1, 5), "quality": rnd.randint(1, 5),
                                "service": rnd.randint(1, 5), "differentials": opts,
                                "other": "Participant note %d" % rnd.randint(1, 10 ** 6)}}
            t = time.perf_counter()
            r = s.post("/api/v1/join/%s/polls/%d" % (tok, poll["id"]), body)
            answers.append((time.perf_counter() - t) * 1000)
            assert r.status == 200, r
        answers.sort()
        base = "/api/v1/meetings/%d" % m["id"]
        me = timed(lambda: s.get("/api/v1/me", admin), rounds)
        mine = timed(lambda: s.get("/api/v1/join/%s/polls" % tokens[0]), rounds)
        host = timed(lambda: s.get(base + "/polls", admin), rounds)
        rj = timed(lambda: s.get(base + "/report", admin), rounds)
        rc = timed(lambda: s.get(base + "/report?format=csv", admin), rounds)
        rp = timed(lambda: s.request("GET", base + "/report?format=pdf", token=admin),
                   max(5, rounds // 5))
        s.stop()
        log = os.path.join(s.tmp, "server.log")
        mid = m["id"]
        print("polls: %d participants answered the 6-question Buying criteria poll" % n)
        show("GET /api/v1/me (baseline)", me, server_side(log, "GET", r"/api/v1/me"))
        show("POST …/join/{token}/polls/{poll} (an answer)", answers,
             server_side(log, "POST", r"/api/v1/join/.*/polls/\d+"))
        show("GET …/join/{token}/polls (a participant)", mine,
             server_side(log, "GET", r"/api/v1/join/.*/polls"))
        show("GET …/meetings/{id}/polls (host, %d answers)" % n, host,
             server_side(log, "GET", r"/api/v1/meetings/%d/polls" % mid))
        rep = r"/api/v1/meetings/%d/report" % mid
        show("GET …/meetings/{id}/report (JSON)", rj, server_side(log, "GET", rep, 0, len(rj)))
        show("GET …/report?format=csv", rc, server_side(log, "GET", rep, len(rj), len(rc)))
        show("GET …/report?format=pdf", rp, server_side(log, "GET", rep, len(rj) + len(rc)))
    finally:
        if os.environ.get("BENCH_KEEP"):
            s.stop()
            print("polls: kept " + s.db)
        else:
            s.close()


if __name__ == "__main__":
    main()
