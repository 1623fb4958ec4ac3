#!/usr/bin/env bash
# Advise over gRPC across four separate processes, driven by stdnav-load.
#
#   scripts/bench-advise.sh [RATE] [SECONDS]      (defaults: 300 req/s, 20 s)
#
# Builds the release binaries, starts stdnav-standards, -profiling, -scoring
# and -advisor on ports 50160-50163 with a temporary --home (the standards
# index is built there first; pass STDNAV_BENCH_HOME=DIR to reuse one), stores
# the 1,000-enterprise demo population, warms up (3 s), then measures. Stops
# the services on exit. Figures go to docs/BENCHMARKS.md.
#
# To compare two builds like for like: BIN=DIR runs the binaries in DIR
# (no build), LOAD=PATH another load generator (ask both builds about the
# same population), and STDNAV_BENCH_RESET=1 removes the stored population
# and peer model from STDNAV_BENCH_HOME first, so every run stores and
# trains from scratch as the first run of a fresh home does. WARMUP=SECONDS
# sets the unmeasured warm-up (default 3): on a slow machine the first
# seconds after a reset still train and fill caches, and only a longer one
# measures the steady state.
set -euo pipefail
cd "$(dirname "$0")/.."
RATE="${1:-300}"
SECONDS_MEASURED="${2:-20}"
if [ -z "${BIN:-}" ]; then
  cargo build --release --workspace --bins >&2
  BIN=target/release
fi
LOAD="${LOAD:-$BIN/stdnav-load}"
HOME_DIR="${STDNAV_BENCH_HOME:-$(mktemp -d)}"
if [ -n "${STDNAV_BENCH_RESET:-}" ]; then
  rm -f "$HOME_DIR/profiles.redb" "$HOME_DIR"/models/peers-*.json
fi
DATA_ARGS=()
if [ -d ../shared/data ]; then DATA_ARGS=(--data ../shared/data); fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
export STDNAV_LOG=warn
"$BIN/stdnav-standards" --listen 127.0.0.1:50162 --home "$HOME_DIR" "${DATA_ARGS[@]}" & pids+=($!)
"$BIN/stdnav-scoring" --listen 127.0.0.1:50163 --home "$HOME_DIR" & pids+=($!)
"$BIN/stdnav-profiling" --listen 127.0.0.1:50161 --home "$HOME_DIR" "${DATA_ARGS[@]}" & pids+=($!)
"$BIN/stdnav-advisor" --listen 127.0.0.1:50160 --profiling 127.0.0.1:50161 \
  --standards 127.0.0.1:50162 --scoring 127.0.0.1:50163 & pids+=($!)
"$LOAD" --addr http://127.0.0.1:50160 --profiling http://127.0.0.1:50161 \
  --ready http://127.0.0.1:50160 --ready http://127.0.0.1:50161 \
  --ready http://127.0.0.1:50162 --ready http://127.0.0.1:50163 \
  --rate "$RATE" --duration "$SECONDS_MEASURED" --warmup "${WARMUP:-3}"
