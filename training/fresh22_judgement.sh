#!/usr/bin/env bash
# Issue 4, session 31: v18k, the stacked layout model on 283 layouts (v17k's 271 plus fresh20's 12,
# a read set that has judged), trained on data read by the layout of change G (its OCR pages
# re-read, 5822f2e), 4 epochs, exported with layoutlm/v6's merge thresholds and decoding taken as
# they are, judged once on fresh22 against layoutlm/v6 as served (both with change M's decoding:
# the code of this commit), then on the real scans. Pre-registered in training/README.md ("v18k:
# v17k's recipe read in G's order, judged on fresh22"). About 1.5 hours on the 2-core machine;
# resumable.
#
#   nohup bash training/fresh22_judgement.sh > runs/fresh22_judgement.log 2>&1 &
#
# fresh22's documents are drawn by `blind_sets fresh22:139` once templates_fresh22.yaml is
# committed after the registration; run it beside the training or let this script draw them after
# the export.
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-4}
THREADS=${THREADS:-2}

v18_data runs/layout/data31
judge_against_v6 v18k runs/layout/data31 fresh22:139 runs/eval31b
step "done"
