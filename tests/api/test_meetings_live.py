"""Live meetings on the real Janus (docs/meetings-live.md): the generated
configuration, Funnel's signed tokens, the event handler's ingest and the
attendance it makes, presenter rights enforced by Janus, join links."""
import base64
import os
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTest  # noqa: E402
from janus_harness import JanusClient, available, close_pair, live_pair, sign  # noqa: E402


def wait_for(pred, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    return pred()


@unittest.skipUnless(available(), "janus is not installed (scripts/deps.sh)")
class JanusLive(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.s, cls.j = live_pair()

    @classmethod
    def tearDownClass(cls):
        close_pair(cls.s, cls.j)

    def presence(self):
        db = sqlite3.connect(self.s.db)
        try:
            return db.execute("SELECT invitee_id, janus_room, janus_session, left_ms IS NOT NULL,"
                              " left_reason FROM meeting_presence ORDER BY id").fetchall()
        finally:
            db.close()

    def test_config_is_loopback_and_token_only(self):
        d = self.j.dir
        cfg = open(os.path.join(d, "janus.jcfg")).read()
        self.assertIn("token_auth = true", cfg)
        self.assertIn('token_auth_secret = "%s"' % self.s.janus_secrets["token"], cfg)
        self.assertNotIn("stun_server", cfg)
        http = open(os.path.join(d, "janus.transport.http.jcfg")).read()
        self.assertIn('ip = "127.0.0.1"', http)
        self.assertIn("admin_http = false", http)
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


if __name__ == "__main__":
    unittest.main()
