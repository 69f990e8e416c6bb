# Two commands for a fresh machine:
#   make run   — install everything, process the bundled sample scan into out/, then start the
#                service (API + review page) on the embedded SQLite database and print its URL
#   make test  — install everything, run the whole test suite (what CI runs)
# Also: make process (the sample only), make serve, make bench, make schema.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
SOHOA  := $(VENV)/bin/sohoa
# Debian packages the pipeline and its tests use. fonts-liberation2, not fonts-liberation:
# the 1.07 fonts draw Vietnamese letters with stacked marks as boxes.
# hunspell-vi: Vietnamese syllables for the recognizer's training corpus. fonts-liberation (1.07)
# only for the test that checks the generator refuses it.
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie fonts-liberation2 fonts-dejavu-core fonts-noto-core chromium \
                hunspell-vi fonts-liberation

.PHONY: setup system-deps run process serve test bench schema clean

setup: system-deps $(VENV)/.installed

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "missing Debian packages:$$missing — run: sudo apt-get install$$missing" >&2; exit 1; fi; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# train brings torch 2.13.0 (CPU), transformers and onnx: the training and export tests need them
	$(PY) -m pip install -q -e ".[dev,data,train]"
	touch $@

run: process serve

process: setup
	$(SOHOA) process data/samples --out out
	@$(PY) -c "import json,glob; r=json.load(open(sorted(glob.glob('out/*.json'))[0])); \
	print('doc_type:', r['doc_type']['label'], r['doc_type']['confidence']); \
	[print(f'  {k}: {v[\"value\"]}') for k, v in r['fields'].items()]"

serve: setup
	$(SOHOA) serve

test: setup
	$(PY) -m pytest -q

bench: setup
	$(SOHOA) bench ../shared/bench/real --out out/bench-real

schema: setup
	$(SOHOA) schema > models/result.schema.json

clean:
	rm -rf out .pytest_cache
