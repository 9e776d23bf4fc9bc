#!/usr/bin/env bash
# Run the whole test suite of build directory $1 and end with one plain "N passed, N failed" line
# (meson's own summary is not a line CI reads).
set -uo pipefail
dir=${1:-build-asan}
shift || true
log="$dir/meson-test.log"
meson test -C "$dir" --print-errorlogs --num-processes "${XD_TEST_JOBS:-2}" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# The binary `make run` and `make bench` use (release, LTO, jemalloc) is not the one the suites
# test (ASan, glibc's malloc): XD_RELEASE_BUILD names it, and a procure-to-pay demo must close
# every order through it. Counted as one more test.
extra_ok=0 extra_fail=0
if [ -n "${XD_RELEASE_BUILD:-}" ]; then
  demo=$(mktemp -d /tmp/crossdock-release-demo.XXXXXX)
  if timeout 300 "$XD_RELEASE_BUILD/crossdock" demo --scenario p2p --orders 300 --rate 300 \
       --exit --data "$demo" >"$demo.out" 2>&1; then
    echo "release/demo (300 orders through $XD_RELEASE_BUILD/crossdock)  OK" | tee -a "$log"
    extra_ok=1
  else
    echo "release/demo (300 orders through $XD_RELEASE_BUILD/crossdock)  FAIL:" | tee -a "$log"
    tail -20 "$demo.out" | tee -a "$log"
    extra_fail=1 rc=1
  fi
  rm -rf "$demo" "$demo.out"
fi
awk -v eo="$extra_ok" -v ef="$extra_fail" \
    '/^Ok:/{ok=$2} /^Expected Fail:/{xf=$3} /^Fail:/{f=$2} /^Unexpected Pass:/{up=$3}
     /^Skipped:/{s=$2} /^Timeout:/{t=$2}
     END{ if (s > 0) printf "(%d skipped)\n", s;
          printf "%d passed, %d failed\n", ok + xf + eo, f + up + t + ef }' "$log"
exit "$rc"
