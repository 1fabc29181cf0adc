"""funnel import's two paths agree: the set-based bulk path (the default for
accounts, contacts and opportunities) and --row-by-row (record_create per row)
refuse the same rows of the same file with the same words, and write the same
records and stage histories for the rows they take.

Every test_import_export test runs on both paths too (ImportExportRowByRow)."""
import os
import re
import unittest

import harness
from harness import ServerTest, org
import test_import_export

HEADER = "name,account_id,contact_id,owner_id,amount,currency,close_date,stage,status,lost_reason\n"
# the fields a path decides (the rest — id, timestamps — differ by nature)
SAME = ("account_id", "contact_id", "owner_id", "pipeline_id", "amount", "currency",
        "close_date", "channel", "stage", "status", "probability", "forecast_category",
        "lost_reason", "created_by")


class ImportExportRowByRow(test_import_export.ImportExport):
    """The import tests again, through the record engine one row at a time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # write() counts its files on the base class, which does not run here
        base = test_import_export.ImportExport
        base.n = getattr(base, "n", 0)

    def imp(self, *args, input=None):
        return harness.run(["import", "--db", self.s.db, "--row-by-row"] + list(args),
                           input=input)


class BulkParity(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)
        s, o = cls.s, cls.o
        cls.acc = s.create("accounts", {"name": "Parity East", "owner_id": o["rep_e1"]["id"]})
        cls.other = s.create("accounts", {"name": "Parity Other", "owner_id": o["rep_e1"]["id"]})
        cls.west = s.create("accounts", {"name": "Parity West", "owner_id": o["rep_w"]["id"]})
        cls.contact = s.create("contacts", {"first_name": "Ann", "last_name": "Parity",
                                            "account_id": cls.acc["id"],
                                            "owner_id": o["rep_e1"]["id"]})
        cls.n = 0

    def file(self, prefix, rows):
        BulkParity.n += 1
        path = os.path.join(self.s.tmp, "parity%d.csv" % BulkParity.n)
        with open(path, "w", newline="") as f:
            f.write(HEADER + "".join(r.replace("@", prefix) for r in rows))
        return path

    def both(self, rows, *args):
        """Import rows (names '@…') once per path; returns both outcomes."""
        out = {}
        for prefix, flags in (("Rowpath", ["--row-by-row"]), ("Bulkpath", [])):
            p = harness.run(["import", "--db", self.s.db] + flags + list(args) +
                            ["opportunities", self.file(prefix, rows)])
            out[prefix] = p
        for p in out.values():  # the progress line counts bytes of the file
            p.stderr = "".join(l for l in p.stderr.splitlines(True)
                               if " info import: " not in l and "recorded as import" not in l)
        rb, bk = out["Rowpath"], out["Bulkpath"]
        self.assertEqual(rb.returncode, bk.returncode, (rb.stderr, bk.stderr))
        self.assertEqual(rb.stdout, bk.stdout)
        self.assertEqual(rb.stderr.replace("Rowpath", "@"), bk.stderr.replace("Bulkpath", "@"))
        return rb, bk

    def deals(self, prefix):
        r = self.s.get("/api/v1/opportunities?q=%s&sort=name&limit=200"
                       % prefix.replace(" ", "+"), self.s.login())
        self.assertEqual(r.status, 200, r)
        out = []
        for d in r.json["data"]:
            st = self.s.get("/api/v1/opportunities/%d/stages" % d["id"],
                            self.s.login()).json["data"]
            out.append((re.sub("^(Rowpath|Bulkpath)", "@", d["name"]), {k: d[k] for k in SAME},
                        d["closed_at"] is None, d["stage_entered_at"] is None,
                        [(x["stage"], x["exited_at"], x["actor_id"], x["override"], x["reason"])
                         for x in st]))
        return out

    def test_same_refusals_and_same_records(self):
        o, a, c = self.o, self.acc["id"], self.contact["id"]
        e1 = o["rep_e1"]["id"]
        rows = [
            "@ same good,%d,%d,%d,1000.50,EUR,2027-01-31,qualification,,\n" % (a, c, e1),
            "@ same bad stage,%d,,%d,10,EUR,2027-01-31,nope,,\n" % (a, e1),
            "@ same won by status,%d,,%d,10,EUR,2027-01-31,,won,\n" % (a, e1),
            "@ same open by status,%d,,%d,10,EUR,2027-01-31,,open,\n" % (a, e1),
            "@ same contradiction,%d,,%d,10,EUR,2027-01-31,proposal,lost,\n" % (a, e1),
            "@ same no account,999999,,%d,10,EUR,2027-01-31,,,\n" % e1,
            "@ same foreign contact,%d,%d,%d,10,EUR,2027-01-31,,,\n" % (self.other["id"], c, e1),
            "@ same bad amount,%d,,%d,abc,EUR,2027-01-31,,,\n" % (a, e1),
            "@ same no date,%d,,%d,10,EUR,,,,\n" % (a, e1),
            "@ same ghost owner,%d,,987654,10,EUR,2027-01-31,,,\n" % a,
            "@ same lost,%d,,%d,10,EUR,2027-01-31,lost,,budget cut\n" % (a, e1),
            ",999998,,%d,10,EUR,2027-01-31,,,\n" % e1,
            "@ same defaults,%d,,%d,,,2027-02-28,,,\n" % (a, e1),
        ]
        rb, bk = self.both(rows, "--partial")
        self.assertEqual(bk.returncode, 3)
        self.assertIn("4 imported, 9 rejected", bk.stdout)
        err = bk.stderr
        self.assertIn("row 3: stage: 'nope' is not a stage of pipeline", err)
        self.assertIn("row 5: status: give a stage, or leave status out", err)
        self.assertIn("row 6: status: 'lost' contradicts stage 'proposal' (which is open)", err)
        self.assertIn("row 7: account_id: no account with id 999999", err)
        self.assertIn("row 8: contact_id: contact %d does not work for account %d"
                      % (c, self.other["id"]), err)
        self.assertRegex(err, r"row 9: amount: ")
        self.assertIn("row 10: close_date: is required", err)
        self.assertIn("row 11: owner_id: no active user 987654 in the teams you manage", err)
        self.assertIn("row 13: name: is required; account_id: no account with id 999998", err)
        # lines in order, once each
        lines = [int(m) for m in re.findall(r"^row (\d+):", err, re.M)]
        self.assertEqual(lines, sorted(set(lines)))
        rbd, bkd = self.deals("Rowpath same"), self.deals("Bulkpath same")
        self.assertEqual(len(bkd), 4)
        self.assertEqual(rbd, bkd)
        lost = [d for d in bkd if d[0] == "@ same lost"][0]
        self.assertEqual(lost[1]["status"], "lost")
        self.assertFalse(lost[2])  # closed_at set
        self.assertEqual(lost[4], [("lost", None, None, False, "budget cut")])

    def test_all_or_nothing_and_dry_run(self):
        a, e1 = self.acc["id"], self.o["rep_e1"]["id"]
        rows = ["@ aon ok,%d,,%d,5,EUR,2027-03-31,,,\n" % (a, e1),
                "@ aon bad,%d,,%d,5,EUR,2027-13-31,,,\n" % (a, e1)]
        rb, bk = self.both(rows)
        self.assertIn("0 imported, 1 valid, 1 rejected (nothing written)", bk.stdout)
        self.assertEqual(self.deals("Bulkpath aon"), [])
        rb, bk = self.both(rows[:1], "--dry-run")
        self.assertEqual(bk.returncode, 0)
        self.assertIn("(dry run, nothing written)", bk.stdout)
        self.assertEqual(self.deals("Bulkpath aon"), [])

    def test_as_a_rep_sees_and_assigns_only_theirs(self):
        o = self.o
        e1, e1b = o["rep_e1"]["id"], o["rep_e1b"]["id"]
        rows = ["@ rep own,%d,,,5,EUR,2027-03-31,,,\n" % self.acc["id"],
                "@ rep invisible,%d,,,5,EUR,2027-03-31,,,\n" % self.west["id"],
                "@ rep gives away,%d,,%d,5,EUR,2027-03-31,,,\n" % (self.acc["id"], e1b)]
        rb, bk = self.both(rows, "--partial", "--as", o["rep_e1"]["email"])
        self.assertIn("row 3: account_id: no account with id %d" % self.west["id"], bk.stderr)
        self.assertIn("row 4: only managers and admins assign records to others", bk.stderr)
        d = self.deals("Bulkpath rep")
        self.assertEqual([(x[0], x[1]["owner_id"], x[1]["created_by"]) for x in d],
                         [("@ rep own", e1, e1)])
        self.assertEqual(d, self.deals("Rowpath rep"))
        # a manager of another team: the owner is outside what they manage
        rows = ["@ mgr,%d,,%d,5,EUR,2027-03-31,,,\n" % (self.acc["id"], e1)]
        rb, bk = self.both(rows, "--as", o["mgr_west"]["email"])
        self.assertIn("row 2: ", bk.stderr)
        self.assertIn("owner_id: no active user %d in the teams you manage" % e1, bk.stderr)

    def test_many_rows_rebuild_the_indexes(self):
        """More rows than the table holds and over 10,000: the bulk path drops
        and remakes the table's indexes inside its transaction."""
        db = self.s.db
        before = harness.run(["export", "--db", db, "opportunities"]).stdout.count("\n")
        a, e1 = self.acc["id"], self.o["rep_e1"]["id"]
        path = os.path.join(self.s.tmp, "many.csv")
        with open(path, "w") as f:
            f.write(HEADER)
            for i in range(12000):
                f.write("Manyrows %d,%d,,%d,%d,EUR,2027-04-30,proposal,,\n" % (i, a, e1, i))
        p = harness.run(["import", "--db", db, "opportunities", path])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("12000 imported, 0 rejected", p.stdout)
        r = self.s.get("/api/v1/opportunities?q=Manyrows&stage=proposal&limit=1",
                       self.s.login())
        self.assertEqual(r.status, 200, r)
        idx = harness.run(["export", "--db", db, "opportunities"]).stdout.count("\n")
        self.assertEqual(idx, before + 12000)
        con = harness.connect(db)
        names = {n for (n,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'opportunities'")}
        self.assertIn("opportunities_owner_status_close", names)
        names = {n for (n,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'stage_history'")}
        self.assertIn("stage_history_opp", names)
        self.assertEqual(con.execute("SELECT count(*) FROM stage_history s JOIN opportunities o "
                                     "ON o.id = s.opportunity_id WHERE o.name LIKE 'Manyrows %'"
                                     ).fetchone()[0], 12000)
        if not harness.PG:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        con.close()

    def test_webhooks_hear_of_imported_deals(self):
        """The outbox triggers fire for rows written in bulk (runs last: the
        endpoint stays registered)."""
        r = self.s.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/hook",
                                             "events": ["opportunity.created"]},
                        self.s.login())
        self.assertEqual(r.status, 201, r)
        a, e1 = self.acc["id"], self.o["rep_e1"]["id"]
        p = harness.run(["import", "--db", self.s.db, "opportunities", self.file("Hooked", [
            "@ one,%d,,%d,5,EUR,2027-03-31,,,\n" % (a, e1),
            "@ two,%d,,%d,5,EUR,2027-03-31,,,\n" % (a, e1)])])
        self.assertEqual(p.returncode, 0, p.stderr)
        con = harness.connect(self.s.db)
        n = con.execute("SELECT count(*) FROM webhook_events e JOIN opportunities o ON "
                        "o.id = e.record_id WHERE e.event = 'opportunity.created' AND "
                        "o.name LIKE 'Hooked %'").fetchone()[0]
        con.close()
        self.assertEqual(n, 2)


if __name__ == "__main__":
    unittest.main()
