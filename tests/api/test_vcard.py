"""Contacts as vCards (docs/calendar-vcard.md): one contact and a filtered
list out as vCard 4.0, files in as 4.0, 3.0 and 2.1 — as Apple Contacts and
Google Contacts export them (built from their published format) — matched on
e-mail to update instead of duplicating, bad cards reported by line, the
command line's `funnel import contacts file.vcf`, and a round trip from one
server into another that keeps every field."""
import os
import unittest

from harness import Server, ServerTest, org, run

# Apple Contacts (macOS "Export vCard…"): vCard 3.0, lower-case type=, item
# groups with X-ABLabel/X-ABADR, TYPE=pref on the preferred address, an
# inline base64 PHOTO folded over lines, X-ABUID with an escaped colon.
APPLE = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//macOS 14.5//EN\r\n"
    "N:Appleseed;Johnny;;Mr.;\r\n"
    "FN:Mr. Johnny Appleseed\r\n"
    "ORG:Orchard Computers;Hardware\r\n"
    "TITLE:Chief Tree Officer\r\n"
    "item1.EMAIL;type=INTERNET;type=HOME:johnny@home.example\r\n"
    "item1.X-ABLabel:_$!<Home>!$_\r\n"
    "EMAIL;type=INTERNET;type=WORK;type=pref:johnny@orchard.example\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:+1 (408) 555-0100\r\n"
    "TEL;type=WORK;type=VOICE:+1 (408) 555-0199\r\n"
    "item2.ADR;type=WORK;type=pref:;;1 Orchard Loop;Cupertino;CA;95014;United States\r\n"
    "item2.X-ABADR:us\r\n"
    "NOTE:Met at the fair\\, 2024\\nLikes apples\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBA\r\n"
    " QEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAg\r\n"
    " EBAgQCwkLEBAQEBAQ==\r\n"
    "X-ABUID:5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE\\:ABPerson\r\n"
    "END:VCARD\r\n")

# Google Contacts ("Export" → vCard for iOS Contacts): vCard 3.0, TYPE=
# upper-case, escaped colons in URLs, CATEGORIES:myContacts, UTF-8 names.
GOOGLE = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "FN:Ana María López\r\n"
    "N:López;Ana María;;;\r\n"
    "EMAIL;TYPE=INTERNET;TYPE=WORK:ana.lopez@empresa.example\r\n"
    "TEL;TYPE=CELL:+34 600 000 000\r\n"
    "ADR;TYPE=WORK:;;Calle Mayor 1;Madrid;;28013;España\r\n"
    "ORG:Empresa S.A.\r\n"
    "TITLE:Directora de compras\r\n"
    "item1.URL:https\\://empresa.example\r\n"
    "item1.X-ABLabel:\r\n"
    "CATEGORIES:myContacts\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "FN:Bob Only\r\n"
    "N:;Bob Only;;;\r\n"
    "EMAIL;TYPE=INTERNET:bob.only@empresa.example\r\n"
    "ORG:Empresa S.A.\r\n"
    "CATEGORIES:myContacts\r\n"
    "END:VCARD\r\n")

# A phone's vCard 2.1: bare types, quoted-printable UTF-8 with a soft break.
PHONE_21 = (
    "BEGIN:VCARD\n"
    "VERSION:2.1\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=\n"
    "=C3=BCrgen;;;\n"
    "TEL;WORK;VOICE:+49 30 1234\n"
    "EMAIL;PREF;INTERNET:juergen@firma.example\n"
    "END:VCARD\n")


def parse_cards(text):
    """A minimal independent reading of vCard 4.0 output: unfold, split on
    the first unescaped ':' — enough to check what the server wrote."""
    text = text.replace("\r\n ", "").replace("\r\n\t", "")
    cards, card = [], None
    for line in text.split("\r\n"):
        if line == "BEGIN:VCARD":
            card = {}
        elif line == "END:VCARD":
            cards.append(card)
        elif line:
            name, value = line.split(":", 1)
            card.setdefault(name, []).append(value)
    return cards


def unescape(v):
    out, i = [], 0
    while i < len(v):
        if v[i] == "\\" and i + 1 < len(v):
            out.append("\n" if v[i + 1] in "nN" else v[i + 1])
            i += 2
        else:
            out.append(v[i])
            i += 1
    return "".join(out)


