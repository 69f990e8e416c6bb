#!/usr/bin/env bash
# Several recognizer trainings side by side on one lent GPU machine, across several `device` calls
# (each call is capped at 10 minutes; the machine stays warm between calls that follow quickly).
#
#   bash training/recognizer/pack_device.sh 240000       # here: fonts, corpus -> .rec/
#   bash training/recognizer/device_runs.sh start BUDGET  # device call 1: render, launch the runs
#   bash training/recognizer/device_runs.sh wait SECONDS  # device call 2..: progress, checkpoints to $OUT
#   bash training/recognizer/device_runs.sh finish        # last call: wait for the runs, export to $OUT
#
# The runs (launched by `start`) are detached (setsid), so they outlive the call that launched them;
# each writes a checkpoint every 1000 steps and `wait` copies the newest weights back, so a lost
# machine loses only minutes. Run names: s2/s3 = smallnet.py from scratch, v1c = v1 continued.
# What travels to the device is capped at 64 MiB: the tracked tree is ~63 MiB with the three
# layoutlm versions, so session 8 moved models/zoo/layoutlm/v3 and v4 out of the checkout for the
# calls (and back after); .rec (fonts + gzipped corpus) is 16 MB.
set -uo pipefail
REC=${REC:-.rec}; OUT=${OUT:-runs/recognizer/device}; mkdir -p "$OUT"
W=/tmp/sohoa-runs; D=$W/data; mkdir -p $D
PKG=/tmp/sohoa-pkg; mkdir -p $PKG/sohoa; touch $PKG/sohoa/__init__.py
ln -sfn "$PWD/training" $PKG/sohoa/training; ln -sfn "$PWD/models" $PKG/sohoa/models
export PYTHONPATH=$PKG PYTHONUNBUFFERED=1
PY=${PY:-python3}; CLI="$PY -m sohoa.training.recognizer.cli"
S2='{"widths":[64,128,192,256],"seq":384,"depths":[2,3,3],"temporal":[1,2,4,8]}'
S3='{"widths":[64,128,256,384],"seq":512,"depths":[2,3,3],"temporal":[1,2,4,8]}'

launch() {  # name, minutes, train args...
  local name=$1 min=$2; shift 2
  mkdir -p $W/$name
  setsid nohup $CLI train --data $D/train.npz --val $D/val.npz --run $W/$name --minutes "$min" \
    --eval-every 1000 --ckpt-every 1000 --no-resume "$@" > $W/$name/train.log 2>&1 < /dev/null &
  echo "launched $name (pid $!)"
}

progress() {
  for r in $W/*/train.log; do
    echo "== $(basename $(dirname $r)): $(grep -c . $r) lines"; grep -E "val|step [0-9]+ loss" $r | tail -2
  done
  nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader
}

collect() {  # the newest weights of each run, and one archive of the logs (8 files come back at most)
  for r in $W/*/; do n=$(basename $r)
    [ -e $r/weights.pt ] && cp $r/weights.pt $OUT/$n.weights.pt
  done
  (cd $W && tar czf $OUT/logs.tgz */train.log */config.json */metrics.json 2>/dev/null)
}

case ${1:-} in
start)  # BUDGET minutes from now until the runs stop (rendering and loading come out of it)
  BUDGET=${2:-20}; t0=$(date +%s)
  [ -e $REC/train.txt ] || gunzip -k $REC/train.txt.gz
  $CLI render --texts $REC/train.txt --out $D/train.npz --seed ${SEED:-11} --workers $(nproc) --font-dir $REC/fonts
  $CLI render --texts $REC/val.txt --out $D/val.npz --seed 999 --workers $(nproc) --font-dir $REC/fonts
  echo "render took $(( $(date +%s) - t0 )) s"
  MIN=$($PY -c "print(round(max(0.5, $BUDGET - ($(date +%s) - $t0) / 60 - 1.0), 2))"); echo "training for $MIN minutes"
  launch s2 "$MIN" --arch small --height 32 --net-config "$S2" --lr 2e-3 --max-pixels $((32*64000)) --augment
  launch s3 "$MIN" --arch small --height 32 --net-config "$S3" --lr 2e-3 --max-pixels $((32*64000)) --augment
  SOHOA_PPOCR_REC=models/zoo/recognizer/v1/rec.onnx launch v1c "$MIN" --init-onnx models/zoo/recognizer/v1/rec.onnx \
    --lr 3e-4 --max-pixels $((48*64000))
  sleep 60; progress ;;
wait)
  end=$(( $(date +%s) + ${2:-540} ))
  while [ $(date +%s) -lt $end ] && pgrep -f "recognizer.cli train" > /dev/null; do sleep 20; done
  progress; collect ;;
finish)
  while pgrep -f "recognizer.cli train" > /dev/null; do sleep 10; done
  progress
  for r in $W/*/; do n=$(basename $r)
    [ $n = data ] || [ $n = export ] && continue
    $CLI export --run $r --out $W/export/$n --version $n --opt-in
    cp $r/train.log $W/export/$n/  # no weights.pt: a file that comes back is capped at 16 MB
    (cd $W/export && tar czf $OUT/$n.tgz $n)
  done
  ls -la $OUT ;;
*) echo "usage: $0 start BUDGET_MINUTES | wait SECONDS | finish"; exit 2 ;;
esac
