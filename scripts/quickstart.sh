#!/usr/bin/env bash
# The README's first command: install what is missing, build in release mode, check the numerics
# libraries, and run the main job: the main_table study with its quick preset (minutes on 2 cores).
# A second run reuses every finished run and the cached base model, and finishes at once.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release
BRIDGE=.build/release/bridge
"$BRIDGE" doctor
"$BRIDGE" study run studies/main_table.yaml --preset quick "$@"
# The notebook goes beside this run's results: notebooks-export/ holds the committed notebooks of
# docs/results/ (the test command executes those), which an export must not replace.
"$BRIDGE" study export results/main_table-quick --notebook-dir results/main_table-quick
"$BRIDGE" study table results/main_table-quick --pivot --metric eval/in_range_mean_accuracy:final --metric eval/mean_accuracy:final --metric eval/b*/accuracy:final
echo
echo "Results: results/main_table-quick/ (runs.csv, summary.csv, paired.csv, metrics.csv, timings.csv, manifest.json, figures/, main_table-quick.ipynb)"
