#!/usr/bin/env python3
"""weapons_layer.py CRIMES.csv.gz - a layer for the risk terrain tests: the weapons
violations (FBI code 15) of a crimes export with a location, as CSV (id, date, lat,
lon) on stdout, for `cscc import layer weapons FILE --lat lat --lon lon --id id --date date
--date-format %m/%d/%Y`."""
import csv
import gzip
import sys

w = csv.writer(sys.stdout)
w.writerow(["id", "date", "lat", "lon"])
for row in csv.DictReader(gzip.open(sys.argv[1], "rt", newline="")):
    if row["FBI Code"] == "15" and row["Latitude"]:
        w.writerow([row["ID"], row["Date"][:10], row["Latitude"], row["Longitude"]])
