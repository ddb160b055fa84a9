#include "slurm/job_table.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/atomic_write.h"
#include "common/error.h"

namespace nar::slurm {

namespace fs = std::filesystem;

namespace {

const char* kHeader = "slurm_id\tkind\tshards\tsubmitted\tscript";

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> f;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, '\t')) f.push_back(cell);
    if (!line.empty() && line.back() == '\t') f.emplace_back();
    return f;
}

}  // namespace

std::string job_table_path(const std::string& out_dir) { return out_dir + "/slurm/jobs.tsv"; }

std::vector<SlurmJobRecord> read_job_table(const std::string& out_dir) {
    const std::string path = job_table_path(out_dir);
    std::vector<SlurmJobRecord> rows;
    std::ifstream in(path);
    if (!in) return rows;
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (n == 1) {
            if (line != kHeader) throw common::Error(path + ":1: not a nar Slurm job table");
            continue;
        }
        if (line.empty()) continue;
        auto f = split_tabs(line);
        if (f.size() != 5 || f[0].empty() ||
            (f[1] != "sweep" && f[1] != "array" && f[1] != "tables")) {
            throw common::Error(path + ":" + std::to_string(n) +
                                ": expected slurm_id, kind (sweep|array|tables), shards, "
                                "submitted, script");
        }
        rows.push_back({f[0], f[1], f[2], f[3], f[4]});
    }
    return rows;
}

void append_job_table(const std::string& out_dir, const std::vector<SlurmJobRecord>& rows) {
    std::vector<SlurmJobRecord> all = read_job_table(out_dir);
    all.insert(all.end(), rows.begin(), rows.end());
    const std::string path = job_table_path(out_dir);
    fs::create_directories(fs::path(path).parent_path());
    std::ostringstream out;
    out << kHeader << "\n";
    for (const auto& r : all) {
        out << r.slurm_id << "\t" << r.kind << "\t" << r.shards << "\t" << r.submitted << "\t"
            << r.script << "\n";
    }
    common::write_text_atomically(path, out.str());
}

}  // namespace nar::slurm
