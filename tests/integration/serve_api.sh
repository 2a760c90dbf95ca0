#!/bin/bash
# cscc serve: every endpoint of the API and every error path, against the
# bundled real sample; counts equal `cscc query counts` byte for byte.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
make_data "$D"
# Staff see exact counts (the public's have small cells withheld: serve_access.sh).
STAFF=(-H "Authorization: Bearer $(api_token "$D" ana analyst)")
start_server "$D" || { finish; exit 1; }

# ---- health, index, metrics
expect_code 200 /healthz
expect_eq "healthz status" "$(jq_ 'd["status"]')" "ok"
expect_eq "healthz crimes rows" "$(jq_ 'd["tables"]["crimes"]["rows"]')" "91984"
expect_eq "healthz generation" "$(jq_ 'd["tables"]["crimes"]["generation"]')" "1"
expect_eq "healthz not cached" "$(header Cache-Control)" "no-store"
expect_code 200 /api/v1
expect_eq "index lists every route" "$(jq_ 'len(d["routes"])')" "$(grep -c '^    {"/' "$CSCC_SRC/src/http/routes.c")"
expect_eq "index lists the dashboard" "$(jq_ '[r["path"] for r in d["routes"]][-3:]')" "['/static/*', '/', '/{page}']"
expect_eq "index names roles" "$(jq_ 'd["routes"][0]["role"]')" "public"

# ---- areas
expect_code 200 /api/v1/areas
expect_eq "areas" "$(jq_ 'len(d["areas"])')" "77"
expect_eq "area 25" "$(jq_ '[a for a in d["areas"] if a["number"]==25][0]["name"]')" "Austin"
expect_eq "priority areas" "$(jq_ 'sum(1 for a in d["areas"] if a["priority"])')" "15"
expect_eq "content type" "$(header Content-Type)" "application/json"
expect_code 200 "/api/v1/areas?format=geojson"
expect_eq "FeatureCollection" "$(jq_ 'd["type"], len(d["features"])')" "('FeatureCollection', 77)"
expect_eq "geometry" "$(jq_ 'd["features"][24]["geometry"]["type"], d["features"][24]["properties"]["name"]')" "('MultiPolygon', 'Austin')"
expect_eq "geojson content type" "$(header Content-Type)" "application/geo+json"
expect_code 200 /api/v1/areas/25
expect_eq "one area" "$(jq_ 'd["type"], d["id"], d["properties"]["name"], d["properties"]["priority"]')" "('Feature', 25, 'Austin', True)"
# a boundary that closes, in longitude/latitude order (RFC 7946)
expect_eq "ring closed, lon first" "$(jq_ '(lambda r: (r[0]==r[-1], -88<r[0][0]<-87, 41<r[0][1]<43))(d["geometry"]["coordinates"][0][0])')" "(True, True, True)"
expect_error 404 not_found None /api/v1/areas/78
expect_error 404 not_found None /api/v1/areas/0
expect_error 404 not_found None /api/v1/areas/abc
expect_error 400 bad_parameter format "/api/v1/areas?format=kml"

# ---- counts: the same answer as the CLI, every option
same_as_cli() { # WHAT QUERY-STRING CLI-ARGS...
    local what=$1 qs=$2; shift 2
    req "/api/v1/counts?$qs" "${STAFF[@]}"
    "$CSCC" --data "$D" query counts "$@" >"$T/cli" 2>/dev/null
    if [ "$CODE" == 200 ] && cmp -s "$T/body" "$T/cli"; then pass; else
        fail "counts $what: status $CODE, differs from the CLI"; diff "$T/body" "$T/cli" | head -5
    fi
}
same_as_cli "by year" "by=year&format=csv" --by year
same_as_cli "json" "by=area" --by area --format json
same_as_cli "two keys" "by=area,month&from=2017-01-01&to=2017-06-30&format=csv" \
    --by area,month --from 2017-01-01 --to 2017-06-30
same_as_cli "types" "by=type&type=ROBBERY&type=HOMICIDE&format=json" \
    --by type --type ROBBERY --type HOMICIDE --format json
same_as_cli "fbi and areas" "by=fbi&fbi=03&fbi=01A&area=25&area=29,23&format=csv" \
    --by fbi --fbi 03 --fbi 01A --area 25 --area 29 --area 23
same_as_cli "category, priority, rate" "by=area&category=homicide&priority=true&rate=true&population=census2010" \
    --by area --category homicide --priority --rate --population census2010 --format json
same_as_cli "every key" "by=weekday,hour&format=csv" --by weekday,hour
same_as_cli "week" "by=week&from=2018-01-01&to=2018-03-31" --by week --from 2018-01-01 --to 2018-03-31 --format json
same_as_cli "no key" "format=csv" 
same_as_cli "beat, district, ward" "by=district,ward&format=csv" --by district,ward
same_as_cli "day" "by=day&from=2016-02-01&to=2016-02-29&format=csv" --by day --from 2016-02-01 --to 2016-02-29
req "/api/v1/counts?by=year&format=csv"
expect_eq "csv content type" "$(header Content-Type)" "text/csv; charset=utf-8"
expect_grep 'filename="counts.csv"' "$T/hdr"

