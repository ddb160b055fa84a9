// Single-process tests of the sweep machinery: the results index, the
// coordinator's wire format, the serial coordinator (order, retries, resume,
// stop) and the self communicator.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/error.h"
#include "jobs/result_file.h"
#include "jobs/sweep_index.h"
#include "runner/communicator.h"
#include "runner/communicator_flat.h"
#include "runner/coordinator.h"
#include "runner/coordinator_wire.h"
#include "runner/mpi_env.h"
#include "runner/signals.h"

namespace fs = std::filesystem;
using namespace nar;
using jobs::JobStatus;

namespace {

std::string temp_dir(const std::string& tag) {
    auto d = fs::temp_directory_path() / ("nar_sweep_" + tag + "_" + std::to_string(getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d.string();
}

std::vector<jobs::JobSpec> make_jobs(const std::string& dir, const std::vector<std::string>& ids,
                                     const std::vector<double>& costs) {
    std::vector<jobs::JobSpec> out;
    for (size_t i = 0; i < ids.size(); ++i) {
        jobs::JobSpec s;
        s.id = ids[i];
        s.seed = 100 + i;
        s.config_hash = "hash" + std::to_string(i);
        s.result_path = dir + "/" + ids[i] + ".h5";
        s.cost_estimate = costs[i];
        s.params["study"] = "fake";
        out.push_back(s);
    }
    return out;
}

// A fake job: records the call, fails for ids containing "fail", writes a result.
runner::JobOutcome fake_job(const jobs::JobSpec& spec, std::vector<std::string>& calls) {
    calls.push_back(spec.id);
    if (spec.id.find("fail") != std::string::npos)
        throw std::runtime_error("bad data in " + spec.id);
    runner::JobOutcome out;
    out.end = jobs::JobStatus::done;
    out.result.job_id = spec.id;
    out.result.config_hash = spec.config_hash;
    out.result.status = nar::jobs::JobStatus::done;
    out.result.val_metric_name = "mape";
    out.result.metrics["mape"] = 0.01 * static_cast<double>(spec.seed);
    out.result.metrics["acc10"] = 0.5;
    jobs::write_result(spec.result_path, out.result);
    return out;
}

struct StopFlagReset {
    ~StopFlagReset() { runner::stop_requested().store(false); }
};

}  // namespace

TEST(SweepIndex, RoundTripsEveryField) {
    auto dir = temp_dir("index");
    std::vector<jobs::IndexEntry> in(2);
    in[0] = {"table1/r00", jobs::JobStatus::done, 1, "mape", 0.0312345678901234, 12.5,
             "node1",      dir + "/a.h5",  ""};
    in[1] = {"table2/vgg/r03",
             jobs::JobStatus::failed,
             2,
             "",
             0.0,
             -1,
             "node2",
             dir + "/b.h5",
             "NaN loss\tat epoch 3\nstop"};
    const auto path = jobs::index_path(dir);
    EXPECT_EQ(path, dir + "/index.tsv");
    jobs::write_index(path, in);
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    auto out = jobs::read_index(path);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].job_id, "table1/r00");
    EXPECT_EQ(out[0].state, jobs::JobStatus::done);
    EXPECT_EQ(out[0].attempts, 1);
    EXPECT_EQ(out[0].metric_name, "mape");
    EXPECT_EQ(out[0].metric_value, 0.0312345678901234);  // %.17g round-trips exactly
    EXPECT_EQ(out[0].wall_seconds, 12.5);
    EXPECT_EQ(out[0].host, "node1");
    EXPECT_EQ(out[1].state, jobs::JobStatus::failed);
    EXPECT_EQ(out[1].attempts, 2);
    EXPECT_EQ(out[1].metric_name, "");
    EXPECT_LT(out[1].wall_seconds, 0);
    EXPECT_EQ(out[1].error, "NaN loss at epoch 3 stop");  // tabs/newlines flattened
    std::ifstream f(path);
    std::string header;
    std::getline(f, header);
    EXPECT_EQ(header,
              "job_id\tstate\tattempts\tmetric_name\tmetric_value\twall_seconds\thost\tresult_"
              "path\terror");
}

