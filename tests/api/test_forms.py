"""Web-to-lead forms: defined through the API, public at /f/{slug}.

A visitor's submission (form-encoded, as a browser posts it, or JSON) becomes
a lead assigned by territory, channel or in turn, with a follow-up task for
its owner; bots (honeypot), floods (rate limit), oversize and badly encoded
bodies are refused without creating anything.
"""
import datetime
import json
import re
import urllib.parse

from harness import ServerTest

QUESTIONS = [
    {"name": "first_name", "label": "First name", "type": "text", "maps_to": "first_name"},
    {"name": "last_name", "label": "Last name", "type": "text", "required": True,
     "maps_to": "last_name"},
    {"name": "email", "label": "Work e-mail", "type": "email", "required": True,
     "maps_to": "email"},
    {"name": "company", "label": "Company <Inc>", "type": "text", "maps_to": "company"},
    {"name": "region", "label": "Region", "type": "select", "options": ["North", "South"],
     "maps_to": "territory"},
    {"name": "budget", "label": "Budget", "type": "select",
     "options": ["< 10k", "10k-50k", "> 50k"], "maps_to": "qualification.budget"},
    {"name": "need", "label": "What do you need?", "type": "textarea",
     "maps_to": "qualification.need"},
    {"name": "consent", "label": "You may call me", "type": "checkbox", "required": True,
     "maps_to": "qualification.consent"},
]


def form_body(d):
    return urllib.parse.urlencode(d).encode()


