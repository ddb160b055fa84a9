#!/usr/bin/env bash
# Installs dependencies, builds everything (Release), runs the whole test suite,
# and compiles the NCCL backend when CUDA/NCCL headers are present (no GPU needed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
BUILD_DIR=${BUILD_DIR:-build} scripts/build.sh
NAR_BIN="${BUILD_DIR:-build}/bin/nar" . scripts/blas_core.sh
if [ -f /usr/local/cuda/include/nccl.h ]; then
  echo "compiling the NCCL backend (-DNAR_WITH_NCCL=ON)"
  cmake -S . -B build-nccl -G Ninja -DCMAKE_BUILD_TYPE=Release -DNAR_WITH_NCCL=ON \
        -DNAR_BUILD_TESTS=OFF -DNAR_BUILD_BENCH=OFF >/dev/null
  ninja -C build-nccl runner/CMakeFiles/nar_runner.dir/communicator_nccl.cpp.o
fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" "$@"
