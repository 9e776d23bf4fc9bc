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

# translate: JSON lines, problems on stderr, exit 1 when a set is refused
"$bin" x12 translate "$data/x12/850-bots-004010-12-3isa-leadzero.x12" >"$tmp/t.jsonl" 2>"$tmp/t.err"; rc=$?
check "translate exits 0" test $rc -eq 0
check "translate writes one line per set" test "$(wc -l <"$tmp/t.jsonl")" -eq 3
check "translate lines are JSON" /usr/bin/python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/t.jsonl"
check "translate keeps control numbers" grep -q '"control_numbers":{"interchange":"000000737","group":"150","transaction_set":"000000001"}' "$tmp/t.jsonl"
check "translate notes what it left out" grep -q 'note: ST 850 000000001: segment 30 CTT02: CTT02 is not the sum' "$tmp/t.err"
printf '%s' 'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*U*00401*000000007*0*P*>~GS*PO*SENDER*RECEIVER*20260101*1200*1*X*004010~ST*850*0001~BEG*00*SA*PO-1**20260101~PO1*1*1*EA***BP*B-1~PO1*2*1*XX***BP*B-2~SE*5*0001~GE*1*1~IEA*1*000000007~' |
  "$bin" x12 translate - >"$tmp/r.jsonl" 2>"$tmp/r.err"; rc=$?
check "refused set exits 1" test $rc -eq 1
check "refusal names the segment" grep -q "segment 4 PO1: \$.lines\[1\].uom: 'XX' is not in the uom code list" "$tmp/r.err"
# what the sender got wrong and the translation corrected: a warning on stderr, exit 0
"$bin" x12 translate "$data/x12/855-stedi-005010.x12" >"$tmp/w.jsonl" 2>"$tmp/w.err"; rc=$?
check "translate with warnings exits 0" test $rc -eq 0
check "translation warning names the element" grep -q 'translation warning: ST 855 0001: BAK09: the acknowledgement date 2022-09-13 is before' "$tmp/w.err"
check "the corrected document is written" grep -q '"ack_date":"2022-09-14"' "$tmp/w.jsonl"
"$bin" x12 translate "$data/invalid/nonedi-ediengine.txt" >/dev/null 2>"$tmp/n.err"; rc=$?
check "translate of non-X12 exits 1" test $rc -eq 1
check "translate of non-X12 says so" grep -q 'not X12' "$tmp/n.err"
echo '{"item_ids":{"sku":7}}' >"$tmp/bad.json"
"$bin" x12 translate --map "$tmp/bad.json" "$data/x12/850-ediengine-ok.x12" >/dev/null 2>"$tmp/m.err"; rc=$?
check "bad map exits 2" test $rc -eq 2
check "bad map names its path" grep -q '\$.item_ids.sku' "$tmp/m.err"

# render: one interchange from JSON lines, the options in the envelope
"$bin" x12 render --version 005010 --element-sep '|' --segment-term '!' --component-sep '}' \
  --sender-qual 01 --sender-id 804735132 --receiver-qual ZZ --receiver-id PARTNER1 \
  --control-number 77 --group-control 5 --set-control 300 "$tmp/t.jsonl" >"$tmp/out.x12"; rc=$?
check "render exits 0" test $rc -eq 0
check "render ISA" grep -q '^ISA|00|          |00|          |01|804735132      |ZZ|PARTNER1       |[0-9]*|[0-9]*|^|00501|000000077|0|P|}!$' "$tmp/out.x12"
check "render sets and controls" test "$(grep -c '^ST|850|03\(00\|01\|02\)!$' "$tmp/out.x12")" -eq 3
check "render group" grep -q '^GS|PO|804735132|PARTNER1|[0-9]*|[0-9]*|5|X|005010!$' "$tmp/out.x12"
check "render output validates" "$bin" x12 validate "$tmp/out.x12"
"$bin" x12 translate "$tmp/out.x12" >"$tmp/back.jsonl" 2>/dev/null
check "render then translate gives the same documents" /usr/bin/python3 -c '
import json,sys
a=[json.loads(l) for l in open(sys.argv[1])]; b=[json.loads(l) for l in open(sys.argv[2])]
strip=lambda d: {k:v for k,v in d.items() if k not in ("id","correlation_id","source")}
sys.exit(0 if [strip(x) for x in a]==[strip(x) for x in b] else 1)' "$tmp/t.jsonl" "$tmp/back.jsonl"
"$bin" x12 render --sender-qual ZZ --sender-id AA --receiver-qual ZZ --receiver-id BB - \
  <"$CROSSDOCK_SRC/examples/documents/invoice.json" >"$tmp/inv.x12"; rc=$?
