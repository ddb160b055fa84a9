#pragma once
// A results directory records the plan it belongs to in OUT/plan.tsv:
//   # nar-plan-1 name=<name> hash=<plan hash>
//   job_id<TAB>config_hash<TAB>cost_estimate<TAB>result_path<TAB>params
// (params: the job's given keys as "k=v; k=v"). Starting or resuming a sweep
// into a directory that holds another plan is refused with what differs;
// `force` adds only the new jobs and never lets one job id change its config.
#include <string>
#include <vector>

#include "jobs/sweep_plan.h"

namespace nar::jobs {

struct PlanRecordJob {
    std::string job_id, config_hash, result_path, params;
    double cost_estimate = 0;
};

struct PlanRecord {
    std::string name, hash;
    std::vector<PlanRecordJob> jobs;
};

std::string plan_record_path(const std::string& out_dir);
// Hash over the job ids and their config hashes, in plan order.
std::string plan_hash(const std::vector<JobSpec>& jobs);
PlanRecord plan_record_of(const SweepPlan& plan);

// Throws common::Error when missing or malformed (naming the file and line).
PlanRecord read_plan_record(const std::string& out_dir);

// Records `plan` in out_dir when it holds none; otherwise checks it is the same
// plan (or, with force, a superset whose common jobs are unchanged, and then
// records the union). Throws common::Error saying what differs.
void check_or_record_plan(const SweepPlan& plan, const std::string& out_dir, bool force);

}  // namespace nar::jobs
