#!/bin/bash
# cscc serve: the dashboard's files. Pages at / and /{page}, files under
# /static/ from web/ and the libraries under /static/lib/ from Debian's
# packages; content types, validators (ETag, 304, the gzip variant), no way
# out of the served folders, the languages found in web/i18n/, --web and the
# tile settings, and the route list at /api/v1.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
make_data "$D"
WEB="$T/web"
cp -r "$CSCC_SRC/web" "$WEB"
JS="$T/js"
mkdir -p "$JS/leaflet/images" "$JS/chart.js" "$T/outside"
# Stand-ins for Debian's libjs-leaflet and libjs-chart.js (the browser tests use the real ones).
printf '/* leaflet stand-in */\n' >"$JS/leaflet/leaflet.js"
printf '.leaflet-container{}\n' >"$JS/leaflet/leaflet.css"
printf '\x89PNG\r\n' >"$JS/leaflet/images/layers.png"
head -c 5000 /dev/zero | tr '\0' 'x' >"$JS/chart.js/chart.min.js"
echo "secret" >"$T/outside/secret.txt"
echo "hidden" >"$WEB/.hidden"
mkdir -p "$WEB/subdir"
start_server "$D" --web "$WEB" --js-dir "$JS" || { finish; exit 1; }

# ---- pages
expect_code 200 /
expect_eq "page type" "$(header Content-Type)" "text/html; charset=utf-8"
expect_grep '<html lang=' "$T/body"
cmp -s "$T/body" "$WEB/index.html" && pass || fail "/ is not web/index.html"
expect_grep "^Content-Security-Policy: default-src 'self'" "$T/hdr"
expect_grep "img-src 'self' data:;" "$T/hdr"
expect_eq "page validated" "$(header Cache-Control)" "public, no-cache"
expect_code 200 /area
cmp -s "$T/body" "$WEB/area.html" && pass || fail "/area is not web/area.html"
expect_code 200 "/area?number=25&lang=es"
cmp -s "$T/body" "$WEB/area.html" && pass || fail "/area?number=25 is not web/area.html"
expect_code 200 /index
expect_error 404 not_found None /nothing-here
expect_error 404 not_found None /Area
expect_error 404 not_found None "/area.html"
expect_code 405 / -X POST
expect_eq "405 allows" "$(header Allow)" "GET, HEAD"
req / -I
expect_eq "HEAD of a page" "$CODE $(header Content-Type)" "200 text/html; charset=utf-8"

# ---- files and their types
check_type() { # PATH TYPE
    expect_code 200 "$1"
    expect_eq "type of $1" "$(header Content-Type)" "$2"
}
check_type /static/js/app.js "text/javascript; charset=utf-8"
cmp -s "$T/body" "$WEB/js/app.js" && pass || fail "/static/js/app.js differs from web/js/app.js"
check_type /static/css/cscc.css "text/css; charset=utf-8"
check_type /static/i18n/es.json "application/json"
check_type /static/lib/leaflet/leaflet.js "text/javascript; charset=utf-8"
expect_grep 'leaflet stand-in' "$T/body"
check_type /static/lib/leaflet/leaflet.css "text/css; charset=utf-8"
check_type /static/lib/leaflet/images/layers.png "image/png"
check_type /static/lib/chart.js/chart.min.js "text/javascript; charset=utf-8"
expect_eq "nosniff" "$(header X-Content-Type-Options)" "nosniff"
expect_eq "no CSP on a script" "$(header Content-Security-Policy)" ""

# ---- validators: ETag, 304, the gzip variant, a changed file
expect_code 200 /static/js/app.js
etag=$(header ETag)
case "$etag" in \"*\") pass ;; *) fail "no quoted ETag on a file: '$etag'" ;; esac
expect_code 304 /static/js/app.js -H "If-None-Match: $etag"
expect_eq "304 has no body" "$(wc -c <"$T/body")" "0"
expect_eq "304 keeps the ETag" "$(header ETag)" "$etag"
expect_code 304 /static/js/app.js -H "If-None-Match: W/$etag"
expect_code 200 /static/js/app.js -H 'If-None-Match: "other"'
expect_code 200 /static/lib/chart.js/chart.min.js
plain=$(header ETag)
expect_code 200 /static/lib/chart.js/chart.min.js -H 'Accept-Encoding: gzip'
expect_eq "gzip" "$(header Content-Encoding)" "gzip"
gz=$(header ETag)
expect_eq "gzip variant's ETag" "$gz" "${plain%\"}-gz\""
gunzip -c "$T/body" | cmp -s - "$JS/chart.js/chart.min.js" && pass || fail "gzip body differs"
expect_code 304 /static/lib/chart.js/chart.min.js -H 'Accept-Encoding: gzip' -H "If-None-Match: $gz"
expect_eq "304 of the gzip variant" "$(header ETag)" "$gz"
expect_code 200 /static/lib/chart.js/chart.min.js
expect_eq "identity when gzip is not accepted" "$(header Content-Encoding)" ""
sleep 0.01
echo "// changed" >>"$WEB/js/app.js"
expect_code 200 /static/js/app.js -H "If-None-Match: $etag"
if [ "$(header ETag)" != "$etag" ]; then pass; else fail "an edited file kept its ETag"; fi
expect_grep '// changed' "$T/body"

