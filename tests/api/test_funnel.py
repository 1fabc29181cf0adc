"""GET /api/v1/reports/funnel: exact figures on a fixture whose stage history
is placed at chosen dates with `funnel import stage_history`, every grouping,
scope narrowing, visibility (a rep sees their own deals, a manager their
subtree), and freshness: a write through the API and a write by another
process (`funnel import`) both show in the next report.

The fixture (window 2026-02-01 .. 2026-03-31; the server's clock is
2026-01-05T09:00:00Z, so that is when every deal was created):

  deal owner   account(industry) cur  amount   channel history (stage @ entered)           now
  D1   rep_e1  A1 (Retail)       EUR  1000.00  field   pre 01-10, qual 02-01T00:00:00,     proposal
                                                       proposal 02-11
  D2   rep_e1  A1 (Retail)       EUR  2000.50  web     pre 01-20, qual 02-05T12:00,        won
                                                       nego 03-01, conversion 03-31T23:59:59
  D3   rep_e1b A2 (Banking)      EUR   500.00  field   pre 02-10, qual 02-20, lost 03-10   lost
  D4   rep_e1b A2 (Banking)      USD   700.00  partner pre 03-15                           pre
  D5   rep_w   A3 (none)         EUR   300.00  -       pre 2025-12-01, qual 01-31T23:59:59, proposal
                                                       proposal 04-01T00:00:00
  D6   rep_w   A3 (none)         EUR   999.99  web     pre 02-15T06, qual 02-16T06,        qual
                                                       pre 02-20T06, qual 03-02T06
  D7   rep_w   A3 (none)         EUR   100.00  web     another pipeline: intro             intro

Owners: rep_e1 (East-1, North), rep_e1b (East-1, South), rep_w (West, North).
The edges are on purpose: a stay ending exactly at 02-01T00:00:00 and a deal
won at 03-31T23:59:59 are in the window; rows at 01-31T23:59:59 and
04-01T00:00:00 are not.
"""
import datetime
import json
import os
import shutil
import tempfile
import unittest
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from harness import ADMIN_EMAIL, Server, database_in, org, run
from test_openapi import conform

CREATED = "2026-01-05T09:00:00Z"
FROM, TO = "2026-02-01", "2026-03-31"
STAGES = [  # the default pipeline: key, probability, section
    ("prequalification", 10, "upper"), ("qualification", 25, "upper"),
    ("presentation", 50, "middle"), ("proposal", 60, "middle"),
    ("negotiation", 75, "lower"), ("conversion", 100, "won"),
    ("payment_collected", 100, "won"), ("lost", 0, "lost")]
OTHER = [("intro", 20, "upper"), ("signed", 100, "won"), ("gone", 0, "lost")]

DEALS = {
    "D1": dict(owner="rep_e1", account="A1", currency="EUR", amount="1000.00", channel="field",
               rows=[("prequalification", "2026-01-10T00:00:00Z"),
                     ("qualification", "2026-02-01T00:00:00Z"),
                     ("proposal", "2026-02-11T00:00:00Z")]),
    "D2": dict(owner="rep_e1", account="A1", currency="EUR", amount="2000.50", channel="web",
               rows=[("prequalification", "2026-01-20T00:00:00Z"),
                     ("qualification", "2026-02-05T12:00:00Z"),
                     ("negotiation", "2026-03-01T00:00:00Z"),
                     ("conversion", "2026-03-31T23:59:59Z")]),
    "D3": dict(owner="rep_e1b", account="A2", currency="EUR", amount="500.00", channel="field",
               rows=[("prequalification", "2026-02-10T00:00:00Z"),
                     ("qualification", "2026-02-20T00:00:00Z"),
                     ("lost", "2026-03-10T00:00:00Z")]),
    "D4": dict(owner="rep_e1b", account="A2", currency="USD", amount="700.00", channel="partner",
               rows=[("prequalification", "2026-03-15T00:00:00Z")]),
    "D5": dict(owner="rep_w", account="A3", currency="EUR", amount="300.00", channel=None,
               rows=[("prequalification", "2025-12-01T00:00:00Z"),
                     ("qualification", "2026-01-31T23:59:59Z"),
                     ("proposal", "2026-04-01T00:00:00Z")]),
    "D6": dict(owner="rep_w", account="A3", currency="EUR", amount="999.99", channel="web",
               rows=[("prequalification", "2026-02-15T06:00:00Z"),
                     ("qualification", "2026-02-16T06:00:00Z"),
                     ("prequalification", "2026-02-20T06:00:00Z"),
                     ("qualification", "2026-03-02T06:00:00Z")]),
    "D7": dict(owner="rep_w", account="A3", currency="EUR", amount="100.00", channel="web",
               rows=[("intro", "2026-02-03T00:00:00Z")], other_pipeline=True),
}
ACCOUNTS = {"A1": ("rep_e1", "Retail"), "A2": ("rep_e1b", "Banking"), "A3": ("rep_w", None)}
TERRITORY = {"rep_e1": "North", "rep_e1b": "South", "rep_w": "North"}
TEAM = {"rep_e1": "east1", "rep_e1b": "east1", "rep_w": "west"}


