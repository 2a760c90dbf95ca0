#!/usr/bin/env python3
"""Checks `cscc soql` against SQLite over the same portal CSV export.

Usage: soql_ref.py CSCC DATA_DIR CSV

DATA_DIR holds CSV imported as crimes. The CSV is loaded into an in-memory
SQLite table with the portal's API field names (Python's sqlite3 module, an
independent engine), and each case below runs as SoQL through `cscc soql
--format csv` and as SQL, and the rows are compared: text exactly, numbers
within 1e-9 (relative), in order when the case orders its rows, as sets
otherwise. Prints one line per case; exit status 1 if any differs.
"""
import csv
import math
import sqlite3
import subprocess
import sys
from datetime import datetime


def iso(s):
    if not s:
        return None
    return datetime.strptime(s, "%m/%d/%Y %I:%M:%S %p").strftime("%Y-%m-%dT%H:%M:%S")


def num(s, conv=int):
    if s == "":
        return None
    return conv(float(s)) if conv is int else conv(s)


def haversine(la1, lo1, la2, lo2):
    if la2 is None or lo2 is None:
        return None
    r = math.pi / 180
    a = (math.sin((la2 - la1) * r / 2) ** 2 +
         math.cos(la1 * r) * math.cos(la2 * r) * math.sin((lo2 - lo1) * r / 2) ** 2)
    return 2 * 6371008.8 * math.asin(math.sqrt(min(a, 1)))


def load(path):
    db = sqlite3.connect(":memory:")
    db.create_function("dist", 4, haversine)
    db.execute("""create table c (id integer, case_number text, date text, block text,
        iucr text, primary_type text, description text, location_description text,
        arrest integer, domestic integer, beat text, district text, ward integer,
        community_area text, fbi_code text, x_coordinate integer, y_coordinate integer,
        year integer, updated_on text, latitude real, longitude real)""")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        db.execute("insert into c values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
            num(r["ID"]), r["Case Number"] or None, iso(r["Date"]), r["Block"] or None,
            r["IUCR"] or None, r["Primary Type"] or None, r["Description"] or None,
            r["Location Description"] or None, r["Arrest"] == "true", r["Domestic"] == "true",
            r["Beat"] or None, r["District"] or None, num(r["Ward"]), r["Community Area"] or None,
            r["FBI Code"] or None, num(r["X Coordinate"]), num(r["Y Coordinate"]),
            num(r["Year"]), iso(r["Updated On"]), num(r["Latitude"], float),
            num(r["Longitude"], float)))
    return db, len(rows)