# GeoJSON of counts by area: a Feature an area, with its boundary and count
expect_code 200 "/api/v1/counts?by=area&from=2017-01-01&to=2017-12-31&format=geojson"
expect_eq "counts geojson" "$(jq_ 'd["type"], len(d["features"])')" "('FeatureCollection', 77)"
expect_eq "counts geojson total" "$(jq_ 'sum(f["properties"]["count"] for f in d["features"])')" "32760"
expect_eq "austin feature" "$(jq_ '[ (f["properties"]["name"], f["geometry"]["type"]) for f in d["features"] if f["properties"]["community_area"]==25][0]')" "('Austin', 'MultiPolygon')"
expect_error 400 bad_parameter format "/api/v1/counts?by=month&format=geojson"
expect_error 400 bad_parameter format "/api/v1/counts?format=geojson"

# bad parameters: 400 naming the field
expect_error 400 bad_parameter nope "/api/v1/counts?nope=1"
expect_error 400 bad_parameter by "/api/v1/counts?by=colour"
expect_error 400 bad_parameter by "/api/v1/counts?by=area,month,year"
expect_error 400 bad_parameter by "/api/v1/counts?by=area,area"
expect_error 400 bad_parameter from "/api/v1/counts?from=2017-02-30"
expect_error 400 bad_parameter from "/api/v1/counts?from=2017-02-01&from=2017-03-01"
expect_error 400 bad_parameter from "/api/v1/counts?from=2018-01-01&to=2017-01-01"
expect_error 400 bad_parameter area "/api/v1/counts?area=255"
expect_error 400 bad_parameter area "/api/v1/counts?area=99"
expect_error 400 bad_parameter category "/api/v1/counts?category=nonsense"
expect_error 400 bad_parameter population "/api/v1/counts?rate=true&population=census1850"
expect_error 400 bad_parameter rate "/api/v1/counts?rate=maybe"
expect_error 400 bad_parameter format "/api/v1/counts?format=xml"
expect_error 400 bad_parameter type "/api/v1/counts?type="
expect_error 400 bad_request by "/api/v1/counts?by=%zz"
expect_error 400 bad_request from "/api/v1/counts?from=%zz"

# ---- CSV cells that a spreadsheet would run as formulas are neutralised
F="$T/formula.csv"
head -1 "$CSCC_SRC/tests/data/crimes/portal_export_sample_2016-01-01_03.csv" >"$F"
printf '%s\n' '99000001,ZZ000001,01/02/2016 10:00:00 AM,001XX W MADISON ST,0486,=HYPERLINK("http://x"),DOMESTIC BATTERY SIMPLE,STREET,false,true,0111,001,42,32,08B,1175000,1900000,2016,01/10/2016 08:46:55 AM,41.88,-87.63,"(41.88, -87.63)"' \
    '99000002,ZZ000002,01/02/2016 11:00:00 AM,001XX W MADISON ST,0486,@SUM(A1),DOMESTIC BATTERY SIMPLE,STREET,false,true,0111,001,42,32,08B,1175000,1900000,2016,01/10/2016 08:46:55 AM,41.88,-87.63,"(41.88, -87.63)"' >>"$F"
D2="$T/var2"
make_data "$D2" "$F"
STAFF2=(-H "Authorization: Bearer $(api_token "$D2" ana analyst)")
stop_server
start_server "$D2" || { finish; exit 1; }
expect_code 200 "/api/v1/counts?by=type&format=csv" "${STAFF2[@]}"
expect_grep "^\"'=HYPERLINK\(\"\"http://x\"\"\)\",1$" "$T/body"
expect_grep "^'@SUM\(A1\),1$" "$T/body"
expect_code 200 "/api/v1/analyses/counts?by=type&format=csv" "${STAFF2[@]}"
expect_grep "^'@SUM\(A1\),1$" "$T/body"
# the public's answer: the same neutralised labels, the small counts withheld
expect_code 200 "/api/v1/counts?by=type&format=csv"
expect_grep "^'@SUM\(A1\),,1$" "$T/body"
stop_server
start_server "$D" || { finish; exit 1; }

# ---- analyses
expect_code 200 /api/v1/analyses
expect_eq "analyses listed" "$(jq_ '[a["name"] for a in d["analyses"]]')" "['counts', 'trends', 'priority', 'kde', 'gistar', 'moran', 'knox', 'rtm', 'pai', 'capacity-gap', 'funding']"
expect_eq "rtm and pai have geojson" "$(jq_ '[a["formats"] for a in d["analyses"] if a["name"] in ("rtm", "pai")]')" "[['json', 'csv', 'geojson'], ['json', 'csv', 'geojson']]"
expect_eq "rtm's factors are repeatable" "$(jq_ '[(p["name"], p["repeatable"]) for a in d["analyses"] if a["name"]=="rtm" for p in a["parameters"] if p["name"] in ("proximity", "density", "distance", "table")]')" "[('proximity', True), ('density', True), ('distance', True), ('table', False)]"
expect_eq "knox has no geojson" "$(jq_ '[a["formats"] for a in d["analyses"] if a["name"]=="knox"][0]')" "['json', 'csv']"
expect_code 200 "/api/v1/analyses/counts?by=area&from=2016-01-01&to=2016-12-31"
cp "$T/body" "$T/get.json"
expect_eq "analysis result" "$(jq_ 'd["analysis"], d["summary"]["total"], d["parameters"]["by"]')" "('counts', 31719, 'area')"
expect_code 200 /api/v1/analyses/counts -X POST -H 'Content-Type: application/json' \
    --data '{"by":["area"],"from":"2016-01-01","to":"2016-12-31"}'
