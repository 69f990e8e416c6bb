#!/usr/bin/env bash
# The remix study of issue 4 (training/README.md, "Remixed training templates") as one unattended
# job, so a session can start it in its first minutes and read the reports at the end.
# Every step skips what an earlier (interrupted) run already finished, and training resumes from
# its checkpoint (training/study_lib.sh). On this 2-core machine: ~12 min generation, ~25 min OCR
# cache, ~45 min for the two trainings side by side, ~10 min evaluation.
#
#   nohup bash training/remix_study.sh > runs/remix_study.log 2>&1 &
#
# Reports: runs/layout/{v9k,v9c}/eval-{validation,test,test-chosen}.json and the summaries in the log.
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh

base_data
prepare_layout runs/layout/data13 runs/ocr/gen1000-sohoa datasets/gen1000 datasets/remix600
train_pair runs/layout/data13 10 v9k v9c
evaluate_models v9k v9c
step "done"
