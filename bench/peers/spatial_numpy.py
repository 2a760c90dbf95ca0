#!/usr/bin/python3
"""The numpy/scipy peers of bench/spatial (Debian's python3-numpy, python3-scipy).

  spatial_numpy.py kde POINTS_XY.csv CSCC_KDE.json OUT.json
      Loads the points (x, y metres; untimed, cached as POINTS_XY.npy), then
      times, best of 3, the same binned quartic kernel density cscc computes:
      ArcGIS's default bandwidth (mean centre, standard distance, numpy's
      median distance), np.histogram2d onto cscc's grid (its extent, cell and
      size from CSCC_KDE.json), and scipy.signal.fftconvolve with the quartic
      kernel sampled at cell offsets. Compares the bandwidth and every cell's
      density with cscc's.
  spatial_numpy.py gistar BINS.csv CSCC_GISTAR.json OUT.json
      Takes DuckDB's counts per cell (BINS.csv: cx,cy,n) and cscc's units (the
      cells whose centre is in the city, from its result), then times, best of
      3, Gi* with binary weights within cscc's distance band (the cell itself
      included): z-scores, two-sided p-values and Benjamini-Hochberg bins.
      Compares the counts and the z-scores with cscc's.
Writes the timings and differences to OUT.json and prints them.
"""
import csv
import json
import math
import os
import sys
import time

import numpy as np
from scipy import signal, stats


def best_of(fn, n=3):
    best, out = None, None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        t = time.perf_counter() - t0
        best = t if best is None or t < best else best
    return best, out


def load_points(path):
    npy = os.path.splitext(path)[0] + ".npy"
    if os.path.exists(npy) and os.path.getmtime(npy) >= os.path.getmtime(path):
        a = np.load(npy)
    else:
        import pandas as pd
        a = pd.read_csv(path, dtype={"x": np.float64, "y": np.float64}).to_numpy()
        np.save(npy, a)
    return np.ascontiguousarray(a[:, 0]), np.ascontiguousarray(a[:, 1])


def grid_of(res):
    p = res["parameters"]
    x0, y0, _, _ = (float(v) for v in p["extent"].split())
    return x0, y0, float(p["cell_m"]), int(p["columns"]), int(p["rows"])


def kde(points, cscc_json, out):
    x, y = load_points(points)
    with open(cscc_json) as f:
        res = json.load(f)
    x0, y0, cell, nx, ny = grid_of(res)

    def run():
        n = len(x)
        mx, my = x.mean(), y.mean()
        dx, dy = x - mx, y - my
        sd = math.sqrt((dx * dx).mean() + (dy * dy).mean())
        dm = float(np.median(np.hypot(dx, dy)))
        h = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * n ** -0.2
        hist, _, _ = np.histogram2d(y, x, bins=[ny, nx],
                                    range=[[y0, y0 + ny * cell], [x0, x0 + nx * cell]])
        r = int(math.ceil(h / cell))
        o = np.arange(-r, r + 1) * cell
        d2 = o[None, :] ** 2 + o[:, None] ** 2
        k = np.where(d2 < h * h, 3 / (math.pi * h * h) * (1 - d2 / (h * h)) ** 2, 0) * 1e6
        return h, signal.fftconvolve(hist, k, mode="same")

    t, (h, dens) = best_of(run)
    mine = dens.ravel()
    theirs = np.zeros(nx * ny)
    ci = [c["name"] for c in res["columns"]]
    cc, cd = ci.index("cell"), ci.index("density_km2")
    for row in res["rows"]:
        theirs[row[cc]] = row[cd]
    top = float(mine.max())
    diff = float(np.abs(mine - theirs).max())
    r = {"seconds": t, "points": len(x), "bandwidth_numpy": h,
         "bandwidth_cscc": res["summary"]["bandwidth_m"], "max_density": top,
         "max_abs_diff": diff, "max_rel_diff": diff / top,
         "numpy": np.__version__, "scipy": __import__("scipy").__version__}
    with open(out, "w") as f:
        json.dump(r, f)
    print(json.dumps(r))


def gistar(bins, cscc_json, out):
    with open(cscc_json) as f:
        res = json.load(f)
    x0, y0, cell, nx, ny = grid_of(res)
    band = float(res["parameters"]["distance_m"])
    ci = [c["name"] for c in res["columns"]]
    cc, cn, cz = ci.index("cell"), ci.index("count"), ci.index("gi_z")
    units = np.array([row[cc] for row in res["rows"]], dtype=np.int64)
    cscc_count = np.array([row[cn] for row in res["rows"]], dtype=np.float64)
    cscc_z = np.array([row[cz] for row in res["rows"]], dtype=np.float64)
    with open(bins, newline="") as f:
        b = np.array([[int(r["cx"]), int(r["cy"]), int(r["n"])] for r in csv.DictReader(f)],
                     dtype=np.int64).reshape(-1, 3)
    mask = np.zeros((ny, nx), dtype=bool)
    mask.flat[units] = True
    r = int(band // cell)
    offs = [(dx, dy) for dy in range(-r, r + 1) for dx in range(-r, r + 1)
            if (dx * cell) ** 2 + (dy * cell) ** 2 <= band * band * (1 + 1e-12)]

    def shifted(a, dx, dy):
        s = np.zeros_like(a)
        ys, yd = (slice(dy, None), slice(None, ny - dy)) if dy >= 0 else \
            (slice(None, ny + dy), slice(-dy, None))
        xs, xd = (slice(dx, None), slice(None, nx - dx)) if dx >= 0 else \
            (slice(None, nx + dx), slice(-dx, None))
        s[yd, xd] = a[ys, xs]
        return s

    def run():
        c = np.zeros((ny, nx))
        c[b[:, 1], b[:, 0]] = b[:, 2]
        c *= mask
        m = mask.astype(np.float64)
        s = np.zeros((ny, nx))
        w = np.zeros((ny, nx))
        for dx, dy in offs:
            s += shifted(c, dx, dy)
            w += shifted(m, dx, dy)
        xv = c.flat[units]
        n = len(xv)
        xbar = xv.mean()
        sd = math.sqrt((xv * xv).mean() - xbar * xbar)
        wi, si = w.flat[units], s.flat[units]
        z = (si - xbar * wi) / (sd * np.sqrt((n * wi - wi * wi) / (n - 1)))
        p = 2 * stats.norm.sf(np.abs(z))
        # Benjamini-Hochberg at 90, 95 and 99 %
        order = np.sort(p)
        binv = np.zeros(n, dtype=np.int64)
        for lvl, alpha in ((1, 0.10), (2, 0.05), (3, 0.01)):
            ok = order <= alpha * np.arange(1, n + 1) / n
            cut = order[np.nonzero(ok)[0].max()] if ok.any() else -1
            binv = np.where(p <= cut, lvl, binv)
        return xv, z, binv * np.sign(z)

    t, (xv, z, _) = best_of(run)
    r = {"seconds": t, "units": int(len(units)), "neighbours_offsets": len(offs),
         "count_mismatches": int((xv != cscc_count).sum()),
         "max_abs_z_diff": float(np.abs(z - cscc_z).max()), "numpy": np.__version__}
    with open(out, "w") as f:
        json.dump(r, f)
    print(json.dumps(r))


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in ("kde", "gistar"):
        sys.exit(__doc__)
    (kde if sys.argv[1] == "kde" else gistar)(*sys.argv[2:])
