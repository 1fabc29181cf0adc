"""GET /api/v1/openapi.json describes exactly the API the server answers.

The document is generated from the routing table and the record declarations;
these tests hold it to what the running server does: every route and no other
is described, each record schema has the members a real record has, `required`
is what a create without them reports, every documented query parameter is
accepted.  When Redocly's CLI is already installed (never fetched here), the
document must also pass its lint.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse

from harness import ROOT, ServerTest

METHODS = ("get", "post", "put", "patch", "delete")

# A minimal valid body for each record type (ids filled in by setUpClass).
CREATE = {
    "teams": lambda ids: {"name": "Docs team"},
    "users": lambda ids: {"email": "doc@test.funnel", "name": "Doc", "role": "rep",
                          "password": "correct horse battery"},
    "accounts": lambda ids: {"name": "Acme"},
    "contacts": lambda ids: {"account_id": ids["accounts"], "last_name": "Smith"},
    "leads": lambda ids: {"last_name": "Jones"},
    "opportunities": lambda ids: {"name": "Rockets", "account_id": ids["accounts"],
                                  "close_date": "2026-12-31", "amount": "1234.50"},
    "activities": lambda ids: {"type": "call", "subject": "Intro",
                               "related_type": "account", "related_id": ids["accounts"]},
    "lost_reasons": lambda ids: {"name": "Went with a competitor"},
    "templates": lambda ids: {"kind": "other", "name": "Doc", "body": "Hi {{account.name}}"},
    "forms": lambda ids: {"slug": "docs-form", "name": "Docs", "fields": [
        {"name": "last_name", "label": "Name", "type": "text", "required": True,
         "maps_to": "last_name"}]},
    "saved_filters": lambda ids: {"name": "Open deals", "resource": "opportunities",
                                  "query": "status=open&sort=-amount"},
    "scoring/rules": lambda ids: {"field": "industry", "operator": "equals",
                                  "value": "Software", "points": 10},
    "questionnaires": lambda ids: {"name": "Docs poll", "questions": [
        {"key": "k", "text": "Which?", "kind": "single", "options": ["a", "b"]}]},
    "webhooks": lambda ids: {"url": "http://127.0.0.1:9/docs", "events": ["lead.created"]},
    "lobbies": lambda ids: {"name": "Docs lobby", "industries": ["Software"]},
    "meetings": lambda ids: {"opportunity_id": ids["opportunities"], "kind": "webinar",
                             "title": "Docs webinar", "starts_at": "2027-01-15T09:00:00Z",
                             "duration_minutes": 30, "timezone": "UTC"},
}
# dependencies first; any record type not named here is created after these
ORDER = ["teams", "users", "accounts", "contacts", "leads", "opportunities", "activities",
         "lobbies"]


def resolve(doc, node):
    """Follow $ref (local JSON pointers) until a real node."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def json_type_ok(value, types):
    if isinstance(types, str):
        types = [types]
    for t in types:
        if t == "null" and value is None:
            return True
        if t == "boolean" and isinstance(value, bool):
            return True
        if t == "integer" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if t == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        if t == "string" and isinstance(value, str):
            return True
        if t == "array" and isinstance(value, list):
            return True
        if t == "object" and isinstance(value, dict):
            return True
    return False


