#!/usr/bin/env bash
# Issue 4, session 36: v23k, the stacked layout model on 403 layouts (v22k's 379 plus fresh29's and
# fresh30's 12 each, read sets that have judged) and on x33a/x33b drawn from the 53-template extra
# pool (session 35's xo13-xo20 included), v22k's recipe (token masking 0.15, seed 0, 2 threads, the
# best validation epoch exported) in 3 epochs, with `--retitle 0.15` (training/retitle.py). Exported
# with layoutlm/v7's merge as it is, judged once on two blind sets pooled, fresh31 and fresh32 (160
# documents each of 24 unseen templates), against layoutlm/v7 as served, then on the real scans.
# Pre-registered in training/README.md ("v23k on fresh31 and fresh32 pooled"). About 2.5 hours on
# the 2-core machine from nothing; resumable.
#
#   nohup bash training/fresh31_judgement.sh > runs/fresh31_judgement.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-3}
THREADS=${THREADS:-2}
TRAIN_FLAGS=(--retitle 0.15)
BASELINE=models/zoo/layoutlm/v7
BLIND_DOCS=160

v23_data runs/layout/data36
judge_against v23k runs/layout/data36 fresh31:191,fresh32:193 runs/eval36
step "done"
