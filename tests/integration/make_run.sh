#!/bin/bash
# The main job of `make run` (scripts/run-main) on a fresh data directory:
# the bundled sample loads and the summary shows the numbers that
# data/sample/README.md says an independent count gives.
. "$(dirname "$0")/lib.sh"

"$CSCC_SRC/scripts/run-main" "$CSCC" "$T/var" >"$T/out" 2>"$T/err"
expect_eq "run-main exit status" "$?" "0"
expect_grep 'read 91,984 rows: 91,984 new, 0 updated, 0 unchanged, 0 rejected' "$T/err"
expect_grep '^2016 +31,719 +28,229 +782$' "$T/out"
expect_grep '^2017 +32,760 +28,001 +671$' "$T/out"
expect_grep '^2018 +27,505 +22,607 +497$' "$T/out"
# a second run changes nothing
"$CSCC_SRC/scripts/run-main" "$CSCC" "$T/var" >"$T/out" 2>"$T/err"
expect_grep '0 new, 0 updated, 91,984 unchanged' "$T/err"
finish
