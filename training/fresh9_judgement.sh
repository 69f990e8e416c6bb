#!/usr/bin/env bash
# Issue 4, session 23: the second look at v14k registered in training/README.md ("Many templates"):
# the same weights exported with decoding and merge thresholds chosen on fresh8 (read), judged once
# on fresh9 (unread until then) beside fresh2, test and validation, against layoutlm/v5 as served.
# Needs many_templates_study.sh's outputs (v14k, the caches); ~30 minutes more. Resumable.
#
#   nohup bash training/fresh9_judgement.sh > runs/fresh9_judgement.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh

[ -f runs/layout/v14k/.complete ] || { echo "run training/many_templates_study.sh first" >&2; exit 1; }
zoo=runs/zoo/layoutlm-v14k-f8
once "$zoo" "export v14k, thresholds chosen on fresh8" \
  "$SOHOA" export --model runs/layout/v14k --out "$zoo" --eval-data runs/ocr/gen1000-sohoa \
    --eval-data runs/ocr/fresh8-240-sohoa --thresholds-from fresh8 --timing-pages 20
gen fresh9-240 240 73 --fresh-templates fresh9
ocr fresh9-240

caches=(--data runs/ocr/gen1000-sohoa --data runs/ocr/fresh2-240-sohoa --data runs/ocr/fresh9-240-sohoa)
eval_served runs/eval23 "fresh9 fresh2 test validation" "$zoo" models/zoo/layoutlm/v5   # both as served
step "done"
