#include "jobs/sweep_index.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/numbers.h"

namespace nar::jobs {

namespace {

const char* kHeader =
    "job_id\tstate\tattempts\tmetric_name\tmetric_value\twall_seconds\thost\tresult_path\terror";
constexpr size_t kColumns = 9;

std::string clean(const std::string& s) {
    std::string out = s;
    for (char& c : out) {
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    }
    return out;
}

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return buf;
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t tab = line.find('\t', start);
        out.push_back(line.substr(start, tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
    }
    return out;
}

}  // namespace

std::string index_path(const std::string& out_dir, int shard, int shards) {
    const std::string name = shards > 0 ? "index.shard-" + std::to_string(shard) + "-of-" +
                                              std::to_string(shards) + ".tsv"
                                        : "index.tsv";
    return (std::filesystem::path(out_dir) / name).string();
}

std::string format_index_row(const IndexEntry& e) {
    return clean(e.job_id) + '\t' + to_string(e.state) + '\t' + std::to_string(e.attempts) + '\t' +
           clean(e.metric_name) + '\t' + (e.metric_name.empty() ? "" : number(e.metric_value)) +
           '\t' + (e.wall_seconds < 0 ? "" : number(e.wall_seconds)) + '\t' + clean(e.host) + '\t' +
           clean(e.result_path) + '\t' + clean(e.error) + '\n';
}

void write_index(const std::string& path, const std::vector<IndexEntry>& entries) {
    std::string text = std::string(kHeader) + '\n';
    for (const auto& e : entries) text += format_index_row(e);
    common::write_text_atomically(path, text);
}

std::vector<IndexEntry> read_index(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw common::Error("cannot open sweep index " + path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t pos = text.find('\n');
    if (pos == std::string::npos || text.substr(0, pos) != kHeader) {
        throw common::Error(path + ": not a nar sweep index (bad header line)");
    }
    std::vector<IndexEntry> entries;
    std::map<std::string, size_t> slot;
    int lineno = 1;
    while (pos + 1 < text.size()) {
        const size_t start = pos + 1;
        pos = text.find('\n', start);
        if (pos == std::string::npos) break;  // a torn last row: the writer died mid-append
        const std::string line = text.substr(start, pos - start);
        ++lineno;
        if (line.empty()) continue;
        auto f = split_tabs(line);
        const std::string where = path + ":" + std::to_string(lineno) + ": ";
        if (f.size() != kColumns) {
            throw common::Error(where + "expected " + std::to_string(kColumns) +
                                " tab-separated columns, found " + std::to_string(f.size()));
        }
        IndexEntry e;
        try {
            e.job_id = f[0];
            e.state = job_status_from_string(f[1]);
            e.attempts = static_cast<int>(common::parse_int64(f[2], "attempts"));
            e.metric_name = f[3];
            e.metric_value = f[4].empty() ? 0.0 : common::parse_double(f[4], "metric_value");
            e.wall_seconds = f[5].empty() ? -1.0 : common::parse_double(f[5], "wall_seconds");
        } catch (const common::Error& err) {
            throw common::Error(where + err.what());
        }
        e.host = f[6];
        e.result_path = f[7];
        e.error = f[8];
        auto [it, fresh] = slot.emplace(e.job_id, entries.size());
        if (fresh) {
            entries.push_back(std::move(e));
        } else {
            entries[it->second] = std::move(e);
        }
    }
    return entries;
}

std::vector<IndexEntry> read_sweep_index(const std::string& out_dir) {
    std::vector<std::string> files;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(out_dir, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name == "index.tsv" || (name.rfind("index.shard-", 0) == 0 && name.size() > 4 &&
                                    name.compare(name.size() - 4, 4, ".tsv") == 0)) {
            files.push_back(it->path().string());
        }
    }
    std::sort(files.begin(), files.end());
    auto rank = [](JobStatus s) {
        switch (s) {
            case JobStatus::done:
                return 4;
            case JobStatus::failed:
                return 3;
            case JobStatus::interrupted:
                return 2;
            case JobStatus::running:
                return 1;
            case JobStatus::pending:
                return 0;
        }
        return 0;
    };
    std::vector<IndexEntry> merged;
    std::map<std::string, size_t> slot;
    for (const auto& f : files) {
        for (auto& e : read_index(f)) {
            auto [it, fresh] = slot.emplace(e.job_id, merged.size());
            if (fresh) {
                merged.push_back(std::move(e));
            } else if (rank(e.state) >= rank(merged[it->second].state)) {
                merged[it->second] = std::move(e);
            }
        }
    }
    return merged;
}

IndexLog::IndexLog(std::string path, const std::vector<IndexEntry>& entries)
    : path_(std::move(path)) {
    rewrite(entries);
}

IndexLog::~IndexLog() {
    if (file_) std::fclose(file_);
}

void IndexLog::rewrite(const std::vector<IndexEntry>& all) {
    if (file_) std::fclose(file_);
    file_ = nullptr;
    write_index(path_, all);
    rows_ = all.size();
    file_ = std::fopen(path_.c_str(), "ab");
    if (!file_) throw common::Error("cannot append to sweep index " + path_);
}

void IndexLog::append(const IndexEntry& changed, const std::vector<IndexEntry>& all) {
    if (rows_ > 4 * all.size() + 64) {
        rewrite(all);
        return;
    }
    const std::string row = format_index_row(changed);
    if (!file_ || std::fwrite(row.data(), 1, row.size(), file_) != row.size() ||
        std::fflush(file_) != 0) {
        throw common::Error("cannot append to sweep index " + path_ + ": " + std::strerror(errno));
    }
    ++rows_;
}

}  // namespace nar::jobs
