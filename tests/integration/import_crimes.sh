#!/bin/bash
# Importing crimes: the real portal sample (exact counts against an
# independent computation), re-import, gzip and standard input, every quirk,
# rejects with row numbers, wrong files, revisions by key, provenance.
. "$(dirname "$0")/lib.sh"

D="$T/var"
PORTAL="$CSCC_SRC/tests/data/crimes/portal_export_sample_2016-01-01_03.csv"
QUIRKS="$CSCC_SRC/tests/data/crimes/quirks.csv"

expect_status 0 "$CSCC" --data "$D" init
expect_grep '77 community areas' "$T/err"

# --- the real 22-column portal sample: 1,730 rows of 2016-01-01..03 ---
expect_status 0 "$CSCC" --data "$D" import crimes "$PORTAL"
expect_grep 'read 1,730 rows: 1,730 new, 0 updated, 0 unchanged, 0 rejected' "$T/err"
expect_eq "total rows" "$(total "$D")" "1730"
for by in area type hour day,type fbi,weekday district ward beat area,hour; do
    same_counts "$D" "$by" "$PORTAL"
done
# filters
"$CSCC" --data "$D" query counts --by area --from 2016-01-02 --to 2016-01-02 --type BATTERY \
    --type "theft" | "$PY" "$TOOLS/norm_counts.py" >"$T/a.txt"
"$PY" "$TOOLS/count.py" --by area --from 2016-01-02 --to 2016-01-02 --type BATTERY --type THEFT \
    "$PORTAL" >"$T/b.txt"
if cmp -s "$T/a.txt" "$T/b.txt"; then pass; else fail "filtered counts differ"; diff "$T/a.txt" "$T/b.txt" | head; fi
"$CSCC" --data "$D" query counts --by type --category violent | "$PY" "$TOOLS/norm_counts.py" >"$T/a.txt"
"$PY" "$TOOLS/count.py" --by type --fbi 01A --fbi 02 --fbi 03 --fbi 04A --fbi 04B "$PORTAL" >"$T/b.txt"
if cmp -s "$T/a.txt" "$T/b.txt"; then pass; else fail "violent category differs"; diff "$T/a.txt" "$T/b.txt" | head; fi
# every area is listed (77 rows and a header) even with zero counts
expect_eq "area rows" "$("$CSCC" --data "$D" query counts --by area --area 25 --area 1 | wc -l)" "3"
expect_eq "all areas" "$("$CSCC" --data "$D" query counts --by area --type HOMICIDE | wc -l)" "78"
# json is valid json and states its query
"$CSCC" --data "$D" query counts --by month --rate --format json >"$T/j.json"
if "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["query"]["by"]==["month"]; assert d["rows"][0]["count"]==1730; assert d["rows"][0]["rate_per_100k"]>0' "$T/j.json"; then pass; else fail "json output"; fi
# rates: count * 100000 / population of the area (the latest source: ACS 2015-2019)
"$CSCC" --data "$D" query counts --by area --area 25 --rate >"$T/r.csv"
expect_grep '^25,Austin,([0-9]+),' "$T/r.csv"
c=$(sed -n 2p "$T/r.csv" | cut -d, -f3); r=$(sed -n 2p "$T/r.csv" | cut -d, -f4)
pop=$(grep '^25,Austin,acs2015_2019,' "$CSCC_SRC/data/reference/population.csv" | cut -d, -f5)
want=$("$PY" -c "print('%.2f' % ($c * 100000 / $pop))")
expect_eq "rate of Austin" "$r" "$want"
# usage errors name the problem
expect_status 64 "$CSCC" --data "$D" query counts --by nonsense
expect_grep "unknown key 'nonsense'" "$T/err"
expect_status 64 "$CSCC" --data "$D" query counts --from 2016-02-30
expect_status 64 "$CSCC" --data "$D" query counts --from 2016-03-01 --to 2016-02-01
expect_status 64 "$CSCC" --data "$D" query counts --category nonsense
expect_grep "unknown category 'nonsense'" "$T/err"

# --- importing the same file again changes nothing ---
cp "$D/tables/crimes.cst" "$T/before.cst"
expect_status 0 "$CSCC" --data "$D" import crimes "$PORTAL"
expect_grep '0 new, 0 updated, 1,730 unchanged' "$T/err"
expect_grep 'nothing changed' "$T/err"
if cmp -s "$D/tables/crimes.cst" "$T/before.cst"; then pass; else fail "re-import rewrote the table"; fi

