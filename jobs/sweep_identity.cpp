#include "jobs/sweep_identity.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/fnv1a.h"
#include "common/numbers.h"

namespace nar::jobs {

namespace {

constexpr const char* kMagic = "# nar-plan-1";

std::string clean(std::string s) {
    for (char& c : s) {
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    }
    return s;
}

std::string params_text(const std::map<std::string, std::string>& params) {
    std::string out;
    for (const auto& [k, v] : params) out += (out.empty() ? "" : "; ") + k + "=" + v;
    return clean(out);
}

std::string hex(uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::string render(const PlanRecord& r) {
    std::string out = std::string(kMagic) + " name=" + clean(r.name) + " hash=" + r.hash + "\n";
    for (const auto& j : r.jobs) {
        out += clean(j.job_id) + "\t" + j.config_hash + "\t" +
               common::format_double(j.cost_estimate) + "\t" + clean(j.result_path) + "\t" +
               j.params + "\n";
    }
    return out;
}

// The keys whose values differ between two "k=v; k=v" texts.
std::string diff_params(const std::string& was, const std::string& now) {
    auto parse = [](const std::string& t) {
        std::map<std::string, std::string> m;
        size_t start = 0;
        while (start <= t.size()) {
            size_t end = t.find("; ", start);
            std::string item = t.substr(start, end == std::string::npos ? end : end - start);
            auto eq = item.find('=');
            if (eq != std::string::npos) m[item.substr(0, eq)] = item.substr(eq + 1);
            if (end == std::string::npos) break;
            start = end + 2;
        }
        return m;
    };
    auto a = parse(was), b = parse(now);
    std::string out;
    for (const auto& [k, v] : a) {
        auto it = b.find(k);
        std::string nv = it == b.end() ? "(unset)" : it->second;
        if (nv != v) out += (out.empty() ? "" : ", ") + k + "=" + v + " -> " + k + "=" + nv;
    }
    for (const auto& [k, v] : b) {
        if (!a.count(k)) out += (out.empty() ? "" : ", ") + k + "=(unset) -> " + k + "=" + v;
    }
    return out.empty() ? "the same parameters, another code version's hash" : out;
}

}  // namespace

std::string plan_record_path(const std::string& out_dir) {
    return (std::filesystem::path(out_dir) / "plan.tsv").string();
}

std::string plan_hash(const std::vector<JobSpec>& jobs) {
    uint64_t h = common::kFnvOffset;
    for (const auto& j : jobs) h = common::fnv1a64(j.id + "\t" + j.config_hash + "\n", h);
    return hex(h);
}

PlanRecord plan_record_of(const SweepPlan& plan) {
    PlanRecord r;
    r.name = plan.name;
    r.hash = plan_hash(plan.jobs);
    for (const auto& j : plan.jobs) {
        r.jobs.push_back(
            {j.id, j.config_hash, j.result_path, params_text(j.params), j.cost_estimate});
    }
    return r;
}

PlanRecord read_plan_record(const std::string& out_dir) {
    const std::string path = plan_record_path(out_dir);
    std::ifstream in(path);
    if (!in) throw common::Error(path + ": no plan record (not a nar sweep directory?)");
    std::string line;
    if (!std::getline(in, line) || line.rfind(kMagic, 0) != 0) {
        throw common::Error(path + ":1: not a nar plan record (bad header)");
    }
    PlanRecord r;
    std::istringstream head(line.substr(std::string(kMagic).size()));
    std::string field;
    while (head >> field) {
        if (field.rfind("name=", 0) == 0) r.name = field.substr(5);
        if (field.rfind("hash=", 0) == 0) r.hash = field.substr(5);
    }
    int lineno = 1;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.empty()) continue;
        std::vector<std::string> f;
        size_t start = 0;
        while (true) {
            size_t tab = line.find('\t', start);
            f.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        const std::string where = path + ":" + std::to_string(lineno);
        if (f.size() != 5) throw common::Error(where + ": expected 5 tab-separated columns");
        r.jobs.push_back({f[0], f[1], f[3], f[4], common::parse_double(f[2], where + ": cost")});
    }
    return r;
}

void check_or_record_plan(const SweepPlan& plan, const std::string& out_dir, bool force) {
    const PlanRecord now = plan_record_of(plan);
    if (!std::filesystem::exists(plan_record_path(out_dir))) {
        common::write_text_atomically(plan_record_path(out_dir), render(now));
        return;
    }
    const PlanRecord was = read_plan_record(out_dir);
    if (was.hash == now.hash) return;
    std::map<std::string, const PlanRecordJob*> old_jobs;
    for (const auto& j : was.jobs) old_jobs[j.job_id] = &j;
    std::vector<std::string> changed, added;
    size_t kept = 0;
    for (const auto& j : now.jobs) {
        auto it = old_jobs.find(j.job_id);
        if (it == old_jobs.end()) {
            added.push_back(j.job_id);
        } else {
            ++kept;
            if (it->second->config_hash != j.config_hash) {
                changed.push_back(j.job_id + " (" + diff_params(it->second->params, j.params) +
                                  ")");
            }
        }
    }
    const size_t removed = was.jobs.size() - kept;
    if (changed.empty() && added.empty() && removed == 0) return;  // same jobs, reordered
    std::string what = out_dir + " holds another sweep (" + (was.name.empty() ? "?" : was.name) +
                       ", plan " + was.hash + "; this one is " + now.hash + "): ";
    if (!changed.empty()) {
        what += std::to_string(changed.size()) + " job(s) changed configuration, e.g. " +
                changed.front() + "; ";
    }
    if (!added.empty())
        what += std::to_string(added.size()) + " new job(s), e.g. " + added.front() + "; ";
    if (removed > 0) what += std::to_string(removed) + " job(s) no longer in the plan; ";
    if (!changed.empty()) {
        throw common::Error(what + "a job id cannot change its configuration: use another --out");
    }
    if (!force)
        throw common::Error(what + "pass --force to add only the new jobs, or use another --out");
    // The union: the recorded jobs, then the new ones.
    PlanRecord merged = was;
    for (const auto& j : now.jobs) {
        if (!old_jobs.count(j.job_id)) merged.jobs.push_back(j);
    }
    std::vector<JobSpec> ids;
    for (const auto& j : merged.jobs) ids.push_back(JobSpec{j.job_id, {}, 0, j.config_hash, "", 0});
    merged.hash = plan_hash(ids);
    merged.name = now.name;
    common::write_text_atomically(plan_record_path(out_dir), render(merged));
}

}  // namespace nar::jobs
