"""The credential cache (src/crm/records/auth.c, 018_auth_generation.sql).

Each worker thread answers a credential it resolved before from memory while
nothing that could change the answer has happened.  These tests warm every
thread's cache (many requests, each on a connection of its own, spread over
the thread pool), make the change, and insist the very next requests, on every
thread, see it: a revoked token, a logout, a disabled user, a user moved to
another team, and a change written to the database by another process.
"""
import unittest

from harness import PASSWORD, ServerTest, connect, org

SPREAD = 24  # connections: several per worker thread (4 by default)


class AuthCache(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.o = org(cls.s)
        cls.admin = cls.o["admin"]["token"]

    def statuses(self, path, token):
        return {self.s.get(path, token).status for _ in range(SPREAD)}

    def new_user(self, name, role="rep", team="east1"):
        email = name + "@test.funnel"
        u = self.s.create("users", {"email": email, "name": name, "role": role,
                                    "team_id": self.o["teams"][team],
                                    "password": PASSWORD}, self.admin)
        return u["id"], self.s.login(email)

    def test_a_revoked_token_stops_at_once_on_every_thread(self):
        r = self.s.post("/api/v1/tokens", {"name": "cached"}, self.admin)
        tok, tid = r.json["token"], r.json["id"]
        self.assertEqual(self.statuses("/api/v1/me", tok), {200})
        self.assertEqual(self.s.delete("/api/v1/tokens/%d" % tid, self.admin).status, 204)
        self.assertEqual(self.statuses("/api/v1/me", tok), {401})

    def test_logout_ends_the_session_at_once(self):
        _, tok = self.new_user("leaving")
        self.assertEqual(self.statuses("/api/v1/me", tok), {200})
        self.assertEqual(self.s.post("/api/v1/auth/logout", None, tok).status, 204)
        self.assertEqual(self.statuses("/api/v1/me", tok), {401})

    def test_a_disabled_user_stops_at_once(self):
        uid, tok = self.new_user("disabled")
        self.assertEqual(self.statuses("/api/v1/me", tok), {200})
        r = self.s.patch("/api/v1/users/%d" % uid, {"active": False}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.statuses("/api/v1/me", tok), {401})

    def test_a_move_to_another_team_changes_what_managers_see_at_once(self):
        uid, tok = self.new_user("mover")
        acc = self.s.create("accounts", {"name": "Mover's"}, tok)["id"]
        path = "/api/v1/accounts/%d" % acc
        east, west = self.o["mgr_east"]["token"], self.o["mgr_west"]["token"]
        self.assertEqual(self.statuses(path, east), {200})
        self.assertEqual(self.statuses(path, west), {404})
        r = self.s.patch("/api/v1/users/%d" % uid, {"team_id": self.o["teams"]["west"]},
                         self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.statuses(path, east), {404})
        self.assertEqual(self.statuses(path, west), {200})

    def test_a_promotion_takes_effect_at_once(self):
        uid, tok = self.new_user("promoted")
        self.assertEqual(self.statuses("/api/v1/scoring/model", tok), {403})
        r = self.s.patch("/api/v1/users/%d" % uid, {"role": "manager"}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.statuses("/api/v1/scoring/model", tok), {200})

    def test_a_change_by_another_process_is_seen_at_once(self):
        uid, tok = self.new_user("outside")
        self.assertEqual(self.statuses("/api/v1/me", tok), {200})
        db = connect(self.s.db)
        try:
            with db:
                db.execute("UPDATE users SET active = 0 WHERE id = ?", (uid,))
        finally:
            db.close()
        self.assertEqual(self.statuses("/api/v1/me", tok), {401})

    def test_requests_that_change_nothing_keep_the_generation(self):
        """Reads, and a token's last-use stamp, do not empty the caches."""
        db = connect(self.s.db, readonly=True)
        try:
            gen = db.execute("SELECT n FROM auth_generation").fetchone()[0]
            r = self.s.post("/api/v1/tokens", {"name": "reader"}, self.admin)
            tok = r.json["token"]
            self.statuses("/api/v1/accounts", tok)
            self.assertEqual(db.execute("SELECT n FROM auth_generation").fetchone()[0], gen)
        finally:
            db.close()


if __name__ == "__main__":
    unittest.main()
