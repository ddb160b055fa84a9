#include "jobs/aggregate.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "common/error.h"
#include "jobs/job_id.h"
#include "jobs/result_file.h"
#include "jobs/study.h"
#include "jobs/sweep_index.h"

namespace nar::jobs {

namespace fs = std::filesystem;
using JobStatus = nar::jobs::JobStatus;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double metric_or_nan(const std::map<std::string, double>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? kNaN : it->second;
}

// Mean per key over the maps that have it.
std::map<std::string, double> mean_of(const std::vector<const std::map<std::string, double>*>& v) {
    std::map<std::string, std::pair<double, int>> acc;
    for (const auto* m : v) {
        for (const auto& [k, x] : *m) {
            auto& a = acc[k];
            a.first += x;
            a.second += 1;
        }
    }
    std::map<std::string, double> out;
    for (const auto& [k, a] : acc) out[k] = a.first / a.second;
    return out;
}

void summarise(ConfigSummary& c, std::vector<const RunRecord*> done) {
    const StudyDef* def = find_study(c.study);
    const bool lower = def ? def->lower_is_better() : false;
    c.primary = def ? def->primary_metric : "kendall_tau";
    // Best first; a NaN primary metric ranks worst.
    std::stable_sort(done.begin(), done.end(), [&](const RunRecord* a, const RunRecord* b) {
        double x = metric_or_nan(a->metrics, c.primary), y = metric_or_nan(b->metrics, c.primary);
        if (std::isnan(x) || std::isnan(y)) return !std::isnan(x) && std::isnan(y);
        return lower ? x < y : x > y;
    });
    c.done = static_cast<int>(done.size());
    if (done.empty()) return;
    c.best_run = done.front()->job_id;
    c.best = done.front()->metrics;
    c.group_best = done.front()->group_metrics;
    size_t lo = 0, hi = done.size();
    if (done.size() >= 3) {
        c.trimmed = true;
        c.dropped = {done.front()->job_id, done.back()->job_id};
        lo = 1;
        hi = done.size() - 1;
    }
    std::vector<const std::map<std::string, double>*> kept;
    std::map<std::string, std::vector<const std::map<std::string, double>*>> kept_groups;
    for (size_t i = lo; i < hi; ++i) {
        c.used.push_back(done[i]->job_id);
        kept.push_back(&done[i]->metrics);
        for (const auto& [g, m] : done[i]->group_metrics) kept_groups[g].push_back(&m);
    }
    c.avg = mean_of(kept);
    for (const auto& [g, v] : kept_groups) c.group_avg[g] = mean_of(v);
}

}  // namespace

std::vector<RunRecord> scan_results(const std::string& dir, std::vector<std::string>* unreadable) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw common::Error(dir + ": results directory does not exist");
    std::vector<std::string> paths;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        const std::string p = it->path().string();
        if (!ends_with(p, ".h5") || ends_with(p, ".ckpt.h5")) continue;
        paths.push_back(p);
    }
    std::sort(paths.begin(), paths.end());
    std::vector<RunRecord> runs;
    for (const auto& p : paths) {
        try {
            JobResult r = read_result(p);
            RunRecord rec;
            rec.job_id = r.job_id;
            rec.path = p;
            rec.study = r.study;
            rec.status = r.status;
            rec.error = r.error;
            rec.attempt = r.attempt;
            rec.params = parse_config_text(r.config_text);
            rec.metrics = r.metrics;
            rec.group_metrics = r.group_metrics;
            runs.push_back(std::move(rec));
        } catch (const std::exception& e) {
            // Other HDF5 files (the sweep index) have no job_id: not ours, not an error.
            std::string what = e.what();
            if (what.find("not a nar result file") != std::string::npos) continue;
            if (unreadable) unreadable->push_back(what);
        }
    }
    return runs;
}

