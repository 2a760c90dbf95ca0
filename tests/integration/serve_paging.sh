#!/bin/bash
# Keyset paging of the work-order queue (GET /api/v1/workorders?after=) and of
# the needs list (GET /api/v1/needs?after=): walking a list by its `next`
# cursor gives every row exactly once, in the order offset paging gives,
# including work orders that tie on due time; work orders changing state
# between pages are neither repeated nor skipped (a work order that leaves the
# filter before its page is not listed); `next` is null on the last page; a
# malformed cursor is a 400 naming `after`.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
"$CSCC" -q --data "$D" init || fail "init"
"$CSCC" -q --data "$D" user add boss --role coordinator --no-password || fail "user add boss"
"$CSCC" -q --data "$D" user add dss --role department --department DSS --no-password || fail "user add dss"
BOSS=(-H "Authorization: Bearer $("$CSCC" -q --data "$D" user token-add boss paging)")
DSS=(-H "Authorization: Bearer $("$CSCC" -q --data "$D" user token-add dss paging)")
start_server "$D" --intake-per-hour 100000 --escalate-interval 0 || { finish; exit 1; }
N=40
for i in $(seq 1 $N); do # graffiti (DSS), 111 m apart: no duplicates
    req /api/v1/needs -H 'Content-Type: application/json' \
        -d '{"service_code":"graffiti","lat":"41.8'"$(printf %02d "$i")"'","long":"-87.65","attribute[surface]":"BRICK","description":"page '"$i"'"}'
    [ "$CODE" = 201 ] || { fail "need $i: $CODE $(head -c 200 "$T/body")"; break; }
done
# five due times shared by eight work orders each: ties broken by id
sq "$D/cscc.db" "UPDATE coord_workorders SET due_at = 1900000000 + (id * 7 % 5) * 3600" ||
    fail "set due times"

# walk QUERY LIMIT MODE [MOVE]: the ids of every page, one per line, in $T/walk;
# MODE offset or cursor; MOVE: a shell command run after the first page
walk() {
    local q=$1 limit=$2 mode=$3 move=${4:-} off=0 after="" n=0 sep
    : >"$T/walk"
    while :; do
        sep='?'; case "$q" in *\?*) sep='&' ;; esac
        if [ "$mode" = offset ]; then
            req "$q${sep}limit=$limit&offset=$off" "${AUTH[@]}"
        else
            req "$q${sep}limit=$limit${after:+&after=$after}" "${AUTH[@]}"
        fi
        [ "$CODE" = 200 ] || { fail "walk $q: $CODE $(head -c 200 "$T/body")"; return; }
        # one line: the number of rows, then `next` ("-" for null); then the ids
        "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); l=d.get("workorders", d.get("needs"))
print(len(l), d["next"] or "-")
for w in l: print(w["id"] if "id" in w else w["service_request_id"])' "$T/body" >"$T/page"
        read -r n after <"$T/page"
        [ "$after" = - ] && after=""
        tail -n +2 "$T/page" >>"$T/walk"
        [ "$off" = 0 ] && [ -n "$move" ] && eval "$move"
        off=$((off + limit))
        if [ "$n" -lt "$limit" ]; then
            expect_eq "next on the last page of $q ($mode)" "$after" ""
            return
        fi
        [ "$mode" = cursor ] && [ -z "$after" ] && { fail "a full page of $q without next"; return; }
        [ $off -gt 1000 ] && { fail "walk $q does not end"; return; }
    done
}
sorted_by_due() { # the ids of $T/walk are in (due_at, id) order
    sq "$D/cscc.db" "SELECT id FROM coord_workorders WHERE id IN ($(paste -sd, "$T/walk")) ORDER BY due_at, id" |
        cmp -s - "$T/walk"
}

for wq in "BOSS /api/v1/workorders" "BOSS /api/v1/workorders?all=1" \
    "BOSS /api/v1/workorders?department=DSS" "DSS /api/v1/workorders"; do
    who=${wq% *} q=${wq#* }
    eval "AUTH=(\"\${$who[@]}\")"
    for limit in 7 40 50; do
            walk "$q" "$limit" offset; cp "$T/walk" "$T/by_offset"
            walk "$q" "$limit" cursor
            expect_eq "$who $q limit $limit: by cursor as by offset" "$(cmp -s "$T/walk" "$T/by_offset" && echo same)" "same"
            expect_eq "$who $q limit $limit: each once" "$(sort -u "$T/walk" | wc -l) $(wc -l <"$T/walk")" "$N $N"
            if sorted_by_due; then pass; else fail "$who $q limit $limit: not in (due_at, id) order"; fi
    done
done
AUTH=("${BOSS[@]}")
expect_eq "ties on due time" "$(sq "$D/cscc.db" "SELECT count(DISTINCT due_at) FROM coord_workorders")" "5"

# ---- state changes between pages ----
# after the first page (7): one already listed moves on (stays open), one not
# yet listed is resolved (leaves the open queue), one not yet listed is acknowledged
walk /api/v1/workorders 7 cursor
mapfile -t ORDER <"$T/walk"
move() { req "/api/v1/workorders/$1/transitions" "${AUTH[@]}" -H 'Content-Type: application/json' -d "{\"state\":\"$2\"}"; [ "$CODE" = 200 ] || fail "move $1 to $2: $CODE"; }
walk /api/v1/workorders 7 cursor "move ${ORDER[2]} acknowledged; move ${ORDER[20]} acknowledged; move ${ORDER[21]} resolved"
expect_eq "open queue walked while work orders change state: each once, the resolved one left out" \
    "$(sort -u "$T/walk" | wc -l) $(wc -l <"$T/walk") $(grep -cx "${ORDER[21]}" "$T/walk") $(grep -cx "${ORDER[20]}" "$T/walk") $(grep -cx "${ORDER[2]}" "$T/walk")" \
    "$((N - 1)) $((N - 1)) 0 1 1"
if sorted_by_due; then pass; else fail "the open queue after changes is not in (due_at, id) order"; fi
walk "/api/v1/workorders?all=1" 7 cursor "move ${ORDER[3]} in_progress; move ${ORDER[30]} resolved"
expect_eq "every state walked while work orders change state: each once" \
    "$(sort -u "$T/walk" | wc -l) $(wc -l <"$T/walk")" "$N $N"

# ---- the needs list, newest first ----
for limit in 6 40 100; do
    walk /api/v1/needs "$limit" offset; cp "$T/walk" "$T/by_offset"
    walk /api/v1/needs "$limit" cursor
    expect_eq "needs limit $limit: by cursor as by offset" "$(cmp -s "$T/walk" "$T/by_offset" && echo same)" "same"
    expect_eq "needs limit $limit: each once, newest first" \
        "$(sort -un "$T/walk" | wc -l) $(sort -rn "$T/walk" | cmp -s - "$T/walk" && echo desc)" "$N desc"
done

# ---- bad cursors ----
for bad in x 12 12: :5 1:0 1:2:3 '1:99999999999999999999'; do
    expect_error 400 bad_parameter after "/api/v1/workorders?after=$bad" "${AUTH[@]}"
done
expect_error 400 bad_parameter after "/api/v1/needs?after=x"
stop_server
finish
