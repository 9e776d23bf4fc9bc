#!/usr/bin/env bash
# Procure to pay against a real ERP (issue 6's proof): a purchase confirmed in Tryton 6.0 is
# polled by the hub, travels to a simulated supplier as an X12 850, comes back acknowledged
# (855), shipped (856) and invoiced (810); a simulated warehouse receives it one line short
# (JSON receipt); the invoice (it bills what was shipped) is held while the short quantity is
# still awaited, the buyer writes the shortage off, the three-way match then stops the invoice
# until accounts payable accepts the variance. Trytond is restarted while the ship notice is being
# posted. Asserted by reading Tryton's records through its API: the acknowledgement on the
# purchase lines, one incoming shipment done for the received quantities with the short
# quantity still open on the purchase, one draft supplier invoice; nothing twice.
# Everything real: trytond on a loopback port, the hub, `crossdock sim supplier|warehouse`.
# Installs Tryton when missing (as root); exits 77 (skipped) where it cannot.
set -uo pipefail

SRC=${CROSSDOCK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CROSSDOCK_BIN:-$SRC/build-asan/crossdock}
. "$SRC/tests/support/tryton.sh"
. "$SRC/tests/support/checks.sh"

tryton_prereqs
command -v curl >/dev/null || tryton_skip "curl is missing"
[ -x "$BIN" ] || { echo "no crossdock binary at $BIN" >&2; exit 1; }

B=$(mktemp -d /tmp/crossdock-p2p-tryton.XXXXXX)
DATA=$B/data
PIDS=()
PY=$TRYTON_PY

cleanup()
{
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    tryton_stop
    if [ "${CROSSDOCK_KEEP:-0}" = 1 ]; then echo "kept $B"; else rm -rf "$B"; fi
}
trap cleanup EXIT

js() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
api()
{
    curl -s -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        ${3:+--data-binary "$3"} "$HUB/$2"
}
flow() { api GET "v1/transactions/$PO_NUMBER" | js "d.get('flow', {}).get('$1')"; }
state_is() { [ "$(flow state)" = "$1" ]; }
open_exceptions() { api GET "v1/transactions/$PO_NUMBER" | js "' '.join(sorted(x['type'] for x in d['flow']['exceptions'] if x['state'] == 'open'))"; }
has_exceptions() { [ "$(open_exceptions)" = "$1" ]; }
tread() { tryton_rpc read "$@"; }
port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ------------------------------------------------------------------------------------------
# Tryton, the hub, the partners

CACHE=$(dirname "$BIN")/tryton-cache
tryton_template "$CACHE" || { echo "cannot build the Tryton template database" >&2; exit 1; }
tryton_start "$B/tryton" || { cat "$B/tryton/server.log" >&2; exit 1; }

HUB_PORT=$(port)
SUP_PORT=$(port)
WH_PORT=$(port)
HUB=http://127.0.0.1:$HUB_PORT
TOKEN=$("$BIN" token create --data "$DATA" --name p2p-tryton --role admin) || exit 1
SUP_TOKEN=$("$BIN" token create --data "$DATA" --name acme --role partner --partner acme-fasteners)
WH_TOKEN=$("$BIN" token create --data "$DATA" --name wms --role partner --partner wms-test)
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$HUB_PORT" >> "$B/hub.log" 2>&1 &
PIDS+=($!)
wait_until 20 curl -sf -o /dev/null "$HUB/v1/health" || { cat "$B/hub.log" >&2; exit 1; }

sed "s#@URL@#$TRYTON_URL#" "$SRC/tests/data/erp/erp-tryton.yaml" > "$B/erp.yaml"
printf 'erp-tryton:\n  tryton: "Kq7-Vw3Zr9Ln"\n' > "$B/secrets.yaml"
cat > "$B/acme.yaml" <<YAML
id: acme-fasteners
name: Acme Fasteners Inc.
role: supplier
identifiers: {isa_qualifier: ZZ, isa_id: ACMEFAST, gs_id: ACMEFAST}
x12: {hub_qualifier: ZZ, hub_id: NORTHWIND, hub_gs_id: NORTHWIND, component_separator: ">"}
inbound:
  http: {formats: [x12]}
