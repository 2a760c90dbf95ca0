#!/bin/bash
# Fails when a C file differs from what clang-format makes of it (.clang-format
# at the top of the tree). `make format` fixes the tree.
root=${1:-.}
cd "$root" || exit 2
if ! command -v clang-format >/dev/null 2>&1; then
    echo "clang-format is not installed (scripts/install-deps --test installs it)"
    exit 1
fi
status=0
for f in $(find src tests fuzz bench -name '*.[ch]' | sort); do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "$f is not formatted; run: clang-format -i $f (or make format)"
        status=1
    fi
done
[ $status -eq 0 ] && echo "every C file is formatted"
exit $status
