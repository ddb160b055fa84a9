#!/usr/bin/env bash
# train_cli.sh CASE NAR COMPARE SRC MPIEXEC — one end-to-end case of nar train/predict.
set -uo pipefail
CASE=$1 NAR=$2 COMPARE=$3 SRC=$4 MPIEXEC=${5:-mpirun}
WORK=$(mktemp -d /tmp/nar_it_${CASE}_XXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Small but real: NAS-Bench-201 cells from the bundled CSVs.
SMALL=(--study nb201-accuracy --train-count 64 --val-count 32 --test rest --hidden 16
       --layers 2 --lr 1e-3 --threads 1)

case $CASE in
train_nb201)
  "$NAR" train "${SMALL[@]}" --epochs 2 --seed 5 --out "$WORK/r.h5" --save-model "$WORK/m.h5" \
      > "$WORK/log" 2>&1 || { cat "$WORK/log"; fail "nar train exited non-zero"; }
  grep -q "epoch    2/2" "$WORK/log" || { cat "$WORK/log"; fail "no epoch line"; }
  grep -q "Kendall tau" "$WORK/log" || fail "no test metrics line"
  grep -q "test accuracy only" "$WORK/log" || fail "the data note is missing"
  [ -f "$WORK/r.h5" ] && [ -f "$WORK/m.h5" ] || fail "result or model missing"
  [ ! -e "$WORK/r.ckpt.h5" ] || fail "checkpoint left behind after a finished job"
  printf '%s\n' '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|' \
      '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|' > "$WORK/cells.txt"
  "$NAR" predict --model "$WORK/m.h5" --cells "$WORK/cells.txt" > "$WORK/pred" 2>&1 \
      || { cat "$WORK/pred"; fail "nar predict exited non-zero"; }
  [ "$(grep -c '^|' "$WORK/pred")" = 2 ] || { cat "$WORK/pred"; fail "expected 2 predictions"; }
  awk '/^\|/ { if (!($2 > 0 && $2 < 1.5)) exit 1 }' "$WORK/pred" || fail "predictions out of range"
  # A bad cells file names the file and line.
  echo '|bogus~0|' > "$WORK/bad.txt"
  "$NAR" predict --model "$WORK/m.h5" --cells "$WORK/bad.txt" > "$WORK/err" 2>&1 && fail "bad cells accepted"
  grep -q "bad.txt:1" "$WORK/err" || { cat "$WORK/err"; fail "error does not name file:line"; }
  ;;
train_bad_input)
  "$NAR" train --study imagenet --out "$WORK/r.h5" > "$WORK/err" 2>&1
  [ $? = 1 ] || fail "unknown study: expected exit 1"
  grep -q "study=imagenet" "$WORK/err" || { cat "$WORK/err"; fail "message does not name the study"; }
  "$NAR" train --study nb201-accuracy --train-count 20000 --epochs 1 --out "$WORK/r.h5" > "$WORK/err" 2>&1
  [ $? = 1 ] || fail "impossible split: expected exit 1"
  [ -f "$WORK/r.h5" ] || fail "a failed job must still write its result (status failed)"
  "$NAR" train --study nnlqp-in-domain --data-root "$WORK/nowhere" --epochs 1 --out "$WORK/n.h5" > "$WORK/err" 2>&1
  [ $? = 1 ] || fail "missing NNLQP root: expected exit 1"
  grep -q "nowhere" "$WORK/err" || { cat "$WORK/err"; fail "message does not name the root"; }
  ;;
train_sigterm_resume)
  ARGS=("${SMALL[@]}" --epochs 20 --seed 11)
  "$NAR" train "${ARGS[@]}" --out "$WORK/ref.h5" > /dev/null 2>&1 || fail "reference run failed"
  "$NAR" train "${ARGS[@]}" --out "$WORK/r.h5" > "$WORK/log" 2>&1 &
  PID=$!
  for _ in $(seq 1 600); do [ -f "$WORK/r.ckpt.h5" ] && break; sleep 0.1; done
  [ -f "$WORK/r.ckpt.h5" ] || fail "no checkpoint appeared"
  kill -TERM $PID
  wait $PID
  RC=$?
  [ $RC = 3 ] || { cat "$WORK/log"; fail "SIGTERM: expected exit 3, got $RC"; }
  [ ! -f "$WORK/r.h5" ] || fail "an interrupted job must not leave a finished-looking result"
  [ -f "$WORK/r.ckpt.h5" ] || fail "checkpoint missing after SIGTERM"
  "$NAR" train "${ARGS[@]}" --out "$WORK/r.h5" --resume > "$WORK/log2" 2>&1 \
      || { cat "$WORK/log2"; fail "resume failed"; }
  grep -q "resuming from" "$WORK/log2" || { cat "$WORK/log2"; fail "did not resume"; }
  "$COMPARE" "$WORK/ref.h5" "$WORK/r.h5" 0 || fail "resumed run differs from the uninterrupted one"
  ;;
train_dp_equal)
  # float64, no dropout: a 2-rank data-parallel job equals the 1-rank job.
  ARGS=("${SMALL[@]}" --epochs 2 --seed 3 --dtype float64 --dropout 0 --sr-weight 0)
  "$NAR" train "${ARGS[@]}" --out "$WORK/g1.h5" > "$WORK/log1" 2>&1 || { cat "$WORK/log1"; fail "G=1 failed"; }
  "$MPIEXEC" -np 2 --oversubscribe "$NAR" train "${ARGS[@]}" --out "$WORK/g2.h5" > "$WORK/log2" 2>&1 \
      || { cat "$WORK/log2"; fail "G=2 failed"; }
  grep -q "2 rank(s)" "$WORK/log2" || { cat "$WORK/log2"; fail "G=2 did not run on 2 ranks"; }
  "$COMPARE" "$WORK/g1.h5" "$WORK/g2.h5" 1e-9 || fail "G=2 differs from G=1"
  ;;
