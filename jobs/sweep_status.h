#pragma once
// `nar sweep status OUT`: a sweep's progress from its index file(s) alone, so it reads
// the same whether or not the sweep is still running, and it never writes to OUT.
//
// ETA: the work left (pending and interrupted jobs in full, running ones at half) in
// seconds of one worker, divided by the number of jobs running now (at least 1).
// With the plan's cost estimates, a job's seconds are its cost times the measured
// seconds per unit of cost of the finished jobs; without them, the mean wall time of
// the finished jobs of its configuration, else of its study, else of all.
#include <map>
#include <string>
#include <vector>

#include "jobs/sweep_index.h"

namespace nar::jobs {

struct StudyProgress {
    std::string study;  // the study table: first job-id component
    int done = 0, running = 0, failed = 0, pending = 0, interrupted = 0;
    double wall_seconds = 0;  // summed over finished (done or failed) jobs
    int total() const { return done + running + failed + pending + interrupted; }
};

struct StatusJob {
    std::string job_id, state, host, error, log_path;  // error: first line
    int attempts = 0;
    double wall_seconds = -1;
    bool log_exists = false;  // checked by read_sweep_status for failed jobs
};

struct SweepStatus {
    std::string out_dir;
    std::vector<StudyProgress> studies;  // in order of first appearance
    StudyProgress total;
    double remaining_seconds = -1;   // work left for one worker; < 0: unknown
    int workers = 0;                 // jobs running now, per the index
    double eta_seconds = -1;         // < 0: unknown; 0: nothing left
    std::string eta_basis;           // "cost estimates" or "mean job times"
    std::vector<StatusJob> slowest;  // finished jobs, longest first (at most 5)
    std::vector<StatusJob> failed, running;
};

// Pure: from index entries and the plan's costs (job id -> cost; may be empty).
SweepStatus sweep_status(const std::vector<IndexEntry>& entries,
                         const std::map<std::string, double>& costs, const std::string& out_dir);

// Reads out_dir's index file(s) and, for failed jobs, the first line of the error
// in their result file. Throws common::Error when out_dir holds no index.
SweepStatus read_sweep_status(const std::string& out_dir);

// format: "text" or "json".
std::string render_sweep_status(const SweepStatus& s, const std::string& format);

// True when no job is pending, running or interrupted.
bool sweep_finished(const SweepStatus& s);

// "1:02:03"; "-" when negative.
std::string duration_text(double seconds);

// A job's log file: "<result path without .h5>.log".
std::string job_log_path(const std::string& result_path);

}  // namespace nar::jobs