TEST(SweepIndex, BadFilesNameFileAndLine) {
    auto dir = temp_dir("badindex");
    const auto path = dir + "/index.tsv";
    {
        std::ofstream f(path);
        f << "hello\n";
    }
    try {
        jobs::read_index(path);
        FAIL() << "no error";
    } catch (const common::Error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("bad header"), std::string::npos) << e.what();
    }
    jobs::write_index(path, {{"a", jobs::JobStatus::done, 1, "", 0, 1, "h", "p", ""}});
    {
        std::ofstream f(path, std::ios::app);
        f << "b\tweird\t1\t\t\t\th\tp\t\n";
    }
    try {
        jobs::read_index(path);
        FAIL() << "no error";
    } catch (const common::Error& e) {
        EXPECT_NE(std::string(e.what()).find(path + ":3:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("weird"), std::string::npos) << e.what();
    }
    EXPECT_THROW(jobs::read_index(dir + "/missing.tsv"), common::Error);
}

TEST(CoordinatorWire, JobAndReportRoundTrip) {
    jobs::JobSpec s;
    s.id = "table2/efficientnet/local/r07";
    s.seed = 1234567890123ULL;
    s.config_hash = "0123456789abcdef";
    s.result_path = "/tmp/x:y/r07.h5";
    s.cost_estimate = 1.0 / 3.0;
    s.params = {{"lr", "1e-3"}, {"note", "a:b\n12:c"}, {"empty", ""}};
    int index = -1;
    auto back = runner::decode_job(runner::encode_job(42, s), &index);
    EXPECT_EQ(index, 42);
    EXPECT_EQ(back.id, s.id);
    EXPECT_EQ(back.seed, s.seed);
    EXPECT_EQ(back.config_hash, s.config_hash);
    EXPECT_EQ(back.result_path, s.result_path);
    EXPECT_EQ(back.cost_estimate, s.cost_estimate);
    EXPECT_EQ(back.params, s.params);

    runner::JobReport r;
    r.job_index = 7;
    r.state = jobs::JobStatus::interrupted;
    r.metric_name = "kendall_tau";
    r.metric_value = 0.8612345;
    r.wall_seconds = 3.25;
    r.host = "n01";
    r.error = "boom: 3";
    auto rb = runner::decode_report(runner::encode_report(r));
    EXPECT_EQ(rb.job_index, 7);
    EXPECT_EQ(rb.state, jobs::JobStatus::interrupted);
    EXPECT_EQ(rb.metric_name, "kendall_tau");
    EXPECT_EQ(rb.metric_value, 0.8612345);
    EXPECT_EQ(rb.wall_seconds, 3.25);
    EXPECT_EQ(rb.host, "n01");
    EXPECT_EQ(rb.error, "boom: 3");
    EXPECT_THROW(runner::decode_job("5:abc", nullptr), common::Error);
}

TEST(SelfCommunicator, IsTheIdentity) {
    auto c = runner::make_self_communicator();
    EXPECT_EQ(c->rank(), 0);
    EXPECT_EQ(c->size(), 1);
    EXPECT_EQ(c->backend(), "self");
    std::vector<double> v{1.5, -2};
    c->allreduce_sum(v);
    EXPECT_EQ(v, (std::vector<double>{1.5, -2}));
    auto p = torch::ones({3}, torch::kFloat64).requires_grad_(true);
    p.mutable_grad() = torch::full({3}, 2.0, torch::kFloat64);
    c->allreduce_gradients({p});
    EXPECT_TRUE(torch::equal(p.grad(), torch::full({3}, 2.0, torch::kFloat64)));
}

TEST(NcclCommunicator, WithoutNcclBuildSaysSo) {
#ifndef NAR_WITH_NCCL
    try {
        runner::make_nccl_communicator(MPI_COMM_NULL, 0);
        FAIL() << "no error";
    } catch (const common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("without NCCL"), std::string::npos) << e.what();
    }
#else
    GTEST_SKIP() << "NCCL build";
#endif
}

