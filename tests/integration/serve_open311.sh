#!/bin/bash
# Open311 GeoReport v2 and the coordination API through `cscc serve`: the
# sequence FixMyStreet's Open311 client sends (services.xml, a service
# definition, POST requests.xml form-encoded with api_key, tokens, GET
# requests.xml?start_date...), Chicago's paging (page, page_size,
# extensions=true), XML checked with xmllint, JSON checked against schemas
# written from the spec, Open311 errors, personal details never returned,
# and /api/v1/needs intake and its public view.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
make_data "$D" "$CSCC_SRC/data/sample/crimes_violent_2018.csv.gz"
printf 'fms-key-1\nchicago-key-2\n' >"$T/keys"
start_server "$D" --open311-keys "$T/keys" || { finish; exit 1; }
O=/open311/v2

xml_ok() { if xmllint --noout "$T/body" 2>"$T/xmlerr"; then pass; else fail "$1: XML not well-formed: $(head -3 "$T/xmlerr")"; fi; }
# schema NAME: the JSON body against the schema of NAME (written from the spec)
schema() {
    "$PY" - "$1" "$T/body" <<'PYEOF' && pass || fail "$1: JSON does not match its schema"
import json, sys, jsonschema
S = {"type": "string"}
T = {"type": ["string", "null"], "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$"}
req = {"type": "object", "required": ["service_request_id", "status", "service_code", "requested_datetime", "lat", "long"],
       "properties": {"service_request_id": S, "status": {"enum": ["open", "closed"]}, "status_notes": S,
                      "service_name": S, "service_code": S, "description": S, "agency_responsible": S,
                      "service_notice": S, "requested_datetime": T, "updated_datetime": T,
                      "expected_datetime": T, "address": S, "address_id": S, "zipcode": S,
                      "lat": {"type": "number"}, "long": {"type": "number"}, "media_url": S},
       "not": {"anyOf": [{"required": [k]} for k in ["email", "phone", "first_name", "last_name", "device_id", "contact"]]}}
schemas = {
 "services": {"type": "array", "items": {"type": "object", "required": ["service_code", "service_name", "metadata", "type"],
     "properties": {"service_code": S, "service_name": S, "metadata": {"type": "boolean"},
                    "type": {"enum": ["realtime", "batch", "blackbox"]}, "keywords": S, "group": S, "description": S}}},
 "definition": {"type": "object", "required": ["service_code", "attributes"], "properties": {"service_code": S,
     "attributes": {"type": "array", "items": {"type": "object",
        "required": ["variable", "code", "datatype", "required", "order", "description"],
        "properties": {"variable": {"type": "boolean"}, "code": S, "required": {"type": "boolean"},
                       "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
                       "order": {"type": "integer"}, "values": {"type": "array", "items": {"type": "object", "required": ["key", "name"]}}}}}}},
 "post": {"type": "array", "minItems": 1, "maxItems": 1, "items": {"type": "object", "required": ["service_request_id"],
     "properties": {"service_request_id": S, "token": S}}},
 "requests": {"type": "array", "items": req},
 "tokens": {"type": "array", "items": {"type": "object", "required": ["token", "service_request_id"], "properties": {"token": S, "service_request_id": S}}},
 "errors": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["code", "description"],
     "properties": {"code": {"type": "integer"}, "description": S}}},
 "discovery": {"type": "object", "required": ["endpoints"], "properties": {"endpoints": {"type": "array", "minItems": 1,
     "items": {"type": "object", "required": ["specification", "url", "formats"]}}}},
}
jsonschema.validate(json.load(open(sys.argv[2])), schemas[sys.argv[1]])
PYEOF
}
xq() { "$PY" -c 'import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[2]).getroot(); print(eval(sys.argv[1]))' "$1" "$T/body" 2>&1; }