# ---- no way out: raw and encoded dots, hidden files, folders, absolute paths
for p in "/static/../../../../etc/passwd" "/static/js/../../../outside/secret.txt" \
    "/static/lib/leaflet/../../../outside/secret.txt" "/static/%2e%2e/%2e%2e/etc/passwd" \
    "/static/js/%2e%2e/%2e%2e/outside/secret.txt" "/static/%2fetc%2fpasswd" "/static//etc/passwd" \
    "/static/.hidden" "/static/js/.%2e/index.html" "/static/subdir" "/static/js" "/static/lib/leaflet/" \
    "/static/lib/leaflet" "/static/js/..%5c..%5coutside" "/%2e%2e" "/static/i18n/es.json%00.png"; do
    req "$p" --path-as-is
    if [ "$CODE" == 404 ] || [ "$CODE" == 400 ]; then pass; else fail "GET $p: status $CODE, want 404 or 400"; fi
    if grep -q 'secret\|root:' "$T/body"; then fail "GET $p leaked a file"; else pass; fi
done

# ---- the dashboard's settings: the languages of web/i18n/
expect_code 200 /api/v1/dashboard
expect_eq "languages" "$(jq_ '[(l["code"], l["name"]) for l in d["languages"]]')" "[('en', 'English'), ('es', 'Español')]"
expect_eq "no tiles" "$(jq_ 'd["tiles"]')" "None"
# a new language is a new catalogue, no code change
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["_language"]="Français"; json.dump(d, open(sys.argv[2],"w"), ensure_ascii=False)' \
    "$WEB/i18n/en.json" "$WEB/i18n/fr.json"
echo '{"_language": ' >"$WEB/i18n/xx.json" # broken: skipped with a warning
echo '{}' >"$WEB/i18n/bad name.json"        # not a language code: skipped
expect_code 200 /api/v1/dashboard
expect_eq "a language added" "$(jq_ '[l["code"] for l in d["languages"]]')" "['en', 'es', 'fr']"

# ---- categories (labels for the dashboard's choices)
expect_code 200 /api/v1/categories
expect_eq "categories" "$(jq_ '[(c["name"], c["fbi_codes"]) for c in d["categories"] if c["name"] in ("violent", "homicide")]')" \
    "[('homicide', ['01A']), ('violent', ['01A', '02', '03', '04A', '04B'])]"
expect_eq "category label" "$(jq_ '[c["label"] for c in d["categories"] if c["name"]=="robbery"][0]')" "Robbery"
expect_error 400 bad_parameter x "/api/v1/categories?x=1"

# ---- the route list moved to /api/v1
expect_code 200 /api/v1
expect_eq "route list" "$(jq_ '"/api/v1/counts" in [r["path"] for r in d["routes"]]')" "True"
stop_server

# ---- tiles: their origin is allowed for images, and the pages are told
start_server "$D" --web "$WEB" --js-dir "$JS" --tile-url 'https://tiles.example.org/{z}/{x}/{y}.png' \
    --tile-attribution '© Example' || { finish; exit 1; }
expect_code 200 /api/v1/dashboard
expect_eq "tiles" "$(jq_ 'd["tiles"]["url"], d["tiles"]["attribution"]')" "('https://tiles.example.org/{z}/{x}/{y}.png', '© Example')"
expect_code 200 /
expect_grep "img-src 'self' data: https://tiles.example.org;" "$T/hdr"
stop_server

# ---- options: a --web without the dashboard, a bad tile URL
expect_status 64 "$CSCC" --data "$D" serve --listen 127.0.0.1:0 --web "$T/outside"
expect_grep 'no index.html' "$T/err"
expect_status 64 "$CSCC" --data "$D" serve --listen 127.0.0.1:0 --tile-url 'ftp://x/{z}'
# without --web the build tree's web/ is found; without any, the API alone is served
start_server "$D" || { finish; exit 1; }
expect_code 200 /
stop_server
CSCC_WEB="$T/outside" start_server "$D" || { finish; exit 1; }
expect_grep 'no dashboard files found' "$T/serve.err"
expect_error 404 not_found None /
expect_grep 'start it with --web DIR' "$T/body"
expect_code 200 /api/v1/counts
stop_server
finish
