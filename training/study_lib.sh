# Shared steps of the unattended layout-model studies (remix_study.sh, extra_templates_study.sh,
# extra_templates_round2.sh). Sourced, not run; SOHOA and PY may be set beforehand. Every step skips
# what an earlier, interrupted run finished, and a training resumes from its checkpoint.
# Run from the repository root.

SOHOA=${SOHOA:-.venv/bin/sohoa}
PY=${PY:-.venv/bin/python}
mkdir -p datasets runs/layout runs/ocr

step() { echo "== $(date -u +%H:%M:%S) $*"; }

# once DIR LABEL CMD...: runs CMD unless DIR/.complete says an earlier run finished it
# (generation.json is written before the datasets folder, so it does not say that). The OCR cache
# skips documents already cached, so an interrupted cache simply runs again. Two scripts that reach
# the same step (a CACHES_ONLY=1 run beside its training) take turns on DIR.lock: the second waits,
# then finds the step done. Without it (session 26) both wrote one dataset and a reader caught a PDF
# half written.
once() {
  local dir=$1 label=$2; shift 2
  [ -f "$dir/.complete" ] && return 0
  mkdir -p "$(dirname "$dir")"
  (
    flock 9
    [ -f "$dir/.complete" ] && exit 0
    step "$label"
    "$@"
    mkdir -p "$dir" && touch "$dir/.complete"
  ) 9> "$dir.lock"
}

# train_layout PREPARED EPOCHS NAME FLAGS...: one layout model, THREADS threads (1), token masking 0.15,
# early stopping on the validation templates (patience 3); skips a finished run.
train_layout() {
  local prepared=$1 epochs=$2 name=$3; shift 3
  [ -f "runs/layout/$name/.complete" ] && return 0
  local resume=()
  [ -f "runs/layout/$name/checkpoint.pt" ] && resume=(--resume)
  OMP_NUM_THREADS=${THREADS:-1} nice "$SOHOA" train layout --prepared "$prepared" --out "runs/layout/$name" \
    --epochs "$epochs" --patience 3 --device cpu --token-mask 0.15 "${resume[@]}" "$@" \
    >> "runs/layout/$name.train.log" 2>&1   # appended: a resumed run keeps the earlier epochs' log
  mkdir -p "runs/layout/$name" && touch "runs/layout/$name/.complete"
}

# train_pair PREPARED EPOCHS STACKED PLAIN: the stacked and the plain model side by side.
train_pair() {
  local prepared=$1 epochs=$2 stacked=$3 plain=$4
  step "train $stacked (stacked) and $plain side by side, $epochs epochs"
  train_layout "$prepared" "$epochs" "$stacked" --stacked & local k=$!
  train_layout "$prepared" "$epochs" "$plain" & local c=$!
  wait $k; wait $c
}

# evaluate_models NAME...: `sohoa eval` of each model on gen1000's held-out validation and test
# templates, then on test as served: merge thresholds chosen on validation (what export ships).
evaluate_models() {
  local name split
  for name in "$@"; do
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
}

# base_data: gen1000 (the held-out templates live here), its OCR cache and remix600 (session 15).
base_data() {
  once datasets/gen1000 "generate gen1000" \
    "$SOHOA" data generate --n 1000 --out datasets/gen1000 --seed 1 --workers 2
  once datasets/remix600 "generate remix600" \
    "$SOHOA" data generate --n 600 --out datasets/remix600 --seed 11 --workers 2 --remix --no-lines
  once runs/ocr/gen1000-sohoa "OCR cache of gen1000" \
    env SOHOA_OCR_THREADS=1 "$PY" -m sohoa.training.ocr_cache datasets/gen1000 --out runs/ocr/gen1000-sohoa --workers 2
}

# prepare_layout OUT SOURCE...: the layout model's prepared data (seed 0, two line variants).
prepare_layout() {
  local out=$1; shift
  local sources
  sources=$(printf "'%s', " "$@")
  once "$out" "prepare $(basename "$out")" \
    "$PY" -c "from pathlib import Path; from sohoa.training.prepare import prepare; \
prepare([Path(p) for p in ($sources)], Path('$out'), seed=0, line_variants=2)"
}

# generate_cached NAME N SEED FLAGS...: datasets/NAME (N documents, page rows only) and its OCR
# cache runs/ocr/NAME-sohoa, so the model trains through the OCR it meets at inference.
generate_cached() {
  local name=$1 n=$2 seed=$3; shift 3
  once "datasets/$name" "generate $name ($*)" \
    "$SOHOA" data generate --n "$n" --out "datasets/$name" --seed "$seed" --workers 2 --no-lines "$@"
  once "runs/ocr/$name-sohoa" "OCR cache of $name" \
    env SOHOA_OCR_THREADS=1 "$PY" -m sohoa.training.ocr_cache "datasets/$name" --out "runs/ocr/$name-sohoa" --workers 2
}

