#pragma once
// Runs a list of jobs to completion, serially or across MPI worker groups.
//
// Under MPI (world size > 1): world rank 0 only coordinates (it never trains).
// Ranks 1..N-1 form groups of `ranks_per_job` consecutive ranks
// (MPI_Comm_split); with (N-1) % G != 0 the last (N-1) % G ranks stay idle, so
// every job runs with exactly G ranks and its numbers do not depend on the
// launch size. Idle group leaders ask rank 0 for work; rank 0 hands out the
// pending job with the largest cost_estimate first (dynamic scheduling),
// the leader broadcasts it in its group and every rank of the group calls the
// job function with a Communicator over the group. With one rank (or MPI not
// launched) the jobs run serially in this process with the self communicator.
//
// Resume: a job whose result file is complete (jobs::result_is_complete) is
// skipped; any other job is handed out again and the job function resumes it
// from its checkpoint. A job ending failed (or throwing) is retried until it
// has had max_attempts attempts, then recorded failed; it never stops the
// sweep. When stop_requested() becomes true (SIGTERM/SIGUSR1), no further job
// is handed out; running jobs return interrupted and every rank returns.
//
// Only rank 0 and group leaders log; the other ranks' spdlog level is set to off.
// The coordinator appends each event to the index log (jobs/sweep_index.h);
// the board (runner/job_board.h) holds every scheduling decision.
#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

#include "jobs/job_spec.h"
#include "runner/job_board.h"
#include "runner/job_runner.h"

namespace nar::runner {

using JobFunction = std::function<JobOutcome(const jobs::JobSpec&, Communicator&)>;

// Collective over `world` (every rank calls it); MPI_COMM_NULL or a world of
// size 1 runs serially. Returns the same summary on every rank. Throws
// common::Error (on every rank) for bad options or a non-resumable out_dir.
SweepSummary coordinate_jobs(const std::vector<jobs::JobSpec>& jobs, const JobFunction& job_fn,
                             const CoordinatorOptions& opts, MPI_Comm world);

}  // namespace nar::runner
