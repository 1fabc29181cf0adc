"""POST /api/v1/leads/{id}/convert: a lead becomes account + contact +
opportunity in one transaction, reusing the account (same e-mail domain or
name) and the contact (same e-mail) the caller already has.
"""
import datetime

from harness import ServerTest, org

STAGES = [
    {"key": "intro", "name": "Intro", "probability": 10, "section": "upper"},
    {"key": "demo", "name": "Demo", "probability": 40, "section": "middle"},
    {"key": "won", "name": "Won", "probability": 100, "section": "won"},
    {"key": "lost", "name": "Lost", "probability": 0, "section": "lost"},
]


class Convert(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)
        cls.admin = cls.o["admin"]["token"]
        cls.rep = cls.o["rep_e1"]["token"]
        cls.rep_id = cls.o["rep_e1"]["id"]

    def lead(self, token=None, **kw):
        body = {"first_name": "Ann", "last_name": "Smith", "company": "Acme Corp",
                "email": "ann@acme.example"}
        body.update(kw)
        return self.s.create("leads", {k: v for k, v in body.items() if v is not None},
                             token or self.rep)

    def convert(self, lead, body=None, token=None):
        return self.s.post("/api/v1/leads/%d/convert" % lead["id"], body, token or self.rep)

    def counts(self):
        out = {}
        for r in ("accounts", "contacts", "opportunities"):
            out[r] = self.s.get("/api/v1/%s?total=true&limit=1" % r, self.admin).json["total"]
        return out

    def test_convert_creates_then_dedupes(self):
        lead = self.lead()
        r = self.convert(lead)
        self.assertEqual(r.status, 201, r)
        acc, con, opp, after = r.json["account"], r.json["contact"], r.json["opportunity"], \
            r.json["lead"]
        self.assertEqual((acc["created"], acc["linked"]), (True, False))
        self.assertEqual(acc["name"], "Acme Corp")
        self.assertEqual(acc["domain"], "acme.example")
        self.assertEqual(acc["owner_id"], self.rep_id)
        self.assertEqual((con["created"], con["linked"]), (True, False))
        self.assertEqual(con["account_id"], acc["id"])
        self.assertEqual(con["email"], "ann@acme.example")
        self.assertEqual(opp["account_id"], acc["id"])
        self.assertEqual(opp["contact_id"], con["id"])
        self.assertEqual(opp["owner_id"], self.rep_id)
        self.assertEqual(opp["name"], "Acme Corp \u2014 Ann Smith")
        # the default map: the stage after "qualification"
        self.assertEqual(opp["pipeline_id"], 1)
        self.assertEqual(opp["stage"], "presentation")
        self.assertEqual(opp["status"], "open")
        close = datetime.date.fromisoformat(opp["close_date"])
        self.assertIn((close - datetime.datetime.utcnow().date()).days, (89, 90, 91))
        self.assertEqual(after["status"], "qualified")
        self.assertTrue(after["converted_at"])
        self.assertEqual(after["converted_account_id"], acc["id"])
        self.assertEqual(after["converted_contact_id"], con["id"])
        self.assertEqual(after["converted_opportunity_id"], opp["id"])
        self.assertGreater(after["version"], lead["version"])
        hist = self.s.get("/api/v1/leads/%d/history" % lead["id"], self.rep).json["data"]
        self.assertIn("converted_opportunity_id", [h.get("field") for h in hist])

        # a colleague at the same domain, company spelled differently: same
        # account, a new contact
        r = self.convert(self.lead(first_name="Bob", company="ACME Corporation",
                                   email="bob@ACME.example"))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["account"]["id"], acc["id"])
        self.assertEqual((r.json["account"]["created"], r.json["account"]["linked"]),
                         (False, True))
        self.assertTrue(r.json["contact"]["created"])
        self.assertNotEqual(r.json["contact"]["id"], con["id"])

        # the same person again: account and contact both linked
        r = self.convert(self.lead(email="Ann@acme.example"),
                         {"opportunity": {"name": "Upsell", "amount": "2500.00"}})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["account"]["id"], acc["id"])
        self.assertEqual(r.json["contact"]["id"], con["id"])
        self.assertTrue(r.json["contact"]["linked"])
        self.assertEqual(r.json["opportunity"]["name"], "Upsell")
        self.assertEqual(r.json["opportunity"]["amount"], 2500.0)

        # a free-mail address says nothing: the company name decides
        # (case-insensitive), and the domain is not taken from gmail
        r = self.convert(self.lead(first_name="Cy", company="acme corp",
                                   email="cy.smith@gmail.com"))
        self.assertEqual(r.json["account"]["id"], acc["id"])
        r = self.convert(self.lead(first_name="Di", company="Other Ltd",
                                   email="di@gmail.com"))
        self.assertTrue(r.json["account"]["created"])
        self.assertIsNone(r.json["account"]["domain"])

    def test_only_accounts_the_caller_sees_are_reused(self):
        # rep_e1b has an account of that name; rep_e1 does not see it
        other = self.s.create("accounts", {"name": "Hidden Co", "domain": "hidden.example"},
                              self.o["rep_e1b"]["token"])
        r = self.convert(self.lead(company="Hidden Co", email="x@hidden.example"))
        self.assertEqual(r.status, 201, r)
        self.assertNotEqual(r.json["account"]["id"], other["id"])
        self.assertTrue(r.json["account"]["created"])
        # nor can it be named
        r = self.convert(self.lead(), {"account_id": other["id"]})
        self.assertProblem(r, 400, "account_id")

    def test_link_given_account_and_contact(self):
        acc = self.s.create("accounts", {"name": "Given Inc"}, self.rep)
        con = self.s.create("contacts", {"account_id": acc["id"], "last_name": "Given"},
                            self.rep)
        r = self.convert(self.lead(company="Whatever"), {"account_id": acc["id"],
                                                         "contact_id": con["id"]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["account"]["id"], acc["id"])
        self.assertEqual(r.json["contact"]["id"], con["id"])
        self.assertTrue(r.json["account"]["linked"])
        # a contact of another account does not fit
        acc2 = self.s.create("accounts", {"name": "Second Inc"}, self.rep)
        r = self.convert(self.lead(), {"account_id": acc2["id"], "contact_id": con["id"]})
        self.assertProblem(r, 400, "contact_id")

    def test_failure_leaves_nothing(self):
        lead = self.lead(company="Atomic Ltd", email="a@atomic.example")
        before = self.counts()
        r = self.convert(lead, {"opportunity": {"amount": "12.345"}})
        self.assertProblem(r, 400, "opportunity.amount")
        r = self.convert(lead, {"opportunity": {"close_date": "soon", "color": "red"}})
        self.assertProblem(r, 400, "opportunity.color")
        r = self.convert(lead, {"opportunity": {"close_date": "soon"}})
        self.assertProblem(r, 400, "opportunity.close_date")
        r = self.convert(lead, {"account": 5})
        self.assertProblem(r, 400, "account")
        self.assertEqual(self.counts(), before)
        again = self.s.get("/api/v1/leads/%d" % lead["id"], self.rep).json
        self.assertIsNone(again["converted_at"])
        self.assertEqual(again["status"], "new")
        # and the same lead converts once fixed
        r = self.convert(lead, {"opportunity": {"amount": "12.34"}})
        self.assertEqual(r.status, 201, r)

    def test_conflicts(self):
        lead = self.lead(company="Twice Co", email="t@twice.example")
        self.assertEqual(self.convert(lead).status, 201)
        before = self.counts()
        self.assertProblem(self.convert(lead), 409)
        self.assertEqual(self.counts(), before)
        dis = self.lead(status="disqualified")
        self.assertProblem(self.convert(dis), 409)

    def test_visibility(self):
        lead = self.lead(company="Private Co", email="p@private.example")
        # another rep: as if it did not exist
        r = self.convert(lead, token=self.o["rep_e1b"]["token"])
        self.assertProblem(r, 404)
        r = self.convert(lead, token=self.o["mgr_west"]["token"])
        self.assertProblem(r, 404)
        self.assertProblem(self.s.post("/api/v1/leads/987654/convert", None, self.rep), 404)
        # the rep's manager may, and the rep keeps everything
        r = self.convert(lead, token=self.o["mgr_east"]["token"])
        self.assertEqual(r.status, 201, r)
        for part in ("account", "contact", "opportunity"):
            self.assertEqual(r.json[part]["owner_id"], self.rep_id, part)

    def test_pipeline_of_the_form(self):
        r = self.s.post("/api/v1/pipelines", {"name": "No qualification stage",
                                              "stages": STAGES}, self.admin)
        self.assertEqual(r.status, 201, r)
        pipe = r.json["id"]
        form = self.s.create("forms", {"slug": "pipe-form", "name": "Pipe", "pipeline_id": pipe,
                                       "owner_id": self.rep_id, "fields": [
                                           {"name": "last_name", "label": "Name",
                                            "type": "text", "required": True,
                                            "maps_to": "last_name"},
                                           {"name": "email", "label": "E-mail",
                                            "type": "email", "maps_to": "email"}]},
                             self.admin)
        r = self.s.post("/f/pipe-form", {"last_name": "Piper", "email": "p@piper.example"})
        self.assertEqual(r.status, 201, r)
        lead = self.s.get("/api/v1/leads/%d" % r.json["lead_id"], self.rep).json
        self.assertEqual(lead["pipeline_id"], pipe)
        self.assertEqual(lead["form_id"], form["id"])
        r = self.convert(lead)
        self.assertEqual(r.status, 201, r)
        # no "qualification" stage: the first middle one
        self.assertEqual(r.json["opportunity"]["pipeline_id"], pipe)
        self.assertEqual(r.json["opportunity"]["stage"], "demo")
        # no company: the account is named after the person
        self.assertEqual(r.json["account"]["name"], "Piper")
        self.assertEqual(r.json["account"]["domain"], "piper.example")
