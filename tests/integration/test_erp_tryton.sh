#!/usr/bin/env bash
# The ERP connector against a real Tryton 6.0 (tests/support/tryton.sh: trytond on a loopback
# port, its database copied from a template built once per build directory). The real hub serves
# a data directory with tests/data/erp/erp-tryton.yaml applied (poll_interval 1s). Checked, each
# by reading the hub's store (sqlite3, read-only) or Tryton's records through its API:
#   - a purchase confirmed in Tryton becomes one canonical purchase order (mapped SKU, unit,
#     supplier, ship-to), exactly once across a hub restart; one confirmed while the hub is down
#     is picked up after it;
#   - a purchase changed in Tryton (back to draft, quantity changed, confirmed) follows as
#     purpose change, its cancellation as purpose cancel, each once;
#   - postings through the delivery engine (endpoint kind erp): an acknowledgement (line notes,
#     planned dates, the supplier's reference), a ship notice (an incoming shipment of the
#     purchase's moves), a receipt one line short (the shipment done with the received
#     quantities) and an invoice (a draft supplier invoice tied to the purchase line); each
#     posted twice creates nothing twice;
#   - a refusal (an unknown PO) lands in the dead-letter queue saying why;
#   - Tryton down: the posting retries, and is delivered once Tryton is back; the poller logs
#     the outage without flooding;
#   - crossdock erp sync: products, suppliers and warehouses as item, party and location
#     documents, again only when something changed.
# Installs Tryton when missing (as root); exits 77 (meson: skipped) where it cannot. Output: one
# "ok"/"not ok" line per check, then "N passed, N failed". CROSSDOCK_KEEP=1 keeps the scratch.
set -uo pipefail

SRC=${CROSSDOCK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CROSSDOCK_BIN:-$SRC/build-asan/crossdock}
. "$SRC/tests/support/tryton.sh"
. "$SRC/tests/support/checks.sh"

tryton_prereqs
command -v curl >/dev/null || tryton_skip "curl is missing"
command -v sqlite3 >/dev/null || tryton_skip "sqlite3 is missing"
[ -x "$BIN" ] || { echo "no crossdock binary at $BIN" >&2; exit 1; }

B=$(mktemp -d /tmp/crossdock-erp.XXXXXX)
DATA=$B/data
HUB_PID=
HUB_PORT=
TOKEN=
PY=$TRYTON_PY

