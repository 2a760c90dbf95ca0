#!/bin/bash
# Coordination through the CLI, end to end: the shipped catalogue, the block
# gazetteer against medians computed here, intake by address and by point,
# duplicates, what each role may see and do, the state machine and its
# history, routing rules, escalation, response metrics against an independent
# computation, partners, events and coverage, settings, and bad input that
# leaves everything as it was.
. "$(dirname "$0")/lib.sh"

D="$T/var"
# The shipped sample: real violent crimes of 2018 (to 2018-11-12).
SAMPLE="$CSCC_SRC/data/sample/crimes_violent_2018.csv.gz"
c() { "$CSCC" --data "$D" "$@"; }
json() { local e=$1; shift; "$PY" -c "import json,sys; d=json.load(sys.stdin); print($e)" "$@"; }

# ---- init loads the catalogue once; a second init keeps it ----
expect_status 0 c init
expect_grep '8 departments, 12 services added, 0 kept' "$T/err"
expect_status 0 c catalog department CDOT "Transportation (renamed)"
expect_status 0 c init
expect_grep '12 services added|0 services added, 12 kept' "$T/err"
c catalog departments --format csv >"$T/d.csv"
expect_grep '^CDOT,Chicago Department of Transportation,true' "$T/d.csv"
expect_eq "services" "$(c catalog list --format csv | tail -n +2 | wc -l)" "12"
c catalog show streetlight_out --format json >"$T/s.json"
expect_eq "light attributes" "$(json 'len(d["attributes"])' <"$T/s.json")" "3"
expect_eq "light deadline" "$(json 'd["deadline"]' <"$T/s.json")" "3d"

# ---- the gazetteer: each block at the median of its incidents ----
expect_status 0 c -q import crimes "$SAMPLE"
expect_status 0 c need gazetteer --format json
cp "$T/out" "$T/g.json"
"$PY" - "$SAMPLE" >"$T/medians.tsv" <<'PYEOF'
import csv, gzip, statistics, sys, re
d = {}
for r in csv.DictReader(gzip.open(sys.argv[1], "rt", newline="")):
    if not (r["Latitude"] and r["Longitude"]):
        continue
    b = " ".join(r["Block"].upper().split())
    m = re.match(r"^(\d+)(X+) (.*)$", b)
    n = int(m.group(1)) * 10 ** len(m.group(2)) // 100
    key = "%03dXX %s" % (n, m.group(3))
    d.setdefault(key, []).append((float(r["Latitude"]), float(r["Longitude"])))
print(len(d))
# The busiest blocks (even and odd counts), one of three incidents and one of one.
picks = sorted(d, key=lambda k: (-len(d[k]), k))[:4] + ["012XX S FAIRFIELD AVE"]
picks.append(min(k for k in d if len(d[k]) == 1))
for k in picks:
    v = d[k]
    print("%s\t%.7f\t%.7f" % (k, statistics.median(x for x, _ in v), statistics.median(y for _, y in v)))
PYEOF
expect_eq "gazetteer blocks" "$(json 'd["blocks"]' <"$T/g.json")" "$(head -1 "$T/medians.tsv")"
tail -n +2 "$T/medians.tsv" | while IFS=$'\t' read -r block lat lon; do
    c need locate "$block" --format json >"$T/p.json"
    "$PY" - "$T/p.json" "$lat" "$lon" "$block" <<'PYEOF' || echo "MISMATCH $block" >>"$T/bad"
import json, sys
p = json.load(open(sys.argv[1]))
ok = p["block"] == sys.argv[4] and abs(p["lat"] - float(sys.argv[2])) < 1e-5 and abs(p["long"] - float(sys.argv[3])) < 1e-5
sys.exit(0 if ok else 1)
PYEOF
done
if [ -e "$T/bad" ]; then fail "gazetteer medians differ: $(cat "$T/bad")"; else pass; fi
c need locate "1234 South Fairfield Avenue, Chicago IL 60608" --format json >"$T/p.json"
expect_eq "address to block" "$(json 'd["block"], d["area"], d["priority_area"]' <"$T/p.json")" "012XX S FAIRFIELD AVE 29 True"
expect_status 66 c need locate "100 W Nowhere St"
expect_grep "knows no block of W NOWHERE ST" "$T/err"

