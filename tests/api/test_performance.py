"""GET /api/v1/reports/performance: exact figures per salesperson for a
period, the segment each is compared in (with its fallbacks), percentiles and
z-scores checked against values computed here, and what each role may see.

Deals are created and closed with the server's clock at the times the
figures depend on (the server is restarted at each), then the report is read
at NOW:

  A  2026-09-10  users, quotas; Ann's W1, L2 (lost at once: before Q4), O2
  B  2026-10-05  Ann's W2, W3 (USD), O1, O3, L1; one deal each for Bob, Cy, Dee
  C  2026-10-20  W1 and Dee's deal won
  D  2026-11-04  W2, W3, Bob's and Cy's deals won; L1 lost
"""
import math
import unittest
import urllib.parse

from harness import PASSWORD, Server
from test_openapi import conform

NOW = "2026-11-20T12:00:00Z"
PHASES = ["2026-09-10T09:00:00Z", "2026-10-05T09:00:00Z", "2026-10-20T09:00:00Z",
          "2026-11-04T09:00:00Z"]

# name: (territory, industry, channel, team)
REPS = {
    "Ann Alpha": ("North", "Retail", "field", "Alpha"),
    "Bob Alpha": ("North", "Retail", "field", "Alpha"),
    "Cy Alpha": ("North", "Retail", "field", "Alpha"),
    "Dee Beta": ("North", "Energy", "field", "Beta"),
    "Eve Gamma": ("South", "Energy", "inside", "Beta"),
    "Fay Gamma": ("West", "Retail", "inside", "Beta"),
    "Gus Delta": ("T1", None, "partner", "Beta"),
    "Hal Delta": ("T2", None, "partner", "Beta"),
    "Ivy Delta": ("T3", None, "partner", "Beta"),
}
# the segment each should be compared in, and its size
SEGMENTS = {
    "Ann Alpha": ("territory+industry+channel", 3), "Bob Alpha": ("territory+industry+channel", 3),
    "Cy Alpha": ("territory+industry+channel", 3), "Dee Beta": ("territory+channel", 4),
    "Eve Gamma": ("all", 9), "Fay Gamma": ("all", 9), "Gus Delta": ("channel", 3),
    "Hal Delta": ("channel", 3), "Ivy Delta": ("channel", 3),
}
ZERO = {"quota": None, "closed_won": 0, "attainment": None, "weighted_pipeline": 0,
        "coverage": None, "win_rate": None, "cycle_days": None, "activities": 0,
        "new_opportunities": 0}
# the figures for 2026-Q4 in EUR, by hand
EXPECTED = {name: dict(ZERO) for name in REPS}
EXPECTED["Ann Alpha"].update(
    quota=100000, closed_won=80000,          # W1 60000 + W2 20000 (W3 is USD)
    attainment=0.8,
    weighted_pipeline=30033.33,              # O1 50000 x 60% + O3 333.33 x 10% (O2 due 2027)
    coverage=30033.33 / 20000,
    win_rate=0.75,                           # W1, W2, W3 won; L1 lost (L2 lost in Q3)
    cycle_days=(40 + 30 + 30) / 3,           # W1 40 days, W2 and W3 30
    activities=3,                            # 2 calls, 1 meeting (one call in Q3, a task not done)
    new_opportunities=5)                     # W2, W3, O1, O3, L1
EXPECTED["Bob Alpha"].update(quota=100000, closed_won=40000, attainment=0.4, coverage=0.0,
                             win_rate=1.0, cycle_days=30, activities=1, new_opportunities=1)
EXPECTED["Cy Alpha"].update(quota=50000, closed_won=80000, attainment=1.6, win_rate=1.0,
                            cycle_days=30, new_opportunities=1)   # nothing left: coverage null
EXPECTED["Dee Beta"].update(closed_won=10000, win_rate=1.0, cycle_days=15,
                            new_opportunities=1)                  # quota in USD: none in EUR
FIGURES = list(ZERO)


def restart_at(s, now):
    s.stop()
    s.env["FUNNEL_NOW"] = now
    s.tokens.clear()
    s.start()


def percentile(values, x):
    below = sum(1 for v in values if v < x)
    equal = sum(1 for v in values if v == x)
    return 100.0 * (below + equal / 2) / len(values)