TEST(CommunicatorFlat, OneBufferPerDtypeAndZeroFillsMissingGradients) {
    auto a = torch::arange(6, torch::kFloat64).reshape({2, 3}).requires_grad_(true);
    auto b = torch::ones({4}, torch::kFloat32).requires_grad_(true);
    auto c = torch::ones({2}, torch::kFloat64).requires_grad_(true);
    a.mutable_grad() = torch::arange(6, torch::kFloat64).reshape({2, 3});
    b.mutable_grad() = torch::full({4}, 3.0f);
    // c has no gradient yet
    auto bufs = runner::flatten_gradients({a, b, c});
    ASSERT_EQ(bufs.size(), 2u);
    int64_t total = 0;
    for (auto& buf : bufs) {
        EXPECT_EQ(buf.flat.dim(), 1);
        EXPECT_TRUE(buf.flat.is_contiguous());
        total += buf.flat.numel();
        buf.flat.mul_(2);
        runner::unflatten(buf);
    }
    EXPECT_EQ(total, 12);
    EXPECT_TRUE(torch::equal(a.grad(), 2 * torch::arange(6, torch::kFloat64).reshape({2, 3})));
    EXPECT_TRUE(torch::equal(b.grad(), torch::full({4}, 6.0f)));
    ASSERT_TRUE(c.grad().defined());
    EXPECT_TRUE(torch::equal(c.grad(), torch::zeros({2}, torch::kFloat64)));
}

TEST(MpiEnv, ThreadsPerRankNeverBelowOne) {
    EXPECT_GE(runner::default_threads_per_rank(1), 1);
    EXPECT_EQ(runner::default_threads_per_rank(100000), 1);
    const auto& info = runner::mpi_info();
    EXPECT_EQ(info.world_size, 1);
    EXPECT_FALSE(info.host.empty());
}

TEST(SerialCoordinator, RunsLongestFirstRetriesFailuresAndWritesIndex) {
    auto dir = temp_dir("serial");
    auto jobs = make_jobs(dir, {"short", "fail_once", "long", "mid"}, {1, 5, 10, 3});
    std::vector<std::string> calls;
    runner::CoordinatorOptions opts;
    opts.out_dir = dir;
    opts.name = "t";
    opts.max_attempts = 2;
    auto s = runner::coordinate_jobs(
        jobs, [&](const jobs::JobSpec& sp, runner::Communicator&) { return fake_job(sp, calls); },
        opts, MPI_COMM_NULL);
    // Longest first; the failed job goes back into the queue by its cost and is
    // tried again right away (it is still the longest pending).
    EXPECT_EQ(calls, (std::vector<std::string>{"long", "fail_once", "fail_once", "mid", "short"}));
    EXPECT_EQ(s.total, 4);
    EXPECT_EQ(s.done, 3);
    EXPECT_EQ(s.failed, 1);
    EXPECT_EQ(s.exit_code(), 1);
    auto idx = jobs::read_index(jobs::index_path(dir));
    ASSERT_EQ(idx.size(), 4u);  // in sweep order
    EXPECT_EQ(idx[0].job_id, "short");
    EXPECT_EQ(idx[0].state, jobs::JobStatus::done);
    EXPECT_EQ(idx[0].attempts, 1);
    EXPECT_EQ(idx[0].metric_name, "mape");
    EXPECT_DOUBLE_EQ(idx[0].metric_value, 1.0);
    EXPECT_EQ(idx[0].host, runner::mpi_info().host);
    EXPECT_GE(idx[0].wall_seconds, 0);
    EXPECT_EQ(idx[1].state, jobs::JobStatus::failed);
    EXPECT_EQ(idx[1].attempts, 2);
    EXPECT_EQ(idx[1].error, "bad data in fail_once");
    EXPECT_FALSE(fs::exists(jobs[1].result_path));
}

