#!/usr/bin/python3
"""The Knox test's pair counts by brute force in numpy, and the exact
permutation mean and variance of every cell, to check `cscc analyze knox`
against (tests/integration/analyze_crosscheck_nr.sh).

    knox_numpy.py --type T [--type T]... --space-band M --space-bands S
                  --time-band D --time-bands T --metric euclidean|manhattan
                  --intervals labelled|nrc --iterations N RESULT.json FILE...

Reads City crimes CSV exports (plain or gzip), keeps the rows of the Primary
Types with State Plane X/Y, takes them to metres by the exact factor
1200/3937 (US survey feet; EPSG:3435 and EPSG:26971 share their origin) and
their days from the date part of Date (MM/DD/YYYY, local time). Then, over
every pair of events, all n (n - 1) / 2 of them:
 - the space band: "same location" (distance 0), then with --intervals
   labelled ((k-1) M, k M] for k = 1..S, with nrc [(k-1) M, k M) (the
   Calculator 1.3's counts), then more than S M; the time band by the
   difference of the days: labelled [0, D] then (k D, (k+1) D], nrc
   [k D, (k+1) D), then the rest. With nrc too, "same location" is distance 0
   (band 1 is then (0, M)); the pairs between 0 and 1 m apart, which a reading
   of "same location" as "under 1 m" would move, are counted and printed;
 - the observed pairs of each cell, which must equal cscc's exactly;
 - the exact mean of a cell over all permutations of the days among the
   events, E = N_s M_t / P (N_s pairs in space band s, M_t pairs in time band
   t, P all pairs), and its exact variance (Mantel's moments of
   sum a_ij b_p(i)p(j), from the bands' row sums; checked against full
   enumeration on a small example first). cscc's mean over N permutations
   must be within 4 standard errors sqrt(var / N) of E;
 - cscc's Knox ratio must be its observed / its mean expected (1e-12
   relative), p a multiple of 1/(N + 1) consistent with min and max, and the
   bands' stated bounds those above.
Prints the largest differences; exits 1 when a check fails. Written from the
definitions in knox.h's comment and the Near Repeat Calculator's labels, not
from cscc's code; Debian's python3-numpy.
"""
import argparse
import csv
import datetime
import gzip
import itertools
import json
import math
import sys
from fractions import Fraction

import numpy as np

FT = 1200.0 / 3937.0


def events(paths, types):
    xs, ys, days = [], [], []
    for p in paths:
        f = gzip.open(p, "rt", newline="") if p.endswith(".gz") else open(p, newline="")
        with f:
            r = csv.reader(f)
            h = next(r)
            it, ix, iy, idt = (h.index(c) for c in ("Primary Type", "X Coordinate",
                                                      "Y Coordinate", "Date"))
            for row in r:
                if row[it].strip() not in types:
                    continue
                x, y = row[ix].strip(), row[iy].strip()
                if not x or not y or float(x) <= 0 or float(y) <= 0:
                    continue
                m, d, yy = row[idt][:10].split("/")
                xs.append(float(x) * FT)
                ys.append(float(y) * FT)
                days.append(datetime.date(int(yy), int(m), int(d)).toordinal())
    return np.array(xs), np.array(ys), np.array(days, dtype=np.int64)


def moments(a1, a3, b1, b3, n):
    """Exact mean and variance of G = sum_{i != j} a_ij b_p(i)p(j) over the
    permutations p of n objects, for symmetric 0/1 matrices with empty
    diagonals given by a1 = sum a_ij, a3 = sum_i (sum_j a_ij)^2 (and a2 = a1,
    as a_ij^2 = a_ij), likewise b."""
    n2, n3, n4 = n * (n - 1), n * (n - 1) * (n - 2), n * (n - 1) * (n - 2) * (n - 3)
    mean = Fraction(a1 * b1, n2)
    sq = (Fraction(2 * a1 * b1, n2) + Fraction(4 * (a3 - a1) * (b3 - b1), n3)
          + Fraction((a1 * a1 + 2 * a1 - 4 * a3) * (b1 * b1 + 2 * b1 - 4 * b3), n4))
    return mean, sq - mean * mean


def check_moments():
    """moments() against all 7! permutations of a random example."""
    rng = np.random.default_rng(7)
    n = 7
    a = np.triu(rng.integers(0, 2, (n, n)), 1)
    b = np.triu(rng.integers(0, 2, (n, n)), 1)
    a, b = a + a.T, b + b.T
    g = [int((a * b[np.ix_(p, p)]).sum()) for p in map(list, itertools.permutations(range(n)))]
    mean = Fraction(sum(g), len(g))
    var = Fraction(sum(v * v for v in g), len(g)) - mean * mean
    ra, rb = a.sum(1), b.sum(1)
    m2, v2 = moments(int(a.sum()), int((ra * ra).sum()), int(b.sum()), int((rb * rb).sum()), n)
    return mean == m2 and var == v2


