#!/bin/bash
# mpirun -np 4 with 12 jobs + 1 failing job: every job's result exists exactly
# once, the failing job is tried twice then recorded failed, the index agrees,
# the log shows the schedule, and the exit code is 1 (some job failed).
FAKE=$1 MPIRUN=$2
source "$(dirname "$0")/sweep_common.sh"
D=$WORK/out
"$MPIRUN" -np 4 --oversubscribe "$FAKE" "$D" 12 --fail --sleep-ms 100 > "$WORK/log" 2>&1
rc=$?
cat "$WORK/log"
[ $rc -eq 1 ] || fail "exit code $rc, expected 1"
[ "$(find "$D" -name 'job*.h5' | wc -l)" -eq 12 ] || fail "expected 12 result files"
[ -e "$D/fake/fail.h5" ] && fail "failed job left a result file"
for i in $(seq 100 111); do
    n=$(grep -c "^fake/job$i done" "$D/runs.log")
    [ "$n" -eq 1 ] || fail "fake/job$i ran $n times"
    [ "$(index_field "$D" fake/job$i 2)" = done ] || fail "index: fake/job$i not done"
    # The console keeps one line per job: starts are debug-level.
    grep -q "start fake/job$i " "$WORK/log" && fail "a start line for job$i on the console"
    grep -q "done  fake/job$i in" "$WORK/log" || fail "no done line for job$i"
done
[ "$(grep -c '^fake/fail failed' "$D/runs.log")" -eq 2 ] || fail "fail job not tried twice"
[ "$(index_field "$D" fake/fail 2)" = failed ] || fail "index: fail job not failed"
[ "$(index_field "$D" fake/fail 3)" = 2 ] || fail "index: fail job attempts != 2"
[ "$(index_field "$D" fake/fail 9)" = "fake failure in fake/fail" ] || fail "index: error text"
grep -q "failed fake/fail (attempt 1/2, will retry)" "$WORK/log" || fail "no retry line"
grep -q "failed fake/fail after 2 attempts" "$WORK/log" || fail "no final failure line"
grep -q "ETA" "$WORK/log" || fail "no ETA in the log"
# Workers never print: every log line comes from rank 0 (leaders have nothing to say here).
echo "PASS"
