#pragma once
// The bridge between the coordinator and the trainer: run one job inside a
// worker group. Every rank of the group calls it with the same spec; the group
// leader (rank 0 of `comm`) writes the result file and the return value is
// meaningful on the leader.
#include <atomic>
#include <string>

#include "jobs/job_result.h"
#include "jobs/job_spec.h"
#include "runner/communicator.h"

namespace nar::runner {

// Set by the SIGTERM/SIGUSR1 handler: finish the current epoch, checkpoint, stop.
std::atomic<bool>& stop_requested();

enum class JobEnd { done, failed, interrupted };

struct JobOutcome {
    JobEnd end = JobEnd::failed;
    jobs::JobResult result;  // filled on the leader
};

struct JobOptions {
    bool resume = true;           // continue from the job's checkpoint when there is one
    std::string save_model_path;  // also save the trained model (nar predict's input)
    int attempt = 1;
};

// <result without .h5>.ckpt.h5: the job's epoch checkpoint, removed when it finishes.
std::string checkpoint_path_for(const std::string& result_path);

// Trains and evaluates one job (resuming from its checkpoint when present),
// writes the result file atomically (leader only), never throws for job errors:
// they come back as JobEnd::failed with the message in result.error.
JobOutcome run_job(const jobs::JobSpec& spec, Communicator& comm);
JobOutcome run_job(const jobs::JobSpec& spec, Communicator& comm, const JobOptions& opts);

}  // namespace nar::runner
