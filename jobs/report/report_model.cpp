#include "jobs/report/report_model.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include "common/version.h"
#include "jobs/job_id.h"
#include "jobs/job_result.h"
#include "jobs/paper_tables.h"
#include "jobs/report/sections.h"
#include "jobs/result_file.h"
#include "jobs/sweep_identity.h"
#include "jobs/sweep_index.h"
#include "jobs/sweep_status.h"

namespace nar::jobs::report {

namespace fs = std::filesystem;

namespace {

std::string first_line(const std::string& s) {
    std::string l = s.substr(0, s.find('\n'));
    return l.size() > 300 ? l.substr(0, 297) + "..." : l;
}

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

// "a (3 jobs); b (1 job)"
std::string counted(const std::map<std::string, int>& m) {
    std::string s;
    for (const auto& [k, n] : m) {
        s += (s.empty() ? "" : "; ") + (k.empty() ? std::string("(unknown)") : k) + " (" +
             std::to_string(n) + (n == 1 ? " job)" : " jobs)");
    }
    return s.empty() ? "-" : s;
}

// The results of a directory, one per job id (a finished one wins over a failed one,
// as in aggregate_runs).
std::map<std::string, JobResult> scan_and_load(const std::string& dir) {
    std::map<std::string, JobResult> by_id;
    for (const auto& rec : scan_results(dir, nullptr)) {
        auto it = by_id.find(rec.job_id);
        if (it != by_id.end() &&
            (it->second.status == JobStatus::done || rec.status != JobStatus::done))
            continue;
        try {
            by_id[rec.job_id] = read_result(rec.path);
        } catch (const std::exception&) {
            // Already listed as unreadable by aggregate_results.
        }
    }
    return by_id;
}

// As scan_and_load, but reading only the files the sweep index names at their planned
// place (<out>/<job id>.h5): a result file is slow to read (its per-sample group
// labels), and the scan would read each a second time. Falls back to the scan when
// the files found do not account for every finished run of the aggregate.
std::map<std::string, JobResult> load_results(const std::string& dir, const Aggregate& agg) {
    std::map<std::string, JobResult> by_id;
    try {
        for (const auto& e : read_sweep_index(dir)) {
            if (e.state != JobStatus::done && e.state != JobStatus::failed) continue;
            const fs::path p = fs::path(dir) / (e.job_id + ".h5");
            if (!fs::exists(p)) continue;
            try {
                by_id[e.job_id] = read_result(p.string());
            } catch (const std::exception&) {
                return scan_and_load(dir);
            }
        }
    } catch (const std::exception&) {
        return scan_and_load(dir);
    }
    std::map<std::string, int> done;
    for (const auto& [id, r] : by_id) done[config_id(id)] += r.status == JobStatus::done;
    for (const auto& c : agg.configs) {
        if (done[c.config_id] != c.done) return scan_and_load(dir);
    }
    return by_id;
}

void add_provenance(Report& rep, const std::map<std::string, JobResult>& results,
                    const std::string& plan) {
    std::map<std::string, int> versions, hosts;
    std::map<std::string, Report::StudyTime> times;
    for (const auto& [id, r] : results) {
        versions[r.code_version] += 1;
        hosts[(r.host.empty() ? "?" : r.host) + ": " + (r.device.empty() ? "?" : r.device) + ", " +
              std::to_string(r.ranks) + (r.ranks == 1 ? " rank" : " ranks")] += 1;
        const std::string table = id.substr(0, id.find('/'));
        auto& t = times[table];
        t.table = table;
        t.jobs += 1;
        t.wall_seconds += std::max(0.0, r.wall_seconds);
        if (!r.start_time.empty() && (t.first_start.empty() || r.start_time < t.first_start))
            t.first_start = r.start_time;
        if (r.end_time > t.last_end) t.last_end = r.end_time;
    }
    std::error_code ec;
    fs::path abs = fs::absolute(rep.source, ec);
    rep.provenance.push_back({"results directory", ec ? rep.source : abs.string()});
    if (!plan.empty()) rep.provenance.push_back({"sweep (OUT/plan.tsv)", plan});
    rep.provenance.push_back({"code version of the runs", counted(versions)});
    rep.provenance.push_back({"hosts and devices", counted(hosts)});
    rep.provenance.push_back({"report written by", "nar " + common::version() + " (" +
                                                       common::git_describe() + "), " + utc_now()});
    for (auto& [k, t] : times) rep.times.push_back(t);
}

}  // namespace

Report build_report(const std::string& out_dir) {
    Report rep;
    rep.source = out_dir;
    const Aggregate agg = aggregate_results(out_dir);  // throws when out_dir is missing
    rep.tables_md = render_aggregate(agg, "md", true);
    MdTables md = parse_md_tables(rep.tables_md);
    rep.notes = md.notes;
    rep.other = md.other;
    const auto results = load_results(out_dir, agg);

    // The aggregate's tables are one per study table, in the order of agg.configs.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const ConfigSummary*>> by_table;
    int done = 0, failed = 0, missing = 0;
    for (const auto& c : agg.configs) {
        if (!by_table.count(c.table)) order.push_back(c.table);
        by_table[c.table].push_back(&c);
        done += c.done;
        failed += c.failed;
        missing += std::max(0, c.missing());
        for (const auto& f : c.failed_runs) {
            FailedRun fr;
            fr.job_id = f.job_id;
            fr.attempt = f.attempt;
            fr.error = first_line(f.error.empty() ? "no error message" : f.error);
            // A failure known only from the index has the index as its path.
            const bool has_result = f.path.size() > 3 && f.path.rfind(".h5") == f.path.size() - 3;
            fr.log_path = has_result ? job_log_path(f.path)
                                     : (fs::path(out_dir) / (f.job_id + ".log")).string();
            fr.log_exists = fs::exists(fr.log_path);
            rep.failed.push_back(fr);
        }
    }
    rep.summary = std::to_string(agg.configs.size()) + " configurations; " + std::to_string(done) +
                  " runs done, " + std::to_string(failed) + " failed, " + std::to_string(missing) +
                  " missing";
    // build_tables and the Markdown both have one table per study table, in this order.
    const std::vector<PaperTable> layouts = build_tables(agg);
    const bool aligned = md.tables.size() == order.size() && layouts.size() == order.size();
    for (size_t i = 0; i < order.size(); ++i) {
        rep.sections.push_back(build_section(order[i], by_table[order[i]],
                                             aligned ? &layouts[i] : nullptr,
                                             aligned ? md.tables[i] : MdTable{}, results));
    }
    // The plan the directory records (name, hash), when it records one.
    std::string plan;
    if (fs::exists(plan_record_path(out_dir))) {
        try {
            const PlanRecord p = read_plan_record(out_dir);
            rep.sweep = p.name;
            plan =
                p.name + ", plan hash " + p.hash + ", " + std::to_string(p.jobs.size()) + " jobs";
        } catch (const std::exception& e) {
            rep.notes.push_back(e.what());
        }
    }
    add_provenance(rep, results, plan);
    return rep;
}

}  // namespace nar::jobs::report
