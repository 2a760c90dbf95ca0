#!/usr/bin/env python3
"""An independent computation of `cscc analyze funding` and `cscc analyze
capacity-gap` from the fixture's files, for tests/integration/resources_cli.sh.

    resources_check.py funding --from D --to D --by area|strategy|quarter|year
        ALLOCS.csv SPENDING.csv POPULATION.csv PRIORITY.csv CSCC.json
    resources_check.py gap --from D --to D ORGS.json POPULATION.csv CSCC.json

Prints "ok" or the differences. The capacity gap takes each area's serious
victimizations from cscc's own output (they are checked against `analyze
priority` by the test); everything else is recomputed here.
"""
import csv
import datetime as dt
import json
import math
import sys

SECTORS = ["healthcare", "mental_health", "violence_reduction", "youth_services",
           "victim_services", "education", "faith", "business", "elected_officials",
           "city_services"]
STRATEGIES = ["employment", "community_revitalization", "violence_diversion",
              "violence_interruption", "social_services_navigation", "health_wellness",
              "education_youth"]


def day(s):
    return dt.date.fromisoformat(s)


def population(path):
    best = {}
    for r in csv.DictReader(open(path)):
        a, y = int(r["community_area"]), int(r["year"])
        if a not in best or y > best[a][0]:
            best[a] = (y, int(r["population"]))
    return {a: p for a, (y, p) in best.items()}


def split(areas, pop):
    """Shares of 1 among areas by residents (none: every area)."""
    areas = areas or sorted(pop)
    tot = sum(pop.get(a, 0) for a in areas)
    return {a: pop[a] / tot for a in areas if pop.get(a, 0) > 0} if tot else {}


def overlap(a0, a1, b0, b1):
    lo, hi = max(a0, b0), min(a1, b1)
    return (hi - lo).days + 1 if hi >= lo else 0


def close(x, y):
    if x is None or y is None:
        return x is None and y is None
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6)


