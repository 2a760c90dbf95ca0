# brief_lib.sh - the coordination of ISO week 2018-W10 (5 to 11 March 2018) that the
# brief's HTTP and browser tests share: two needs in Austin (25), the street light
# resolved in time and the graffiti overdue at the week's end, and an event there.
# brief_fixtures DIR: adds them to the store in DIR (counted by fail() on error).
brief_fixtures() {
    local c=("$CSCC" -q --data "$1")
    "${c[@]}" need add --now 2018-03-05T09:00:00-06:00 --service streetlight_out --lat 41.8940 \
        --long -87.7650 --attr light_type=STREET >/dev/null || fail "need add 1"
    "${c[@]}" need add --now 2018-03-06T09:00:00-06:00 --service graffiti --lat 41.8800 \
        --long -87.7550 --attr surface=BRICK >/dev/null || fail "need add 2"
    "${c[@]}" workorder move 1 resolved --as coordinator --now 2018-03-06T12:00:00-06:00 \
        --note Repaired >/dev/null || fail "workorder move"
    "${c[@]}" event add --type community_meeting --title "Austin safety meeting" \
        --date 2018-03-07 --area 25 --attendance 30 --sector faith --sector youth_services \
        >/dev/null || fail "event add"
}
