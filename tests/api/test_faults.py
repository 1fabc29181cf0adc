"""Faults: what the server does when the world under it fails.

- The disk fills during writes: the database lives on a small tmpfs the test
  mounts (skipped, saying why, where mounting is not allowed).  Every write is
  either acknowledged and present, or refused with 507 (problem+json) and
  absent; once there is room again the server writes again without a restart.
- The attachments directory vanishes under a running server: uploads are
  refused with a problem and leave no record; the server recovers when the
  directory is back.
- kill -9 in the middle of an import: after it, the import's rows are all
  there or none is.
"""
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

from harness import BIN, PASSWORD, Server, run

NOTES = "n" * 12000  # an activity's notes: a few pages a write


def mount_tmpfs(size):
    d = tempfile.mkdtemp(prefix="funnel-full-")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", d],
                       capture_output=True, text=True)
    if p.returncode != 0:
        os.rmdir(d)
        return None, p.stderr.strip()
    return d, None


def umount(d):
    subprocess.run(["umount", "-l", d], capture_output=True)
    shutil.rmtree(d, ignore_errors=True)


def free_bytes(d):
    st = os.statvfs(d)
    return st.f_bavail * st.f_frsize


class DiskFull(unittest.TestCase):
    def setUp(self):
        self.mnt, why = mount_tmpfs("24m")
        if not self.mnt:
            self.skipTest("cannot mount a tmpfs here: " + why)
        self.addCleanup(umount, self.mnt)
        self.s = Server(tmp=self.mnt)
        self.addCleanup(self.s.stop)
        self.tok = self.s.login()
        self.acc = self.s.create("accounts", {"name": "Full disk Inc"}, self.tok)["id"]

    def fill(self, leave):
        """A filler file that leaves `leave` bytes free; returns its path."""
        path = os.path.join(self.mnt, "filler")
        with open(path, "wb") as f:
            chunk = b"\0" * (1 << 20)
            while free_bytes(self.mnt) > leave + len(chunk):
                f.write(chunk)
                f.flush()
            while free_bytes(self.mnt) > leave + 4096:
                f.write(b"\0" * 4096)
                f.flush()
        return path

    def rows(self, subject_prefix):
        db = sqlite3.connect("file:%s?mode=ro" % self.s.db, uri=True, timeout=10)
        try:
            return {r[0] for r in db.execute(
                "SELECT subject FROM activities WHERE subject LIKE ?", (subject_prefix + "%",))}
        finally:
            db.close()

    def write(self, i):
        return self.s.post("/api/v1/activities", {
            "type": "note", "subject": "full %05d" % i, "notes": NOTES,
            "related_type": "account", "related_id": self.acc}, self.tok)

    def test_every_write_is_stored_or_refused_whole_and_the_server_recovers(self):
        filler = self.fill(leave=400 * 1024)
        acked, refused = set(), set()
        i = 0
        while len(refused) < 10 and i < 2000:
            r = self.write(i)
            subject = "full %05d" % i
            if r.status == 201:
                acked.add(subject)
            else:
                self.assertEqual(r.status, 507, r)
                self.assertTrue(r.header("Content-Type").startswith("application/problem+json"))
                refused.add(subject)
            i += 1
        self.assertTrue(acked, "nothing was stored before the disk filled")
        self.assertEqual(len(refused), 10, "the disk never filled (%d writes)" % i)
        # reads still work on a full disk
        self.assertEqual(self.s.get("/api/v1/accounts/%d" % self.acc, self.tok).status, 200)
        stored = self.rows("full ")
        self.assertEqual(stored & refused, set(), "a refused write is in the database")
        self.assertEqual(acked - stored, set(), "an acknowledged write is missing")
        # room again: the same server writes again
        os.unlink(filler)
        r = self.write(99999)
        self.assertEqual(r.status, 201, r)
        self.assertIn("full 99999", self.rows("full 9999"))
        # and after a restart, everything acknowledged is still there
        self.s.stop()
        self.s.start()
        self.assertEqual(acked - self.rows("full "), set())


class FilesVanish(unittest.TestCase):
    def setUp(self):
        self.s = Server()
        self.addCleanup(self.s.close)
        self.tok = self.s.login()
        self.acc = self.s.create("accounts", {"name": "Vanishing files"}, self.tok)["id"]
        self.files = self.s.db + ".files"

    def upload(self, name):
        q = urllib.parse.urlencode({"related_type": "account", "related_id": self.acc,
                                    "filename": name})
        return self.s.request("POST", "/api/v1/attachments?" + q, raw=b"some notes\n",
                              token=self.tok, content_type="text/plain")

    def count(self):
        db = sqlite3.connect("file:%s?mode=ro" % self.s.db, uri=True, timeout=10)
        try:
            return db.execute("SELECT count(*) FROM attachments").fetchone()[0]
        finally:
            db.close()

    def test_uploads_are_refused_whole_while_the_directory_is_gone(self):
        self.assertEqual(self.upload("before.txt").status, 201)
        n = self.count()
        shutil.rmtree(self.files)
        r = self.upload("during.txt")
        self.assertGreaterEqual(r.status, 500, r)
        self.assertTrue(r.header("Content-Type").startswith("application/problem+json"), r)
        self.assertEqual(self.count(), n, "a record without its file")
        # the server itself still answers
        self.assertEqual(self.s.get("/api/v1/accounts/%d" % self.acc, self.tok).status, 200)
        os.makedirs(os.path.join(self.files, "tmp"))
        r = self.upload("after.txt")
        self.assertEqual(r.status, 201, r)
        status = self.s.get(r.json["url"], self.tok).status
        self.assertEqual(status, 200)


