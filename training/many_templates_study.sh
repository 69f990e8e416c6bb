#!/usr/bin/env bash
# Issue 4, session 23: the stacked layout model trained on every layout that has stopped being
# blind: the 16 core training templates, the 27 training-only extra templates and the 72 templates
# of the blind sets that have judged a rules change (fresh, fresh3 … fresh7), 115 layouts against
# v13k's 43. Judged on the two sets no model has trained or chosen on: fresh2 and fresh8 (unread).
# Pre-registered in training/README.md ("Many templates"). ~2 hours on the 2-core machine; resumable.
#
#   nohup bash training/many_templates_study.sh > runs/many_templates_study.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-6}
THREADS=${THREADS:-2}

# Training data: gen1000 through the OCR (its held-out validation/test documents are the usual
# splits), everything else as noisy ground-truth line pages.
prepared=runs/layout/data23
layout_training_data "$prepared" fresh:41 fresh3:47 fresh4:53 fresh5:59 fresh6:61 fresh7:67
step "train v14k (stacked), $EPOCHS epochs, $THREADS threads"
train_layout "$prepared" "$EPOCHS" v14k --stacked
# TRAIN_ONLY=1: stop at the weights (fresh10_judgement.sh needs no more of this script).
[ "${TRAIN_ONLY:-0}" = 1 ] && { step "trained; evaluation skipped (TRAIN_ONLY=1)"; exit 0; }

# Evaluation data: the calibration documents (thresholds are chosen there, as export does) and the
# two judges, drawn only now.
ocr x33a --split calibration
ocr x33b --split calibration
gen fresh2-240 240 43 --fresh-templates fresh2
gen fresh8-240 240 71 --fresh-templates fresh8
ocr fresh2-240
ocr fresh8-240

caches=(--data runs/ocr/gen1000-sohoa --data runs/ocr/x33a-sohoa --data runs/ocr/x33b-sohoa
        --data runs/ocr/fresh2-240-sohoa --data runs/ocr/fresh8-240-sohoa)
# eval_once MODEL FILE ARGS...: one `sohoa eval`, skipped when runs/eval23/FILE exists.
mkdir -p runs/eval23
eval_once() {
  local model=$1 file=runs/eval23/$2; shift 2
  [ -f "$file" ] && return 0
  step "eval $model $*"
  "$SOHOA" eval --model "$model" "${caches[@]}" "$@" --out "$file"
}
for split in fresh8 fresh2 test validation calibration; do
  eval_once runs/layout/v14k "v14k-$split.json" --split "$split" --thresholds-from calibration
  eval_once models/zoo/layoutlm/v5 "v5-$split.json" --split "$split"
done
step "done"