if cmp -s "$T/body" "$T/get.json"; then pass; else fail "POST and GET of an analysis differ"; fi
expect_code 200 "/api/v1/analyses/counts?by=area&format=geojson"
expect_eq "analysis geojson" "$(jq_ 'd["type"], d["cscc"]["analysis"], d["features"][0]["geometry"]["type"]')" "('FeatureCollection', 'counts', 'MultiPolygon')"
expect_code 200 "/api/v1/analyses/counts?by=month&format=csv"
expect_grep '^month,count$' "$T/body"
expect_error 404 not_found None /api/v1/analyses/nosuch
# The spatial analyses: staff's answer is the CLI's, byte for byte, for the
# same options (the API spells --all-cells all_cells, a flag =true).
same_as_cli() { # QUERY CLI-ARGS...
    local q=$1; shift
    expect_code 200 "/api/v1/analyses/$q" "${STAFF[@]}"
    "$CSCC" --data "$D" analyze "$@" --output "$T/cli.out" 2>/dev/null
    if cmp -s "$T/body" "$T/cli.out"; then pass; else fail "$q differs from cscc analyze $*"; fi
}
same_as_cli "kde?from=2017-01-01&to=2017-12-31&category=violent&cell=500&bandwidth=800" \
    kde --from 2017-01-01 --to 2017-12-31 --category violent --cell 500 --bandwidth 800 --format json
same_as_cli "kde?category=violent&type=ROBBERY&grid=100&exact=true&all_cells=true&extent=points" \
    kde --category violent --type ROBBERY --grid 100 --exact --all-cells --extent points --format json
same_as_cli "kde?from=2017-01-01&to=2017-12-31&grid=120x150&format=geojson" \
    kde --from 2017-01-01 --to 2017-12-31 --grid 120x150 --format geojson
same_as_cli "gistar?from=2017-01-01&to=2017-12-31&category=violent&cell=500" \
    gistar --from 2017-01-01 --to 2017-12-31 --category violent --cell 500 --format json
same_as_cli "gistar?category=violent&cell=400&knn=8&no_fdr=true&area=25&area=26&format=csv" \
    gistar --category violent --cell 400 --knn 8 --no-fdr --area 25 --area 26 --format csv
same_as_cli "gistar?from=2017-01-01&to=2017-12-31&category=violent&areas=true&rook=true" \
    gistar --from 2017-01-01 --to 2017-12-31 --category violent --areas --rook --format json
same_as_cli "moran?category=violent&permutations=199&seed=5" \
    moran --category violent --permutations 199 --seed 5 --format json
same_as_cli "moran?category=violent&rate=true&rook=true&permutations=99&alpha=0.1&format=geojson" \
    moran --category violent --rate --rook --permutations 99 --alpha 0.1 --format geojson
same_as_cli "knox?fbi=03&from=2017-01-01&to=2017-03-31&iterations=19&seed=3" \
    knox --fbi 03 --from 2017-01-01 --to 2017-03-31 --iterations 19 --seed 3 --format json
same_as_cli "knox?fbi=03&from=2017-01-01&to=2017-03-31&iterations=9&metric=manhattan&intervals=nrc&space_band=200&space_bands=2&time_band=7&time_bands=3&format=csv" \
    knox --fbi 03 --from 2017-01-01 --to 2017-03-31 --iterations 9 --metric manhattan \
    --intervals nrc --space-band 200 --space-bands 2 --time-band 7 --time-bands 3 --format csv
expect_code 200 /api/v1/analyses/knox -X POST -H 'Content-Type: application/json' "${STAFF[@]}" \
    --data '{"fbi":"03","from":"2017-01-01","to":"2017-03-31","iterations":19,"seed":"3"}'
"$CSCC" --data "$D" analyze knox --fbi 03 --from 2017-01-01 --to 2017-03-31 --iterations 19 \
    --seed 3 --format json --output "$T/cli.out" 2>/dev/null
