#!/usr/bin/env bash
# Conformance over the X12 corpus (tests/data/edi, see its SOURCES.md): each file is validated
# by the built crossdock and must come out as expected.txt says: valid, or invalid with every
# listed acknowledgement code (e.g. AK5:4 = SE01 count, TA1:001 = IEA02 != ISA13) among its
# errors. A code written W:AK4:2 is a deviation that must be reported as a warning by default
# and as an error under --strict (which then makes the file invalid). Every corpus file must
# have an expectation.
set -uo pipefail
bin=${CROSSDOCK_BIN:?}
data=${CROSSDOCK_SRC:?}/tests/data/edi
expect="$(dirname "$0")/expected.txt"
pass=0 fail=0
declare -A seen=()
has() { # OUTPUT SEVERITY SEG CODE
  grep -q "\"severity\":\"$2\",\"level\":\"[a-z]*\",\"ack_segment\":\"$3\",\"code\":\"$4\"" <<<"$1"
}
while read -r file status codes; do
  case "$file" in ''|'#'*) continue ;; esac
  seen[$file]=1
  out=$("$bin" x12 validate --json "$data/$file" 2>&1)
  rc=$?
  ok=1
  if [ "$status" = valid ] && [ $rc -ne 0 ]; then ok=0; fi
  if [ "$status" = invalid ] && [ $rc -ne 1 ]; then ok=0; fi
  warned=0
  for c in $codes; do
    case "$c" in
      W:*) c=${c#W:}; sev=warning; warned=1 ;;
      *) sev=error ;;
    esac
    seg=${c%%:*} code=${c#*:}
    if ! has "$out" "$sev" "$seg" "$code"; then
      ok=0
      echo "MISSING $sev $c in $file"
    fi
  done
  if [ $warned -eq 1 ]; then
    strict=$("$bin" x12 validate --strict --json "$data/$file" 2>&1)
    src=$?
    if [ $src -ne 1 ]; then ok=0; echo "--strict does not reject $file"; fi
    for c in $codes; do
      case "$c" in W:*) c=${c#W:} ;; *) continue ;; esac
      if ! has "$strict" error "${c%%:*}" "${c#*:}"; then
        ok=0
        echo "MISSING error $c under --strict in $file"
      fi
    done
  fi
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
