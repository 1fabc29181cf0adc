"""E-mail logging (docs/email-logging.md): a message posted to
/api/v1/email_log or read from a BCC mailbox on a real IMAP server (Debian's
Dovecot, tests/api/imap_server.py) lands on the timelines of the contacts it
was to or from, as its owner, once per Message-ID; someone else's mail is
refused, what is not mail is a 400, and the database is otherwise
unchanged."""
import sqlite3
import time
import unittest
import urllib.parse

from harness import Server, ServerTest, org
from imap_server import ImapServer, available

P = "/api/v1/email_log"


def message(frm, to, subject="Quote", mid=None, cc=None, body="Hello\r\n", date=None,
            headers=""):
    return ("From: %s\r\nTo: %s\r\n%sSubject: %s\r\nDate: %s\r\n%s%s"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s" % (
                frm, to, ("Cc: %s\r\n" % cc) if cc else "", subject,
                date or "Mon, 07 Dec 2026 10:15:00 +0100",
                ("Message-ID: <%s>\r\n" % mid) if mid else "", headers, body))


class EmailLog(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)
        rep = cls.o["rep_e1"]["token"]
        acct = cls.s.create("accounts", {"name": "Globex"}, rep)
        cls.ann = cls.s.create("contacts", {"account_id": acct["id"], "first_name": "Ann",
                                            "last_name": "Buyer", "email": "Ann@Globex.example"},
                               rep)
        cls.bob = cls.s.create("contacts", {"account_id": acct["id"], "first_name": "Bob",
                                            "last_name": "Tech", "email": "bob@globex.example"},
                               rep)
        # a contact of another team's rep: not rep_e1's to log on
        w = cls.s.create("accounts", {"name": "Initech"}, cls.o["rep_w"]["token"])
        cls.wendy = cls.s.create("contacts", {"account_id": w["id"], "last_name": "Wendy",
                                              "email": "wendy@initech.example"},
                                 cls.o["rep_w"]["token"])

    def post(self, raw, token, ctype="message/rfc822"):
        return self.s.request("POST", P, raw=raw.encode() if isinstance(raw, str) else raw,
                              token=token, content_type=ctype)

    def emails_on(self, contact, token=None):
        q = urllib.parse.urlencode({"related_type": "contact", "related_id": contact["id"],
                                    "type": "email", "limit": 200})
        r = self.s.get("/api/v1/activities?" + q, token or self.o["admin"]["token"])
        self.assertEqual(r.status, 200, r)
        return r.json["data"]

    def count(self, table):
        db = sqlite3.connect(self.s.db)
        try:
            return db.execute("SELECT count(*) FROM %s" % table).fetchone()[0]
        finally:
            db.close()

    def test_a_sent_mail_lands_on_each_contact_once(self):
        rep = self.o["rep_e1"]
        raw = ("From: rep_e1 <rep_e1@test.funnel>\r\nTo: =?ISO-8859-1?Q?Ann_M=FCller?= "
               "<ann@globex.example>\r\nCc: bob@globex.example, someone@elsewhere.example\r\n"
               "Subject: =?UTF-8?B?WW91ciBxdW90ZSDigJQgUTQ=?=\r\n"
               "Date: Mon, 07 Dec 2026 10:15:00 +0100\r\nMessage-ID: <q4-quote@test.funnel>\r\n"
               "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
               "--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
               "Gr=FC=DFe, here is the quote.\r\n--b1\r\nContent-Type: text/html\r\n\r\n"
               "<p>HTML</p>\r\n--b1--\r\n")
        r = self.post(raw, rep["token"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["activities"]), ("logged", 2))
        quote = lambda c: [a for a in self.emails_on(c)  # noqa: E731
                           if a["subject"] == "Your quote \u2014 Q4"]
        (a,) = quote(self.ann)
        self.assertEqual(a["owner_id"], rep["id"])
        self.assertEqual(a["done_at"], "2026-12-07T09:15:00Z")
        self.assertIn("Sent by rep_e1@test.funnel", a["notes"])
        self.assertIn("Gr\u00fc\u00dfe, here is the quote.", a["notes"])
        self.assertNotIn("HTML", a["notes"])
        self.assertEqual(len(quote(self.bob)), 1)
        # the same message again (BCC'd twice, a mailbox read twice): nothing more
        r = self.post(raw, rep["token"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["activities"]), ("duplicate", 0))
        self.assertEqual(len(quote(self.ann)), 1)
        # the log: the rep sees theirs, with the activities it made
        r = self.s.get(P, rep["token"])
        self.assertEqual(r.status, 200, r)
        mine = [x for x in r.json["data"] if x["message_id"] == "<q4-quote@test.funnel>"]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["status"], "logged")
        self.assertEqual(sorted(x["contact_id"] for x in mine[0]["activities"]),
                         sorted([self.ann["id"], self.bob["id"]]))
        # another rep's log does not show it
        r = self.s.get(P, self.o["rep_w"]["token"])
        self.assertFalse([x for x in r.json["data"] if x["message_id"] == "<q4-quote@test.funnel>"])

    def test_a_received_mail_belongs_to_who_received_it(self):
        rep = self.o["rep_e1"]
        r = self.post(message("Bob Tech <bob@globex.example>", "rep_e1@test.funnel",
                              subject="Re: specs", mid="re-specs@globex.example"),
                      self.o["admin"]["token"])  # a gateway's admin token
        self.assertEqual((r.status, r.json["status"]), (200, "logged"), r)
        got = [a for a in self.emails_on(self.bob) if a["subject"] == "Re: specs"]
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["owner_id"], rep["id"])
        self.assertIn("Received from bob@globex.example", got[0]["notes"])

    def test_only_ones_own_mail_and_only_contacts_one_sees(self):
        before = (self.count("activities"), self.count("email_log"))
        # rep_w hands over rep_e1's mail: refused, nothing kept
        r = self.post(message("rep_e1@test.funnel", "ann@globex.example", mid="not-yours@x"),
                      self.o["rep_w"]["token"])
        self.assertProblem(r, 403)
        # rep_e1 writes to a contact of another team's: nothing of theirs to log on
        r = self.post(message("rep_e1@test.funnel", "wendy@initech.example", mid="w1@x"),
                      self.o["rep_e1"]["token"])
        self.assertEqual((r.status, r.json["status"], r.json["id"]), (200, "unmatched", None), r)
        # nobody at all in Funnel, as an admin gateway: told, not kept
        r = self.post(message("x@outside.example", "ann@globex.example", mid="spam@x"),
                      self.o["admin"]["token"])
        self.assertEqual((r.status, r.json["status"]), (200, "refused"), r)
        self.assertEqual((self.count("activities"), self.count("email_log")), before)
        self.assertEqual(self.emails_on(self.wendy, self.o["rep_w"]["token"]), [])

    def test_bad_input(self):
        before = (self.count("activities"), self.count("email_log"))
        tok = self.o["rep_e1"]["token"]
        self.assertProblem(self.post(message("rep_e1@test.funnel", "ann@globex.example"), tok,
                                     ctype="application/json"), 415)
        self.assertProblem(self.post("", tok), 400)
        self.assertProblem(self.post("just some words, no headers\r\n", tok), 400)
        self.assertProblem(self.post(b"\x00\xff\xfe" * 100, tok), 400)
        self.assertProblem(self.post(message("rep_e1@test.funnel", "ann@globex.example"), None),
                           401)
        self.assertProblem(self.s.get(P + "?limit=0", tok), 400, "limit")
        self.assertProblem(self.s.get(P + "?color=red", tok), 400, "color")
        self.assertEqual((self.count("activities"), self.count("email_log")), before)


