#pragma once
// `nar sweep plan|run`: one options type for both, the MPI coordinator and
// worker groups (runner/coordinator.*) underneath.
#include <string>
#include <vector>

namespace nar::runner {

struct SweepRunOptions {
    std::string sweep_file;
    std::vector<std::string> overrides;  // key=value
    std::string out_dir;                 // empty: the sweep file's output directory
    int ranks_per_job = 1;
    bool resume = false;
    bool force = false;  // add new jobs to a directory of an older plan
    int max_attempts = 2;
    std::string shard;  // "I/K": run shard I of K (array jobs); empty: every job
};

// The overrides with the --out directory applied (as a TOML string).
std::vector<std::string> overrides_with_out(const SweepRunOptions& opts);

// Runs under mpirun/srun (or serially with one rank). Returns the process exit
// code (0 all done, 1 some job failed, 3 stopped by a signal; see README).
// Ends by writing OUT/tables.md and OUT/report.html (rank 0).
int run_sweep(const SweepRunOptions& opts);

}  // namespace nar::runner
