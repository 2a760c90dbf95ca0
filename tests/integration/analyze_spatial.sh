#!/bin/bash
# Every spatial `cscc analyze` command on the bundled sample (data/sample:
# 91,984 real violent-crime rows of 2016-2018) in CSV, JSON and GeoJSON:
# each result states its parameters, the data it used (period, category,
# rows, checked against an independent count) and its seed; the three
# formats hold the same table; GeoJSON is RFC 7946 (WGS84 longitude/latitude,
# closed rings by the right-hand rule); the same seed gives the same bytes, a
# different one different p-values; bad options are refused naming the option.
. "$(dirname "$0")/lib.sh"

D="$T/var"
CHECK="$PY $TOOLS/check_result.py"
S="$CSCC_SRC/data/sample"
expect_status 0 "$CSCC" --data "$D" init
expect_status 0 "$CSCC" --data "$D" import crimes "$S"/crimes_violent_201[678].csv.gz
expect_grep 'crimes now holds 91,984 rows' "$T/err"

# A layer for the risk terrain: the sample's weapons violations (FBI 15) of
# 2016, by latitude/longitude.
"$PY" "$TOOLS/weapons_layer.py" "$S/crimes_violent_2016.csv.gz" >"$T/weapons.csv"
expect_status 0 "$CSCC" --data "$D" import layer weapons "$T/weapons.csv" --lat lat --lon lon \
    --id id --date date --date-format %m/%d/%Y

