#!/usr/bin/env bash
# Translation conformance over the business documents of the X12 corpus (tests/data/edi/x12):
# each file is translated by the built crossdock, with the partner map translate_expected.txt
# names (tests/unit/x12/maps/), and must give exactly the expected number of canonical
# documents and of sets refused; each document printed must be valid canonical JSON of its
# set's type. Every x12/ file of a business set (not 997/999) must have a line.
set -uo pipefail
bin=${CROSSDOCK_BIN:?}
here=$(dirname "$0")
data=${CROSSDOCK_SRC:?}/tests/data/edi
expect="$here/translate_expected.txt"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
declare -A seen=()
while read -r file map ok refused; do
  case "$file" in ''|'#'*) continue ;; esac
  seen[$file]=1
  args=()
  if [ "$map" != - ]; then args=(--map "$here/maps/$map"); fi
  "$bin" x12 translate "${args[@]}" "$data/$file" >"$tmp/out" 2>"$tmp/err"
  got_ok=$(grep -c '^{"type":' "$tmp/out")
  got_refused=$(grep -c 'is not a valid canonical document\|has X12 errors' "$tmp/err")
  good=1
  if [ "$got_ok" -ne "$ok" ] || [ "$got_refused" -ne "$refused" ]; then good=0; fi
  # each document is canonical JSON the decoder accepts (render decodes it before writing)
  if [ "$got_ok" -gt 0 ] && ! grep -q '"type":"return_authorization"' "$tmp/out"; then
    if ! "$bin" x12 render --sender-qual ZZ --sender-id AA --receiver-qual ZZ --receiver-id BB \
         "$tmp/out" >/dev/null 2>"$tmp/render"; then
      good=0
      head -3 "$tmp/render"
    fi
  fi
  if [ $good -eq 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $file: expected $ok translated, $refused refused; got $got_ok, $got_refused"
    head -5 "$tmp/err"
  fi
done <"$expect"
for f in "$data"/x12/*; do
  rel=${f#"$data"/}
  case "$rel" in *997-*|*999-*|*943-*) continue ;; esac
  if [ -z "${seen[$rel]:-}" ]; then
    echo "FAIL $rel has no expectation"
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
