#pragma once
// Slurm's view of a job (from `scontrol -o show job` or `sacct -P`) and what
// its state means for the sweep, in nar's terms.
#include <string>
#include <vector>

namespace nar::slurm {

struct QueueEntry {
    std::string job_id;     // "123", or "123_4" for an array task ("123_[4-7%2]" pending)
    std::string state;      // PENDING, RUNNING, COMPLETED, PREEMPTED, TIMEOUT, ...
    std::string reason;     // why pending ("Priority", "Dependency", ...), or "None"
    int restarts = 0;       // times requeued (scontrol only; sacct rows do not say)
    std::string exit_code;  // "0:0", "3:0" (code:signal)
    std::string std_out;    // the job's stdout file, "" unknown
    std::string run_time;   // elapsed, Slurm's format
    std::string nodes;
};

// One entry per line of `scontrol -o show job ID` (JobId=… ArrayJobId=…
// ArrayTaskId=… JobState=… Reason=… Restarts=… ExitCode=… StdOut=… RunTime=…
// NodeList=…). Lines without JobId= are ignored.
std::vector<QueueEntry> parse_scontrol_jobs(const std::string& text);

// `sacct -n -P -D -X --format=JobID,State,ExitCode,Elapsed,NodeList` rows; one
// entry per run (requeued runs appear as their own REQUEUED/PREEMPTED rows).
std::vector<QueueEntry> parse_sacct_rows(const std::string& text);

// True while the job can still run: pending, running, requeued, suspended.
bool is_active(const std::string& state);

// The state in nar's terms, e.g. "requeued 2/3, waiting (BeginTime)",
// "hit its time limit after checkpointing", "out of memory, see OUT/slurm/12.out".
std::string describe(const QueueEntry& e, int max_requeues);

}  // namespace nar::slurm
