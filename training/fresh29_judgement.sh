#!/usr/bin/env bash
# Issue 4, session 35: v22k, the stacked layout model on 379 layouts (v21k's 355 plus fresh27's and
# fresh28's 12 each, read sets that have judged) and on x33a/x33b drawn from the 45-template extra
# pool (session 34's twelve xo* papers shaped like a person's or firm's, all `other` but two), v21k's
# recipe (4 epochs, token masking 0.15, seed 0, 2 threads), exported twice: (a) with layoutlm/v6's
# merge as it is, (b) the same merge taking the model's subject, valid_until and issue_date whenever
# it has them. Judged once on two blind sets pooled, fresh29 and fresh30 (480 documents of 24 unseen
# templates), against layoutlm/v6 as served, then on the real scans. Pre-registered in
# training/README.md ("v22k on fresh29 and fresh30 pooled"). About 2 hours on the 2-core machine
# from nothing; resumable.
#
#   nohup bash training/fresh29_judgement.sh > runs/fresh29_judgement.log 2>&1 &
#
# The blind sets are drawn by `blind_sets fresh29:179 fresh30:181` (their templates are committed);
# run it beside the training (nice 19) or let this script draw them after the export.
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-4}
THREADS=${THREADS:-2}

v22_data runs/layout/data35
judge_with_variant v22k runs/layout/data35 fresh29:179,fresh30:181 runs/eval35
step "done"
