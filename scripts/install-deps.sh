#!/usr/bin/env bash
# Installs the C libraries the package links (OpenBLAS, GSL) when they are missing. Debian/Ubuntu, as root
# (or with sudo). Safe to run again: it does nothing when both are present.
set -euo pipefail
need=()
dpkg -s libopenblas-dev >/dev/null 2>&1 || need+=(libopenblas-dev)
dpkg -s libgsl-dev >/dev/null 2>&1 || need+=(libgsl-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "error: swift is not on PATH; install a Swift 6 toolchain (swift.org) and retry" >&2; exit 1; }
