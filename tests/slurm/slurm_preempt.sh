#!/usr/bin/env bash
# slurm_preempt.sh NAR SRC COMPARE — preemption on the local Slurm with
# --max-requeues 1: (1) scancel --signal=USR1 --batch: the sweep checkpoints,
# the script requeues itself, the next start resumes; (2) scontrol requeue:
# the same through Slurm's own TERM; (3) USR1 again: the requeue limit is
# reached, the job ends (exit 3) and status says so; a new submission
# finishes. Every result equals an uninterrupted run's bit for bit. Prints
# the submit -> start latency and the signal -> training-again times.
NAR=$1 SRC=$2 COMPARE=$3
source "$(dirname "$0")/slurm_common.sh"
write_sweep "$WORK/s.toml" 1 120 256
OUT=$WORK/out
# Lines matching $1 in the jobs' own logs (OUT/<job id>.log) and the Slurm logs.
log_lines() { cat "$OUT"/acc/*/*.log "$OUT"/slurm/*.out 2> /dev/null | grep -c "$1" || true; }

# The uninterrupted reference (serial, 1 rank per job as under Slurm).
"$NAR" sweep run "$WORK/s.toml" --out "$WORK/ref" > "$WORK/ref.log" 2>&1 || { tail "$WORK/ref.log"; fail "reference run"; }

t0=$(now)
"$NAR" slurm submit "$WORK/s.toml" --out "$OUT" --nodes 1 --gpus-per-node 2 --time 00:10:00 \
    --signal-lead 60 --max-requeues 1 > /dev/null || fail "submit"
SID=$(recorded_id "$OUT" sweep)
hurry_requeued "$SID"
LOG=$OUT/slurm/$SID.out
first_epoch() { [ "$(log_lines "epoch ")" -gt 0 ]; }
until_true 60 "the first epoch" first_epoch
echo "MEASURE submit -> first epoch logged: $(elapsed "$t0" "$(now)") s"

# more_epochs N: waits until N more epochs are logged.
more_epochs() {
    local want=$(($(log_lines "epoch ") + $1))
    enough() { [ "$(log_lines "epoch ")" -ge "$want" ]; }
    until_true 60 "$1 more epochs" enough
}
# interrupt usr1|requeue: signals, then waits for training to resume.
interrupt() {
    local before t1
    before=$(log_lines "resuming from")
    more_epochs 3
    t1=$(now)
    case $1 in
        usr1) scancel --signal=USR1 --batch "$SID" ;;
        requeue) scontrol requeue "$SID" ;;
    esac
    resumed() { [ "$(log_lines "resuming from")" -gt "$before" ]; }
    until_true 120 "the resumed run" resumed
    echo "MEASURE $1 -> training again: $(elapsed "$t1" "$(now)") s"
}
interrupt usr1
[ "$(job_field "$SID" Restarts)" = 1 ] || fail "after USR1: Restarts=$(job_field "$SID" Restarts)"
grep -q "checkpointed; requeue 1/1" "$LOG" || fail "no self-requeue in the log"
interrupt requeue
[ "$(job_field "$SID" Restarts)" = 2 ] || fail "after scontrol requeue: Restarts=$(job_field "$SID" Restarts)"
grep -q "stopped by Slurm" "$LOG" || fail "the TERM path was not logged"

# Third stop: the limit (1 self-requeue) is reached, so the job ends.
more_epochs 3
scancel --signal=USR1 --batch "$SID"
until_true 60 "the job to end" job_ended "$SID"
[ "$(job_field "$SID" JobState)" = FAILED ] && [ "$(job_field "$SID" ExitCode)" = 3:0 ] \
    || fail "expected FAILED 3:0, got $(job_field "$SID" JobState) $(job_field "$SID" ExitCode)"
grep -q "requeue limit 1 reached" "$LOG" || fail "no limit message"
st=$("$NAR" slurm status "$OUT")
echo "$st"
echo "$st" | grep -q "$SID  sweep: stopped after checkpointing, requeue limit reached (requeued 2/1)" \
    || fail "status does not explain the stop"
[ "$(index_count "$OUT" done)" -lt 2 ] || fail "the sweep finished before the third stop: make it longer"

# The dependent tables job ran after the failed allocation; a new submission finishes.
until_true 120 "the first tables job" tables_done "$OUT"
"$NAR" slurm submit "$WORK/s.toml" --out "$OUT" --nodes 1 --gpus-per-node 2 --time 00:10:00 \
    --signal-lead 60 --max-requeues 1 > /dev/null || fail "second submit"
SID2=$(recorded_id "$OUT" sweep)
[ "$SID2" != "$SID" ] || fail "no new job"
until_true 180 "the sweep" job_ended "$SID2"
until_true 180 "the second tables job" tables_done "$OUT"
[ "$(index_count "$OUT" done)" = 2 ] || fail "expected 2 done jobs"
for f in $(cd "$WORK/ref" && find acc -name '*.h5' ! -name '*.ckpt.h5'); do
    "$COMPARE" "$WORK/ref/$f" "$OUT/$f" 0 || fail "$f differs from the uninterrupted run"
done
[ -z "$(find "$OUT" -name '*.ckpt.h5')" ] || fail "checkpoints left behind"
echo "PASS"
