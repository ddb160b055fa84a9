#include "jobs/sweep_status.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "common/error.h"
#include "common/json.h"
#include "jobs/job_id.h"
#include "jobs/result_file.h"
#include "jobs/sweep_identity.h"

namespace nar::jobs {

namespace fs = std::filesystem;

namespace {

using common::json_string;

constexpr size_t kSlowest = 5;

std::string first_line(const std::string& s) {
    std::string l = s.substr(0, s.find('\n'));
    return l.size() > 200 ? l.substr(0, 197) + "..." : l;
}

std::string study_of(const std::string& id) { return id.substr(0, id.find('/')); }

StatusJob job_of(const IndexEntry& e) {
    StatusJob j;
    j.job_id = e.job_id;
    j.state = to_string(e.state);
    j.host = e.host;
    j.error = first_line(e.error);
    j.log_path = e.result_path.empty() ? "" : job_log_path(e.result_path);
    j.attempts = e.attempts;
    j.wall_seconds = e.wall_seconds;
    return j;
}

bool finished(JobStatus s) { return s == JobStatus::done || s == JobStatus::failed; }

// Estimated seconds of one job, from the measured finished jobs (see the header).
class Estimator {
  public:
    Estimator(const std::vector<IndexEntry>& entries, const std::map<std::string, double>& costs)
        : costs_(costs) {
        for (const auto& e : entries) {
            if (e.state != JobStatus::done || e.wall_seconds < 0) continue;
            auto c = costs.find(e.job_id);
            if (c != costs.end() && c->second > 0) {
                cost_sum_ += c->second;
                cost_wall_ += e.wall_seconds;
            }
            add(by_config_[config_id(e.job_id)], e.wall_seconds);
            add(by_study_[study_of(e.job_id)], e.wall_seconds);
            add(all_, e.wall_seconds);
        }
    }
    bool by_cost() const { return cost_sum_ > 0; }
    // < 0: unknown.
    double seconds(const std::string& id) const {
        auto c = costs_.find(id);
        if (by_cost() && c != costs_.end()) return c->second * cost_wall_ / cost_sum_;
        for (const auto* m : {&by_config_, &by_study_}) {
            auto it = m->find(m == &by_config_ ? config_id(id) : study_of(id));
            if (it != m->end()) return it->second.first / it->second.second;
        }
        return all_.second > 0 ? all_.first / all_.second : -1;
    }

