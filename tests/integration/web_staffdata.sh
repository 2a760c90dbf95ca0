#!/bin/bash
# The partner page (/partner) and the data page (/data), in a real browser:
# tests/browser/staffdata.js (playwright-core driving Debian's chromium
# headless, axe-core) against `cscc serve` on the bundled sample. Two partner
# organizations with one partner account each, and an analyst. Screenshots go
# to BUILD/test-artifacts/staffdata/ (look at them).
. "$(dirname "$0")/serve_lib.sh"

need_browser

D="$T/var"
make_data "$D"
ORG_A=$("$CSCC" -q --data "$D" org add --name "Westside Youth Works" --sector youth_services --area 25 --contact-name "Ana Contact" --contact-email ana@westside.example | grep -oE '[0-9]+' | head -1)
ORG_B=$("$CSCC" -q --data "$D" org add --name "Southside Health Partners" --sector healthcare --area 71 | grep -oE '[0-9]+' | head -1)
[ -n "$ORG_A" ] && [ -n "$ORG_B" ] && pass || fail "org add gave no ids ($ORG_A, $ORG_B)"
PW="violet harbor lantern seven"
"$CSCC" -q --data "$D" user add westside --role partner --org "$ORG_A" --password-stdin <<<"$PW" || fail "user add westside"
"$CSCC" -q --data "$D" user add southside --role partner --org "$ORG_B" --password-stdin <<<"$PW" || fail "user add southside"
"$CSCC" -q --data "$D" user add ana --role analyst --password-stdin <<<"$PW" || fail "user add ana"
start_server "$D" --web "$CSCC_SRC/web" || { finish; exit 1; }
PW="$PW" ORG_A="$ORG_A" ORG_B="$ORG_B" FIXTURES="$CSCC_SRC/tests/data/crimes" \
    run_browser staffdata staffdata.js
for page in partner-1280-saved data-1280-done data-1280-failed partner-360-es data-360-en; do
    [ -s "$ART/$page.png" ] && pass || fail "no screenshot $ART/$page.png"
done
# the upload was audited with its actor, file and size
"$CSCC" --data "$D" audit --limit 100 >"$T/audit" 2>&1 || fail "cscc audit"
grep -qE "^[^ ]+  ana .*import\.upload +table:crimes +ok +upload upload_small\.csv, [0-9]+ bytes" "$T/audit" &&
    pass || { fail "no audit record of the upload (actor, file, size)"; head -20 "$T/audit"; }
grep -qE "^[^ ]+  ana .*import +table:crimes +failed" "$T/audit" && pass || fail "no audit record of the failed import"
# the partner's contact never reached the server's log
if grep -q "ana@westside.example" "$T/serve.err" "$T/serve.out"; then fail "the log holds the contact"; else pass; fi
stop_server
expect_eq "server stopped cleanly" "$STOP_STATUS" "0"
finish
