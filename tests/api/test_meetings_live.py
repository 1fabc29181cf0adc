"""Live meetings on the real Janus (docs/meetings-live.md): the generated
configuration, Funnel's signed tokens, the event handler's ingest and the
attendance it makes, presenter rights enforced by Janus, join links."""
import base64
import json
import os
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTest, connect  # noqa: E402
from janus_harness import JanusClient, available, close_pair, live_pair, sign  # noqa: E402


def wait_for(pred, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    return pred()


def presence(s):
    db = connect(s.db)
    try:
        return db.execute("SELECT invitee_id, janus_room, janus_session, left_ms IS NOT NULL,"
                          " left_reason FROM meeting_presence ORDER BY id").fetchall()
    finally:
        db.close()


@unittest.skipUnless(available(), "janus is not installed (scripts/deps.sh)")
class JanusLive(ServerTest):
    @classmethod
    def setUpClass(cls):
        # a short session timeout, to see a vanished browser counted as leaving
        cls.s, cls.j = live_pair(session_timeout=3)

    @classmethod
    def tearDownClass(cls):
        close_pair(cls.s, cls.j)

    def presence(self):
        return presence(self.s)

    def test_config_is_loopback_and_token_only(self):
        d = self.j.dir
        cfg = open(os.path.join(d, "janus.jcfg")).read()
        self.assertIn("token_auth = true", cfg)
        self.assertIn('token_auth_secret = "%s"' % self.s.janus_secrets["token"], cfg)
        self.assertNotIn("stun_server", cfg)
        http = open(os.path.join(d, "janus.transport.http.jcfg")).read()
        self.assertIn('ip = "127.0.0.1"', http)
        # the admin API on loopback only, and only with the admin secret
        self.assertIn('admin_ip = "127.0.0.1"', http)
        admin = "http://127.0.0.1:%d/admin" % self.j.admin_port
        ask = lambda m: json.loads(urllib.request.urlopen(urllib.request.Request(  # noqa: E731
            admin, data=json.dumps(dict(m, transaction="t")).encode(),
            headers={"Content-Type": "application/json"}), timeout=10).read())
        self.assertEqual(ask({"janus": "list_sessions"})["janus"], "error")
        self.assertEqual(ask({"janus": "list_sessions", "admin_secret": "wrong"})["janus"], "error")
        self.assertEqual(ask({"janus": "list_sessions",
                              "admin_secret": self.j.admin_secret})["janus"], "success")
        vr = open(os.path.join(d, "janus.plugin.videoroom.jcfg")).read()
        self.assertIn('admin_key = "%s"' % self.s.janus_secrets["admin_key"], vr)
        self.assertEqual(os.stat(os.path.join(d, "janus.jcfg")).st_mode & 0o077, 0)
        # no token, a forged one, an expired one: refused by Janus
        self.assertEqual(self.j.post("", {"janus": "create"})["janus"], "error")
        forged = sign("not-the-secret", int(time.time()) + 60)
        self.assertEqual(self.j.post("", {"janus": "create", "token": forged})["janus"], "error")
        old = sign(self.s.janus_secrets["token"], int(time.time()) - 5)
        self.assertEqual(self.j.post("", {"janus": "create", "token": old})["janus"], "error")
        good = sign(self.s.janus_secrets["token"], int(time.time()) + 60)
        self.assertEqual(self.j.post("", {"janus": "create", "token": good})["janus"], "success")
        # only VideoRoom and TextRoom are loaded
        info = self.j.post("", {"janus": "info", "token": good})
        self.assertEqual(sorted(info["plugins"]), ["janus.plugin.textroom",
                                                   "janus.plugin.videoroom"])
        self.assertEqual(sorted(info["transports"]), ["janus.transport.http",
                                                      "janus.transport.websockets"])

    def test_events_need_the_secret(self):
        r = self.s.post("/api/v1/janus/events", [])
        self.assertProblem(r, 401)
        bad = base64.b64encode(b"janus:wrong").decode()
        r = self.s.post("/api/v1/janus/events", [], headers={"Authorization": "Basic " + bad})
        self.assertProblem(r, 401)
        ok = base64.b64encode(("janus:" + self.s.janus_secrets["events"]).encode()).decode()
        r = self.s.post("/api/v1/janus/events", {"not": "events"}, headers={
            "Authorization": "Basic " + ok})
        self.assertEqual(r.status, 200, r)
        r = self.s.post("/api/v1/janus/events", raw=b"[", headers={
            "Authorization": "Basic " + ok})
        self.assertProblem(r, 400)
        # a forged attach (token not signed by Funnel) opens no presence
        forged = sign("not-the-secret", int(time.time()) + 60, room=5, p=999)
        r = self.s.post("/api/v1/janus/events", [{
            "type": 2, "session_id": 1, "handle_id": 1, "timestamp": 1,
            "event": {"name": "attached", "plugin": "janus.plugin.videoroom",
                      "token": forged}}], headers={"Authorization": "Basic " + ok})
        self.assertEqual(r.json, {"used": 0})
        self.assertFalse([p for p in self.presence() if p[0] == 999])

    def test_janus_events_reach_funnel(self):
        """A participant's browser (here: Python over Janus's HTTP API) attaches
        with the token Funnel signs: Janus's event handler tells Funnel, which
        opens their presence; leaving closes it."""
        secret = self.s.janus_secrets["token"]
        a = JanusClient(self.j, sign(secret, int(time.time()) + 600, room=4242, p=101))
        b = JanusClient(self.j, sign(secret, int(time.time()) + 600, room=4242, p=102))
        rows = wait_for(lambda: [p for p in self.presence() if p[0] in (101, 102)
                                 and not p[3]] if len(
            [p for p in self.presence() if p[0] in (101, 102)]) == 2 else None)
        self.assertEqual(sorted(r[0] for r in rows), [101, 102], self.presence())
        self.assertTrue(all(r[1] == 4242 for r in rows))
        a.destroy()
        left = wait_for(lambda: [p for p in self.presence() if p[0] == 101 and p[3]])
        self.assertTrue(left, self.presence())
        self.assertIn(left[0][4], ("left", "destroyed"))
        b.destroy()
        self.assertTrue(wait_for(lambda: [p for p in self.presence() if p[0] == 102 and p[3]]))

    def test_a_vanished_browser_times_out_as_leaving(self):
        """No keep-alive, no long poll: Janus times the session out and says
        so; the presence closes with reason timeout."""
        secret = self.s.janus_secrets["token"]
        JanusClient(self.j, sign(secret, int(time.time()) + 600, room=4243, p=103))
        self.assertTrue(wait_for(lambda: [p for p in self.presence() if p[0] == 103]))
        # Janus reports the handle detached, then the session timed out, in
        # that order or together: the presence ends as a timeout
        left = wait_for(lambda: [p for p in self.presence()
                                 if p[0] == 103 and p[3] and p[4] == "timeout"], 20)
        self.assertTrue(left, self.presence())


if __name__ == "__main__":
    unittest.main()


@unittest.skipUnless(available(), "janus is not installed (scripts/deps.sh)")
class RoomLive(ServerTest):
    """A meeting's room driven by Funnel on the real Janus: join links,
    presenter rights enforced by Janus, the master's controls, attendance."""

    @classmethod
    def setUpClass(cls):
        cls.s, cls.j = live_pair()
        from meeting_fixture import make_meeting
        cls.make = staticmethod(lambda *a, **k: make_meeting(cls.s.db, *a, **k))
        cls.admin = cls.s.login()
        acc = cls.s.create("accounts", {"name": "Acme", "industry": "Manufacturing"})
        cls.s.create("opportunities", {"name": "Acme roll-out", "account_id": acc["id"],
                                       "close_date": "2026-12-31", "amount": "5000.00"})
        # a second user, not the master
        cls.s.create("users", {"email": "rep@test.funnel", "name": "Rep", "role": "rep",
                               "password": "correct horse battery"})
        cls.rep = cls.s.login("rep@test.funnel")

    @classmethod
    def tearDownClass(cls):
        close_pair(cls.s, cls.j)

    def meeting(self, **kw):
        mid, people = self.make(1, [("Ada Admin", "master", 1), ("Pat Presenter", "presenter", None),
                                    ("Ann Attendee", "attendee", None)], **kw)
        return mid, {p["role"]: p for p in people}

    def room(self, mid, action, **kw):
        return self.s.post("/api/v1/meetings/%d/room" % mid, dict(action=action, **kw),
                           self.admin)

    def publish(self, creds, kind="camera"):
        """Join the room as a publisher, as janus.js does; returns the
        plugin's answer and the client."""
        c = JanusClient(self.j, creds["token"])
        ans = c.message({"request": "join", "room": creds["room"], "ptype": "publisher",
                         "id": creds["feed_ids"][kind], "display": str(creds["invitee_id"]),
                         "token": creds["room_token"]})
        return ans, c

    def test_links_guessed_expired_404(self):
        mid, p = self.meeting()
        for path in ("/m/", "/api/v1/join/"):
            r = self.s.get(path + "x" * 43)
            self.assertProblem(r, 404)
            self.assertNotIn("meeting", r.json["detail"].replace("no such meeting link", ""))
        r = self.s.post("/api/v1/join/" + "y" * 43, {})
        self.assertProblem(r, 404)
        _, old = self.make(1, [("Old", "attendee", None)], expires_in=-60)
        self.assertProblem(self.s.get("/api/v1/join/" + old[0]["token"]), 404)
        self.assertProblem(self.s.get("/m/" + old[0]["token"]), 404)
        # a good one: the lobby, before the room opens
        r = self.s.get("/api/v1/join/" + p["attendee"]["token"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["meeting"]["title"], "Proposal review")
        self.assertEqual(r.json["meeting"]["host"], "Administrator")
        self.assertEqual(r.json["status"], "not_open")
        self.assertIn("recorded", r.json["consent"])
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertProblem(self.s.post("/api/v1/join/" + p["attendee"]["token"], {}), 409)
        self.assertIsNone(r.json["lobby"])
        # the lobby theme of the account's industry (014's lobbies)
        db = connect(self.s.db)
        db.execute("INSERT INTO lobbies (name, industries, welcome, primary_color, created_at, "
                   "updated_at) VALUES ('Industry', '[\"Manufacturing\"]', 'Welcome to the "
                   "plant', '#0a5', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
        db.commit()
        db.close()
        lobby = self.s.get("/api/v1/join/" + p["attendee"]["token"]).json["lobby"]
        self.assertEqual((lobby["name"], lobby["welcome"], lobby["primary_color"]),
                         ("Industry", "Welcome to the plant", "#0a5"))

    def test_presenters_are_enforced_by_janus(self):
        mid, p = self.meeting()
        # only the master controls the room
        r = self.s.post("/api/v1/meetings/%d/room" % mid, {"action": "open"}, self.rep)
        self.assertIn(r.status, (403, 404), r)
        self.assertProblem(self.room(mid, "fly"), 400, "action")
        self.assertProblem(self.room(mid, "admit"), 400, "invitee_id")
        r = self.room(mid, "open")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["open"])
        # the presenter is admitted and gets credentials; no admin secret in them
        r = self.s.post("/api/v1/join/" + p["presenter"]["token"], {})
        self.assertEqual(r.status, 200, r)
        pres = r.json
        self.assertTrue(pres["presenter"])
        self.assertEqual(pres["janus_url"], self.j.ws)
        for secret in self.s.janus_secrets.values():
            self.assertNotIn(secret, r.raw)
        # the attendee waits in the lobby until admitted
        r = self.s.post("/api/v1/join/" + p["attendee"]["token"], {})
        self.assertEqual(r.status, 202, r)
        st = self.s.get("/api/v1/meetings/%d/room" % mid, self.admin).json
        self.assertEqual([x["status"] for x in st["participants"]
                          if x["invitee_id"] == p["attendee"]["id"]], ["waiting"])
        self.assertEqual(self.room(mid, "admit", invitee_id=p["attendee"]["id"]).status, 200)
        r = self.s.post("/api/v1/join/" + p["attendee"]["token"], {})
        self.assertEqual(r.status, 200, r)
        att = r.json
        self.assertFalse(att["presenter"])
        # Janus lets the presenter publish and refuses the attendee
        ans, pc = self.publish(pres)
        self.assertEqual(ans.get("videoroom"), "joined", ans)
        ans, ac = self.publish(att)
        self.assertIn("not in the allowed list", ans.get("error", ""), ans)
        ac.destroy()
        # a token for another room does not open this one
        ans, xc = self.publish(dict(att, room=att["room"] + 1))
        self.assertTrue(ans.get("error"), ans)
        xc.destroy()
        # revoke: Janus kicks the feed and refuses the next publisher join
        self.assertEqual(self.room(mid, "attendee", invitee_id=p["presenter"]["id"]).status, 200)
        parts = wait_for(lambda: [x for x in pc.message(
            {"request": "listparticipants", "room": pres["room"]})["participants"]
            if x["id"] == pres["feed_ids"]["camera"]] == [] or None)
        self.assertTrue(parts)
        pc.destroy()
        ans, pc = self.publish(pres)
        self.assertIn("not in the allowed list", ans.get("error", ""), ans)
        pc.destroy()
        # and back
        self.assertEqual(self.room(mid, "presenter", invitee_id=p["presenter"]["id"]).status, 200)
        ans, pc = self.publish(pres)
        self.assertEqual(ans.get("videoroom"), "joined", ans)
        pc.destroy()
        # remove: no credentials any more; the link is dead
        self.assertEqual(self.room(mid, "remove", invitee_id=p["attendee"]["id"]).status, 200)
        self.assertProblem(self.s.post("/api/v1/join/" + p["attendee"]["token"], {}), 404)
        # end: the Janus room is gone
        self.assertEqual(self.room(mid, "end").status, 200)
        c = JanusClient(self.j, pres["token"])
        ans = c.message({"request": "exists", "room": pres["room"]})
        self.assertFalse(ans.get("exists"), ans)
        c.destroy()
        self.assertProblem(self.s.post("/api/v1/join/" + p["presenter"]["token"], {}), 404)
        # the master's actions are in the meeting's history
        h = self.s.get("/api/v1/meetings/%d/history" % mid, self.admin)
        self.assertEqual(h.status, 200, h)
        room = [x.get("new") for x in h.json["data"] if x.get("field") == "room"]
        for want in ("open", "attendee: invitee %d" % p["presenter"]["id"],
                     "presenter: invitee %d" % p["presenter"]["id"],
                     "remove: invitee %d" % p["attendee"]["id"], "end"):
            self.assertIn(want, room, h.json)

    def test_lock_and_admit_all(self):
        mid, p = self.meeting()
        self.assertEqual(self.room(mid, "open").status, 200)
        self.assertEqual(self.room(mid, "lock").status, 200)
        self.assertProblem(self.s.post("/api/v1/join/" + p["attendee"]["token"], {}), 409)
        self.assertEqual(self.room(mid, "unlock").status, 200)
        self.assertEqual(self.room(mid, "admit_all").status, 200)
        r = self.s.post("/api/v1/join/" + p["attendee"]["token"], {})
        self.assertEqual(r.status, 200, r)
        # the master joins with their session, not a link
        r = self.s.post("/api/v1/meetings/%d/join" % mid, {}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["master"])
        r = self.s.post("/api/v1/meetings/%d/join" % mid, {}, self.rep)
        self.assertProblem(r, 404)
        self.room(mid, "end")

    def test_a_removed_participant_is_cut_off_by_janus(self):
        mid, p = self.meeting()
        self.assertEqual(self.room(mid, "open").status, 200)
        self.assertEqual(self.room(mid, "admit_all").status, 200)
        creds = self.s.post("/api/v1/join/" + p["attendee"]["token"], {}).json
        watcher = JanusClient(self.j, creds["token"])
        alive = lambda: self.j.post("/%d" % watcher.session, {  # noqa: E731
            "janus": "keepalive", "token": creds["token"]})["janus"]
        self.assertEqual(alive(), "ack")
        inv = p["attendee"]["id"]
        open_ = lambda: [r for r in presence(self.s) if r[0] == inv and not r[3]]  # noqa: E731
        self.assertTrue(wait_for(open_), presence(self.s))
        r = self.room(mid, "remove", invitee_id=inv)
        self.assertEqual(r.status, 200, r)
        # Janus itself has ended the session: nothing more reaches them
        self.assertEqual(alive(), "error")
        self.assertTrue(wait_for(lambda: not open_()), presence(self.s))
        # and their link no longer joins
        self.assertProblem(self.s.post("/api/v1/join/" + p["attendee"]["token"], {}), 404)
        self.room(mid, "end")

    def test_a_poll_in_the_real_room_closes_when_it_ends(self):
        """Admitted through the real join (docs/questionnaires.md), the attendee
        answers; ending the meeting closes the poll, and the answer is on the
        report."""
        mid, p = self.meeting()
        self.assertEqual(self.room(mid, "open").status, 200)
        self.assertEqual(self.room(mid, "admit_all").status, 200)
        tok = p["attendee"]["token"]
        self.assertEqual(self.s.post("/api/v1/join/" + tok, {}).status, 200)
        r = self.s.post("/api/v1/meetings/%d/polls" % mid, {"title": "Timing", "questions": [
            {"key": "when", "text": "When?", "kind": "single", "options": ["Now", "Later"]}]},
            self.admin)
        self.assertEqual(r.status, 201, r)
        poll = r.json["id"]
        r = self.s.post("/api/v1/join/%s/polls/%d" % (tok, poll), {"answers": {"when": "Now"}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.room(mid, "end").status, 200)
        r = self.s.get("/api/v1/meetings/%d/polls/%d" % (mid, poll), self.admin)
        self.assertEqual(r.json["state"], "closed", r)
        self.assertTrue(r.json["closed_at"])
        self.assertProblem(self.s.post("/api/v1/join/%s/polls/%d" % (tok, poll),
                                       {"answers": {"when": "Later"}}), 409)
        rep = self.s.get("/api/v1/meetings/%d/report" % mid, self.admin).json
        ann = [x for x in rep["participants"] if x["invitee_id"] == p["attendee"]["id"]][0]
        self.assertEqual([a["answer"] for a in ann["answers"]], ["Now"])

    def test_attendance_from_real_janus_events(self):
        mid, p = self.meeting()
        self.assertEqual(self.room(mid, "open").status, 200)
        pres = self.s.post("/api/v1/join/" + p["presenter"]["token"], {}).json
        ans, pc = self.publish(pres)
        self.assertEqual(ans.get("videoroom"), "joined", ans)

        def mine():
            r = self.s.get("/api/v1/meetings/%d/attendance" % mid, self.admin)
            self.assertEqual(r.status, 200, r)
            return {x["invitee_id"]: x for x in r.json["data"]}
        got = wait_for(lambda: mine()[p["presenter"]["id"]]["intervals"] or None)
        self.assertTrue(got, mine())
        self.assertIsNone(got[0]["left_at"])
        time.sleep(1.2)
        pc.destroy()
        got = wait_for(lambda: [i for i in mine()[p["presenter"]["id"]]["intervals"]
                                if i["left_at"]] or None)
        self.assertTrue(got, mine())
        a = mine()
        self.assertEqual(a[p["attendee"]["id"]]["intervals"], [])
        self.assertEqual(a[p["attendee"]["id"]]["minutes"], 0)
        self.assertGreaterEqual(a[p["presenter"]["id"]]["minutes"], 0)
        self.assertEqual(a[p["presenter"]["id"]]["name"], "Pat Presenter")
        # not visible to a rep who is neither invited nor owner
        r = self.s.get("/api/v1/meetings/%d/attendance" % mid, self.rep)
        self.assertProblem(r, 404)
        self.room(mid, "end")
