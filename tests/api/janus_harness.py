"""The real Janus for tests: scripts/janus-config.sh writes a loopback-only
configuration into a throwaway directory, `janus -F DIR` runs it on free
ports, stop() ends it.  live_pair() starts a `funnel serve --janus ...` and a
Janus whose event handler posts to that server, with fresh secrets.

JanusClient speaks Janus's HTTP API from Python (what janus.js does in the
browser, minus WebRTC): sessions, handles, plugin messages, long-poll events.
"""
import atexit
import base64
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

from harness import ROOT, Server

JANUS = os.environ.get("JANUS_BIN", "/usr/bin/janus")
_running = []


@atexit.register
def _cleanup():
    for j in list(_running):
        j.stop()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def available():
    return os.access(JANUS, os.X_OK)


class Janus:
    def __init__(self, events_url, token_secret, admin_key, events_secret, tmp=None,
                 http_port=None, ws_port=None, session_timeout=30, admin_port=None,
                 admin_secret=None):
        self.tmp = tmp or tempfile.mkdtemp(prefix="funnel-janus-")
        self.dir = os.path.join(self.tmp, "janus")
        self.http_port = http_port or free_port()
        self.ws_port = ws_port or free_port()
        self.admin_port = admin_port or free_port()
        self.admin_secret = admin_secret or secrets.token_hex(16)
        lo = 20000 + (os.getpid() % 400) * 100
        subprocess.run([os.path.join(ROOT, "scripts", "janus-config.sh"), self.dir,
                        "--http-port", str(self.http_port), "--ws-port", str(self.ws_port),
                        "--admin-port", str(self.admin_port),
                        "--admin-secret", self.admin_secret,
                        "--events", events_url, "--token-secret", token_secret,
                        "--admin-key", admin_key, "--events-secret", events_secret,
                        "--rtp-ports", "%d-%d" % (lo, lo + 99),
                        "--session-timeout", str(session_timeout)], check=True)
        self.url = "http://127.0.0.1:%d/janus" % self.http_port
        self.ws = "ws://127.0.0.1:%d" % self.ws_port
        self.token_secret = token_secret
        self.log = open(os.path.join(self.tmp, "janus.log"), "ab")
        self.proc = subprocess.Popen([JANUS, "-F", self.dir, "-C",
                                      os.path.join(self.dir, "janus.jcfg"), "-N"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        _running.append(self)
        deadline = time.time() + 20
        while True:
            try:
                info = self.post("", {"janus": "info"})
                if info.get("janus") == "server_info":
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError("janus did not start (log %s)" % self.log.name)
            time.sleep(0.1)

    def post(self, path, msg, timeout=10):
        msg = dict(msg, transaction=secrets.token_hex(6))
        req = urllib.request.Request(self.url + path, data=json.dumps(msg).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self in _running:
            _running.remove(self)
        self.log.close()


def sign(secret, expiry, room=0, p=0):
    """The token format Funnel signs (src/crm/meetings/janus.h)."""
    data = "%d,janus,janus.plugin.videoroom,janus.plugin.textroom" % expiry
    if room:
        data += ",room=%d" % room
    if p:
        data += ",p=%d" % p
    mac = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return data + ":" + base64.b64encode(mac).decode()


class JanusClient:
    """One Janus session with a VideoRoom handle, as a browser would hold."""

    def __init__(self, janus, token, opaque_id="funnel-test"):
        self.j = janus
        self.token = token
        r = janus.post("", {"janus": "create", "token": token})
        if r.get("janus") != "success":
            raise PermissionError(r)
        self.session = r["data"]["id"]
        r = janus.post("/%d" % self.session, {"janus": "attach", "token": token,
                                              "plugin": "janus.plugin.videoroom",
                                              "opaque_id": opaque_id})
        if r.get("janus") != "success":
            raise PermissionError(r)
        self.handle = r["data"]["id"]

    def message(self, body):
        """Send a request; sync ones answer at once, async ones (join) by an
        event read with a long poll."""
        r = self.j.post("/%d/%d" % (self.session, self.handle),
                        {"janus": "message", "token": self.token, "body": body})
        if r.get("janus") == "success":
            return r["plugindata"]["data"]
        if r.get("janus") != "ack":
            return r
        tx = r["transaction"]
        deadline = time.time() + 10
        while time.time() < deadline:
            with urllib.request.urlopen("%s/%d?maxev=5&token=%s" % (
                    self.j.url, self.session, urllib.request.quote(self.token)),
                    timeout=40) as resp:
                evs = json.loads(resp.read())
            for ev in evs if isinstance(evs, list) else [evs]:
                if ev.get("transaction") == tx and ev.get("janus") == "event":
                    return ev["plugindata"]["data"]
        raise AssertionError("no answer from Janus to %r" % body)

    def destroy(self):
        self.j.post("/%d" % self.session, {"janus": "destroy", "token": self.token})


def live_pair(args=(), env=None, session_timeout=30):
    """(funnel Server, Janus) wired together with fresh secrets."""
    token_secret = secrets.token_hex(16)
    admin_key = secrets.token_hex(16)
    events_secret = secrets.token_hex(16)
    admin_secret = secrets.token_hex(16)
    http_port, ws_port, admin_port = free_port(), free_port(), free_port()
    fenv = dict(env or {}, FUNNEL_JANUS_TOKEN_SECRET=token_secret,
                FUNNEL_JANUS_ADMIN_KEY=admin_key, FUNNEL_JANUS_EVENTS_SECRET=events_secret,
                FUNNEL_JANUS_ADMIN_SECRET=admin_secret)
    s = Server(args=["--janus", "http://127.0.0.1:%d/janus" % http_port,
                     "--janus-ws", "ws://127.0.0.1:%d" % ws_port,
                     "--janus-admin", "http://127.0.0.1:%d/admin" % admin_port] + list(args),
               env=fenv)
    j = Janus("http://127.0.0.1:%d/api/v1/janus/events" % s.port, token_secret, admin_key,
              events_secret, tmp=s.tmp, http_port=http_port, ws_port=ws_port,
              session_timeout=session_timeout, admin_port=admin_port,
              admin_secret=admin_secret)
    s.janus = j
    s.janus_secrets = {"token": token_secret, "admin_key": admin_key, "events": events_secret}
    return s, j


def close_pair(s, j):
    j.stop()
    s.stop()
    shutil.rmtree(s.tmp, ignore_errors=True)
