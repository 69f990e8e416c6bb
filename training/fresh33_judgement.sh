#!/usr/bin/env bash
# Issue 4, session 37: v24k, the stacked layout model on 427 layouts (v23k's 403 plus fresh31's and
# fresh32's 12 each, read sets that have judged), all drawn by the generator as fixed in session 36,
# v23k's recipe (token masking 0.15, seed 0, 2 threads, 3 epochs, the best validation epoch
# exported) without `--retitle`. Exported with layoutlm/v7's merge as it is, judged once on two
# blind sets pooled, fresh33 and fresh34 (160 documents each of 24 unseen templates), against
# layoutlm/v7 as served, then on the real scans. Pre-registered in training/README.md ("v24k on
# fresh33 and fresh34 pooled"). About 2.5 hours on the 2-core machine from nothing; resumable.
#
#   nohup bash training/fresh33_judgement.sh > runs/fresh33_judgement.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-3}
THREADS=${THREADS:-2}
BASELINE=models/zoo/layoutlm/v7
BLIND_DOCS=160

v24_data runs/layout/data37
judge_against v24k runs/layout/data37 fresh33:197,fresh34:199 runs/eval37
step "done"
