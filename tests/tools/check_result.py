#!/usr/bin/env python3
"""Checks one analysis result written three ways by `cscc analyze NAME`.

    check_result.py NAME RESULT.csv RESULT.json RESULT.geojson [options]

- JSON: the members every result has (analysis, parameters, data, seed,
  summary, warnings, columns, rows); the data used names its source, period
  (from, to), rows selected and points (= rows selected - rows without a
  location) and the CRS; the options below add expectations.
- CSV: the header is the JSON's columns and every row holds the same values.
- GeoJSON (RFC 7946): a FeatureCollection with no "crs" member, one Feature a
  row whose properties are the row; with --geometry polygon every feature has
  a Polygon or MultiPolygon whose positions are [longitude, latitude] in WGS84
  inside Chicago (longitude -87.95..-87.5, latitude 41.6..42.05), whose
  linear rings are closed, have 4 or more positions and follow the
  right-hand rule (exterior counterclockwise, holes clockwise); with
  --geometry none every geometry is null. The foreign member "cscc" repeats
  the JSON's parameters, data, seed and summary.

Options:
  --geometry polygon|none
  --seed N|null          the seed the result must state
  --param KEY=VALUE      a parameter the result must state (repeatable)
  --data KEY=VALUE       an entry of the data used (repeatable)
  --summary KEY          a summary entry that must be there (repeatable)
  --min-rows N           at least N rows

Prints what is wrong and exits 1, else prints "ok NAME: R rows".
Standard library only; written from the README's description of results.
"""
import argparse
import csv
import json
import math
import sys

problems = []


def bad(msg):
    problems.append(msg)


def same_value(a, b):
    """A JSON value against a CSV cell's text."""
    if a is None:
        return b in ("", "null", "NaN", "nan")
    if isinstance(a, bool):
        return b == ("true" if a else "false")
    if isinstance(a, (int, float)):
        try:
            v = float(b)
        except ValueError:
            return False
        if math.isnan(v):
            return False
        return v == a or abs(v - a) <= 1e-12 * max(1.0, abs(a))
    return str(a) == b


