#include "runner/job_board.h"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "common/error.h"
#include "common/h5.h"
#include "jobs/result_file.h"
#include "runner/signals.h"

namespace nar::runner {

namespace fs = std::filesystem;
using jobs::IndexEntry;
using jobs::JobStatus;
using Clock = std::chrono::steady_clock;

int SweepSummary::exit_code() const {
    if (stopped && (pending > 0 || interrupted > 0)) return kExitInterrupted;
    return failed > 0 ? 1 : 0;
}

namespace {

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string hms(double s) {
    long t = static_cast<long>(std::llround(std::max(0.0, s)));
    return fmt::format("{}:{:02}:{:02}", t / 3600, (t / 60) % 60, t % 60);
}

// Under 1 MiB free where results go: every later job would fail the same way.
bool disk_nearly_full(const std::string& dir) {
    struct statvfs st;
    if (dir.empty() || statvfs(dir.c_str(), &st) != 0) return false;
    return static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize) < 1024.0 * 1024.0;
}

}  // namespace

void headline(const jobs::JobResult& r, std::string* name, double* value) {
    for (const std::string& k :
         {r.val_metric_name, std::string("mape"), std::string("kendall_tau")}) {
        auto it = r.metrics.find(k);
        if (!k.empty() && it != r.metrics.end()) {
            *name = k;
            *value = it->second;
            return;
        }
    }
    if (!r.metrics.empty()) {
        *name = r.metrics.begin()->first;
        *value = r.metrics.begin()->second;
    }
}

namespace {

// True when `path` is a complete result file of a job that ended "done" (a
// complete file of a failed job is run again on resume); fills the entry's
// headline metric from the file's documented attributes without reading the
// (possibly large) prediction arrays.
bool finished_result(const std::string& path, const std::string& config_hash, IndexEntry* e) {
    if (!jobs::result_is_complete(path)) return false;
    std::string hash;
    try {
        common::H5File f(path, common::H5File::Mode::Read);
        if (f.read_attr_string("/", "status") != "done") return false;
        if (f.has_attr("/", "config_hash")) hash = f.read_attr_string("/", "config_hash");
        e->state = JobStatus::done;
        if (f.has_attr("/", "wall_seconds")) e->wall_seconds = f.read_attr_f64("/", "wall_seconds");
        if (f.has_attr("/", "host")) e->host = f.read_attr_string("/", "host");
        if (f.has_attr("/", "attempt"))
            e->attempts = static_cast<int>(f.read_attr_i64("/", "attempt"));
        jobs::JobResult r;
        if (f.has_attr("/", "val_metric_name"))
            r.val_metric_name = f.read_attr_string("/", "val_metric_name");
        if (f.exists("metrics")) {
            for (const auto& name : f.attr_names("metrics"))
                r.metrics[name] = f.read_attr_f64("metrics", name);
        }
        headline(r, &e->metric_name, &e->metric_value);
    } catch (const std::exception&) {
        return false;
    }
    // A result of another configuration never counts as this job's (nor is it overwritten).
    if (!config_hash.empty() && hash != config_hash) {
        throw common::Error(path + ": this result has config hash " + hash +
                            " but the plan's job " + e->job_id + " has " + config_hash +
                            "; it belongs to another configuration: use another --out");
    }
    return true;
}

}  // namespace

JobBoard::JobBoard(const std::vector<jobs::JobSpec>& specs, const CoordinatorOptions& opts)
    : specs_(specs), opts_(opts), t0_(Clock::now()) {
    name_ = opts.name.empty() ? opts.out_dir : opts.name;
    index_path_ = opts.index_file.empty() ? jobs::index_path(opts.out_dir) : opts.index_file;
    std::map<std::string, IndexEntry> previous;
    if (fs::exists(index_path_)) {
        try {
            for (auto& e : jobs::read_index(index_path_)) previous[e.job_id] = e;
        } catch (const common::Error& err) {
            spdlog::warn("ignoring unreadable old index: {}", err.what());
        }
    }
    std::map<std::string, int> seen;
    entries_.resize(specs.size());
    for (size_t i = 0; i < specs.size(); ++i) {
        const auto& s = specs[i];
        if (!seen.emplace(s.id, static_cast<int>(i)).second) {
            throw common::Error("sweep has two jobs with the id '" + s.id + "'");
        }
        IndexEntry& e = entries_[i];
        e.job_id = s.id;
        e.result_path = s.result_path;
        if (finished_result(s.result_path, s.config_hash, &e)) {
            auto it = previous.find(s.id);
            if (it != previous.end() && it->second.state == JobStatus::done) {
                e = it->second;  // keeps attempts, host and wall time of that run
                e.result_path = s.result_path;
            }
            ++skipped_;
        } else {
            queue_.push_back(static_cast<int>(i));
        }
    }
    if (!opts.resume && (skipped_ > 0 || !previous.empty())) {
        throw common::Error(opts.out_dir + " already holds results of a sweep (" +
                            std::to_string(skipped_) +
                            " complete jobs); pass --resume to continue it, or choose "
                            "another output directory");
    }
    // Longest first; ties keep the sweep's order.
    std::stable_sort(queue_.begin(), queue_.end(), [&](int a, int b) {
        return specs_[a].cost_estimate > specs_[b].cost_estimate;
    });
    index_ = std::make_unique<jobs::IndexLog>(index_path_, entries_);
    spdlog::info("sweep {}: {} jobs, {} already complete, {} to run; index {}", name_, specs.size(),
                 skipped_, queue_.size(), index_path_);
}

