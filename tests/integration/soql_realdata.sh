#!/bin/bash
# `cscc soql` on the real portal export in ../shared/data (the City's own
# 22-column CSV of 2016-01-01..03), checked against SQLite over the same file
# (tests/tools/soql_ref.py).
. "$(dirname "$0")/lib.sh"
need_shared chicago/crimes/portal_export_sample_2016-01-01_03.csv

S="$SHARED/chicago/crimes/portal_export_sample_2016-01-01_03.csv"
D="$T/var"
expect_status 0 "$CSCC" --data "$D" init
expect_status 0 "$CSCC" --data "$D" import crimes "$S"
if "$PY" "$TOOLS/soql_ref.py" "$CSCC" "$D" "$S" >"$T/ref.log" 2>&1; then pass; else
    fail "cscc soql differs from SQLite on the portal sample"
fi
sed 's/^/    /' "$T/ref.log" | tail -3
finish
