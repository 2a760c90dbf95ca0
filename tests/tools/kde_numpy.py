#!/usr/bin/python3
"""The quartic kernel density computed directly with numpy/scipy, to check
`cscc analyze kde` against (tests/integration/analyze_crosscheck.sh).

    kde_numpy.py --fbi C [--fbi C]... --rule RULE.json --exact EXACT.csv
                 --exact-json EXACT.json [--binned BINNED.csv] FILE...

Reads City crimes CSV exports (plain or gzip), keeps the rows with one of the
FBI codes and State Plane X/Y, and takes them to metres by the exact factor
1200/3937 (US survey feet; EPSG:3435 and EPSG:26971 share their origin). Then:
 - ArcGIS's default bandwidth 0.9 min(SD, sqrt(1/ln 2) Dm) n^-0.2 with SD the
   standard distance and Dm numpy's median distance from the mean centre,
   against the summary of RULE.json (cscc's JSON result with the default
   bandwidth);
 - the density at every cell centre of EXACT.csv (cscc --exact --all-cells,
   with the bandwidth stated in EXACT.json): the sum over points within h of
   3/(pi h^2) (1 - d^2/h^2)^2, per square kilometre, from a k-d tree.
Prints the figures and the largest differences; exits 1 when the rule
differs by more than 1e-9 relative or a density by more than 1e-9 of the
largest density. With --binned, also prints how far cscc's binned density (same
grid and bandwidth) is from the exact one.
Written from the definitions in kde.h's comment and ArcGIS's documentation,
not from cscc's code; Debian's python3-numpy and python3-scipy.
"""
import argparse
import csv
import gzip
import json
import math
import sys

import numpy as np
from scipy.spatial import cKDTree

FT = 1200.0 / 3937.0


def rows(path):
    f = gzip.open(path, "rt", newline="") if path.endswith(".gz") else open(path, newline="")
    with f:
        yield from csv.DictReader(f)


def read_csv_cols(path, cols):
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        out = {c: [] for c in cols}
        for row in r:
            for c in cols:
                out[c].append(float(row[c]))
    return {c: np.array(v) for c, v in out.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fbi", action="append", required=True)
    ap.add_argument("--rule", required=True)
    ap.add_argument("--exact", required=True)
    ap.add_argument("--exact-json", required=True)
    ap.add_argument("--binned")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    fbi = set(a.fbi)
    xs, ys = [], []
    for p in a.files:
        for r in rows(p):
            if r["FBI Code"].strip() not in fbi:
                continue
            x, y = r["X Coordinate"].strip(), r["Y Coordinate"].strip()
            if not x or not y or float(x) <= 0 or float(y) <= 0:
                continue
            xs.append(float(x) * FT)
            ys.append(float(y) * FT)
    x, y = np.array(xs), np.array(ys)
    n = len(x)
    ok = True

    # the default bandwidth
    with open(a.rule) as f:
        rule = json.load(f)
    mx, my = x.mean(), y.mean()
    sd = math.sqrt(((x - mx) ** 2).mean() + ((y - my) ** 2).mean())
    dm = float(np.median(np.hypot(x - mx, y - my)))
    h = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * n ** -0.2
    s = rule["summary"]
    print(f"points: numpy {n}, cscc {rule['data']['points']}")
    if n != rule["data"]["points"]:
        ok = False
        print("  FAIL: not the same points")
    for name, mine, theirs in (("standard distance", sd, s["standard_distance_m"]),
                               ("median distance", dm, s["median_distance_m"]),
                               ("bandwidth", h, s["bandwidth_m"])):
        d = abs(mine - theirs)
        print(f"{name}: numpy {mine:.9f} m, cscc {theirs:.9f} m, |diff| {d:.3g} m")
        if d > 1e-9 * abs(mine):
            ok = False
            print("  FAIL: differs by more than 1e-9 relative")

    # the exact density at every cell centre
    c = read_csv_cols(a.exact, ["x", "y", "density_km2"])
    with open(a.exact_json) as f:
        hb = json.load(f)["parameters"]["bandwidth_m"]
    tree = cKDTree(np.column_stack([x, y]))
    centres = np.column_stack([c["x"], c["y"]])
    dens = np.zeros(len(centres))
    for i, near in enumerate(tree.query_ball_point(centres, hb)):
        if near:
            d2 = (x[near] - centres[i, 0]) ** 2 + (y[near] - centres[i, 1]) ** 2
            u = 1 - d2 / (hb * hb)
            dens[i] = (3 / (math.pi * hb * hb) * u * u * (d2 < hb * hb)).sum() * 1e6
    diff = np.abs(dens - c["density_km2"])
    top = dens.max()
    print(f"exact kde: {len(dens)} cells, bandwidth {hb:.3f} m, largest density {top:.6f}/km2, "
          f"max |diff| {diff.max():.3g}/km2 ({diff.max() / top:.3g} of the largest)")
    if diff.max() > 1e-9 * top:
        ok = False
        print("  FAIL: a density differs by more than 1e-9 of the largest")
    if a.binned:
        b = read_csv_cols(a.binned, ["x", "y", "density_km2"])
        if len(b["x"]) != len(dens) or np.abs(b["x"] - c["x"]).max() > 1e-6:
            ok = False
            print("  FAIL: the binned run has other cells")
        else:
            bd = np.abs(b["density_km2"] - dens)
            print(f"binned kde against numpy's exact: max |diff| {bd.max():.6g}/km2 "
                  f"({bd.max() / top:.3g} of the largest), mean |diff| {bd.mean():.3g}/km2")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
