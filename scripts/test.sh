#!/usr/bin/env bash
# Run the whole test suite of build directory $1 and end with one plain "N passed, N failed" line
# (meson's own summary is not a line CI reads).
set -uo pipefail
dir=${1:-build-asan}
shift || true
log="$dir/meson-test.log"
meson test -C "$dir" --print-errorlogs --num-processes "${XD_TEST_JOBS:-2}" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
awk '/^Ok:/{ok=$2} /^Expected Fail:/{xf=$3} /^Fail:/{f=$2} /^Unexpected Pass:/{up=$3}
     /^Skipped:/{s=$2} /^Timeout:/{t=$2}
     END{ if (s > 0) printf "(%d skipped)\n", s;
          printf "%d passed, %d failed\n", ok + xf, f + up + t }' "$log"
exit "$rc"
