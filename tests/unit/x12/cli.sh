#!/usr/bin/env bash
# crossdock x12 from the shell: exit codes, one line per error, --json, stdin, ack output.
set -uo pipefail
bin=${CROSSDOCK_BIN:?}
data=${CROSSDOCK_SRC:?}/tests/data/edi
pass=0 fail=0
check() { # NAME CONDITION...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$bin" x12 validate "$data/x12/850-ediengine-ok.x12" >"$tmp/ok.txt"; rc=$?
check "valid file exits 0" test $rc -eq 0
check "valid file says valid" grep -q ": valid: 1 interchanges" "$tmp/ok.txt"

"$bin" x12 validate "$data/x12/850-ediengine-ok.x12" "$data/invalid/850-gozer-se01.x12" >"$tmp/two.txt"; rc=$?
check "any invalid file exits 1" test $rc -eq 1
check "one line per error" test "$(grep -c ': error:' "$tmp/two.txt")" -eq 1
check "error names code and position" grep -q 'ST 850 000000010 segment 21 SE SE01 .*(AK5 4)' "$tmp/two.txt"

"$bin" x12 validate --json - <"$data/invalid/940-ediengine-wrong-counts.x12" >"$tmp/j.txt"; rc=$?
check "stdin and --json exit 1" test $rc -eq 1
check "json carries codes" grep -q '"ack_segment":"TA1","code":"021"' "$tmp/j.txt"
check "json names stdin" grep -q '"file":"-"' "$tmp/j.txt"
check "json is valid JSON" /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/j.txt"

"$bin" x12 validate "$data/invalid/nonedi-ediengine.txt" >"$tmp/n.txt" 2>&1; rc=$?
check "not X12 exits 1" test $rc -eq 1
check "not X12 says so in one line" test "$(grep -c 'not X12' "$tmp/n.txt")" -eq 1

"$bin" x12 validate /nonexistent/file.x12 2>"$tmp/e.txt"; rc=$?
check "missing file exits 2" test $rc -eq 2

"$bin" x12 ack --ta1 --control-number 12 --group-control 34 --set-control 56 \
  "$data/invalid/940-ediengine-acktest.x12" >"$tmp/ack.txt"; rc=$?
check "ack exits 0" test $rc -eq 0
check "ack has TA1" grep -q '^TA1\*000009221\*090902\*0900\*A\*000$' "$tmp/ack.txt"
check "ack control numbers" grep -q '\*000000012\*0\*P\*>$' "$tmp/ack.txt"
check "ack rejects the bad set" grep -q '^AK3\*N9\*7\*\*8$' "$tmp/ack.txt"
check "ack AK4" grep -q '^AK4\*1\*\*1$' "$tmp/ack.txt"
check "ack partial" grep -q '^AK9\*P\*2\*2\*1$' "$tmp/ack.txt"
check "ack group control" grep -q '^GS\*FA\*WAREHOUSE\*VENDOR\*[0-9]*\*[0-9]*\*34\*X\*004010$' "$tmp/ack.txt"
check "ack set control" grep -q '^ST\*997\*0056$' "$tmp/ack.txt"
check "ack validates" "$bin" x12 validate "$tmp/ack.txt"

"$bin" x12 ack --999 "$data/x12/855-stedi-005010.x12" >"$tmp/999.txt"; rc=$?
check "999 exits 0" test $rc -eq 0
check "999 has IK5" grep -q '^IK5\*A~' "$tmp/999.txt"
check "999 validates" "$bin" x12 validate "$tmp/999.txt"

"$bin" x12 ack "$data/invalid/nonedi-ediengine.txt" >/dev/null 2>"$tmp/ae.txt"; rc=$?
check "ack of non-X12 exits 1" test $rc -eq 1

"$bin" x12 frobnicate >/dev/null 2>&1; rc=$?
check "unknown subcommand exits 2" test $rc -eq 2
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
