"""Test harness: a real `funnel serve` on an ephemeral loopback port.

Each Server gets a fresh temporary directory and database (created with
`funnel init`), starts the binary named by $FUNNEL_BIN (default ./funnel),
reads the bound address from its stdout and talks HTTP to it with the
standard library only.  Servers stop themselves: stop() sends SIGTERM, and an
atexit hook kills any left running.

FUNNEL_DB=pg runs the same tests on PostgreSQL: the first Server starts a
throwaway cluster (initdb into a temporary directory, pg_ctl on 127.0.0.1 and
a free port, its socket in that directory; as root the cluster runs as the
`postgres` user, since initdb refuses root), each Server gets a database of
its own (createdb) and `db` is its postgresql:// URI, and the cluster stops at
exit.  tests/api/run-pg.sh runs the test files that pass there.
"""
import atexit
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(os.environ.get("FUNNEL_BIN", os.path.join(ROOT, "funnel")))
ADMIN_EMAIL = "admin@test.funnel"
PASSWORD = "correct horse battery"
_running = []
PG = os.environ.get("FUNNEL_DB", "sqlite") == "pg"


@atexit.register
def _cleanup():
    for s in list(_running):
        s.kill()
    _pg_stop()


# --- a throwaway PostgreSQL cluster (FUNNEL_DB=pg) ---------------------------
_pg = {}


def _pg_bin(name):
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/" + name))
    if not found:
        raise unittest.SkipTest("PostgreSQL is not installed (scripts/deps.sh)")
    return found[-1]