# evaluate_calibrated NAME CACHE...: like evaluate_models, plus the calibration templates (found in
# the extra-template OCR caches CACHE...) and test as served with thresholds chosen there.
evaluate_calibrated() {
  local name=$1; shift
  local data=(--data runs/ocr/gen1000-sohoa) c
  for c in "$@"; do data+=(--data "$c"); done
  evaluate_models "$name"
  if [ ! -f "runs/layout/$name/eval-calibration.json" ]; then
    step "eval $name calibration"
    "$SOHOA" eval --model "runs/layout/$name" "${data[@]}" --split calibration \
      --out "runs/layout/$name/eval-calibration.json"
  fi
  if [ ! -f "runs/layout/$name/eval-test-chosen-calibration.json" ]; then
    step "eval $name test, thresholds chosen on calibration"
    "$SOHOA" eval --model "runs/layout/$name" "${data[@]}" --split test --thresholds-from calibration \
      --out "runs/layout/$name/eval-test-chosen-calibration.json"
  fi
}

# extra_sets A B: the extra-template data of sessions 17-18: A (300 documents, seed 21) and B (400,
# seed 31) plain with their OCR caches, and Ar / Br (same sizes, seeds 22 and 32) remixed from
# train-split templates, ground-truth lines only (no OCR cache: ~20 minutes saved on this 2-core
# machine; the plain sets and gen1000 bring the OCR pages).
extra_sets() {
  local a=$1 b=$2 r
  generate_cached "$a" 300 21 --extra-templates
  generate_cached "$b" 400 31 --extra-templates
  for r in "${a}r 300 22" "${b}r 400 32"; do
    set -- $r
    once "datasets/$1" "generate $1 (remix)" \
      "$SOHOA" data generate --n "$2" --out "datasets/$1" --seed "$3" --workers 2 --no-lines --extra-templates --remix
  done
}

# extra_template_study A B PREPARED NAME: the recipe of sessions 17-18: gen1000 + remix600 + the
# extra sets A, B (extra_sets) prepared as runs/layout/PREPARED, the stacked model NAME trained on
# them (EPOCHS, THREADS), evaluated on validation, test and calibration (evaluate_calibrated).
extra_template_study() {
  local a=$1 b=$2 prepared=runs/layout/$3 name=$4
  base_data
  extra_sets "$a" "$b"
  prepare_layout "$prepared" runs/ocr/gen1000-sohoa datasets/gen1000 datasets/remix600 \
    "runs/ocr/$a-sohoa" "datasets/$a" "datasets/${a}r" "runs/ocr/$b-sohoa" "datasets/$b" "datasets/${b}r"
  step "train $name (stacked), $EPOCHS epochs, $THREADS threads"
  train_layout "$prepared" "$EPOCHS" "$name" --stacked
  evaluate_calibrated "$name" "runs/ocr/$a-sohoa" "runs/ocr/$b-sohoa"
  step "done"
}

# gen NAME N SEED FLAGS...: generator output with ground-truth pages only (no line crops, no
# datasets folder: neither changes a document).
gen() {
  local name=$1 n=$2 seed=$3; shift 3
  once "datasets/$name" "generate $name ($*)" \
    "$SOHOA" data generate --n "$n" --out "datasets/$name" --seed "$seed" --workers 2 --no-lines --no-dataset "$@"
}

# ocr NAME FLAGS...: the OCR cache runs/ocr/NAME-sohoa of datasets/NAME through the served `sohoa`
# engine (FLAGS: e.g. --split calibration).
ocr() {
  local name=$1; shift
  once "runs/ocr/$name-sohoa" "OCR cache of $name $*" \
    env SOHOA_OCR_THREADS=1 "$PY" -m sohoa.training.ocr_cache "datasets/$name" --out "runs/ocr/$name-sohoa" --workers 2 "$@"
}

# eval_served DIR "SPLIT..." MODEL...: `sohoa eval` of each model as served (the thresholds of its
# manifest) on each split of the caches in the array `caches` (--data ... pairs), written to
# DIR/<model>-served-<split>.json; skips a report that exists.
eval_served() {
  local dir=$1 splits=$2 split model file; shift 2
  mkdir -p "$dir"
  for split in $splits; do
    for model in "$@"; do
      file=$dir/$(basename "$model")-served-$split.json
      [ -f "$file" ] && continue
      step "eval $model $split"
      "$SOHOA" eval --model "$model" "${caches[@]}" --split "$split" --out "$file"
    done
  done
}

