#!/bin/bash
# Resources: funding allocations, spending and initiatives from the CLI, and
# the capacity gap and funding alignment analyses, on the shipped fixture
# (tests/data/resources: FY2021 allocations across departments, programs,
# strategy areas and community areas, with spending; the partner
# organizations) and the victims fixture; totals and the index checked by an
# independent computation in Python (tests/tools/resources_check.py). Bad
# CSV leaves the data unchanged; every change is in the audit log. The API:
# the analyses are public aggregates, allocations need a signed-in user.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
FIX="$CSCC_SRC/tests/data/resources"
REF="$CSCC_SRC/data/reference"
ALLOCS="$FIX/allocations_fy2021.csv"
SPEND="$FIX/spending_fy2021.csv"
CHECK="$TOOLS/resources_check.py"
expect_status 0 "$CSCC" --data "$D" init
expect_status 0 "$CSCC" --data "$D" import victims "$CSCC_SRC/tests/data/victims/victims.csv"

# add_orgs DATA: the partner organizations of the fixture.
add_orgs() {
    local line args
    while IFS= read -r line; do
        eval "args=($line)"
        expect_status 0 "$CSCC" --data "$1" org add "${args[@]}"
    done < <("$PY" - "$FIX/organizations.json" <<'PYEOF'
import json, shlex, sys
for o in json.load(open(sys.argv[1])):
    a = ["--name", o["name"], "--capacity", str(o["capacity"])]
    for s in o["sectors"]: a += ["--sector", s]
    for x in o["areas"]: a += ["--area", str(x)]
    print(" ".join(shlex.quote(x) for x in a))
PYEOF
)
}
add_orgs "$D"

# --- import: all or nothing ---
expect_status 0 "$CSCC" --data "$D" funding import "$ALLOCS" --spending "$SPEND"
expect_grep "imported 127 allocations and 355 spending entries" "$T/err"
"$CSCC" --data "$D" funding list --format json >"$T/list0.json"
expect_eq "every allocation stored, with its spending" "$("$PY" - "$T/list0.json" "$ALLOCS" "$SPEND" <<'PYEOF'
import csv, json, sys
got = json.load(open(sys.argv[1]))
want = list(csv.DictReader(open(sys.argv[2])))
spent = {}
for r in csv.DictReader(open(sys.argv[3])):
    spent[r["ref"]] = spent.get(r["ref"], 0) + round(float(r["amount"]) * 100)
ok = len(got) == len(want) == 127
for g, w in zip(got, want):
    ok &= g["ref"] == w["ref"] and round(g["amount"] * 100) == round(float(w["amount"]) * 100)
    ok &= round(g["spent"] * 100) == spent.get(w["ref"], 0)
    ok &= g["areas"] == [int(x) for x in w["areas"].split(";") if x] and g["strategy"] == w["strategy"]
    ok &= g["organization_name"] == w["organization"] and g["program"] == w["program"]
print(ok, round(sum(g["amount"] for g in got) * 100) == sum(round(float(w["amount"]) * 100) for w in want))
PYEOF
)" "True True"