outbound:
  endpoints:
    - {name: edi, kind: http, url: "http://127.0.0.1:$SUP_PORT/edi", allow_private_networks: ["127.0.0.0/8"]}
  retry: {max_attempts: 100, max_age: 1h, backoff_base: 200ms, backoff_max: 1s}
documents:
  - {type: purchase_order, direction: out, format: x12, version: "004010"}
  - {type: po_acknowledgement, direction: in, format: x12, version: "004010"}
  - {type: ship_notice, direction: in, format: x12, version: "004010"}
  - {type: invoice, direction: in, format: x12, version: "004010"}
YAML
cat > "$B/wms.yaml" <<YAML
id: wms-test
name: Test DC
role: warehouse
inbound:
  http: {formats: [json]}
outbound:
  endpoints:
    - {name: api, kind: http, url: "http://127.0.0.1:$WH_PORT/asn", allow_private_networks: ["127.0.0.0/8"]}
  retry: {max_attempts: 100, max_age: 1h, backoff_base: 200ms, backoff_max: 1s}
documents:
  - {type: ship_notice, direction: out, format: json}
  - {type: receipt, direction: in, format: json}
mapping:
  locations:
    - {location_id: DC-CHI, code: WH}
YAML
"$BIN" partner apply "$B/erp.yaml" "$B/acme.yaml" "$B/wms.yaml" --secrets "$B/secrets.yaml" \
    --url "$HUB" --token "$TOKEN" > "$B/apply.log" 2>&1 || { cat "$B/apply.log" >&2; exit 1; }

# The supplier ships slowly enough for Tryton to be restarted under the ship notice.
"$BIN" sim supplier --profile "$B/acme.yaml" --listen "127.0.0.1:$SUP_PORT" --hub "$HUB" \
    --token "$SUP_TOKEN" --state "$B/acme.state" --ack-delay 200 --ship-delay 3000 \
    --invoice-delay 4000 >> "$B/supplier.log" 2>&1 &
PIDS+=($!)
"$BIN" sim warehouse --profile "$B/wms.yaml" --listen "127.0.0.1:$WH_PORT" --hub "$HUB" \
    --token "$WH_TOKEN" --state "$B/wms.state" --receive-delay 300 --short 1:2 \
    >> "$B/warehouse.log" 2>&1 &
PIDS+=($!)

# ------------------------------------------------------------------------------------------
# The order, confirmed in Tryton

PO=$(tryton_rpc po-create SUP-0001 NW-20417:10:2.50 NW-10042:5:0.13)
PO_NUMBER=$(echo "$PO" | js "d['number']")
PO_ID=$(echo "$PO" | js "d['id']")
L1=$(echo "$PO" | js "d['lines'][0]")
L2=$(echo "$PO" | js "d['lines'][1]")

check "the purchase polled from Tryton starts the flow and goes to the supplier" \
    wait_until 30 state_is sent
check "the supplier got it as an X12 850" \
    wait_until 10 grep -q "$PO_NUMBER" "$B/supplier.log"
check "acknowledged by the supplier" wait_until 30 state_is acknowledged
line_note() { tread purchase.line "[[\"id\",\"=\",$L1]]" '["note"]' | js "d[0]['note'] or ''"; }
has_note() { [ -n "$(line_note 2>/dev/null)" ]; }
check "the acknowledgement is on Tryton's purchase line" wait_until 30 has_note

# Tryton goes down just before the ship notice is posted, and comes back.
tryton_stop
happened() { api GET "v1/transactions/$PO_NUMBER" | js "'$1' in [e['event'] for e in d['flow']['timeline']]" | grep -q True; }
check "shipped (the ship notice waits for Tryton)" wait_until 30 happened asn.received
sleep 2
tryton_start "$B/tryton" || { cat "$B/tryton/server.log" >&2; exit 1; }

