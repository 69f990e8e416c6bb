#!/usr/bin/env bash
# Issue 4, session 38: v25k, v24k's recipe (stacked, token masking 0.15, seed 0, 2 threads, 3 epochs,
# the best validation epoch exported, no `--retitle`) on v24k's layouts plus fresh33's and fresh34's
# (read sets that have judged) and the extra pool's twelve new `xo21`-`xo32` papers. Exported with
# layoutlm/v7's merge as it is, judged once on two blind sets pooled, fresh35 and fresh36 (160
# documents each of 24 unseen templates), against layoutlm/v7 as served, then on the real scans.
# Pre-registered in training/README.md ("v25k on fresh35 and fresh36 pooled"). About 2.5 hours on
# the 2-core machine from nothing; resumable.
#
#   nohup bash training/fresh35_judgement.sh > runs/fresh35_judgement.log 2>&1 &
#   echo -10 > /proc/$!/autogroup   # the kernel weighs sessions, not nice values (training/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-3}
THREADS=${THREADS:-2}
BASELINE=models/zoo/layoutlm/v7
BLIND_DOCS=160

v25_data runs/layout/data38
judge_against v25k runs/layout/data38 fresh35:211,fresh36:223 runs/eval38
step "done"
