#include "slurm/batch_script.h"

#include <sstream>

#include "common/error.h"
#include "common/startup_env.h"

namespace nar::slurm {

namespace {

using common::Error;

std::string dir_of(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

// The #SBATCH lines shared by every script of a submission.
void common_directives(std::ostringstream& s, const SubmitOptions& o) {
    s << "#SBATCH --time=" << o.time << "\n";
    if (!o.partition.empty()) s << "#SBATCH --partition=" << o.partition << "\n";
    if (!o.account.empty()) s << "#SBATCH --account=" << o.account << "\n";
    if (!o.qos.empty()) s << "#SBATCH --qos=" << o.qos << "\n";
}

void log_directives(std::ostringstream& s, const ScriptContext& ctx, const std::string& pattern) {
    s << "#SBATCH --output=" << ctx.out_dir << "/slurm/" << pattern << ".out\n";
    s << "#SBATCH --error=" << ctx.out_dir << "/slurm/" << pattern << ".err\n";
    s << "#SBATCH --open-mode=append\n";
    // Nothing of the submitting shell reaches the job (inherited SLURM_CPU_BIND
    // and the like slow jobs down silently); the script sets what it needs.
    s << "#SBATCH --export=NONE\n";
}

void environment(std::ostringstream& s, const ScriptContext& ctx) {
    s << "set -u\n";
    for (const auto& [k, v] : ctx.env) s << "export " << k << "=" << shell_quote(v) << "\n";
    s << "export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}\n";
    s << "export OPENBLAS_NUM_THREADS=$OMP_NUM_THREADS MKL_NUM_THREADS=$OMP_NUM_THREADS\n";
    // sbatch --export=NONE sets this for the batch shell; job steps need all of it.
    s << "unset SLURM_EXPORT_ENV\n";
    s << "NAR=" << shell_quote(ctx.nar_path) << "\n";
    s << "OUT=" << shell_quote(ctx.out_dir) << "\n";
}

std::string sweep_args(const SubmitOptions& o, const ScriptContext& ctx) {
    std::string a = "\"$NAR\" sweep run " + shell_quote(ctx.sweep_file) + " --out \"$OUT\"";
    a += " --resume --ranks-per-job " + std::to_string(o.ranks_per_job);
    if (o.force) a += " --force";
    for (const auto& ov : o.overrides) a += " " + shell_quote(ov);
    return a;
}

// Each rank appends its rank, node-local rank and visible GPUs to
// OUT/slurm/ranks-<job>.txt, then becomes nar (exec keeps the signal path).
const char* kRankRecord =
    "/bin/sh -c 'echo \"rank=${OMPI_COMM_WORLD_RANK:-${SLURM_PROCID:-0}}"
    " local_rank=${OMPI_COMM_WORLD_LOCAL_RANK:-${SLURM_LOCALID:-0}}"
    " node=${SLURMD_NODENAME:-?} pmix_rank=${PMIX_RANK:-}"
    " CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}\""
    " >> \"$NAR_RANKS\"; exec \"$@\"' nar";

}  // namespace

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

EnvList explicit_environment(const std::string& nar_path,
                             const std::function<const char*(const char*)>& getenv) {
    EnvList env;
    env.emplace_back("PATH", dir_of(nar_path) + ":/usr/local/bin:/usr/bin:/bin");
    std::vector<std::string> names = {"LD_LIBRARY_PATH",        "NAR_DATA_DIR",
                                      "OPENBLAS_CORETYPE",      "SLURM_CONF",
                                      "OMPI_ALLOW_RUN_AS_ROOT", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"};
    for (const auto& s : common::startup_env_settings()) names.push_back(s.name);
    for (const auto& k : names) {
        const char* v = getenv(k.c_str());
        if (v != nullptr && *v != '\0') env.emplace_back(k, v);
    }
    return env;
}

std::vector<ArrayChunk> split_array(int count, int max_array_size) {
    if (count < 1) throw Error("an array needs at least one shard");
    if (max_array_size < 1) throw Error("this cluster allows no job arrays (MaxArraySize=0)");
    std::vector<ArrayChunk> chunks;
    for (int offset = 0; offset < count; offset += max_array_size) {
        chunks.push_back({offset, std::min(max_array_size, count - offset)});
    }
    return chunks;
}

std::string render_sweep_script(const SubmitOptions& o, const ScriptContext& ctx,
                                const ArrayChunk& chunk) {
    const int per_node = tasks_per_node(o, ctx.node_cpus);
    const int ranks = o.nodes * per_node;
    // Rank 0 coordinates; the others form groups of --ranks-per-job.
    if (ranks > 1 && ranks - 1 < o.ranks_per_job) {
        throw Error("--ranks-per-job " + std::to_string(o.ranks_per_job) + " needs " +
                    std::to_string(o.ranks_per_job + 1) + " ranks (one coordinates), but " +
                    std::to_string(o.nodes) + " node(s) x " + std::to_string(per_node) +
                    " task(s) give " + std::to_string(ranks));
    }
    const bool array = chunk.count > 0;
    std::ostringstream s;
    s << "#!/bin/bash\n";
    s << "# nar sweep '" << ctx.name << "' -> " << ctx.out_dir << "\n";
    s << "# Rendered by nar slurm submit (nar " << ctx.version << "); rerun with sbatch.\n";
    s << "#SBATCH --job-name=nar-" << ctx.name << "\n";
    s << "#SBATCH --nodes=" << o.nodes << "\n";
    s << "#SBATCH --ntasks-per-node=" << per_node << "\n";
    if (o.gpus_per_node > 0) s << "#SBATCH --gpus-per-node=" << o.gpus_per_node << "\n";
    if (o.cpus_per_task > 0) s << "#SBATCH --cpus-per-task=" << o.cpus_per_task << "\n";
    if (!o.mem.empty()) s << "#SBATCH --mem=" << o.mem << "\n";
    if (!o.constraint.empty()) s << "#SBATCH --constraint=" << o.constraint << "\n";
    common_directives(s, o);
    if (array) {
        s << "#SBATCH --array=0-" << chunk.count - 1;
        if (o.array.parallel > 0) s << "%" << o.array.parallel;
        s << "\n";
    }
    log_directives(s, ctx, array ? "%A_%a" : "%j");
    s << "#SBATCH --signal=B:USR1@" << o.signal_lead << "\n";
    s << "#SBATCH --requeue\n";
    for (const auto& a : o.sbatch_args) s << "#SBATCH " << a << "\n";
    environment(s, ctx);
    s << "export NAR_RANKS=\"$OUT/slurm/ranks-$SLURM_JOB_ID.txt\"\n";
    s << "MAX_REQUEUES=" << o.max_requeues << "\n";
    s << "RESTARTS=${SLURM_RESTART_COUNT:-0}\n";
    std::string args = sweep_args(o, ctx);
    if (array) {
        s << "SHARD=$((SLURM_ARRAY_TASK_ID + " << chunk.offset << "))\n";
        args += " --shard \"$SHARD/" + std::to_string(o.array.count) + "\"";
        s << "echo \"nar: shard $SHARD/" << o.array.count
          << " (job $SLURM_JOB_ID) starts on $SLURM_JOB_NODELIST, restart $RESTARTS\"\n";
    } else {
        s << "echo \"nar: job $SLURM_JOB_ID starts on $SLURM_JOB_NODELIST, restart $RESTARTS\"\n";
    }
    s << "date -u '+nar: start %Y-%m-%dT%H:%M:%SZ'\n";
    if (o.gpus_per_node > 0 && !ctx.cuda_build) {
        s << "echo \"nar: this nar is a CPU-only build: the " << o.gpus_per_node
          << " GPU(s) per node stay unused, every rank trains on CPU\"\n";
    }
    // The batch shell gets the warning signal (--signal=B:…) and the TERM of a
    // time limit or requeue; it passes each on to the job step, whose ranks
    // checkpoint and exit 3.
    s << "step= got=\n";
    s << "forward() { got=$1; echo \"nar: SIG$1 received, forwarding it to the job step\";"
         " [ -n \"$step\" ] && kill -\"$1\" \"$step\" 2>/dev/null; }\n";
    s << "trap 'forward USR1' USR1\n";
    s << "trap 'forward TERM' TERM\n";
    // Slurm checks --signal only every ~30 s and can miss it on a short limit;
    // a timer of our own sends the same warning exactly LEAD s before the end.
    s << "left=$(squeue -h -j \"$SLURM_JOB_ID\" -o %L 2>/dev/null | awk '{ t = $1; d = 0; "
         "if (index(t, \"-\")) { split(t, a, \"-\"); d = a[1]; t = a[2] } "
         "n = split(t, p, \":\"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; "
         "print d * 86400 + s }')\n";
    s << "LEAD=" << o.signal_lead << "\n";
    s << "if [ \"${left:-0}\" -gt \"$LEAD\" ]; then (sleep $((left - LEAD)) && kill -USR1 $$) "
         "& fi\n";
    // A step whose ranks never started (srun: "launch failed", as right after a
    // fast requeue while the node still cleans up the last run) is tried again.
    s << "tries=0\n";
    s << "while :; do\n";
    s << "  before=$(cat \"$NAR_RANKS\" 2>/dev/null | wc -l)\n";
    if (o.mpi == "pmix") {
        s << "  srun --export=ALL --mpi=pmix --kill-on-bad-exit=1 " << kRankRecord << " " << args
          << " &\n";
    } else {
        s << "  mpirun -np \"$SLURM_NTASKS\" " << kRankRecord << " " << args << " &\n";
    }
    s << "  step=$!\n";
    // wait returns early for every trapped signal: wait again until the step ends.
    s << "  while :; do wait \"$step\"; rc=$?; kill -0 \"$step\" 2>/dev/null || break; done\n";
    s << "  [ \"$(cat \"$NAR_RANKS\" 2>/dev/null | wc -l)\" -gt \"$before\" ] && break\n";
    s << "  tries=$((tries + 1))\n";
    s << "  echo \"nar: the job step did not start (exit code $rc, see the .err log), try "
         "$tries/3\"\n";
    s << "  if [ $tries -ge 3 ] || [ -n \"$got\" ]; then rc=1; break; fi\n";
    s << "  sleep 5\n";
    s << "done\n";
    s << "echo \"nar: job step exited with code $rc\"\n";
    // A TERM comes from Slurm itself (requeue, preemption, cancel, the hard
    // limit): Slurm decides what follows. The warning signal is ours to act on.
    s << "if [ \"$rc\" -eq 3 ] && [ \"$got\" = TERM ]; then\n";
    s << "  echo \"nar: checkpointed; stopped by Slurm (requeue, preemption or cancel)\"\n";
    s << "elif [ \"$rc\" -eq 3 ]; then\n";
    s << "  if [ \"$RESTARTS\" -lt \"$MAX_REQUEUES\" ]; then\n";
    s << "    echo \"nar: checkpointed; requeue $((RESTARTS + 1))/$MAX_REQUEUES\"\n";
    s << "    scontrol requeue \"$SLURM_JOB_ID\" && exit 0\n";
    s << "  else\n";
    s << "    echo \"nar: checkpointed; requeue limit $MAX_REQUEUES reached, run nar slurm "
         "submit again to go on\"\n";
    s << "  fi\n";
    s << "fi\n";
    s << "exit \"$rc\"\n";
    return s.str();
}

std::string render_aggregate_script(const SubmitOptions& o, const ScriptContext& ctx,
                                    const std::string& after) {
    std::ostringstream s;
    s << "#!/bin/bash\n";
    s << "# nar sweep '" << ctx.name << "': tables once every sweep job has ended\n";
    s << "# (submitted with --dependency=afterany:<the sweep's job ids>).\n";
    s << "#SBATCH --job-name=nar-" << ctx.name << "-tables\n";
    s << "#SBATCH --nodes=1\n";
    s << "#SBATCH --ntasks=1\n";
    common_directives(s, o);
    log_directives(s, ctx, "%j");
    environment(s, ctx);
    s << "AFTER=" << shell_quote(after) << "\n";
    s << "for id in ${AFTER//:/ }; do\n";
    s << "  if scontrol -o show job \"$id\" 2>/dev/null | grep -Eq "
         "'JobState=(PENDING|RUNNING|REQUEUED|REQUEUE_HOLD|REQUEUE_FED|COMPLETING|CONFIGURING|"
         "SUSPENDED|RESIZING) '; then\n";
    s << "    echo \"nar: sweep job $id was requeued and is back in the queue: waiting for it "
         "again\"\n";
    // sbatch without this job's SLURM_* variables (they would shape the new job).
    s << "    new=$(for v in $(compgen -e | grep -E '^(SLURM_|SBATCH_|SRUN_|SALLOC_)' | grep -vx "
         "SLURM_CONF); do unset \"$v\"; done; sbatch --parsable --dependency=afterany:$AFTER "
         "\"$OUT/slurm/tables.sbatch\") || exit 1\n";
    s << "    printf '%s\\ttables\\t\\t%s\\t%s\\n' \"${new%%;*}\" \"$(date -u "
         "+%Y-%m-%dT%H:%M:%SZ)\" \"$OUT/slurm/tables.sbatch\" >> \"$OUT/slurm/jobs.tsv\"\n";
    s << "    exit 0\n";
    s << "  fi\n";
    s << "done\n";
    std::string agg = "\"$NAR\" aggregate \"$OUT\" --sweep " + shell_quote(ctx.sweep_file);
    for (const auto& ov : o.overrides) agg += " --set " + shell_quote(ov);
    // Written under a temporary name: a tables.md that exists is complete.
    s << agg << " > \"$OUT/tables.md.tmp\" && mv \"$OUT/tables.md.tmp\" \"$OUT/tables.md\"\n";
    s << "rc=$?\n";
    if (ctx.has_report) s << "\"$NAR\" report \"$OUT\" || rc=$?\n";
    s << "exit $rc\n";
    return s.str();
}

}  // namespace nar::slurm
