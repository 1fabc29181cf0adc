#!/usr/bin/env python3
"""Coverage of the forecast ranges by scope size, from `funnel forecast backtest --json`.

    funnel forecast backtest --db demo.db --from 2024-Q1 --to 2026-Q3 \
        --scope company --scope teams --scope reps --json > q.json
    bench/backtest_coverage.py q.json [more.json ...]

Reads only the per-point figures (forecast, p10, p90, actual), so it measures a
binary built before the backtest reported coverage by scope (a baseline) the same
way as one after: for historical and simulation, per scope kind (company, team,
rep pooled) and per team, the share of forecasts whose P10-P90 held the actual
with a 95 % Wilson interval, and MAPE / WAPE.
"""
import json
import math
import sys


def wilson(k, n, z=1.959963984540054):
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (c - h, c + h)


def row(label, pts, model):
    n = k = 0
    ape = []
    abserr = act = 0.0
    for p in pts:
        m = p[model]
        if m.get("inside") is not None:
            n += 1
            k += bool(m["inside"])
        if p["actual"]:
            ape.append(abs(m["forecast"] - p["actual"]) / p["actual"])
        abserr += abs(m["forecast"] - p["actual"])
        act += abs(p["actual"])
    lo, hi = wilson(k, n)
    mape = sum(ape) / len(ape) if ape else float("nan")
    wape = abserr / act if act else float("nan")
    return "%-16s %-10s %5d %6.1f%%  [%5.1f, %5.1f]  %6.1f%% %6.1f%%" % (
        label, model, n, 100 * k / n if n else float("nan"), 100 * lo, 100 * hi,
        100 * mape, 100 * wape)


def main():
    for path in sys.argv[1:]:
        d = json.load(open(path))
        pts = d["points"]
        print("%s: %s .. %s, %d forecasts" % (path, d["from"], d["to"], len(pts)))
        print("%-16s %-10s %5s %7s  %14s  %7s %7s" % ("scope", "model", "n", "P10-P90",
                                                    "95% Wilson", "MAPE", "WAPE"))
        groups = [("company", [p for p in pts if p["scope"] == "company"]),
                  ("teams", [p for p in pts if p["scope"] == "team"]),
                  ("reps", [p for p in pts if p["scope"] == "user"])]
        for tid in sorted({p["scope_id"] for p in pts if p["scope"] == "team"}):
            groups.append(("team:%d" % tid,
                           [p for p in pts if p["scope"] == "team" and p["scope_id"] == tid]))
        for label, g in groups:
            if not g:
                continue
            for model in ("historical", "simulation"):
                print(row(label, g, model))
        print()


if __name__ == "__main__":
    main()
