#pragma once
// OUT/slurm/jobs.tsv: every Slurm job nar slurm submit made for a results
// directory, one row each, appended per submission (tab-separated, header):
//   slurm_id kind shards submitted script
// kind: "sweep" (one allocation), "array" (shards first..last of K, written
// "first-last/K"), "tables" (the final aggregate job).
#include <string>
#include <vector>

namespace nar::slurm {

struct SlurmJobRecord {
    std::string slurm_id;   // as sbatch --parsable printed it (cluster suffix dropped)
    std::string kind;       // sweep | array | tables
    std::string shards;     // "first-last/K" for arrays, else ""
    std::string submitted;  // UTC, ISO 8601
    std::string script;     // the batch script that was submitted
};

std::string job_table_path(const std::string& out_dir);

// Rows in file order; an absent file is an empty table. Throws common::Error
// naming the file and line for a malformed row.
std::vector<SlurmJobRecord> read_job_table(const std::string& out_dir);

// Appends rows (rewrites the file through a temporary name and a rename).
void append_job_table(const std::string& out_dir, const std::vector<SlurmJobRecord>& rows);

}  // namespace nar::slurm