cleanup()
{
    [ -n "$HUB_PID" ] && { kill "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; }
    tryton_stop
    if [ "${CROSSDOCK_KEEP:-0}" = 1 ]; then echo "kept $B"; else rm -rf "$B"; fi
}
trap cleanup EXIT

sql() { sqlite3 -readonly "$DATA/crossdock.db" "$1"; }
ge() { [ "$1" -ge "$2" ] 2>/dev/null || { echo "  expected at least $2, got '$1'" >&2; return 1; }; }
# jq-like: JSON on stdin, a Python expression over `d`.
js() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

hub_start()
{
    "$BIN" serve --data "$DATA" --listen "127.0.0.1:$HUB_PORT" >> "$B/hub.log" 2>&1 &
    HUB_PID=$!
    wait_until 20 curl -sf -o /dev/null "http://127.0.0.1:$HUB_PORT/v1/health"
}

hub_stop()
{
    kill -TERM "$HUB_PID" 2>/dev/null
    wait "$HUB_PID" 2>/dev/null
    HUB_PID=
}

api() # METHOD PATH [BODY]
{
    curl -s -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        ${3:+--data-binary "$3"} "http://127.0.0.1:$HUB_PORT$2"
}

# Enqueue a canonical document to the ERP partner; prints the outbound message id.
post_erp()
{
    api POST /v1/outbox "{\"partner\":\"erp-tryton\",\"endpoint\":\"tryton\",\"body\":$1}" | js "d['id']"
}

msg_state() { api GET "/v1/outbox/$1" | js "d['state']"; }
delivered() { [ "$(msg_state "$1")" = delivered ]; }
dead() { [ "$(msg_state "$1")" = dead ]; }

po_count() { sql "SELECT count(*) FROM documents WHERE type = 'purchase_order' AND json_extract(body, '\$.po_number') = '$1'"; }
po_last() { sql "SELECT json_extract(body, '\$.$2') FROM documents WHERE type = 'purchase_order' AND json_extract(body, '\$.po_number') = '$1' ORDER BY docno DESC LIMIT 1"; }
has_pos() { [ "$(po_count "$1")" -ge "$2" ]; }

tread() { tryton_rpc read "$@"; }

# ------------------------------------------------------------------------------------------
# Set-up: Tryton from the template, the hub with the ERP profile applied

CACHE=$(dirname "$BIN")/tryton-cache
tryton_template "$CACHE" || { echo "cannot build the Tryton template database" >&2; exit 1; }
tryton_start "$B/tryton" || { cat "$B/tryton/server.log" >&2; exit 1; }
HUB_PORT=$(_tryton_free_port)
TOKEN=$("$BIN" token create --data "$DATA" --name erp-test --role admin) || exit 1
hub_start || { cat "$B/hub.log" >&2; exit 1; }
sed "s#@URL@#$TRYTON_URL#" "$SRC/tests/data/erp/erp-tryton.yaml" > "$B/erp.yaml"
printf 'erp-tryton:\n  tryton: "Kq7-Vw3Zr9Ln"\n' > "$B/secrets.yaml"
"$BIN" partner apply "$B/erp.yaml" --secrets "$B/secrets.yaml" --url "http://127.0.0.1:$HUB_PORT" \
    --token "$TOKEN" > /dev/null || { echo "cannot apply the profile" >&2; exit 1; }

# ------------------------------------------------------------------------------------------
# Polling: exactly once, across a restart

PO1=$(tryton_rpc po-create SUP-0001 NW-20417:10:2.50 NW-10042:5:0.13)
N1=$(echo "$PO1" | js "d['number']")
L1=$(echo "$PO1" | js "d['lines'][0]")
L2=$(echo "$PO1" | js "d['lines'][1]")
check "a confirmed purchase is fetched as a purchase order" wait_until 20 has_pos "$N1" 1
check "purpose original" eq "$(po_last "$N1" purpose)" original
check "the line number is Tryton's purchase line id" eq "$(po_last "$N1" 'lines[0].line_number')" "$L1"
check "product code mapped to the SKU" eq "$(po_last "$N1" 'lines[0].sku')" GLOVE-NIT-L
check "an unmapped product keeps its code" eq "$(po_last "$N1" 'lines[1].sku')" NW-10042
check "Tryton's unit mapped" eq "$(po_last "$N1" 'lines[0].uom')" EA
check "quantity and price exact" eq "$(po_last "$N1" 'lines[0].quantity')/$(po_last "$N1" 'lines[0].unit_price')" "10/2.5"
check "supplier party mapped" eq "$(po_last "$N1" 'supplier.party_id')" acme-fasteners
check "warehouse mapped" eq "$(po_last "$N1" 'ship_to.location_id')" DC-CHI
check "journaled from channel erp" eq "$(sql "SELECT DISTINCT j.channel FROM documents d JOIN journal j ON j.seq = d.seq WHERE d.type = 'purchase_order'")" erp
check "the cursor is stored" eq "$(sql "SELECT count(*) FROM poll_cursors WHERE name = 'erp:erp-tryton:purchase'")" 1

hub_stop
PO2=$(tryton_rpc po-create SUP-0001 NW-20417:3:2.50)
N2=$(echo "$PO2" | js "d['number']")
L3=$(echo "$PO2" | js "d['lines'][0]")
hub_start
check "a purchase confirmed while the hub was down is fetched after the restart" wait_until 20 has_pos "$N2" 1
sleep 3 # three more polls
check "the first purchase is not fetched again after the restart" eq "$(po_count "$N1")" 1
check "nor the second" eq "$(po_count "$N2")" 1
kill -KILL "$HUB_PID"
wait "$HUB_PID" 2>/dev/null
HUB_PID=
PO4=$(tryton_rpc po-create SUP-0002 NW-10042:7:0.13)
N4=$(echo "$PO4" | js "d['number']")
hub_start
check "after a kill -9 of the hub the next purchase is fetched" wait_until 20 has_pos "$N4" 1
sleep 2
check "and none before it again" eq "$(po_count "$N1")/$(po_count "$N2")/$(po_count "$N4")" 1/1/1
check "an unmapped supplier keeps Tryton's code" eq "$(po_last "$N4" 'supplier.assigned_id')" SUP-0002

# ------------------------------------------------------------------------------------------
# Changes and cancellations

PO3=$(tryton_rpc po-confirm SUP-0001 NW-20417:4:2.50)
N3=$(echo "$PO3" | js "d['number']")
I3=$(echo "$PO3" | js "d['id']")
L4=$(echo "$PO3" | js "d['lines'][0]")
check "a confirmed purchase (not processed) is fetched" wait_until 20 has_pos "$N3" 1
tryton_rpc po-change "$I3" "$L4" 6 > /dev/null
check "a change in Tryton follows" wait_until 20 has_pos "$N3" 2
check "as purpose change" eq "$(po_last "$N3" purpose)" change
check "with the new quantity" eq "$(po_last "$N3" 'lines[0].quantity')" 6
tryton_rpc po-cancel "$I3" > /dev/null
check "a cancellation in Tryton follows" wait_until 20 has_pos "$N3" 3
check "as purpose cancel" eq "$(po_last "$N3" purpose)" cancel
sleep 3
check "each once" eq "$(po_count "$N3")" 3
tryton_rpc po-change "$I3" "$L4" 6 > /dev/null
check "confirmed again as it was before the cancellation, it follows" wait_until 20 has_pos "$N3" 4
check "as purpose change" eq "$(po_last "$N3" purpose)/$(po_last "$N3" 'lines[0].quantity')" change/6

# ------------------------------------------------------------------------------------------
# Posting into Tryton

ACK='{"type":"po_acknowledgement","id":"doc-ack-1","po_number":"'$N1'","ack_number":"SO-77","status":"accepted","ack_date":"2026-03-03","lines":[{"line_number":'$L1',"status":"accepted","confirmed_quantity":"10","uom":"EA","confirmed_unit_price":"2.50","confirmed_delivery_date":"2026-03-12"}]}'
A1=$(post_erp "$ACK")
check "acknowledgement delivered" wait_until 30 delivered "$A1"
A2=$(post_erp "$ACK")
check "the same acknowledgement again is delivered" wait_until 30 delivered "$A2"
P=$(tread purchase.purchase "[[\"number\",\"=\",\"$N1\"]]" '["reference","comment"]')
check "supplier's reference on the purchase" eq "$(echo "$P" | js "d[0]['reference']")" SO-77
check "the acknowledgement in the purchase's comment, once" \
    eq "$(echo "$P" | js "d[0]['comment'].count('[crossdock po_acknowledgement doc-ack-1]')")" 1
LN=$(tread purchase.line "[[\"id\",\"=\",$L1]]" '["note","moves"]')
check "confirmed quantity, price and date in the line's note" \
    eq "$(echo "$LN" | js "'qty 10 EA price 2.50' in d[0]['note'] and 'delivery 2026-03-12' in d[0]['note']")" True
MV=$(tread stock.move "[[\"origin\",\"=\",\"purchase.line,$L1\"]]" '["planned_date"]')
check "the line's open move planned for the confirmed date" \
    eq "$(echo "$MV" | js "d[0]['planned_date']['day']")" 12
sleep 2
check "what the acknowledgement wrote does not come back as a change of the order" \
    eq "$(po_count "$N1")" 1

ASN='{"type":"ship_notice","id":"doc-asn-1","asn_number":"ASN-1","purpose":"original","ship_date":"2026-03-09","ship_to":{"location_id":"DC-CHI"},"orders":[{"po_number":"'$N1'","items":[{"line_number":'$L1',"quantity":"10","uom":"EA"},{"line_number":'$L2',"quantity":"5","uom":"EA"}]}]}'
S1=$(post_erp "$ASN")
check "ship notice delivered" wait_until 30 delivered "$S1"
S2=$(post_erp "$ASN")
check "the same ship notice again is delivered" wait_until 30 delivered "$S2"
SH=$(tread stock.shipment.in '[["reference","=","ASN-1"]]' '["state","incoming_moves"]')
check "one incoming shipment for the ASN" eq "$(echo "$SH" | js "len(d)")" 1
check "made of the purchase's two moves" eq "$(echo "$SH" | js "len(d[0]['incoming_moves'])")" 2

RCPT='{"type":"receipt","id":"doc-rcpt-1","receipt_number":"R-1","asn_number":"ASN-1","po_number":"'$N1'","location_id":"DC-CHI","received_at":"2026-03-12T10:00:00Z","lines":[{"line_number":1,"po_number":"'$N1'","po_line_number":'$L1',"expected_quantity":"10","received_quantity":"8","uom":"EA"},{"line_number":2,"po_number":"'$N1'","sku":"NW-10042","expected_quantity":"5","received_quantity":"3","uom":"EA","lot_number":"L-A"},{"line_number":3,"po_number":"'$N1'","sku":"NW-10042","received_quantity":"2","uom":"EA","lot_number":"L-B"},{"line_number":4,"po_number":"'$N1'","sku":"NW-99999","received_quantity":"0","uom":"EA"}]}'
# (line 4 received nothing of an item the shipment does not hold: it needs no move)
R1=$(post_erp "$RCPT")
check "receipt delivered" wait_until 30 delivered "$R1"
R2=$(post_erp "$RCPT")
check "the same receipt again is delivered" wait_until 30 delivered "$R2"
SH=$(tread stock.shipment.in '[["reference","=","ASN-1"]]' '["state"]')
check "the incoming shipment is done" eq "$(echo "$SH" | js "d[0]['state']")" done
MV=$(tread stock.move "[[\"origin\",\"=\",\"purchase.line,$L1\"],[\"state\",\"=\",\"done\"]]" '["quantity"]')
check "the short line is done with the quantity received" eq "$(echo "$MV" | js "[m['quantity'] for m in d]")" "[8.0]"
MV=$(tread stock.move "[[\"origin\",\"=\",\"purchase.line,$L2\"],[\"state\",\"=\",\"done\"]]" '["quantity"]')
check "the full line, named by SKU in two lots, with all of it" eq "$(echo "$MV" | js "[m['quantity'] for m in d]")" "[5.0]"
LQ=$(tread purchase.line "[[\"id\",\"=\",$L1]]" '["quantity"]')
check "the variance is visible: ordered 10, received 8" eq "$(echo "$LQ" | js "d[0]['quantity']")" 10.0
# A second receipt of the same (done) shipment is not a retry of the first: it is refused, not
# said done while Tryton books nothing of it.
RCPT2='{"type":"receipt","id":"doc-rcpt-2","receipt_number":"R-2","asn_number":"ASN-1","po_number":"'$N1'","location_id":"DC-CHI","received_at":"2026-03-13T10:00:00Z","lines":[{"line_number":1,"po_number":"'$N1'","po_line_number":'$L1',"received_quantity":"2","uom":"EA"}]}'
R3=$(post_erp "$RCPT2")
check "a second receipt of the done shipment lands in the dead-letter queue" wait_until 30 dead "$R3"
check "saying why" eq "$(api GET "/v1/outbox/$R3" | js "'another receipt of the same shipment' in (d.get('dead_reason') or '')")" True

INV='{"type":"invoice","id":"doc-inv-1","invoice_number":"INV-1","invoice_type":"invoice","invoice_date":"2026-03-13","po_number":"'$N1'","supplier":{"party_id":"acme-fasteners"},"buyer":{"party_id":"northwind"},"currency":"USD","lines":[{"line_number":1,"po_line_number":'$L1',"quantity":"8","uom":"EA","unit_price":"2.50"}],"totals":{"total_amount":"20.00"}}'
V1=$(post_erp "$INV")
check "invoice delivered" wait_until 30 delivered "$V1"
V2=$(post_erp "$INV")
check "the same invoice again is delivered" wait_until 30 delivered "$V2"
IV=$(tread account.invoice '[["reference","=","INV-1"]]' '["state","type","total_amount","lines"]')
check "one supplier invoice" eq "$(echo "$IV" | js "len(d)")" 1
check "in draft, as the profile says" eq "$(echo "$IV" | js "d[0]['state'] + '/' + d[0]['type']")" draft/in
check "for the quantity invoiced" eq "$(echo "$IV" | js "d[0]['total_amount']['decimal']")" 20.00
IL=$(tread account.invoice.line '[["invoice.reference","=","INV-1"]]' '["origin"]')
check "tied to the purchase line" eq "$(echo "$IL" | js "d[0]['origin']")" "purchase.line,$L1"

# The profile now says posted: the next invoice is posted in Tryton.
sed 's/invoice_state: draft/invoice_state: posted/' "$B/erp.yaml" > "$B/erp-posted.yaml"
"$BIN" partner apply "$B/erp-posted.yaml" --secrets "$B/secrets.yaml" --url "http://127.0.0.1:$HUB_PORT" \
    --token "$TOKEN" > /dev/null
INV2='{"type":"invoice","id":"doc-inv-2","invoice_number":"INV-2","invoice_type":"invoice","invoice_date":"2026-03-14","po_number":"'$N1'","supplier":{"party_id":"acme-fasteners"},"buyer":{"party_id":"northwind"},"currency":"USD","lines":[{"line_number":1,"sku":"NW-10042","quantity":"5","uom":"EA","unit_price":"0.13"}],"totals":{"total_amount":"0.65"}}'
V3=$(post_erp "$INV2")
check "invoice delivered under invoice_state posted" wait_until 30 delivered "$V3"
IV=$(tread account.invoice '[["reference","=","INV-2"]]' '["state","total_amount","number"]')
check "posted in Tryton (its line found by SKU), numbered by its sequence" eq "$(echo "$IV" | js "d[0]['state'] + '/' + str(bool(d[0]['number'])) + '/' + d[0]['total_amount']['decimal']")" posted/True/0.65
sed -i 's/invoice_state: posted/invoice_state: draft/' "$B/erp-posted.yaml"
"$BIN" partner apply "$B/erp-posted.yaml" --secrets "$B/secrets.yaml" --url "http://127.0.0.1:$HUB_PORT" \
    --token "$TOKEN" > /dev/null

BAD='{"type":"po_acknowledgement","po_number":"NO-SUCH-PO","status":"accepted","ack_date":"2026-03-03"}'
X1=$(post_erp "$BAD")
check "a refused posting lands in the dead-letter queue" wait_until 30 dead "$X1"
check "saying why" eq "$(api GET "/v1/outbox/$X1" | js "'Tryton has no purchase numbered NO-SUCH-PO' in (d.get('dead_reason') or '')")" True

# What Tryton itself refuses: a negative quantity breaks a constraint of stock.move.
NEG='{"type":"ship_notice","id":"doc-asn-neg","asn_number":"ASN-NEG","purpose":"original","ship_date":"2026-03-09","ship_to":{"location_id":"DC-CHI"},"orders":[{"po_number":"'$N2'","items":[{"line_number":'$L3',"quantity":"-3","uom":"EA"}]}]}'
X2=$(post_erp "$NEG")
check "a posting Tryton refuses lands in the dead-letter queue" wait_until 30 dead "$X2"
check "with what Tryton answered" eq "$(api GET "/v1/outbox/$X2" | js "(d.get('dead_reason') or '').startswith('Tryton answered ')")" True
api GET "/v1/outbox/$X2" | js "'  ' + (d.get('dead_reason') or '')"
tryton_rpc call model.stock.move.write "[[$(tread stock.move "[[\"origin\",\"=\",\"purchase.line,$L3\"]]" '["id"]' | js "d[0]['id']")], {\"quantity\": 3.0}]" > /dev/null

# ------------------------------------------------------------------------------------------
# Tryton down: retries, then delivered when it is back

tryton_stop
before=$(grep -c '"action":"erp.poll"' "$B/hub.log")
ASN2='{"type":"ship_notice","id":"doc-asn-2","asn_number":"ASN-2","purpose":"original","ship_date":"2026-03-09","ship_to":{"location_id":"DC-CHI"},"orders":[{"po_number":"'$N2'","items":[{"line_number":'$L3',"quantity":"3","uom":"EA"}]}]}'
S3=$(post_erp "$ASN2")
attempts() { [ "$(api GET "/v1/outbox/$S3" | js "d['attempts']")" -ge 2 ]; }
check "while Tryton is down the posting is retried" wait_until 30 attempts
check "saying Tryton cannot be reached" eq "$(api GET "/v1/outbox/$S3" | js "'cannot be reached' in (d.get('last_error') or '')")" True
sleep 4
errors=$(( $(grep -c '"action":"erp.poll"' "$B/hub.log") - before ))
check "the poller logs the outage without flooding ($errors lines in 5+ s)" [ "$errors" -le 2 ]
tryton_start "$B/tryton" || { echo "trytond did not restart" >&2; }
check "delivered once Tryton is back" wait_until 60 delivered "$S3"
SH=$(tread stock.shipment.in '[["reference","=","ASN-2"]]' '["state"]')
check "one incoming shipment for it" eq "$(echo "$SH" | js "len(d)")" 1

check "no fetched purchase order was refused as a conflicting duplicate" \
    eq "$(grep -c 'purchase order [^ ]* refused' "$B/hub.log")" 0

# ------------------------------------------------------------------------------------------
# Master data

items() { sql "SELECT count(*) FROM documents WHERE type = '$1' AND json_extract(body, '\$.$2') = '$3'"; }
hub_stop
tryton_rpc product-create NW-77777 "Cable ties" > /dev/null
OUT=$("$BIN" erp sync --data "$DATA" --partner erp-tryton 2>&1)
check "erp sync journals the changed master data ($OUT)" eq "$OUT" "8 master data document(s) journaled"
check "a new product is an item" eq "$(items item sku NW-77777)" 1
check "products are items (mapped SKU)" ge "$(items item sku GLOVE-NIT-L)" 1
check "suppliers are parties (mapped id)" ge "$(items party party_id acme-fasteners)" 1
check "warehouses are locations (mapped id)" ge "$(items location location_id DC-CHI)" 1
OUT=$("$BIN" erp sync --data "$DATA" --partner erp-tryton 2>&1)
check "unchanged master data is not journaled again" eq "$OUT" "0 master data document(s) journaled (unchanged since the last sync)"

PO5=$(tryton_rpc po-create SUP-0001 NW-20417:2:2.50)
N5=$(echo "$PO5" | js "d['number']")
OUT=$("$BIN" erp poll --data "$DATA" --partner erp-tryton 2>&1)
check "crossdock erp poll fetches what changed ($OUT)" eq "$OUT" "1 purchase order message(s) journaled"
check "the new purchase once" eq "$(po_count "$N5")" 1
OUT=$("$BIN" erp poll --data "$DATA" --partner erp-tryton 2>&1)
check "and nothing the second time" eq "$OUT" "0 purchase order message(s) journaled"

check "the hub's sanitizers reported nothing (leaks, undefined behaviour)" \
    eq "$(grep -c 'Sanitizer\|runtime error' "$B/hub.log")" 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
