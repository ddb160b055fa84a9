#!/usr/bin/env bash
# local-slurm.sh start|stop|status|env — a one-node Slurm cluster on this machine
# for nar's Slurm tests (Debian 12, Slurm 22.05, root, no systemd).
#
#   start   install the Debian packages when missing, write the config, start
#           munged (as the munge user), slurmctld and slurmd; idempotent: daemons
#           that run with the current config are kept, others are restarted.
#   stop    cancel our jobs, stop the daemons we started (by PID file only).
#   status  the daemons and `sinfo`.
#   env     prints `export SLURM_CONF=…` (eval "$(scripts/local-slurm.sh env)").
#
# Settings (environment):
#   NAR_SLURM_DIR=/tmp/nar-slurm   config, state, spool, logs and PID files
#   NAR_SLURM_CPUS=4               CPUs the node advertises (more than the cores
#                                  is fine: SlurmdParameters=config_overrides)
#   NAR_SLURM_GPUS=2               fake GPUs: GRES backed by links to /dev/null,
#                                  so --gpus-per-node sets CUDA_VISIBLE_DEVICES
#   NAR_SLURM_MAX_ARRAY=1001       MaxArraySize (the tests use a small one)
#   NAR_SLURM_NO_INSTALL=1         never call apt-get (exit 3 when packages lack)
# Exit codes: 0 ok, 1 failure, 3 Slurm cannot be installed here (tests skip).
set -euo pipefail

DIR=${NAR_SLURM_DIR:-/tmp/nar-slurm}
CPUS=${NAR_SLURM_CPUS:-4}
GPUS=${NAR_SLURM_GPUS:-2}
MAX_ARRAY=${NAR_SLURM_MAX_ARRAY:-1001}
ETC=$DIR/etc RUN=$DIR/run LOG=$DIR/log
export SLURM_CONF=$ETC/slurm.conf
# slurmd needs the packages' plugins; libpmix-dev provides the unversioned
# libpmix.so that Slurm's mpi/pmix plugin loads; Open MPI is nar's own dependency.
PACKAGES=(munge slurmctld slurmd slurm-client libpmix-dev openmpi-bin)

say() { echo "local-slurm: $*"; }

# running NAME: the PID in $RUN/NAME.pid is alive and is a NAME process.
running() {
    local pid
    pid=$(cat "$RUN/$1.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] || return 1
    ! grep -q '^State:.*zombie' "/proc/$pid/status" 2>/dev/null
}

# until_ok SECONDS CMD…: retries CMD every 0.2 s.
until_ok() {
    local deadline=$(($(date +%s) + $1))
    shift
    until "$@" > /dev/null 2>&1; do
        [ "$(date +%s)" -lt $deadline ] || { say "timed out: $*" >&2; return 1; }
        sleep 0.2
    done
}

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "${NAR_SLURM_NO_INSTALL:-0}" = 1 ] || [ "$(id -u)" -ne 0 ] || ! command -v apt-get > /dev/null; then
        say "cannot install ${missing[*]} (needs root and apt-get)" >&2
        exit 3
    fi
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" > /dev/null; }; then
        say "apt-get could not install ${missing[*]}" >&2
        exit 3
    fi
}

