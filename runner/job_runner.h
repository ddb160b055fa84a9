#pragma once
// The bridge between the coordinator and the trainer: run one job inside a
// worker group. Every rank of the group calls it with the same spec; the group
// leader (rank 0 of `comm`) writes the result file and the return value is
// meaningful on the leader.
#include <string>

#include "jobs/job_result.h"
#include "jobs/job_spec.h"
#include "jobs/job_status.h"
#include "runner/communicator.h"

namespace nar::runner {

struct JobOutcome {
    jobs::JobStatus end = jobs::JobStatus::failed;  // done, failed or interrupted
    jobs::JobResult result;  // filled on the leader
};

struct JobOptions {
    bool resume = true;           // continue from the job's checkpoint when there is one
    std::string save_model_path;  // also save the trained model (nar predict's input)
    int attempt = 1;
    // Where the job's own log lines (notes, epochs) go; empty: the console.
    std::string log_path;
};

// <result without .h5>.ckpt.h5: the job's epoch checkpoint, removed when it finishes.
std::string checkpoint_path_for(const std::string& result_path);

// Trains and evaluates one job (resuming from its checkpoint when present),
// writes the result file atomically (leader only), never throws for job errors:
// they come back as JobStatus::failed with the message in result.error.
JobOutcome run_job(const jobs::JobSpec& spec, Communicator& comm);
JobOutcome run_job(const jobs::JobSpec& spec, Communicator& comm, const JobOptions& opts);

}  // namespace nar::runner