# bad rows: the error names file, row and column; nothing of the file is stored
printf 'ref,source,department,program,strategy,amount,start,end,areas\nNEW-1,Corporate Fund,Police,X,employment,100.00,2021-01-01,2021-12-31,25\nNEW-2,Corporate Fund,Police,X,policing,100.00,2021-01-01,2021-12-31,25\n' >"$T/bad1.csv"
expect_status 65 "$CSCC" --data "$D" funding import "$T/bad1.csv"
expect_grep "bad1.csv: row 3, column 5 \(strategy\): strategy 'policing' is not one of" "$T/err"
printf 'ref,source,department,program,strategy,amount,start,end,areas\nNEW-3,Corporate Fund,Police,X,employment,12.345,2021-01-01,2021-12-31,25\n' >"$T/bad2.csv"
expect_status 65 "$CSCC" --data "$D" funding import "$T/bad2.csv"
expect_grep "bad2.csv: row 2, column 6 \(amount\)" "$T/err"
printf 'ref,source,department,program,strategy,amount,start,end,areas\nNEW-4,Corporate Fund,Police,X,employment,1.00,2021-01-01,2021-12-31,25;99\n' >"$T/bad3.csv"
expect_status 65 "$CSCC" --data "$D" funding import "$T/bad3.csv"
expect_grep "row 2, column 9 \(areas\[1\]\).*no community area 99" "$T/err"
printf 'ref,source,department,program,amount,start,end\nNEW-5,Corporate Fund,Police,X,1.00,2021-01-01,2021-12-31\n' >"$T/bad4.csv"
expect_status 65 "$CSCC" --data "$D" funding import "$T/bad4.csv"
expect_grep "bad4.csv: row 1: the header has no column 'strategy'" "$T/err"
printf 'ref,source,department,program,strategy,amount,start,end,areas\nNEW-7,Corporate Fund,Police,Caf\311 talks,employment,1.00,2021-01-01,2021-12-31,25\n' >"$T/bad5.csv"
expect_status 65 "$CSCC" --data "$D" funding import "$T/bad5.csv"
expect_grep "bad5.csv: row 2, column 4 \(program\): program is not UTF-8: byte 4 \(0xC9\)" "$T/err"
# a good allocations file with bad spending: the allocations are not kept either
printf 'ref,source,department,program,strategy,amount,start,end,areas\nNEW-6,Corporate Fund,Police,X,employment,1.00,2021-01-01,2021-12-31,25\n' >"$T/good.csv"
printf 'ref,day,amount\nNEW-6,2021-02-01,0.50\nFY21-999,2021-02-01,1.00\n' >"$T/badspend.csv"
expect_status 65 "$CSCC" --data "$D" funding import "$T/good.csv" --spending "$T/badspend.csv"
expect_grep "badspend.csv: row 3, column 1 \(ref\): there is no allocation with ref 'FY21-999'" "$T/err"
# the same refs again: taken
expect_status 65 "$CSCC" --data "$D" funding import "$ALLOCS"
expect_grep "row 2, column 1 \(ref\): an allocation with ref 'FY21-001' is already stored" "$T/err"
"$CSCC" --data "$D" funding list --format json >"$T/list1.json"
expect_eq "bad imports left the allocations unchanged" "$(cmp -s "$T/list0.json" "$T/list1.json" && echo same)" "same"

# --- add, edit, spend, show; who may ---
expect_status 0 "$CSCC" --data "$D" funding add --ref EXTRA-1 --source "Corporate Fund" --department Police --program "Co-responder pilot" --strategy violence-diversion --amount '$120,000.50' --start 2021-04-01 --end 2021-09-30 --area 25 --area 29 --organization 1 --format json
expect_eq "added allocation" "$("$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['id'], d['amount'], d['strategy'], d['areas'], d['organization_name'])" "$T/out")" "128 120000.5 violence_diversion [25, 29] Austin Peace Circle"
expect_status 0 "$CSCC" --data "$D" funding edit 128 --amount 100000 --end 2021-12-31 --format json
expect_eq "edited allocation" "$("$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['amount'], d['start'], d['end'])" "$T/out")" "100000.0 2021-04-01 2021-12-31"
expect_status 64 "$CSCC" --data "$D" funding edit 128 --start 2022-01-01
expect_grep "the period ends before it starts" "$T/err"
expect_status 0 "$CSCC" --data "$D" funding spend 128 --amount 2500.25 --day 2021-05-02 --note "first invoice"
expect_status 0 "$CSCC" --data "$D" funding show 128 --format json
expect_eq "spending shown" "$("$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['spent'], d['spending'][0]['note'])" "$T/out")" "2500.25 first invoice"
expect_status 77 "$CSCC" --data "$D" funding spend 128 --amount 1 --day 2021-05-02 --as analyst
expect_status 77 "$CSCC" --data "$D" funding list --as public
expect_status 66 "$CSCC" --data "$D" funding show 999
expect_status 0 "$CSCC" --data "$D" funding list --strategy violence_diversion --area 25 --format csv
expect_grep "^128,EXTRA-1," "$T/out"