def _as_pg_user(args):
    """initdb and postgres refuse to run as root: run them as `postgres`."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + args
    return args


def _free_port():
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def pg_cluster():
    """Start the cluster on first use; returns {"dir", "port"}."""
    if _pg:
        return _pg
    d = tempfile.mkdtemp(prefix="funnel-pg-")
    os.chmod(d, 0o755)
    if os.geteuid() == 0:
        shutil.chown(d, "postgres")
    data = os.path.join(d, "data")
    subprocess.run(_as_pg_user([_pg_bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres",
                                "-E", "UTF8", "--no-sync", "--locale", "C.UTF-8"]),
                   check=True, capture_output=True)
    port = _free_port()
    # durability off: these are throwaway clusters; production keeps fsync
    opts = "-k %s -h 127.0.0.1 -p %d -c fsync=off -c synchronous_commit=off " \
           "-c full_page_writes=off -c max_connections=300" % (d, port)
    subprocess.run(_as_pg_user([_pg_bin("pg_ctl"), "-D", data, "-l", os.path.join(d, "log"),
                                "-o", opts, "-w", "start"]), check=True, capture_output=True)
    _pg.update({"dir": d, "port": port, "data": data, "n": 0})
    return _pg


def _pg_stop():
    if not _pg:
        return
    subprocess.run(_as_pg_user([_pg_bin("pg_ctl"), "-D", _pg["data"], "-m", "immediate",
                                "stop"]), capture_output=True)
    shutil.rmtree(_pg["dir"], ignore_errors=True)
    _pg.clear()


def pg_createdb():
    """A new empty database on the cluster; returns its URI."""
    c = pg_cluster()
    c["n"] += 1
    name = "funnel_%d_%d" % (os.getpid(), c["n"])
    subprocess.run([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(c["port"]), "-U",
                    "postgres", name], check=True, capture_output=True)
    return "postgresql://postgres@127.0.0.1:%d/%s" % (c["port"], name)


def pg_dropdb(uri):
    c = _pg
    if not c:
        return
    name = uri.rsplit("/", 1)[1]
    subprocess.run([_pg_bin("dropdb"), "-h", "127.0.0.1", "-p", str(c["port"]), "-U",
                    "postgres", "--force", "--if-exists", name], capture_output=True)


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


def database_in(tmp):
    """The --db for a database a test makes itself in `tmp` (funnel demo,
    then Server(tmp=tmp, init=False)): tmp/funnel.db, or on PostgreSQL a new
    database whose URI a Server on tmp then finds."""
    if not PG:
        return os.path.join(tmp, "funnel.db")
    uri = pg_createdb()
    with open(os.path.join(tmp, "pg-uri"), "w") as f:
        f.write(uri)
    open(os.path.join(tmp, "pg-inited"), "w").close()
    return uri


class PgError(sqlite3.DatabaseError):
    """A failed statement on PostgreSQL (a DatabaseError, as sqlite3's)."""


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchall(self):
        return self.rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def __iter__(self):
        return iter(self.rows)


class _PgConnection:
    """The few sqlite3.Connection methods the tests use, over psql: each
    execute() is one psql run (its own transaction), values come back as
    int where they look like one, booleans as 1/0, NULL as None."""

    def __init__(self, uri):
        self.uri = uri

    @staticmethod
    def _literal(v):
        if v is None:
            return "NULL"
        if isinstance(v, bool):
            return "1" if v else "0"
        if isinstance(v, (int, float)):
            return repr(v)
        return "'" + str(v).replace("'", "''") + "'"

    def execute(self, sql, args=()):
        parts = sql.split("?")
        if len(parts) - 1 != len(args):
            raise PgError("%d parameters for %d placeholders" % (len(args), len(parts) - 1))
        text = parts[0] + "".join(self._literal(a) + rest for a, rest in zip(args, parts[1:]))
        p = subprocess.run([_pg_bin("psql"), "-X", "-q", "-A", "-t", "-F", "\x1f", "-P",
                            "null=\x1e", "-v", "ON_ERROR_STOP=1", "-d", self.uri, "-c", text],
                           capture_output=True, text=True)
        if p.returncode:
            raise PgError(p.stderr.strip())

        def value(v):
            if v == "\x1e":
                return None
            if v in ("t", "f"):
                return 1 if v == "t" else 0
            try:
                return int(v)
            except ValueError:
                return v
        return _Rows([tuple(value(v) for v in line.split("\x1f"))
                      for line in p.stdout.split("\n") if line])

    def commit(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def connect(db, readonly=False, timeout=10):
    """A connection to a test server's database, to look behind the API:
    sqlite3's for a file, a psql-backed stand-in for a postgresql:// URI."""
    if db.startswith("postgresql://"):
        return _PgConnection(db)
    if readonly:
        return sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=timeout)
    return sqlite3.connect(db, timeout=timeout)


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
        self.wrap = []  # a command the server runs under (setpriv …), set before start()
        self.tmp = tmp or tempfile.mkdtemp(prefix="funnel-test-")
        self.db = os.path.join(self.tmp, "funnel.db")
        self.args = list(args)
        if PG:
            # the database's URI lives in the directory, so that a Server
            # made again on the same tmp (a restart) finds its database
            marker = os.path.join(self.tmp, "pg-uri")
            if os.path.exists(marker):
                with open(marker) as f:
                    self.db = f.read().strip()
            else:
                self.db = pg_createdb()
                with open(marker, "w") as f:
                    f.write(self.db)
        # where the server keeps attachments (serve's default: beside the
        # file; on PostgreSQL a folder must be named, start() adds it)
        if "--files" in self.args:
            self.files = self.args[self.args.index("--files") + 1]
        elif PG:
            self.files = os.path.join(self.tmp, "files")
        else:
            self.files = self.db + ".files"
        self.env = dict(os.environ, **(env or {}))  # e.g. FUNNEL_NOW for the server
        self.proc = None
        self.tokens = {}
        if init and (PG and not os.path.exists(os.path.join(self.tmp, "pg-inited"))
                     or not PG and not os.path.exists(self.db)):
            pw = os.path.join(self.tmp, "pw")
            with open(pw, "w") as f:
                f.write(PASSWORD + "\n")
            run(["init", "--db", self.db, "--admin-email", ADMIN_EMAIL,
                 "--admin-password-file", pw], check=True)
            if PG:
                open(os.path.join(self.tmp, "pg-inited"), "w").close()
        self.start()

    def start(self):
        self.log = open(os.path.join(self.tmp, "server.log"), "ab")
        self.proc = subprocess.Popen(
            self.wrap + [BIN, "serve", "--db", self.db, "--listen", "127.0.0.1:0"] + self.args +
            (["--files", self.files] if PG and "--files" not in self.args else []),
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
        keep = os.environ.get("FUNNEL_TEST_LOGS")  # a file that collects every server's log
        if keep and os.path.exists(os.path.join(self.tmp, "server.log")):
            with open(keep, "ab") as out, open(os.path.join(self.tmp, "server.log"), "rb") as f:
                out.write(f.read())
        if PG and self.db.startswith("postgresql://"):
            pg_dropdb(self.db)
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
