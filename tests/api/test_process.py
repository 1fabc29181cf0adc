"""The standardized sales process: pipelines, enforcement modes, criteria,
overrides, lost reasons, stage history, editing maps without stranding deals."""
import unittest

from harness import ServerTest, org

STAGES = [
    {"key": "new", "name": "New", "section": "upper", "probability": 10,
     "criteria": [{"kind": "activity", "activity_type": "call"}]},
    {"key": "meet", "name": "Meeting", "section": "middle", "probability": 40,
     "criteria": [{"kind": "field", "field": "amount"}]},
    {"key": "offer", "name": "Offer", "section": "lower", "probability": 70},
    {"key": "won", "name": "Won", "section": "won"},
    {"key": "lost", "name": "Lost", "section": "lost"},
]


class Process(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)
        cls.admin = cls.o["admin"]["token"]
        cls.mgr = cls.o["mgr_east"]["token"]
        cls.rep = cls.o["rep_e1"]["token"]
        cls.acct = cls.s.create("accounts", {"name": "Process Co"}, cls.rep)["id"]
        cls.pipes = {}
        for mode in ("strict", "guided", "free"):
            r = cls.s.post("/api/v1/pipelines", {"name": "P " + mode, "enforcement": mode,
                                                 "stages": STAGES}, cls.admin)
            assert r.status == 201, r
            cls.pipes[mode] = r.json["id"]

    def deal(self, mode, **kw):
        body = {"name": "Deal " + mode, "account_id": self.acct, "close_date": "2027-01-31",
                "pipeline_id": self.pipes[mode]}
        body.update(kw)
        return self.s.create("opportunities", body, self.rep)

    def move(self, opp, stage, token=None, **kw):
        body = {"stage": stage}
        body.update(kw)
        return self.s.post("/api/v1/opportunities/%d/move" % opp["id"], body, token or self.rep)

    def call_done(self, opp):
        self.s.create("activities", {"type": "call", "subject": "Intro call",
                                     "related_type": "opportunity", "related_id": opp["id"],
                                     "done_at": "2026-11-01T10:00:00Z"}, self.rep)

    def messages(self, r):
        return [e["message"] for e in r.json.get("errors", [])]

    # --- enforcement modes ---------------------------------------------------
    def test_strict_refuses_a_skip_even_when_criteria_hold(self):
        d = self.deal("strict", amount="1000.00")
        self.call_done(d)
        r = self.move(d, "offer")
        self.assertProblem(r, 409, "stage")
        self.assertTrue(any("cannot be skipped" in m for m in self.messages(r)), r)
        self.assertEqual(self.s.get("/api/v1/opportunities/%d" % d["id"], self.rep).json["stage"], "new")

    def test_strict_next_stage_needs_criteria(self):
        d = self.deal("strict")
        r = self.move(d, "meet")
        self.assertProblem(r, 409, "stage")
        self.assertIn("A completed call with the client is required before Meeting", self.messages(r))
        self.call_done(d)
        r = self.move(d, "meet")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "meet")
        self.assertEqual(r.json["probability"], 40)

    def test_strict_backward_needs_override(self):
        d = self.deal("strict")
        self.call_done(d)
        self.assertEqual(self.move(d, "meet").status, 200)
        self.assertProblem(self.move(d, "new"), 409, "stage")
        r = self.move(d, "new", self.mgr, override=True, reason="client reorganised, requalify")
        self.assertEqual(r.status, 200, r)

    def test_guided_allows_skip_when_skipped_criteria_hold(self):
        d = self.deal("guided")
        r = self.move(d, "offer")
        self.assertProblem(r, 409)
        msgs = self.messages(r)
        self.assertIn("A completed call with the client is required before Meeting", msgs)
        self.assertIn("The amount must be filled in before Offer", msgs)
        self.assertEqual(len(msgs), 2)
        self.call_done(d)
        # the same write may fill what a criterion asks for
        r = self.s.patch("/api/v1/opportunities/%d" % d["id"], {"stage": "offer", "amount": 500},
                         self.rep)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "offer")

    def test_guided_backward_is_free(self):
        d = self.deal("guided", amount=10)
        self.call_done(d)
        self.assertEqual(self.move(d, "offer").status, 200)
        self.assertEqual(self.move(d, "new").status, 200)

    def test_free_allows_anything_but_records_it(self):
        d = self.deal("free")
        r = self.move(d, "won")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "won")
        self.assertIsNotNone(r.json["closed_at"])
        st = self.s.get("/api/v1/opportunities/%d/stages" % d["id"], self.rep).json["data"]
        self.assertEqual([x["stage"] for x in st], ["new", "won"])

    def test_patch_goes_through_the_same_rules(self):
        d = self.deal("strict")
        r = self.s.patch("/api/v1/opportunities/%d" % d["id"], {"stage": "won"}, self.rep)
        self.assertProblem(r, 409, "stage")
        r = self.s.patch("/api/v1/opportunities/%d" % d["id"], {"status": "won"}, self.rep)
        self.assertProblem(r, 409, "stage")

    # --- overrides -------------------------------------------------------------
    def test_override_rights_and_flag(self):
        d = self.deal("guided")
        r = self.move(d, "offer", override=True, reason="I know better")
        self.assertProblem(r, 403)
        r = self.move(d, "offer", self.mgr, override=True)
        self.assertProblem(r, 400, "reason")
        r = self.move(d, "offer", self.mgr, override=True, reason="verbal yes from the CEO")
        self.assertEqual(r.status, 200, r)
        rows = self.s.get("/api/v1/opportunities/%d/stages" % d["id"], self.rep).json["data"]
        self.assertTrue(rows[-1]["override"])
        self.assertEqual(rows[-1]["reason"], "verbal yes from the CEO")
        self.assertEqual(rows[-1]["actor_id"], self.o["mgr_east"]["id"])
        hist = self.s.get("/api/v1/opportunities/%d/history" % d["id"], self.rep).json["data"]
        ov = [h for h in hist if h.get("field") == "stage_override"]
        self.assertEqual(len(ov), 1)
        self.assertEqual(ov[0]["new"], "verbal yes from the CEO")

    def test_override_not_needed_is_not_flagged(self):
        d = self.deal("free")
        r = self.move(d, "meet", self.mgr, override=True, reason="just because")
        self.assertEqual(r.status, 200)
        rows = self.s.get("/api/v1/opportunities/%d/stages" % d["id"], self.rep).json["data"]
        self.assertFalse(rows[-1]["override"])

    # --- lost ----------------------------------------------------------------
    def test_lost_needs_a_known_reason(self):
        d = self.deal("strict")
        self.assertProblem(self.move(d, "lost"), 400, "lost_reason")
        self.assertProblem(self.move(d, "lost", lost_reason="bad vibes"), 400, "lost_reason")
        r = self.move(d, "lost", lost_reason="lost to competitor")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "lost")
        rows = self.s.get("/api/v1/opportunities/%d/stages" % d["id"], self.rep).json["data"]
        self.assertEqual(rows[-1]["reason"], "lost to competitor")

    def test_lost_reasons_are_managed_by_admins(self):
        r = self.s.get("/api/v1/lost_reasons", self.rep)
        names = [x["name"] for x in r.json["data"]]
        self.assertIn("lost to competitor", names)
        self.assertProblem(self.s.post("/api/v1/lost_reasons", {"name": "weather"}, self.rep), 403)
        self.s.create("lost_reasons", {"name": "went bankrupt"}, self.admin)
        d = self.deal("guided")
        self.assertEqual(self.move(d, "lost", lost_reason="went bankrupt").status, 200)

    def test_won_deal_reopens_only_by_override(self):
        d = self.deal("free")
        self.assertEqual(self.move(d, "won").status, 200)
        # free: anything goes
        self.assertEqual(self.move(d, "offer").status, 200)
        g = self.deal("guided", amount=5)
        self.call_done(g)
        self.assertEqual(self.move(g, "won").status, 200)
        self.assertProblem(self.move(g, "offer"), 409)
        self.assertEqual(self.move(g, "offer", self.mgr, override=True, reason="deal reopened").status, 200)

    # --- history -----------------------------------------------------------------
    def test_stage_history_is_complete_and_contiguous(self):
        d = self.deal("free")
        for stage in ("meet", "offer", "meet", "won"):
            self.assertEqual(self.move(d, stage).status, 200)
        rows = self.s.get("/api/v1/opportunities/%d/stages" % d["id"], self.rep).json["data"]
        self.assertEqual([x["stage"] for x in rows], ["new", "meet", "offer", "meet", "won"])
        for a, b in zip(rows, rows[1:]):
            self.assertEqual(a["exited_at"], b["entered_at"])
        self.assertIsNone(rows[-1]["exited_at"])
        self.assertTrue(all(x["actor_id"] == self.o["rep_e1"]["id"] for x in rows))

    def test_refused_move_changes_nothing(self):
        d = self.deal("strict")
        before = self.s.get("/api/v1/opportunities/%d" % d["id"], self.rep).json
        self.assertProblem(self.move(d, "offer"), 409)
        after = self.s.get("/api/v1/opportunities/%d" % d["id"], self.rep).json
        self.assertEqual(before, after)
        rows = self.s.get("/api/v1/opportunities/%d/stages" % d["id"], self.rep).json["data"]
        self.assertEqual(len(rows), 1)

    # --- maps ------------------------------------------------------------------
    def test_pipeline_validation(self):
        bad = {"name": "Bad", "stages": [
            {"key": "A", "name": "x", "section": "upper", "probability": 10},
            {"key": "b", "name": "y", "section": "won", "probability": 100},
            {"key": "c", "name": "z", "section": "upper", "probability": 5,
             "criteria": [{"kind": "field", "field": "shoe_size"}]}]}
        r = self.s.post("/api/v1/pipelines", bad, self.admin)
        self.assertProblem(r, 400)
        fields = [e["field"] for e in r.json["errors"]]
        self.assertIn("stages[0].key", fields)
        self.assertIn("stages[2].section", fields)
        self.assertIn("stages[2].criteria[0]", fields)
        self.assertIn("stages", fields)  # no lost stage

    def test_who_defines_maps(self):
        body = {"name": "Rep map", "stages": STAGES}
        self.assertProblem(self.s.post("/api/v1/pipelines", body, self.rep), 403)
        # a manager, for their own team only
        body = {"name": "East map", "team_id": self.o["teams"]["east"], "stages": STAGES}
        self.assertEqual(self.s.post("/api/v1/pipelines", body, self.mgr).status, 201)
        body = {"name": "West map", "team_id": self.o["teams"]["west"], "stages": STAGES}
        self.assertProblem(self.s.post("/api/v1/pipelines", body, self.mgr), 403)

    def test_new_deal_gets_the_most_specific_pipeline(self):
        admin = self.admin
        team_only = self.s.post("/api/v1/pipelines", {"name": "East-1 any", "team_id": self.o["teams"]["east1"],
                                                      "stages": STAGES}, admin).json["id"]
        both = self.s.post("/api/v1/pipelines", {"name": "East partner", "team_id": self.o["teams"]["east"],
                                                 "channel": "partner", "stages": STAGES}, admin).json["id"]
        base = {"name": "x", "account_id": self.acct, "close_date": "2027-01-01"}
        d1 = self.s.create("opportunities", dict(base, channel="partner"), self.rep)
        self.assertEqual(d1["pipeline_id"], both)  # team above + channel beats team alone
        d2 = self.s.create("opportunities", dict(base, channel="web"), self.rep)
        self.assertEqual(d2["pipeline_id"], team_only)
        w = self.s.create("accounts", {"name": "West Co"}, self.o["rep_w"]["token"])
        d3 = self.s.create("opportunities", dict(base, account_id=w["id"]), self.o["rep_w"]["token"])
        self.assertEqual(d3["pipeline_id"], 1)  # the default
        self.assertEqual(d3["stage"], "prequalification")

    def test_removing_a_stage_needs_reassignment(self):
        p = self.s.post("/api/v1/pipelines", {"name": "Shrinking", "enforcement": "free",
                                              "stages": STAGES}, self.admin).json
        d = self.deal("free", pipeline_id=p["id"])
        self.assertEqual(self.move(d, "meet").status, 200)
        fewer = [s for s in STAGES if s["key"] != "meet"]
        r = self.s.patch("/api/v1/pipelines/%d" % p["id"], {"stages": fewer}, self.admin)
        self.assertProblem(r, 400, "reassign.meet")
        self.assertEqual(self.s.get("/api/v1/opportunities/%d" % d["id"], self.rep).json["stage"], "meet")
        r = self.s.patch("/api/v1/pipelines/%d" % p["id"], {"stages": fewer, "reassign": {"meet": "offer"}},
                         self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([s["key"] for s in r.json["stages"]], ["new", "offer", "won", "lost"])
        o = self.s.get("/api/v1/opportunities/%d" % d["id"], self.rep).json
        self.assertEqual(o["stage"], "offer")
        self.assertEqual(o["probability"], 70)
        rows = self.s.get("/api/v1/opportunities/%d/stages" % d["id"], self.rep).json["data"]
        self.assertEqual(rows[-1]["stage"], "offer")
        self.assertIn("removed", rows[-1]["reason"])
        hist = self.s.get("/api/v1/pipelines/%d" % p["id"], self.admin)
        self.assertEqual(hist.json["version"], 2)

    def test_pipeline_in_use_cannot_be_deleted(self):
        p = self.s.post("/api/v1/pipelines", {"name": "Used", "stages": STAGES}, self.admin).json
        self.deal("free", pipeline_id=p["id"])
        self.assertProblem(self.s.delete("/api/v1/pipelines/%d" % p["id"], self.admin), 409)
        q = self.s.post("/api/v1/pipelines", {"name": "Unused", "stages": STAGES}, self.admin).json
        self.assertEqual(self.s.delete("/api/v1/pipelines/%d" % q["id"], self.admin).status, 204)
        self.assertProblem(self.s.delete("/api/v1/pipelines/1", self.admin), 409)

    def test_default_map_follows_the_seeds(self):
        p = self.s.get("/api/v1/pipelines/1", self.rep).json
        keys = [s["key"] for s in p["stages"]]
        self.assertEqual(keys, ["prequalification", "qualification", "presentation", "proposal",
                                "negotiation", "conversion", "payment_collected", "lost"])
        probs = [s["probability"] for s in p["stages"]][:6]
        self.assertEqual(probs, [10, 25, 50, 60, 75, 100])
        sections = [s["section"] for s in p["stages"]]
        self.assertEqual(sections, ["upper", "upper", "middle", "middle", "lower", "won", "won", "lost"])
        kinds = {s["key"]: [c["kind"] for c in s["criteria"]] for s in p["stages"]}
        self.assertEqual(kinds["presentation"], ["activity"])
        self.assertEqual(kinds["proposal"], ["document"])


if __name__ == "__main__":
    unittest.main()
