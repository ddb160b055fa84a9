#include "jobs/sweep_index.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"

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

std::string to_string(JobState s) {
    switch (s) {
        case JobState::pending:
            return "pending";
        case JobState::running:
            return "running";
        case JobState::done:
            return "done";
        case JobState::failed:
            return "failed";
        case JobState::interrupted:
            return "interrupted";
    }
    return "pending";
}

JobState job_state_from_string(const std::string& s) {
    for (JobState st : {JobState::pending, JobState::running, JobState::done, JobState::failed,
                        JobState::interrupted}) {
        if (to_string(st) == s) return st;
    }
    throw common::Error("unknown job state '" + s + "'");
}

std::string index_path(const std::string& out_dir) {
    return (std::filesystem::path(out_dir) / "index.tsv").string();
}

std::string format_index_row(const IndexEntry& e) {
    return clean(e.job_id) + '\t' + to_string(e.state) + '\t' + std::to_string(e.attempts) + '\t' +
           clean(e.metric_name) + '\t' + (e.metric_name.empty() ? "" : number(e.metric_value)) +
           '\t' + (e.wall_seconds < 0 ? "" : number(e.wall_seconds)) + '\t' + clean(e.host) + '\t' +
           clean(e.result_path) + '\t' + clean(e.error) + '\n';
}

void write_index(const std::string& path, const std::vector<IndexEntry>& entries) {
    std::vector<std::string> rows;
    rows.reserve(entries.size());
    for (const auto& e : entries) rows.push_back(format_index_row(e));
    write_index_rows(path, rows);
}

void write_index_rows(const std::string& path, const std::vector<std::string>& rows) {
    std::string text = kHeader;
    text += '\n';
    for (const auto& r : rows) text += r;
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw common::Error("cannot write sweep index " + tmp);
        out << text;
        out.flush();
        if (!out) throw common::Error("cannot write sweep index " + tmp);
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw common::Error("cannot rename " + tmp + " to " + path + ": " + ec.message());
}

std::vector<IndexEntry> read_index(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw common::Error("cannot open sweep index " + path);
    std::string line;
    if (!std::getline(in, line) || line != kHeader) {
        throw common::Error(path + ": not a nar sweep index (bad header line)");
    }
    std::vector<IndexEntry> entries;
    int lineno = 1;
    while (std::getline(in, line)) {
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
            e.state = job_state_from_string(f[1]);
            e.attempts = std::stoi(f[2]);
            e.metric_name = f[3];
            e.metric_value = f[4].empty() ? 0.0 : std::stod(f[4]);
            e.wall_seconds = f[5].empty() ? -1.0 : std::stod(f[5]);
        } catch (const common::Error& err) {
            throw common::Error(where + err.what());
        } catch (const std::exception&) {
            throw common::Error(where + "bad number in attempts/metric_value/wall_seconds");
        }
        e.host = f[6];
        e.result_path = f[7];
        e.error = f[8];
        entries.push_back(std::move(e));
    }
    return entries;
}

}  // namespace nar::jobs