# real_served DIR MODEL...: the real scans (../shared/bench/real) read once by the rules alone
# (runs/real-cache), then each model applied to the same pages as the pipeline applies it,
# written to DIR/real-<model>.json; skips what exists. Evaluation only.
real_served() {
  local dir=$1 model file; shift
  mkdir -p "$dir"
  once runs/real-cache "rules-only cache of ../shared/bench/real" \
    env SOHOA_OCR_THREADS=1 "$PY" -m sohoa.training.compare cache ../shared/bench/real --out runs/real-cache
  for model in "$@"; do
    file=$dir/real-$(basename "$model").json
    [ -f "$file" ] && continue
    step "real scans, $model"
    "$PY" -m sohoa.training.real_check runs/real-cache --model "$model" --out "$file" > /dev/null
  done
}

# layout_training_data PREPARED SET:SEED...: the many-templates training data (session 23): gen1000
# through the OCR, the extra templates (x33a, x33b) and DEV_DOCS (160) documents of each read fresh
# SET (the seed of its blind set) as noisy ground-truth line pages, prepared as PREPARED (seed 0,
# two line variants) with those fresh splits turned into training data.
layout_training_data() {
  local prepared=$1 spec name sources splits; shift
  local dev_sets=() fresh=()
  gen gen1000 1000 1
  gen x33a 300 21 --extra-templates
  gen x33b 400 31 --extra-templates
  for spec in "$@"; do
    name=${spec%%:*}
    gen "$name-dev" "${DEV_DOCS:-160}" "${spec##*:}" --fresh-templates "$name"
    dev_sets+=("datasets/$name-dev"); fresh+=("$name")
  done
  ocr gen1000
  sources=$(printf "'%s', " runs/ocr/gen1000-sohoa datasets/gen1000 datasets/x33a datasets/x33b "${dev_sets[@]}")
  splits=$(printf "'%s', " "${fresh[@]}")
  once "$prepared" "prepare $(basename "$prepared")" \
    "$PY" -c "from pathlib import Path; from sohoa.training.prepare import prepare; \
prepare([Path(p) for p in ($sources)], Path('$prepared'), seed=0, line_variants=2, \
train_splits=($splits))"
}

# The read blind sets each recipe trains on, at the seed of its blind set: every set read when the
# recipe was written, each list the one before it and the sets read since.
V15K_SETS=(fresh:41 fresh2:43 fresh3:47 fresh4:53 fresh5:59 fresh6:61 fresh7:67 fresh8:71 fresh9:73)
V16K_SETS=("${V15K_SETS[@]}" fresh10:79 fresh11:83 fresh12:89 fresh13:97 fresh14:101 fresh15:103 fresh16:107
  fresh17:109)
V17_SETS=("${V16K_SETS[@]}" fresh18:113 fresh19:127)
V18_SETS=("${V17_SETS[@]}" fresh20:131)
V19_SETS=("${V18_SETS[@]}" fresh21:137 fresh22:139)
V20_SETS=("${V19_SETS[@]}" fresh23:149 fresh24:151)
V21_SETS=("${V20_SETS[@]}" fresh25:157 fresh26:163)
V22_SETS=("${V21_SETS[@]}" fresh27:167 fresh28:173)
V23_SETS=("${V22_SETS[@]}" fresh29:179 fresh30:181)
V24_SETS=("${V23_SETS[@]}" fresh31:191 fresh32:193)
V25_SETS=("${V24_SETS[@]}" fresh33:197 fresh34:199)
V26_SETS=("${V25_SETS[@]}" fresh35:211 fresh36:223)

# v15k_data PREPARED: session 26's training data: layout_training_data with every read blind set of
# sessions 19-23 (fresh to fresh9) at the seed of its blind set.
v15k_data() { layout_training_data "$1" "${V15K_SETS[@]}"; }

# blind_sets SET:SEED...: BLIND_DOCS (240) documents of each evaluation-only SET (its own templates,
# at SEED), generated as datasets/SET-N and OCR-cached as runs/ocr/SET-N-sohoa.
blind_sets() {
  local spec name n=${BLIND_DOCS:-240}
  for spec in "$@"; do
    name=${spec%%:*}-$n
    gen "$name" "$n" "${spec##*:}" --fresh-templates "${spec%%:*}"
    ocr "$name"
  done
}

