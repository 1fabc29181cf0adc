#!/usr/bin/env python3
"""The tree keeps its shape: every #include "..." under src/ points along the
layers core <- store <- crm <- api <- http <- cli (never up), and the
capability folders of src/crm include each other without a circle (a folder
may use one below it, never one that uses it back).  src/crm/*.c at the top of
crm (the registry, crm.c) sees every capability; no capability includes it.

One check per rule; prints "layers: N passed, N failed"."""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
LAYERS = ["core", "store", "crm", "api", "http", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def unit_of(rel):
    """'crm/process/pipeline.c' -> ('crm', 'process'); 'crm/crm.c' -> ('crm', '')."""
    parts = rel.split("/")
    if parts[0] == "crm":
        return ("crm", parts[1] if len(parts) > 2 else "")
    return (parts[0], "")


def resolve(src_rel, inc):
    here = os.path.dirname(src_rel)
    for cand in (os.path.normpath(os.path.join(here, inc)), os.path.normpath(inc)):
        if os.path.exists(os.path.join(ROOT, cand)):
            return cand
    return None


def main():
    problems = {"up": [], "unresolved": [], "crm-root": [], "circle": []}
    edges = {}
    for dirpath, _, files in os.walk(ROOT):
        for f in files:
            if not f.endswith((".c", ".h")) or f.endswith(".gen.c"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), ROOT)
            src = unit_of(rel)
            for inc in INCLUDE.findall(open(os.path.join(ROOT, rel), encoding="utf-8").read()):
                target = resolve(rel, inc)
                if target is None:
                    problems["unresolved"].append(f"{rel}: {inc}")
                    continue
                dst = unit_of(target)
                if LAYERS.index(dst[0]) > LAYERS.index(src[0]):
                    problems["up"].append(f"{rel} -> {target}")
                if src[0] == dst[0] == "crm":
                    if dst[1] == "" and src[1] != "":
                        problems["crm-root"].append(f"{rel} -> {target}")
                    elif src[1] and dst[1] and src[1] != dst[1]:
                        edges.setdefault(src[1], {}).setdefault(dst[1], f"{rel} -> {target}")
    # A circle between capability folders: depth-first search for a back edge.
    state = {}

    def visit(n, path):
        state[n] = 1
        for m, why in edges.get(n, {}).items():
            if state.get(m) == 1:
                loop = path[path.index(m):] + [m] if m in path else [n, m]
                problems["circle"].append(" -> ".join(loop) + f"  (e.g. {why})")
            elif not state.get(m):
                visit(m, path + [m])
        state[n] = 2

    for n in sorted(edges):
        if not state.get(n):
            visit(n, [n])
    passed = failed = 0
    for rule, found in problems.items():
        if found:
            failed += 1
            print(f"layers: {rule}:")
            for p in found:
                print(f"  {p}")
        else:
            passed += 1
    deps = "; ".join(f"{a} -> {', '.join(sorted(b))}" for a, b in sorted(edges.items()))
    print(f"layers: crm capabilities: {deps}")
    print(f"layers: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
