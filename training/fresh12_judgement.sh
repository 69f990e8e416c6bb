#!/usr/bin/env bash
# Issue 4, session 26: v15k, the stacked layout model on 151 layouts (v14k's 115 plus the 36 of
# fresh2, fresh8 and fresh9, read sets that have judged), its merge chosen on validation, fresh10
# and fresh11 pooled (templates it did not train on), judged once on fresh12 against layoutlm/v5 as
# served, then on the real scans. Pre-registered in training/README.md ("More templates, the
# choice on templates not trained on"). 1 h 45 min on the 2-core machine (session 26); resumable.
#
#   nohup bash training/fresh12_judgement.sh > runs/fresh12_judgement.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-5}
THREADS=${THREADS:-2}

# Training data: as many_templates_study.sh, with three more read sets (fresh2, fresh8, fresh9).
# Then the choice sets and the judge; CACHES_ONLY=1 makes those (at nice 19) beside the training.
v15k_and_sets fresh10:79 fresh11:83 fresh12:89
[ "${CACHES_ONLY:-0}" = 1 ] && exit 0

zoo=runs/zoo/layoutlm-v15k
once "$zoo" "export v15k, thresholds chosen on validation+fresh10+fresh11" \
  "$SOHOA" export --model runs/layout/v15k --out "$zoo" --eval-data runs/ocr/gen1000-sohoa \
    --eval-data runs/ocr/fresh10-240-sohoa --eval-data runs/ocr/fresh11-240-sohoa \
    --thresholds-from validation,fresh10,fresh11 --timing-pages 20

caches=(--data runs/ocr/gen1000-sohoa --data runs/ocr/fresh12-240-sohoa)
eval_served runs/eval26 "fresh12 test validation" "$zoo" models/zoo/layoutlm/v5   # both as served
# The issue's bar reads the model alone: the same reports' "model" block; the rules' block beside it.
real_served runs/eval26 "$zoo" models/zoo/layoutlm/v5
step "done"
