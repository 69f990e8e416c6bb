#!/usr/bin/env bash
# Issue 4, session 25: the merge guards registered in training/README.md ("Guards the generated sets
# cannot choose"): v14k (made again by many_templates_study.sh) exported with the guards and with
# decoding and merge thresholds chosen on every read set pooled (validation, fresh2, fresh8, fresh9,
# fresh10), judged once on fresh11 beside test and validation, against layoutlm/v5 as served; then
# both models on the real scans. Needs `TRAIN_ONLY=1 bash training/many_templates_study.sh` first;
# ~1 hour after it (the OCR caches can be made beside the training: they are steps of their own).
# Resumable.
#
#   nohup bash training/fresh11_judgement.sh > runs/fresh11_judgement.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh

# The sets the choice rests on (the same seeds as the studies that drew them), then the judge,
# whose numbers are read only after the export below.
reads=(fresh2-240:43 fresh8-240:71 fresh9-240:73 fresh10-240:79 fresh11-240:83)
for spec in "${reads[@]}"; do
  name=${spec%%:*}; seed=${spec##*:}
  gen "$name" 240 "$seed" --fresh-templates "${name%-240}"
  ocr "$name"
done
[ "${CACHES_ONLY:-0}" = 1 ] && { step "caches made (CACHES_ONLY=1)"; exit 0; }

[ -f runs/layout/v14k/.complete ] || { echo "run training/many_templates_study.sh first" >&2; exit 1; }
zoo=runs/zoo/layoutlm-v14k-guard
once "$zoo" "export v14k with the merge guards, thresholds chosen on validation+fresh2+fresh8+fresh9+fresh10" \
  "$SOHOA" export --model runs/layout/v14k --out "$zoo" --eval-data runs/ocr/gen1000-sohoa \
    --eval-data runs/ocr/fresh2-240-sohoa --eval-data runs/ocr/fresh8-240-sohoa \
    --eval-data runs/ocr/fresh9-240-sohoa --eval-data runs/ocr/fresh10-240-sohoa \
    --thresholds-from validation,fresh2,fresh8,fresh9,fresh10 --timing-pages 20

caches=(--data runs/ocr/gen1000-sohoa --data runs/ocr/fresh11-240-sohoa)
eval_served runs/eval25 "fresh11 test validation" "$zoo" models/zoo/layoutlm/v5   # both as served

real_served runs/eval25 "$zoo" models/zoo/layoutlm/v5   # the real scans, both models
step "done"
