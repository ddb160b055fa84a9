#pragma once
// One job of a sweep: a stable readable id, its fully resolved parameters
// (the same keys `nar train` accepts), the seed derived from the id, and a hash
// of the resolved config.
#include <cstdint>
#include <map>
#include <string>

namespace nar::jobs {

struct JobSpec {
    std::string id;                             // e.g. "table2/efficientnet/local/r07"
    std::map<std::string, std::string> params;  // study, holdout, epochs, lr, ... (resolved)
    uint64_t seed = 0;                          // derived from the id (seed_from_id)
    std::string config_hash;                    // hex hash of the resolved params
    std::string result_path;                    // where the result file goes
    double cost_estimate = 1.0;                 // relative length, for longest-first scheduling
};

}  // namespace nar::jobs
