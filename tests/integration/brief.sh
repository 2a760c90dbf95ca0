#!/bin/bash
# brief.sh - `cscc brief`: the weekly coordination brief's violence counts
# equal an independent count (Python's csv and datetime.isocalendar over the
# bundled sample), its needs, overdue work orders and events equal what was
# created with the CLI, and bad weeks and roles are refused.
. "$(dirname "$0")/lib.sh"

D="$T/var"
SAMPLE=("$CSCC_SRC"/data/sample/crimes_violent_201[678].csv.gz)
c() { "$CSCC" --data "$D" "$@"; }

expect_status 0 c -q init
expect_status 0 c -q import crimes "${SAMPLE[@]}"

# Coordination in ISO week 2018-W10 (Monday 5 March to Sunday 11 March, Chicago):
# two needs in Austin (25) in the week, one the week after; the first (CDOT) is
# resolved before its deadline, the second (DSS, graffiti: due in five days, on Sunday morning) is not, so
# it is overdue at the week's end.
AUSTIN="--lat 41.8940 --long -87.7650"
expect_status 0 c need add --now 2018-03-05T09:00:00-06:00 --service streetlight_out $AUSTIN \
    --attr light_type=STREET --format json
expect_status 0 c need add --now 2018-03-06T09:00:00-06:00 --service graffiti \
    --lat 41.8800 --long -87.7550 --attr surface=BRICK --format json
expect_status 0 c need add --now 2018-03-12T09:00:00-06:00 --service streetlight_out \
    --lat 41.9000 --long -87.7700 --attr light_type=ALLEY --format json
expect_status 0 c workorder move 1 resolved --as coordinator --now 2018-03-06T12:00:00-06:00 \
    --note "Repaired"
expect_status 0 c event add --type community_meeting --title "Austin safety meeting" \
    --date 2018-03-07 --area 25 --attendance 30 --sector faith --sector youth_services
expect_status 0 c event add --type peace_walk --title "Next week's walk" --date 2018-03-12 \
    --area 25 --attendance 12

expect_status 0 c brief --week 2018-W10 --format json --as coordinator
cp "$T/out" "$T/b.json"
"$PY" - "$T/b.json" "${SAMPLE[@]}" <<'PYEOF' >"$T/check.txt"
import csv, datetime, gzip, json, sys
b = json.load(open(sys.argv[1]))
rows = {}
for path in sys.argv[2:]:
    for r in csv.DictReader(gzip.open(path, "rt", newline="")):
        rows[r["ID"]] = r   # a later export's row replaces an earlier one
cats = {"homicide": {"01A"}, "violent": {"01A", "02", "03", "04A", "04B"}}
def period(d):
    y, w, _ = d.isocalendar()
    if (y, w) == (2018, 10):
        return "week"
    if (y, w) == (2017, 10):
        return "year_ago"
    if datetime.date(2018, 2, 5) <= d <= datetime.date(2018, 3, 4):
        return "prior"
    return None
want = {}
for r in rows.values():
    d = datetime.datetime.strptime(r["Date"], "%m/%d/%Y %I:%M:%S %p").date()
    p = period(d)
    if not p:
        continue
    area = int(r["Community Area"]) if r["Community Area"].strip() else 0
    for cat, codes in cats.items():
        if r["FBI Code"] in codes:
            for unit in (area, "city"):
                k = (unit, cat, p)
                want[k] = want.get(k, 0) + 1
bad = 0
for s in b["sections"]:
    unit = s.get("area", "city") if s["unit"] == "area" else "city"
    for v in s["violence"]:
        for p, field in (("week", "week"), ("prior", "prior_4_weeks"), ("year_ago", "year_ago")):
            got, exp = v[field], want.get((unit, v["category"], p), 0)
            if got != exp:
                print("MISMATCH", unit, v["category"], field, got, exp)
                bad += 1
        if abs(v["prior_4_weeks_mean"] - v["prior_4_weeks"] / 4) > 1e-9:
            print("MISMATCH mean", unit, v["category"])
            bad += 1
print("checked", len(b["sections"]), "sections", "bad", bad)
PYEOF
expect_grep "^checked 16 sections bad 0$" "$T/check.txt"
grep MISMATCH "$T/check.txt" | head -5

j() { "$PY" -c "import json,sys; b=json.load(open(sys.argv[1])); $1" "$T/b.json"; }
expect_eq "periods" "$(j 'p=b["periods"]; print(p["week"]["from"], p["week"]["to"], p["prior_4_weeks"]["from"], p["year_ago"]["week"], p["year_ago"]["from"])')" \
    "2018-03-05 2018-03-11 2018-02-05 2017-W10 2017-03-06"
expect_eq "data's last day" "$(j 'print(b["data"]["violence"]["last_day"])')" \
    "$("$PY" -c "
import csv, datetime, gzip, sys
print(max(datetime.datetime.strptime(r['Date'], '%m/%d/%Y %I:%M:%S %p').date() for p in sys.argv[1:] for r in csv.DictReader(gzip.open(p, 'rt', newline=''))))" "${SAMPLE[@]}")"
AUS='a=[s for s in b["sections"] if s.get("area")==25][0]'
expect_eq "Austin needs" "$(j "$AUS; n=a['needs']; print(n['new_needs'], n['overdue_workorders'], sorted((d['department'], d['new_needs'], d['overdue']) for d in n['by_department']))")" \
    "2 1 [('CDOT', 1, 0), ('DSS', 1, 1)]"