# (SoQL parameters, SQL, ordered?)
CASES = [
    (["$select=count(*)"], "select count(*) from c", False),
    (["$select=primary_type,count(*)", "$group=primary_type", "$order=count DESC, primary_type"],
     "select primary_type, count(*) n from c group by 1 order by n desc, primary_type", True),
    (["$select=community_area,count(*) AS n",
      "$where=primary_type in ('THEFT','BATTERY') and arrest = false",
      "$group=community_area", "$order=community_area"],
     "select community_area, count(*) from c where primary_type in ('THEFT','BATTERY') "
     "and not arrest group by 1 order by community_area is null, community_area", True),
    (["$select=date_trunc_ymd(date) AS day, count(*), min(date), max(date)", "$group=day",
      "$order=day"],
     "select substr(date,1,10)||'T00:00:00', count(*), min(date), max(date) from c "
     "group by 1 order by 1", True),
    (["$select=id,date,block",
      "$where=date between '2016-01-02T06:00:00' and '2016-01-02T07:30:00'", "$order=date,id"],
     "select id, date, block from c where date between '2016-01-02T06:00:00' and "
     "'2016-01-02T07:30:00' order by date, id", True),
    (["$select=count(*)", "$where=ward IS NULL"], "select count(*) from c where ward is null",
     False),
    (["$select=count(*)", "$where=latitude is not null and ward is not null"],
     "select count(*) from c where latitude is not null and ward is not null", False),
    (["$select=count(*)", "$where=block like '%MADISON%'"],
     "select count(*) from c where block like '%MADISON%'", False),
    (["$select=count(*)", "$where=block not like '0%_ST'"],
     "select count(*) from c where block not glob '0*?ST'", False),
    (["$select=district,count(*)", "$where=district='006' OR district = '011'",
      "$group=district"],
     "select district, count(*) from c where district in ('006','011') group by 1", False),
    (["$select=count(*)", "$where=within_circle(location, 41.8781, -87.6298, 2000)"],
     "select count(*) from c where dist(41.8781, -87.6298, latitude, longitude) <= 2000",
     False),
    (["$select=fbi_code, avg(latitude), sum(x_coordinate), min(block), max(primary_type), "
      "count(latitude)", "$group=fbi_code", "$order=fbi_code"],
     "select fbi_code, avg(latitude), sum(x_coordinate), min(block), max(primary_type), "
     "count(latitude) from c group by 1 order by 1", True),
    (["$select=id,primary_type",
      "$where=not (primary_type = 'THEFT' or primary_type = 'BATTERY') and domestic",
      "$order=id DESC", "$limit=7", "$offset=3"],
     "select id, primary_type from c where not (primary_type = 'THEFT' or "
     "primary_type = 'BATTERY') and domestic order by id desc limit 7 offset 3", True),
    (["primary_type=THEFT", "$select=count(*)"],
     "select count(*) from c where primary_type = 'THEFT'", False),
    (["$select=year,count(*)", "$group=year"], "select year, count(*) from c group by 1", False),
    (["$select=beat, count(*)", "$group=beat", "$order=count desc, beat", "$limit=5"],
     "select beat, count(*) n from c group by 1 order by n desc, beat limit 5", True),
    (["$select=count(*)", "$where=updated_on > '2016-01-10T08:46:55'"],
     "select count(*) from c where updated_on > '2016-01-10T08:46:55'", False),
    (["$select=date_trunc_ym(date) as m, count(*)", "$group=m"],
     "select substr(date,1,7)||'-01T00:00:00', count(*) from c group by 1", False),
    (["$select=count(*)", "$where=id between 10366000 and 10367000"],
     "select count(*) from c where id between 10366000 and 10367000", False),
    (["$select=count(*)", "$where=fbi_code not in ('06','08B') AND NOT arrest"],
     "select count(*) from c where fbi_code not in ('06','08B') and not arrest", False),
    (["$select=ward, count(*)", "$where=ward >= 40 and ward < 45 and x_coordinate > 1160000",
      "$group=ward", "$order=ward"],
     "select ward, count(*) from c where ward >= 40 and ward < 45 and x_coordinate > 1160000 "
     "group by 1 order by 1", True),
    (["$select=case_number, location_description",
      "$where=location_description in ('STREET','SIDEWALK') and date < '2016-01-01T02:00:00'",
      "$order=case_number"],
     "select case_number, location_description from c where location_description in "
     "('STREET','SIDEWALK') and date < '2016-01-01T02:00:00' order by case_number", True),
    (["$select=primary_type, count(*)", "$where=date >= '2016-01-03T00:00:00'",
      "$group=primary_type", "$order=count(*) DESC, primary_type", "$limit=4"],
     "select primary_type, count(*) n from c where date >= '2016-01-03T00:00:00' "
     "group by 1 order by n desc, primary_type limit 4", True),
]


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(int(v)) if v == int(v) and abs(v) < 2**53 else repr(v)
    if isinstance(v, str) and len(v) == 19 and v[4] == "-" and v[10] == "T":
        return v + ".000"
    return str(v)


def same(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))


def main():
    cscc, data, path = sys.argv[1:4]
    db, n = load(path)
    bad = 0
    for params, sql, ordered in CASES:
        p = subprocess.run([cscc, "--data", data, "soql", "ijzp-q8t2", "--format", "csv"] + params,
                           capture_output=True, text=True)
        if p.returncode:
            print(f"FAIL {params}: exit {p.returncode}: {p.stderr.strip()}")
            bad += 1
            continue
        got = list(csv.reader(p.stdout.splitlines()))[1:]
        want = [[fmt(v) for v in r] for r in db.execute(sql)]
        if not ordered:
            got.sort()
            want.sort()
        ok = len(got) == len(want) and all(
            len(g) == len(w) and all(same(x, y) for x, y in zip(g, w)) for g, w in zip(got, want))
        if not ok or not want:
            print(f"FAIL {params}\n    cscc:   {got[:5]}\n    sqlite: {want[:5]}")
            bad += 1
        else:
            print(f"ok   {' '.join(params)}  ({len(got)} rows)")
    print(f"{len(CASES) - bad} cases agree, {bad} differ ({n} rows in {path})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