write_config() {
    mkdir -p "$ETC" "$RUN" "$LOG" "$DIR/state" "$DIR/spool" "$DIR/gpus"
    local mem mpi=none gres="" types="" i
    mem=$(awk '/^MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
    ls /usr/lib/*/pmix2/lib/libpmix.so > /dev/null 2>&1 && mpi=pmix
    if [ "$GPUS" -gt 0 ]; then
        gres="Gres=gpu:$GPUS" types="GresTypes=gpu"
        for ((i = 0; i < GPUS; i++)); do ln -sfn /dev/null "$DIR/gpus/gpu$i"; done
    fi
    # Written to temporaries and moved into place only when they differ, so an
    # unchanged cluster keeps running.
    cat > "$ETC/slurm.conf.new" << EOF
# written by nar scripts/local-slurm.sh
ClusterName=narlocal
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=$mpi
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SlurmdParameters=config_overrides
EnforcePartLimits=ALL
ReturnToService=2
MaxArraySize=$MAX_ARRAY
MinJobAge=30
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$LOG/jobcomp.log
$types
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmdSpoolDir=$DIR/spool
StateSaveLocation=$DIR/state
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$mem $gres State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE MaxNodes=1 State=UP
EOF
    if [ "$GPUS" -gt 0 ]; then
        printf 'AutoDetect=off\nNodeName=localhost Name=gpu File=%s/gpus/gpu[0-%d]\n' \
            "$DIR" $((GPUS - 1)) > "$ETC/gres.conf.new"
    else
        : > "$ETC/gres.conf.new"
    fi
    local f
    for f in slurm.conf gres.conf; do
        if cmp -s "$ETC/$f.new" "$ETC/$f"; then rm "$ETC/$f.new"; else mv "$ETC/$f.new" "$ETC/$f"; fi
        chmod 644 "$ETC/$f"
    done
    # Clients without SLURM_CONF (a batch job's own srun) find it in /etc/slurm;
    # a real file there belongs to someone else and is left alone.
    mkdir -p /etc/slurm
    for f in slurm.conf gres.conf; do
        if [ -e /etc/slurm/$f ] && [ ! -L /etc/slurm/$f ]; then
            say "note: /etc/slurm/$f is not ours; clients need SLURM_CONF=$SLURM_CONF"
        else
            ln -sfn "$ETC/$f" /etc/slurm/$f
        fi
    done
}

start_munge() {
    if munge -n 2> /dev/null | unmunge > /dev/null 2>&1; then return 0; fi
    install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
    install -d -o munge -g munge -m 0755 /run/munge
    [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 600 /etc/munge/munge.key
    runuser -u munge -- /usr/sbin/munged
    until_ok 10 bash -c 'munge -n | unmunge'
    cp /run/munge/munged.pid "$RUN/munged.pid" # ours: stop may end it
    say "munged started"
}

# (Re)starts daemon $1 with arguments $2… unless it runs with this config.
start_daemon() {
    local name=$1 hash
    shift
    hash=$(cat "$ETC/slurm.conf" "$ETC/gres.conf" | md5sum | cut -d' ' -f1)
    if running "$name" && [ "$(cat "$RUN/$name.hash" 2> /dev/null)" != "$hash" ]; then
        say "config changed: restarting $name"
        stop_daemon "$name"
    fi
    if running "$name"; then return 0; fi
    "$@"
    until_ok 30 running "$name"
    echo "$hash" > "$RUN/$name.hash"
    say "$name started (pid $(cat "$RUN/$name.pid"))"
}

stop_daemon() {
    local pid i
    running "$1" || { rm -f "$RUN/$1.pid" "$RUN/$1.hash"; return 0; }
    pid=$(cat "$RUN/$1.pid")
    kill -TERM "$pid"
    for ((i = 0; i < 100; i++)); do running "$1" || break; sleep 0.2; done
    running "$1" && kill -KILL "$pid"
    rm -f "$RUN/$1.pid" "$RUN/$1.hash"
    say "stopped $1 (pid $pid)"
}

node_ready() { sinfo -h -n localhost -o %t | grep -Eq '^(idle|mix|alloc|comp)'; }

start() {
    install_packages
    write_config
    start_munge
    start_daemon slurmctld slurmctld
    until_ok 30 bash -c 'scontrol ping | grep -q UP'
    start_daemon slurmd slurmd -N localhost
    if ! until_ok 20 node_ready; then
        scontrol update NodeName=localhost State=RESUME || true
        until_ok 20 node_ready
    fi
    sinfo -N -o '%N %P %c %G %t'
}

stop() {
    if running slurmctld; then
        local ids
        ids=$(squeue -h -o %A 2> /dev/null | sort -u | tr '\n' ' ')
        if [ -n "${ids// /}" ]; then
            say "cancelling jobs $ids"
            # shellcheck disable=SC2086
            scancel $ids || true
            until_ok 20 bash -c '[ -z "$(squeue -h)" ]' || true
        fi
    fi
    stop_daemon slurmd
    stop_daemon slurmctld
    if running munged && [ "$(cat /run/munge/munged.pid 2> /dev/null)" = "$(cat "$RUN/munged.pid")" ]; then
        stop_daemon munged
    fi
    rm -f "$RUN/munged.pid"
}

status() {
    local d rc=0
    if munge -n 2> /dev/null | unmunge > /dev/null 2>&1; then echo "munged: running"; else echo "munged: not running"; rc=1; fi
    for d in slurmctld slurmd; do
        if running $d; then echo "$d: running (pid $(cat "$RUN/$d.pid"))"; else echo "$d: not running"; rc=1; fi
    done
    [ $rc = 0 ] && sinfo -N -o '%N %P %c %G %t'
    return $rc
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env) echo "export SLURM_CONF=$SLURM_CONF" ;;
    *)
        echo "usage: $0 start|stop|status|env" >&2
        exit 2
        ;;
esac
