#pragma once
// The sweep-level results index: a tab-separated event log in the sweep's
// output directory, written by the coordinator alone. The first line is the
// header; each later line is one job's full row after an event, appended (so an
// event costs O(1), not O(jobs)); the last row of a job wins. The log is
// compacted (rewritten atomically, one row per job) when it grows past a few
// rows per job. Columns, in order:
//   job_id state attempts metric_name metric_value wall_seconds host result_path error
// metric_value and wall_seconds are empty when unknown; tabs and newlines in
// text fields are replaced by spaces. pandas:
//   pd.read_csv(p, sep="\t").drop_duplicates("job_id", keep="last")
// A plain run writes index.tsv; array shard I of K writes index.shard-I-of-K.tsv.
#include <cstdio>
#include <string>
#include <vector>

#include "jobs/job_status.h"

namespace nar::jobs {

struct IndexEntry {
    std::string job_id;
    JobStatus state = JobStatus::pending;
    int attempts = 0;
    std::string metric_name;   // headline metric ("mape", "kendall_tau"), "" when none
    double metric_value = 0;   // meaningful when metric_name is set
    double wall_seconds = -1;  // < 0: unknown
    std::string host;
    std::string result_path;
    std::string error;  // last error message of a failed attempt
};

// "<out_dir>/index.tsv", or "<out_dir>/index.shard-<i>-of-<k>.tsv" for shard i of k (k > 0).
std::string index_path(const std::string& out_dir, int shard = 0, int shards = 0);

// One row with its newline.
std::string format_index_row(const IndexEntry& e);

// Writes the whole index (one row per entry) atomically.
void write_index(const std::string& path, const std::vector<IndexEntry>& entries);

// Reads an index log: one entry per job in order of first appearance, each
// with its last row. Throws common::Error naming the file and line on bad
// content; a torn last line (a crash mid-append) is ignored.
std::vector<IndexEntry> read_index(const std::string& path);

// Every index file of a results directory (the plain one and all shards),
// merged: per job the most advanced state wins (done > failed > interrupted >
// running > pending), then the later file. Empty when there is none.
std::vector<IndexEntry> read_sweep_index(const std::string& out_dir);

// The coordinator's writer: starts a fresh log with every entry, appends one
// row per event, and compacts when the log holds more than 4 rows per job.
class IndexLog {
  public:
    IndexLog(std::string path, const std::vector<IndexEntry>& entries);
    ~IndexLog();
    IndexLog(const IndexLog&) = delete;
    IndexLog& operator=(const IndexLog&) = delete;

    // `all` is every entry (for compaction); `changed` the one that changed.
    void append(const IndexEntry& changed, const std::vector<IndexEntry>& all);
    const std::string& path() const { return path_; }

  private:
    void rewrite(const std::vector<IndexEntry>& all);
    std::string path_;
    std::FILE* file_ = nullptr;
    size_t rows_ = 0;
};

}  // namespace nar::jobs