if cmp -s "$T/body" "$T/cli.out"; then pass; else fail "knox by POST differs from the CLI"; fi
expect_error 400 bad_parameter bandwidth "/api/v1/analyses/kde?bandwidth=abc" "${STAFF[@]}"
expect_error 400 bad_parameter grid "/api/v1/analyses/kde?cell=100&grid=50" "${STAFF[@]}"
expect_error 400 bad_parameter grid "/api/v1/analyses/gistar?grid=0x5" "${STAFF[@]}"
expect_error 400 bad_parameter rook "/api/v1/analyses/gistar?rook=true" "${STAFF[@]}"
expect_error 400 bad_parameter extent "/api/v1/analyses/kde?extent=city" "${STAFF[@]}"
expect_error 400 bad_parameter iterations "/api/v1/analyses/knox?iterations=1000" "${STAFF[@]}"
expect_error 400 bad_parameter cell "/api/v1/analyses/moran?cell=500" "${STAFF[@]}"
expect_error 400 bad_parameter layer "/api/v1/analyses/kde?layer=No/Such" "${STAFF[@]}"
expect_error 404 not_found layer "/api/v1/analyses/kde?layer=nosuch" "${STAFF[@]}"
# the CRS must be projected and in metres (degrees and feet would be labelled metres)
expect_error 400 bad_parameter crs "/api/v1/analyses/kde?crs=EPSG:4326&bandwidth=500" "${STAFF[@]}"
expect_grep 'crs EPSG:4326 is geographic \(degrees\); give a projected CRS in metres' "$T/body"
expect_error 400 bad_parameter crs "/api/v1/analyses/kde?crs=EPSG:3857&bandwidth=500" "${STAFF[@]}"
expect_grep 'crs EPSG:3857 does not keep distances in the city' "$T/body"
expect_error 400 bad_parameter crs "/api/v1/analyses/gistar?crs=EPSG:3435&cell=500" "${STAFF[@]}"
expect_grep "crs EPSG:3435 measures its axes in the unit 'US survey foot'" "$T/body"
expect_error 400 bad_parameter crs "/api/v1/analyses/gistar?crs=EPSG:4326&category=violent"
# nothing to analyse: 400 naming the filter to widen, for staff and the public alike (the
# analyst page marks that field), not a 200 with an empty or all-zero table
for an in "kde?bandwidth=500&" "gistar?cell=500&" "gistar?areas=true&" moran? knox?; do
    expect_error 400 bad_parameter type "/api/v1/analyses/${an}type=NOSUCH" "${STAFF[@]}"
    expect_grep "no events match the filters: type=NOSUCH \(no row has primary type 'NOSUCH'\); widen type" "$T/body"
    expect_error 400 bad_parameter type "/api/v1/analyses/${an}type=NOSUCH"
done
expect_error 400 bad_parameter from "/api/v1/analyses/kde?from=2030-01-01&to=2030-12-31&category=violent&bandwidth=500"
expect_grep "no events match the filters: from=2030-01-01 to=2030-12-31 category=violent; widen from/to or category" "$T/body"
# a period that ends before it starts: 400 naming from, from every analysis that takes one
for an in kde gistar moran knox counts trends priority; do
    expect_error 400 bad_parameter from "/api/v1/analyses/$an?from=2017-02-01&to=2017-01-01" "${STAFF[@]}"
    expect_grep "from 2017-02-01 is after to 2017-01-01: the period ends before it starts" "$T/body"
done
# the public: the crimes only, no fine KDE, few knox iterations, no tiny selections
expect_error 403 forbidden layer "/api/v1/analyses/kde?layer=nosuch"
expect_error 403 forbidden victims "/api/v1/analyses/knox?victims=true"
expect_error 403 forbidden bandwidth "/api/v1/analyses/kde?bandwidth=150"
expect_error 403 forbidden iterations "/api/v1/analyses/knox?iterations=100"
expect_error 403 forbidden None "/api/v1/analyses/kde?type=HOMICIDE&area=25&from=2017-03-01&to=2017-03-31&bandwidth=500"
expect_code 200 "/api/v1/analyses/gistar?category=violent&cell=500"
expect_eq "public gi*: bins, no counts or z" "$(jq_ '[(r[c.index("count")], r[c.index("gi_z")], r[c.index("p_value")], type(r[c.index("gi_bin")]).__name__) for r in [d["rows"][0]] for c in [[x["name"] for x in d["columns"]]]][0]')" "(None, None, None, 'int')"
expect_error 400 bad_parameter bogus "/api/v1/analyses/counts?bogus=1"
expect_error 400 bad_body by /api/v1/analyses/counts -X POST -H 'Content-Type: application/json' --data '{"by":{"x":1}}'
expect_error 400 bad_body None /api/v1/analyses/counts -X POST -H 'Content-Type: application/json' --data '{"by":'
expect_error 400 bad_body None /api/v1/analyses/counts -X POST -H 'Content-Type: application/json' --data '[[[[[[[[[[["deep"]]]]]]]]]]]'
expect_error 400 bad_body None /api/v1/analyses/counts -X POST -H 'Content-Type: application/json' --data '"text"'
expect_error 400 bad_parameter colour /api/v1/analyses/counts -X POST -H 'Content-Type: application/json' --data '{"colour":"red"}'
expect_error 400 bad_request None "/api/v1/analyses/counts?by=area" -X POST -H 'Content-Type: application/json' --data '{"by":"area"}'
expect_error 415 unsupported_media_type None /api/v1/analyses/counts -X POST -H 'Content-Type: text/plain' --data 'by=area'