TEST(SerialCoordinator, ResumeSkipsCompleteResultsAndRefusesWithoutResume) {
    auto dir = temp_dir("resume");
    auto jobs = make_jobs(dir, {"a", "b", "c"}, {1, 1, 1});
    std::vector<std::string> calls;
    auto fn = [&](const jobs::JobSpec& sp, runner::Communicator&) { return fake_job(sp, calls); };
    runner::CoordinatorOptions opts;
    opts.out_dir = dir;
    // A previous run finished "b" only.
    fake_job(jobs[1], calls);
    calls.clear();
    // Results present and no resume: refuse rather than overwrite.
    try {
        runner::coordinate_jobs(jobs, fn, opts, MPI_COMM_NULL);
        FAIL() << "no error";
    } catch (const common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(dir), std::string::npos) << e.what();
    }
    EXPECT_TRUE(calls.empty());
    opts.resume = true;
    const auto mtime = fs::last_write_time(jobs[1].result_path);
    auto s = runner::coordinate_jobs(jobs, fn, opts, MPI_COMM_NULL);
    EXPECT_EQ(calls, (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(s.skipped, 1);
    EXPECT_EQ(s.done, 3);
    EXPECT_EQ(s.exit_code(), 0);
    EXPECT_EQ(fs::last_write_time(jobs[1].result_path), mtime);
    auto idx = jobs::read_index(jobs::index_path(dir));
    ASSERT_EQ(idx.size(), 3u);
    EXPECT_EQ(idx[1].state, jobs::JobStatus::done);
    EXPECT_EQ(idx[1].metric_name, "mape");  // read back from the result file
    EXPECT_DOUBLE_EQ(idx[1].metric_value, 1.01);
    // A second resume runs nothing.
    calls.clear();
    s = runner::coordinate_jobs(jobs, fn, opts, MPI_COMM_NULL);
    EXPECT_TRUE(calls.empty());
    EXPECT_EQ(s.skipped, 3);
}

TEST(SerialCoordinator, StopSignalInterruptsAndLeavesTheRestPending) {
    StopFlagReset reset;
    runner::install_stop_handlers();
    auto dir = temp_dir("stop");
    auto jobs = make_jobs(dir, {"j0", "j1", "j2", "j3"}, {4, 3, 2, 1});
    std::vector<std::string> calls;
    bool signalled = false;
    auto fn = [&](const jobs::JobSpec& sp, runner::Communicator&) {
        if (sp.id == "j1" && !signalled) {
            signalled = true;
            calls.push_back(sp.id);
            raise(SIGUSR1);  // as Slurm does before the time limit
            runner::JobOutcome out;
            out.end = runner::stop_requested().load() ? jobs::JobStatus::interrupted
                                                      : jobs::JobStatus::done;
            return out;
        }
        return fake_job(sp, calls);
    };
    runner::CoordinatorOptions opts;
    opts.out_dir = dir;
    auto s = runner::coordinate_jobs(jobs, fn, opts, MPI_COMM_NULL);
    EXPECT_EQ(runner::stop_signal(), SIGUSR1);
    EXPECT_EQ(calls, (std::vector<std::string>{"j0", "j1"}));
    EXPECT_TRUE(s.stopped);
    EXPECT_EQ(s.done, 1);
    EXPECT_EQ(s.interrupted, 1);
    EXPECT_EQ(s.pending, 2);
    EXPECT_EQ(s.exit_code(), runner::kExitInterrupted);
    EXPECT_EQ(runner::kExitInterrupted, 3);
    auto idx = jobs::read_index(jobs::index_path(dir));
    EXPECT_EQ(idx[1].state, jobs::JobStatus::interrupted);
    EXPECT_EQ(idx[1].attempts, 0);  // an interrupted attempt is not used up
    EXPECT_EQ(idx[2].state, jobs::JobStatus::pending);
    // Resume after the signal finishes the rest.
    runner::stop_requested().store(false);
    calls.clear();
    opts.resume = true;
    s = runner::coordinate_jobs(jobs, fn, opts, MPI_COMM_NULL);
    EXPECT_EQ(calls, (std::vector<std::string>{"j1", "j2", "j3"}));
}

TEST(SerialCoordinator, ThreadsParamSetsComputeThreads) {
    auto dir = temp_dir("threads");
    auto jobs = make_jobs(dir, {"t"}, {1});
    jobs[0].params["threads"] = "1";
    int seen = -1;
    runner::CoordinatorOptions opts;
    opts.out_dir = dir;
    runner::coordinate_jobs(
        jobs,
        [&](const jobs::JobSpec&, runner::Communicator& c) {
            seen = torch::get_num_threads();
            EXPECT_EQ(c.backend(), "self");
            runner::JobOutcome o;
            o.end = jobs::JobStatus::done;
            return o;
        },
        opts, MPI_COMM_NULL);
    EXPECT_EQ(seen, 1);
}

TEST(SerialCoordinator, DuplicateIdsAreRejected) {
    auto dir = temp_dir("dup");
    auto jobs = make_jobs(dir, {"x", "x"}, {1, 1});
    runner::CoordinatorOptions opts;
    opts.out_dir = dir;
    try {
        runner::coordinate_jobs(
            jobs, [](const jobs::JobSpec&, runner::Communicator&) { return runner::JobOutcome{}; },
            opts, MPI_COMM_NULL);
        FAIL() << "no error";
    } catch (const common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
    }
}
