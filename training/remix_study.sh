#!/usr/bin/env bash
# The remix study of issue 4 (training/README.md, "Remixed training templates") as one unattended
# job, so a session can start it in its first minutes and read the reports at the end.
# Every step skips what an earlier (interrupted) run already finished, and training resumes from
# its checkpoint. On this 2-core machine: ~12 min generation, ~25 min OCR cache, ~45 min for the
# two trainings side by side, ~10 min evaluation.
#
#   nohup bash training/remix_study.sh > runs/remix_study.log 2>&1 &
#
# Reports: runs/layout/{v9k,v9c}/eval-{validation,test,test-chosen}.json and the summaries in the log.
set -euo pipefail
cd "$(dirname "$0")/.."
SOHOA=${SOHOA:-.venv/bin/sohoa}
PY=${PY:-.venv/bin/python}
mkdir -p datasets runs/layout runs/ocr

step() { echo "== $(date -u +%H:%M:%S) $*"; }

# once DIR LABEL CMD...: runs CMD unless DIR/.complete says an earlier run finished it
# (generation.json is written before the datasets folder, so it does not say that). The OCR cache
# skips documents already cached, so an interrupted cache simply runs again.
once() {
  local dir=$1 label=$2; shift 2
  [ -f "$dir/.complete" ] && return 0
  step "$label"
  "$@"
  mkdir -p "$dir" && touch "$dir/.complete"
}
once datasets/gen1000 "generate gen1000" \
  "$SOHOA" data generate --n 1000 --out datasets/gen1000 --seed 1 --workers 2
once datasets/remix600 "generate remix600" \
  "$SOHOA" data generate --n 600 --out datasets/remix600 --seed 11 --workers 2 --remix --no-lines
once runs/ocr/gen1000-sohoa "OCR cache of gen1000" \
  env SOHOA_OCR_THREADS=1 "$PY" -m sohoa.training.ocr_cache datasets/gen1000 --out runs/ocr/gen1000-sohoa --workers 2
once runs/layout/data13 "prepare data13" \
  "$PY" -c "from pathlib import Path; from sohoa.training.prepare import prepare; \
prepare([Path('runs/ocr/gen1000-sohoa'), Path('datasets/gen1000'), Path('datasets/remix600')], \
Path('runs/layout/data13'), seed=0, line_variants=2)"

train() {  # NAME FLAGS...: resumes when a checkpoint exists, skips a finished run
  local name=$1; shift
  [ -f "runs/layout/$name/.complete" ] && return 0
  local resume=()
  [ -f "runs/layout/$name/checkpoint.pt" ] && resume=(--resume)
  OMP_NUM_THREADS=1 nice "$SOHOA" train layout --prepared runs/layout/data13 --out "runs/layout/$name" \
    --epochs 10 --patience 3 --device cpu --token-mask 0.15 "${resume[@]}" "$@" \
    >> "runs/layout/$name.train.log" 2>&1   # appended: a resumed run keeps the earlier epochs' log
  mkdir -p "runs/layout/$name" && touch "runs/layout/$name/.complete"
}
step "train v9k (stacked) and v9c side by side"
train v9k --stacked & k=$!
train v9c & c=$!
wait $k; wait $c

for name in v9k v9c; do
  for split in validation test; do
    [ -f "runs/layout/$name/eval-$split.json" ] && continue
    step "eval $name $split"
    "$SOHOA" eval --model "runs/layout/$name" --data runs/ocr/gen1000-sohoa --split "$split" \
      --out "runs/layout/$name/eval-$split.json"
  done
  # As served: merge thresholds chosen on validation (what `sohoa export` would ship).
  [ -f "runs/layout/$name/eval-test-chosen.json" ] && continue
  step "eval $name test, thresholds chosen on validation"
  "$SOHOA" eval --model "runs/layout/$name" --data runs/ocr/gen1000-sohoa --split test \
    --thresholds-from validation --out "runs/layout/$name/eval-test-chosen.json"
done
step "done"
