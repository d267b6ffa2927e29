#!/usr/bin/env bash
# The README's first command: install what is missing, build in release mode, check the numerics
# libraries, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release
BRIDGE=.build/release/bridge
"$BRIDGE" doctor
"$BRIDGE" bench kernels --out results/bench/kernels.csv