# ---- import provenance
expect_code 200 /api/v1/imports
expect_eq "imports" "$(jq_ 'len(d["imports"]), d["imports"][0]["status"], d["imports"][0]["rows_new"]')" "(1, 'ok', 91984)"
expect_eq "file names only" "$(jq_ '[f["path"] for f in d["imports"][0]["files"]]')" "['crimes_violent_2016.csv.gz', 'crimes_violent_2017.csv.gz', 'crimes_violent_2018.csv.gz']"
if grep -q "$CSCC_SRC" "$T/body"; then fail "imports show server paths"; else pass; fi
expect_code 200 "/api/v1/imports?dataset=crimes&limit=1"
expect_eq "imports filtered" "$(jq_ 'len(d["imports"])')" "1"
expect_code 200 "/api/v1/imports?dataset=victims"
expect_eq "no victims imports" "$(jq_ 'len(d["imports"])')" "0"
expect_code 200 /api/v1/imports/1
expect_eq "one import" "$(jq_ 'd["id"], d["generation"]')" "(1, 1)"
expect_error 404 not_found None /api/v1/imports/999
expect_error 404 not_found None /api/v1/imports/x
expect_error 400 bad_parameter limit "/api/v1/imports?limit=0"
# a refused import's message names the rejects file: by its name, not where it is on the server
mkdir -p "$T/uploads-src"
cp "$CSCC_SRC/tests/data/crimes/upload_malformed.csv" "$T/uploads-src/"
expect_status 65 "$CSCC" -q --data "$D" import crimes "$T/uploads-src/upload_malformed.csv"
expect_code 200 "/api/v1/imports?dataset=crimes&limit=1"
expect_eq "refused import" "$(jq_ 'd["imports"][0]["status"], d["imports"][0]["rejects_file"]')" "('failed', 'crimes-2.csv')"
expect_eq "message names the file" "$(jq_ '"See the rejects file crimes-2.csv (or" in d["imports"][0]["message"]')" "True"
if grep -q "$T\|$CSCC_SRC" "$T/body"; then fail "a refused import shows server paths"; grep -o '"message":"[^"]*"' "$T/body"; else pass; fi

# ---- the Socrata datasets: the same answers as cscc soql, Socrata's headers and errors
q='$select=primary_type,count(*)&$group=primary_type&$order=count%20desc&$limit=3'
expect_code 200 "/resource/ijzp-q8t2.json?$q"
want=$("$CSCC" --data "$D" soql ijzp-q8t2 '$select=primary_type,count(*)' '$group=primary_type' \
    '$order=count desc' '$limit=3')
expect_eq "/resource answers as cscc soql" "$(jq_ 'json.dumps(d)')" \
    "$("$PY" -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])))' "$want")"
expect_eq "X-SODA2-Fields" "$(header X-SODA2-Fields)" '["primary_type","count"]'
expect_eq "X-SODA2-Types" "$(header X-SODA2-Types)" '["text","number"]'
expect_code 200 "/resource/ijzp-q8t2.csv?\$select=id,primary_type&\$limit=2&\$order=id"
expect_eq "CSV of two rows" "$(wc -l <"$T/body" | tr -d ' ')" "3"
expect_eq "CSV content type" "$(header Content-Type)" "text/csv; charset=utf-8"
expect_code 200 "/resource/ijzp-q8t2.geojson?\$limit=2"
expect_eq "GeoJSON of two features" "$(jq_ 'd["type"], len(d["features"])')" "('FeatureCollection', 2)"
expect_code 400 "/resource/ijzp-q8t2.json?\$where=primary_type%20%3D"
expect_eq "Socrata's error shape" "$(jq_ 'd["error"], d["code"].startswith("query."), "$where" in d["message"]')" \
    "(True, True, True)"
expect_code 404 /resource/xxxx-yyyy.json
expect_eq "unknown dataset" "$(jq_ 'd["code"]')" "not_found"
# multi-line SoQL: tab, CR and LF in a parameter are white space
expect_code 200 "/resource/ijzp-q8t2.json?\$select=count(*)&\$where=ward=28%20AND%20arrest=true"
one=$(jq_ 'd[0]["count"]')
expect_eq "arrests in ward 28" "$(jq_ 'int(d[0]["count"]) > 0')" "True"
expect_code 200 "/resource/ijzp-q8t2.json?\$select=count(*)&\$where=ward=28%0AAND%09arrest=true%0D%0A"
expect_eq "a multi-line \$where" "$(jq_ 'd[0]["count"]')" "$one"
# other control characters are refused, in Socrata's shape, naming the parameter
expect_code 400 "/resource/ijzp-q8t2.json?\$where=ward=28%00"
expect_eq "a control character" "$(jq_ 'd["error"], d["code"], d["data"]["parameter"], d["message"]')" \
    "(True, 'bad_request', '\$where', \"a control character (0x00) is not allowed in parameter '\$where' (only tab, CR and LF are)\")"
# errors quoting input are UTF-8 JSON: a character whole, a stray byte by its value
utf8_json() { PYTHONIOENCODING=utf-8 "$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))["message"])' "$T/body" 2>&1; }
utf8_error() { # QUERY WANT: the error of $where=QUERY is UTF-8 JSON, its message holds WANT
    expect_code 400 "/resource/ijzp-q8t2.json?\$where=$1"
    local m; m=$(utf8_json)
    case "$m" in *"$2"*) pass ;; *) fail "\$where=$1: message '$m' lacks '$2'" ;; esac
}
utf8_error '%C3%A9%20%3D%201' "position 1: expected a column, a value or a function, found 'é'"
utf8_error '%E4%B8%AD' "found '中'"
utf8_error '%C2%A0' "found '$(printf '\xc2\xa0')'"
utf8_error '%FF=1' '$where: byte 0xFF at position 1 is not UTF-8'
utf8_error 'primary_type=%27abc' 'position 14: the text starting there is not closed with a quote'
expect_code 404 "/resource/%FF%FE.json"
expect_eq "a dataset id that is not UTF-8" "$(utf8_json)" 'there is no published dataset '"'"'\xFF\xFE'"'"
expect_code 404 /resource/ijzp-q8t2.xml

