"""GET /api/v1/reports/stale: which open deals are stale (each limit, measured
from the last activity, else the last stage change, else creation), the
diagnosis by funnel section with its evidence, the competitor/dilemma choice
driven by similar deals' lost reasons, visibility, and group_by=owner.

The deals are created with the server's clock at CREATED (a few lost ones
at OLD, more than 12 months before NOW: a move sets closed_at, which an
imported history keeps), their stage histories placed with `funnel import
stage_history`, and the report read with the clock at NOW (the server is
restarted in between).
"""
import datetime
import os
import unittest
import urllib.parse

from harness import ADMIN_EMAIL, PASSWORD, Server, run
from test_openapi import conform

OLD = "2025-05-01T09:00:00Z"
CREATED = "2026-01-05T09:00:00Z"
NOW = "2026-11-20T12:00:00Z"


def days(since, now=NOW):
    """Whole days from `since` to `now`, as the report counts them."""
    p = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
    return (p(now) - p(since)).days


def restart_at(s, now):
    """The same database, served with the clock at `now` (sessions made at
    another time may have expired: log in again)."""
    s.stop()
    s.env["FUNNEL_NOW"] = now
    s.tokens.clear()
    s.start()


class Stale(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.s = Server(env={"FUNNEL_NOW": OLD})
        admin = s.login()
        t = {}
        t["sales"] = s.create("teams", {"name": "Sales"}, admin)["id"]
        t["east"] = s.create("teams", {"name": "East", "parent_id": t["sales"]}, admin)["id"]
        t["east1"] = s.create("teams", {"name": "East-1", "parent_id": t["east"]}, admin)["id"]
        t["west"] = s.create("teams", {"name": "West", "parent_id": t["sales"]}, admin)["id"]
        cls.teams = t
        cls.users = {}
        for name, role, team in (("mgr_east", "manager", "east"), ("rep_e1", "rep", "east1"),
                                 ("rep_e1b", "rep", "east1"), ("rep_w", "rep", "west")):
            u = s.create("users", {"email": name + "@test.funnel", "name": name, "role": role,
                                   "team_id": t[team], "password": PASSWORD}, admin)
            cls.users[name] = u["id"]

        def account(name, industry=None, territory=None):
            body = {"name": name}
            if industry:
                body["industry"] = industry
            if territory:
                body["territory"] = territory
            return s.create("accounts", body, admin)["id"]

        acc = {
            "plain": account("Plain Co"),
            "mining": account("Deep Mines", "Mining", "Highlands"),
            "retail": account("Shop Chain", "Retail", "North"),
            "retail2": account("Other Shops", "Retail", "North"),
            "energy": account("Power Co", "Energy", "South"),
            "energy2": account("Grid Co", "Energy", "South"),
            "no_dm": account("Nobody Decides"),
            "dm": account("Boss Inc"),
        }
        s.create("contacts", {"account_id": acc["dm"], "last_name": "Boss",
                              "decision_maker": True}, admin)
        s.create("contacts", {"account_id": acc["no_dm"], "last_name": "Clerk"}, admin)

        # lost too long ago to count as similar (closed at OLD)
        cls.deals = {}
        for i in range(2):
            o = s.create("opportunities", {"name": "lost_old%d" % i, "account_id": acc["energy"],
                                           "close_date": "2025-06-30", "amount": "100.00",
                                           "owner_id": cls.users["rep_e1b"]}, admin)
            r = s.post("/api/v1/opportunities/%d/move" % o["id"],
                       {"stage": "lost", "lost_reason": "no decision"}, admin)
            assert r.status == 200, r
            cls.deals[o["name"]] = o["id"]
        restart_at(s, CREATED)
        admin = s.login()

        moves = []     # (id, body)
        histories = []  # CSV rows
        activities = []
        for key in ("lost_old0", "lost_old1"):  # lost from the middle, but long ago
            for st, at in (("prequalification", "2025-03-01T09:00:00Z"),
                           ("proposal", "2025-04-01T09:00:00Z"), ("lost", OLD)):
                histories.append("%d,%s,%s," % (cls.deals[key], st, at))

        def deal(key, owner, account_key, amount, stage, history, currency="EUR",
                 lost_reason=None, acts=()):
            body = {"name": key, "account_id": acc[account_key], "close_date": "2026-12-31",
                    "amount": amount, "currency": currency, "owner_id": cls.users[owner],
                    "channel": "field"}
            o = s.create("opportunities", body, admin)
            cls.deals[key] = o["id"]
            if stage != "prequalification":
                mv = {"stage": stage, "override": True, "reason": "fixture"}
                if lost_reason:
                    mv = {"stage": stage, "lost_reason": lost_reason}
                moves.append((o["id"], mv))
            for i, (st, at) in enumerate(history):
                histories.append("%d,%s,%s," % (o["id"], st, at))
            for typ, done in acts:
                activities.append({"type": typ, "subject": "%s %s" % (typ, key),
                                   "related_type": "opportunity", "related_id": o["id"],
                                   "done_at": done, "owner_id": cls.users[owner]})

        # stage limit only: 31 days in qualification (limit 21), an activity 5 days ago
        deal("stage_only", "rep_e1", "plain", "1000.00", "qualification",
             [("prequalification", "2026-10-01T09:00:00Z"),
              ("qualification", "2026-10-20T09:00:00Z")],
             acts=[("call", "2026-11-15T10:00:00Z")])
        # idle only, measured from the stage change (19 days > 14), not the creation
        deal("idle_stage_change", "rep_e1", "mining", "2000.00", "presentation",
             [("prequalification", "2026-10-01T09:00:00Z"),
              ("qualification", "2026-10-10T09:00:00Z"),
              ("presentation", "2026-11-01T09:00:00Z")])
        # both limits, upper funnel, last contact long ago: lost contact → call
        deal("lost_contact", "rep_e1", "plain", "3000.00", "prequalification",
             [("prequalification", "2026-10-01T09:00:00Z")],
             acts=[("call", "2026-09-20T10:00:00Z")])
        # middle, similar Retail deals mostly lost to competitors → competitive check
        deal("competitor", "rep_e1", "retail", "4000.00", "proposal",
             [("prequalification", "2026-08-01T09:00:00Z"),
              ("presentation", "2026-09-01T09:00:00Z"),
              ("proposal", "2026-10-01T09:00:00Z")],
             acts=[("meeting", "2026-11-18T10:00:00Z")])
        # middle, moved back; similar Energy deals mostly not lost to competitors → dilemma
        deal("dilemma", "rep_e1", "energy", "5000.00", "presentation",
             [("prequalification", "2026-07-01T09:00:00Z"),
              ("qualification", "2026-07-15T09:00:00Z"),
              ("proposal", "2026-08-20T09:00:00Z"),
              ("presentation", "2026-09-15T09:00:00Z")],
             acts=[("meeting", "2026-11-16T10:00:00Z")])
        # lower, nobody on the account decides → map the decision makers
        deal("no_dm", "rep_e1", "no_dm", "6000.00", "negotiation",
             [("prequalification", "2026-08-01T09:00:00Z"),
              ("negotiation", "2026-10-10T09:00:00Z")],
             acts=[("call", "2026-11-19T10:00:00Z")])
        # lower, a decision maker known, idle 15 days (> 7) → involve the manager
        deal("dm", "rep_e1", "dm", "7000.00", "negotiation",
             [("prequalification", "2026-08-01T09:00:00Z"),
              ("negotiation", "2026-11-01T09:00:00Z")],
             acts=[("call", "2026-11-05T10:00:00Z")])
        # fresh: not stale
        deal("fresh", "rep_e1", "plain", "8000.00", "qualification",
             [("prequalification", "2026-11-10T09:00:00Z"),
              ("qualification", "2026-11-15T09:00:00Z")],
             acts=[("call", "2026-11-18T10:00:00Z")])
        # another rep of East-1: stale, no activity, one in USD
        deal("e1b", "rep_e1b", "plain", "900.00", "prequalification",
             [("prequalification", "2026-09-01T09:00:00Z")])
        deal("e1b_usd", "rep_e1b", "plain", "999.00", "prequalification", [], currency="USD")
        # West: never moved, no activity → idle from creation
        deal("west", "rep_w", "plain", "10000.00", "prequalification", [])

        # the team's completed stays in negotiation: 10 and 14 days (median 12)
        for key, start, nego, won in (("won1", "2026-05-01", "2026-06-01", "2026-06-11"),
                                      ("won2", "2026-05-01", "2026-07-01", "2026-07-15")):
            deal(key, "rep_e1b", "plain", "100.00", "conversion",
                 [("prequalification", start + "T09:00:00Z"),
                  ("negotiation", nego + "T09:00:00Z"),
                  ("conversion", won + "T09:00:00Z")])
        # similar deals lost from the middle of the funnel in the last 12 months
        lost = [("retail", "lost to competitor"), ("retail2", "lost to competitor"),
                ("retail", "lost to competitor"), ("retail2", "price"),
                ("energy", "lost to competitor"), ("energy2", "no decision"),
                ("energy", "no decision")]
        for i, (a, reason) in enumerate(lost):
            deal("lost%d" % i, "rep_e1b", a, "100.00", "lost",
                 [("prequalification", "2026-03-01T09:00:00Z"),
                  ("proposal", "2026-04-01T09:00:00Z"),
                  ("lost", "2026-05-0%dT09:00:00Z" % (i + 1))], lost_reason=reason)
        # ... and one that must not count: lost from the lower funnel (in West, so
        # that its stay in negotiation is not East-1's)
        deal("lost_lower", "rep_w", "energy", "100.00", "lost",
             [("prequalification", "2026-03-01T09:00:00Z"),
              ("negotiation", "2026-04-01T09:00:00Z"),
              ("lost", "2026-05-01T09:00:00Z")], lost_reason="no decision")

        for oid, mv in moves:
            r = s.post("/api/v1/opportunities/%d/move" % oid, mv, admin)
            assert r.status == 200, r
        for a in activities:
            s.create("activities", a, admin)
        path = os.path.join(s.tmp, "history.csv")
        with open(path, "w") as f:
            f.write("opportunity_id,stage,entered_at,exited_at\n" + "\n".join(histories) + "\n")
        p = run(["import", "--db", s.db, "stage_history", path, "--as", ADMIN_EMAIL],
                env={"FUNNEL_NOW": NOW})
        assert p.returncode == 0, p.stderr

        restart_at(s, NOW)
        cls.tok = {name: s.login(name + "@test.funnel") for name in cls.users}
        cls.tok["admin"] = s.login()
        cls.report = cls.get("admin")
        assert cls.report.status == 200, cls.report
        cls.by_name = {d["name"]: d for d in cls.report.json["data"]}
        cls.doc = s.get("/api/v1/openapi.json").json

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    @classmethod
    def get(cls, who, **params):
        q = ("?" + urllib.parse.urlencode(params)) if params else ""
        return cls.s.get("/api/v1/reports/stale" + q, cls.tok[who])

    def evidence(self, d, kind):
        details = [e["detail"] for e in d["evidence"] if e["kind"] == kind]
        self.assertTrue(details, (kind, d["evidence"]))
        return " | ".join(details)

    # --- which deals are stale ---------------------------------------------

    def test_only_stale_open_deals(self):
        names = set(self.by_name)
        self.assertEqual(names, {"stage_only", "idle_stage_change", "lost_contact", "competitor",
                                 "dilemma", "no_dm", "dm", "e1b", "e1b_usd", "west"})
        self.assertEqual(self.report.json["total"], 10)
        self.assertFalse(self.report.json["truncated"])
        self.assertEqual(self.report.json["now"], NOW)

    def test_stage_limit(self):
        d = self.by_name["stage_only"]
        self.assertEqual(d["thresholds"], ["stage"])
        self.assertEqual(d["days_in_stage"], days("2026-10-20T09:00:00Z"))
        self.assertEqual(d["days_in_stage"], 31)
        self.assertEqual(d["stale_days"], 21)
        self.assertEqual(d["days_idle"], 5)
        self.assertEqual(d["idle_from"], "activity")
        self.assertEqual(d["idle_since"], "2026-11-15T10:00:00Z")
        self.assertIn("31 days in Qualification, over its limit of 21 days",
                      self.evidence(d, "threshold"))

    def test_idle_limit_from_the_last_stage_change_not_creation(self):
        d = self.by_name["idle_stage_change"]
        self.assertEqual(d["thresholds"], ["idle"])
        self.assertEqual(d["idle_from"], "stage_change")
        self.assertEqual(d["idle_since"], "2026-11-01T09:00:00Z")
        self.assertEqual(d["stage_entered_at"], "2026-11-01T09:00:00Z")
        self.assertEqual(d["days_idle"], 19)  # not 319, from the creation on 2026-01-05
        self.assertEqual(d["days_in_stage"], 19)  # under presentation's 30
        act = self.evidence(d, "activity")
        self.assertIn("no activity on the deal", act)
        self.assertIn("last stage change on 2026-11-01", act)
        self.assertIn("created on 2026-01-05", act)

    def test_idle_from_creation_when_never_moved(self):
        d = self.by_name["west"]
        self.assertEqual(d["idle_from"], "creation")
        self.assertEqual(d["idle_since"], CREATED)
        self.assertEqual(d["days_idle"], days(CREATED))
        self.assertEqual(set(d["thresholds"]), {"stage", "idle"})
        self.assertIn("from its creation on 2026-01-05", self.evidence(d, "activity"))

    def test_both_limits_and_severity_order(self):
        d = self.by_name["lost_contact"]
        self.assertEqual(d["thresholds"], ["stage", "idle"])
        self.assertEqual(d["days_in_stage"], days("2026-10-01T09:00:00Z"))
        self.assertEqual(d["days_idle"], days("2026-09-20T10:00:00Z"))
        want = max(d["days_in_stage"] / 14, d["days_idle"] / 21)
        self.assertAlmostEqual(d["severity"], want, places=2)
        sev = [x["severity"] for x in self.report.json["data"]]
        self.assertEqual(sev, sorted(sev, reverse=True))

    # --- diagnosis by section ----------------------------------------------

    def test_upper_lost_contact_calls(self):
        d = self.by_name["lost_contact"]
        self.assertEqual(d["section"], "upper")
        self.assertEqual(d["diagnosis"]["hypothesis"], "lost_contact")
        self.assertEqual(d["diagnosis"]["action"], "call")
        self.assertIn("activity", d["diagnosis"]["based_on"])
        self.assertIn("last activity was a call on 2026-09-20", self.evidence(d, "activity"))

    def test_upper_undecided_requalifies(self):
        d = self.by_name["stage_only"]
        self.assertEqual(d["section"], "upper")
        self.assertEqual(d["diagnosis"]["hypothesis"], "undecided")
        self.assertEqual(d["diagnosis"]["action"], "requalify")
        self.assertIn("last activity was a call on 2026-11-15", self.evidence(d, "activity"))

    def test_middle_competitor_from_similar_deals(self):
        d = self.by_name["competitor"]
        self.assertEqual(d["section"], "middle")
        self.assertEqual(d["diagnosis"]["hypothesis"], "competitor")
        self.assertEqual(d["diagnosis"]["action"], "competitive_check")
        self.assertIn("similar_deals", d["diagnosis"]["based_on"])
        sim = self.evidence(d, "similar_deals")
        # 4 Retail deals lost from the middle in 12 months, 3 to a competitor
        self.assertIn("3 of 4 similar deals lost at this stage went to a competitor", sim)
        self.assertIn("most common reason: lost to competitor (3)", sim)

    def test_middle_dilemma_from_similar_deals_and_history(self):
        d = self.by_name["dilemma"]
        self.assertEqual(d["diagnosis"]["hypothesis"], "dilemma")
        self.assertEqual(d["diagnosis"]["action"], "decision_meeting")
        # the lower-funnel loss and the ones older than 12 months do not count
        self.assertIn("1 of 3 similar deals lost at this stage went to a competitor",
                      self.evidence(d, "similar_deals"))
        self.assertIn("moved back from Proposal to Relationship / presentation on 2026-09-15",
                      self.evidence(d, "stage_history"))
        # a middle deal without similar deals is a dilemma too, and says so
        d = self.by_name["idle_stage_change"]
        self.assertEqual(d["diagnosis"]["hypothesis"], "dilemma")
        self.assertIn("no similar deal", self.evidence(d, "similar_deals"))

    def test_lost_reasons_drive_competitor_or_dilemma(self):
        """The same deal flips to competitor when the similar deals' lost
        reasons do, and back."""
        admin = self.tok["admin"]
        ids = [self.deals["lost5"], self.deals["lost6"]]  # Energy, "no decision"
        try:
            for i in ids:
                r = self.s.patch("/api/v1/opportunities/%d" % i,
                                 {"lost_reason": "lost to competitor"}, admin)
                self.assertEqual(r.status, 200, r)
            d = {x["name"]: x for x in self.get("admin").json["data"]}["dilemma"]
            self.assertEqual(d["diagnosis"]["hypothesis"], "competitor")
            self.assertIn("3 of 3 similar deals", self.evidence(d, "similar_deals"))
        finally:
            for i in ids:
                self.s.patch("/api/v1/opportunities/%d" % i, {"lost_reason": "no decision"},
                             admin)
        d = {x["name"]: x for x in self.get("admin").json["data"]}["dilemma"]
        self.assertEqual(d["diagnosis"]["hypothesis"], "dilemma")

    def test_lower_without_decision_maker_maps_them(self):
        d = self.by_name["no_dm"]
        self.assertEqual(d["section"], "lower")
        self.assertEqual(d["thresholds"], ["stage"])
        self.assertEqual(d["diagnosis"]["hypothesis"], "approval")
        self.assertEqual(d["diagnosis"]["action"], "map_decision_makers")
        self.assertIn("decision_makers", d["diagnosis"]["based_on"])
        self.assertIn("no decision maker known", self.evidence(d, "decision_makers"))

    def test_lower_with_decision_maker_involves_the_manager(self):
        d = self.by_name["dm"]
        self.assertEqual(d["thresholds"], ["idle"])
        self.assertEqual(d["days_idle"], days("2026-11-05T10:00:00Z"))
        self.assertEqual(d["diagnosis"]["hypothesis"], "internal_disagreement")
        self.assertEqual(d["diagnosis"]["action"], "involve_manager")
        self.assertIn("1 decision maker known", self.evidence(d, "decision_makers"))
        # East-1's completed negotiation stays: 10 and 14 days
        self.assertIn("19 days in Negotiation vs the team's median of 12.0 days "
                      "(2 completed stays)", self.evidence(d, "time_in_stage"))

    def test_the_team_median_follows_changes_after_a_report(self):
        """The median stay comes from the analytics index, refreshed from the
        change feed before each report: a stay completed since the last
        report counts, and a deleted deal's stays stop counting."""
        admin = self.tok["admin"]
        median = lambda: self.evidence({x["name"]: x for x in self.get("admin").json["data"]}["dm"],
                                       "time_in_stage")
        self.assertIn("median of 12.0 days (2 completed stays)", median())
        o = self.s.create("opportunities", {
            "name": "quick", "account_id": self.by_name["e1b"]["account_id"],
            "close_date": "2026-12-31", "amount": "100.00",
            "owner_id": self.users["rep_e1b"]}, admin)
        try:
            for stage in ("negotiation", "conversion"):
                r = self.s.post("/api/v1/opportunities/%d/move" % o["id"],
                                {"stage": stage, "override": True, "reason": "test"}, admin)
                self.assertEqual(r.status, 200, r)
            # East-1's stays in negotiation: 0 (this one), 10 and 14 days
            self.assertIn("median of 10.0 days (3 completed stays)", median())
        finally:
            r = self.s.delete("/api/v1/opportunities/%d" % o["id"], admin)
            self.assertIn(r.status, (200, 204), r)
        self.assertIn("median of 12.0 days (2 completed stays)", median())

    def test_every_deal_has_its_facts(self):
        kinds = {"activity", "stage_history", "time_in_stage", "decision_makers",
                 "similar_deals", "threshold"}
        for d in self.report.json["data"]:
            self.assertEqual({e["kind"] for e in d["evidence"]}, kinds, d["name"])
            self.assertTrue(set(d["diagnosis"]["based_on"]) <= kinds)
            self.assertTrue(d["diagnosis"]["summary"] and d["diagnosis"]["suggestion"])
            self.assertEqual(d["owner_name"], {v: k for k, v in self.users.items()}[d["owner_id"]])

    # --- who sees what -------------------------------------------------------

    def test_a_rep_sees_only_their_own(self):
        r = self.get("rep_e1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual({d["owner_id"] for d in r.json["data"]}, {self.users["rep_e1"]})
        self.assertEqual(r.json["total"], 7)
        r = self.get("rep_w")
        self.assertEqual([d["name"] for d in r.json["data"]], ["west"])
        # naming someone else's deals does not show them
        r = self.get("rep_w", owner_id=self.users["rep_e1"])
        self.assertEqual(r.json["data"], [])

    def test_group_by_owner_for_managers(self):
        r = self.get("mgr_east", group_by="owner")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("data", r.json)
        groups = {g["owner_id"]: g for g in r.json["groups"]}
        self.assertEqual(set(groups), {self.users["rep_e1"], self.users["rep_e1b"]})
        e1 = groups[self.users["rep_e1"]]
        self.assertEqual(e1["count"], 7)
        self.assertEqual(e1["amount"], 1000 + 2000 + 3000 + 4000 + 5000 + 6000 + 7000)
        self.assertEqual(len(e1["deals"]), 7)
        e1b = groups[self.users["rep_e1b"]]
        self.assertEqual((e1b["count"], e1b["amount"], e1b["excluded"]), (2, 900, 1))
        self.assertEqual(e1b["owner_name"], "rep_e1b")
        self.assertEqual({d["name"] for d in e1b["deals"]}, {"e1b", "e1b_usd"})
        # largest amount first; totals over the groups
        self.assertEqual([g["owner_id"] for g in r.json["groups"]],
                         [self.users["rep_e1"], self.users["rep_e1b"]])
        self.assertEqual(r.json["currency"], "EUR")
        self.assertEqual(r.json["amount"], 28900)
        self.assertEqual((r.json["total"], r.json["excluded"]), (9, 1))

    # --- parameters ----------------------------------------------------------

    def test_filters(self):
        r = self.get("admin", team_id=self.teams["west"])
        self.assertEqual([d["name"] for d in r.json["data"]], ["west"])
        r = self.get("admin", team_id=self.teams["east"])
        self.assertEqual(r.json["total"], 9)
        r = self.get("admin", owner_id=self.users["rep_e1b"])
        self.assertEqual({d["name"] for d in r.json["data"]}, {"e1b", "e1b_usd"})
        r = self.get("admin", channel="inside")
        self.assertEqual(r.json["total"], 0)
        r = self.get("admin", channel="field", pipeline_id=1)
        self.assertEqual(r.json["total"], 10)
        r = self.get("admin", currency="USD")
        self.assertEqual((r.json["currency"], r.json["amount"], r.json["excluded"]),
                         ("USD", 999, 9))

    def test_limit_bounds_the_answer(self):
        r = self.get("admin", limit=3)
        self.assertEqual(len(r.json["data"]), 3)
        self.assertTrue(r.json["truncated"])
        self.assertEqual(r.json["total"], 10)
        self.assertEqual([d["id"] for d in r.json["data"]],
                         [d["id"] for d in self.report.json["data"][:3]])

    def test_bad_parameters(self):
        cases = [({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"),
                 ({"group_by": "team"}, "group_by"), ({"channel": "moon"}, "channel"),
                 ({"owner_id": "x"}, "owner_id"), ({"currency": "EURO"}, "currency"),
                 ({"team_id": "9999"}, "team_id"), ({"pipeline_id": "9999"}, "pipeline_id"),
                 ({"sort": "amount"}, "sort")]
        for params, field in cases:
            r = self.get("admin", **params)
            self.assertEqual(r.status, 400, (params, r))
            self.assertIn(field, [e["field"] for e in r.json["errors"]], params)
        self.assertEqual(self.s.get("/api/v1/reports/stale").status, 401)

    def test_answers_match_the_openapi_schema(self):
        schema = {"$ref": "#/components/schemas/StaleReport"}
        self.assertEqual(conform(self.doc, self.report.json, schema), [])
        r = self.get("mgr_east", group_by="owner")
        self.assertEqual(conform(self.doc, r.json, schema), [])


if __name__ == "__main__":
    unittest.main()
