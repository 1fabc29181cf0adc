"""Handover when a salesperson leaves (src/crm/handover/handover.h, docs/handover.md).

One company (below), one leaver with records in every part of the funnel:
the plan by section (owners, actions, task owners, due-date order), the
automatic successor (territory, channel, load, nearest team up), a named
successor, editing items and re-planning, execution (owners, tasks, the leaver
disabled, audit, counts), its refusals (second execute, records outside the
plan), atomicity, visibility, and `funnel handover` end to end.

    Sales ─┬─ East ─┬─ East-1   ann (leaver: North, field), bob (North, inside),
           │        │           cid (South, field)
           │        ├─ East-2   lv2 (Coast, partner), p1, p2 (Inland, partner), p3 (Inland, web)
           │        └─ East-3   lv3 (alone)
           │        East: mgr_east (manager; ann's manager_id), eve (rep)
           └─ West              mgr_west (manager), dee (rep)
"""
import os
import subprocess

from harness import ADMIN_EMAIL, PASSWORD, Server, ServerTest, run
from test_openapi import conform


def mkteam(s, admin, name, parent=None):
    body = {"name": name}
    if parent:
        body["parent_id"] = parent
    return s.create("teams", body, admin)["id"]


def mkuser(s, admin, name, role, team, **kw):
    body = {"email": name + "@test.funnel", "name": name, "role": role, "team_id": team,
            "password": PASSWORD}
    body.update(kw)
    u = s.create("users", body, admin)
    return {"id": u["id"], "email": body["email"]}


def items(plan, section=None):
    secs = [section] if section else ["lower", "middle", "upper", "other"]
    return [i for sec in secs for i in plan["sections"][sec]]


def item_for(plan, resource, record_id):
    for i in items(plan):
        if i["resource"] == resource and i["record_id"] == record_id:
            return i
    raise AssertionError("no item for %s %d" % (resource, record_id))


def company(s):
    """The company above, with ann's records; returns a dict of ids."""
    admin = s.login()
    r = s.patch("/api/v1/pipelines/1", {"enforcement": "free"}, admin)
    assert r.status == 200, r
    t = {}
    t["sales"] = mkteam(s, admin, "Sales")
    t["east"] = mkteam(s, admin, "East", t["sales"])
    t["east1"] = mkteam(s, admin, "East-1", t["east"])
    t["west"] = mkteam(s, admin, "West", t["sales"])
    u = {"admin": {"id": 1, "email": ADMIN_EMAIL}}
    u["mgr_east"] = mkuser(s, admin, "mgr_east", "manager", t["east"])
    u["mgr_west"] = mkuser(s, admin, "mgr_west", "manager", t["west"])
    u["ann"] = mkuser(s, admin, "ann", "rep", t["east1"], territory="North", channel="field",
                      manager_id=u["mgr_east"]["id"])
    u["bob"] = mkuser(s, admin, "bob", "rep", t["east1"], territory="North", channel="inside")
    u["cid"] = mkuser(s, admin, "cid", "rep", t["east1"], territory="South", channel="field")
    u["eve"] = mkuser(s, admin, "eve", "rep", t["east"], territory="North", channel="field")
    u["dee"] = mkuser(s, admin, "dee", "rep", t["west"], territory="North", channel="field")
    ann = u["ann"]["id"]

    def acct(name, owner):
        return s.create("accounts", {"name": name, "owner_id": owner}, admin)["id"]

    def deal(name, account, stage, owner, amount="1000"):
        return s.create("opportunities", {"name": name, "account_id": account, "stage": stage,
                                          "owner_id": owner, "amount": amount,
                                          "close_date": "2026-12-31"}, admin)["id"]

    r = {"users": u, "teams": t}
    r["acme"] = acct("Acme", ann)
    r["beta"] = acct("Beta", ann)
    r["gamma"] = acct("Gamma", u["bob"]["id"])
    r["delta"] = acct("Delta", ann)
    r["eps"] = acct("Eps", ann)
    r["alice"] = s.create("contacts", {"account_id": r["acme"], "last_name": "Alice",
                                       "owner_id": ann}, admin)["id"]
    r["lower"] = deal("Acme rollout", r["acme"], "negotiation", ann)
    r["acme_small"] = deal("Acme extra", r["acme"], "prequalification", ann)
    r["middle"] = deal("Beta licences", r["beta"], "proposal", ann)
    r["upper"] = deal("Gamma pilot", r["gamma"], "qualification", ann)
    r["eps_deal"] = deal("Eps service", r["eps"], "presentation", u["cid"]["id"])
    r["won"] = deal("Acme won", r["acme"], "conversion", ann)
    r["lead"] = s.create("leads", {"last_name": "Lee", "company": "LeeCo", "owner_id": ann},
                         admin)["id"]
    r["dq_lead"] = s.create("leads", {"last_name": "Gone", "status": "disqualified",
                                      "owner_id": ann}, admin)["id"]
    r["act_deal"] = s.create("activities", {"type": "call", "subject": "Call Acme",
                                            "related_type": "opportunity",
                                            "related_id": r["lower"], "owner_id": ann},
                             admin)["id"]
    r["act_delta"] = s.create("activities", {"type": "task", "subject": "Delta follow-up",
                                             "related_type": "account", "related_id": r["delta"],
                                             "owner_id": ann}, admin)["id"]
    r["act_free"] = s.create("activities", {"type": "note", "subject": "Loose end",
                                            "owner_id": ann}, admin)["id"]
    r["act_done"] = s.create("activities", {"type": "call", "subject": "Done already",
                                            "done_at": "2026-01-05T10:00:00Z",
                                            "owner_id": ann}, admin)["id"]
    for name in ("mgr_east", "mgr_west", "ann", "bob"):
        u[name]["token"] = s.login(u[name]["email"])
    return r


