#pragma once
// Splitting a sweep's jobs into K independent shards (Slurm job arrays): a
// stable, cost-balanced rule computed from the plan alone, so every shard
// process computes the same split and together they run each job exactly once.
#include <string>
#include <vector>

#include "jobs/job_spec.h"

namespace nar::jobs {

struct ShardSpec {
    int index = 0;  // 0-based
    int count = 0;  // 0: no sharding
};

// "I/K" with 0 <= I < K <= 100000; throws common::Error otherwise.
ShardSpec parse_shard(const std::string& text);

// Longest job first onto the least-loaded shard (ties: the lower shard, then
// job id order). Returns shard `s.index`'s jobs in plan order.
std::vector<JobSpec> shard_jobs(const std::vector<JobSpec>& jobs, const ShardSpec& s);

}  // namespace nar::jobs
