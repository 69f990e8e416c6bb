#!/usr/bin/env bash
# Issue 4, session 30: v17k, the stacked layout model on 271 layouts (v16k's 247 plus the 24 of
# fresh18 and fresh19, read sets that have judged), 4 epochs, exported with layoutlm/v6's merge
# thresholds and decoding taken as they are (`sohoa export --merge-of`), judged once on fresh20
# against layoutlm/v6 as served, then on the real scans. Pre-registered in training/README.md
# ("v16k's recipe on every read set, with v6's merge: judged on fresh20"). About 1.5 hours on the
# 2-core machine; resumable.
#
#   nohup bash training/fresh20_judgement.sh > runs/fresh20_judgement.log 2>&1 &
#
# fresh20's documents are drawn by `blind_sets fresh20:131` once templates_fresh20.yaml is
# committed after the registration; run it beside the training (the training runs at nice 10) or
# let this script draw them after the export.
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-4}
THREADS=${THREADS:-2}

v17_data runs/layout/data30
step "train v17k (stacked), $EPOCHS epochs, $THREADS threads"
train_layout runs/layout/data30 "$EPOCHS" v17k --stacked

zoo=runs/zoo/layoutlm-v17k
once "$zoo" "export v17k with layoutlm/v6's merge" \
  "$SOHOA" export --model runs/layout/v17k --out "$zoo" --eval-data runs/ocr/gen1000-sohoa --timing-pages 20 \
    --merge-of models/zoo/layoutlm/v6

[ -f data/resources/templates_fresh20.yaml ] || { echo "fresh20's templates are not committed yet"; exit 1; }
blind_sets fresh20:131
caches=(--data runs/ocr/gen1000-sohoa --data runs/ocr/fresh20-240-sohoa)
eval_served runs/eval30b "fresh20 test validation" "$zoo" models/zoo/layoutlm/v6   # both as served
real_served runs/eval30b "$zoo" models/zoo/layoutlm/v6
step "done"
