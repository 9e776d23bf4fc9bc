#!/usr/bin/env bash
# Conformance over the X12 corpus (tests/data/edi, see its SOURCES.md): each file is validated
# by the built crossdock and must come out as expected.txt says: valid, or invalid with every
# listed acknowledgement code (e.g. AK5:4 = SE01 count, TA1:001 = IEA02 != ISA13) among its
# problems. Files in x12/ that deviate from the X12 tables are listed with the deviation and
# the reason in expected.txt. Every corpus file must have an expectation.
set -uo pipefail
bin=${CROSSDOCK_BIN:?}
data=${CROSSDOCK_SRC:?}/tests/data/edi
expect="$(dirname "$0")/expected.txt"
pass=0 fail=0
declare -A seen=()
while read -r file status codes; do
  case "$file" in ''|'#'*) continue ;; esac
  seen[$file]=1
  out=$("$bin" x12 validate --json "$data/$file" 2>&1)
  rc=$?
  ok=1
  if [ "$status" = valid ] && [ $rc -ne 0 ]; then ok=0; fi
  if [ "$status" = invalid ] && [ $rc -ne 1 ]; then ok=0; fi
  for c in $codes; do
    seg=${c%%:*} code=${c#*:}
    if ! grep -q "\"severity\":\"error\",\"level\":\"[a-z]*\",\"ack_segment\":\"$seg\",\"code\":\"$code\"" <<<"$out"; then
      ok=0
      echo "MISSING $c in $file"
    fi
  done
  if [ $ok -eq 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $file (expected $status $codes, exit $rc)"
    "$bin" x12 validate "$data/$file" | head -20
  fi
done <"$expect"
for f in "$data"/x12/* "$data"/invalid/*; do
  rel=${f#"$data"/}
  if [ -z "${seen[$rel]:-}" ]; then
    echo "FAIL $rel has no expectation"
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
