"""Payment schedules and payments of won deals.

The server's clock is FUNNEL_NOW = 2026-06-15, so installments due before it
are overdue unless payments (set against the oldest first) cover them.  A
payment that settles a deal in "conversion" moves it to "payment_collected"
when the process allows (a welcome letter attached); otherwise the answer
says what is missing.
"""
import unittest

from harness import ServerTest, Server, org

NOW = "2026-06-15T12:00:00Z"


class Payments(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(env={"FUNNEL_NOW": NOW})
        cls.o = org(cls.s)
        cls.account = cls.s.create("accounts", {"name": "Acme",
                                                "owner_id": cls.o["rep_e1"]["id"]})

    def deal(self, stage="conversion", amount="1000.00", currency="EUR"):
        return self.s.create("opportunities", {
            "name": "Rockets", "account_id": self.account["id"], "close_date": "2026-05-01",
            "amount": amount, "currency": currency, "stage": stage,
            "owner_id": self.o["rep_e1"]["id"]})

    def schedule(self, d, items, token=None):
        return self.s.request("PUT", "/api/v1/opportunities/%d/installments" % d["id"],
                              {"installments": items}, token or self.o["rep_e1"]["token"])

    def pay(self, d, amount, paid_at="2026-06-10", token=None, **kw):
        body = {"amount": amount, "paid_at": paid_at}
        body.update(kw)
        return self.s.post("/api/v1/opportunities/%d/payments" % d["id"], body,
                           token or self.o["rep_e1"]["token"])

    def status(self, d, token=None):
        r = self.s.get("/api/v1/opportunities/%d/payments" % d["id"],
                       token or self.o["rep_e1"]["token"])
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_schedule_only_on_won_deals_and_within_the_amount(self):
        open_deal = self.deal(stage="negotiation")
        self.assertProblem(self.schedule(open_deal, [{"due_date": "2026-07-01",
                                                      "amount": "100"}]), 409)
        self.assertProblem(self.pay(open_deal, "100"), 409)
        d = self.deal()
        r = self.schedule(d, [{"due_date": "2026-07-01", "amount": "600"},
                              {"due_date": "2026-08-01", "amount": "400.01"}])
        self.assertProblem(r, 400, "installments")
        r = self.schedule(d, [{"due_date": "2026-13-01", "amount": "1.001"},
                              {"amount": -5, "extra": 1}])
        self.assertProblem(r, 400, "installments[0].due_date")
        fields = [e["field"] for e in r.json["errors"]]
        for f in ("installments[0].amount", "installments[1].due_date",
                  "installments[1].amount", "installments[1].extra"):
            self.assertIn(f, fields)
        # less than the amount is allowed: that is what is to be paid
        r = self.schedule(d, [{"due_date": "2026-07-01", "amount": 500}])
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["amount"], r.json["scheduled"], r.json["to_pay"]),
                         (1000.0, 500.0, 500.0))
        # replaced whole, and emptied
        r = self.schedule(d, [])
        self.assertEqual((r.json["scheduled"], r.json["installments"]), (None, []))

    def test_schedule_partial_overdue_paid(self):
        d = self.deal()
        r = self.schedule(d, [{"due_date": "2026-07-01", "amount": "300"},
                              {"due_date": "2026-05-01", "amount": "400"},
                              {"due_date": "2026-06-01", "amount": "300"}])
        self.assertEqual(r.status, 200, r)
        st = self.status(d)
        self.assertEqual(st["status"], "overdue")  # two due dates passed, nothing paid
        self.assertEqual([i["due_date"] for i in st["installments"]],
                         ["2026-05-01", "2026-06-01", "2026-07-01"])
        self.assertEqual([i["status"] for i in st["installments"]],
                         ["overdue", "overdue", "due"])

        r = self.pay(d, "500", method="bank_transfer", reference="INV-7")
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["paid"], r.json["outstanding"]), (500.0, 500.0))
        self.assertEqual([(i["paid"], i["status"]) for i in r.json["installments"]],
                         [(400.0, "paid"), (100.0, "overdue"), (0.0, "due")])
        self.assertEqual(r.json["status"], "overdue")
        self.assertIsNone(r.json["moved_to"])

        r = self.pay(d, 200.5)
        self.assertEqual(r.json["status"], "partially_paid")  # nothing past due is open
        self.assertEqual([i["status"] for i in r.json["installments"]],
                         ["paid", "paid", "partially_paid"])
        self.assertEqual(r.json["outstanding"], 299.5)
        p = r.json["payments"]
        self.assertEqual([(x["amount"], x["method"], x["reference"]) for x in p],
                         [(500.0, "bank_transfer", "INV-7"), (200.5, None, None)])

        self.assertProblem(self.pay(d, "300"), 409, "amount")  # more than outstanding
        r = self.pay(d, "299.50")
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["status"], r.json["outstanding"]), ("paid", 0.0))
        # paid in full, but no welcome letter: the deal stays, and says why
        self.assertIsNone(r.json["moved_to"])
        self.assertEqual(r.json["stage"], "conversion")
        self.assertIn("welcome letter", " ".join(r.json["next_step"]["blocked_by"]))
        self.assertProblem(self.pay(d, "1"), 409)

        # every payment is on the deal's audit trail
        h = self.s.get("/api/v1/opportunities/%d/history" % d["id"], self.s.login())
        pays = [x for x in h.json["data"] if x.get("field") == "payment"]
        self.assertEqual(len(pays), 3, h.json)
        self.assertIn("500.00 EUR paid 2026-06-10 by bank_transfer (INV-7)",
                      [x["new"] for x in pays])
        self.assertIn("installments", [x.get("field") for x in h.json["data"]])

    def test_without_a_schedule_the_amount_is_due_and_never_overdue(self):
        d = self.deal(amount="1000", currency="JPY")
        st = self.status(d)
        self.assertEqual((st["status"], st["to_pay"], st["outstanding"], st["currency"]),
                         ("due", 1000, 1000, "JPY"))
        self.assertProblem(self.pay(d, "10.5"), 400, "amount")  # yen have no decimals
        r = self.pay(d, 400)
        self.assertEqual((r.json["status"], r.json["outstanding"]), ("partially_paid", 600))

    def test_payment_input(self):
        d = self.deal()
        for body, field in [({"amount": "0", "paid_at": "2026-06-01"}, "amount"),
                            ({"amount": "-5", "paid_at": "2026-06-01"}, "amount"),
                            ({"amount": "1.001", "paid_at": "2026-06-01"}, "amount"),
                            ({"amount": True, "paid_at": "2026-06-01"}, "amount"),
                            ({"paid_at": "2026-06-01"}, "amount"),
                            ({"amount": "5"}, "paid_at"),
                            ({"amount": "5", "paid_at": "2026-06-16"}, "paid_at"),  # future
                            ({"amount": "5", "paid_at": "yesterday"}, "paid_at"),
                            ({"amount": "5", "paid_at": "2026-06-01", "method": "gold"},
                             "method"),
                            ({"amount": "5", "paid_at": "2026-06-01", "reference": "a\nb"},
                             "reference"),
                            ({"amount": "5", "paid_at": "2026-06-01", "tip": 1}, "tip")]:
            r = self.s.post("/api/v1/opportunities/%d/payments" % d["id"], body,
                            self.s.login())
            self.assertProblem(r, 400, field)
        r = self.pay(d, "5", paid_at="2026-06-15T09:30:00+02:00")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["payments"][0]["paid_at"], "2026-06-15T07:30:00Z")
        self.assertEqual(self.status(d)["paid"], 5.0)

    def test_full_payment_moves_to_payment_collected_with_a_welcome_letter(self):
        d = self.deal()
        rep = self.o["rep_e1"]["token"]
        r = self.s.post("/api/v1/opportunities/%d/documents" % d["id"],
                        {"kind": "welcome_letter"}, rep)
        self.assertEqual(r.status, 201, r)
        self.schedule(d, [{"due_date": "2026-05-01", "amount": "250"},
                          {"due_date": "2026-09-01", "amount": "750"}])
        r = self.pay(d, "250")
        self.assertIsNone(r.json["moved_to"])
        self.assertEqual(r.json["stage"], "conversion")
        r = self.pay(d, "750")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["moved_to"], "payment_collected")
        self.assertIsNone(r.json["next_step"])
        self.assertEqual(r.json["stage"], "payment_collected")
        opp = self.s.get("/api/v1/opportunities/%d" % d["id"], rep).json
        self.assertEqual((opp["stage"], opp["status"]), ("payment_collected", "won"))
        stages = self.s.get("/api/v1/opportunities/%d/stages" % d["id"], rep).json["data"]
        self.assertEqual(stages[-1]["stage"], "payment_collected")

    def test_other_reps_see_nothing(self):
        d = self.deal()
        other = self.o["rep_w"]["token"]
        self.assertProblem(self.s.get("/api/v1/opportunities/%d/payments" % d["id"], other),
                           404)
        self.assertProblem(self.pay(d, "10", token=other), 404)
        self.assertProblem(self.schedule(d, [], token=other), 404)
        self.assertEqual(self.status(d)["paid"], 0.0)
        # the manager above the owner does
        self.assertEqual(self.status(d, self.o["mgr_east"]["token"])["status"], "due")


if __name__ == "__main__":
    unittest.main()
