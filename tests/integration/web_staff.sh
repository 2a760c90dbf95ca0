#!/bin/bash
# The staff side of the dashboard in a real browser: tests/browser/staff.js
# (playwright-core driving Debian's chromium headless, axe-core) against
# `cscc serve` on the bundled sample, with a coordinator, a department user
# (DSS) and an admin who sign in on /login. A resident's need goes from
# /report through /triage (assigned to DSS) and /queue (resolved) back to the
# resident's /need page. Screenshots go to BUILD/test-artifacts/staff/ (look
# at them).
. "$(dirname "$0")/serve_lib.sh"

need_browser /usr/share/javascript/chart.js/chart.min.js

D="$T/var"
make_data "$D"
COORD_PW="amber river coordinates seven"
DEPT_PW="copper lantern alley queue"
ADMIN_PW="granite harbor admin ledger"
"$CSCC" -q --data "$D" user add coord-ana --role coordinator --password-stdin <<<"$COORD_PW" || fail "user add coordinator"
"$CSCC" -q --data "$D" user add dss-liaison --role department --department DSS --password-stdin <<<"$DEPT_PW" ||
    fail "user add department"
"$CSCC" -q --data "$D" user add admin-ops --role admin --password-stdin <<<"$ADMIN_PW" || fail "user add admin"
start_server "$D" --web "$CSCC_SRC/web" || { finish; exit 1; }
COORD="coord-ana:$COORD_PW" DEPT="dss-liaison:$DEPT_PW" ADMIN="admin-ops:$ADMIN_PW" \
    run_browser staff staff.js
for page in login-1280-en login-1280-wrong triage-1280-en triage-1280-assigned queue-1280-en queue-1280-resolved \
    triage-1280-refused need-1280-resolved triage-1280-admin triage-1280-es login-360-es triage-360-es \
    queue-360-es login-1280-throttled queue-1280-paged; do
    [ -s "$ART/$page.png" ] && pass || fail "no screenshot $ART/$page.png"
done
# neither the resident's contact details, the passwords nor the internal notes reached the server's log
for canary in staff.canary@example.org 312-555-0199 "Canary Staffcheck" "$COORD_PW" "$DEPT_PW" "$ADMIN_PW" \
    INTERNAL-TRIAGE-CANARY INTERNAL-QUEUE-CANARY; do
    if grep -q "$canary" "$T/serve.err" "$T/serve.out"; then fail "the log holds '$canary'"; else pass; fi
done
stop_server
expect_eq "server stopped cleanly" "$STOP_STATUS" "0"
finish
