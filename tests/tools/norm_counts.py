#!/usr/bin/env python3
"""Turns `cscc query counts --format csv` output (stdin) into the form count.py
prints: the key columns (without the area's name) and the count, only
non-empty groups, sorted. The header row is checked, not printed."""
import csv
import sys

r = csv.reader(sys.stdin)
header = next(r)
if "count" not in header:
    sys.exit("no count column in header: %r" % header)
ci = header.index("count")
skip = {i for i, h in enumerate(header) if h in ("name", "rate_per_100k")}
out = []
for row in r:
    if int(row[ci]) == 0:
        continue
    out.append(",".join(v for i, v in enumerate(row) if i not in skip and i != ci) +
               ("," if ci else "") + row[ci])
out = [line[1:] if line.startswith(",") else line for line in out]
sys.stdout.write("".join(line + "\n" for line in sorted(out)))
