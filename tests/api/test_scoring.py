"""Lead scoring: fit rules (/api/v1/scoring/rules), the learned model
(/api/v1/scoring/train, /api/v1/scoring/model), tiers, and the score, tier and
factors every lead carries — sorted, filtered and paged, recomputed when the
lead or its activities change, visible as the lead is.

The learning class builds a small company whose converted leads differ from
the others in a known way (industry Software against Retail, a meeting
attended), with noise, so the model's signs and its held-out AUC can be
checked.
"""
import datetime
import time
import urllib.parse

from harness import Server, ServerTest, org, run


def wait_rescored(server, token, timeout=30):
    """Until the worker has rescored every lead after a change."""
    end = time.time() + timeout
    while time.time() < end:
        r = server.get("/api/v1/scoring/model", token)
        assert r.status == 200, r
        if not r.json["rescoring"]:
            return r.json
        time.sleep(0.1)
    raise AssertionError("leads were not rescored within %d s" % timeout)


def list_all(server, token, query):
    rows, cursor = [], None
    while True:
        path = "/api/v1/leads?" + query
        if cursor:
            path += "&cursor=" + urllib.parse.quote(cursor)
        r = server.get(path, token)
        assert r.status == 200, r
        rows.extend(r.json["data"])
        cursor = r.json["next_cursor"]
        if not cursor:
            return rows


