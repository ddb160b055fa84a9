#pragma once
// The one job-status enum: the index, result files, the coordinator and the
// trainer's outcome all speak it (as text in files: "done", "failed", ...).
#include <string>

namespace nar::jobs {

enum class JobStatus { pending, running, done, failed, interrupted };

std::string to_string(JobStatus s);
// Throws common::Error for an unknown name.
JobStatus job_status_from_string(const std::string& s);

}  // namespace nar::jobs