# ---- methods, paths
expect_error 404 not_found None /api/v1/nothing
expect_error 404 not_found None /api/v1/counts/
expect_error 405 method_not_allowed None /api/v1/counts -X DELETE
expect_eq "Allow" "$(header Allow)" "GET, HEAD"
expect_error 405 method_not_allowed None /api/v1/analyses/counts -X PUT
expect_eq "Allow of analyses" "$(header Allow)" "GET, HEAD, POST"
expect_code 200 "/api/v1/counts?by=year" -I
expect_eq "HEAD has no body" "$(grep -c '"rows"' "$T/body")" "0"
expect_grep '^Content-Length: [0-9]+' "$T/hdr"
expect_error 413 too_large None "/api/v1/counts?by=year" -H 'Content-Type: application/json' --data-binary '{}' -X GET

# ---- ETag, 304, gzip, the cache
req "/api/v1/counts?by=area,year"
etag=$(header ETag)
cp "$T/body" "$T/plain"
expect_eq "cacheable" "$(header Cache-Control)" "public, no-cache"
expect_code 304 "/api/v1/counts?by=area,year" -H "If-None-Match: $etag"
expect_eq "304 has no body" "$(wc -c <"$T/body")" "0"
expect_code 304 "/api/v1/counts?by=area,year" -H "If-None-Match: \"x\", W/$etag"
expect_code 200 "/api/v1/counts?by=area,year" -H 'If-None-Match: "other"'
req "/api/v1/counts?by=area,year" -H 'Accept-Encoding: gzip'
expect_eq "gzip" "$(header Content-Encoding)" "gzip"
gunzip -c "$T/body" >"$T/unz"
if cmp -s "$T/unz" "$T/plain"; then pass; else fail "gzip body differs"; fi
gz_etag=$(header ETag)
[ "$gz_etag" != "$etag" ] && pass || fail "gzip and identity share an ETag"
expect_code 304 "/api/v1/counts?by=area,year" -H 'Accept-Encoding: gzip' -H "If-None-Match: $gz_etag"
req "/api/v1/counts?by=area,year" -H 'Accept-Encoding: gzip;q=0, br'
expect_eq "gzip refused with q=0" "$(header Content-Encoding)" ""
# the same query in another order is the same cache entry
req /metrics
h1=$(sed -n 's/^cscc_http_cache_hits_total //p' "$T/body")
req "/api/v1/counts?from=2016-06-01&by=area,year"
req "/api/v1/counts?by=area,year&from=2016-06-01"
req /metrics
h2=$(sed -n 's/^cscc_http_cache_hits_total //p' "$T/body")
expect_eq "cache hits" "$((h2 - h1))" "1"

# ---- metrics: the Prometheus text format
expect_error 400 bad_parameter nope "/api/v1/counts?nope=1"
req /metrics
expect_eq "metrics content type" "$(header Content-Type)" "text/plain; version=0.0.4; charset=utf-8"
expect_grep '^cscc_http_requests_total\{route="counts",status="200"\} [0-9]+$' "$T/body"
expect_grep '^cscc_http_requests_total\{route="counts",status="400"\} [0-9]+$' "$T/body"
expect_grep '^cscc_http_requests_total\{route="none",status="404"\} [0-9]+$' "$T/body"
expect_grep '^cscc_http_request_duration_seconds_bucket\{route="counts",le="\+Inf"\} [0-9]+$' "$T/body"
expect_grep '^cscc_http_requests_in_flight 1$' "$T/body"
expect_grep '^cscc_table_generation\{table="crimes"\} 1$' "$T/body"
expect_grep '^cscc_table_rows\{table="crimes"\} 91984$' "$T/body"
bad=$(grep -vE '^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+)$' "$T/body" | head -3)
expect_eq "every metrics line well-formed" "$bad" ""

# ---- rtm and pai: staff get the CLI's answer byte for byte; the rest are refused
# A layer for the risk terrain (as analyze_spatial.sh): the sample's weapons
# violations (FBI 15) of 2016. Imported here, after the import provenance checks.
"$PY" "$TOOLS/weapons_layer.py" "${SAMPLE[0]}" >"$T/weapons.csv"
stop_server
expect_status 0 "$CSCC" --data "$D" import layer weapons "$T/weapons.csv" --lat lat --lon lon \
    --id id --date date --date-format %m/%d/%Y
"$CSCC" -q --data "$D" user add dept --role department --department Streets --no-password
DEPT=(-H "Authorization: Bearer $("$CSCC" -q --data "$D" user token-add dept t)")
COORD=(-H "Authorization: Bearer $(api_token "$D" coord coordinator)")
start_server "$D" || { finish; exit 1; }
RTM="category=robbery&from=2017-01-01&to=2017-12-31&proximity=weapons:200&proximity=weapons:400&distance=weapons&cell=300"
RTM_CLI=(--category robbery --from 2017-01-01 --to 2017-12-31 --proximity weapons:200
    --proximity weapons:400 --distance weapons --cell 300)
