# Helpers for the sweep_*.sh tests. Usage in a test: source this file with
#   FAKE=<nar_fake_sweep> MPIRUN=<mpirun> set.
set -u
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
WORK=$(mktemp -d /tmp/nar_sweep_it.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# Lines of runs.log with state $2 ("done", "failed", "interrupted").
count_state() {
    local n
    n=$(grep -c " $2\( \|$\)" "$1/runs.log" 2>/dev/null)
    echo "${n:-0}"
}

# Waits (up to $3 s) until runs.log in $1 has at least $2 "done" lines.
wait_done() {
    local t=0
    while [ "$(count_state "$1" done)" -lt "$2" ]; do
        sleep 0.2; t=$((t + 1))
        [ $t -gt $(( $3 * 5 )) ] && fail "timed out waiting for $2 finished jobs in $1"
    done
}

# Index column lookups: state and attempts of a job id.
# The index is an event log: the last row of a job is its state.
index_field() { awk -F'\t' -v id="$2" -v col="$3" '$1 == id { v = $col } END { print v }' "$1/index.tsv"; }
index_count_state() {
    awk -F'\t' -v s="$2" 'NR > 1 { st[$1] = $2 } END { for (j in st) if (st[j] == s) n++; print n + 0 }' \
        "$1/index.tsv"
}

# Modification times of all complete result files, "path mtime" per line.
result_mtimes() { find "$1" -name '*.h5' -printf '%p %T@\n' | sort; }
