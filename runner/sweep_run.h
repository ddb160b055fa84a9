#pragma once
// `nar sweep run`: the MPI coordinator and worker groups (runner/coordinator.*).
#include <string>
#include <vector>

namespace nar::runner {

struct SweepRunOptions {
    std::string sweep_file;
    std::vector<std::string> overrides;  // key=value
    std::string out_dir;                 // empty: the sweep file's output directory
    int ranks_per_job = 1;
    bool resume = false;
    int max_attempts = 2;
};

// Runs under mpirun/srun (or serially with one rank). Returns the process exit
// code (0 all done, 1 some job failed, 3 stopped by a signal; see README).
int run_sweep(const SweepRunOptions& opts);

}  // namespace nar::runner
