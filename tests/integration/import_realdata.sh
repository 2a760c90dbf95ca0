#!/bin/bash
# Real City files from ../shared/data: a full year of all crimes, an old
# yearly extract without IDs or community areas, the homicides file written
# by pandas; counts checked against an independent computation, and the
# homicides of 2003 not doubled when both sources are imported.
. "$(dirname "$0")/lib.sh"
need_shared chicago/crimes/full/crimes_2016.csv.gz

D="$T/var"
Y2016="$SHARED/chicago/crimes/full/crimes_2016.csv.gz"
V2003="$SHARED/chicago/crimes/violent/crimes_violent_2003.csv.gz"
HOM="$SHARED/chicago/crimes/homicides_2001_2023.csv.gz"
expect_status 0 "$CSCC" --data "$D" init

# --- the full 2016 year: 268,813 rows ---
expect_status 0 "$CSCC" --data "$D" import crimes "$Y2016"
expect_grep 'read 268,813 rows: 268,813 new, 0 updated, 0 unchanged, 0 rejected' "$T/err"
same_counts "$D" area,month "$Y2016"
same_counts "$D" type,hour "$Y2016"
expect_status 0 "$CSCC" --data "$D" import crimes "$Y2016"
expect_grep '0 new, 0 updated, 268,813 unchanged' "$T/err"

# --- 2003 violent crimes: no ID, no community area (placed from coordinates) ---
expect_status 0 "$CSCC" --data "$T/old" init
expect_status 0 "$CSCC" --data "$T/old" import crimes "$V2003"
expect_grep 'read 43,971 rows: 43,971 new' "$T/err"
expect_grep 'placed from coordinates for 43,540 rows; 431 rows have none' "$T/err"
same_counts "$T/old" fbi,month "$V2003"
expect_eq "2003 rows without an area" "$("$CSCC" --data "$T/old" query counts --by area | grep '^,' )" ",(unknown),431"
expect_status 0 "$CSCC" --data "$T/old" import crimes "$V2003"
expect_grep '0 new, 0 updated, 43,971 unchanged' "$T/err"

# --- the homicides file (IDs for every row) upgrades the 601 ID-less homicides
#     of 2003 instead of doubling them ---
expect_status 0 "$CSCC" --data "$T/old" import crimes "$HOM"
expect_grep 'read 12,657 rows: 12,056 new, 601 updated' "$T/err"
expect_eq "2003 homicides" "$("$CSCC" --data "$T/old" query counts --category homicide --from 2003-01-01 --to 2003-12-31 | tail -1)" "601"
"$CSCC" --data "$T/old" query counts --by year --category homicide | "$PY" "$TOOLS/norm_counts.py" >"$T/a.txt"
"$PY" "$TOOLS/count.py" --by year --fbi 01A "$HOM" >"$T/b.txt"
if cmp -s "$T/a.txt" "$T/b.txt"; then pass; else fail "homicides by year differ"; diff "$T/a.txt" "$T/b.txt" | head; fi
finish
