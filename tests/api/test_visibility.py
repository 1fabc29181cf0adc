"""Visibility: role x resource x action.

A rep sees and changes their own records (and the accounts and contacts their
opportunities hang on); a manager those of everyone in their team subtree; an
admin everything.  A record outside that answers exactly like one that does
not exist.  Users and teams are read by all, written by admins only.
"""
import re
import unittest

from harness import ServerTest, org

RESOURCES = ["accounts", "contacts", "leads", "opportunities", "activities"]
MISSING = 987654


def same_as_missing(test, r, missing):
    """r (for a hidden record) is indistinguishable from `missing` (for an id
    that does not exist): status, type, title, and detail up to the id."""
    test.assertProblem(r, 404)
    test.assertEqual(r.json["type"], missing.json["type"])
    test.assertEqual(r.json["title"], missing.json["title"])
    test.assertEqual(re.sub(r"\d+", "N", r.json["detail"]),
                     re.sub(r"\d+", "N", missing.json["detail"]))
    test.assertNotIn("errors", r.json)


class Visibility(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        cls.o = o = org(s)
        cls.sets = {}
        # one set of records per owner, each created by its owner
        for who in ("admin", "mgr_east", "mgr_west", "rep_e1", "rep_e1b", "rep_w"):
            cls.sets[who] = cls.make_set(who)
        # mgr_east puts a deal for rep_e1 on an account of mgr_east's: rep_e1 then
        # sees that account and its contacts, rep_e1b does not
        tok = o["mgr_east"]["token"]
        cls.shared_acc = s.create("accounts", {"name": "Shared Corp"}, tok)["id"]
        cls.shared_contact = s.create("contacts", {"account_id": cls.shared_acc,
                                                   "last_name": "Sharer"}, tok)["id"]
        cls.shared_opp = s.create("opportunities", {
            "name": "Shared deal", "account_id": cls.shared_acc,
            "owner_id": o["rep_e1"]["id"], "close_date": "2026-12-01"}, tok)["id"]
        # what each user may see, by owner
        ids = {k: o[k]["id"] for k in ("admin", "mgr_east", "mgr_west", "rep_e1", "rep_e1b",
                                        "rep_w")}
        cls.owners = {
            "admin": set(ids.values()),
            "mgr_east": {ids["mgr_east"], ids["rep_e1"], ids["rep_e1b"]},
            "mgr_west": {ids["mgr_west"], ids["rep_w"]},
            "rep_e1": {ids["rep_e1"]},
            "rep_e1b": {ids["rep_e1b"]},
            "rep_w": {ids["rep_w"]},
        }
        cls.ids = ids

    @classmethod
    def make_set(cls, who):
        s, tok = cls.s, cls.o[who]["token"]
        acc = s.create("accounts", {"name": "Acc of " + who}, tok)["id"]
        con = s.create("contacts", {"account_id": acc, "last_name": "Con of " + who}, tok)["id"]
        lead = s.create("leads", {"last_name": "Lead of " + who}, tok)["id"]
        opp = s.create("opportunities", {"name": "Opp of " + who, "account_id": acc,
                                         "contact_id": con, "close_date": "2026-11-30",
                                         "amount": "1000.00"}, tok)["id"]
        act = s.create("activities", {"type": "call", "subject": "Call of " + who,
                                      "related_type": "opportunity", "related_id": opp},
                       tok)["id"]
        return {"accounts": acc, "contacts": con, "leads": lead, "opportunities": opp,
                "activities": act}

    def tok(self, who):
        return self.o[who]["token"]

    def missing(self, resource, viewer, method="GET", suffix=""):
        path = "/api/v1/%s/%d%s" % (resource, MISSING, suffix)
        body = {} if method == "PATCH" else None
        return self.s.request(method, path, body=body, token=self.tok(viewer))

    # --- reading ---------------------------------------------------------
    def test_get_matrix(self):
        """Every viewer x owner x resource: 200 exactly when the owner is in the
        viewer's subtree, else the same 404 as a nonexistent id."""
        for viewer, sees in self.owners.items():
            for owner, recs in self.sets.items():
                visible = self.ids[owner] in sees
                for res in RESOURCES:
                    with self.subTest(viewer=viewer, owner=owner, res=res):
                        r = self.s.get("/api/v1/%s/%d" % (res, recs[res]), self.tok(viewer))
                        if visible:
                            self.assertEqual(r.status, 200, r)
                            self.assertEqual(r.json["id"], recs[res])
                            self.assertEqual(r.json["owner_id"], self.ids[owner])
                        else:
                            same_as_missing(self, r, self.missing(res, viewer))

    def test_hidden_history_patch_delete_are_404(self):
        for viewer, owner in (("rep_e1", "rep_e1b"), ("rep_e1", "rep_w"), ("mgr_east", "rep_w"),
                              ("mgr_west", "rep_e1"), ("rep_w", "mgr_west"),
                              ("mgr_east", "admin")):
            for res in RESOURCES:
                rid = self.sets[owner][res]
                path = "/api/v1/%s/%d" % (res, rid)
                with self.subTest(viewer=viewer, owner=owner, res=res):
                    tok = self.tok(viewer)
                    before = self.s.get(path, self.o["admin"]["token"]).json
                    same_as_missing(self, self.s.get(path + "/history", tok),
                                    self.missing(res, viewer, suffix="/history"))
                    same_as_missing(self, self.s.patch(path, {"owner_id": self.ids[viewer]}, tok),
                                    self.missing(res, viewer, "PATCH"))
                    same_as_missing(self, self.s.delete(path, tok),
                                    self.missing(res, viewer, "DELETE"))
                    # and nothing happened to it
                    r = self.s.get(path, self.o["admin"]["token"])
                    self.assertEqual(r.status, 200)
                    self.assertEqual(r.json, before)
        r = self.s.get("/api/v1/opportunities/%d/stages" % self.sets["rep_w"]["opportunities"],
                       self.tok("rep_e1"))
        self.assertProblem(r, 404)

    def test_rep_sees_accounts_and_contacts_of_their_deals(self):
        rep, other = self.tok("rep_e1"), self.tok("rep_e1b")
        r = self.s.get("/api/v1/accounts/%d" % self.shared_acc, rep)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["owner_id"], self.ids["mgr_east"])
        r = self.s.get("/api/v1/contacts/%d" % self.shared_contact, rep)
        self.assertEqual(r.status, 200, r)
        self.assertProblem(self.s.get("/api/v1/accounts/%d" % self.shared_acc, other), 404)
        self.assertProblem(self.s.get("/api/v1/contacts/%d" % self.shared_contact, other), 404)
        acc_ids = [a["id"] for a in self.list_all("accounts", rep)]
        self.assertIn(self.shared_acc, acc_ids)
        con_ids = [c["id"] for c in self.list_all("contacts", rep)]
        self.assertIn(self.shared_contact, con_ids)
        self.assertNotIn(self.shared_acc, [a["id"] for a in self.list_all("accounts", other)])

    # --- lists -------------------------------------------------------------
    def list_all(self, res, tok):
        out, cursor = [], None
        while True:
            path = "/api/v1/%s?limit=200" % res + ("&cursor=" + cursor if cursor else "")
            r = self.s.get(path, tok)
            self.assertEqual(r.status, 200, r)
            out += r.json["data"]
            cursor = r.json["next_cursor"]
            if not cursor:
                return out

    def test_lists_hold_only_visible_rows(self):
        admin = self.tok("admin")
        all_rows = {res: {x["id"]: x for x in self.list_all(res, admin)} for res in RESOURCES}
        for viewer, sees in self.owners.items():
            tok = self.tok(viewer)
            opps = self.list_all("opportunities", tok)
            opp_accounts = {x["account_id"] for x in opps}
            seen = {}
            for res in RESOURCES:
                rows = self.list_all(res, tok)
                seen[res] = {x["id"] for x in rows}
                for x in rows:
                    with self.subTest(viewer=viewer, res=res, id=x["id"]):
                        if x["owner_id"] in sees:
                            continue
                        # the only rows not owned within the subtree:
                        if res == "accounts":
                            self.assertIn(x["id"], opp_accounts)
                        elif res == "contacts":
                            self.assertIn(x["account_id"], opp_accounts)
                        elif res == "activities":
                            self.assertEqual(x["related_type"], "opportunity")
                            self.assertIn(x["related_id"], {o["id"] for o in opps})
                        else:
                            self.fail("%s sees %s %d of owner %d" % (viewer, res, x["id"],
                                                                     x["owner_id"]))
            # and every row owned within the subtree is listed
            for res in RESOURCES:
                want = {i for i, x in all_rows[res].items() if x["owner_id"] in sees}
                self.assertEqual(want - seen[res], set(), (viewer, res))
            if viewer == "admin":
                for res in RESOURCES:
                    self.assertEqual(seen[res], set(all_rows[res]))

    def test_owner_filter_cannot_widen(self):
        """Filtering on someone else's owner_id gives nothing, not their rows."""
        r = self.s.get("/api/v1/leads?owner_id=%d&total=true" % self.ids["rep_w"],
                       self.tok("rep_e1"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["data"], [])
        self.assertEqual(r.json["total"], 0)
        r = self.s.get("/api/v1/leads?owner_id=%d" % self.ids["rep_e1"], self.tok("mgr_east"))
        self.assertEqual([x["id"] for x in r.json["data"]], [self.sets["rep_e1"]["leads"]])

    def test_id_filter_cannot_widen(self):
        """?id= gives the records asked for that the caller sees, no others."""
        for res in RESOURCES:
            mine, theirs = self.sets["rep_e1"][res], self.sets["rep_w"][res]
            with self.subTest(res=res):
                q = "/api/v1/%s?id=%d,%d,%d&total=true" % (res, mine, theirs, MISSING)
                r = self.s.get(q, self.tok("rep_e1"))
                self.assertEqual(r.status, 200, r)
                self.assertEqual([x["id"] for x in r.json["data"]], [mine])
                self.assertEqual(r.json["total"], 1)
                r = self.s.get(q, self.tok("admin"))
                self.assertEqual(sorted(x["id"] for x in r.json["data"]), sorted([mine, theirs]))
        for bad in ("", "1,,2", "x", "0", "1,-2", "3.5", ",".join(["1"] * 65)):
            with self.subTest(bad=bad):
                r = self.s.get("/api/v1/accounts?id=" + bad, self.tok("admin"))
                self.assertProblem(r, 400)
                self.assertEqual(r.json["errors"][0]["field"], "id")

    # --- owners ------------------------------------------------------------
    def test_rep_cannot_reassign(self):
        rep = self.tok("rep_e1")
        for res in RESOURCES:
            with self.subTest(res=res):
                rid = self.sets["rep_e1"][res]
                r = self.s.patch("/api/v1/%s/%d" % (res, rid),
                                 {"owner_id": self.ids["rep_e1b"]}, rep)
                self.assertProblem(r, 403)
                r = self.s.get("/api/v1/%s/%d" % (res, rid), rep)
                self.assertEqual(r.json["owner_id"], self.ids["rep_e1"])
        r = self.s.post("/api/v1/leads", {"last_name": "Gift", "owner_id": self.ids["rep_e1b"]},
                        rep)
        self.assertProblem(r, 403)
        # nor take over what they only see through their deal
        for res, rid in (("accounts", self.shared_acc), ("contacts", self.shared_contact)):
            path = "/api/v1/%s/%d" % (res, rid)
            r = self.s.patch(path, {"owner_id": self.ids["rep_e1"]}, rep)
            self.assertProblem(r, 403)
            r = self.s.get(path, rep)
            self.assertEqual((r.json["owner_id"], r.json["version"]), (self.ids["mgr_east"], 1))
        # naming oneself is fine
        r = self.s.post("/api/v1/leads", {"last_name": "Mine", "owner_id": self.ids["rep_e1"]},
                        rep)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.s.delete("/api/v1/leads/%d" % r.json["id"], rep).status, 204)

    def test_manager_reassigns_within_team_only(self):
        mgr = self.tok("mgr_east")
        lead = self.s.create("leads", {"last_name": "Moveable", "owner_id": self.ids["rep_e1"]},
                             mgr)
        path = "/api/v1/leads/%d" % lead["id"]
        r = self.s.patch(path, {"owner_id": self.ids["rep_e1b"]}, mgr)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["owner_id"], self.ids["rep_e1b"])
        for outsider in ("rep_w", "mgr_west", "admin"):
            r = self.s.patch(path, {"owner_id": self.ids[outsider]}, mgr)
            self.assertProblem(r, 400, "owner_id")
        r = self.s.patch(path, {"owner_id": MISSING}, mgr)
        self.assertProblem(r, 400, "owner_id")
        r = self.s.post("/api/v1/leads", {"last_name": "X", "owner_id": self.ids["rep_w"]}, mgr)
        self.assertProblem(r, 400, "owner_id")
        r = self.s.get(path, mgr)
        self.assertEqual(r.json["owner_id"], self.ids["rep_e1b"])
        self.assertEqual(r.json["version"], 2)
        # after giving it away the former owner no longer sees it
        self.assertProblem(self.s.get(path, self.tok("rep_e1")), 404)
        self.assertEqual(self.s.get(path, self.tok("rep_e1b")).status, 200)
        self.assertEqual(self.s.delete(path, mgr).status, 204)

    # --- users and teams ----------------------------------------------------
    def test_users_and_teams_read_by_all_written_by_admins(self):
        for viewer in ("mgr_east", "rep_e1", "rep_w"):
            tok = self.tok(viewer)
            with self.subTest(viewer=viewer):
                r = self.s.get("/api/v1/users?total=true", tok)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.json["total"], 6)
                self.assertNotIn("password_hash", r.raw)
                self.assertEqual(self.s.get("/api/v1/users/%d" % self.ids["rep_w"], tok).status,
                                 200)
                r = self.s.get("/api/v1/teams", tok)
                self.assertEqual(len(r.json["data"]), 4)
                team = self.o["teams"]["east1"]
                self.assertEqual(self.s.get("/api/v1/teams/%d" % team, tok).status, 200)
                self.assertProblem(self.s.post("/api/v1/teams", {"name": "Rogue"}, tok), 403)
                self.assertProblem(self.s.patch("/api/v1/teams/%d" % team, {"name": "Renamed"},
                                                tok), 403)
                self.assertProblem(self.s.delete("/api/v1/teams/%d" % team, tok), 403)
                self.assertProblem(self.s.post("/api/v1/users", {
                    "email": "x@test.funnel", "name": "X", "role": "admin",
                    "password": "long enough pw"}, tok), 403)
                self.assertProblem(self.s.patch("/api/v1/users/%d" % self.ids[viewer],
                                                {"role": "admin"}, tok), 403)
                self.assertProblem(self.s.patch("/api/v1/users/%d" % self.ids["rep_w"],
                                                {"name": "Mallory"}, tok), 403)
                self.assertProblem(self.s.delete("/api/v1/users/%d" % self.ids["rep_w"], tok),
                                   403)
        admin = self.tok("admin")
        self.assertEqual(self.s.get("/api/v1/users?total=true", admin).json["total"], 6)
        self.assertEqual(self.s.get("/api/v1/users/%d" % self.ids["rep_w"], admin).json["name"],
                         "rep_w")
        self.assertEqual(self.s.get("/api/v1/users/%d" % self.ids["rep_e1"], admin).json["role"],
                         "rep")
        r = self.s.get("/api/v1/teams/%d" % self.o["teams"]["east1"], admin)
        self.assertEqual((r.json["name"], r.json["version"]), ("East-1", 1))
        # the admin may
        t = self.s.create("teams", {"name": "Temp", "parent_id": self.o["teams"]["sales"]}, admin)
        self.assertEqual(self.s.delete("/api/v1/teams/%d" % t["id"], admin).status, 204)

    # --- references ---------------------------------------------------------
    def test_invisible_account_reference_is_400(self):
        rep = self.tok("rep_e1")
        hidden = self.sets["rep_w"]["accounts"]
        r = self.s.post("/api/v1/contacts", {"account_id": hidden, "last_name": "Spy"}, rep)
        self.assertProblem(r, 400, "account_id")
        r = self.s.post("/api/v1/opportunities", {"name": "Steal", "account_id": hidden,
                                                  "close_date": "2026-10-01"}, rep)
        self.assertProblem(r, 400, "account_id")
        # the answer for a hidden account is the one for a missing account
        r2 = self.s.post("/api/v1/opportunities", {"name": "Steal", "account_id": MISSING,
                                                   "close_date": "2026-10-01"}, rep)
        self.assertProblem(r2, 400, "account_id")
        self.assertEqual(re.sub(r"\d+", "N", r.json["errors"][0]["message"]),
                         re.sub(r"\d+", "N", r2.json["errors"][0]["message"]))
        mine = self.sets["rep_e1"]
        r = self.s.patch("/api/v1/contacts/%d" % mine["contacts"], {"account_id": hidden}, rep)
        self.assertProblem(r, 400, "account_id")
        r = self.s.patch("/api/v1/opportunities/%d" % mine["opportunities"],
                         {"account_id": hidden}, rep)
        self.assertProblem(r, 400, "account_id")
        # a manager cannot reach across to the other team either
        r = self.s.post("/api/v1/contacts", {"account_id": hidden, "last_name": "Spy"},
                        self.tok("mgr_east"))
        self.assertProblem(r, 400, "account_id")
        # but the manager may use an account of their rep
        r = self.s.post("/api/v1/contacts", {"account_id": mine["accounts"], "last_name": "Ok"},
                        self.tok("mgr_east"))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.s.delete("/api/v1/contacts/%d" % r.json["id"],
                                       self.tok("mgr_east")).status, 204)
        self.assertEqual(self.s.get("/api/v1/contacts/%d" % mine["contacts"], rep).json["account_id"],
                         mine["accounts"])

    def test_invisible_activity_link_is_400(self):
        rep = self.tok("rep_e1")
        other = self.sets["rep_w"]
        for rtype, res in (("opportunity", "opportunities"), ("lead", "leads"),
                           ("account", "accounts"), ("contact", "contacts")):
            with self.subTest(rtype=rtype):
                r = self.s.post("/api/v1/activities", {"type": "note", "subject": "peek",
                                                       "related_type": rtype,
                                                       "related_id": other[res]}, rep)
                self.assertProblem(r, 400, "related_id")
                r = self.s.post("/api/v1/activities", {"type": "note", "subject": "peek",
                                                       "related_type": rtype,
                                                       "related_id": MISSING}, rep)
                self.assertProblem(r, 400, "related_id")
                r = self.s.patch("/api/v1/activities/%d" % self.sets["rep_e1"]["activities"],
                                 {"related_type": rtype, "related_id": other[res]}, rep)
                self.assertProblem(r, 400, "related_id")
        r = self.s.get("/api/v1/activities/%d" % self.sets["rep_e1"]["activities"], rep)
        self.assertEqual((r.json["related_type"], r.json["related_id"], r.json["version"]),
                         ("opportunity", self.sets["rep_e1"]["opportunities"], 1))
        # linking to a visible record of one's own is fine
        r = self.s.post("/api/v1/activities", {"type": "note", "subject": "ok",
                                               "related_type": "lead",
                                               "related_id": self.sets["rep_e1"]["leads"]}, rep)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.s.delete("/api/v1/activities/%d" % r.json["id"], rep).status, 204)

    def test_visible_changes_work(self):
        """The positive half: each may change what they see."""
        for viewer, owner in (("rep_e1", "rep_e1"), ("mgr_east", "rep_e1b"),
                              ("admin", "rep_w"), ("mgr_west", "rep_w")):
            path = "/api/v1/leads/%d" % self.sets[owner]["leads"]
            with self.subTest(viewer=viewer, owner=owner):
                r = self.s.patch(path, {"title": "touched by " + viewer}, self.tok(viewer))
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json["title"], "touched by " + viewer)
                r = self.s.patch(path, {"title": None}, self.tok(viewer))
                self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    unittest.main()