@unittest.skipUnless(available(), "dovecot is not installed (scripts/deps.sh)")
class BccMailbox(unittest.TestCase):
    """The reader of `funnel serve --imap`, against a real IMAP server."""

    @classmethod
    def setUpClass(cls):
        cls.imap = ImapServer()
        cls.s = Server(args=["--imap-interval", "1"], env={"FUNNEL_IMAP_URL": cls.imap.url})
        cls.o = org(cls.s)
        acct = cls.s.create("accounts", {"name": "Umbrella"}, cls.o["rep_e1"]["token"])
        cls.cara = cls.s.create("contacts", {"account_id": acct["id"], "last_name": "Cara",
                                             "email": "cara@umbrella.example"},
                                cls.o["rep_e1"]["token"])

    @classmethod
    def tearDownClass(cls):
        cls.s.close()
        cls.imap.stop()

    def log(self):
        return self.s.get(P + "?limit=200", self.o["admin"]["token"]).json["data"]

    def wait(self, n, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.log()
            if len(got) >= n:
                return got
            time.sleep(0.2)
        raise AssertionError("the log has %d of %d entries; server log: %s" % (
            len(self.log()), n, open(self.s.log.name).read()[-1500:]))

    def test_the_mailbox_is_read_once_and_where_it_stopped(self):
        self.imap.append(message("rep_e1@test.funnel", "cara@umbrella.example",
                                 subject="Kick-off", mid="kick@test.funnel"))
        self.imap.append(message("rep_e1@test.funnel", "nobody@nowhere.example",
                                 subject="Lunch?", mid="lunch@test.funnel"))
        got = self.wait(2)
        by = {x["message_id"]: x for x in got}
        self.assertEqual(by["<kick@test.funnel>"]["status"], "logged")
        self.assertEqual(by["<kick@test.funnel>"]["source"], "imap")
        self.assertEqual(by["<lunch@test.funnel>"]["status"], "unmatched")
        q = urllib.parse.urlencode({"related_type": "contact", "related_id": self.cara["id"]})
        acts = self.s.get("/api/v1/activities?" + q, self.o["rep_e1"]["token"]).json["data"]
        self.assertEqual([a["subject"] for a in acts], ["Kick-off"])
        # a restart goes on where it stopped: nothing twice, the next one taken
        self.s.stop()
        self.s.start()
        self.imap.append(message("Cara <cara@umbrella.example>", "rep_e1@test.funnel",
                                 subject="Re: Kick-off", mid="re-kick@umbrella.example"))
        got = self.wait(3)
        self.assertEqual(len(got), 3)
        time.sleep(2.5)  # two more reads: still three
        self.assertEqual(len(self.log()), 3)
        acts = self.s.get("/api/v1/activities?" + q, self.o["rep_e1"]["token"]).json["data"]
        self.assertEqual(sorted(a["subject"] for a in acts), ["Kick-off", "Re: Kick-off"])


if __name__ == "__main__":
    unittest.main()