same_as_cli "rtm?$RTM" rtm "${RTM_CLI[@]}" --format json
same_as_cli "rtm?$RTM&format=geojson" rtm "${RTM_CLI[@]}" --format geojson
same_as_cli "rtm?$RTM&table=factors&format=csv" rtm "${RTM_CLI[@]}" --table factors --format csv
same_as_cli "rtm?category=violent&density=weapons&proximity=weapons:300&cell=500&table=factors" \
    rtm --category violent --density weapons --proximity weapons:300 --cell 500 --table factors \
    --format json
expect_eq "rtm: a relative risk per factor" "$(jq_ '[k for k in d["summary"] if k.startswith("rr_")], [r[0] for r in d["rows"]]')" \
    "(['rr_density_weapons', 'rr_proximity_weapons'], ['(intercept)', 'weapons', 'weapons'])"
same_as_cli "rtm?category=violent&density=weapons:800&grid=60x70&area=25&area=26&format=csv" \
    rtm --category violent --density weapons:800 --grid 60x70 --area 25 --area 26 --format csv
same_as_cli "rtm?fbi=03&distance=weapons&density=weapons&extent=points&cell=400&crs=EPSG:26916&format=geojson" \
    rtm --fbi 03 --distance weapons --density weapons --extent points --cell 400 --crs EPSG:26916 \
    --format geojson
# by POST, repeated parameters as an array, numbers as numbers
expect_code 200 /api/v1/analyses/rtm -X POST -H 'Content-Type: application/json' "${STAFF[@]}" \
    --data '{"category":"robbery","from":"2017-01-01","to":"2017-12-31","proximity":["weapons:200","weapons:400"],"distance":"weapons","cell":300}'
"$CSCC" --data "$D" analyze rtm "${RTM_CLI[@]}" --format json --output "$T/cli.out" 2>/dev/null
if cmp -s "$T/body" "$T/cli.out"; then pass; else fail "rtm by POST differs from the CLI"; fi
expect_code 200 "/api/v1/analyses/rtm?$RTM&table=factors" "${COORD[@]}"
PAI="category=violent&train_from=2016-01-01&train_to=2016-12-31&test_from=2017-01-01&test_to=2017-12-31"
PAI_CLI=(--category violent --train-from 2016-01-01 --train-to 2016-12-31 --test-from 2017-01-01
    --test-to 2017-12-31)
same_as_cli "pai?$PAI&coverage=2" pai "${PAI_CLI[@]}" --coverage 2 --format json
expect_eq "pai: the indices" "$(jq_ 'sorted(k for k in d["summary"] if k in ("pai", "pai_max", "pei"))')" \
    "['pai', 'pai_max', 'pei']"
same_as_cli "pai?$PAI&coverage=2&format=csv" pai "${PAI_CLI[@]}" --coverage 2 --format csv
same_as_cli "pai?$PAI&method=kde&format=geojson" pai "${PAI_CLI[@]}" --method kde --format geojson
same_as_cli "pai?$PAI&method=kde&bandwidth=600&cell=300" \
    pai "${PAI_CLI[@]}" --method kde --bandwidth 600 --cell 300 --format json
same_as_cli "pai?fbi=03&train_from=2016-01-01&train_to=2016-06-30&test_from=2016-07-01&test_to=2016-12-31&method=gistar&format=csv" \
    pai --fbi 03 --train-from 2016-01-01 --train-to 2016-06-30 --test-from 2016-07-01 \
    --test-to 2016-12-31 --method gistar --format csv
same_as_cli "pai?fbi=03&area=25&area=26&train_from=2016-01-01&train_to=2016-06-30&test_from=2016-07-01&test_to=2016-12-31&method=gistar&distance=700&coverage=3&grid=80" \
    pai --fbi 03 --area 25 --area 26 --train-from 2016-01-01 --train-to 2016-06-30 \
    --test-from 2016-07-01 --test-to 2016-12-31 --method gistar --distance 700 --coverage 3 \
    --grid 80 --format json
same_as_cli "pai?layer=weapons&train_from=2016-01-01&train_to=2016-06-30&test_from=2016-07-01&test_to=2016-12-31&extent=points" \
    pai --layer weapons --train-from 2016-01-01 --train-to 2016-06-30 --test-from 2016-07-01 \
    --test-to 2016-12-31 --extent points --format json
# staff only: the public and departments get 403 before anything runs (partners too:
# access_check.py's matrix in serve_access.sh)
for who in public DEPT; do
    if [ "$who" = public ]; then H=(); else eval "H=(\"\${${who}[@]}\")"; fi
    expect_error 403 forbidden None "/api/v1/analyses/rtm?$RTM" "${H[@]}"
    expect_grep 'the rtm analysis is for staff only' "$T/body"
    expect_error 403 forbidden None "/api/v1/analyses/rtm?$RTM&table=factors&format=csv" "${H[@]}"
    expect_error 403 forbidden None "/api/v1/analyses/pai?$PAI" "${H[@]}"
    expect_grep 'the pai analysis is for staff only' "$T/body"
