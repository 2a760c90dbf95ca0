# lib.sh - helpers for integration tests. Source it; it sets up $T (a fresh
# temporary directory removed on exit) and $CSCC (the program under test).
set -u
: "${CSCC:?CSCC must name the cscc binary}"
: "${CSCC_SRC:?CSCC_SRC must name the source tree}"
T=$(mktemp -d "${TMPDIR:-/tmp}/cscc-it-XXXXXX")
trap 'rm -rf "$T"' EXIT
export CSCC_NO_PROGRESS=1
fails=0
checks=0
SHARED=${CSCC_SHARED_DATA:-$CSCC_SRC/../shared/data}

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { checks=$((checks + 1)); }

# expect_eq WHAT GOT WANT
expect_eq() {
    if [ "$2" == "$3" ]; then pass; else fail "$1: got '$2', want '$3'"; fi
}
# expect_status WANT CMD... : runs CMD, checks its exit status
expect_status() {
    local want=$1; shift
    "$@" >"$T/out" 2>"$T/err"
    local got=$?
    if [ "$got" -eq "$want" ]; then pass; else
        fail "exit status of '$*': got $got, want $want"; sed 's/^/    stderr: /' "$T/err" | head -20
    fi
}
# expect_grep PATTERN FILE
expect_grep() {
    if grep -qE -- "$1" "$2"; then pass; else fail "'$1' not found in $2"; sed 's/^/    | /' "$2" | head -20; fi
}
finish() {
    echo "$checks checks passed, $fails failed"
    [ "$fails" -eq 0 ]
}
