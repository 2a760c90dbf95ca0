#!/bin/bash
# cscc serve: graceful shutdown and crashes. On SIGTERM a request in flight
# (its body half sent) still gets its answer, new connections are refused,
# and the server exits 0 once it is done; SIGINT does the same with nothing
# in flight. After kill -9 the server starts again on the same data and
# answers the same; two servers may share one data directory.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
make_data "$D"
start_server "$D" || { finish; exit 1; }
expect_code 200 "/api/v1/counts?by=area"
cp "$T/body" "$T/before.json"

# A request in flight when SIGTERM comes.
$RAW in-flight "$HOSTPORT" "$T/flag" >"$T/inflight" 2>&1 &
client=$!
for i in $(seq 1 100); do [ -e "$T/flag" ] && break; sleep 0.05; done
req /metrics
expect_grep '^cscc_http_requests_in_flight 2$' "$T/body"
kill -TERM "$SRV_PID"
sleep 0.5
if kill -0 "$SRV_PID" 2>/dev/null; then pass; else fail "the server exited with a request in flight"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/healthz")
expect_eq "new connections refused while stopping" "$code" "000"
rm -f "$T/flag" # the client sends the rest of its body
wait $client
expect_eq "the request in flight is answered" "$(cat "$T/inflight")" "HTTP/1.1 200 OK"
wait "$SRV_PID"
expect_eq "exit status after SIGTERM" "$?" "0"
SRV_PID=""
expect_grep 'finishing 1 requests in flight' "$T/serve.err"
expect_grep 'stopped' "$T/serve.err"

# SIGINT, nothing in flight.
start_server "$D" || { finish; exit 1; }
kill -INT "$SRV_PID"
wait "$SRV_PID"
expect_eq "exit status after SIGINT" "$?" "0"

# kill -9, then start again: the same answers.
start_server "$D" || { finish; exit 1; }
expect_code 200 "/api/v1/counts?by=area"
kill -9 "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
start_server "$D" || { finish; exit 1; }
expect_code 200 "/api/v1/counts?by=area"
if cmp -s "$T/body" "$T/before.json"; then pass; else fail "answers differ after kill -9 and restart"; fi
# A second server on the same data directory (another port) is allowed.
first=$SRV_PID
first_url=$URL
start_server "$D" || { finish; exit 1; }
expect_code 200 /healthz
second=$SRV_PID
SRV_PID=$first
stop_server
expect_eq "first server stops" "$STOP_STATUS" "0"
SRV_PID=$second
expect_code 200 /healthz
stop_server
expect_eq "second server stops" "$STOP_STATUS" "0"
[ "$first_url" != "$URL" ] && pass || fail "two servers on one port"

# Refusals at start: no data directory, a port in use.
expect_status 66 "$CSCC" --data "$T/none" serve --listen 127.0.0.1:0
expect_grep "run 'cscc init' first" "$T/err"
start_server "$D" || { finish; exit 1; }
expect_status 74 "$CSCC" --data "$D" serve --listen "$HOSTPORT"
expect_grep 'cannot listen' "$T/err"
stop_server
finish
