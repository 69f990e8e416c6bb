#!/usr/bin/env bash
# Issue 4, session 31: a layout change and a model-decoding change around layoutlm/v6 (its weights
# and manifest unchanged), judged on the unread fresh21. Pre-registered in training/README.md ("A
# form line's wrapped value, and the model's spans cleaned, judged on fresh21"):
#   G  models/layout.py: a line of another block in the same column between two lines ends their
#      block (a form line's wrapped value is read right after it);
#   M  models/learned/decode.py, models/learned/runtime.py, models/fields/plausible.py: an address
#      ending with its line takes the next line up to its province; address and holder spans start
#      after a label's colon; a recipient is two words or more; a validity ends after the issue date.
# States are made by checking out those files of BEFORE (the commit before the changes) or of HEAD;
# evaluation re-reads the caches' OCR lines through them (training/reread.py), so no state needs
# new OCR. Needs runs/ocr/gen1000-sohoa (validation, test); draws fresh21-240 itself.
#
#   bash training/fresh21_judgement.sh > runs/fresh21_judgement.log 2>&1
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
BEFORE=${BEFORE:-5822f2e}
OUT=runs/eval31
MODEL=models/zoo/layoutlm/v6
LAYOUT=(models/layout.py)
DECODING=(models/learned/decode.py models/learned/runtime.py models/fields/plausible.py)

[ -f data/resources/templates_fresh21.yaml ] || { echo "fresh21's templates are not committed yet"; exit 1; }
git diff --quiet HEAD -- "${LAYOUT[@]}" "${DECODING[@]}" || { echo "commit or stash models/ first"; exit 1; }
blind_sets fresh21:137
gen gen1000 1000 1
ocr gen1000
once runs/real-cache "rules-only cache of ../shared/bench/real" \
  env SOHOA_OCR_THREADS=1 "$PY" -m sohoa.training.compare cache ../shared/bench/real --out runs/real-cache

state() {  # state LAYOUT_REV DECODING_REV
  local f
  for f in "${LAYOUT[@]}"; do git show "$1:$f" > "$f"; done
  for f in "${DECODING[@]}"; do git show "$2:$f" > "$f"; done
}
trap 'git checkout -q HEAD -- "${LAYOUT[@]}" "${DECODING[@]}"' EXIT
mkdir -p "$OUT"
for spec in "before $BEFORE $BEFORE" "G HEAD $BEFORE" "M $BEFORE HEAD" "GM HEAD HEAD"; do
  set -- $spec
  state "$2" "$3"
  eval_code_state "$OUT" "$1" "$MODEL" fresh21
done
step "done"