# --- initiatives ---
expect_status 0 "$CSCC" --data "$D" initiative add --name "West Side Summer Peace" --status planning --lead 1 --partner 3 --partner 12 --area 25 --area 26 --funding 128 --funding 2
expect_status 0 "$CSCC" --data "$D" initiative milestone 1 --title "Peacekeepers hired" --due 2021-05-15
expect_status 0 "$CSCC" --data "$D" initiative milestone-status 1 done --day 2021-05-10
expect_status 0 "$CSCC" --data "$D" initiative status 1 active
expect_status 0 "$CSCC" --data "$D" initiative show 1 --format json
expect_eq "initiative" "$("$PY" -c "
import json,sys; d=json.load(open(sys.argv[1]))
print(d['status'], d['lead']['name'], [p['name'] for p in d['partners']], d['areas'], [f['ref'] for f in d['funding']], d['milestones'][0]['status'], d['milestones'][0]['done'])" "$T/out")" "active Austin Peace Circle ['Little Village Unidos', 'West Side Youth League'] [25, 26] ['FY21-002', 'EXTRA-1'] done 2021-05-10"
expect_status 64 "$CSCC" --data "$D" initiative status 1 finished
expect_status 66 "$CSCC" --data "$D" initiative add --name "Nowhere" --partner 99
expect_grep "partners\[0\]" "$T/err"

# --- the audit log has every change, with the actor ---
expect_status 0 "$CSCC" --data "$D" audit --json
for a in funding.import funding.add funding.edit funding.spend initiative.add initiative.milestone initiative.status; do
    expect_grep "\"action\":\"$a\"" "$T/out"
done
expect_grep '"action":"funding.import".*"outcome":"failed"' "$T/out"

# --- funding alignment, checked independently (on a store with the fixture only) ---
D2="$T/var2"
expect_status 0 "$CSCC" --data "$D2" init
add_orgs "$D2"
expect_status 0 "$CSCC" --data "$D2" import victims "$CSCC_SRC/tests/data/victims/victims.csv"
expect_status 0 "$CSCC" --data "$D2" funding import "$ALLOCS" --spending "$SPEND"
for spec in "2021-01-01 2021-12-31 area" "2021-01-01 2021-12-31 strategy" "2021-01-01 2021-12-31 quarter" "2020-10-01 2022-03-31 quarter" "2020-01-01 2022-12-31 year" "2021-03-15 2021-08-20 area"; do
    set -- $spec
    "$CSCC" --data "$D2" analyze funding --from "$1" --to "$2" --by "$3" --format json >"$T/f.json" 2>"$T/err" || fail "analyze funding $spec: $(cat "$T/err")"
    expect_eq "funding $spec equals the independent computation" "$("$PY" "$CHECK" funding --from "$1" --to "$2" --by "$3" "$ALLOCS" "$SPEND" "$REF/population.csv" "$REF/priority_areas.csv" "$T/f.json")" "ok"
done
expect_status 0 "$CSCC" --data "$D2" analyze funding --from 2021-01-01 --to 2021-12-31 --format geojson
expect_eq "funding GeoJSON: 77 areas with boundaries" "$("$PY" -c "
import json,sys; d=json.load(open(sys.argv[1]))
print(d['type'], len(d['features']), all(f['geometry'] and f['geometry']['type'] in ('Polygon','MultiPolygon') for f in d['features']), 'priority_share' in d['cscc']['summary'])" "$T/out")" "FeatureCollection 77 True True"
expect_status 64 "$CSCC" --data "$D2" analyze funding --from 2021-01-01 --to 2021-12-31 --by strategy --format geojson

# --- capacity gap, checked independently; serious counts equal analyze priority's ---
"$CSCC" --data "$D" analyze capacity-gap --from 2021-01-01 --to 2021-12-31 --format json >"$T/g.json" 2>"$T/err" || fail "capacity-gap: $(cat "$T/err")"
expect_eq "capacity gap equals the independent computation" "$("$PY" "$CHECK" gap --from 2021-01-01 --to 2021-12-31 "$FIX/organizations.json" "$REF/population.csv" "$T/g.json")" "ok"
"$CSCC" --data "$D" analyze priority --from 2021-01-01 --to 2021-12-31 --format json >"$T/p.json"
expect_eq "capacity gap counts serious victimizations as analyze priority does" "$("$PY" - "$T/g.json" "$T/p.json" <<'PYEOF'
import json, sys
g, p = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
gc = [c["name"] for c in g["columns"]]; pc = [c["name"] for c in p["columns"]]
gs = {r[gc.index("community_area")]: r[gc.index("serious")] for r in g["rows"]}
ps = {r[pc.index("community_area")]: r[pc.index("serious")] for r in p["rows"]}
print(gs == ps, sum(gs.values()) > 0)
PYEOF
)" "True True"
expect_status 0 "$CSCC" --data "$D" analyze capacity-gap --from 2021-01-01 --to 2021-12-31 --total --sector mental_health --format geojson
expect_eq "capacity gap GeoJSON: two rows per area, boundaries, no contacts" "$("$PY" -c "
import json,sys; d=json.load(open(sys.argv[1]))
print(len(d['features']), sorted({f['properties']['sector'] for f in d['features']}), all(f['geometry'] for f in d['features']), 'contact' in json.dumps(d))" "$T/out")" "154 ['all', 'mental_health'] True False"
expect_status 64 "$CSCC" --data "$D" analyze capacity-gap --from 2021-01-01 --to 2021-12-31 --sector policing
expect_status 64 "$CSCC" --data "$D" analyze capacity-gap --from 2021-01-01
for an in capacity-gap funding; do
    expect_status 64 "$CSCC" --data "$D" analyze $an --from 2021-12-31 --to 2021-01-01
    expect_grep "--from 2021-12-31 is after --to 2021-01-01: the period ends before it starts" "$T/err"
