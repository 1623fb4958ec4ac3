#!/usr/bin/env bash
# Useful throughput under twice the saturating load, with and without load
# shedding: Advise over gRPC across four processes, driven by stdnav-load.
#
#   scripts/bench-overload.sh [SECONDS] [MAX_IN_FLIGHT]   (defaults: 20 s, 32)
#
# 1. peak: closed loop, 16 workers, advisor --max-in-flight MAX_IN_FLIGHT;
# 2. overload: open loop at twice the peak rate, same advisor (excess shed
#    at once with UNAVAILABLE);
# 3. the same overload with shedding off (--max-in-flight 0).
# "Useful" counts complete answers within the 2 s deadline. Figures go to
# docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-20}"
LIMIT="${2:-32}"
cargo build --release --workspace --bins >&2
BIN=target/release
HOME_DIR="${STDNAV_BENCH_HOME:-$(mktemp -d)}"
DATA_ARGS=()
if [ -d ../shared/data ]; then DATA_ARGS=(--data ../shared/data); fi
pids=()
advisor_pid=""
cleanup() {
  for p in "${pids[@]}" $advisor_pid; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
export STDNAV_LOG=error
"$BIN/stdnav-standards" --listen 127.0.0.1:50162 --home "$HOME_DIR" "${DATA_ARGS[@]}" & pids+=($!)
"$BIN/stdnav-scoring" --listen 127.0.0.1:50163 --home "$HOME_DIR" & pids+=($!)
"$BIN/stdnav-profiling" --listen 127.0.0.1:50161 --home "$HOME_DIR" "${DATA_ARGS[@]}" & pids+=($!)

advisor() {
  if [ -n "$advisor_pid" ]; then kill "$advisor_pid"; wait "$advisor_pid" 2>/dev/null || true; fi
  "$BIN/stdnav-advisor" --listen 127.0.0.1:50160 --profiling 127.0.0.1:50161 \
    --standards 127.0.0.1:50162 --scoring 127.0.0.1:50163 --max-in-flight "$1" --drain-secs 0 &
  advisor_pid=$!
}

load() {
  "$BIN/stdnav-load" --addr http://127.0.0.1:50160 --profiling http://127.0.0.1:50161 \
    --ready http://127.0.0.1:50160 --ready http://127.0.0.1:50161 \
    --ready http://127.0.0.1:50162 --ready http://127.0.0.1:50163 \
    --duration "$SECS" --deadline-ms 2000 "$@"
}

useful() { sed -n 's/^useful: .* = \([0-9]*\)\/s$/\1/p'; }

advisor "$LIMIT"
echo "== peak: closed loop, 16 workers, --max-in-flight $LIMIT"
out=$(load --rate 0 --connections 16 || true); echo "$out"
peak=$(echo "$out" | useful)
rate=$((peak * 2))

echo "== overload: open loop at $rate req/s (2x peak), --max-in-flight $LIMIT"
out=$(load --rate "$rate" --connections 8 || true); echo "$out"
shed=$(echo "$out" | useful)

advisor 0
echo "== overload: open loop at $rate req/s (2x peak), shedding off"
out=$(load --rate "$rate" --connections 8 || true); echo "$out"
unshed=$(echo "$out" | useful)

echo "== useful throughput: peak $peak/s; at 2x load $shed/s with shedding ($((100 * shed / peak))% of peak), $unshed/s without ($((100 * unshed / peak))%)"
