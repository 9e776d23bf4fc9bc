#!/usr/bin/env bash
# crossdock demo --scenario p2p --exit: the hub and the simulated ERP, supplier (X12) and
# warehouse as real processes; every order must close matched with every message delivered,
# and the hub and simulators must stop cleanly. Prints "N passed, N failed".
set -uo pipefail
BIN=${CROSSDOCK_BIN:?}
d=$(mktemp -d /tmp/crossdock-test-demo.XXXXXX)
trap 'rm -rf "$d"' EXIT
passed=0 failed=0
check() { if "$@"; then echo "ok - $what"; passed=$((passed + 1)); else echo "not ok - $what"; failed=$((failed + 1)); fi; }
"$BIN" demo --scenario p2p --orders 25 --rate 100 --partner-workers 2 --exit --data "$d/run" > "$d/out" 2>&1
rc=$?
what="the demo exits 0"; check [ "$rc" -eq 0 ]
what="every order closed matched"; check grep -q "^every order closed matched" "$d/out"
what="25 of 25 closed, every message delivered"; check grep -q "25 of 25 purchase orders closed, every message delivered" "$d/out"
what="no exception open"; check grep -q "open exceptions by type: none" "$d/out"
# The store writer's report (from the hub's /metrics): every figure present.
what="the store writer's report"; check grep -Eq "^  store writer: [0-9]+ commits/s of [0-9.]+ writes, busy [0-9]+ % .* a write waited [0-9.]+ ms .* an inbound message was answered in [0-9.]+ ms" "$d/out"
what="the supplier and the warehouse send with 2 threads each"; check bash -c "grep -q 'supplier demo-supplier sends with 2 thread' '$d/run/supplier.log' && grep -q 'warehouse demo-wms sends with 2 thread' '$d/run/warehouse.log'"
"$BIN" demo --scenario p2p --partner-workers 65 --exit > "$d/refused" 2>&1
rc=$?
what="--partner-workers 65 is refused (exit 2, the range named)"; check bash -c "[ $rc -eq 2 ] && grep -q 'partner-workers must be 1 to 64' '$d/refused'"
what="the hub stopped cleanly"; check grep -q '"msg":"stopped cleanly"' "$d/run/hub.log"
what="no sanitizer report in any process"; check bash -c "! grep -q Sanitizer '$d'/run/*.log"
[ "$failed" -eq 0 ] || { cat "$d/out"; tail -20 "$d/run/hub.log"; }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
