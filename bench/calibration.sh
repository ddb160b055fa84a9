#!/usr/bin/env bash
# The calibration run of issue 13: NB201 accuracy on 5% of the cells, hidden 64,
# 3 layers, fc_hidden 64, 15 epochs, lr 1e-3, seeds 1..6; prints Kendall tau
# per seed and mean ± sd (sample). Speed changes must leave this distribution as it was.
# Usage: bench/calibration.sh [SEEDS="1 2 3 4 5 6"]   env: NAR=build/bin/nar OUT=/tmp/nar-calibration
set -euo pipefail
cd "$(dirname "$0")/.."
NAR=${NAR:-build/bin/nar}
OUT=${OUT:-/tmp/nar-calibration}
SEEDS=${1:-1 2 3 4 5 6}
mkdir -p "$OUT"
for s in $SEEDS; do
  "$NAR" train --study nb201-accuracy --fraction 0.05 --hidden 64 --layers 3 --fc-hidden 64 \
    --epochs 15 --lr 1e-3 --seed "$s" --threads 1 --out "$OUT/seed$s.h5" >"$OUT/seed$s.log" 2>&1 ||
    { cat "$OUT/seed$s.log"; exit 1; }
  tau=$(sed -n 's/.*Kendall tau \([-0-9.]*\).*/\1/p' "$OUT/seed$s.log" | tail -1)
  echo "seed $s tau $tau"
done | tee "$OUT/taus.txt"
awk '{ t[NR] = $4; s += $4 } END { m = s / NR; for (i = 1; i <= NR; ++i) v += (t[i] - m) ^ 2;
  printf "mean %.3f sd %.3f (n=%d)\n", m, sqrt(v / (NR - 1)), NR }' "$OUT/taus.txt"
