"""Faults: what the server does when the world under it fails.

- The disk fills during writes: the database lives on a small tmpfs the test
  mounts (skipped, saying why, where mounting is not allowed).  Every write is
  either acknowledged and present, or refused with 507 (problem+json) and
  absent; once there is room again the server writes again without a restart.
- The database file turns read-only: writes are refused with 503 and leave
  nothing, reads go on, and writes resume when it is writable again (after a
  restart); on a read-only file system the server does not start, and says
  why.
- The attachments directory vanishes under a running server: uploads are
  refused with a problem and leave no record; the server recovers when the
  directory is back.
- kill -9 in the middle of an import: after it, the import's rows are all
  there or none is.
- kill -9 of the server while a handover executes or a lead converts: after
  the restart each is wholly done or not at all, and can be done then.
- The clock jumps (FUNNEL_NOW between runs): forward, credentials expire;
  back, records stay readable and writable.
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


class ReadOnlyDatabase(unittest.TestCase):
    """The database becomes read-only under a server that runs as a user of
    its own (root writes through a file's mode bits, so the server here runs
    as nobody): writes are refused with 503, a problem and Retry-After, and
    leave nothing; reads go on; once the file is writable again, the server
    restarted writes and nothing refused is there.  A file system that is
    read-only (a tmpfs remounted ro) stops `funnel serve` at start, saying
    why."""

    def setUp(self):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root and setpriv to run the server as another user")
        self.as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        if subprocess.run(self.as_nobody + [BIN, "--version"], capture_output=True).returncode:
            self.skipTest("nobody cannot run %s (a directory above it is closed to others)" % BIN)
        self.s = Server()
        self.addCleanup(self.s.close)
        self.tok = self.s.login()
        self.acc = self.s.create("accounts", {"name": "Read-only Inc"}, self.tok)["id"]
        self.s.stop()
        for root, dirs, files in os.walk(self.s.tmp):
            for name in dirs + files:
                os.chown(os.path.join(root, name), 65534, 65534)
        os.chown(self.s.tmp, 65534, 65534)
        self.s.wrap = self.as_nobody

    def names(self):
        db = sqlite3.connect("file:%s?mode=ro" % self.s.db, uri=True, timeout=10)
        try:
            return {r[0] for r in db.execute("SELECT name FROM accounts")}
        finally:
            db.close()

    def test_writes_refused_with_503_reads_go_on_and_the_server_recovers(self):
        self.s.start()
        self.assertEqual(self.s.post("/api/v1/accounts", {"name": "Before"}, self.tok).status, 201)
        os.chmod(self.s.db, 0o444)
        self.s.stop()  # SQLite opens a write-protected file read-only
        self.s.start()
        for name in ("During 1", "During 2"):
            r = self.s.post("/api/v1/accounts", {"name": name}, self.tok)
            self.assertEqual(r.status, 503, r)
            self.assertTrue(r.header("Content-Type").startswith("application/problem+json"), r)
            self.assertIn("nothing was stored", r.json["detail"])
            self.assertTrue(r.header("Retry-After"), r)
        r = self.s.request("PATCH", "/api/v1/accounts/%d" % self.acc,
                           {"name": "Renamed while read-only"}, token=self.tok)
        self.assertEqual(r.status, 503, r)
        # reads go on: the record, a list
        got = self.s.get("/api/v1/accounts/%d" % self.acc, self.tok)
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.json["name"], "Read-only Inc")
        self.assertEqual(self.s.get("/api/v1/accounts?limit=5", self.tok).status, 200)
        # writable again (SQLite made its -wal and -shm with the file's mode):
        # after a restart, writes go on and nothing refused is there
        self.s.stop()
        for path in (self.s.db, self.s.db + "-wal", self.s.db + "-shm"):
            if os.path.exists(path):
                os.chmod(path, 0o644)
        self.s.start()
        r = self.s.post("/api/v1/accounts", {"name": "After"}, self.tok)
        self.assertEqual(r.status, 201, r)
        names = self.names()
        self.assertTrue({"Before", "After", "Read-only Inc"} <= names, names)
        self.assertFalse({"During 1", "During 2", "Renamed while read-only"} & names, names)

    def test_a_read_only_file_system_stops_serve_at_start_saying_why(self):
        mnt, why = mount_tmpfs("64m")
        if not mnt:
            self.skipTest("cannot mount a tmpfs here: " + why)
        self.addCleanup(umount, mnt)
        db = os.path.join(mnt, "crm.db")
        shutil.copy(self.s.db, db)
        p = subprocess.run(["mount", "-o", "remount,ro", mnt], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = subprocess.run([BIN, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("Read-only file system", p.stderr)
        self.assertIn(db, p.stderr)


class FilesVanish(unittest.TestCase):
    def setUp(self):
        self.s = Server()
        self.addCleanup(self.s.close)
        self.tok = self.s.login()
        self.acc = self.s.create("accounts", {"name": "Vanishing files"}, self.tok)["id"]
        self.files = self.s.files

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


class KilledMidRequest(unittest.TestCase):
    """kill -9 of the server while a handover executes or a lead converts: after
    the restart each is wholly done or not at all, and can be done then.  The
    kill lands wherever the delay puts it; the invariant must hold at any."""

    @classmethod
    def setUpClass(cls):
        cls.s = Server()
        from harness import org
        cls.o = org(cls.s)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def kill_during(self, path, body, token, delay):
        box = {}

        def send():
            try:
                box["r"] = self.s.post(path, body, token)
            except Exception as e:  # the connection dies with the server
                box["e"] = e
        t = threading.Thread(target=send)
        t.start()
        time.sleep(delay)
        self.s.kill()
        t.join(30)
        self.s.start()
        return box.get("r")

    def db(self, sql, *args):
        c = sqlite3.connect("file:%s?mode=ro" % self.s.db, uri=True, timeout=10)
        try:
            return c.execute(sql, args).fetchall()
        finally:
            c.close()

    def test_handover_execution(self):
        admin, mgr = self.o["admin"]["token"], self.o["mgr_east"]["token"]
        for n, delay in enumerate((0.0, 0.01, 0.04)):
            leaver = self.s.create("users", {
                "email": "leaver%d@test.funnel" % n, "name": "Leaver %d" % n, "role": "rep",
                "team_id": self.o["teams"]["east1"], "password": PASSWORD}, admin)["id"]
            acc = self.s.create("accounts", {"name": "Leaver's %d" % n, "owner_id": leaver},
                                admin)["id"]
            opps = [self.s.create("opportunities", {
                "name": "Deal %d/%d" % (n, i), "account_id": acc, "owner_id": leaver,
                "close_date": "2026-12-15", "amount": "100"}, admin)["id"] for i in range(60)]
            plan = self.s.post("/api/v1/handovers", {"from_user": leaver,
                                                     "successor": self.o["rep_e1b"]["id"]}, mgr)
            self.assertEqual(plan.status, 201, plan)
            hid = plan.json["id"]
            self.kill_during("/api/v1/handovers/%d/execute" % hid, None, mgr, delay)
            status = self.db("SELECT status FROM handovers WHERE id = ?", hid)[0][0]
            still = self.db("SELECT count(*) FROM opportunities WHERE owner_id = ? AND id IN (%s)"
                            % ",".join(map(str, opps)), leaver)[0][0]
            with self.subTest(delay=delay, status=status):
                self.assertIn((status, still), (("draft", len(opps)), ("executed", 0)))
                if status == "draft":
                    r = self.s.post("/api/v1/handovers/%d/execute" % hid, None, mgr)
                    self.assertEqual(r.status, 200, r)
                    self.assertEqual(self.db(
                        "SELECT count(*) FROM opportunities WHERE owner_id = ? AND id IN (%s)"
                        % ",".join(map(str, opps)), leaver)[0][0], 0)

    def test_lead_conversion(self):
        rep = self.o["rep_e1"]["token"]
        for n, delay in enumerate((0.0, 0.002, 0.01)):
            company = "Converted %d Ltd" % n
            lead = self.s.create("leads", {"last_name": "Lead %d" % n, "company": company},
                                 rep)["id"]
            self.kill_during("/api/v1/leads/%d/convert" % lead, {}, rep, delay)
            done = self.db("SELECT converted_at IS NOT NULL FROM leads WHERE id = ?",
                           lead)[0][0]
            accounts = self.db("SELECT count(*) FROM accounts WHERE name = ?", company)[0][0]
            with self.subTest(delay=delay, lead=done, accounts=accounts):
                if accounts:
                    self.assertEqual(done, 1)
                    self.assertEqual(self.db("SELECT count(*) FROM opportunities o JOIN accounts a"
                                             " ON a.id = o.account_id WHERE a.name = ?",
                                             company)[0][0], 1)
                else:
                    self.assertEqual(done, 0)
                    r = self.s.post("/api/v1/leads/%d/convert" % lead, {}, rep)
                    self.assertEqual(r.status, 201, r)

