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
# sq DB SQL: the sqlite3 shell, waiting up to 10 s for a lock as the server
# does; a reader can meet a transient lock while a server writes or
# checkpoints, and the shell alone would fail at once with "database is locked"
sq() { sqlite3 -cmd '.timeout 10000' "$@"; }

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

PY=${PYTHON:-python3}
TOOLS="$CSCC_SRC/tests/tools"

# same_counts DATA_DIR BY FILE... : cscc's counts equal an independent count.
same_counts() {
    local data=$1 by=$2; shift 2
    "$CSCC" --data "$data" query counts --by "$by" | "$PY" "$TOOLS/norm_counts.py" >"$T/cscc.txt"
    "$PY" "$TOOLS/count.py" --by "$by" "$@" >"$T/python.txt"
    if cmp -s "$T/cscc.txt" "$T/python.txt" && [ -s "$T/python.txt" ]; then
        pass
    else
        fail "counts by $by differ from the independent count (< cscc, > python):"
        diff "$T/cscc.txt" "$T/python.txt" | head -10 | sed 's/^/    /'
    fi
}

# total DATA_DIR [ARGS...]: the single count of `query counts` with no key.
total() {
    local data=$1; shift
    "$CSCC" --data "$data" query counts "$@" | tail -n 1
}

# need_shared REL: exits 77 (skipped) with a note when ../shared lacks REL.
need_shared() {
    if [ ! -e "$SHARED/$1" ]; then
        echo "skipped: $SHARED/$1 is not here (the shared City data)"
        exit 77
    fi
}

# need WHAT CMD...: exits 77 (skipped) with a note when CMD fails, i.e. a tool
# the test compares with is not installed; WHAT says which (and its package).
# Under CI (CI set) a missing tool fails the test instead: CI installs
# everything `scripts/install-deps --test` lists, so nothing is skipped there.
need() {
    local what=$1; shift
    if ! "$@" >/dev/null 2>&1; then
        if [ -n "${CI:-}" ]; then
            echo "FAIL: $what is not installed (scripts/install-deps --test installs it)"
            exit 1
        fi
        echo "skipped: $what is not installed (scripts/install-deps --test installs it)"
        exit 77
    fi
}
