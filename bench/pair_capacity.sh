#!/usr/bin/env bash
# What two cores of this machine deliver together: the grouped FFN's GEMMs
# (bench_kernels --only "GEMMs alone", one thread) run alone, then as two
# processes at once, interleaved over ROUNDS. Prints per round the slowdown of
# each of the pair against the lone run of the same round, and the pair's
# throughput over one core's: 2.00x when the cores share nothing. This bounds
# any 2-thread speed-up (bench_train_step's "2 vs 1 thread(s)" line).
# Usage: bench/pair_capacity.sh [ROUNDS=5]   env: BIN=build/bin/bench_kernels CORE=auto
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
BIN=${BIN:-build/bin/bench_kernels}
run() { "$BIN" --blas-core "${CORE:-auto}" --repeats 3 --iters 20 --threads 1 --only "GEMMs alone" |
  awk '/GEMMs alone/ { print $(NF-1) }'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  alone=$(run)
  run >"$tmp/a" &
  run >"$tmp/b"
  wait
  a=$(cat "$tmp/a") b=$(cat "$tmp/b")
  awk -v r="$r" -v s="$alone" -v a="$a" -v b="$b" 'BEGIN {
    printf "round %d: alone %.2f ms, pair %.2f and %.2f ms: slowdown %.2fx, %.2fx; pair throughput %.2fx one core\n",
      r, s, a, b, a / s, b / s, s / a + s / b }' | tee -a "$tmp/rows"
done
awk '{ print $(NF-2) + 0 }' "$tmp/rows" | sort -g | awk '{ v[NR] = $1 } END {
  printf "pair throughput over %d rounds: %.2f/%.2f/%.2fx one core (min/median/max)\n", NR, v[1],
    v[int((NR + 1) / 2)], v[NR] }'