train_bf16)
  ARGS=("${SMALL[@]}" --epochs 2 --seed 5)
  if grep -qw avx512_bf16 /proc/cpuinfo; then
    for r in b1 b2; do
      "$NAR" train "${ARGS[@]}" --precision bf16 --out "$WORK/$r.h5" > "$WORK/log" 2>&1 \
          || { cat "$WORK/log"; fail "bf16 training failed"; }
    done
    grep -q "matrix products bf16" "$WORK/log" || { cat "$WORK/log"; fail "log does not name bf16"; }
    # The speed warning depends on this CPU; when given, its two rates must agree with it.
    if grep -q "precision=bf16: a 1024x512x512 product" "$WORK/log"; then
      sed -n 's/.*ran at \([0-9]*\) GF\/s in bf16 against \([0-9]*\) in float32.*/\1 \2/p' "$WORK/log" |
        awk 'NR == 1 { ok = $1 < $2 } END { exit !(NR == 1 && ok) }' ||
        { cat "$WORK/log"; fail "bf16 speed warning without a slower bf16 rate"; }
    fi
    "$COMPARE" "$WORK/b1.h5" "$WORK/b2.h5" 0 || fail "two bf16 runs differ"
    "$NAR" train "${ARGS[@]}" --out "$WORK/f.h5" > "$WORK/log" 2>&1 || fail "float32 run failed"
    grep -q "precision=bf16:" "$WORK/log" && { cat "$WORK/log"; fail "a float32 job warned about bf16"; }
    "$COMPARE" "$WORK/b1.h5" "$WORK/f.h5" 0 > /dev/null 2>&1 && fail "bf16 equals float32"
  else
    "$NAR" train "${ARGS[@]}" --precision bf16 --out "$WORK/b1.h5" > "$WORK/err" 2>&1
    [ $? = 1 ] || fail "bf16 on a CPU without avx512_bf16: expected exit 1"
    grep -q "precision=bf16 cannot run here" "$WORK/err" || { cat "$WORK/err"; fail "no reason given"; }
  fi
  "$NAR" train "${ARGS[@]}" --precision bf16 --dtype float64 --out "$WORK/x.h5" > "$WORK/err" 2>&1
  [ $? = 1 ] || fail "bf16 with float64: expected exit 1"
  grep -q "precision=bf16 needs dtype=float32" "$WORK/err" || { cat "$WORK/err"; fail "no reason given"; }
  [ ! -e "$WORK/x.h5" ] || fail "a refused configuration wrote a result"
  ;;
predict_onnx)
  # A tiny NNLQP-layout root over real ONNX graphs (the golden torchvision exports),
  # with made-up latencies: it exercises the data path, not the published numbers.
  mkdir -p "$WORK/root/onnx"
  cp "$SRC"/tests/fixtures/golden/onnx/tv_*.onnx "$WORK/root/onnx/"
  rm -f "$WORK/root/onnx/tv_shufflenet_v2_x0_5.onnx"
  i=0
  for f in "$WORK"/root/onnx/*.onnx; do
    for b in 1 8; do
      stage=train; [ $((i % 4)) = 3 ] && stage=test
      echo "$i onnx/$(basename "$f") $b $((b * (i % 7 + 3))).5 $(basename "$f" .onnx) cpu $stage"
      i=$((i + 1))
    done
  done > "$WORK/root/gt_stage.txt"
  echo "$i onnx/missing.onnx 1 2.0 tv_vgg11 cpu train" >> "$WORK/root/gt_stage.txt"
  "$NAR" train --study nnlqp-in-domain --data-root "$WORK/root" --hidden 16 --epochs 2 \
      --val-fraction 0.2 --threads 1 --out "$WORK/r.h5" --save-model "$WORK/m.h5" > "$WORK/log" 2>&1 \
      || { cat "$WORK/log"; fail "nnlqp train failed"; }
  grep -q "1 rows excluded" "$WORK/log" || { cat "$WORK/log"; fail "the missing ONNX row was not reported"; }
  "$NAR" predict --model "$WORK/m.h5" "$SRC/tests/fixtures/golden/onnx/tv_alexnet.onnx" \
      "$SRC/tests/fixtures/golden/onnx/tv_resnet18.onnx" --batch 8 > "$WORK/pred" 2>&1 \
      || { cat "$WORK/pred"; fail "predict failed"; }
  [ "$(grep -c 'tv_.*\.onnx' "$WORK/pred")" = 2 ] || { cat "$WORK/pred"; fail "expected 2 predictions"; }
  awk '/\.onnx/ { if (!($2 > 0)) exit 1 }' "$WORK/pred" || fail "latency must be positive"
  "$NAR" predict --model "$WORK/m.h5" "$SRC/tests/fixtures/golden/onnx/tiny_unet_convtranspose.onnx" > "$WORK/err" 2>&1 \
      && fail "a rejected network was accepted"
  grep -q "tiny_unet_convtranspose.onnx" "$WORK/err" || { cat "$WORK/err"; fail "error does not name the file"; }
  ;;
*) fail "unknown case $CASE" ;;
esac
echo "PASS: $CASE"
