#!/usr/bin/env bash
# A recognizer (v1 by default, INIT=) continued on a lent GPU in ONE device call. Sessions get 15
# minutes of device time, machine starts included, so there is no room for the start/wait/finish
# calls of device_runs.sh. Session 28 made models/zoo/recognizer/v3 this way (README.md there).
#
#   here:    SEED=13 PPOCR=0 bash training/recognizer/pack_device.sh 160000    # fonts + corpus -> .rec/
#   device:  bash training/recognizer/device_once.sh 540                       # carry .rec; timeout_s > 540
#   here:    cp -r <files that came back> runs/recognizer/once && \
#            sohoa recognizer export --run runs/recognizer/once --out runs/recognizer/once-export --version vN
#
# BUDGET (seconds) covers rendering and training; the run's newest weights are copied to $OUT every
# 20 s, so a call cut off at its limit still brings back the last checkpoint. Exporting happens here,
# not there: the run's config.json names the INIT model, which both machines hold. What travels is
# capped at 64 MiB: move models/zoo/layoutlm/* and the unused recognizers out of the checkout for
# the call (and back after).
set -uo pipefail
BUDGET=${1:-540}; t0=$(date +%s)
REC=${REC:-.rec}; OUT=${OUT:-runs/recognizer/once}; mkdir -p "$OUT"
W=/tmp/sohoa-once; RUN=$W/run; D=$W/data; mkdir -p $RUN $D
PKG=/tmp/sohoa-pkg; mkdir -p $PKG/sohoa; touch $PKG/sohoa/__init__.py
ln -sfn "$PWD/training" $PKG/sohoa/training; ln -sfn "$PWD/models" $PKG/sohoa/models
INIT=${INIT:-models/zoo/recognizer/v1/rec.onnx}   # the exported recognizer to continue (v3: session 28's)
export PYTHONPATH=$PKG PYTHONUNBUFFERED=1 SOHOA_PPOCR_REC=$INIT
PY=${PY:-python3}; CLI="$PY -m sohoa.training.recognizer.cli"
elapsed() { echo $(( $(date +%s) - t0 )); }

[ -e $REC/train.txt ] || gunzip -k $REC/train.txt.gz
# LINES: render only the corpus's first lines (a short second call); INIT_WEIGHTS: continue a run
head -n ${LINES:-100000000} $REC/train.txt > $W/train.txt
$CLI render --texts $W/train.txt --out $D/train.npz --seed ${SEED:-13} --workers $(nproc) --font-dir $REC/fonts || exit 3
$CLI render --texts $REC/val.txt --out $D/val.npz --seed 999 --workers $(nproc) --font-dir $REC/fonts || exit 3
echo "render took $(elapsed) s"
# what is left, less ~45 s for loading, the final validation pass and the last copy
MIN=$($PY -c "print(round(max(0.5, ($BUDGET - $(elapsed) - 45) / 60), 2))"); echo "training for $MIN minutes"
$CLI train --data $D/train.npz --val $D/val.npz --run $RUN --minutes "$MIN" --no-resume \
  --init-onnx $INIT ${INIT_WEIGHTS:+--init-weights $INIT_WEIGHTS} --lr ${LR:-4e-4} --max-pixels $((48 * ${COLUMNS_PER_BATCH:-128000})) \
  --eval-every 500 --ckpt-every 250 > $RUN/train.log 2>&1 &
pid=$!

copy_back() {  # temp name then rename, so $OUT never holds half a file
  for f in weights.pt config.json metrics.json train.log; do
    [ -e $RUN/$f ] && cp $RUN/$f $OUT/.$f.tmp && mv $OUT/.$f.tmp $OUT/$f
  done
}
last=
while kill -0 $pid 2>/dev/null; do
  sleep 20; copy_back
  line=$(grep -E "step [0-9]+ (loss|val)" $RUN/train.log | tail -1)
  [ "$line" != "$last" ] && echo "$line"; last=$line
done
wait $pid; rc=$?
copy_back
tail -4 $RUN/train.log
nvidia-smi --query-gpu=name,utilization.gpu,memory.used --format=csv,noheader 2>/dev/null
echo "train exit $rc; total $(elapsed) s"; ls -la $OUT
exit $rc
