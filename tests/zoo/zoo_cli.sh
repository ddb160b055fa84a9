#!/usr/bin/env bash
# zoo_cli.sh CASE NAR MPIEXEC — one end-to-end case of `nar zoo`.
set -uo pipefail
CASE=$1 NAR=$2 MPIEXEC=${3:-mpirun}
WORK=$(mktemp -d /tmp/nar_zoo_${CASE}_XXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
unmeasured() { awk '!/^#/ && $4 == "nan"' "$1/gt.txt" | wc -l; }

case $CASE in
generate_measure_train)
  "$NAR" zoo generate --family squeezenet,nasbench201 --count 10 --input 32 --out "$WORK/z" \
      > "$WORK/log" 2>&1 || { cat "$WORK/log"; fail "generate exited non-zero"; }
  [ "$(grep -vc '^#' "$WORK/z/gt.txt")" = 20 ] || fail "expected 20 rows"
  "$NAR" zoo generate --family squeezenet --count 10 --input 32 --out "$WORK/again" > /dev/null 2>&1
  cmp -s "$WORK/z/onnx/squeezenet/squeezenet_7.onnx" "$WORK/again/onnx/squeezenet/squeezenet_7.onnx" \
      || fail "same seed, different bytes"
  "$NAR" data inspect "$WORK/z/onnx/squeezenet/squeezenet_0.onnx" > "$WORK/insp" 2>&1 \
      || { cat "$WORK/insp"; fail "nar data inspect refused a generated graph"; }
  grep -q "Concat" "$WORK/insp" || fail "inspect shows no Fire concat"
  "$NAR" zoo measure "$WORK/z" --warmup 0 --repeats 2 > "$WORK/mlog" 2>&1 \
      || { cat "$WORK/mlog"; fail "measure exited non-zero"; }
  [ "$(unmeasured "$WORK/z")" = 0 ] || fail "rows left unmeasured"
  grep -q "eta" "$WORK/mlog" || fail "no progress/ETA lines"
  grep -q "^libtorch: " "$WORK/z/machine.txt" && grep -q "^cpu: " "$WORK/z/machine.txt" \
      || fail "machine.txt lacks the machine"
  "$NAR" train --study nnlqp-in-domain --data-root "$WORK/z" --epochs 1 --hidden 16 --layers 1 --val-fraction 0.2 \
      --threads 1 --out "$WORK/r.h5" > "$WORK/tlog" 2>&1 || { cat "$WORK/tlog"; fail "nnlqp-in-domain on a zoo dir"; }
  grep -q "MAPE" "$WORK/tlog" || fail "no test metrics"
  ;;
interrupt_resume)
  "$NAR" zoo generate --family resnet --count 6 --input 96 --out "$WORK/z" > /dev/null 2>&1 || fail "generate"
  "$NAR" zoo measure "$WORK/z" --warmup 1 --repeats 30 --max-remeasure 0 > "$WORK/log1" 2>&1 &
  PID=$!
  for _ in $(seq 100); do   # until the first row is on disk
    [ -s "$WORK/z/measure/rank-0.tsv" ] && break
    sleep 0.2
  done
  kill -INT $PID
  wait $PID
  RC=$?
  [ $RC = 3 ] || { cat "$WORK/log1"; fail "interrupted measure: exit $RC, expected 3"; }
  KEPT=$(wc -l < "$WORK/z/measure/rank-0.tsv")
  [ "$KEPT" -ge 1 ] && [ "$KEPT" -lt 6 ] || fail "expected some rows kept, got $KEPT"
  [ "$(unmeasured "$WORK/z")" = $((6 - KEPT)) ] || fail "gt.txt does not hold the kept rows"
  cp "$WORK/z/measure/rank-0.tsv" "$WORK/first.tsv"
  "$NAR" zoo measure "$WORK/z" --warmup 0 --repeats 2 > "$WORK/log2" 2>&1 || { cat "$WORK/log2"; fail "resume"; }
  grep -q "$KEPT measured before" "$WORK/log2" || { cat "$WORK/log2"; fail "resume did not keep the rows"; }
  head -n "$KEPT" "$WORK/z/measure/rank-0.tsv" | cmp -s - "$WORK/first.tsv" || fail "kept rows changed"
  [ "$(unmeasured "$WORK/z")" = 0 ] || fail "rows left after resume"
  ;;
mpi_split)
  "$NAR" zoo generate --family mobilenetv2 --count 6 --input 32 --out "$WORK/z" > /dev/null 2>&1 || fail "generate"
  "$MPIEXEC" --oversubscribe -np 2 "$NAR" zoo measure "$WORK/z" --warmup 0 --repeats 2 > "$WORK/log" 2>&1 \
      || { cat "$WORK/log"; fail "mpirun measure"; }
  [ -s "$WORK/z/measure/rank-0.tsv" ] && [ -s "$WORK/z/measure/rank-1.tsv" ] || fail "a rank measured nothing"
  [ "$(cat "$WORK"/z/measure/rank-*.tsv | wc -l)" = 6 ] || fail "rows measured twice or missed"
  [ "$(unmeasured "$WORK/z")" = 0 ] || fail "rows left unmeasured"
  grep -q "cpu-t1-r2" "$WORK/z/gt.txt" || fail "the platform does not say 2 ranks"
  grep -q "^note: 2 ranks" "$WORK/z/machine.txt" || fail "no co-running note"
  ;;
nb201)
  "$NAR" zoo nb201 --device raspi4 --out "$WORK/n" --limit 400 > "$WORK/log" 2>&1 || { cat "$WORK/log"; fail "nb201"; }
  DEG=$(sed -n 's/.* \([0-9]*\) degenerate cells excluded.*/\1/p' "$WORK/log")
  [ -n "$DEG" ] && [ "$DEG" -gt 0 ] || { cat "$WORK/log"; fail "no degenerate count logged"; }
  [ "$(grep -vc '^#' "$WORK/n/gt.txt")" = $((400 - DEG)) ] || fail "rows != 400 - degenerate"
  "$NAR" zoo nb201 --device raspi4 --out "$WORK/k" --limit 400 --keep-degenerate > /dev/null 2>&1 || fail "keep"
  [ "$(grep -vc '^#' "$WORK/k/gt.txt")" = 400 ] || fail "--keep-degenerate dropped rows"
  ;;
errors)
  "$NAR" zoo generate --family nosuch --count 2 --out "$WORK/z" > "$WORK/err" 2>&1
  [ $? = 1 ] || fail "unknown family: expected exit 1"
  grep -q "unknown zoo family 'nosuch' (known: alexnet" "$WORK/err" || { cat "$WORK/err"; fail "message"; }
  [ ! -e "$WORK/z/gt.txt" ] || fail "a refused generate wrote labels"
  "$NAR" zoo measure "$WORK/none" > "$WORK/err" 2>&1
  [ $? = 1 ] || fail "missing gt.txt: expected exit 1"
  grep -q "$WORK/none/gt.txt: cannot open" "$WORK/err" || { cat "$WORK/err"; fail "message names no file"; }
  "$NAR" zoo nb201 --device nosuch --out "$WORK/n" > "$WORK/err" 2>&1
  [ $? = 1 ] || fail "unknown device: expected exit 1"
  grep -q "latency:raspi4" "$WORK/err" || { cat "$WORK/err"; fail "devices not listed"; }
  ;;
*) fail "unknown case $CASE" ;;
esac
echo "PASS $CASE"
