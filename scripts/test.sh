#!/usr/bin/env bash
# The README's second command: install what is missing, then run the test suite (release build: the
# numerical tests train tiny models), then execute the exported notebooks against their committed data.
# Long checks run only with BRIDGE_LONG_TESTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export OPENBLAS_NUM_THREADS=1
swift build -c release --build-tests
# The test processes load OpenBLAS themselves: give them the core `bridge` selects (BRIDGE_BLAS_CORE, see
# docs/kernels.md); prints nothing, and changes nothing, when OpenBLAS's own choice stands or
# OPENBLAS_CORETYPE is already set.
eval "$(.build/release/bridge doctor --export-env)"
.build/release/bridge doctor
swift test -c release --skip-build "$@"
bash scripts/test-notebooks.sh
