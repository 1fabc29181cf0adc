"""`funnel import stage_history`: imported histories are complete and exact,
and a deal whose rows do not make a history is refused with the reason."""
import os
import unittest

from harness import ADMIN_EMAIL, ServerTest, run


class StageImport(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.s.login()
        acct = cls.s.create("accounts", {"name": "History Co"}, cls.admin)
        cls.opps = []
        for name, stage in (("A", "proposal"), ("B", "lost"), ("C", "negotiation")):
            body = {"name": name, "account_id": acct["id"], "close_date": "2026-06-30"}
            o = cls.s.create("opportunities", body, cls.admin)
            if stage != "prequalification":
                extra = {"lost_reason": "price"} if stage == "lost" else {}
                r = cls.s.post("/api/v1/opportunities/%d/move" % o["id"],
                               dict(stage=stage, override=True, reason="setup", **extra), cls.admin)
                assert r.status == 200, r
            cls.opps.append(o["id"])

    def write(self, name, text):
        path = os.path.join(self.s.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def stages(self, opp):
        return self.s.get("/api/v1/opportunities/%d/stages" % opp, self.admin).json["data"]

    def test_history_replaced_exactly(self):
        a, b, _ = self.opps
        path = self.write("good.csv",
                          "opportunity_id,stage,entered_at,exited_at,reason\n"
                          "%d,prequalification,2026-01-05T09:00:00Z,,\n"
                          "%d,qualification,2026-01-20T10:00:00Z,2026-02-11T08:30:00Z,\n"
                          "%d,proposal,2026-02-11T08:30:00Z,,sent v2\n"
                          "%d,prequalification,2026-03-01T00:00:00Z,,\n"
                          "%d,lost,2026-03-09T12:00:00+02:00,,price\n" % (a, a, a, b, b))
        p = run(["import", "--db", self.s.db, "stage_history", path, "--as", ADMIN_EMAIL])
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = self.stages(a)
        self.assertEqual([(r["stage"], r["entered_at"], r["exited_at"]) for r in rows], [
            ("prequalification", "2026-01-05T09:00:00Z", "2026-01-20T10:00:00Z"),
            ("qualification", "2026-01-20T10:00:00Z", "2026-02-11T08:30:00Z"),
            ("proposal", "2026-02-11T08:30:00Z", None)])
        self.assertEqual(rows[-1]["reason"], "sent v2")
        o = self.s.get("/api/v1/opportunities/%d" % a, self.admin).json
        self.assertEqual(o["stage_entered_at"], "2026-02-11T08:30:00Z")
        rows = self.stages(b)
        self.assertEqual(rows[-1]["entered_at"], "2026-03-09T10:00:00Z")  # normalised to UTC
        hist = self.s.get("/api/v1/opportunities/%d/history" % a, self.admin).json["data"]
        self.assertTrue(any(h.get("field") == "stage_history" for h in hist))

    def test_bad_histories_change_nothing(self):
        _, _, c = self.opps
        before = self.stages(c)
        cases = {
            "gap.csv": "%d,qualification,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z\n"
                       "%d,negotiation,2026-01-05T00:00:00Z,\n",
            "wrong_end.csv": "%d,qualification,2026-01-01T00:00:00Z,\n"
                             "%d,proposal,2026-01-05T00:00:00Z,\n",
            "closed_end.csv": "%d,negotiation,2026-01-01T00:00:00Z,2026-02-01T00:00:00Z\n%d,negotiation,2026-03-01T00:00:00Z,2026-03-02T00:00:00Z\n",
        }
        for name, rows in cases.items():
            path = self.write(name, "opportunity_id,stage,entered_at,exited_at\n" + rows % (c, c))
            p = run(["import", "--db", self.s.db, "stage_history", path, "--as", ADMIN_EMAIL])
            self.assertEqual(p.returncode, 3, (name, p.stdout, p.stderr))
            self.assertIn("opportunity %d:" % c, p.stderr, name)
            self.assertEqual(self.stages(c), before, name)

    def test_rows_are_checked_one_by_one(self):
        _, _, c = self.opps
        path = self.write("rows.csv", "opportunity_id,stage,entered_at,exited_at\n"
                                      "%d,no_such_stage,2026-01-01T00:00:00Z,\n"
                                      "999999,qualification,2026-01-01T00:00:00Z,\n"
                                      "%d,negotiation,2026-01-05,2026-01-01T00:00:00Z\n"
                                      "%d,negotiation,yesterday,\n" % (c, c, c))
        p = run(["import", "--db", self.s.db, "stage_history", path, "--as", ADMIN_EMAIL])
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("row 2: stage:", p.stderr)
        self.assertIn("row 3: opportunity_id:", p.stderr)
        self.assertIn("row 4: exited_at: is before entered_at", p.stderr)
        self.assertIn("row 5: entered_at:", p.stderr)


if __name__ == "__main__":
    unittest.main()
