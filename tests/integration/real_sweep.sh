#!/usr/bin/env bash
# real_sweep.sh NAR SRC MPIEXEC — examples/quick.toml cut to 1 repeat and 1 epoch.
set -uo pipefail
NAR=$1 SRC=$2 MPIEXEC=${3:-mpirun}
WORK=$(mktemp -d /tmp/nar_it_real_sweep_XXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
OVR=(repeats=1 epochs=1 hidden=8 fc_hidden=8 layers=1)

"$MPIEXEC" -np 3 --oversubscribe "$NAR" sweep run "$SRC/examples/quick.toml" "${OVR[@]}" \
    --out "$WORK/out" > "$WORK/log" 2>&1 || { cat "$WORK/log"; fail "sweep exited non-zero"; }
[ "$(find "$WORK/out" -name 'r00.h5' | wc -l)" = 5 ] || { find "$WORK/out"; fail "expected 5 results"; }
[ -z "$(find "$WORK/out" -name '*.ckpt.h5' -o -name '*.tmp')" ] || fail "checkpoints or temp files left"
[ "$(awk -F'\t' 'NR > 1 && $2 == "done"' "$WORK/out/index.tsv" | wc -l)" = 5 ] \
    || { cat "$WORK/out/index.tsv"; fail "index does not list 5 done jobs"; }

# Quiet console: one line per job, a few sweep lines, and each data note once per worker
# rank (here 2 ranks x at most 4 notes); epochs go to each job's log.
lines=$(grep -c . "$WORK/log")
[ "$lines" -le 18 ] || { cat "$WORK/log"; fail "console has $lines lines for 5 jobs"; }
grep -q "epoch" "$WORK/log" && { cat "$WORK/log"; fail "epoch lines on the sweep console"; }
[ "$(grep -c 'note: the bundled NAS-Bench-201 file' "$WORK/log")" -le 2 ] || fail "data note repeated per job"
log=$(find "$WORK/out" -name 'r00.log' | head -1)
[ -n "$log" ] && grep -q "epoch    1/1" "$log" || fail "no per-job log with its epoch line"
[ -s "$WORK/out/tables.md" ] && [ -s "$WORK/out/report.html" ] || fail "tables.md / report.html not written"
[ -s "$WORK/out/plan.tsv" ] || fail "no plan record"

"$NAR" aggregate "$WORK/out" > "$WORK/table" 2>&1 || { cat "$WORK/table"; fail "aggregate failed"; }
for id in nb201_acc/local nb201_acc/global nb201_acc_gnn nb201_lat/latency_titan_rtx_1 nb201_lat/latency_gold_6226; do
  grep -q "$id" "$WORK/table" || { cat "$WORK/table"; fail "aggregate lacks $id"; }
done

before=$(find "$WORK/out" -name '*.h5' -printf '%p %T@\n' | sort)
"$MPIEXEC" -np 3 --oversubscribe "$NAR" sweep run "$SRC/examples/quick.toml" "${OVR[@]}" \
    --out "$WORK/out" --resume > "$WORK/log2" 2>&1 || { cat "$WORK/log2"; fail "resume exited non-zero"; }
after=$(find "$WORK/out" -name '*.h5' -printf '%p %T@\n' | sort)
[ "$before" = "$after" ] || fail "--resume rewrote finished results"
# A changed sweep into the same directory is refused, saying what changed.
"$NAR" sweep run "$SRC/examples/quick.toml" repeats=1 epochs=2 hidden=8 fc_hidden=8 layers=1 \
    --out "$WORK/out" --resume > "$WORK/log4" 2>&1 && fail "a changed sweep was resumed"
grep -q "epochs=1 -> epochs=2" "$WORK/log4" || { cat "$WORK/log4"; fail "refusal does not say what changed"; }
[ "$before" = "$(find "$WORK/out" -name '*.h5' -printf '%p %T@\n' | sort)" ] || fail "the refused run touched results"
# A second run on a directory in use is refused, naming the holder.
flock "$WORK/out/.nar.lock" sleep 20 &
holder=$!
sleep 0.5
"$NAR" sweep run "$SRC/examples/quick.toml" "${OVR[@]}" --out "$WORK/out" --resume > "$WORK/log5" 2>&1 \
    && fail "two runs on one directory"
grep -q "is in use" "$WORK/log5" || { cat "$WORK/log5"; fail "no lock message"; }
kill $holder 2>/dev/null
# One worker group of 2 ranks (data-parallel jobs inside the sweep).
"$MPIEXEC" -np 3 --oversubscribe "$NAR" sweep run "$SRC/examples/quick.toml" "${OVR[@]}" \
    --ranks-per-job 2 --out "$WORK/g2" > "$WORK/log3" 2>&1 || { cat "$WORK/log3"; fail "G=2 sweep failed"; }
[ "$(awk -F'\t' 'NR > 1 && $2 == "done"' "$WORK/g2/index.tsv" | wc -l)" = 5 ] \
    || { cat "$WORK/g2/index.tsv"; fail "G=2: index does not list 5 done jobs"; }
grep -q "2 rank(s)" "$WORK/log3" || { cat "$WORK/log3"; fail "G=2 jobs did not run on 2 ranks"; }
echo "PASS: real_sweep"
