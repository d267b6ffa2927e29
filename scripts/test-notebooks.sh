#!/usr/bin/env bash
# Executes every notebook in notebooks-export/ against its study's committed data (scripts/run-notebooks.py),
# in the project venv .venv (gitignored), created with nbclient, ipykernel, pandas and matplotlib from
# PyPI when they are missing. Called by scripts/test.sh; BRIDGE_SKIP_NOTEBOOKS=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BRIDGE_SKIP_NOTEBOOKS:-0}" = 1 ]; then echo "notebooks: skipped (BRIDGE_SKIP_NOTEBOOKS=1)"; exit 0; fi
PACKAGES=(nbclient nbformat ipykernel pandas matplotlib)
fail() {
  echo "notebooks: $1" >&2
  echo "  The notebooks in notebooks-export/ need a Python venv .venv with ${PACKAGES[*]} (pip install from PyPI)." >&2
  echo "  Fix the network or pip's index (pip config list), or skip this check with BRIDGE_SKIP_NOTEBOOKS=1." >&2
  exit 1
}
source scripts/venv.sh
missing() { fail "$1"; }
venv_python "$PWD"
if ! "$PY" -c "import nbclient, nbformat, ipykernel, pandas, matplotlib" 2>/dev/null; then
  echo "notebooks: installing ${PACKAGES[*]} into .venv"
  "$PY" -m pip install -q --disable-pip-version-check "${PACKAGES[@]}" \
    || fail "pip could not install ${PACKAGES[*]} (is PyPI reachable?)"
fi
"$PY" scripts/run-notebooks.py
