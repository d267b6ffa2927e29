#!/usr/bin/env bash
# The README's second command: install what is missing, then run the test suite (release build: the
# numerical tests train tiny models). Long checks run only with BRIDGE_LONG_TESTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export OPENBLAS_NUM_THREADS=1
swift build -c release --build-tests
swift test -c release --skip-build "$@"
