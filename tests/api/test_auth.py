"""Authentication: login, throttling, cookie + CSRF, API tokens, logout,
disabled users."""
import unittest

from harness import ADMIN_EMAIL, PASSWORD, ServerTest, run

PW = "a long password"


def cookie_token(r):
    """The funnel_session value of a Set-Cookie answer, and its attributes."""
    sc = r.header("Set-Cookie")
    assert sc, r
    parts = [p.strip() for p in sc.split(";")]
    name, _, value = parts[0].partition("=")
    assert name == "funnel_session", sc
    return value, parts[1:]


class Throttle(ServerTest):
    """Its own server: failed logins are counted per address too."""

    def test_same_answer_for_unknown_email_and_wrong_password(self):
        a = self.s.post("/api/v1/auth/login", {"email": ADMIN_EMAIL, "password": "wrong one!"})
        b = self.s.post("/api/v1/auth/login", {"email": "nobody@test.funnel",
                                               "password": "wrong one!"})
        self.assertProblem(a, 401)
        self.assertProblem(b, 401)
        self.assertEqual(a.raw, b.raw)
        self.assertEqual(a.header("WWW-Authenticate"), b.header("WWW-Authenticate"))
        self.assertIsNone(a.header("Set-Cookie"))
        # a correct login clears the count for that e-mail
        self.assertEqual(self.s.post("/api/v1/auth/login", {"email": ADMIN_EMAIL,
                                                            "password": PASSWORD}).status, 200)

    def test_lockout_after_five_failures(self):
        admin = self.s.login()
        self.s.create("users", {"email": "victim@test.funnel", "name": "Victim", "role": "rep",
                                "password": PW}, admin)
        self.s.create("users", {"email": "bystander@test.funnel", "name": "By", "role": "rep",
                                "password": PW}, admin)
        for i in range(5):
            r = self.s.post("/api/v1/auth/login", {"email": "victim@test.funnel",
                                                   "password": "guess %d" % i})
            self.assertProblem(r, 401)
        r = self.s.post("/api/v1/auth/login", {"email": "victim@test.funnel", "password": PW})
        self.assertProblem(r, 429)
        retry = int(r.header("Retry-After"))
        self.assertGreater(retry, 0)
        self.assertLessEqual(retry, 900)
        self.assertNotIn("token", r.json)
        # the e-mail's case does not dodge the lock
        r = self.s.post("/api/v1/auth/login", {"email": "VICTIM@test.funnel", "password": PW})
        self.assertProblem(r, 429)
        # another user from the same address is not locked out
        r = self.s.post("/api/v1/auth/login", {"email": "bystander@test.funnel", "password": PW})
        self.assertEqual(r.status, 200, r)
        # sessions opened before the lock keep working
        self.assertEqual(self.s.get("/api/v1/me", admin).status, 200)


