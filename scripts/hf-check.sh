#!/usr/bin/env bash
# Checks a `bridge export-hf` folder with transformers and peft: scripts/hf-check.sh HF_DIR SCORE_JSON TEXT
# (see scripts/hf-check.py). Uses the project venv .venv, installing what is missing: the PyTorch CPU
# wheel (pip finds it only in a local wheel folder named by pip's find-links, as for scripts/bench-peer.sh)
# and transformers + peft from PyPI. Exits 2 with "hf-check missing:" when they cannot be installed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/venv.sh"
missing() { echo "hf-check missing: $1" >&2; exit 2; }
venv_python "$ROOT"
venv_torch
"$PY" -c "import transformers, peft" 2>/dev/null || "$PY" -m pip install -q transformers peft || missing "pip could not install transformers and peft (is PyPI reachable?)"
exec "$PY" "$ROOT/scripts/hf-check.py" "$@"
