#!/usr/bin/env bash
# Packs what the GPU recipe needs into .rec/ (git-ignored through .git/info/exclude).
set -euo pipefail
N=${1:-300000}
mkdir -p .rec/fonts
mkdir -p "$(git rev-parse --git-dir)/info"; grep -qx "/.rec/" "$(git rev-parse --git-dir)/info/exclude" 2>/dev/null || echo "/.rec/" >> "$(git rev-parse --git-dir)/info/exclude"
PY=.venv/bin/python
$PY - <<'PY'
import os
import shutil
from sohoa.training.recognizer.render import font_paths
from sohoa.training.recognizer.onnxnet import rapidocr_model_path
for p, _ in font_paths():
    shutil.copy(p, ".rec/fonts/")
if os.environ.get("PPOCR", "1") == "1":  # device_runs.sh starts from v1 or from scratch: PPOCR=0
    shutil.copy(rapidocr_model_path(), ".rec/")
PY
$PY -m sohoa.training.recognizer.cli corpus --n "$N" --out .rec/train.txt --seed ${SEED:-1}
gzip -f .rec/train.txt  # a quarter of the size: the working tree that travels is capped at 64 MiB
$PY -m sohoa.training.recognizer.cli corpus --n 3000 --out .rec/val.txt --seed 999
du -sh .rec
