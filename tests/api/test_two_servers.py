"""Two `funnel serve` on one PostgreSQL database (FUNNEL_DB=pg; skipped on
SQLite, where one file has one server): what a client does through one is
there through the other — sessions, logouts, login throttling, records —
because all of it lives in the database (docs/deployment.md)."""
import unittest

import harness
from harness import PASSWORD, Server

PW = "another long passphrase"


@unittest.skipUnless(harness.PG, "two servers share a PostgreSQL database (FUNNEL_DB=pg)")
class TwoServers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = Server()
        # the same directory: the same database (its URI is kept there) and
        # the same attachments folder, no second init
        cls.b = Server(tmp=cls.a.tmp)

    @classmethod
    def tearDownClass(cls):
        cls.b.stop()
        cls.a.close()

    def test_a_session_made_on_one_works_on_the_other_and_ends_on_both(self):
        r = self.a.post("/api/v1/auth/login", {"email": harness.ADMIN_EMAIL,
                                               "password": PASSWORD})
        self.assertEqual(r.status, 200, r)
        token = r.json["token"]
        self.assertEqual(self.b.get("/api/v1/me", token).status, 200)
        self.assertEqual(self.a.get("/api/v1/me", token).status, 200)
        r = self.b.post("/api/v1/auth/logout", {}, token)
        self.assertIn(r.status, (200, 204), r)
        # server a had the session in its cache: the generation tells it
        self.assertEqual(self.a.get("/api/v1/me", token).status, 401)
        self.assertEqual(self.b.get("/api/v1/me", token).status, 401)

    def test_a_write_through_one_is_read_through_the_other_at_once(self):
        admin = self.a.login()
        acc = self.a.create("accounts", {"name": "Shared Ltd"}, admin)
        r = self.b.get("/api/v1/accounts/%d" % acc["id"], self.b.login())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["name"], "Shared Ltd")
        # and an edit through b carries on the version a gave
        r = self.b.patch("/api/v1/accounts/%d" % acc["id"], {"industry": "Retail"},
                         self.b.login(), headers={"If-Match": r.header("ETag")})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.a.get("/api/v1/accounts/%d" % acc["id"],
                                    admin).json["industry"], "Retail")

    def test_login_throttling_counts_attempts_on_both(self):
        admin = self.a.login()
        self.a.create("users", {"email": "victim2@test.funnel", "name": "Victim", "role": "rep",
                                "password": PW}, admin)
        for i in range(5):
            server = self.a if i % 2 == 0 else self.b
            r = server.post("/api/v1/auth/login", {"email": "victim2@test.funnel",
                                                   "password": "guess %d" % i})
            self.assertEqual(r.status, 401, r)
        # three failures on a, two on b: five, the lock, on either server
        for server in (self.a, self.b):
            r = server.post("/api/v1/auth/login", {"email": "victim2@test.funnel",
                                                   "password": PW})
            self.assertEqual(r.status, 429, r)


if __name__ == "__main__":
    unittest.main()