Aggregate aggregate_runs(const std::vector<RunRecord>& runs, const SweepPlan* plan) {
    // A finished run whose primary metric is not finite is not usable: count it failed.
    std::vector<RunRecord> checked = runs;
    for (auto& r : checked) {
        const StudyDef* def = find_study(r.study);
        if (r.status != JobStatus::done || !def) continue;
        auto it = r.metrics.find(def->primary_metric);
        if (it == r.metrics.end() || !std::isfinite(it->second)) {
            r.status = JobStatus::failed;
            r.error = r.path + ": the result's " + def->primary_metric + " is not finite";
        }
    }
    // One record per job id; a finished one wins over a failed one. Two files
    // with one id are reported, never silently merged.
    std::map<std::string, const RunRecord*> by_id;
    std::map<std::string, std::vector<std::string>> paths_of;
    for (const auto& r : checked) {
        auto& slot = by_id[r.job_id];
        if (!r.path.empty()) paths_of[r.job_id].push_back(r.path);
        if (!slot || (slot->status != JobStatus::done && r.status == JobStatus::done)) slot = &r;
    }
    std::map<std::string, ConfigSummary> configs;
    std::map<std::string, std::vector<const RunRecord*>> done;
    auto get = [&](const std::string& cid) -> ConfigSummary& {
        auto& c = configs[cid];
        if (c.config_id.empty()) {
            c.config_id = cid;
            c.table = cid.substr(0, cid.find('/'));
        }
        return c;
    };
    if (plan) {
        for (const auto& j : plan->jobs) {
            auto& c = get(config_id(j.id));
            c.expected = std::max(c.expected, 0) + 1;
            if (c.study.empty()) c.study = j.params.count("study") ? j.params.at("study") : "";
            if (c.params.empty()) c.params = j.params;
        }
    }
    for (const auto& [id, r] : by_id) {
        auto& c = get(config_id(id));
        if (c.study.empty()) c.study = r->study;
        if (c.params.empty()) c.params = r->params;
        if (r->status == JobStatus::done) {
            done[c.config_id].push_back(r);
        } else {
            c.failed += 1;
            c.failed_runs.push_back(*r);
        }
    }
    Aggregate agg;
    for (const auto& [id, paths] : paths_of) {
        if (paths.size() < 2) continue;
        std::string list;
        for (const auto& p : paths) list += (list.empty() ? "" : ", ") + p;
        agg.duplicates.push_back(id + " in " + list + " (counted once: " + by_id[id]->path + ")");
    }
    for (auto& [cid, c] : configs) {
        summarise(c, done[cid]);
        agg.configs.push_back(std::move(c));
    }
    return agg;
}

Aggregate aggregate_results(const std::string& dir, const SweepPlan* plan) {
    std::vector<std::string> unreadable;
    auto runs = scan_results(dir, &unreadable);
    // Without a plan, the coordinator's index (index.tsv) still knows every job:
    // it gives the missing counts and failures that left no result file.
    SweepPlan from_index;
    const std::string index = dir + "/index*.tsv";
    if (!plan) {
        try {
            std::set<std::string> have;
            for (const auto& r : runs) have.insert(r.job_id);
            for (const auto& e : read_sweep_index(dir)) {
                JobSpec j;
                j.id = e.job_id;
                from_index.jobs.push_back(j);
                if (e.state == JobStatus::failed && !have.count(e.job_id)) {
                    RunRecord r;
                    r.job_id = e.job_id;
                    r.status = JobStatus::failed;
                    r.error = e.error;
                    r.attempt = e.attempts;
                    r.path = index;
                    runs.push_back(r);
                }
            }
            if (!from_index.jobs.empty()) plan = &from_index;
        } catch (const std::exception& e) {
            unreadable.push_back(e.what());
        }
    }
    Aggregate agg = aggregate_runs(runs, plan);
    agg.source = dir;
    agg.unreadable = unreadable;  // (aggregate_runs fills duplicates)
    return agg;
}

}  // namespace nar::jobs
