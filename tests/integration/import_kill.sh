#!/bin/bash
# An import that is killed (kill -9, a power cut) leaves the table exactly as
# it was, or exactly as the import made it; never a mix, and the provenance
# says which. Killed at each step of an import, then with a real kill -9 at
# random moments while a reader keeps querying.
. "$(dirname "$0")/lib.sh"

D="$T/var"
PORTAL="$CSCC_SRC/tests/data/crimes/portal_export_sample_2016-01-01_03.csv"
QUIRKS="$CSCC_SRC/tests/data/crimes/quirks.csv"
expect_status 0 "$CSCC" --data "$D" init
expect_status 0 "$CSCC" --data "$D" import crimes "$QUIRKS" --max-rejected 50
before=$(md5sum <"$D/tables/crimes.cst")
expect_eq "rows before" "$(total "$D")" "7"

for at in parsed written; do
    CSCC_CRASH_AT=$at "$CSCC" --data "$D" import crimes "$PORTAL" >/dev/null 2>"$T/err"
    st=$?
    expect_eq "killed at $at (exit status)" "$st" "137"
    expect_eq "table after a kill at $at" "$(md5sum <"$D/tables/crimes.cst")" "$before"
    expect_eq "rows after a kill at $at" "$(total "$D")" "7"
    # the next import of that table records the killed one as interrupted
    expect_status 0 "$CSCC" --data "$D" import crimes "$QUIRKS" --max-rejected 50
    expect_grep 'was interrupted; the table is as it was before it' "$T/err"
    if [ ! -e "$D/tables/crimes.cst.tmp" ]; then pass; else fail "a temporary table was left after $at"; fi
done
"$CSCC" --data "$D" imports --json >"$T/imp.json"
expect_eq "interrupted imports" "$(grep -c '"status":"interrupted"' "$T/imp.json")" "2"

# killed after the new table was put in place, before provenance was finished:
# the table is the new one, and the import is recorded as completed.
CSCC_CRASH_AT=committed "$CSCC" --data "$D" import crimes "$PORTAL" >/dev/null 2>&1
expect_eq "rows after a kill once committed" "$(total "$D")" "1737"
expect_status 0 "$CSCC" --data "$D" init     # any command that takes the lock settles it
expect_grep 'completed before a crash; recorded it now' "$T/err"
"$CSCC" --data "$D" imports --json --limit 1 >"$T/imp.json"
expect_grep '"status":"ok"' "$T/imp.json"

# `cscc imports` itself settles a killed import: interrupted, not running
CSCC_CRASH_AT=parsed "$CSCC" --data "$D" import crimes "$QUIRKS" --max-rejected 50 >/dev/null 2>&1
"$CSCC" --data "$D" imports --json --limit 1 >"$T/imp.json" 2>"$T/err"
expect_grep '"status":"interrupted"' "$T/imp.json"

# a second import while one is running is refused, naming the holder
exec 9>"$D/tables/crimes.lock"
flock -x 9
echo 4242 >&9
expect_status 75 "$CSCC" --data "$D" import crimes "$PORTAL"
expect_grep "another import into 'crimes' is running \(process 4242\)" "$T/err"
exec 9>&-

# real kill -9 at random moments of a bigger import, with a reader running:
# every query sees 1,737 rows (old) or the new total, never anything else.
big="$T/big.csv"
"$PY" - "$PORTAL" "$big" <<'PYEOF'
import csv, sys
src, dst = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(src, newline="")))
with open(dst, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(rows[0])
    for k in range(60):           # 60 copies with new IDs and case numbers
        for r in rows[1:]:
            r = list(r)
            r[0] = str(int(r[0]) + (k + 1) * 100000000)
            r[1] = r[1] + "-%d" % k
            w.writerow(r)
PYEOF
want_new=$((1737 + 60 * 1730))
for delay in 0.05 0.15 0.3 0.6; do
    "$CSCC" --data "$D" import crimes "$big" -q &
    pid=$!
    seen_bad=0
    ( for i in $(seq 1 20); do n=$(total "$D"); [ "$n" = 1737 ] || [ "$n" = "$want_new" ] || echo "BAD $n"; done ) >"$T/reader.txt" &
    rpid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    wait "$rpid"
    n=$(total "$D")
    if [ "$n" = 1737 ] || [ "$n" = "$want_new" ]; then pass; else fail "after kill -9 at ${delay}s: $n rows"; fi
    if grep -q BAD "$T/reader.txt"; then fail "a reader saw a mixed table: $(cat "$T/reader.txt")"; else pass; fi
    [ "$n" = "$want_new" ] && break
done
# the store is consistent: a last import completes and counts are exact
expect_status 0 "$CSCC" --data "$D" import crimes "$big"
expect_eq "rows at the end" "$(total "$D")" "$want_new"
finish