# --- gzip and standard input give the same table ---
gzip -c "$PORTAL" >"$T/portal.csv.gz"
expect_status 0 "$CSCC" --data "$T/gz" init
expect_status 0 "$CSCC" --data "$T/gz" import crimes "$T/portal.csv.gz"
same_counts "$T/gz" area,type "$PORTAL"
expect_status 0 "$CSCC" --data "$T/stdin" init
"$CSCC" --data "$T/stdin" import crimes - <"$PORTAL" 2>"$T/err"
expect_grep '1,730 new' "$T/err"
same_counts "$T/stdin" area,hour "$PORTAL"
"$CSCC" --data "$T/stdin" import crimes - <"$T/portal.csv.gz" 2>"$T/err"
expect_grep '1,730 unchanged' "$T/err"
# provenance: each file's CRC-32C (of its bytes as stored, compressed or
# not), checked against an independent implementation
crc_of() { "$PY" "$TOOLS/crc32c.py" "$1"; }
recorded() { "$CSCC" --data "$1" imports --json | grep -o '"crc32c":"[0-9a-f]*"' | head -1; }
expect_eq "checksum of the plain file" "$(recorded "$D")" "\"crc32c\":\"$(crc_of "$PORTAL")\""
expect_eq "checksum of the gzip file" "$(recorded "$T/gz")" "\"crc32c\":\"$(crc_of "$T/portal.csv.gz")\""
expect_eq "checksum of gzip on stdin" "$(recorded "$T/stdin")" "\"crc32c\":\"$(crc_of "$T/portal.csv.gz")\""

# --- quirks: BOM, CRLF, reordered columns, 17.0, True/FALSE, IUCR 486, quoted
#     comma and newline, rows placed from coordinates, rows without ID ---
expect_status 0 "$CSCC" --data "$T/q" init
expect_status 65 "$CSCC" --data "$T/q" import crimes "$QUIRKS"
expect_grep '3 of 10 rows were rejected, more than the 10% allowed; nothing was imported' "$T/err"
if [ ! -e "$T/q/tables/crimes.cst" ]; then pass; else fail "a refused import left a table"; fi
expect_status 0 "$CSCC" --data "$T/q" import crimes "$QUIRKS" --max-rejected 50
expect_grep 'read 10 rows: 7 new, 0 updated, 0 unchanged, 3 rejected' "$T/err"
expect_grep 'placed from coordinates for 1 rows; 2 rows have none' "$T/err"
rej=$(ls "$T"/q/rejects/crimes-*.csv | tail -1)
expect_grep '^file,row,line,reason,column,detail,record$' "$rej"
expect_grep 'quirks.csv,8,9,bad date,Date,'"'"'13/45/2016 03:00:00 AM'"'" "$rej"
expect_grep 'quirks.csv,9,10,bad Latitude,Latitude' "$rej"
expect_grep 'quirks.csv,11,12,wrong number of fields,,6 fields; the header has 20' "$rej"
"$CSCC" --data "$T/q" query counts --by area,type >"$T/q.csv"
expect_grep '^25,Austin,BATTERY,2$' "$T/q.csv"
expect_grep '^25,Austin,ROBBERY,1$' "$T/q.csv"   # placed from its coordinates
expect_grep '^32,Loop,THEFT,2$' "$T/q.csv"
expect_grep '^,\(unknown\),HOMICIDE,1$' "$T/q.csv"
"$CSCC" --data "$T/q" query counts --by fbi >"$T/f.csv"
expect_grep '^08B,3$' "$T/f.csv"                # 486 was read as 0486 (08B), one row each
expect_status 0 "$CSCC" --data "$T/q" import crimes "$QUIRKS" --max-rejected 50
expect_grep '0 new, 0 updated, 7 unchanged' "$T/err"   # also the row without an ID

# --- text that is not UTF-8 (a Windows-1252 export): the row is rejected,
#     naming the column and byte; UTF-8 text is kept as it is ---
"$PY" - "$PORTAL" "$T/latin.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))[:21]
b = rows[0].index("Block")
out = [[x.encode() for x in r] for r in rows]
for k, text in ((3, b" CAF\xc9"), (4, " CAFÉ".encode()), (5, b" \xc0\xaf"), (6, b" \xed\xa0\x80")):
    out[k][b] += text
with open(sys.argv[2], "wb") as f:
    for r in out:
        f.write(b",".join(b'"' + x.replace(b'"', b'""') + b'"' for x in r) + b"\n")
