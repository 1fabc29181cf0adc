"""The forecasting process (src/crm/forecast/forecast_process.h): submissions (append-
only, visibility, bad input), the roll-up, weekly snapshots (the serve job and
`funnel forecast snapshot`, once per week), accuracy against hand-computed
figures, the backtest on a small fixture, and `funnel import field_history`.
"""
import json
import os
import sqlite3
import time
import unittest
import urllib.parse

from harness import Server, ServerTest, connect, org, run
from test_openapi import conform

SUB = "/api/v1/forecast/submissions"


def q(path, **params):
    return path + "?" + urllib.parse.urlencode(params)


def restart_at(s, now):
    s.stop()
    s.env["FUNNEL_NOW"] = now
    s.tokens.clear()
    s.start()


def wilson(k, n, z=1.959963984540054):
    """The 95 % Wilson score interval of k successes in n."""
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5 / d
    return max(0.0, c - h), min(1.0, c + h)


def db_rows(s, sql, *args):
    c = connect(s.db)
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


class Submissions(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(env={"FUNNEL_NOW": "2026-10-05T09:00:00Z"})
        cls.o = org(cls.s)
        cls.doc = cls.s.get("/api/v1/openapi.json").json

    def tok(self, who):
        return self.o[who]["token"]

    def submit(self, who, **body):
        return self.s.post(SUB, dict({"period": "2026-Q4", "scope": "user"}, **body), self.tok(who))

    def conforms(self, r, path, method, status):
        op = self.doc["paths"][path][method]
        schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
        self.assertEqual(conform(self.doc, r.json, schema), [], r)

    def test_rep_submits_and_history_is_append_only(self):
        r1 = self.submit("rep_e1b", commit="1000.00", best_case="2000.00", note="first")
        self.assertEqual(r1.status, 201, r1)
        self.conforms(r1, SUB, "post", 201)
        self.assertEqual((r1.json["scope"], r1.json["scope_id"]), ("user", self.o["rep_e1b"]["id"]))
        self.assertEqual((r1.json["commit"], r1.json["best_case"]), (1000, 2000))
        r2 = self.submit("rep_e1b", commit="1500.50", best_case="2500.00")
        self.assertEqual(r2.status, 201, r2)
        self.assertGreater(r2.json["id"], r1.json["id"])
        h = self.s.get(q(SUB, period="2026-Q4", user_id=self.o["rep_e1b"]["id"]), self.tok("rep_e1b"))
        self.assertEqual(h.status, 200, h)
        self.conforms(h, SUB, "get", 200)
        self.assertEqual([x["id"] for x in h.json["data"]], [r2.json["id"], r1.json["id"]])
        self.assertEqual(h.json["data"][1]["note"], "first")
        latest = self.s.get(q(SUB, period="2026-Q4", user_id=self.o["rep_e1b"]["id"], latest="true"),
                            self.tok("rep_e1b")).json["data"]
        self.assertEqual([x["id"] for x in latest], [r2.json["id"]])
        self.assertEqual(latest[0]["commit"], 1500.5)
        # the table refuses changes: kept for ever
        with self.assertRaises(sqlite3.DatabaseError):
            c = connect(self.s.db)
            try:
                c.execute("UPDATE forecast_submissions SET commit_amount = 1")
            finally:
                c.close()

    def test_roles_and_scopes(self):
        t = self.o["teams"]
        r = self.submit("mgr_east", scope="team", team_id=t["east1"], commit=5000, best_case=9000)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["scope_name"], "East-1")
        r = self.submit("admin", scope="company", commit=100, best_case=200)
        self.assertEqual(r.status, 201, r)
        self.assertIsNone(r.json["scope_id"])
        # a manager outside their subtree, a rep for any team: not found
        self.assertProblem(self.submit("mgr_west", scope="team", team_id=t["east"], commit=1,
                                       best_case=1), 404)
        self.assertProblem(self.submit("rep_e1", scope="team", team_id=t["east1"], commit=1,
                                       best_case=1), 404)
        # the company is for admins
        self.assertProblem(self.submit("mgr_east", scope="company", commit=1, best_case=1), 403)

    def test_bad_input_names_fields_and_writes_nothing(self):
        before = db_rows(self.s, "SELECT count(*) FROM forecast_submissions")[0][0]
        cases = [
            ({"period": "2026-Q5", "scope": "user", "commit": 1, "best_case": 2}, "period"),
            ({"period": "2026-Q4", "scope": "user", "commit": -1, "best_case": 2}, "commit"),
            ({"period": "2026-Q4", "scope": "user", "commit": 5, "best_case": 2}, "best_case"),
            ({"period": "2026-Q4", "scope": "user", "commit": "1.234", "best_case": 2}, "commit"),
            ({"period": "2026-Q4", "scope": "user", "best_case": 2}, "commit"),
            ({"period": "2026-Q4", "scope": "team", "commit": 1, "best_case": 2}, "team_id"),
            ({"period": "2026-Q4", "scope": "user", "team_id": 1, "commit": 1, "best_case": 2},
             "team_id"),
            ({"period": "2026-Q4", "scope": "galaxy", "commit": 1, "best_case": 2}, "scope"),
            ({"period": "2026-Q4", "scope": "user", "commit": 1, "best_case": 2, "x": 1}, "x"),
            ({"period": "2026-Q4", "scope": "user", "commit": 1, "best_case": 2,
              "currency": "XXQ"}, "currency"),
        ]
        for body, field in cases:
            self.assertProblem(self.s.post(SUB, body, self.tok("rep_e1")), 400, field)
        self.assertProblem(self.s.post(SUB, raw=b"[1", token=self.tok("rep_e1")), 400)
        self.assertEqual(db_rows(self.s, "SELECT count(*) FROM forecast_submissions")[0][0], before)
        for params, field in (({"period": "Q4"}, "period"), ({"limit": "0"}, "limit"),
                              ({"latest": "yes"}, "latest"), ({"bogus": "1"}, "bogus"),
                              ({"scope": "planet"}, "scope")):
            self.assertProblem(self.s.get(q(SUB, **params), self.tok("rep_e1")), 400, field)

    def test_visibility(self):
        o, t = self.o, self.o["teams"]
        self.submit("rep_e1", commit=10, best_case=20)
        self.submit("rep_w", commit=30, best_case=40)
        self.submit("mgr_west", scope="team", team_id=t["west"], commit=50, best_case=60)

        def seen(who, **params):
            r = self.s.get(q(SUB, **params), self.tok(who))
            self.assertEqual(r.status, 200, r)
            return {(x["scope"], x["scope_id"]) for x in r.json["data"]}

        self.assertEqual(seen("rep_e1"), {("user", o["rep_e1"]["id"])})
        east = seen("mgr_east")
        self.assertIn(("user", o["rep_e1"]["id"]), east)
        self.assertNotIn(("user", o["rep_w"]["id"]), east)
        self.assertNotIn(("team", t["west"]), east)
        self.assertNotIn(("company", None), east)
        self.assertIn(("team", t["west"]), seen("admin"))
        self.assertIn(("company", None), seen("admin"))
        # what one may not see is not found
        self.assertProblem(self.s.get(q(SUB, user_id=o["rep_w"]["id"]), self.tok("rep_e1")), 404)
        self.assertProblem(self.s.get(q(SUB, team_id=t["west"]), self.tok("mgr_east")), 404)
        self.assertProblem(self.s.get(q(SUB, scope="company"), self.tok("mgr_east")), 404)
        # paging
        r = self.s.get(q(SUB, limit=1), self.tok("admin"))
        self.assertEqual(len(r.json["data"]), 1)
        r2 = self.s.get(q(SUB, limit=1, cursor=r.json["next_cursor"]), self.tok("admin"))
        self.assertLess(r2.json["data"][0]["id"], r.json["data"][0]["id"])

    def test_idempotency_key_stores_a_retry_once(self):
        count = "SELECT count(*) FROM forecast_submissions WHERE period = '2027-Q1'"
        body = {"period": "2027-Q1", "scope": "user", "commit": "400.00", "best_case": "600.00"}
        h = {"Idempotency-Key": "fc-retry-1"}
        r1 = self.s.post(SUB, body, self.tok("rep_w"), headers=h)
        self.assertEqual(r1.status, 201, r1)
        self.assertIsNone(r1.header("Idempotent-Replayed"))
        r2 = self.s.post(SUB, body, self.tok("rep_w"), headers=h)
        self.assertEqual(r2.status, 201, r2)
        self.assertEqual(r2.raw, r1.raw)
        self.assertEqual(r2.header("Idempotent-Replayed"), "true")
        self.assertEqual(db_rows(self.s, count)[0][0], 1)
        hist = self.s.get(q(SUB, period="2027-Q1"), self.tok("rep_w")).json["data"]
        self.assertEqual([x["id"] for x in hist], [r1.json["id"]])
        # the same key with another body: refused, nothing written
        r3 = self.s.post(SUB, dict(body, commit="450.00"), self.tok("rep_w"), headers=h)
        self.assertProblem(r3, 409)
        self.assertEqual(db_rows(self.s, count)[0][0], 1)
        # a refused submission is not remembered: the corrected one goes through
        k2 = {"Idempotency-Key": "fc-retry-2"}
        self.assertProblem(self.s.post(SUB, dict(body, best_case="1.00"), self.tok("rep_w"),
                                       headers=k2), 400, "best_case")
        r4 = self.s.post(SUB, dict(body, commit="500.00"), self.tok("rep_w"), headers=k2)
        self.assertEqual(r4.status, 201, r4)
        self.assertIsNone(r4.header("Idempotent-Replayed"))
        # keys are per user: another person's key of the same name is theirs
        t = self.o["teams"]
        team = {"period": "2027-Q1", "scope": "team", "team_id": t["west"], "commit": 900,
                "best_case": 1000}
        r5 = self.s.post(SUB, team, self.tok("mgr_west"), headers=h)
        self.assertEqual(r5.status, 201, r5)
        self.assertEqual(self.s.post(SUB, team, self.tok("mgr_west"), headers=h).json["id"],
                         r5.json["id"])
        self.assertEqual(db_rows(self.s, count)[0][0], 3)
        self.assertProblem(self.s.post(SUB, body, self.tok("rep_w"),
                                       headers={"Idempotency-Key": ""}), 400, "Idempotency-Key")
        self.assertEqual(db_rows(self.s, count)[0][0], 3)
        # the document says so
        params = self.doc["paths"][SUB]["post"]["parameters"]
        self.assertEqual(params, [{"$ref": "#/components/parameters/Idempotency-Key"}])

    def test_rollup(self):
        o, t = self.o, self.o["teams"]
        self.submit("rep_e1", commit="700.00", best_case="900.00")
        self.submit("rep_e1", commit="800.00", best_case="1000.00")   # the latest counts
        self.submit("rep_e1b", commit="200.00", best_case="300.00")
        self.submit("mgr_east", scope="team", team_id=t["east1"], commit=950, best_case=1200)
        r = self.s.get(q("/api/v1/forecast/rollup", period="2026-Q4", team_id=t["east1"]),
                       self.tok("mgr_east"))
        self.assertEqual(r.status, 200, r)
        self.conforms(r, "/api/v1/forecast/rollup", "get", 200)
        members = {m["id"]: m for m in r.json["members"] if m["kind"] == "user"}
        self.assertEqual(set(members), {o["rep_e1"]["id"], o["rep_e1b"]["id"]})
        self.assertEqual(members[o["rep_e1"]["id"]]["submission"]["commit"], 800)
        self.assertEqual(members[o["rep_e1b"]["id"]]["submission"]["commit"], 200)
        self.assertEqual(r.json["sum"]["submitted"], 2)
        self.assertEqual(r.json["sum"]["commit"], 1000)
        self.assertEqual(r.json["sum"]["best_case"], 1300)
        self.assertEqual([x["commit"] for x in r.json["submissions"]], [950])
        for m in ("weighted", "categories", "historical", "simulation"):
            self.assertIn(m, r.json["models"])
        # the manager's own team: East-1 is a member team with its latest number
        r = self.s.get(q("/api/v1/forecast/rollup", period="2026-Q4"), self.tok("mgr_east"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["scope"]["id"], t["east"])
        teams = {m["id"]: m for m in r.json["members"] if m["kind"] == "team"}
        self.assertEqual(teams[t["east1"]]["submission"]["commit"], 950)
        # who may not see the team
        self.assertProblem(self.s.get(q("/api/v1/forecast/rollup", period="2026-Q4",
                                        team_id=t["east1"]), self.tok("mgr_west")), 404)
        self.assertProblem(self.s.get(q("/api/v1/forecast/rollup", period="2026-Q4"),
                                      self.tok("rep_e1")), 404)
        self.assertProblem(self.s.get(q("/api/v1/forecast/rollup", team_id=t["east1"]),
                                      self.tok("mgr_east")), 400, "period")
        # admins without team_id: the company
        r = self.s.get(q("/api/v1/forecast/rollup", period="2026-Q4"), self.tok("admin"))
        self.assertEqual(r.json["scope"]["kind"], "company")


class Accuracy(unittest.TestCase):
    """Known actuals, snapshots with known totals: every figure by hand."""

    @classmethod
    def setUpClass(cls):
        # no snapshot job: the snapshots are the ones written below
        s = cls.s = Server(env={"FUNNEL_NOW": "2026-07-01T09:00:00Z"},
                           args=["--snapshot-interval", "0"])
        cls.o = org(s)
        admin = s.login()
        acct = s.create("accounts", {"name": "Customer"}, admin)["id"]
        cls.deals = {}
        for key, owner, amount, close in (("D1", "rep_e1", "10000.00", "2026-08-15"),
                                          ("D2", "rep_e1", "5000.00", "2026-09-10"),
                                          ("D3", "rep_e1b", "8000.00", "2026-09-01")):
            cls.deals[key] = s.create("opportunities", {
                "name": key, "account_id": acct, "amount": amount, "close_date": close,
                "owner_id": cls.o[owner]["id"]}, admin)["id"]
        restart_at(s, "2026-08-10T09:00:00Z")
        for key in ("D1", "D3"):
            r = s.post("/api/v1/opportunities/%d/move" % cls.deals[key],
                       {"stage": "conversion", "override": True, "reason": "fixture"}, s.login())
            assert r.status == 200, r
        restart_at(s, "2026-10-05T09:00:00Z")
        cls.o = org_tokens(s, cls.o)
        uid = cls.o["rep_e1"]["id"]
        rows = [
            # week, source, submitter, total, p10, p90, commit, best_case
            ("2026-W27", "weighted", 0, 900000, None, None, None, None),
            ("2026-W28", "weighted", 0, 1100000, None, None, None, None),
            ("2026-W27", "historical", 0, 800000, 500000, 1200000, None, None),
            ("2026-W28", "historical", 0, 1500000, 1200000, 2000000, None, None),
            ("2026-W27", "submission", uid, 1200000, None, None, 1200000, 2000000),
        ]
        c = connect(s.db)
        with c:
            for week, src, subm, total, p10, p90, commit, best in rows:
                c.execute("INSERT INTO forecast_snapshots (period, week, as_of, taken_at, scope, "
                          "scope_id, source, submitter_id, currency, closed_won, total, p10, "
                          "p90, commit_amount, best_case) VALUES ('2026-Q3', ?, ?, ?, 'user', ?, "
                          "?, ?, 'EUR', 0, ?, ?, ?, ?, ?)",
                          (week, "2026-07-0%dT00:00:00Z" % (1 if week.endswith("27") else 6),
                           "2026-07-06T00:00:00Z", uid, src, subm, total, p10, p90, commit, best))
            c.execute("INSERT INTO forecast_snapshots (period, week, as_of, taken_at, scope, "
                      "scope_id, source, currency, closed_won, total) VALUES ('2026-Q3', "
                      "'2026-W27', '2026-07-01T00:00:00Z', '2026-07-01T00:00:00Z', 'team', ?, "
                      "'weighted', 'EUR', 0, 2000000)", (cls.o["teams"]["east1"],))
        c.close()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def get(self, who, **params):
        return self.s.get(q("/api/v1/forecast/accuracy", **params), self.o[who]["token"])

    def test_figures_by_hand(self):
        r = self.get("rep_e1", period="2026-Q3")
        self.assertEqual(r.status, 200, r)
        doc = self.s.get("/api/v1/openapi.json").json
        schema = doc["paths"]["/api/v1/forecast/accuracy"]["get"]["responses"]["200"]
        self.assertEqual(conform(doc, r.json, schema["content"]["application/json"]["schema"]), [])
        self.assertEqual(len(r.json["scopes"]), 1)        # a rep: their own scope only
        sc = r.json["scopes"][0]
        self.assertEqual(sc["actual"], 10000)              # D1 won in Q3 (D2 still open)
        f = {x["source"]: x for x in sc["forecasts"]}
        self.assertEqual(list(f), ["weighted", "historical", "submission"])
        w = f["weighted"]
        self.assertEqual([x["error"] for x in w["weeks"]], [-1000, 1000])
        self.assertEqual([x["ape"] for x in w["weeks"]], [0.1, 0.1])
        self.assertEqual([x["inside"] for x in w["weeks"]], [None, None])
        self.assertAlmostEqual(w["mape"], 0.1)
        self.assertAlmostEqual(w["bias"], 0.0)
        self.assertAlmostEqual(w["wape"], 2000 / 20000)    # |-1000| + |1000| over 2 x 10000
        self.assertIsNone(w["coverage"])
        h = f["historical"]
        self.assertEqual([x["inside"] for x in h["weeks"]], [True, False])  # 5k..12k; 12k..20k
        self.assertAlmostEqual(h["mape"], (0.2 + 0.5) / 2)
        self.assertAlmostEqual(h["bias"], (-0.2 + 0.5) / 2)
        self.assertAlmostEqual(h["wape"], (2000 + 5000) / 20000)
        self.assertAlmostEqual(h["coverage"], 0.5)
        sub = f["submission"]
        self.assertEqual(sub["submitter_id"], self.o["rep_e1"]["id"])
        self.assertEqual(sub["weeks"][0]["error"], 2000)
        self.assertFalse(sub["weeks"][0]["inside"])        # commit 12000 > actual 10000
        self.assertAlmostEqual(sub["bias"], 0.2)

    def test_team_actual_and_visibility(self):
        r = self.get("mgr_east", period="2026-Q3", team_id=self.o["teams"]["east1"])
        self.assertEqual(r.status, 200, r)
        sc = r.json["scopes"][0]
        self.assertEqual(sc["actual"], 18000)              # D1 + D3
        self.assertEqual(sc["forecasts"][0]["weeks"][0]["error"], 2000)
        self.assertEqual(len(self.get("mgr_east", period="2026-Q3").json["scopes"]), 2)
        self.assertEqual(self.get("mgr_west", period="2026-Q3").json["scopes"], [])
        self.assertProblem(self.get("rep_e1b", period="2026-Q3",
                                    user_id=self.o["rep_e1"]["id"]), 404)
        self.assertProblem(self.get("mgr_west", period="2026-Q3",
                                    team_id=self.o["teams"]["east1"]), 404)

    def test_bad_input(self):
        self.assertProblem(self.get("admin", period="2026-Q4"), 400, "period")  # not closed
        self.assertProblem(self.get("admin"), 400, "period")
        self.assertProblem(self.get("admin", period="2026-Q3", source="magic"), 400, "source")
        self.assertProblem(self.get("admin", period="2026-Q3", nope="1"), 400, "nope")

    assertProblem = ServerTest.assertProblem


def org_tokens(s, o):
    """Tokens again after a restart (sessions survive, but re-login is cheap)."""
    for k, v in o.items():
        if isinstance(v, dict) and "email" in v:
            v["token"] = s.login(v["email"]) if v["email"] != "admin@test.funnel" else s.login()
    return o


class Snapshots(unittest.TestCase):
    """The serve job takes the week's snapshot once; the CLI does the same."""

    def test_serve_job_and_cli_once_per_week(self):
        # the data first, with no job; then the job every second
        s = Server(env={"FUNNEL_NOW": "2026-11-18T10:00:00Z"}, args=["--snapshot-interval", "0"])
        try:
            admin = s.login()
            rep = s.create("users", {"email": "r@test.funnel", "name": "R", "role": "rep",
                                     "password": "correct horse battery"}, admin)
            acct = s.create("accounts", {"name": "A"}, admin)["id"]
            s.create("opportunities", {"name": "O", "account_id": acct, "amount": "1000.00",
                                       "close_date": "2026-12-10", "owner_id": rep["id"]}, admin)
            self.assertEqual(db_rows(s, "SELECT count(*) FROM forecast_snapshots"), [(0,)])
            s.stop()
            s.args = ["--snapshot-interval", "1"]
            s.start()

            def weeks():
                return dict(db_rows(s, "SELECT week || ' ' || period, count(*) FROM "
                                       "forecast_snapshots GROUP BY 1"))

            # the quarter's and the month's snapshots are taken one after the other
            deadline = time.time() + 30
            while not {"2026-W47 2026-Q4", "2026-W47 2026-11"} <= set(weeks()) and \
                    time.time() < deadline:
                time.sleep(0.2)
            first = weeks()
            self.assertIn("2026-W47 2026-Q4", first)
            self.assertIn("2026-W47 2026-11", first)
            srcs = {r[0] for r in db_rows(s, "SELECT DISTINCT source FROM forecast_snapshots")}
            self.assertEqual(srcs, {"weighted", "categories", "historical", "simulation"})
            scopes = {r[0] for r in db_rows(s, "SELECT DISTINCT scope FROM forecast_snapshots")}
            self.assertEqual(scopes, {"company", "user"})
            time.sleep(2.5)                          # the job wakes again: nothing new
            self.assertEqual(weeks(), first)
            t0 = time.time()
            self.assertEqual(s.stop(), 0)
            self.assertLess(time.time() - t0, 10)
            # the CLI, the same week: nothing to do
            p = run(["forecast", "snapshot", "--db", s.db], env={"FUNNEL_NOW": "2026-11-19T10:00:00Z"})
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("already taken", p.stdout)
            self.assertEqual(weeks(), first)
            # a submission, then the next week: taken, with the submission
            s.env["FUNNEL_NOW"] = "2026-11-25T10:00:00Z"
            s.tokens.clear()
            s.args = ["--snapshot-interval", "0"]
            s.start()
            r = s.post(SUB, {"period": "2026-Q4", "scope": "company", "commit": 900,
                             "best_case": 1100}, s.login())
            self.assertEqual(r.status, 201, r)
            s.stop()
            s.args = ["--snapshot-interval", "1"]
            s.start()
            deadline = time.time() + 30
            while "2026-W48 2026-Q4" not in weeks() and time.time() < deadline:
                time.sleep(0.2)
            self.assertIn("2026-W48 2026-Q4", weeks())
            sub = db_rows(s, "SELECT total, best_case, submitter_id FROM forecast_snapshots "
                             "WHERE week = '2026-W48' AND source = 'submission'")
            self.assertEqual(sub, [(90000, 110000, 1)])
            # back-filling a past week from the CLI, once
            args = ["forecast", "snapshot", "--db", s.db, "--as-of", "2026-10-05", "--period",
                    "2026-Q4"]
            p = run(args)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("2026-W41 taken", p.stdout)
            self.assertIn("already taken", run(args).stdout)
            as_of = db_rows(s, "SELECT DISTINCT as_of FROM forecast_snapshots WHERE week = "
                               "'2026-W41'")
            self.assertEqual(as_of, [("2026-10-05T00:00:00Z",)])
            self.assertEqual(run(["forecast", "snapshot", "--db", s.db, "--period", "2026-Q9"])
                             .returncode, 3)
        finally:
            s.close()


class Backtest(unittest.TestCase):
    """Two deals, one quarter: the weighted replay and the actual by hand."""

    @classmethod
    def setUpClass(cls):
        s = cls.s = Server(env={"FUNNEL_NOW": "2026-06-20T09:00:00Z"})
        admin = s.login()
        acct = s.create("accounts", {"name": "Customer"}, admin)["id"]
        ids = {}
        for key, amount, close, stage in (("A", "10000.00", "2026-08-15", "proposal"),
                                          ("B", "4000.00", "2026-09-30", "negotiation")):
            ids[key] = s.create("opportunities", {"name": key, "account_id": acct,
                                                  "amount": amount, "close_date": close,
                                                  "owner_id": 1}, admin)["id"]
            r = s.post("/api/v1/opportunities/%d/move" % ids[key],
                       {"stage": stage, "override": True, "reason": "fixture"}, admin)
            assert r.status == 200, r
        restart_at(s, "2026-08-10T09:00:00Z")
        r = s.post("/api/v1/opportunities/%d/move" % ids["A"],
                   {"stage": "conversion", "override": True, "reason": "fixture"}, s.login())
        assert r.status == 200, r
        s.stop()
        cls.env = {"FUNNEL_NOW": "2026-10-05T09:00:00Z"}

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def test_json(self):
        p = run(["forecast", "backtest", "--db", self.s.db, "--from", "2026-Q3", "--to",
                 "2026-Q3", "--weeks", "1", "--json", "--iterations", "2000"], env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(len(out["points"]), 1)
        pt = out["points"][0]
        self.assertEqual(pt["as_of"], "2026-07-01T00:00:00Z")
        self.assertEqual(pt["actual"], 10000)                      # A won in Q3
        # as of July 1st: A 10000 x 60% (proposal) + B 4000 x 75% (negotiation)
        self.assertEqual(pt["weighted"]["forecast"], 9000)
        self.assertAlmostEqual(pt["weighted"]["ape"], 0.1)
        self.assertAlmostEqual(out["summary"]["weighted"]["mape"], 0.1)
        self.assertAlmostEqual(out["summary"]["weighted"]["bias"], -0.1)
        self.assertAlmostEqual(out["summary"]["weighted"]["wape"], 0.1)
        self.assertIsNone(out["summary"]["weighted"]["coverage"])
        for m in ("historical", "simulation"):
            self.assertLessEqual(pt[m]["p10"], pt[m]["p90"])
            self.assertIn(out["summary"][m]["coverage"], (0.0, 1.0))

    def test_api_matches_cli_roles_and_bad_input(self):
        s = self.s
        s.env.update(self.env)
        s.tokens.clear()
        s.start()
        try:
            o = org(s)
            path = "/api/v1/forecast/backtest"
            args = dict(to="2026-Q3", weeks=2, iterations=2000)
            r = s.get(q(path, **{"from": "2026-Q2"}, **args), o["admin"]["token"])
            self.assertEqual(r.status, 200, r)
            doc = s.get("/api/v1/openapi.json").json
            schema = doc["paths"][path]["get"]["responses"]["200"]
            self.assertEqual(conform(doc, r.json, schema["content"]["application/json"]["schema"]),
                             [])
            # the same replay as the CLI's over the same database
            p = run(["forecast", "backtest", "--db", s.db, "--from", "2026-Q2", "--to", "2026-Q3",
                     "--weeks", "2", "--iterations", "2000", "--json"], env=self.env)
            self.assertEqual(p.returncode, 0, p.stderr)
            cli = json.loads(p.stdout)
            self.assertEqual(r.json["points"], cli["points"])
            self.assertEqual(r.json["summary"], cli["summary"])
            self.assertEqual(len(r.json["points"]), 4)
            self.assertEqual(r.json["points"][3]["actual"], 10000)
            # a manager sees the company as far as their team goes: not the admin's deals
            r = s.get(q(path, **{"from": "2026-Q3"}, **args), o["mgr_east"]["token"])
            self.assertEqual(r.status, 200, r)
            self.assertEqual([x["actual"] for x in r.json["points"]], [0, 0])
            self.assertEqual(r.json["points"][0]["weighted"]["forecast"], 0)
            r = s.get(q(path, **{"from": "2026-Q3"}, team_id=o["teams"]["east1"], **args),
                      o["mgr_east"]["token"])
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["points"][0]["scope"], "team")
            self.assertEqual({c["scope"] for c in r.json["coverage"]}, {"team"})
            self.assertProblem(s.get(q(path, **{"from": "2026-Q3"}, team_id=o["teams"]["east1"],
                                       **args), o["mgr_west"]["token"]), 404)
            self.assertProblem(s.get(q(path, **{"from": "2026-Q3"}, **args),
                                     o["rep_e1"]["token"]), 403)
            admin = o["admin"]["token"]
            self.assertProblem(s.get(q(path, to="2026-Q3"), admin), 400, "from")
            self.assertProblem(s.get(q(path, **{"from": "2026-Q3", "to": "2026-Q4"}), admin),
                               400, "to")                               # not closed
            self.assertProblem(s.get(q(path, **{"from": "2026-Q3", "to": "2026-09"}), admin),
                               400, "to")                               # not the same kind
            self.assertProblem(s.get(q(path, **{"from": "2026-Q3", "to": "2026-Q2"}), admin),
                               400, "to")                               # before from
            self.assertProblem(s.get(q(path, **{"from": "2010-Q1", "to": "2026-Q3"}), admin),
                               400, "to")                               # too many
            for k, v in (("weeks", "0"), ("weeks", "14"), ("iterations", "5"), ("seed", "-1"),
                         ("currency", "EURO"), ("scope", "planet"), ("nope", "1")):
                self.assertProblem(s.get(q(path, **{"from": "2026-Q3", "to": "2026-Q3", k: v}),
                                         admin), 400, k)
        finally:
            s.stop()

    def test_coverage_by_scope_size(self):
        """The backtest's coverage (issue 17): per scope size and model, how
        many forecasts each of the 50 / 80 / 90 % ranges held, recounted here
        from the points, with the 95 % Wilson interval computed here."""
        p = run(["forecast", "backtest", "--db", self.s.db, "--from", "2026-Q2", "--to",
                 "2026-Q3", "--weeks", "3", "--json", "--iterations", "2000", "--scope",
                 "company", "--scope", "reps"], env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        rows = {(c["scope"], c["model"]): c for c in out["coverage"]}
        self.assertEqual(set(rows), {(sc, m) for sc in ("company", "rep")
                                     for m in ("historical", "simulation")})
        kinds = {"company": "company", "rep": "user"}
        for (sc, m), c in rows.items():
            pts = [x for x in out["points"] if x["scope"] == kinds[sc]]
            self.assertEqual(c["period_kind"], "quarter")
            self.assertEqual(c["n"], len(pts))
            self.assertEqual(c["groups"], len({(x["period"], x["scope_id"]) for x in pts}))
            self.assertEqual([lv["nominal"] for lv in c["levels"]], [0.5, 0.8, 0.9])
            self.assertEqual([lv["range"] for lv in c["levels"]],
                             ["P25-P75", "P10-P90", "P05-P95"])
            for lv, (lo, hi) in zip(c["levels"], (("p25", "p75"), ("p10", "p90"),
                                                   ("p05", "p95"))):
                inside = sum(x[m][lo] <= x["actual"] <= x[m][hi] for x in pts)
                self.assertEqual(lv["inside"], inside, (sc, m, lv))
                self.assertAlmostEqual(lv["observed"], inside / len(pts))
                w_lo, w_hi = wilson(inside, len(pts))
                self.assertAlmostEqual(lv["ci_low"], w_lo, places=6)
                self.assertAlmostEqual(lv["ci_high"], w_hi, places=6)
                self.assertLessEqual(lv["ci_low"], lv["observed"])
                self.assertLessEqual(lv["observed"], lv["ci_high"])
            # the ranges nest, and P10-P90's count is the points' inside
            self.assertEqual(c["levels"][1]["inside"], sum(x[m]["inside"] for x in pts))
            for x in pts:
                self.assertTrue(x[m]["p05"] <= x[m]["p10"] <= x[m]["p25"] <= x[m]["p75"]
                                <= x[m]["p90"] <= x[m]["p95"], x[m])
        for x in out["points"]:
            self.assertIn(x["historical"]["calibration"]["basis"],
                          ("own", "parent_scaled", "prior"))
            self.assertNotIn("calibration", x["simulation"])
        # a month backtest says so
        p = run(["forecast", "backtest", "--db", self.s.db, "--from", "2026-08", "--to",
                 "2026-09", "--weeks", "1", "--json", "--iterations", "2000"], env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        cov = json.loads(p.stdout)["coverage"]
        self.assertEqual({c["period_kind"] for c in cov}, {"month"})
        self.assertEqual({c["scope"] for c in cov}, {"company"})
        # the tables print it
        p = run(["forecast", "backtest", "--db", self.s.db, "--from", "2026-Q2", "--to",
                 "2026-Q3", "--quiet", "--iterations", "2000"], env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Coverage by scope", p.stdout)
        self.assertRegex(p.stdout, r"\ncompany +quarter +historical +8 +2 ")

    def test_api_coverage_matches_cli(self):
        s = self.s
        s.env.update(self.env)
        s.tokens.clear()
        s.start()
        try:
            r = s.get(q("/api/v1/forecast/backtest", **{"from": "2026-Q2"}, to="2026-Q3",
                        weeks=2, iterations=2000), s.login())
            self.assertEqual(r.status, 200, r)
            p = run(["forecast", "backtest", "--db", s.db, "--from", "2026-Q2", "--to", "2026-Q3",
                     "--weeks", "2", "--iterations", "2000", "--json"], env=self.env)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(r.json["coverage"], json.loads(p.stdout)["coverage"])
            self.assertEqual([(c["scope"], c["model"]) for c in r.json["coverage"]],
                             [("company", "historical"), ("company", "simulation")])
        finally:
            s.stop()

    assertProblem = ServerTest.assertProblem

    def test_tables_and_bad_periods(self):
        p = run(["forecast", "backtest", "--db", self.s.db, "--from", "2026-Q2", "--to",
                 "2026-Q3"], env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2026-Q3  2026-07-01 company", p.stdout)
        self.assertIn("2026-Q2  2026-04-22 company", p.stdout)
        for line in ("weighted", "categories", "historical", "simulation"):
            self.assertRegex(p.stdout, r"\n%s +\S+%%" % line)
        self.assertEqual(run(["forecast", "backtest", "--db", self.s.db, "--from", "2026-Q3",
                              "--to", "2026-Q4"], env=self.env).returncode, 3)  # not closed
        self.assertEqual(run(["forecast", "backtest", "--db", self.s.db, "--from", "2026-Q3",
                              "--to", "2026-09"], env=self.env).returncode, 3)
        self.assertEqual(run(["forecast", "backtest", "--db", self.s.db, "--from", "2026-Q3",
                              "--to", "2026-Q3", "--scope", "planet"], env=self.env).returncode, 2)


class FieldHistoryImport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.s = Server(env={"FUNNEL_NOW": "2026-03-01T09:00:00Z"})
        admin = s.login()
        acct = s.create("accounts", {"name": "Customer"}, admin)["id"]
        cls.opp = s.create("opportunities", {"name": "Deal", "account_id": acct,
                                             "amount": "12000.00", "close_date": "2026-06-30",
                                             "owner_id": 1}, admin)
        s.stop()
        cls.env = {"FUNNEL_NOW": "2026-03-01T09:00:00Z"}

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def imp(self, rows):
        path = os.path.join(self.s.tmp, "fh.csv")
        with open(path, "w") as f:
            f.write("opportunity_id,field,at,old,new\n")
            for r in rows:
                f.write(",".join(str(x) for x in r) + "\n")
        return run(["import", "--db", self.s.db, "field_history", path], env=self.env)

    def history(self):
        return db_rows(self.s, "SELECT field, at, old, new FROM history WHERE record_id = ? AND "
                               "resource = 'opportunities' AND field IN ('amount', "
                               "'close_date', 'forecast_category') ORDER BY field, at",
                       self.opp["id"])

    def test_bad_rows_all_or_nothing_then_good(self):
        i = self.opp["id"]
        bad = [
            (i, "amount", "2026-01-10T10:00:00Z", "10000", "11000.005"),   # decimals
            (i, "close_date", "2026-01-15T00:00:00Z", "2026-13-01", "2026-06-30"),
            (i, "forecast_category", "2026-01-20T00:00:00Z", "", "maybe"),
            (i, "amount", "2027-01-01T00:00:00Z", "1", "2"),               # future
            (999999, "amount", "2026-01-10T10:00:00Z", "1", "2"),
            (i, "colour", "2026-01-10T10:00:00Z", "red", "blue"),
        ]
        p = self.imp(bad)
        self.assertEqual(p.returncode, 3, p.stderr)
        for line, field in ((2, "new"), (3, "old"), (4, "new"), (5, "at"), (6, "opportunity_id"),
                            (7, "field")):
            self.assertRegex(p.stderr, r"row %d: .*%s" % (line, field))
        self.assertEqual(self.history(), [])
        # rows that are fine one by one but do not chain
        p = self.imp([(i, "amount", "2026-01-10T10:00:00Z", "10000", "11000"),
                      (i, "amount", "2026-02-10T10:00:00Z", "10500", "12000")])
        self.assertEqual(p.returncode, 3)
        self.assertIn("opportunity %d: amount changes at 2026-02-10T10:00:00Z from '10500.00'" % i,
                      p.stderr)
        p = self.imp([(i, "amount", "2026-01-10T10:00:00Z", "10000", "11000")])
        self.assertEqual(p.returncode, 3)
        self.assertIn("the deal has '12000.00'", p.stderr)
        self.assertEqual(self.history(), [])
        # good: normalised amounts, a null category before the first
        p = self.imp([(i, "amount", "2026-02-10T10:00:00Z", "11000.00", "12000"),
                      (i, "amount", "2026-01-10T10:00:00Z", "10000", "11000"),
                      (i, "close_date", "2026-01-15T00:00:00Z", "2026-03-31", "2026-06-30"),
                      (i, "forecast_category", "2026-01-20T00:00:00Z", "", "pipeline")])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.history(), [
            ("amount", "2026-01-10T10:00:00Z", "10000.00", "11000.00"),
            ("amount", "2026-02-10T10:00:00Z", "11000.00", "12000.00"),
            ("close_date", "2026-01-15T00:00:00Z", "2026-03-31", "2026-06-30"),
            ("forecast_category", "2026-01-20T00:00:00Z", None, "pipeline")])
        created = db_rows(self.s, "SELECT created_at FROM opportunities WHERE id = ?", i)[0][0]
        self.assertEqual(created, "2026-01-10T10:00:00Z")
        # again: replaced, not doubled
        p = self.imp([(i, "amount", "2026-01-12T10:00:00Z", "9000", "12000")])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([r for r in self.history() if r[0] == "amount"],
                         [("amount", "2026-01-12T10:00:00Z", "9000.00", "12000.00")])


if __name__ == "__main__":
    unittest.main()