done
# bad parameters: 400 (404 for a layer not there) naming the field
expect_error 400 bad_parameter proximity "/api/v1/analyses/rtm" "${STAFF[@]}"
expect_error 400 bad_parameter proximity "/api/v1/analyses/rtm?proximity=weapons" "${STAFF[@]}"
expect_error 400 bad_parameter proximity "/api/v1/analyses/rtm?proximity=weapons:0" "${STAFF[@]}"
expect_error 400 bad_parameter proximity "/api/v1/analyses/rtm?proximity=No/Such:100" "${STAFF[@]}"
expect_error 404 not_found proximity "/api/v1/analyses/rtm?proximity=nosuch:100" "${STAFF[@]}"
expect_error 404 not_found distance "/api/v1/analyses/rtm?proximity=weapons:100&distance=nosuch" "${STAFF[@]}"
expect_error 400 bad_parameter density "/api/v1/analyses/rtm?density=:5" "${STAFF[@]}"
expect_error 400 bad_parameter density "/api/v1/analyses/rtm?density=weapons:x" "${STAFF[@]}"
expect_error 400 bad_parameter distance "/api/v1/analyses/rtm?distance=weapons:5" "${STAFF[@]}"
expect_error 400 bad_parameter table "/api/v1/analyses/rtm?proximity=weapons:100&table=rows" "${STAFF[@]}"
expect_error 400 bad_parameter grid "/api/v1/analyses/rtm?proximity=weapons:100&cell=300&grid=50" "${STAFF[@]}"
expect_error 400 bad_parameter cell "/api/v1/analyses/rtm?proximity=weapons:100&cell=0" "${STAFF[@]}"
expect_error 400 bad_parameter bogus "/api/v1/analyses/rtm?proximity=weapons:100&bogus=1" "${STAFF[@]}"
expect_error 400 bad_parameter train_from "/api/v1/analyses/pai" "${STAFF[@]}"
expect_error 400 bad_parameter test_to "/api/v1/analyses/pai?train_from=2016-01-01&train_to=2016-12-31&test_from=2017-01-01" "${STAFF[@]}"
expect_error 400 bad_parameter train_from "/api/v1/analyses/pai?train_from=2016-02-30" "${STAFF[@]}"
expect_error 400 bad_parameter train_to "/api/v1/analyses/pai?train_from=2016-12-01&train_to=2016-01-31&test_from=2017-01-01&test_to=2017-12-31" "${STAFF[@]}"
expect_grep "train_from 2016-12-01 is after train_to 2016-01-31: the training period ends before it starts" "$T/body"
expect_error 400 bad_parameter test_to "/api/v1/analyses/pai?train_from=2016-01-01&train_to=2016-12-31&test_from=2017-03-01&test_to=2017-02-28" "${STAFF[@]}"
expect_error 400 bad_parameter from "/api/v1/analyses/rtm?proximity=weapons:100&from=2017-02-01&to=2017-01-01" "${STAFF[@]}"
# nothing to analyse: rtm with filters that match nothing, pai with an empty training period
expect_error 400 bad_parameter type "/api/v1/analyses/rtm?proximity=weapons:100&type=NOSUCH" "${STAFF[@]}"
expect_grep "no events match the filters: type=NOSUCH" "$T/body"
expect_error 400 bad_parameter train_from "/api/v1/analyses/pai?train_from=2010-01-01&train_to=2010-12-31&test_from=2017-01-01&test_to=2017-12-31" "${STAFF[@]}"
expect_grep "the training period \(2010-01-01 to 2010-12-31\) has no points" "$T/body"
expect_error 400 bad_parameter from "/api/v1/analyses/pai?$PAI&from=2016-01-01" "${STAFF[@]}"
expect_error 400 bad_parameter method "/api/v1/analyses/pai?$PAI&method=best" "${STAFF[@]}"
expect_error 400 bad_parameter coverage "/api/v1/analyses/pai?$PAI&coverage=0" "${STAFF[@]}"
expect_error 400 bad_parameter bandwidth "/api/v1/analyses/pai?$PAI&method=kde&bandwidth=-1" "${STAFF[@]}"
expect_error 400 bad_parameter distance "/api/v1/analyses/pai?$PAI&distance=abc" "${STAFF[@]}"
expect_error 400 bad_parameter test_from "/api/v1/analyses/pai?$PAI&test_from=2017-01-01" "${STAFF[@]}"

# ---- an unreadable table: 500 without internals
stop_server
expect_eq "graceful stop" "$STOP_STATUS" "0"
D3="$T/var3"
"$CSCC" -q --data "$D3" init
mkdir -p "$D3/tables"
head -c 5000 /dev/urandom >"$D3/tables/crimes.cst"
start_server "$D3" || { finish; exit 1; }
expect_error 500 internal None "/api/v1/counts?by=year"
if grep -q "$D3\|crimes.cst" "$T/body"; then fail "a 500 shows internals"; else pass; fi
expect_grep 'damaged|not a cscc table|cannot' "$T/serve.err"
expect_code 200 /api/v1/areas
stop_server
finish
