#!/usr/bin/env bash
# Issue 4, session 27: v15k remade (fresh12_judgement.sh's data and recipe), exported with the
# opening guard (a paper with no national motto, number or title keeps the rules' type), its merge
# chosen on validation, fresh10 and fresh11 pooled, judged once on fresh13 against layoutlm/v5 as
# served, then on the real scans. Pre-registered in training/README.md ("The opening guard, judged
# on fresh13"). About 2 h on the 2-core machine; resumable.
#
#   nohup bash training/fresh13_judgement.sh > runs/fresh13_judgement.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-5}
THREADS=${THREADS:-2}

# Training data and weights: exactly fresh12_judgement.sh's (v15k; skipped where already made).
# Then the choice sets and the judge; CACHES_ONLY=1 makes those (at nice 19) beside the training.
v15k_and_sets fresh10:79 fresh11:83 fresh13:97
[ "${CACHES_ONLY:-0}" = 1 ] && exit 0

zoo=runs/zoo/layoutlm-v15g   # v15k's weights, g: the opening guard (on by default in `sohoa export`)
once "$zoo" "export v15k with the opening guard, thresholds chosen on validation+fresh10+fresh11" \
  "$SOHOA" export --model runs/layout/v15k --out "$zoo" --eval-data runs/ocr/gen1000-sohoa \
    --eval-data runs/ocr/fresh10-240-sohoa --eval-data runs/ocr/fresh11-240-sohoa \
    --thresholds-from validation,fresh10,fresh11 --timing-pages 20

caches=(--data runs/ocr/gen1000-sohoa --data runs/ocr/fresh13-240-sohoa)
eval_served runs/eval27 "fresh13 test validation" "$zoo" models/zoo/layoutlm/v5   # both as served
real_served runs/eval27 "$zoo" models/zoo/layoutlm/v5

# What the guard itself did: the same export with the guard off in its manifest (thresholds as
# chosen with it), on fresh13 and the real scans. Reported beside, not judged.
nog=runs/zoo/layoutlm-v15g-off
if [ ! -d "$nog" ]; then
  cp -r "$zoo" "$nog.tmp"
  "$PY" -c "import json, sys; p = sys.argv[1] + '/manifest.json'; m = json.load(open(p)); \
m['merge']['opening_guard'] = False; json.dump(m, open(p, 'w'), ensure_ascii=False, indent=1)" "$nog.tmp"
  mv "$nog.tmp" "$nog"
fi
eval_served runs/eval27 "fresh13" "$nog"
real_served runs/eval27 "$nog"
step "done"