def same_json(a, b):
    """Two JSON values, numbers within 1e-12 relative."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or abs(a - b) <= 1e-12 * max(1.0, abs(a))
    return a == b


def ring_area2(ring):
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
               for i in range(len(ring) - 1))


def check_polygon(where, rings):
    if not isinstance(rings, list) or not rings:
        bad(f"{where}: a polygon needs at least one ring")
        return
    for k, ring in enumerate(rings):
        if not isinstance(ring, list) or len(ring) < 4:
            bad(f"{where} ring {k}: a linear ring has 4 or more positions")
            return
        for p in ring:
            if (not isinstance(p, list) or len(p) != 2
                    or not all(isinstance(v, (int, float)) for v in p)):
                bad(f"{where} ring {k}: position {p!r} is not [lon, lat]")
                return
            lon, lat = p
            if not (-87.95 <= lon <= -87.5 and 41.6 <= lat <= 42.05):
                bad(f"{where} ring {k}: position {p!r} is not [longitude, latitude] in Chicago")
                return
        if ring[0] != ring[-1]:
            bad(f"{where} ring {k}: not closed ({ring[0]} .. {ring[-1]})")
        a = ring_area2(ring)
        if k == 0 and not a > 0:
            bad(f"{where}: the exterior ring is not counterclockwise (RFC 7946 3.1.6)")
        if k > 0 and not a < 0:
            bad(f"{where}: hole {k} is not clockwise (RFC 7946 3.1.6)")


def keyval(items):
    out = {}
    for it in items:
        k, _, v = it.partition("=")
        out[k] = v
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("csv")
    ap.add_argument("json")
    ap.add_argument("geojson")
    ap.add_argument("--geometry", choices=["polygon", "none"], required=True)
    ap.add_argument("--seed")
    ap.add_argument("--param", action="append", default=[])
    ap.add_argument("--data", action="append", default=[])
    ap.add_argument("--summary", action="append", default=[])
    ap.add_argument("--min-rows", type=int, default=1)
    a = ap.parse_args()

    with open(a.json) as f:
        j = json.load(f)
    for k in ("analysis", "parameters", "data", "seed", "summary", "warnings", "columns", "rows"):
        if k not in j:
            bad(f"json: no member '{k}'")
    if problems:
        return
    if j["analysis"] != a.name:
        bad(f"json: analysis is {j['analysis']!r}, not {a.name!r}")
    if not j["parameters"]:
        bad("json: no parameters")
    d = j["data"]
    for k in ("source", "from", "to", "timezone", "rows_selected", "rows_without_location",
              "points", "crs"):
        if k not in d:
            bad(f"json: the data used has no '{k}'")
    if all(k in d for k in ("rows_selected", "rows_without_location", "points")):
        if d["points"] != d["rows_selected"] - d["rows_without_location"]:
            bad("json: points != rows_selected - rows_without_location")
    for k, v in keyval(a.param).items():
        got = j["parameters"].get(k)
        if got is None or not same_value(got, v):
            bad(f"json: parameter {k} is {got!r}, want {v!r}")
    for k, v in keyval(a.data).items():
        got = d.get(k)
        if got is None or not same_value(got, v):
            bad(f"json: data {k} is {got!r}, want {v!r}")
    for k in a.summary:
        if k not in j["summary"]:
            bad(f"json: the summary has no '{k}'")
    if a.seed is not None:
        want = None if a.seed == "null" else int(a.seed)
        if j["seed"] != want:
            bad(f"json: seed is {j['seed']!r}, want {want!r}")
    cols = [c["name"] for c in j["columns"]]
    rows = j["rows"]
    if len(rows) < a.min_rows:
        bad(f"json: {len(rows)} rows, want at least {a.min_rows}")
    for i, r in enumerate(rows):
        if len(r) != len(cols):
            bad(f"json: row {i} has {len(r)} values for {len(cols)} columns")
            break

    # CSV: the same table
    with open(a.csv, newline="") as f:
        cr = list(csv.reader(f))
    if not cr or cr[0] != cols:
        bad(f"csv: header {cr[0] if cr else None} is not the columns {cols}")
    elif len(cr) - 1 != len(rows):
        bad(f"csv: {len(cr) - 1} rows, json {len(rows)}")
    else:
        for i, (jr, c) in enumerate(zip(rows, cr[1:])):
            for k, (x, y) in enumerate(zip(jr, c)):
                if not same_value(x, y):
                    bad(f"csv row {i + 1} column {cols[k]}: {y!r}, json {x!r}")
                    break
            if len(problems) > 10:
                break

    # GeoJSON
    with open(a.geojson) as f:
        g = json.load(f)
    if g.get("type") != "FeatureCollection":
        bad("geojson: not a FeatureCollection")
        return
    if "crs" in g:
        bad("geojson: RFC 7946 has no 'crs' member (coordinates are WGS84)")
    meta = g.get("cscc", {})
    for k in ("analysis", "parameters", "data", "seed", "summary"):
        if not same_json(meta.get(k), j[k]) and json.dumps(meta.get(k)) != json.dumps(j[k]):
            # summaries hold floats: compare member by member
            if isinstance(j[k], dict) and isinstance(meta.get(k), dict) and \
                    j[k].keys() == meta[k].keys() and \
                    all(same_json(meta[k][x], j[k][x]) for x in j[k]):
                continue
            bad(f"geojson: cscc.{k} differs from the json result")
    feats = g.get("features")
    if not isinstance(feats, list) or len(feats) != len(rows):
        bad(f"geojson: {len(feats) if isinstance(feats, list) else None} features, "
            f"json {len(rows)} rows")
        return
    for i, (ft, r) in enumerate(zip(feats, rows)):
        where = f"geojson feature {i}"
        if ft.get("type") != "Feature":
            bad(f"{where}: not a Feature")
            break
        props = ft.get("properties")
        if not isinstance(props, dict) or list(props.keys()) != cols or \
                not all(same_json(props[c], v) for c, v in zip(cols, r)):
            bad(f"{where}: properties {props!r} are not the row {r!r}")
            break
        geom = ft.get("geometry", "missing")
        if a.geometry == "none":
            if geom is not None:
                bad(f"{where}: geometry should be null")
                break
            continue
        if not isinstance(geom, dict):
            bad(f"{where}: no geometry")
            break
        if geom.get("type") == "Polygon":
            check_polygon(where, geom.get("coordinates"))
        elif geom.get("type") == "MultiPolygon":
            for k, poly in enumerate(geom.get("coordinates") or []):
                check_polygon(f"{where} polygon {k}", poly)
        else:
            bad(f"{where}: geometry type {geom.get('type')!r}, want Polygon or MultiPolygon")
        if len(problems) > 10:
            break


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError, KeyError, TypeError) as e:
        bad(f"cannot check: {e!r}")
    if problems:
        for p in problems[:20]:
            print("  " + p)
        sys.exit(1)
    print("ok " + sys.argv[1])
