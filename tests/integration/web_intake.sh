#!/bin/bash
# A resident reports a need and follows it, in a real browser:
# tests/browser/intake.js (playwright-core driving Debian's chromium headless,
# axe-core) against `cscc serve` on the bundled sample, with a department
# account (CDOT, which the street-light service routes to) working the order
# over the API. Screenshots go to BUILD/test-artifacts/intake/ (look at them).
. "$(dirname "$0")/serve_lib.sh"

need_browser

D="$T/var"
make_data "$D"
"$CSCC" -q --data "$D" user add cdot-liaison --role department --department CDOT --no-password ||
    fail "user add"
DEPT_TOKEN=$("$CSCC" -q --data "$D" user token-add cdot-liaison "browser test")
[ -n "$DEPT_TOKEN" ] && pass || fail "no API token for the department"
start_server "$D" --web "$CSCC_SRC/web" || { finish; exit 1; }
DEPT_TOKEN="$DEPT_TOKEN" run_browser intake intake.js
for page in report-1280-en report-1280-sent need-1280-resolved report-360-es need-360-es; do
    [ -s "$ART/$page.png" ] && pass || fail "no screenshot $ART/$page.png"
done
# the resident's contact details never reached the server's log
for canary in resident.canary@example.org 312-555-0142 "Canary Resident"; do
    if grep -q "$canary" "$T/serve.err" "$T/serve.out"; then fail "the log holds '$canary'"; else pass; fi
done
stop_server
expect_eq "server stopped cleanly" "$STOP_STATUS" "0"
finish
