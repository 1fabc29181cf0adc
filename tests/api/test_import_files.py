"""Files as people have them: funnel import reads UTF-8 with or without a
byte order mark, Windows-1252 and Latin-1 (--encoding; a file that is not
UTF-8 is refused with the hint), CRLF, ';' ',' or tab as the separator
(found from the header, --delimiter overrides), quoted line breaks, and dates
as 2026-03-31, 31/03/2026, 3/31/2026 or Excel serials — refusing a file
whose dates read both ways, naming the column and a line, until
--date-format says which.  Every case on both paths (bulk and row by row).
"""
import os
import unittest

import harness
from harness import ServerTest, org

PATHS = ([], ["--row-by-row"])


class ImportFiles(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)
        cls.rep = cls.o["rep_e1"]["id"]
        cls.acc = cls.s.create("accounts", {"name": "Files Host", "owner_id": cls.rep})["id"]
        cls.n = 0

    def write(self, data):
        ImportFiles.n += 1
        path = os.path.join(self.s.tmp, "f%d.csv" % ImportFiles.n)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def imp(self, *args, input=None):
        return harness.run(["import", "--db", self.s.db] + list(args), input=input)

    def accounts(self, q):
        r = self.s.get("/api/v1/accounts?q=%s&sort=name&limit=200" % q, self.s.login())
        return [(a["name"], a["address"]) for a in r.json["data"]]

    def deals(self, q):
        r = self.s.get("/api/v1/opportunities?q=%s&sort=name&limit=200" % q, self.s.login())
        return [(d["name"], d["close_date"]) for d in r.json["data"]]

    def test_bom_crlf_semicolon_and_quoted_line_breaks(self):
        for i, flags in enumerate(PATHS):
            text = ("name;address;owner_id\r\n"
                    "Semi%d One;\"1 Main St\r\nSpringfield\";%d\r\n"
                    "\"Semi%d; Two\";;%d\r\n" % (i, self.rep, i, self.rep))
            p = self.imp(*flags, "accounts", self.write(b"\xef\xbb\xbf" + text.encode()))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(self.accounts("Semi%d" % i),
                             [("Semi%d One" % i, "1 Main St\r\nSpringfield"),
                              ("Semi%d; Two" % i, None)])

    def test_tab_and_delimiter_override(self):
        for i, flags in enumerate(PATHS):
            p = self.imp(*flags, "accounts", self.write(
                ("name\towner_id\nTab%d, Inc.\t%d\n" % (i, self.rep)).encode()))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(self.accounts("Tab%d" % i), [("Tab%d, Inc." % i, None)])
            # the header alone would say ','; the user says '|'
            path = self.write(("name|owner_id\nPipe%d, Ltd|%d\n" % (i, self.rep)).encode())
            p = self.imp(*flags, "--delimiter", "|", "accounts", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(self.accounts("Pipe%d" % i), [("Pipe%d, Ltd" % i, None)])
        p = self.imp("--delimiter", "x", "accounts", path)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--delimiter", p.stderr)

    def test_windows_1252_and_latin_1(self):
        for i, flags in enumerate(PATHS):
            name = "Caf\u00e9 M\u00fcller %d \u20ac" % i
            data = ("name,owner_id\n%s,%d\n" % (name, self.rep)).encode("cp1252")
            path = self.write(data)
            p = self.imp(*flags, "accounts", path)
            self.assertEqual(p.returncode, 3)
            self.assertIn("row 2: cell 1 is not valid UTF-8", p.stderr)
            self.assertIn("--encoding windows-1252", p.stderr)
            p = self.imp(*flags, "--encoding", "windows-1252", "accounts", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(self.accounts("M%C3%BCller+" + str(i)), [(name, None)])
            latin = "S\u00e3o Jos\u00e9 %d" % i
            p = self.imp(*flags, "--encoding", "latin-1", "accounts", self.write(
                ("name,owner_id\n%s,%d\n" % (latin, self.rep)).encode("latin-1")))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(self.accounts("Jos%C3%A9+" + str(i)), [(latin, None)])
        # a byte Windows-1252 has no character for
        p = self.imp("--encoding", "cp1252", "accounts",
                     self.write(b"name,owner_id\nBad \x81,1\n"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("0x81", p.stderr)
        p = self.imp("--encoding", "ebcdic", "accounts", path)
        self.assertEqual(p.returncode, 2)
        self.assertIn("utf-8, windows-1252, latin-1", p.stderr)

    def deal_file(self, tag, dates):
        rows = "".join("%s %d,%d,%d,%s\n" % (tag, k, self.acc, self.rep, d)
                       for k, d in enumerate(dates))
        return self.write(("name,account_id,owner_id,close_date\n" + rows).encode())

    def test_dates_in_every_form(self):
        for i, flags in enumerate(PATHS):
            tag = "Dmy%d" % i
            # 31/03 decides: day first, so 03/04 is 3 April
            p = self.imp(*flags, "opportunities", self.deal_file(
                tag, ["03/04/2026", "31/03/2026", "2026-03-31", "46112", "46112.75",
                      "2026-05-01T09:30:00.000Z", "1.2.2027"]))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual([d for _, d in self.deals(tag)],
                             ["2026-04-03", "2026-03-31", "2026-03-31", "2026-03-31",
                              "2026-03-31", "2026-05-01", "2027-02-01"])
            tag = "Mdy%d" % i
            p = self.imp(*flags, "opportunities",
                         self.deal_file(tag, ["03/04/2026", "3/31/2026"]))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual([d for _, d in self.deals(tag)], ["2026-03-04", "2026-03-31"])

    def test_ambiguous_dates_refused_until_said(self):
        out = []
        for i, flags in enumerate(PATHS):
            tag = "Amb%d" % i
            path = self.deal_file(tag, ["2026-01-31", "03/04/2026", "05/06/2026"])
            p = self.imp(*flags, "opportunities", path)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("column 'close_date' has dates like '03/04/2026' (line 3)", p.stderr)
            self.assertIn("--date-format dmy", p.stderr)
            self.assertEqual(self.deals(tag), [])
            p = self.imp(*flags, "--date-format", "mdy", "opportunities", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual([d for _, d in self.deals(tag)],
                             ["2026-01-31", "2026-03-04", "2026-05-06"])
            # a date that contradicts the order is a rejected row, in the same words
            tag = "Mix%d" % i
            p = self.imp(*flags, "--partial", "opportunities",
                         self.deal_file(tag, ["31/03/2026", "3/31/2026"]))
            self.assertEqual(p.returncode, 3)
            out.append(p.stderr.replace(tag, "@"))
            self.assertIn("row 3: close_date: '3/31/2026' is not a day-first date, as "
                          "line 2 ('31/03/2026') says", p.stderr)
            # from standard input nothing is read ahead: the ambiguous row is refused
            tag = "Pipe%d" % i
            with open(self.deal_file(tag, ["03/04/2026", "2026-01-01"])) as f:
                text = f.read()
            p = self.imp(*flags, "--partial", "opportunities", "-", input=text)
            self.assertEqual(p.returncode, 3)
            self.assertIn("row 2: close_date: '03/04/2026' reads as day/month or "
                          "month/day: say which with --date-format", p.stderr)
        p = self.imp("--date-format", "ymd?", "opportunities", path)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main()