# ---- intake by address, with contact details, and a duplicate ----
NOW=2026-03-02T09:00:00-06:00
expect_status 0 c need add --as public --now $NOW --service streetlight_out \
    --address "1234 S Fairfield Ave" --attr light_type=STREET --name "Ada Resident" \
    --email ada@example.org --phone "312 555 0100" --description "=HYPERLINK(\"x\")" --format json
cp "$T/out" "$T/a1.json"
if grep -qiE 'ada@example|Ada Resident|555 0100' "$T/err"; then fail "the log shows contacts"; else pass; fi
expect_eq "first need" "$(json 'd["service_request_id"], d["department"], d["area"], d["duplicate_of"]' <"$T/a1.json")" "1 CDOT 29 None"
expect_eq "due in 3 days" "$(json 'd["expected_datetime"]' <"$T/a1.json")" "2026-03-05T09:00:00-06:00"
expect_status 0 c need add --as public --now $NOW --service streetlight_out \
    --address "1200 s fairfield" --attr light_type=ALLEY --format json
expect_eq "duplicate" "$(json 'd["duplicate_of"], d["workorder_id"]' <"$T/out")" "1 None"
expect_status 77 c need add --as partner:99 --now $NOW --service graffiti --lat 41.8665 \
    --long -87.6942 --attr surface=BRICK
expect_grep "organization 99 is not registered" "$T/err"
expect_status 0 c need add --as partner --now $NOW --service graffiti --lat 41.8665 --long -87.6942 \
    --attr surface=BRICK --attr threatening=YES --format json
expect_eq "graffiti to DSS" "$(json 'd["department"], d["duplicate_of"]' <"$T/out")" "DSS None"
# Public views never carry contact details or exact points; staff see them.
c need show 1 --as public --format json >"$T/pub.json"
if grep -qiE 'ada@example|Ada Resident|555 0100|exact_lat|"contact"|reporter' "$T/pub.json"; then
    fail "a public view shows private details: $(cat "$T/pub.json")"; else pass; fi
c need list --as public --format csv >"$T/pub.csv"
if grep -qiE 'ada@example|Ada Resident|555 0100' "$T/pub.csv"; then fail "public list shows contacts"; else pass; fi
c need show 1 --as department:DSS --format json >"$T/dss.json"
if grep -q 'ada@example' "$T/dss.json"; then fail "another department sees contacts"; else pass; fi
expect_grep '"exact_lat"' "$T/dss.json"
c need show 1 --as department:CDOT --format json >"$T/cdot.json"
expect_grep '"email": "ada@example.org"' "$T/cdot.json"
# A formula in a cell is made text in CSV.
c need list --format csv >"$T/all.csv"
expect_grep ',"'\''=HYPERLINK' "$T/all.csv"

# ---- bad input: a clear error naming the field, and nothing stored ----
before=$(c need list --format csv | wc -l)
expect_status 64 c need add --service streetlight_out --lat 41.87 --long -87.69
expect_grep "field 'attribute\[light_type\]'" "$T/err"
expect_status 64 c need add --service streetlight_out --lat 41.87 --long -87.69 --attr light_type=PURPLE
expect_grep "has no value 'PURPLE'" "$T/err"
expect_status 66 c need add --service nope --lat 41.87 --long -87.69
expect_grep "field 'service_code'" "$T/err"
expect_status 64 c need add --service streetlight_out --lat 0 --long 0 --attr light_type=STREET
expect_grep "outside every community area" "$T/err"
expect_status 64 c need add --service streetlight_out --lat 41.87 --long -87.69 --attr light_type=STREET --email nobody
expect_grep "field 'email'" "$T/err"
expect_status 64 c need add --service streetlight_out --attr light_type=STREET
expect_grep "a location is required" "$T/err"
expect_eq "needs after refusals" "$(c need list --format csv | wc -l)" "$before"

