#include "jobs/sweep_plan.h"

#include <cstdlib>
#include <filesystem>
#include <set>

#include "common/error.h"
#include "common/numbers.h"
#include "jobs/job_config.h"
#include "jobs/job_id.h"
#include "jobs/params.h"
#include "jobs/study.h"

namespace nar::jobs {

namespace {

using common::Error;

// Replaces ${name} by the sweep variable, else the environment variable.
std::string substitute(const std::string& s, const std::map<std::string, std::string>& vars,
                       const std::string& where) {
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
        size_t open = s.find("${", i);
        if (open == std::string::npos) {
            out += s.substr(i);
            break;
        }
        size_t close = s.find('}', open);
        if (close == std::string::npos) throw Error(where + ": unclosed '${' in '" + s + "'");
        out += s.substr(i, open - i);
        std::string name = s.substr(open + 2, close - open - 2);
        auto it = vars.find(name);
        if (it != vars.end()) {
            // An empty [vars] entry is a placeholder the user must fill in.
            if (it->second.empty()) {
                throw Error(where + ": variable ${" + name + "} is empty: set it on the " +
                            "command line, e.g. " + name + "=/path");
            }
            out += it->second;
        } else if (const char* env = std::getenv(name.c_str())) {
            out += env;
        } else {
            throw Error(where + ": undefined variable ${" + name +
                        "} (define it in [vars] or pass " + name + "=VALUE)");
        }
        i = close + 1;
    }
    return out;
}

// Study keys first, then [defaults], then command-line keys; later layers
// replace the value but keep the key's place.
std::vector<SweepParam> merge_layers(const SweepFile& sf, const SweepStudy& st) {
    std::vector<SweepParam> merged;
    auto put = [&](const SweepParam& p, bool replace) {
        for (auto& q : merged) {
            if (q.key == p.key) {
                if (replace) q = p;
                return;
            }
        }
        merged.push_back(p);
    };
    for (const auto& p : st.params) put(p, true);
    for (const auto& p : sf.defaults) put(p, false);
    for (const auto& p : sf.cli_params) put(p, true);
    for (const auto& p : st.cli_params) put(p, true);
    return merged;
}

}  // namespace

// A sweep is expanded in memory: refuse an absurd product before building it.
size_t max_jobs() {
    size_t limit = 1000000;
    if (const char* v = std::getenv("NAR_MAX_JOBS")) {
        char* end = nullptr;
        unsigned long long n = std::strtoull(v, &end, 10);
        if (!end || *end != '\0' || n == 0) {
            throw Error(std::string("NAR_MAX_JOBS='") + v + "' is not a positive integer");
        }
        limit = static_cast<size_t>(n);
    }
    return limit;
}

void check_job_count(const SweepFile& sf) {
    const size_t limit = max_jobs();
    double total = 0;
    for (const auto& st : sf.studies) {
        double n = st.repeats > 0 ? st.repeats : sf.repeats;
        for (const auto& p : merge_layers(sf, st)) {
            if (p.is_list) n *= static_cast<double>(p.values.size());
        }
        total += n;
    }
    if (total > static_cast<double>(limit)) {
        throw Error(sf.path + ": the sweep expands to " + common::format_double(total) +
                    " jobs, above the limit of " + std::to_string(limit) +
                    " (raise it with NAR_MAX_JOBS=N if you mean it)");
    }
}

SweepPlan expand_sweep(const SweepFile& sf) {
    check_job_count(sf);
    SweepPlan plan;
    plan.name = sf.name;
    plan.out_dir = substitute(sf.out_dir, sf.vars, sf.path + ": key 'out'");
    std::set<std::string> seen;
    for (const auto& st : sf.studies) {
        std::vector<SweepParam> params = merge_layers(sf, st);
        for (auto& p : params) {
            for (auto& v : p.values) {
                if (v.find("${") == std::string::npos) continue;
                v = canonical_value(*find_param(p.key), substitute(v, sf.vars, p.where), p.where);
            }
        }
        const int repeats = st.repeats > 0 ? st.repeats : sf.repeats;
        std::vector<const SweepParam*> lists;
        for (const auto& p : params) {
            if (p.is_list) lists.push_back(&p);
        }
        // Odometer over the array-valued keys; the first key varies slowest.
        std::vector<size_t> idx(lists.size(), 0);
        while (true) {
            std::map<std::string, std::string> resolved;
            std::string cfg = st.name;
            for (const auto& p : params) resolved[p.key] = p.values[0];
            for (size_t k = 0; k < lists.size(); ++k) {
                const std::string& v = lists[k]->values[idx[k]];
                resolved[lists[k]->key] = v;
                cfg += "/" + sanitize_id_component(v);
            }
            const JobConfig cfg_resolved =
                resolve_job_config(resolved, st.where + " [studies." + st.name + "]");
            const std::string hash = config_hash(cfg_resolved);
            const double cost = estimate_cost(cfg_resolved);
            for (int r = 0; r < repeats; ++r) {
                JobSpec job;
                job.id = cfg + "/" + repeat_tag(r);
                if (!seen.insert(job.id).second) {
                    throw Error(sf.path + ": job id '" + job.id +
                                "' occurs twice (two values of [studies." + st.name +
                                "] give the same id after sanitising)");
                }
                job.params = resolved;
                job.seed = seed_from_id(job.id);
                job.config_hash = hash;
                job.result_path = (std::filesystem::path(plan.out_dir) / (job.id + ".h5")).string();
                job.cost_estimate = cost;
                plan.jobs.push_back(std::move(job));
            }
            size_t k = lists.size();
            while (k > 0) {
                --k;
                if (++idx[k] < lists[k]->values.size()) break;
                idx[k] = 0;
                if (k == 0) {
                    k = lists.size() + 1;  // wrapped: done
                    break;
                }
            }
            if (lists.empty() || k == lists.size() + 1) break;
        }
    }
    return plan;
}

SweepPlan load_sweep(const std::string& file, const std::vector<std::string>& overrides) {
    return expand_sweep(parse_sweep_file(file, overrides));
}

}  // namespace nar::jobs
