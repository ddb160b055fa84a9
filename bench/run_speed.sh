#!/usr/bin/env bash
# The speed table of the README, on an idle machine: bench_train_step at 1 and
# 2 threads, latency and accuracy, with OpenBLAS's own kernel ("keep") and, where
# nar's automatic choice differs (a generic core picked on a newer CPU), with
# that one too, interleaved: every round runs each kernel once (a kernel is
# chosen when the process starts, so each round is a fresh process per kernel).
# Prints min/median/max graphs/s and fraction of the GEMM ceiling per row.
# Usage: bench/run_speed.sh [ROUNDS=5] [STEPS=10]
#   env: BIN=build/bin/bench_train_step  CORES="keep COOPERLAKE" (kernels a CPU without
#        them refuses)  NAR=build/bin/nar (asked for its choice)  ALLOW_LOAD=1 (loaded box)
#        EXTRA="--precision bf16" (passed through)
#        BASELINE=/path/to/older/bench_train_step: run it too, interleaved in every
#        round, its rows labelled "base:<kernel>"; BASELINE_ENV="K=V ..." its environment
#        (a build before the thread-pool settings ran with the libraries' defaults)
#        BF16=1: also run this build with --precision bf16 in every round, rows "bf16:<kernel>"
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
STEPS=${2:-10}
BIN=${BIN:-build/bin/bench_train_step}
unset OPENBLAS_CORETYPE  # --blas-core decides; a user's variable would override it
if [ -z "${CORES:-}" ]; then
  NAR=${NAR:-build/bin/nar}
  keep=$("$NAR" --blas-core keep blas-core 2>/dev/null) &&
    auto=$("$NAR" --blas-core auto blas-core 2>/dev/null) ||
    { echo "run_speed.sh: '$NAR blas-core' failed: build nar, or set NAR or CORES" >&2; exit 1; }
  CORES=keep
  [ "$auto" != "$keep" ] && CORES="keep $auto"
fi
args=(--threads 1,2 --tasks latency,accuracy --steps "$STEPS" --repeats 1 --warmup 2)
[ "${ALLOW_LOAD:-0}" = 1 ] && args+=(--allow-load)
# shellcheck disable=SC2206
[ -n "${EXTRA:-}" ] && args+=($EXTRA)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "$(date -u '+%Y-%m-%d %H:%M UTC') $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 |
  sed 's/^ //'), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  for run in $CORES ${BF16:+$(printf 'bf16:%s ' $CORES)} ${BASELINE:+$(printf 'base:%s ' $CORES)}; do
    core=${run#*:}
    bin=$BIN
    envs=()
    prec=()
    [ "${run%%:*}" = bf16 ] && prec=(--precision bf16)
    if [ "${run%%:*}" = base ]; then
      bin=$BASELINE
      # shellcheck disable=SC2206
      envs=(${BASELINE_ENV:-})
    fi
    if ! env "${envs[@]}" "$bin" --blas-core "$core" "${args[@]}" "${prec[@]}" >"$tmp/out" 2>&1; then
      cat "$tmp/out"
      echo "round $r, core $core: bench_train_step failed or refused (see above)" >&2
      exit 1
    fi
    name=$(sed -n 's/^BLAS core \([^ ]*\).*/\1/p' "$tmp/out")
    sed -n 's/.*up to \([0-9.]*\) cores busy.*/\1/p' "$tmp/out" >>"$tmp/other"
    sed -n 's/^steal .*up to \([0-9.]*\) cores.*/\1/p' "$tmp/out" >>"$tmp/steal"
    # kernel name task thr rate step fwd bwd opt gemm_gf ceil_gfs ceil% round
    awk -v core="$run" -v name="$name" -v round="$r" '($1=="latency"||$1=="accuracy") && $2 ~ /^[0-9]+$/ {
        line = $0; gsub(/\/ +/, "/", line); split(line, f, " "); split(f[3], r, "/")
        print core, name, f[1], f[2], r[2], f[4], f[5], f[6], f[7], f[9], f[10], f[12], round }' \
      "$tmp/out" >>"$tmp/rows"
  done
done
echo
printf '%-16s %-11s %-8s %3s %22s %9s %7s %7s %6s %9s %6s\n' kernel "OpenBLAS" task thr \
  "graphs/s min/med/max" "step ms" fwd bwd opt "ceil GF/s" ceil%
# median (and min/max) of one column over the rounds of one row
col() { awk -v k="$1" -v c="$2" '($1 " " $3 " " $4) == k { print $c }' "$tmp/rows" | sort -g; }
med() { col "$1" "$2" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
declare -A median
while read -r key; do
  set -- $key
  name=$(awk -v k="$key" '($1 " " $3 " " $4) == k { print $2; exit }' "$tmp/rows")
  rates=$(col "$key" 5)
  median[$key]=$(med "$key" 5)
  printf '%-16s %-11s %-8s %3s %6.1f/%6.1f/%6.1f   %9.1f %7.1f %7.1f %6.1f %9.1f %5.0f%%\n' \
    "$1" "$name" "$2" "$3" "$(head -1 <<<"$rates")" "${median[$key]}" "$(tail -1 <<<"$rates")" \
    "$(med "$key" 6)" "$(med "$key" 7)" "$(med "$key" 8)" "$(med "$key" 9)" \
    "$(med "$key" 11)" "$(med "$key" 12 | tr -d %)"
done < <(awk '{ print $1, $3, $4 }' "$tmp/rows" | sort -u -k1,1 -k2,2r -k3,3n)
echo
if [ -s "$tmp/other" ]; then
  echo "other work during the rounds: up to $(sort -g "$tmp/other" | tail -1) cores (with ALLOW_LOAD=1)"
else
  echo "other work during the rounds: none reported (bench_train_step refuses above 0.1 cores)"
fi
[ -s "$tmp/steal" ] && echo "steal (the VM's host running other work): up to $(sort -g "$tmp/steal" |
  tail -1) cores in a round"
# Per round, as the machine's speed drifts between rounds: the step's 2-thread
# rate over its 1-thread rate, beside the same ratio of the GEMM ceiling.
echo "2-thread scaling, same round (min/median/max over rounds): step; GEMM ceiling"
# min/median/max of a column of numbers
mmm() { sort -g | awk '{ a[NR] = $1 } END { printf "%.2f/%.2f/%.2fx", a[1], a[int((NR + 1) / 2)], a[NR] }'; }
for key in "${!median[@]}"; do
  set -- $key
  if [ "$3" != 1 ] || [ -z "${median[$1 $2 2]:-}" ]; then continue; fi
  awk -v k="$1 $2" '($1 " " $3) == k { rate[$4, $13] = $5; ceil[$4, $13] = $11; n[$13] = 1 }
    END { for (r in n) if ((1, r) in rate && (2, r) in rate)
            print rate[2, r] / rate[1, r], ceil[2, r] / ceil[1, r] }' "$tmp/rows" >"$tmp/ratios"
  printf '  %-20s %s; %s\n' "$1 $2" "$(cut -d' ' -f1 "$tmp/ratios" | mmm)" \
    "$(cut -d' ' -f2 "$tmp/ratios" | mmm)"
done | sort
