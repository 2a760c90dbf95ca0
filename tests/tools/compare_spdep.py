#!/usr/bin/env python3
"""Compares cscc's Gi* and Moran's I of community areas with R's spdep
(spdep_check.R's output), for tests/integration/analyze_crosscheck.sh.

    compare_spdep.py GISTAR.csv MORAN.csv MORAN.json SPDEP.csv SPDEP_GLOBAL.csv

Checks, per area: the number of queen neighbours (cscc's contiguity against
poly2nb), the Gi* z-score, the local Moran's I, the spatial lag and the
quadrant (GeoDa's convention); and the
global Moran's I, E[I], variances and z under normality and randomisation.
Prints the largest absolute differences; exits 1 when a neighbour count or a
quadrant differs or a figure differs by more than 1e-9 (relative to the
largest absolute value of that figure). Standard library only.
"""
import csv
import json
import sys


def table(path, key):
    with open(path, newline="") as f:
        return {int(r[key]): r for r in csv.DictReader(f)}


def main():
    gi, mo, mj, sp, sg = sys.argv[1:6]
    g = table(gi, "community_area")
    m = table(mo, "community_area")
    r = table(sp, "area")
    with open(mj) as f:
        summary = json.load(f)["summary"]
    with open(sg, newline="") as f:
        rg = next(csv.DictReader(f))
    ok = True
    if set(g) != set(r) or set(m) != set(r):
        print(f"FAIL: areas differ: cscc {sorted(g)} spdep {sorted(r)}")
        return 1
    nb = [a for a in r if int(g[a]["neighbours"]) != int(r[a]["neighbours"])
          or int(m[a]["neighbours"]) != int(r[a]["neighbours"])]
    print(f"areas: {len(r)}; queen neighbours differ for {len(nb)} areas {nb}")
    ok &= not nb
    for name, cscc_col, sp_col, src in (("Gi* z", "gi_z", "gi_z", g),
                                        ("local Moran's I", "local_i", "local_i", m),
                                        ("spatial lag", "lag", "lag", m)):
        diffs = [abs(float(src[a][cscc_col]) - float(r[a][sp_col])) for a in r]
        top = max(abs(float(r[a][sp_col])) for a in r)
        print(f"{name}: max |cscc - spdep| {max(diffs):.3g} (largest |value| {top:.4g})")
        if max(diffs) > 1e-9 * max(1.0, top):
            ok = False
            print("  FAIL: more than 1e-9")
    quad = [a for a in r if m[a]["quadrant"] != r[a]["quadrant"]]
    print(f"quadrants (signs of z and its lag): {len(r) - len(quad)} of {len(r)} the same "
          f"{quad if quad else ''}")
    ok &= not quad
    sq = [a for a in r if m[a]["quadrant"] != r[a]["quadrant_spdep_mean"]]
    print(f"  (spdep's own 'mean' quadrant, lag of y against the mean lag, differs for "
          f"{len(sq)} areas {sq}: another convention)")
    for k in ("moran_i", "expected_i", "variance_normality", "variance_randomisation",
              "z_normality", "z_randomisation"):
        a, b = float(summary[k]), float(rg[k])
        print(f"global {k}: cscc {a:.12g}, spdep {b:.12g}, |diff| {abs(a - b):.3g}")
        if abs(a - b) > 1e-9 * max(1.0, abs(b)):
            ok = False
            print("  FAIL: more than 1e-9")
    print(f"(R's spdep {rg['spdep']})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