done

# --- exports: CSV (cells a spreadsheet would run are made text) and GeoJSON (RFC 7946) ---
expect_status 0 "$CSCC" --data "$D" funding add --ref FORMULA-1 --source "Corporate Fund" --department Police --program '=HYPERLINK("http://x","y")' --strategy employment --amount 1 --start 2021-01-01 --end 2021-12-31
expect_status 0 "$CSCC" --data "$D" funding list --format csv
expect_grep ",\"'=HYPERLINK" "$T/out"
for a in "capacity-gap --total" "funding --by area-strategy"; do
    set -- $a
    expect_status 0 "$CSCC" --data "$D" analyze "$@" --from 2021-01-01 --to 2021-12-31 --format csv --output "$T/x.csv"
    expect_eq "$1 CSV export: a header and rows of equal width" "$("$PY" -c "
import csv,sys; r=list(csv.reader(open(sys.argv[1]))); print('community_area' in r[0], len(r) > 77, len({len(x) for x in r}))" "$T/x.csv")" "True True 1"
    expect_status 0 "$CSCC" --data "$D" analyze "$@" --from 2021-01-01 --to 2021-12-31 --format geojson --output "$T/x.geojson"
    expect_eq "$1 GeoJSON export is RFC 7946" "$("$PY" "$TOOLS/rfc7946_check.py" "$T/x.geojson")" "ok"
done

# --- the API ---
COORD=$(api_token "$D" coord1 coordinator)
ANALYST=$(api_token "$D" ana1 analyst)
"$CSCC" -q --data "$D" user add dept1 --role department --department Budget --no-password || fail "user add dept1"
DEPT=$("$CSCC" -q --data "$D" user token-add dept1 t)
ADMIN=$(api_token "$D" adm1 admin)
PW_C='a long coordinator passphrase ok'
echo "$PW_C" | "$CSCC" -q --data "$D" user add coord2 --role coordinator --password-stdin || fail "user add coord2"
AC=(-H "Authorization: Bearer $COORD")
JSON=(-H 'Content-Type: application/json')
start_server "$D"
expect_code 200 "/api/v1/analyses"
expect_eq "the analyses list has both" "$(jq_ "sorted(a['name'] for a in d['analyses'] if a['name'] in ('capacity-gap','funding'))")" "['capacity-gap', 'funding']"
expect_code 200 "/api/v1/analyses/capacity-gap?from=2021-01-01&to=2021-12-31&sector=mental_health,healthcare" "${AC[@]}"
expect_eq "API capacity gap: the CLI's rows" "$(jq_ "len(d['rows'])")|$(grep -c contact "$T/body")" "154|0"
"$CSCC" --data "$D" analyze capacity-gap --from 2021-01-01 --to 2021-12-31 --sector mental_health --sector healthcare --format json >"$T/cg.json"
expect_eq "API (staff) and CLI capacity gap agree" "$("$PY" -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); print(a['rows']==b['rows'])" "$T/body" "$T/cg.json")" "True"
# the public: small counts of serious victimizations withheld with what derives from them
expect_code 200 "/api/v1/analyses/capacity-gap?from=2021-01-01&to=2021-12-31&sector=mental_health,healthcare"
expect_eq "public capacity gap: counts 1-9 withheld, burden and index with them, capacity kept" "$("$PY" - "$T/body" "$T/cg.json" <<'PYEOF'
import json, sys
p, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
c = [x["name"] for x in p["columns"]]
i = {n: c.index(n) for n in c}
small = [r for r in s["rows"] if 1 <= r[i["serious"]] <= 9]
pub = {(r[i["community_area"]], r[i["sector"]]): r for r in p["rows"]}
ok = len(small) > 0 and c[-1] == "suppressed"
for r in small:
    q = pub[(r[i["community_area"]], r[i["sector"]])]
    ok &= q[i["serious"]] is None and q[i["burden_per_100k"]] is None and q[i["gap_index"]] is None
    ok &= q[i["capacity_per_100k"]] == r[i["capacity_per_100k"]] and q[-1] is True
