#!/usr/bin/env bash
# Trains and evaluates once per seed on fresh homes and prints the check
# set's dev half (Recall@10, NDCG@10, MRR of the model) per seed, their mean
# and spread: how far the seed alone moves the dev half (0.002 for the
# session-19 build), against which a change's effect is read
# (docs/EVALUATION.md, session 19). The test half is not printed.
#
#   scripts/dev-seeds.sh [SEED ...]          (default: 42 7 1234)
#   BIN=path/to/stdnav DATA=../shared/data scripts/dev-seeds.sh 42 7
#
# About eight minutes per seed on two cores with the dev build.
set -euo pipefail

BIN=${BIN:-target/debug/stdnav}
DATA=${DATA:-../shared/data}
SEEDS=("$@")
[ ${#SEEDS[@]} -gt 0 ] || SEEDS=(42 7 1234)
[ -x "$BIN" ] || { echo "no stdnav binary at $BIN (cargo build --bin stdnav, or set BIN)" >&2; exit 2; }
[ -d "$DATA" ] || { echo "no data directory at $DATA (set DATA)" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for seed in "${SEEDS[@]}"; do
    home="$WORK/home-$seed"
    echo "seed $seed: training ..." >&2
    "$BIN" --home "$home" --data "$DATA" train --seed "$seed" > "$WORK/train-$seed.log" 2>&1 \
        || { echo "training failed for seed $seed: $WORK/train-$seed.log" >&2; cat "$WORK/train-$seed.log" >&2; exit 1; }
    echo "seed $seed: evaluating the dev half ..." >&2
    "$BIN" --home "$home" --data "$DATA" evaluate --seed "$seed" --check-only --set dev \
        --json "$WORK/eval-$seed.json" > /dev/null 2> "$WORK/eval-$seed.log" \
        || { echo "evaluation failed for seed $seed" >&2; cat "$WORK/eval-$seed.log" >&2; exit 1; }
done

python3 - "$WORK" "${SEEDS[@]}" <<'EOF'
import json, statistics, sys
work, seeds = sys.argv[1], sys.argv[2:]
per_seed = []
for seed in seeds:
    doc = json.load(open(f"{work}/eval-{seed}.json"))
    row = next(r for r in doc["rows"] if r["set"] == "dev" and r["slice"] == "all" and r["method"] == "model")
    per_seed.append((row["recall"], row["ndcg"], row["mrr"]))
    print(f"seed {seed:>6}  {doc['kind']:>13}  dev R@10 {row['recall']:.3f}  NDCG@10 {row['ndcg']:.3f}  MRR {row['mrr']:.3f}")
for name, i in (("R@10", 0), ("NDCG@10", 1), ("MRR", 2)):
    values = [p[i] for p in per_seed]
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    print(f"mean {name:>8} {statistics.mean(values):.3f}  (sd {spread:.3f}, {len(values)} seeds)")
EOF
