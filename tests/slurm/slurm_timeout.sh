#!/usr/bin/env bash
# slurm_timeout.sh NAR SRC — a real time limit: --time 00:01:00 --signal-lead 30
# on a sweep that needs more than one allocation. Slurm sends the warning
# signal, the sweep checkpoints, the script requeues itself, and so on until
# every job is done (label: slow). Slurm checks limits every ~30 s, so the
# warning comes 0-30 s into each 60 s allocation.
NAR=$1 SRC=$2
source "$(dirname "$0")/slurm_common.sh"
write_sweep "$WORK/s.toml" 1 260 256
OUT=$WORK/out
t0=$(now)
"$NAR" slurm submit "$WORK/s.toml" --out "$OUT" --nodes 1 --gpus-per-node 2 --time 00:01:00 \
    --signal-lead 30 --max-requeues 20 > /dev/null || fail "submit"
SID=$(recorded_id "$OUT" sweep) TID=$(recorded_id "$OUT" tables)
hurry_requeued "$SID"
until_true 600 "the sweep" job_ended "$SID"
until_true 120 "the tables job" tables_done "$OUT"
LOG=$OUT/slurm/$SID.out
cat "$LOG" | grep -v ' epoch '
n=$(grep -c "checkpointed; requeue [0-9]*/20" "$LOG")
echo "MEASURE $n time-limit requeue(s), sweep done after $(elapsed "$t0" "$(now)") s"
[ "$n" -ge 1 ] || fail "the sweep never reached its time limit: make it longer"
grep -q "SIGUSR1 received" "$LOG" || fail "no warning signal"
[ "$(index_count "$OUT" done)" = 2 ] || fail "expected 2 done jobs: $(cat "$OUT"/index*.tsv)"
[ -z "$(find "$OUT" -name '*.ckpt.h5')" ] || fail "checkpoints left behind"
[ -s "$OUT/tables.md" ] || fail "no tables"
echo "PASS"
