#!/usr/bin/env bash
# Issue 4, session 16: do more training layouts lift the learned layout model on held-out
# templates? Adds 600 documents from the training-only templates of
# data/resources/templates_extra.yaml (half of them remixed) to session 15's data13, passes them
# through the OCR cache like gen1000, and trains the stacked (v10k) and plain (v10c) models as
# v9k/v9c were trained (training/README.md, "Extra training templates"). One unattended job; every
# step skips what an earlier run finished, trainings resume from their checkpoints.
#
#   nohup bash training/extra_templates_study.sh > runs/extra_study.log 2>&1 &
#
# Reports: runs/layout/{v10k,v10c}/eval-{validation,test,test-chosen}.json and the log.
# Round 1 drew from the first 17 extra templates: to regenerate its exact data, run it at commit
# 37068ac (later commits append templates, which changes what a seed draws).
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh

base_data
generate_cached extra300 300 21 --extra-templates
generate_cached extra300r 300 22 --extra-templates --remix
prepare_layout runs/layout/data14 runs/ocr/gen1000-sohoa datasets/gen1000 datasets/remix600 \
  runs/ocr/extra300-sohoa datasets/extra300 runs/ocr/extra300r-sohoa datasets/extra300r
train_pair runs/layout/data14 10 v10k v10c
evaluate_models v10k v10c
step "done"
