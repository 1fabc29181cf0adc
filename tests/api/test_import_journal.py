"""Every import is a record, and can be undone (crm/imports/journal.h).

GET /api/v1/imports lists who ran which file, when, and what it created,
updated and rejected; GET /api/v1/imports/{id} adds each rejected row's line
and reason.  A refused (all-or-nothing) import is recorded too, having
written nothing.  Admins see every import, the command line's included;
everyone else only their own (404 for the rest).

Undo (POST /api/v1/imports/{id}/undo, funnel import undo ID) deletes exactly
what the import created — nothing made before or after it — on both import
paths, and is refused with 409 naming the records when a later change would
be lost: a record edited since, an activity logged on one, a contact put on
an imported account.
"""
import os
import unittest

import harness
from harness import ServerTest, org


class ImportJournal(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)
        cls.n = 0

    def write(self, text, name=None):
        ImportJournal.n += 1
        path = os.path.join(self.s.tmp, name or "j%d.csv" % ImportJournal.n)
        with open(path, "w", newline="") as f:
            f.write(text)
        return path

    def imp(self, *args):
        return harness.run(["import", "--db", self.s.db] + list(args))

    def last_import(self, token=None):
        r = self.s.get("/api/v1/imports?limit=1", token or self.s.login())
        self.assertEqual(r.status, 200, r)
        return r.json["data"][0]

    def accounts(self, q):
        r = self.s.get("/api/v1/accounts?q=%s&limit=200" % q, self.s.login())
        return sorted(a["name"] for a in r.json["data"])

    def test_recorded_with_counts_and_errors(self):
        rep = self.o["rep_e1"]
        path = self.write("name,owner_id\nJournal Good,%d\n,%d\nJournal Also,%d\n"
                          % (rep["id"], rep["id"], rep["id"]), "journal-mixed.csv")
        for flags in ([], ["--row-by-row"]):
            p = self.imp(*flags, "accounts", path)
            self.assertEqual(p.returncode, 3, p.stderr)
            imp = self.last_import()
            self.assertEqual(imp["status"], "refused")
            self.assertEqual(imp["file_name"], "journal-mixed.csv")
            self.assertEqual(imp["resource"], "accounts")
            self.assertEqual(imp["via"], "cli")
            self.assertIsNone(imp["user_id"])
            self.assertEqual(imp["counts"], {"created": 0, "updated": 0, "rejected": 1})
            d = self.s.get("/api/v1/imports/%d" % imp["id"], self.s.login()).json
            self.assertEqual(d["errors"], [{"line": 3, "reason": "name: is required"}])
            self.assertIn("recorded as import %d (refused)" % imp["id"], p.stderr)
        p = self.imp("--partial", "accounts", path)
        self.assertEqual(p.returncode, 3, p.stderr)
        imp = self.last_import()
        self.assertEqual(imp["status"], "done")
        self.assertEqual(imp["counts"], {"created": 2, "updated": 0, "rejected": 1})
        # a dry run writes nothing, and is not an import
        p = self.imp("--dry-run", "accounts", path)
        self.assertEqual(self.last_import()["id"], imp["id"])

    def test_visibility_admins_all_others_their_own(self):
        o = self.o
        path = self.write("name\nJournal Mine\n")
        p = self.imp("--as", o["rep_e1"]["email"], "accounts", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        mine = self.last_import()
        self.assertEqual(mine["user_id"], o["rep_e1"]["id"])
        self.assertEqual(mine["user_email"], o["rep_e1"]["email"])
        self.assertEqual(self.last_import(o["rep_e1"]["token"])["id"], mine["id"])
        # another rep, and even the rep's own manager, see nothing of it
        for who in ("rep_e1b", "rep_w", "mgr_east"):
            tok = o[who]["token"]
            ids = [i["id"] for i in self.s.get("/api/v1/imports", tok).json["data"]]
            self.assertNotIn(mine["id"], ids)
            r = self.s.get("/api/v1/imports/%d" % mine["id"], tok)
            self.assertEqual(r.status, 404, r)
            r = self.s.post("/api/v1/imports/%d/undo" % mine["id"], None, tok)
            self.assertEqual(r.status, 404, r)
        # the system's imports are the admins'
        path = self.write("name,owner_id\nJournal System,1\n")
        self.imp("accounts", path)
        sysimp = self.last_import()
        r = self.s.get("/api/v1/imports/%d" % sysimp["id"], o["rep_e1"]["token"])
        self.assertEqual(r.status, 404, r)
        # the owner undoes their own
        r = self.s.post("/api/v1/imports/%d/undo" % mine["id"], None, o["rep_e1"]["token"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"id": mine["id"], "status": "undone", "deleted": 1,
                                  "restored": 0})
        self.assertEqual(self.accounts("Journal+Mine"), [])

    def test_bad_parameters(self):
        tok = self.s.login()
        r = self.s.get("/api/v1/imports?limit=0&colour=red", tok)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.header("Content-Type"), "application/problem+json")
        self.assertEqual(sorted(e["field"] for e in r.json["errors"]), ["colour", "limit"])
        self.assertEqual(self.s.get("/api/v1/imports/999999", tok).status, 404)
        self.assertEqual(self.s.get("/api/v1/imports/abc", tok).status, 404)

    def test_undo_removes_exactly_what_it_created(self):
        rep = self.o["rep_e1"]
        before = self.s.create("accounts", {"name": "Exact Before", "owner_id": rep["id"]})
        for flags in ([], ["--row-by-row"]):
            path = self.write("name,owner_id\nExact One,%d\nExact Two,%d\n"
                              % (rep["id"], rep["id"]))
            p = self.imp(*flags, "accounts", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            imp = self.last_import()
            self.assertEqual(imp["counts"]["created"], 2)
            after = self.s.create("accounts", {"name": "Exact After", "owner_id": rep["id"]})
            self.assertEqual(self.accounts("Exact"), ["Exact After", "Exact Before",
                                                      "Exact One", "Exact Two"])
            p = harness.run(["import", "undo", "--db", self.s.db, str(imp["id"])])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("import %d undone: 2 deleted, 0 restored" % imp["id"], p.stdout)
            self.assertEqual(self.accounts("Exact"), ["Exact After", "Exact Before"])
            self.assertEqual(self.last_import()["status"], "undone")
            self.assertIsNotNone(self.last_import()["undone_at"])
            # audited as deletes
            h = self.s.get("/api/v1/accounts/%d/history" % (before["id"] + 1),
                           self.s.login())
            self.assertEqual(self.s.delete("/api/v1/accounts/%d" % after["id"],
                                           self.s.login()).status, 204)
            # twice: refused
            r = self.s.post("/api/v1/imports/%d/undo" % imp["id"], None, self.s.login())
            self.assertEqual(r.status, 409, r)
            self.assertIn("undone already", r.json["detail"])

    def test_undo_refused_when_later_changes_would_be_lost(self):
        rep = self.o["rep_e1"]
        tok = rep["token"]
        path = self.write("name\nLater Edited\nLater Logged\nLater Parent\nLater Untouched\n")
        p = self.imp("--as", rep["email"], "accounts", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        imp = self.last_import(tok)
        got = {a["name"]: a for a in self.s.get("/api/v1/accounts?q=Later&limit=50",
                                                tok).json["data"]}
        edited, logged, parent = (got["Later Edited"], got["Later Logged"],
                                  got["Later Parent"])
        r = self.s.patch("/api/v1/accounts/%d" % edited["id"], {"industry": "Retail"}, tok)
        self.assertEqual(r.status, 200, r)
        self.s.create("activities", {"type": "call", "subject": "Later call",
                                     "related_type": "account",
                                     "related_id": logged["id"]}, tok)
        self.s.create("contacts", {"account_id": parent["id"], "last_name": "Later Kid"}, tok)
        r = self.s.post("/api/v1/imports/%d/undo" % imp["id"], None, tok)
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.header("Content-Type"), "application/problem+json")
        named = {e["field"]: e["message"] for e in r.json["errors"]}
        self.assertEqual(named["account %d" % edited["id"]], "changed after the import")
        self.assertIn("activities", named["account %d" % logged["id"]])
        self.assertIn("account %d" % edited["id"], r.json["detail"])
        # nothing was deleted: the refusal is all or nothing
        self.assertEqual(len(self.s.get("/api/v1/accounts?q=Later&limit=50",
                                        tok).json["data"]), 4)
        # the CLI says the same, exit 3
        p = harness.run(["import", "undo", "--db", self.s.db, str(imp["id"])])
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("account %d" % edited["id"], p.stderr)
        # putting the record back as it was is a change too: still refused
        self.assertEqual(self.s.patch("/api/v1/accounts/%d" % edited["id"],
                                      {"industry": None}, tok).status, 200)
        r = self.s.post("/api/v1/imports/%d/undo" % imp["id"], None, tok)
        self.assertEqual(r.status, 409, r)
        # a record that only gained a contact: other records refer to it
        path = self.write("name\nLater Parent Only\n")
        self.assertEqual(self.imp("--as", rep["email"], "accounts", path).returncode, 0)
        imp = self.last_import(tok)
        acc = self.s.get("/api/v1/accounts?q=Later+Parent+Only", tok).json["data"][0]
        self.s.create("contacts", {"account_id": acc["id"], "last_name": "Later Kid"}, tok)
        r = self.s.post("/api/v1/imports/%d/undo" % imp["id"], None, tok)
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["errors"], [{"field": "account %d" % acc["id"],
                                             "message": "other records refer to it"}])
        self.assertEqual(self.s.get("/api/v1/accounts/%d" % acc["id"], tok).status, 200)

    def test_opportunities_and_leads_undo(self):
        rep = self.o["rep_e1"]
        acc = self.s.create("accounts", {"name": "Undo Deals Co", "owner_id": rep["id"]})
        for flags in ([], ["--row-by-row"]):
            path = self.write("name,account_id,owner_id,close_date,amount\n"
                              "Undo deal,%d,%d,2027-01-31,10\n" % (acc["id"], rep["id"]))
            p = self.imp(*flags, "opportunities", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            imp = self.last_import()
            r = self.s.post("/api/v1/imports/%d/undo" % imp["id"], None, self.s.login())
            self.assertEqual(r.status, 200, r)
            r = self.s.get("/api/v1/opportunities?q=Undo+deal", self.s.login())
            self.assertEqual(r.json["data"], [])
        path = self.write("last_name,company,owner_id\nUndolead,Undo Inc,%d\n" % rep["id"])
        p = self.imp("leads", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        imp = self.last_import()
        r = self.s.post("/api/v1/imports/%d/undo" % imp["id"], None, self.s.login())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["deleted"], 1)


if __name__ == "__main__":
    unittest.main()


class Upload(ServerTest):
    """POST /api/v1/imports: the file as the body, options in the query; the
    import runs as a job of its own on the server, as the caller."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)

    def upload(self, body, token, **q):
        import urllib.parse
        return self.s.request("POST", "/api/v1/imports?" + urllib.parse.urlencode(q),
                              raw=body, token=token, content_type="text/csv")

    def wait(self, id, token):
        import time
        for _ in range(200):
            r = self.s.get("/api/v1/imports/%d" % id, token)
            self.assertEqual(r.status, 200, r)
            if r.json["status"] != "running":
                return r.json
            time.sleep(0.05)
        self.fail("import %d still running" % id)

    def test_upload_runs_as_the_caller(self):
        rep = self.o["rep_e1"]
        body = "name;phone\r\nUpl\u00e9 One;1\r\nUpl\u00e9 Two;2\r\n".encode("cp1252")
        r = self.upload(body, rep["token"], resource="accounts", file_name="mine.csv",
                        encoding="windows-1252")
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.header("Location"), "/api/v1/imports/%d" % r.json["id"])
        self.assertIn(r.json["status"], ("running", "done"))
        self.assertEqual((r.json["via"], r.json["file_name"], r.json["user_id"]),
                         ("api", "mine.csv", rep["id"]))
        imp = self.wait(r.json["id"], rep["token"])
        self.assertEqual(imp["status"], "done", imp)
        self.assertEqual(imp["counts"], {"created": 2, "updated": 0, "rejected": 0})
        self.assertIsNone(imp["progress"])
        got = self.s.get("/api/v1/accounts?q=Upl%C3%A9", rep["token"]).json["data"]
        self.assertEqual(sorted(a["name"] for a in got), ["Upl\u00e9 One", "Upl\u00e9 Two"])
        self.assertTrue(all(a["owner_id"] == rep["id"] for a in got))
        # others do not see it; its uploader undoes it
        self.assertEqual(self.s.get("/api/v1/imports/%d" % imp["id"],
                                    self.o["rep_w"]["token"]).status, 404)
        r = self.s.post("/api/v1/imports/%d/undo" % imp["id"], None, rep["token"])
        self.assertEqual(r.status, 200, r)
        # the job's files are gone
        left = os.listdir(os.path.join(self.s.db + ".files", "imports"))
        self.assertFalse([f for f in left if f.startswith("%d." % imp["id"]) and
                          not f.endswith(".log")], left)

    def test_refused_and_failed_uploads(self):
        rep = self.o["rep_e1"]
        # a rep may not give records to someone else: every row refused, nothing written
        body = ("name,owner_id\nUplbad One,%d\n,%d\n" % (self.o["rep_w"]["id"], rep["id"]))
        r = self.upload(body.encode(), rep["token"], resource="accounts")
        self.assertEqual(r.status, 202, r)
        imp = self.wait(r.json["id"], rep["token"])
        self.assertEqual(imp["status"], "refused")
        self.assertEqual([e["line"] for e in imp["errors"]], [2, 3])
        self.assertIn("assign records to others", imp["errors"][0]["reason"])
        self.assertEqual(imp["errors"][1]["reason"], "name: is required")
        # a file the import cannot start on: failed, with why
        r = self.upload(b"colour\nred\n", rep["token"], resource="accounts")
        imp = self.wait(r.json["id"], rep["token"])
        self.assertEqual(imp["status"], "failed", imp)
        self.assertIn("unknown column 'colour'", imp["errors"][0]["reason"])
        r = self.s.post("/api/v1/imports/%d/undo" % imp["id"], None, rep["token"])
        self.assertEqual(r.status, 409, r)

    def test_bad_query(self):
        tok = self.o["rep_e1"]["token"]
        r = self.upload(b"name\nx\n", tok, resource="users", partial="maybe",
                        delimiter="x", colour="red")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.header("Content-Type"), "application/problem+json")
        self.assertEqual(sorted(e["field"] for e in r.json["errors"]),
                         ["colour", "delimiter", "partial", "resource"])
        r = self.upload(b"name\nx\n", tok)
        self.assertEqual(r.status, 400, r)
        self.assertEqual([e["field"] for e in r.json["errors"]], ["resource"])
        r = self.upload(b"name\nx\n", tok, resource="leads", preset="hubspot")
        self.assertEqual(r.status, 400, r)
        self.assertEqual([e["field"] for e in r.json["errors"]], ["preset"])
        r = self.upload(b"name\nx\n", None, resource="accounts")
        self.assertEqual(r.status, 401, r)
