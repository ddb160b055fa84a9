#pragma once
// nar slurm status OUT: the Slurm jobs recorded in OUT/slurm/jobs.tsv (their
// queue state from scontrol, their history from sacct when accounting is on)
// and the sweep's progress from its index files (jobs/sweep_status.h, the same
// view as nar sweep status). Works with no job alive.
#include <string>

namespace nar::slurm {

// The whole report, as printed by nar slurm status.
std::string render_status(const std::string& out_dir);

}  // namespace nar::slurm