def secs(iso):
    return int(datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=datetime.timezone.utc).timestamp())


def half_up(fr):
    """A Fraction of minor units, rounded half up, as a Decimal of major units."""
    n = (fr.numerator * 2 + fr.denominator) // (fr.denominator * 2)
    return Decimal(n) / 100


def dec(r):
    return json.loads(r.raw, parse_float=Decimal)


class Fixture:
    """Builds the fixture on a server and computes the report the slow way."""

    def __init__(self, s):
        self.s = s
        self.o = org(s)
        admin = self.admin = s.login()
        for name, terr in TERRITORY.items():
            r = s.patch("/api/v1/users/%d" % self.o[name]["id"], {"territory": terr}, admin)
            assert r.status == 200, r
        self.accounts = {}
        for key, (owner, industry) in ACCOUNTS.items():
            self.accounts[key] = s.create("accounts", {"name": "Account " + key, "industry": industry,
                                                       "owner_id": self.o[owner]["id"]}, admin)["id"]
        stages = [{"key": k, "name": k.title(), "section": sec, "probability": p}
                  for k, p, sec in OTHER]
        r = s.post("/api/v1/pipelines", {"name": "Partner deals", "stages": stages}, admin)
        assert r.status == 201, r
        self.pipeline2 = r.json["id"]
        self.ids = {}
        lines = ["opportunity_id,stage,entered_at,exited_at,reason"]
        for key, d in DEALS.items():
            body = {"name": key, "account_id": self.accounts[d["account"]],
                    "owner_id": self.o[d["owner"]]["id"], "amount": d["amount"],
                    "currency": d["currency"], "close_date": "2026-06-30",
                    "channel": d["channel"]}
            if d.get("other_pipeline"):
                body["pipeline_id"] = self.pipeline2
            opp = s.create("opportunities", body, admin)
            self.ids[key] = opp["id"]
            last = d["rows"][-1][0]
            if last != opp["stage"]:
                move = {"stage": last, "override": True, "reason": "fixture"}
                if last == "lost":
                    move["lost_reason"] = "price"
                r = s.post("/api/v1/opportunities/%d/move" % opp["id"], move, admin)
                assert r.status == 200, r
            for stage, at in d["rows"]:
                lines.append("%d,%s,%s,," % (opp["id"], stage, at))
        path = os.path.join(s.tmp, "history.csv")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        p = run(["import", "--db", s.db, "stage_history", path, "--as", ADMIN_EMAIL])
        assert p.returncode == 0, p.stderr

    # --- the reference: every figure from the fixture's own rows -----------
    def model(self, group_by=None, deals=None, frm=FROM, to=TO, pipeline="default"):
        lo, hi = frm + "T00:00:00Z", to + "T23:59:59Z"
        inside = lambda t: lo <= t <= hi  # noqa: E731
        deals = [k for k in DEALS if (k in deals if deals is not None else True)]
        if pipeline == "default":
            deals = [k for k in deals if not DEALS[k].get("other_pipeline")]

        def key_of(k):
            d = DEALS[k]
            return {None: None, "owner": d["owner"], "team": TEAM[d["owner"]],
                    "channel": d["channel"], "territory": TERRITORY[d["owner"]],
                    "industry": ACCOUNTS[d["account"]][1],
                    "pipeline": "other" if d.get("other_pipeline") else "default"}[group_by]

        def counts(k):  # open now, closed in the window, or history spanning it
            rows, plist = DEALS[k]["rows"], OTHER if DEALS[k].get("other_pipeline") else STAGES
            section = {s[0]: s[2] for s in plist}[rows[-1][0]]
            return (section not in ("won", "lost") or inside(rows[-1][1])
                    or (rows[0][1] <= hi and rows[-1][1] >= lo))

        deals = [k for k in deals if counts(k)]
        currencies = sorted({DEALS[k]["currency"] for k in deals})
        cur = max(currencies, key=lambda c: (sum(DEALS[k]["currency"] == c for k in deals),
                                            -ord(c[0]))) if currencies else "EUR"
        groups, excluded = {}, 0
        for k in deals:
            d = DEALS[k]
            plist = OTHER if d.get("other_pipeline") else STAGES
            pos = {s[0]: i for i, s in enumerate(plist)}
            g = groups.setdefault(key_of(k), {
                "deals": 0, "won": 0, "lost": 0, "won_amount": 0, "won_c": 0, "cycle": 0,
                "open_c": 0, "plist": plist,
                "stages": {s[0]: {"open_count": 0, "open_amount": 0, "weighted": 0,
                                  "entries": 0, "exits": 0, "num": 0, "den": 0, "stays": []}
                           for s in plist}})
            g["deals"] += 1
            minor = int(Decimal(d["amount"]) * 100)
            rows = d["rows"]
            now, now_at = rows[-1]
            section = plist[pos[now]][2]
            prob = plist[pos[now]][1]
            if section not in ("won", "lost"):
                st = g["stages"][now]
                st["open_count"] += 1
                if d["currency"] == cur:
                    st["open_amount"] += minor
                    st["weighted"] += minor * prob
                    g["open_c"] += 1
                else:
                    excluded += 1
            elif inside(now_at):
                g["won" if section == "won" else "lost"] += 1
                if section == "won":
                    g["cycle"] += secs(now_at) - secs(CREATED)
                    if d["currency"] == cur:
                        g["won_amount"] += minor
                        g["won_c"] += 1
                    else:
                        excluded += 1
            seen = set()
            for i, (stage, at) in enumerate(rows):
                st = g["stages"][stage]
                if inside(at):
                    st["entries"] += 1
                    if stage not in seen:
                        seen.add(stage)
                        st["den"] += 1
                        if any(pos[s2] > pos[stage] and plist[pos[s2]][2] != "lost"
                               for s2, _ in rows[i + 1:]):
                            st["num"] += 1
                if i + 1 < len(rows) and inside(rows[i + 1][1]):
                    st["exits"] += 1
                    st["stays"].append(secs(rows[i + 1][1]) - secs(at))
        return cur, excluded, groups

    def check(self, test, answer, group_by=None, **kw):
        """Every figure of `answer` (parsed with Decimal) against the model."""
        cur, excluded, groups = self.model(group_by, **kw)
        test.assertEqual(answer["currency"], cur)
        test.assertEqual(answer["excluded_other_currency"], excluded)
        names = {"owner": lambda g: g["name"], "team": lambda g: {"East-1": "east1", "West": "west"}[g["name"]],
                 "pipeline": lambda g: "other" if g["id"] == self.pipeline2 else "default"}
        got = {}
        for g in answer["groups"]:
            key = names.get(group_by, lambda g: g["name"])(g) if group_by else None
            got[key] = g
        test.assertEqual(set(got), set(groups), group_by)
        for key, want in groups.items():
            g = got[key]
            where = "%s=%s" % (group_by, key)
            test.assertEqual(g["deals"], want["deals"], where)
            test.assertEqual([s["key"] for s in g["stages"]], [s[0] for s in want["plist"]], where)
            for s in g["stages"]:
                w = want["stages"][s["key"]]
                at = "%s %s" % (where, s["key"])
                test.assertEqual(s["open_count"], w["open_count"], at)
                test.assertEqual(s["open_amount"], Decimal(w["open_amount"]) / 100, at)
                test.assertEqual(s["weighted_amount"], half_up(Fraction(w["weighted"], 100)), at)
                test.assertEqual((s["entries"], s["exits"]), (w["entries"], w["exits"]), at)
                c = s["conversion"]
                test.assertEqual((c["numerator"], c["denominator"]), (w["num"], w["den"]), at)
                tis = s["time_in_stage"]
                stays = sorted(w["stays"])
                test.assertEqual(tis["count"], len(stays), at)
                if stays:
                    n = len(stays)
                    med = stays[n // 2] if n % 2 else (stays[n // 2 - 1] + stays[n // 2]) / 2
                    test.assertAlmostEqual(float(tis["median_days"]), med / 86400, 7, at)
                    test.assertAlmostEqual(float(tis["p90_days"]), stays[(9 * n + 9) // 10 - 1] / 86400,
                                           7, at)
            test.assertEqual((g["won_count"], g["lost_count"]), (want["won"], want["lost"]), where)
            if want["won_c"]:
                test.assertEqual(g["average_deal_size"], half_up(Fraction(want["won_amount"], want["won_c"])))
                v = Fraction(want["open_c"] * want["won"], want["won"] + want["lost"]) * \
                    Fraction(want["won_amount"], want["won_c"]) / Fraction(want["cycle"], want["won"] * 86400)
                test.assertEqual(g["sales_velocity"], half_up(v), where)
            else:
                test.assertIsNone(g["average_deal_size"], where)


class FunnelReport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(env={"FUNNEL_NOW": CREATED})
        cls.f = Fixture(cls.s)
        cls.o = cls.f.o
        cls.admin = cls.f.admin

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def report(self, token=None, **params):
        q = "&".join("%s=%s" % kv for kv in params.items())
        r = self.s.get("/api/v1/reports/funnel?" + q, token or self.admin)
        self.assertEqual(r.status, 200, r)
        return dec(r)

    def test_exact_figures_by_hand(self):
        a = self.report(**{"from": FROM, "to": TO})
        self.assertEqual((a["from"], a["to"], a["group_by"], a["pipeline_id"]), (FROM, TO, None, 1))
        self.assertEqual(a["currency"], "EUR")            # 5 deals in EUR, 1 in USD
        self.assertEqual(a["excluded_other_currency"], 1)  # D4, open in USD
        [g] = a["groups"]
        self.assertEqual((g["id"], g["name"], g["deals"]), (None, "all", 6))
        st = {s["key"]: s for s in g["stages"]}
        self.assertEqual([s["key"] for s in g["stages"]], [k for k, _, _ in STAGES])
        # open now: D4 pre (USD), D6 qual, D1 + D5 proposal
        self.assertEqual([st[k]["open_count"] for k, _, _ in STAGES], [1, 1, 0, 2, 0, 0, 0, 0])
        self.assertEqual(st["prequalification"]["open_amount"], Decimal("0"))
        self.assertEqual(st["qualification"]["open_amount"], Decimal("999.99"))
        self.assertEqual(st["qualification"]["weighted_amount"], Decimal("250.00"))  # 249.9975
        self.assertEqual(st["proposal"]["open_amount"], Decimal("1300.00"))
        self.assertEqual(st["proposal"]["weighted_amount"], Decimal("780.00"))
        self.assertEqual((g["open_count"], g["open_amount"], g["weighted_amount"]),
                         (4, Decimal("2299.99"), Decimal("1030.00")))
        # entries: pre D3 D4 D6 D6; qual D1(edge) D2 D3 D6 D6; proposal D1; nego D2;
        # conversion D2 (edge); lost D3.  D5's rows are just outside.
        self.assertEqual([st[k]["entries"] for k, _, _ in STAGES], [4, 5, 0, 1, 1, 1, 0, 1])
        # exits: pre D1(edge) D2 D3 D6 D6; qual D1 D2 D3 D6; nego D2 (edge)
        self.assertEqual([st[k]["exits"] for k, _, _ in STAGES], [5, 4, 0, 0, 1, 0, 0, 0])
        conv = lambda k: (st[k]["conversion"]["numerator"], st[k]["conversion"]["denominator"])  # noqa: E731
        self.assertEqual(conv("prequalification"), (2, 3))  # D3 and D6 go on, D4 not yet
        self.assertEqual(conv("qualification"), (2, 4))     # D3 went to lost, D6 back
        self.assertEqual(conv("proposal"), (0, 1))
        self.assertEqual(conv("negotiation"), (1, 1))        # into a won stage
        self.assertEqual(conv("lost"), (0, 1))
        self.assertEqual(st["qualification"]["conversion"]["rate"], Decimal("0.5"))
        self.assertIsNone(st["presentation"]["conversion"]["rate"])
        # stays ended in the window, in days: pre [1, 10, 10, 16.5, 22]; qual [4, 10, 18, 23.5]
        tis = lambda k: st[k]["time_in_stage"]  # noqa: E731
        self.assertEqual((tis("prequalification")["count"], tis("prequalification")["median_days"],
                          tis("prequalification")["p90_days"]), (5, 10, 22))
        self.assertEqual((tis("qualification")["count"], tis("qualification")["median_days"],
                          tis("qualification")["p90_days"]), (4, 14, Decimal("23.5")))
        self.assertAlmostEqual(float(tis("negotiation")["median_days"]), 30 + 86399 / 86400, 8)
        self.assertIsNone(tis("proposal")["median_days"])
        # D2 won on 03-31T23:59:59, D3 lost on 03-10
        self.assertEqual((g["won_count"], g["lost_count"], g["win_rate"]), (1, 1, Decimal("0.5")))
        self.assertEqual(g["average_deal_size"], Decimal("2000.50"))
        cycle = secs("2026-03-31T23:59:59Z") - secs(CREATED)
        self.assertAlmostEqual(float(g["cycle_length_days"]), cycle / 86400, 7)
        # 3 open in EUR x 0.5 x 2000.50 / cycle days, per day
        v = Fraction(3, 2) * Fraction(200050) / Fraction(cycle, 86400)
        self.assertEqual(g["sales_velocity"], half_up(v))
        self.assertEqual(g["sales_velocity"], Decimal("35.05"))  # 3000.75 / 85.625 days
        for k in ("open_amount", "weighted_amount", "conversion", "time_in_stage", "win_rate",
                  "sales_velocity", "excluded_other_currency"):
            self.assertTrue(a["definitions"][k], k)

    def test_every_grouping_against_the_model(self):
        for group_by in (None, "owner", "team", "channel", "territory", "industry", "pipeline"):
            params = {"from": FROM, "to": TO}
            if group_by:
                params["group_by"] = group_by
            a = self.report(**params)
            self.f.check(self, a, group_by, pipeline=None if group_by == "pipeline" else "default")
        a = self.report(**{"from": FROM, "to": TO, "group_by": "owner"})
        self.assertEqual([g["name"] for g in a["groups"]], ["rep_e1", "rep_e1b", "rep_w"])
        self.assertEqual([g["id"] for g in a["groups"]],
                         [self.o[n]["id"] for n in ("rep_e1", "rep_e1b", "rep_w")])
        a = self.report(**{"from": FROM, "to": TO, "group_by": "channel"})
        self.assertEqual([g["name"] for g in a["groups"]], ["field", "partner", "web", None])
        a = self.report(**{"from": FROM, "to": TO, "group_by": "pipeline"})
        self.assertEqual([(g["name"], len(g["stages"])) for g in a["groups"]],
                         [("Partner deals", 3), ("Standard sales process", 8)])
        self.assertIsNone(a["pipeline_id"])
        other = self.report(**{"from": FROM, "to": TO, "pipeline_id": self.f.pipeline2})
        [g] = other["groups"]
        self.assertEqual((g["deals"], g["stages"][0]["entries"], g["stages"][0]["open_count"]), (1, 1, 1))

    def test_other_windows_and_the_default_quarter(self):
        default = self.report()  # the clock says 2026-01-05: Q1
        self.assertEqual((default["from"], default["to"]), ("2026-01-01", "2026-03-31"))
        self.f.check(self, default, frm="2026-01-01", to="2026-03-31")
        for frm, to in (("2026-02-01", "2026-02-01"), ("2026-03-31", "2026-04-01"),
                        ("2025-01-01", "2026-12-31")):
            self.f.check(self, self.report(**{"from": frm, "to": to, "group_by": "owner"}),
                         "owner", frm=frm, to=to)
        a = self.report(**{"from": FROM, "to": TO, "currency": "USD"})
        self.assertEqual((a["currency"], a["excluded_other_currency"]), ("USD", 4))
        self.assertEqual(a["groups"][0]["stages"][0]["open_amount"], Decimal("700.00"))
        self.assertIsNone(a["groups"][0]["average_deal_size"])

    def test_scope_narrowing(self):
        o = self.o
        owners = lambda names: [k for k, d in DEALS.items() if d["owner"] in names]  # noqa: E731
        cases = [({"owner_id": o["rep_e1b"]["id"]}, owners({"rep_e1b"})),
                 ({"team_id": o["teams"]["east"]}, owners({"rep_e1", "rep_e1b"})),  # its subtree
                 ({"team_id": o["teams"]["west"]}, owners({"rep_w"})),
                 ({"channel": "web"}, ["D2", "D6", "D7"]),
                 ({"territory": "North"}, owners({"rep_e1", "rep_w"}))]
        for params, deals in cases:
            a = self.report(**dict(params, **{"from": FROM, "to": TO, "group_by": "owner"}))
            self.f.check(self, a, "owner", deals=deals)

    def test_a_rep_sees_only_their_own_deals(self):
        rep = self.o["rep_e1"]
        a = self.report(rep["token"], **{"from": FROM, "to": TO, "group_by": "owner"})
        self.assertEqual([g["id"] for g in a["groups"]], [rep["id"]])
        self.f.check(self, a, "owner", deals=["D1", "D2"])
        for group_by in ("team", "channel", "territory", "industry", "pipeline"):
            a = self.report(rep["token"], **{"from": FROM, "to": TO, "group_by": group_by})
            self.assertEqual(sum(g["deals"] for g in a["groups"]), 2, group_by)
        # another's deals are not there to narrow to: the same answer as a stranger's id
        r = self.s.get("/api/v1/reports/funnel?owner_id=%d" % self.o["rep_e1b"]["id"], rep["token"])
        self.assertEqual(r.status, 404, r)
        r = self.s.get("/api/v1/reports/funnel?owner_id=999999", self.admin)
        self.assertEqual(r.status, 404, r)
        # a team of others only narrows what the rep sees: still their own
        a = self.report(rep["token"], **{"team_id": self.o["teams"]["west"]})
        self.assertEqual(sum(g["deals"] for g in a["groups"]), 0)

    def test_a_manager_covers_their_subtree(self):
        east, west = self.o["mgr_east"], self.o["mgr_west"]
        a = self.report(east["token"], **{"from": FROM, "to": TO, "group_by": "owner"})
        self.assertEqual([g["name"] for g in a["groups"]], ["rep_e1", "rep_e1b"])
        self.f.check(self, a, "owner", deals=["D1", "D2", "D3", "D4"])
        a = self.report(west["token"], **{"from": FROM, "to": TO, "group_by": "pipeline"})
        self.f.check(self, a, "pipeline", deals=["D5", "D6", "D7"], pipeline=None)
        r = self.s.get("/api/v1/reports/funnel?owner_id=%d" % self.o["rep_w"]["id"], east["token"])
        self.assertEqual(r.status, 404, r)

    def test_bad_parameters(self):
        s, admin = self.s, self.admin
        r = s.get("/api/v1/reports/funnel?group=owner&colour=red", admin)
        self.assertEqual(r.status, 400, r)
        self.assertEqual({e["field"] for e in r.json["errors"]}, {"group", "colour"})
        for q, field in (("group_by=region", "group_by"), ("from=2026-13-01", "from"),
                         ("from=2026-03-01&to=2026-02-01", "to"), ("owner_id=abc", "owner_id"),
                         ("channel=fax", "channel"), ("currency=EURO", "currency"),
                         ("to=yesterday", "to"), ("from=2026-01-01&from=2026-02-01", "from")):
            r = s.get("/api/v1/reports/funnel?" + q, admin)
            self.assertEqual(r.status, 400, (q, r))
            self.assertIn(field, [e["field"] for e in r.json["errors"]], q)
        self.assertEqual(s.get("/api/v1/reports/funnel?pipeline_id=999", admin).status, 404)
        self.assertEqual(s.get("/api/v1/reports/funnel?team_id=999", admin).status, 404)
        self.assertEqual(s.get("/api/v1/reports/funnel").status, 401)

    def test_answer_matches_the_openapi_schema(self):
        doc = self.s.get("/api/v1/openapi.json").json
        op = doc["paths"]["/api/v1/reports/funnel"]["get"]
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        for group_by in ("", "&group_by=channel", "&group_by=pipeline"):
            r = self.s.get("/api/v1/reports/funnel?from=%s&to=%s%s" % (FROM, TO, group_by), self.admin)
            self.assertEqual(conform(doc, r.json, schema), [], group_by)


class FunnelFreshness(unittest.TestCase):
    """The index follows every write: this server's, and another process's."""

    @classmethod
    def setUpClass(cls):
        cls.s = Server(env={"FUNNEL_NOW": "2026-05-20T10:00:00Z"})
        cls.admin = cls.s.login()
        cls.acct = cls.s.create("accounts", {"name": "Fresh Co"}, cls.admin)["id"]

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def stage(self, key):
        r = self.s.get("/api/v1/reports/funnel", self.admin)
        self.assertEqual(r.status, 200, r)
        [g] = r.json["groups"] or [{"stages": [{"key": key, "open_count": 0, "entries": 0}]}]
        return [s for s in g["stages"] if s["key"] == key][0]

    def test_api_writes_show_in_the_next_report(self):
        before = self.stage("prequalification")
        o = self.s.create("opportunities", {"name": "New", "account_id": self.acct,
                                            "close_date": "2026-06-30", "amount": "10.00"}, self.admin)
        now = self.stage("prequalification")
        self.assertEqual(now["open_count"], before["open_count"] + 1)
        self.assertEqual(now["entries"], before["entries"] + 1)  # entered today, in Q2
        r = self.s.post("/api/v1/opportunities/%d/move" % o["id"],
                        {"stage": "proposal", "override": True, "reason": "test"}, self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.stage("prequalification")["open_count"], before["open_count"])
        self.assertEqual(self.stage("prequalification")["exits"], before.get("exits", 0) + 1)
        self.assertEqual(self.stage("proposal")["open_count"], 1)
        self.assertEqual(self.s.delete("/api/v1/opportunities/%d" % o["id"], self.admin).status, 204)
        self.assertEqual(self.stage("proposal")["open_count"], 0)

    def test_another_process_writes_show_in_the_next_report(self):
        before = self.stage("prequalification")["open_count"]
        path = os.path.join(self.s.tmp, "deals.csv")
        with open(path, "w") as f:
            f.write("name,account_id,close_date,amount\n")
            for i in range(3):
                f.write("Imported %d,%d,2026-07-31,%d.00\n" % (i, self.acct, 100 + i))
        p = run(["import", "--db", self.s.db, "opportunities", path, "--as", ADMIN_EMAIL])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.stage("prequalification")["open_count"], before + 3)
        # and history placed by `funnel import stage_history`, in another process
        ids = [o["id"] for o in self.s.get("/api/v1/opportunities?limit=200", self.admin).json["data"]
               if o["name"].startswith("Imported")]
        hist = os.path.join(self.s.tmp, "hist.csv")
        with open(hist, "w") as f:
            f.write("opportunity_id,stage,entered_at,exited_at\n%d,prequalification,2026-04-02T00:00:00Z,\n"
                    % ids[0])
        p = run(["import", "--db", self.s.db, "stage_history", hist, "--as", ADMIN_EMAIL])
        self.assertEqual(p.returncode, 0, p.stderr)
        r = self.s.get("/api/v1/reports/funnel?from=2026-04-02&to=2026-04-02", self.admin).json
        self.assertEqual(r["groups"][0]["stages"][0]["entries"], 1)


if __name__ == "__main__":
    unittest.main()


class StartUp(unittest.TestCase):
    """The server listens while its analytics index builds; a report asked
    for meanwhile waits for it rather than failing."""

    def test_report_right_after_start(self):
        tmp = tempfile.mkdtemp(prefix="funnel-startup-")
        try:
            run(["demo", "--db", database_in(tmp), "--scale", "20000"], check=True)
            s = Server(tmp=tmp, init=False)
            try:
                tok = s.login("admin@demo.funnel", "demo-password")
                self.assertEqual(s.get("/healthz").status, 200)
                r = s.get("/api/v1/reports/funnel?group_by=owner", tok)
                self.assertEqual(r.status, 200, r)
                open_deals = sum(st["open_count"] for g in r.json["groups"] for st in g["stages"])
                self.assertGreater(open_deals, 0)
            finally:
                s.close()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
