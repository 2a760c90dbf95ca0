#!/usr/bin/env python3
"""An independent computation of `cscc analyze trends` and `analyze priority`,
to check cscc against. Written from the README's definitions, not from
cscc's code: Python's csv, datetime and math only.

trends:   trends.py trends --from D --to D [--fbi C]... FILE...
          prints "unit,area,count,prior,year_ago,prior_p,year_ago_p" per area
          with any count, then priority/rest/citywide (areas from --priority).
priority: trends.py priority --from D --to D --top N --homicides FILE
          --shootings FILE --areas GEOJSON
          homicide rows (FBI 01A) of a crimes file plus non-lethal rows of the
          gunshot-victims file placed in areas by ray casting; prints the top
          N area numbers, one a line.
The p-value is R's poisson.test: binomial(n, t1/(t1+t2)) given n, two-sided
by summing outcomes no more likely than the observed one.
"""
import argparse
import csv
import datetime
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import count  # noqa: E402  (the shared readers of the counts check)
from count import norm_fbi, open_any  # noqa: E402


def parse_date(s):
    """count.py's parser, plus the gunshot-victims file's "...Z" times."""
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1]
    return count.parse_date(s).date()


def area_of(v):
    v = v.strip()
    if not v:
        return None
    a = int(float(v))
    return a if a > 0 else None


def year_before(d):
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def lpmf(k, n, p):
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * math.log(p) + (n - k) * math.log1p(-p))


def poisson_test(a, ta, b, tb):
    n = a + b
    if n == 0:
        return 1.0
    p = ta / (ta + tb)
    d = lpmf(a, n, p) + math.log1p(1e-7)
    total = 0.0
    # every outcome no more likely than a's (n is at most a few hundred
    # thousand here: summing them all is fine)
    for k in range(n + 1):
        lk = lpmf(k, n, p)
        if lk <= d:
            total += math.exp(lk)
    return min(1.0, total)


def cmd_trends(args):
    d0 = datetime.date.fromisoformat(args.date_from)
    d1 = datetime.date.fromisoformat(args.date_to)
    length = (d1 - d0).days + 1
    periods = [(d0, d1), (d0 - datetime.timedelta(days=length), d0 - datetime.timedelta(days=1)),
               (year_before(d0), year_before(d1))]
    fbi = set(norm_fbi(c) for c in args.fbi)
    counts = [dict(), dict(), dict()]
    seen = set()
    areas = load_areas(args.areas) if args.areas else None
    for path in args.files:
        with open_any(path) as f:
            for row in csv.DictReader(f):
                key = row.get("ID") or (row["Case Number"], row["Date"], row["IUCR"])
                if key in seen:
                    continue
                seen.add(key)
                if fbi and norm_fbi(row["FBI Code"]) not in fbi:
                    continue
                d = parse_date(row["Date"])
                a = area_of(row["Community Area"])
                if a is None and areas and row["Latitude"].strip():
                    # as the README says: rows without an area are placed by coordinates
                    a = place(areas, float(row["Longitude"]), float(row["Latitude"]))
                for i, (lo, hi) in enumerate(periods):
                    if lo <= d <= hi:
                        counts[i][a] = counts[i].get(a, 0) + 1
    lens = [(hi - lo).days + 1 for lo, hi in periods]
    pri = set(int(x) for x in args.priority.split(",")) if args.priority else set()

    def line(unit, area, c):
        print("%s,%s,%d,%d,%d,%.12g,%.12g" % (unit, area, c[0], c[1], c[2],
                                              poisson_test(c[0], lens[0], c[1], lens[1]),
                                              poisson_test(c[0], lens[0], c[2], lens[2])))

    arealist = sorted(a for a in set().union(*counts) if a is not None)
    for a in arealist:
        line("area", a, [counts[i].get(a, 0) for i in range(3)])
    groups = {"priority": lambda a: a in pri, "rest": lambda a: a is not None and a not in pri,
              "citywide": lambda a: True}
    for g, keep in groups.items():
        line(g, "", [sum(v for a, v in counts[i].items() if keep(a)) for i in range(3)])


def point_in_ring(x, y, ring):
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def load_areas(path):
    with open(path) as f:
        gj = json.load(f)
    out = []
    for feat in gj["features"]:
        props = feat["properties"]
        num = int(props["area"])
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        xs = [p[0] for poly in polys for p in poly[0]]
        ys = [p[1] for poly in polys for p in poly[0]]
        out.append((num, polys, (min(xs), min(ys), max(xs), max(ys))))
    return out


def place(areas, lon, lat):
    for num, polys, (x0, y0, x1, y1) in areas:
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            continue
        for poly in polys:
            if point_in_ring(lon, lat, poly[0]) and not any(
                    point_in_ring(lon, lat, hole) for hole in poly[1:]):
                return num
    return None


def cmd_priority(args):
    d0 = datetime.date.fromisoformat(args.date_from)
    d1 = datetime.date.fromisoformat(args.date_to)
    counts = {}
    seen = set()
    with open_any(args.homicides) as f:
        for row in csv.DictReader(f):
            if row["ID"] in seen:
                continue
            seen.add(row["ID"])
            if norm_fbi(row["FBI Code"]) != "01A":
                continue
            if d0 <= parse_date(row["Date"]) <= d1:
                a = area_of(row["Community Area"])
                counts[a] = counts.get(a, 0) + 1
    areas = load_areas(args.areas)
    with open_any(args.shootings) as f:
        for row in csv.DictReader(f):
            if row["shooting_type"] != "nonlethal":
                continue
            if not d0 <= parse_date(row["datetime"]) <= d1:
                continue
            a = place(areas, float(row["lng"]), float(row["lat"]))
            counts[a] = counts.get(a, 0) + 1
    ranked = sorted(((-v, a) for a, v in counts.items() if a is not None))
    for v, a in ranked[:args.top]:
        print("%d,%d" % (a, -v))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("trends")
    t.add_argument("--from", dest="date_from", required=True)
    t.add_argument("--to", dest="date_to", required=True)
    t.add_argument("--fbi", action="append", default=[])
    t.add_argument("--priority", default="")
    t.add_argument("--areas", help="community areas GeoJSON, to place rows without an area")
    t.add_argument("files", nargs="+")
    p = sub.add_parser("priority")
    p.add_argument("--from", dest="date_from", required=True)
    p.add_argument("--to", dest="date_to", required=True)
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--homicides", required=True)
    p.add_argument("--shootings", required=True)
    p.add_argument("--areas", required=True)
    args = ap.parse_args()
    cmd_trends(args) if args.cmd == "trends" else cmd_priority(args)


if __name__ == "__main__":
    main()
