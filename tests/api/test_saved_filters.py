"""Saved filters: a person's named list queries, seen by their owner only.

The query is checked as its list would parse it, so a saved filter always
runs; names are unique per owner and list; nobody else — not a manager, not
an admin — reads, changes or deletes one (404, as for a missing record).
"""
import unittest
from urllib.parse import quote

from harness import ServerTest, org

P = "/api/v1/saved_filters"


class SavedFilters(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)

    def tok(self, who):
        return self.o[who]["token"]

    def make(self, who, body):
        r = self.s.post(P, body, self.tok(who))
        self.assertEqual(r.status, 201, r)
        return r.json

    def test_create_read_list_update_delete(self):
        f = self.make("rep_e1", {"name": "Big open deals", "resource": "opportunities",
                                 "query": "status=open&amount_from=50000&sort=-amount"})
        self.assertEqual(f["owner_id"], self.o["rep_e1"]["id"])
        self.assertEqual(f["query"], "status=open&amount_from=50000&sort=-amount")
        r = self.s.get(P + "/%d" % f["id"], self.tok("rep_e1"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("ETag"), '"v1"')
        r = self.s.get(P + "?resource=opportunities&q=big+open&sort=name", self.tok("rep_e1"))
        self.assertEqual([x["id"] for x in r.json["data"]], [f["id"]])
        r = self.s.patch(P + "/%d" % f["id"], {"query": "status=open&stage=proposal"},
                         self.tok("rep_e1"), headers={"If-Match": '"v1"'})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["query"], "status=open&stage=proposal")
        r = self.s.patch(P + "/%d" % f["id"], {"name": "stale"}, self.tok("rep_e1"),
                         headers={"If-Match": '"v1"'})
        self.assertProblem(r, 412)
        r = self.s.delete(P + "/%d" % f["id"], self.tok("rep_e1"))
        self.assertEqual(r.status, 204, r)
        self.assertProblem(self.s.get(P + "/%d" % f["id"], self.tok("rep_e1")), 404)

    def test_the_saved_query_runs_on_its_list(self):
        f = self.make("mgr_east", {"name": "Search and filter", "resource": "leads",
                                   "query": "q=ada+lovelace&status=new,working&sort=-created_at"})
        r = self.s.get("/api/v1/leads?" + f["query"], self.tok("mgr_east"))
        self.assertEqual(r.status, 200, r)
        # an empty query is "everything, default order"
        f = self.make("mgr_east", {"name": "All", "resource": "accounts"})
        self.assertEqual(f["query"], "")

    def test_only_the_owner_sees_it_not_even_an_admin(self):
        f = self.make("rep_e1", {"name": "Mine", "resource": "accounts", "query": "q=acme"})
        path = P + "/%d" % f["id"]
        missing = self.s.get(P + "/987654", self.tok("admin"))
        self.assertProblem(missing, 404)
        for who in ("mgr_east", "admin", "rep_e1b"):
            for method, body in (("GET", None), ("PATCH", {"name": "taken"}), ("DELETE", None)):
                r = self.s.request(method, path, body=body, token=self.tok(who))
                self.assertProblem(r, 404)
                self.assertEqual(r.json["detail"].replace(str(f["id"]), "N"),
                                 missing.json["detail"].replace("987654", "N"))
            r = self.s.get(P + "?resource=accounts", self.tok(who))
            self.assertNotIn(f["id"], [x["id"] for x in r.json["data"]], who)
            r = self.s.get(P + "?id=%d" % f["id"], self.tok(who))
            self.assertEqual(r.json["data"], [], who)
        self.assertEqual(self.s.get(path, self.tok("rep_e1")).json["name"], "Mine")

    def test_the_owner_is_the_creator_and_never_changes(self):
        r = self.s.post(P, {"name": "x", "resource": "leads",
                            "owner_id": self.o["rep_e1"]["id"]}, self.tok("admin"))
        self.assertProblem(r, 400, "owner_id")
        f = self.make("rep_w", {"name": "Keep", "resource": "leads"})
        r = self.s.patch(P + "/%d" % f["id"], {"owner_id": self.o["rep_e1"]["id"]},
                         self.tok("rep_w"))
        self.assertProblem(r, 400, "owner_id")

    def test_bad_queries_are_refused_naming_query(self):
        bad = [
            ("colour=red", "colour"),                    # not a parameter of the list
            ("status=maybe", "status"),                  # not one of its values
            ("sort=phone", "sort"),                      # not sortable
            ("amount_from=lots", "amount_from"),         # not an amount
            ("cursor=Mjo", "cursor"),                    # paging state
            ("q=%ZZ", "hex digits"),                     # not URL-encoded
            ("limit=0", "limit"),
        ]
        for query, word in bad:
            r = self.s.post(P, {"name": "bad " + query, "resource": "opportunities",
                                "query": query}, self.tok("rep_e1"))
            self.assertProblem(r, 400, "query")
            msg = " ".join(e["message"] for e in r.json["errors"])
            self.assertIn(word, msg, (query, r))
        # a parameter of another list is wrong for this one
        r = self.s.post(P, {"name": "wrong list", "resource": "accounts",
                            "query": "stage=proposal"}, self.tok("rep_e1"))
        self.assertProblem(r, 400, "query")
        # changing the list re-checks the query it keeps
        f = self.make("rep_e1", {"name": "Proposals", "resource": "opportunities",
                                 "query": "stage=proposal"})
        r = self.s.patch(P + "/%d" % f["id"], {"resource": "accounts"}, self.tok("rep_e1"))
        self.assertProblem(r, 400, "query")
        for body, field in (({"resource": "opportunities"}, "name"),
                            ({"name": "x"}, "resource"),
                            ({"name": "x", "resource": "users"}, "resource"),
                            ({"name": "", "resource": "leads"}, "name"),
                            ({"name": "x", "resource": "leads", "query": None}, "query"),
                            ({"name": "x" * 101, "resource": "leads"}, "name"),
                            ({"name": "x", "resource": "leads", "query": "q=" + "a" * 2000},
                             "query")):
            self.assertProblem(self.s.post(P, body, self.tok("rep_e1")), 400, field)
        # nothing of the refused ones was kept
        names = [x["name"] for x in self.s.get(P + "?limit=200", self.tok("rep_e1")).json["data"]]
        self.assertFalse([n for n in names if n.startswith("bad ")], names)

    def test_names_are_unique_per_owner_and_list(self):
        self.make("rep_e1b", {"name": "Hot", "resource": "leads", "query": "status=new"})
        r = self.s.post(P, {"name": "Hot", "resource": "leads"}, self.tok("rep_e1b"))
        self.assertProblem(r, 409, "name")
        # same name on another list, or for another person: fine
        self.make("rep_e1b", {"name": "Hot", "resource": "accounts"})
        self.make("rep_w", {"name": "Hot", "resource": "leads"})
        other = self.make("rep_e1b", {"name": "Warm", "resource": "leads"})
        r = self.s.patch(P + "/%d" % other["id"], {"name": "Hot"}, self.tok("rep_e1b"))
        self.assertProblem(r, 409, "name")

    def test_search_and_sort_by_name(self):
        for n in ("Zeta", "Alpha", "Mid"):
            self.make("mgr_west", {"name": n, "resource": "contacts"})
        r = self.s.get(P + "?resource=contacts&sort=name", self.tok("mgr_west"))
        self.assertEqual([x["name"] for x in r.json["data"]], ["Alpha", "Mid", "Zeta"])
        r = self.s.get(P + "?q=" + quote("et"), self.tok("mgr_west"))
        self.assertEqual([x["name"] for x in r.json["data"]], ["Zeta"])


if __name__ == "__main__":
    unittest.main()
