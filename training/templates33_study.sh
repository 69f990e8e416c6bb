#!/usr/bin/env bash
# Issue 4, session 18: the stacked model trained on all 33 extra templates (six were appended after
# session 17's data was drawn: titles over three lines, validity in other words, listed recipients
# with a lead-in, long subjects). Same recipe as calibration_study.sh otherwise (gen1000 + remix600
# + two plain extra-template sets with their OCR caches + two remixed ones from ground-truth
# lines), drawn at this commit under new names (x33*) so they are not mistaken for session 17's.
# Trains v13k (stacked, token masking) and evaluates it on validation, test, calibration, and on
# test as served with thresholds chosen on validation and on calibration. Resumable.
#
#   nohup bash training/templates33_study.sh > runs/templates33_study.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
source training/study_lib.sh
EPOCHS=${EPOCHS:-10}
THREADS=${THREADS:-2}

extra_template_study x33a x33b data17 v13k