def funding(args):
    frm, to, by = day(args[2]), day(args[4]), args[6]
    allocs, spends, popf, prif, got = args[7:12]
    pop = population(popf)
    pri = {int(r["community_area"]) for r in csv.DictReader(open(prif))}
    alloc = {}   # (area, strategy) -> dollars
    spent = {}
    buckets = {}  # label -> [allocated, priority]
    refs = {}
    for r in csv.DictReader(open(allocs)):
        a0, a1 = day(r["start"]), day(r["end"])
        amt = float(r["amount"])
        areas = [int(x) for x in r["areas"].split(";") if x]
        sh = split(areas, pop)
        refs[r["ref"]] = (sh, r["strategy"])
        inside = amt * overlap(a0, a1, frm, to) / ((a1 - a0).days + 1)
        for a, f in sh.items():
            alloc[(a, r["strategy"])] = alloc.get((a, r["strategy"]), 0) + inside * f
        if by in ("quarter", "year"):
            d = dt.date(frm.year, 1 if by == "year" else (frm.month - 1) // 3 * 3 + 1, 1)
            while d <= to:
                if by == "year":
                    nxt, label = dt.date(d.year + 1, 1, 1), str(d.year)
                else:
                    nxt = dt.date(d.year + (d.month == 10), (d.month + 2) % 12 + 1, 1)
                    label = "%dQ%d" % (d.year, (d.month - 1) // 3 + 1)
                b0, b1 = max(d, frm), min(nxt - dt.timedelta(days=1), to)
                part = amt * overlap(a0, a1, b0, b1) / ((a1 - a0).days + 1)
                row = buckets.setdefault(label, [0.0, 0.0])
                row[0] += part * sum(sh.values())
                row[1] += part * sum(f for a, f in sh.items() if a in pri)
                d = nxt
    for r in csv.DictReader(open(spends)):
        if not frm <= day(r["day"]) <= to:
            continue
        sh, st = refs[r["ref"]]
        for a, f in sh.items():
            spent[(a, st)] = spent.get((a, st), 0) + float(r["amount"]) * f
    res = json.load(open(got))
    cols = [c["name"] for c in res["columns"]]
    rows = [dict(zip(cols, r)) for r in res["rows"]]
    bad = []
    total = sum(alloc.values())
    prio = sum(v for (a, s), v in alloc.items() if a in pri)
    if not close(res["summary"]["allocated"], total):
        bad.append("allocated %r != %r" % (res["summary"]["allocated"], total))
    if not close(res["summary"]["spent"], sum(spent.values())):
        bad.append("spent %r != %r" % (res["summary"]["spent"], sum(spent.values())))
    if not close(res["summary"]["priority_share"], prio / total):
        bad.append("priority_share %r != %r" % (res["summary"]["priority_share"], prio / total))
    if by == "area":
        for a in sorted(pop):
            al = sum(v for (x, s), v in alloc.items() if x == a)
            sp = sum(v for (x, s), v in spent.items() if x == a)
            r = [r for r in rows if r["community_area"] == a]
            if len(r) != 1 or not close(r[0]["allocated"], al) or not close(r[0]["spent"], sp) \
                    or not close(r[0]["per_resident"], al / pop[a]) \
                    or r[0]["priority"] != (a in pri):
                bad.append("area %d: %r, want allocated %r spent %r" % (a, r, al, sp))
            elif r[0]["serious"] and not close(r[0]["per_serious"], al / r[0]["serious"]):
                bad.append("area %d per_serious %r" % (a, r[0]["per_serious"]))
    elif by == "strategy":
        for s in STRATEGIES:
            al = sum(v for (x, t), v in alloc.items() if t == s)
            pa = sum(v for (x, t), v in alloc.items() if t == s and x in pri)
            r = [r for r in rows if r["strategy"] == s]
            if len(r) != 1 or not close(r[0]["allocated"], al) \
                    or not close(r[0]["priority_allocated"], pa):
                bad.append("strategy %s: %r, want %r %r" % (s, r, al, pa))
    else:
        if [r["period"] for r in rows] != list(buckets):
            bad.append("periods %r != %r" % ([r["period"] for r in rows], list(buckets)))
        prev = None
        for r in rows:
            want = buckets.get(r["period"], [0, 0])
            ch = want[0] / prev - 1 if prev else None
            if not close(r["allocated"], want[0]) or not close(r["priority_allocated"], want[1]) \
                    or not close(r["change"], ch):
                bad.append("%s: %r, want %r change %r" % (r["period"], r, want, ch))
            prev = want[0]
    return bad


def gap(args):
    frm, to = day(args[2]), day(args[4])
    orgs, popf, got = args[5:8]
    pop = population(popf)
    years = (to.year - frm.year + 1) if (frm.month, frm.day, to.month, to.day) == (1, 1, 12, 31) \
        else ((to - frm).days + 1) / 365.2425
    cap = {}
    norg = {}
    for o in json.load(open(orgs)):
        sh = split(o["areas"], pop)
        for a, f in sh.items():
            for s in o["sectors"]:
                cap[(a, s)] = cap.get((a, s), 0) + o["capacity"] * f / len(o["sectors"])
                norg[(a, s)] = norg.get((a, s), 0) + 1
    res = json.load(open(got))
    cols = [c["name"] for c in res["columns"]]
    rows = [dict(zip(cols, r)) for r in res["rows"]]
    serious = {r["community_area"]: r["serious"] for r in rows}
    burden = {a: serious.get(a, 0) / years / pop[a] * 1e5 for a in pop}
    maxb = max(burden.values())
    want = []
    for s in SECTORS:
        per = {a: cap.get((a, s), 0) / pop[a] * 1e5 for a in pop}
        maxc = max(per.values())
        for a in pop:
            bs = burden[a] / maxb if maxb else 0
            cs = per[a] / maxc if maxc else 0
            # ordered as cscc documents: figures compared to 9 decimals
            want.append((-round(bs * (1 - cs) * 1e9), -round(bs * 1e9), round(per[a] * 1e9), a,
                         SECTORS.index(s), bs * (1 - cs),
                         norg.get((a, s), 0)))
    want.sort()
    bad = []
    if len(rows) != len(want):
        bad.append("%d rows, want %d" % (len(rows), len(want)))
    for i, (r, w) in enumerate(zip(rows, want)):
        if r["rank"] != i + 1 or r["community_area"] != w[3] or r["sector"] != SECTORS[w[4]] \
                or not close(r["gap_index"], w[5]) or r["organizations"] != w[6]:
            bad.append("rank %d: %r, want area %d %s index %r orgs %d" %
                       (i + 1, r, w[3], SECTORS[w[4]], w[5], w[6]))
            if len(bad) > 5:
                break
    return bad


if __name__ == "__main__":
    bad = funding(sys.argv[1:]) if sys.argv[1] == "funding" else gap(sys.argv[1:])
    print("ok" if not bad else "\n".join(bad[:10]))
