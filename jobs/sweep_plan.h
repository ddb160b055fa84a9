#pragma once
// Expansion of a sweep file into jobs: study table × the cartesian product of
// its array-valued keys (in the file's key order: study table first, then
// [defaults], then command-line keys) × repeats.
// Job id: "<table>/<value of each expanded key, sanitised>/r<NN>", e.g.
// "table2/efficientb0/r07"; seed = seed_from_id(id); result_path = <out>/<id>.h5.
#include <string>
#include <vector>

#include "jobs/job_spec.h"
#include "jobs/sweep_file.h"

namespace nar::jobs {

struct SweepPlan {
    std::string name, out_dir;
    std::vector<JobSpec> jobs;  // in file order, repeats innermost
};

// load = parse_sweep_file + expand_sweep. Throws common::Error.
SweepPlan load_sweep(const std::string& file, const std::vector<std::string>& overrides);
SweepPlan expand_sweep(const SweepFile& sweep);

}  // namespace nar::jobs