class Plan(ServerTest):
    """The plan: what is in it, by section, and that nothing changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = company(cls.s)
        cls.u = cls.c["users"]
        r = cls.s.post("/api/v1/handovers", {"from_user": cls.u["ann"]["email"],
                                             "note": "leaves on Friday"},
                       cls.u["mgr_east"]["token"])
        assert r.status == 201, r
        cls.resp = r
        cls.plan = r.json

    def test_created_as_a_draft_with_location(self):
        self.assertEqual(self.resp.header("Location"), "/api/v1/handovers/%d" % self.plan["id"])
        self.assertEqual(self.plan["status"], "draft")
        self.assertEqual(self.plan["from_user"]["id"], self.u["ann"]["id"])
        self.assertEqual(self.plan["manager"]["id"], self.u["mgr_east"]["id"])
        self.assertIn("manager", self.plan["manager_reason"])
        self.assertEqual(self.plan["note"], "leaves on Friday")
        self.assertEqual(self.plan["counts"]["before"], [])
        self.assertEqual([h["action"] for h in self.plan["history"]], ["create"])

    def test_answer_matches_its_schema(self):
        doc = self.s.get("/api/v1/openapi.json").json
        schema = doc["components"]["schemas"]["Handover"]
        self.assertEqual(conform(doc, self.plan, schema), [])
        lst = self.s.get("/api/v1/handovers", self.u["mgr_east"]["token"])
        self.assertEqual(lst.status, 200)
        self.assertEqual(conform(doc, lst.json, doc["components"]["schemas"]["HandoverList"]),
                         [])

    def test_lower_funnel_goes_to_the_manager_with_a_task(self):
        it = item_for(self.plan, "opportunities", self.c["lower"])
        mgr = self.u["mgr_east"]["id"]
        self.assertEqual((it["section"], it["action"], it["new_owner_id"], it["task_owner_id"]),
                         ("lower", "manager_takes_over", mgr, mgr))
        self.assertIn("personally", it["task_subject"])
        self.assertIn("Acme", it["task_subject"])

    def test_middle_funnel_is_introduced_by_the_leaver(self):
        it = item_for(self.plan, "opportunities", self.c["middle"])
        self.assertEqual((it["section"], it["action"], it["new_owner_id"], it["task_owner_id"]),
                         ("middle", "introduce_successor", self.u["bob"]["id"],
                          self.u["ann"]["id"]))
        self.assertIn("bob", it["task_subject"])
        self.assertIn("next meeting", it["task_subject"])

    def test_upper_funnel_and_leads_go_to_the_successor(self):
        bob = self.u["bob"]["id"]
        for res, rid in (("opportunities", self.c["upper"]),
                         ("opportunities", self.c["acme_small"]), ("leads", self.c["lead"])):
            it = item_for(self.plan, res, rid)
            self.assertEqual((it["section"], it["action"], it["new_owner_id"],
                              it["task_owner_id"]),
                             ("upper", "successor_contacts", bob, bob), (res, rid))

    def test_due_dates_lower_then_middle_then_upper(self):
        due = {sec: {i["task_due_at"] for i in items(self.plan, sec) if i["task_subject"]}
               for sec in ("lower", "middle", "upper")}
        self.assertTrue(all(due.values()), due)
        self.assertLess(max(due["lower"]), min(due["middle"]))
        self.assertLess(max(due["middle"]), min(due["upper"]))

    def test_accounts_and_contacts_go_with_their_most_advanced_deal(self):
        mgr, bob, cid = (self.u[n]["id"] for n in ("mgr_east", "bob", "cid"))
        # Acme has a lower and an upper deal: it goes with the lower one
        for res, rid in (("accounts", self.c["acme"]), ("contacts", self.c["alice"])):
            it = item_for(self.plan, res, rid)
            self.assertEqual((it["section"], it["action"], it["new_owner_id"],
                              it["follows_resource"], it["follows_id"]),
                             ("lower", "follow_deal", mgr, "opportunities", self.c["lower"]))
            self.assertIsNone(it["task_subject"])
        self.assertEqual(item_for(self.plan, "accounts", self.c["beta"])["new_owner_id"], bob)
        # another rep's deal keeps the client with that rep
        it = item_for(self.plan, "accounts", self.c["eps"])
        self.assertEqual((it["action"], it["new_owner_id"]), ("follow_deal", cid))
        # no deal: the successor
        it = item_for(self.plan, "accounts", self.c["delta"])
        self.assertEqual((it["section"], it["action"], it["new_owner_id"]),
                         ("other", "to_successor", bob))

    def test_pending_activities_follow_their_record(self):
        it = item_for(self.plan, "activities", self.c["act_deal"])
        self.assertEqual((it["section"], it["action"], it["new_owner_id"]),
                         ("lower", "follow_record", self.u["mgr_east"]["id"]))
        it = item_for(self.plan, "activities", self.c["act_delta"])
        self.assertEqual((it["action"], it["new_owner_id"], it["follows_id"]),
                         ("follow_record", self.u["bob"]["id"], self.c["delta"]))
        it = item_for(self.plan, "activities", self.c["act_free"])
        self.assertEqual((it["action"], it["new_owner_id"]), ("to_successor",
                                                               self.u["bob"]["id"]))

    def test_only_open_records_of_the_leaver(self):
        got = {(i["resource"], i["record_id"]) for i in items(self.plan)}
        for res, key in (("opportunities", "won"), ("leads", "dq_lead"),
                         ("activities", "act_done"), ("accounts", "gamma"),
                         ("opportunities", "eps_deal")):
            self.assertNotIn((res, self.c[key]), got, key)
        self.assertEqual(self.plan["counts"]["planned"]["by_resource"],
                         {"opportunities": 4, "leads": 1, "accounts": 4, "contacts": 1,
                          "activities": 3})
        self.assertEqual(sum(self.plan["counts"]["planned"]["by_section"].values()), 13)

    def test_nothing_changes_yet(self):
        admin = self.s.login()
        r = self.s.get("/api/v1/opportunities/%d" % self.c["lower"], admin)
        self.assertEqual(r.json["owner_id"], self.u["ann"]["id"])
        r = self.s.get("/api/v1/users/%d" % self.u["ann"]["id"], admin)
        self.assertTrue(r.json["active"])
        r = self.s.get("/api/v1/activities?owner_id=%d" % self.u["mgr_east"]["id"], admin)
        self.assertEqual(r.json["data"], [])

    def test_automatic_successor_prefers_territory(self):
        ch = self.plan["successor_choice"]
        self.assertTrue(ch["automatic"])
        # bob shares ann's territory; cid only her channel; eve is a team up
        self.assertEqual(self.plan["successor"]["id"], self.u["bob"]["id"])
        self.assertIn("same territory", ch["reason"])
        self.assertIn("open opportunities", ch["load_measure"])

    def test_a_second_draft_for_the_same_leaver_is_refused(self):
        r = self.s.post("/api/v1/handovers", {"from_user": self.u["ann"]["id"]},
                        self.u["mgr_east"]["token"])
        self.assertProblem(r, 409)
        self.assertIn(str(self.plan["id"]), r.json["detail"])


class Successor(ServerTest):
    """Automatic choice by channel and load, nearest team up, named ones."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = company(cls.s)
        s, admin, u, t = cls.s, cls.s.login(), cls.c["users"], cls.c["teams"]
        t["east2"] = mkteam(s, admin, "East-2", t["east"])
        t["east3"] = mkteam(s, admin, "East-3", t["east"])
        u["lv2"] = mkuser(s, admin, "lv2", "rep", t["east2"], territory="Coast", channel="partner")
        u["p1"] = mkuser(s, admin, "p1", "rep", t["east2"], territory="Inland", channel="partner")
        u["p2"] = mkuser(s, admin, "p2", "rep", t["east2"], territory="Inland", channel="partner")
        u["p3"] = mkuser(s, admin, "p3", "rep", t["east2"], territory="Inland", channel="web")
        u["lv3"] = mkuser(s, admin, "lv3", "rep", t["east3"])
        acct = s.create("accounts", {"name": "Load"}, admin)["id"]
        for owner, n in (("p1", 2), ("p2", 1)):
            for k in range(n):
                s.create("opportunities", {"name": "load %s %d" % (owner, k), "account_id": acct,
                                           "owner_id": u[owner]["id"], "amount": "10",
                                           "close_date": "2026-12-31"}, admin)
        cls.mgr = u["mgr_east"]["token"]

    def plan(self, body, status=201):
        r = self.s.post("/api/v1/handovers", body, self.mgr)
        self.assertEqual(r.status, status, r)
        if status == 201:
            self.addCleanup(self.s.patch, "/api/v1/handovers/%d" % r.json["id"],
                            {"status": "cancelled"}, self.mgr)
        return r

    def test_same_channel_then_lowest_load(self):
        p = self.plan({"from_user": self.c["users"]["lv2"]["id"]}).json
        # no one shares Coast; p1 and p2 share the channel, p2 has fewer deals;
        # p3 has none but another channel
        self.assertEqual(p["successor"]["id"], self.c["users"]["p2"]["id"])
        self.assertIn("same channel", p["successor_choice"]["reason"])
        self.assertNotIn("same territory", p["successor_choice"]["reason"])

    def test_nearest_team_up(self):
        p = self.plan({"from_user": self.c["users"]["lv3"]["email"]}).json
        self.assertEqual(p["successor"]["id"], self.c["users"]["eve"]["id"])
        self.assertIn("nearest team up", p["successor_choice"]["reason"])
        # lv3 has no manager_id: a manager of the nearest team up with one
        self.assertEqual(p["manager"]["id"], self.c["users"]["mgr_east"]["id"])

    def test_named_successor(self):
        u = self.c["users"]
        p = self.plan({"from_user": u["ann"]["id"], "successor": u["cid"]["email"]}).json
        self.assertFalse(p["successor_choice"]["automatic"])
        self.assertEqual(p["successor"]["id"], u["cid"]["id"])
        it = item_for(p, "opportunities", self.c["middle"])
        self.assertEqual((it["new_owner_id"], it["task_owner_id"]),
                         (u["cid"]["id"], u["ann"]["id"]))
        self.assertIn("cid", it["task_subject"])

    def test_named_successor_must_be_assignable(self):
        u = self.c["users"]
        r = self.plan({"from_user": u["ann"]["id"], "successor": u["dee"]["id"]}, 400)
        self.assertProblem(r, 400, "successor")
        r = self.plan({"from_user": u["ann"]["id"], "successor": u["ann"]["id"]}, 400)
        self.assertProblem(r, 400, "successor")
        r = self.plan({"from_user": u["ann"]["id"], "manager": u["bob"]["id"]}, 400)
        self.assertProblem(r, 400, "manager")
        r = self.plan({"from_user": u["ann"]["id"], "successor": "nobody@test.funnel",
                       "colour": "red"}, 400)
        self.assertProblem(r, 400, "colour")
        self.assertProblem(r, 400, "successor")
        r = self.plan({}, 400)
        self.assertProblem(r, 400, "from_user")


