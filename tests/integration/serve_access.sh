#!/bin/bash
# cscc serve with accounts: logging in and out (cookie attributes, CSRF,
# timeouts), API tokens, users and the audit log over HTTP, throttling, a
# trusted proxy; the authorization matrix of every route x method x role
# and the scan of every public answer (tests/tools/access_check.py); exact
# counts for staff, small cells withheld for the public.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
make_data "$D"
"$CSCC" -q --data "$D" import victims "$CSCC_SRC/tests/data/victims/victims.csv" || fail "import victims"
# a layer of non-fatal shootings, for priority from the crimes
{
    echo "lat,lng,datetime,shooting_type"
    for i in $(seq 1 12); do echo "41.8803,-87.7525,2017-0$((i % 9 + 1))-1${i: -1}T10:00:00Z,nonlethal"; done
    echo "41.8617,-87.7214,2017-03-03T10:00:00Z,fatal"
} >"$T/shots.csv"
"$CSCC" -q --data "$D" import layer shots "$T/shots.csv" --lat lat --lon lng --date datetime \
    --date-format '%Y-%m-%dT%H:%M:%SZ' || fail "import layer"

PW_BOSS='correct horse battery staple x'
PW_ANA='another long passphrase here ok'
echo "$PW_BOSS" | "$CSCC" -q --data "$D" user add boss --role admin --password-stdin || fail "user add boss"
echo "$PW_ANA" | "$CSCC" -q --data "$D" user add ana --role analyst --password-stdin || fail "user add ana"
# coordination objects with owners: the partner's organization (1), another (2),
# and a need routed to DSS (work order 1), reported with contact details
"$CSCC" -q --data "$D" org add --name "Own Org" --sector youth_services \
    --contact-email own@example.org --contact-phone 312-555-0101 >/dev/null || fail "org add"
"$CSCC" -q --data "$D" org add --name "Other Org" --sector faith \
    --contact-email other@example.org >/dev/null || fail "org add"
"$CSCC" -q --data "$D" need add --service graffiti --lat 41.8803 --long -87.7525 \
    --attr surface=BRICK --name Resident --email resident@example.org --phone 312-555-0199 >/dev/null || fail "need add"
"$CSCC" -q --data "$D" user add p1 --role partner --org 1 --no-password
"$CSCC" -q --data "$D" user add d1 --role department --department Streets --no-password
{
    printf '{"partner":"%s",' "$("$CSCC" -q --data "$D" user token-add p1 t)"
    printf '"department":"%s",' "$("$CSCC" -q --data "$D" user token-add d1 t)"
    printf '"coordinator":"%s",' "$(api_token "$D" c1 coordinator)"
    printf '"analyst":"%s",' "$(api_token "$D" a1 analyst)"
    printf '"admin":"%s",' "$(api_token "$D" adm admin)"
    printf '"fixtures":{"own_org":1,"other_org":2,"other_workorder":1}}\n'
} >"$T/tokens.json"
ADMIN=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin"])' "$T/tokens.json")
ANALYST=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["analyst"])' "$T/tokens.json")
start_server "$D" --trusted-proxy 127.0.0.1 || { finish; exit 1; }
JSON=(-H 'Content-Type: application/json')

# ---- logging in
expect_error 401 unauthorized None /api/v1/session -X POST "${JSON[@]}" \
    --data "{\"name\":\"boss\",\"password\":\"wrong password of fifteen+\"}"
expect_error 401 unauthorized None /api/v1/session -X POST "${JSON[@]}" \
    --data "{\"name\":\"nobody\",\"password\":\"wrong password of fifteen+\"}"
expect_error 400 bad_parameter password /api/v1/session -X POST "${JSON[@]}" --data '{"name":"boss"}'
expect_error 400 bad_parameter extra /api/v1/session -X POST "${JSON[@]}" \
    --data '{"name":"boss","password":"x","extra":1}'
expect_error 400 bad_body None /api/v1/session -X POST "${JSON[@]}" --data '{"name":'
expect_error 415 unsupported_media_type None /api/v1/session -X POST --data 'name=boss'
expect_code 200 /api/v1/session -X POST "${JSON[@]}" --data "{\"name\":\"boss\",\"password\":\"$PW_BOSS\"}"
SC=$(header Set-Cookie)
COOKIE=$(echo "$SC" | sed -E 's/^cscc_session=([^;]*);.*/\1/')
CSRF=$(jq_ 'd["csrf_token"]')
expect_eq "login answer" "$(jq_ 'd["user"], d["role"], d["credential"]')" "('boss', 'admin', 'session')"
expect_grep '^Set-Cookie: cscc_session=cscc_s_[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200' "$T/hdr"
if grep -qi '^Set-Cookie:.*Secure' "$T/hdr"; then fail "a plain-HTTP cookie is Secure"; else pass; fi
expect_eq "login not cached" "$(header Cache-Control)" "no-store"
CK=(-b "cscc_session=$COOKIE")

