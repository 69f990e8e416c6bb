#!/usr/bin/env bash
# Issue 4, session 27 (second change): v15k's weights as trained for fresh13_judgement.sh, exported
# with the opening guard and with the rules keeping a letter's type (--rules-keep-conf 0.8: a title
# keyword or a letter's "Kính gửi" anatomy), its merge chosen on validation, fresh10 and fresh11,
# judged once on fresh14 against layoutlm/v5 as served, then on the real scans. Pre-registered in
# training/README.md ("The letter's anatomy kept, judged on fresh14"). After fresh13_judgement.sh:
# about 20 minutes on the 2-core machine; resumable.
#
#   nohup bash training/fresh14_judgement.sh > runs/fresh14_judgement.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-5}
THREADS=${THREADS:-2}

v15k_and_sets fresh10:79 fresh11:83 fresh14:101   # done by fresh13_judgement.sh but fresh14
[ "${CACHES_ONLY:-0}" = 1 ] && exit 0

zoo=runs/zoo/layoutlm-v15l   # v15k's weights; l: the letter's anatomy keeps its type
once "$zoo" "export v15k, rules keep at 0.8, thresholds chosen on validation+fresh10+fresh11" \
  "$SOHOA" export --model runs/layout/v15k --out "$zoo" --eval-data runs/ocr/gen1000-sohoa \
    --eval-data runs/ocr/fresh10-240-sohoa --eval-data runs/ocr/fresh11-240-sohoa \
    --thresholds-from validation,fresh10,fresh11 --timing-pages 20 --rules-keep-conf 0.8

caches=(--data runs/ocr/gen1000-sohoa --data runs/ocr/fresh14-240-sohoa)
eval_served runs/eval27b "fresh14 test validation" "$zoo" models/zoo/layoutlm/v5   # both as served
real_served runs/eval27b "$zoo" models/zoo/layoutlm/v5
step "done"