class Auth(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.s.login()
        cls.users = {}
        for name in ("ann", "bob", "cid", "dan"):
            u = cls.s.create("users", {"email": name + "@test.funnel", "name": name,
                                       "role": "rep", "password": PW}, cls.admin)
            cls.users[name] = u["id"]

    def login(self, name):
        r = self.s.post("/api/v1/auth/login", {"email": name + "@test.funnel", "password": PW})
        self.assertEqual(r.status, 200, r)
        return r

    def test_login_answer_and_cookie(self):
        r = self.login("ann")
        self.assertTrue(r.json["token"].startswith("fns_"))
        self.assertTrue(r.json["csrf_token"])
        self.assertTrue(r.json["expires_at"])
        self.assertEqual(r.json["user"]["email"], "ann@test.funnel")
        self.assertNotIn("password", r.raw)
        value, attrs = cookie_token(r)
        self.assertEqual(value, r.json["token"])
        self.assertIn("HttpOnly", attrs)
        self.assertIn("SameSite=Strict", attrs)
        self.assertIn("Path=/", attrs)
        self.assertEqual(r.header("Cache-Control"), "no-store")

    def test_cookie_session_and_csrf(self):
        r = self.login("ann")
        tok, csrf = r.json["token"], r.json["csrf_token"]
        ck = {"Cookie": "funnel_session=" + tok}
        g = self.s.get("/api/v1/me", headers=ck)
        self.assertEqual(g.status, 200, g)
        self.assertEqual(g.json["id"], self.users["ann"])
        # the page asks again for its CSRF token after a reload; never by bearer
        self.assertEqual(g.json["csrf_token"], csrf)
        self.assertNotIn("csrf_token", self.s.get("/api/v1/me", tok).json)
        self.assertEqual(self.s.get("/api/v1/accounts", headers=ck).status, 200)
        # writes by cookie need the CSRF header, the right one
        body = {"name": "Cookie Co"}
        self.assertProblem(self.s.post("/api/v1/accounts", body, headers=ck), 403)
        self.assertProblem(self.s.post("/api/v1/accounts", body,
                                       headers=dict(ck, **{"X-CSRF-Token": "0" * 32})), 403)
        other = self.login("bob").json["csrf_token"]
        self.assertProblem(self.s.post("/api/v1/accounts", body,
                                       headers=dict(ck, **{"X-CSRF-Token": other})), 403)
        lst = self.s.get("/api/v1/accounts?total=true", headers=ck)
        self.assertEqual(lst.json["total"], 0)
        ok = dict(ck, **{"X-CSRF-Token": csrf})
        c = self.s.post("/api/v1/accounts", body, headers=ok)
        self.assertEqual(c.status, 201, c)
        path = "/api/v1/accounts/%d" % c.json["id"]
        self.assertProblem(self.s.patch(path, {"name": "x"}, headers=ck), 403)
        self.assertProblem(self.s.delete(path, headers=ck), 403)
        self.assertEqual(self.s.patch(path, {"name": "Cookie Co 2"}, headers=ok).status, 200)
        self.assertEqual(self.s.delete(path, headers=ok).status, 204)
        # logout by cookie needs the header too, then ends the session
        self.assertProblem(self.s.post("/api/v1/auth/logout", headers=ck), 403)
        lo = self.s.post("/api/v1/auth/logout", headers=ok)
        self.assertEqual(lo.status, 204, lo)
        value, attrs = cookie_token(lo)
        self.assertEqual(value, "")
        self.assertIn("Max-Age=0", attrs)
        self.assertProblem(self.s.get("/api/v1/me", headers=ck), 401)
        self.assertProblem(self.s.get("/api/v1/me", tok), 401)

    def test_bearer_session_needs_no_csrf_and_logout_ends_it(self):
        tok = self.login("cid").json["token"]
        other = self.login("cid").json["token"]
        self.assertEqual(self.s.post("/api/v1/leads", {"last_name": "L"}, tok).status, 201)
        self.assertEqual(self.s.post("/api/v1/auth/logout", token=tok).status, 204)
        r = self.s.get("/api/v1/me", tok)
        self.assertProblem(r, 401)
        self.assertIn("Bearer", r.header("WWW-Authenticate"))
        self.assertProblem(self.s.post("/api/v1/auth/logout", token=tok), 401)
        # only that session ended
        self.assertEqual(self.s.get("/api/v1/me", other).status, 200)

    def test_api_tokens(self):
        sess = self.login("dan").json["token"]
        r = self.s.post("/api/v1/tokens", {"name": "ci"}, sess)
        self.assertEqual(r.status, 201, r)
        secret, tid = r.json["token"], r.json["id"]
        self.assertTrue(secret.startswith("fnt_"))
        self.assertGreater(len(secret), 40)
        self.assertEqual(r.header("Location"), "/api/v1/tokens/%d" % tid)
        me = self.s.get("/api/v1/me", secret)
        self.assertEqual((me.status, me.json["id"]), (200, self.users["dan"]))
        self.assertEqual(self.s.post("/api/v1/leads", {"last_name": "By token"}, secret).status,
                         201)
        lst = self.s.get("/api/v1/tokens", sess)
        self.assertEqual(lst.status, 200)
        self.assertNotIn(secret, lst.raw)
        self.assertNotIn(secret[4:], lst.raw)
        row = [t for t in lst.json["data"] if t["id"] == tid][0]
        self.assertEqual(row["name"], "ci")
        self.assertNotIn("token", row)
        self.assertTrue(secret.startswith(row["prefix"]))
        self.assertLess(len(row["prefix"]), 16)
        self.assertTrue(row["last_used_at"])
        self.assertIsNone(row["revoked_at"])
        # the secret is not shown again anywhere
        self.assertNotIn(secret, self.s.get("/api/v1/me", sess).raw)
        # other users neither see nor revoke it
        ann = self.login("ann").json["token"]
        self.assertNotIn(tid, [t["id"] for t in self.s.get("/api/v1/tokens", ann).json["data"]])
        self.assertProblem(self.s.delete("/api/v1/tokens/%d" % tid, ann), 404)
        self.assertEqual(self.s.get("/api/v1/me", secret).status, 200)
        # revoke
        self.assertEqual(self.s.delete("/api/v1/tokens/%d" % tid, sess).status, 204)
        r = self.s.get("/api/v1/me", secret)
        self.assertProblem(r, 401)
        self.assertTrue(r.header("WWW-Authenticate"))
        self.assertProblem(self.s.post("/api/v1/leads", {"last_name": "x"}, secret), 401)
        row = [t for t in self.s.get("/api/v1/tokens", sess).json["data"] if t["id"] == tid][0]
        self.assertTrue(row["revoked_at"])
        self.assertProblem(self.s.delete("/api/v1/tokens/999999", sess), 404)

    def make_victim(self, name):
        u = self.s.create("users", {"email": name + "@test.funnel", "name": name, "role": "rep",
                                    "password": PW}, self.admin)
        sess = self.login(name).json["token"]
        tok = self.s.post("/api/v1/tokens", {"name": "t"}, sess).json["token"]
        self.assertEqual(self.s.get("/api/v1/me", sess).status, 200)
        self.assertEqual(self.s.get("/api/v1/me", tok).status, 200)
        return u["id"], sess, tok

    def test_disable_by_admin_kills_sessions_and_tokens(self):
        uid, sess, tok = self.make_victim("eve")
        r = self.s.patch("/api/v1/users/%d" % uid, {"active": False}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json["active"], False)
        self.assertProblem(self.s.get("/api/v1/me", sess), 401)
        self.assertProblem(self.s.get("/api/v1/me", tok), 401)
        self.assertProblem(self.s.post("/api/v1/leads", {"last_name": "x"}, tok), 401)
        r = self.s.post("/api/v1/auth/login", {"email": "eve@test.funnel", "password": PW})
        self.assertProblem(r, 401)
        self.assertNotIn("disabled", r.raw)  # the same answer as a wrong password
        # enabling again lets them log in; the old secrets stay dead
        r = self.s.patch("/api/v1/users/%d" % uid, {"active": True}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.s.get("/api/v1/me", self.login("eve").json["token"]).status, 200)
        self.assertProblem(self.s.get("/api/v1/me", sess), 401)
        self.assertProblem(self.s.get("/api/v1/me", tok), 401)

    def test_disable_from_the_command_line(self):
        uid, sess, tok = self.make_victim("fay")
        p = run(["user", "disable", "--db", self.s.db, "--email", "fay@test.funnel"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertProblem(self.s.get("/api/v1/me", sess), 401)
        self.assertProblem(self.s.get("/api/v1/me", tok), 401)
        self.assertIs(self.s.get("/api/v1/users/%d" % uid, self.admin).json["active"], False)
        r = self.s.post("/api/v1/auth/login", {"email": "fay@test.funnel", "password": PW})
        self.assertProblem(r, 401)
        p = run(["user", "disable", "--db", self.s.db, "--email", "nobody@test.funnel"])
        self.assertNotEqual(p.returncode, 0)

    def test_new_password_ends_old_sessions(self):
        uid, sess, tok = self.make_victim("gus")
        r = self.s.patch("/api/v1/users/%d" % uid, {"password": "a brand new one"}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertProblem(self.s.get("/api/v1/me", sess), 401)
        self.assertProblem(self.s.get("/api/v1/me", tok), 401)
        self.assertProblem(self.s.post("/api/v1/auth/login", {"email": "gus@test.funnel",
                                                              "password": PW}), 401)
        r = self.s.post("/api/v1/auth/login", {"email": "gus@test.funnel",
                                               "password": "a brand new one"})
        self.assertEqual(r.status, 200, r)

    def test_cannot_disable_or_demote_oneself(self):
        r = self.s.patch("/api/v1/users/1", {"active": False}, self.admin)
        self.assertProblem(r, 400, "active")
        r = self.s.patch("/api/v1/users/1", {"role": "rep"}, self.admin)
        self.assertProblem(r, 400, "role")
        me = self.s.get("/api/v1/me", self.admin)
        self.assertEqual((me.status, me.json["active"], me.json["role"]), (200, True, "admin"))
        self.assertEqual(me.json["version"], 1)
        # a rep cannot disable anyone, themselves included
        ann = self.login("ann").json["token"]
        self.assertProblem(self.s.patch("/api/v1/users/%d" % self.users["ann"],
                                        {"active": False}, ann), 403)
        self.assertProblem(self.s.patch("/api/v1/users/%d" % self.users["bob"],
                                        {"active": False}, ann), 403)
        self.assertEqual(self.s.get("/api/v1/me", ann).status, 200)


if __name__ == "__main__":
    unittest.main()