# who am I, with the cookie; the public without
expect_code 200 /api/v1/session "${CK[@]}"
expect_eq "session" "$(jq_ 'd["authenticated"], d["user"], d["csrf_token"]')" "(True, 'boss', '$CSRF')"
expect_code 200 /api/v1/session
expect_eq "no session" "$(jq_ 'd["authenticated"], d["role"]')" "(False, 'public')"
expect_code 200 /api/v1/users "${CK[@]}"
expect_eq "users by cookie" "$(jq_ 'sorted(u["name"] for u in d["users"])')" "['a1', 'adm', 'ana', 'boss', 'c1', 'd1', 'p1']"

# ---- CSRF: a change by cookie needs the session's token; bearer tokens do not
expect_error 403 csrf None /api/v1/tokens -X POST "${JSON[@]}" "${CK[@]}" --data '{"label":"x"}'
expect_error 403 csrf None /api/v1/tokens -X POST "${JSON[@]}" "${CK[@]}" -H "X-CSRF-Token: $CSRF-" --data '{"label":"x"}'
expect_code 201 /api/v1/tokens -X POST "${JSON[@]}" "${CK[@]}" -H "X-CSRF-Token: $CSRF" --data '{"label":"from the browser"}'
BT=$(jq_ 'd["token"]')
expect_eq "token shape" "$(echo "$BT" | grep -cE '^cscc_t_[A-Za-z0-9_-]{43}$')" "1"
expect_code 201 /api/v1/tokens -X POST "${JSON[@]}" -H "Authorization: Bearer $BT" --data '{"label":"by token","expires":"2099-01-01"}'
expect_error 400 bad_parameter expires /api/v1/tokens -X POST "${JSON[@]}" -H "Authorization: Bearer $BT" --data '{"label":"old","expires":"2001-01-01"}'
expect_code 200 /api/v1/tokens -H "Authorization: Bearer $BT"
expect_eq "own tokens" "$(jq_ 'sorted(t["label"] for t in d["tokens"])')" "['by token', 'from the browser']"
if grep -qE 'cscc_t_[A-Za-z0-9_-]{20}' "$T/body"; then fail "a token list shows a token"; else pass; fi

# ---- users over HTTP (admin)
expect_code 201 /api/v1/users -X POST "${JSON[@]}" -H "Authorization: Bearer $ADMIN" \
    --data '{"name":"carol","role":"partner","org":3,"password":"a fine passphrase for the org"}'
expect_eq "user added" "$(jq_ 'd["name"], d["role"], d["org_id"], d["has_password"]')" "('carol', 'partner', 3, True)"
expect_error 400 bad_parameter password /api/v1/users -X POST "${JSON[@]}" -H "Authorization: Bearer $ADMIN" \
    --data '{"name":"dave","role":"analyst","password":"aaaaaaaaaaaaaaaaaaaa"}'
expect_error 400 bad_parameter org /api/v1/users -X POST "${JSON[@]}" -H "Authorization: Bearer $ADMIN" \
    --data '{"name":"erin","role":"partner"}'
expect_error 409 conflict None /api/v1/users -X POST "${JSON[@]}" -H "Authorization: Bearer $ADMIN" \
    --data '{"name":"carol","role":"analyst"}'
expect_error 400 bad_parameter role /api/v1/users -X POST "${JSON[@]}" -H "Authorization: Bearer $ADMIN" \
    --data '{"name":"frank","role":"emperor"}'
