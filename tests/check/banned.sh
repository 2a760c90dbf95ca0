#!/bin/bash
# Fails when src/ calls a function STYLE.md bans (unbounded or unchecked string
# and number functions), naming each place.
root=${1:-.}
hits=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|strncpy|gets|atoi|atol|strtok)\s*\(' \
    "$root/src" "$root/tests/unit" "$root/fuzz" "$root/bench" --include='*.c' --include='*.h' 2>/dev/null)
if [ -n "$hits" ]; then
    echo "banned functions in use (use snprintf, strbuf, memcpy with a length, strtol):"
    echo "$hits"
    exit 1
fi
echo "no banned functions"
