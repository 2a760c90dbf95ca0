#!/bin/bash
# Victims (names never stored) and point layers (lat/lon, projected x/y,
# dates with a format, --where filters, --id, re-import).
. "$(dirname "$0")/lib.sh"

D="$T/var"
V="$CSCC_SRC/tests/data/victims/victims.csv"
expect_status 0 "$CSCC" --data "$D" init

# --- victims ---
expect_status 0 "$CSCC" --data "$D" import victims "$V"
expect_grep 'read 41 rows: 39 new, 0 updated, 0 unchanged, 2 rejected' "$T/err"
expect_grep 'rejected 1: unknown COMMUNITY_AREA name' "$T/err"
expect_grep 'rejected 1: bad date' "$T/err"
expect_grep 'placed from coordinates for 1 rows' "$T/err"
# the fixture's homicide victims are named ZZNAME...: no byte of a name is kept
if grep -q ZZNAME "$D/tables/victims.cst" "$D"/rejects/* "$D/cscc.db"*; then
    fail "a victim's name was stored"
else
    pass
fi
rej=$(ls "$D"/rejects/victims-*.csv)
expect_grep "victims.csv,41,41,unknown COMMUNITY_AREA name,COMMUNITY_AREA,'ATLANTIS',$" "$rej"
expect_grep "victims.csv,42,42,bad date,DATE,'02/30/2021 01:00:00 AM',$" "$rej"
expect_status 0 "$CSCC" --data "$D" import victims "$V"
expect_grep '0 new, 0 updated, 39 unchanged' "$T/err"
# a crimes export is refused with a hint
expect_status 65 "$CSCC" --data "$D" import victims "$CSCC_SRC/tests/data/crimes/quirks.csv"
expect_grep "is a crimes export, not a victims export" "$T/err"

# --- a layer in projected metres, dates in day/month/year ---
B="$CSCC_SRC/tests/data/geo/burglary_2016_xy_head.csv"
expect_status 0 "$CSCC" --data "$D" import layer burglary "$B" --x x --y y --units m \
    --date date_single --date-format %d/%m/%Y
expect_grep 'read 100 rows: 100 new' "$T/err"
expect_grep 'placed from coordinates for 100 rows; 0 rows have none' "$T/err"
expect_status 0 "$CSCC" --data "$D" import layer burglary "$B" --x x --y y --units m \
    --date date_single --date-format %d/%m/%Y
expect_grep '0 new, 0 updated, 100 unchanged' "$T/err"
# wrong format: each row rejected, and nothing imported
expect_status 65 "$CSCC" --data "$D" import layer burglary2 "$B" --x x --y y --units m \
    --date date_single --date-format %Y-%m-%d
expect_grep '100 of 100 rows were rejected' "$T/err"

# --- a layer with lat/lon, --where and --id ---
{ echo 'ID,LICENSE DESCRIPTION,LATITUDE,LONGITUDE,ADDRESS'
  echo '1-A,Tavern,41.880379,-87.752495,"5000 W MADISON ST, 1F"'
  echo '2-A,Package Goods,41.861717,-87.721386,1400 S AVERS AVE'
  echo '3-A,Retail Food Establishment,41.782507,-87.648501,6100 S SANGAMON ST'
  echo '4-A,tavern,,,NO PLACE'
  echo '5-A,Tavern,91.0,-87.6,BAD'
} >"$T/lic.csv"
expect_status 0 "$CSCC" --data "$D" import layer liquor "$T/lic.csv" --lat LATITUDE --lon LONGITUDE \
    --id ID --where "LICENSE DESCRIPTION=Tavern" --where "LICENSE DESCRIPTION=Package Goods" \
    --max-rejected 50
expect_grep 'read 5 rows: 3 new, 0 updated, 0 unchanged, 1 rejected' "$T/err"
expect_grep '1 rows were left out by --where' "$T/err"
expect_grep 'rejected 1: bad latitude' "$T/err"
expect_grep 'placed from coordinates for 2 rows; 1 rows have none' "$T/err"
# the layer's columns are kept: the address with its comma is in the table
if grep -q '5000 W MADISON ST, 1F' "$D/tables/layer_liquor.cst"; then pass; else fail "layer column lost"; fi

# --- usage errors ---
expect_status 64 "$CSCC" --data "$D" import layer liquor "$T/lic.csv"
expect_grep 'a layer needs its coordinates' "$T/err"
expect_status 64 "$CSCC" --data "$D" import layer Bad_Name "$T/lic.csv" --lat LATITUDE --lon LONGITUDE
expect_grep "layer name 'Bad_Name' must be" "$T/err"
expect_status 64 "$CSCC" --data "$D" import layer x "$B" --x x --y y
expect_grep 'need either --units m|ft or --crs' "$T/err"
expect_status 65 "$CSCC" --data "$D" import layer x "$T/lic.csv" --lat LAT --lon LONGITUDE
expect_grep "has no column 'LAT' \(given with --lat\)" "$T/err"
expect_status 64 "$CSCC" --data "$D" import layer x "$T/lic.csv" --lat LATITUDE --lon LONGITUDE --where nothing
expect_grep "--where takes COLUMN=VALUE" "$T/err"

# provenance names layers as layer:NAME
"$CSCC" --data "$D" imports --dataset layer:liquor --json >"$T/imp.json"
expect_eq "layer imports" "$(wc -l <"$T/imp.json")" "1"
finish