class Rules(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)
        cls.admin = cls.o["admin"]["token"]
        cls.mgr = cls.o["mgr_east"]["token"]
        cls.rep = cls.o["rep_e1"]["token"]

    def rule(self, body, token=None):
        return self.s.post("/api/v1/scoring/rules", body, token or self.admin)

    def test_crud(self):
        r = self.rule({"field": "industry", "operator": "equals", "value": "Software",
                       "points": 15, "name": "Target industry"})
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        self.assertEqual(r.header("Location"), "/api/v1/scoring/rules/%d" % rid)
        self.assertEqual(r.json["active"], True)
        self.assertIsNone(r.json["one_of"])
        got = self.s.get("/api/v1/scoring/rules/%d" % rid, self.rep)
        self.assertEqual(got.status, 200, got)  # everyone reads the rules
        self.assertEqual(got.json["points"], 15)
        r = self.s.patch("/api/v1/scoring/rules/%d" % rid, {"points": 20}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["points"], 20)
        listed = self.s.get("/api/v1/scoring/rules?field=industry", self.mgr)
        self.assertIn(rid, [x["id"] for x in listed.json["data"]])
        hist = self.s.get("/api/v1/scoring/rules/%d/history" % rid, self.admin).json["data"]
        self.assertIn("points", [h.get("field") for h in hist])
        self.assertEqual(self.s.delete("/api/v1/scoring/rules/%d" % rid, self.admin).status, 204)
        self.assertEqual(self.s.get("/api/v1/scoring/rules/%d" % rid, self.admin).status, 404)

    def test_operator_change_clears_the_old_operand(self):
        r = self.rule({"field": "source", "operator": "equals", "value": "referral",
                       "points": 5})
        r = self.s.patch("/api/v1/scoring/rules/%d" % r.json["id"],
                         {"operator": "in", "one_of": ["referral", "partner"]}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json["value"])
        self.assertEqual(r.json["one_of"], ["referral", "partner"])
        # ... but an operand named with the wrong operator is refused
        r2 = self.s.patch("/api/v1/scoring/rules/%d" % r.json["id"], {"value": "x"}, self.admin)
        self.assertProblem(r2, 400, "value")

    def test_only_admins_write(self):
        body = {"field": "industry", "operator": "equals", "value": "Media", "points": 1}
        for tok in (self.mgr, self.rep):
            self.assertProblem(self.rule(body, tok), 403)
        r = self.rule(body)
        for tok in (self.mgr, self.rep):
            self.assertProblem(self.s.patch("/api/v1/scoring/rules/%d" % r.json["id"],
                                            {"points": 2}, tok), 403)
            self.assertProblem(self.s.delete("/api/v1/scoring/rules/%d" % r.json["id"], tok), 403)

    def test_validation_names_the_field(self):
        before = self.s.get("/api/v1/scoring/rules?total=true", self.admin).json["total"]
        cases = [
            ({}, ["field", "operator", "points"]),
            ({"field": "industry", "operator": "range", "min": 1, "points": 1}, ["operator"]),
            ({"field": "employees", "operator": "equals", "value": "5", "points": 1},
             ["operator"]),
            ({"field": "industry", "operator": "equals", "points": 1}, ["value"]),
            ({"field": "industry", "operator": "equals", "value": "", "points": 1}, ["value"]),
            ({"field": "industry", "operator": "in", "one_of": [], "points": 1}, ["one_of"]),
            ({"field": "industry", "operator": "in", "one_of": ["a", 7], "points": 1},
             ["one_of[1]"]),
            ({"field": "industry", "operator": "in", "one_of": {"a": 1}, "points": 1},
             ["one_of"]),
            ({"field": "channel", "operator": "equals", "value": "carrier pigeon",
              "points": 1}, ["value"]),
            ({"field": "channel", "operator": "in", "one_of": ["web", "fax"], "points": 1},
             ["one_of[1]"]),
            ({"field": "employees", "operator": "range", "points": 1}, ["min"]),
            ({"field": "employees", "operator": "range", "min": 500, "max": 10, "points": 1},
             ["max"]),
            ({"field": "industry", "operator": "in", "one_of": ["a"], "value": "b",
              "points": 1}, ["value"]),
            ({"field": "industry", "operator": "equals", "value": "x", "points": 101},
             ["points"]),
            ({"field": "industry", "operator": "equals", "value": "x", "points": "ten"},
             ["points"]),
            ({"field": "phase of moon", "operator": "equals", "value": "x", "points": 1},
             ["field"]),
            ({"field": "industry", "operator": "like", "value": "x", "points": 1},
             ["operator"]),
            ({"field": "industry", "operator": "equals", "value": "x", "points": 1,
              "colour": "red"}, ["colour"]),
        ]
        for body, fields in cases:
            r = self.rule(body)
            self.assertProblem(r, 400)
            named = {e["field"] for e in r.json["errors"]}
            for f in fields:
                self.assertIn(f, named, (body, r))
        after = self.s.get("/api/v1/scoring/rules?total=true", self.admin).json["total"]
        self.assertEqual(before, after)

    def test_train_without_outcomes_is_409(self):
        r = self.s.post("/api/v1/scoring/train", None, self.admin)
        self.assertProblem(r, 409)
        self.assertIn("not enough leads", r.json["detail"])
        model = self.s.get("/api/v1/scoring/model", self.admin).json
        self.assertIsNone(model["model"])

    def test_fit_points_alone_without_a_model(self):
        r = self.rule({"field": "title", "operator": "contains", "value": "DIRECTOR",
                       "points": 30})
        self.addCleanup(self.s.delete, "/api/v1/scoring/rules/%d" % r.json["id"], self.admin)
        wait_rescored(self.s, self.admin)
        lead = self.s.create("leads", {"last_name": "Dir", "title": "Sales director"}, self.rep)
        self.assertEqual(lead["score"], 30)
        self.assertEqual(lead["tier"], "C")
        self.assertEqual(lead["score_factors"],
                         [{"factor": "Title contains \u201cDIRECTOR\u201d", "points": 30}])
        other = self.s.create("leads", {"last_name": "Clerk", "title": "Clerk"}, self.rep)
        self.assertEqual((other["score"], other["tier"], other["score_factors"]), (0, "D", []))

    def test_tiers(self):
        r = self.s.request("PUT", "/api/v1/scoring/tiers", body={"A": 90, "B": 60, "C": 30},
                           token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"A": 90, "B": 60, "C": 30})
        self.assertEqual(wait_rescored(self.s, self.mgr)["tiers"], {"A": 90, "B": 60, "C": 30})
        bad = [({"A": 40, "B": 50}, "B"), ({"C": 95}, "C"), ({"X": 1}, "X"), ({"A": 0}, "A"),
               ({"A": 101}, "A"), ({"A": "high"}, "A")]
        for body, field in bad:
            self.assertProblem(self.s.request("PUT", "/api/v1/scoring/tiers", body=body,
                                              token=self.admin), 400, field)
        for tok in (self.mgr, self.rep):
            self.assertProblem(self.s.request("PUT", "/api/v1/scoring/tiers", body={"A": 80},
                                              token=tok), 403)
        r = self.s.request("PUT", "/api/v1/scoring/tiers", body={"A": 75, "B": 50, "C": 25},
                           token=self.admin)
        self.assertEqual(r.status, 200, r)

    def test_score_fields_are_the_servers(self):
        r = self.s.post("/api/v1/leads", {"last_name": "X", "score": 99, "tier": "A",
                                          "score_factors": []}, self.rep)
        self.assertProblem(r, 400)
        self.assertEqual({e["field"] for e in r.json["errors"]},
                         {"score", "tier", "score_factors"})
        for q, field in (("score_from=abc", "score_from"), ("tier=E", "tier"),
                         ("sort=-score_factors", "sort"), ("employees_to=-1", "employees_to")):
            self.assertProblem(self.s.get("/api/v1/leads?" + q, self.rep), 400, field)

    def test_cli(self):
        p = run(["scoring", "--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn("funnel scoring train", p.stdout)
        self.assertEqual(run(["scoring"]).returncode, 2)
        self.assertEqual(run(["scoring", "bake", "--db", self.s.db]).returncode, 2)
        p = run(["scoring", "train", "--db", self.s.db])
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("not enough leads", p.stderr)


class Learning(ServerTest):
    """A company whose conversions follow industry and meetings, with noise."""

    N = 120

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        cls.o = org(s)
        cls.admin = cls.o["admin"]["token"]
        cls.mgr = cls.o["mgr_east"]["token"]
        cls.rep = cls.o["rep_e1"]["token"]
        cls.rep2 = cls.o["rep_e1b"]["token"]
        yesterday = (datetime.datetime.utcnow() - datetime.timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        for i in range(cls.N):
            converts = i % 2 == 0
            # noise: one in five goes against the pattern
            software = converts != (i % 10 in (0, 5))
            met = converts != (i % 10 in (2, 3, 7))
            token = cls.rep if i % 3 else cls.rep2
            lead = s.create("leads", {
                "last_name": "Lead%03d" % i, "company": "Co %d" % i,
                "industry": "Software" if software else "Retail",
                "status": "working" if converts else "disqualified"}, token)
            if met:
                s.create("activities", {"type": "meeting", "subject": "Meeting %d" % i,
                                        "related_type": "lead", "related_id": lead["id"],
                                        "done_at": yesterday}, token)
            if converts:
                r = s.post("/api/v1/leads/%d/convert" % lead["id"], None, token)
                assert r.status == 201, r
        cls.trained = s.post("/api/v1/scoring/train", None, cls.admin)
        wait_rescored(s, cls.admin)

    def test_train_reports_the_model(self):
        r = self.trained
        self.assertEqual(r.status, 200, r)
        m = r.json["model"]
        self.assertEqual(m["training"]["leads"] + m["held_out"]["leads"], self.N)
        self.assertEqual(m["training"]["converted"] + m["held_out"]["converted"], self.N // 2)
        self.assertGreater(m["held_out"]["leads"], self.N // 10)
        self.assertLess(m["held_out"]["leads"], self.N * 4 // 10)
        self.assertEqual(m["training"]["leads"],
                         m["training"]["converted"] + m["training"]["not_converted"])
        self.assertGreater(m["auc"]["held_out"], 0.75)
        self.assertGreater(m["auc"]["training"], 0.75)
        self.assertEqual(m["trained_by"], 1)
        w = {(f["group"], f["value"]): f["weight"] for f in m["features"]}
        self.assertGreater(w[("industry", "Software")], w[("industry", "Retail")])
        self.assertGreater(w[("meetings", None)], 0)
        labels = [f["label"] for f in m["features"]]
        self.assertIn("Industry: Software", labels)
        self.assertIn("Meetings attended", labels)
        for f in m["features"]:
            self.assertGreater(f["support"], 0, f)
        self.assertEqual(r.json["tiers"], {"A": 75, "B": 50, "C": 25})

    def test_model_visibility(self):
        self.assertEqual(self.s.get("/api/v1/scoring/model", self.mgr).status, 200)
        self.assertProblem(self.s.get("/api/v1/scoring/model", self.rep), 403)
        self.assertProblem(self.s.get("/api/v1/scoring/model?x=1", self.admin), 400, "x")
        for tok in (self.mgr, self.rep):
            self.assertProblem(self.s.post("/api/v1/scoring/train", None, tok), 403)
        self.assertProblem(self.s.post("/api/v1/scoring/train", {"fast": True}, self.admin),
                           400, "fast")

    def test_every_lead_is_scored(self):
        for lead in list_all(self.s, self.admin, "limit=200"):
            self.assertTrue(0 <= lead["score"] <= 100, lead)
            self.assertIn(lead["tier"], "ABCD")
            self.assertIsInstance(lead["score_factors"], list)
            self.assertLessEqual(len(lead["score_factors"]), 5)
            for f in lead["score_factors"]:
                self.assertEqual(set(f), {"factor", "points"})
                self.assertNotEqual(f["points"], 0)
            sizes = [abs(f["points"]) for f in lead["score_factors"]]
            self.assertEqual(sizes, sorted(sizes, reverse=True))

    def test_sorted_by_score_and_paged(self):
        everything = list_all(self.s, self.admin, "limit=200")
        rows = list_all(self.s, self.admin, "sort=-score&limit=7")
        self.assertEqual(len(rows), len(everything))
        self.assertEqual(len({r["id"] for r in rows}), len(rows))
        keys = [(r["score"], r["id"]) for r in rows]
        self.assertEqual(keys, sorted(keys, reverse=True))
        asc = list_all(self.s, self.admin, "sort=score&limit=9")
        self.assertEqual([r["id"] for r in asc], [r["id"] for r in reversed(rows)])

    def test_filtered_by_tier_and_score(self):
        everything = list_all(self.s, self.admin, "limit=200")
        for tiers in ("A", "C,D"):
            rows = list_all(self.s, self.admin, "sort=-score&limit=5&tier=" + tiers)
            want = sorted(r["id"] for r in everything if r["tier"] in tiers.split(","))
            self.assertEqual(sorted(r["id"] for r in rows), want)
        rows = list_all(self.s, self.admin, "score_from=40&score_to=80&limit=10")
        self.assertEqual(sorted(r["id"] for r in rows),
                         sorted(r["id"] for r in everything if 40 <= r["score"] <= 80))
        # the tier follows the thresholds
        for r in everything:
            s = r["score"]
            self.assertEqual(r["tier"], "A" if s >= 75 else "B" if s >= 50 else
                             "C" if s >= 25 else "D", r)

    def test_software_with_a_meeting_outranks_retail_without(self):
        good = self.s.create("leads", {"last_name": "Good", "industry": "Software"}, self.rep)
        bad = self.s.create("leads", {"last_name": "Bad", "industry": "Retail"}, self.rep)
        self.assertGreater(good["score"], bad["score"])
        self.assertIn({"factor": "Industry: Software"},
                      [{"factor": f["factor"]} for f in good["score_factors"]])
        points = {f["factor"]: f["points"] for f in good["score_factors"]}
        self.assertGreater(points["Industry: Software"], 0)

    def test_score_follows_the_lead_and_its_activities(self):
        lead = self.s.create("leads", {"last_name": "Mover", "industry": "Retail"}, self.rep)
        r = self.s.patch("/api/v1/leads/%d" % lead["id"], {"industry": "Software"}, self.rep)
        self.assertEqual(r.status, 200, r)
        self.assertGreater(r.json["score"], lead["score"])
        # the score is derived: the version is the one the change made
        self.assertEqual(r.json["version"], lead["version"] + 1)
        before = r.json["score"]
        act = self.s.create("activities", {
            "type": "meeting", "subject": "Demo", "related_type": "lead",
            "related_id": lead["id"], "done_at": "2026-01-01T10:00:00Z"}, self.rep)
        after = self.s.get("/api/v1/leads/%d" % lead["id"], self.rep).json
        self.assertGreater(after["score"], before)
        self.assertIn("Meetings attended: 1", [f["factor"] for f in after["score_factors"]])
        self.assertEqual(after["version"], r.json["version"])
        # moved to another record, then deleted: the lead goes back
        self.assertEqual(self.s.delete("/api/v1/activities/%d" % act["id"], self.rep).status, 204)
        self.assertEqual(self.s.get("/api/v1/leads/%d" % lead["id"], self.rep).json["score"],
                         before)

    def test_rule_changes_rescore_everyone(self):
        everything = {r["id"]: r for r in list_all(self.s, self.admin, "limit=200")}
        r = self.s.post("/api/v1/scoring/rules", {"field": "industry", "operator": "in",
                                                  "one_of": ["retail"], "points": -10},
                        self.admin)
        self.assertEqual(r.status, 201, r)
        rid = r.json["id"]
        model = wait_rescored(self.s, self.admin)
        self.assertIn(rid, [x["id"] for x in model["rules"]])
        for lead in list_all(self.s, self.admin, "limit=200"):
            old = everything.get(lead["id"])
            if not old:
                continue
            if lead["industry"] == "Retail":
                self.assertEqual(lead["score"], max(0, old["score"] - 10), lead)
                self.assertIn({"factor": "Industry is retail", "points": -10},
                              lead["score_factors"])
            else:
                self.assertEqual(lead["score"], old["score"], lead)
        self.assertEqual(self.s.delete("/api/v1/scoring/rules/%d" % rid, self.admin).status, 204)
        wait_rescored(self.s, self.admin)
        for lead in list_all(self.s, self.admin, "limit=200"):
            if lead["id"] in everything:
                self.assertEqual(lead["score"], everything[lead["id"]]["score"], lead)

    def test_a_rep_sees_only_their_leads_scores(self):
        mine = list_all(self.s, self.rep, "sort=-score&limit=50")
        me = self.o["rep_e1"]["id"]
        self.assertTrue(mine)
        self.assertTrue(all(r["owner_id"] == me for r in mine))
        theirs = list_all(self.s, self.rep2, "limit=50")
        self.assertTrue(theirs)
        self.assertProblem(self.s.get("/api/v1/leads/%d" % theirs[0]["id"], self.rep), 404)
        # and tier filters stay inside what they see
        a = list_all(self.s, self.rep, "tier=A,B,C,D&limit=50")
        self.assertEqual(sorted(r["id"] for r in a), sorted(r["id"] for r in mine))

    def test_cli_trains_and_rescoring_is_current(self):
        p = run(["scoring", "train", "--db", self.s.db])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("AUC", p.stdout)
        self.assertRegex(p.stdout, r"held out")
        model = wait_rescored(self.s, self.admin)
        self.assertGreater(model["model"]["id"], self.trained.json["model"]["id"])


class Schedule(ServerTest):
    """The serve worker trains by itself and stops promptly on SIGTERM."""

    def test_scheduled_training(self):
        s = self.s
        admin = s.login()
        for i in range(40):
            lead = s.create("leads", {"last_name": "S%d" % i,
                                      "industry": "Software" if i % 2 else "Retail",
                                      "status": "working" if i % 2 else "disqualified"}, admin)
            if i % 2:
                self.assertEqual(s.post("/api/v1/leads/%d/convert" % lead["id"], None,
                                        admin).status, 201)
        s.stop()
        s.args = ["--scoring-interval", "1"]
        s.start()
        end = time.time() + 30
        model = None
        while time.time() < end and not model:
            model = s.get("/api/v1/scoring/model", admin).json["model"]
            time.sleep(0.2)
        self.assertIsNotNone(model)
        self.assertIsNone(model["trained_by"])
        t0 = time.time()
        self.assertEqual(s.stop(), 0)
        self.assertLess(time.time() - t0, 8)
        s.args = []
        s.start()

    def test_bad_interval_is_a_usage_error(self):
        for v in ("-1", "soon", ""):
            p = run(["serve", "--db", self.s.db, "--listen", "127.0.0.1:0",
                     "--scoring-interval", v])
            self.assertEqual(p.returncode, 2, (v, p.stderr))


if __name__ == "__main__":
    import unittest
    unittest.main()
