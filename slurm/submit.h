#pragma once
// nar slurm submit: render the batch scripts into OUT/slurm/, submit them with
// sbatch --parsable (never waiting for a job), record the ids in
// OUT/slurm/jobs.tsv. nar slurm cancel: scancel every job recorded there.
#include <string>
#include <vector>

#include "slurm/job_table.h"
#include "slurm/submit_options.h"

namespace nar::slurm {

// What only the nar executable knows about itself.
struct NarInstall {
    std::string nar_path;  // absolute
    std::string version;
    bool cuda_build = false;
    bool has_report = false;  // `nar report` exists
};

struct SubmitResult {
    std::string out_dir;                // absolute
    std::string text;                   // --dry-run: the scripts; else a summary
    std::vector<SlurmJobRecord> jobs;   // submitted, in order (empty for --dry-run)
    std::vector<std::string> warnings;  // for stderr: stdout stays the scripts alone
};

// Throws common::Error with Slurm's own message when a submission is refused;
// jobs submitted before the refusal are cancelled again.
SubmitResult submit_sweep(const SubmitOptions& o, const NarInstall& nar);

// scancel of every recorded job still known to Slurm; returns the ids cancelled.
std::vector<std::string> cancel_sweep(const std::string& out_dir);

// Slurm's MaxArraySize from `scontrol show config` text; `fallback` when absent.
int max_array_size_of(const std::string& scontrol_config, int fallback);

}  // namespace nar::slurm
