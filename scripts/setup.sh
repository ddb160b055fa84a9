#!/usr/bin/env bash
# Installs dependencies, builds nar (Release), and runs the main job: the quick
# sweep on the bundled real data (NAS-Bench-201), then prints its tables.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
. scripts/blas_core.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
NP=${NP:-3}
OUT=${OUT:-results/quick}
mpirun -np "$NP" --oversubscribe build/bin/nar sweep run examples/quick.toml --out "$OUT" --resume
# The sweep wrote its tables and report when it ended.
cat "$OUT/tables.md"
echo "report: $OUT/report.html"
