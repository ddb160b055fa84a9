#!/bin/bash
# SIGTERM to every rank (as Slurm delivers it) or SIGUSR1 to mpirun (which
# forwards it) mid-job: no further job is handed out, running jobs return
# interrupted, every rank exits with code 3; the resumed run finishes the rest.
FAKE=$1 MPIRUN=$2 MODE=$3   # MODE: ranks-term | mpirun-usr1
source "$(dirname "$0")/sweep_common.sh"
D=$WORK/out
"$MPIRUN" -np 4 --oversubscribe "$FAKE" "$D" 12 --sleep-ms 600 > "$WORK/log1" 2>&1 &
MPID=$!
wait_done "$D" 3 60
case $MODE in
    ranks-term) for f in "$D"/pids/*; do kill -TERM "$(cat "$f")"; done ;;
    mpirun-usr1) kill -USR1 $MPID ;;
    *) fail "unknown mode $MODE" ;;
esac
wait $MPID
rc=$?
cat "$WORK/log1"
[ $rc -eq 3 ] || fail "signalled run: exit code $rc, expected 3"
grep -q "stopped by signal" "$WORK/log1" || fail "no stop message"
n_int=$(index_count_state "$D" interrupted)
n_done=$(index_count_state "$D" done)
[ "$n_int" -ge 1 ] || fail "no interrupted job in the index"
[ "$(count_state "$D" interrupted)" -eq "$n_int" ] || fail "runs.log and index disagree"
[ $((n_done + n_int)) -lt 12 ] || fail "expected pending jobs after the stop"
[ "$(find "$D" -name '*.h5' | wc -l)" -eq "$n_done" ] || fail "results != done jobs"
before=$(result_mtimes "$D")

"$MPIRUN" -np 4 --oversubscribe "$FAKE" "$D" 12 --sleep-ms 50 --resume > "$WORK/log2" 2>&1
rc=$?
cat "$WORK/log2"
[ $rc -eq 0 ] || fail "resumed run: exit code $rc"
[ "$(index_count_state "$D" done)" -eq 12 ] || fail "index does not list 12 done jobs"
while read -r path mtime; do
    [ "$(find "$path" -printf '%T@')" = "$mtime" ] || fail "$path rewritten"
done <<< "$before"
echo "PASS"
