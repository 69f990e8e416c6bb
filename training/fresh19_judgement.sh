#!/usr/bin/env bash
# Issue 4, session 30: two rule changes around layoutlm/v6 (its weights and manifest unchanged),
# judged on the unread fresh19. Pre-registered in training/README.md ("A one-word title line, and
# the titled paper addressed "Kính gửi" once more, judged on fresh19"):
#   D  models/layout.py: a one-word, centred, upper-case line just above the title opens the title;
#   A  models/classify.py: a titled paper addressed "Kính gửi" with no letter's subject ("V/v", or a
#      subject above the title) is official_letter at 0.6, so the model decides.
# The states are made by checking out the two files of BEFORE (the commit before the changes) or of
# HEAD; evaluation re-reads the caches' OCR lines through them (training/reread.py), so no state
# needs new OCR. Needs runs/ocr/gen1000-sohoa (validation, test); draws fresh19-240 itself.
#
#   bash training/fresh19_judgement.sh > runs/fresh19_judgement.log 2>&1
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
BEFORE=${BEFORE:-d87242d}
OUT=runs/eval30
MODEL=models/zoo/layoutlm/v6

[ -f data/resources/templates_fresh19.yaml ] || { echo "fresh19's templates are not committed yet"; exit 1; }
git diff --quiet HEAD -- models/layout.py models/classify.py || { echo "commit or stash models/ first"; exit 1; }
blind_sets fresh19:127
gen gen1000 1000 1
ocr gen1000
once runs/real-cache "rules-only cache of ../shared/bench/real" \
  env SOHOA_OCR_THREADS=1 "$PY" -m sohoa.training.compare cache ../shared/bench/real --out runs/real-cache

state() {  # state NAME LAYOUT_REV CLASSIFY_REV
  git show "$2:models/layout.py" > models/layout.py
  git show "$3:models/classify.py" > models/classify.py
}
trap 'git checkout -q HEAD -- models/layout.py models/classify.py' EXIT
mkdir -p "$OUT"
for spec in "before $BEFORE $BEFORE" "D HEAD $BEFORE" "A $BEFORE HEAD" "AD HEAD HEAD"; do
  set -- $spec
  state "$@"
  eval_code_state "$OUT" "$1" "$MODEL" fresh19
done
step "done"