expect_code 200 /api/v1/users/carol -X PATCH "${JSON[@]}" -H "Authorization: Bearer $ADMIN" --data '{"role":"analyst"}'
expect_eq "set role" "$(jq_ 'd["role"], d["org_id"]')" "('analyst', None)"
expect_error 409 conflict disabled /api/v1/users/adm -X PATCH "${JSON[@]}" -H "Authorization: Bearer $ADMIN" --data '{"disabled":true}'
expect_error 404 not_found None /api/v1/users/nobody -X PATCH "${JSON[@]}" -H "Authorization: Bearer $ADMIN" --data '{"disabled":true}'
# a disabled user's tokens stop working
CT=$("$CSCC" -q --data "$D" user token-add carol script)
expect_code 200 /api/v1/tokens -H "Authorization: Bearer $CT"
expect_code 200 /api/v1/users/carol -X PATCH "${JSON[@]}" "${CK[@]}" -H "X-CSRF-Token: $CSRF" --data '{"disabled":true}'
expect_eq "disabled" "$(jq_ 'd["disabled"]')" "True"
expect_error 401 unauthorized None /api/v1/tokens -H "Authorization: Bearer $CT"
expect_eq "bearer challenge" "$(header WWW-Authenticate)" "Bearer"
expect_error 401 unauthorized None /api/v1/session -H "Authorization: Basic Ym9zczp4"

# ---- staff see exact counts; the public sees small cells withheld
Q="by=area&from=2017-01-01&to=2017-01-31&category=homicide"
expect_code 200 "/api/v1/counts?$Q&format=csv" -H "Authorization: Bearer $ANALYST"
"$CSCC" --data "$D" query counts --by area --from 2017-01-01 --to 2017-01-31 --category homicide >"$T/cli"
if cmp -s "$T/body" "$T/cli"; then pass; else fail "analyst counts differ from the CLI"; fi
expect_code 200 "/api/v1/counts?$Q"
expect_eq "withheld rows" "$(jq_ 'all(r["count"] is None for r in d["rows"] if r["suppressed"]) and any(r["suppressed"] for r in d["rows"])')" "True"
expect_eq "no small cell" "$(jq_ 'any(r["count"] is not None and 1 <= r["count"] <= 9 for r in d["rows"])')" "False"
# a published cell is the exact one
expect_eq "published cells exact" "$("$PY" - "$T/body" "$T/cli" <<'EOF'
import csv, json, sys
pub = {r["community_area"]: r["count"] for r in json.load(open(sys.argv[1]))["rows"]}
cli = {int(r["community_area"]) if r["community_area"] else None: int(r["count"]) for r in csv.DictReader(open(sys.argv[2]))}
print(all(v is None or cli[k] == v for k, v in pub.items()))
EOF
)" "True"
expect_code 200 "/api/v1/analyses/trends?from=2017-01-01&to=2017-03-31&category=homicide" -H "Authorization: Bearer $ANALYST"
expect_eq "staff trends exact" "$(jq_ '"suppressed" in [c["name"] for c in d["columns"]]')" "False"
expect_code 200 "/api/v1/analyses/trends?from=2017-01-01&to=2017-03-31&category=homicide"
expect_eq "public trends withheld" "$(jq_ '[c["name"] for c in d["columns"]][-1]')" "suppressed"
expect_error 400 bad_parameter to "/api/v1/analyses/trends?from=2017-01-01"
expect_error 400 bad_parameter type "/api/v1/analyses/trends?from=2017-01-01&to=2017-02-01&measure=serious&type=THEFT"
expect_error 400 bad_parameter shootings_layer "/api/v1/analyses/priority?from=2017-01-01&to=2017-12-31&source=crimes&shootings_layer=nope"
expect_code 200 "/api/v1/analyses/priority?from=2016-01-01&to=2018-12-31&source=crimes&shootings_layer=shots&top=5" -H "Authorization: Bearer $ANALYST"
expect_eq "priority over HTTP = CLI" "$(jq_ '[r[1] for r in d["rows"][:5]]')" \
    "$("$CSCC" --data "$D" analyze priority --from 2016-01-01 --to 2018-12-31 --source crimes --shootings-layer shots --top 5 --format json 2>/dev/null | "$PY" -c 'import json,sys; print([r[1] for r in json.load(sys.stdin)["rows"][:5]])')"
# reading the victims table is audited, with the actor: through an analysis, and as rows
expect_code 200 "/api/v1/analyses/trends?from=2021-01-01&to=2021-12-31&measure=serious&source=victims" -H "Authorization: Bearer $ANALYST"
expect_code 200 "/resource/gumc-mgzr.json?\$limit=3" -H "Authorization: Bearer $ANALYST"
expect_code 200 "/resource/ijzp-q8t2.json?\$limit=3" -H "Authorization: Bearer $ANALYST"

# ---- the matrix of every route x method x role, and the scan of public answers
if "$PY" "$TOOLS/access_check.py" matrix "$URL" "$T/tokens.json" >"$T/matrix.out" 2>&1; then pass; else
    fail "authorization matrix:"; grep -v '^[0-9]* checks' "$T/matrix.out" | head -20 | sed 's/^/    /'
