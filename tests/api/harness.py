"""Test harness: a real `funnel serve` on an ephemeral loopback port.

Each Server gets a fresh temporary directory and database (created with
`funnel init`), starts the binary named by $FUNNEL_BIN (default ./funnel),
reads the bound address from its stdout and talks HTTP to it with the
standard library only.  Servers stop themselves: stop() sends SIGTERM, and an
atexit hook kills any left running.
"""
import atexit
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(os.environ.get("FUNNEL_BIN", os.path.join(ROOT, "funnel")))
ADMIN_EMAIL = "admin@test.funnel"
PASSWORD = "correct horse battery"
_running = []


@atexit.register
def _cleanup():
    for s in list(_running):
        s.kill()


def run(args, input=None, check=False, env=None):
    """Run the funnel binary; returns CompletedProcess (text)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([BIN] + list(args), input=input, capture_output=True,
                       text=True, timeout=600, env=e)
    if check and p.returncode != 0:
        raise AssertionError("funnel %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
    return p


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "<%d %s>" % (self.status, self.raw[:300])


class Server:
    def __init__(self, tmp=None, init=True, args=(), env=None):
        self.tmp = tmp or tempfile.mkdtemp(prefix="funnel-test-")
        self.db = os.path.join(self.tmp, "funnel.db")
        self.args = list(args)
        self.env = dict(os.environ, **(env or {}))  # e.g. FUNNEL_NOW for the server
        self.proc = None
        self.tokens = {}
        if init and not os.path.exists(self.db):
            pw = os.path.join(self.tmp, "pw")
            with open(pw, "w") as f:
                f.write(PASSWORD + "\n")
            run(["init", "--db", self.db, "--admin-email", ADMIN_EMAIL,
                 "--admin-password-file", pw], check=True)
        self.start()

    def start(self):
        self.log = open(os.path.join(self.tmp, "server.log"), "ab")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--db", self.db, "--listen", "127.0.0.1:0"] + self.args,
            stdout=subprocess.PIPE, stderr=self.log, env=self.env)
        line = self.proc.stdout.readline().decode()
        if "http://" not in line:
            raise AssertionError("server did not start: %r (log %s)" % (line, self.log.name))
        addr = line.split("http://", 1)[1].strip()
        self.host, port = addr.rsplit(":", 1)
        self.port = int(port)
        _running.append(self)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if not self.proc:
            return None
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        self.proc = None
        if self in _running:
            _running.remove(self)
        return code

    def kill(self):
        return self.stop(signal.SIGKILL)

    def close(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- HTTP -------------------------------------------------------------
    def request(self, method, path, body=None, token=None, headers=None, raw=None,
                content_type="application/json"):
        h = dict(headers or {})
        data = raw
        if body is not None and raw is None:
            data = json.dumps(body).encode()
        if data is not None and content_type and "Content-Type" not in h:
            h["Content-Type"] = content_type
        if token:
            h["Authorization"] = "Bearer " + token
        c = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read().decode("utf-8", "replace"))
        finally:
            c.close()

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token=token, **kw)

    def post(self, path, body=None, token=None, **kw):
        return self.request("POST", path, body=body, token=token, **kw)

    def patch(self, path, body=None, token=None, **kw):
        return self.request("PATCH", path, body=body, token=token, **kw)

    def delete(self, path, token=None, **kw):
        return self.request("DELETE", path, token=token, **kw)

    def login(self, email=ADMIN_EMAIL, password=PASSWORD):
        if email in self.tokens:
            return self.tokens[email]
        r = self.post("/api/v1/auth/login", {"email": email, "password": password})
        if r.status != 200:
            raise AssertionError("login %s: %r" % (email, r))
        self.tokens[email] = r.json["token"]
        return r.json["token"]

    def create(self, resource, body, token=None):
        """POST and insist on 201; returns the record."""
        r = self.post("/api/v1/" + resource, body, token or self.login())
        if r.status != 201:
            raise AssertionError("create %s %s: %r" % (resource, body, r))
        return r.json


def org(server):
    """A small company to test visibility with.

    Teams: Sales ─┬─ East ── East-1
                  └─ West
    Users: admin; mgr_east (manager, East: sees East and East-1); mgr_west
    (manager, West); rep_e1, rep_e1b (reps in East-1); rep_w (rep in West).
    Returns a dict name → {"id", "token", "email"} plus team ids.
    """
    admin = server.login()
    t = {}
    t["sales"] = server.create("teams", {"name": "Sales"}, admin)["id"]
    t["east"] = server.create("teams", {"name": "East", "parent_id": t["sales"]}, admin)["id"]
    t["east1"] = server.create("teams", {"name": "East-1", "parent_id": t["east"]}, admin)["id"]
    t["west"] = server.create("teams", {"name": "West", "parent_id": t["sales"]}, admin)["id"]
    people = {
        "mgr_east": ("manager", t["east"]),
        "mgr_west": ("manager", t["west"]),
        "rep_e1": ("rep", t["east1"]),
        "rep_e1b": ("rep", t["east1"]),
        "rep_w": ("rep", t["west"]),
    }
    out = {"admin": {"id": 1, "token": admin, "email": ADMIN_EMAIL}, "teams": t}
    for name, (role, team) in people.items():
        email = name + "@test.funnel"
        u = server.create("users", {"email": email, "name": name, "role": role,
                                    "team_id": team, "password": PASSWORD}, admin)
        out[name] = {"id": u["id"], "token": server.login(email), "email": email}
    return out


class ServerTest(unittest.TestCase):
    """A TestCase with one fresh server for the whole class."""

    @classmethod
    def setUpClass(cls):
        cls.s = Server()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def assertProblem(self, r, status, field=None):
        """r is an application/problem+json answer with `status`, naming `field`."""
        self.assertEqual(r.status, status, r)
        self.assertTrue((r.header("Content-Type") or "").startswith("application/problem+json"), r)
        self.assertEqual(r.json["status"], status)
        self.assertTrue(r.json["title"])
        if field is not None:
            fields = [e["field"] for e in r.json.get("errors", [])]
            self.assertIn(field, fields, r)
