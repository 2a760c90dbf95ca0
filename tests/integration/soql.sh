#!/bin/bash
# `cscc soql`: datasets and ids, formats and headers, errors in Socrata's
# shape with their exit statuses, the victims dataset's access rules, layers
# published and withdrawn (coordinates rounded for the public), CSV formula
# neutralisation, and results against SQLite on the shipped portal sample.
. "$(dirname "$0")/lib.sh"

D="$T/var"
S="$CSCC_SRC/tests/data/crimes/portal_export_sample_2016-01-01_03.csv"
expect_status 0 "$CSCC" --data "$D" init
expect_status 0 "$CSCC" --data "$D" import crimes "$S"
expect_status 0 "$CSCC" --data "$D" import victims "$CSCC_SRC/tests/data/victims/victims.csv"

# --- the catalog ---
expect_status 0 "$CSCC" --data "$D" soql --list
expect_grep '^ijzp-q8t2,crimes,public,public,' "$T/out"
expect_grep '^gumc-mgzr,victims,aggregate,staff,' "$T/out"

# --- the answers agree with SQLite over the same CSV ---
if "$PY" "$TOOLS/soql_ref.py" "$CSCC" "$D" "$S" >"$T/ref.log" 2>&1; then pass; else
    fail "cscc soql differs from SQLite"; grep -v '^ok' "$T/ref.log" | head -20
fi

# --- formats and headers ---
expect_status 0 "$CSCC" --data "$D" soql ijzp-q8t2 --header '$select=primary_type,count(*)' \
    '$group=primary_type' '$order=count DESC' '$limit=2'
expect_grep '^Status: 200$' "$T/out"
expect_grep '^X-SODA2-Fields: \["primary_type","count"\]$' "$T/out"
expect_grep '^X-SODA2-Types: \["text","number"\]$' "$T/out"
expect_grep '^\{"primary_type":"BATTERY","count":"442"\},$' "$T/out"
expect_status 0 "$CSCC" --data "$D" soql ijzp-q8t2 --format csv '$select=id,arrest,date' \
    '$where=case_number = '"'HZ103159'"
expect_eq "csv" "$(cat "$T/out")" "$(printf 'id,arrest,date\n10367002,false,2016-01-03T23:57:00.000')"
expect_status 0 "$CSCC" --data "$D" soql ijzp-q8t2 --format geojson '$limit=5' '$order=id'
if "$PY" - "$T/out" <<'EOF'
import json, sys
g = json.load(open(sys.argv[1]))
assert g["type"] == "FeatureCollection" and len(g["features"]) == 5
for f in g["features"]:
    assert f["type"] == "Feature"
    assert f["geometry"] is None or (f["geometry"]["type"] == "Point" and
        -88 < f["geometry"]["coordinates"][0] < -87 and 41 < f["geometry"]["coordinates"][1] < 43)
    assert "location" not in f["properties"] and "id" in f["properties"]
EOF
then pass; else fail "GeoJSON is not an RFC 7946 FeatureCollection of points"; fi

# --- errors: Socrata's body, a status, an exit status ---
expect_status 65 "$CSCC" --data "$D" soql ijzp-q8t2 --header '$where=ward = '
expect_grep '^Status: 400$' "$T/out"
expect_grep '"code":"query.compiler.malformed","error":true,"message":"\$where: syntax error at position 8: expected a column, a value or a function, found end of input"' "$T/out"
expect_status 65 "$CSCC" --data "$D" soql ijzp-q8t2 'nosuch=1'
expect_grep '"code":"query.soql.no-such-column"' "$T/out"
expect_status 66 "$CSCC" --data "$D" soql abcd-efgh
expect_grep '"code":"not_found"' "$T/out"
expect_status 64 "$CSCC" --data "$D" soql ijzp-q8t2 'no-equals-sign'

# --- victims: never public; counts for the aggregate level; rows for staff ---
expect_status 77 "$CSCC" --data "$D" soql gumc-mgzr '$select=count(*)'
expect_grep '"code":"permission_denied"' "$T/out"
expect_status 77 "$CSCC" --data "$D" soql gumc-mgzr --access aggregate '$limit=5'
expect_status 0 "$CSCC" --data "$D" soql gumc-mgzr --access aggregate --format csv \
    '$select=gunshot_injury_i,count(*)' '$group=gunshot_injury_i'
expect_eq "victims by gunshot" "$(cat "$T/out")" "$(printf 'gunshot_injury_i,count\nNO,7\nYES,32')"
expect_status 65 "$CSCC" --data "$D" soql gumc-mgzr --access aggregate \
    '$select=unique_id,count(*)' '$group=unique_id'
expect_status 0 "$CSCC" --data "$D" soql gumc-mgzr --access staff '$select=unique_id' '$limit=1'
expect_grep 'HOM-JE100000' "$T/out"
if grep -rq ZZNAME "$T/out"; then fail "a victim's name came out"; else pass; fi

# --- a layer: unpublished (404 to the public), published, withdrawn ---
{ echo 'ID,NAME,LATITUDE,LONGITUDE'
  echo '1,=HYPERLINK("http://x"),41.8803791,-87.7524952'
  echo '2,Corner store,41.8617171,-87.7213861'
} >"$T/l.csv"
expect_status 0 "$CSCC" --data "$D" import layer shops "$T/l.csv" --lat LATITUDE --lon LONGITUDE --id ID
id=$("$CSCC" --data "$D" soql --list | awk -F, '$2 == "layer_shops" { print $1 }')
expect_status 66 "$CSCC" --data "$D" soql "$id" '$limit=1'
expect_status 0 "$CSCC" --data "$D" soql "$id" --access staff --format csv '$select=name,latitude' '$order=id'
expect_grep '^"'"'"'=HYPERLINK\(""http://x""\)",41.8803791$' "$T/out"
expect_status 0 "$CSCC" --data "$D" soql --publish shops
expect_status 0 "$CSCC" --data "$D" soql "$id" --format csv '$select=name,latitude,longitude,location' '$order=id'
expect_eq "public layer" "$(cat "$T/out")" "$(printf '%s\n' 'name,latitude,longitude,location' \
    "\"'=HYPERLINK(\"\"http://x\"\")\",41.88,-87.752,POINT (-87.752 41.88)" \
    'Corner store,41.862,-87.721,POINT (-87.721 41.862)')"
# the public cannot find a finer location through a filter either
expect_status 0 "$CSCC" --data "$D" soql "$id" '$select=count(*)' \
    '$where=latitude = 41.8803791'
expect_grep '"count":"0"' "$T/out"
expect_status 0 "$CSCC" --data "$D" soql --publish shops --id shop-2024
expect_status 0 "$CSCC" --data "$D" soql shop-2024 '$select=count(*)'
expect_grep '"count":"2"' "$T/out"
expect_status 64 "$CSCC" --data "$D" soql --publish shops --id ijzp-q8t2
expect_status 0 "$CSCC" --data "$D" soql --unpublish shops
expect_status 66 "$CSCC" --data "$D" soql shop-2024 '$select=count(*)'
finish