ok &= not any(r[i["serious"]] is not None and 1 <= r[i["serious"]] <= 9 for r in p["rows"])
print(ok)
PYEOF
)" "True"
expect_code 200 "/api/v1/analyses/funding?from=2021-01-01&to=2021-12-31&by=area-strategy&format=csv"
expect_eq "public funding CSV: amounts by area and strategy published, small counts not" "$("$PY" -c "
import csv,sys; r=list(csv.DictReader(open(sys.argv[1])))
print(len(r) == 77*7, sum(float(x['allocated']) for x in r) > 0, any(x['serious'] == '' and x['suppressed'] == '1' for x in r), all(x['serious'] == '' or not 1 <= int(x['serious']) <= 9 for x in r))" "$T/body")" "True True True True"
expect_eq "CSV content type" "$(header Content-Type | cut -d';' -f1)" "text/csv"
expect_code 200 "/api/v1/analyses/capacity-gap?from=2021-01-01&to=2021-12-31&total=true&format=geojson"
expect_eq "API capacity gap GeoJSON is RFC 7946" "$("$PY" "$TOOLS/rfc7946_check.py" "$T/body")" "ok"
expect_code 200 "/api/v1/analyses/funding?from=2021-01-01&to=2021-12-31&by=strategy"
expect_eq "API funding summary" "$(jq_ "round(d['summary']['allocated'], 2) > 0 and len(d['rows']) == 7")" "True"
expect_code 200 "/api/v1/analyses/funding?from=2021-01-01&to=2021-12-31&format=geojson"
expect_eq "API funding GeoJSON" "$(jq_ "len(d['features'])")" "77"
expect_code 400 "/api/v1/analyses/funding?from=2021-01-01&to=2021-12-31&by=strategy&format=geojson"
expect_code 400 "/api/v1/analyses/capacity-gap?to=2021-12-31"
expect_eq "missing period names the field" "$(jq_ "d['error']['field']")" "from"
expect_error 400 bad_parameter from "/api/v1/analyses/capacity-gap?from=2021-12-31&to=2021-01-01"
expect_grep "from 2021-12-31 is after to 2021-01-01: the period ends before it starts" "$T/body"
expect_error 400 bad_parameter from "/api/v1/analyses/funding?from=2021-12-31&to=2021-01-01"
expect_code 400 "/api/v1/analyses/funding?from=2021-01-01&to=2021-12-31&strategy=policing"
expect_code 401 "/api/v1/funding"
expect_code 401 "/api/v1/funding/1"
expect_code 401 "/api/v1/initiatives"
expect_code 401 "/api/v1/funding" -X POST -H 'Content-Type: application/json' -d '{"ref":"X"}'
expect_code 401 "/api/v1/funding/1/spending" -X POST -H 'Content-Type: application/json' -d '{"amount":"1","day":"2021-01-01"}'

