"""Live questionnaires in meetings and the participant report
(crm/meetings/poll.h, docs/questionnaires.md).

The host (the meeting's master, by session) launches a poll from a template or
improvised, participants answer by their join link's token, answers are
checked per question, stored per participant with their contact and written as
notes on the contact and the deal; the host closes the poll and shows the
results; the report (JSON, CSV, PDF) holds RSVP, attendance and every answer.
No Janus here: the room's state (live, admitted) is written into the database
as the live side would (015's tables), so these tests need no media.
"""
import csv
import hashlib
import http.client
import io
import json
import os
import secrets
import sqlite3
import subprocess
import tempfile
import time
import unittest

from harness import ServerTest, org, run

M = "/api/v1/meetings"

IMPROVISED = [
    {"key": "pick", "text": "Which one?", "kind": "single", "options": ["A", "B", "C"],
     "required": True},
    {"key": "needs", "text": "What do you need?", "kind": "multiple",
     "options": ["Reports", "Mobile", "API"], "max_choices": 2},
    {"key": "price", "text": "How important is price?", "kind": "rating", "min": 1, "max": 5},
    {"key": "rank", "text": "Rank our differentials", "kind": "ranking",
     "options": ["Support", "Speed", "Cost"]},
    {"key": "other", "text": "Anything else?", "kind": "text"},
]


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(["pdftotext", "-layout", f.name, "-"], check=True,
                              capture_output=True).stdout.decode()