class KilledImport(unittest.TestCase):
    def test_kill_9_during_an_import_leaves_all_or_nothing(self):
        tmp = tempfile.mkdtemp(prefix="funnel-kill-")
        self.addCleanup(shutil.rmtree, tmp, True)
        db = os.path.join(tmp, "funnel.db")
        pw = os.path.join(tmp, "pw")
        with open(pw, "w") as f:
            f.write(PASSWORD + "\n")
        run(["init", "--db", db, "--admin-email", "admin@test.funnel",
             "--admin-password-file", pw], check=True)
        csv = os.path.join(tmp, "accounts.csv")
        n = 200000
        with open(csv, "w") as f:
            f.write("name,industry\n")
            for i in range(n):
                f.write("Killed %07d,Software\n" % i)
        p = subprocess.Popen([BIN, "import", "--db", db, "accounts", csv,
                              "--as", "admin@test.funnel"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # kill it once it reports progress (rows are being written), long
        # before it can finish
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(p.stderr), daemon=True)
        reader.start()
        t0 = time.time()
        while time.time() - t0 < 60 and p.poll() is None:
            if any(b"import: " in x and b" of " in x for x in lines):
                break
            time.sleep(0.01)
        finished = p.poll() is not None
        p.send_signal(signal.SIGKILL)
        p.wait()
        reader.join(5)
        p.stderr.close()
        err = b"".join(lines).decode(errors="replace")
        self.assertFalse(finished and p.returncode != 0, "the import failed by itself: " + err)
        c = sqlite3.connect(db, timeout=10)
        try:
            got = c.execute("SELECT count(*) FROM accounts WHERE name LIKE 'Killed %'").fetchone()[0]
            ok = c.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            c.close()
        self.assertEqual(ok, "ok")
        self.assertIn(got, (0, n), "half an import after kill -9 (%d of %d rows)" % (got, n))
        self.assertFalse(finished, "the import finished before it could be killed: " + err)
        self.assertEqual(got, 0)


if __name__ == "__main__":
    unittest.main()


class ClockJumps(unittest.TestCase):
    """The clock (FUNNEL_NOW, read by time_now()) jumps between two runs of the
    server on the same database."""
    T0 = "2026-11-02T09:00:00Z"

    def server(self, now, tmp=None):
        s = Server(tmp=tmp, env={"FUNNEL_NOW": now})
        return s

    def test_forward_expires_credentials_backward_keeps_working(self):
        s = self.server(self.T0)
        self.addCleanup(s.close)
        session = s.login()
        r = s.post("/api/v1/tokens", {"name": "a day", "expires_at": "2026-11-03T09:00:00Z"},
                   session)
        self.assertEqual(r.status, 201, r)
        day_token = r.json["token"]
        acc = s.create("accounts", {"name": "Before the jump"}, session)
        self.assertEqual(s.get("/api/v1/me", day_token).status, 200)
        # forward two days: the session (12 h) and the one-day token are over
        s.stop()
        s.env["FUNNEL_NOW"] = "2026-11-04T09:00:00Z"
        s.start()
        self.assertEqual(s.get("/api/v1/me", session).status, 401)
        self.assertEqual(s.get("/api/v1/me", day_token).status, 401)
        s.tokens.clear()
        fresh = s.login()
        self.assertEqual(s.get("/api/v1/accounts/%d" % acc["id"], fresh).status, 200)
        # backward a week: what was made "later" stays readable and writable
        s.stop()
        s.env["FUNNEL_NOW"] = "2026-10-28T09:00:00Z"
        s.start()
        self.assertEqual(s.get("/api/v1/me", fresh).status, 200)
        r = s.patch("/api/v1/accounts/%d" % acc["id"], {"name": "After the jump back"}, fresh,
                    headers={"If-Match": '"v%d"' % acc["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["version"], acc["version"] + 1)
        self.assertEqual(s.create("accounts", {"name": "In the past"}, fresh)["name"],
                         "In the past")
        h = s.get("/api/v1/accounts/%d/history" % acc["id"], fresh)
        self.assertEqual(h.status, 200, h)
        self.assertEqual(len(h.json["data"]), 2)
        lst = s.get("/api/v1/accounts?sort=-created_at", fresh)
        self.assertEqual(lst.status, 200, lst)
