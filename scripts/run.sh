#!/usr/bin/env bash
# make run: start the hub on the embedded store with the example documents loaded, print the URL
# and an admin token. Usage: scripts/run.sh BIN DATA_DIR HOST:PORT
set -euo pipefail
bin=$1 data=$2 listen=$3
url="http://$listen"
mkdir -p "$data"
token_file="$data/admin-token"
if [ ! -s "$token_file" ]; then
  # Only the token's hash is stored by the hub; this copy exists for local use (mode 0600).
  (umask 077 && "$bin" token create --data "$data" --name local-admin --role admin > "$token_file")
fi
token=$(cat "$token_file")

"$bin" serve --data "$data" --listen "$listen" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 100); do
  curl -sf "$url/v1/health" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { wait $pid; exit 1; }
  sleep 0.1
done

# The example partner network (profiles carry fake credentials; re-applying the same content
# makes no new version).
"$bin" partner apply examples/partners/*.yaml --secrets examples/secrets/partner-secrets.example.yaml \
  --url "$url" --token "$token" >/dev/null 2>&1 || \
  echo "note: the example partner profiles could not be applied (crossdock partner apply)" >&2
partners=$(ls examples/partners/*.yaml | wc -l)

# The example documents: the purchase order starts its procure-to-pay flow with the partners
# above (crossdock tx show 4500012345).
loaded=0
for f in examples/documents/*.json; do
  name=$(basename "$f" .json)
  # The Idempotency-Key makes re-runs harmless: a document already loaded is not stored again.
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/v1/documents" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: example-$name" --data-binary "@$f")
  [ "$code" = 201 ] && loaded=$((loaded + 1))
done

cat <<MSG

  Crossdock is running at $url   (data: $data, $loaded example documents loaded,
  $partners example partners applied; their file inboxes are under $data/partners/)
  Admin token: $token

  Try:  curl -H "Authorization: Bearer $token" $url/v1/openapi.json
        curl -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \\
             --data-binary @examples/documents/purchase_order.json $url/v1/documents
        curl $url/metrics
        curl -H "Authorization: Bearer $token" $url/v1/partners
        $bin tx show 4500012345 --url $url --token $token
        $bin demo --scenario p2p     (a whole simulated partner network on its own hub)
        cp examples/partners/samples/acme-fasteners/855_4500012345.edi $data/partners/acme-fasteners/inbox/

  The example ERP (erp-northwind) is a Tryton at 127.0.0.1:8000: until one answers there, the
  postings to it wait and are retried, and the log says so (docs/erp-tryton.md: running one).

  Ctrl-C stops the hub gracefully.
MSG
wait $pid
