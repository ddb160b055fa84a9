#!/usr/bin/env bash
# slurm_array.sh NAR SRC — --array 3%2: three shards of one sweep into one
# results directory, at most 2 running at once (sampled from squeue), no job
# run twice, none missing, and the dependent job writes tables.md.
NAR=$1 SRC=$2
source "$(dirname "$0")/slurm_common.sh"
if ! "$NAR" sweep run --help | grep -q -- "--shard"; then
    echo "SKIP: nar sweep run has no --shard yet"
    exit 77
fi
write_sweep "$WORK/s.toml" 3 3
OUT=$WORK/out
# One GPU (of the node's 4) and one rank per shard: only the %2 limit keeps a
# third shard from running.
"$NAR" slurm submit "$WORK/s.toml" --out "$OUT" --nodes 1 --gpus-per-node 1 --time 00:05:00 \
    --signal-lead 30 --array 3%2 > /dev/null || fail "submit"
AID=$(recorded_id "$OUT" array) TID=$(recorded_id "$OUT" tables)
grep -q "#SBATCH --array=0-2%2" "$OUT/slurm/array-0.sbatch" || fail "array line"
most=0
end=$(($(date +%s) + 240))
while ! tables_done "$OUT"; do
    n=$(squeue -h -r -j "$AID" -t RUNNING -o %i 2> /dev/null | wc -l)
    [ "$n" -gt "$most" ] && most=$n
    [ "$(date +%s)" -lt $end ] || fail "timed out"
    sleep 0.2
done
echo "at most $most shard(s) running at once"
[ "$most" -ge 1 ] && [ "$most" -le 2 ] || fail "running shards peaked at $most (limit 2)"
for i in 0 1 2; do
    [ -f "$OUT/index.shard-$i-of-3.tsv" ] || fail "no index for shard $i"
done
# Every job in exactly one shard index, done there; 6 results.
dups=$(for f in "$OUT"/index.shard-*.tsv; do awk -F'\t' 'NR > 1 { print $1 }' "$f" | sort -u; done | sort | uniq -d)
[ -z "$dups" ] || fail "jobs in two shards: $dups"
[ "$(index_count "$OUT" done)" = 6 ] || fail "expected 6 done jobs"
[ "$(find "$OUT/acc" -name '*.h5' ! -name '*.ckpt.h5' | wc -l)" = 6 ] || fail "expected 6 results"
for i in 0 1 2; do
    grep -q "shard $i/3" "$OUT/slurm/${AID}_$i.out" || fail "shard $i log"
done
[ -s "$OUT/tables.md" ] || fail "no tables"
# Above MaxArraySize (4 on the test cluster): two submissions, shards 0-3 and 4-5.
d=$("$NAR" slurm submit "$WORK/s.toml" --out "$WORK/split" --nodes 1 --gpus-per-node 1 \
    --time 00:05:00 --signal-lead 30 --array 6%2 --dry-run 2> /dev/null) || fail "split dry run"
[ "$(echo "$d" | grep -c '^#SBATCH --array=')" = 2 ] || fail "expected 2 array submissions"
echo "$d" | grep -qx "#SBATCH --array=0-3%2" || fail "first chunk"
echo "$d" | grep -qx "#SBATCH --array=0-1%2" || fail "second chunk"
echo "$d" | grep -qx 'SHARD=$((SLURM_ARRAY_TASK_ID + 4))' || fail "second chunk offset"
echo "PASS"