def zscore(values, x):
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return None if len(values) < 2 or sd < 1e-9 else (x - mean) / sd


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


class Performance(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.s = Server(env={"FUNNEL_NOW": PHASES[0]})
        admin = s.login()
        teams = {name: s.create("teams", {"name": name}, admin)["id"] for name in ("Alpha", "Beta")}
        cls.ids = {}
        for i, (name, (terr, ind, chan, team)) in enumerate(REPS.items()):
            body = {"email": "rep%d@test.funnel" % i, "name": name, "role": "rep",
                    "team_id": teams[team], "territory": terr, "channel": chan,
                    "password": PASSWORD}
            if ind:
                body["industry"] = ind
            cls.ids[name] = s.create("users", body, admin)["id"]
        cls.emails = {name: "rep%d@test.funnel" % i for i, name in enumerate(REPS)}
        s.create("users", {"email": "mgr@test.funnel", "name": "Mia Manager", "role": "manager",
                           "team_id": teams["Alpha"], "password": PASSWORD}, admin)
        for name, amount, cur in (("Ann Alpha", "100000.00", "EUR"),
                                  ("Bob Alpha", "100000.00", "EUR"),
                                  ("Cy Alpha", "50000.00", "EUR"), ("Dee Beta", "20000.00", "USD")):
            r = s.request("PUT", "/api/v1/users/%d/quotas/2026-Q4" % cls.ids[name],
                          body={"amount": amount, "currency": cur}, token=admin)
            assert r.status == 200, r
        r = s.request("PUT", "/api/v1/users/%d/quotas/2026-Q3" % cls.ids["Ann Alpha"],
                      body={"amount": "1.00"}, token=admin)
        assert r.status == 200, r
        acct = s.create("accounts", {"name": "Customer"}, admin)["id"]
        deals = {}

        def deal(key, owner, amount, close_date="2026-12-31", currency="EUR", stage=None):
            o = s.create("opportunities", {"name": key, "account_id": acct, "amount": amount,
                                           "currency": currency, "close_date": close_date,
                                           "owner_id": cls.ids[owner]}, s.login())
            deals[key] = o["id"]
            if stage:
                move(key, stage)

        def move(key, stage, **extra):
            body = dict(stage=stage, override=True, reason="fixture", **extra)
            if stage == "lost":
                body = dict(stage=stage, lost_reason="price")
            r = s.post("/api/v1/opportunities/%d/move" % deals[key], body, s.login())
            assert r.status == 200, r

        def activity(owner, typ, done=None):
            body = {"type": typ, "subject": typ, "related_type": "account", "related_id": acct,
                    "owner_id": cls.ids[owner]}
            if done:
                body["done_at"] = done
            s.create("activities", body, s.login())

        # A
        deal("W1", "Ann Alpha", "60000.00")
        deal("L2", "Ann Alpha", "7000.00", stage="lost")
        deal("O2", "Ann Alpha", "10000.00", close_date="2027-02-01", stage="qualification")
        activity("Ann Alpha", "call", "2026-09-30T10:00:00Z")
        # B
        restart_at(s, PHASES[1])
        deal("W2", "Ann Alpha", "20000.00")
        deal("W3", "Ann Alpha", "5000.00", currency="USD")
        deal("O1", "Ann Alpha", "50000.00", close_date="2026-12-15", stage="proposal")
        deal("O3", "Ann Alpha", "333.33", close_date="2026-11-30")
        deal("L1", "Ann Alpha", "9000.00")
        deal("WA2", "Bob Alpha", "40000.00")
        deal("WA3", "Cy Alpha", "80000.00")
        deal("WB1", "Dee Beta", "10000.00")
        for typ, done in (("call", "2026-10-10T10:00:00Z"), ("call", "2026-11-02T10:00:00Z"),
                          ("meeting", "2026-11-12T10:00:00Z"), ("task", None)):
            activity("Ann Alpha", typ, done)
        activity("Bob Alpha", "email", "2026-10-15T10:00:00Z")
        # C
        restart_at(s, PHASES[2])
        move("W1", "conversion")
        move("WB1", "conversion")
        # D
        restart_at(s, PHASES[3])
        for key in ("W2", "W3", "WA2", "WA3"):
            move(key, "conversion")
        move("L1", "lost")

        restart_at(s, NOW)
        cls.doc = s.get("/api/v1/openapi.json").json
        cls.report = cls.get(s.login(), period="2026-Q4")
        assert cls.report.status == 200, cls.report
        cls.rows = {d["name"]: d for d in cls.report.json["data"]}

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    @classmethod
    def get(cls, token, **params):
        return cls.s.get("/api/v1/reports/performance?" + urllib.parse.urlencode(params), token)

    def value(self, row, fig):
        return row["figures"][fig]["value"]

    # --- exact figures ---------------------------------------------------------

    def test_exact_figures(self):
        self.assertEqual(set(self.rows), set(REPS))
        for name, want in EXPECTED.items():
            for fig, v in want.items():
                got = self.value(self.rows[name], fig)
                if v is None:
                    self.assertIsNone(got, (name, fig))
                else:
                    self.assertAlmostEqual(got, v, places=3, msg=(name, fig))

    def test_ann_in_detail(self):
        ann = self.rows["Ann Alpha"]
        self.assertEqual((ann["won"], ann["lost"], ann["excluded"]), (3, 1, 1))
        self.assertEqual(ann["activities_by_type"],
                         {"call": 2, "meeting": 1, "email": 0, "task": 0, "note": 0})
        self.assertEqual(ann["territory"], "North")
        # money is exact, in the currency's decimals
        self.assertIn('"value":30033.33', self.report.raw.replace(" ", ""))
        self.assertEqual(self.report.json["currency"], "EUR")
        self.assertEqual(self.report.json["excluded"], {"opportunities": 1, "quotas": 1})
        self.assertEqual((self.report.json["from"], self.report.json["to"]),
                         ("2026-10-01", "2026-12-31"))
        self.assertEqual(self.rows["Cy Alpha"]["figures"]["coverage"]["value"], None)

    def test_a_month(self):
        r = self.get(self.s.login(), period="2026-11")
        self.assertEqual(r.status, 200, r)
        ann = {d["name"]: d for d in r.json["data"]}["Ann Alpha"]
        self.assertEqual(self.value(ann, "closed_won"), 20000)   # W1 closed in October
        self.assertIsNone(self.value(ann, "quota"))               # only a quarterly quota
        self.assertAlmostEqual(self.value(ann, "win_rate"), 2 / 3, places=4)
        self.assertEqual(self.value(ann, "new_opportunities"), 0)  # created in October
        self.assertEqual(ann["activities_by_type"]["call"], 1)
        # O3 is due in November, O1 in December
        self.assertAlmostEqual(self.value(ann, "weighted_pipeline"), 33.33, places=2)

    def test_another_currency(self):
        r = self.get(self.s.login(), period="2026-Q4", currency="USD")
        rows = {d["name"]: d for d in r.json["data"]}
        self.assertEqual(r.json["currency"], "USD")
        self.assertEqual(self.value(rows["Ann Alpha"], "closed_won"), 5000)
        self.assertIsNone(self.value(rows["Ann Alpha"], "quota"))  # hers is in EUR
        self.assertEqual(self.value(rows["Dee Beta"], "quota"), 20000)
        self.assertEqual(self.value(rows["Dee Beta"], "attainment"), 0)
        self.assertEqual(r.json["excluded"]["quotas"], 3)

    # --- fairness ----------------------------------------------------------------

    def test_segments_and_their_fallbacks(self):
        for name, (level, n) in SEGMENTS.items():
            seg = self.rows[name]["segment"]
            self.assertEqual((seg["level"], seg["n"]), (level, n), name)
        self.assertEqual(self.rows["Ann Alpha"]["segment"],
                         {"level": "territory+industry+channel", "territory": "North",
                          "industry": "Retail", "channel": "field", "n": 3})
        self.assertEqual(self.rows["Dee Beta"]["segment"],
                         {"level": "territory+channel", "territory": "North",
                          "industry": None, "channel": "field", "n": 4})
        self.assertEqual(self.rows["Gus Delta"]["segment"]["channel"], "partner")
        self.assertIn("at least 3", self.report.json["method"])
        self.assertIn("percentile", self.report.json["method"])

    def test_statistics_against_values_computed_here(self):
        def peers(name):
            level = SEGMENTS[name][0]
            t, i, c, _ = REPS[name]
            out = []
            for other, (t2, i2, c2, _) in REPS.items():
                same = {"territory+industry+channel": (t, i, c) == (t2, i2, c2),
                        "territory+channel": (t, c) == (t2, c2),
                        "channel": c == c2, "all": True}[level]
                if same:
                    out.append(other)
            return out

        checked = 0
        for name in REPS:
            group = peers(name)
            self.assertEqual(len(group), SEGMENTS[name][1], name)
            for fig in FIGURES:
                got = self.rows[name]["figures"][fig]
                values = [EXPECTED[p][fig] for p in group if EXPECTED[p][fig] is not None]
                mine = EXPECTED[name][fig]
                self.assertEqual(got["n"], len(values), (name, fig))
                if not values:
                    self.assertIsNone(got["mean"])
                    continue
                self.assertAlmostEqual(got["mean"], sum(values) / len(values), places=3)
                self.assertAlmostEqual(got["median"], median(values), places=3)
                if mine is None:
                    self.assertIsNone(got["percentile"], (name, fig))
                    continue
                self.assertAlmostEqual(got["percentile"], percentile(values, mine), places=3,
                                       msg=(name, fig))
                z = zscore(values, mine)
                if z is None:
                    self.assertIsNone(got["z"], (name, fig))
                else:
                    self.assertAlmostEqual(got["z"], z, places=3, msg=(name, fig))
                checked += 1
        self.assertGreater(checked, 50)

    def test_ties_and_no_spread(self):
        ann = self.rows["Ann Alpha"]["figures"]
        # closed-won 80000, 40000, 80000: Ann and Cy tie
        self.assertAlmostEqual(ann["closed_won"]["percentile"], 200 / 3, places=3)
        self.assertEqual(self.rows["Cy Alpha"]["figures"]["closed_won"]["percentile"],
                         ann["closed_won"]["percentile"])
        # win rate 0.75, 1, 1 — and the Delta reps all have 0 activities: no spread
        gus = self.rows["Gus Delta"]["figures"]["activities"]
        self.assertEqual((gus["value"], gus["percentile"], gus["z"]), (0, 50, None))
        # n counts the peers that have the figure: 4 of Eve's 9 have won something
        eve = self.rows["Eve Gamma"]["figures"]["cycle_days"]
        self.assertEqual((eve["n"], eve["value"], eve["percentile"]), (4, None, None))

    # --- who sees what ------------------------------------------------------------

    def test_a_rep_sees_only_themselves(self):
        r = self.get(self.s.login(self.emails["Ann Alpha"]), period="2026-Q4")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([d["name"] for d in r.json["data"]], ["Ann Alpha"])
        for other in REPS:
            if other != "Ann Alpha":
                self.assertNotIn(other, r.raw)
        # the peers' statistics are there, anonymous, and the same as for the admin
        self.assertEqual(r.json["data"][0]["figures"], self.rows["Ann Alpha"]["figures"])
        self.assertEqual(r.json["excluded"], {"opportunities": 1, "quotas": 0})

    def test_a_manager_sees_their_team(self):
        r = self.get(self.s.login("mgr@test.funnel"), period="2026-Q4")
        self.assertEqual([d["name"] for d in r.json["data"]], ["Ann Alpha", "Bob Alpha", "Cy Alpha"])
        self.assertNotIn("Dee Beta", r.raw)

    def test_bad_parameters(self):
        admin = self.s.login()
        for params, field in (({}, "period"), ({"period": "2026-Q5"}, "period"),
                              ({"period": "Q4"}, "period"),
                              ({"period": "2026-Q4", "currency": "euro"}, "currency"),
                              ({"period": "2026-Q4", "owner": "1"}, "owner")):
            r = self.get(admin, **params)
            self.assertEqual(r.status, 400, (params, r))
            self.assertIn(field, [e["field"] for e in r.json["errors"]], params)
        self.assertEqual(self.s.get("/api/v1/reports/performance?period=2026-Q4").status, 401)

    def test_answer_matches_the_openapi_schema(self):
        schema = {"$ref": "#/components/schemas/PerformanceReport"}
        self.assertEqual(conform(self.doc, self.report.json, schema), [])


if __name__ == "__main__":
    unittest.main()
