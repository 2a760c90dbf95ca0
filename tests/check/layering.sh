#!/bin/bash
# Fails when a module includes a header of a module above it, or a
# third-party header outside the module that owns it.
# Layers, lowest first; a module may include its own layer or any lower one.
# cli is above http: `cscc serve` starts the server. resources (funding,
# initiatives, capacity gap) is above analysis, coord and access, which it joins;
# brief composes analysis, coord and resources, below http (which serves it).
root=${1:-.}
declare -A rank=([core]=0 [store]=1 [colstore]=1 [geo]=1 [ingest]=2 [analysis]=3 [coord]=3 [access]=3 [resources]=4 [brief]=5 [http]=6 [cli]=7)
declare -A owner=([sqlite3.h]=store [libpq-fe.h]=store [microhttpd.h]=http [sodium.h]=access [proj.h]=geo [jansson.h]=core [zlib.h]=core [curl/curl.h]=coord)
status=0
for f in $(find "$root/src" -name '*.[ch]'); do
    mod=$(basename "$(dirname "$f")")
    r=${rank[$mod]}
    [ -z "$r" ] && { echo "$f: module '$mod' has no layer in tests/check/layering.sh"; status=1; continue; }
    while IFS= read -r inc; do
        dep=${inc%%/*}
        dr=${rank[$dep]}
        [ -z "$dr" ] && continue
        if [ "$dep" != "$mod" ] && [ "$dr" -ge "$r" ]; then
            echo "$f: includes $inc, but $dep is not below $mod"
            status=1
        fi
        case "$inc" in *_int.h) [ "$dep" != "$mod" ] && { echo "$f: includes $inc, internal to $dep"; status=1; } ;; esac
    done < <(grep -oE '^#include "[a-z_]+/[a-z_0-9]+\.h"' "$f" | sed -E 's/#include "(.*)"/\1/')
    while IFS= read -r sys; do
        o=${owner[$sys]}
        if [ -n "$o" ] && [ "$o" != "$mod" ]; then
            echo "$f: includes <$sys>, which only src/$o may include"
            status=1
        fi
    done < <(grep -oE '^#include <[a-z0-9_/-]+\.h>' "$f" | sed -E 's/#include <(.*)>/\1/')
done
[ $status -eq 0 ] && echo "module layering holds"
exit $status
