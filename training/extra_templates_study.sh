#!/usr/bin/env bash
# Issue 4, session 16: do more training layouts lift the learned layout model on held-out
# templates? Adds 600 documents from the 17 training-only templates of
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
SOHOA=${SOHOA:-.venv/bin/sohoa}
PY=${PY:-.venv/bin/python}
mkdir -p datasets runs/layout runs/ocr

step() { echo "== $(date -u +%H:%M:%S) $*"; }
once() {  # DIR LABEL CMD...: runs CMD unless DIR/.complete says an earlier run finished it
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
once datasets/extra300 "generate extra300 (training-only templates)" \
  "$SOHOA" data generate --n 300 --out datasets/extra300 --seed 21 --workers 2 --extra-templates --no-lines
once datasets/extra300r "generate extra300r (training-only templates, remixed)" \
  "$SOHOA" data generate --n 300 --out datasets/extra300r --seed 22 --workers 2 --extra-templates --remix --no-lines
once runs/ocr/extra300-sohoa "OCR cache of extra300" \
  env SOHOA_OCR_THREADS=1 "$PY" -m sohoa.training.ocr_cache datasets/extra300 --out runs/ocr/extra300-sohoa --workers 2
once runs/ocr/extra300r-sohoa "OCR cache of extra300r" \
  env SOHOA_OCR_THREADS=1 "$PY" -m sohoa.training.ocr_cache datasets/extra300r --out runs/ocr/extra300r-sohoa --workers 2
once runs/layout/data14 "prepare data14" \
  "$PY" -c "from pathlib import Path; from sohoa.training.prepare import prepare; \
prepare([Path(p) for p in ('runs/ocr/gen1000-sohoa', 'datasets/gen1000', 'datasets/remix600', \
'runs/ocr/extra300-sohoa', 'datasets/extra300', 'runs/ocr/extra300r-sohoa', 'datasets/extra300r')], \
Path('runs/layout/data14'), seed=0, line_variants=2)"

train() {  # NAME FLAGS...: resumes when a checkpoint exists, skips a finished run
  local name=$1; shift
  [ -f "runs/layout/$name/.complete" ] && return 0
  local resume=()
  [ -f "runs/layout/$name/checkpoint.pt" ] && resume=(--resume)
  OMP_NUM_THREADS=1 nice "$SOHOA" train layout --prepared runs/layout/data14 --out "runs/layout/$name" \
    --epochs 10 --patience 3 --device cpu --token-mask 0.15 "${resume[@]}" "$@" \
    >> "runs/layout/$name.train.log" 2>&1   # appended: a resumed run keeps the earlier epochs' log
  mkdir -p "runs/layout/$name" && touch "runs/layout/$name/.complete"
}
step "train v10k (stacked) and v10c side by side"
train v10k --stacked & k=$!
train v10c & c=$!
wait $k; wait $c

for name in v10k v10c; do
  for split in validation test; do
    [ -f "runs/layout/$name/eval-$split.json" ] && continue
    step "eval $name $split"
    "$SOHOA" eval --model "runs/layout/$name" --data runs/ocr/gen1000-sohoa --split "$split" \
      --out "runs/layout/$name/eval-$split.json"
  done
  [ -f "runs/layout/$name/eval-test-chosen.json" ] && continue
  step "eval $name test, thresholds chosen on validation"
  "$SOHOA" eval --model "runs/layout/$name" --data runs/ocr/gen1000-sohoa --split test \
    --thresholds-from validation --out "runs/layout/$name/eval-test-chosen.json"
done
step "done"
