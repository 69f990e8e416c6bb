#!/usr/bin/env bash
# Issue 4, session 33: v20k, the stacked layout model on 331 layouts (v19k's 307 plus fresh23's and
# fresh24's 12 each, read sets that have judged), v19k's recipe (4 epochs, token masking 0.15, seed
# 0, 2 threads), exported with layoutlm/v6's merge thresholds and decoding taken as they are,
# judged once on two blind sets pooled, fresh25 and fresh26 (480 documents of 24 unseen templates),
# against layoutlm/v6 as served, then on the real scans. Pre-registered in training/README.md
# ("v20k on two more blind sets pooled"). About 2 hours on the 2-core machine from nothing (the
# data alone about 50 minutes); resumable.
#
#   nohup bash training/fresh25_judgement.sh > runs/fresh25_judgement.log 2>&1 &
#
# The blind sets are drawn by `blind_sets fresh25:157 fresh26:163` once their templates are
# committed after the registration; run it beside the training (nice 19) or let this script draw
# them after the export.
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-4}
THREADS=${THREADS:-2}

v20_data runs/layout/data33
judge_against_v6 v20k runs/layout/data33 fresh25:157,fresh26:163 runs/eval33
step "done"