# ---- discovery and services, both formats ----
expect_code 200 $O/discovery.json; schema discovery
expect_code 200 $O/discovery.xml; xml_ok discovery
expect_code 200 $O/services.xml; xml_ok services.xml
expect_eq "services in XML" "$(xq 'len(r.findall("service"))')" "12"
expect_code 200 $O/services.json; schema services
expect_eq "services in JSON" "$(jq_ 'len(d)')" "12"
expect_code 200 $O/services/streetlight_out.xml; xml_ok definition.xml
expect_eq "definition attribute" "$(xq 'r.find("attributes/attribute/code").text')" "light_type"
expect_code 200 $O/services/streetlight_out.json; schema definition
expect_code 404 $O/services/nothing_here.json; schema errors

# ---- FixMyStreet: POST requests.xml, form-encoded, with api_key ----
F=(-H 'Content-Type: application/x-www-form-urlencoded')
post_light() { # KEY LAT LONG -> status in CODE
    req $O/requests.xml "${F[@]}" --data-urlencode "api_key=$1" --data-urlencode service_code=streetlight_out \
        --data-urlencode "lat=$2" --data-urlencode "long=$3" --data-urlencode "description=Light out <&> here" \
        --data-urlencode email=resident@example.org --data-urlencode first_name=Ada --data-urlencode last_name=Lovelace \
        --data-urlencode phone=312-555-0100 --data-urlencode 'attribute[light_type]=STREET'
}
post_light fms-key-1 41.8807 -87.7294
expect_eq "POST status" "$CODE" "201"; xml_ok post
ID=$(xq 'r.find("request/service_request_id").text')
TOKEN=$(xq 'r.find("request/token").text')
case "$ID" in [0-9]*) pass ;; *) fail "no service_request_id: $ID" ;; esac
post_light wrong-key 41.8807 -87.7294
expect_eq "bad key status" "$CODE" "403"; xml_ok error.xml
expect_eq "bad key error code" "$(xq 'r.find("error/code").text')" "403"
req $O/requests.json "${F[@]}" -d 'service_code=streetlight_out&lat=41.88&long=-87.72'
expect_eq "no key status" "$CODE" "400"; schema errors
req $O/requests.json "${F[@]}" -d 'api_key=fms-key-1&lat=41.88&long=-87.72'
expect_eq "form without service_code" "$CODE" "400"; schema errors
expect_grep "service_code" "$T/body"
if grep -q "invalid json" "$T/body"; then fail "a form read as JSON"; else pass; fi
req $O/requests.json "${F[@]}" -d 'api_key=fms-key-1&service_code=nope&lat=41.88&long=-87.72'
expect_eq "unknown service status" "$CODE" "404"; schema errors
req $O/requests.json "${F[@]}" -d 'api_key=fms-key-1&service_code=streetlight_out&lat=41.88&long=-87.72'
expect_eq "missing required attribute" "$CODE" "400"; schema errors
expect_grep 'light_type' "$T/body"
expect_code 200 "$O/tokens/$TOKEN.xml"; xml_ok tokens
expect_eq "token to id" "$(xq 'r.find("request/service_request_id").text')" "$ID"
expect_code 200 "$O/tokens/$TOKEN.json"; schema tokens
expect_code 404 "$O/tokens/0123456789abcdef.json"; schema errors
START=$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)
expect_code 200 "$O/requests.xml?start_date=$START"; xml_ok requests.xml
expect_eq "FMS update poll finds it" "$(xq 'r.find("request/service_request_id").text')" "$ID"
if grep -qiE 'resident@example|Lovelace|Ada|555-0100' "$T/body"; then fail "personal details in requests.xml"; else pass; fi
expect_code 200 "$O/requests/$ID.json"; schema requests
if grep -qiE 'resident@example|Lovelace|555-0100' "$T/body"; then fail "personal details in requests/ID"; else pass; fi
expect_eq "description kept" "$(jq_ 'd[0]["description"]')" "Light out <&> here"

