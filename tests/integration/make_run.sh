#!/bin/bash
# The main job of `make run` (scripts/run-main) on a fresh data directory:
# the bundled sample loads, the summary shows the numbers that
# data/sample/README.md says an independent count gives, and the server
# starts, prints its URL, answers, and stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"

# run_main: runs scripts/run-main on a free port until it serves; sets PID and URL.
run_main() {
    : >"$T/out"
    CSCC_LISTEN=127.0.0.1:0 "$CSCC_SRC/scripts/run-main" "$CSCC" "$T/var" >"$T/out" 2>"$T/err" &
    PID=$!
    URL=""
    for i in $(seq 1 600); do
        URL=$(sed -n 's/^cscc: listening on //p' "$T/out")
        [ -n "$URL" ] && return 0
        kill -0 $PID 2>/dev/null || break
        sleep 0.1
    done
    fail "run-main did not start the server"
    sed 's/^/    stderr: /' "$T/err" | tail -20
    return 1
}
trap 'kill -9 $PID 2>/dev/null; rm -rf "$T"' EXIT

run_main
expect_grep 'read 91,984 rows: 91,984 new, 0 updated, 0 unchanged, 0 rejected' "$T/err"
expect_grep '^2016 +31,719 +28,229 +782$' "$T/out"
expect_grep '^2017 +32,760 +28,001 +671$' "$T/out"
expect_grep '^2018 +27,505 +22,607 +497$' "$T/out"
expect_grep '^cscc: listening on http://127\.0\.0\.1:[0-9]+/$' "$T/out"
expect_eq "healthz" "$(curl -s "${URL}healthz" | grep -c '"rows":91984')" "1"
expect_eq "the dashboard at /" "$(curl -s "${URL}" | grep -c '<main id="main"')" "1"
kill -TERM $PID
wait $PID
expect_eq "run-main exit status after SIGTERM" "$?" "0"
# a second run changes nothing
run_main
expect_grep '0 new, 0 updated, 91,984 unchanged' "$T/err"
kill -TERM $PID
wait $PID
expect_eq "second run exit status" "$?" "0"
finish
