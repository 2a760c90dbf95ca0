#!/bin/bash
# cscc serve: its limits, each explicit and enforced. Body size (413, with a
# length given or chunked), request target length (414), header size, the
# number of parameters, slow clients (a raw socket trickling a header or a
# body is cut at its deadline), connections per address and in all, and
# keep-alive (many requests on one connection).
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
make_data "$D" "$CSCC_SRC/tests/data/crimes/portal_export_sample_2016-01-01_03.csv"
start_server "$D" --max-body 2048 --max-url 1024 --max-header 8192 --header-timeout 2 \
    --body-timeout 2 --max-conns-per-ip 8 || { finish; exit 1; }

# ---- body size
body() { # SIZE: a valid JSON body of exactly SIZE bytes
    "$PY" -c 'import sys; s="{\"by\":\"area\"}"; print(s + " " * (int(sys.argv[1]) - len(s)), end="")' "$1"
}
body 2048 >"$T/b2048"
body 2049 >"$T/b2049"
expect_code 200 /api/v1/analyses/counts -X POST -H 'Content-Type: application/json' --data-binary @"$T/b2048"
expect_error 413 too_large None /api/v1/analyses/counts -X POST -H 'Content-Type: application/json' --data-binary @"$T/b2049"
expect_grep 'larger than 2048 bytes' "$T/body"
expect_error 413 too_large None /api/v1/analyses/counts -X POST -H 'Content-Type: application/json' \
    -H 'Transfer-Encoding: chunked' --data-binary @"$T/b2049"
expect_code 200 /api/v1/analyses/counts -X POST -H 'Content-Type: application/json' \
    -H 'Transfer-Encoding: chunked' --data-binary @"$T/b2048"
body 1000000 >"$T/b1m"
expect_error 413 too_large None /api/v1/analyses/counts -X POST -H 'Content-Type: application/json' --data-binary @"$T/b1m"

# ---- request target and header sizes, parameters
long=$("$PY" -c 'print("x" * 1100)')
expect_error 414 uri_too_long None "/api/v1/counts?type=$long"
# the Socrata endpoint answers the same refusals in Socrata's shape
expect_code 414 "/resource/ijzp-q8t2.json?\$where=$long"
expect_eq "414 in Socrata's shape" "$(jq_ 'd["error"], d["code"], d["message"]')" \
    "(True, 'uri_too_long', 'the request target is longer than 1024 bytes')"
expect_code 400 "/resource/ijzp-q8t2.json?\$where=%zz"
expect_eq "bad percent-encoding in Socrata's shape" "$(jq_ 'd["error"], d["code"], d["data"]["parameter"]')" \
    "(True, 'bad_request', '\$where')"
expect_code 200 "/api/v1/counts?type=${long:0:150}"
many=$("$PY" -c 'print("&".join("type=T%d" % i for i in range(65)))')
expect_error 400 bad_request None "/api/v1/counts?$many"
expect_grep 'too many parameters' "$T/body"
big=$("$PY" -c 'print("y" * 9000)')
req /healthz -H "X-Big: $big"
expect_eq "an oversized header" "$CODE" "431"
expect_code 200 /healthz

# ---- keep-alive: one connection, many requests
expect_eq "keep-alive" "$($RAW keepalive "$HOSTPORT" "/api/v1/counts?by=year" 5)" "200 200 200 200 200"
expect_eq "keep-alive after an error" "$($RAW keepalive "$HOSTPORT" "/nothing" 3)" "404 404 404"
# a body's length given twice, or two ways, is refused and the connection closed
expect_eq "one Content-Length: the body is read, the connection kept" \
    "$($RAW framing "$HOSTPORT" 'Content-Length: 13')" "200 200"
expect_eq "two Content-Length headers" \
    "$($RAW framing "$HOSTPORT" 'Content-Length: 13|Content-Length: 5')" "400 closed"
expect_eq "Content-Length and Transfer-Encoding" \
    "$($RAW framing "$HOSTPORT" 'Content-Length: 13|Transfer-Encoding: chunked')" "400 closed"

# ---- slow clients are cut at their deadline (2 s here)
t=$($RAW slow-header "$HOSTPORT" 20)
if awk -v t="$t" 'BEGIN { exit !(t >= 1.5 && t <= 6) }'; then pass; else fail "slow header cut after $t s, want about 2"; fi
t=$($RAW slow-body "$HOSTPORT" 20)
if awk -v t="$t" 'BEGIN { exit !(t >= 1.5 && t <= 6) }'; then pass; else fail "slow body cut after $t s, want about 2"; fi
req /metrics
expect_grep '^cscc_http_connections_cut_total [2-9]$' "$T/body"
expect_code 200 /healthz

# ---- connections from one address: 8 here
sleep 0.3
# (the connections wait 0.5 s before their requests: this server cuts a
# connection whose header has not come in 2 s)
expect_eq "per-address limit (served, refused)" "$($RAW conns "$HOSTPORT" 12 0.5)" "8 4"
expect_code 200 /healthz
stop_server
expect_eq "graceful stop" "$STOP_STATUS" "0"

# ---- connections in all: 4 here, on one thread (libmicrohttpd divides the
# limit among the threads of its pool, and which thread accepts a connection
# is the kernel's choice: with more threads the split would decide the count)
start_server "$D" --max-conns 4 --threads 1 || { finish; exit 1; }
# (a loaded machine can be late to close the extra ones: one more try)
got=$($RAW conns "$HOSTPORT" 6)
[ "$got" = "4 2" ] || { sleep 1; got=$($RAW conns "$HOSTPORT" 6); }
expect_eq "connection limit (served, refused)" "$got" "4 2"
expect_code 200 /healthz
stop_server

# ---- limits are checked when the server starts
expect_status 64 "$CSCC" --data "$D" serve --max-body 10
expect_grep 'max-body takes a number from 1024' "$T/err"
expect_status 64 "$CSCC" --data "$D" serve --listen nowhere
expect_status 64 "$CSCC" --data "$D" serve --max-url 8192 --max-header 8192
expect_status 64 "$CSCC" --data "$D" serve --listen 127.0.0.1:8080 extra
finish