check "render from stdin" test $rc -eq 0
check "render 810" grep -q '^ST\*810\*0001~$' "$tmp/inv.x12"
"$bin" x12 render --sender-id AA "$tmp/t.jsonl" >/dev/null 2>&1; rc=$?
check "render without IDs exits 2" test $rc -eq 2
echo '{"type":"item","sku":"K","description":"D","base_uom":"EA"}' | \
  "$bin" x12 render --sender-qual ZZ --sender-id AA --receiver-qual ZZ --receiver-id BB - >/dev/null 2>"$tmp/i.err"; rc=$?
check "render of a type without a set exits 1" test $rc -eq 1
check "render says why" grep -q 'no outbound X12 set for a item' "$tmp/i.err"

# 824 Application Advice: a hand-written sample validates and translates; a broken copy does not
s824="$(dirname "$0")/samples/824-rejected-005010.x12"
"$bin" x12 validate "$s824" >"$tmp/824.txt"; rc=$?
check "824 sample exits 0" test $rc -eq 0
check "824 sample is valid" grep -q ': valid: 1 interchanges, 1 groups, 1 sets (0 rejected), 0 errors, 0 warnings' "$tmp/824.txt"
"$bin" x12 translate "$s824" >"$tmp/824.json" 2>/dev/null; rc=$?
check "824 sample translates" test $rc -eq 0
check "824 status, document and reason" grep -q '"status":"rejected","document_type":"purchase_order","document_number":"4500012345".*"reason":"The order cannot be filled as written; line 2 is priced below our catalog and the ship-to has no address."' "$tmp/824.json"
check "824 problem with its kind, line and SKU" grep -q '"kind":"price","line_number":2,"sku":"NW-10042","expected":"0.15","actual":"0.12"' "$tmp/824.json"
sed 's/^OTI\*TR\*PO\*/OTI*TR**/; s/^TED\*011\*/TED*0111*/' "$s824" >"$tmp/824-bad.x12"
"$bin" x12 validate "$tmp/824-bad.x12" >"$tmp/824-bad.txt"; rc=$?
check "824 without OTI02 exits 1" test $rc -eq 1
check "824 names the missing OTI02" grep -q 'segment 6 OTI OTI02 .*(AK4 1)' "$tmp/824-bad.txt"
check "824 names the long TED01" grep -q 'segment 12 TED TED01 .*(AK4 5)' "$tmp/824-bad.txt"
sed 's/^OTI\*TR\*/OTI*XX*/' "$s824" >"$tmp/824-codes.x12"
"$bin" x12 validate "$tmp/824-codes.x12" >"$tmp/824-codes.txt"; rc=$?
check "824 with an unknown OTI01 exits 1" test $rc -eq 1
check "824 names the bad OTI01" grep -q 'segment 6 OTI OTI01 (byte 320): invalid code value \["XX"\] (AK4 7)' "$tmp/824-codes.txt"
# an 824 with NM1, RED in TED loops and an LM/LQ loop (004010): valid, RED01 as a message
r824="$(dirname "$0")/samples/824-related-data-004010.x12"
"$bin" x12 validate "$r824" >"$tmp/824r.txt"; rc=$?
check "824 with related data exits 0" test $rc -eq 0
check "824 with related data is valid" grep -q ': valid: 1 interchanges, 1 groups, 1 sets (0 rejected), 0 errors, 0 warnings' "$tmp/824r.txt"
"$bin" x12 translate "$r824" >"$tmp/824r.json" 2>"$tmp/824r.notes"; rc=$?
check "824 with related data translates" test $rc -eq 0
check "824 RED01 as the message of a TED without TED02" grep -q '{"kind":"other","message":"HEX NUT M8 ZINC, QTY 500 DOES NOT MATCH PACK OF 250"}' "$tmp/824r.json"
check "824 NM1 left out, said" grep -q 'segment 8 NM103: .Okafor. left out: application_advice has no member for it' "$tmp/824r.notes"
check "824 LQ left out, said" grep -q 'segment 16 LQ02: .RTL-412. left out' "$tmp/824r.notes"
"$bin" x12 render --sender-qual ZZ --sender-id AA --receiver-qual ZZ --receiver-id BB \
  "$CROSSDOCK_SRC/examples/documents/application_advice.json" >"$tmp/824.x12"; rc=$?
check "render 824" grep -q '^GS\*AG\*AA\*BB\*.*~$' "$tmp/824.x12"
check "render 824 validates" "$bin" x12 validate "$tmp/824.x12"
sed 's/"document_type": "invoice"/"document_type": "receipt"/' \
  "$CROSSDOCK_SRC/examples/documents/application_advice.json" | \
  "$bin" x12 render --sender-qual ZZ --sender-id AA --receiver-qual ZZ --receiver-id BB - \
  >/dev/null 2>"$tmp/824r.err"; rc=$?
check "824 of a receipt is refused" test $rc -eq 1
check "824 refusal names the code list" grep -q "advised_document 'receipt' has no X12 code" "$tmp/824r.err"

"$bin" x12 frobnicate >/dev/null 2>&1; rc=$?
check "unknown subcommand exits 2" test $rc -eq 2
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
