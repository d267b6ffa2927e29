# Sourced, not run: the project venv .venv and the pinned PyTorch CPU wheel, shared by bench-peer.sh,
# hf-check.sh and test-notebooks.sh. The caller defines `missing MESSAGE`, which prints its own fix and exits.
TORCH_VERSION="2.13.0+cpu"
# torch's pure-Python dependencies, installed one by one from the ordinary index.
TORCH_DEPS=(filelock typing_extensions sympy mpmath networkx jinja2 MarkupSafe fsspec)

# venv_python ROOT: creates ROOT/.venv when missing and sets PY to its interpreter.
venv_python() {
  command -v python3 >/dev/null || missing "python3 is not on PATH"
  [ -x "$1/.venv/bin/python" ] || python3 -m venv "$1/.venv" || missing "could not create the venv .venv (install python3-venv)"
  PY="$1/.venv/bin/python"
}

# venv_torch: installs torch==$TORCH_VERSION into $PY's venv when it is missing. --no-deps: pip finds the CPU
# wheel only in a local wheel folder named by pip's find-links (PyPI's default is the CUDA build), then
# the dependencies come from the ordinary index.
venv_torch() {
  "$PY" -c "import torch" >/dev/null 2>&1 && return 0
  echo "installing torch==$TORCH_VERSION into .venv (no dependencies: only the CPU wheel qualifies)" >&2
  "$PY" -m pip install -q --no-deps "torch==$TORCH_VERSION" \
    || missing "pip found no torch==$TORCH_VERSION wheel (pip config: $("$PY" -m pip config list 2>/dev/null | tr '\n' ' '))"
  "$PY" -m pip install -q "${TORCH_DEPS[@]}" || missing "could not install torch's dependencies ${TORCH_DEPS[*]}"
}
