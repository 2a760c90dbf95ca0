#!/usr/bin/env python3
"""An independent count of crime rows, to check `cscc query counts` against.

Reads City "Crimes" CSV exports (plain or gzip) with Python's csv module and
datetime, applies the same filters as `cscc query counts` and prints
"key[,key],count" lines sorted, one per non-empty group. Written from the
README's definitions, not from cscc's code.

Usage: count.py --by area[,month] [--from D] [--to D] [--type T]... [--fbi C]...
                [--dedupe] FILE...
Keys: area, year, month, day, hour, weekday, type, fbi, district, ward, beat.
"""
import argparse
import csv
import datetime
import gzip
import sys

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def open_any(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", newline="", encoding="utf-8-sig")
    return open(path, newline="", encoding="utf-8-sig")


def parse_date(s):
    s = s.strip()
    for fmt in ("%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(s, fmt)
        except ValueError:
            pass
    raise ValueError("bad date %r" % s)


def num(s):
    s = s.strip()
    if not s:
        return None
    return int(float(s))


def norm_fbi(s):
    s = s.strip().upper()
    if s and s[0].isdigit() and (len(s) == 1 or not s[1].isdigit()):
        s = "0" + s
    return s


def key_of(k, row, d):
    if k == "area":
        a = num(row["Community Area"])
        return "" if a in (None, 0) else str(a)
    if k == "year":
        return str(d.year)
    if k == "month":
        return d.strftime("%Y-%m")
    if k == "day":
        return d.strftime("%Y-%m-%d")
    if k == "hour":
        return str(d.hour)
    if k == "weekday":
        return WEEKDAYS[d.weekday()]
    if k == "type":
        return row["Primary Type"].strip()
    if k == "fbi":
        return norm_fbi(row["FBI Code"])
    if k in ("district", "ward"):
        v = num(row[k.capitalize()])
        return "" if v in (None, 0) else str(v)
    if k == "beat":
        v = num(row["Beat"])
        return "" if v is None else "%04d" % v
    raise SystemExit("unknown key " + k)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--by", default="")
    ap.add_argument("--from", dest="dfrom")
    ap.add_argument("--to", dest="dto")
    ap.add_argument("--type", action="append", default=[])
    ap.add_argument("--fbi", action="append", default=[])
    ap.add_argument("--dedupe", action="store_true", help="keep one row per ID (the last)")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    keys = [k for k in a.by.split(",") if k]
    dfrom = datetime.date.fromisoformat(a.dfrom) if a.dfrom else None
    dto = datetime.date.fromisoformat(a.dto) if a.dto else None
    types = {t.upper() for t in a.type}
    fbis = {norm_fbi(c) for c in a.fbi}
    rows = {}
    n = 0
    for path in a.files:
        with open_any(path) as f:
            for row in csv.DictReader(f):
                n += 1
                rid = row.get("ID", "").strip()
                rows[rid if (a.dedupe and rid) else ("#%d" % n)] = row
    counts = {}
    bad = 0
    for row in rows.values():
        try:
            d = parse_date(row["Date"])
        except ValueError:
            bad += 1  # cscc rejects these rows; so are they here
            continue
        if dfrom and d.date() < dfrom or dto and d.date() > dto:
            continue
        if types and row["Primary Type"].strip().upper() not in types:
            continue
        if fbis and norm_fbi(row["FBI Code"]) not in fbis:
            continue
        k = tuple(key_of(k, row, d) for k in keys)
        counts[k] = counts.get(k, 0) + 1
    if bad:
        sys.stderr.write("count.py: %d rows with a bad date left out\n" % bad)
    out = sorted(",".join(list(k) + [str(c)]) for k, c in counts.items())
    sys.stdout.write("".join(line + "\n" for line in out))


if __name__ == "__main__":
    main()
