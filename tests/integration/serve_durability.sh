#!/bin/bash
# Durability of intake: SIGKILL the server in the middle of a burst of need
# submissions; every one answered 201 with an id is there after a restart,
# with its history and its work order. Notifications not delivered before
# the kill (the webhook's receiver is down) are delivered after the restart,
# once it is up. A full disk (CSCC_STORE_MAX_PAGES) answers 503 with
# Retry-After and stores nothing half-way; the database stays sound.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
"$CSCC" -q --data "$D" init || fail "init"
HOOK_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$CSCC" -q --data "$D" config coord.webhook_url "http://127.0.0.1:$HOOK_PORT/hook" >/dev/null || fail "config webhook"
"$CSCC" -q --data "$D" config coord.outbox_backoff_s 1 >/dev/null || fail "config backoff"
"$CSCC" -q --data "$D" config coord.outbox_backoff_max_s 1 >/dev/null || fail "config backoff max"
start_server "$D" --intake-per-hour 100000 --escalate-interval 1 || { finish; exit 1; }
: >"$T/acked"
burst() { # W N: worker W's N submissions, 200 m apart; each 201's id appended to $T/acked
    local i out
    for i in $(seq 1 "$2"); do
        out=$(curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' \
            -d "{\"service_code\":\"graffiti\",\"lat\":\"$("$PY" -c "print(41.70 + $1 * 0.05 + $i * 0.002)")\",\"long\":\"-87.70\",\"attribute[surface]\":\"BRICK\",\"description\":\"burst $1 $i\",\"email\":\"r$1x$i@example.org\"}" \
            "${URL}api/v1/needs" 2>/dev/null) || continue
        [ "$(tail -1 <<<"$out")" = 201 ] &&
            head -1 <<<"$out" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["service_request_id"])' >>"$T/acked"
    done
}
for w in 1 2 3 4; do burst "$w" 100 & done
# the kill comes in the middle of the burst: once 30 are acknowledged
for i in $(seq 1 600); do [ "$(wc -l <"$T/acked")" -ge 30 ] && break; sleep 0.05; done
kill -9 "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=""
wait
N=$(wc -l <"$T/acked")
if [ "$N" -ge 30 ] && [ "$N" -lt 400 ]; then pass; else fail "$N acknowledged: the kill was not in the middle of the burst"; fi
echo "    $N submissions acknowledged before SIGKILL"
PENDING=$(sq "$D/cscc.db" 'SELECT count(*) FROM coord_outbox WHERE delivered_at IS NULL')
if [ "$PENDING" -ge "$N" ]; then pass; else fail "only $PENDING notifications pending (receiver down) for $N needs"; fi

# the receiver comes up; the server restarts and delivers what is pending
"$PY" - "$HOOK_PORT" "$T/hook" <<'PYEOF' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[2], "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PYEOF
HOOK_PID=$!
start_server "$D" --escalate-interval 1 || { kill "$HOOK_PID"; finish; exit 1; }
for i in $(seq 1 300); do
    [ "$(sq "$D/cscc.db" 'SELECT count(*) FROM coord_outbox WHERE delivered_at IS NULL')" = 0 ] && break
    sleep 0.1
done
expect_eq "notifications pending after the restart" \
    "$(sq "$D/cscc.db" 'SELECT count(*) FROM coord_outbox WHERE delivered_at IS NULL')" "0"
missing=0
while read -r id; do
    req "/api/v1/needs/$id"
    if [ "$CODE" != 200 ] || [ "$(jq_ 'd["history"][0]["to"]')" != new ] ||
        [ "$(sq "$D/cscc.db" "SELECT count(*) FROM coord_workorders WHERE need_id = $id")" != 1 ] ||
        ! grep -q "\"service_request_id\":\"$id\"" "$T/hook"; then
        missing=$((missing + 1))
        echo "    need $id: $CODE $(head -c 200 "$T/body")"
    fi
done <"$T/acked"
expect_eq "acknowledged needs missing (or without work order or notification) after SIGKILL" "$missing" "0"
if grep -q '@example.org' "$T/hook"; then fail "a notification carries a reporter's e-mail"; else pass; fi
stop_server
kill "$HOOK_PID"; wait "$HOOK_PID" 2>/dev/null
expect_eq "integrity" "$(sq "$D/cscc.db" 'PRAGMA integrity_check')" "ok"

# ---- disk full: a clean 503 with Retry-After, nothing half-written ----
sq "$D/cscc.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
PAGES=$(sq "$D/cscc.db" 'PRAGMA page_count')
count() { sq "$D/cscc.db" "SELECT (SELECT count(*) FROM coord_needs), (SELECT count(*) FROM coord_workorders), (SELECT count(*) FROM coord_wo_history)"; }
BEFORE=$(count)
CSCC_STORE_MAX_PAGES=$((PAGES + 2)) start_server "$D" --intake-per-hour 100000 --escalate-interval 0 || { finish; exit 1; }
ok=0
for i in $(seq 1 99); do # 111 m apart: none is a duplicate of another
    req /api/v1/needs -H 'Content-Type: application/json' \
        -d '{"service_code":"graffiti","lat":"41.9'"$(printf %02d "$i")"'","long":"-87.65","attribute[surface]":"BRICK","description":"'"$(head -c 3000 /dev/zero | tr '\0' x)"'"}'
    [ "$CODE" = 503 ] && break
    [ "$CODE" = 201 ] || break
    ok=$((ok + 1))
done
expect_eq "disk full answers 503" "$CODE" "503"
expect_eq "503 body" "$(jq_ 'd["error"]["code"], bool(d["error"]["message"])')" "('unavailable', True)"
expect_grep '^Retry-After: [0-9]' "$T/hdr"
expect_grep '^Content-Type: application/json' "$T/hdr"
# the store stays readable while full
expect_code 200 /api/v1/needs/1
stop_server
AFTER=$(count)
expect_eq "integrity after disk full" "$(sq "$D/cscc.db" 'PRAGMA integrity_check')" "ok"
read -r n0 w0 h0 <<<"${BEFORE//|/ }"
read -r n1 w1 h1 <<<"${AFTER//|/ }"
expect_eq "needs, work orders, history rows: only the $ok acknowledged were added" \
    "$((n1 - n0)) $((w1 - w0)) $((h1 - h0))" "$ok $ok $ok"
finish
