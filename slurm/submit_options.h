#pragma once
// What `nar slurm submit` is asked for, checked before anything is rendered.
#include <string>
#include <vector>

namespace nar::slurm {

// --array K[%P]: K shards, at most P running at once (P = 0: no limit).
struct ArraySpec {
    int count = 0;  // 0: no array, one allocation runs the whole sweep
    int parallel = 0;
};

struct SubmitOptions {
    std::string sweep_file;
    std::vector<std::string> overrides;  // key=value, passed on to `nar sweep run`
    std::string out_dir;                 // --out; empty: the sweep file's
    int nodes = 1;
    int gpus_per_node = 0;  // 0: a CPU-only partition
    std::string time = "01:00:00";
    std::string partition, account, qos, constraint, mem;
    int cpus_per_task = 0;  // 0: Slurm's default
    int ranks_per_job = 1;
    ArraySpec array;
    std::string mpi = "pmix";  // pmix (srun --mpi=pmix) | mpirun
    int signal_lead = 120;     // seconds of warning before the time limit
    int max_requeues = 3;
    std::vector<std::string> sbatch_args;  // extra #SBATCH lines, verbatim
    bool dry_run = false;
    bool force = false;  // nar sweep run --force: add the new jobs of a changed sweep file
};

// "K" or "K%P" (1 <= P <= K). Throws common::Error naming the option.
ArraySpec parse_array_spec(const std::string& text);

// Slurm's time formats: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
// Returns the limit in seconds; throws common::Error for anything else.
long parse_time_limit(const std::string& text);

// Checks ranges and combinations (e.g. the signal lead must be shorter than the
// time limit, an allocation needs a worker rank besides the coordinator).
// Throws common::Error saying which option is wrong.
void validate(const SubmitOptions& o);

// MPI ranks one allocation starts: nodes × tasks per node.
int tasks_per_node(const SubmitOptions& o, int node_cpus);

}  // namespace nar::slurm