# The rows each selection must report, counted independently from the files.
VIOLENT="--fbi 01A --fbi 02 --fbi 03 --fbi 04A --fbi 04B"
# shellcheck disable=SC2086
n_violent_2017=$("$PY" "$TOOLS/count.py" --from 2017-01-01 --to 2017-12-31 $VIOLENT "$S"/*.csv.gz)
n_robbery_summer=$("$PY" "$TOOLS/count.py" --from 2017-06-01 --to 2017-08-31 --fbi 03 "$S"/*.csv.gz)
n_violent_all=$("$PY" "$TOOLS/count.py" $VIOLENT "$S"/*.csv.gz)
expect_eq "independent count of 2017's violent rows" "$n_violent_2017" 28001

# run3 NAME ARGS...: the analysis in the three formats into $T/NAME.{csv,json,geojson}
run3() {
    local name=$1 f ext; shift
    for f in csv json geojson; do
        expect_status 0 "$CSCC" --data "$D" analyze "$@" --format "$f" --output "$T/$name.$f"
    done
}
# check NAME ANALYSIS CHECK-OPTIONS...: check_result.py on the three files
check() {
    local name=$1 an=$2; shift 2
    if $CHECK "$an" "$T/$name.csv" "$T/$name.json" "$T/$name.geojson" "$@" >"$T/check.out" 2>&1
    then pass; else fail "$name: the result is not right:"; sed 's/^/    /' "$T/check.out"; fi
}
P2017=(--from 2017-01-01 --to 2017-12-31 --category violent)
D2017=(--data from=2017-01-01 --data to=2017-12-31 --data category=violent
       --data fbi_codes="01A 02 03 04A 04B" --data rows_selected="$n_violent_2017"
       --data rows_in_period=32760 --data source=crimes --data crs=EPSG:26971)

# --- kde ---
run3 kde kde "${P2017[@]}" --cell 500 --bandwidth 800
check kde kde --geometry polygon --seed null --param kernel=quartic --param cell_m=500 \
    --param bandwidth_m=800 --param bandwidth_rule=given "${D2017[@]}" \
    --summary expected_total --summary max_density_km2 --min-rows 1000
run3 kde_default kde "${P2017[@]}" --grid 120x150
check kde_default kde --geometry polygon --seed null --param columns=120 --param rows=150 \
    --param bandwidth_rule="ArcGIS default: 0.9 min(SD, sqrt(1/ln 2) Dm) n^-0.2" "${D2017[@]}" \
    --summary standard_distance_m --summary median_distance_m --min-rows 5000
# no seed, and the same run gives the same bytes (threads add in a fixed order)
expect_status 0 "$CSCC" --data "$D" analyze kde "${P2017[@]}" --grid 120x150 --format json \
    --output "$T/kde_again.json"
if cmp -s "$T/kde_default.json" "$T/kde_again.json"; then pass; else fail "kde: two runs differ"; fi

# --- gistar: grid cells and community areas ---
run3 gistar gistar "${P2017[@]}" --cell 500
check gistar gistar --geometry polygon --seed null --param cell_m=500 \
    --param fdr=Benjamini-Hochberg "${D2017[@]}" --summary hot_units --min-rows 2000
run3 gistar_areas gistar "${P2017[@]}" --areas
check gistar_areas gistar --geometry polygon --seed null --param units="community areas" \
    --param weights="queen contiguity from the boundaries" "${D2017[@]}" --min-rows 77
# areas count rows by their Community Area: every selected row of the sample has one
expect_eq "gistar --areas: the areas' counts add up to the rows selected" \
    "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); s=sum(r[2] for r in d["rows"]); print(s == d["data"]["rows_selected"] == d["summary"]["rows_in_units"], d["summary"]["rows_outside_units"], len(d["rows"]))' "$T/gistar_areas.json")" \
    "True 0 77"

# --- moran: seeded permutations ---
run3 moran moran --category violent --permutations 199 --seed 5
check moran moran --geometry polygon --seed 5 --param permutations=199 \
    --data category=violent --data rows_selected="$n_violent_all" --summary moran_i \
    --summary p_permutation --min-rows 77
expect_status 0 "$CSCC" --data "$D" analyze moran --category violent --permutations 199 --seed 5 \
    --format json --output "$T/moran_again.json"
if cmp -s "$T/moran.json" "$T/moran_again.json"; then pass; else fail "moran: the same seed gave different output"; fi
expect_status 0 "$CSCC" --data "$D" analyze moran --category violent --permutations 199 --seed 6 \
    --format json --output "$T/moran_6.json"
# a different seed: other pseudo p-values, the same statistic
"$PY" - "$T/moran.json" "$T/moran_6.json" >"$T/seeds.out" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
pa = [r[5] for r in a["rows"]]; pb = [r[5] for r in b["rows"]]
print(a["seed"], b["seed"], pa != pb, [r[3] for r in a["rows"]] == [r[3] for r in b["rows"]],
      a["summary"]["moran_i"] == b["summary"]["moran_i"])
EOF
expect_eq "moran: seeds 5 and 6 (stated; p-values differ; I the same)" "$(cat "$T/seeds.out")" \
    "5 6 True True True"
# without --seed the default seed is stated
expect_status 0 "$CSCC" --data "$D" analyze moran --category violent --permutations 9 --format json \
    --output "$T/moran_default.json"
expect_grep '"seed":1,' "$T/moran_default.json"

# --- knox ---
KX=(--category robbery --from 2017-06-01 --to 2017-08-31 --space-band 200 --space-bands 3
    --time-band 7 --time-bands 2 --iterations 19)
run3 knox knox "${KX[@]}" --seed 3
check knox knox --geometry none --seed 3 --param space_band_m=200 --param space_bands=3 \
    --param time_band_days=7 --param time_bands=2 --param iterations=19 --param metric=euclidean \
    --data category=robbery --data from=2017-06-01 --data to=2017-08-31 \
    --data rows_selected="$n_robbery_summer" --summary pairs --min-rows 15
expect_status 0 "$CSCC" --data "$D" analyze knox "${KX[@]}" --seed 3 --format json --output "$T/knox_again.json"
if cmp -s "$T/knox.json" "$T/knox_again.json"; then pass; else fail "knox: the same seed gave different output"; fi
expect_status 0 "$CSCC" --data "$D" analyze knox "${KX[@]}" --seed 4 --format json --output "$T/knox_4.json"
"$PY" - "$T/knox.json" "$T/knox_4.json" >"$T/seeds.out" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print(a["seed"], b["seed"], [r[6] for r in a["rows"]] == [r[6] for r in b["rows"]],
      [r[7] for r in a["rows"]] != [r[7] for r in b["rows"]])
EOF
expect_eq "knox: seeds 3 and 4 (stated; same observed, other expected)" "$(cat "$T/seeds.out")" \
    "3 4 True True"

# --- rtm: the surface (cells) and the factors ---
RT=(--category robbery --from 2017-01-01 --to 2017-12-31 --proximity weapons:200
    --proximity weapons:400 --distance weapons --cell 300)
run3 rtm rtm "${RT[@]}"
check rtm rtm --geometry polygon --seed null --param cell_m=300 --data category=robbery \
    --summary rr_proximity_weapons --summary rr_proximity_weapons_2 --summary rr_distance_weapons \
    --summary converged --min-rows 1000
run3 rtm_factors rtm "${RT[@]}" --table factors
check rtm_factors rtm --geometry none --seed null --param factor_1="weapons: proximity within 200 m" \
    --data category=robbery --min-rows 3

# --- pai ---
PA=(--category violent --train-from 2016-01-01 --train-to 2016-12-31 --test-from 2017-01-01
    --test-to 2017-12-31)
run3 pai pai "${PA[@]}" --coverage 2
check pai pai --geometry polygon --seed null --param method=count --param coverage_percent=2 \
    --param train_period=2016-01-01/2016-12-31 --param test_period=2017-01-01/2017-12-31 \
    --data rows_selected="$n_violent_2017" --summary pai --summary pei --min-rows 50
run3 pai_kde pai "${PA[@]}" --method kde
check pai_kde pai --geometry polygon --seed null --param method=kde --summary pai --min-rows 50

# --- bad options: exit 64 (66 for what is not there), a message naming the option ---
bad() {
    local want=$1 pattern=$2; shift 2
    expect_status "$want" "$CSCC" --data "$D" analyze "$@"
    expect_grep "$pattern" "$T/err"
}
bad 64 "unknown option '--bogus'" kde --bogus
bad 64 "unknown option '--bogus'" gistar --bogus 3
bad 64 "unknown option '--bogus'" moran --bogus
bad 64 "unknown option '--bogus'" knox --bogus
bad 64 "unknown option '--bogus'" rtm --bogus
bad 64 "unknown option '--bogus'" pai --bogus
bad 64 "--bandwidth needs a value" kde --bandwidth
bad 64 "--exact takes no value" kde --exact=yes
bad 64 "--bandwidth takes metres" kde --bandwidth -3
bad 64 "--cell takes a cell size in metres" kde --cell 0
bad 64 "--grid takes NX or NXxNY" kde --grid 0x5
bad 64 "--format is csv, json or geojson, not 'xml'" kde --format xml
bad 64 "--extent is areas or points" kde --extent city
bad 64 "--from takes a date" kde --from 2017-13-01
bad 64 "unknown category 'nosuch'" kde --category nosuch
bad 64 "--crs EPSG:9999999" kde --crs EPSG:9999999
# the CRS must be projected and in metres: degrees and feet are refused, not labelled metres
bad 64 "--crs EPSG:4326 is geographic \(degrees\); give a projected CRS in metres" kde --crs EPSG:4326
bad 64 "--crs EPSG:4326 is geographic" gistar --crs EPSG:4326
bad 64 "--crs EPSG:3435 measures its axes in the unit 'US survey foot'.*not in metres" kde --crs EPSG:3435
bad 64 "--crs EPSG:3435 measures its axes in the unit 'US survey foot'" rtm --proximity weapons:200 --crs EPSG:3435
bad 64 "--crs EPSG:4978 is geocentric" knox --crs EPSG:4978
# in metres, but not for this city: Web Mercator's metre is 0.74 m here, UTM zone 1 is far away
bad 64 "--crs EPSG:3857 does not keep distances in the city: 1 km of it is 744 m on the ground east-west" kde --crs EPSG:3857
bad 64 "--crs EPSG:32601 does not keep distances in the city" gistar --crs EPSG:32601
expect_status 0 "$CSCC" --data "$D" analyze kde --crs EPSG:26916 --format json --output "$T/utm.json"
expect_grep '"crs":"EPSG:26916"' "$T/utm.json"
bad 66 "there is no layer 'nosuch'" kde --layer nosuch
bad 64 "--knn takes a number" gistar --knn 0
bad 64 "give --distance or --knn, not both" gistar --knn 4 --distance 500
bad 64 "--rook goes with --areas" gistar --rook
bad 64 "--areas takes no grid options" gistar --areas --cell 300
bad 64 "--permutations takes a number" moran --permutations x
bad 64 "--seed takes a non-negative integer" moran --seed -1
bad 64 "--alpha takes a level" moran --alpha 2
bad 64 "--iterations takes a number from 1" knox --iterations 0
bad 64 "--space-bands takes a number from 1 to 64" knox --space-bands 0
bad 64 "--metric is euclidean or manhattan, not 'chebyshev'" knox --metric chebyshev
bad 64 "--seed takes a non-negative integer" knox --seed x
bad 64 "give at least one factor" rtm
bad 64 "--proximity takes LAYER:METRES" rtm --proximity weapons
bad 64 "--table is cells or factors" rtm --proximity weapons:100 --table rows
bad 66 "no layer 'nosuch'" rtm --proximity nosuch:100
bad 64 "give --train-from, --train-to, --test-from and --test-to" pai
bad 64 "--train-from takes a date YYYY-MM-DD, not '2016-02-30'" pai --train-from 2016-02-30
bad 64 "--method is count, kde or gistar" pai "${PA[@]}" --method best
bad 64 "--coverage is a percentage" pai "${PA[@]}" --coverage 0
bad 64 "no analysis named 'nosuch'" nosuch
# a period that ends before it starts: the same refusal from every analysis (cli_period_check)
for an in kde gistar moran knox "rtm --proximity weapons:200"; do
    # shellcheck disable=SC2086
    bad 64 "--from 2017-02-01 is after --to 2017-01-01: the period ends before it starts" \
        $an --from 2017-02-01 --to 2017-01-01
done
bad 64 "--train-from 2016-12-01 is after --train-to 2016-01-31: the period ends before it starts" \
    pai --train-from 2016-12-01 --train-to 2016-01-31 --test-from 2017-01-01 --test-to 2017-12-31
bad 64 "--test-from 2017-03-01 is after --test-to 2017-02-28: the period ends before it starts" \
    pai --train-from 2016-01-01 --train-to 2016-12-31 --test-from 2017-03-01 --test-to 2017-02-28
# nothing to analyse: filters that match no event are refused (64, as knox and moran refused
# too few events), naming the filters and what to widen, instead of an empty or all-zero result
NONE="no events match the filters: --from 2017-01-01 --to 2017-12-31 --type NOSUCH \(no row has primary type 'NOSUCH'\); widen --from/--to or --type"
bad 64 "$NONE" kde --from 2017-01-01 --to 2017-12-31 --type NOSUCH --bandwidth 500
bad 64 "$NONE" kde --from 2017-01-01 --to 2017-12-31 --type NOSUCH
bad 64 "$NONE" gistar --from 2017-01-01 --to 2017-12-31 --type NOSUCH --cell 500
bad 64 "$NONE" gistar --from 2017-01-01 --to 2017-12-31 --type NOSUCH --areas
bad 64 "$NONE" moran --from 2017-01-01 --to 2017-12-31 --type NOSUCH
bad 64 "$NONE" knox --from 2017-01-01 --to 2017-12-31 --type NOSUCH
bad 64 "$NONE" rtm --from 2017-01-01 --to 2017-12-31 --type NOSUCH --proximity weapons:200
bad 64 "no events match the filters: --from 2030-01-01 --category violent; widen --from/--to or --category" \
    rtm --from 2030-01-01 --category violent --proximity weapons:200
bad 64 "no points of layer 'weapons' match the filters: --from 2030-01-01; widen --from/--to" \
    kde --layer weapons --from 2030-01-01
# pai: a training period without points would rank cells by nothing
bad 64 "the training period \(2010-01-01 to 2010-12-31\) has no points; choose a training period with data" \
    pai --train-from 2010-01-01 --train-to 2010-12-31 --test-from 2017-01-01 --test-to 2017-12-31
bad 64 "the training period \(2010-01-01 to 2010-12-31\) has no points" \
    pai --train-from 2010-01-01 --train-to 2010-12-31 --test-from 2017-01-01 --test-to 2017-12-31 --method kde
bad 64 "the training period \(2016-01-01 to 2016-12-31\) has no points that match the filters \(no row has primary type 'NOSUCH'\)" \
    pai --type NOSUCH --train-from 2016-01-01 --train-to 2016-12-31 --test-from 2017-01-01 --test-to 2017-12-31
# a refused run leaves an earlier --output file as it was
cp "$T/kde.json" "$T/keep.json"
expect_status 64 "$CSCC" --data "$D" analyze kde --cell -1 --format json --output "$T/kde.json"
if cmp -s "$T/kde.json" "$T/keep.json" && [ ! -e "$T/kde.json.tmp" ]; then pass; else
    fail "a refused run changed its --output file"; fi
finish