# ---- work orders: who may move what, and the history ----
expect_status 77 c workorder list --as public
expect_status 0 c workorder list --as department:CDOT --format csv
expect_eq "CDOT queue" "$(tail -n +2 "$T/out" | wc -l)" "1"
expect_status 0 c workorder list --as department:DSS --format csv
expect_eq "DSS queue" "$(tail -n +2 "$T/out" | cut -d, -f1)" "2"
expect_status 77 c workorder list --as department:DSS --department CDOT
expect_status 77 c workorder move 1 acknowledged --as department:DSS
expect_grep "only its own work orders" "$T/err"
expect_status 64 c workorder move 1 rejected --as department:CDOT
expect_grep "field 'public_note'" "$T/err"
c workorder show 1 --format json >"$T/w.json"
expect_eq "refused moves change nothing" "$(json 'd["state"], len(d["history"])' <"$T/w.json")" "new 1"
expect_status 0 c workorder move 1 acknowledged --as department:CDOT --user cdot-liaison \
    --now 2026-03-02T11:00:00-06:00 --note "Crew scheduled" --internal "pole 7 hit by a car"
expect_status 0 c workorder move 1 resolved --as department:CDOT --user cdot-liaison \
    --now 2026-03-03T09:00:00-06:00 --note "Light repaired"
expect_status 77 c workorder move 1 closed --as department:CDOT
expect_status 0 c workorder move 1 closed --as coordinator --user coord1 --now 2026-03-03T10:00:00-06:00
expect_status 64 c workorder move 1 in_progress --as coordinator
expect_grep "it is final" "$T/err"
expect_status 64 c workorder move 1 teleported --as coordinator
expect_grep "teleported" "$T/err"
c workorder show 1 --format json >"$T/w.json"
expect_eq "history" "$(json '",".join(h["to"]+"/"+h["actor"] for h in d["history"])' <"$T/w.json")" \
    "new/anonymous,acknowledged/cdot-liaison,resolved/cdot-liaison,closed/coord1"
c need show 2 --as public --format json >"$T/n2.json"
expect_eq "duplicate follows" "$(json 'd["detailed_status"], d["status"], d["status_notes"]' <"$T/n2.json")" "closed closed Light repaired"
expect_eq "public history hides internal notes" \
    "$(json '"internal_note" in str(d["history"]), len(d["history"])' <"$T/n2.json")" "False 4"
expect_eq "public history keeps public notes" "$(json 'd["history"][1]["public_note"]' <"$T/n2.json")" "Crew scheduled"

# ---- routing rules ----
expect_status 77 c route add --department CSCC --as department:DSS
expect_status 0 c route add --department CSCC --service graffiti --priority-areas --deadline 24h --as coordinator
expect_status 66 c route add --department NOPE --as coordinator
expect_grep "field 'department'" "$T/err"
c route test --service graffiti --area 29 --at $NOW --format json >"$T/r.json"
expect_eq "rule for priority areas" "$(json 'd["department"], d["deadline_hours"], d["rule"]' <"$T/r.json")" "CSCC 24 1"
c route test --service graffiti --area 7 --at $NOW --format json >"$T/r.json"
expect_eq "defaults elsewhere" "$(json 'd["department"], d["deadline_hours"], d["rule"]' <"$T/r.json")" "DSS 120 None"

# ---- duplicates within 50 m, and the priority score's parts ----
# Two points 30 m and 80 m north of an abandoned vehicle in North Lawndale
# (priority area 29), and one in Lincoln Park (area 7, not a priority area).
expect_status 0 c need add --now $NOW --service abandoned_vehicle --lat 41.8600 --long -87.7100 --format json
v1=$(json 'd["service_request_id"]' <"$T/out")
expect_status 0 c need add --now $NOW --service abandoned_vehicle --lat 41.86027 --long -87.7100 --format json
expect_eq "30 m away follows" "$(json 'd["duplicate_of"], d["workorder_id"]' <"$T/out")" "$v1 None"
v2=$(json 'd["service_request_id"]' <"$T/out")
expect_status 0 c need add --now $NOW --service abandoned_vehicle --lat 41.86072 --long -87.7100 --format json
expect_eq "80 m away is its own need" "$(json 'd["duplicate_of"] is None, d["workorder_id"] is not None' <"$T/out")" "True True"
expect_status 0 c need add --now $NOW --service abandoned_vehicle --lat 41.9220 --long -87.6450 --format json
v4=$(json 'd["service_request_id"]' <"$T/out")
c need show "$v2" --format json >"$T/v2.json"
expect_eq "distance to the need followed" \
    "$("$PY" -c 'import json,sys,math; d=json.load(open(sys.argv[1])); r=math.radians; a=math.sin(r(41.86027-41.86)/2)**2; m=2*6371008.8*math.asin(math.sqrt(a)); print(abs(d["duplicate_m"]-m) < 0.2, round(m))' "$T/v2.json")" "True 30"
