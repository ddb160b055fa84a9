// The sweep's state on disk: the index event log and its merge across array
// shards, the plan record that refuses a changed sweep, the shard split, and
// the directory lock.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "common/error.h"
#include "common/file_lock.h"
#include "jobs/shard.h"
#include "jobs/sweep_identity.h"
#include "jobs/sweep_index.h"
#include "tests/common/test_helpers.h"

namespace nar::jobs {
namespace {

using test::error_of;

IndexEntry entry(const std::string& id, JobStatus s, int attempts = 1) {
    IndexEntry e;
    e.job_id = id;
    e.state = s;
    e.attempts = attempts;
    return e;
}

JobSpec job(const std::string& id, const std::string& hash, double cost,
            std::map<std::string, std::string> params = {}) {
    JobSpec j;
    j.id = id;
    j.config_hash = hash;
    j.cost_estimate = cost;
    j.params = std::move(params);
    j.result_path = "out/" + id + ".h5";
    return j;
}

TEST(IndexLog, AppendsOneRowPerEventAndTheLastRowWins) {
    test::ScratchDir dir("index_log");
    const std::string path = index_path(dir.str());
    std::vector<IndexEntry> all = {entry("a", JobStatus::pending, 0),
                                   entry("b", JobStatus::pending, 0)};
    IndexLog log(path, all);
    all[0] = entry("a", JobStatus::running);
    log.append(all[0], all);
    all[0] = entry("a", JobStatus::done);
    log.append(all[0], all);
    auto back = read_index(path);
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[0].job_id, "a");
    EXPECT_EQ(back[0].state, JobStatus::done);
    EXPECT_EQ(back[1].state, JobStatus::pending);
    // 1 header + 2 initial rows + 2 events: appended, not rewritten.
    std::ifstream in(path);
    int lines = 0;
    for (std::string l; std::getline(in, l);) ++lines;
    EXPECT_EQ(lines, 5);
    // A torn last row (a crash mid-append) is ignored.
    { std::ofstream(path, std::ios::app) << "a\tfail"; }
    EXPECT_EQ(read_index(path)[0].state, JobStatus::done);
}

TEST(IndexLog, CompactsWhenItGrows) {
    test::ScratchDir dir("index_compact");
    const std::string path = index_path(dir.str());
    std::vector<IndexEntry> all = {entry("a", JobStatus::pending, 0)};
    IndexLog log(path, all);
    for (int i = 0; i < 200; ++i) {
        all[0] = entry("a", i % 2 ? JobStatus::running : JobStatus::pending, i);
        log.append(all[0], all);
    }
    std::ifstream in(path);
    int lines = 0;
    for (std::string l; std::getline(in, l);) ++lines;
    EXPECT_LT(lines, 80);
    EXPECT_EQ(read_index(path)[0].attempts, 199);
}

TEST(SweepIndex, ShardIndexesMergeWithTheMostAdvancedStateWinning) {
    test::ScratchDir dir("index_merge");
    write_index(index_path(dir.str(), 0, 2),
                {entry("a", JobStatus::done), entry("b", JobStatus::running)});
    write_index(index_path(dir.str(), 1, 2), {entry("c", JobStatus::failed, 2)});
    // An older plain run knew b as pending and a as failed.
    write_index(index_path(dir.str()),
                {entry("a", JobStatus::failed), entry("b", JobStatus::pending)});
    auto m = read_sweep_index(dir.str());
    std::map<std::string, JobStatus> st;
    for (auto& e : m) st[e.job_id] = e.state;
    EXPECT_EQ(st.size(), 3u);
    EXPECT_EQ(st["a"], JobStatus::done);
    EXPECT_EQ(st["b"], JobStatus::running);
    EXPECT_EQ(st["c"], JobStatus::failed);
    EXPECT_TRUE(read_sweep_index(dir.file("nowhere")).empty());
}

TEST(Shard, EveryJobRunsInExactlyOneShardAndShardsAreBalanced) {
    std::vector<JobSpec> jobs;
    for (int i = 0; i < 50; ++i)
        jobs.push_back(job("j" + std::to_string(i), "h", 1 + (i % 7) * 10));
    std::multiset<std::string> seen;
    double lo = 1e18, hi = 0;
    for (int s = 0; s < 3; ++s) {
        auto mine = shard_jobs(jobs, parse_shard(std::to_string(s) + "/3"));
        double cost = 0;
        for (auto& j : mine) seen.insert(j.id), cost += j.cost_estimate;
        lo = std::min(lo, cost), hi = std::max(hi, cost);
        // Stable: the same split every time.
        auto again = shard_jobs(jobs, parse_shard(std::to_string(s) + "/3"));
        ASSERT_EQ(again.size(), mine.size());
        for (size_t i = 0; i < mine.size(); ++i) EXPECT_EQ(again[i].id, mine[i].id);
    }
    EXPECT_EQ(seen.size(), 50u);
    for (auto& j : jobs) EXPECT_EQ(seen.count(j.id), 1u) << j.id;
    EXPECT_LT(hi - lo, 61);  // within one of the largest jobs
    EXPECT_NE(error_of([] { parse_shard("3/3"); }).find("I must be in [0, 2]"), std::string::npos);
    EXPECT_NE(error_of([] { parse_shard("x"); }).find("I/K"), std::string::npos);
}

TEST(SweepIdentity, AChangedPlanIsRefusedWithWhatDiffers) {
    test::ScratchDir dir("identity");
    SweepPlan a;
    a.name = "s";
    a.out_dir = dir.str();
    a.jobs = {job("t/r00", "h1", 1, {{"epochs", "1"}}), job("t/r01", "h1", 1, {{"epochs", "1"}})};
    check_or_record_plan(a, dir.str(), false);
    EXPECT_EQ(read_plan_record(dir.str()).jobs.size(), 2u);
    check_or_record_plan(a, dir.str(), false);  // the same plan resumes
    SweepPlan b = a;
    for (auto& j : b.jobs) j.config_hash = "h2", j.params["epochs"] = "2";
    const std::string msg = error_of([&] { check_or_record_plan(b, dir.str(), true); });
    EXPECT_NE(msg.find("2 job(s) changed configuration"), std::string::npos) << msg;
    EXPECT_NE(msg.find("epochs=1 -> epochs=2"), std::string::npos) << msg;
    // New jobs need --force, and then only they are added.
    SweepPlan c = a;
    c.jobs.push_back(job("t/r02", "h1", 1, {{"epochs", "1"}}));
    EXPECT_NE(error_of([&] { check_or_record_plan(c, dir.str(), false); }).find("--force"),
              std::string::npos);
    check_or_record_plan(c, dir.str(), true);
    EXPECT_EQ(read_plan_record(dir.str()).jobs.size(), 3u);
    check_or_record_plan(c, dir.str(), false);  // now it is the recorded plan
}

TEST(FileLock, ASecondExclusiveHolderIsRefusedNamingTheFirst) {
    test::ScratchDir dir("lock");
    const std::string path = dir.file(".nar.lock");
    {
        common::FileLock held(path, true, "results");
        // flock locks belong to the open file: a second open in this process conflicts too.
        const std::string msg = error_of([&] { common::FileLock again(path, true, "results"); });
        EXPECT_NE(msg.find("in use by host"), std::string::npos) << msg;
        EXPECT_NE(msg.find("pid"), std::string::npos) << msg;
        EXPECT_NE(error_of([&] { common::FileLock shared(path, false, "results"); }), "");
    }
    common::FileLock s1(path, false, "results");
    common::FileLock s2(path, false, "results");  // shards share the directory
    EXPECT_NE(error_of([&] { common::FileLock ex(path, true, "results"); }), "");
}

}  // namespace
}  // namespace nar::jobs
