#!/usr/bin/env bash
# Issue 4, session 16, round 2 of training/extra_templates_study.sh (run that first): 800 more
# documents from all 27 training-only templates (10 added after round 1), half remixed, through
# the OCR cache; data15 = data14 + them; the stacked (v11k) and plain (v11c) models trained for 7
# epochs (what the session's time allowed), evaluated like v10k/v10c. Resumable like round 1.
#
#   nohup bash training/extra_templates_round2.sh > runs/extra_round2.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-7}

[ -f runs/layout/data14/.complete ] || { echo "run training/extra_templates_study.sh first (data14)"; exit 1; }
generate_cached extra400b 400 31 --extra-templates
generate_cached extra400br 400 32 --extra-templates --remix
prepare_layout runs/layout/data15 runs/ocr/gen1000-sohoa datasets/gen1000 datasets/remix600 \
  runs/ocr/extra300-sohoa datasets/extra300 runs/ocr/extra300r-sohoa datasets/extra300r \
  runs/ocr/extra400b-sohoa datasets/extra400b runs/ocr/extra400br-sohoa datasets/extra400br
train_pair runs/layout/data15 "$EPOCHS" v11k v11c
evaluate_models v11k v11c
step "done"
