#!/usr/bin/env bash
# Issue 4, session 29: v16k, the stacked layout model on 247 layouts (v15k's 151 plus the 96 of
# fresh10 to fresh17, read sets that have all judged), exported with v6's merge options (opening
# guard, rules keep their type at 0.8) and its thresholds chosen on validation and calibration
# pooled (templates v16k did not train on), judged once on fresh18 against layoutlm/v6 as served,
# then on the real scans. Pre-registered in training/README.md ("Every read set as training data,
# judged on fresh18"). About 2 hours on the 2-core machine; resumable.
#
#   nohup bash training/fresh18_judgement.sh > runs/fresh18_judgement.log 2>&1 &
#
# fresh18's documents are drawn by `blind_sets fresh18:113`, run beside the gen1000 OCR cache once
# templates_fresh18.yaml is committed (session 29 started it at nice 19, where it starved, and set
# it back to the default priority); this script draws them itself if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-5}
THREADS=${THREADS:-2}

v16k_data runs/layout/data29
ocr x33a --split calibration          # the choice set: validation and calibration templates
ocr x33b --split calibration
step "train v16k (stacked), $EPOCHS epochs, $THREADS threads"
train_layout runs/layout/data29 "$EPOCHS" v16k --stacked

zoo=runs/zoo/layoutlm-v16k
once "$zoo" "export v16k, rules keep at 0.8, thresholds chosen on validation+calibration" \
  "$SOHOA" export --model runs/layout/v16k --out "$zoo" --eval-data runs/ocr/gen1000-sohoa \
    --eval-data runs/ocr/x33a-sohoa --eval-data runs/ocr/x33b-sohoa \
    --thresholds-from validation,calibration --timing-pages 20 --rules-keep-conf 0.8

[ -f data/resources/templates_fresh18.yaml ] || { echo "fresh18's templates are not committed yet"; exit 1; }
blind_sets fresh18:113
caches=(--data runs/ocr/gen1000-sohoa --data runs/ocr/fresh18-240-sohoa)
eval_served runs/eval29 "fresh18 test validation" "$zoo" models/zoo/layoutlm/v6   # both as served
real_served runs/eval29 "$zoo" models/zoo/layoutlm/v6
step "done"
