#!/bin/bash
# cscc serve: a finished import is served without a restart, atomically.
# Requests run all through an import; each answer is made from one whole
# generation (the old one or the new one, never a mix), the first request
# after the import sees the new one, cached answers of the old generation
# are not served again, and the old table is unmapped once no request uses it.
. "$(dirname "$0")/serve_lib.sh"

D="$T/var"
make_data "$D" "${SAMPLE[0]}"
start_server "$D" || { finish; exit 1; }
q="/api/v1/counts?format=json"
expect_code 200 "$q"
expect_eq "generation 1" "$(jq_ 'd["data"]["generation"], d["rows"][0]["count"]')" "(1, 31719)"
expect_code 200 "/api/v1/counts?by=year"
expect_eq "by year, cached" "$(jq_ 'len(d["rows"])')" "1"

# Requests in a loop while the next year is imported.
(
    end=$((SECONDS + 60))
    while [ $SECONDS -lt $end ] && [ ! -e "$T/stop" ]; do
        curl -s "$URL${q#/}" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["data"]["generation"], d["rows"][0]["count"])'
    done
) >"$T/seen" 2>&1 &
loop=$!
sleep 0.3
"$CSCC" -q --data "$D" import crimes "${SAMPLE[1]}" || fail "second import"
# The very next request sees the new generation.
expect_code 200 "$q"
expect_eq "generation 2 at once" "$(jq_ 'd["data"]["generation"], d["rows"][0]["count"]')" "(2, 64479)"
sleep 0.3
touch "$T/stop"
wait $loop
bad=$(grep -vxE '1 31719|2 64479' "$T/seen" | head -3)
expect_eq "every answer from one whole generation" "$bad" ""
expect_grep '^1 31719$' "$T/seen"
expect_grep '^2 64479$' "$T/seen"
# After the first answer of generation 2, never generation 1 again.
if awk '$1 == 2 { two = 1 } $1 == 1 && two { exit 1 }' "$T/seen"; then pass; else fail "generation 1 answered after generation 2"; fi

# The cached answer of generation 1 is not served again.
expect_code 200 "/api/v1/counts?by=year"
expect_eq "by year after the import" "$(jq_ '[r["year"] for r in d["rows"]]')" "[2016, 2017]"
expect_code 200 /healthz
expect_eq "healthz generation" "$(jq_ 'd["tables"]["crimes"]["generation"]')" "2"
req /metrics
expect_grep '^cscc_table_generation\{table="crimes"\} 2$' "$T/body"
expect_grep '^cscc_table_reloads_total 1$' "$T/body"

# The old table file (renamed over) is no longer mapped.
deleted=$(grep -c 'crimes.cst.*(deleted)' "/proc/$SRV_PID/maps")
expect_eq "old generation unmapped" "$deleted" "0"
mapped=$(grep -c 'tables/crimes.cst' "/proc/$SRV_PID/maps")
if [ "$mapped" -ge 1 ]; then pass; else fail "the current table is not mapped"; fi

# A third import, with requests again: same guarantees.
"$CSCC" -q --data "$D" import crimes "${SAMPLE[2]}" || fail "third import"
expect_code 200 "$q"
expect_eq "generation 3" "$(jq_ 'd["data"]["generation"], d["rows"][0]["count"]')" "(3, 91984)"
expect_eq "old generations unmapped" "$(grep -c 'crimes.cst.*(deleted)' "/proc/$SRV_PID/maps")" "0"

# A damaged new file does not replace a good generation: the server keeps serving.
cp "$D/tables/crimes.cst" "$T/good.cst"
head -c 4096 /dev/urandom >"$D/tables/crimes.cst.x"
mv "$D/tables/crimes.cst.x" "$D/tables/crimes.cst"
expect_code 200 "$q"
expect_eq "still generation 3" "$(jq_ 'd["data"]["generation"]')" "3"
expect_grep 'still serving generation 3' "$T/serve.err"
stop_server
expect_eq "graceful stop" "$STOP_STATUS" "0"
finish
