#!/bin/bash
# The command line itself: help, version, usage errors and their exit codes.
. "$(dirname "$0")/lib.sh"

expect_status 0 "$CSCC" --version
expect_grep '^cscc [0-9]+\.[0-9]+' "$T/out"
expect_status 0 "$CSCC" --help
expect_grep 'Usage: cscc' "$T/out"
expect_status 64 "$CSCC"
expect_status 64 "$CSCC" no-such-command
expect_grep "unknown command 'no-such-command'" "$T/err"
expect_status 64 "$CSCC" --no-such-flag
finish
