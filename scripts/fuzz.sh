#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 60), one after the
# other with one job, as docs/FUZZING.md describes. Extra arguments go to
# `cargo fuzz run` before the target (e.g. `--sanitizer none`).
#
#   scripts/fuzz.sh            # 60 s each, AddressSanitizer
#   scripts/fuzz.sh 600 -s none
#   TARGETS=search_query scripts/fuzz.sh 30
#
# New inputs go to fuzz/target/corpus/<target> (not committed); the seed
# corpus fuzz/corpus/<target> is only read. A crash leaves its input in
# fuzz/artifacts/<target>/ and makes this script fail.
set -euo pipefail

seconds="${1:-60}"
shift || true
targets="${TARGETS:-code_normalizer search_query profile_validation document_check}"
cd "$(dirname "$0")/../fuzz"

if ! command -v cargo-fuzz >/dev/null; then
  echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
  exit 1
fi
# cargo-fuzz passes nightly-only flags (-Zsanitizer, -Cpasses=sancov…);
# RUSTC_BOOTSTRAP lets the stable toolchain accept them. One process per
# target, no -jobs: libFuzzer's default is one job in this process (-jobs=1
# would run it in a child writing fuzz-0.log instead of the terminal).
export RUSTC_BOOTSTRAP=1

status=0
for target in $targets; do
  work="target/corpus/$target"
  mkdir -p "$work"
  echo "== $target: ${seconds}s"
  if ! cargo fuzz run "$@" "$target" "$work" "corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1; then
    status=1
  fi
done
exit $status
