#!/usr/bin/env bash
# make bench: run every benchmark against the release build in $1 and print its figures.
# BENCH_SECONDS (default 30) sets the ingest run's length; 600 gives the 10-minute memory check.
set -euo pipefail
build=${1:-build}
secs=${BENCH_SECONDS:-30}
conns=${BENCH_CONNECTIONS:-64}
work=$(mktemp -d /tmp/crossdock-bench.XXXXXX)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== ingest: POST /v1/documents, $conns connections, ${secs}s (build: $build)"
token=$("$build/crossdock" token create --data "$work/data" --name bench --role admin)
"$build/crossdock" serve --data "$work/data" --listen 127.0.0.1:0 2>"$work/hub.log" &
pid=$!
for _ in $(seq 100); do
  port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/hub.log" | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
# Compact, and without the example's correlation_id: each order must start its own thread, as an
# ERP's orders do (bench_ingest makes every po_number unique).
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("correlation_id", None)
print(json.dumps(d, separators=(",",":")))' examples/documents/purchase_order.json > "$work/po.json"
"$build/bench/ingest/bench_ingest" "http://127.0.0.1:$port" "$token" "$work/po.json" \
  --connections "$conns" --seconds "$secs" --pid "$pid"
kill -TERM $pid; wait $pid || true
grep -o '"msg":"stopped cleanly"' "$work/hub.log" >/dev/null && echo "hub stopped cleanly"

bench/p2p/p2p.sh "$build"

for b in "$build"/bench/*/bench_*; do
  case "$b" in */bench_ingest) continue ;; esac
  [ -f "$b" ] && [ -x "$b" ] || continue # not meson's bench_*.p object directories
  echo "== $(basename "$b")"
  "$b"
done