c need show "$v1" --format json >"$T/v1.json"
c need show "$v4" --format json >"$T/v4.json"
c catalog show abandoned_vehicle --format json >"$T/av.json"
# The score, recomputed here: violent incidents (FBI 01A 02 03 04A 04B) of the
# 365 days to the table's last day, a quartic kernel of 400 m around the need,
# 1 + 0.5 log2(1 + density / city density), times the service's weight and
# 1.5 in a priority area.
"$PY" - "$SAMPLE" "$T/av.json" "$T/v1.json" "$T/v4.json" <<'PYEOF' || fail "priority differs from the independent computation"
import csv, gzip, json, math, sys, datetime as dt
rows = list(csv.DictReader(gzip.open(sys.argv[1], "rt", newline="")))
day = lambda r: dt.datetime.strptime(r["Date"], "%m/%d/%Y %I:%M:%S %p").date()
last = max(day(r) for r in rows)
first = last - dt.timedelta(days=364)
pts = [(float(r["Latitude"]), float(r["Longitude"])) for r in rows
       if r["FBI Code"] in ("01A", "02", "03", "04A", "04B") and r["Latitude"] and r["Longitude"]
       and float(r["Latitude"]) != 0 and first <= day(r) <= last]
weight = json.load(open(sys.argv[2]))["weight"]
def dist(a, b, c, d):
    p1, p2 = math.radians(a), math.radians(c)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(d - b) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))
ok = True
for path, area_factor in ((sys.argv[3], 1.5), (sys.argv[4], 1.0)):
    n = json.load(open(path))
    p = n["priority"]
    lat, lon = n["exact_lat"], n["exact_long"]
    near = [dist(lat, lon, a, b) for a, b in pts]
    near = [d for d in near if d < 400]
    dens = 3 / (math.pi * 0.4 ** 2) * sum((1 - (d / 400) ** 2) ** 2 for d in near)
    city_km2 = len(pts) / p["city_density_per_km2"]
    ratio = dens / p["city_density_per_km2"]
    viol = 1 + 0.5 * math.log2(1 + ratio)
    want = weight * viol * area_factor
    checks = [
        p["window_until"] == last.isoformat(), p["window_days"] == 365, p["bandwidth_m"] == 400,
        p["incidents_within_bandwidth"] == len(near), len(near) > 0,
        abs(p["density_per_km2"] - dens) <= 1e-3 * dens,
        590 < city_km2 < 620,  # Chicago's land area is about 606 km2
        abs(p["density_ratio"] - ratio) <= 1e-3 * ratio,
        abs(p["violence_factor"] - viol) <= 1e-3 * viol,
        p["weight"] == weight, p["area_factor"] == area_factor,
        p["priority_area"] == (area_factor > 1),
        abs(p["score"] - want) <= 1e-3 * want,
    ]
    print(path, p, len(near), dens, want, checks, file=sys.stderr)
    ok &= all(checks)
sys.exit(0 if ok else 1)
PYEOF
pass
# Public views show the parts too (they explain the order of the queue).
c need show "$v1" --as public --format json >"$T/v1p.json"
expect_eq "public priority parts" "$(json 'sorted(d["priority"]) == sorted(json.load(open(sys.argv[1]))["priority"])' "$T/v1.json" <"$T/v1p.json")" "True"

# ---- response metrics against an independent computation ----
for i in 1 2 3 4 5 6; do
    lat=$("$PY" -c "print(41.86 + $i * 0.004)")
    c need add --now $NOW --service vacant_lot --lat "$lat" --long -87.70 --attr problem=WEEDS >/dev/null 2>&1 || fail "vacant lot $i"
done
for w in $(c workorder list --service vacant_lot --format csv | tail -n +2 | cut -d, -f1); do
    c workorder move "$w" acknowledged --as department:DSS --now "2026-03-02T$(printf %02d $((9 + w % 7))):30:00-06:00" >/dev/null || fail "ack $w"
