#!/usr/bin/env bash
# Measures the PyTorch CPU peer of `bridge bench model` on this machine and writes its figures (JSONL),
# for `bridge bench model --peer FILE`: the same models, batches and timing, measured side by side.
#
#   scripts/bench-peer.sh [--out FILE] [--sizes tiny,small,medium] [--modes train,lora,sample] [--batches 16,64] [--min-seconds S]
#
# It uses the project venv .venv (created if missing) and installs the PyTorch CPU wheel there when it is
# missing: `pip install --no-deps torch==2.13.0+cpu`, which pip finds only in a local wheel folder named by
# the machine's pip configuration (find-links); the PyPI default is the CUDA build, which needs the CUDA
# runtime and is never installed here. Without that wheel the script says the peer is missing and exits 1;
# `bridge bench model` without --peer still runs (against stored figures, labelled as such).
# OPENBLAS_CORETYPE is left as the environment has it; torch uses its own BLAS (MKL) either way.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

missing() {
  echo "peer missing: $1" >&2
  echo "  The side-by-side peer needs the PyTorch CPU wheel (torch==$TORCH_VERSION) in a local wheel folder" >&2
  echo "  (pip's find-links, e.g. PIP_FIND_LINKS=/path/to/wheels). Without it, 'bridge bench model' still runs" >&2
  echo "  and compares with the stored figures it names." >&2
  exit 1
}

venv_python "$PWD"
venv_torch
version=$("$PY" -c "import torch; print(torch.__version__)" 2>&1) || missing "'import torch' fails in .venv: $version"
case "$version" in
  *+cpu) ;;
  *) missing "'.venv' has torch $version, not a CPU build; remove .venv and run again" ;;
esac
exec "$PY" scripts/bench_peer.py "$@"
