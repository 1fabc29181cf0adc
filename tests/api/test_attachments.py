"""Attachments: files streamed to disk, stored once per content, shown only to
those who see their record.

The server runs with --max-upload 65536 so the limit is cheap to cross, and
--max-body 4096 to show uploads are not held to it; the files directory is
the default one beside the database.
"""
import hashlib
import http.client
import os
import time
import unittest

from harness import ServerTest, Server, org

LIMIT = 65536
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


class Attachments(ServerTest):
    @classmethod
    def setUpClass(cls):
        # --max-body far below: uploads are held to --max-upload, not to it
        cls.s = Server(args=["--max-upload", str(LIMIT), "--max-body", "4096"])
        cls.files = cls.s.files
        cls.o = org(cls.s)
        admin = cls.s.login()
        cls.account = cls.s.create("accounts", {"name": "Acme",
                                                "owner_id": cls.o["rep_e1"]["id"]}, admin)
        cls.deal = cls.s.create("opportunities", {
            "name": "Rockets", "account_id": cls.account["id"], "close_date": "2026-12-31",
            "amount": "1000", "owner_id": cls.o["rep_e1"]["id"]}, admin)

    # --- helpers -------------------------------------------------------------
    def raw(self, method, path, token=None, body=None, headers=None, chunked=False):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        c = http.client.HTTPConnection(self.s.host, self.s.port, timeout=60)
        try:
            if chunked:
                c.request(method, path, body=iter([body[i:i + 8192]
                                                   for i in range(0, len(body), 8192)]),
                          headers=h, encode_chunked=True)
            else:
                c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            c.close()

    def upload(self, data, ctype="image/png", filename="pic.png", token=None, related=None,
               kind=None, chunked=False):
        rt, rid = related or ("opportunity", self.deal["id"])
        q = "related_type=%s&related_id=%s&filename=%s" % (
            rt, rid, urlquote(filename))
        if kind:
            q += "&kind=" + urlquote(kind)
        return self.s.request("POST", "/api/v1/attachments?" + q, raw=data, content_type=ctype,
                              token=token or self.o["rep_e1"]["token"]) if not chunked else \
            self.raw("POST", "/api/v1/attachments?" + q, token or self.o["rep_e1"]["token"],
                     data, {"Content-Type": ctype}, chunked=True)

    def blobs(self):
        out = []
        for root, _, names in os.walk(self.files):
            if os.path.basename(root) != "tmp":
                out += names
        return out

    def temps(self):
        """The temporary files left, once the server has finished with the
        requests answered (it removes them just after answering)."""
        for _ in range(40):
            left = os.listdir(os.path.join(self.files, "tmp"))
            if not left:
                break
            time.sleep(0.05)
        return left

    # --- tests ---------------------------------------------------------------
    def test_round_trip_bytes_identical(self):
        r = self.upload(PNG, kind="logo")
        self.assertEqual(r.status, 201, r)
        a = r.json
        self.assertEqual(a["size"], len(PNG))
        self.assertEqual(a["sha256"], hashlib.sha256(PNG).hexdigest())
        self.assertEqual((a["filename"], a["content_type"], a["kind"]),
                         ("pic.png", "image/png", "logo"))
        self.assertEqual(r.header("Location"), "/api/v1/attachments/%d" % a["id"])
        status, h, body = self.raw("GET", a["url"], self.o["rep_e1"]["token"])
        self.assertEqual(status, 200)
        self.assertEqual(body, PNG)
        self.assertEqual(h["content-type"], "image/png")
        self.assertEqual(h["content-disposition"], 'attachment; filename="pic.png"')
        self.assertEqual(h["x-content-type-options"], "nosniff")
        meta = self.s.get("/api/v1/attachments/%d" % a["id"], self.o["rep_e1"]["token"])
        self.assertEqual(meta.json, a)
        lst = self.s.get("/api/v1/attachments?related_type=opportunity&related_id=%d"
                         % self.deal["id"], self.o["rep_e1"]["token"])
        self.assertIn(a["id"], [x["id"] for x in lst.json["data"]])
        self.assertEqual(self.temps(), [])

    def test_html_and_svg_never_run_in_the_apps_origin(self):
        """HTML and SVG are not types a file may have; their bytes under an
        allowed type are served as that type, as a download, unsniffed, in a
        sandbox that runs no script and loads nothing."""
        html = b"<!doctype html><script>parent.pwned=1</script><img src=x onerror=alert(1)>"
        svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)' \
              b'</script></svg>'
        before = self.blobs()
        for data, ctype, name in ((html, "text/html", "x.html"),
                                  (html, "application/xhtml+xml", "x.xhtml"),
                                  (svg, "image/svg+xml", "x.svg"),
                                  (html, "text/html; charset=utf-8", "x.htm")):
            with self.subTest(ctype=ctype):
                self.assertProblem(self.upload(data, ctype, name), 415)
        # an SVG claiming to be a picture is not one
        self.assertProblem(self.upload(svg, "image/png", "x.png"), 400)
        self.assertEqual(self.blobs(), before)
        for data, ctype, name in ((html, "text/plain", "page.html"),
                                  (svg, "text/plain", "pic.svg"),
                                  (html, "application/json", "x.json")):
            with self.subTest(served=name):
                r = self.upload(data, ctype, name)
                self.assertEqual(r.status, 201, r)
                status, h, body = self.raw("GET", r.json["url"], self.o["rep_e1"]["token"])
                self.assertEqual((status, body), (200, data))
                self.assertEqual(h["content-type"], ctype)
                self.assertEqual(h["content-disposition"], 'attachment; filename="%s"' % name)
                self.assertEqual(h["x-content-type-options"], "nosniff")
                csp = [d.strip() for d in h["content-security-policy"].split(";")]
                self.assertIn("sandbox", csp)
                self.assertIn("default-src 'none'", csp)
                self.assertIn("frame-ancestors 'none'", csp)

    def test_streamed_chunked_upload(self):
        data = b"%PDF-1.4\n" + os.urandom(40000)
        status, _, body = self.upload(data, "application/pdf", "c.pdf", chunked=True)
        self.assertEqual(status, 201, body)
        import json
        a = json.loads(body)
        self.assertEqual(a["sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual(self.raw("GET", a["url"], self.o["rep_e1"]["token"])[2], data)

    def test_same_content_stored_once(self):
        data = b"GIF89a" + os.urandom(3000)
        sha = hashlib.sha256(data).hexdigest()
        a = self.upload(data, "image/gif", "one.gif").json
        b = self.upload(data, "image/gif", "two.gif", token=self.s.login()).json
        self.assertNotEqual(a["id"], b["id"])
        self.assertEqual(a["sha256"], b["sha256"])
        self.assertEqual(self.blobs().count(sha), 1)
        path = os.path.join(self.files, sha[:2], sha[2:4], sha)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), data)
        # the blob stays while a row uses it
        r = self.s.delete("/api/v1/attachments/%d" % a["id"], self.o["rep_e1"]["token"])
        self.assertEqual(r.status, 204, r)
        self.assertTrue(os.path.exists(path))
        self.assertProblem(self.s.get("/api/v1/attachments/%d" % a["id"], self.s.login()), 404)
        # b was uploaded by the admin: the rep may not delete it; the admin may
        self.assertProblem(self.s.delete("/api/v1/attachments/%d" % b["id"],
                                         self.o["rep_e1"]["token"]), 403)
        self.assertEqual(self.s.delete("/api/v1/attachments/%d" % b["id"],
                                       self.s.login()).status, 204)
        self.assertFalse(os.path.exists(path))

    def test_size_limit_is_413(self):
        big = b"x" * (LIMIT + 1)
        self.assertProblem(self.upload(big, "text/plain", "big.txt"), 413)
        status, _, _ = self.upload(big, "text/plain", "big.txt", chunked=True)
        self.assertEqual(status, 413)
        self.assertEqual(self.temps(), [])
        # exactly the limit is fine, sixteen times --max-body as it is
        self.assertEqual(self.upload(b"y" * LIMIT, "text/plain", "ok.txt").status, 201)

    def test_types(self):
        r = self.upload(b"hello, not a pdf", "application/pdf", "fake.pdf")
        self.assertProblem(r, 400, "Content-Type")
        self.assertProblem(self.upload(b"MZ\x90\x00", "application/x-msdownload", "x.exe"), 415)
        self.assertProblem(self.upload(PNG, "image/jpeg", "x.jpg"), 400, "Content-Type")
        # the bytes decide nothing for text; a charset parameter is fine
        r = self.upload(b"a,b\n1,2\n", "text/csv; charset=utf-8", "t.csv")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["content_type"], "text/csv")
        r = self.upload(b"PK\x03\x04" + b"\0" * 100, "application/vnd.openxmlformats-"
                        "officedocument.wordprocessingml.document", "d.docx")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.temps(), [])

    def test_path_traversal_in_filename_is_neutralised(self):
        before = set(os.listdir(os.path.dirname(self.files)))
        for given, kept in [("../../../../tmp/evil.png", "evil.png"),
                            ("..\\..\\boot.png", "boot.png"),
                            ("/etc/passwd", "passwd"),
                            ("..", "file"),
                            ("a\x01b.png", "a_b.png"),
                            ("é" * 300 + ".png", "é" * 200)]:
            r = self.upload(PNG, filename=given)
            self.assertEqual(r.status, 201, r)
            self.assertEqual(r.json["filename"], kept)
        self.assertEqual(set(os.listdir(os.path.dirname(self.files))), before)
        self.assertFalse(os.path.exists("/tmp/evil.png"))
        self.assertProblem(self.upload(PNG, filename=""), 400, "filename")

    def test_bad_links(self):
        self.assertProblem(self.upload(PNG, related=("invoice", 1)), 400, "related_type")
        self.assertProblem(self.upload(PNG, related=("opportunity", "x")), 400, "related_id")
        self.assertProblem(self.upload(PNG, related=("opportunity", 99999)), 404)
        self.assertProblem(self.upload(b"", "text/plain", "e.txt"), 400, "body")
        self.assertProblem(self.upload(PNG, kind="Bad Kind"), 400, "kind")

    def test_visibility_follows_the_record(self):
        a = self.upload(PNG, filename="secret.png").json
        other, mgr = self.o["rep_w"]["token"], self.o["mgr_east"]["token"]
        self.assertProblem(self.s.get("/api/v1/attachments/%d" % a["id"], other), 404)
        self.assertEqual(self.raw("GET", a["url"], other)[0], 404)
        self.assertProblem(self.s.get("/api/v1/attachments?related_type=opportunity&"
                                      "related_id=%d" % self.deal["id"], other), 404)
        self.assertProblem(self.s.delete("/api/v1/attachments/%d" % a["id"], other), 404)
        self.assertProblem(self.upload(PNG, token=other), 404)
        # the manager above the owner sees it; so does the account's file list
        self.assertEqual(self.raw("GET", a["url"], mgr)[2], PNG)
        acc = self.upload(PNG, related=("account", self.account["id"])).json
        self.assertEqual(self.s.get("/api/v1/attachments/%d" % acc["id"], mgr).status, 200)
        self.assertProblem(self.s.get("/api/v1/attachments/%d" % acc["id"], other), 404)

    def test_uploads_need_credentials_and_write_nothing_without(self):
        status, _, _ = self.raw("POST", "/api/v1/attachments?related_type=opportunity&"
                                "related_id=%d&filename=a.png" % self.deal["id"], None, PNG,
                                {"Content-Type": "image/png"})
        self.assertEqual(status, 401)
        self.assertEqual(self.temps(), [])
        self.assertNotIn(hashlib.sha256(PNG + b"!").hexdigest(), self.blobs())


def urlquote(s):
    import urllib.parse
    return urllib.parse.quote(s, safe="")


if __name__ == "__main__":
    unittest.main()
