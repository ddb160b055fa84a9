#!/usr/bin/env bash
# Sweep throughput (jobs/hour) with 1 and 2 worker ranks (mpirun -np 2 and -np 3:
# rank 0 only coordinates) and the parallel efficiency, on this machine.
# Usage: bench/sweep_throughput.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
NAR=${1:-build}/bin/nar
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
OUT=$(mktemp -d /tmp/nar_sweep_bench_XXXX)
trap 'rm -rf "$OUT"' EXIT
declare -A rate
for np in 2 3; do
  start=$(date +%s.%N)
  mpirun -np $np --oversubscribe --bind-to none "$NAR" sweep run bench/sweep_throughput.toml \
      --out "$OUT/np$np" > "$OUT/np$np.log" 2>&1
  end=$(date +%s.%N)
  jobs=$(awk -F'\t' 'NR > 1 && $2 == "done"' "$OUT/np$np/index.tsv" | wc -l)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
  rate[$np]=$(awk -v j="$jobs" -v s="$secs" 'BEGIN { print j * 3600 / s }')
  printf "workers %d: %d jobs in %.1f s = %.0f jobs/hour\n" $((np - 1)) "$jobs" "$secs" "${rate[$np]}"
done
awk -v a="${rate[3]}" -v b="${rate[2]}" \
    'BEGIN { printf "parallel efficiency (2 workers vs 1): %.2f\n", a / (2 * b) }'
"$NAR" aggregate "$OUT/np3"
