# Helpers for the tests/slurm/*.sh integration tests on the local Slurm of
# scripts/local-slurm.sh. Source with NAR and SRC set. Exit 77 = skipped.
set -u
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
eval "$("$SRC/scripts/local-slurm.sh" env)"
if ! command -v sbatch > /dev/null || ! "$SRC/scripts/local-slurm.sh" status > /dev/null 2>&1; then
    echo "SKIP: no local Slurm (scripts/local-slurm.sh start could not install or start it)"
    exit 77
fi
WORK=$(mktemp -d /tmp/nar_slurm_it.XXXXXX)
chmod 755 "$WORK"
HURRY_PID=
cleanup() {
    [ -n "$HURRY_PID" ] && kill "$HURRY_PID" 2> /dev/null
    # Jobs of this test only: those recorded in its results directories.
    for t in "$WORK"/*/slurm/jobs.tsv; do
        [ -f "$t" ] && awk -F'\t' 'NR > 1 { print $1 }' "$t" | xargs -r scancel 2> /dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$WORK"/*/slurm/*.out "$WORK"/*/slurm/*.err; do
        [ -f "$f" ] && { echo "--- $f"; grep -v ' epoch ' "$f" | tail -40; }
    done
    exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# A field (JobState, Restarts, ExitCode…) of a job, "" when Slurm forgot it.
job_field() { scontrol -o show job "$1" 2> /dev/null | head -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# Job id of row kind $2 (sweep|array|tables) in OUT $1's jobs.tsv (the last such row).
recorded_id() { awk -F'\t' -v k="$2" 'NR > 1 && $2 == k { id = $1 } END { print id }' "$1/slurm/jobs.tsv"; }

# until_true SECONDS WHAT CMD…
until_true() {
    local limit=$1 what=$2 end
    shift 2
    end=$(($(date +%s) + limit))
    until "$@"; do
        [ "$(date +%s)" -lt $end ] || fail "timed out after ${limit}s waiting for $what"
        sleep 0.25
    done
}
job_ended() {
    local s
    s=$(job_field "$1" JobState)
    case $s in PENDING | RUNNING | REQUEUED | COMPLETING | CONFIGURING | SUSPENDED) return 1 ;; esac
    return 0
}
# The sweep has ended and so has the newest tables job (after a requeue the
# tables job resubmits itself: jobs.tsv then names the new one), and tables.md is there.
tables_done() {
    local t
    t=$(recorded_id "$1" tables)
    job_ended "$t" && [ "$(recorded_id "$1" tables)" = "$t" ] && [ -s "$1/tables.md" ]
}
job_running() { [ "$(job_field "$1" JobState)" = RUNNING ]; }
# Rows of OUT's index with state $2 (the last row of a job wins).
index_count() {
    cat "$1"/index*.tsv 2> /dev/null | awk -F'\t' -v s="$2" '$1 != "job_id" { st[$1] = $2 }
        END { n = 0; for (j in st) if (st[j] == s) n++; print n }'
}
# A tiny NB201 sweep: $2 repeats × 2 attention scopes, $3 epochs, $4 training cells.
write_sweep() {
    cat > "$1" << TOML
name = "slurmtest"
repeats = $2
[defaults]
train_count = ${4:-64}
val_count = 32
test = "rest"
hidden = 32
layers = 1
lr = 1e-3
epochs = $3
threads = 1
[studies.acc]
study = "nb201-accuracy"
attention = ["local", "global"]
TOML
}

# Slurm 22.05 holds a requeued job for about 2 minutes (Reason=BeginTime).
# The tests release their jobs at once instead, in the background.
hurry_requeued() {
    (
        while :; do
            for id in "$@"; do
                # (after a few seconds, as the node cleans up the stopped run)
                [ "$(job_field "$id" Reason)" = BeginTime ] && sleep 3 &&
                    scontrol update JobId="$id" StartTime=now > /dev/null 2>&1
            done
            sleep 0.3
        done
    ) &
    HURRY_PID=$!
}
