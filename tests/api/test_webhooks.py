"""Outbound webhooks (crm/integrations/webhook.h, docs/webhooks.md), against a
real HTTP receiver on loopback.

Events are written in the writer's transaction and delivered by the server's
worker, signed (HMAC-SHA256 over "t.body"), in order per webhook, retried
with back-off while the receiver fails, logged attempt by attempt,
replayable; none is lost across kill -9; only admins see or change webhooks.
"""
import hashlib
import hmac
import http.server
import json
import socket
import threading
import time
import unittest

from harness import Server, ServerTest, org

P = "/api/v1/webhooks"
FREE = [{"key": "new", "name": "New", "section": "upper", "probability": 10},
        {"key": "meet", "name": "Meeting", "section": "middle", "probability": 40},
        {"key": "won", "name": "Won", "section": "won"},
        {"key": "lost", "name": "Lost", "section": "lost"}]


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps what it is sent.  `fail` answers
    500 to that many requests first; `down()` closes the port."""

    def __init__(self, port=0):
        self.got = []
        self.fail = 0
        self.lock = threading.Lock()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.lock:
                    failing = outer.fail > 0
                    if failing:
                        outer.fail -= 1
                    outer.got.append((dict(self.headers), body, failing))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"no" if failing else b"ok")

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d/hook" % self.port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def down(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def delivered(self):
        with self.lock:
            return [(h, json.loads(b)) for h, b, failing in self.got if not failing]

    def wait(self, n, timeout=20):
        t = time.time() + timeout
        while time.time() < t:
            if len(self.delivered()) >= n:
                return self.delivered()
            time.sleep(0.1)
        raise AssertionError("got %d deliveries, wanted %d: %r" % (len(self.delivered()), n,
                                                                   self.got))


def verify(secret, headers, body):
    sig = dict(x.split("=", 1) for x in headers["Funnel-Signature"].split(","))
    mac = hmac.new(secret.encode(), (sig["t"] + ".").encode() + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), sig["v1"]) and abs(time.time() - int(sig["t"])) < 300


class Webhooks(ServerTest):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(args=["--webhook-backoff", "1"])
        cls.o = org(cls.s)
        cls.admin = cls.o["admin"]["token"]
        cls.rep = cls.o["rep_e1"]["token"]
        r = cls.s.post("/api/v1/pipelines", {"name": "Hooks", "enforcement": "free",
                                             "stages": FREE}, cls.admin)
        assert r.status == 201, r
        cls.pipe = r.json["id"]
        cls.acct = cls.s.create("accounts", {"name": "Hook Co"}, cls.rep)["id"]

    def hook(self, url, events, **kw):
        body = {"url": url, "events": events}
        body.update(kw)
        r = self.s.post(P, body, self.admin)
        self.assertEqual(r.status, 201, r)
        self.assertNotIn("secret", r.json)
        return r.json

    def secret(self, h):
        r = self.s.get(P + "/%d/secret" % h["id"], self.admin)
        self.assertEqual(r.status, 200, r)
        return r.json["secret"]

    def deal(self, name):
        return self.s.create("opportunities", {"name": name, "account_id": self.acct,
                                               "close_date": "2027-01-31",
                                               "pipeline_id": self.pipe}, self.rep)

    def move(self, d, stage, **kw):
        body = {"stage": stage}
        body.update(kw)
        r = self.s.post("/api/v1/opportunities/%d/move" % d["id"], body, self.rep)
        self.assertEqual(r.status, 200, r)

    def log(self, h, token=None):
        r = self.s.get(P + "/%d/deliveries" % h["id"], token or self.admin)
        self.assertEqual(r.status, 200, r)
        return r.json["data"]

    def test_signed_events_in_order_with_the_record(self):
        rx = Receiver()
        try:
            h = self.hook(rx.url, ["opportunity.created", "opportunity.stage_changed",
                                   "opportunity.won"])
            key = self.secret(h)
            self.assertTrue(key.startswith("whsec_") and len(key) == 70, key)
            d = self.deal("Signed deal")
            self.move(d, "meet")
            self.move(d, "won")
            got = rx.wait(4)
            # a move to the won stage is a stage change, then a win
            self.assertEqual([b["type"] for _, b in got],
                             ["opportunity.created", "opportunity.stage_changed",
                              "opportunity.stage_changed", "opportunity.won"])
            for headers, body in got:
                self.assertEqual(body["data"]["object"]["id"], d["id"])
                self.assertEqual(headers["Funnel-Event"], body["type"])
                self.assertEqual(headers["Funnel-Delivery"], body["id"])
            raw = [b for _, b, f in rx.got if not f]
            for (headers, _), body in zip(got, raw):
                self.assertTrue(verify(key, headers, body), headers)
                self.assertFalse(verify(key + "x", headers, body))
            self.assertEqual(got[1][1]["data"]["detail"],
                             {"stage": "meet", "previous_stage": "new", "status": "open"})
            self.assertEqual(got[3][1]["data"]["object"]["status"], "won")
            # the worker records each outcome after the receiver answered it: the
            # last one may still be on its way
            deadline = time.time() + 10
            while True:
                logged = self.log(h)
                if [e["state"] for e in logged] == ["delivered"] * 4 or time.time() > deadline:
                    break
                time.sleep(0.1)
            self.assertEqual([e["state"] for e in logged], ["delivered"] * 4)
            self.assertEqual(logged[0]["attempts"][0]["status"], 200)
            self.assertEqual(logged[0]["attempts"][0]["response"], "ok")
        finally:
            rx.down()

    def test_retried_with_back_off_until_the_receiver_recovers(self):
        rx = Receiver()
        rx.fail = 2
        try:
            h = self.hook(rx.url, ["lead.created"])
            lead = self.s.create("leads", {"last_name": "Retry"}, self.rep)
            first = self.s.create("leads", {"last_name": "Waits its turn"}, self.rep)
            got = rx.wait(2)
            # the second lead waited behind the first while it was retried
            self.assertEqual([b["data"]["object"]["id"] for _, b in got], [lead["id"], first["id"]])
            self.assertEqual([b["attempt"] for _, b in got], [3, 1])
            ev = self.log(h)[-1]
            self.assertEqual([a["status"] for a in ev["attempts"]], [500, 500, 200])
            self.assertEqual(ev["attempts"][0]["error"], "answered 500")
            self.assertEqual(ev["attempt_count"], 3)
        finally:
            rx.down()

    def test_a_refused_change_sends_nothing_and_replay_sends_again(self):
        rx = Receiver()
        try:
            h = self.hook(rx.url, ["opportunity.lost", "opportunity.stage_changed"])
            d = self.deal("Lost deal")
            r = self.s.post("/api/v1/opportunities/%d/move" % d["id"], {"stage": "lost"},
                            self.rep)
            self.assertEqual(r.status, 400, r)  # no lost reason: nothing changed
            self.move(d, "lost", lost_reason="no budget")
            got = rx.wait(2)
            self.assertEqual([b["type"] for _, b in got],
                             ["opportunity.stage_changed", "opportunity.lost"])
            self.assertEqual(got[1][1]["data"]["detail"]["lost_reason"], "no budget")
            ev = self.log(h)[0]
            r = self.s.post(P + "/%d/deliveries/%d/replay" % (h["id"], ev["id"]), None,
                            self.admin)
            self.assertEqual(r.status, 201, r)
            got = rx.wait(3)
            self.assertEqual(got[2][1]["type"], "opportunity.lost")
            self.assertNotEqual(got[2][1]["id"], got[1][1]["id"])
            self.assertEqual(self.log(h)[0]["replay_of"], ev["id"])
            self.assertProblem(self.s.post(P + "/%d/deliveries/999999/replay" % h["id"], None,
                                           self.admin), 404)
        finally:
            rx.down()

    def test_secret_rotation_is_audited_without_the_secret(self):
        rx = Receiver()
        try:
            h = self.hook(rx.url, ["account.created"])
            old = self.secret(h)
            r = self.s.post(P + "/%d/secret" % h["id"], None, self.admin)
            self.assertEqual(r.status, 200, r)
            new = r.json["secret"]
            self.assertNotEqual(old, new)
            self.assertEqual(self.secret(h), new)
            self.s.create("accounts", {"name": "After rotation"}, self.rep)
            (headers, _), = rx.wait(1)
            body = [b for _, b, f in rx.got][0]
            self.assertTrue(verify(new, headers, body))
            self.assertFalse(verify(old, headers, body))
            hist = self.s.get(P + "/%d/history" % h["id"], self.admin).json["data"]
            self.assertIn(("update", "secret"), [(x["action"], x.get("field")) for x in hist])
            self.assertNotIn(new, json.dumps(hist))
            self.assertNotIn(old, json.dumps(hist))
        finally:
            rx.down()

    def test_only_admins(self):
        h = self.hook("http://127.0.0.1:9/never", ["contact.created"])
        for who in ("rep_e1", "mgr_east"):
            t = self.o[who]["token"]
            self.assertProblem(self.s.get(P + "/%d" % h["id"], t), 404)
            self.assertProblem(self.s.get(P + "/%d/secret" % h["id"], t), 404)
            self.assertProblem(self.s.get(P + "/%d/deliveries" % h["id"], t), 404)
            self.assertEqual(self.s.get(P, t).json["data"], [])
            self.assertProblem(self.s.post(P, {"url": "http://127.0.0.1:9/x",
                                               "events": ["lead.created"]}, t), 403)
        self.assertProblem(self.s.get(P + "/%d/deliveries" % h["id"], None), 401)

    def test_bad_input(self):
        n = len(self.s.get(P + "?limit=200", self.admin).json["data"])
        for body, field in (({"url": "ftp://x/y", "events": ["lead.created"]}, "url"),
                            ({"url": "http://a b/", "events": ["lead.created"]}, "url"),
                            ({"url": "http://x\r\nHost: y/", "events": ["lead.created"]}, "url"),
                            ({"url": "http:///path", "events": ["lead.created"]}, "url"),
                            ({"url": "http://x/", "events": []}, "events"),
                            ({"url": "http://x/", "events": ["lead.deleted"]}, "events"),
                            ({"url": "http://x/", "events": ["lead.created", "lead.created"]},
                             "events"),
                            ({"url": "http://x/", "events": "lead.created"}, "events"),
                            ({"url": "http://x/", "events": ["lead.created"], "secret": "s"},
                             "secret"),
                            ({"events": ["lead.created"]}, "url")):
            self.assertProblem(self.s.post(P, body, self.admin), 400, field)
        self.assertEqual(len(self.s.get(P + "?limit=200", self.admin).json["data"]), n)
        h = self.hook("http://127.0.0.1:9/x", ["lead.created"])
        self.assertProblem(self.s.get(P + "/%d/deliveries?state=lost" % h["id"], self.admin),
                           400, "state")
        self.assertProblem(self.s.get(P + "/%d/deliveries?limit=0" % h["id"], self.admin),
                           400, "limit")
        self.assertProblem(self.s.get(P + "/%d/deliveries?colour=red" % h["id"], self.admin),
                           400, "colour")


class NoDeliveryLost(unittest.TestCase):
    def test_kill_9_while_the_receiver_is_down(self):
        s = Server(args=["--webhook-backoff", "1"])
        try:
            o = org(s)
            admin, rep = o["admin"]["token"], o["rep_e1"]["token"]
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
            sock.close()  # nobody listens there yet: connection refused
            url = "http://127.0.0.1:%d/hook" % port
            r = s.post(P, {"url": url, "events": ["lead.created"]}, admin)
            self.assertEqual(r.status, 201, r)
            made = [s.create("leads", {"last_name": "Lead %d" % i}, rep)["id"] for i in range(5)]
            time.sleep(1.5)  # at least one refused attempt
            s.kill()
            rx = Receiver(port)
            try:
                s.start()
                got = rx.wait(5)
                self.assertEqual([b["data"]["object"]["id"] for _, b in got], made)
                log = s.get(P + "/%d/deliveries" % r.json["id"], admin).json["data"]
                self.assertTrue(any(a["status"] is None and a["error"]
                                    for e in log for a in e["attempts"]), log)
            finally:
                rx.down()
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
