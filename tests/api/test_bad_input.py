"""Bad input on every write endpoint: a 4xx problem naming what is wrong, and
the database exactly as it was (counted before and after each case)."""
import http.client
import time
import unittest

from harness import ServerTest

RECORDS = ["accounts", "contacts", "leads", "opportunities", "activities", "users", "teams"]

# a text field of each resource and its maximum length
LONG_TEXT = {"accounts": ("name", 200), "contacts": ("last_name", 100),
             "leads": ("last_name", 100), "opportunities": ("name", 200),
             "activities": ("subject", 200), "users": ("name", 200), "teams": ("name", 100)}


class BadInput(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.s
        cls.admin = s.login()
        acc = s.create("accounts", {"name": "Target Ltd", "employees": 10})
        con = s.create("contacts", {"account_id": acc["id"], "last_name": "Target"})
        opp = s.create("opportunities", {"name": "Target deal", "account_id": acc["id"],
                                         "close_date": "2026-11-30", "amount": "100.00"})
        lead = s.create("leads", {"last_name": "Target"})
        act = s.create("activities", {"type": "task", "subject": "Target task"})
        team = s.create("teams", {"name": "Target team"})
        user = s.create("users", {"email": "target@test.funnel", "name": "Target", "role": "rep",
                                  "password": "a long password"})
        cls.targets = {"accounts": acc["id"], "contacts": con["id"],
                       "opportunities": opp["id"], "leads": lead["id"],
                       "activities": act["id"], "teams": team["id"], "users": user["id"]}
        cls.valid = {
            "accounts": {"name": "New Co"},
            "contacts": {"account_id": acc["id"], "last_name": "New"},
            "leads": {"last_name": "New"},
            "opportunities": {"name": "New deal", "account_id": acc["id"],
                              "close_date": "2026-12-01"},
            "activities": {"type": "call", "subject": "New call"},
            "users": {"email": "new@test.funnel", "name": "New", "role": "rep",
                      "password": "a long password"},
            "teams": {"name": "New team"},
        }

    # --- helpers -------------------------------------------------------------
    def snapshot(self):
        """Every record of every resource, with its version, plus tokens: the
        state a failed write must leave as it was."""
        out = {}
        for res in RECORDS:
            r = self.s.get("/api/v1/%s?limit=200&total=true" % res, self.admin)
            self.assertEqual(r.status, 200, r)
            out[res] = (r.json["total"], {x["id"]: x["version"] for x in r.json["data"]})
        r = self.s.get("/api/v1/tokens", self.admin)
        out["tokens"] = len(r.json["data"])
        return out

    def setUp(self):
        self.before = self.snapshot()

    def tearDown(self):
        self.assertEqual(self.snapshot(), self.before, "a refused write changed the database")

    def writes(self):
        """(method, path, resource) of every record write endpoint."""
        for res in RECORDS:
            yield "POST", "/api/v1/" + res, res
            yield "PATCH", "/api/v1/%s/%d" % (res, self.targets[res]), res

    def send(self, method, path, raw, ct="application/json", token=None):
        return self.s.request(method, path, raw=raw, token=token or self.admin, content_type=ct)

    # --- bodies that are not a JSON object -----------------------------------
    def test_malformed_json(self):
        for method, path, res in self.writes():
            for raw in (b'{"name": ', b'{"name": "x",}', b"{'name': 'x'}", b"", b"nul",
                        b'{"name": "a", "name": "b"}'):
                with self.subTest(method=method, path=path, raw=raw):
                    self.assertProblem(self.send(method, path, raw), 400)

    def test_invalid_utf8(self):
        for method, path, res in self.writes():
            field = LONG_TEXT[res][0]
            for bad in (b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"caf\xe9"):
                with self.subTest(method=method, path=path, bad=bad):
                    raw = b'{"' + field.encode() + b'": "' + bad + b'"}'
                    self.assertProblem(self.send(method, path, raw), 400)

    def test_not_an_object(self):
        for method, path, res in self.writes():
            for raw in (b"[]", b'[{"name": "x"}]', b'"x"', b"42", b"null", b"true"):
                with self.subTest(method=method, path=path, raw=raw):
                    r = self.send(method, path, raw)
                    self.assertProblem(r, 400)
                    if raw.startswith(b"["):
                        self.assertIn("object", r.json["detail"])

    # --- fields ----------------------------------------------------------------
    def test_unknown_fields(self):
        for method, path, res in self.writes():
            with self.subTest(method=method, path=path):
                body = dict(self.valid[res], colour="blue")
                r = self.s.request(method, path, body=body, token=self.admin)
                self.assertProblem(r, 400, "colour")

    def test_read_only_fields(self):
        for method, path, res in self.writes():
            for field, value in (("id", 5), ("version", 9), ("created_at", "2026-01-01T00:00:00Z"),
                                 ("updated_at", "2026-01-01T00:00:00Z"), ("created_by", 1)):
                with self.subTest(method=method, path=path, field=field):
                    body = dict(self.valid[res], **{field: value})
                    r = self.s.request(method, path, body=body, token=self.admin)
                    self.assertProblem(r, 400, field)
        for field in ("stage_entered_at", "closed_at"):
            body = dict(self.valid["opportunities"], **{field: "2026-01-01T00:00:00Z"})
            self.assertProblem(self.s.post("/api/v1/opportunities", body, self.admin), 400, field)
            self.assertProblem(self.s.patch("/api/v1/opportunities/%d"
                                            % self.targets["opportunities"],
                                            {field: "2026-01-01T00:00:00Z"}, self.admin),
                               400, field)
        r = self.s.patch("/api/v1/users/%d" % self.targets["users"], {"password_hash": "x"},
                         self.admin)
        self.assertProblem(r, 400, "password_hash")

    def test_wrong_types(self):
        cases = [
            ("accounts", "name", 5), ("accounts", "employees", "ten"),
            ("accounts", "employees", 1.5), ("accounts", "owner_id", "me"),
            ("accounts", "name", {"a": 1}), ("accounts", "name", ["x"]),
            ("contacts", "decision_maker", "yes"), ("contacts", "account_id", True),
            ("contacts", "email", "not-an-email"),
            ("leads", "status", "hot"), ("leads", "channel", 3),
            ("opportunities", "amount", True), ("opportunities", "amount", "ten"),
            ("opportunities", "currency", "EURO"), ("opportunities", "currency", "XXX"),
            ("opportunities", "probability", "50"), ("opportunities", "close_date", 20261130),
            ("opportunities", "stage", "no_such_stage"),
            ("activities", "type", "dance"), ("activities", "due_at", "tomorrow"),
            ("activities", "due_at", "2026-11-22T10:00:00"),
            ("users", "role", "king"), ("users", "active", "no"), ("users", "email", "@x"),
            ("teams", "parent_id", "top"),
        ]
        for res, field, value in cases:
            for method, path in (("POST", "/api/v1/" + res),
                                 ("PATCH", "/api/v1/%s/%d" % (res, self.targets[res]))):
                with self.subTest(method=method, res=res, field=field, value=value):
                    body = dict(self.valid[res], **{field: value})
                    r = self.s.request(method, path, body=body, token=self.admin)
                    self.assertProblem(r, 400, field)

    def test_out_of_range(self):
        long_cases = [(res, f, "x" * (n + 1)) for res, (f, n) in LONG_TEXT.items()]
        cases = long_cases + [
            ("opportunities", "probability", 101), ("opportunities", "probability", -1),
            ("accounts", "employees", -1), ("accounts", "employees", 10000001),
            ("accounts", "owner_id", 0), ("contacts", "account_id", -3),
            ("activities", "related_id", 0), ("users", "password", "short"),
            ("accounts", "name", "tab\tin name"), ("accounts", "name", "line\nbreak"),
        ]
        for res, field, value in cases:
            for method, path in (("POST", "/api/v1/" + res),
                                 ("PATCH", "/api/v1/%s/%d" % (res, self.targets[res]))):
                with self.subTest(method=method, res=res, field=field):
                    body = dict(self.valid[res], **{field: value})
                    if field == "related_id":
                        body["related_type"] = "account"
                    r = self.s.request(method, path, body=body, token=self.admin)
                    self.assertProblem(r, 400, field)
        # the maximum itself is fine (then undone)
        name = "é" * 200  # characters, not bytes
        r = self.s.patch("/api/v1/accounts/%d" % self.targets["accounts"], {"name": name},
                         self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["name"], name)
        r = self.s.patch("/api/v1/accounts/%d" % self.targets["accounts"],
                         {"name": "Target Ltd"}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.before = self.snapshot()

    def test_bad_dates(self):
        for d in ("2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-1-5",
                  "26-11-30", "2026-11-30T00:00:00Z", "", "2026/11/30"):
            with self.subTest(date=d):
                body = dict(self.valid["opportunities"], close_date=d)
                self.assertProblem(self.s.post("/api/v1/opportunities", body, self.admin), 400,
                                   "close_date")
                r = self.s.patch("/api/v1/opportunities/%d" % self.targets["opportunities"],
                                 {"close_date": d}, self.admin)
                self.assertProblem(r, 400, "close_date")
        for t in ("2026-11-22T25:00:00Z", "2026-02-30T10:00:00Z", "2026-11-22T10:61:00Z"):
            with self.subTest(time=t):
                body = dict(self.valid["activities"], due_at=t)
                self.assertProblem(self.s.post("/api/v1/activities", body, self.admin), 400,
                                   "due_at")

    def test_money_precision(self):
        cases = [("EUR", 1.005), ("EUR", "1.005"), ("USD", "0.001"), ("JPY", 1.5),
                 ("JPY", "1.5"), ("JPY", "100.0"), ("BHD", "1.0005"), ("EUR", "1,5"),
                 ("EUR", "1e3"), ("EUR", " 5"), ("EUR", "")]
        for cur, amount in cases:
            with self.subTest(currency=cur, amount=amount):
                body = dict(self.valid["opportunities"], currency=cur, amount=amount)
                self.assertProblem(self.s.post("/api/v1/opportunities", body, self.admin), 400,
                                   "amount")
                r = self.s.patch("/api/v1/opportunities/%d" % self.targets["opportunities"],
                                 {"currency": cur, "amount": amount}, self.admin)
                self.assertProblem(r, 400, "amount")
        # the right precision passes (checked, then undone)
        path = "/api/v1/opportunities/%d" % self.targets["opportunities"]
        for cur, amount, shown in (("JPY", 1500, "1500"), ("BHD", "1.005", "1.005"),
                                   ("EUR", 19.99, "19.99"), ("EUR", "100.00", "100.00")):
            r = self.s.patch(path, {"currency": cur, "amount": amount}, self.admin)
            self.assertEqual(r.status, 200, r)
            self.assertIn('"amount":%s' % shown, r.raw.replace(" ", ""))
        self.before = self.snapshot()

    def test_several_problems_listed_together(self):
        body = {"name": "", "account_id": "x", "close_date": "2026-02-30", "probability": 101,
                "amount": "1.005", "colour": "red", "id": 3}
        r = self.s.post("/api/v1/opportunities", body, self.admin)
        self.assertProblem(r, 400)
        fields = {e["field"] for e in r.json["errors"]}
        self.assertEqual(fields, {"name", "account_id", "close_date", "probability", "amount",
                                  "colour", "id"}, r)
        for e in r.json["errors"]:
            self.assertTrue(e["message"])
            self.assertIn(e["field"], r.json["detail"])
        r = self.s.patch("/api/v1/accounts/%d" % self.targets["accounts"],
                         {"name": 1, "employees": -5, "website": "x" * 501}, self.admin)
        self.assertProblem(r, 400)
        self.assertEqual({e["field"] for e in r.json["errors"]},
                         {"name", "employees", "website"})
        # required fields missing, all at once
        r = self.s.post("/api/v1/opportunities", {}, self.admin)
        self.assertEqual({e["field"] for e in r.json["errors"]},
                         {"name", "account_id", "close_date"}, r)

    def test_null_for_required(self):
        for res, field in (("accounts", "name"), ("opportunities", "close_date"),
                           ("opportunities", "amount"), ("contacts", "account_id"),
                           ("users", "active"), ("accounts", "owner_id")):
            with self.subTest(res=res, field=field):
                r = self.s.patch("/api/v1/%s/%d" % (res, self.targets[res]), {field: None},
                                 self.admin)
                self.assertProblem(r, 400, field)

    # --- media type --------------------------------------------------------
    def test_content_type(self):
        for method, path, res in self.writes():
            raw = ('{"%s": "fine"}' % LONG_TEXT[res][0]).encode()
            for ct in (None, "text/plain", "application/x-www-form-urlencoded",
                       "application/jsonx", "multipart/form-data"):
                with self.subTest(method=method, path=path, ct=ct):
                    r = self.send(method, path, raw, ct=ct)
                    self.assertProblem(r, 415)
        # parameters after the type are fine
        r = self.send("PATCH", "/api/v1/accounts/%d" % self.targets["accounts"],
                      b'{"industry": null}', ct="application/json; charset=utf-8")
        self.assertEqual(r.status, 200, r)

    # --- query parameters ----------------------------------------------------
    def test_bad_query(self):
        for q, field in (("limit=500", "limit"), ("limit=0", "limit"), ("limit=ten", "limit"),
                         ("limit=-1", "limit"), ("cursor=garbage!", "cursor"),
                         ("cursor=MTIz", "cursor"), ("colour=blue", "colour"),
                         ("sort=phone", "sort"), ("sort=-nonsense", "sort"),
                         ("total=yes", "total"), ("employees_from=many", "employees_from"),
                         ("phone_from=1", "phone_from"), ("owner_id=me", "owner_id"),
                         ("owner_id=", "owner_id")):
            with self.subTest(q=q):
                self.assertProblem(self.s.get("/api/v1/accounts?" + q, self.admin), 400, field)
        r = self.s.get("/api/v1/opportunities?close_date_from=2026-02-30", self.admin)
        self.assertProblem(r, 400, "close_date_from")
        r = self.s.get("/api/v1/opportunities?stage=a,b&status=maybe", self.admin)
        self.assertProblem(r, 400, "status")

    # --- credentials -------------------------------------------------------
    def assert401(self, r):
        self.assertProblem(r, 401)
        self.assertTrue(r.header("WWW-Authenticate"), r)
        self.assertIn("Bearer", r.header("WWW-Authenticate"))

    def test_missing_forged_expired_credentials(self):
        body = self.valid["accounts"]
        for h in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer "},
                  {"Authorization": "Basic YWRtaW46cGFzcw=="},
                  {"Authorization": "Bearer fnt_" + "A" * 43},
                  {"Authorization": "Bearer fns_" + "A" * 43},
                  {"Authorization": "Bearer " + "x" * 5000},
                  {"Authorization": "Bearer " + self.admin[:-1]},
                  {"Cookie": "funnel_session=fns_forged"}):
            with self.subTest(headers=h):
                self.assert401(self.s.get("/api/v1/accounts", headers=h))
                self.assert401(self.s.post("/api/v1/accounts", body, headers=h))
                self.assert401(self.s.patch("/api/v1/accounts/%d" % self.targets["accounts"],
                                            body, headers=h))
                self.assert401(self.s.delete("/api/v1/accounts/%d" % self.targets["accounts"],
                                             headers=h))
        # an API token past its expiry
        exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
        r = self.s.post("/api/v1/tokens", {"name": "short-lived", "expires_at": exp}, self.admin)
        self.assertEqual(r.status, 201, r)
        tok, tid = r.json["token"], r.json["id"]
        self.assertEqual(self.s.get("/api/v1/me", tok).status, 200)
        time.sleep(2.5)
        self.assert401(self.s.get("/api/v1/me", tok))
        self.assert401(self.s.post("/api/v1/accounts", body, tok))
        self.assertEqual(self.s.delete("/api/v1/tokens/%d" % tid, self.admin).status, 204)
        self.before["tokens"] += 1  # the token row stays, revoked

    def test_bad_token_and_login_bodies(self):
        for body, field in (({"name": 5}, "name"), ({}, "name"), ({"name": ""}, "name"),
                            ({"name": "x" * 101}, "name"),
                            ({"name": "t", "expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
                            ({"name": "t", "expires_at": "soon"}, "expires_at"),
                            ({"name": "t", "scope": "all"}, "scope")):
            with self.subTest(body=body):
                self.assertProblem(self.s.post("/api/v1/tokens", body, self.admin), 400, field)
        self.assertProblem(self.send("POST", "/api/v1/tokens", b"[1]"), 400)
        self.assertProblem(self.send("POST", "/api/v1/tokens", b'{"name":"t"}', ct="text/plain"),
                           415)
        for body, field in (({"email": "a@b.c"}, "password"), ({"password": "x"}, "email"),
                            ({"email": 1, "password": "x"}, "email"),
                            ({"email": "a@b.c", "password": "x", "otp": "1"}, "otp")):
            with self.subTest(body=body):
                self.assertProblem(self.s.post("/api/v1/auth/login", body), 400, field)
        self.assertProblem(self.s.request("POST", "/api/v1/auth/login", raw=b"\xff",
                                          content_type="application/json"), 400)
        self.assertProblem(self.s.request("POST", "/api/v1/auth/login",
                                          raw=b'{"email":"a@b.c","password":"x"}',
                                          content_type="text/plain"), 415)

    def test_bad_ids_in_path(self):
        for rid in ("0", "-1", "abc", "1.5", "99999999999999999999", "01"):
            with self.subTest(id=rid):
                self.assertProblem(self.s.get("/api/v1/accounts/" + rid, self.admin), 404)
                self.assertProblem(self.s.patch("/api/v1/accounts/" + rid, {"name": "x"},
                                                self.admin), 404)
                self.assertProblem(self.s.delete("/api/v1/accounts/" + rid, self.admin), 404)

    def test_if_match_garbage_is_412(self):
        path = "/api/v1/accounts/%d" % self.targets["accounts"]
        for h in ('v1', '"1"', '"v"', '"v0"', '"vx"', '"v1" junk'):
            with self.subTest(if_match=h):
                r = self.s.patch(path, {"name": "Changed"}, self.admin, headers={"If-Match": h})
                self.assertProblem(r, 412)
                r = self.s.delete(path, self.admin, headers={"If-Match": h})
                self.assertProblem(r, 412)

    def test_raw_http_garbage(self):
        """Requests that are not HTTP do not take the server down."""
        import socket
        for raw in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                    b"POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                    b"GET /api/v1/accounts HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                    b"\x00\x01\x02\x03" * 100):
            with self.subTest(raw=raw[:30]):
                sock = socket.create_connection((self.s.host, self.s.port), timeout=1)
                try:
                    sock.sendall(raw)
                    sock.shutdown(socket.SHUT_WR)
                    data = b""
                    while True:
                        chunk = sock.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except (ConnectionResetError, socket.timeout):
                    data = b""  # dropped, or held until the idle timeout
                finally:
                    sock.close()
                if data:
                    self.assertTrue(data.startswith(b"HTTP/1."), data[:100])
                    self.assertRegex(data.split(b" ")[1], rb"^[45]\d\d$")
        self.assertEqual(self.s.get("/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
