#!/usr/bin/env bash
# Checks a `bridge export-hf` folder with transformers and peft: scripts/hf-check.sh HF_DIR SCORE_JSON TEXT
# (see scripts/hf-check.py). Uses the project venv .venv, installing what is missing: the PyTorch CPU
# wheel (pip finds it only in a local wheel folder named by pip's find-links, as for scripts/bench-peer.sh)
# and transformers + peft from PyPI. Exits 2 with "hf-check missing:" when they cannot be installed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TORCH_VERSION="2.13.0+cpu"
TORCH_DEPS=(filelock typing_extensions sympy mpmath networkx jinja2 MarkupSafe fsspec)
missing() { echo "hf-check missing: $1" >&2; exit 2; }
command -v python3 >/dev/null || missing "python3 is not on PATH"
[ -x "$ROOT/.venv/bin/python" ] || python3 -m venv "$ROOT/.venv" || missing "could not create the venv .venv (install python3-venv)"
PY="$ROOT/.venv/bin/python"
if ! "$PY" -c "import torch" 2>/dev/null; then
  "$PY" -m pip install -q --no-deps "torch==$TORCH_VERSION" || missing "pip found no torch==$TORCH_VERSION wheel (a local wheel folder in pip's find-links)"
  "$PY" -m pip install -q "${TORCH_DEPS[@]}" || missing "could not install torch's dependencies"
fi
"$PY" -c "import transformers, peft" 2>/dev/null || "$PY" -m pip install -q transformers peft || missing "pip could not install transformers and peft (is PyPI reachable?)"
exec "$PY" "$ROOT/scripts/hf-check.py" "$@"
