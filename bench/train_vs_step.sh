#!/usr/bin/env bash
# nar train end to end against bench_train_step's step, interleaved, on THREADS
# threads (1 unless set), latency mode (hidden 512, 2 layers, batch 16). The
# zoo's graphs are larger than the benchmark's (nodes/graph differ), so both are
# compared in nodes/s as well.
# Usage: bench/train_vs_step.sh NNLQP_ROOT [ROUNDS=3]   (e.g. a `nar zoo` directory)
#   env: NAR=build/bin/nar BENCH=build/bin/bench_train_step CORE=auto (or keep, or a
#        kernel name) THREADS=1 EPOCHS=1 (per nar train; its figure is over all of
#        them, so 1 weighs the first steps' warm-up most)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${1:?usage: bench/train_vs_step.sh NNLQP_ROOT [ROUNDS]}
ROUNDS=${2:-3}
NAR=${NAR:-build/bin/nar}
BENCH=${BENCH:-build/bin/bench_train_step}
CORE=${CORE:-auto}
THREADS=${THREADS:-1}
EPOCHS=${EPOCHS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in $(seq "$ROUNDS"); do
  "$NAR" --blas-core "$CORE" train --study nnlqp-in-domain --data-root "$ROOT" --epochs "$EPOCHS" \
    --threads "$THREADS" --out "$tmp/r$r.h5" >"$tmp/train.log" 2>&1 || { cat "$tmp/train.log"; exit 1; }
  sed -n 's/.*throughput: \([0-9.]*\) graphs\/s (\([0-9]*\) nodes\/s, \([0-9]*\) nodes\/graph) in training steps, \([0-9.]*\) graphs\/s with.*/train \1 \2 \3 \4/p' \
    "$tmp/train.log" >>"$tmp/rows"
  "$BENCH" --blas-core "$CORE" --threads "$THREADS" --tasks latency --steps 8 --repeats 1 --warmup 2 \
    --allow-load >"$tmp/bench.log" 2>&1 || { cat "$tmp/bench.log"; exit 1; }
  nodes=$(sed -n 's/^latency batch: \([0-9]*\) graphs, \([0-9]*\) real nodes.*/\2 \1/p' "$tmp/bench.log")
  awk -v n="$nodes" -v t="$THREADS" '$1 == "latency" && $2 == t { line = $0; gsub(/\/ +/, "/", line)
      split(line, f, " "); split(f[3], g, "/"); split(n, a, " ")
      print "bench", g[2], int(g[2] * a[1] / a[2]), int(a[1] / a[2]) }' "$tmp/bench.log" >>"$tmp/rows"
done
echo "rounds: $ROUNDS, kernel $CORE, $THREADS thread(s), $EPOCHS epoch(s) per nar train"
awk '{ print }' "$tmp/rows" | sort -k1,1 -s | awk '
  { k = $1; g[k] = g[k] " " $2; n[k] = n[k] " " $3; npg[k] = $4 }
  END { for (k in g) printf "%-6s graphs/s:%s  nodes/s:%s  (%s nodes/graph)\n", k, g[k], n[k], npg[k] }'
