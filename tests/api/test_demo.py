"""funnel demo: a reproducible demo company that the API serves as it should.

Two databases are generated from the same seed (and one from another seed) at
--scale 2000, so the class stays quick; a server on the first checks the demo
logins, visibility for the rep and the manager, and the stage histories; the
second must read back identically, the third must not.
"""
import hashlib
import json
import os
import shutil
import tempfile
import unittest

from harness import Server, database_in, run

PASSWORD = "demo-password"
SCALE = "2000"


def generate(seed="42"):
    tmp = tempfile.mkdtemp(prefix="funnel-demo-")
    p = run(["demo", "--db", database_in(tmp), "--scale", SCALE,
             "--seed", seed], check=True)
    return tmp, p


def list_all(server, resource, token, query=""):
    """Every row of a list, following next_cursor."""
    rows, cursor = [], None
    while True:
        path = "/api/v1/%s?limit=200%s" % (resource, query)
        if cursor:
            path += "&cursor=" + cursor
        r = server.get(path, token)
        if r.status != 200:
            raise AssertionError("list %s: %r" % (resource, r))
        rows.extend(r.json["data"])
        cursor = r.json.get("next_cursor")
        if not cursor:
            return rows


def fingerprint(server):
    """A digest of what the admin reads: counts of every record type, every
    opportunity, and the stage history of a sample of them."""
    tok = server.login("admin@demo.funnel", PASSWORD)
    h = hashlib.sha256()
    for res in ("users", "teams", "accounts", "contacts", "leads", "activities"):
        r = server.get("/api/v1/%s?limit=1&total=true" % res, tok)
        h.update(("%s=%d;" % (res, r.json["total"])).encode())
    opps = list_all(server, "opportunities", tok)
    h.update(json.dumps(opps, sort_keys=True).encode())
    for o in opps[::97]:
        r = server.get("/api/v1/opportunities/%d/stages" % o["id"], tok)
        h.update(json.dumps(r.json, sort_keys=True).encode())
    return len(opps), h.hexdigest()


