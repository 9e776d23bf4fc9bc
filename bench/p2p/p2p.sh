#!/usr/bin/env bash
# bench/p2p: complete procure-to-pay cycles per second through the hub and the simulated
# partners on the embedded store (crossdock demo --scenario p2p --exit), then the hub's added
# latency per step, read from the run's own store: document journaled -> flow step committed,
# and outbound message queued -> delivered.
# Usage: bench/p2p/p2p.sh BUILD_DIR [ORDERS] [RATE] [PARTNER_WORKERS]
# PARTNER_WORKERS (default 4, the demo's) is how many threads the simulated supplier and
# warehouse each send with: more push the hub harder at the cost of every step's latency.
set -euo pipefail
build=${1:-build}
orders=${2:-${BENCH_P2P_ORDERS:-5000}}
rate=${3:-${BENCH_P2P_RATE:-5000}}
workers=${4:-${BENCH_P2P_WORKERS:-4}}
work=$(mktemp -d /tmp/crossdock-bench-p2p.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "== p2p: $orders purchase orders at up to $rate/s through hub and simulators, partners sending with $workers threads (build: $build)"
"$build/crossdock" demo --scenario p2p --orders "$orders" --rate "$rate" \
  --partner-workers "$workers" --exit \
  --data "$work" | grep -v '^crossdock demo:\|^  supplier'
python3 "$(dirname "$0")/latency.py" "$work/data/crossdock.db"
