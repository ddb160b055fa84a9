#!/usr/bin/env bash
# real_sweep_faults.sh NAR COMPARE MPIEXEC — sweep faults with the real trainer:
# a job that fails is retried then recorded failed; kill -9 of a worker rank
# mid-sweep then --resume completes without rerunning finished jobs; SIGTERM to
# the ranks checkpoints and exits 3, and --resume finishes. Every final result
# must equal the uninterrupted sweep's bit for bit.
set -uo pipefail
NAR=$1 COMPARE=$2 MPIEXEC=${3:-mpirun}
WORK=$(mktemp -d /tmp/nar_it_sweep_faults_XXXX)
trap 'pkill -9 -f "$WORK/sweep.toml" 2>/dev/null; rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat > "$WORK/sweep.toml" <<TOML
name = "faults"
repeats = 4
[defaults]
train_count = 64
val_count = 32
test = "rest"
hidden = 8
layers = 1
lr = 1e-3
epochs = 12
threads = 1
[studies.ok]
study = "nb201-accuracy"
attention = ["local", "global"]
[studies.bad]
study = "nb201-accuracy"
repeats = 1
train_count = 20000
TOML

run() { "$MPIEXEC" -np 3 --oversubscribe "$NAR" sweep run "$WORK/sweep.toml" "$@"; }
# PIDs of the sweep's ranks other than rank 0 (the coordinator).
worker_pids() {
  for p in $(pgrep -f "$WORK/sweep.toml"); do
    r=$(tr '\0' '\n' < /proc/$p/environ 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
    [ -n "$r" ] && [ "$r" != 0 ] && echo "$p"
  done
}
all_pids() {
  for p in $(pgrep -f "$WORK/sweep.toml"); do
    tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -q '^OMPI_COMM_WORLD_RANK=' && echo "$p"
  done
}
same_as_ref() {
  for f in $(cd "$WORK/ref" && find ok -name '*.h5' ! -name '*.ckpt.h5'); do
    "$COMPARE" "$WORK/ref/$f" "$1/$f" 0 > /dev/null || fail "$1/$f differs from the uninterrupted sweep"
  done
}

# 1. Uninterrupted reference: 8 good jobs, 1 job that fails every attempt.
run --out "$WORK/ref" > "$WORK/ref.log" 2>&1
[ $? = 1 ] || { tail -20 "$WORK/ref.log"; fail "a sweep with a failed job must exit 1"; }
[ "$(awk -F'\t' 'NR > 1 && $2 == "done"' "$WORK/ref/index.tsv" | wc -l)" = 8 ] \
    || { cat "$WORK/ref/index.tsv"; fail "expected 8 done jobs"; }
awk -F'\t' '$1 == "bad/r00" && $2 == "failed" && $3 == 2' "$WORK/ref/index.tsv" | grep -q . \
    || { cat "$WORK/ref/index.tsv"; fail "bad/r00 must be failed after 2 attempts"; }

# 2. kill -9 of a worker rank once some jobs are finished, then --resume.
run --out "$WORK/kill" > "$WORK/kill.log" 2>&1 &
MPI=$!
for _ in $(seq 1 600); do [ "$(find "$WORK/kill/ok" -name 'r0?.h5' 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.1; done
victim=$(worker_pids | head -1)
[ -n "$victim" ] || fail "no worker rank found"
kill -9 "$victim"
wait $MPI
[ $? != 0 ] || fail "the killed sweep exited 0"
before=$(find "$WORK/kill/ok" -name 'r0?.h5' -printf '%p %T@\n' | sort)
[ -n "$before" ] || fail "no job had finished before the kill"
run --out "$WORK/kill" --resume > "$WORK/kill2.log" 2>&1
[ $? = 1 ] || { tail -20 "$WORK/kill2.log"; fail "resume must finish (exit 1: bad/r00 fails)"; }
while read -r path mtime; do
  now=$(find "$path" -printf '%T@')
  [ "$now" = "$mtime" ] || fail "$path was rerun after the kill"
done <<< "$before"
same_as_ref "$WORK/kill"

# 3. SIGTERM to every rank while jobs run: checkpoints, exit 3, then --resume.
run --out "$WORK/term" > "$WORK/term.log" 2>&1 &
MPI=$!
for _ in $(seq 1 600); do [ -n "$(find "$WORK/term" -name '*.ckpt.h5' 2>/dev/null)" ] && break; sleep 0.05; done
[ -n "$(find "$WORK/term" -name '*.ckpt.h5')" ] || fail "no checkpoint appeared"
kill -TERM $(all_pids)
wait $MPI
RC=$?
[ $RC = 3 ] || { tail -20 "$WORK/term.log"; fail "SIGTERM: expected exit 3, got $RC"; }
[ -n "$(find "$WORK/term" -name '*.ckpt.h5')" ] || fail "no checkpoint left to resume from"
run --out "$WORK/term" --resume > "$WORK/term2.log" 2>&1
[ $? = 1 ] || { tail -20 "$WORK/term2.log"; fail "resume after SIGTERM must finish"; }
same_as_ref "$WORK/term"
[ -z "$(find "$WORK/term" -name '*.ckpt.h5')" ] || fail "checkpoints left after the sweep finished"
echo "PASS: real_sweep_faults"
