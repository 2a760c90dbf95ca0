#!/bin/bash
# A database that cannot be written under a running server: writes (a need
# through the API and through Open311, a work-order transition) answer a clean
# 503 with Retry-After and a message that says what to do, store nothing, and
# reads go on; once the database is writable again, everything acknowledged
# before is there and writes are taken again.
#
# How the database is made read-only: the test hook CSCC_STORE_READONLY_FLAG
# names a file; while it exists, each transaction of the server's connections
# starts with PRAGMA query_only on, so SQLite itself refuses the writes with
# SQLITE_READONLY (root writes through file modes, so chmod cannot stand in
# for a read-only database here). A database already read-only when the server
# starts is the real-file case: as non-root it is tested with chmod below.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
RO="$T/readonly-now"
"$CSCC" -q --data "$D" init || fail "init"
"$CSCC" -q --data "$D" user add streets --role coordinator --no-password || fail "user add"
TOKEN=$("$CSCC" -q --data "$D" user token-add streets "readonly test")
[ -n "$TOKEN" ] && pass || fail "no API token"
AUTH=(-H "Authorization: Bearer $TOKEN")
JSON=(-H 'Content-Type: application/json')
count() { sq "$D/cscc.db" "SELECT (SELECT count(*) FROM coord_needs), (SELECT count(*) FROM coord_workorders), (SELECT count(*) FROM coord_wo_history)"; }
need() { # LAT: a graffiti need at LAT, -87.65
    req /api/v1/needs "${JSON[@]}" \
        -d '{"service_code":"graffiti","lat":"'"$1"'","long":"-87.65","attribute[surface]":"BRICK","description":"tag"}'
}

echo "o311-key" >"$T/keys"
CSCC_STORE_READONLY_FLAG="$RO" start_server "$D" --intake-per-hour 100000 --escalate-interval 1 \
    --open311-keys "$T/keys" ||
    { finish; exit 1; }
need 41.90
expect_eq "need while writable" "$CODE" "201"
ID1=$(jq_ 'd["service_request_id"]')
expect_code 200 "/api/v1/workorders?all=1" "${AUTH[@]}"
WO1=$(jq_ 'd["workorders"][0]["id"]')
expect_code 200 "/api/v1/workorders/$WO1/transitions" "${AUTH[@]}" "${JSON[@]}" -d '{"state":"acknowledged","public_note":"seen"}'
BEFORE=$(count)

# ---- the database becomes read-only under the running server ----
touch "$RO"
need 41.92
expect_eq "need while read-only" "$CODE" "503"
expect_eq "503 body" "$(jq_ 'd["error"]["code"]')" "unavailable"
expect_grep '^Retry-After: [0-9]' "$T/hdr"
expect_eq "the message says what failed and what to do" \
    "$(jq_ '"read-only" in d["error"]["message"] and "nothing was stored" in d["error"]["message"] and "writable" in d["error"]["message"]')" "True"
if grep -q 'cscc.db\|SQLITE\|attempt to write' "$T/body"; then fail "the 503 shows internals: $(cat "$T/body")"; else pass; fi
req "/api/v1/workorders/$WO1/transitions" "${AUTH[@]}" "${JSON[@]}" -d '{"state":"in_progress","public_note":"on it"}'
expect_eq "transition while read-only" "$CODE" "503"
expect_grep '^Retry-After: [0-9]' "$T/hdr"
req /open311/v2/requests.json -d 'api_key=o311-key&service_code=graffiti&lat=41.94&long=-87.65&attribute[surface]=BRICK'
expect_eq "Open311 POST requests while read-only" "$CODE" "503"
expect_eq "Open311 error" "$(jq_ 'd[0]["code"], "read-only" in d[0]["description"]')" "(503, True)"
expect_grep '^Retry-After: [0-9]' "$T/hdr"
# reads go on
expect_code 200 "/api/v1/needs/$ID1"
expect_code 200 "/api/v1/workorders/$WO1" "${AUTH[@]}"
expect_eq "state unchanged" "$(jq_ 'd["state"]')" "acknowledged"
expect_eq "nothing stored while read-only" "$(count)" "$BEFORE"
expect_grep 'cannot be written' "$T/serve.err"

# ---- writable again: all acknowledged is there, writes are taken ----
rm -f "$RO"
need 41.96
expect_eq "need once writable again" "$CODE" "201"
ID2=$(jq_ 'd["service_request_id"]')
expect_code 200 "/api/v1/workorders/$WO1/transitions" "${AUTH[@]}" "${JSON[@]}" -d '{"state":"in_progress","public_note":"on it"}'
expect_eq "transition once writable again" "$(jq_ 'd["state"]')" "in_progress"
stop_server
expect_eq "server stopped cleanly" "$STOP_STATUS" "0"
start_server "$D" || { finish; exit 1; }
expect_code 200 "/api/v1/needs/$ID1"
expect_eq "need 1 history after restart" "$(jq_ '[h["to"] for h in d["history"]]')" "['new', 'acknowledged', 'in_progress']"
expect_code 200 "/api/v1/needs/$ID2"
read -r n0 w0 h0 <<<"${BEFORE//|/ }"
AFTER=$(count)
read -r n1 w1 h1 <<<"${AFTER//|/ }"
expect_eq "needs, work orders, history rows added after the read-only spell" \
    "$((n1 - n0)) $((w1 - w0)) $((h1 - h0))" "1 1 2"
stop_server
expect_eq "integrity" "$(sq "$D/cscc.db" 'PRAGMA integrity_check')" "ok"

# ---- a database read-only on disk (non-root only: root writes through modes) ----
if [ "$(id -u)" != 0 ]; then
    chmod 0500 "$D"
    chmod 0400 "$D"/cscc.db*
    "$CSCC" --data "$D" serve --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.err"
    rc=$?
    chmod 0700 "$D"
    chmod 0600 "$D"/cscc.db*
    if [ "$rc" != 0 ] && grep -q 'read-only' "$T/serve.err"; then pass; else
        fail "serve on a read-only database: status $rc, $(head -c 300 "$T/serve.err")"
    fi
fi
finish
