#!/bin/bash
# Cross-checks of the near-repeat (Knox) test and the risk terrain regression
# on real Chicago data (the shared crimes of 2017, 267,792 rows) against
# independent computations:
#  - Knox, the 12,947 located burglaries of 2017, with the labelled bands
#    (100 m x 3, 7 days x 3, Euclidean) and the Calculator's intervals (100 m
#    x 3, 2 days x 2, Manhattan), 999 permutations each: the observed pairs of
#    every cell against numpy's count over all 83.8 million pairs (exactly);
#    the mean expected against the exact permutation mean N_s M_t / P (within
#    4 standard errors, from the exact permutation variance); the Knox ratio
#    against observed / mean expected (tests/tools/knox_numpy.py);
#  - Knox as the Near Repeat Calculator 1.3 counts, on the Calculator's test
#    data (11,701 burglaries of 2016): the observed table the Calculator
#    printed (Davies's NearRepeat notebook "Inconsistency with Near Repeat
#    Calculator");
#  - risk terrain, the violent crimes on 150 m cells with two proximity
#    factors, a density factor and a distance factor from four layers: R's
#    glm(family = poisson) on the cells cscc used (tests/tools/rtm_glm.R):
#    coefficients, standard errors, z, p, exp(beta) and Wald intervals,
#    deviances and every cell's relative risk (compare_rtm.py, 1e-8); and
#    the design itself: the incidents per cell, the proximity and distance
#    factors recomputed with numpy/scipy from the files (rtm_design.py).
# Each comparison prints the largest difference.
. "$(dirname "$0")/lib.sh"

F=chicago/crimes/full/crimes_2017.csv.gz
VAC=chicago/context/311_vacant_abandoned_building_complaints_2024_2025.csv
VEH=chicago/context/311_abandoned_vehicles_sample.csv
POL=chicago/boundaries/police_stations.csv
for f in "$F" "$VAC" "$VEH" "$POL"; do need_shared "$f"; done
need "R (Debian r-base-core, with r-cran-spdep)" Rscript -e 'invisible(stats::glm)'
NUMPY=/usr/bin/python3 # Debian's python, where python3-numpy and python3-scipy install
need "numpy and scipy (Debian python3-numpy, python3-scipy)" "$NUMPY" -c 'import numpy, scipy.spatial'
F="$SHARED/$F" VAC="$SHARED/$VAC" VEH="$SHARED/$VEH" POL="$SHARED/$POL"
D="$T/var"

expect_status 0 "$CSCC" --data "$D" init
expect_status 0 "$CSCC" --data "$D" import crimes "$F"
expect_grep 'crimes now holds 267,792 rows' "$T/err"

# --- Knox: cscc's table against numpy's pairs and the exact permutation moments ---
# knox RUN CSCC-AND-NUMPY-OPTIONS...: both on the 2017 burglaries
knox() {
    local run=$1; shift
    expect_status 0 "$CSCC" --data "$D" analyze knox --type BURGLARY "$@" --format json \
        --output "$T/$run.json"
    if "$NUMPY" "$TOOLS/knox_numpy.py" --type BURGLARY "$@" "$T/$run.json" "$F" \
        >"$T/$run.out" 2>&1; then pass; else fail "cscc's Knox test differs from numpy's:"; fi
    sed 's/^/    /' "$T/$run.out"
}
knox knox_labelled --space-band 100 --space-bands 3 --time-band 7 --time-bands 3 \
    --metric euclidean --intervals labelled --iterations 999
knox knox_nrc --space-band 100 --space-bands 3 --time-band 2 --time-bands 2 \
    --metric manhattan --intervals nrc --iterations 999

# --- Knox on the Calculator's own test data: the observed table it printed ---
NRC=chicago/crimes/burglary_2016_xy.csv
if [ -e "$SHARED/$NRC" ]; then
    expect_status 0 "$CSCC" --data "$D" import layer nrc2016 "$SHARED/$NRC" --x x --y y \
        --units m --date date_single --date-format %d/%m/%Y
    expect_status 0 "$CSCC" --data "$D" analyze knox --layer nrc2016 --intervals nrc \
        --space-band 100 --space-bands 3 --time-band 2 --time-bands 2 --iterations 19 \
        --output "$T/nrc2016.csv"
    # Same location, 1 to 100, 101 to 200, 201 to 300 by 0 to 2 and 3 to 4 days
    got=$(awk -F, 'NR > 1 && $2 !~ /More/ && $1 !~ /More/ {printf "%s ", $7}' "$T/nrc2016.csv")
    expect_eq "the Calculator's observed table of its 2016 burglaries" "$got" \
        "202 51 189 143 290 343 456 526 "
    echo "    knox on the Calculator's 11,701 burglaries of 2016: observed $got(the Calculator's own)"
else
    echo "    (no $SHARED/$NRC: the Calculator's own table is not compared)"
fi

# --- risk terrain: R's glm on cscc's cells, and the cells' design from the files ---
expect_status 0 "$CSCC" --data "$D" import layer vacant "$VAC" --x X_COORDINATE \
    --y Y_COORDINATE --units ft --id SR_NUMBER
expect_status 0 "$CSCC" --data "$D" import layer vehicles "$VEH" --x 'X Coordinate' \
    --y 'Y Coordinate' --units ft --id 'Service Request Number'
expect_status 0 "$CSCC" --data "$D" import layer stations "$POL" --x 'X COORDINATE' \
    --y 'Y COORDINATE' --units ft --id DISTRICT
expect_status 0 "$CSCC" --data "$D" import layer narcotics "$F" --x 'X Coordinate' \
    --y 'Y Coordinate' --units ft --id ID --where 'Primary Type=NARCOTICS' --max-rejected 100
expect_grep 'narcotics now holds 11,653 rows' "$T/err"
RT=(--category violent --cell 150 --proximity vacant:200 --proximity vehicles:150
    --density narcotics --distance stations)
expect_status 0 "$CSCC" --data "$D" analyze rtm "${RT[@]}" --output "$T/cells.csv"
expect_status 0 "$CSCC" --data "$D" analyze rtm "${RT[@]}" --table factors --format json \
    --output "$T/factors.json"
expect_status 0 "$CSCC" --data "$D" analyze kde --category violent --cell 150 --all-cells \
    --output "$T/grid.csv"
if Rscript "$TOOLS/rtm_glm.R" "$T/cells.csv" "$T/r_factors.csv" "$T/r_cells.csv" \
    >"$T/r.out" 2>&1; then pass; else
    fail "rtm_glm.R failed:"; sed 's/^/    /' "$T/r.out" | head -20
fi
if "$PY" "$TOOLS/compare_rtm.py" "$T/factors.json" "$T/cells.csv" "$T/r_factors.csv" \
    "$T/r_cells.csv" >"$T/cmp.out" 2>&1; then pass; else fail "cscc's risk terrain and R's glm differ:"; fi
sed 's/^/    /' "$T/r.out" "$T/cmp.out"
if "$NUMPY" "$TOOLS/rtm_design.py" --fbi 01A --fbi 02 --fbi 03 --fbi 04A --fbi 04B --cell 150 \
    --grid "$T/grid.csv" --cells "$T/cells.csv" \
    --proximity vacant:200 "$VAC" X_COORDINATE Y_COORDINATE \
    --proximity vehicles:150 "$VEH" 'X Coordinate' 'Y Coordinate' \
    --distance stations "$POL" 'X COORDINATE' 'Y COORDINATE' "$F" >"$T/design.out" 2>&1; then
    pass; else fail "cscc's risk terrain cells differ from numpy's:"
fi
sed 's/^/    /' "$T/design.out"
finish
