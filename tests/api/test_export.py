"""Lists as CSV from the API (docs/calendar-vcard.md, "Lists as CSV"): any
record list with its filters and sort, streamed (GET /api/v1/<records>.csv or
Accept: text/csv), with the caller's visibility, parsed back by Python's csv
module and by `funnel import`."""
import csv
import io
import os

from harness import Server, ServerTest, org, run


def rows(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


class Export(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()
        cls.o = org(cls.s)
        cls.rep = cls.o["rep_e1"]["token"]
        cls.other = cls.o["rep_w"]["token"]
        # 2,500 accounts of rep_e1 (more than two pages of the export), by the bulk import
        path = os.path.join(cls.s.tmp, "accounts.csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["name", "industry", "employees"])
            for i in range(2500):
                w.writerow(["Acme %04d, \"quoted\"" % i, "Software" if i % 5 else "Retail",
                            i])
        run(["import", "--db", cls.s.db, "accounts", path, "--as", "rep_e1@test.funnel"],
            check=True)
        cls.s.create("accounts", {"name": "=HYPERLINK(\"http://evil\")", "industry": "Retail"},
                     cls.rep)
        cls.s.create("accounts", {"name": "West secret", "industry": "Retail"}, cls.other)

    def export(self, path, token, status=200, **kw):
        r = self.s.get(path, token, **kw)
        self.assertEqual(r.status, status, r)
        return r

    def test_everything_streamed_with_a_filter_and_sort(self):
        r = self.export("/api/v1/accounts.csv?industry=Retail&sort=-name", self.rep)
        self.assertEqual(r.header("Content-Type"), "text/csv; charset=utf-8")
        self.assertEqual(r.header("Transfer-Encoding"), "chunked")
        self.assertEqual(r.header("Content-Disposition"), 'attachment; filename="accounts.csv"')
        got = rows(r.raw)
        self.assertEqual(len(got), 501)  # 500 imported + the formula one
        self.assertTrue(all(g["industry"] == "Retail" for g in got))
        names = [g["name"] for g in got]
        self.assertEqual(names, sorted(names, reverse=True))
        self.assertIn('Acme 0000, "quoted"', names)
        # a cell a spreadsheet would run is defused
        self.assertIn("'=HYPERLINK(\"http://evil\")", names)
        self.assertNotIn("West secret", r.raw)
        self.assertEqual(list(got[0])[-4:], ["id", "version", "created_at", "updated_at"])

    def test_all_pages(self):
        got = rows(self.export("/api/v1/accounts.csv", self.rep).raw)
        self.assertEqual(len(got), 2501)
        ids = [int(g["id"]) for g in got]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(len(set(ids)), len(ids))

    def test_visibility(self):
        for who, want in (("rep_w", 1), ("rep_e1b", 0), ("mgr_east", 2501), ("mgr_west", 1),
                          ("admin", 2502)):
            got = rows(self.export("/api/v1/accounts.csv", self.o[who]["token"]).raw)
            self.assertEqual(len(got), want, who)
        # the same from the list route by content negotiation
        r = self.export("/api/v1/accounts?industry=Retail", self.other,
                        headers={"Accept": "text/csv"})
        self.assertEqual([g["name"] for g in rows(r.raw)], ["West secret"])

    def test_bad_queries_before_any_byte(self):
        self.assertProblem(self.s.get("/api/v1/accounts.csv?limit=10", self.rep), 400, "limit")
        self.assertProblem(self.s.get("/api/v1/accounts.csv?cursor=x", self.rep), 400, "cursor")
        self.assertProblem(self.s.get("/api/v1/accounts.csv?sort=nope", self.rep), 400, "sort")
        self.assertProblem(self.s.get("/api/v1/accounts.csv?employees_from=x", self.rep), 400,
                           "employees_from")
        self.assertProblem(self.s.get("/api/v1/accounts.csv"), 401)

    def test_other_lists(self):
        deal = self.s.create("opportunities", {"name": "Big, one", "amount": "1234.50",
                                               "account_id": rows(self.export(
                                                   "/api/v1/accounts.csv?q=Acme%200001",
                                                   self.rep).raw)[0]["id"],
                                               "close_date": "2027-01-31"}, self.rep)
        got = rows(self.export("/api/v1/opportunities.csv?status=open", self.rep).raw)
        self.assertEqual([(g["name"], g["amount"]) for g in got], [("Big, one", "1234.50")])
        self.assertEqual(rows(self.export("/api/v1/opportunities.csv", self.other).raw), [])
        users = self.export("/api/v1/users.csv", self.rep).raw
        self.assertNotIn("password", users.splitlines()[0])
        self.assertEqual(int(rows(self.export("/api/v1/opportunities.csv?id=%d" % deal["id"],
                                              self.rep).raw)[0]["id"]), deal["id"])

    def test_read_back_by_funnel_import(self):
        r = self.export("/api/v1/accounts.csv?industry=Retail", self.rep)
        other = Server()
        try:
            path = os.path.join(other.tmp, "back.csv")
            with open(path, "w", newline="") as f:
                f.write(r.raw)
            p = run(["import", "--db", other.db, "accounts", path, "--map", "owner_id=-",
                     "--as", "admin@test.funnel"])
            self.assertEqual(p.returncode, 0, p.stderr)
            back = rows(other.get("/api/v1/accounts.csv?sort=name", other.login()).raw)
            self.assertEqual(sorted(g["name"] for g in back),
                             sorted(g["name"] for g in rows(r.raw)))
        finally:
            other.close()
