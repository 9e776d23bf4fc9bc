#!/usr/bin/env bash
# Run every libFuzzer binary fuzz/fuzz_* of build directory $1 for $2 seconds each, over a
# temporary copy of its seed corpus (so new inputs never land in the repository), with its
# dictionary when one exists. Fails on the first crash, leak or sanitizer report; the
# reproducer is kept in $BUILD/fuzz-artifacts/.
set -euo pipefail
dir=${1:?usage: scripts/fuzz.sh BUILD_DIR SECONDS}
secs=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
artifacts="$dir/fuzz-artifacts"
mkdir -p "$artifacts"
shopt -s nullglob
bins=("$dir"/fuzz/fuzz_*)
if [ ${#bins[@]} -eq 0 ]; then
  echo "fuzz.sh: no fuzz_* binaries in $dir/fuzz (configure with -Dfuzzing=true)" >&2
  exit 2
fi
failed=0
ran=0
for bin in "${bins[@]}"; do
  [ -f "$bin" ] && [ -x "$bin" ] || continue
  case "${bin##*/}" in *.*) continue ;; esac
  name=${bin##*/fuzz_}
  work=$(mktemp -d)
  if [ -d "$root/fuzz/$name/corpus" ]; then
    cp -r "$root/fuzz/$name/corpus/." "$work/"
  fi
  dict=()
  [ -f "$root/fuzz/$name/$name.dict" ] && dict=(-dict="$root/fuzz/$name/$name.dict")
  echo "fuzz.sh: $name for ${secs}s"
  if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$artifacts/$name-" "${dict[@]}" "$work" >"$artifacts/$name.log" 2>&1; then
    tail -n 3 "$artifacts/$name.log"
  else
    echo "fuzz.sh: $name FAILED, see $artifacts/$name.log" >&2
    tail -n 30 "$artifacts/$name.log" >&2
    failed=$((failed + 1))
  fi
  ran=$((ran + 1))
  rm -rf "$work"
done
echo "$((ran - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
