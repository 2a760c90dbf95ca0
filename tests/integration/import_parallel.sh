#!/bin/bash
# Big files are read in parts by several threads, and a fresh table is
# written part by part while the file is read. Checks that the result does
# not depend on that: quoted newlines across part boundaries, duplicate IDs
# (both make the import start again the ordinary way), row and line numbers
# of rejects in later parts, and the file checksum combined from the parts.
. "$(dirname "$0")/lib.sh"

big="$T/big.csv"
# 160,000 rows, about 56 MB: every record's last field (Location) holds a
# quoted newline near its end, so a part boundary (cut at the first line
# start after a guessed byte) almost surely falls inside a quoted field; every
# 20,000th row has a bad date (rejected, with its row and line numbers).
"$PY" - "$big" <<'PYEOF'
import sys
out = open(sys.argv[1], "w", newline="")
out.write("ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,Arrest,"
          "Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,Year,"
          "Updated On,Latitude,Longitude,Location\n")
line = 2
for i in range(160000):
    desc = "SIMPLE %d" % (i % 7)
    date = "13/45/2016 01:00:00 AM" if i % 20000 == 19999 else \
        "%02d/%02d/2016 %02d:%02d:00 %s" % (1 + i % 12, 1 + i % 28, 1 + i % 12, i % 60, "AM" if i % 2 else "PM")
    pad = "X" * (120 + i % 50)
    out.write('%d,JA%06d,%s,0%02dXX W %s ST,0486,BATTERY,%s,RESIDENCE,false,true,1533,015,29,%d,08B,'
              '1142591,1899603,2016,01/08/2017 03:49:19 PM,41.880379,-87.752495,"(41.880379,\n -87.752495)"\n'
              % (i + 1, i, date, i % 100, pad, desc, 1 + i % 77))
PYEOF
expect_status 0 "$CSCC" --data "$T/p2" init
expect_status 0 "$CSCC" -v --data "$T/p2" import crimes "$big" --threads 2
expect_grep 'read 160,000 rows: 159,992 new, 0 updated, 0 unchanged, 8 rejected' "$T/err"
expect_grep 'streaming gave up; reading again' "$T/err"   # boundaries inside quotes
expect_status 0 "$CSCC" --data "$T/p1" init
expect_status 0 "$CSCC" --data "$T/p1" import crimes "$big" --threads 1
"$CSCC" --data "$T/p2" query counts --by area,month >"$T/a2.csv"
"$CSCC" --data "$T/p1" query counts --by area,month >"$T/a1.csv"
if cmp -s "$T/a1.csv" "$T/a2.csv"; then pass; else fail "one thread and two threads differ"; fi
"$PY" "$TOOLS/count.py" --by area,month "$big" 2>/dev/null | grep -v '^,' >"$T/py.txt"
"$PY" "$TOOLS/norm_counts.py" <"$T/a2.csv" >"$T/cs.txt"
if cmp -s "$T/py.txt" "$T/cs.txt"; then pass; else fail "counts differ from python"; diff "$T/py.txt" "$T/cs.txt" | head -5; fi
# rejects carry the file's own row and physical line numbers, in every part
rej2=$(ls "$T"/p2/rejects/crimes-*.csv | tail -1)
rej1=$(ls "$T"/p1/rejects/crimes-*.csv | tail -1)
cut -d, -f2,3,4 "$rej2" | sort >"$T/r2"
cut -d, -f2,3,4 "$rej1" | sort >"$T/r1"
if cmp -s "$T/r1" "$T/r2"; then pass; else fail "rejects differ between one and two threads"; diff "$T/r1" "$T/r2" | head; fi
# data row 20000 is record 20001 of the file; each record before it takes two lines
expect_grep '^20001,40000,bad date$' "$T/r2"
# the checksum of the file is the same whether it was read whole or in parts
c1=$("$CSCC" --data "$T/p1" imports --json | grep -o '"crc32c":"[0-9a-f]*"')
c2=$("$CSCC" --data "$T/p2" imports --json | grep -o '"crc32c":"[0-9a-f]*"')
expect_eq "checksum of the file" "$c2" "$c1"
if [ -n "$c1" ]; then pass; else fail "no checksum recorded"; fi
# ... and as read from standard input (one sequential pass over the bytes,
# the path import_crimes checks against an independent implementation)
expect_status 0 "$CSCC" --data "$T/p3" init
"$CSCC" --data "$T/p3" import crimes - <"$big" 2>"$T/err"
c3=$("$CSCC" --data "$T/p3" imports --json | grep -o '"crc32c":"[0-9a-f]*"')
expect_eq "checksum of the file read from stdin" "$c3" "$c1"

# a plain file (no quoted newlines) with the same ID twice: streaming gives
# up, and the later row wins as in any import
"$PY" - "$big" "$T/dup.csv" <<'PYEOF'
import sys
lines = open(sys.argv[1]).read().split("\n")
out = open(sys.argv[2], "w")
n = 0
for l in lines:
    if not l.startswith(" -87") and l:
        l = l[:l.rfind(',"(')] + ',"(41.880379, -87.752495)"' if ',"(' in l else l
    if l.startswith(" -87") or not l:   # the second line of each record: folded above
        continue
    out.write(l + "\n")
    n += 1
    if n == 60000:             # a later copy of the first data row, reclassified
        first = out_first
        out.write(first.replace(",0486,BATTERY,", ",0820,THEFT,").replace(",08B,", ",06,") + "\n")
    if n == 2:
        out_first = l
PYEOF
expect_status 0 "$CSCC" --data "$T/d" init
expect_status 0 "$CSCC" -v --data "$T/d" import crimes "$T/dup.csv" --threads 2 --max-rejected 50
expect_grep '1 rows were superseded by a later row with the same key' "$T/err"
expect_grep 'streaming gave up' "$T/err"
"$CSCC" --data "$T/d" query counts --by fbi >"$T/f.csv"
expect_grep '^06,1$' "$T/f.csv"
finish
