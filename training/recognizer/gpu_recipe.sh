#!/usr/bin/env bash
# The recognizer's training recipe on a GPU machine (the `device` tool) or any CUDA box.
# Needs a folder ($REC, default .rec) with: fonts/*.ttf, PP-OCRv6_rec_small.onnx, train.txt, val.txt
# (made here by training/recognizer/pack_device.sh), and writes weights + ONNX to $OUT.
#   usage: bash training/recognizer/gpu_recipe.sh BUDGET_MINUTES [INIT_WEIGHTS]
# BUDGET_MINUTES covers rendering, training and export (training gets what rendering leaves).
# HEIGHT=32 START_ONNX=models/zoo/recognizer/v1/rec.onnx: the faster height-32 graph, from v1.
set -euo pipefail
MIN=${1:-5}; INIT=${2:-}
REC=${REC:-.rec}; OUT=${OUT:-runs/recognizer/gpu}; mkdir -p "$OUT"
PKG=/tmp/sohoa-pkg; mkdir -p $PKG/sohoa; touch $PKG/sohoa/__init__.py
ln -sfn "$PWD/training" $PKG/sohoa/training; ln -sfn "$PWD/models" $PKG/sohoa/models
# the network to start from: the PP-OCR rec ONNX, or an exported sohoa model to continue training
export PYTHONPATH=$PKG PYTHONUNBUFFERED=1 SOHOA_PPOCR_REC=${START_ONNX:-$REC/PP-OCRv6_rec_small.onnx}
PY=${PY:-python3}; CLI="$PY -m sohoa.training.recognizer.cli"
W=$(( $(nproc) - 1 ))
D=/tmp/recdata; mkdir -p $D
SEED=${SEED:-$RANDOM}
t0=$(date +%s)
[ -e $REC/train.txt ] || [ ! -e $REC/train.txt.gz ] || gunzip -k $REC/train.txt.gz
# the text corpus is written here when the pack did not bring one (needs data/resources and vi_VN.dic)
[ -e $REC/train.txt ] || SOHOA_HUNSPELL_DIC=$REC/vi_VN.dic $CLI corpus --n ${NLINES:-150000} --out $REC/train.txt --seed ${SEED}
$CLI render --texts $REC/train.txt --out $D/train.npz --seed $SEED --workers $W --font-dir $REC/fonts
$CLI render --texts $REC/val.txt --out $D/val.npz --seed 999 --workers $W --font-dir $REC/fonts
echo "render took $(( $(date +%s) - t0 )) s"
MIN=$($PY -c "print(max(0.5, $MIN - ($(date +%s) - $t0) / 60 - 1.3))"); echo "training for $MIN minutes"
INITARG=(); [ -n "$INIT" ] && INITARG=(--init-weights "$INIT")
EXTRA=(); for f in $REC/extra*.npz; do for r in $(seq ${EXTRA_REPEAT:-1}); do [ -e "$f" ] && EXTRA+=(--data "$f"); done; done
$CLI train --data $D/train.npz "${EXTRA[@]}" --val $D/val.npz --run /tmp/recrun --minutes "$MIN" \
  --max-pixels $((48*64000)) --lr ${LR:-1e-3} --eval-every 1000 --ckpt-every 1000 --no-resume "${INITARG[@]}" \
  --height ${HEIGHT:-48} ${TOTAL:+--total-steps $TOTAL} 2>&1 | tee $OUT/train.log
cp /tmp/recrun/weights.pt /tmp/recrun/metrics.json $OUT/
$CLI export --run /tmp/recrun --out $OUT/export --version gpu
echo "total $(( $(date +%s) - t0 )) s"
