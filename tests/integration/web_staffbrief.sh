#!/bin/bash
# The weekly brief page (/brief) and the analyst page (/analyst) in a real
# browser: tests/browser/staffbrief.js (playwright-core driving Debian's
# chromium headless, axe-core, pdftotext for the printed PDF) against
# `cscc serve` on the bundled sample with needs, work orders, an event and a
# funding allocation in ISO week 2018-W10, and a coordinator, an analyst and a
# partner who sign in through the API. Screenshots and the PDF go to
# BUILD/test-artifacts/staffbrief/ (look at them).
. "$(dirname "$0")/serve_lib.sh"
. "$(dirname "$0")/brief_lib.sh"

for need in /usr/bin/chromium /usr/bin/pdftotext /usr/share/javascript/leaflet/leaflet.js \
    "$CSCC_SRC/tests/node_modules/playwright-core" "$CSCC_SRC/tests/node_modules/axe-core"; do
    [ -e "$need" ] || { fail "$need is missing: run scripts/install-deps --test"; finish; exit 1; }
done
command -v node >/dev/null || { fail "node is missing: run scripts/install-deps --test"; finish; exit 1; }

D="$T/var"
make_data "$D"
c() { "$CSCC" -q --data "$D" "$@"; }
# 2018-W10 (5 to 11 March 2018) in Austin (25): two needs, the graffiti one overdue at the
# week's end; an event; an allocation for Austin over the quarter.
brief_fixtures "$D"
c funding add --ref BRIEF-1 --source "General fund" --department DFSS --program "Peace rooms" \
    --strategy violence_interruption --amount 250000 --start 2018-01-01 --end 2018-12-31 \
    --area 25 >/dev/null || fail "funding add"
c org add --name "Austin Youth League" --sector youth_services --area 25 >/dev/null ||
    fail "org add"
COORD_PW="Lakeshore-Pier-8812"
ANALYST_PW="Midway-Harbor-5521"
PARTNER_PW="Prairie-Lantern-7340"
echo "$COORD_PW" | c user add coord1 --role coordinator --password-stdin || fail "user add coord1"
echo "$ANALYST_PW" | c user add ana1 --role analyst --password-stdin || fail "user add ana1"
echo "$PARTNER_PW" | c user add partner1 --role partner --org 1 --password-stdin ||
    fail "user add partner1"
start_server "$D" --web "$CSCC_SRC/web" || { finish; exit 1; }
COORD_PW="$COORD_PW" ANALYST_PW="$ANALYST_PW" PARTNER_PW="$PARTNER_PW" \
    run_browser staffbrief staffbrief.js
for f in brief-1280-en brief-360-es brief-print analyst-kde-1280 analyst-gistar-1280 \
    analyst-gistar-360-es refused-partner-brief refused-public-brief; do
    [ -s "$ART/$f.png" ] && pass || fail "no screenshot $ART/$f.png"
done
[ -s "$ART/brief-2018-W10.pdf" ] && pass || fail "no PDF $ART/brief-2018-W10.pdf"
stop_server
expect_eq "server stopped cleanly" "$STOP_STATUS" "0"
finish
