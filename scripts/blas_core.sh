# Sourced by the scripts after the build: exports the OpenBLAS kernel and the
# start-up settings (thread pools, heap) nar picks on this machine (`nar blas-core --env`), so
# every mpirun child starts with them and none has to re-execute itself. A
# user's own values are kept (nar reports them as they are).
_nar_set=""
while IFS='=' read -r _nar_k _nar_v; do
  if [[ $_nar_k =~ ^[A-Z_][A-Z0-9_]*$ ]]; then
    export "$_nar_k=$_nar_v"
    _nar_set+=" $_nar_k=$_nar_v"
  fi
done < <("${NAR_BIN:-build/bin/nar}" blas-core --env 2>/dev/null || true)
echo "nar start-up settings:${_nar_set:- none (OpenBLAS default kernel)}"
unset _nar_k _nar_v _nar_set
