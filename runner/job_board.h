#pragma once
// The job board: job states, the longest-first queue, the index log, the ETA
// and the progress log — everything the coordinator decides, independent of
// how jobs are run (unit-testable without MPI).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "jobs/job_result.h"
#include "jobs/job_spec.h"
#include "jobs/sweep_index.h"
#include "runner/coordinator_wire.h"

namespace nar::runner {

struct CoordinatorOptions {
    std::string out_dir;           // the index goes here (created when missing)
    std::string index_file;        // default: <out_dir>/index.tsv
    std::string name;              // sweep name, for the log
    int ranks_per_job = 1;         // G
    int max_attempts = 2;          // attempts per job before it is recorded failed
    bool resume = false;           // false: refuse an out_dir that already has results
    std::string backend = "auto";  // group communicator: auto (nccl if built and a GPU
                                   // is present, else mpi), mpi, nccl
};

struct SweepSummary {
    int total = 0;
    int done = 0;     // including skipped
    int skipped = 0;  // complete before this run
    int failed = 0;
    int interrupted = 0;
    int pending = 0;       // never started (stopped early)
    bool stopped = false;  // a stop signal (or a full disk) ended the run early
    // 0 all done, 1 some job failed, 3 (kExitInterrupted) stopped with work left.
    int exit_code() const;
};

// The headline metric of a result: its validation metric when the final
// metrics have it, else MAPE, else Kendall's tau, else the first one.
void headline(const jobs::JobResult& r, std::string* name, double* value);

class JobBoard {
  public:
    // Skips jobs whose result is complete and done; throws common::Error for a
    // result of another configuration, duplicate ids, or (without resume) an
    // out_dir that already holds results.
    JobBoard(const std::vector<jobs::JobSpec>& specs, const CoordinatorOptions& opts);

    bool has_pending() const { return !queue_.empty(); }
    int running() const { return running_; }
    // True once a job failed because the disk is full: hand out nothing more.
    bool disk_full() const { return disk_full_; }

    // Takes the next job off the queue and marks it running.
    int start_next(const std::string& host);
    void finish(const JobReport& rep);

    SweepSummary summary(bool stopped) const;
    void log_summary(const SweepSummary& s) const;
    const std::vector<jobs::IndexEntry>& entries() const { return entries_; }

  private:
    void requeue(int i);
    void log_end(const jobs::IndexEntry& e, const JobReport& rep);
    void record(int i);  // appends entry i's row to the index log

    const std::vector<jobs::JobSpec>& specs_;
    const CoordinatorOptions& opts_;
    std::vector<jobs::IndexEntry> entries_;
    std::vector<int> queue_;
    std::unique_ptr<jobs::IndexLog> index_;
    std::string index_path_, name_;
    std::chrono::steady_clock::time_point t0_;
    int running_ = 0, skipped_ = 0, finished_ = 0;
    double finished_cost_ = 0;
    bool disk_full_ = false;
};

}  // namespace nar::runner
