#!/usr/bin/env bash
# slurm_alloc.sh NAR SRC — one allocation of 1 node × 2 (fake) GPUs on the local
# Slurm: clear errors (too large for the partition, no sbatch, a second
# submission while the first is queued), status before/during/after, every
# result lands through srun --mpi=pmix, each rank's local rank and
# CUDA_VISIBLE_DEVICES are recorded, the dependent job writes tables.md, and
# a changed sweep file submitted into the same directory is refused.
NAR=$1 SRC=$2
source "$(dirname "$0")/slurm_common.sh"
write_sweep "$WORK/s.toml" 2 3
OUT=$WORK/out
submit() { "$NAR" slurm submit "$WORK/s.toml" --out "$OUT" --time 00:05:00 --signal-lead 30 "$@"; }

msg=$(submit --nodes 2 --gpus-per-node 2 2>&1) && fail "2 nodes on a 1-node partition accepted"
echo "$msg" | grep -q "sbatch: error" || fail "no Slurm message: $msg"
echo "$msg" | grep -q "partition debug: 1 node(s), MaxNodes=1" || fail "no partition size: $msg"
[ ! -e "$OUT/slurm/jobs.tsv" ] || fail "a refused submission recorded a job"
msg=$(PATH=/nonexistent submit --nodes 1 2>&1) && fail "submitted without sbatch"
echo "$msg" | grep -q "sbatch not found" || fail "no 'sbatch not found': $msg"

t0=$(now)
submit --nodes 1 --gpus-per-node 2 --sbatch-arg=--hold > "$WORK/submit.txt" || fail "submit failed"
echo "MEASURE submit returned after $(elapsed "$t0" "$(now)") s"
SID=$(recorded_id "$OUT" sweep) TID=$(recorded_id "$OUT" tables)
[ -n "$SID" ] && [ -n "$TID" ] || fail "jobs.tsv lacks the sweep or the tables job"
grep -q "^$SID	sweep" "$WORK/submit.txt" || fail "submit did not print the job id"
[[ $(job_field "$TID" Dependency) == afterany:$SID* ]] || fail "tables job does not wait for $SID"
[ -f "$OUT/slurm/sweep.sbatch" ] && [ -f "$OUT/slurm/tables.sbatch" ] || fail "scripts not kept"

st=$("$NAR" slurm status "$OUT") || fail "status failed"
echo "$st"
echo "$st" | grep -q "$SID  sweep: waiting" || fail "status before: not waiting"
echo "$st" | grep -q "progress: .*no sweep index" || fail "status before: progress"
msg=$(submit --nodes 1 --gpus-per-node 2 2>&1) && fail "a second submission into a queued OUT"
echo "$msg" | grep -q "already has Slurm jobs in the queue: $SID (PENDING)" || fail "$msg"

scontrol release "$SID"
during=
for _ in $(seq 400); do
    st=$("$NAR" slurm status "$OUT")
    if echo "$st" | grep -q "$SID  sweep: running" && echo "$st" | grep -q "^running:"; then
        during=$st
        break
    fi
    sleep 0.25
done
[ -n "$during" ] || fail "status never showed the sweep running"
echo "$during"
until_true 180 "the tables job" tables_done "$OUT"
st=$("$NAR" slurm status "$OUT")
echo "$st"
cat "$OUT/slurm/$SID.out"

[ "$(index_count "$OUT" done)" = 4 ] || fail "expected 4 done jobs in the index"
[ "$(find "$OUT/acc" -name '*.h5' ! -name '*.ckpt.h5' | wc -l)" = 4 ] || fail "expected 4 results"
echo "$st" | grep -q "finished: nothing pending or running" || fail "status after: not finished"
echo "$st" | grep -q "tables: $OUT/tables.md" || fail "status after: no tables"
grep -q "acc" "$OUT/tables.md" || fail "tables.md has no acc rows"
R=$OUT/slurm/ranks-$SID.txt
[ "$(wc -l < "$R")" = 2 ] || fail "expected 2 rank records"
grep -q "^rank=0 local_rank=0 node=localhost pmix_rank=0 CUDA_VISIBLE_DEVICES=0,1$" "$R" || fail "rank 0: $(cat "$R")"
grep -q "^rank=1 local_rank=1 node=localhost pmix_rank=1 CUDA_VISIBLE_DEVICES=0,1$" "$R" || fail "rank 1: $(cat "$R")"
[ "$(grep -c "CPU-only build" "$OUT/slurm/$SID.out")" = 1 ] || fail "the CPU-only note must appear once"
grep -q "job step exited with code 0" "$OUT/slurm/$SID.out" || fail "step did not exit 0"
# The same directory with a changed sweep (another epoch count) is refused.
msg=$(submit --nodes 1 --gpus-per-node 2 epochs=4 2>&1) && fail "a changed sweep was accepted into $OUT"
echo "$msg"
echo "$msg" | grep -q "holds another sweep.*epochs=3 -> epochs=4" || fail "the refusal does not say what differs: $msg"
[ "$(recorded_id "$OUT" sweep)" = "$SID" ] || fail "the refused submission recorded a job"
echo "PASS"