class Visibility(ServerTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = company(cls.s)
        cls.u = cls.c["users"]
        r = cls.s.post("/api/v1/handovers", {"from_user": cls.u["ann"]["id"]},
                       cls.u["mgr_east"]["token"])
        assert r.status == 201, r
        cls.hid = r.json["id"]

    def test_a_rep_cannot_plan_nor_read(self):
        bob = self.u["bob"]["token"]
        self.assertProblem(self.s.post("/api/v1/handovers", {"from_user": self.u["cid"]["id"]},
                                       bob), 403)
        self.assertProblem(self.s.get("/api/v1/handovers", bob), 403)
        self.assertProblem(self.s.get("/api/v1/handovers/%d" % self.hid, bob), 403)
        self.assertProblem(self.s.post("/api/v1/handovers/%d/execute" % self.hid, None, bob),
                           403)

    def test_a_manager_only_for_their_subtree(self):
        west = self.u["mgr_west"]["token"]
        self.assertProblem(self.s.post("/api/v1/handovers", {"from_user": self.u["ann"]["id"]},
                                       west), 404)
        self.assertProblem(self.s.get("/api/v1/handovers/%d" % self.hid, west), 404)
        self.assertProblem(self.s.patch("/api/v1/handovers/%d" % self.hid,
                                        {"status": "cancelled"}, west), 404)
        self.assertProblem(self.s.post("/api/v1/handovers/%d/execute" % self.hid, None, west),
                           404)
        self.assertEqual(self.s.get("/api/v1/handovers", west).json["data"], [])
        east = self.u["mgr_east"]["token"]
        self.assertProblem(self.s.post("/api/v1/handovers", {"from_user": self.u["dee"]["id"]},
                                       east), 404)
        self.assertProblem(self.s.post("/api/v1/handovers",
                                       {"from_user": self.u["mgr_east"]["id"]}, east),
                           400, "from_user")
        ids = [h["id"] for h in self.s.get("/api/v1/handovers", east).json["data"]]
        self.assertEqual(ids, [self.hid])
        ids = [h["id"] for h in self.s.get("/api/v1/handovers", self.s.login()).json["data"]]
        self.assertEqual(ids, [self.hid])
        self.assertProblem(self.s.get("/api/v1/handovers/%d" % (self.hid + 100), east), 404)


class Execute(ServerTest):
    """Editing, refusals, atomicity, then the execution and what it leaves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = company(cls.s)
        cls.u = cls.c["users"]
        cls.mgr = cls.u["mgr_east"]["token"]
        # an API token of the leaver, which execution must revoke
        r = cls.s.post("/api/v1/tokens", {"name": "laptop"}, cls.u["ann"]["token"])
        assert r.status == 201, r
        cls.ann_api = r.json["token"]
        r = cls.s.post("/api/v1/handovers", {"from_user": cls.u["ann"]["id"]}, cls.mgr)
        assert r.status == 201, r
        cls.hid = r.json["id"]
        cls.base = "/api/v1/handovers/%d" % cls.hid
        cls.fay = mkuser(cls.s, cls.s.login(), "fay", "rep", cls.c["teams"]["east1"])

    def get(self):
        r = self.s.get(self.base, self.mgr)
        self.assertEqual(r.status, 200, r)
        return r.json

    def patch_item(self, item, body, status=200):
        r = self.s.patch("%s/items/%d" % (self.base, item["id"]), body, self.mgr)
        self.assertEqual(r.status, status, r)
        return r

    def owners(self):
        admin = self.s.login()
        return {k: self.s.get("/api/v1/%s/%d" % (res, self.c[k]), admin).json["owner_id"]
                for res, k in (("opportunities", "lower"), ("opportunities", "middle"),
                               ("opportunities", "upper"), ("leads", "lead"),
                               ("accounts", "acme"), ("contacts", "alice"),
                               ("activities", "act_free"))}

    def test_1_edit_items(self):
        p = self.get()
        up = item_for(p, "opportunities", self.c["upper"])
        r = self.patch_item(up, {"new_owner_id": self.u["cid"]["id"],
                                 "task_due_at": "2030-01-02T10:00:00+02:00",
                                 "task_subject": "Call Gamma about the pilot"})
        it = item_for(r.json, "opportunities", self.c["upper"])
        self.assertEqual((it["new_owner_id"], it["task_owner_id"], it["task_due_at"],
                          it["task_subject"]),
                         (self.u["cid"]["id"], self.u["cid"]["id"], "2030-01-02T08:00:00Z",
                          "Call Gamma about the pilot"))
        # the account without deals, and the activity behind it, move together
        delta = item_for(p, "accounts", self.c["delta"])
        r = self.patch_item(delta, {"new_owner_id": self.u["cid"]["id"]})
        self.assertEqual(item_for(r.json, "activities", self.c["act_delta"])["new_owner_id"],
                         self.u["cid"]["id"])
        # the middle deal's introduction call stays the leaver's
        mid = item_for(p, "opportunities", self.c["middle"])
        r = self.patch_item(mid, {"new_owner_id": self.u["eve"]["id"]})
        it = item_for(r.json, "opportunities", self.c["middle"])
        self.assertEqual((it["new_owner_id"], it["task_owner_id"]),
                         (self.u["eve"]["id"], self.u["ann"]["id"]))
        self.patch_item(mid, {"new_owner_id": self.u["bob"]["id"]})
        # refusals: someone outside, the leaver, no task, unknown members
        r = self.patch_item(up, {"new_owner_id": self.u["dee"]["id"]}, 400)
        self.assertProblem(r, 400, "new_owner_id")
        r = self.patch_item(up, {"new_owner_id": self.u["ann"]["id"], "included": "no"}, 400)
        self.assertProblem(r, 400, "new_owner_id")
        self.assertProblem(r, 400, "included")
        r = self.patch_item(delta, {"task_subject": "x", "owner": 3}, 400)
        self.assertProblem(r, 400, "task_subject")
        self.assertProblem(r, 400, "owner")
        r = self.s.patch("%s/items/999999" % self.base, {"included": True}, self.mgr)
        self.assertProblem(r, 404)
        hist = [h["field"] for h in self.get()["history"]]
        self.assertIn("item %d new_owner_id" % up["id"], hist)

    def test_2_excluded_and_new_records_refuse_execution(self):
        p = self.get()
        lead = item_for(p, "leads", self.c["lead"])
        self.patch_item(lead, {"included": False})
        admin = self.s.login()
        late = self.s.create("contacts", {"account_id": self.c["beta"], "last_name": "Late",
                                          "owner_id": self.u["ann"]["id"]}, admin)["id"]
        r = self.s.post(self.base + "/execute", None, self.mgr)
        self.assertProblem(r, 409, "leads/%d" % self.c["lead"])
        self.assertProblem(r, 409, "contacts/%d" % late)
        self.assertIn("re-plan", r.json["detail"])
        self.assertEqual(self.get()["status"], "draft")
        # re-plan picks the new contact up (and forgets the edits)
        r = self.s.patch(self.base, {"successor": None}, self.mgr)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(item_for(r.json, "contacts", late)["new_owner_id"],
                         self.u["bob"]["id"])
        self.assertTrue(item_for(r.json, "leads", self.c["lead"])["included"])
        self.c["late"] = late

    def test_3_replan_with_a_named_successor_and_back(self):
        r = self.s.patch(self.base, {"successor": self.u["cid"]["id"]}, self.mgr)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(item_for(r.json, "opportunities", self.c["upper"])["new_owner_id"],
                         self.u["cid"]["id"])
        self.assertFalse(r.json["successor_choice"]["automatic"])
        r = self.s.patch(self.base, {"successor": None}, self.mgr)
        self.assertEqual(r.json["successor"]["id"], self.u["bob"]["id"])
        self.assertTrue(r.json["successor_choice"]["automatic"])
        fields = [h["field"] for h in r.json["history"]]
        self.assertEqual(fields.count("successor"), 2)
        r = self.s.patch(self.base, {"status": "executed"}, self.mgr)
        self.assertProblem(r, 400, "status")

    def test_4_a_failure_mid_way_changes_nothing(self):
        admin = self.s.login()
        p = self.get()
        # the last item applied goes to fay, who is then disabled
        last = max(items(p), key=lambda i: i["id"])
        self.patch_item(last, {"new_owner_id": self.fay["id"]})
        r = self.s.patch("/api/v1/users/%d" % self.fay["id"], {"active": False}, admin)
        self.assertEqual(r.status, 200, r)
        before = self.owners()
        acts = self.s.get("/api/v1/activities?limit=200", admin).json["data"]
        r = self.s.post(self.base + "/execute", None, self.mgr)
        self.assertProblem(r, 409)
        self.assertIn("item %d" % last["id"], r.json["detail"])
        self.assertEqual(self.owners(), before)
        self.assertEqual(set(before.values()), {self.u["ann"]["id"]})
        self.assertEqual(self.s.get("/api/v1/activities?limit=200", admin).json["data"], acts)
        self.assertTrue(self.s.get("/api/v1/users/%d" % self.u["ann"]["id"],
                                   admin).json["active"])
        self.assertEqual(self.s.get("/api/v1/me", self.ann_api).status, 200)
        p = self.get()
        self.assertEqual(p["status"], "draft")
        self.assertIsNone(item_for(p, "opportunities", self.c["lower"])["outcome"])
        self.patch_item(last, {"new_owner_id": self.u["bob"]["id"]})

    def test_5_execute(self):
        admin = self.s.login()
        ann, bob, mgr = (self.u[n]["id"] for n in ("ann", "bob", "mgr_east"))
        r = self.s.post(self.base + "/execute", None, self.mgr)
        self.assertEqual(r.status, 200, r)
        p = r.json
        self.assertEqual(p["status"], "executed")
        self.assertTrue(p["executed_at"])
        self.assertEqual(p["executed_by"], mgr)
        self.assertFalse(p["from_user"]["active"])
        # owners, through the record engine (audited)
        own = self.owners()
        self.assertEqual(own, {"lower": mgr, "middle": bob, "upper": bob, "lead": bob,
                               "acme": mgr, "alice": mgr, "act_free": bob})
        hist = self.s.get("/api/v1/opportunities/%d/history" % self.c["lower"], admin).json
        rows = hist["data"] if isinstance(hist, dict) else hist
        change = [h for h in rows if h.get("field") == "owner_id"]
        self.assertEqual(len(change), 1)
        self.assertEqual((change[0]["actor_id"], change[0]["old"], change[0]["new"]),
                         (mgr, str(ann), str(mgr)))
        # the tasks, as activities on their records
        for key, owner, words in (("lower", mgr, "personally"), ("middle", bob, "next meeting"),
                                  ("upper", bob, "introduce yourself")):
            it = item_for(p, "opportunities", self.c[key])
            self.assertEqual(it["outcome"], "applied")
            act = self.s.get("/api/v1/activities/%d" % it["activity_id"], admin).json
            self.assertEqual((act["type"], act["owner_id"], act["related_type"],
                              act["related_id"], act["due_at"], act["done_at"]),
                             ("task", owner, "opportunity", self.c[key], it["task_due_at"],
                              None), key)
            self.assertIn(words, act["subject"])
        mid = item_for(p, "opportunities", self.c["middle"])
        act = self.s.get("/api/v1/activities/%d" % mid["activity_id"], admin).json
        self.assertIn("ann leads this call", act["notes"])
        self.assertEqual(mid["task_owner_id"], ann)
        lead_task = item_for(p, "leads", self.c["lead"])["activity_id"]
        self.assertEqual(self.s.get("/api/v1/activities/%d" % lead_task,
                                    admin).json["related_type"], "lead")
        # the leaver is disabled: no login, no token
        self.assertProblem(self.s.post("/api/v1/auth/login", {"email": self.u["ann"]["email"],
                                                               "password": PASSWORD}), 401)
        self.assertProblem(self.s.get("/api/v1/me", self.ann_api), 401)
        self.assertProblem(self.s.get("/api/v1/me", self.u["ann"]["token"]), 401)
        # the leaver owns nothing open
        for q in ("opportunities?status=open&owner_id=%d", "leads?owner_id=%d&status=new,working,qualified",
                  "accounts?owner_id=%d", "contacts?owner_id=%d"):
            r = self.s.get("/api/v1/" + q % ann, admin)
            self.assertEqual(r.json["data"], [], q)
        acts = self.s.get("/api/v1/activities?owner_id=%d&limit=200" % ann, admin).json["data"]
        self.assertEqual([a["id"] for a in acts if not a["done_at"]], [])
        # counts before and after
        before = {c["role"]: c for c in p["counts"]["before"]}
        after = {c["role"]: c for c in p["counts"]["after"]}
        self.assertEqual(before["leaver"],
                         {"user_id": ann, "name": "ann", "role": "leaver", "opportunities": 4,
                          "leads": 1, "accounts": 4, "contacts": 2, "activities": 3})
        self.assertEqual({k: v for k, v in after["leaver"].items() if isinstance(v, int)
                          and k != "user_id"},
                         {"opportunities": 0, "leads": 0, "accounts": 0, "contacts": 0,
                          "activities": 0})
        self.assertEqual(after["manager"]["opportunities"] - before["manager"]["opportunities"],
                         1)
        self.assertEqual(after["manager"]["activities"] - before["manager"]["activities"], 2)
        self.assertEqual(after["successor"]["opportunities"],
                         before["successor"]["opportunities"] + 3)
        self.assertIn("new_owner", [c["role"] for c in p["counts"]["before"]])  # cid (Eps)
        # the handover's own audit trail
        self.assertEqual([(h["field"], h["new"]) for h in p["history"]][-1],
                         ("status", "executed"))
        # ... and the leaver's user record has its own
        uh = self.s.get("/api/v1/users/%d/history" % ann, admin).json
        rows = uh["data"] if isinstance(uh, dict) else uh
        self.assertIn(("active", "false"), [(h.get("field"), h.get("new")) for h in rows])

    def test_6_executed_is_final(self):
        r = self.s.post(self.base + "/execute", None, self.mgr)
        self.assertProblem(r, 409)
        self.assertIn("executed", r.json["detail"])
        self.assertProblem(self.s.patch(self.base, {"note": "x"}, self.mgr), 409)
        it = items(self.get())[0]
        self.assertProblem(self.patch_item(it, {"included": False}, 409), 409)
        self.assertEqual(self.get()["status"], "executed")


class Cli(ServerTest):
    """funnel handover, end to end on the server's database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = company(cls.s)
        cls.u = cls.c["users"]

    def cli(self, *args):
        return run(["handover", "--db", self.s.db] + list(args))

    def test_help_and_usage(self):
        p = self.cli("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--execute", p.stdout)
        p = run(["handover", "--db", self.s.db])
        self.assertEqual(p.returncode, 2)
        p = self.cli("--from", "nobody@test.funnel")
        self.assertEqual(p.returncode, 2)
        p = self.cli("--from", self.u["ann"]["email"], "--as", self.u["bob"]["email"])
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("managers", p.stderr)

    def test_plan_then_execute(self):
        ann = self.u["ann"]["email"]
        mgr = self.u["mgr_east"]["email"]
        p = self.cli("--from", ann, "--to", self.u["cid"]["email"], "--as", mgr)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout
        for words in ("LOWER FUNNEL", "MIDDLE FUNNEL", "UPPER FUNNEL", "OTHER RECORDS",
                      "Acme rollout", "Beta licences", "Gamma pilot", "Lee (LeeCo)",
                      "cid <cid@test.funnel>", "Nothing has changed yet"):
            self.assertIn(words, out)
        self.assertLess(out.index("LOWER"), out.index("MIDDLE"))
        self.assertLess(out.index("MIDDLE"), out.index("UPPER"))
        admin = self.s.login()
        self.assertEqual(self.s.get("/api/v1/opportunities/%d" % self.c["upper"],
                                    admin).json["owner_id"], self.u["ann"]["id"])
        drafts = self.s.get("/api/v1/handovers", admin).json["data"]
        self.assertEqual([(d["status"], d["successor"]["email"]) for d in drafts],
                         [("draft", self.u["cid"]["email"])])
        p = self.cli("--from", ann, "--as", mgr, "--execute")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("OWNED BEFORE -> AFTER", p.stdout)
        self.assertIn("4 -> 0", p.stdout)
        self.assertIn("[applied]", p.stdout)
        self.assertEqual(self.s.get("/api/v1/opportunities/%d" % self.c["upper"],
                                    admin).json["owner_id"], self.u["cid"]["id"])
        self.assertFalse(self.s.get("/api/v1/users/%d" % self.u["ann"]["id"],
                                    admin).json["active"])
        done = self.s.get("/api/v1/handovers", admin).json["data"]
        self.assertEqual([d["status"] for d in done], ["executed"])
        self.assertEqual(done[0]["executed_by"], self.u["mgr_east"]["id"])


if __name__ == "__main__":
    import unittest
    unittest.main()
