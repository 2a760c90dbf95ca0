#!/bin/bash
# The dashboard in a real browser: tests/browser/dashboard.js (playwright-core
# driving Debian's chromium headless, axe-core for accessibility) against
# `cscc serve` on the bundled real sample, on a free port of 127.0.0.1, with
# the repository's web/ and Debian's libjs-leaflet and libjs-chart.js.
# Screenshots of every page go to BUILD/test-artifacts/web/ (look at them).
. "$(dirname "$0")/serve_lib.sh"

need_browser /usr/share/javascript/chart.js/chart.min.js

D="$T/var"
make_data "$D"
start_server "$D" --web "$CSCC_SRC/web" || { finish; exit 1; }
run_browser web dashboard.js
for page in map-1280-en map-1280-suppressed area-1280-en area-1280-suppressed map-360-es map-360-en \
    area-360-es area-360-en; do
    [ -s "$ART/$page.png" ] && pass || fail "no screenshot $ART/$page.png"
done
# the server saw no error of its own while the pages ran
stop_server
expect_eq "server stopped cleanly" "$STOP_STATUS" "0"
if grep -qi 'error' "$T/serve.err"; then fail "the server logged errors:"; grep -i error "$T/serve.err" | head -5; else pass; fi
finish
