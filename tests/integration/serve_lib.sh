# serve_lib.sh - helpers for the serve_* tests: a data directory, `cscc serve`
# started on a free port of 127.0.0.1, requests with curl. Source it after
# nothing else; it sources lib.sh.
. "$(dirname "$0")/lib.sh"
SRV_PID=""
URL=""
HOSTPORT=""
trap 'kill -9 $SRV_PID 2>/dev/null; rm -rf "$T"' EXIT
SAMPLE=("$CSCC_SRC"/data/sample/crimes_violent_201[678].csv.gz)
RAW="$PY $TOOLS/http_raw.py"

# make_data DIR [FILES...]: init, then import FILES (default: the bundled sample).
make_data() {
    local d=$1; shift
    [ $# -eq 0 ] && set -- "${SAMPLE[@]}"
    "$CSCC" -q --data "$d" init || fail "init $d"
    "$CSCC" -q --data "$d" import crimes "$@" || fail "import into $d"
}

# start_server DATA [OPTIONS...]: cscc serve on a free port; sets URL, HOSTPORT, SRV_PID.
start_server() {
    local data=$1 i; shift
    URL=""
    "$CSCC" --data "$data" serve --listen 127.0.0.1:0 "$@" >"$T/serve.out" 2>"$T/serve.err" &
    SRV_PID=$!
    for i in $(seq 1 200); do
        URL=$(sed -n 's/^cscc: listening on //p' "$T/serve.out")
        if [ -n "$URL" ]; then
            HOSTPORT=${URL#http*://}
            HOSTPORT=${HOSTPORT%/}
            return 0
        fi
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.05
    done
    fail "the server did not start"
    sed 's/^/    serve: /' "$T/serve.err" | head -20
    return 1
}

# stop_server: SIGTERM, then its exit status in STOP_STATUS.
stop_server() {
    kill -TERM "$SRV_PID" 2>/dev/null
    wait "$SRV_PID"
    STOP_STATUS=$?
    SRV_PID=""
}

# req PATH [CURL ARGS...]: body in $T/body, headers in $T/hdr, status in $CODE.
req() {
    local path=$1; shift
    rm -f "$T/body" "$T/hdr"
    : >"$T/body"
    CODE=$(curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@" "$URL${path#/}")
}

# expect_code WANT PATH [CURL ARGS...]
expect_code() {
    local want=$1; shift
    req "$@"
    if [ "$CODE" == "$want" ]; then pass; else
        fail "GET $1: status $CODE, want $want"; head -c 400 "$T/body" | sed 's/^/    body: /'; echo
    fi
}

# jq_ EXPR [FILE]: a Python expression over the JSON in FILE (default $T/body) as `d`.
jq_() {
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[2])); print(eval(sys.argv[1]))' \
        "$1" "${2:-$T/body}" 2>&1
}

# expect_error STATUS CODE FIELD PATH [CURL ARGS...]: a JSON error naming the field ("None": none).
expect_error() {
    local status=$1 code=$2 field=$3; shift 3
    expect_code "$status" "$@"
    expect_eq "error code of $1" "$(jq_ 'd["error"]["code"]')" "$code"
    expect_eq "error field of $1" "$(jq_ 'd["error"]["field"]')" "$field"
    if grep -q '"message":"[^"]' "$T/body"; then pass; else fail "no message in the error of $1"; fi
}

# header NAME: the value of a response header of the last req.
header() {
    grep -i "^$1:" "$T/hdr" | head -1 | sed -E 's/^[^:]*: ?//' | tr -d '\r'
}

# api_token DATA NAME ROLE: a user without a password (made if new) and a new
# API token of it, printed.
api_token() {
    local data=$1 name=$2 role=$3
    "$CSCC" -q --data "$data" user add "$name" --role "$role" --no-password 2>/dev/null
    "$CSCC" -q --data "$data" user token-add "$name" "test-$RANDOM"
}

# need_browser [FILES...]: chromium, node, playwright-core, axe-core, Leaflet and FILES, or the
# test fails saying what to install (and exits).
need_browser() {
    local need
    for need in /usr/bin/chromium /usr/share/javascript/leaflet/leaflet.js "$@" \
        "$CSCC_SRC/tests/node_modules/playwright-core" "$CSCC_SRC/tests/node_modules/axe-core"; do
        [ -e "$need" ] || { fail "$need is missing: run scripts/install-deps --test"; finish; exit 1; }
    done
    command -v node >/dev/null || { fail "node is missing: run scripts/install-deps --test"; finish; exit 1; }
}

# run_browser NAME SCRIPT: node tests/browser/SCRIPT against $URL (with the environment the
# caller puts before it: VAR=... run_browser ...); screenshots go to $ART
# (BUILD/test-artifacts/NAME, emptied first); its output is shown indented.
run_browser() {
    ART="${CSCC_BUILD:-$T}/test-artifacts/$1"
    rm -rf "$ART"
    mkdir -p "$ART"
    if node "$CSCC_SRC/tests/browser/$2" "$URL" "$ART" >"$T/browser.out" 2>&1; then
        pass
    else
        fail "the browser tests failed:"
    fi
    sed 's/^/    /' "$T/browser.out"
}