# v15k_and_sets SET:SEED...: v15k (v15k_data as runs/layout/data26, the stacked model trained on it:
# EPOCHS, THREADS) and the blind sets SET (blind_sets, after the training). With CACHES_ONLY=1 only
# the data and the sets, to be run at nice 19 beside the training; the caller then stops.
v15k_and_sets() {
  v15k_data runs/layout/data26
  if [ "${CACHES_ONLY:-0}" = 1 ]; then blind_sets "$@"; step "caches made (CACHES_ONLY=1)"; return; fi
  step "train v15k (stacked), $EPOCHS epochs, $THREADS threads"
  train_layout runs/layout/data26 "$EPOCHS" v15k --stacked
  blind_sets "$@"
}

# v16k_data PREPARED: session 29's training data: v15k_data's sets plus every blind set read since
# (fresh10 to fresh17), each at the seed of its blind set.
v16k_data() { layout_training_data "$1" "${V16K_SETS[@]}"; }

# v17_data PREPARED: session 30's training data: v16k_data's sets plus fresh18 and fresh19, read
# sets that have judged, each at the seed of its blind set.
v17_data() { layout_training_data "$1" "${V17_SETS[@]}"; }

# v18_data PREPARED: session 31's training data: v17_data's sets plus fresh20 (read, judged), each
# at the seed of its blind set; the OCR pages re-read by this checkout's layout (5822f2e).
v18_data() { layout_training_data "$1" "${V18_SETS[@]}"; }

# v19_data PREPARED: session 32's training data: v18_data's sets plus fresh21 and fresh22 (read,
# judged), each at the seed of its blind set.
v19_data() { layout_training_data "$1" "${V19_SETS[@]}"; }

# v20_data PREPARED: session 33's training data: v19_data's sets plus fresh23 and fresh24 (read,
# judged), each at the seed of its blind set.
v20_data() { layout_training_data "$1" "${V20_SETS[@]}"; }

# v21_data PREPARED: session 34's training data: v20_data's sets plus fresh25 and fresh26 (read,
# judged), each at the seed of its blind set.
v21_data() { layout_training_data "$1" "${V21_SETS[@]}"; }

# v22_data PREPARED: session 35's training data: v21_data's sets plus fresh27 and fresh28 (read,
# judged), each at the seed of its blind set; x33a and x33b drawn from the 45-template extra pool
# (session 34's twelve xo* papers included).
v22_data() { layout_training_data "$1" "${V22_SETS[@]}"; }

# v23_data PREPARED: session 36's training data: v22_data's sets plus fresh29 and fresh30 (read,
# judged), each at the seed of its blind set; x33a and x33b drawn from the 53-template extra pool
# (session 35's xo13-xo20 included).
v23_data() { layout_training_data "$1" "${V23_SETS[@]}"; }

# v24_data PREPARED: the next recipe's training data: v23_data's sets plus fresh31 and fresh32 (read,
# judged in session 36), each at the seed of its blind set, drawn by the generator as fixed in
# session 36 (tests/test_generator_dates_places.py).
v24_data() { layout_training_data "$1" "${V24_SETS[@]}"; }

# v25_data PREPARED: v24_data's sets plus fresh33 and fresh34 (read, judged in session 37), each at
# the seed of its blind set, with the extra pool's xo21-xo32 (session 37) in x33a/x33b's draws.
v25_data() { layout_training_data "$1" "${V25_SETS[@]}"; }

# v26_data PREPARED: v25_data's sets plus fresh35 and fresh36 (read, judged in session 38), each at
# the seed of its blind set, drawn by the generator with session 38's keys (they draw only where used).
v26_data() { layout_training_data "$1" "${V26_SETS[@]}"; }

