#include "jobs/shard.h"

#include <algorithm>
#include <numeric>

#include "common/error.h"
#include "common/numbers.h"

namespace nar::jobs {

ShardSpec parse_shard(const std::string& text) {
    const auto slash = text.find('/');
    const std::string what = "--shard " + text;
    if (slash == std::string::npos) throw common::Error(what + ": expected I/K, e.g. 0/4");
    ShardSpec s;
    s.index = static_cast<int>(common::parse_int64(text.substr(0, slash), what));
    const int64_t k = common::parse_int64(text.substr(slash + 1), what);
    if (k < 1 || k > 100000) throw common::Error(what + ": K must be in [1, 100000]");
    s.count = static_cast<int>(k);
    if (s.index < 0 || s.index >= s.count) {
        throw common::Error(what + ": I must be in [0, " + std::to_string(s.count - 1) + "]");
    }
    return s;
}

std::vector<JobSpec> shard_jobs(const std::vector<JobSpec>& jobs, const ShardSpec& s) {
    if (s.count <= 1) return jobs;
    std::vector<size_t> order(jobs.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (jobs[a].cost_estimate != jobs[b].cost_estimate) {
            return jobs[a].cost_estimate > jobs[b].cost_estimate;
        }
        return jobs[a].id < jobs[b].id;
    });
    std::vector<double> load(static_cast<size_t>(s.count), 0.0);
    std::vector<int> owner(jobs.size(), 0);
    for (size_t i : order) {
        const auto best = std::min_element(load.begin(), load.end()) - load.begin();
        owner[i] = static_cast<int>(best);
        load[static_cast<size_t>(best)] += std::max(jobs[i].cost_estimate, 1e-9);
    }
    std::vector<JobSpec> mine;
    for (size_t i = 0; i < jobs.size(); ++i) {
        if (owner[i] == s.index) mine.push_back(jobs[i]);
    }
    return mine;
}

}  // namespace nar::jobs
