"""The server starts, answers health and metrics, and stops cleanly."""
import unittest

from harness import ServerTest


class Smoke(ServerTest):
    def test_healthz(self):
        r = self.s.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["status"], "ok")
        self.assertGreaterEqual(r.json["schema_version"], 1)

    def test_metrics_counts_requests(self):
        self.s.get("/healthz")
        r = self.s.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertIn('funnel_http_requests_total{route="GET /healthz",status="200"}', r.raw)
        self.assertIn("funnel_http_request_duration_seconds_bucket", r.raw)
        self.assertIn("funnel_db_seconds_total", r.raw)

    def test_unknown_path_is_problem(self):
        self.assertProblem(self.s.get("/api/v1/nothing-here", self.s.login()), 404)

    def test_wrong_method_is_405_with_allow(self):
        r = self.s.request("PUT", "/api/v1/accounts", body={}, token=self.s.login())
        self.assertProblem(r, 405)
        self.assertIn("GET", r.header("Allow"))


if __name__ == "__main__":
    unittest.main()
