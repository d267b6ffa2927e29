#!/bin/bash
# The decoder's GEMMs through OpenBLAS (weights re-packed on every call) against a kernel on weights packed
# once, for the tiny, small and medium presets (docs/gpt.md, "Packing"). Builds scripts/decode_gemm_probe
# with swiftc; TARGET_CPU (default znver4: 32 vector registers, so the 6×16 block does not spill; haswell
# spills three accumulators and measures the spills instead) selects the code generation.
# Usage: scripts/decode-gemm-probe.sh   (from the repository root; needs libopenblas)
set -euo pipefail
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
swiftc -O -wmo -target-cpu "${TARGET_CPU:-znver4}" scripts/decode_gemm_probe/main.swift -o "$dir/probe" -lopenblas
export OPENBLAS_NUM_THREADS=1
for shape in "256 6" "128 4" "64 2"; do "$dir/probe" $shape 64; done