# ---- Chicago: page and page_size, extensions=true with notes ----
for i in 1 2 3 4 5 6; do
    req $O/requests.json "${F[@]}" -d "api_key=chicago-key-2&service_code=graffiti&address_string=043XX+W+MADISON+ST&description=tag+$i&attribute[surface]=BRICK"
    [ "$CODE" = 201 ] || { fail "graffiti $i: $CODE $(head -c 200 "$T/body")"; break; }
done
expect_code 200 "$O/requests.json?service_code=graffiti&page_size=4&page=1"; schema requests
expect_eq "page 1" "$(jq_ 'len(d)')" "4"
expect_code 200 "$O/requests.json?service_code=graffiti&page_size=4&page=2"
expect_eq "page 2" "$(jq_ 'len(d)')" "2"
expect_code 200 "$O/requests.json?service_request_id=$ID&extensions=true"
expect_eq "extension notes" "$(jq_ 'd[0]["extended_attributes"]["notes"][0]["summary"]')" "new"
expect_code 400 "$O/requests.json?page_size=100000"; schema errors
expect_code 400 "$O/requests.json?status=pending"; schema errors
expect_code 200 "$O/requests.json?status=closed"; expect_eq "none closed" "$(jq_ 'len(d)')" "0"

# ---- the coordination API: intake and the public view ----
req /api/v1/needs -H 'Content-Type: application/json' \
    -d '{"service_code":"streetlight_out","lat":"41.79","long":"-87.62","attribute[light_type]":"ALLEY","email":"x@example.org"}'
expect_eq "need intake" "$CODE" "201"
NID=$(jq_ 'd["service_request_id"]')
expect_grep "Location: /api/v1/needs/$NID" "$T/hdr"
expect_code 200 "/api/v1/needs/$NID"
if grep -q 'x@example.org' "$T/body"; then fail "contact in public need"; else pass; fi
expect_eq "history" "$(jq_ 'd["history"][0]["to"]')" "new"
expect_code 200 /api/v1/needs; expect_eq "needs listed" "$(jq_ 'len(d["needs"])')" "8"
expect_code 200 "/api/v1/needs/$NID"
expect_eq "no answers in the public view" "$(jq_ '"attributes" in d or "token" in d')" "False"
# a victim services referral (a private service): taken, then never public
req $O/requests.json "${F[@]}" -d 'api_key=chicago-key-2&service_code=victim_services&lat=41.88&long=-87.72&attribute[consent]=YES&attribute[needs]=RELOCATION&description=Family+must+move'
expect_eq "private service intake" "$CODE" "201"
VID=$(jq_ 'd[0]["service_request_id"]')
expect_code 404 "$O/requests/$VID.json"; schema errors
expect_code 404 "/api/v1/needs/$VID"
expect_code 200 "$O/requests.json?service_request_id=$VID"; expect_eq "not by id list" "$(jq_ 'len(d)')" "0"
expect_code 200 "$O/requests.json?service_code=victim_services"; expect_eq "not in Open311's list" "$(jq_ 'len(d)')" "0"
expect_code 200 /api/v1/needs; expect_eq "not in the API's list" "$(jq_ 'len(d["needs"])')" "8"
if grep -q 'RELOCATION\|Family must move' "$T/body"; then fail "private need in a public list"; else pass; fi
req /api/v1/needs -H 'Content-Type: application/json' -d '{"service_code":"streetlight_out"}'
expect_eq "need without a place" "$CODE" "400"
req $O/requests.json "${F[@]}" -d 'api_key=chicago-key-2&service_code=streetlight_out&lat=0x29.e&long=-87.62&attribute[light_type]=ALLEY'
expect_eq "hexadecimal latitude" "$CODE" "400"
expect_grep "lat must be decimal degrees" "$T/body"
expect_code 401 /api/v1/workorders
expect_code 200 /api/v1/catalog; expect_eq "catalogue" "$(jq_ 'len(d["services"])')" "12"
expect_code 200 /api/v1/organizations
expect_code 200 /api/v1/response-metrics
stop_server
finish