EOF
expect_status 0 "$CSCC" --data "$T/u" init
expect_status 0 "$CSCC" --data "$T/u" import crimes "$T/latin.csv" --max-rejected 50
expect_grep 'read 20 rows: 17 new, 0 updated, 0 unchanged, 3 rejected' "$T/err"
expect_grep 'rejected 3: text is not UTF-8' "$T/err"
rej=$(ls "$T"/u/rejects/crimes-*.csv | tail -1)
expect_grep '^[^,]*latin.csv,4,4,text is not UTF-8,,"column 4, byte [0-9]*: 0xC9 does not begin a UTF-8 character; convert the file to UTF-8 \(iconv -f WINDOWS-1252 -t UTF-8\)"' "$rej"
expect_grep '^[^,]*latin.csv,6,6,text is not UTF-8,,"column 4, byte [0-9]*: 0xC0 ' "$rej" # overlong
expect_grep '^[^,]*latin.csv,7,7,text is not UTF-8,,"column 4, byte [0-9]*: 0xED ' "$rej" # surrogate
expect_status 0 "$CSCC" --data "$T/u" soql ijzp-q8t2 --format csv --access staff '$select=block' \
    "\$where=block like '% CAF%'"
expect_eq "the UTF-8 text, kept" "$(tail -n +2 "$T/out")" "$(sed -n 5p "$T/latin.csv" | cut -d, -f4 | tr -d '"')"

# --- files that are not crime exports are refused with exit 65 ---
printf 'x,y,date_single\n1,2,01/01/2016\n' >"$T/other.csv"
expect_status 65 "$CSCC" --data "$T/q" import crimes "$T/other.csv"
expect_grep "is not a \"Crimes - 2001 to present\" export: its header lacks 'Date', 'Primary Type', 'ID' or 'Case Number'" "$T/err"
expect_status 65 "$CSCC" --data "$T/q" import crimes "$CSCC_SRC/tests/data/victims/victims.csv"
expect_grep "is a victims export, not a crimes export; import it with 'cscc import victims'" "$T/err"
: >"$T/empty.csv"
expect_status 65 "$CSCC" --data "$T/q" import crimes "$T/empty.csv"
expect_grep 'is empty: a header row was expected' "$T/err"
printf 'ID,Case Number,Date,Block,date,Primary Type\n1,A1,01/01/2020 10:00:00 AM,001XX N STATE ST,x,THEFT\n' >"$T/dup.csv"
expect_status 65 "$CSCC" --data "$T/q" import crimes "$T/dup.csv"
expect_grep "dup.csv:1: column 'Date': the header names this column twice \\(columns 3 and 5\\)" "$T/err"
expect_status 66 "$CSCC" --data "$T/q" import crimes "$T/no-such-file.csv"
expect_grep 'cannot open .*no-such-file.csv' "$T/err"
expect_status 66 "$CSCC" --data "$T/nowhere" import crimes "$PORTAL"
expect_grep "run 'cscc init' first" "$T/err"

# --- revisions: a newer export replaces rows by ID; an older one does not ---
H='ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,Arrest,Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,Year,Updated On,Latitude,Longitude,Location'
{ echo "$H"
  echo '1,JA1,01/05/2020 10:00:00 AM,001XX W A ST,0486,BATTERY,DOMESTIC BATTERY SIMPLE,STREET,false,true,0111,001,42,32,08B,,,2020,01/06/2020 10:00:00 AM,,,'
  echo '2,JA2,01/05/2020 11:00:00 AM,001XX W A ST,0820,THEFT,$500 AND UNDER,STREET,false,false,0111,001,42,32,06,,,2020,01/06/2020 10:00:00 AM,,,'
  echo '3,JA3,01/05/2020 12:00:00 PM,001XX W A ST,0820,THEFT,$500 AND UNDER,STREET,false,false,0111,001,42,32,06,,,2020,01/06/2020 10:00:00 AM,,,'
} >"$T/v1.csv"
{ echo "$H"
  # 1: reclassified later (newer Updated On): replaces
  echo '1,JA1,01/05/2020 10:00:00 AM,001XX W A ST,041A,BATTERY,AGGRAVATED: HANDGUN,STREET,false,true,0111,001,42,32,04B,,,2020,02/01/2020 10:00:00 AM,,,'
  # 2: an older version than stored: ignored
  echo '2,JA2,01/05/2020 11:00:00 AM,001XX W A ST,0810,THEFT,OVER $500,STREET,false,false,0111,001,42,32,06,,,2020,01/01/2020 10:00:00 AM,,,'
  # 4: new; and 5 twice, the later Updated On wins
  echo '4,JA4,01/07/2020 09:00:00 AM,001XX W A ST,0820,THEFT,$500 AND UNDER,STREET,false,false,0111,001,42,8,06,,,2020,01/08/2020 10:00:00 AM,,,'
  echo '5,JA5,01/07/2020 09:30:00 AM,001XX W A ST,0820,THEFT,$500 AND UNDER,STREET,false,false,0111,001,42,8,06,,,2020,01/09/2020 10:00:00 AM,,,'
  echo '5,JA5,01/07/2020 09:30:00 AM,001XX W A ST,0320,ROBBERY,STRONGARM - NO WEAPON,STREET,false,false,0111,001,42,8,03,,,2020,01/08/2020 10:00:00 AM,,,'
} >"$T/v2.csv"
expect_status 0 "$CSCC" --data "$T/rev" init
expect_status 0 "$CSCC" --data "$T/rev" import crimes "$T/v1.csv"
expect_status 0 "$CSCC" --data "$T/rev" import crimes "$T/v2.csv"
expect_grep 'read 5 rows: 2 new, 1 updated, 1 unchanged, 0 rejected' "$T/err"
expect_grep '1 of the unchanged rows were older than the stored version' "$T/err"
expect_grep '1 rows were superseded by a later row with the same key' "$T/err"
"$CSCC" --data "$T/rev" query counts --by fbi >"$T/rev.csv"
expect_grep '^04B,1$' "$T/rev.csv"
expect_grep '^06,4$' "$T/rev.csv"   # 2 (the stored version kept), 3, 4, and 5's latest version
if grep -q '^08B' "$T/rev.csv"; then fail "the replaced row is still counted"; else pass; fi
if grep -q '^03' "$T/rev.csv"; then fail "an older duplicate row won"; else pass; fi
expect_eq "rows after revisions" "$(total "$T/rev")" "5"

