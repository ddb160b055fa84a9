#pragma once
// Runs Slurm's commands (sbatch, squeue, scontrol, sacct, scancel): fork/exec
// with an argument vector, so nothing is parsed by a shell.
#include <string>
#include <vector>

namespace nar::slurm {

struct ProcessResult {
    int exit_code = -1;  // 127: the program was not found
    std::string out, err;
};

// Runs argv[0] (searched in PATH) and collects its output. The child gets this
// process's environment minus SLURM_*, SBATCH_*, SRUN_* and SALLOC_* variables
// (SLURM_CONF excepted): a submission from inside another job must not inherit
// that job's shape. Throws common::Error only when no process can be started.
ProcessResult run_process(const std::vector<std::string>& argv);

// True when `program` is an executable in PATH.
bool program_exists(const std::string& program);

// run_process, and its stdout when it exits 0; otherwise throws common::Error
// with the command and Slurm's own message (stderr, or stdout when empty).
std::string run_checked(const std::vector<std::string>& argv);

}  // namespace nar::slurm