def conform(doc, value, schema, where="$"):
    """The problems of an answer against a schema (the parts of JSON Schema the
    document uses); an answer has every property (write-only ones aside) and
    no other."""
    schema = resolve(doc, schema)
    out = []
    if "type" in schema and not json_type_ok(value, schema["type"]):
        return ["%s: %r is not %s" % (where, value, schema["type"])]
    if "enum" in schema and value not in schema["enum"]:
        out.append("%s: %r not in %s" % (where, value, schema["enum"]))
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append("%s: %r does not match %s" % (where, value, schema["pattern"]))
        if len(value) > schema.get("maxLength", len(value)):
            out.append("%s: longer than %d" % (where, schema["maxLength"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            out.append("%s: %r out of bounds" % (where, value))
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            out += conform(doc, v, schema["items"], "%s[%d]" % (where, i))
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        shown = {k for k, v in props.items() if not v.get("writeOnly")}
        for k in set(schema.get("required", [])) - set(value):
            out.append("%s: %s missing" % (where, k))
        for k in set(value) - set(props):
            out.append("%s: %s not in the schema" % (where, k))
        for k, v in value.items():
            if k in props:
                out += conform(doc, v, props[k], where + "." + k)
    return out


def sample(schema):
    """A query-string value a server should accept for this parameter schema."""
    if schema.get("type") == "array":
        return sample(schema["items"])
    if "enum" in schema:
        return [v for v in schema["enum"] if v is not None][0]
    if schema.get("pattern") == "^[A-Z]{3}$":
        return "EUR"
    t = schema.get("type")
    if isinstance(t, list):
        t = [x for x in t if x != "null"][0]
    fmt = schema.get("format")
    if t == "integer":
        return str(max(1, schema.get("minimum", 1)))
    if t == "number":
        return "1.5"
    if t == "boolean":
        return "true"
    if fmt == "date":
        return "2026-01-01"
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    if fmt == "email":
        return "ann@example.com"
    if "date" in schema.get("description", "").lower():
        return "2026-01-01"
    return "x"


class OpenAPI(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.resp = cls.s.get("/api/v1/openapi.json")
        cls.doc = cls.resp.json
        cls.admin = cls.s.login()
        cls.records = {}
        ids = {}
        # the record types: the collections with a history per record
        paths = cls.doc["paths"]
        cls.kinds = [p[len("/api/v1/"):] for p in paths
                     if "{" not in p and p + "/{id}/history" in paths]
        cls.kinds.sort(key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER))
        for name in cls.kinds:
            rec = cls.s.create(name, CREATE[name](ids), cls.admin)
            ids[name] = rec["id"]
            cls.records[name] = rec

    def schema(self, name):
        return self.doc["components"]["schemas"][name]

    def record_schema_name(self, resource, suffix=""):
        op = self.doc["paths"]["/api/v1/" + resource]["post"]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        base = ref.rsplit("/", 1)[1][: -len("Create")]
        return base + suffix

    def ops(self):
        for path, item in self.doc["paths"].items():
            for m in METHODS:
                if m in item:
                    yield path, m, item[m]

    @staticmethod
    def concrete(path):
        return (path.replace("{period}", "2026-Q4").replace("{id}", "1")
                .replace("{slug}", "docs-form"))

    # --- the document itself ----------------------------------------------

    def test_served_without_auth_as_openapi_31(self):
        self.assertEqual(self.resp.status, 200, self.resp)
        self.assertTrue(self.resp.header("Content-Type").startswith("application/json"))
        self.assertTrue(self.doc["openapi"].startswith("3.1"))
        self.assertTrue(self.doc["info"]["title"])
        self.assertTrue(self.doc["info"]["version"])
        # the same bytes every time (built once)
        self.assertEqual(self.s.get("/api/v1/openapi.json").raw, self.resp.raw)

    def test_security_schemes(self):
        sec = self.doc["components"]["securitySchemes"]
        self.assertEqual(sec["bearer"], {**sec["bearer"], "type": "http", "scheme": "bearer"})
        self.assertEqual(sec["cookie"]["type"], "apiKey")
        self.assertEqual(sec["cookie"]["in"], "cookie")
        self.assertEqual(sec["cookie"]["name"], "funnel_session")
        self.assertIn("X-CSRF-Token", sec["cookie"]["description"])
        self.assertEqual(self.doc["security"], [{"bearer": []}, {"cookie": []}])

    def test_every_ref_resolves(self):
        def walk(node):
            if isinstance(node, dict):
                if "$ref" in node:
                    resolve(self.doc, node)  # KeyError if dangling
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
        walk(self.doc)

    def test_every_operation_is_described(self):
        seen = set()
        for path, m, op in self.ops():
            where = "%s %s" % (m.upper(), path)
            self.assertNotIn("x-funnel-undocumented", op, where)
            self.assertTrue(op.get("summary"), where)
            self.assertNotIn(op["operationId"], seen, where)
            seen.add(op["operationId"])
            codes = set(op["responses"])
            self.assertTrue(any(c.startswith("2") for c in codes), where)
            if op.get("security") != []:
                self.assertIn("401", codes, where)
            if "{" in path:
                self.assertIn("404", codes, where)
            if "requestBody" in op:
                self.assertTrue({"400", "413", "415"} <= codes, where)
            for params in (op.get("parameters", []), self.doc["paths"][path].get("parameters", [])):
                for p in params:
                    p = resolve(self.doc, p)
                    if p["in"] == "path":
                        self.assertIn("{%s}" % p["name"], path, where)
            for c, r in op["responses"].items():
                r = resolve(self.doc, r)
                if c >= "400":
                    ct = list(r["content"])[0]
                    body = resolve(self.doc, r["content"][ct]["schema"])
                    if c != "503":
                        self.assertEqual(ct, "application/problem+json", where)
                        self.assertEqual(body, self.schema("Problem"))

    def test_every_tag_is_declared_once(self):
        declared = [t["name"] for t in self.doc["tags"]]
        self.assertEqual(len(declared), len(set(declared)), declared)
        for t in self.doc["tags"]:
            self.assertTrue(t.get("description"), t["name"])
        for path, m, op in self.ops():
            for tag in op.get("tags", []):
                self.assertIn(tag, declared, "%s %s" % (m.upper(), path))

    def test_problem_schema_matches_an_error(self):
        r = self.s.post("/api/v1/accounts", {}, self.admin)
        self.assertProblem(r, 400, "name")
        problem = self.schema("Problem")
        self.assertTrue(set(problem["required"]) <= set(r.json))
        self.assertEqual(set(r.json), set(problem["properties"]))
        item = self.schema("ProblemError")
        self.assertEqual(set(r.json["errors"][0]), set(item["properties"]))

    # --- the paths are the routing table ----------------------------------

    def test_paths_are_the_routing_table(self):
        """Every route in src/http/routes.c, and nothing else."""
        src = open(os.path.join(ROOT, "src/http/routes.c")).read()
        macro = re.search(r"#define RECORD_ROUTES\(res, base\)(.*?)\n\n", src, re.S).group(1)
        suffixes = re.findall(r'\{M_(\w+), "/api/v1/" base(?: "([^"]*)")?', macro)
        self.assertEqual(len(suffixes), 7)  # list, create, get, update, delete, history, .csv
        table = src[src.index("const struct route routes[]"):]
        table = table[:table.index("};")]
        want = set()
        for m, path in re.findall(r'\{M_(\w+), "(/[^"]*)"', table):
            want.add((m.lower(), path))
        for base in re.findall(r'RECORD_ROUTES\(\w+, "([^"]+)"\)', table):
            for m, suffix in suffixes:
                want.add((m.lower(), "/api/v1/" + base + suffix))
        got = {(m, path) for path, m, _ in self.ops()}
        self.assertEqual(got, want)

    def test_each_documented_path_is_answered(self):
        """Without credentials: 401 where the document asks for some, never 404;
        a method the document does not list is 405 with the listed ones in Allow."""
        for path, item in self.doc["paths"].items():
            url = self.concrete(path)
            listed = {m for m in METHODS if m in item}
            for m in listed:
                r = self.s.request(m.upper(), url, body={} if m in ("post", "put", "patch") else None)
                if item[m].get("security") == [] and "{token}" in path:
                    # a secret link: an unknown one is 404 by design, but it is routed
                    self.assertNotIn(r.status, (401, 405), (m, path, r))
                elif path == "/api/v1/janus/events":
                    # Janus's own basic auth, not a Funnel login (meetings live)
                    self.assertProblem(r, 401)
                elif item[m].get("security") == []:
                    self.assertNotIn(r.status, (401, 404, 405), (m, path, r))
                else:
                    self.assertProblem(r, 401)
            for m in set(METHODS) - listed:
                r = self.s.request(m.upper(), url, token=self.admin)
                self.assertEqual(r.status, 405, (m, path, r))
                allow = {a.strip().lower() for a in r.header("Allow").split(",")}
                self.assertEqual(allow, listed, path)

    # --- record schemas are what the server reads and writes ---------------

    def test_record_schemas_match_records(self):
        for name in self.kinds:
            rec = self.s.get("/api/v1/%s/%d" % (name, self.records[name]["id"]), self.admin)
            self.assertEqual(rec.status, 200, rec)
            schema = self.schema(self.record_schema_name(name))
            props = schema["properties"]
            shown = {k for k, v in props.items() if not v.get("writeOnly")}
            self.assertEqual(set(rec.json), shown, name)
            self.assertEqual(set(schema["required"]), shown, name)
            self.assertEqual(conform(self.doc, rec.json, schema), [], name)
            # the record answered on create carries the documented headers
            create = self.doc["paths"]["/api/v1/" + name]["post"]["responses"]["201"]
            self.assertIn("ETag", create["headers"])
            self.assertIn("Location", create["headers"])
            self.assertEqual(rec.header("ETag"), '"v%d"' % rec.json["version"])

    def test_list_pages_match_schema(self):
        for name in self.kinds:
            r = self.s.get("/api/v1/%s?limit=1&total=true" % name, self.admin)
            self.assertEqual(r.status, 200, r)
            page = self.schema(self.record_schema_name(name, "Page"))
            self.assertTrue(set(page["required"]) <= set(r.json), name)
            self.assertEqual(set(r.json), set(page["properties"]), name)
            self.assertEqual(conform(self.doc, r.json, page), [], name)

    def test_required_is_what_create_reports_missing(self):
        for name in self.kinds:
            r = self.s.post("/api/v1/" + name, {}, self.admin)
            self.assertProblem(r, 400)
            missing = {e["field"] for e in r.json["errors"] if e["message"] == "is required"}
            create = self.schema(self.record_schema_name(name, "Create"))
            self.assertEqual(set(create["required"]), missing, name)
            self.assertTrue(create["required"], name)

    def test_create_and_update_schemas_are_the_writable_fields(self):
        for name in self.kinds:
            full = self.schema(self.record_schema_name(name))["properties"]
            writable = {k for k, v in full.items() if not v.get("readOnly")}
            for suffix in ("Create", "Update"):
                s = self.schema(self.record_schema_name(name, suffix))
                self.assertEqual(set(s["properties"]), writable, (name, suffix))
                self.assertIs(s["additionalProperties"], False)
            # the server knows every one of them ...
            body = {k: None for k in writable}
            r = self.s.post("/api/v1/" + name, body, self.admin)
            self.assertProblem(r, 400)
            for e in r.json["errors"]:
                self.assertNotIn("is not a field", e["message"], (name, e))
            # ... and refuses the read-only ones
            ro = {k: None for k, v in full.items() if v.get("readOnly")}
            r = self.s.post("/api/v1/" + name, ro, self.admin)
            self.assertProblem(r, 400)
            self.assertEqual({e["field"] for e in r.json["errors"]
                              if "set by the server" in e["message"]}, set(ro), name)

    def test_every_list_parameter_is_accepted(self):
        for name in self.kinds:
            op = self.doc["paths"]["/api/v1/" + name]["get"]
            params = [resolve(self.doc, p) for p in op["parameters"]]
            names = {p["name"] for p in params}
            self.assertTrue({"limit", "cursor", "total", "sort"} <= names, name)
            for p in params:
                if p["name"] == "cursor":
                    continue
                values = p["schema"]["enum"] if p["name"] == "sort" else [sample(p["schema"])]
                for v in values:
                    q = urllib.parse.urlencode({p["name"]: v})
                    r = self.s.get("/api/v1/%s?%s" % (name, q), self.admin)
                    self.assertEqual(r.status, 200, (name, q, r))
            # and nothing else is
            r = self.s.get("/api/v1/%s?not_a_parameter=1" % name, self.admin)
            self.assertProblem(r, 400, "not_a_parameter")

    def test_cursor_is_what_lists_give(self):
        self.s.create("leads", {"last_name": "Second"}, self.admin)
        r = self.s.get("/api/v1/leads?limit=1", self.admin)
        self.assertTrue(r.json["next_cursor"])
        r2 = self.s.get("/api/v1/leads?limit=1&cursor=" +
                        urllib.parse.quote(r.json["next_cursor"]), self.admin)
        self.assertEqual(r2.status, 200)
        self.assertNotEqual(r2.json["data"][0]["id"], r.json["data"][0]["id"])

    # --- the other routes answer what their schemas say ----------------------

    def answer_schema(self, method, path, status):
        op = self.doc["paths"][path][method]
        r = resolve(self.doc, op["responses"][str(status)])
        return r["content"]["application/json"]["schema"]

    def assertConforms(self, r, method, path, status):
        self.assertEqual(r.status, status, r)
        schema = self.answer_schema(method, path, status)
        self.assertEqual(conform(self.doc, r.json, schema), [], (method, path))

    def test_other_answers_match_their_schemas(self):
        s, admin = self.s, self.admin
        login = {"email": "doc@test.funnel", "password": "correct horse battery"}
        self.assertConforms(s.post("/api/v1/auth/login", login), "post", "/api/v1/auth/login", 200)
        self.assertConforms(s.get("/healthz"), "get", "/healthz", 200)
        self.assertConforms(s.get("/api/v1/me", admin), "get", "/api/v1/me", 200)
        self.assertConforms(s.post("/api/v1/tokens", {"name": "ci"}, admin),
                            "post", "/api/v1/tokens", 201)
        self.assertConforms(s.get("/api/v1/tokens", admin), "get", "/api/v1/tokens", 200)
        uid = self.records["users"]["id"]
        self.assertConforms(s.request("PUT", "/api/v1/users/%d/quotas/2026-Q4" % uid,
                                      body={"amount": "50000.00"}, token=admin),
                            "put", "/api/v1/users/{id}/quotas/{period}", 200)
        self.assertConforms(s.get("/api/v1/users/%d/quotas" % uid, admin),
                            "get", "/api/v1/users/{id}/quotas", 200)
        oid = self.records["opportunities"]["id"]
        s.patch("/api/v1/opportunities/%d" % oid, {"name": "Rockets, renamed"}, admin)
        self.assertConforms(s.get("/api/v1/opportunities/%d/stages" % oid, admin),
                            "get", "/api/v1/opportunities/{id}/stages", 200)
        self.assertConforms(s.get("/api/v1/opportunities/%d/history" % oid, admin),
                            "get", "/api/v1/opportunities/{id}/history", 200)
        if "/api/v1/pipelines" in self.doc["paths"]:
            r = s.get("/api/v1/pipelines", admin)
            self.assertConforms(r, "get", "/api/v1/pipelines", 200)
            self.assertTrue(r.json["data"] and r.json["data"][0]["stages"])
        self.assertConforms(s.get("/api/v1/scoring/model", admin),
                            "get", "/api/v1/scoring/model", 200)
        self.assertConforms(s.request("PUT", "/api/v1/scoring/tiers", body={"A": 80},
                                      token=admin), "put", "/api/v1/scoring/tiers", 200)

    def test_problem_answers_match(self):
        r = self.s.post("/api/v1/auth/login", {"email": "nobody@test.funnel", "password": "x"})
        self.assertProblem(r, 401)
        self.assertEqual(conform(self.doc, r.json, self.schema("Problem")), [])
        r = self.s.get("/api/v1/accounts?limit=0", self.admin)
        self.assertProblem(r, 400, "limit")
        self.assertEqual(conform(self.doc, r.json, self.schema("Problem")), [])

    # --- a real validator, when one is installed ----------------------------

    def test_redocly_lint_if_installed(self):
        cmd = shutil.which("redocly")
        cmd = [cmd] if cmd else None
        if not cmd and shutil.which("npx"):
            try:
                p = subprocess.run(["npx", "--no-install", "@redocly/cli", "--version"],
                                   capture_output=True, text=True, timeout=60)
                if p.returncode == 0:
                    cmd = ["npx", "--no-install", "@redocly/cli"]
            except (OSError, subprocess.TimeoutExpired):
                pass
        if not cmd:
            self.skipTest("Redocly CLI is not installed")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "openapi.json")
            with open(path, "w") as f:
                f.write(self.resp.raw)
            p = subprocess.run(cmd + ["lint", "--format=stylish", path], capture_output=True,
                               text=True, timeout=300)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
