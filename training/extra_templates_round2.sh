#!/usr/bin/env bash
# Issue 4, session 16, round 2 of training/extra_templates_study.sh (run that first): 800 more
# documents from all 27 training-only templates (10 added after round 1), half remixed, through
# the OCR cache; data15 = data14 + them; the stacked (v11k) and plain (v11c) models trained for 7
# epochs (the session's time), evaluated like v10k/v10c. Resumable like round 1.
#
#   nohup bash training/extra_templates_round2.sh > runs/extra_round2.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
SOHOA=${SOHOA:-.venv/bin/sohoa}
PY=${PY:-.venv/bin/python}
EPOCHS=${EPOCHS:-7}

step() { echo "== $(date -u +%H:%M:%S) $*"; }
once() {  # DIR LABEL CMD...: runs CMD unless DIR/.complete says an earlier run finished it
  local dir=$1 label=$2; shift 2
  [ -f "$dir/.complete" ] && return 0
  step "$label"
  "$@"
  mkdir -p "$dir" && touch "$dir/.complete"
}
[ -f runs/layout/data14/.complete ] || { echo "run training/extra_templates_study.sh first (data14)"; exit 1; }
once datasets/extra400b "generate extra400b (27 training-only templates)" \
  "$SOHOA" data generate --n 400 --out datasets/extra400b --seed 31 --workers 2 --extra-templates --no-lines
once datasets/extra400br "generate extra400br (27 training-only templates, remixed)" \
  "$SOHOA" data generate --n 400 --out datasets/extra400br --seed 32 --workers 2 --extra-templates --remix --no-lines
once runs/ocr/extra400b-sohoa "OCR cache of extra400b" \
  env SOHOA_OCR_THREADS=1 "$PY" -m sohoa.training.ocr_cache datasets/extra400b --out runs/ocr/extra400b-sohoa --workers 2
once runs/ocr/extra400br-sohoa "OCR cache of extra400br" \
  env SOHOA_OCR_THREADS=1 "$PY" -m sohoa.training.ocr_cache datasets/extra400br --out runs/ocr/extra400br-sohoa --workers 2
[ -f runs/layout/v10k/.complete ] || { echo "waiting for round 1's trainings"; exit 0; }
once runs/layout/data15 "prepare data15" \
  "$PY" -c "from pathlib import Path; from sohoa.training.prepare import prepare; \
prepare([Path(p) for p in ('runs/ocr/gen1000-sohoa', 'datasets/gen1000', 'datasets/remix600', \
'runs/ocr/extra300-sohoa', 'datasets/extra300', 'runs/ocr/extra300r-sohoa', 'datasets/extra300r', \
'runs/ocr/extra400b-sohoa', 'datasets/extra400b', 'runs/ocr/extra400br-sohoa', 'datasets/extra400br')], \
Path('runs/layout/data15'), seed=0, line_variants=2)"

train() {  # NAME FLAGS...
  local name=$1; shift
  [ -f "runs/layout/$name/.complete" ] && return 0
  local resume=()
  [ -f "runs/layout/$name/checkpoint.pt" ] && resume=(--resume)
  OMP_NUM_THREADS=1 nice "$SOHOA" train layout --prepared runs/layout/data15 --out "runs/layout/$name" \
    --epochs "$EPOCHS" --patience 3 --device cpu --token-mask 0.15 "${resume[@]}" "$@" \
    >> "runs/layout/$name.train.log" 2>&1
  mkdir -p "runs/layout/$name" && touch "runs/layout/$name/.complete"
}
step "train v11k (stacked) and v11c side by side, $EPOCHS epochs"
train v11k --stacked & k=$!
train v11c & c=$!
wait $k; wait $c

for name in v11k v11c; do
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
