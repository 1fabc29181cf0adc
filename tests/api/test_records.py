"""Records: create, read, update, delete, history, stages, idempotency, lists
with keyset pagination and filters."""
import json
import unittest
import urllib.parse

from harness import ServerTest, org


class Crud(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.s.login()
        # stage moves here test the record engine, not the exit criteria
        r = cls.s.patch("/api/v1/pipelines/1", {"enforcement": "free"}, cls.admin)
        if r.status != 200:
            raise AssertionError("cannot relax the default pipeline: %r" % r)

    def test_create_answers_201_location_etag(self):
        r = self.s.post("/api/v1/accounts", {"name": "Acme", "employees": 50,
                                             "address": "1 Road\nTown"}, self.admin)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.header("Location"), "/api/v1/accounts/%d" % r.json["id"])
        self.assertEqual(r.header("ETag"), '"v1"')
        self.assertEqual(r.json["version"], 1)
        self.assertEqual(r.json["owner_id"], 1)  # defaults to the caller
        self.assertEqual(r.json["created_by"], 1)
        self.assertEqual(r.json["address"], "1 Road\nTown")
        g = self.s.get(r.header("Location"), self.admin)
        self.assertEqual(g.status, 200)
        self.assertEqual(g.header("ETag"), '"v1"')
        self.assertEqual(g.json, r.json)

    def test_patch_is_partial(self):
        a = self.s.create("accounts", {"name": "Partial", "industry": "Steel", "employees": 7,
                                       "phone": "+49 1"})
        path = "/api/v1/accounts/%d" % a["id"]
        r = self.s.patch(path, {"employees": 8}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("ETag"), '"v2"')
        want = dict(a, employees=8, version=2, updated_at=r.json["updated_at"])
        self.assertEqual(r.json, want)
        self.assertEqual(self.s.get(path, self.admin).json, want)
        # null clears one field and only that one
        r = self.s.patch(path, {"phone": None}, self.admin)
        self.assertEqual(r.json["phone"], None)
        self.assertEqual((r.json["industry"], r.json["employees"], r.json["version"]),
                         ("Steel", 8, 3))

    def test_if_match(self):
        a = self.s.create("accounts", {"name": "Guarded"})
        path = "/api/v1/accounts/%d" % a["id"]
        r = self.s.patch(path, {"name": "Guarded 2"}, self.admin, headers={"If-Match": '"v1"'})
        self.assertEqual(r.status, 200, r)
        # the old tag is now stale: 412 and nothing written
        r = self.s.patch(path, {"name": "Lost update"}, self.admin, headers={"If-Match": '"v1"'})
        self.assertProblem(r, 412)
        r = self.s.delete(path, self.admin, headers={"If-Match": '"v1"'})
        self.assertProblem(r, 412)
        g = self.s.get(path, self.admin)
        self.assertEqual((g.json["name"], g.json["version"]), ("Guarded 2", 2))
        h = self.s.get(path + "/history", self.admin).json["data"]
        self.assertEqual([x["action"] for x in h], ["create", "update"])
        # a weak tag and the current version work
        r = self.s.patch(path, {"name": "Guarded 3"}, self.admin, headers={"If-Match": 'W/"v2"'})
        self.assertEqual(r.status, 200, r)
        r = self.s.delete(path, self.admin, headers={"If-Match": '"v3"'})
        self.assertEqual(r.status, 204, r)
        self.assertProblem(self.s.get(path, self.admin), 404)
        self.assertProblem(self.s.delete(path, self.admin), 404)

    def test_no_change_keeps_version(self):
        a = self.s.create("accounts", {"name": "Still", "employees": 3})
        path = "/api/v1/accounts/%d" % a["id"]
        for body in ({}, {"name": "Still"}, {"employees": 3, "phone": None}):
            r = self.s.patch(path, body, self.admin)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["version"], 1)
            self.assertEqual(r.header("ETag"), '"v1"')
        self.assertEqual(len(self.s.get(path + "/history", self.admin).json["data"]), 1)
        # money given differently but equal is no change either
        o = self.s.create("opportunities", {"name": "Same", "account_id": a["id"],
                                            "close_date": "2026-12-01", "amount": "10.50"})
        r = self.s.patch("/api/v1/opportunities/%d" % o["id"], {"amount": 10.5}, self.admin)
        self.assertEqual(r.json["version"], 1, r)

    def test_delete_account_with_contacts_is_409(self):
        a = self.s.create("accounts", {"name": "Has people"})
        c = self.s.create("contacts", {"account_id": a["id"], "last_name": "Person"})
        path = "/api/v1/accounts/%d" % a["id"]
        self.assertProblem(self.s.delete(path, self.admin), 409)
        self.assertEqual(self.s.get(path, self.admin).status, 200)
        h = self.s.get(path + "/history", self.admin).json["data"]
        self.assertEqual([x["action"] for x in h], ["create"])
        o = self.s.create("opportunities", {"name": "Deal", "account_id": a["id"],
                                            "close_date": "2026-12-01"})
        self.assertEqual(self.s.delete("/api/v1/contacts/%d" % c["id"], self.admin).status, 204)
        self.assertProblem(self.s.delete(path, self.admin), 409)  # still the deal
        self.assertEqual(self.s.delete("/api/v1/opportunities/%d" % o["id"],
                                       self.admin).status, 204)
        self.assertEqual(self.s.delete(path, self.admin).status, 204)
        # gone: its history goes with it from the API
        self.assertProblem(self.s.get(path + "/history", self.admin), 404)

    def test_ids_of_deleted_records_are_not_reused(self):
        a = self.s.create("accounts", {"name": "Short-lived"})
        self.s.patch("/api/v1/accounts/%d" % a["id"], {"industry": "Gone"}, self.admin)
        o = self.s.create("opportunities", {"name": "Doomed", "account_id": a["id"],
                                            "close_date": "2026-12-01"})
        act = self.s.create("activities", {"type": "call", "subject": "About the doomed deal",
                                           "related_type": "opportunity",
                                           "related_id": o["id"]})
        self.assertEqual(self.s.delete("/api/v1/opportunities/%d" % o["id"],
                                       self.admin).status, 204)
        self.assertEqual(self.s.delete("/api/v1/accounts/%d" % a["id"], self.admin).status, 204)
        b = self.s.create("accounts", {"name": "Newcomer"})
        self.assertGreater(b["id"], a["id"])
        h = self.s.get("/api/v1/accounts/%d/history" % b["id"], self.admin).json["data"]
        self.assertEqual([x["action"] for x in h], ["create"])
        o2 = self.s.create("opportunities", {"name": "Fresh", "account_id": b["id"],
                                             "close_date": "2026-12-01"})
        self.assertGreater(o2["id"], o["id"])
        # the activity about the deleted deal did not pass to the new one
        r = self.s.get("/api/v1/activities?related_type=opportunity&related_id=%d" % o2["id"],
                       self.admin)
        self.assertNotIn(act["id"], [x["id"] for x in r.json["data"]])
        self.assertEqual(self.s.get("/api/v1/opportunities/%d/history" % o2["id"],
                                    self.admin).json["data"][0]["action"], "create")

    def test_history(self):
        org_ = org(self.s)
        mgr = org_["mgr_east"]
        a = self.s.create("accounts", {"name": "Hist", "employees": 1})
        path = "/api/v1/accounts/%d" % a["id"]
        self.s.patch(path, {"employees": 2, "industry": "Food"}, self.admin)
        self.s.patch(path, {"owner_id": org_["rep_e1"]["id"]}, self.admin)
        r = self.s.patch(path, {"name": "Hist 2", "employees": None}, mgr["token"])
        self.assertEqual(r.status, 200, r)
        h = self.s.get(path + "/history", self.admin)
        self.assertEqual(h.status, 200)
        rows = h.json["data"]
        self.assertEqual(rows[0]["action"], "create")
        self.assertEqual(rows[0]["actor_id"], 1)
        changes = [(x["action"], x["field"], x["old"], x["new"], x["actor_id"]) for x in rows[1:]]
        self.assertEqual(sorted(changes[:2]), [("update", "employees", "1", "2", 1),
                                               ("update", "industry", None, "Food", 1)])
        self.assertEqual(changes[2], ("update", "owner_id", "1", str(org_["rep_e1"]["id"]), 1))
        self.assertEqual(sorted(changes[3:]), [
            ("update", "employees", "2", None, mgr["id"]),
            ("update", "name", "Hist", "Hist 2", mgr["id"])])
        self.assertEqual(rows[-1]["actor_name"], "mgr_east")
        for x in rows:
            self.assertRegex(x["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        # a password change is logged without its values
        uid = org_["rep_w"]["id"]
        r = self.s.patch("/api/v1/users/%d" % uid, {"password": "another long one"}, self.admin)
        self.assertEqual(r.status, 200, r)
        h = self.s.get("/api/v1/users/%d/history" % uid, self.admin)
        self.assertNotIn("another long one", h.raw)
        self.assertNotIn("argon2", h.raw)
        pw = [x for x in h.json["data"] if x.get("field") == "password_hash"]
        self.assertEqual(len(pw), 1)
        self.assertEqual((pw[0]["old"], pw[0]["new"]), (None, None))

    def test_opportunity_stages(self):
        a = self.s.create("accounts", {"name": "Staged"})
        o = self.s.create("opportunities", {"name": "Big", "account_id": a["id"],
                                            "close_date": "2026-12-15", "amount": "5000"})
        self.assertEqual((o["stage"], o["status"], o["probability"], o["forecast_category"]),
                         ("prequalification", "open", 10, "pipeline"))
        self.assertIsNone(o["closed_at"])
        self.assertIn('"amount":5000.00,', self.s.get("/api/v1/opportunities/%d" % o["id"],
                                                      self.admin).raw)
        path = "/api/v1/opportunities/%d" % o["id"]
        r = self.s.patch(path, {"stage": "proposal"}, self.admin)
        self.assertEqual((r.json["stage"], r.json["status"], r.json["probability"],
                          r.json["forecast_category"]), ("proposal", "open", 60, "best_case"))
        self.assertIsNone(r.json["closed_at"])
        r = self.s.patch(path, {"stage": "negotiation", "probability": 80}, self.admin)
        self.assertEqual((r.json["probability"], r.json["forecast_category"]), (80, "commit"))
        r = self.s.patch(path, {"stage": "conversion"}, self.admin)
        self.assertEqual((r.json["stage"], r.json["status"], r.json["probability"],
                          r.json["forecast_category"]), ("conversion", "won", 100, "closed"))
        self.assertTrue(r.json["closed_at"])
        self.assertEqual(r.json["stage_entered_at"], r.json["closed_at"])
        st = self.s.get(path + "/stages", self.admin)
        self.assertEqual(st.status, 200)
        rows = st.json["data"]
        self.assertEqual([x["stage"] for x in rows],
                         ["prequalification", "proposal", "negotiation", "conversion"])
        for prev, nxt in zip(rows, rows[1:]):
            self.assertEqual(prev["exited_at"], nxt["entered_at"])
        self.assertIsNone(rows[-1]["exited_at"])
        self.assertEqual({x["actor_id"] for x in rows}, {1})
        # status contradicting the stage is refused
        r = self.s.patch(path, {"stage": "proposal", "status": "won"}, self.admin)
        self.assertProblem(r, 400, "status")
        # status alone: lost goes to the lost stage
        r = self.s.patch(path, {"status": "lost", "lost_reason": "price"}, self.admin)
        self.assertEqual((r.json["stage"], r.json["status"], r.json["probability"]),
                         ("lost", "lost", 0))
        # reopening needs an open stage, and clears closed_at
        self.assertProblem(self.s.patch(path, {"status": "open"}, self.admin), 400, "status")
        r = self.s.patch(path, {"stage": "qualification"}, self.admin)
        self.assertEqual((r.json["status"], r.json["closed_at"]), ("open", None))
        self.assertEqual(len(self.s.get(path + "/stages", self.admin).json["data"]), 6)
        # a change that does not touch the stage writes no stage history
        self.s.patch(path, {"amount": "6000"}, self.admin)
        self.assertEqual(len(self.s.get(path + "/stages", self.admin).json["data"]), 6)
        self.assertProblem(self.s.patch(path, {"stage": "nowhere"}, self.admin), 400, "stage")

    def test_contact_must_work_for_the_account(self):
        a = self.s.create("accounts", {"name": "A1"})
        b = self.s.create("accounts", {"name": "B1"})
        c = self.s.create("contacts", {"account_id": b["id"], "last_name": "Elsewhere"})
        r = self.s.post("/api/v1/opportunities", {"name": "X", "account_id": a["id"],
                                                  "contact_id": c["id"],
                                                  "close_date": "2026-12-01"}, self.admin)
        self.assertProblem(r, 400, "contact_id")


class Idempotency(ServerTest):
    def test_retry_replays_and_creates_once(self):
        admin = self.s.login()
        body = {"name": "Once Ltd"}
        h = {"Idempotency-Key": "k-123"}
        r1 = self.s.post("/api/v1/accounts", body, admin, headers=h)
        self.assertEqual(r1.status, 201, r1)
        r2 = self.s.post("/api/v1/accounts", body, admin, headers=h)
        self.assertEqual(r2.status, 201, r2)
        self.assertEqual(r2.raw, r1.raw)
        self.assertEqual(r2.header("Location"), r1.header("Location"))
        self.assertEqual(r2.header("ETag"), r1.header("ETag"))
        self.assertEqual(r2.header("Idempotent-Replayed"), "true")
        lst = self.s.get("/api/v1/accounts?q=Once&total=true", admin)
        self.assertEqual(lst.json["total"], 1, lst)
        # the same key with another body
        r3 = self.s.post("/api/v1/accounts", {"name": "Twice Ltd"}, admin, headers=h)
        self.assertProblem(r3, 409)
        self.assertEqual(self.s.get("/api/v1/accounts?q=Twice&total=true", admin).json["total"],
                         0)
        # the same key on another resource is another request too
        r4 = self.s.post("/api/v1/leads", body, admin, headers=h)
        self.assertProblem(r4, 409)
        # a failed create is not remembered: fixing the body under the key works
        k2 = {"Idempotency-Key": "k-456"}
        self.assertProblem(self.s.post("/api/v1/accounts", {"name": ""}, admin, headers=k2), 400)
        r5 = self.s.post("/api/v1/accounts", {"name": "Fixed"}, admin, headers=k2)
        self.assertEqual(r5.status, 201, r5)
        # keys are per user
        self.s.create("users", {"email": "u2@test.funnel", "name": "U2", "role": "rep",
                                "password": "a long password"}, admin)
        other = self.s.login("u2@test.funnel", "a long password")
        r6 = self.s.post("/api/v1/accounts", body, other, headers=h)
        self.assertEqual(r6.status, 201, r6)
        self.assertNotEqual(r6.json["id"], r1.json["id"])
        self.assertProblem(self.s.post("/api/v1/accounts", body, admin,
                                       headers={"Idempotency-Key": ""}), 400)
        self.assertProblem(self.s.post("/api/v1/accounts", body, admin,
                                       headers={"Idempotency-Key": "x" * 201}), 400)

    def test_concurrent_retries_create_once(self):
        import threading
        admin = self.s.login()
        results = []

        def go():
            results.append(self.s.post("/api/v1/leads", {"last_name": "Racer"}, admin,
                                       headers={"Idempotency-Key": "race-1"}))
        ts = [threading.Thread(target=go) for _ in range(6)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual({r.status for r in results}, {201}, results)
        self.assertEqual(len({r.json["id"] for r in results}), 1)
        lst = self.s.get("/api/v1/leads?q=Racer&total=true", admin)
        self.assertEqual(lst.json["total"], 1)


class Lists(ServerTest):
    N = 123

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        cls.admin = s.login()
        cls.o = org(s)
        acc = s.create("accounts", {"name": "Listed"})["id"]
        stages = ["prequalification", "qualification", "proposal", "negotiation", "conversion",
                  "lost"]
        owners = [cls.o[k]["id"] for k in ("rep_e1", "rep_e1b", "rep_w")]
        cls.opps = []
        for i in range(cls.N):
            body = {"name": "Deal %02d" % (i % 40),       # names repeat: ties break on id
                    "account_id": acc,
                    "close_date": "2026-%02d-%02d" % (1 + i % 12, 1 + (i * 7) % 28),
                    "stage": stages[i % len(stages)],
                    "amount": "%d.%02d" % (i * 10, i % 100),
                    "owner_id": owners[i % 3]}
            cls.opps.append(s.create("opportunities", body, cls.admin))

    def pages(self, query, tok=None, limit=50):
        out, cursor, n = [], None, 0
        while True:
            q = "/api/v1/opportunities?limit=%d" % limit + ("&" + query if query else "")
            if cursor:
                q += "&cursor=" + cursor
            r = self.s.get(q, tok or self.admin)
            self.assertEqual(r.status, 200, r)
            self.assertLessEqual(len(r.json["data"]), limit)
            out += r.json["data"]
            n += 1
            cursor = r.json["next_cursor"]
            if not cursor:
                return out, n
            self.assertEqual(len(r.json["data"]), limit)

    def check(self, query, key, reverse=False, want=None):
        want = want if want is not None else self.opps
        got, n = self.pages(query)
        exp = sorted(want, key=key, reverse=reverse)
        self.assertEqual([x["id"] for x in got], [x["id"] for x in exp], query)
        self.assertEqual(len({x["id"] for x in got}), len(want))
        self.assertEqual(n, max(1, -(-len(want) // 50)))

    def test_sort_id(self):
        self.check("sort=id", lambda x: x["id"])
        self.check("", lambda x: x["id"])
        self.check("sort=-id", lambda x: x["id"], reverse=True)

    def test_sort_name_desc(self):
        self.check("sort=-name", lambda x: (x["name"], x["id"]), reverse=True)
        self.check("sort=name", lambda x: (x["name"], x["id"]))

    def test_sort_close_date(self):
        self.check("sort=close_date", lambda x: (x["close_date"], x["id"]))
        self.check("sort=-close_date", lambda x: (x["close_date"], x["id"]), reverse=True)

    def test_sort_amount(self):
        self.check("sort=amount", lambda x: (x["amount"], x["id"]))
        self.check("sort=-amount", lambda x: (x["amount"], x["id"]), reverse=True)

    def test_exact_page_boundary(self):
        """When the rows end exactly at a page's end there is no empty extra page."""
        want = [x for x in self.opps if x["stage"] == "proposal"]
        got, n = self.pages("stage=proposal", limit=len(want))
        self.assertEqual(len(got), len(want))
        self.assertEqual(n, 1)
        got, n = self.pages("stage=proposal", limit=1)
        self.assertEqual([x["id"] for x in got], [x["id"] for x in want])
        self.assertEqual(n, len(want))

    def test_filters_and_total(self):
        def count(q):
            r = self.s.get("/api/v1/opportunities?total=true&limit=1&" + q, self.admin)
            self.assertEqual(r.status, 200, r)
            return r.json["total"]
        self.assertEqual(count(""), self.N)
        stage_ab = [x for x in self.opps if x["stage"] in ("proposal", "lost")]
        self.assertEqual(count("stage=proposal,lost"), len(stage_ab))
        self.check("stage=proposal,lost", lambda x: x["id"], want=stage_ab)
        rng = [x for x in self.opps if "2026-03-01" <= x["close_date"] <= "2026-05-31"]
        self.assertEqual(count("close_date_from=2026-03-01&close_date_to=2026-05-31"), len(rng))
        self.check("close_date_from=2026-03-01&close_date_to=2026-05-31&sort=-close_date",
                   lambda x: (x["close_date"], x["id"]), reverse=True, want=rng)
        rep = self.o["rep_e1"]["id"]
        mine = [x for x in self.opps if x["owner_id"] == rep]
        self.assertEqual(count("owner_id=%d" % rep), len(mine))
        self.check("owner_id=%d&sort=name" % rep, lambda x: (x["name"], x["id"]), want=mine)
        both = [x for x in mine if x["stage"] in ("proposal", "lost")
                and x["close_date"] >= "2026-06-01"]
        self.assertEqual(count("owner_id=%d&stage=lost,proposal&close_date_from=2026-06-01"
                               % rep), len(both))
        won = [x for x in self.opps if x["status"] == "won"]
        self.assertEqual(count("status=won"), len(won))
        self.assertEqual(len(won), len([x for x in self.opps if x["stage"] == "conversion"]))
        self.assertEqual(count("stage=nothing"), 0)
        # totals and rows respect visibility
        r = self.s.get("/api/v1/opportunities?total=true&limit=200", self.o["rep_e1"]["token"])
        self.assertEqual(r.json["total"], len(mine))
        self.assertEqual({x["id"] for x in r.json["data"]}, {x["id"] for x in mine})
        mgr = self.o["mgr_east"]["token"]
        east = {self.o["rep_e1"]["id"], self.o["rep_e1b"]["id"]}
        self.assertEqual(self.s.get("/api/v1/opportunities?total=true&limit=1",
                                    mgr).json["total"],
                         len([x for x in self.opps if x["owner_id"] in east]))
        # amount range in major units
        cheap = [x for x in self.opps if float(x["amount"]) <= 100]
        self.assertEqual(count("amount_to=100"), len(cheap))
        # search
        self.assertEqual(count("q=Deal%2007"), len([x for x in self.opps
                                                    if x["name"] == "Deal 07"]))
        self.assertEqual(count("q=%25"), 0)  # a literal %, not a wildcard


class SetOrEmpty(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.s.login()

    def test_set_or_empty(self):
        """?field_set=true|false: the field is set, or empty — on filterable fields
        that may be empty; a field that is never empty has no such filter."""
        acc = self.s.create("accounts", {"name": "Set or empty"})["id"]
        con = self.s.create("contacts", {"account_id": acc, "last_name": "Someone"})["id"]
        with_contact = self.s.create("opportunities", {
            "name": "With contact", "account_id": acc, "contact_id": con,
            "close_date": "2026-12-01"})["id"]
        without = self.s.create("opportunities", {
            "name": "Without contact", "account_id": acc, "close_date": "2026-12-01"})["id"]

        def ids(q):
            r = self.s.get("/api/v1/opportunities?limit=200&account_id=%d&%s" % (acc, q),
                           self.admin)
            self.assertEqual(r.status, 200, r)
            return [x["id"] for x in r.json["data"]]
        self.assertEqual(ids("contact_id_set=true"), [with_contact])
        self.assertEqual(ids("contact_id_set=false"), [without])
        self.assertEqual(ids("contact_id_set=false&sort=-name"), [without])
        self.assertProblem(self.s.get("/api/v1/opportunities?contact_id_set=maybe",
                                      self.admin), 400, "contact_id_set")
        # never empty (status), required (account_id), not a filter (notes): unknown
        for bad in ("status_set=false", "account_id_set=true", "colour_set=true", "_set=true"):
            r = self.s.get("/api/v1/opportunities?" + bad, self.admin)
            self.assertProblem(r, 400, bad.split("=")[0])
        # leads not converted
        lead = self.s.create("leads", {"last_name": "Unconverted", "company": "Set Co"})
        done = self.s.create("leads", {"last_name": "Converted", "company": "Set Co"})
        r = self.s.post("/api/v1/leads/%d/convert" % done["id"], {}, self.admin)
        self.assertEqual(r.status, 201, r)
        r = self.s.get("/api/v1/leads?company=Set%20Co&converted_at_set=false", self.admin)
        self.assertEqual([x["id"] for x in r.json["data"]], [lead["id"]])
        r = self.s.get("/api/v1/leads?company=Set%20Co&converted_at_set=true", self.admin)
        self.assertEqual([x["id"] for x in r.json["data"]], [done["id"]])


if __name__ == "__main__":
    unittest.main()


class Search(ServerTest):
    """?q= on the big lists goes through a trigram index from 3 characters on:
    the same answers as a substring search — in any searchable field, either
    case, kept current on create, update and delete."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.s.login()

    def ids(self, resource, q):
        r = self.s.get("/api/v1/%s?limit=200&q=%s" % (resource, urllib.parse.quote(q)),
                       self.admin)
        self.assertEqual(r.status, 200, r)
        return sorted(x["id"] for x in r.json["data"])

    def test_search(self):
        a = self.s.create("accounts", {"name": "Müller Rocket Works", "domain": "rockets.example"})
        b = self.s.create("accounts", {"name": "Blue \"Quote\" Ltd", "domain": "blue.example"})
        self.assertEqual(self.ids("accounts", "ocket"), [a["id"]])        # inside a word
        self.assertEqual(self.ids("accounts", "ROCKET w"), [a["id"]])     # either case, a space
        self.assertEqual(self.ids("accounts", "müller"), [a["id"]])
        self.assertEqual(self.ids("accounts", "ets.exam"), [a["id"]])     # the domain too
        self.assertEqual(self.ids("accounts", '"Quote"'), [b["id"]])      # quotes are text
        self.assertEqual(self.ids("accounts", "example"), sorted([a["id"], b["id"]]))
        self.assertEqual(self.ids("accounts", "Rocket Wonders"), [])
        self.assertEqual(self.ids("accounts", "ue"), [b["id"]])           # short: LIKE
        self.assertEqual(self.ids("accounts", "%"), [])
        # kept current
        r = self.s.patch("/api/v1/accounts/%d" % a["id"], {"name": "Orbital Works"}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.ids("accounts", "ocket w"), [])
        self.assertEqual(self.ids("accounts", "orbital"), [a["id"]])
        self.assertEqual(self.ids("accounts", "rockets.example"), [a["id"]])  # domain unchanged
        self.assertEqual(self.s.delete("/api/v1/accounts/%d" % b["id"], self.admin).status, 204)
        self.assertEqual(self.ids("accounts", "example"), [a["id"]])
        # the other lists: contacts, leads, opportunities
        c = self.s.create("contacts", {"account_id": a["id"], "first_name": "Ada",
                                       "last_name": "Lovelace", "email": "ada@engines.example"})
        self.assertEqual(self.ids("contacts", "lovel"), [c["id"]])
        self.assertEqual(self.ids("contacts", "engines"), [c["id"]])
        lead = self.s.create("leads", {"last_name": "Babbage", "company": "Difference Engines"})
        self.assertEqual(self.ids("leads", "erence eng"), [lead["id"]])
        o = self.s.create("opportunities", {"name": "Analytical engine", "account_id": a["id"],
                                            "close_date": "2026-12-01"})
        self.assertEqual(self.ids("opportunities", "lytical"), [o["id"]])
        # search and visibility together: a rep finds only their own
        o2 = org(self.s)
        rep = o2["rep_e1"]["token"]
        mine = self.s.create("leads", {"last_name": "Engine Rep"}, rep)
        r = self.s.get("/api/v1/leads?q=engine&limit=200", rep)
        self.assertEqual([x["id"] for x in r.json["data"]], [mine["id"]])
        r = self.s.get("/api/v1/leads?q=engine&total=true&limit=1", self.admin)
        self.assertEqual(r.json["total"], 2)