class Demo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp, cls.out = generate()
        cls.s = Server(tmp=cls.tmp, init=False)
        cls.admin = cls.s.login("admin@demo.funnel", PASSWORD)
        cls.manager = cls.s.login("manager@demo.funnel", PASSWORD)
        cls.rep = cls.s.login("rep@demo.funnel", PASSWORD)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def me(self, token):
        r = self.s.get("/api/v1/me", token)
        self.assertEqual(r.status, 200, r)
        return r.json.get("user", r.json)

    def test_summary_names_counts_and_logins(self):
        out = self.out.stdout
        self.assertIn("2000 opportunities", out)
        for login in ("admin@demo.funnel", "manager@demo.funnel", "rep@demo.funnel"):
            self.assertIn(login, out)
        self.assertIn(PASSWORD, out)

    def test_three_logins_with_their_roles(self):
        self.assertEqual(self.me(self.admin)["role"], "admin")
        self.assertEqual(self.me(self.manager)["role"], "manager")
        self.assertEqual(self.me(self.rep)["role"], "rep")
        r = self.s.post("/api/v1/auth/login", {"email": "rep@demo.funnel",
                                               "password": "wrong-password"})
        self.assertEqual(r.status, 401, r)

    def test_company_shape(self):
        teams = list_all(self.s, "teams", self.admin)
        names = {t["name"] for t in teams}
        self.assertTrue({"Sales", "EMEA", "Americas", "APAC", "EMEA Field"} <= names, names)
        users = list_all(self.s, "users", self.admin)
        reps = [u for u in users if u["role"] == "rep"]
        self.assertGreaterEqual(len(reps), 18)
        for u in reps:
            self.assertTrue(u["email"].endswith("@demo.funnel"), u)
            self.assertTrue(u["territory"] and u["channel"] and u["team_id"], u)
        self.assertEqual(len({u["email"] for u in users}), len(users))
        me = self.me(self.rep)
        r = self.s.get("/api/v1/users/%d/quotas" % me["id"], self.admin)
        self.assertEqual(r.status, 200, r)
        quotas = r.json["data"] if isinstance(r.json, dict) else r.json
        self.assertEqual(len(quotas), 10, quotas)
        self.assertTrue(all(q["currency"] == "EUR" for q in quotas), quotas)

    def test_rep_sees_only_own_opportunities(self):
        me = self.me(self.rep)
        mine = list_all(self.s, "opportunities", self.rep)
        self.assertGreater(len(mine), 20)
        self.assertTrue(all(o["owner_id"] == me["id"] for o in mine))
        statuses = {o["status"] for o in mine}
        self.assertEqual(statuses, {"open", "won", "lost"}, statuses)

    def test_manager_sees_the_team(self):
        me = self.me(self.manager)
        team = {u["id"] for u in list_all(self.s, "users", self.admin,
                                          "&team_id=%d" % me["team_id"])}
        self.assertIn(self.me(self.rep)["id"], team)
        seen = list_all(self.s, "opportunities", self.manager)
        owners = {o["owner_id"] for o in seen}
        self.assertTrue(owners <= team, owners - team)
        self.assertGreater(len(owners), 3)
        # ... and all of the team's deals, no fewer
        ids = ",".join(str(i) for i in sorted(team))
        r = self.s.get("/api/v1/opportunities?limit=1&total=true&owner_id=" + ids, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["total"], len(seen))
        everyone = self.s.get("/api/v1/opportunities?limit=1&total=true", self.admin)
        self.assertEqual(everyone.json["total"], 2000)
        self.assertLess(len(seen), 2000)

    def test_stage_history_is_complete_and_consistent(self):
        opps = list_all(self.s, "opportunities", self.admin)
        for o in opps[::40]:
            r = self.s.get("/api/v1/opportunities/%d/stages" % o["id"], self.admin)
            self.assertEqual(r.status, 200, r)
            rows = r.json["data"] if isinstance(r.json, dict) else r.json
            self.assertTrue(rows, o)
            self.assertEqual(rows[0]["entered_at"], o["created_at"], o)
            for a, b in zip(rows, rows[1:]):
                self.assertEqual(a["exited_at"], b["entered_at"], rows)
                self.assertLess(a["entered_at"], a["exited_at"], rows)
            last = rows[-1]
            self.assertIsNone(last["exited_at"], rows)
            self.assertEqual(last["stage"], o["stage"], (o, rows))
            self.assertEqual(last["entered_at"], o["stage_entered_at"], (o, rows))
            self.assertTrue(all(x["actor_id"] == o["owner_id"] for x in rows), rows)
            if o["status"] == "open":
                self.assertIsNone(o["closed_at"], o)
            else:
                self.assertTrue(o["closed_at"], o)
                self.assertEqual(o["close_date"], o["closed_at"][:10], o)
            if o["status"] == "lost":
                self.assertTrue(o["lost_reason"], o)

    def test_nothing_happens_after_today(self):
        opps = list_all(self.s, "opportunities", self.admin)
        self.assertTrue(all(o["created_at"] <= "2026-11-22T17:00:00Z" for o in opps))
        self.assertTrue(all(o["updated_at"] <= "2026-11-22T17:00:00Z" for o in opps))

    def test_close_date_slips_are_in_history(self):
        opps = list_all(self.s, "opportunities", self.admin)
        found = 0
        for o in opps[:300]:
            r = self.s.get("/api/v1/opportunities/%d/history" % o["id"], self.admin)
            self.assertEqual(r.status, 200, r)
            rows = r.json["data"] if isinstance(r.json, dict) else r.json
            slips = [h for h in rows if h.get("field") == "close_date"]
            if slips:
                found += 1
                self.assertEqual(slips[-1]["new"], o["close_date"], (o, slips))
        self.assertGreater(found, 30)

    def test_same_seed_same_company_other_seed_other(self):
        n1, fp1 = fingerprint(self.s)
        self.assertEqual(n1, 2000)
        for seed, same in (("42", True), ("7", False)):
            tmp, _ = generate(seed)
            other = Server(tmp=tmp, init=False)
            try:
                n2, fp2 = fingerprint(other)
            finally:
                other.close()
            self.assertEqual(n2, 2000)
            self.assertEqual(fp1 == fp2, same, seed)

    def test_leads_are_scored_by_a_model_that_learned(self):
        self.assertIn("lead scoring: model trained on", self.out.stdout)
        r = self.s.get("/api/v1/scoring/model", self.admin)
        self.assertEqual(r.status, 200, r)
        m = r.json["model"]
        self.assertIsNotNone(m)
        self.assertFalse(r.json["rescoring"])
        self.assertGreater(m["auc"]["held_out"], 0.65)
        self.assertTrue(0.15 < m["training"]["converted_share"] < 0.6, m["training"])
        top = list_all(self.s, "leads", self.admin, "&sort=-score")
        self.assertEqual([x["score"] for x in top], sorted((x["score"] for x in top),
                                                             reverse=True))
        self.assertGreater(len({x["tier"] for x in top}), 2)
        self.assertTrue(all(x["score_factors"] for x in top))
        converted = [x for x in top if x["converted_at"]]
        self.assertTrue(converted)
        self.assertTrue(all(x["converted_at"] <= "2026-11-22T17:00:00Z" for x in converted))
        # the leads carry engagement: activities on them
        r = self.s.get("/api/v1/activities?related_type=lead&limit=1&total=true", self.admin)
        self.assertGreater(r.json["total"], 100)

    def test_refuses_a_database_with_users(self):
        p = run(["demo", "--db", self.s.db, "--scale", "10"])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("already has", p.stderr)


class DemoUsage(unittest.TestCase):
    def test_bad_scales_are_usage_errors(self):
        tmp = tempfile.mkdtemp(prefix="funnel-demo-")
        try:
            db = os.path.join(tmp, "x.db")
            for scale in ("0", "-5", "abc", "12x", "1.5", "", "999999999999"):
                p = run(["demo", "--db", db, "--scale", scale])
                self.assertEqual(p.returncode, 2, (scale, p.stderr))
                self.assertFalse(os.path.exists(db), scale)
            p = run(["demo", "--db", db, "--seed", "nope"])
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertEqual(run(["demo", "--scale", "10"]).returncode, 2)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
