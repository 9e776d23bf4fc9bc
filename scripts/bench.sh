#!/usr/bin/env bash
# make bench: run every benchmark against the release build in $1 and print its figures.
# BENCH_SECONDS (default 30) sets the ingest run's length; 600 gives the 10-minute memory check.
# BENCH_ONLY=ingest runs the ingest part alone (what docs/performance.md calls /tmp/ib.sh).
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
# The hub's CPU per thread (share of one core) over the middle half of the run.
threads() { for t in /proc/$pid/task/*; do echo "$(cat "$t/comm") $(awk '{print $14+$15}' "$t/stat")"; done |
  awk '{a[$1]+=$2} END {for (k in a) print k, a[k]}' | sort; }
(sleep $((secs / 4)); threads >"$work/t1"; sleep $((secs / 2)); threads >"$work/t2"
 echo "hub CPU by thread (share of one core, middle half of the run):" >"$work/threads"
 join "$work/t1" "$work/t2" | awk -v s=$((secs / 2)) -v hz="$(getconf CLK_TCK)" \
   '{ if (s > 0) printf "  %-14s %5.1f%%\n", $1, ($3 - $2) * 100 / hz / s }' >>"$work/threads") &
tpid=$!
"$build/bench/ingest/bench_ingest" "http://127.0.0.1:$port" "$token" "$work/po.json" \
  --connections "$conns" --seconds "$secs" --pid "$pid"
wait $tpid || true
cat "$work/threads"
kill -TERM $pid; wait $pid || true
grep -o '"msg":"stopped cleanly"' "$work/hub.log" >/dev/null && echo "hub stopped cleanly"
[ "${BENCH_ONLY:-}" = ingest ] && exit 0

bench/p2p/p2p.sh "$build"

for b in "$build"/bench/*/bench_*; do
  case "$b" in */bench_ingest) continue ;; esac
  [ -f "$b" ] && [ -x "$b" ] || continue # not meson's bench_*.p object directories
  echo "== $(basename "$b")"
  "$b"
done
# The workflow engine's step for an order its supplier's profile routes (an X12 850 rendered).
echo "== bench_flow --routed"
"$build/bench/flow/bench_flow" --routed