# --- edits over the API: coordinators and admins; 400 names the field; nothing changed on error; audited ---
expect_code 200 /api/v1/funding/128 "${AC[@]}"
cp "$T/body" "$T/a128.json"
expect_error 400 bad_parameter strategy /api/v1/funding/128 -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"amount":5,"strategy":"policing"}'
expect_error 400 bad_parameter ref /api/v1/funding/128 -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"ref":"NEW"}'
expect_error 400 bad_parameter amount /api/v1/funding/128 -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"amount":"12.345"}'
expect_error 400 bad_parameter end /api/v1/funding/128 -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"end":"2020-01-01"}'
expect_error 400 bad_parameter "areas[0]" /api/v1/funding/128 -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"areas":[99]}'
expect_error 400 bad_parameter organization /api/v1/funding/128 -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"organization":999}'
expect_error 400 bad_body None /api/v1/funding/128 -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"amount":'
expect_error 404 not_found None /api/v1/funding/99999 -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"amount":5}'
expect_code 403 /api/v1/funding/128 -X PATCH -H "Authorization: Bearer $ANALYST" "${JSON[@]}" -d '{"amount":5}'
expect_code 403 /api/v1/funding/128 -X PATCH -H "Authorization: Bearer $DEPT" "${JSON[@]}" -d '{"amount":5}'
expect_code 401 /api/v1/funding/128 -X PATCH "${JSON[@]}" -d '{"amount":5}'
expect_code 200 /api/v1/funding/128 "${AC[@]}"
expect_eq "refused and bad edits changed nothing" "$(cmp -s "$T/body" "$T/a128.json" && echo same)" "same"
expect_code 200 /api/v1/funding/128 -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"amount":"90,000.00","program":"Co-responder","areas":[25],"end":"2021-11-30","recipient":"Block club"}'
expect_eq "PATCH allocation" "$(jq_ "d['amount'], d['program'], d['areas'], d['start'], d['end'], d['recipient'], d['organization']")" "(90000.0, 'Co-responder', [25], '2021-04-01', '2021-11-30', 'Block club', 1)"
# spending entries
expect_code 201 /api/v1/funding/128/spending -X POST "${AC[@]}" "${JSON[@]}" -d '{"amount":"100.00","day":"2021-06-01","note":"second"}'
SID=$(jq_ "d['spending']")
expect_code 200 "/api/v1/spending/$SID" -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"amount":250.5,"note":"second invoice"}'
expect_eq "PATCH spending" "$(jq_ "d['amount'], d['note'], d['day'], d['allocation']")" "(250.5, 'second invoice', '2021-06-01', 128)"
expect_error 400 bad_parameter amount "/api/v1/spending/$SID" -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"amount":0}'
expect_error 400 bad_parameter day "/api/v1/spending/$SID" -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"day":"June"}'
expect_code 200 /api/v1/funding/128 "${AC[@]}"
expect_eq "spent after the edit" "$(jq_ "d['spent']")" "2750.75"
expect_code 200 "/api/v1/spending/$SID" -X DELETE "${AC[@]}"
expect_code 404 "/api/v1/spending/$SID" -X DELETE "${AC[@]}"
expect_code 200 /api/v1/funding/128 "${AC[@]}"
expect_eq "spent after the delete" "$(jq_ "d['spent'], len(d['spending'])")" "(2500.25, 1)"
# a cookie session needs the CSRF token for a change, as the other write routes
expect_code 200 /api/v1/session -X POST "${JSON[@]}" --data "{\"name\":\"coord2\",\"password\":\"$PW_C\"}"
CSRF=$(jq_ "d['csrf_token']")
COOKIE=$(header Set-Cookie | cut -d';' -f1)
expect_code 403 /api/v1/funding/128 -X PATCH -H "Cookie: $COOKIE" "${JSON[@]}" -d '{"notes":"by cookie"}'
expect_code 200 /api/v1/funding/128 -X PATCH -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" "${JSON[@]}" -d '{"notes":"by cookie"}'
expect_eq "cookie edit" "$(jq_ "d['notes']")" "by cookie"
# initiatives with milestones, partners and linked funding
expect_code 201 /api/v1/initiatives -X POST "${AC[@]}" "${JSON[@]}" -d '{"name":"Austin Safe Passage","lead":1,"partners":[3],"areas":[25],"funding":[128,5],"status":"planning"}'
IID=$(jq_ "d['id']")
expect_eq "POST initiative" "$(jq_ "d['name'], d['status'], d['lead']['id'], [p['id'] for p in d['partners']], d['areas'], [f['id'] for f in d['funding']]")" "('Austin Safe Passage', 'planning', 1, [3], [25], [5, 128])"
expect_error 400 bad_parameter "partners[0]" /api/v1/initiatives -X POST "${AC[@]}" "${JSON[@]}" -d '{"name":"Nowhere","partners":[999]}'
expect_error 400 bad_parameter status /api/v1/initiatives -X POST "${AC[@]}" "${JSON[@]}" -d '{"name":"Nowhere","status":"finished"}'
expect_error 400 bad_parameter name /api/v1/initiatives -X POST "${AC[@]}" "${JSON[@]}" -d '{"status":"active"}'
expect_error 409 conflict name /api/v1/initiatives -X POST "${AC[@]}" "${JSON[@]}" -d '{"name":"Austin Safe Passage"}'
expect_code 201 "/api/v1/initiatives/$IID/milestones" -X POST "${AC[@]}" "${JSON[@]}" -d '{"title":"Routes mapped","due":"2021-06-01"}'
MID=$(jq_ "d['milestones'][0]['id']")
expect_error 400 bad_parameter due "/api/v1/initiatives/$IID/milestones" -X POST "${AC[@]}" "${JSON[@]}" -d '{"title":"No day"}'
expect_code 200 "/api/v1/milestones/$MID" -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"status":"done","day":"2021-05-28"}'
expect_eq "PATCH milestone" "$(jq_ "d['status'], d['done'], d['initiative']")" "('done', '2021-05-28', $IID)"
expect_error 400 bad_parameter status "/api/v1/milestones/$MID" -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"status":"late"}'
expect_code 200 "/api/v1/initiatives/$IID" -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"status":"active","partners":[3,12],"funding":[128],"lead":null}'
expect_eq "PATCH initiative" "$(jq_ "d['status'], d['lead'], sorted(p['id'] for p in d['partners']), [f['id'] for f in d['funding']], d['areas'], d['milestones'][0]['status']")" "('active', None, [3, 12], [128], [25], 'done')"
expect_code 200 "/api/v1/initiatives/$IID" "${AC[@]}"
cp "$T/body" "$T/i.json"
expect_error 400 bad_parameter "funding[1]" "/api/v1/initiatives/$IID" -X PATCH "${AC[@]}" "${JSON[@]}" -d '{"status":"paused","funding":[128,99999]}'
expect_code 403 "/api/v1/initiatives/$IID" -X PATCH -H "Authorization: Bearer $ANALYST" "${JSON[@]}" -d '{"status":"paused"}'
expect_code 200 "/api/v1/initiatives/$IID" -H "Authorization: Bearer $DEPT"
expect_eq "a refused or bad initiative edit changed nothing" "$(cmp -s "$T/body" "$T/i.json" && echo same)" "same"
expect_code 200 "/api/v1/milestones/$MID" -X DELETE -H "Authorization: Bearer $ADMIN"
expect_code 200 "/api/v1/initiatives/$IID" -X DELETE "${AC[@]}"
expect_code 404 "/api/v1/initiatives/$IID" "${AC[@]}"
expect_code 200 /api/v1/funding/128 -X DELETE "${AC[@]}"
expect_code 404 /api/v1/funding/128 "${AC[@]}"
stop_server
# every change is audited with the actor and the values before and after
"$CSCC" --data "$D" audit --json >"$T/audit.json"
expect_eq "API changes audited with before and after" "$("$PY" - "$T/audit.json" <<'PYEOF'
import json, sys
text = open(sys.argv[1]).read().strip()
recs = json.loads(text) if text.startswith("[") else [json.loads(l) for l in text.splitlines() if l.strip()]
def det(r): return json.loads(r["detail"])
edits = [r for r in recs if r["action"] == "funding.edit" and r["actor"] == "coord1" and r["object"] == "allocation:128"]
d = det(edits[0])
ok = d["before"]["amount"] == 100000.0 and d["after"]["amount"] == 90000.0 and d["after"]["program"] == "Co-responder"
sp = [det(r) for r in recs if r["action"] == "funding.spend.edit"]
ok &= sp[0]["before"]["amount"] == 100.0 and sp[0]["after"]["amount"] == 250.5
dl = [det(r) for r in recs if r["action"] == "funding.delete" and r["object"] == "allocation:128"]
ok &= dl[0]["after"] is None and dl[0]["before"]["ref"] == "EXTRA-1" and dl[0]["before"]["spending"][0]["note"] == "first invoice"
ie = [det(r) for r in recs if r["action"] == "initiative.edit"]
ok &= ie[0]["before"]["status"] == "planning" and ie[0]["after"]["status"] == "active"
ok &= any(r["action"] == "initiative.milestone.delete" and r["actor"] == "adm1" for r in recs)
ok &= any(r["action"] == "initiative.delete" for r in recs) and any(r["action"] == "funding.spend.delete" for r in recs)
ok &= any(r["action"] == "funding.edit" and r["actor"] == "coord2" for r in recs)
ok &= not any(r["action"] == "funding.edit" and "policing" in r.get("detail", "") for r in recs)
print(ok)
PYEOF
)" "True"
start_server "$D"
stop_server
finish
