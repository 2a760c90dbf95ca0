#!/usr/bin/env python3
"""Compares cscc's risk terrain regression with R's glm() on the same cells
(rtm_glm.R's output), for tests/integration/analyze_crosscheck_nr.sh.

    compare_rtm.py [--tol T] FACTORS.json CELLS.csv R_FACTORS.csv R_CELLS.csv

FACTORS.json is `cscc analyze rtm --table factors --format json`, CELLS.csv
the same run's `--table cells`. Per coefficient (the intercept, then the
factors in the order of the cells' columns): beta, its standard error, z, p,
exp(beta) and the 95 % interval; then the deviance, null deviance and AIC of
the summary, and every cell's relative risk score. Differences are relative:
beta's to max(|beta|, its standard error) (a coefficient near 0 is measured
on the scale of its uncertainty), z's to max(|z|, 1), p's to max(p, 1e-12),
the others' to the value. Prints the largest per figure; exits 1 past T
(default 1e-8: cscc's IRLS stops when the deviance changes by less than 1e-10
of itself, R's here at 1e-14). Standard library only.
"""
import argparse
import csv
import json
import math
import sys


def num(v):
    return None if v in ("", "NA", None) else float(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tol", type=float, default=1e-8)
    ap.add_argument("factors")
    ap.add_argument("cells")
    ap.add_argument("r_factors")
    ap.add_argument("r_cells")
    a = ap.parse_args()
    with open(a.factors) as f:
        res = json.load(f)
    cols = [c["name"] for c in res["columns"]]
    mine = [dict(zip(cols, r)) for r in res["rows"]]
    with open(a.r_factors, newline="") as f:
        theirs = {r["term"]: r for r in csv.DictReader(f)}
    with open(a.cells, newline="") as f:
        rd = csv.DictReader(f)
        names = [c for c in rd.fieldnames
                 if c not in ("cell", "col", "row", "community_area", "count", "relative_risk")]
        cells = {int(r["cell"]): float(r["relative_risk"]) for r in rd}
    with open(a.r_cells, newline="") as f:
        r_cells = {int(r["cell"]): float(r["relative_risk"]) for r in csv.DictReader(f)}
    ok = True

    def bad(msg):
        nonlocal ok
        ok = False
        print("  FAIL: " + msg)

    terms = ["(intercept)"] + names
    if len(mine) != len(terms) or mine[0]["factor"] != "(intercept)":
        bad(f"cscc's factors {[m['factor'] for m in mine]} against the cells' columns {names}")
        return 1
    for m, t in zip(mine[1:], names):
        if not t.startswith(f"{m['kind']}_{m['factor']}"):
            bad(f"factor {m['kind']} {m['factor']} is not the column {t}")
    if res["summary"]["cells"] != len(cells):
        bad(f"cells: summary {res['summary']['cells']}, table {len(cells)}")
    worst = {}
    for m, t in zip(mine, terms):
        if t not in theirs:
            bad(f"R has no coefficient {t}")
            continue
        r = theirs[t]
        rb, rse, rz, rp = (num(r[k]) for k in ("coefficient", "std_error", "z", "p_value"))
        scales = {"coefficient": max(abs(rb), rse), "std_error": rse, "z": max(abs(rz), 1),
                  "p_value": max(rp, 1e-12), "relative_risk": num(r["relative_risk"]),
                  "rr_ci_low": num(r["rr_ci_low"]), "rr_ci_high": num(r["rr_ci_high"])}
        for k, scale in scales.items():
            d = abs(m[k] - num(r[k])) / scale
            if d > worst.get(k, (-1, ""))[0]:
                worst[k] = (d, f"{t}: cscc {m[k]:.15g}, R {num(r[k]):.15g}")
    for k in ("deviance", "null_deviance", "aic"):
        mv, rv = res["summary"][k], num(theirs[k]["coefficient"])
        worst[k] = (abs(mv - rv) / abs(rv), f"cscc {mv:.15g}, R {rv:.15g}")
    if set(cells) != set(r_cells):
        bad("R's cells are not cscc's")
    else:
        d, c = max((abs(cells[c] - r_cells[c]) / r_cells[c], c) for c in cells)
        worst["cells' relative_risk"] = (d, f"{len(cells)} cells; worst cell {c}: cscc "
                                            f"{cells[c]:.15g}, R {r_cells[c]:.15g}")
    for k, (d, where) in worst.items():
        print(f"rtm {k}: max relative difference {d:.3g} ({where})")
        if not d <= a.tol or math.isnan(d):
            bad(f"{k} differs by more than {a.tol:g}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