expect_eq "Austin engagement" "$(j "$AUS; e=a['engagement']; print(e['events'], e['attendance'], e['sectors']['faith'], e['sectors']['youth_services'])")" \
    "1 30 1 1"
expect_eq "citywide needs" "$(j 'n=b["sections"][-1]["needs"]; print(b["sections"][-1]["unit"], n["new_needs"])')" "citywide 2"
expect_eq "hot spots are GeoJSON polygons in the area" \
    "$(j "$AUS; f=a['hotspots']['features']; print(a['hotspots']['type'], len(f) > 0, all(x['geometry']['type']=='Polygon' and x['properties']['area']==25 and x['properties']['gi_bin']>=2 for x in f))")" \
    "FeatureCollection True True"
expect_eq "no funding section without funding data" "$(j 'print(any("funding" in s for s in b["sections"]))')" "False"

# Overdue, judged independently from the work orders' stored times.
c workorder list --all --format json >"$T/wo.json"
WANT_OVERDUE=$("$PY" -c "
import json, sys, datetime
wos = json.load(open(sys.argv[1]))
end = datetime.datetime.fromisoformat('2018-03-11T23:59:59-05:00')
n = sum(1 for w in wos if w['area'] == 25 and datetime.datetime.fromisoformat(w['due_at']) < end
        and datetime.datetime.fromisoformat(w['created_at']) <= end
        and not (w.get('resolved_at') and datetime.datetime.fromisoformat(w['resolved_at']) <= end))
print(n)" "$T/wo.json")
expect_eq "Austin overdue (as the work orders' times say)" \
    "$(j "$AUS; print(a['needs']['overdue_workorders'])")" "$WANT_OVERDUE"

# One area, Markdown and HTML
expect_status 0 c brief --week 2018-W10 --area 25
expect_grep '^## 25 Austin' "$T/out"
expect_grep '^## Citywide' "$T/out"
expect_eq "sections for one area" "$(grep -c '^## ' "$T/out")" "2"
expect_status 0 c brief --week 2018-W10 --area 25 --format html --output "$T/b.html"
expect_grep 'break-before:page' "$T/b.html"
expect_grep '<section class="brief-unit" data-area="25">' "$T/b.html"

# Funding: the allocations whose period overlaps the week and that reach the area
c -q funding add --ref B-1 --source "Corporate Fund" --department DFSS --program Outreach \
    --strategy violence_interruption --amount 100000 --start 2018-01-01 --end 2018-12-31 --area 25 ||
    fail "funding add B-1"
c -q funding add --ref B-2 --source ARPA --department DFSS --program Jobs --strategy employment \
    --amount 50000.50 --start 2018-03-11 --end 2018-03-31 || fail "funding add B-2 (citywide)"
c -q funding add --ref B-3 --source ARPA --department CDPH --program Later --strategy health_wellness \
    --amount 7000 --start 2018-03-12 --end 2018-06-30 --area 25 || fail "funding add B-3 (after the week)"
c -q funding add --ref B-4 --source ARPA --department CDPH --program Elsewhere \
    --strategy health_wellness --amount 9000 --start 2018-01-01 --end 2018-12-31 --area 1 ||
    fail "funding add B-4 (another area)"
B1=$(c funding list --format json | "$PY" -c 'import json,sys; print([a["id"] for a in json.load(sys.stdin) if a["ref"]=="B-1"][0])')
c -q funding spend "$B1" --amount 2500 --day 2018-02-01 || fail "funding spend"
expect_status 0 c brief --week 2018-W10 --format json --as coordinator
cp "$T/out" "$T/b.json"
expect_eq "Austin's funding: B-1 and the citywide B-2" \
    "$(j "$AUS; f=a['funding']; print(f['allocations'], f['citywide_allocations'], f['amount'], f['spent'], [(x['strategy'], x['amount'], x['allocations']) for x in f['by_strategy']])")" \
    "2 1 150000.5 2500.0 [('employment', 50000.5, 1), ('violence_interruption', 100000.0, 1)]"
expect_eq "citywide funding: every allocation of the week" \
    "$(j 'f=b["sections"][-1]["funding"]; print(f["allocations"], f["citywide_allocations"], f["amount"])')" \
    "3 1 159000.5"
expect_eq "a priority area with only the citywide allocation" \
    "$(j 'print(sorted({s["funding"]["allocations"] for s in b["sections"] if s.get("area") not in (None, 25, 1)}))')" "[1]"
expect_status 0 c brief --week 2018-W10 --area 25
expect_grep '2 allocations active this week \(1 of them citywide\): \$150000.50 allocated, \$2500.00 spent' "$T/out"

# A week after the data's end says so
expect_status 0 c brief --week 2019-W10 --format json --area 25
expect_grep 'the crimes data ends on 2018-[0-9-]+, before this week' "$T/out"

# Refusals
expect_status 64 c brief --week 2018-W53
expect_grep "2018 has no ISO week 53" "$T/err"
expect_status 64 c brief --week 2018-10
expect_status 64 c brief
expect_status 64 c brief --week 2018-W10 --format pdf
expect_status 77 c brief --week 2018-W10 --as public
expect_status 77 c brief --week 2018-W10 --as department:CDOT
expect_status 64 c brief --week 2018-W10 --area 200
finish
