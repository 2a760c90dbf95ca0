#!/bin/bash
# cscc backup and cscc restore: a consistent copy taken while a server
# answers and while an import runs; restore brings it back, refuses a data
# directory in use (a server, an import) and a damaged backup, and leaves the
# data as it was when it refuses.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
make_data "$D" "${SAMPLE[0]}"
counts() { "$CSCC" --data "$1" query counts --by area,month; }
counts "$D" >"$T/gen1.csv"
start_server "$D" || { finish; exit 1; }

# ---- a backup while the server answers
(for i in $(seq 1 200); do curl -s -o /dev/null "$URL/api/v1/counts?by=area&from=2016-0$((i % 9 + 1))-01"; done) &
load=$!
expect_status 0 "$CSCC" --data "$D" backup "$T/b1"
expect_grep 'backup: database, 1 table \(1 hard-linked\), 0 rejects files' "$T/err"
wait $load
if [ -f "$T/b1/cscc.db" ] && [ -f "$T/b1/tables/crimes.cst" ]; then pass; else fail "backup lacks files"; fi
counts "$T/b1" >"$T/b1.csv"
if cmp -s "$T/b1.csv" "$T/gen1.csv"; then pass; else fail "the backup counts differently"; fi
expect_eq "backup db mode" "$(stat -c %a "$T/b1/cscc.db")" "600"
expect_status 73 "$CSCC" --data "$D" backup "$T/b1"
expect_grep 'is not empty' "$T/err"
expect_status 0 "$CSCC" --data "$D" backup --copy "$T/bcopy"
expect_grep '\(0 hard-linked\)' "$T/err"
expect_status 66 "$CSCC" --data "$T/nothing" backup "$T/b0"
if [ ! -e "$T/b0" ]; then pass; else fail "a failed backup left its directory"; fi

# ---- restore refuses a data directory a server uses
expect_status 75 "$CSCC" --data "$D" restore "$T/b1"
expect_grep 'a server is using' "$T/err"

# ---- a backup taken while an import runs (its input held open)
fifo="$T/fifo"
mkfifo "$fifo"
"$CSCC" -q --data "$D" import crimes - <"$fifo" >"$T/import.out" 2>&1 &
imp=$!
exec 8>"$fifo"
gunzip -c "${SAMPLE[1]}" >&8
sleep 0.5
kill -0 $imp 2>/dev/null && pass || fail "the import did not wait for its input"
expect_status 0 "$CSCC" --data "$D" backup "$T/b2"
exec 8>&- # end of input: the import finishes
wait $imp
expect_eq "import exit status" "$?" "0"
counts "$D" >"$T/gen2.csv"
expect_code 200 "/api/v1/counts?format=csv"
# (the public answer has a last column "suppressed": small counts are withheld)
expect_eq "the server sees the import" "$(tail -1 "$T/body")" "64479,0"
counts "$T/b2" >"$T/b2.csv"
if cmp -s "$T/b2.csv" "$T/gen1.csv"; then pass; else fail "the backup during the import is not the table before it"; fi
# the copy holds the import's provenance as running; no import runs in the
# copy, so reading it there settles it
"$CSCC" --data "$T/b2" imports --json >"$T/b2imp"
expect_grep '"id":2,"dataset":"crimes","status":"interrupted"' "$T/b2imp"
expect_status 0 "$CSCC" --data "$D" backup "$T/b3"
counts "$T/b3" >"$T/b3.csv"
if cmp -s "$T/b3.csv" "$T/gen2.csv"; then pass; else fail "the backup after the import differs"; fi

# ---- restore the backup taken during the import into a new directory
expect_status 0 "$CSCC" --data "$T/r2" restore "$T/b2"
counts "$T/r2" >"$T/r2.csv"
if cmp -s "$T/r2.csv" "$T/gen1.csv"; then pass; else fail "the restored copy differs"; fi
expect_status 0 "$CSCC" --data "$T/r2" init # settles the import that was running
"$CSCC" --data "$T/r2" imports --json >"$T/r2imp"
expect_grep '"id":2,"dataset":"crimes","status":"interrupted"' "$T/r2imp"
expect_eq "restored counts after recovery" "$(total "$T/r2")" "31719"

# ---- restore over the live directory once the server is gone
stop_server
expect_eq "graceful stop" "$STOP_STATUS" "0"
expect_eq "before restore" "$(total "$D")" "64479"
expect_status 0 "$CSCC" --data "$D" restore "$T/b1"
expect_grep 'restored: database, 1 table' "$T/err"
counts "$D" >"$T/after.csv"
if cmp -s "$T/after.csv" "$T/gen1.csv"; then pass; else fail "restore did not bring generation 1 back"; fi
"$CSCC" --data "$D" imports --json >"$T/dimp"
expect_eq "provenance restored" "$(grep -c '"dataset":"crimes"' "$T/dimp")" "1"
# the backup b1 was hard-linked from the live table: still whole after the restore
counts "$T/b1" >"$T/b1again.csv"
if cmp -s "$T/b1again.csv" "$T/gen1.csv"; then pass; else fail "the backup changed"; fi
# and the server starts on the restored directory
start_server "$D" || { finish; exit 1; }
expect_code 200 "/api/v1/counts?format=csv"
expect_eq "served after restore" "$(tail -1 "$T/body")" "31719,0"
stop_server

# ---- restore refuses while an import holds the table, and a damaged backup
exec 9>"$D/tables/crimes.lock"
flock -n 9
expect_status 75 "$CSCC" --data "$D" restore "$T/b3"
expect_grep 'an import is running' "$T/err"
exec 9>&-
cp "$D/tables/crimes.cst" "$T/live.cst"
printf 'garbage' | dd of="$T/bcopy/tables/crimes.cst" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_status 65 "$CSCC" --data "$D" restore "$T/bcopy"
expect_grep 'damaged' "$T/err"
if cmp -s "$D/tables/crimes.cst" "$T/live.cst"; then pass; else fail "a refused restore changed the table"; fi
expect_status 66 "$CSCC" --data "$D" restore "$T/nothing"
expect_grep 'not a cscc backup' "$T/err"
# restore of the later backup works, and brings generation 2
expect_status 0 "$CSCC" --data "$D" restore "$T/b3"
expect_eq "after restoring b3" "$(total "$D")" "64479"
finish
