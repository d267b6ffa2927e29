#!/usr/bin/env bash
# The README's second command: install what is missing, then run the test suite (release build: the
# numerical tests train tiny models) with a local one-node Slurm for the cluster tests, then execute the
# exported notebooks against their committed data. Long checks run only with BRIDGE_LONG_TESTS=1.
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
# A real one-node Slurm for the cluster tests (SlurmClusterTests): installed and started here (as root),
# stopped on exit. Not root and Slurm not installed: those tests are skipped, with the reason.
slurm_status=0
slurm_env=$(bash scripts/slurm-local.sh start) || slurm_status=$?
if [ "$slurm_status" -eq 0 ]; then
  trap 'bash scripts/slurm-local.sh stop' EXIT
  eval "$slurm_env"
  export BRIDGE_SLURM_TESTS=1
elif [ "$slurm_status" -eq 3 ]; then
  echo "no Slurm (not root, not installed): the Slurm cluster tests are skipped"
else
  echo "error: scripts/slurm-local.sh could not start a local Slurm (exit $slurm_status); its logs are under ${BRIDGE_SLURM_DIR:-/tmp/bridge-slurm-$(id -u)}/log" >&2
  exit 1
fi
swift test -c release --skip-build "$@"
bash scripts/test-notebooks.sh