class Forms(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        cls.admin = s.login()
        cls.team = s.create("teams", {"name": "Inbound"})["id"]
        cls.sub = s.create("teams", {"name": "Inbound-2", "parent_id": cls.team})["id"]
        cls.other = s.create("teams", {"name": "Elsewhere"})["id"]
        cls.reps = {}
        for name, team, extra in (("north", cls.team, {"territory": "North", "channel": "field"}),
                                  ("webby", cls.team, {"territory": "South", "channel": "web"}),
                                  ("plain", cls.sub, {}),
                                  ("away", cls.other, {"territory": "North"})):
            body = {"email": name + "@test.funnel", "name": name, "role": "rep", "team_id": team,
                    "password": "correct horse battery"}
            body.update(extra)
            cls.reps[name] = s.create("users", body)["id"]
        cls.mgr = s.create("users", {"email": "boss@test.funnel", "name": "boss",
                                     "role": "manager", "team_id": cls.team,
                                     "password": "correct horse battery"})["id"]
        cls.n = 0

    def make_form(self, **kw):
        Forms.n += 1
        body = {"slug": "contact-%d" % Forms.n, "name": "Contact us %d" % Forms.n,
                "fields": QUESTIONS, "team_id": self.team}
        body.update(kw)
        return self.s.create("forms", body, self.admin)

    def leads_of(self, form):
        r = self.s.get("/api/v1/leads?form_id=%d&limit=200" % form["id"], self.admin)
        self.assertEqual(r.status, 200, r)
        return r.json["data"]

    def post_form(self, form, data, **kw):
        raw = data if isinstance(data, bytes) else form_body(data)
        return self.s.post("/f/" + form["slug"], raw=raw,
                           content_type="application/x-www-form-urlencoded", **kw)

    def answers(self, **kw):
        d = {"first_name": "Ann", "last_name": "Smith", "email": "ann@acme.example",
             "company": "Acme", "consent": "on", "website_url": ""}
        d.update(kw)
        return {k: v for k, v in d.items() if v is not None}

    # --- the definition ---------------------------------------------------

    def test_definition_is_checked(self):
        bad = [dict(QUESTIONS[1]), {"name": "x", "label": "X", "type": "radio",
                                     "maps_to": "qualification.x"},
               {"name": "y", "label": "Y", "type": "text", "maps_to": "salary"},
               {"name": "website_url", "label": "Trap", "type": "text",
                "maps_to": "qualification.t"},
               {"name": "z", "label": "Z", "type": "select", "maps_to": "qualification.z"}]
        r = self.s.post("/api/v1/forms", {"slug": "Bad Slug", "name": "Bad", "fields": bad,
                                          "thank_you_url": "javascript:alert(1)"}, self.admin)
        self.assertProblem(r, 400)
        fields = {e["field"] for e in r.json["errors"]}
        self.assertTrue({"slug", "thank_you_url", "fields[1].type", "fields[2].maps_to",
                         "fields[3].name", "fields[4].options"} <= fields, r)
        # no question for last_name
        r = self.s.post("/api/v1/forms", {"slug": "nolast", "name": "N",
                                          "fields": [QUESTIONS[0]]}, self.admin)
        self.assertProblem(r, 400, "fields")
        # fields must be JSON, not a string
        r = self.s.post("/api/v1/forms", {"slug": "str", "name": "S", "fields": "[]"},
                        self.admin)
        self.assertProblem(r, 400, "fields")
        # slugs are unique
        f = self.make_form()
        r = self.s.post("/api/v1/forms", {"slug": f["slug"], "name": "Again",
                                          "fields": QUESTIONS}, self.admin)
        self.assertProblem(r, 409, "slug")
        # reps read forms but do not write them
        rep = self.s.login("plain@test.funnel")
        self.assertEqual(self.s.get("/api/v1/forms/%d" % f["id"], rep).status, 200)
        r = self.s.post("/api/v1/forms", {"slug": "mine", "name": "Mine",
                                          "fields": QUESTIONS}, rep)
        self.assertProblem(r, 403)
        # the questions come back as JSON, as given
        got = self.s.get("/api/v1/forms/%d" % f["id"], self.admin).json
        self.assertEqual(got["fields"], QUESTIONS)
        self.assertEqual(got["submissions"], 0)

    def test_page_and_embed(self):
        f = self.make_form()
        r = self.s.get("/f/" + f["slug"])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        for name in ("first_name", "last_name", "email", "company", "region", "budget",
                     "need", "consent", "website_url"):
            self.assertIn('name="%s"' % name, r.raw)
        self.assertIn('tabindex="-1"', r.raw)  # the honeypot is out of reach
        self.assertIn("Company &lt;Inc&gt;", r.raw)  # labels are escaped
        self.assertNotIn("<Inc>", r.raw)
        csp = r.header("Content-Security-Policy")
        self.assertIn("frame-ancestors *", csp)
        self.assertIn("default-src 'none'", csp)
        # only this page may be framed
        api = self.s.get("/api/v1/forms/%d" % f["id"], self.admin)
        self.assertIn("frame-ancestors 'none'", api.header("Content-Security-Policy"))
        # the snippet the admin pastes
        e = self.s.get("/api/v1/forms/%d/embed" % f["id"], self.admin)
        self.assertEqual(e.status, 200, e)
        self.assertTrue(e.json["url"].endswith("/f/" + f["slug"]), e)
        self.assertTrue(e.json["url"].startswith("http://127.0.0.1:"), e)
        self.assertIn('<iframe src="%s"' % e.json["url"], e.json["embed"])
        # switched off: gone
        self.s.patch("/api/v1/forms/%d" % f["id"], {"active": False}, self.admin)
        self.assertEqual(self.s.get("/f/" + f["slug"]).status, 404)
        self.assertEqual(self.s.get("/f/no-such-form").status, 404)

    # --- submissions ------------------------------------------------------

    def test_form_post_creates_lead_by_territory_with_task(self):
        f = self.make_form(pipeline_id=1, channel="web")
        r = self.post_form(f, self.answers(region="North", budget="> 50k",
                                           need="A CRM\nfor 20 people", first_name="Zoë"))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/f/%s?sent=1" % f["slug"])
        thanks = self.s.get(r.header("Location"))
        self.assertIn("Thank you", thanks.raw)
        leads = self.leads_of(f)
        self.assertEqual(len(leads), 1)
        lead = leads[0]
        # territory beats channel: North goes to "north" though the form is web
        self.assertEqual(lead["owner_id"], self.reps["north"])
        self.assertEqual(lead["first_name"], "Zoë")
        self.assertEqual(lead["source"], "web form: " + f["name"])
        self.assertEqual(lead["territory"], "North")
        self.assertEqual(lead["status"], "new")
        self.assertEqual(lead["pipeline_id"], 1)
        self.assertEqual(lead["form_id"], f["id"])
        self.assertEqual(lead["qualification"], {"budget": "> 50k", "need": "A CRM\nfor 20 people",
                                                 "consent": "yes"})
        # the follow-up task, for the owner, next business day 17:00 UTC
        r = self.s.get("/api/v1/activities?related_type=lead&related_id=%d" % lead["id"],
                       self.admin)
        tasks = r.json["data"]
        self.assertEqual(len(tasks), 1, r)
        t = tasks[0]
        self.assertEqual(t["type"], "task")
        self.assertEqual(t["subject"], "Follow up web lead Zoë Smith")
        self.assertEqual(t["owner_id"], self.reps["north"])
        due = datetime.datetime.strptime(t["due_at"], "%Y-%m-%dT%H:%M:%SZ")
        today = datetime.datetime.utcnow().date()
        self.assertEqual(due.time(), datetime.time(17, 0))
        self.assertLess(due.weekday(), 5)
        self.assertGreater(due.date(), today)
        self.assertLessEqual((due.date() - today).days, 3)
        # the owner sees both; the form counts it
        tok = self.s.login("north@test.funnel")
        self.assertEqual(self.s.get("/api/v1/leads/%d" % lead["id"], tok).status, 200)
        self.assertEqual(self.s.get("/api/v1/forms/%d" % f["id"], self.admin)
                         .json["submissions"], 1)

    def test_json_post_assigns_by_channel(self):
        f = self.make_form(channel="web")
        r = self.s.post("/f/" + f["slug"], {"last_name": "Jones", "email": "j@corp.example",
                                             "consent": True})
        self.assertEqual(r.status, 201, r)
        lead = self.s.get("/api/v1/leads/%d" % r.json["lead_id"], self.admin).json
        self.assertEqual(lead["owner_id"], self.reps["webby"])
        self.assertEqual(lead["channel"], "web")
        # territory comes before channel; "away" has North too, but is in
        # another team
        r = self.s.post("/f/" + f["slug"], {"last_name": "Kim", "email": "k@corp.example",
                                             "consent": True, "region": "North"})
        lead = self.s.get("/api/v1/leads/%d" % r.json["lead_id"], self.admin).json
        self.assertEqual(lead["owner_id"], self.reps["north"])

    def test_round_robin_and_fixed_owner(self):
        f = self.make_form()
        owners = []
        for i in range(3):
            r = self.s.post("/f/" + f["slug"], {"last_name": "Lead %d" % i,
                                                 "email": "l%d@x.example" % i, "consent": True})
            self.assertEqual(r.status, 201, r)
            owners.append(self.s.get("/api/v1/leads/%d" % r.json["lead_id"], self.admin)
                          .json["owner_id"])
        # all three active reps of the team and its sub-team, once each
        self.assertEqual(sorted(owners), sorted([self.reps["north"], self.reps["webby"],
                                                 self.reps["plain"]]))
        # the fixed owner comes first
        g = self.make_form(owner_id=self.mgr)
        r = self.s.post("/f/" + g["slug"], {"last_name": "Fixed", "email": "f@x.example",
                                             "consent": True, "region": "North"})
        self.assertEqual(self.s.get("/api/v1/leads/%d" % r.json["lead_id"], self.admin)
                         .json["owner_id"], self.mgr)
        # no team: the form's creator
        h = self.make_form(team_id=None)
        r = self.s.post("/f/" + h["slug"], {"last_name": "Mine", "email": "m@x.example",
                                             "consent": True})
        self.assertEqual(self.s.get("/api/v1/leads/%d" % r.json["lead_id"], self.admin)
                         .json["owner_id"], 1)

    def test_honeypot_creates_nothing(self):
        f = self.make_form()
        r = self.post_form(f, self.answers(website_url="http://spam.example"))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/f/%s?sent=1" % f["slug"])
        r = self.s.post("/f/" + f["slug"], {"last_name": "Bot", "email": "b@x.example",
                                             "consent": True, "website_url": "x"})
        self.assertEqual(r.status, 201, r)
        self.assertIn("lead_id", r.json)
        self.assertEqual(self.leads_of(f), [])
        got = self.s.get("/api/v1/forms/%d" % f["id"], self.admin).json
        self.assertEqual(got["spam_blocked"], 2)
        self.assertEqual(got["submissions"], 0)

    def test_rate_limit_per_address(self):
        f = self.make_form()
        for i in range(5):
            r = self.post_form(f, self.answers(last_name="Flood %d" % i))
            self.assertEqual(r.status, 303, (i, r))
        r = self.post_form(f, self.answers(last_name="Flood 6"))
        self.assertEqual(r.status, 429, r)
        self.assertTrue(1 <= int(r.header("Retry-After")) <= 60, r.header("Retry-After"))
        r = self.s.post("/f/" + f["slug"], {"last_name": "Flood 7", "email": "x@y.example",
                                             "consent": True})
        self.assertProblem(r, 429)
        self.assertTrue(r.header("Retry-After"))
        self.assertEqual(len(self.leads_of(f)), 5)
        # another form is another budget
        g = self.make_form()
        self.assertEqual(self.post_form(g, self.answers()).status, 303)

    def test_oversize_is_refused(self):
        f = self.make_form()
        r = self.post_form(f, self.answers(need="x" * 5001))
        self.assertEqual(r.status, 400, r)
        self.assertIn("at most 5000 characters", r.raw)
        many = self.answers()
        many.update({"extra%d" % i: "1" for i in range(60)})
        r = self.post_form(f, many)
        self.assertEqual(r.status, 400, r)
        r = self.s.post("/f/" + f["slug"], dict(many))
        self.assertProblem(r, 400)
        # well past the limit, within the server's --max-body (beyond it the
        # server answers 413 before any handler: test_server.py)
        r = self.post_form(f, self.answers(need="y" * 200000))
        self.assertEqual(r.status, 400, r)
        self.assertLess(len(r.raw), 100000)  # the page does not echo it all back
        self.assertEqual(self.leads_of(f), [])

    def test_bad_encodings_are_refused(self):
        f = self.make_form()
        good = form_body(self.answers())
        for raw in (good + b"&need=100%", good + b"&need=%zz", good + b"&need=%C3%28",
                    good + b"&need=%FF", good + b"&need=ok%00", b"last_name=\xff\xfe&" + good,
                    good.replace(b"last_name=Smith", b"last_name=Sm%E9th")):
            r = self.post_form(f, raw)
            self.assertEqual(r.status, 400, (raw, r))
            self.assertTrue(r.header("Content-Type").startswith("text/html"))
        r = self.s.post("/f/" + f["slug"], raw=b'{"last_name": "\xff"}')
        self.assertProblem(r, 400)
        r = self.s.post("/f/" + f["slug"], raw=b"last_name=x", content_type="text/plain")
        self.assertProblem(r, 415)
        self.assertEqual(self.leads_of(f), [])

    def test_answers_are_checked(self):
        f = self.make_form()
        r = self.s.post("/f/" + f["slug"], {"email": "not-an-address", "region": "East",
                                             "unknown": "x", "company": "A" * 201})
        self.assertProblem(r, 400)
        fields = {e["field"] for e in r.json["errors"]}
        self.assertEqual(fields, {"last_name", "email", "region", "unknown", "company",
                                  "consent"})
        # a browser gets the page back, listing the problems, values kept
        r = self.post_form(f, self.answers(last_name="", company="Keep <me>"))
        self.assertEqual(r.status, 400, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        self.assertIn("Last name: is required", r.raw)
        self.assertIn('value="Keep &lt;me&gt;"', r.raw)
        self.assertIn("frame-ancestors *", r.header("Content-Security-Policy"))
        self.assertEqual(self.leads_of(f), [])
        self.assertEqual(self.s.post("/f/no-such-form", {"last_name": "x"}).status, 404)

    def test_thank_you_url(self):
        f = self.make_form(thank_you_url="https://www.example.com/thanks?from=form")
        r = self.post_form(f, self.answers())
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "https://www.example.com/thanks?from=form")

    def test_qualification_on_leads(self):
        lead = self.s.create("leads", {"last_name": "Q", "qualification": {
            "budget": "50k", "timeline": "Q3"}})
        self.assertEqual(lead["qualification"], {"budget": "50k", "timeline": "Q3"})
        for bad in ({"budget": 5}, {"Bad Key": "x"}, {"need": "n" * 1001}, ["budget"]):
            r = self.s.post("/api/v1/leads", {"last_name": "Q", "qualification": bad},
                            self.admin)
            self.assertProblem(r, 400)
            self.assertTrue(any(e["field"].startswith("qualification") for e in
                                r.json["errors"]), r)
        for ro in ("form_id", "pipeline_id", "converted_at", "converted_account_id"):
            r = self.s.patch("/api/v1/leads/%d" % lead["id"], {ro: 1}, self.admin)
            self.assertProblem(r, 400, ro)
