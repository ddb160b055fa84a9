#pragma once
// The sweep-level results index: one row per job with its state, written by
// the coordinator alone after every job event, atomically (temporary file +
// rename), as a tab-separated file `index.tsv` in the sweep's output
// directory (pandas: pd.read_csv(path, sep="\t")). Columns, in order:
//   job_id state attempts metric_name metric_value wall_seconds host result_path error
// metric_value and wall_seconds are empty when unknown; tabs and newlines in
// text fields are replaced by spaces.
#include <string>
#include <vector>

namespace nar::jobs {

enum class JobState { pending, running, done, failed, interrupted };

std::string to_string(JobState s);
// Throws common::Error for an unknown name.
JobState job_state_from_string(const std::string& s);

struct IndexEntry {
    std::string job_id;
    JobState state = JobState::pending;
    int attempts = 0;
    std::string metric_name;   // headline metric ("mape", "kendall_tau"), "" when none
    double metric_value = 0;   // meaningful when metric_name is set
    double wall_seconds = -1;  // < 0: unknown
    std::string host;
    std::string result_path;
    std::string error;  // last error message of a failed attempt
};

// "<out_dir>/index.tsv"
std::string index_path(const std::string& out_dir);

// Writes the whole index to `path` atomically.
void write_index(const std::string& path, const std::vector<IndexEntry>& entries);

// One row (with its newline), and the atomic write of pre-formatted rows: the
// coordinator re-formats only the row that changed on each event.
std::string format_index_row(const IndexEntry& e);
void write_index_rows(const std::string& path, const std::vector<std::string>& rows);

// Reads an index; throws common::Error naming the file and line on bad content.
std::vector<IndexEntry> read_index(const std::string& path);

}  // namespace nar::jobs
