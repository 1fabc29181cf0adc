"""Document templates and the PDFs made from them.

Templates are records (admins and managers write them) whose merge fields are
checked when saved; a fresh database ships three.  A document is a real PDF:
its text, read back with pdftotext (poppler-utils), holds the merged values.
It is attached to the deal with the template's kind, which is what the stage
criteria look for.
"""
import http.client
import os
import subprocess
import tempfile
import unittest

from harness import ServerTest, org


def pdf_text(data, *extra):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(["pdftotext", "-layout", *extra, f.name, "-"], check=True,
                              capture_output=True).stdout.decode("utf-8")


def pdf_pages(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["pdfinfo", f.name], check=True, capture_output=True).stdout
    for line in out.decode().splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo gave no page count")


class Documents(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        cls.o = org(s)
        admin = s.login()
        # the deal's owner is named in the documents
        s.patch("/api/v1/users/%d" % cls.o["rep_e1"]["id"], {"name": "Rita Repková"}, admin)
        cls.account = s.create("accounts", {"name": "Müller Maschinenbau",
                                            "owner_id": cls.o["rep_e1"]["id"]}, admin)
        cls.contact = s.create("contacts", {"account_id": cls.account["id"],
                                            "first_name": "Anna", "last_name": "Łukasiewicz",
                                            "owner_id": cls.o["rep_e1"]["id"]}, admin)

    def deal(self, **kw):
        body = {"name": "Press line", "account_id": self.account["id"],
                "contact_id": self.contact["id"], "amount": "12500.50",
                "close_date": "2026-09-30", "owner_id": self.o["rep_e1"]["id"],
                "stage": "negotiation"}
        body.update(kw)
        return self.s.create("opportunities", body, self.s.login())

    def download(self, path, token):
        c = http.client.HTTPConnection(self.s.host, self.s.port, timeout=30)
        try:
            c.request("GET", path, headers={"Authorization": "Bearer " + token})
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            c.close()

    def test_fresh_database_has_the_three_defaults(self):
        r = self.s.get("/api/v1/templates?sort=name", self.o["rep_e1"]["token"])
        self.assertEqual(r.status, 200, r)
        kinds = sorted(t["kind"] for t in r.json["data"])
        self.assertEqual(kinds[:3], ["contract", "proposal", "welcome_letter"])
        for t in r.json["data"]:
            self.assertIn("{{", t["body"])

    def test_unknown_merge_fields_are_named(self):
        r = self.s.post("/api/v1/templates", {
            "kind": "other", "name": "Broken",
            "body": "Dear {{contact.first_nme}},\n{{account.name}} {{invoice.total}} {{ today }}"
                    "\n{{opportunity.amount"}, self.s.login())
        self.assertProblem(r, 400, "body")
        text = " ".join(e["message"] for e in r.json["errors"])
        self.assertIn("contact.first_nme", text)
        self.assertIn("invoice.total", text)
        self.assertIn("line 3", text)  # the unclosed one
        self.assertNotIn("field {{account.name}}", text)
        self.assertNotIn("field {{today", text)
        self.assertEqual(len(r.json["errors"]), 3)

    def test_hidden_fields_are_not_merge_fields(self):
        r = self.s.post("/api/v1/templates", {"kind": "other", "name": "Leak",
                                              "body": "{{owner.password_hash}}"},
                        self.s.login())
        self.assertProblem(r, 400, "body")

    def test_reps_read_managers_write(self):
        rep = self.o["rep_e1"]["token"]
        body = {"kind": "proposal", "name": "Short proposal",
                "body": "For {{account.name}}: {{opportunity.amount}}"}
        self.assertProblem(self.s.post("/api/v1/templates", body, rep), 403)
        r = self.s.post("/api/v1/templates", body, self.o["mgr_east"]["token"])
        self.assertEqual(r.status, 201, r)
        self.assertProblem(self.s.post("/api/v1/templates", body, self.s.login()), 409, "name")
        r = self.s.patch("/api/v1/templates/%d" % r.json["id"], {"body": "{{nope}}"},
                         self.o["mgr_east"]["token"])
        self.assertProblem(r, 400, "body")

    def test_contract_pdf_holds_the_merged_values(self):
        d = self.deal()
        rep = self.o["rep_e1"]["token"]
        r = self.s.post("/api/v1/opportunities/%d/documents" % d["id"], {"kind": "contract"}, rep)
        self.assertEqual(r.status, 201, r)
        a = r.json
        self.assertEqual(a["content_type"], "application/pdf")
        self.assertEqual(a["kind"], "contract")
        self.assertEqual((a["related_type"], a["related_id"]), ("opportunity", d["id"]))
        self.assertEqual(a["owner_id"], self.o["rep_e1"]["id"])
        self.assertTrue(a["filename"].endswith(".pdf"))
        status, headers, data = self.download(a["url"], rep)
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/pdf")
        self.assertEqual(len(data), a["size"])
        self.assertTrue(data.startswith(b"%PDF-"))
        text = pdf_text(data)
        self.assertIn("Sales contract", text)             # the heading
        self.assertIn("Müller Maschinenbau", text)        # the account (WinAnsi has ü)
        self.assertIn("12500.50 EUR", text)               # money with its decimals
        self.assertIn("Rita Repková", text)               # the owner
        self.assertIn("rep_e1@test.funnel", text)
        self.assertIn("Anna Lukasiewicz", text)           # Ł has no WinAnsi form: L

    def test_money_follows_the_currency(self):
        d = self.deal(amount="1500000", currency="JPY")
        r = self.s.post("/api/v1/opportunities/%d/documents" % d["id"], {"kind": "proposal"},
                        self.s.login())
        self.assertEqual(r.status, 201, r)
        text = pdf_text(self.download(r.json["url"], self.s.login())[2])
        self.assertIn("1500000 JPY", text)
        self.assertNotIn("1500000.", text)

    def test_template_by_id_and_long_bodies_break_pages(self):
        body = "{{account.name}} owes {{opportunity.amount}}.\n" + "\n".join(
            "Clause %d: the parties agree to everything said in clause %d, and then some "
            "more words so that this paragraph wraps onto a second line of the page." % (i, i - 1)
            for i in range(1, 121)) + "\nEND {{owner.name}}"
        t = self.s.create("templates", {"kind": "other", "name": "Long terms", "body": body})
        d = self.deal()
        r = self.s.post("/api/v1/opportunities/%d/documents" % d["id"], {"template_id": t["id"]},
                        self.s.login())
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["kind"], "other")
        data = self.download(r.json["url"], self.s.login())[2]
        self.assertGreaterEqual(pdf_pages(data), 4)
        text = pdf_text(data)
        self.assertIn("Clause 120", text)
        self.assertIn("END Rita Repková", text)

    def test_bad_requests(self):
        d = self.deal()
        admin = self.s.login()
        path = "/api/v1/opportunities/%d/documents" % d["id"]
        self.assertProblem(self.s.post(path, {"kind": "invoice"}, admin), 400, "kind")
        self.assertProblem(self.s.post(path, {}, admin), 400, "template_id")
        self.assertProblem(self.s.post(path, {"kind": "contract", "x": 1}, admin), 400, "x")
        self.assertProblem(self.s.post(path, {"template_id": 99999}, admin), 404)
        self.assertProblem(self.s.post("/api/v1/opportunities/99999/documents",
                                       {"kind": "contract"}, admin), 404)

    def test_another_reps_deal_is_404(self):
        d = self.deal()
        r = self.s.post("/api/v1/opportunities/%d/documents" % d["id"], {"kind": "contract"},
                        self.o["rep_w"]["token"])
        self.assertProblem(r, 404)

    def test_negotiation_to_conversion_needs_a_contract(self):
        d = self.deal()
        rep = self.o["rep_e1"]["token"]
        path = "/api/v1/opportunities/%d" % d["id"]
        r = self.s.patch(path, {"stage": "conversion"}, rep)
        self.assertProblem(r, 409, "stage")
        self.assertIn("contract", r.raw)
        # a proposal is not a contract
        self.assertEqual(self.s.post(path + "/documents", {"kind": "proposal"}, rep).status, 201)
        self.assertProblem(self.s.patch(path, {"stage": "conversion"}, rep), 409, "stage")
        self.assertEqual(self.s.post(path + "/documents", {"kind": "contract"}, rep).status, 201)
        r = self.s.patch(path, {"stage": "conversion"}, rep)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["stage"], r.json["status"]), ("conversion", "won"))


if __name__ == "__main__":
    unittest.main()