class Polls(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        cls.o = org(s)
        cls.rep = cls.o["rep_e1"]["token"]
        cls.acct = s.create("accounts", {"name": "Acme Polls", "industry": "Software"}, cls.rep)
        cls.ann = s.create("contacts", {"account_id": cls.acct["id"], "first_name": "Ann",
                                        "last_name": "Buyer", "email": "ann@acme.example"},
                           cls.rep)
        cls.deal = s.create("opportunities", {"name": "Acme rollout",
                                              "account_id": cls.acct["id"],
                                              "close_date": "2027-03-31"}, cls.rep)
        cls.template = s.get("/api/v1/questionnaires?q=buying", cls.rep).json["data"][0]

    def db(self):
        c = sqlite3.connect(self.s.db, timeout=10)
        c.execute("PRAGMA busy_timeout = 10000")
        return c

    def live_meeting(self):
        """A meeting on the deal, live, with Ann (a contact) and Bob (an
        address) invited and admitted; their link tokens."""
        m = self.s.create("meetings", {
            "opportunity_id": self.deal["id"], "kind": "presentation", "title": "Demo day",
            "starts_at": "2027-01-15T09:00:00Z", "duration_minutes": 45,
            "timezone": "Europe/Paris"}, self.rep)
        ann = self.s.post(M + "/%d/invitees" % m["id"], {"contact_id": self.ann["id"]},
                          self.rep).json
        bob = self.s.post(M + "/%d/invitees" % m["id"],
                          {"email": "bob@partner.example", "name": "Bob Partner"},
                          self.rep).json
        toks = {}
        c = self.db()
        try:
            for name, inv in (("ann", ann), ("bob", bob)):
                tok = secrets.token_urlsafe(32)
                c.execute("UPDATE meeting_invitees SET join_token_hash = ?, join_expires_at = ?, "
                          "rsvp = ? WHERE id = ?",
                          (hashlib.sha256(tok.encode()).hexdigest(),
                           time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7200)),
                           "accepted" if name == "ann" else "tentative", inv["id"]))
                c.execute("INSERT INTO meeting_participants (invitee_id, meeting_id, "
                          "admitted_at) VALUES (?, ?, '2027-01-15T09:00:00Z')",
                          (inv["id"], m["id"]))
                toks[name] = tok
            c.execute("UPDATE meetings SET state = 'live', janus_room = 4242 WHERE id = ?",
                      (m["id"],))
            # attendance as Janus's events leave it: Ann 10 minutes, then 5 more
            c.executemany("INSERT INTO meeting_presence (janus_room, invitee_id, janus_session, "
                          "janus_handle, joined_ms, left_ms, left_reason) VALUES (4242, ?, ?, "
                          "?, ?, ?, 'left')",
                          [(ann["id"], 1, m["id"] * 100 + 1, 1800000000000,
                            1800000000000 + 600000),
                           (ann["id"], 1, m["id"] * 100 + 2, 1800000000000 + 900000,
                            1800000000000 + 1200000)])
            c.commit()
        finally:
            c.close()
        return m, {"ann": ann, "bob": bob}, toks

    def launch(self, m, body=None):
        r = self.s.post(M + "/%d/polls" % m["id"], body or {"title": "Quick check",
                                                             "questions": IMPROVISED}, self.rep)
        self.assertEqual(r.status, 201, r)
        return r.json

    def answer(self, tok, poll, answers):
        return self.s.post("/api/v1/join/%s/polls/%d" % (tok, poll["id"]), {"answers": answers})

    def test_launch_answer_results_close_show(self):
        m, inv, tok = self.live_meeting()
        poll = self.launch(m)
        self.assertEqual((poll["state"], poll["shown"], poll["respondents"]), ("open", False, 0))
        self.assertIsNone(poll["questionnaire_id"])
        # participants see the open poll, without results
        r = self.s.get("/api/v1/join/%s/polls" % tok["ann"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual([p["id"] for p in r.json["data"]], [poll["id"]])
        self.assertNotIn("results", r.json["data"][0])
        self.assertIsNone(r.json["data"][0]["mine"])
        # two invitees answer by their tokens
        r = self.answer(tok["ann"], poll, {"pick": "A", "needs": ["API", "Reports"], "price": 5,
                                           "rank": ["Speed", "Support", "Cost"],
                                           "other": "Needs SSO"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["contact_id"], self.ann["id"])
        self.assertEqual(len(r.json["activity_ids"]), 2)
        r = self.answer(tok["bob"], poll, {"pick": "B", "needs": ["API"], "price": 2,
                                           "rank": ["Speed", "Cost", "Support"]})
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json["contact_id"])
        self.assertEqual(len(r.json["activity_ids"]), 1)
        # the host sees the results live
        r = self.s.get(M + "/%d/polls/%d" % (m["id"], poll["id"]), self.rep)
        self.assertEqual(r.status, 200, r)
        res = {q["key"]: q for q in r.json["results"]}
        self.assertEqual(r.json["respondents"], 2)
        self.assertEqual({o["option"]: o["count"] for o in res["pick"]["options"]},
                         {"A": 1, "B": 1, "C": 0})
        self.assertEqual({o["option"]: o["count"] for o in res["needs"]["options"]},
                         {"Reports": 1, "Mobile": 0, "API": 2})
        self.assertEqual(res["price"]["mean"], 3.5)
        self.assertEqual([d["count"] for d in res["price"]["distribution"]], [0, 1, 0, 0, 1])
        # Borda over 3 options: Speed 2+2, Support 1+0, Cost 0+1; Speed first
        rank = res["rank"]["options"]
        self.assertEqual([(o["option"], o["borda"]) for o in rank],
                         [("Speed", 4), ("Support", 1), ("Cost", 1)])
        self.assertEqual(rank[0]["mean_position"], 1.0)
        self.assertEqual(rank[1]["mean_position"], 2.5)
        self.assertEqual(res["other"]["texts"], ["Needs SSO"])
        self.assertEqual(sorted(a["name"] for a in r.json["answers"]), ["Ann Buyer", "Bob Partner"])
        # answering again replaces
        r = self.answer(tok["bob"], poll, {"pick": "C"})
        self.assertEqual(r.status, 200, r)
        r = self.s.get(M + "/%d/polls" % m["id"], self.rep)
        res = {q["key"]: q for q in r.json["data"][0]["results"]}
        self.assertEqual({o["option"]: o["count"] for o in res["pick"]["options"]},
                         {"A": 1, "B": 0, "C": 1})
        self.assertEqual(res["price"]["respondents"], 1)
        # close: answers refused; show: participants get the results, no names
        r = self.s.patch(M + "/%d/polls/%d" % (m["id"], poll["id"]), {"state": "closed"},
                         self.rep)
        self.assertEqual((r.status, r.json["state"]), (200, "closed"), r)
        self.assertProblem(self.answer(tok["ann"], poll, {"pick": "B"}), 409)
        r = self.s.get("/api/v1/join/%s/polls" % tok["bob"])
        self.assertEqual(r.json["data"], [])  # closed and not shown: gone from the room
        r = self.s.patch(M + "/%d/polls/%d" % (m["id"], poll["id"]), {"shown": True}, self.rep)
        self.assertTrue(r.json["shown"], r)
        r = self.s.get("/api/v1/join/%s/polls" % tok["bob"])
        p = r.json["data"][0]
        self.assertEqual(p["mine"], {"pick": "C"})
        self.assertIn("results", p)
        self.assertNotIn("answers", p)
        self.assertNotIn("Ann Buyer", r.raw)
        # the history says who launched, closed and showed
        h = self.s.get(M + "/%d/history" % m["id"], self.rep).json["data"]
        said = [x.get("new") for x in h if x.get("field") == "poll"]
        for what in ("launch", "close", "show"):
            self.assertIn("%s: poll %d" % (what, poll["id"]), said)

    def test_bad_answers_name_the_field(self):
        m, inv, tok = self.live_meeting()
        poll = self.launch(m)
        r = self.answer(tok["ann"], poll, {"pick": "Z", "needs": ["API", "API"], "price": 9,
                                           "rank": ["Speed"], "colour": "red"})
        self.assertProblem(r, 400)
        fields = {e["field"] for e in r.json["errors"]}
        self.assertEqual(fields, {"answers.pick", "answers.needs", "answers.price",
                                  "answers.rank", "answers.colour"})
        self.assertProblem(self.answer(tok["ann"], poll, {"needs": ["API"]}), 400, "answers.pick")
        self.assertProblem(self.s.post("/api/v1/join/%s/polls/%d" % (tok["ann"], poll["id"]),
                                       {"answers": ["A"]}), 400, "answers")
        self.assertEqual(self.s.get(M + "/%d/polls/%d" % (m["id"], poll["id"]),
                                    self.rep).json["respondents"], 0)
        # a guessed link, another meeting's poll: 404
        self.assertProblem(self.answer("x" * 43, poll, {"pick": "A"}), 404)
        m2, inv2, tok2 = self.live_meeting()
        self.assertProblem(self.answer(tok2["ann"], poll, {"pick": "A"}), 404)
        # improvised questions are checked like a template's
        r = self.s.post(M + "/%d/polls" % m["id"], {"title": "", "questions": [
            {"key": "Bad Key", "text": "x", "kind": "single", "options": ["one"]}]}, self.rep)
        self.assertProblem(r, 400)
        fields = {e["field"] for e in r.json["errors"]}
        self.assertEqual(fields, {"title", "questions[0].key", "questions[0].options"})
        self.assertProblem(self.s.post(M + "/%d/polls" % m["id"], {"questionnaire_id": 999999},
                                       self.rep), 400, "questionnaire_id")
        # closing and showing take only what they say
        pp = M + "/%d/polls/%d" % (m["id"], poll["id"])
        self.assertProblem(self.s.patch(pp, {"state": "open"}, self.rep), 400, "state")
        self.assertProblem(self.s.patch(pp, {"shown": "yes", "colour": 1}, self.rep), 400, "shown")
        self.assertProblem(self.s.patch(pp, {}, self.rep), 400, "state")
        # a poll under another meeting's id is not found
        self.assertProblem(self.s.get(M + "/%d/polls/%d" % (m2["id"], poll["id"]), self.rep), 404)
        self.assertProblem(self.s.patch(M + "/%d/polls/%d" % (m2["id"], poll["id"]),
                                        {"state": "closed"}, self.rep), 404)
        self.assertEqual(self.s.get(pp, self.rep).json["state"], "open")

    def test_who_may_launch_and_when(self):
        m, inv, tok = self.live_meeting()
        # the manager sees the meeting but is not its master: 403; another team: 404
        r = self.s.post(M + "/%d/polls" % m["id"], {"questionnaire_id": self.template["id"]},
                        self.o["mgr_east"]["token"])
        self.assertProblem(r, 403)
        r = self.s.post(M + "/%d/polls" % m["id"], {"questionnaire_id": self.template["id"]},
                        self.o["rep_w"]["token"])
        self.assertProblem(r, 404)
        self.assertProblem(self.s.get(M + "/%d/polls" % m["id"], self.o["rep_w"]["token"]), 404)
        # from the template: its questions, copied
        poll = self.launch(m, {"questionnaire_id": self.template["id"]})
        self.assertEqual(poll["questionnaire_id"], self.template["id"])
        self.assertEqual(poll["questions"], self.template["questions"])
        self.assertEqual(poll["title"], "Buying criteria")
        # a participant not admitted (still in the lobby) may not answer
        c = self.db()
        c.execute("UPDATE meeting_participants SET admitted_at = NULL WHERE invitee_id = ?",
                  (inv["bob"]["id"],))
        c.commit()
        c.close()
        self.assertProblem(self.answer(tok["bob"], poll, {"priority": "Price"}), 409)
        # a removed one: 404
        c = self.db()
        c.execute("UPDATE meeting_participants SET removed_at = '2027-01-15T09:10:00Z' WHERE "
                  "invitee_id = ?", (inv["bob"]["id"],))
        c.commit()
        c.close()
        self.assertProblem(self.answer(tok["bob"], poll, {"priority": "Price"}), 404)
        # the meeting ends (as room_end writes it): no more polls
        c = self.db()
        c.execute("UPDATE meetings SET state = 'ended' WHERE id = ?", (m["id"],))
        c.commit()
        c.close()
        self.assertProblem(self.s.post(M + "/%d/polls" % m["id"],
                                       {"questionnaire_id": self.template["id"]}, self.rep), 409)
        self.assertProblem(self.answer(tok["ann"], poll, {"priority": "Price"}), 409)

    def test_answers_land_on_the_contact_and_the_deal(self):
        m, inv, tok = self.live_meeting()
        poll = self.launch(m, {"questionnaire_id": self.template["id"]})
        r = self.answer(tok["ann"], poll, {"priority": "Service", "price": 2, "service": 5,
                                           "other": "Our plant is in Lyon"})
        self.assertEqual(r.status, 200, r)
        for related, rid in (("contact", self.ann["id"]), ("opportunity", self.deal["id"])):
            acts = self.s.get("/api/v1/activities?related_type=%s&related_id=%d" % (related, rid),
                              self.rep).json["data"]
            notes = [a for a in acts if a["type"] == "note" and "Buying criteria" in a["subject"]]
            self.assertEqual(len(notes), 1, acts)
            self.assertIn("Ann Buyer", notes[0]["subject"])
            self.assertIn("What matters most in this decision?\n  Service", notes[0]["notes"])
            self.assertIn("5 (on 1 to 5)", notes[0]["notes"])
            self.assertIn("Our plant is in Lyon", notes[0]["notes"])
            self.assertTrue(notes[0]["done_at"])
        # answering again rewrites the same notes
        self.answer(tok["ann"], poll, {"priority": "Price"})
        acts = self.s.get("/api/v1/activities?related_type=contact&related_id=%d"
                          % self.ann["id"], self.rep).json["data"]
        notes = [a for a in acts if "Buying criteria" in a["subject"] and
                 "Demo day" in (a["notes"] or "") and a["id"] in r.json["activity_ids"]]
        self.assertEqual(len(notes), 1)
        self.assertIn("in this decision?\n  Price", notes[0]["notes"])
        self.assertNotIn("Lyon", notes[0]["notes"])

    def test_an_address_is_matched_to_the_contact(self):
        """Bob was invited by address; the account has a contact with it."""
        bob = self.s.create("contacts", {"account_id": self.acct["id"], "first_name": "Bob",
                                         "last_name": "Partner", "email": "Bob@Partner.example"},
                            self.rep)
        m, inv, tok = self.live_meeting()
        poll = self.launch(m)
        r = self.answer(tok["bob"], poll, {"pick": "C"})
        self.assertEqual(r.json["contact_id"], bob["id"], r)
        acts = self.s.get("/api/v1/activities?related_type=contact&related_id=%d" % bob["id"],
                          self.rep).json["data"]
        self.assertEqual([a["id"] for a in acts if a["type"] == "note"], r.json["activity_ids"][1:])
        # the other tests' Bob stays unmatched
        self.s.delete("/api/v1/contacts/%d" % bob["id"], self.rep)

    def download(self, path, token, accept=None):
        c = http.client.HTTPConnection(self.s.host, self.s.port, timeout=30)
        h = {"Authorization": "Bearer " + token}
        if accept:
            h["Accept"] = accept
        try:
            c.request("GET", path, headers=h)
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            c.close()

    def test_report_json_csv_pdf(self):
        m, inv, tok = self.live_meeting()
        poll = self.launch(m)
        self.answer(tok["ann"], poll, {"pick": "A", "price": 4, "rank": ["Cost", "Speed",
                                                                         "Support"]})
        self.answer(tok["bob"], poll, {"pick": "B", "other": "Call me, Bob"})
        self.answer(tok["ann"], self.launch(m, {"title": "Second", "questions": [
            {"key": "note", "text": "A note?", "kind": "text"}]}), {"note": "=cmd|' /C calc'!A0"})
        r = self.s.get(M + "/%d/report" % m["id"], self.rep)
        self.assertEqual(r.status, 200, r)
        rep = r.json
        self.assertEqual(rep["meeting"]["title"], "Demo day")
        people = {p["name"]: p for p in rep["participants"]}
        ann, bob = people["Ann Buyer"], people["Bob Partner"]
        self.assertEqual((ann["rsvp"], bob["rsvp"]), ("accepted", "tentative"))
        self.assertEqual(ann["contact_id"], self.ann["id"])
        self.assertEqual(ann["minutes"], 15.0)  # 10 + 5, from the presence rows
        self.assertEqual(len(ann["intervals"]), 2)
        self.assertEqual(bob["minutes"], 0)
        got = {a["key"]: a["answer"] for a in ann["answers"] if a["poll_id"] == poll["id"]}
        self.assertEqual(got, {"pick": "A", "price": 4, "rank": ["Cost", "Speed", "Support"]})
        # in the order of the questions
        self.assertEqual([a["key"] for a in ann["answers"]], ["pick", "price", "rank", "note"])
        self.assertEqual({a["key"]: a["answer"] for a in bob["answers"]},
                         {"pick": "B", "other": "Call me, Bob"})
        self.assertEqual(len(rep["polls"]), 2)
        self.assertNotIn("answers", rep["polls"][0])
        res = {q["key"]: q for q in rep["polls"][0]["results"]}
        self.assertEqual(res["price"]["mean"], 4.0)
        self.assertIn(people["rep_e1"]["role"], ("master",))
        # CSV: one row per participant, one column per question
        for path, accept in ((M + "/%d/report?format=csv" % m["id"], None),
                             (M + "/%d/report" % m["id"], "text/csv")):
            status, h, data = self.download(path, self.rep, accept)
            self.assertEqual(status, 200)
            self.assertTrue(h["content-type"].startswith("text/csv"), h)
            self.assertIn("attachment", h["content-disposition"])
            rows = list(csv.DictReader(io.StringIO(data.decode())))
            by = {row["name"]: row for row in rows}
            self.assertEqual(by["Ann Buyer"]["Quick check: pick"], "A")
            self.assertEqual(by["Ann Buyer"]["Quick check: rank"], "1. Cost; 2. Speed; 3. Support")
            self.assertEqual(by["Ann Buyer"]["minutes"], "15.0")
            self.assertEqual(by["Ann Buyer"]["rsvp"], "accepted")
            self.assertEqual(by["Bob Partner"]["Quick check: other"], "Call me, Bob")
            self.assertEqual(by["Bob Partner"]["Quick check: price"], "")
            # a formula is not run by the spreadsheet (quoted, OWASP's advice)
            self.assertEqual(by["Ann Buyer"]["Second: note"], "'=cmd|' /C calc'!A0")
            self.assertEqual(by["Bob Partner"]["Second: note"], "")
        # PDF
        status, h, data = self.download(M + "/%d/report?format=pdf" % m["id"], self.rep)
        self.assertEqual(status, 200)
        self.assertEqual(h["content-type"], "application/pdf")
        self.assertTrue(data.startswith(b"%PDF-"))
        text = pdf_text(data)
        for want in ("Meeting report: Demo day", "Ann Buyer", "RSVP accepted",
                     "15.0 minutes present", "Quick check / Which one?: A", "mean 4.00",
                     "Call me, Bob", "1. Cost; 2. Speed; 3. Support"):
            self.assertIn(want, text)
        status, h, data = self.download(M + "/%d/report" % m["id"], self.rep,
                                        "application/pdf")
        self.assertEqual((status, h["content-type"]), (200, "application/pdf"))
        # bad format: 400 naming it
        self.assertProblem(self.s.get(M + "/%d/report?format=xls" % m["id"], self.rep), 400,
                           "format")
        # visibility as the meeting: another team's rep and manager get 404
        for who in ("rep_w", "mgr_west", "rep_e1b"):
            self.assertProblem(self.s.get(M + "/%d/report" % m["id"], self.o[who]["token"]),
                               404)
            status, h, data = self.download(M + "/%d/report?format=csv" % m["id"],
                                            self.o[who]["token"])
            self.assertEqual(status, 404)
        # the manager of the team sees it
        self.assertEqual(self.s.get(M + "/%d/report" % m["id"],
                                    self.o["mgr_east"]["token"]).status, 200)
        # the command line: the same report, as the same people see it
        p = run(["meeting", "report", "--db", self.s.db, str(m["id"]), "--format", "csv",
                 "--as", self.o["rep_e1"]["email"]], check=True)
        self.assertIn("Quick check: pick", p.stdout.splitlines()[0])
        self.assertIn("Call me, Bob", p.stdout)
        p = run(["meeting", "report", "--db", self.s.db, str(m["id"])], check=True)
        self.assertEqual(len(json.loads(p.stdout)["participants"]), 3)
        out = os.path.join(self.s.tmp, "report.pdf")
        run(["meeting", "report", "--db", self.s.db, str(m["id"]), "--format", "pdf", "--out",
             out], check=True)
        with open(out, "rb") as f:
            self.assertIn("Call me, Bob", pdf_text(f.read()))
        p = run(["meeting", "report", "--db", self.s.db, str(m["id"]), "--as",
                 self.o["rep_w"]["email"]])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no such meeting", p.stderr)


if __name__ == "__main__":
    unittest.main()