short_variance() { api GET "v1/transactions/$PO_NUMBER" | js "[v['kind'] for v in d['flow'].get('variances', [])]" | grep -q "'short'"; }
check "received one line short: a short variance" wait_until 30 short_variance
invoice_held() { api GET "v1/transactions/$PO_NUMBER" | js "[v['state'] for v in d['flow'].get('invoices', {}).values()]" | grep -q "^\['held'\]$"; }
check "the invoice bills what was shipped, 2 of it still awaited on the ASN: held" \
    wait_until 30 invoice_held
check "held, not a mismatch: only the receipt variance is open" \
    has_exceptions "receipt_variance"
shipments() { tread stock.shipment.in "[[\"reference\",\"like\",\"ASN-$PO_NUMBER%\"]]" '["state","incoming_moves"]'; }
shipment_done() { [ "$(shipments | js "[s['state'] for s in d]")" = "['done']" ]; }
check "Tryton: one incoming shipment for the ASN, done" wait_until 60 shipment_done || shipments
check "Tryton: no supplier invoice before accounts payable decides" \
    eq "$(tread account.invoice "[[\"reference\",\"like\",\"IN-$PO_NUMBER%\"]]" '["id"]' | js "len(d)")" 0

# The buyer writes the 2 short off: nothing is awaited any more and the three-way match stops
# the invoice; accounts payable accepts it as billed.
XR=$(api GET "v1/exceptions?correlation_id=$(api GET "v1/transactions/$PO_NUMBER" | js "d['correlation_id']")&type=receipt_variance&state=open" | js "d['exceptions'][0]['id']")
check "the buyer writes the shortage off" \
    eq "$(api POST "v1/exceptions/$XR/actions" '{"action":"accept_variance","comment":"2 boxes lost in transit"}' | js "d['state']")" resolved
check "the invoice bills 2 not received: the three-way match stops it" \
    wait_until 30 has_exceptions "invoice_mismatch"
XI=$(api GET "v1/exceptions?correlation_id=$(api GET "v1/transactions/$PO_NUMBER" | js "d['correlation_id']")&type=invoice_mismatch&state=open" | js "d['exceptions'][0]['id']")
check "accounts payable accepts the invoice variance" \
    eq "$(api POST "v1/exceptions/$XI/actions" '{"action":"accept_variance","comment":"pay as billed, claim the 2 short"}' | js "d['state']")" resolved
check "the order closes" wait_until 30 state_is closed

invoices() { tread account.invoice "[[\"reference\",\"like\",\"IN-$PO_NUMBER%\"]]" '["state","type","total_amount"]'; }
one_invoice() { [ "$(invoices | js "len(d)")" = 1 ]; }
check "Tryton: one supplier invoice" wait_until 60 one_invoice || invoices
check "Tryton: in draft, as the profile says" eq "$(invoices | js "d[0]['state']")" draft
check "Tryton: for what was billed (10 x 2.50 + 5 x 0.13)" \
    eq "$(invoices | js "d[0]['total_amount']['decimal']")" 25.65

# What Tryton's stock says: 8 of line 1 and 5 of line 2 received against 10 and 5 ordered.
moves() { tread stock.move "[[\"origin\",\"=\",\"purchase.line,$1\"],[\"state\",\"=\",\"done\"]]" '["quantity"]' | js "[m['quantity'] for m in d]"; }
check "Tryton: line 1 done with the 8 received" eq "$(moves "$L1")" "[8.0]"
check "Tryton: the variance visible, 10 ordered on the purchase line" \
    eq "$(tread purchase.line "[[\"id\",\"=\",$L1]]" '["quantity"]' | js "d[0]['quantity']")" 10.0
check "Tryton: line 2 done with the 5 received" eq "$(moves "$L2")" "[5.0]"

# Nothing twice, across Tryton's restart: the postings the ERP got, once each.
check "the ERP endpoint got acknowledgement, ship notice, receipt and invoice once each" \
    eq "$(api GET "v1/outbox?partner=erp-tryton&limit=100" | js "sorted(m['state'] for m in d['messages'])")" \
    "['delivered', 'delivered', 'delivered', 'delivered']"
check "still one shipment" eq "$(shipments | js "len(d)")" 1
check "the hub's log has no sanitizer report" bash -c "! grep -q 'Sanitizer' '$B/hub.log'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
