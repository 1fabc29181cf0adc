"""docs/funnel.1 renders without warnings and documents every command the
binary lists in `funnel --help`."""
import os
import re
import shutil
import subprocess
import unittest

from harness import ROOT, run

PAGE = os.path.join(ROOT, "docs", "funnel.1")


def commands():
    """The command names of `funnel --help` (the lines under 'commands:')."""
    p = run(["--help"], check=True)
    text = p.stdout.split("commands:", 1)[1]
    names = []
    for line in text.splitlines():
        m = re.match(r"^  (\w+)\s+\S", line)
        if m:
            names.append(m.group(1))
        elif names and not line.strip():
            break
    return names


@unittest.skipUnless(shutil.which("groff"), "groff is not installed")
class ManPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", PAGE], capture_output=True,
                           text=True, timeout=60, env=dict(os.environ, LC_ALL="C.UTF-8"))
        cls.rc, cls.warnings = p.returncode, p.stderr
        # plain text: no overstrike (bold/underline) nor escapes
        cls.text = re.sub(r".\x08", "", p.stdout)
        cls.text = re.sub(r"\x1b\[[0-9;]*m", "", cls.text)
        # words groff hyphenated across lines (it marks them with U+2010)
        cls.text = re.sub("\u2010\n *", "", cls.text)

    def section(self, name):
        m = re.search(r"^%s\n(.*?)(?=^[A-Z][A-Z ]+\n|\Z)" % name, self.text, re.S | re.M)
        self.assertIsNotNone(m, "no section " + name)
        return m.group(1)

    def test_renders_without_warnings(self):
        self.assertEqual(self.rc, 0)
        self.assertEqual(self.warnings, "")

    def test_sections(self):
        for s in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "ENVIRONMENT", "FILES",
                  "EXIT STATUS", "SIGNALS", "EXAMPLES", "SEE ALSO"):
            self.section(s)

    def test_every_command_is_documented(self):
        names = commands()
        self.assertGreaterEqual(len(names), 8, names)
        synopsis, cmds = self.section("SYNOPSIS"), self.section("COMMANDS")
        for name in names:
            self.assertRegex(synopsis, r"funnel %s\b" % name, name)
            # an entry of its own, at the start of a line in COMMANDS
            self.assertRegex(cmds, r"(?m)^ {7}%s\b" % name, name)

    def test_exit_codes_and_environment(self):
        codes = self.section("EXIT STATUS")
        for code in ("0", "1", "2", "3"):
            self.assertRegex(codes, r"(?m)^ {7}%s\s" % code)
        self.assertIn("FUNNEL_NOW", self.section("ENVIRONMENT"))
        for sig in ("SIGTERM", "SIGINT"):
            self.assertIn(sig, self.section("SIGNALS"))

    def test_demo_logins_match_the_binary(self):
        p = run(["demo", "--help"])
        self.assertEqual(p.returncode, 0, p.stderr)
        for login in re.findall(r"[\w.]+@[\w.]+\w", p.stdout):
            self.assertIn(login, self.text, "demo login missing from the man page")
        self.assertIn("demo-password", self.text)


if __name__ == "__main__":
    unittest.main()