fi
tail -1 "$T/matrix.out"
if "$PY" "$TOOLS/access_check.py" scan "$URL" >"$T/scan.out" 2>&1; then pass; else
    fail "scan of public answers:"; head -20 "$T/scan.out" | sed 's/^/    /'
fi
tail -1 "$T/scan.out"

# ---- a trusted proxy: the client's address and https from its headers
expect_code 200 /api/v1/session -X POST "${JSON[@]}" -H 'X-Forwarded-Proto: https' \
    -H 'X-Forwarded-For: 198.51.100.9, 203.0.113.50' --data "{\"name\":\"ana\",\"password\":\"$PW_ANA\"}"
expect_grep '^Set-Cookie: __Host-cscc_session=cscc_s_[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure' "$T/hdr"
HC=$(header Set-Cookie | sed -E 's/^__Host-cscc_session=([^;]*);.*/\1/')
# over https the plain name is not read, and over plain http not the __Host- one
expect_code 200 /api/v1/session -H 'X-Forwarded-Proto: https' -b "cscc_session=$HC"
expect_eq "plain name over https" "$(jq_ 'd["authenticated"]')" "False"
expect_code 200 /api/v1/session -H 'X-Forwarded-Proto: https' -b "__Host-cscc_session=$HC"
expect_eq "__Host- over https" "$(jq_ 'd["user"]')" "ana"

# ---- logging out
expect_error 403 csrf None /api/v1/session -X DELETE "${CK[@]}"
expect_code 200 /api/v1/session -X DELETE "${CK[@]}" -H "X-CSRF-Token: $CSRF"
expect_grep '^Set-Cookie: cscc_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0' "$T/hdr"
# the ended session's cookie is the public's now (and may log in again)
expect_code 200 /api/v1/session "${CK[@]}"
expect_eq "after logout" "$(jq_ 'd["authenticated"]')" "False"
expect_error 401 unauthorized None /api/v1/users "${CK[@]}"
expect_error 400 bad_request None /api/v1/session -X DELETE -H "Authorization: Bearer $BT"
expect_code 200 /api/v1/session -X POST "${JSON[@]}" "${CK[@]}" --data "{\"name\":\"boss\",\"password\":\"$PW_BOSS\"}"

# ---- the audit log: who, what, from where; never a password or token
expect_code 200 "/api/v1/audit?limit=10000" -H "Authorization: Bearer $ADMIN"
cp "$T/body" "$T/audit.json"
for a in login login.failed logout authz.denied authn.failed csrf.denied token.create user.add \
    user.set_role user.disable read.sensitive credential.revoke; do
    expect_eq "audited: $a" "$(jq_ "any(r['action'] == '$a' for r in d['records'])" "$T/audit.json")" "True"
done
expect_eq "proxy's client address audited" "$(jq_ "any(r['action'] == 'login' and r['actor'] == 'ana' and r['address'] == '203.0.113.50' for r in d['records'])" "$T/audit.json")" "True"
expect_eq "victims read by a1" "$(jq_ "any(r['action'] == 'read.sensitive' and r['actor'] == 'a1' for r in d['records'])" "$T/audit.json")" "True"
expect_eq "victims' rows read by a1 over /resource" "$(jq_ "[r['object'] for r in d['records'] if r['action'] == 'read.sensitive' and r['actor'] == 'a1' and '/resource/gumc-mgzr.json' in (r['detail'] or '')]" "$T/audit.json")" "['victims']"
expect_eq "public crime rows are not a sensitive read" "$(jq_ "any('ijzp-q8t2' in (r['detail'] or '') for r in d['records'] if r['action'] == 'read.sensitive')" "$T/audit.json")" "False"
if grep -qE 'cscc_[st]_[A-Za-z0-9_-]{20}|horse battery|passphrase|fifteen\+' "$T/audit.json"; then
    fail "the audit log holds a token or a password"; else pass; fi
expect_error 403 forbidden None /api/v1/audit -H "Authorization: Bearer $ANALYST"

# ---- throttling: 100 failures from one address (through the proxy) for one account
pids=()
for i in $(seq 1 100); do
    curl -s -o /dev/null -X POST "${JSON[@]}" -H 'X-Forwarded-For: 192.0.2.77' \
        --data '{"name":"ana","password":"not the right one at all"}' "${URL}api/v1/session" &
    pids+=($!)
    if [ $((i % 8)) -eq 0 ]; then wait "${pids[@]}"; pids=(); fi