done
c workorder list --all --format json >"$T/all.json"
c metrics response --by department --format json >"$T/m.json"
"$PY" - "$T/all.json" "$T/m.json" <<'PYEOF' || fail "metrics differ from the independent computation"
import json, sys, statistics, datetime as dt
wos, rows = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def t(s): return dt.datetime.fromisoformat(s).timestamp()
by = {}
for w in wos:
    if w["acknowledged_at"] and w["state"] not in ("rejected", "duplicate"):
        by.setdefault(w["department"], []).append((t(w["acknowledged_at"]) - t(w["created_at"])) / 3600)
ok = True
for r in rows:
    v = by.get(r["key"], [])
    if len(v) >= 2:
        q = statistics.quantiles(v, n=10, method="inclusive")
        want = (statistics.median(v), q[8])
    elif v:
        want = (v[0], v[0])
    else:
        want = (None, None)
    got = (r["ack_median_h"], r["ack_p90_h"])
    if want[0] is None:
        ok &= got == (None, None)
    else:
        ok &= all(abs(a - b) < 1e-9 for a, b in zip(got, want))
    print(r["key"], got, want, file=sys.stderr)
ok &= any(r["key"] == "DSS" and r["acknowledged"] == 6 for r in rows)
sys.exit(0 if ok else 1)
PYEOF
pass
c metrics response --by priority --format csv >"$T/mp.csv"
expect_eq "priority rows" "$(cut -d, -f1 "$T/mp.csv" | tr '\n' ' ')" "key priority other "

# ---- escalation: once per overdue work order ----
c escalate --now 2026-12-31T00:00:00-06:00 --format json >"$T/e.json"
open=$(c workorder list --format csv | tail -n +2 | wc -l)
expect_eq "escalated" "$(json 'd["escalated"]' <"$T/e.json")" "$open"
c escalate --now 2026-12-31T01:00:00-06:00 --format json >"$T/e.json"
expect_eq "escalated again" "$(json 'd["escalated"]' <"$T/e.json")" "0"
expect_eq "overdue notifications" "$(c outbox list --format csv | grep -c workorder.overdue)" "$open"
expect_status 77 c escalate --as analyst

# ---- the outbox: a failed post is retried later, then all are delivered ----
c outbox list --format json >"$T/ob.json"
nmsg=$(json 'len(d)' <"$T/ob.json")
T0=2026-12-31T02:00:00-06:00
expect_status 75 c outbox deliver --url http://127.0.0.1:1/hook --now $T0 --format json
expect_eq "refused post" "$(json 'd["delivered"], d["failed_attempts"], d["pending"], d["next_attempt_at"]' <"$T/out")" \
    "0 1 $nmsg 2026-12-31T02:00:30-06:00"
