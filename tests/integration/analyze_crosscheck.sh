#!/bin/bash
# Cross-checks of the spatial statistics on real Chicago data (the shared
# crimes of 2017, all types: 267,792 rows; the violent category: 28,001)
# against independent implementations:
#  - Gi* of the community areas (queen contiguity from the boundaries), local
#    and global Moran's I: R's spdep (poly2nb, localG, localmoran,
#    moran.test) on the counts cscc used (tests/tools/spdep_check.R);
#  - the areas' counts: Python's csv module (tests/tools/count.py);
#  - the default bandwidth and an exact kernel density: numpy and scipy
#    (tests/tools/kde_numpy.py).
# Each comparison prints the largest difference; the test fails past 1e-9.
. "$(dirname "$0")/lib.sh"

F=chicago/crimes/full/crimes_2017.csv.gz
need_shared "$F"
need "R's spdep (Debian r-cran-spdep)" Rscript -e 'suppressPackageStartupMessages({library(sf); library(spdep)})'
NUMPY=/usr/bin/python3 # Debian's python, where python3-numpy and python3-scipy install
need "numpy and scipy (Debian python3-numpy, python3-scipy)" "$NUMPY" -c 'import numpy, scipy.spatial'
F="$SHARED/$F"
D="$T/var"
AREAS="$CSCC_SRC/data/reference/community_areas.geojson"
VIOLENT=(--fbi 01A --fbi 02 --fbi 03 --fbi 04A --fbi 04B)

expect_status 0 "$CSCC" --data "$D" init
expect_status 0 "$CSCC" --data "$D" import crimes "$F"
expect_grep 'crimes now holds 267,792 rows' "$T/err"

# --- counts by community area: cscc's (the units of Gi* and Moran) and Python's ---
expect_status 0 "$CSCC" --data "$D" analyze gistar --areas --category violent --output "$T/gi.csv"
expect_status 0 "$CSCC" --data "$D" analyze moran --category violent --permutations 99 \
    --output "$T/moran.csv"
expect_status 0 "$CSCC" --data "$D" analyze moran --category violent --permutations 99 \
    --format json --output "$T/moran.json"
"$PY" "$TOOLS/count.py" --by area "${VIOLENT[@]}" "$F" >"$T/python_counts.txt"
tail -n +2 "$T/gi.csv" | awk -F, '$3 > 0 {print $1 "," $3}' | sort >"$T/cscc_counts.txt"
if [ "$(wc -l <"$T/python_counts.txt")" -ge 77 ] &&
    cmp -s <(sort "$T/python_counts.txt") "$T/cscc_counts.txt"; then pass; else
    fail "the areas' counts differ from Python's (< python, > cscc):"
    diff <(sort "$T/python_counts.txt") "$T/cscc_counts.txt" | head -10 | sed 's/^/    /'
fi

# --- Gi* and Moran's I against spdep ---
if Rscript "$TOOLS/spdep_check.R" "$AREAS" "$T/gi.csv" "$T/moran.csv" "$T/spdep.csv" \
    "$T/spdep_global.csv" >"$T/r.out" 2>&1; then pass; else
    fail "spdep_check.R failed:"; sed 's/^/    /' "$T/r.out" | head -20
fi
if "$PY" "$TOOLS/compare_spdep.py" "$T/gi.csv" "$T/moran.csv" "$T/moran.json" "$T/spdep.csv" \
    "$T/spdep_global.csv" >"$T/cmp.out" 2>&1; then pass; else fail "cscc and spdep differ:"; fi
sed 's/^/    /' "$T/cmp.out"

# --- KDE: the default bandwidth and an exact density against numpy/scipy ---
expect_status 0 "$CSCC" --data "$D" analyze kde --category violent --format json --output "$T/rule.json"
K=(--category violent --cell 200 --bandwidth 750 --all-cells)
expect_status 0 "$CSCC" --data "$D" analyze kde "${K[@]}" --exact --output "$T/exact.csv"
expect_status 0 "$CSCC" --data "$D" analyze kde "${K[@]}" --exact --format json --output "$T/exact.json"
expect_status 0 "$CSCC" --data "$D" analyze kde "${K[@]}" --output "$T/binned.csv"
if "$NUMPY" "$TOOLS/kde_numpy.py" "${VIOLENT[@]}" --rule "$T/rule.json" --exact "$T/exact.csv" \
    --exact-json "$T/exact.json" --binned "$T/binned.csv" "$F" >"$T/kde.out" 2>&1; then pass; else
    fail "cscc's kernel density differs from numpy's:"
fi
sed 's/^/    /' "$T/kde.out"
finish
