#!/usr/bin/env bash
# Issue 4, session 24: the third look at v14k registered in training/README.md ("A third look"):
# v14k (remade by many_templates_study.sh) exported with decoding and merge thresholds chosen on every read set pooled
# (validation, fresh2, fresh8, fresh9), judged once on fresh10 (drawn only after the export) beside
# test and validation, against layoutlm/v5 as served; then both models on the real scans.
# Needs many_templates_study.sh's v14k (TRAIN_ONLY=1 skips its evaluation tail); ~1 hour. Resumable.
#
#   nohup bash training/fresh10_judgement.sh > runs/fresh10_judgement.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh

[ -f runs/layout/v14k/.complete ] || { echo "run training/many_templates_study.sh first" >&2; exit 1; }
# The sets the choice rests on (made by the earlier studies where they ran; the same seeds).
gen fresh2-240 240 43 --fresh-templates fresh2
gen fresh8-240 240 71 --fresh-templates fresh8
gen fresh9-240 240 73 --fresh-templates fresh9
for name in fresh2-240 fresh8-240 fresh9-240; do ocr "$name"; done

zoo=runs/zoo/layoutlm-v14k-pool
once "$zoo" "export v14k, thresholds chosen on validation+fresh2+fresh8+fresh9" \
  "$SOHOA" export --model runs/layout/v14k --out "$zoo" --eval-data runs/ocr/gen1000-sohoa \
    --eval-data runs/ocr/fresh2-240-sohoa --eval-data runs/ocr/fresh8-240-sohoa \
    --eval-data runs/ocr/fresh9-240-sohoa --thresholds-from validation,fresh2,fresh8,fresh9 --timing-pages 20

# The judge, drawn only now.
gen fresh10-240 240 79 --fresh-templates fresh10
ocr fresh10-240

caches=(--data runs/ocr/gen1000-sohoa --data runs/ocr/fresh10-240-sohoa)
eval_served runs/eval24 "fresh10 test validation" "$zoo" models/zoo/layoutlm/v5   # both as served

real_served runs/eval24 "$zoo" models/zoo/layoutlm/v5   # the real scans, both models
step "done"
