#!/usr/bin/env bash
# Installs nar's build and run dependencies from Debian's packages (Debian 12).
# Skips apt entirely when everything is already there.
set -euo pipefail
PKGS=(g++ cmake ninja-build pkg-config libtorch-dev libopenblas0-pthread libdnnl-dev
      libopenmpi-dev openmpi-bin libhdf5-dev libonnx-dev libprotobuf-dev protobuf-compiler
      libcli11-dev libspdlog-dev libgtest-dev libtomlplusplus-dev
      librsvg2-bin libpng-dev)  # the report test renders a chart to PNG
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# LibTorch uses whatever libblas.so.3 points to; the reference BLAS is ~10x slower.
if ! update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -q "^Value: .*openblas"; then
  echo "warning: libblas.so.3 is not OpenBLAS; LibTorch will be slow" >&2
fi
