#!/usr/bin/env python3
"""rfc7946_check.py FILE - checks a GeoJSON export of community areas against RFC 7946:
a FeatureCollection of Features, no "crs" member (WGS 84 longitude, latitude only),
Polygon or MultiPolygon geometries whose positions are [longitude, latitude] inside
Chicago, linear rings closed with four or more positions, exterior rings counter-
clockwise and holes clockwise (the right-hand rule, section 3.1.6), properties an
object. Prints "ok" or the first problems."""
import json
import sys


def ring_area(ring):
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:])) / 2


def main():
    d = json.load(open(sys.argv[1]))
    bad = []
    if d.get("type") != "FeatureCollection" or not isinstance(d.get("features"), list):
        bad.append("not a FeatureCollection")
    if "crs" in d:
        bad.append("a crs member (RFC 7946 has none)")
    for i, f in enumerate(d.get("features", [])):
        if f.get("type") != "Feature" or not isinstance(f.get("properties"), dict):
            bad.append("feature %d: not a Feature with properties" % i)
            continue
        g = f.get("geometry")
        if g is None:
            bad.append("feature %d: no geometry" % i)
            continue
        polys = [g["coordinates"]] if g["type"] == "Polygon" else (
            g["coordinates"] if g["type"] == "MultiPolygon" else None)
        if polys is None:
            bad.append("feature %d: geometry %s" % (i, g["type"]))
            continue
        for p in polys:
            for k, ring in enumerate(p):
                if len(ring) < 4 or ring[0] != ring[-1]:
                    bad.append("feature %d: a ring not closed or too short" % i)
                if not all(-88.0 < x < -87.4 and 41.6 < y < 42.1 for x, y, *_ in ring):
                    bad.append("feature %d: a position not [lon, lat] in Chicago" % i)
                a = ring_area(ring)
                if (k == 0 and a <= 0) or (k > 0 and a >= 0):
                    bad.append("feature %d: ring %d against the right-hand rule" % (i, k))
    print("ok" if not bad else "; ".join(bad[:5]))


main()
