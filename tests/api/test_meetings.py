"""Meetings on deals (crm/meetings/meetings.h, docs/meetings.md): the record and
its states, the deal's visibility, the lobby theme by sector, invitations as
iMIP mail through a real SMTP server on loopback (Debian's aiosmtpd), parsed
back from what it received, answers by link and by iMIP REPLY, refusals and
an SMTP server that is not there, and bad input."""
import email
import email.policy
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
from urllib.parse import urlparse

from harness import Server, ServerTest, org, run

M = "/api/v1/meetings"
SINK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smtp_sink.py")
STAGES = [
    {"key": "present", "name": "Presentation", "section": "middle", "probability": 30,
     "criteria": [{"kind": "activity", "activity_type": "meeting"}]},
    {"key": "offer", "name": "Offer", "section": "lower", "probability": 60},
    {"key": "won", "name": "Won", "section": "won"},
    {"key": "lost", "name": "Lost", "section": "lost"},
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Smtp:
    """The SMTP sink, its own process and directory; stop() ends both."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="funnel-smtp-")
        self.proc = subprocess.Popen(["/usr/bin/python3", SINK, str(self.port), self.dir],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self.proc.stdout.readline().strip() == b"ready"
        self.url = "smtp://127.0.0.1:%d" % self.port

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def messages(self):
        out = []
        for f in sorted(glob.glob(os.path.join(self.dir, "*.eml")),
                        key=lambda p: int(os.path.basename(p)[:-4])):
            with open(f, "rb") as fh:
                out.append(email.message_from_bytes(fh.read(), policy=email.policy.default))
        return out

    def wait(self, n, timeout=20):
        t = time.time() + timeout
        while time.time() < t:
            m = self.messages()
            if len(m) >= n:
                return m
            time.sleep(0.1)
        raise AssertionError("%d messages arrived, %d wanted" % (len(self.messages()), n))


def ics(msg):
    """The text/calendar part as {"METHOD": ..., "VEVENT": [(name, params, value)]}."""
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    raw = part.get_content()
    lines = re.sub(r"\r?\n[ \t]", "", raw).splitlines()
    out, where = {"VEVENT": [], "params": part.get_param("method")}, None
    for line in lines:
        name, _, value = line.partition(":")
        key, *params = name.split(";")
        if key == "BEGIN":
            where = value
        elif key == "END":
            where = None
        elif where == "VEVENT":
            out["VEVENT"].append((key, params, value))
        elif where == "VCALENDAR" or where is None:
            out.setdefault(key, value)
    return out


def prop(cal, name):
    return [v for k, p, v in cal["VEVENT"] if k == name]


def link_of(msg, kind="m"):
    text = next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_content()
    return re.search(r"http://\S+/%s/[A-Za-z0-9_-]+" % ("m" if kind == "m" else "api/v1/rsvp"),
                     text).group(0)


class Meetings(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.smtp = Smtp()
        try:
            cls.s = Server(args=["--smtp", cls.smtp.url, "--mail-from", "crm@example.com",
                                 "--public-url", "http://crm.example.test:8080/"])
        except BaseException:
            cls.smtp.stop()  # tearDownClass does not run when setUpClass fails
            raise
        cls.o = org(cls.s)
        cls.admin = cls.o["admin"]["token"]
        cls.rep = cls.o["rep_e1"]["token"]
        r = cls.s.post("/api/v1/pipelines", {"name": "Meetings", "enforcement": "guided",
                                              "stages": STAGES}, cls.admin)
        assert r.status == 201, r
        cls.pipe = r.json["id"]
        cls.acct = cls.s.create("accounts", {"name": "Acme Software", "industry": "Software"},
                                cls.rep)
        cls.ann = cls.s.create("contacts", {"account_id": cls.acct["id"], "first_name": "Ann",
                                            "last_name": "Buyer", "email": "ann@acme.example"},
                               cls.rep)
        cls.lobby = cls.s.create("lobbies", {"name": "Tech", "industries": ["Software"],
                                             "welcome": "Welcome", "primary_color": "#112233"},
                                 cls.admin)
        cls.other_lobby = cls.s.create("lobbies", {"name": "Plain"}, cls.admin)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.smtp.stop()

    def deal(self, token=None, name="Deal"):
        return self.s.create("opportunities", {"name": name, "account_id": self.acct["id"],
                                               "close_date": "2027-03-31",
                                               "pipeline_id": self.pipe}, token or self.rep)

    def meeting(self, deal=None, token=None, **kw):
        body = {"opportunity_id": (deal or self.deal())["id"], "kind": "proposal_review",
                "title": "Proposal review", "starts_at": "2027-01-15T09:00:00Z",
                "duration_minutes": 45, "timezone": "Europe/Paris"}
        body.update(kw)
        return self.s.create("meetings", body, token or self.rep)

    def get(self, m, token=None):
        r = self.s.get(M + "/%d" % m["id"], token or self.rep)
        self.assertEqual(r.status, 200, r)
        return r.json

    def lobby_of(self, m):
        r = self.s.get(M + "/%d/lobby" % m["id"], self.rep)
        self.assertEqual(r.status, 200, r)
        return r.json

    def invite(self, m, body, token=None, status=201):
        r = self.s.post(M + "/%d/invitees" % m["id"], body, token or self.rep)
        self.assertEqual(r.status, status, r)
        return r.json

    def state(self, m, state, token=None):
        return self.s.patch(M + "/%d" % m["id"], {"state": state}, token or self.rep)

    def mails_to(self, addr, n=1):
        t = time.time() + 20
        while time.time() < t:
            got = [x for x in self.smtp.messages() if addr in x["To"]]
            if len(got) >= n:
                return got
            time.sleep(0.1)
        raise AssertionError("no %d mails to %s" % (n, addr))

    # --- the record -----------------------------------------------------------
    def test_lifecycle_activity_and_the_stage_criterion(self):
        d = self.deal(name="Criterion deal")
        r = self.s.post("/api/v1/opportunities/%d/move" % d["id"], {"stage": "offer"}, self.rep)
        self.assertEqual(r.status, 409, r)  # the presentation needs a meeting held
        m = self.meeting(d)
        self.assertEqual((m["state"], m["mode"], m["account_id"]),
                         ("scheduled", "web", self.acct["id"]))
        self.assertEqual(m["master_id"], self.o["rep_e1"]["id"])
        got = self.get(m)
        self.assertEqual([(i["role"], i["user_id"]) for i in got["invitees"]],
                         [("master", self.o["rep_e1"]["id"])])
        act = self.s.get("/api/v1/activities/%d" % m["activity_id"], self.rep).json
        self.assertEqual((act["type"], act["related_type"], act["related_id"], act["done_at"]),
                         ("meeting", "opportunity", d["id"], None))
        self.assertProblem(self.state(m, "live"), 400, "state")      # not from scheduled
        self.assertProblem(self.state(m, "bogus"), 400, "state")
        for s in ("open", "live"):
            self.assertEqual(self.state(m, s).status, 200)
        r = self.s.post("/api/v1/opportunities/%d/move" % d["id"], {"stage": "offer"}, self.rep)
        self.assertEqual(r.status, 409, r)  # live is not held yet
        self.assertEqual(self.state(m, "ended").status, 200)
        act = self.s.get("/api/v1/activities/%d" % m["activity_id"], self.rep).json
        self.assertIsNotNone(act["done_at"])
        r = self.s.post("/api/v1/opportunities/%d/move" % d["id"], {"stage": "offer"}, self.rep)
        self.assertEqual(r.status, 200, r)
        self.assertProblem(self.state(m, "open"), 409)          # ended is final
        self.assertProblem(self.s.patch(M + "/%d" % m["id"], {"title": "x"}, self.rep), 409)
        hist = self.s.get(M + "/%d/history" % m["id"], self.rep).json["data"]
        self.assertEqual([h["new"] for h in hist if h.get("field") == "state"],
                         ["open", "live", "ended"])

    def test_the_deals_visibility(self):
        m = self.meeting()
        self.assertEqual(self.get(m, self.o["mgr_east"]["token"])["id"], m["id"])
        for who in ("rep_w", "mgr_west", "rep_e1b"):
            t = self.o[who]["token"]
            self.assertProblem(self.s.get(M + "/%d" % m["id"], t), 404)
            self.assertProblem(self.s.patch(M + "/%d" % m["id"], {"title": "mine"}, t), 404)
            self.assertProblem(self.s.post(M + "/%d/invitees" % m["id"],
                                           {"email": "x@y.example", "name": "X"}, t), 404)
            self.assertNotIn(m["id"], [x["id"] for x in self.s.get(M, t).json["data"]])
        # a deal one may not see takes no meeting
        west = self.s.create("accounts", {"name": "West Co"}, self.o["rep_w"]["token"])
        theirs = self.s.create("opportunities", {"name": "West deal", "account_id": west["id"],
                                                 "close_date": "2027-03-31"},
                               self.o["rep_w"]["token"])
        r = self.s.post(M, {"opportunity_id": theirs["id"], "kind": "webinar", "title": "t",
                            "starts_at": "2027-01-15T09:00:00Z", "duration_minutes": 30,
                            "timezone": "UTC"}, self.rep)
        self.assertProblem(r, 400, "opportunity_id")

    def test_the_lobby_follows_the_sector_unless_chosen(self):
        m = self.meeting()
        self.assertEqual(self.lobby_of(m)["name"], "Tech")
        self.assertEqual(self.lobby_of(m)["industries"], ["Software"])
        r = self.s.patch(M + "/%d" % m["id"], {"lobby_id": self.other_lobby["id"]}, self.rep)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.lobby_of(m)["name"], "Plain")
        self.assertProblem(self.s.post("/api/v1/lobbies", {"name": "Mine"}, self.rep), 403)
        self.assertProblem(self.s.post("/api/v1/lobbies", {"name": "Bad", "primary_color": "red",
                                                           "industries": [""]},
                                       self.admin), 400, "primary_color")
        self.assertProblem(self.s.post("/api/v1/lobbies", {"name": "Bad", "industries": [""]},
                                       self.admin), 400, "industries")
        self.assertProblem(self.s.post("/api/v1/lobbies", {"name": "Bad",
                                                           "industries": "Software"},
                                       self.admin), 400, "industries")

    def test_lobby_logo_and_deck_are_an_image_and_a_pdf(self):
        d = self.deal(token=self.admin, name="Lobby assets")

        def upload(data, ctype, name):
            q = "related_type=opportunity&related_id=%d&filename=%s" % (d["id"], name)
            r = self.s.request("POST", "/api/v1/attachments?" + q, raw=data, content_type=ctype,
                               token=self.admin)
            self.assertEqual(r.status, 201, r)
            return r.json["id"]

        png = upload(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image/png", "logo.png")
        pdf = upload(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                     "application/pdf", "deck.pdf")
        ok = self.s.create("lobbies", {"name": "Assets", "logo_attachment_id": png,
                                       "deck_attachment_id": pdf}, self.admin)
        self.assertEqual((ok["logo_attachment_id"], ok["deck_attachment_id"]), (png, pdf))
        self.assertProblem(self.s.post("/api/v1/lobbies", {"name": "Swapped",
                                                           "logo_attachment_id": pdf},
                                       self.admin), 400, "logo_attachment_id")
        self.assertProblem(self.s.post("/api/v1/lobbies", {"name": "Swapped",
                                                           "deck_attachment_id": png},
                                       self.admin), 400, "deck_attachment_id")
        self.assertProblem(self.s.post("/api/v1/lobbies", {"name": "Gone",
                                                           "logo_attachment_id": 999999},
                                       self.admin), 400, "logo_attachment_id")
        m = self.meeting(lobby_id=ok["id"])
        got = self.lobby_of(m)
        self.assertEqual((got["logo_attachment_id"], got["deck_attachment_id"]), (png, pdf))
        # a guest, who has no session, gets both by their link, and nothing else
        self.invite(m, {"email": "lou@client.example", "name": "Lou"})
        self.s.post(M + "/%d/invitations" % m["id"], None, self.rep)
        (mail,) = self.mails_to("lou@client.example")
        token = urlparse(link_of(mail)).path.rsplit("/", 1)[1]
        r = self.s.request("GET", "/api/v1/join/%s/lobby/logo" % token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "image/png")
        self.assertIn("sandbox", r.header("Content-Security-Policy"))
        r = self.s.request("GET", "/api/v1/join/%s/lobby/deck" % token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertTrue(r.raw.startswith("%PDF-1.4"), r.raw[:20])
        self.assertProblem(self.s.request("GET", "/api/v1/join/%s/lobby/content" % token), 404)
        self.assertProblem(self.s.request("GET", "/api/v1/join/%s/lobby/logo" % ("A" * 43)), 404)
        # a theme without a logo: 404, not another file
        plain = self.meeting(lobby_id=self.other_lobby["id"])
        self.invite(plain, {"email": "max@client.example", "name": "Max"})
        self.s.post(M + "/%d/invitations" % plain["id"], None, self.rep)
        (mail,) = self.mails_to("max@client.example")
        token = urlparse(link_of(mail)).path.rsplit("/", 1)[1]
        self.assertProblem(self.s.request("GET", "/api/v1/join/%s/lobby/logo" % token), 404)
        # others read the themes, only admins change them
        self.assertEqual(self.s.get("/api/v1/lobbies/%d" % ok["id"], self.rep).status, 200)
        self.assertProblem(self.s.patch("/api/v1/lobbies/%d" % ok["id"], {"name": "Mine"},
                                        self.rep), 403)

    # --- invitations ----------------------------------------------------------
    def test_request_update_cancel_parsed_from_the_delivered_mail(self):
        m = self.meeting(title="Contract négociation", description="Terms and price")
        self.invite(m, {"contact_id": self.ann["id"]})
        self.invite(m, {"email": "bob@partner.example", "name": "Bob O'Hara"})
        co = self.invite(m, {"user_id": self.o["rep_e1b"]["id"], "role": "presenter"})
        self.assertEqual(co["role"], "presenter")
        r = self.s.post(M + "/%d/invitations" % m["id"], None, self.rep)
        self.assertEqual((r.status, r.json["queued"]), (200, 4), r)
        (ann,) = self.mails_to("ann@acme.example")
        self.assertEqual(ann["From"].addresses[0].addr_spec, "crm@example.com")
        self.assertIn("négociation", str(ann["Subject"]))
        cal = ics(ann)
        self.assertEqual((cal["METHOD"], cal["params"]), ("REQUEST", "REQUEST"))
        self.assertEqual(prop(cal, "UID"), [m["ical_uid"]])
        self.assertEqual(prop(cal, "SEQUENCE"), ["0"])
        dtstart = [(p, v) for k, p, v in cal["VEVENT"] if k == "DTSTART"][0]
        self.assertEqual(dtstart, (["TZID=Europe/Paris"], "20270115T100000"))
        self.assertIn("BEGIN:VTIMEZONE", next(p for p in ann.walk()
                                              if p.get_content_type() == "text/calendar")
                      .get_content())
        self.assertEqual(len(prop(cal, "ATTENDEE")), 4)
        self.assertTrue(all("RSVP=TRUE" in p for k, p, v in cal["VEVENT"] if k == "ATTENDEE"))
        self.assertIn("mailto:rep_e1@test.funnel", prop(cal, "ORGANIZER")[0])
        url = prop(cal, "URL")[0]
        self.assertTrue(url.startswith("http://crm.example.test:8080/m/"), url)
        self.assertIn(url, "".join(prop(cal, "DESCRIPTION")).replace("\\n", "\n"))
        self.assertEqual(link_of(ann), url)
        self.assertEqual(ann.get_content_type(), "multipart/mixed")
        alt, att = ann.get_payload()
        self.assertEqual(alt.get_content_type(), "multipart/alternative")
        self.assertEqual([p.get_content_type() for p in alt.get_payload()],
                         ["text/plain", "text/html", "text/calendar"])
        self.assertEqual(att.get_content_type(), "application/ics")
        self.assertEqual(att.get_filename(), "invite.ics")
        self.assertIn(prop(cal, "UID")[0], att.get_content().decode()
                      if isinstance(att.get_content(), bytes) else att.get_content())
        self.mails_to("rep_e1b@test.funnel")  # co-workers get the same invitation
        got = self.get(m)
        self.assertTrue(all(i["mail"] == "sent" and i["has_link"] for i in got["invitees"]), got)
        self.assertEqual(got["ical_sequence"], 0)
        self.assertIsNotNone(got["invited_at"])
        self.assertNotIn(url.rsplit("/", 1)[1], str(got))  # the token is never shown
        # a new time: the same UID, the next SEQUENCE, to everyone
        r = self.s.patch(M + "/%d" % m["id"], {"starts_at": "2027-01-16T14:30:00Z"}, self.rep)
        self.assertEqual(r.status, 200, r)
        got = self.mails_to("ann@acme.example", 2)
        self.assertEqual([prop(ics(x), "SEQUENCE") for x in got], [["0"], ["1"]])
        first, again = got
        cal2 = ics(again)
        self.assertEqual((prop(cal2, "UID"), prop(cal2, "SEQUENCE")), ([m["ical_uid"]], ["1"]))
        self.assertEqual([v for k, p, v in cal2["VEVENT"] if k == "DTSTART"], ["20270116T153000"])
        self.mails_to("bob@partner.example", 2)
        # the first mail's link is replaced by the newest
        self.assertEqual(self.s.get("/api/v1/rsvp/" + url.rsplit("/", 1)[1]).status, 404)
        # cancelled: a CANCEL with the next SEQUENCE
        self.assertEqual(self.state(m, "cancelled").status, 200)
        *_, cancel = self.mails_to("ann@acme.example", 3)
        cal3 = ics(cancel)
        self.assertEqual((cal3["METHOD"], prop(cal3, "SEQUENCE"), prop(cal3, "STATUS")),
                         ("CANCEL", ["2"], ["CANCELLED"]))
        act = self.s.get("/api/v1/activities/%d" % m["activity_id"], self.rep).json
        self.assertTrue(act["subject"].startswith("Cancelled: "), act)

    def test_files_sent_to_participants(self):
        d = self.deal(name="Handouts")
        m = self.meeting(deal=d, title="Proposal walk-through")
        carol = self.invite(m, {"email": "carol.h@client.example", "name": "Carol"})
        dan = self.invite(m, {"email": "dan.h@client.example", "name": "Dan"})
        self.s.post(M + "/%d/invitations" % m["id"], None, self.rep)
        tok = {}
        for who in ("carol.h", "dan.h"):
            (mail,) = self.mails_to(who + "@client.example")
            tok[who] = urlparse(link_of(mail)).path.rsplit("/", 1)[1]

        def upload(deal, data, name):
            q = "related_type=opportunity&related_id=%d&filename=%s" % (deal["id"], name)
            r = self.s.request("POST", "/api/v1/attachments?" + q, raw=data,
                               content_type="application/pdf", token=self.rep)
            self.assertEqual(r.status, 201, r)
            return r.json["id"]
        pdf = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        proposal = upload(d, pdf, "proposal.pdf")
        prices = upload(d, pdf + b"% prices\n", "prices.pdf")
        elsewhere = upload(self.deal(name="Other deal"), pdf, "other.pdf")
        H = M + "/%d/handouts" % m["id"]
        r = self.s.post(H, {"attachment_id": proposal}, self.rep)
        self.assertEqual(r.status, 201, r)
        to_all = r.json["id"]
        r = self.s.post(H, {"attachment_id": prices, "invitee_id": carol["id"]}, self.rep)
        self.assertEqual(r.status, 201, r)
        to_carol = r.json["id"]
        # what is refused, and says why
        self.assertProblem(self.s.post(H, {"attachment_id": elsewhere}, self.rep), 400,
                           "attachment_id")
        other = self.meeting(deal=d, title="Another")
        stranger = self.invite(other, {"email": "x.h@client.example", "name": "X"})
        self.assertProblem(self.s.post(H, {"attachment_id": proposal,
                                           "invitee_id": stranger["id"]}, self.rep),
                           400, "invitee_id")
        self.assertProblem(self.s.post(H, {"attachment_id": "1"}, self.rep), 400, "attachment_id")
        self.assertProblem(self.s.post(H, {"attachment_id": proposal, "to": "all"}, self.rep),
                           400, "to")
        self.assertProblem(self.s.post(H, {}, self.rep), 400, "attachment_id")
        self.assertProblem(self.s.post(H, {"attachment_id": proposal},
                                       self.o["rep_w"]["token"]), 404)
        # each participant sees what is theirs, and takes only that
        J = "/api/v1/join/%s/handouts"
        r = self.s.request("GET", J % tok["carol.h"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(h["id"], h["filename"]) for h in r.json["data"]],
                         [(to_all, "proposal.pdf"), (to_carol, "prices.pdf")])
        self.assertNotIn("downloads", r.json["data"][0])
        r = self.s.request("GET", J % tok["dan.h"])
        self.assertEqual([h["id"] for h in r.json["data"]], [to_all])
        self.assertProblem(self.s.request("GET", (J % tok["dan.h"]) + "/%d" % to_carol), 404)
        self.assertProblem(self.s.request("GET", (J % tok["dan.h"]) + "/abc"), 404)
        self.assertProblem(self.s.request("GET", (J % ("A" * 43))), 404)
        r = self.s.request("GET", (J % tok["carol.h"]) + "/%d" % to_carol)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertIn("prices", r.raw)
        self.assertIn("attachment", r.header("Content-Disposition"))
        # the host sees who took what
        r = self.s.get(H, self.rep)
        self.assertEqual(r.status, 200, r)
        got = {h["id"]: h for h in r.json["data"]}
        self.assertEqual([x["name"] for x in got[to_carol]["downloads"]], ["Carol"])
        self.assertEqual(got[to_all]["downloads"], [])
        self.assertIsNone(got[to_all]["invitee_id"])
        self.assertEqual(got[to_carol]["invitee_id"], carol["id"])
        self.assertProblem(self.s.get(H, self.o["rep_w"]["token"]), 404)
        self.assertEqual(dan["name"], "Dan")
        # over: nothing more is sent
        self.assertEqual(self.state(m, "cancelled").status, 200)
        self.assertProblem(self.s.post(H, {"attachment_id": proposal}, self.rep), 409)

    def test_answers_by_link_and_by_imip_reply(self):
        m = self.meeting(title="Answer me")
        self.invite(m, {"email": "carol@client.example", "name": "Carol"})
        self.invite(m, {"email": "dan@client.example", "name": "Dan"})
        self.s.post(M + "/%d/invitations" % m["id"], None, self.rep)
        (mail,) = self.mails_to("carol@client.example")
        rsvp = urlparse(link_of(mail, "rsvp")).path
        r = self.s.request("GET", rsvp)
        self.assertEqual(r.status, 200, r)
        self.assertIn("text/html", r.header("Content-Type"))
        self.assertIn('value="accepted"', r.raw)
        self.assertIn("Answer me", r.raw)
        carol = [i for i in self.get(m)["invitees"] if i["email"] == "carol@client.example"][0]
        self.assertEqual(carol["rsvp"], "needs_action")  # looking answers nothing
        r = self.s.request("POST", rsvp, raw=b"answer=accepted",
                           content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status, 200, r)
        self.assertIn("accepted", r.raw)
        carol = [i for i in self.get(m)["invitees"] if i["email"] == "carol@client.example"][0]
        self.assertEqual(carol["rsvp"], "accepted")
        self.assertIsNotNone(carol["rsvp_at"])
        r = self.s.post(rsvp, {"answer": "maybe"})
        self.assertProblem(r, 400, "answer")
        self.assertEqual(self.s.request("GET", "/api/v1/rsvp/" + "A" * 43).status, 404)
        self.assertEqual(self.s.request("GET", "/api/v1/rsvp/short").status, 404)
        # a calendar program's REPLY
        reply = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:REPLY\r\n"
                 "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20270101T000000Z\r\nSEQUENCE:0\r\n"
                 "ATTENDEE;PARTSTAT=DECLINED;CN=Dan:mailto:DAN@client.example\r\n"
                 "END:VEVENT\r\nEND:VCALENDAR\r\n" % m["ical_uid"])
        r = self.s.request("POST", "/api/v1/imip", raw=reply.encode(), content_type="text/calendar",
                           token=self.rep)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["rsvp"], "declined")
        dan = [i for i in self.get(m)["invitees"] if i["email"] == "dan@client.example"][0]
        self.assertEqual(dan["rsvp"], "declined")
        # one who may not see the meeting cannot answer for it
        r = self.s.request("POST", "/api/v1/imip", raw=reply.replace("DECLINED", "ACCEPTED").encode(),
                           content_type="text/calendar", token=self.o["rep_w"]["token"])
        self.assertProblem(r, 404)
        for bad, field in ((reply.replace("METHOD:REPLY", "METHOD:REQUEST"), "METHOD"),
                           (reply.replace("PARTSTAT=DECLINED;", ""), "PARTSTAT"),
                           ("not a calendar", None)):
            r = self.s.request("POST", "/api/v1/imip", raw=bad.encode(),
                               content_type="text/calendar", token=self.rep)
            self.assertProblem(r, 400, field)
        self.assertEqual(self.s.request("POST", "/api/v1/imip", raw=reply.encode(),
                                        content_type="application/json",
                                        token=self.rep).status, 415)

    def test_a_refused_address_is_recorded(self):
        m = self.meeting(title="Refusal")
        self.invite(m, {"email": "refuse.me@client.example", "name": "Nobody"})
        self.s.post(M + "/%d/invitations" % m["id"], None, self.rep)
        t = time.time() + 20
        while time.time() < t:
            inv = [i for i in self.get(m)["invitees"] if i["email"].startswith("refuse")][0]
            if inv["mail"] == "failed":
                break
            time.sleep(0.2)
        self.assertEqual(inv["mail"], "failed", inv)
        self.assertIn("550", inv["mail_error"])

    def test_cli_list_show_cancel(self):
        m = self.meeting(title="From the shell")
        self.invite(m, {"email": "fay@client.example", "name": "Fay"})
        self.s.post(M + "/%d/invitations" % m["id"], None, self.rep)
        self.mails_to("fay@client.example")
        p = run(["meeting", "list", "--db", self.s.db, "--state", "scheduled"], check=True)
        self.assertRegex(p.stdout, r"(?m)^%d\s.*From the shell.*2 invited" % m["id"])
        p = run(["meeting", "show", "--db", self.s.db, str(m["id"]),
                 "--as", self.o["rep_w"]["email"]])
        self.assertEqual(p.returncode, 3, p)  # not theirs: no such meeting
        p = run(["meeting", "show", "--db", self.s.db, str(m["id"])], check=True)
        self.assertIn("fay@client.example", p.stdout)
        self.assertIn("sent", p.stdout)
        p = run(["meeting", "cancel", "--db", self.s.db, str(m["id"]),
                 "--as", self.o["rep_e1"]["email"]], check=True)
        self.assertIn("cancelled", p.stdout)
        _, cancel = self.mails_to("fay@client.example", 2)
        self.assertEqual(ics(cancel)["METHOD"], "CANCEL")
        p = run(["meeting", "cancel", "--db", self.s.db, str(m["id"])])
        self.assertEqual(p.returncode, 3, p)  # final already
        self.assertEqual(run(["meeting", "list"]).returncode, 2)
        self.assertEqual(run(["meeting", "frobnicate", "--db", self.s.db]).returncode, 2)

    # --- bad input ------------------------------------------------------------
    def test_bad_input_and_header_injection(self):
        d = self.deal(name="Bad input deal")
        base = {"opportunity_id": d["id"], "kind": "webinar", "title": "T",
                "starts_at": "2027-01-15T09:00:00Z", "duration_minutes": 30, "timezone": "UTC"}
        n = len(self.s.get(M + "?opportunity_id=%d" % d["id"], self.rep).json["data"])
        for change, field in (({"title": "Line\r\nBcc: all@example.com"}, "title"),
                              ({"timezone": "Mars/Olympus"}, "timezone"),
                              ({"duration_minutes": 2}, "duration_minutes"),
                              ({"kind": "party"}, "kind"),
                              ({"state": "live"}, "state"),
                              ({"starts_at": "tomorrow"}, "starts_at"),
                              ({"colour": "red"}, "colour")):
            body = dict(base)
            body.update(change)
            self.assertProblem(self.s.post(M, body, self.rep), 400, field)
        self.assertEqual(len(self.s.get(M + "?opportunity_id=%d" % d["id"], self.rep)
                             .json["data"]), n)
        m = self.meeting(d)
        for body, field in (({"email": "not-an-address", "name": "X"}, "email"),
                            ({"email": "a@b.example>, evil@x.example", "name": "X"}, "email"),
                            ({"email": "ok@b.example", "name": "Eve\r\nBcc: x@y.example"}, "name"),
                            ({"email": "ok@b.example"}, "name"),
                            ({"contact_id": 999999}, "contact_id"),
                            ({"user_id": 1, "email": "a@b.example", "name": "A"}, "contact_id"),
                            ({"email": "ok@b.example", "name": "N", "role": "presenter"}, "role"),
                            ({"name": "nothing else"}, "contact_id"),
                            ({"email": "ok@b.example", "name": "N", "x": 1}, "x")):
            r = self.s.post(M + "/%d/invitees" % m["id"], body, self.rep)
            self.assertProblem(r, 400, field)
        self.assertEqual(len(self.get(m)["invitees"]), 1)
        self.invite(m, {"email": "once@b.example", "name": "Once"})
        self.assertProblem(self.s.post(M + "/%d/invitees" % m["id"],
                                       {"email": "ONCE@b.example", "name": "Twice"}, self.rep), 409)


class NoMailLost(unittest.TestCase):
    def test_without_smtp_mail_waits_then_goes(self):
        s = Server()
        smtp = None
        try:
            o = org(s)
            rep = o["rep_e1"]["token"]
            acct = s.create("accounts", {"name": "Queue Co"}, rep)
            d = s.create("opportunities", {"name": "Q", "account_id": acct["id"],
                                           "close_date": "2027-03-31"}, rep)
            m = s.create("meetings", {"opportunity_id": d["id"], "kind": "follow_up",
                                      "title": "Queued", "starts_at": "2027-01-15T09:00:00Z",
                                      "duration_minutes": 30, "timezone": "UTC"}, rep)
            s.post(M + "/%d/invitees" % m["id"], {"email": "eve@client.example", "name": "Eve"},
                   rep)
            r = s.post(M + "/%d/invitations" % m["id"], None, rep)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["queued"], 2, r)
            time.sleep(1.5)
            inv = s.get(M + "/%d" % m["id"], rep).json["invitees"]
            self.assertEqual({i["mail"] for i in inv}, {"queued"})
            s.kill()  # and nothing is lost across a kill
            smtp = Smtp()
            s.args = ["--smtp", smtp.url]
            s.start()
            got = smtp.wait(2)
            self.assertEqual(sorted(x["To"].addresses[0].addr_spec for x in got),
                             ["eve@client.example", "rep_e1@test.funnel"])
            time.sleep(1.5)
            self.assertEqual(len(smtp.messages()), 2)  # each sent once
            inv = s.get(M + "/%d" % m["id"], rep).json["invitees"]
            self.assertEqual({i["mail"] for i in inv}, {"sent"})
        finally:
            s.close()
            if smtp:
                smtp.stop()

    def test_smtp_server_down_then_back(self):
        """--smtp is given but nothing listens there: the mail is tried, kept
        queued with the reason, retried with back-off, and goes once the
        server is up — each message exactly once."""
        port = free_port()
        s = Server(args=["--smtp", "smtp://127.0.0.1:%d" % port, "--mail-backoff", "1"])
        smtp = None
        try:
            o = org(s)
            rep = o["rep_e1"]["token"]
            acct = s.create("accounts", {"name": "Down Co"}, rep)
            d = s.create("opportunities", {"name": "D", "account_id": acct["id"],
                                           "close_date": "2027-03-31"}, rep)
            m = s.create("meetings", {"opportunity_id": d["id"], "kind": "training",
                                      "title": "While down", "starts_at": "2027-01-15T09:00:00Z",
                                      "duration_minutes": 30, "timezone": "UTC"}, rep)
            s.post(M + "/%d/invitees" % m["id"], {"email": "dan@client.example", "name": "Dan"},
                   rep)
            r = s.post(M + "/%d/invitations" % m["id"], None, rep)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["queued"], 2, r)
            t = time.time() + 15
            while time.time() < t:
                inv = s.get(M + "/%d" % m["id"], rep).json["invitees"]
                if all(i.get("mail_error") for i in inv):
                    break
                time.sleep(0.2)
            self.assertEqual({i["mail"] for i in inv}, {"queued"}, inv)
            self.assertTrue(all(i.get("mail_error") for i in inv), inv)  # it was tried
            time.sleep(2.5)  # a few retries against the closed port
            smtp = Smtp(port)
            got = smtp.wait(2, timeout=30)
            self.assertEqual(sorted(x["To"].addresses[0].addr_spec for x in got),
                             ["dan@client.example", "rep_e1@test.funnel"])
            t = time.time() + 10
            while time.time() < t:
                inv = s.get(M + "/%d" % m["id"], rep).json["invitees"]
                if {i["mail"] for i in inv} == {"sent"}:
                    break
                time.sleep(0.2)
            self.assertEqual({i["mail"] for i in inv}, {"sent"}, inv)
            self.assertTrue(all(i.get("mail_error") is None for i in inv), inv)
            time.sleep(1.5)
            self.assertEqual(len(smtp.messages()), 2)  # each sent once
        finally:
            s.close()
            if smtp:
                smtp.stop()

    def test_mail_backoff_is_checked(self):
        for bad in ("0", "x", "3601"):
            r = run(["serve", "--db", "/nonexistent.db", "--smtp", "smtp://127.0.0.1:1",
                     "--mail-backoff", bad])
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("mail-backoff", r.stderr)


if __name__ == "__main__":
    unittest.main()