// Takes the next job off the queue and marks it running.
int JobBoard::start_next(const std::string& host) {
    int i = queue_.front();
    queue_.erase(queue_.begin());
    IndexEntry& e = entries_[i];
    e.state = JobStatus::running;
    e.attempts += 1;
    e.host = host;
    ++running_;
    spdlog::debug("start {} (attempt {}/{}) on {}", e.job_id, e.attempts, opts_.max_attempts, host);
    record(i);
    return i;
}

void JobBoard::finish(const JobReport& rep) {
    IndexEntry& e = entries_.at(rep.job_index);
    --running_;
    e.wall_seconds = rep.wall_seconds;
    e.host = rep.host;
    e.metric_name = rep.metric_name;
    e.metric_value = rep.metric_value;
    const double cost = specs_[rep.job_index].cost_estimate;
    switch (rep.state) {
        case JobStatus::done:
            e.state = JobStatus::done;
            e.error.clear();
            finished_cost_ += cost;
            ++finished_;
            break;
        case JobStatus::interrupted:
            e.state = JobStatus::interrupted;
            e.attempts -= 1;  // an interrupted attempt resumes, it is not used up
            break;
        default:
            e.error = rep.error;
            // A full disk fails every job that follows: stop instead of burning the queue.
            if (rep.error.find("No space left on device") != std::string::npos ||
                disk_nearly_full(opts_.out_dir)) {
                if (!disk_full_) {
                    spdlog::error(
                        "disk full writing results in {}: stopping the sweep; free "
                        "space, then rerun with --resume",
                        opts_.out_dir);
                }
                disk_full_ = true;
            }
            if (e.attempts < opts_.max_attempts && !disk_full_) {
                e.state = JobStatus::pending;
                requeue(rep.job_index);
            } else {
                e.state = JobStatus::failed;
                finished_cost_ += cost;
                ++finished_;
            }
    }
    log_end(e, rep);
    record(rep.job_index);
}

SweepSummary JobBoard::summary(bool stopped) const {
    SweepSummary s;
    s.total = static_cast<int>(entries_.size());
    s.skipped = skipped_;
    s.stopped = stopped;
    for (const auto& e : entries_) {
        switch (e.state) {
            case JobStatus::done:
                ++s.done;
                break;
            case JobStatus::failed:
                ++s.failed;
                break;
            case JobStatus::interrupted:
            case JobStatus::running:
                ++s.interrupted;
                break;
            case JobStatus::pending:
                ++s.pending;
                break;
        }
    }
    return s;
}

void JobBoard::log_summary(const SweepSummary& s) const {
    spdlog::info(
        "sweep {} {}: {} done ({} skipped as complete), {} failed, {} interrupted, {} "
        "pending; {} wall",
        name_, s.stopped ? "stopped by signal" : "finished", s.done, s.skipped, s.failed,
        s.interrupted, s.pending, hms(seconds_since(t0_)));
}

void JobBoard::requeue(int i) {
    auto pos = std::find_if(queue_.begin(), queue_.end(), [&](int j) {
        return specs_[j].cost_estimate < specs_[i].cost_estimate;
    });
    queue_.insert(pos, i);
}

void JobBoard::log_end(const IndexEntry& e, const JobReport& rep) {
    double left = 0;
    for (int i : queue_) left += specs_[i].cost_estimate;
    for (size_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].state == JobStatus::running) left += specs_[i].cost_estimate;
    }
    const double elapsed = seconds_since(t0_);
    std::string eta = finished_cost_ > 0 ? hms(elapsed * left / finished_cost_) : "--";
    std::string metric =
        rep.metric_name.empty() ? "" : fmt::format(" {}={:.6g}", rep.metric_name, rep.metric_value);
    const std::string progress =
        fmt::format("[{}/{} finished, {} running, {} queued, ETA {}]", finished_ + skipped_,
                    entries_.size(), running_, queue_.size(), eta);
    if (e.state == JobStatus::done) {
        spdlog::info("done  {} in {:.2f} s on {}{} {}", e.job_id, rep.wall_seconds, rep.host,
                     metric, progress);
    } else if (e.state == JobStatus::interrupted) {
        spdlog::warn("interrupted {} after {:.2f} s on {} {}", e.job_id, rep.wall_seconds, rep.host,
                     progress);
    } else if (e.state == JobStatus::pending) {
        spdlog::warn("failed {} (attempt {}/{}, will retry): {} {}", e.job_id, e.attempts,
                     opts_.max_attempts, rep.error, progress);
    } else {
        spdlog::error("failed {} after {} attempts: {} {}", e.job_id, e.attempts, rep.error,
                      progress);
    }
}

void JobBoard::record(int i) {
    try {
        index_->append(entries_[static_cast<size_t>(i)], entries_);
    } catch (const common::Error& err) {
        spdlog::error("{}", err.what());  // the results themselves are safe
    }
}

}  // namespace nar::runner
