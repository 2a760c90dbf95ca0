#!/bin/bash
# A real Socrata client against cscc: the soda-js package (npm, installed into
# tests/node_modules by scripts/install-deps --test) queries the portal sample
# from `cscc serve` over HTTPS, and must get the answers `cscc soql` gives.
# soda-js speaks https only, hence the server's --tls-cert/--tls-key with a
# self-signed certificate, which node trusts through NODE_EXTRA_CA_CERTS.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
if ! command -v node >/dev/null || [ ! -f "$CSCC_SRC/tests/node_modules/soda-js/package.json" ]; then
    fail "node and tests/node_modules/soda-js are needed: run scripts/install-deps --test"
    finish
    exit 1
fi
command -v openssl >/dev/null || { fail "openssl is needed"; finish; exit 1; }

expect_status 0 "$CSCC" --data "$D" init
expect_status 0 "$CSCC" --data "$D" import crimes "$CSCC_SRC/tests/data/crimes/portal_export_sample_2016-01-01_03.csv"

# what cscc soql itself answers, for the client to match
by_type=$("$CSCC" --data "$D" soql ijzp-q8t2 '$select=primary_type,count(*)' '$group=primary_type' \
    '$order=count desc' '$limit=3')
circle=$("$CSCC" --data "$D" soql ijzp-q8t2 '$select=community_area,count(*) AS n' \
    "\$where=(within_circle(location, 41.8781, -87.6298, 2000)) and (arrest = false)" \
    '$group=community_area' '$order=n desc, community_area asc')
expect=$("$PY" -c 'import json,sys; print(json.dumps({"by_type": json.loads(sys.argv[1]), "circle": json.loads(sys.argv[2])}))' "$by_type" "$circle")

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>"$T/openssl.log" ||
    { fail "openssl could not make a certificate"; cat "$T/openssl.log"; finish; exit 1; }

# --- the server, with TLS ---
start_server "$D" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" || { finish; exit 1; }
case "$URL" in https://*) pass ;; *) fail "the server's URL is not https: $URL" ;; esac
expect_code 200 "/resource/ijzp-q8t2.json?\$limit=1" --cacert "$T/cert.pem"

# --- the client ---
if SODA_HOST="$HOSTPORT" SODA_EXPECT="$expect" NODE_EXTRA_CA_CERTS="$T/cert.pem" \
    timeout 120 node "$CSCC_SRC/tests/integration/soda_js.js" >"$T/node.log" 2>&1; then
    pass
else
    fail "soda-js checks failed"
fi
sed 's/^/    /' "$T/node.log"
finish
