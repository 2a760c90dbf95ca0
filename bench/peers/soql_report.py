#!/usr/bin/env python3
"""soql_report.py SHAPES RESDIR - bench/soql's report: checks that cscc and
DuckDB returned the same rows for each shape (numbers compared to 9
significant digits, "006" = 6, timestamps without 'T' and '.000'), then prints
the times and the ratio DuckDB/cscc. Exit status 1 on a mismatch."""
import csv
import json
import re
import sys

NUM = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def norm(cell):
    cell = cell.strip()
    if NUM.match(cell):
        return "%.9g" % float(cell)
    m = re.match(r"^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.000)?$", cell)
    if m:
        return m.group(1) + " " + m.group(2)
    return cell


def main():
    shapes = json.load(open(sys.argv[1]))
    res = sys.argv[2]
    cscc = json.load(open(f"{res}/cscc.json"))
    duck = json.load(open(f"{res}/duckdb.json"))
    bad = 0
    print(f"{'shape':32} {'rows':>6} {'cscc ms':>9} {'DuckDB ms':>10} {'DuckDB/cscc':>12}  check")
    for i, s in enumerate(shapes):
        with open(f"{res}/cscc_{i}.csv", newline="") as f:
            a = [[norm(c) for c in r] for r in list(csv.reader(f))[1:]]
        with open(f"{res}/duckdb_{i}.csv") as f:
            b = [[norm(c) for c in line.rstrip("\n").split("\t")] for line in f if line.strip()]
        if not s["ordered"]:
            a.sort()
            b.sort()
        same = a == b
        bad += not same
        c, d = cscc["ms"][i], duck["ms"][i]
        print(f"{s['name']:32} {len(a):>6} {c:>9.2f} {d:>10.2f} {d / c:>11.1f}x  "
              f"{'same rows' if same else 'MISMATCH'}")
        if not same:
            print(f"    cscc:   {a[:3]}\n    DuckDB: {b[:3]}")
    print(f"\nDuckDB {duck['version']}: load {duck['load_ms'] / 1000:.1f} s (not counted above); "
          f"cscc: in-process best of {cscc['repeat']} (table open, no load)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
