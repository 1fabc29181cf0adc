"""The server as a process: durability across kill -9, draining on SIGTERM,
body limits, idle clients, connection limits, backup while writing."""
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import tempfile
import threading
import time
import unittest

from harness import Server, run


def raw_request(s, head, body=b"", timeout=5):
    """Send head (+ body) on a fresh socket; return everything read until the
    server closes, times out, or sends one full answer."""
    sock = socket.create_connection((s.host, s.port), timeout=timeout)
    try:
        sock.sendall(head + body)
        return read_answer(sock)
    finally:
        sock.close()


def read_answer(sock):
    """One HTTP answer from sock as (status, headers dict, body bytes), or
    None when the server closed without answering."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            chunk = b""
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(body) < n:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


class Writers:
    """Threads creating accounts as fast as the server takes them, recording
    every create that was answered 201."""

    def __init__(self, s, token, n=4, prefix="w", limit=None):
        self.s, self.token, self.prefix, self.limit = s, token, prefix, limit
        self.ok = {}           # id -> name
        self.errors = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.count = 0
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(n)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def run(self, t):
        i = 0
        while not self.stop.is_set():
            with self.lock:
                if self.limit is not None and self.count >= self.limit:
                    return
                self.count += 1
            name = "%s-%d-%d" % (self.prefix, t, i)
            i += 1
            try:
                r = self.s.post("/api/v1/accounts", {"name": name}, self.token)
            except (OSError, http.client.HTTPException):
                return  # the server went away
            if r.status == 201:
                with self.lock:
                    self.ok[r.json["id"]] = name
            else:
                self.errors.append(r)

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)

    def wait_for(self, n, timeout=60):
        end = time.time() + timeout
        while len(self.ok) < n and time.time() < end:
            time.sleep(0.01)


def all_accounts(s, token):
    out, cursor = {}, None
    while True:
        r = s.get("/api/v1/accounts?limit=200" + ("&cursor=" + cursor if cursor else ""), token)
        assert r.status == 200, r
        for x in r.json["data"]:
            out[x["id"]] = x["name"]
        cursor = r.json["next_cursor"]
        if not cursor:
            return out


class Durability(unittest.TestCase):
    def test_kill_9_loses_no_acknowledged_write(self):
        s = Server()
        try:
            token = s.login()
            w = Writers(s, token, n=4, limit=300).start()
            w.wait_for(150)
            s.kill()  # SIGKILL, mid-stream
            w.join()
            acked = dict(w.ok)
            self.assertGreaterEqual(len(acked), 150)
            self.assertEqual(w.errors, [])
            s.start()
            have = all_accounts(s, token)  # sessions live in the database too
            missing = {i: n for i, n in acked.items() if have.get(i) != n}
            self.assertEqual(missing, {}, "acknowledged creates lost after kill -9")
            # at most the requests in flight at the kill were written unanswered
            self.assertLessEqual(len(have) - len(acked), 4)
            # and the database takes writes again
            self.assertEqual(s.post("/api/v1/accounts", {"name": "after"}, token).status, 201)
        finally:
            s.close()


class Drain(unittest.TestCase):
    def test_sigterm_finishes_requests_in_flight(self):
        s = Server()
        try:
            token = s.login()
            n = 6
            socks, bodies = [], []
            for i in range(n):
                body = json.dumps({"name": "inflight-%d" % i}).encode()
                head = ("POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                        "Content-Length: %d\r\n\r\n" % (token, len(body))).encode()
                sock = socket.create_connection((s.host, s.port), timeout=10)
                sock.sendall(head + body[:5])  # headers read, body half sent
                socks.append(sock)
                bodies.append(body)
            # an idle connection must not hold the shutdown up
            idle = socket.create_connection((s.host, s.port), timeout=10)
            time.sleep(0.3)
            t0 = time.time()
            s.proc.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            # no new connections once draining
            with self.assertRaises(OSError):
                c = socket.create_connection((s.host, s.port), timeout=2)
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                if not c.recv(100):
                    raise ConnectionResetError("closed")
            ids = []
            for sock, body in zip(socks, bodies):
                sock.sendall(body[5:])
                ans = read_answer(sock)
                self.assertIsNotNone(ans, "an in-flight request was dropped")
                self.assertEqual(ans[0], 201, ans)
                ids.append(json.loads(ans[2])["id"])
                sock.close()
            code = s.proc.wait(15)
            self.assertEqual(code, 0)
            self.assertLess(time.time() - t0, 5, "the drain waited for an idle connection")
            idle.close()
            s.proc.stdout.close()
            s.log.close()
            s.proc = None
            s.start()
            have = all_accounts(s, token)
            for i, sid in enumerate(ids):
                self.assertEqual(have[sid], "inflight-%d" % i)
            with open(os.path.join(s.tmp, "server.log")) as f:
                log = f.read()
            self.assertIn("draining", log)
            self.assertIn("stopped", log)
        finally:
            s.close()

    def test_sigterm_idle_server_exits_0_quickly(self):
        s = Server()
        try:
            s.get("/healthz")
            conn = http.client.HTTPConnection(s.host, s.port, timeout=5)
            conn.request("GET", "/healthz")  # keep-alive, left open
            conn.getresponse().read()
            t0 = time.time()
            self.assertEqual(s.stop(), 0)
            self.assertLess(time.time() - t0, 3)
            conn.close()
        finally:
            s.close()


class Limits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(args=["--max-body", "4096", "--timeout", "2", "--max-connections", "8"])
        cls.token = cls.s.login()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def count(self):
        r = self.s.get("/api/v1/accounts?total=true&limit=1", self.token)
        return r.json["total"]

    def head(self, extra):
        return ("POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                "Authorization: Bearer %s\r\nContent-Type: application/json\r\n%s\r\n"
                % (self.token, extra)).encode()

    def assert413(self, ans):
        self.assertIsNotNone(ans, "closed without an answer")
        status, headers, body = ans
        self.assertEqual(status, 413, ans)
        self.assertTrue(headers["content-type"].startswith("application/problem+json"))
        p = json.loads(body)
        self.assertEqual(p["status"], 413)
        self.assertIn("4096", p["detail"])

    def test_oversize_with_content_length(self):
        before = self.count()
        # declared too big: refused before the body is read
        self.assert413(raw_request(self.s, self.head("Content-Length: 1000000\r\n")))
        body = json.dumps({"name": "big", "address": "x" * 900}).encode()
        body += b" " * (5000 - len(body))
        self.assert413(raw_request(self.s, self.head("Content-Length: %d\r\n" % len(body)),
                                   body))
        r = self.s.post("/api/v1/accounts", raw=body, token=self.token)
        self.assertEqual(r.status, 413, r)
        self.assertEqual(self.count(), before)
        # at the limit it is read
        ok = json.dumps({"name": "at limit", "address": "y" * 900}).encode()
        ok += b" " * (4096 - len(ok))
        r = self.s.post("/api/v1/accounts", raw=ok, token=self.token)
        self.assertEqual(r.status, 201, r)

    def test_oversize_chunked(self):
        before = self.count()
        sock = socket.create_connection((self.s.host, self.s.port), timeout=5)
        try:
            sock.sendall(self.head("Transfer-Encoding: chunked\r\n"))
            payload = b'{"name": "chunked", "address": "' + b"z" * 900 + b'"}'
            payload += b" " * (6000 - len(payload))
            for i in range(0, len(payload), 1000):
                part = payload[i:i + 1000]
                sock.sendall(b"%x\r\n" % len(part) + part + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
            self.assert413(read_answer(sock))
        finally:
            sock.close()
        self.assertEqual(self.count(), before)
        # a chunked body under the limit is fine
        sock = socket.create_connection((self.s.host, self.s.port), timeout=5)
        try:
            sock.sendall(self.head("Transfer-Encoding: chunked\r\n"))
            part = b'{"name": "small chunked"}'
            sock.sendall(b"%x\r\n" % len(part) + part + b"\r\n0\r\n\r\n")
            ans = read_answer(sock)
            self.assertEqual(ans[0], 201, ans)
        finally:
            sock.close()

    def test_idle_connection_closed_after_timeout(self):
        for what, first in (("silent", b""),
                            ("half a request", b"GET /healthz HTTP/1.1\r\nHost: x\r\n"),
                            ("after an answer", None)):
            with self.subTest(what=what):
                sock = socket.create_connection((self.s.host, self.s.port), timeout=10)
                try:
                    if first is None:
                        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                        self.assertEqual(read_answer(sock)[0], 200)
                    elif first:
                        sock.sendall(first)
                    t0 = time.time()
                    try:
                        data = sock.recv(4096)
                    except ConnectionResetError:
                        data = b""
                    waited = time.time() - t0
                    self.assertEqual(data, b"")
                    self.assertGreater(waited, 1.0)
                    self.assertLess(waited, 6.0)
                finally:
                    sock.close()

    def test_too_many_connections(self):
        time.sleep(0.2)  # let earlier tests' connections finish closing
        held = []
        try:
            for i in range(8):
                sock = socket.create_connection((self.s.host, self.s.port), timeout=3)
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                ans = read_answer(sock)
                self.assertIsNotNone(ans, "connection %d refused" % (i + 1))
                self.assertEqual(ans[0], 200)
                held.append(sock)
            for i in range(4):
                try:
                    sock = socket.create_connection((self.s.host, self.s.port), timeout=3)
                except OSError:
                    continue  # refused: fine
                t0 = time.time()
                try:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    ans = read_answer(sock)
                except OSError:
                    ans = None
                finally:
                    sock.close()
                self.assertIsNone(ans, "connection %d beyond the limit was served" % (9 + i))
                # closed at once, not left hanging in the listen queue
                self.assertLess(time.time() - t0, 1.5)
            # the first eight are still served
            for sock in held:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                ans = read_answer(sock)
                self.assertIsNotNone(ans)
                self.assertEqual(ans[0], 200)
        finally:
            for sock in held:
                sock.close()
        # once they are gone, new clients get in again
        end = time.time() + 5
        while True:
            try:
                r = self.s.get("/healthz")
                break
            except OSError:
                if time.time() > end:
                    raise
                time.sleep(0.1)
        self.assertEqual(r.status, 200)


class Backup(unittest.TestCase):
    def test_backup_while_writing(self):
        s = Server()
        copy = None
        dest_dir = tempfile.mkdtemp(prefix="funnel-backup-")
        try:
            token = s.login()
            w = Writers(s, token, n=3, prefix="b").start()
            w.wait_for(60)
            before = set(w.ok)
            dest = os.path.join(dest_dir, "funnel.db")
            p = run(["backup", "--db", s.db, dest])
            after = set(w.ok)
            w.wait_for(len(after) + 20)  # writes went on throughout
            w.join()
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(w.errors, [])
            # the copy is a sound database ...
            db = sqlite3.connect(dest)
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            self.assertEqual(db.execute("PRAGMA foreign_key_check").fetchall(), [])
            n = db.execute("SELECT count(*) FROM accounts").fetchone()[0]
            ids = [r[0] for r in db.execute("SELECT id FROM accounts ORDER BY id")]
            db.close()
            # ... holding every write acknowledged before the copy began and
            # only writes that happened; commits are serial, so a prefix
            self.assertTrue(before <= set(ids), "acknowledged writes missing from the backup")
            self.assertTrue(set(ids) <= set(w.ok))
            self.assertEqual(ids, list(range(1, len(ids) + 1)))
            self.assertGreaterEqual(n, len(before))
            # ... and a server runs on it with the same count
            copy = Server(tmp=dest_dir)
            tok2 = copy.login()
            have = all_accounts(copy, tok2)
            self.assertEqual(len(have), n)
            for i in before:
                self.assertEqual(have[i], w.ok[i])
            r = copy.get("/api/v1/accounts?total=true&limit=1", tok2)
            self.assertEqual(r.json["total"], n)
            # the original kept everything
            self.assertEqual(set(all_accounts(s, token)), set(w.ok))
            # a backup never overwrites
            p = run(["backup", "--db", s.db, dest])
            self.assertNotEqual(p.returncode, 0)
        finally:
            if copy:
                copy.close()
            s.close()
            shutil.rmtree(dest_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