def bands(x, y, day, o):
    """Every pair once (i < j): the observed pairs per cell, and per event
    the other events in each space band and in each time band."""
    n, S, T = len(x), o.space_bands, o.time_bands
    rows_, cols = S + 2, T + 1
    ncell = rows_ * cols
    b, t = o.space_band, o.time_band
    labelled = o.intervals == "labelled"
    obs = np.zeros(ncell + 1, dtype=np.int64)
    a_row = np.zeros((n, rows_), dtype=np.int64)
    sub1 = np.zeros(cols, dtype=np.int64)  # pairs 0 to 1 m apart, by time band
    edge_gap = math.inf
    step = 256
    for a0 in range(0, n, step):
        a1 = min(n, a0 + step)
        dx = np.abs(x[a0:a1, None] - x[None, a0:])
        dy = np.abs(y[a0:a1, None] - y[None, a0:])
        d = dx + dy if o.metric == "manhattan" else np.sqrt(dx * dx + dy * dy)
        # the band: 1 + the band edges k b the distance is past (labelled: beyond
        # k b, nrc: at k b or beyond); same location (0) when the distance is 0
        s = (d > 0).astype(np.int64)
        for e in range(1, S + 1):
            s += (d > e * b) if labelled else (d >= e * b)
        dt = np.abs(day[a0:a1, None] - day[None, a0:])
        c = np.zeros(dt.shape, dtype=np.int64)
        for e in range(1, T + 1):
            c += (dt > e * t) if labelled else (dt >= e * t)
        cell = s * cols + c
        lower = np.tril(np.ones((a1 - a0, a1 - a0), dtype=bool))  # j <= i: not a pair here
        cell[:, :a1 - a0][lower] = ncell
        s[:, :a1 - a0][lower] = S + 1
        obs += np.bincount(cell.ravel(), minlength=ncell + 1)
        i, j = np.nonzero(s <= S)  # the close pairs: both events' space band counts
        np.add.at(a_row, (i + a0, s[i, j]), 1)
        np.add.at(a_row, (j + a0, s[i, j]), 1)
        tiny = (d > 0) & (d < 1) & (cell < ncell)
        sub1 += np.bincount(c[tiny], minlength=cols)
        near = d[(d > 0) & (d < b * (S + 1))]
        if near.size:
            edge_gap = min(edge_gap, float(np.abs(near - b * np.rint(near / b)).min()))
    a_row[:, S + 1] = (n - 1) - a_row[:, :S + 1].sum(axis=1)
    # time bands per event from the events per day: |day difference| -> band
    du, inv, per_day = np.unique(day, return_inverse=True, return_counts=True)
    dd = np.abs(du[:, None] - du[None, :])
    cu = np.zeros(dd.shape, dtype=np.int64)
    for e in range(1, T + 1):
        cu += (dd > e * t) if labelled else (dd >= e * t)
    b_day = np.zeros((len(du), cols), dtype=np.int64)
    for col in range(cols):
        b_day[:, col] = ((cu == col) * per_day[None, :]).sum(axis=1)
    b_day[:, 0] -= 1  # not the event itself
    return obs[:ncell].reshape(rows_, cols), a_row, b_day[inv], edge_gap, sub1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--type", action="append", required=True)
    ap.add_argument("--space-band", type=float, required=True)
    ap.add_argument("--space-bands", type=int, required=True)
    ap.add_argument("--time-band", type=int, required=True)
    ap.add_argument("--time-bands", type=int, required=True)
    ap.add_argument("--metric", choices=["euclidean", "manhattan"], required=True)
    ap.add_argument("--intervals", choices=["labelled", "nrc"], required=True)
    ap.add_argument("--iterations", type=int, required=True)
    ap.add_argument("--sigmas", type=float, default=4.0)
    ap.add_argument("result")
    ap.add_argument("files", nargs="+")
    o = ap.parse_args()
    ok = True

    def bad(msg):
        nonlocal ok
        ok = False
        print("  FAIL: " + msg)

    if not check_moments():
        bad("the permutation moments differ from full enumeration of a small example")
    with open(o.result) as f:
        res = json.load(f)
    p = res["parameters"]
    want = {"space_band_m": o.space_band, "space_bands": o.space_bands,
            "time_band_days": o.time_band, "time_bands": o.time_bands,
            "iterations": o.iterations, "metric": o.metric}
    for key, v in want.items():
        if p.get(key) != v:
            bad(f"the result states {key} {p.get(key)!r}, not {v!r}")
    if not str(p.get("intervals", "")).startswith(o.intervals):
        bad(f"the result states intervals {p.get('intervals')!r}, not {o.intervals}")

    x, y, day = events(o.files, set(o.type))
    n = len(x)
    P = n * (n - 1) // 2
    S, T, b, t, N = o.space_bands, o.time_bands, o.space_band, o.time_band, o.iterations
    obs, a_row, b_row, edge_gap, sub1 = bands(x, y, day, o)
    print(f"knox ({o.intervals} intervals, {o.metric}, {b:g} m x {S}, {t} days x {T}, "
          f"{N} iterations): events numpy {n}, cscc {res['data']['events']}; "
          f"pairs {P:,}; nearest distance to a band edge {edge_gap:.3g} m")
    if n != res["data"]["events"] or res["summary"]["pairs"] != P:
        bad("not the same events")
    close = int(obs[:S + 1].sum())
    if res["summary"]["close_pairs"] != close:
        bad(f"close pairs: cscc {res['summary']['close_pairs']}, numpy {close}")
    if o.intervals == "nrc":
        print(f"  {int(sub1.sum())} pairs lie between 0 and 1 m apart, {int(sub1[:T].sum())} of "
              f"them within {T * t} days: in the first band, as same location is distance 0 "
              f"(a reading of it as under 1 m would move those {int(sub1[:T].sum())})")

    cols = [c["name"] for c in res["columns"]]
    got = [dict(zip(cols, r)) for r in res["rows"]]
    if len(got) != (S + 2) * (T + 1):
        bad(f"{len(got)} rows, not {(S + 2) * (T + 1)}")
        print("knox: FAIL")
        return 1
    worst_obs, worst_z, worst_ratio, worst_rel, zs = 0, (0.0, None), 0.0, 0.0, []
    for s in range(S + 2):
        a1, a3 = int(a_row[:, s].sum()), int((a_row[:, s] ** 2).sum())
        for c in range(T + 1):
            r = got[s * (T + 1) + c]
            where = f"space band '{r['space_band']}', time band '{r['time_band']}'"
            # the bands' stated bounds
            lo_d = 0 if s == 0 else b * (s - 1) if s <= S else b * S
            hi_d = 0 if s == 0 else b * s if s <= S else None
            lo_t = 0 if c == 0 else t * c + 1
            hi_t = t * (c + 1) if c < T else None
            if (r["distance_from_m"], r["distance_to_m"], r["days_from"], r["days_to"]) != (
                    lo_d, hi_d, lo_t, hi_t):
                bad(f"{where}: bounds {r['distance_from_m']}-{r['distance_to_m']} m, "
                    f"{r['days_from']}-{r['days_to']} days; want {lo_d}-{hi_d}, {lo_t}-{hi_t}")
            # observed
            o_np = int(obs[s, c])
            worst_obs = max(worst_obs, abs(r["observed"] - o_np))
            if r["observed"] != o_np:
                bad(f"{where}: observed cscc {r['observed']}, numpy {o_np}")
            # the permutation mean against the exact one
            b1, b3 = int(b_row[:, c].sum()), int((b_row[:, c] ** 2).sum())
            mg, vg = moments(a1, a3, b1, b3, n)
            e, var = mg / 2, vg / 4
            se = math.sqrt(var / N)
            diff = r["mean_expected"] - float(e)
            z = diff / se if se > 0 else (0.0 if diff == 0 else math.inf)
            worst_rel = max(worst_rel, abs(diff) / float(e) if e else abs(diff))
            zs.append(z)
            if abs(z) > abs(worst_z[0]):
                worst_z = (z, f"{where}: cscc {r['mean_expected']:.6f}, exact {float(e):.6f}, "
                              f"se {se:.4g}")
            if abs(z) > o.sigmas:
                bad(f"{where}: mean expected cscc {r['mean_expected']}, exact {float(e)}, "
                    f"{z:.2f} standard errors (se {se:.4g})")
            # the ratio, p and the order of the permuted counts
            if r["mean_expected"] > 0:
                q = r["observed"] / r["mean_expected"]
                dr = abs(r["knox_ratio"] - q) / q if q else abs(r["knox_ratio"])
                worst_ratio = max(worst_ratio, dr)
                if dr > 1e-12:
                    bad(f"{where}: Knox ratio {r['knox_ratio']}, observed / mean {q}")
            pk = r["p_value"] * (N + 1)
            lo, hi = r["min_expected"], r["max_expected"]
            if (abs(pk - round(pk)) > 1e-6 or not 1 <= round(pk) <= N + 1
                    or (r["observed"] > hi and round(pk) != 1)
                    or (r["observed"] <= lo and round(pk) != N + 1)
                    or not lo <= r["median_expected"] <= hi or not lo <= r["mean_expected"] <= hi):
                bad(f"{where}: p {r['p_value']}, min {lo}, median {r['median_expected']}, "
                    f"mean {r['mean_expected']}, max {hi}, observed {r['observed']}: inconsistent")
    print(f"  observed pairs: {(S + 2) * (T + 1)} cells, max |cscc - numpy| {worst_obs} "
          f"(largest cell {int(obs.max()):,})")
    print(f"  mean expected against the exact permutation mean: max {abs(worst_z[0]):.2f} "
          f"standard errors of {N} iterations (limit {o.sigmas:g}; {worst_z[1]}); "
          f"root mean square {math.sqrt(sum(z * z for z in zs) / len(zs)):.2f} standard errors; "
          f"max relative difference {worst_rel:.3g}")
    print(f"  Knox ratio against observed / mean expected: max relative difference "
          f"{worst_ratio:.3g}")
    print("knox: " + ("ok" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
