#!/usr/bin/env bash
# Issue 4, session 34: v21k, the stacked layout model on 355 layouts (v20k's 331 plus fresh25's and
# fresh26's 12 each, read sets that have judged), v20k's recipe (4 epochs, token masking 0.15, seed
# 0, 2 threads), exported twice: (a) with layoutlm/v6's merge as it is, (b) the same merge taking
# the model's subject, valid_until and issue_date whenever it has them. Judged once on two blind
# sets pooled, fresh27 and fresh28 (480 documents of 24 unseen templates), against layoutlm/v6 as
# served, then on the real scans. Pre-registered in training/README.md ("v21k on fresh27 and
# fresh28 pooled"). About 2 hours on the 2-core machine from nothing; resumable.
#
#   nohup bash training/fresh27_judgement.sh > runs/fresh27_judgement.log 2>&1 &
#
# The blind sets are drawn by `blind_sets fresh27:167 fresh28:173` (their templates are committed);
# run it beside the training (nice 19) or let this script draw them after the export.
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-4}
THREADS=${THREADS:-2}

v21_data runs/layout/data34
judge_with_variant v21k runs/layout/data34 fresh27:167,fresh28:173 runs/eval34
step "done"
