#!/usr/bin/env bash
# Issue 4, session 20: the judgement pre-registered in training/README.md ("A second blind set").
# The v13k recipe of session 18 (templates33_study.sh), the two blind evaluation sets with their
# OCR caches, then v13k merged with decoding and thresholds chosen on `fresh` (read in session 19)
# and scored on `fresh2` (untouched), beside session 19's procedure (chosen on calibration) and
# the test split under the same choice. ~3 hours on the 2-core machine; resumable.
#
#   nohup bash training/fresh2_study.sh > runs/fresh2_study.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-10}
THREADS=${THREADS:-2}

generate_cached fresh240 240 41 --fresh-templates fresh
generate_cached fresh2-240 240 43 --fresh-templates fresh2
extra_template_study x33a x33b data17 v13k

out=runs/layout/v13k
caches=(--data runs/ocr/gen1000-sohoa --data runs/ocr/x33a-sohoa --data runs/ocr/x33b-sohoa
        --data runs/ocr/fresh240-sohoa --data runs/ocr/fresh2-240-sohoa)
# eval_once FILE ARGS...: one `sohoa eval` of v13k, skipped when FILE exists.
eval_once() {
  local file=$out/$1; shift
  [ -f "$file" ] && return 0
  step "eval v13k $*"
  "$SOHOA" eval --model "$out" "${caches[@]}" "$@" --out "$file"
}
eval_once eval-fresh2-chosen-fresh.json --split fresh2 --thresholds-from fresh   # the judgement
eval_once eval-fresh2-chosen-calibration.json --split fresh2 --thresholds-from calibration
eval_once eval-test-chosen-fresh.json --split test --thresholds-from fresh
step "done"
