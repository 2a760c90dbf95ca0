#!/usr/bin/python3
"""The design of cscc's risk terrain recomputed with numpy/scipy, for
tests/integration/analyze_crosscheck_nr.sh: the incidents per cell and the
proximity and distance factors that `cscc analyze rtm --table cells` lists.

    rtm_design.py --fbi C [--fbi C]... --cell M --grid KDE.csv --cells CELLS.csv
                  [--proximity NAME:M FILE XCOL YCOL]... [--distance NAME FILE XCOL YCOL]...
                  FILE...

KDE.csv is `cscc analyze kde --all-cells` on the same grid (--cell M, the
community areas' extent): it gives every cell's centre x, y, hence the grid's
origin. CELLS.csv lists the cells in the city (their centre in a community
area, as cscc decides: that choice is taken as given) with count and one
column per factor. The incidents are the rows of the crimes files (plain or
gzip) with one of the FBI codes and State Plane X/Y (feet x 1200/3937, as
kde_numpy.py); a layer's points are the rows of FILE with X/Y in XCOL/YCOL
(feet). Checks:
 - count: the incidents whose cell (floor((x - x0) / M), likewise y) is the
   listed cell, exactly;
 - proximity_NAME: 1 when the nearest point of the layer is within M metres
   of the cell's centre (a k-d tree), else 0, exactly;
 - distance_NAME: the distance from the centre to the nearest point in km,
   within 1e-6 m (cscc keeps a layer's points as latitude/longitude, so X/Y
   come back through the projection and its inverse: about 1e-9 m apart).
Prints how close any incident lies to a cell edge and any centre to a
proximity radius (where rounding could decide), and the largest differences;
exits 1 when a check fails. Debian's python3-numpy and python3-scipy.
"""
import argparse
import csv
import gzip
import sys

import numpy as np
from scipy.spatial import cKDTree

FT = 1200.0 / 3937.0


def table(path):
    f = gzip.open(path, "rt", newline="") if path.endswith(".gz") else open(path, newline="")
    with f:
        r = csv.reader(f)
        h = next(r)
        return h, list(r)


def xy_feet(path, xcol, ycol):
    h, rows = table(path)
    ix, iy = h.index(xcol), h.index(ycol)
    pts = [(float(r[ix]) * FT, float(r[iy]) * FT) for r in rows
           if r[ix].strip() and r[iy].strip() and float(r[ix]) > 0 and float(r[iy]) > 0]
    return np.array(pts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fbi", action="append", required=True)
    ap.add_argument("--cell", type=float, required=True)
    ap.add_argument("--grid", required=True)
    ap.add_argument("--cells", required=True)
    ap.add_argument("--proximity", nargs=4, action="append", default=[])
    ap.add_argument("--distance", nargs=4, action="append", default=[])
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    ok = True

    def bad(msg):
        nonlocal ok
        ok = False
        print("  FAIL: " + msg)

    # the grid: its origin from the cells' centres
    h, rows = table(a.grid)
    g = np.array([[float(r[h.index(c)]) for c in ("cell", "col", "row", "x", "y")] for r in rows])
    nx, ny = int(g[:, 1].max()) + 1, int(g[:, 2].max()) + 1
    x0s, y0s = g[:, 3] - (g[:, 1] + 0.5) * a.cell, g[:, 4] - (g[:, 2] + 0.5) * a.cell
    x0, y0 = float(np.median(x0s)), float(np.median(y0s))
    if len(g) != nx * ny or max(np.ptp(x0s), np.ptp(y0s)) > 1e-6:
        bad(f"the grid's centres are not a {nx} x {ny} grid of {a.cell:g} m cells")
    centre = {int(c): (x, y) for c, x, y in g[:, [0, 3, 4]]}

    h, rows = table(a.cells)
    cells = {c: [r[h.index(c)] for r in rows] for c in h}
    cid = np.array(cells["cell"], dtype=np.int64)
    if any(int(c) != int(rw) * nx + int(cl) for c, cl, rw in
           zip(cells["cell"], cells["col"], cells["row"])):
        bad(f"a cell's number is not row x {nx} + col")
    cx = np.array([centre[c][0] for c in cid])
    cy = np.array([centre[c][1] for c in cid])

    # the incidents per cell
    xs, ys = [], []
    codes = set(a.fbi)
    for p in a.files:
        h, rows = table(p)
        ifbi, ix, iy = h.index("FBI Code"), h.index("X Coordinate"), h.index("Y Coordinate")
        for r in rows:
            if r[ifbi].strip() in codes and r[ix].strip() and r[iy].strip() \
                    and float(r[ix]) > 0 and float(r[iy]) > 0:
                xs.append(float(r[ix]) * FT)
                ys.append(float(r[iy]) * FT)
    fx, fy = (np.array(xs) - x0) / a.cell, (np.array(ys) - y0) / a.cell
    col, row = np.floor(fx).astype(np.int64), np.floor(fy).astype(np.int64)
    inside = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
    n_cell = np.bincount(row[inside] * nx + col[inside], minlength=nx * ny)
    edge = min(np.abs(fx - np.rint(fx)).min(), np.abs(fy - np.rint(fy)).min()) * a.cell
    want = n_cell[cid]
    got = np.array(cells["count"], dtype=float)
    nd = int((got != want).sum())
    print(f"rtm design: {len(xs)} incidents, {int(want.sum())} in the {len(cid)} cells of the "
          f"city ({int((want == 0).sum())} cells with none), the nearest {edge:.3g} m from a "
          f"cell edge; counts differ in {nd} cells (max |diff| {np.abs(got - want).max():g})")
    if nd:
        bad("the incidents per cell differ")

    # the factors
    for spec, path, xcol, ycol in a.proximity:
        name, m = spec.split(":")
        m = float(m)
        pts = xy_feet(path, xcol, ycol)
        d, _ = cKDTree(pts).query(np.column_stack([cx, cy]))
        want = (d <= m).astype(float)
        got = np.array(cells[f"proximity_{name}"], dtype=float)
        nd = int((got != want).sum())
        print(f"rtm proximity_{name} ({len(pts)} points, {m:g} m): {int(want.sum())} cells "
              f"present, differ in {nd}; the nearest centre {np.abs(d - m).min():.3g} m from "
              f"the radius")
        if nd:
            bad(f"proximity_{name} differs")
    for name, path, xcol, ycol in a.distance:
        pts = xy_feet(path, xcol, ycol)
        d, _ = cKDTree(pts).query(np.column_stack([cx, cy]))
        got = np.array(cells[f"distance_{name}"], dtype=float)
        diff = np.abs(got * 1000 - d).max()
        print(f"rtm distance_{name} ({len(pts)} points): max |cscc - scipy| {diff:.3g} m "
              f"(largest {d.max():.1f} m)")
        if not diff <= 1e-6:
            bad(f"distance_{name} differs by more than 1e-6 m")
    for c in cells:
        if c.startswith("density_"):
            v = set(cells[c])
            print(f"rtm {c}: values {sorted(v)}, {cells[c].count('1')} cells present "
                  f"(the density threshold is not recomputed)")
            if not v <= {"0", "1"}:
                bad(f"{c} is not 0 or 1")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
