#pragma once
// `nar aggregate`: collects result files, groups the runs of each configuration
// (job id minus the trailing "/rNN"), applies protocol.md's rule — drop the best
// and the worst run by the primary metric (MAPE lower is better for latency
// studies, Kendall's τ higher is better for accuracy studies), "avg" = mean of
// the rest, "best" = the best single run; with fewer than 3 runs "avg" is the
// mean of all of them (flagged) — and renders paper-shaped tables.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "jobs/job_status.h"
#include "jobs/sweep_plan.h"

namespace nar::jobs {

struct RunRecord {
    std::string job_id, path, study, error;
    JobStatus status = JobStatus::failed;
    int attempt = 1;
    std::map<std::string, std::string> params;  // parsed from the result's config text
    std::map<std::string, double> metrics;
    std::map<std::string, std::map<std::string, double>> group_metrics;
};

struct ConfigSummary {
    std::string config_id;  // e.g. "table2/alexnet"
    std::string table;      // first id component, e.g. "table2"
    std::string study;
    std::map<std::string, std::string> params;
    std::string primary;  // "mape" or "kendall_tau"
    int done = 0, failed = 0;
    int expected = -1;                       // from the plan; -1 unknown
    bool trimmed = false;                    // best and worst dropped (done >= 3)
    std::vector<std::string> used, dropped;  // run ids in / out of "avg"
    std::string best_run;
    std::map<std::string, double> avg, best;
    std::map<std::string, std::map<std::string, double>> group_avg, group_best;
    std::vector<RunRecord> failed_runs;

    int missing() const { return expected < 0 ? -1 : std::max(0, expected - done - failed); }
};

struct Aggregate {
    std::string source;
    std::vector<ConfigSummary> configs;   // ordered by config id
    std::vector<std::string> unreadable;  // "path: why"
    std::vector<std::string> duplicates;  // "job id: path, path" (one of them counted)
};




// Every *.h5 under dir (recursively) that is neither *.tmp nor *.ckpt.h5 and that
// carries a job_id attribute. Files that fail to read go to unreadable.
std::vector<RunRecord> scan_results(const std::string& dir, std::vector<std::string>* unreadable);

// Groups runs into configurations and summarises them. With a plan, configurations
// with no result yet appear too, and missing counts are known.
Aggregate aggregate_runs(const std::vector<RunRecord>& runs, const SweepPlan* plan = nullptr);

// scan_results + aggregate_runs. Without a plan, the sweep index <dir>/index.tsv
// (when present) supplies the job list: missing counts, and failed jobs that
// left no result file. Throws common::Error when dir does not exist.
Aggregate aggregate_results(const std::string& dir, const SweepPlan* plan = nullptr);

// format: "md", "csv", "latex" or "json"; paper: add the published numbers and
// the difference (ours - paper).
std::string render_aggregate(const Aggregate& agg, const std::string& format, bool paper);

}  // namespace nar::jobs
