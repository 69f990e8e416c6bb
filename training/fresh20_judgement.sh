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
judge_against_v6 v17k runs/layout/data30 fresh20:131 runs/eval30b
step "done"