c outbox list --pending --format json >"$T/ob1.json"
expect_eq "first message waits" "$(json 'd[0]["attempts"], d[0]["last_error"] != "", len(d)' <"$T/ob1.json")" "1 True $nmsg"
expect_status 75 c outbox deliver --url http://127.0.0.1:1/hook --now 2026-12-31T02:00:10-06:00 --format json
expect_eq "no retry before the backoff" "$(json 'd["failed_attempts"], d["pending"]' <"$T/out")" "0 $nmsg"
"$PY" - "$T/port" "$T/posts" <<'PYEOF' &
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "a") as f:
            f.write(json.dumps({"delivery": self.headers["X-CSCC-Delivery"],
                                "topic": self.headers["X-CSCC-Topic"],
                                "body": json.loads(body)}) + "\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
__import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PYEOF
receiver=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
expect_status 0 c outbox deliver --url "http://127.0.0.1:$(cat "$T/port")/hook" \
    --now 2026-12-31T02:01:00-06:00 --format json
kill "$receiver"
wait "$receiver" 2>/dev/null
expect_eq "delivered" "$(json 'd["delivered"], d["pending"]' <"$T/out")" "$nmsg 0"
"$PY" - "$T/ob.json" "$T/posts" <<'PYEOF' || fail "the posts differ from the outbox"
import json, sys
ob = json.load(open(sys.argv[1]))
posts = [json.loads(l) for l in open(sys.argv[2])]
got = [(int(p["delivery"]), p["topic"]) for p in posts]
want = [(m["id"], m["topic"]) for m in ob]
def same(a, b):  # the list shows 10 significant digits
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= 1e-8 * max(abs(a), 1)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b
ok = got == want and all(same(p["body"]["data"], m["data"]) for p, m in zip(posts, ob))
sys.exit(0 if ok else 1)
PYEOF
pass
if grep -qiE 'ada@example|Ada Resident|555 0100' "$T/posts"; then fail "notifications carry contacts"; else pass; fi
expect_eq "nothing pending" "$(c outbox list --pending --format csv | tail -n +2 | wc -l)" "0"

# ---- partners, events, coverage ----
expect_status 77 c org add --name "X" --sector faith --as public
expect_status 0 c org add --as partner --name "North Lawndale Youth" --sector youth_services \
    --sector education --area 29 --capacity 30 --contact-email pat@nly.example --format json
org=$(json 'd["id"]' <"$T/out")
expect_status 73 c org add --as partner --name "north lawndale youth" --sector faith
expect_grep "registered already" "$T/err"
expect_status 64 c org add --name "Y" --sector astrology
expect_grep "field 'sectors\[0\]'" "$T/err"
expect_status 77 c org edit "$org" --capacity 50 --as partner:999
expect_status 0 c org edit "$org" --capacity 50 --as "partner:$org"
expect_status 77 c org verify "$org" --as "partner:$org"
expect_status 0 c org verify "$org" --as coordinator
c org list --as public --format json >"$T/o.json"
expect_eq "directory" "$(json 'd[0]["verified"], d[0]["capacity_per_week"], "contact" in d[0]' <"$T/o.json")" "True 50 False"
if grep -q 'pat@nly' "$T/o.json"; then fail "public directory shows contacts"; else pass; fi
c org show "$org" --as "partner:$org" --format json >"$T/o1.json"
expect_grep '"email": "pat@nly.example"' "$T/o1.json"
expect_status 0 c event add --as "partner:$org" --type resource_fair --date 2026-02-20 --area 29 \
    --org "$org" --department CDPH --attendance 80 --commitment "Summer jobs sign-up|DFSS|2026-04-01"
expect_status 64 c event add --type fiesta --date 2026-02-20 --area 29
expect_grep "field 'type'" "$T/err"
c event coverage --from 2026-01-01 --to 2026-03-31 --format json >"$T/cov.json"
expect_eq "coverage of North Lawndale" \
    "$(json '[(r["events"], r["sectors"]["youth_services"], r["sectors"]["education"], r["sectors"]["city_services"], r["sectors"]["faith"]) for r in d if r["area"] == 29][0]' <"$T/cov.json")" \
    "(1, 1, 1, 1, 0)"
expect_eq "coverage rows" "$(json 'len(d)' <"$T/cov.json")" "15"
expect_status 77 c event coverage --as public

# ---- catalogue edits and settings ----
cat >"$T/bad.json" <<'EOF'
{"service_code": "pothole", "service_name": "Pothole", "department": "CDOT", "deadline": "2 weeks"}
EOF
expect_status 64 c catalog put "$T/bad.json"
expect_grep "field 'services\[0\]\.deadline'" "$T/err"
expect_eq "services unchanged" "$(c catalog list --format csv | tail -n +2 | wc -l)" "12"
cat >"$T/ok.json" <<'EOF'
{"service_code": "pothole", "service_name": "Pothole", "department": "CDOT", "deadline": "14d",
 "attributes": [{"code": "depth", "datatype": "number", "description": "How deep, in inches?"}]}
EOF
expect_status 77 c catalog put "$T/ok.json" --as department:CDOT
expect_status 0 c catalog put "$T/ok.json" --as coordinator
expect_eq "services" "$(c catalog list --format csv | tail -n +2 | wc -l)" "13"
expect_status 0 c catalog retire pothole --as coordinator
expect_status 66 c need add --service pothole --lat 41.87 --long -87.69
expect_grep "retired" "$T/err"
expect_status 77 c config duplicate_radius_m 80 --as coordinator
expect_status 64 c config duplicate_radius_m lots
expect_status 0 c config duplicate_radius_m 80
expect_status 0 c config duplicate_radius_m --format csv
expect_grep '^coord.duplicate_radius_m,80,' "$T/out"
finish