  private:
    using Mean = std::pair<double, int>;
    static void add(Mean& m, double v) {
        m.first += v;
        m.second += 1;
    }
    const std::map<std::string, double>& costs_;
    double cost_sum_ = 0, cost_wall_ = 0;
    std::map<std::string, Mean> by_config_, by_study_;
    Mean all_{0, 0};
};

// Every index file of out_dir (the plain one and the array shards), merged.
std::vector<IndexEntry> load_index_entries(const std::string& out_dir) {
    auto entries = read_sweep_index(out_dir);
    if (entries.empty()) {
        throw common::Error(out_dir + ": no sweep index (" + index_path(out_dir) +
                            " or index.shard-*.tsv); not a sweep output directory, or the sweep "
                            "has not started");
    }
    return entries;
}

// The plan's cost estimates (job id -> cost); empty when the directory records no plan.
std::map<std::string, double> load_plan_costs(const std::string& out_dir) {
    std::map<std::string, double> costs;
    if (!fs::exists(plan_record_path(out_dir))) return costs;
    for (const auto& j : read_plan_record(out_dir).jobs) costs[j.job_id] = j.cost_estimate;
    return costs;
}

std::string json_number(double v) {
    if (!std::isfinite(v) || v < 0) return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string json_counts(const StudyProgress& p) {
    std::ostringstream o;
    o << "{\"study\": " << json_string(p.study) << ", \"done\": " << p.done
      << ", \"running\": " << p.running << ", \"failed\": " << p.failed
      << ", \"pending\": " << p.pending << ", \"interrupted\": " << p.interrupted
      << ", \"total\": " << p.total() << ", \"wall_seconds\": " << json_number(p.wall_seconds)
      << "}";
    return o.str();
}

std::string json_jobs(const std::vector<StatusJob>& jobs) {
    std::ostringstream o;
    o << "[";
    for (size_t i = 0; i < jobs.size(); ++i) {
        const auto& j = jobs[i];
        o << (i ? ",\n    " : "\n    ") << "{\"job_id\": " << json_string(j.job_id)
          << ", \"state\": " << json_string(j.state) << ", \"attempts\": " << j.attempts
          << ", \"wall_seconds\": " << json_number(j.wall_seconds)
          << ", \"host\": " << json_string(j.host) << ", \"error\": " << json_string(j.error)
          << ", \"log\": " << json_string(j.log_path) << "}";
    }
    o << (jobs.empty() ? "]" : "\n  ]");
    return o.str();
}

std::string seconds_text(double s) {
    if (s < 0) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

}  // namespace

std::string duration_text(double seconds) {
    if (!(seconds >= 0)) return "-";
    long t = std::lround(seconds);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    return buf;
}

std::string job_log_path(const std::string& result_path) {
    std::string base = result_path;
    if (base.size() >= 3 && base.compare(base.size() - 3, 3, ".h5") == 0)
        base.resize(base.size() - 3);
    return base + ".log";
}

SweepStatus sweep_status(const std::vector<IndexEntry>& entries,
                         const std::map<std::string, double>& costs, const std::string& out_dir) {
    SweepStatus s;
    s.out_dir = out_dir;
    s.total.study = "total";
    std::map<std::string, size_t> pos;
    const Estimator est(entries, costs);
    double left = 0;
    bool known = true;
    std::vector<StatusJob> finished_jobs;
    for (const auto& e : entries) {
        const std::string study = study_of(e.job_id);
        if (!pos.count(study)) {
            pos[study] = s.studies.size();
            s.studies.push_back(StudyProgress{study});
        }
        for (StudyProgress* p : {&s.studies[pos[study]], &s.total}) {
            switch (e.state) {
                case JobStatus::done:
                    ++p->done;
                    break;
                case JobStatus::running:
                    ++p->running;
                    break;
                case JobStatus::failed:
                    ++p->failed;
                    break;
                case JobStatus::pending:
                    ++p->pending;
                    break;
                case JobStatus::interrupted:
                    ++p->interrupted;
                    break;
            }
            if (finished(e.state) && e.wall_seconds > 0) p->wall_seconds += e.wall_seconds;
        }
        if (finished(e.state)) {
            if (e.wall_seconds >= 0) finished_jobs.push_back(job_of(e));
            if (e.state == JobStatus::failed) s.failed.push_back(job_of(e));
            continue;
        }
        if (e.state == JobStatus::running) {
            s.running.push_back(job_of(e));
            ++s.workers;
        }
        const double sec = est.seconds(e.job_id);
        if (sec < 0) known = false;
        left += (e.state == JobStatus::running ? 0.5 : 1.0) * std::max(0.0, sec);
    }
    std::stable_sort(
        finished_jobs.begin(), finished_jobs.end(),
        [](const StatusJob& a, const StatusJob& b) { return a.wall_seconds > b.wall_seconds; });
    if (finished_jobs.size() > kSlowest) finished_jobs.resize(kSlowest);
    s.slowest = finished_jobs;
    s.eta_basis = est.by_cost() ? "cost estimates" : "mean job times";
    if (sweep_finished(s)) {
        s.remaining_seconds = s.eta_seconds = 0;
    } else if (known) {
        s.remaining_seconds = left;
        s.eta_seconds = left / std::max(1, s.workers);
    }
    return s;
}

bool sweep_finished(const SweepStatus& s) {
    return s.total.pending + s.total.running + s.total.interrupted == 0;
}

SweepStatus read_sweep_status(const std::string& out_dir) {
    const auto entries = load_index_entries(out_dir);
    SweepStatus s = sweep_status(entries, load_plan_costs(out_dir), out_dir);
    // The result file keeps the error's line breaks (the index flattens them).
    for (auto& f : s.failed) {
        f.log_exists = !f.log_path.empty() && fs::exists(f.log_path);
        for (const auto& e : entries) {
            if (e.job_id != f.job_id || e.result_path.empty() || !fs::exists(e.result_path))
                continue;
            try {
                const std::string err = read_result(e.result_path).error;
                if (!err.empty()) f.error = first_line(err);
            } catch (const std::exception&) {
                // The index's message stands.
            }
        }
    }
    return s;
}

std::string render_sweep_status(const SweepStatus& s, const std::string& format) {
    std::ostringstream o;
    if (format == "json") {
        o << "{\n  \"out_dir\": " << json_string(s.out_dir) << ",\n  \"studies\": [";
        for (size_t i = 0; i < s.studies.size(); ++i)
            o << (i ? ",\n    " : "\n    ") << json_counts(s.studies[i]);
        o << "\n  ],\n  \"total\": " << json_counts(s.total)
          << ",\n  \"finished\": " << (sweep_finished(s) ? "true" : "false")
          << ",\n  \"workers\": " << s.workers
          << ",\n  \"remaining_seconds\": " << json_number(s.remaining_seconds)
          << ",\n  \"eta_seconds\": " << json_number(s.eta_seconds)
          << ",\n  \"eta_basis\": " << json_string(s.eta_basis)
          << ",\n  \"slowest\": " << json_jobs(s.slowest)
          << ",\n  \"failed\": " << json_jobs(s.failed)
          << ",\n  \"running\": " << json_jobs(s.running) << "\n}\n";
        return o.str();
    }
    if (format != "text") throw common::Error("unknown format '" + format + "' (text or json)");
    size_t w = 5;
    for (const auto& p : s.studies) w = std::max(w, p.study.size());
    char buf[512];
    o << "sweep " << s.out_dir << ": " << s.total.total() << " jobs\n";
    std::snprintf(buf, sizeof buf, "%-*s %6s %8s %7s %8s %12s %7s %10s\n", static_cast<int>(w),
                  "study", "done", "running", "failed", "pending", "interrupted", "total",
                  "job time");
    o << buf;
    auto row = [&](const StudyProgress& p) {
        std::snprintf(buf, sizeof buf, "%-*s %6d %8d %7d %8d %12d %7d %10s\n", static_cast<int>(w),
                      p.study.c_str(), p.done, p.running, p.failed, p.pending, p.interrupted,
                      p.total(), duration_text(p.wall_seconds).c_str());
        o << buf;
    };
    for (const auto& p : s.studies) row(p);
    if (s.studies.size() > 1) row(s.total);
    if (sweep_finished(s)) {
        o << "finished: nothing pending or running\n";
    } else if (s.eta_seconds < 0) {
        o << "ETA: unknown (no finished job with a measured time yet)\n";
    } else {
        o << "ETA: " << duration_text(s.eta_seconds) << " (" << duration_text(s.remaining_seconds)
          << " of work left, " << std::max(1, s.workers) << " job(s) at a time; from "
          << s.eta_basis << ")\n";
    }
    if (!s.running.empty()) {
        o << "running:\n";
        for (const auto& j : s.running)
            o << "  " << j.job_id << " (attempt " << j.attempts << ", "
              << (j.host.empty() ? "?" : j.host) << ")\n";
    }
    if (!s.slowest.empty()) {
        o << "slowest:\n";
        size_t iw = 0;
        for (const auto& j : s.slowest) iw = std::max(iw, j.job_id.size());
        for (const auto& j : s.slowest) {
            std::snprintf(buf, sizeof buf, "  %-*s %9s  %-6s %s\n", static_cast<int>(iw),
                          j.job_id.c_str(), seconds_text(j.wall_seconds).c_str(), j.state.c_str(),
                          j.host.c_str());
            o << buf;
        }
    }
    if (!s.failed.empty()) {
        o << "failed:\n";
        for (const auto& j : s.failed) {
            o << "  " << j.job_id << " (" << j.attempts
              << (j.attempts == 1 ? " attempt" : " attempts")
              << "): " << (j.error.empty() ? "no error message" : j.error) << "\n";
            if (!j.log_path.empty())
                o << "    log: " << j.log_path << (j.log_exists ? "" : " (absent)") << "\n";
        }
    }
    return o.str();
}

}  // namespace nar::jobs
