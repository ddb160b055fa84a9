#include "jobs/job_status.h"

#include "common/error.h"

namespace nar::jobs {

std::string to_string(JobStatus s) {
    switch (s) {
        case JobStatus::pending:
            return "pending";
        case JobStatus::running:
            return "running";
        case JobStatus::done:
            return "done";
        case JobStatus::failed:
            return "failed";
        case JobStatus::interrupted:
            return "interrupted";
    }
    return "pending";
}

JobStatus job_status_from_string(const std::string& s) {
    for (JobStatus st : {JobStatus::pending, JobStatus::running, JobStatus::done,
                         JobStatus::failed, JobStatus::interrupted}) {
        if (to_string(st) == s) return st;
    }
    throw common::Error("unknown job status '" + s + "'");
}

}  // namespace nar::jobs