done
[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
expect_error 429 too_many_requests None /api/v1/session -X POST "${JSON[@]}" -H 'X-Forwarded-For: 192.0.2.77' \
    --data "{\"name\":\"boss\",\"password\":\"$PW_BOSS\"}"
expect_eq "retry after" "$(header Retry-After)" "3600"
# the account too, from anywhere; another account from another address logs in
expect_error 429 too_many_requests None /api/v1/session -X POST "${JSON[@]}" -H 'X-Forwarded-For: 192.0.2.78' \
    --data "{\"name\":\"ana\",\"password\":\"$PW_ANA\"}"
expect_code 200 /api/v1/session -X POST "${JSON[@]}" -H 'X-Forwarded-For: 192.0.2.79' \
    --data "{\"name\":\"boss\",\"password\":\"$PW_BOSS\"}"

stop_server
expect_eq "stopped" "$STOP_STATUS" "0"
if grep -qE 'cscc_[st]_[A-Za-z0-9_-]{20}|horse battery' "$T/serve.err" "$T/serve.out"; then
    fail "the server's log holds a token or a password"; else pass; fi

# ---- session timeouts: a session idle longer than --session-idle ends
start_server "$D" --session-idle 60 || { finish; exit 1; }
expect_code 200 /api/v1/session -X POST "${JSON[@]}" -H 'X-Forwarded-For: 192.0.2.80' \
    --data "{\"name\":\"boss\",\"password\":\"$PW_BOSS\"}"
expect_eq "idle timeout in the answer" "$("$PY" -c 'import json,sys,datetime as d; x=json.load(open(sys.argv[1])); e=d.datetime.strptime(x["expires_at"],"%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=d.timezone.utc); print(50 <= (e - d.datetime.now(d.timezone.utc)).total_seconds() <= 61)' "$T/body")" "True"
stop_server

# ---- refusals of callers not signed in: one record per address and route a window, then a count
start_server "$D" --trusted-proxy 127.0.0.1 --audit-window 6 || { finish; exit 1; }
anon() { # ADDRESS N: N refused requests on one connection (well inside the window)
    local i
    for i in $(seq 1 "$2"); do printf 'url = "%s"\noutput = "/dev/null"\n' "${URL}api/v1/users"; done >"$T/anon.cfg"
    curl -s -H "X-Forwarded-For: $1" -K "$T/anon.cfg"
}
anon 198.51.100.9 40
anon 198.51.100.10 3
expect_code 200 "/api/v1/audit?limit=10000" -H "Authorization: Bearer $ADMIN"
expect_eq "40 refusals in one window: one record so far" "$(jq_ "sum(1 for r in d['records'] if r['address'] == '198.51.100.9')")" "1"
sleep 6.2
anon 198.51.100.9 1
expect_code 200 "/api/v1/audit?limit=10000" -H "Authorization: Bearer $ADMIN"
expect_eq "the window's count written when the next one starts" \
    "$(jq_ "[(r['detail'] or '').split(' ')[0] for r in d['records'] if r['address'] == '198.51.100.9']")" \
    "['sign', '39', 'sign']"
anon 198.51.100.9 5
# signed in, every refusal is its own record
for i in 1 2; do
    expect_code 403 /api/v1/users -H "Authorization: Bearer $ANALYST" -H 'X-Forwarded-For: 198.51.100.11'
done
stop_server
"$CSCC" --data "$D" audit --json --limit 100000 >"$T/audit2.json" 2>"$T/audit2.err" || fail "cscc audit"
count_refusals() { # ADDRESS: refusals the records account for (a record, or "N more like this")
    "$PY" -c 'import json,sys
n = 0
for r in map(json.loads, open(sys.argv[1])):
    if r["address"] == sys.argv[2] and r["action"] == "authz.denied":
        w = (r["detail"] or "").split(" ")
        n += int(w[0]) if w[1:3] == ["more", "like"] else 1
print(n)' "$T/audit2.json" "$1"
}
expect_eq "every refusal of 198.51.100.9 accounted for" "$(count_refusals 198.51.100.9)" "46"
expect_eq "the last count written on stop" "$(count_refusals 198.51.100.10)" "3"
expect_eq "a signed-in caller's refusals are each a record" \
    "$(grep -c '"address":"198.51.100.11"' "$T/audit2.json")" "2"

finish