# merge_variant ZOO OUT FIELD...: a copy of the exported model ZOO whose merge takes the model's
# value of each FIELD whenever it has one (override and fill at 0.0), the rest of the merge as it
# is; the manifest says so. Skips an OUT that exists.
merge_variant() {
  local zoo=$1 out=$2; shift 2
  [ -f "$out/manifest.json" ] && return 0
  step "merge variant $(basename "$out"): the model's $*"
  mkdir -p "$out" && cp "$zoo"/* "$out"/
  "$PY" - "$out/manifest.json" "$@" <<'PY'
import json, sys
path, fields = sys.argv[1], sys.argv[2:]
manifest = json.load(open(path, encoding="utf-8"))
merge = manifest["merge"]
for name in fields:
    merge["override_min_conf"][name] = 0.0
    merge["fill_min_conf"][name] = 0.0
manifest["metrics"]["merge_variant"] = f"the model's value taken whenever it has one for {', '.join(fields)}"
json.dump(manifest, open(path, "w", encoding="utf-8"), ensure_ascii=False, indent=2)
PY
}

# judge_against NAME PREPARED SET:SEED[,SET:SEED...] OUT: the stacked model NAME trained on PREPARED
# (EPOCHS, THREADS, the array TRAIN_FLAGS if set), exported with the merge of BASELINE (a zoo folder,
# layoutlm/v6 unless set) taken as it is, the blind SETs drawn (BLIND_DOCS each; their templates must
# be committed), then NAME and BASELINE evaluated as served on each SET, on the SETs pooled when
# there are several (one split of unseen templates, session 32), on test and validation and on the
# real scans, into OUT (sessions 30 to 36).
judge_against() {
  local name=$1 prepared=$2 out=$4 spec sets=() specs=()
  local baseline=${BASELINE:-models/zoo/layoutlm/v6} n=${BLIND_DOCS:-240}
  IFS=, read -ra specs <<< "$3"
  step "train $name (stacked), $EPOCHS epochs, $THREADS threads ${TRAIN_FLAGS[*]-}"
  train_layout "$prepared" "$EPOCHS" "$name" --stacked ${TRAIN_FLAGS[@]+"${TRAIN_FLAGS[@]}"}
  local zoo=runs/zoo/layoutlm-$name
  once "$zoo" "export $name with $(basename "$baseline")'s merge" \
    "$SOHOA" export --model "runs/layout/$name" --out "$zoo" --eval-data runs/ocr/gen1000-sohoa --timing-pages 20 \
      --merge-of "$baseline"
  for spec in "${specs[@]}"; do
    [ -f "data/resources/templates_${spec%%:*}.yaml" ] || { echo "${spec%%:*}'s templates are not committed yet"; return 1; }
    sets+=("${spec%%:*}")
  done
  blind_sets "${specs[@]}"
  caches=(--data runs/ocr/gen1000-sohoa)
  for spec in "${sets[@]}"; do caches+=(--data "runs/ocr/$spec-$n-sohoa"); done
  local splits="${sets[*]} test validation"
  [ ${#sets[@]} -gt 1 ] && splits="$(IFS=,; echo "${sets[*]}") $splits"
  eval_served "$out" "$splits" "$zoo" "$baseline"   # both as served
  real_served "$out" "$zoo" "$baseline"
}

# judge_against_v6 NAME PREPARED SET:SEED[,SET:SEED...] OUT: judge_against with layoutlm/v6 as the
# baseline (the runners of sessions 30 to 35).
judge_against_v6() { BASELINE=models/zoo/layoutlm/v6 judge_against "$@"; }

# judge_with_variant NAME PREPARED SET:SEED,SET:SEED OUT: judge_against_v6, then the same weights
# with the model's subject, valid_until and issue_date taken (merge_variant, "-b") evaluated as
# served on the pool, each set, test, validation and the real scans (sessions 34 and 35).
judge_with_variant() {
  local name=$1 prepared=$2 out=$4 specs=() sets=() spec
  IFS=, read -ra specs <<< "$3"
  for spec in "${specs[@]}"; do sets+=("${spec%%:*}"); done
  judge_against_v6 "$name" "$prepared" "$3" "$out"
  merge_variant "runs/zoo/layoutlm-$name" "runs/zoo/layoutlm-$name-b" subject valid_until issue_date
  eval_served "$out" "$(IFS=,; echo "${sets[*]}") ${sets[*]} test validation" "runs/zoo/layoutlm-$name-b"
  real_served "$out" "runs/zoo/layoutlm-$name-b"
}

# eval_code_state OUT STATE MODEL SET: MODEL as served on SET, test and validation (gen1000) and on
# the real scans, with the code now in the tree (a judgement's STATE: files checked out of some
# commit), into OUT/STATE-<split>.json and OUT/real-STATE.json; skips what exists.
eval_code_state() {
  local out=$1 state=$2 model=$3 set=$4 split file
  for split in "$set" test validation; do
    file=$out/$state-$split.json
    [ -f "$file" ] && continue
    step "eval $state $split"
    "$SOHOA" eval --model "$model" --data runs/ocr/gen1000-sohoa --data "runs/ocr/$set-240-sohoa" \
      --split "$split" --out "$file" > /dev/null
  done
  [ -f "$out/real-$state.json" ] || "$PY" -m sohoa.training.real_check runs/real-cache --model "$model" \
    --out "$out/real-$state.json" > /dev/null
}
