#!/usr/bin/env bash
# Issue 4, session 32: v19k, the stacked layout model on 307 layouts (v18k's 283 plus fresh21's and
# fresh22's 12 each, read sets that have judged), v18k's recipe (4 epochs, token masking 0.15, seed
# 0, 2 threads), exported with layoutlm/v6's merge thresholds and decoding taken as they are,
# judged once on two blind sets pooled, fresh23 and fresh24 (480 documents of 24 unseen templates),
# against layoutlm/v6 as served, then on the real scans. Pre-registered in training/README.md
# ("v19k on two blind sets pooled"). About 2 hours on the 2-core machine from nothing (the data
# alone about 45 minutes); resumable.
#
#   nohup bash training/fresh23_judgement.sh > runs/fresh23_judgement.log 2>&1 &
#
# The blind sets are drawn by `blind_sets fresh23:149 fresh24:151` once their templates are
# committed after the registration; run it beside the training (nice 19) or let this script draw
# them after the export.
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-4}
THREADS=${THREADS:-2}

v19_data runs/layout/data32
judge_against_v6 v19k runs/layout/data32 fresh23:149,fresh24:151 runs/eval32
step "done"
