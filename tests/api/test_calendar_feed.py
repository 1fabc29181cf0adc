"""The calendar feed (docs/calendar-vcard.md): a user's private iCalendar URL
of their activities with a due date and their meetings, parsed by a real
iCalendar parser (Python's icalendar, Debian python3-icalendar)."""
import sqlite3
import sys
import unittest
import urllib.parse

try:
    import icalendar
except ImportError:  # a python3 of its own (pyenv) beside Debian's, which has the package:
    # Debian's first, so that icalendar runs with the dateutil it was packaged with
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    import icalendar

from harness import Server, ServerTest, org

FEED = "/api/v1/me/calendar_feed"


class CalendarFeed(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(args=["--public-url", "http://crm.example.test:8080"])
        cls.o = org(cls.s)
        cls.rep = cls.o["rep_e1"]["token"]
        cls.other = cls.o["rep_w"]["token"]
        cls.acct = cls.s.create("accounts", {"name": "Acme"}, cls.rep)
        cls.deal = cls.s.create("opportunities", {"name": "Acme deal", "account_id": cls.acct["id"],
                                                  "close_date": "2027-03-31"}, cls.rep)
        cls.call = cls.s.create("activities", {
            "type": "call", "subject": "Call Ann, about the proposal; with a comma",
            "notes": "Line one\nLine two", "due_at": "2027-01-10T14:00:00Z",
            "related_type": "opportunity", "related_id": cls.deal["id"]}, cls.rep)
        cls.done = cls.s.create("activities", {
            "type": "task", "subject": "Send the deck", "due_at": "2027-01-08T09:00:00Z",
            "done_at": "2027-01-07T16:30:00Z"}, cls.rep)
        cls.undated = cls.s.create("activities", {"type": "note", "subject": "No date"}, cls.rep)
        cls.meeting = cls.s.create("meetings", {
            "opportunity_id": cls.deal["id"], "kind": "proposal_review", "title": "Proposal review",
            "starts_at": "2027-01-15T09:00:00Z", "duration_minutes": 45,
            "timezone": "Europe/Paris"}, cls.rep)
        # someone else's: must never show in the rep's feed
        oacct = cls.s.create("accounts", {"name": "Westco"}, cls.other)
        odeal = cls.s.create("opportunities", {"name": "West deal", "account_id": oacct["id"],
                                               "close_date": "2027-03-31"}, cls.other)
        cls.s.create("activities", {"type": "call", "subject": "West secret call",
                                    "due_at": "2027-01-11T10:00:00Z"}, cls.other)
        cls.s.create("meetings", {"opportunity_id": odeal["id"], "kind": "negotiation",
                                  "title": "West secret meeting",
                                  "starts_at": "2027-01-16T09:00:00Z", "duration_minutes": 30,
                                  "timezone": "America/New_York"}, cls.other)

    def make(self, token=None):
        r = self.s.post(FEED, None, token or self.rep)
        self.assertEqual(r.status, 201, r)
        self.assertEqual([v for k, v in r.headers if k.lower() == "cache-control"], ["no-store"])
        url = r.json["url"]
        self.assertTrue(url.startswith("http://crm.example.test:8080/cal/fnc_"), url)
        self.assertTrue(url.endswith(".ics"))
        return urllib.parse.urlparse(url).path

    def fetch(self, path, status=200):
        r = self.s.get(path)
        self.assertEqual(r.status, status, r)
        self.assertEqual([v for k, v in r.headers if k.lower() == "cache-control"], ["no-store"])
        self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        return r

    def test_feed_parses_and_holds_what_the_user_has(self):
        path = self.make()
        r = self.fetch(path)
        self.assertEqual(r.header("Content-Type"), "text/calendar; charset=utf-8")
        self.assertIn("\r\n", r.raw)
        cal = icalendar.Calendar.from_ical(r.raw)
        self.assertEqual(str(cal["VERSION"]), "2.0")
        self.assertNotIn("METHOD", cal)
        todos = {str(c["SUMMARY"]): c for c in cal.walk("VTODO")}
        events = {str(c["SUMMARY"]): c for c in cal.walk("VEVENT")}
        self.assertEqual(set(todos), {"Call Ann, about the proposal; with a comma",
                                      "Send the deck"})
        self.assertEqual(set(events), {"Proposal review"})
        call = todos["Call Ann, about the proposal; with a comma"]
        self.assertEqual(str(call["UID"]), "funnel-activity-%d@crm.example.test" % self.call["id"])
        self.assertEqual(call["DUE"].dt.isoformat(), "2027-01-10T14:00:00+00:00")
        self.assertEqual(str(call["DESCRIPTION"]), "Line one\nLine two")
        self.assertEqual(str(call["STATUS"]), "NEEDS-ACTION")
        self.assertIn("SEQUENCE", call)
        self.assertIn("DTSTAMP", call)
        self.assertEqual(str(call["URL"]),
                         "http://crm.example.test:8080/opportunities/%d" % self.deal["id"])
        done = todos["Send the deck"]
        self.assertEqual(str(done["STATUS"]), "COMPLETED")
        self.assertEqual(done["COMPLETED"].dt.isoformat(), "2027-01-07T16:30:00+00:00")
        ev = events["Proposal review"]
        self.assertEqual(str(ev["UID"]), self.meeting["ical_uid"])
        self.assertIn("SEQUENCE", ev)
        self.assertIn("DTSTAMP", ev)
        # 09:00 UTC is 10:00 in Paris in January, written with its TZID and VTIMEZONE
        self.assertEqual(ev["DTSTART"].params["TZID"], "Europe/Paris")
        self.assertEqual(ev["DTSTART"].dt.replace(tzinfo=None).isoformat(), "2027-01-15T10:00:00")
        self.assertEqual(ev["DTSTART"].dt.utcoffset().total_seconds(), 3600)
        zones = [str(z["TZID"]) for z in cal.walk("VTIMEZONE")]
        self.assertEqual(len([z for z in zones if z.endswith("Europe/Paris")]), 1, zones)
        # the meeting's own activity on the deal is not there twice
        self.assertNotIn("West secret call", r.raw)
        self.assertNotIn("West secret meeting", r.raw)
        self.assertNotIn("America/New_York", r.raw)

    def test_unchanged_feed_is_304(self):
        t = self.o["rep_e1b"]["token"]
        path = self.make(t)
        first = self.fetch(path)
        tag = first.header("ETag")
        self.assertRegex(tag, r'^"[0-9a-f]{32}"$')
        r = self.s.get(path, headers={"If-None-Match": tag})
        self.assertEqual(r.status, 304, r)
        self.assertEqual(r.raw, "")
        self.assertEqual(self.fetch(path).raw, first.raw)  # the same bytes, poll after poll
        self.s.create("activities", {"type": "task", "subject": "New task",
                                     "due_at": "2027-02-01T08:00:00Z"}, t)
        r = self.s.get(path, headers={"If-None-Match": tag})
        self.assertEqual(r.status, 200, r)
        self.assertNotEqual(r.header("ETag"), tag)
        self.assertIn("New task", r.raw)

    def test_state_without_url(self):
        self.make(self.o["mgr_east"]["token"])
        r = self.s.get(FEED, self.o["mgr_east"]["token"])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["active"])
        self.assertTrue(r.json["prefix"].startswith("fnc_"))
        self.assertNotIn("url", r.json)
        r = self.s.get(FEED, self.o["mgr_west"]["token"])
        self.assertEqual(r.json, {"active": False, "prefix": None, "created_at": None,
                                  "last_polled_at": None})

    def test_only_the_hash_is_stored(self):
        path = self.make(self.o["rep_e1b"]["token"])
        token = path[len("/cal/"):-len(".ics")]
        c = sqlite3.connect(self.s.db)
        try:
            rows = c.execute("SELECT token_hash, prefix FROM calendar_feeds").fetchall()
        finally:
            c.close()
        self.assertTrue(rows)
        for h, prefix in rows:
            self.assertNotIn(token, h)
            self.assertEqual(len(h), 64)

    def test_rotate_and_revoke(self):
        t = self.o["mgr_west"]["token"]
        first = self.make(t)
        self.fetch(first)
        second = self.make(t)
        self.assertNotEqual(first, second)
        self.assertProblem(self.s.get(first), 404)
        self.fetch(second)
        self.assertTrue(self.s.get(FEED, t).json["last_polled_at"])
        r = self.s.delete(FEED, t)
        self.assertEqual(r.status, 204, r)
        self.assertProblem(self.s.get(second), 404)
        self.assertProblem(self.s.delete(FEED, t), 404)

    def test_forged_tokens(self):
        path = self.make(self.other)
        token = path[len("/cal/"):-len(".ics")]
        forged = token[:-1] + ("A" if token[-1] != "A" else "B")
        for p in ("/cal/" + forged + ".ics", "/cal/" + token, "/cal/" + token + ".ICS",
                  "/cal/fnt_" + token[4:] + ".ics", "/cal/.ics", "/cal/x.ics",
                  "/cal/" + "fnc_" + "A" * 500 + ".ics"):
            self.assertProblem(self.s.get(p), 404)
        # an API token is not a feed token, nor the other way round
        self.assertEqual(self.s.get("/api/v1/me", token).status, 401)

    def test_disabled_user_feed_is_gone(self):
        admin = self.o["admin"]["token"]
        u = self.s.create("users", {"email": "leaver@test.funnel", "name": "Leaver",
                                    "role": "rep", "password": "correct horse battery"}, admin)
        path = self.make(self.s.login("leaver@test.funnel"))
        self.fetch(path)
        r = self.s.patch("/api/v1/users/%d" % u["id"], {"active": False}, admin)
        self.assertEqual(r.status, 200, r)
        self.assertProblem(self.s.get(path), 404)

    def test_needs_credentials(self):
        self.assertProblem(self.s.post(FEED, None), 401)
        self.assertProblem(self.s.get(FEED), 401)


if __name__ == "__main__":
    unittest.main()
