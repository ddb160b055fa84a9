#!/bin/bash
# kill -9 of one worker rank mid-sweep takes the MPI job down; a rerun without
# --resume refuses to touch the results; the rerun with --resume completes the
# sweep and does not rerun the jobs finished before the kill (mtimes unchanged).
FAKE=$1 MPIRUN=$2
source "$(dirname "$0")/sweep_common.sh"
D=$WORK/out
"$MPIRUN" -np 4 --oversubscribe "$FAKE" "$D" 12 --sleep-ms 400 > "$WORK/log1" 2>&1 &
MPID=$!
wait_done "$D" 3 60
kill -9 "$(cat "$D/pids/2")"
wait $MPID
rc=$?
echo "killed run: exit code $rc"
[ $rc -ne 0 ] || fail "killed run exited 0"
before=$(result_mtimes "$D")
n_before=$(echo "$before" | grep -c .)
echo "results before resume: $n_before"
[ "$n_before" -ge 3 ] && [ "$n_before" -lt 12 ] || fail "expected a partial sweep, got $n_before"

"$MPIRUN" -np 4 --oversubscribe "$FAKE" "$D" 12 --sleep-ms 50 > "$WORK/log2" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "rerun without --resume: exit code $rc, expected 1"
grep -q "pass --resume" "$WORK/log2" || fail "rerun without --resume: no hint"
[ "$(result_mtimes "$D")" = "$before" ] || fail "refused rerun touched results"

"$MPIRUN" -np 4 --oversubscribe "$FAKE" "$D" 12 --sleep-ms 50 --resume > "$WORK/log3" 2>&1
rc=$?
cat "$WORK/log3"
[ $rc -eq 0 ] || fail "resumed run: exit code $rc"
grep -q "12 jobs, $n_before already complete" "$WORK/log3" || fail "resume did not skip $n_before"
[ "$(find "$D" -name '*.h5' | wc -l)" -eq 12 ] || fail "not 12 results after resume"
while read -r path mtime; do
    now=$(find "$path" -printf '%T@')
    [ "$now" = "$mtime" ] || fail "$path was rewritten by the resumed run"
    id=${path#"$D/"}; id=${id%.h5}
    n=$(grep -c "^$id done" "$D/runs.log")
    [ "$n" -eq 1 ] || fail "$id finished $n times"
done <<< "$before"
[ "$(index_count_state "$D" done)" -eq 12 ] || fail "index does not list 12 done jobs"
echo "PASS"
