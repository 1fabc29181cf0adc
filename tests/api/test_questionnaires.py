"""Questionnaire templates for live polls in meetings (crm/meetings/questionnaire.h).

Managers and admins keep them; everyone signed in reads them; every problem in
the questions is answered at once, named by its place; nothing is written on a
refusal.  The seed's buying-criteria poll is there from the start.
"""
import unittest

from harness import ServerTest, org

P = "/api/v1/questionnaires"

GOOD = [
    {"key": "priority", "text": "What matters most?", "kind": "single",
     "options": ["Price", "Quality"], "required": True},
    {"key": "features", "text": "Which do you need?", "kind": "multiple",
     "options": ["Reports", "Mobile", "API"], "min_choices": 1, "max_choices": 2},
    {"key": "price", "text": "How important is price?", "kind": "rating", "min": 1, "max": 5,
     "min_label": "not important", "max_label": "decisive"},
    {"key": "rank", "text": "Rank our differentials", "kind": "ranking",
     "options": ["Support", "Speed", "Cost"]},
    {"key": "other", "text": "Anything else?", "kind": "text"},
]


class Questionnaires(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)

    def tok(self, who):
        return self.o[who]["token"]

    def count(self):
        return self.s.get(P + "?total=true", self.tok("admin")).json["total"]

    def test_the_buying_criteria_poll_is_there(self):
        r = self.s.get(P + "?q=buying", self.tok("rep_w"))
        self.assertEqual(r.status, 200, r)
        q = r.json["data"][0]
        self.assertEqual(q["name"], "Buying criteria")
        kinds = {x["kind"] for x in q["questions"]}
        self.assertEqual(kinds, {"single", "rating", "ranking", "text"})

    def test_manager_creates_rep_reads_but_may_not_write(self):
        r = self.s.post(P, {"name": "Discovery", "questions": GOOD}, self.tok("mgr_east"))
        self.assertEqual(r.status, 201, r)
        q = r.json
        self.assertEqual(q["questions"], GOOD)
        self.assertTrue(q["active"])
        r = self.s.get(P + "/%d" % q["id"], self.tok("rep_w"))
        self.assertEqual(r.status, 200, r)
        n = self.count()
        self.assertProblem(self.s.post(P, {"name": "Mine", "questions": GOOD}, self.tok("rep_e1")),
                           403)
        self.assertProblem(self.s.patch(P + "/%d" % q["id"], {"active": False},
                                        self.tok("rep_e1")), 403)
        self.assertEqual(self.count(), n)
        r = self.s.patch(P + "/%d" % q["id"], {"active": False}, self.tok("mgr_west"))
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["active"])
        r = self.s.get(P + "?active=true", self.tok("rep_w"))
        self.assertNotIn(q["id"], [x["id"] for x in r.json["data"]])
        hist = self.s.get(P + "/%d/history" % q["id"], self.tok("admin"))
        self.assertEqual(hist.status, 200, hist)
        self.assertIn(("update", "active"), [(h["action"], h.get("field")) for h in hist.json["data"]])

    def test_every_problem_at_once_and_nothing_written(self):
        n = self.count()
        bad = [
            {"key": "Bad Key", "text": "", "kind": "single", "options": ["Only one"]},
            {"key": "dup", "text": "ok?", "kind": "rating", "min": 5, "max": 3, "options": ["x", "y"]},
            {"key": "dup", "text": "twice?", "kind": "text", "colour": "red"},
            {"key": "m", "text": "pick", "kind": "multiple", "options": ["a", "a"]},
            {"key": "k", "text": "what", "kind": "essay"},
            "not an object",
        ]
        r = self.s.post(P, {"name": "Broken", "questions": bad}, self.tok("admin"))
        self.assertProblem(r, 400)
        fields = {e["field"] for e in r.json["errors"]}
        for f in ("questions[0].key", "questions[0].text", "questions[0].options",
                  "questions[1].max", "questions[1].options", "questions[2].key",
                  "questions[2].colour", "questions[3].options", "questions[4].kind",
                  "questions[5]"):
            self.assertIn(f, fields, r.json["errors"])
        self.assertEqual(self.count(), n)

    def test_shape_of_questions(self):
        for questions, field in (([], "questions"), ({"key": "x"}, "questions"),
                                 ([{"key": "a", "text": "t", "kind": "text"}] * 31, "questions"),
                                 ("[", "questions")):
            r = self.s.post(P, {"name": "Shape", "questions": questions}, self.tok("admin"))
            self.assertProblem(r, 400, field)
        r = self.s.post(P, {"name": "No questions"}, self.tok("admin"))
        self.assertProblem(r, 400, "questions")
        r = self.s.post(P, {"name": "Unknown", "questions": GOOD, "owner_id": 1},
                        self.tok("admin"))
        self.assertProblem(r, 400, "owner_id")

    def test_names_are_unique(self):
        r = self.s.post(P, {"name": "Twice", "questions": GOOD}, self.tok("admin"))
        self.assertEqual(r.status, 201, r)
        self.assertProblem(self.s.post(P, {"name": "Twice", "questions": GOOD},
                                       self.tok("admin")), 409)

    def test_a_change_is_checked_like_a_create(self):
        r = self.s.post(P, {"name": "Change me", "questions": GOOD}, self.tok("admin"))
        q = r.json
        r = self.s.patch(P + "/%d" % q["id"], {"questions": [{"key": "z", "text": "t",
                                                              "kind": "ranking"}]},
                         self.tok("admin"))
        self.assertProblem(r, 400, "questions[0].options")
        r = self.s.get(P + "/%d" % q["id"], self.tok("admin"))
        self.assertEqual(r.json["questions"], GOOD)
        self.assertEqual(r.json["version"], 1)


if __name__ == "__main__":
    unittest.main()
