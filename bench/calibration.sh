#!/usr/bin/env bash
# The calibration run of issue 13: NB201 accuracy on 5% of the cells, hidden 64,
# 3 layers, fc_hidden 64, 15 epochs, lr 1e-3, seeds 1..6; prints Kendall tau
# per seed and mean ± sd (sample). Speed changes must leave this distribution as it was.
# With LATENCY_ROOT (an NNLQP root, e.g. a `nar zoo` directory) it runs the latency
# model instead (nnlqp-in-domain, hidden 512, EPOCHS epochs) and reports test MAPE.
# Usage: bench/calibration.sh [SEEDS="1 2 3 4 5 6"]
#   env: NAR=build/bin/nar OUT=/tmp/nar-calibration EXTRA="--precision bf16" (more nar train
#        options) LATENCY_ROOT=DIR EPOCHS=6 THREADS=1
set -euo pipefail
cd "$(dirname "$0")/.."
NAR=${NAR:-build/bin/nar}
OUT=${OUT:-/tmp/nar-calibration}
SEEDS=${1:-1 2 3 4 5 6}
mkdir -p "$OUT"
if [ -n "${LATENCY_ROOT:-}" ]; then
  study=(--study nnlqp-in-domain --data-root "$LATENCY_ROOT" --epochs "${EPOCHS:-6}")
  metric=MAPE
else
  study=(--study nb201-accuracy --fraction 0.05 --hidden 64 --layers 3 --fc-hidden 64
    --epochs 15 --lr 1e-3)
  metric="Kendall tau"
fi
for s in $SEEDS; do
  # shellcheck disable=SC2086
  "$NAR" train "${study[@]}" --seed "$s" --threads "${THREADS:-1}" ${EXTRA:-} \
    --out "$OUT/seed$s.h5" >"$OUT/seed$s.log" 2>&1 || { cat "$OUT/seed$s.log"; exit 1; }
  value=$(sed -n "s/^.*test: .*$metric \([-0-9.]*\).*/\1/p" "$OUT/seed$s.log" | tail -1)
  echo "seed $s $metric $value"
done | tee "$OUT/values.txt"
awk '{ t[NR] = $NF; s += $NF } END { m = s / NR; for (i = 1; i <= NR; ++i) v += (t[i] - m) ^ 2;
  printf "mean %.4g sd %.4g (n=%d)\n", m, (NR > 1 ? sqrt(v / (NR - 1)) : 0), NR }' "$OUT/values.txt"
