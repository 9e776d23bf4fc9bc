#!/usr/bin/env bash
# Translation conformance over the business documents of the X12 corpus (tests/data/edi/x12):
# each file is translated by the built crossdock, with the partner map translate_expected.txt
# names (tests/unit/x12/maps/), and must give exactly the expected number of canonical
# documents, of sets refused and of translation warnings (what the sender got wrong and the
# translation corrected, docs/x12.md "Translation warnings"); a file with warnings names the
# text of one of them, which must be printed. Each document printed must be valid canonical
# JSON of its set's type. Every x12/ file of a business set (not 997/999) must have a line.
set -uo pipefail
bin=${CROSSDOCK_BIN:?}
here=$(dirname "$0")
data=${CROSSDOCK_SRC:?}/tests/data/edi
expect="$here/translate_expected.txt"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
declare -A seen=()
while read -r file map ok refused warned text; do
  case "$file" in ''|'#'*) continue ;; esac
  seen[$file]=1
  args=()
  if [ "$map" != - ]; then args=(--map "$here/maps/$map"); fi
  "$bin" x12 translate "${args[@]}" "$data/$file" >"$tmp/out" 2>"$tmp/err"
  got_ok=$(grep -c '^{"type":' "$tmp/out")
  got_refused=$(grep -c 'is not a valid canonical document\|has X12 errors' "$tmp/err")
  grep ': translation warning: ' "$tmp/err" >"$tmp/warn"
  got_warned=$(wc -l <"$tmp/warn")
  good=1
  if [ "$got_ok" -ne "$ok" ] || [ "$got_refused" -ne "$refused" ] ||
     [ "$got_warned" -ne "${warned:-0}" ]; then good=0; fi
  if [ "${warned:-0}" -gt 0 ] && { [ -z "$text" ] || ! grep -qF -- "$text" "$tmp/warn"; }; then
    good=0
    echo "MISSING translation warning '$text' in $file"
  fi
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
    echo "FAIL $file: expected $ok translated, $refused refused, ${warned:-0} warnings;" \
      "got $got_ok, $got_refused, $got_warned"
    grep -v ': warning: ISA' "$tmp/err" | head -5
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
