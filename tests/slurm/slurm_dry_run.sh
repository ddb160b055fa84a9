#!/usr/bin/env bash
# slurm_dry_run.sh NAR SRC — nar slurm submit --dry-run for 4 nodes × 8 GPUs
# through the command line (needs no Slurm): the #SBATCH lines, the srun
# line, the explicit environment; nothing written; bad options refused.
NAR=$1 SRC=$2
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
W=$(mktemp -d /tmp/nar_slurm_dry.XXXXXX)
trap 'rm -rf "$W"' EXIT
cp "$SRC/examples/quick.toml" "$W/q.toml"
NARABS=$(readlink -f "$NAR")
out=$(cd "$W" && SLURM_CPU_BIND=cores OPENBLAS_CORETYPE=Haswell LD_LIBRARY_PATH=/opt/lib \
      "$NAR" slurm submit q.toml repeats=2 --out res --nodes 4 --gpus-per-node 8 --time 12:00:00 \
      --partition gpu --account proj --qos high --ranks-per-job 4 --signal-lead 300 \
      --max-requeues 5 --sbatch-arg=--exclusive --dry-run) || fail "dry run failed"
echo "$out"
expected="#SBATCH --job-name=nar-quick
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=8
#SBATCH --gpus-per-node=8
#SBATCH --time=12:00:00
#SBATCH --partition=gpu
#SBATCH --account=proj
#SBATCH --qos=high
#SBATCH --output=$W/res/slurm/%j.out
#SBATCH --error=$W/res/slurm/%j.err
#SBATCH --open-mode=append
#SBATCH --export=NONE
#SBATCH --signal=B:USR1@300
#SBATCH --requeue
#SBATCH --exclusive"
got=$(echo "$out" | sed '/^# ---- /q' | grep '^#SBATCH')
[ "$got" = "$expected" ] || { diff <(echo "$expected") <(echo "$got"); fail "#SBATCH lines"; }
line() { echo "$out" | grep -qxF -- "$1" || fail "missing line: $1"; }
line "NAR='$NARABS'"
line "OUT='$W/res'"
line "export PATH='$(dirname "$NARABS"):/usr/local/bin:/usr/bin:/bin'"
line "export LD_LIBRARY_PATH='/opt/lib'"
line "export OPENBLAS_CORETYPE='Haswell'"
line "export OMP_NUM_THREADS=\${SLURM_CPUS_PER_TASK:-1}"
line "MAX_REQUEUES=5"
line "trap 'forward USR1' USR1"
echo "$out" | grep -q "SLURM_CPU_BIND" && fail "the submitting shell's SLURM_CPU_BIND leaked"
echo "$out" | grep -q "^  srun --export=ALL --mpi=pmix --kill-on-bad-exit=1 /bin/sh -c .* nar \"\$NAR\" sweep run '$W/q.toml' --out \"\$OUT\" --resume --ranks-per-job 4 'repeats=2' &\$" \
    || fail "srun line"
echo "$out" | grep -q "aggregate \"\$OUT\" --sweep '$W/q.toml' --set 'repeats=2' > \"\$OUT/tables.md.tmp\"" || fail "tables job"
[ ! -e "$W/res" ] || fail "--dry-run wrote files"
# The rendered scripts are valid bash.
echo "$out" | bash -n || fail "script is not valid bash"
# Clear errors, exit 1, nothing written.
for bad in "--array 0" "--array 3%4" "--time 1:2:3:4" "--signal-lead 999 --time 00:10:00" \
           "--nodes 1 --gpus-per-node 2 --ranks-per-job 2"; do
    # shellcheck disable=SC2086
    msg=$(cd "$W" && "$NAR" slurm submit q.toml --out res $bad --dry-run 2>&1)
    [ $? = 1 ] || fail "'$bad' accepted: $msg"
    echo "$bad -> $msg"
done
[ ! -e "$W/res" ] || fail "a refused submission wrote files"
echo "PASS"
