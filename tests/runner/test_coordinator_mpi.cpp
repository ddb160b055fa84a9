// The coordinator over real MPI (mpirun -np 4): rank 0 coordinates, ranks 1-3
// run fake jobs. Checks are made on rank 0 after the collective call.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/error.h"
#include "fake_job.h"
#include "jobs/sweep_index.h"
#include "mpi_test_main.h"
#include "runner/coordinator.h"
#include "runner/mpi_env.h"

namespace fs = std::filesystem;
using namespace nar;
using jobs::JobStatus;

namespace {

int world_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

// Same fresh directory on every rank.
std::string shared_dir(const std::string& tag) {
    int pid = getpid();
    MPI_Bcast(&pid, 1, MPI_INT, 0, MPI_COMM_WORLD);
    auto d = fs::temp_directory_path() / ("nar_coord_" + tag + "_" + std::to_string(pid));
    if (world_rank() == 0) {
        fs::remove_all(d);
        fs::create_directories(d);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    return d.string();
}

std::vector<jobs::JobSpec> make_jobs(const std::string& dir, int n, const std::string& extra = "") {
    std::vector<jobs::JobSpec> out;
    for (int i = 0; i < n; ++i) {
        jobs::JobSpec s;
        s.id = "sweep/job" + std::to_string(i);
        s.seed = 1000 + i;
        s.result_path = dir + "/sweep/job" + std::to_string(i) + ".h5";
        s.cost_estimate = 1 + (i * 7) % 5;
        s.params["i"] = std::to_string(i);
        out.push_back(s);
    }
    if (!extra.empty()) {
        jobs::JobSpec s;
        s.id = extra;
        s.seed = 1;
        s.result_path = dir + "/" + extra + ".h5";
        out.push_back(s);
    }
    return out;
}

std::map<std::string, std::vector<std::string>> read_runs(const std::string& dir) {
    std::map<std::string, std::vector<std::string>> runs;  // id -> states
    std::ifstream f(dir + "/runs.log");
    std::string id, state, rest;
    while (f >> id >> state) {
        std::getline(f, rest);
        runs[id].push_back(state + rest);
    }
    return runs;
}

}  // namespace

TEST(CoordinatorMpi, EveryJobRunsExactlyOnceOnWorkerRanks) {
    auto dir = shared_dir("once");
    auto jobs = make_jobs(dir, 13);
    runner::CoordinatorOptions opts;
    opts.out_dir = dir;
    opts.name = "once";
    int calls = 0;
    auto s = runner::coordinate_jobs(
        jobs,
        [&](const jobs::JobSpec& sp, runner::Communicator& c) {
            ++calls;
            return test::fake_sweep_job(sp, c, dir, 30);
        },
        opts, MPI_COMM_WORLD);
    EXPECT_EQ(s.total, 13);
    EXPECT_EQ(s.done, 13);
    EXPECT_EQ(s.exit_code(), 0);  // same summary on every rank
    if (world_rank() == 0) {
        EXPECT_EQ(calls, 0);  // the coordinator never trains
    }
    int all_calls = calls;
    MPI_Allreduce(MPI_IN_PLACE, &all_calls, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    EXPECT_EQ(all_calls, 13);
    if (world_rank() != 0) return;
    auto runs = read_runs(dir);
    EXPECT_EQ(runs.size(), 13u);
    std::set<std::string> pids;
    for (const auto& sp : jobs) {
        ASSERT_EQ(runs[sp.id].size(), 1u) << sp.id;
        EXPECT_EQ(runs[sp.id][0].substr(0, 6), "done 1") << sp.id;
        pids.insert(runs[sp.id][0].substr(7));
        EXPECT_TRUE(jobs::result_is_complete(sp.result_path)) << sp.id;
    }
    EXPECT_GE(pids.size(), 2u);  // the work was spread over the workers
    auto idx = jobs::read_index(jobs::index_path(dir));
    ASSERT_EQ(idx.size(), 13u);
    for (size_t i = 0; i < idx.size(); ++i) {
        EXPECT_EQ(idx[i].job_id, jobs[i].id);
        EXPECT_EQ(idx[i].state, JobStatus::done);
        EXPECT_EQ(idx[i].attempts, 1);
        EXPECT_EQ(idx[i].metric_name, "mape");
        EXPECT_DOUBLE_EQ(idx[i].metric_value, 0.001 * static_cast<double>(jobs[i].seed % 1000));
        EXPECT_EQ(idx[i].host, runner::mpi_info().host);
    }
}

TEST(CoordinatorMpi, ThrowingJobIsRetriedThenRecordedFailed) {
    auto dir = shared_dir("fail");
    auto jobs = make_jobs(dir, 12, "sweep/fail_me");
    runner::CoordinatorOptions opts;
    opts.out_dir = dir;
    opts.max_attempts = 3;
    auto s = runner::coordinate_jobs(
        jobs,
        [&](const jobs::JobSpec& sp, runner::Communicator& c) {
            return test::fake_sweep_job(sp, c, dir, 20);
        },
        opts, MPI_COMM_WORLD);
    EXPECT_EQ(s.done, 12);
    EXPECT_EQ(s.failed, 1);
    EXPECT_EQ(s.exit_code(), 1);
    if (world_rank() != 0) return;
    auto runs = read_runs(dir);
    EXPECT_EQ(runs["sweep/fail_me"].size(), 3u);
    auto idx = jobs::read_index(jobs::index_path(dir));
    ASSERT_EQ(idx.size(), 13u);
    EXPECT_EQ(idx[12].state, JobStatus::failed);
    EXPECT_EQ(idx[12].attempts, 3);
    EXPECT_EQ(idx[12].error, "fake failure in sweep/fail_me");
    for (int i = 0; i < 12; ++i) EXPECT_EQ(idx[i].state, JobStatus::done) << idx[i].job_id;
}

TEST(CoordinatorMpi, GroupsOfTwoLeaveTheOddRankIdle) {
    auto dir = shared_dir("groups");
    auto jobs = make_jobs(dir, 4);
    runner::CoordinatorOptions opts;
    opts.out_dir = dir;
    opts.ranks_per_job = 2;  // ranks 1-2 form the group, rank 3 stays idle
    int calls = 0;
    auto s = runner::coordinate_jobs(
        jobs,
        [&](const jobs::JobSpec& sp, runner::Communicator& c) {
            ++calls;
            EXPECT_EQ(c.size(), 2);
            EXPECT_EQ(c.backend(), "mpi");
            return test::fake_sweep_job(sp, c, dir, 10);
        },
        opts, MPI_COMM_WORLD);
    EXPECT_EQ(s.done, 4);
    const int r = world_rank();
    EXPECT_EQ(calls, (r == 1 || r == 2) ? 4 : 0) << "rank " << r;
    if (r != 0) return;
    auto runs = read_runs(dir);
    for (const auto& sp : jobs) {
        ASSERT_EQ(runs[sp.id].size(), 1u);
        EXPECT_EQ(runs[sp.id][0].substr(0, 6), "done 2") << sp.id;  // allreduce over 2 ranks
    }
}

TEST(CoordinatorMpi, TooFewRanksForAGroupIsAnErrorOnEveryRank) {
    auto dir = shared_dir("toofew");
    runner::CoordinatorOptions opts;
    opts.out_dir = dir;
    opts.ranks_per_job = 4;
    try {
        runner::coordinate_jobs(make_jobs(dir, 2), nullptr, opts, MPI_COMM_WORLD);
        FAIL() << "no error";
    } catch (const common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("needs at least 5 MPI ranks"), std::string::npos)
            << e.what();
    }
}

TEST(CoordinatorMpi, RefusingToOverwriteIsAnErrorOnEveryRank) {
    auto dir = shared_dir("refuse");
    auto jobs = make_jobs(dir, 3);
    runner::CoordinatorOptions opts;
    opts.out_dir = dir;
    auto fn = [&](const jobs::JobSpec& sp, runner::Communicator& c) {
        return test::fake_sweep_job(sp, c, dir, 1);
    };
    runner::coordinate_jobs(jobs, fn, opts, MPI_COMM_WORLD);
    EXPECT_THROW(runner::coordinate_jobs(jobs, fn, opts, MPI_COMM_WORLD), common::Error);
    opts.resume = true;
    auto s = runner::coordinate_jobs(jobs, fn, opts, MPI_COMM_WORLD);
    EXPECT_EQ(s.skipped, 3);
}

int main(int argc, char** argv) { return mpi_test_main(argc, argv); }
