#pragma once
// The batch scripts of a submission, rendered as text: pure functions of the
// options and of what the submitting side found out (paths, environment, node
// size), so a test can check every line and the results directory keeps an
// exact copy (OUT/slurm/*.sbatch) to reproduce the run with plain `sbatch`.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "slurm/submit_options.h"

namespace nar::slurm {

using EnvList = std::vector<std::pair<std::string, std::string>>;

// One submission of an array: shards offset .. offset+count-1 of `total`.
struct ArrayChunk {
    int offset = 0;
    int count = 0;
};

struct ScriptContext {
    std::string nar_path;     // absolute path of the nar executable
    std::string sweep_file;   // absolute
    std::string out_dir;      // absolute
    std::string name;         // the sweep's name
    std::string version;      // nar version, for the header
    EnvList env;              // the explicit environment (explicit_environment)
    int node_cpus = 0;        // CPUs of one node (CPU-only partitions), 0 unknown
    bool cuda_build = false;  // false: GPUs, if asked for, stay unused
    bool has_report = false;  // `nar report` exists: the final job runs it too
};

// The variables a job gets (the script runs with --export=NONE): PATH with the
// directory of nar first, and, when set where nar slurm submit runs, the
// library path, NAR_DATA_DIR, OPENBLAS_CORETYPE, the start-up settings
// (common/startup_env.h), SLURM_CONF and Open MPI's
// run-as-root switches. `getenv` is std::getenv or a test's stand-in.
EnvList explicit_environment(const std::string& nar_path,
                             const std::function<const char*(const char*)>& getenv);

// Splits K shards into submissions whose task ids stay below MaxArraySize.
std::vector<ArrayChunk> split_array(int count, int max_array_size);

// The script that runs the sweep in one allocation, or one chunk of an array
// (chunk.count > 0). Throws common::Error when the allocation is too small.
std::string render_sweep_script(const SubmitOptions& o, const ScriptContext& ctx,
                                const ArrayChunk& chunk = {});

// The final job: nar aggregate into OUT/tables.md (and nar report). Its
// dependency on the sweep jobs (`after`, "12:13") is given to sbatch on the
// command line; Slurm also counts a requeue as the end of a job, so the script
// resubmits itself (recording the new id in jobs.tsv) while one of them is
// back in the queue.
std::string render_aggregate_script(const SubmitOptions& o, const ScriptContext& ctx,
                                    const std::string& after);

// POSIX shell single quoting.
std::string shell_quote(const std::string& s);

}  // namespace nar::slurm