class Vcard(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(args=["--public-url", "https://crm.example.test"])
        cls.o = org(cls.s)
        cls.rep = cls.o["rep_e1"]["token"]
        cls.acct = cls.s.create("accounts", {"name": "Dupont, Fils & Cie; Paris"}, cls.rep)
        cls.ann = cls.s.create("contacts", {
            "account_id": cls.acct["id"], "first_name": "Anne-Éloïse", "last_name": "O'Brien; Jr",
            "email": "anne@dupont.example", "phone": "+33 1 23 45 67 89",
            "title": "Directrice, achats", "decision_maker": True}, cls.rep)
        cls.bob = cls.s.create("contacts", {"account_id": cls.acct["id"], "last_name": "Solo"},
                               cls.rep)
        wacct = cls.s.create("accounts", {"name": "Westco"}, cls.o["rep_w"]["token"])
        cls.west = cls.s.create("contacts", {"account_id": wacct["id"], "first_name": "Wes",
                                             "last_name": "Secret", "email": "wes@west.example"},
                                cls.o["rep_w"]["token"])

    def post_vcf(self, text, token=None, query="", status=200, ct="text/vcard"):
        r = self.s.request("POST", "/api/v1/contacts.vcf" + query, raw=text.encode(),
                           token=token or self.rep, content_type=ct)
        self.assertEqual(r.status, status, r)
        return r

    def contacts(self, token=None, **q):
        qs = "&".join("%s=%s" % kv for kv in q.items())
        r = self.s.get("/api/v1/contacts?limit=200&" + qs, token or self.rep)
        self.assertEqual(r.status, 200, r)
        return r.json["data"]

    def test_one_contact_out(self):
        r = self.s.get("/api/v1/contacts/%d/vcard" % self.ann["id"], self.rep)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "text/vcard; charset=utf-8")
        (c,) = parse_cards(r.raw)
        self.assertEqual(c["VERSION"], ["4.0"])
        self.assertEqual(c["UID"], ["https://crm.example.test/contacts/%d" % self.ann["id"]])
        self.assertEqual(unescape(c["FN"][0]), "Anne-Éloïse O'Brien; Jr")
        self.assertEqual(c["N"], ["O'Brien\\; Jr;Anne-Éloïse;;;"])
        self.assertEqual(unescape(c["ORG"][0]), "Dupont, Fils & Cie; Paris")
        self.assertEqual(c["EMAIL;TYPE=work"], ["anne@dupont.example"])
        self.assertEqual(unescape(c["TITLE"][0]), "Directrice, achats")
        self.assertEqual(c["X-FUNNEL-DECISION-MAKER"], ["TRUE"])
        self.assertRegex(c["REV"][0], r"^\d{8}T\d{6}Z$")
        for line in r.raw.split("\r\n"):
            self.assertLessEqual(len(line.encode()), 75)
        # the same by content negotiation
        r2 = self.s.get("/api/v1/contacts/%d" % self.ann["id"], self.rep,
                        headers={"Accept": "text/vcard"})
        self.assertEqual(r2.status, 200, r2)
        self.assertEqual(parse_cards(r2.raw)[0]["UID"], c["UID"])
        # JSON stays the default
        r3 = self.s.get("/api/v1/contacts/%d" % self.ann["id"], self.rep)
        self.assertEqual(r3.json["id"], self.ann["id"])

    def test_what_one_may_not_see_is_404(self):
        for path in ("/api/v1/contacts/%d/vcard" % self.west["id"],
                     "/api/v1/contacts/999999/vcard", "/api/v1/contacts/x/vcard"):
            self.assertProblem(self.s.get(path, self.rep), 404)
        r = self.s.get("/api/v1/contacts/%d" % self.west["id"], self.rep,
                       headers={"Accept": "text/vcard"})
        self.assertProblem(r, 404)

    def test_list_out_with_filters_and_visibility(self):
        r = self.s.get("/api/v1/contacts.vcf?account_id=%d&sort=last_name" % self.acct["id"],
                       self.rep)
        self.assertEqual(r.status, 200, r)
        names = [c["N"][0].split(";")[0] for c in parse_cards(r.raw)]
        self.assertEqual(names, ["O'Brien\\", "Solo"])
        r = self.s.get("/api/v1/contacts.vcf?email=anne@dupont.example", self.rep)
        self.assertEqual(len(parse_cards(r.raw)), 1)
        # a rep of another team sees only their own; their manager theirs
        r = self.s.get("/api/v1/contacts.vcf", self.o["rep_w"]["token"])
        self.assertNotIn("Dupont", r.raw)
        self.assertIn("Secret", r.raw)
        r = self.s.get("/api/v1/contacts", self.o["mgr_east"]["token"],
                       headers={"Accept": "text/vcard"})
        self.assertEqual(r.header("Content-Type"), "text/vcard; charset=utf-8")
        self.assertIn("Solo", r.raw)
        self.assertNotIn("Secret", r.raw)
        self.assertProblem(self.s.get("/api/v1/contacts.vcf?limit=5", self.rep), 400, "limit")
        self.assertProblem(self.s.get("/api/v1/contacts.vcf?nope=1", self.rep), 400, "nope")

    def test_apple_and_google_exports_in(self):
        t = self.o["rep_e1b"]["token"]
        r = self.post_vcf(APPLE + GOOGLE, t)
        self.assertEqual(r.json["cards"], 3)
        self.assertEqual(r.json["created"], 3)
        self.assertEqual(r.json["accounts_created"], 2)
        self.assertEqual(r.json["errors"], [])
        by_mail = {c["email"]: c for c in self.contacts(t)}
        j = by_mail["johnny@orchard.example"]  # type=pref, not the first EMAIL
        self.assertEqual((j["first_name"], j["last_name"]), ("Johnny", "Appleseed"))
        self.assertEqual(j["phone"], "+1 (408) 555-0100")
        self.assertEqual(j["title"], "Chief Tree Officer")
        acct = self.s.get("/api/v1/accounts/%d" % j["account_id"], t).json
        self.assertEqual(acct["name"], "Orchard Computers")
        a = by_mail["ana.lopez@empresa.example"]
        self.assertEqual((a["first_name"], a["last_name"]), ("Ana María", "López"))
        self.assertEqual(a["title"], "Directora de compras")
        b = by_mail["bob.only@empresa.example"]
        self.assertEqual(b["last_name"], "Bob Only")  # only a given name: it is the name
        self.assertEqual(b["account_id"], a["account_id"])  # one Empresa S.A., not two
        # the same files again: matched on e-mail, nothing duplicated
        r = self.post_vcf(APPLE + GOOGLE, t)
        self.assertEqual((r.json["created"], r.json["updated"], r.json["accounts_created"]),
                         (0, 3, 0))
        self.assertEqual(len(self.contacts(t)), 3)

    def test_version_21_in(self):
        t = self.o["mgr_west"]["token"]
        acct = self.s.create("accounts", {"name": "Firma GmbH"}, t)
        r = self.post_vcf(PHONE_21, t, "?account_id=%d" % acct["id"])
        self.assertEqual(r.json["created"], 1, r)
        (c,) = [c for c in self.contacts(t) if c["email"] == "juergen@firma.example"]
        self.assertEqual((c["first_name"], c["last_name"], c["phone"]),
                         ("Jürgen", "Müller", "+49 30 1234"))
        self.assertEqual(c["account_id"], acct["id"])

    def test_bad_cards_reported_by_line_and_nothing_written(self):
        t = self.o["mgr_east"]["token"]
        before = len(self.contacts(t))
        text = ("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Good One\r\nEMAIL:good@x.example\r\n"
                "ORG:Goodco\r\nEND:VCARD\r\n"                                    # 1-6
                "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bad Mail\r\nORG:Goodco\r\n"
                "EMAIL:not-an-address\r\nEND:VCARD\r\n"                          # 7-12
                "BEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:noname@x.example\r\nEND:VCARD\r\n"  # 13-16
                "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:No Org\r\nEND:VCARD\r\n"       # 17-20
                "BEGIN:VCARD\r\nVERSION:9\r\nFN:Odd\r\nEND:VCARD\r\n")           # 21-24
        r = self.post_vcf(text, t, status=400)
        self.assertProblem(r, 400)
        fields = {e["field"]: e["message"] for e in r.json["errors"]}
        self.assertEqual(set(fields), {"line 11", "line 13", "line 17", "line 22"})
        self.assertIn("email", fields["line 11"])
        self.assertIn("no name", fields["line 13"])
        self.assertIn("ORG", fields["line 17"])
        self.assertIn("VERSION 9", fields["line 22"])
        self.assertEqual(len(self.contacts(t)), before)
        # partial: the good card goes in, the bad are listed
        r = self.post_vcf(text, t, "?partial=true")
        self.assertEqual((r.json["created"], r.json["rejected"]), (1, 4))
        self.assertEqual([e["line"] for e in r.json["errors"]], [11, 13, 17, 22])
        self.assertEqual(len(self.contacts(t)), before + 1)
        # dry run: counted, not written
        r = self.post_vcf(text.replace("good@", "good2@"), t, "?partial=true&dry_run=true")
        self.assertEqual(r.json["created"], 1)
        self.assertEqual(len(self.contacts(t)), before + 1)

    def test_bad_requests(self):
        self.post_vcf(GOOGLE, status=415, ct="application/json")
        self.assertProblem(self.post_vcf(GOOGLE, query="?account_id=abc", status=400), 400,
                           "account_id")
        wacct = self.s.get("/api/v1/contacts/%d" % self.west["id"],
                           self.o["rep_w"]["token"]).json["account_id"]
        r = self.post_vcf(PHONE_21, query="?account_id=%d" % wacct, status=400)
        self.assertProblem(r, 400, "account_id")  # an account one does not see
        self.assertProblem(self.post_vcf("not a vcard", status=400), 400, "line 1")
        self.assertProblem(self.s.request("POST", "/api/v1/contacts.vcf", raw=b"x",
                                          content_type="text/vcard"), 401)

    def test_round_trip_into_another_server(self):
        r = self.s.get("/api/v1/contacts.vcf?account_id=%d" % self.acct["id"], self.rep)
        other = Server()
        try:
            admin = other.login()
            r2 = other.request("POST", "/api/v1/contacts.vcf", raw=r.raw.encode(), token=admin,
                               content_type="text/vcard")
            self.assertEqual(r2.status, 200, r2)
            self.assertEqual(r2.json["created"], 2)
            got = {c["last_name"]: c for c in other.get("/api/v1/contacts", admin).json["data"]}
            for mine in (self.ann, self.bob):
                theirs = got[mine["last_name"]]
                for f in ("first_name", "last_name", "email", "phone", "title", "decision_maker"):
                    self.assertEqual(theirs[f], mine[f], f)
                acct = other.get("/api/v1/accounts/%d" % theirs["account_id"], admin).json
                self.assertEqual(acct["name"], self.acct["name"])
            # and out again: the same cards but for UID and REV
            r3 = other.get("/api/v1/contacts.vcf?sort=last_name", admin)
            strip = lambda cards: [{k: v for k, v in c.items() if k not in ("UID", "REV")}
                                   for c in cards]
            self.assertEqual(strip(parse_cards(r3.raw)), strip(parse_cards(r.raw)))
        finally:
            other.close()

    def test_command_line_import(self):
        path = os.path.join(self.s.tmp, "contacts.vcf")
        with open(path, "w") as f:
            f.write(GOOGLE.replace("empresa.example", "cli.example"))
        p = run(["import", "--db", self.s.db, "contacts", path, "--as", "rep_w@test.funnel"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2 cards: 2 contacts created, 0 updated", p.stderr)
        mails = {c["email"] for c in self.contacts(self.o["rep_w"]["token"])}
        self.assertIn("ana.lopez@cli.example", mails)
        bad = os.path.join(self.s.tmp, "bad.vcf")
        with open(bad, "w") as f:
            f.write("BEGIN:VCARD\nVERSION:3.0\nFN:X\nEMAIL:nope\nORG:Y\nEND:VCARD\n")
        p = run(["import", "--db", self.s.db, "contacts", bad])
        self.assertEqual(p.returncode, 2, p.stderr)  # whose contacts? --as says
        self.assertIn("--as", p.stderr)
        p = run(["import", "--db", self.s.db, "contacts", bad, "--as", "rep_w@test.funnel"])
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("line 4: email:", p.stderr)


if __name__ == "__main__":
    unittest.main()
