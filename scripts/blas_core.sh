# Sourced by the scripts after the build: exports the OpenBLAS kernel nar picks
# on this machine (see `nar blas-core`), so every mpirun child starts with the
# same kernels and none has to re-execute itself. A user's OPENBLAS_CORETYPE wins.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  _nar_core=$("${NAR_BIN:-build/bin/nar}" blas-core 2>/dev/null || true)
  case "$_nar_core" in
    ""|UNKNOWN) ;;
    *) export OPENBLAS_CORETYPE="$_nar_core" ;;
  esac
  unset _nar_core
fi
echo "OpenBLAS core: ${OPENBLAS_CORETYPE:-OpenBLAS default}"
