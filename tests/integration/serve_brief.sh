#!/bin/bash
# serve_brief.sh - GET /api/v1/brief: its JSON equals `cscc brief --format json`
# byte for byte (every priority area, one area, Markdown and HTML too) on the
# bundled sample with needs, work orders and events; a kept answer follows a
# change to the store (an event added from the command line while the server
# runs); bad weeks, areas and formats are 400 naming the field; the public is
# 401, partners and departments 403.
. "$(dirname "$0")/serve_lib.sh"
. "$(dirname "$0")/brief_lib.sh"

D="$T/var"
make_data "$D"
c() { "$CSCC" -q --data "$D" "$@"; }
# ISO week 2018-W10 (5 to 11 March 2018): two needs in Austin (25), one resolved in time,
# the other overdue at the week's end; an event in the week.
brief_fixtures "$D"
c user add coord1 --role coordinator --no-password || fail "user add coord1"
c user add ana1 --role analyst --no-password || fail "user add ana1"
c user add p1 --role partner --org 1 --no-password 2>/dev/null ||
    c user add p1 --role partner --no-password || fail "user add p1"
c user add d1 --role department --department CDOT --no-password || fail "user add d1"
TOK_C=$(c user token-add coord1 test)
TOK_A=$(c user token-add ana1 test)
TOK_P=$(c user token-add p1 test)
TOK_D=$(c user token-add d1 test)
AUTH=(-H "Authorization: Bearer $TOK_C")
start_server "$D" || { finish; exit 1; }

for args in "--week 2018-W10" "--week 2018-W10 --area 25" "--week 2017-W52 --area 8"; do
    # shellcheck disable=SC2086
    c brief $args --format json --as coordinator >"$T/cli.json" || fail "cscc brief $args"
    q=$(echo "$args" | sed 's/--week /week=/; s/ --area /\&area=/')
    expect_code 200 "/api/v1/brief?$q" "${AUTH[@]}"
    if cmp -s "$T/body" "$T/cli.json"; then pass; else
        fail "GET /api/v1/brief?$q differs from cscc brief $args --format json"
        diff <(head -c 3000 "$T/cli.json") <(head -c 3000 "$T/body") | head -10
    fi
    expect_grep "^Content-Type: application/json" "$T/hdr"
done
expect_eq "the brief has 16 sections" "$(c brief --week 2018-W10 --format json | "$PY" -c \
    'import json,sys; print(len(json.load(sys.stdin)["sections"]))')" "16"

# The same again (a kept answer) is still equal; Markdown and HTML equal the CLI's too.
expect_code 200 "/api/v1/brief?week=2018-W10&area=25" "${AUTH[@]}"
c brief --week 2018-W10 --area 25 --format json --as coordinator >"$T/cli.json"
cmp -s "$T/body" "$T/cli.json" && pass || fail "a repeated brief differs from the CLI's"
expect_eq "one event in Austin in 2018-W10" \
    "$(jq_ '[s["engagement"]["events"] for s in d["sections"] if s.get("area") == 25]')" "[1]"
for f in md html; do
    c brief --week 2018-W10 --area 25 --format $f --as coordinator >"$T/cli.$f"
    expect_code 200 "/api/v1/brief?week=2018-W10&area=25&format=$f" "${AUTH[@]}"
    cmp -s "$T/body" "$T/cli.$f" && pass || fail "format=$f differs from cscc brief --format $f"
done
expect_grep "^Content-Type: text/html; charset=utf-8" "$T/hdr"

# A change to the store while the server runs: the kept answer is not used.
c event add --type peace_walk --title "Second walk" --date 2018-03-10 --area 25 \
    --attendance 12 >/dev/null || fail "event add 2"
expect_code 200 "/api/v1/brief?week=2018-W10&area=25" "${AUTH[@]}"
expect_eq "the brief sees the new event" \
    "$(jq_ '[s["engagement"]["events"] for s in d["sections"] if s.get("area") == 25]')" "[2]"
c brief --week 2018-W10 --area 25 --format json --as coordinator >"$T/cli.json"
cmp -s "$T/body" "$T/cli.json" && pass || fail "after a change, the API's brief differs from the CLI's"

# An analyst and an admin-less coordinator may read it; others may not.
expect_code 200 "/api/v1/brief?week=2018-W10&area=25" -H "Authorization: Bearer $TOK_A"
expect_error 401 unauthorized None "/api/v1/brief?week=2018-W10"
expect_error 403 forbidden None "/api/v1/brief?week=2018-W10" -H "Authorization: Bearer $TOK_P"
expect_error 403 forbidden None "/api/v1/brief?week=2018-W10" -H "Authorization: Bearer $TOK_D"

# Bad input: 400 naming the field.
expect_error 400 bad_parameter week "/api/v1/brief" "${AUTH[@]}"
expect_error 400 bad_parameter week "/api/v1/brief?week=2018-W53" "${AUTH[@]}"
expect_error 400 bad_parameter week "/api/v1/brief?week=2018-10" "${AUTH[@]}"
expect_error 400 bad_parameter week "/api/v1/brief?week=W10" "${AUTH[@]}"
expect_error 400 bad_parameter area "/api/v1/brief?week=2018-W10&area=0" "${AUTH[@]}"
expect_error 400 bad_parameter area "/api/v1/brief?week=2018-W10&area=99" "${AUTH[@]}"
expect_error 400 bad_parameter format "/api/v1/brief?week=2018-W10&format=pdf" "${AUTH[@]}"
expect_error 400 bad_parameter extra "/api/v1/brief?week=2018-W10&extra=1" "${AUTH[@]}"
expect_error 400 bad_parameter week "/api/v1/brief?week=2018-W10&week=2018-W11" "${AUTH[@]}"
stop_server
expect_eq "server stopped cleanly" "$STOP_STATUS" "0"
finish