# --- rows without an ID are upgraded, not doubled, when an export with IDs
#     brings the same case, date and IUCR (homicides: one row per victim) ---
{ echo "$H"
  echo ',HJ1,01/03/2003 07:45:00 PM,080XX S MICHIGAN AVE,0110,HOMICIDE,FIRST DEGREE MURDER,HOUSE,true,false,0623,,6,,01A,,,2003,,,,'
  echo ',HJ1,01/03/2003 07:45:00 PM,080XX S MICHIGAN AVE,0110,HOMICIDE,FIRST DEGREE MURDER,HOUSE,true,false,0623,,6,,01A,,,2003,,,,'
  echo ',HJ2,01/04/2003 01:00:00 AM,080XX S MICHIGAN AVE,0110,HOMICIDE,FIRST DEGREE MURDER,HOUSE,true,false,0623,,6,,01A,,,2003,,,,'
} >"$T/old.csv"
{ echo "$H"
  echo '1958,HJ1,01/03/2003 07:45:00 PM,080XX S MICHIGAN AVE,0110,HOMICIDE,FIRST DEGREE MURDER,HOUSE,True,False,623,6.0,6.0,44.0,01A,1178549.0,1851687.0,2003,08/31/2022 04:51:30 PM,41.748331657,-87.621307469,"(41.748331657, -87.621307469)"'
  echo '1959,HJ1,01/03/2003 07:45:00 PM,080XX S MICHIGAN AVE,0110,HOMICIDE,FIRST DEGREE MURDER,HOUSE,True,False,623,6.0,6.0,44.0,01A,1178549.0,1851687.0,2003,09/18/2022 04:45:51 PM,41.748331657,-87.621307469,"(41.748331657, -87.621307469)"'
} >"$T/new.csv"
expect_status 0 "$CSCC" --data "$T/ck" init
expect_status 0 "$CSCC" --data "$T/ck" import crimes "$T/old.csv"
expect_grep '3 new' "$T/err"                 # two victims of one case, one of another
expect_status 0 "$CSCC" --data "$T/ck" import crimes "$T/old.csv"
expect_grep '0 new, 0 updated, 3 unchanged' "$T/err"
expect_status 0 "$CSCC" --data "$T/ck" import crimes "$T/new.csv"
expect_grep 'read 2 rows: 0 new, 2 updated' "$T/err"
expect_eq "homicides after the upgrade" "$(total "$T/ck")" "3"
expect_eq "upgraded rows carry their area" "$("$CSCC" --data "$T/ck" query counts --by area --area 44 | tail -1)" "44,Chatham,2"
expect_status 0 "$CSCC" --data "$T/ck" import crimes "$T/old.csv"
expect_grep '0 new, 0 updated, 3 unchanged' "$T/err"   # the old extract does not undo it

# --- provenance ---
"$CSCC" --data "$T/rev" imports --json >"$T/imp.json"
if "$PY" - "$T/imp.json" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2, rows
new, old = rows
assert new["status"] == "ok" and new["dataset"] == "crimes"
assert (new["rows_read"], new["rows_new"], new["rows_updated"], new["rows_unchanged"], new["rows_rejected"]) == (5, 2, 1, 1, 0), new
assert new["files"][0]["path"].endswith("v2.csv") and new["files"][0]["size"] > 0, new
assert new["generation"] == 2 and old["generation"] == 1
assert new["started_at"] <= new["finished_at"]
PYEOF
then pass; else fail "provenance records"; fi
finish
