"""funnel import and funnel export, run against the database of a live server.

Import: a good file lands and shows through the API; one bad row among good
ones rejects the whole file (exit 3, nothing written, each bad row reported
with its line and field); --partial keeps the good rows; --dry-run writes
nothing; --map renames and skips columns; an unknown column stops before any
row (exit 2); malformed CSV is reported by line, never a crash.
Export: every record (or what one user sees) as CSV; export then import into
a fresh database gives back every field.
"""
import csv
import io
import os
import unittest

import harness
from harness import Server, ServerTest, org

SERVER_COLS = ("id", "version", "created_at", "updated_at")


def parse_csv(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


class ImportExport(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)
        cls.n = 0

    def write(self, text, name=None, mode="w"):
        ImportExport.n += 1
        path = os.path.join(self.s.tmp, name or "in%d.csv" % ImportExport.n)
        with open(path, mode, newline="" if mode == "w" else None) as f:
            f.write(text)
        return path

    def imp(self, *args, input=None):
        return harness.run(["import", "--db", self.s.db] + list(args), input=input)

    def exp(self, *args):
        return harness.run(["export", "--db", self.s.db] + list(args))

    def names(self, resource, q, token=None):
        r = self.s.get("/api/v1/%s?q=%s&limit=200" % (resource, q), token or self.s.login())
        self.assertEqual(r.status, 200, r)
        return sorted(x["name"] for x in r.json["data"])

    # --- import ---------------------------------------------------------------

    def test_good_file_is_imported_and_visible(self):
        rep = self.o["rep_e1"]
        path = self.write(
            "name,domain,employees,address,owner_id\n"
            'Goodco One,one.example,12,"1 Main St, Suite 2\nSpringfield",%d\n'
            "Goodco Two,,,,%d\n"
            '"Goodco ""Three""",three.example,0,,%d\n' % (rep["id"], rep["id"], rep["id"]))
        p = self.imp("accounts", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("3 imported, 0 rejected", p.stdout)
        self.assertEqual(self.names("accounts", "Goodco"),
                         ['Goodco "Three"', "Goodco One", "Goodco Two"])
        # the owner sees them; a rep of another team does not
        self.assertEqual(len(self.names("accounts", "Goodco", rep["token"])), 3)
        self.assertEqual(self.names("accounts", "Goodco", self.o["rep_w"]["token"]), [])
        r = self.s.get("/api/v1/accounts?q=Goodco%20One", self.s.login())
        one = r.json["data"][0]
        self.assertEqual(one["address"], "1 Main St, Suite 2\nSpringfield")
        self.assertEqual(one["employees"], 12)
        self.assertEqual(one["owner_id"], rep["id"])
        two = self.s.get("/api/v1/accounts?q=Goodco%20Two", self.s.login()).json["data"][0]
        self.assertIsNone(two["domain"])  # an empty cell is not given
        self.assertIsNone(two["employees"])

    def bad_file(self, prefix):
        rep = self.o["rep_e1"]["id"]
        return self.write(
            "name,employees,owner_id\n"          # line 1
            "%s A,10,%d\n"                        # line 2: good
            "%s B,many,%d\n"                      # line 3: employees
            "%s C,5,%d\n"                         # line 4: good
            ",7,987654\n"                         # line 5: name and owner
            % (prefix, rep, prefix, rep, prefix, rep))

    def test_bad_row_rejects_whole_file(self):
        p = self.imp("accounts", self.bad_file("Allornone"))
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("0 imported, 2 valid, 2 rejected (nothing written)", p.stdout)
        self.assertIn("row 3: employees: must be an integer", p.stderr)
        self.assertRegex(p.stderr, r"row 5: .*name: is required")
        self.assertRegex(p.stderr, r"row 5: .*owner_id: no active user 987654")
        self.assertNotIn("row 2", p.stderr)
        self.assertNotIn("row 4", p.stderr)
        self.assertEqual(self.names("accounts", "Allornone"), [])

    def test_partial_keeps_good_rows(self):
        p = self.imp("accounts", self.bad_file("Partial"), "--partial")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("2 imported, 2 rejected", p.stdout)
        self.assertIn("row 3: employees:", p.stderr)
        self.assertEqual(self.names("accounts", "Partial"), ["Partial A", "Partial C"])

    def test_dry_run_writes_nothing(self):
        path = self.write("name,owner_id\nDryrun A,1\nDryrun B,1\n")
        p = self.imp("accounts", path, "--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("0 imported, 2 valid, 0 rejected (dry run, nothing written)", p.stdout)
        self.assertEqual(self.names("accounts", "Dryrun"), [])
        p = self.imp("accounts", self.bad_file("Dryrunbad"), "--dry-run")
        self.assertEqual(p.returncode, 3)
        self.assertIn("2 valid, 2 rejected", p.stdout)

    def test_map_and_as(self):
        rep = self.o["rep_w"]
        path = self.write("Company Name,Web,Remarks,Headcount\n"
                          "Mapped One,m1.example,call back,40\n"
                          "Mapped Two,m2.example,,\n")
        p = self.imp("accounts", path, "--map", "Company Name=name,Web=domain,Remarks=-",
                     "--map", "Headcount=employees", "--as", rep["email"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2 imported, 0 rejected", p.stdout)
        r = self.s.get("/api/v1/accounts?q=Mapped&sort=name", rep["token"])
        self.assertEqual([(a["name"], a["domain"], a["employees"], a["owner_id"])
                          for a in r.json["data"]],
                         [("Mapped One", "m1.example", 40, rep["id"]),
                          ("Mapped Two", "m2.example", None, rep["id"])])
        # a rep cannot give records to someone else
        path = self.write("name,owner_id\nNotmine,%d\n" % self.o["rep_e1"]["id"])
        p = self.imp("accounts", path, "--as", rep["email"])
        self.assertEqual(p.returncode, 3)
        self.assertIn("row 2: only managers and admins assign records to others", p.stderr)

    def test_without_owner_rows_are_rejected_with_hint(self):
        p = self.imp("accounts", self.write("name\nOwnerless\n"))
        self.assertEqual(p.returncode, 3)
        self.assertIn("row 2: owner_id: is required", p.stderr)
        self.assertIn("--as EMAIL", p.stderr)

    def test_unknown_column_stops_before_reading(self):
        path = self.write("name,colour,size\nUnknowncol,red,3\n")
        p = self.imp("accounts", path, "--as", harness.ADMIN_EMAIL)
        self.assertEqual(p.returncode, 2)
        self.assertIn("'colour', 'size'", p.stderr)
        self.assertIn("domain", p.stderr)  # lists the fields
        self.assertNotIn("imported", p.stdout)
        self.assertEqual(self.names("accounts", "Unknowncol"), [])
        # a --map naming a field that does not exist, or a missing column
        p = self.imp("accounts", path, "--map", "colour=hue")
        self.assertEqual(p.returncode, 2)
        self.assertIn("'hue' is not a field of accounts", p.stderr)
        p = self.imp("accounts", path, "--map", "colour=-,size=-,shape=-")
        self.assertEqual(p.returncode, 2)
        self.assertIn("'shape'", p.stderr)

    def test_usage_errors(self):
        self.assertEqual(self.imp("users", "x.csv").returncode, 2)
        self.assertEqual(self.imp("accounts").returncode, 2)
        self.assertEqual(self.imp("accounts", "x.csv", "--bogus").returncode, 2)
        p = self.imp("accounts", "/nonexistent/file.csv")
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot open", p.stderr)
        p = harness.run(["import", "--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn("--partial", p.stdout)

    def test_malformed_csv(self):
        raw = (b"name,address,owner_id\n"
               b"Malformed A,1,1\n"               # 2 good
               b"Malformed B,2\n"                 # 3 too few cells
               b"Malformed \xff,3,1\n"            # 4 bad UTF-8
               b"Malformed \"C\",4,1\n"           # 5 quote in an unquoted cell
               b"Malformed D,\"5\nfive\",1\n"     # 6-7 fine: a line break in a cell
               b"Malformed E,6,1,extra\n")        # 8 too many cells
        path = self.write(raw, mode="wb")
        p = self.imp("accounts", path, "--partial")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("2 imported, 4 rejected", p.stdout)
        self.assertIn("row 3: has 2 cells where the header has 3", p.stderr)
        self.assertIn("row 4: cell 1 is not valid UTF-8", p.stderr)
        self.assertIn("row 5: a quote inside an unquoted cell", p.stderr)
        self.assertIn("row 8: has 4 cells where the header has 3", p.stderr)
        self.assertEqual(self.names("accounts", "Malformed"), ["Malformed A", "Malformed D"])
        # a quote never closed breaks the file: exit 3 with its line, nothing written
        path = self.write(b'name,owner_id\nUnclosed A,1\n"Unclosed B,1\nUnclosed C,1\n',
                          mode="wb")
        p = self.imp("accounts", path, "--partial")
        self.assertEqual(p.returncode, 3)
        self.assertIn("line 3: a quoted cell is never closed", p.stderr)
        self.assertIn("nothing written", p.stdout)
        self.assertEqual(self.names("accounts", "Unclosed"), [])
        # a row over 1 MiB is rejected, its neighbours are not
        path = self.write("name,owner_id\nLong A,1\n" + "x" * (1 << 20) + ",1\nLong B,1\n")
        p = self.imp("accounts", path, "--partial")
        self.assertEqual(p.returncode, 3)
        self.assertIn("row 3: the row is longer than 1048576 bytes", p.stderr)
        self.assertEqual(self.names("accounts", "Long"), ["Long A", "Long B"])
        # an empty file
        p = self.imp("accounts", self.write(""))
        self.assertEqual(p.returncode, 3)
        self.assertIn("empty", p.stderr)

    def test_stdin_crlf_bom_and_export_columns(self):
        # what a spreadsheet saves: BOM, CRLF; and an export's own columns
        text = ("\ufeffname,domain,id,version,created_at,updated_at,owner_id\r\n"
                "Stdin One,s1.example,77,3,2020-01-01T00:00:00Z,2020-01-01T00:00:00Z,1\r\n")
        p = self.imp("accounts", "-", input=text)
        self.assertEqual(p.returncode, 0, p.stderr)
        r = self.s.get("/api/v1/accounts?q=Stdin", self.s.login()).json["data"]
        self.assertEqual([(a["name"], a["domain"], a["version"]) for a in r],
                         [("Stdin One", "s1.example", 1)])
        self.assertNotEqual(r[0]["id"], 77)

    def test_spreadsheet_padding_is_skipped(self):
        # a nameless trailing column and rows of empty cells, as spreadsheets save them
        path = self.write("name,owner_id,\nPadded One,1,\n,,\nPadded Two,1,\n,,\n")
        p = self.imp("accounts", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2 imported, 0 rejected", p.stdout)
        self.assertEqual(self.names("accounts", "Padded"), ["Padded One", "Padded Two"])

    # --- export ---------------------------------------------------------------

    def test_export_as_rep_shows_only_theirs(self):
        o = self.o
        a1 = self.s.create("accounts", {"name": "Exportvis E1", "owner_id": o["rep_e1"]["id"]})
        a2 = self.s.create("accounts", {"name": "Exportvis W", "owner_id": o["rep_w"]["id"]})
        p = self.exp("accounts", "--as", o["rep_e1"]["email"], "--where", "q=Exportvis")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = parse_csv(p.stdout)
        self.assertEqual([(r["name"], int(r["id"])) for r in rows], [("Exportvis E1", a1["id"])])
        # the admin sees both; the manager of East only East's
        rows = parse_csv(self.exp("accounts", "--where", "q=Exportvis").stdout)
        self.assertEqual(sorted(r["name"] for r in rows), ["Exportvis E1", "Exportvis W"])
        rows = parse_csv(self.exp("accounts", "--where", "q=Exportvis",
                                  "--as", o["mgr_east"]["email"]).stdout)
        self.assertEqual([r["name"] for r in rows], ["Exportvis E1"])
        # filters, and --out
        out = os.path.join(self.s.tmp, "w.csv")
        p = self.exp("accounts", "--where", "owner_id=%d" % o["rep_w"]["id"], "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "")
        with open(out, newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertIn(a2["id"], [int(r["id"]) for r in rows])
        self.assertTrue(all(int(r["owner_id"]) == o["rep_w"]["id"] for r in rows))
        self.assertFalse(os.path.exists(out + ".partial"))

    def test_export_errors(self):
        self.assertEqual(self.exp("users").returncode, 2)
        self.assertEqual(self.exp("accounts", "--where", "colour=red").returncode, 2)
        self.assertEqual(self.exp("accounts", "--as", "nobody@nowhere.test").returncode, 2)
        p = harness.run(["export", "--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn("--where", p.stdout)

    def test_export_header_and_formula_guard(self):
        self.s.create("accounts", {"name": "=HYPERLINK(\"x\")", "industry": "Guardtest"})
        out = os.path.join(self.s.tmp, "guard.csv")
        p = self.exp("accounts", "--where", "industry=Guardtest", "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, "rb") as f:
            lines = f.read().decode().split("\r\n")  # RFC 4180 line ends
        self.assertEqual(lines[0], "name,domain,industry,territory,employees,phone,website,"
                                   "address,owner_id,id,version,created_at,updated_at")
        self.assertTrue(lines[1].startswith('"\'=HYPERLINK(""x"")",'), lines[1])


class RoundTrip(unittest.TestCase):
    """Export from one database, import into a fresh one: every field comes
    back (ids too, as both start empty and rows go in id order)."""

    RESOURCES = ["accounts", "contacts", "leads", "opportunities", "activities"]

    def test_round_trip(self):
        src = Server()
        dst = Server()
        try:
            self.fill(src)
            for res in self.RESOURCES:
                out = os.path.join(src.tmp, res + ".csv")
                p = harness.run(["export", "--db", src.db, res, "--out", out], check=True)
                p = harness.run(["import", "--db", dst.db, res, out])
                self.assertEqual(p.returncode, 0, res + ": " + p.stderr)
                a = parse_csv(harness.run(["export", "--db", src.db, res], check=True).stdout)
                b = parse_csv(harness.run(["export", "--db", dst.db, res], check=True).stdout)
                self.assertEqual(len(a), len(b), res)
                self.assertGreater(len(a), 0, res)
                for x, y in zip(a, b):
                    for k in x:
                        if k in ("created_at", "updated_at", "stage_entered_at", "version"):
                            continue
                        self.assertEqual(x[k], y[k], "%s %s: %r != %r" % (res, k, x[k], y[k]))
                # and the API of the new database agrees with the old one
                ta, tb = src.login(), dst.login()
                ra = src.get("/api/v1/%s?limit=200" % res, ta).json["data"]
                rb = dst.get("/api/v1/%s?limit=200" % res, tb).json["data"]
                strip = ("created_at", "updated_at", "stage_entered_at", "created_by")
                self.assertEqual([{k: v for k, v in r.items() if k not in strip} for r in ra],
                                 [{k: v for k, v in r.items() if k not in strip} for r in rb])
        finally:
            src.close()
            dst.close()

    def fill(self, s):
        acc = s.create("accounts", {
            "name": 'Round "Trip", Inc.', "domain": "rt.example", "industry": "Café ☕",
            "territory": "North", "employees": 250, "phone": "+1 555 0100",
            "website": "https://rt.example/a,b", "address": "Line 1\nLine 2\r\nLine 3"})
        s.create("accounts", {"name": "=1+2", "industry": "-cmd", "employees": 0,
                              "territory": "  spaced  "})
        s.create("accounts", {"name": "Plain", "phone": "-5"})
        con = s.create("contacts", {
            "account_id": acc["id"], "first_name": "Zoë", "last_name": "O'Brien",
            "email": "zoe@rt.example", "title": "CTO, EMEA", "decision_maker": True})
        s.create("contacts", {"account_id": acc["id"], "last_name": "Second"})
        s.create("leads", {"last_name": "Lead", "company": "LeadCo", "email": "l@lc.example",
                           "source": "web", "channel": "web", "status": "working"})
        opp = s.create("opportunities", {
            "name": "Big deal", "account_id": acc["id"], "contact_id": con["id"],
            "amount": "12345.67", "currency": "USD", "close_date": "2026-12-31",
            "channel": "field", "probability": 35, "forecast_category": "best_case"})
        s.create("opportunities", {"name": "Yen deal", "account_id": acc["id"],
                                   "amount": "5000", "currency": "JPY",
                                   "close_date": "2027-01-15"})
        s.create("activities", {"type": "call", "subject": "Intro call",
                                "notes": "Said \"yes\",\nmaybe", "due_at": "2026-11-30T10:00:00Z",
                                "related_type": "opportunity", "related_id": opp["id"]})


if __name__ == "__main__":
    unittest.main()
