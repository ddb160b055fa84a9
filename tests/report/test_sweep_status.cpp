// `nar sweep status`: counts in every state, the ETA from measured times and cost
// estimates, slowest and failed jobs, and reading without writing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "common/error.h"
#include "jobs/sweep_status.h"
#include "report_fixture.h"

namespace {

namespace fs = std::filesystem;
using nar::jobs::IndexEntry;
using nar::jobs::JobStatus;

IndexEntry entry(const std::string& id, JobStatus s, double wall = -1,
                 const std::string& error = "") {
    IndexEntry e;
    e.job_id = id;
    e.state = s;
    e.attempts = s == JobStatus::pending ? 0 : 1;
    e.wall_seconds = wall;
    e.host = "n1";
    e.result_path = "out/" + id + ".h5";
    e.error = error;
    return e;
}

// Two studies, every state.
std::vector<IndexEntry> every_state() {
    return {entry("a/c1/r00", JobStatus::done, 10),
            entry("a/c1/r01", JobStatus::done, 20),
            entry("a/c1/r02", JobStatus::running),
            entry("a/c1/r03", JobStatus::pending),
            entry("a/c1/r04", JobStatus::interrupted),
            entry("b/c2/r00", JobStatus::failed, 5, "boom \"x\"\nsecond line"),
            entry("b/c2/r01", JobStatus::pending)};
}

const nar::jobs::StudyProgress& study(const nar::jobs::SweepStatus& s, const std::string& name) {
    for (const auto& p : s.studies) {
        if (p.study == name) return p;
    }
    throw std::runtime_error("no study " + name);
}

TEST(SweepStatus, CountsEveryStatePerStudy) {
    const auto s = nar::jobs::sweep_status(every_state(), {}, "out");
    ASSERT_EQ(s.studies.size(), 2u);
    const auto& a = study(s, "a");
    EXPECT_EQ(a.done, 2);
    EXPECT_EQ(a.running, 1);
    EXPECT_EQ(a.pending, 1);
    EXPECT_EQ(a.interrupted, 1);
    EXPECT_EQ(a.failed, 0);
    EXPECT_DOUBLE_EQ(a.wall_seconds, 30);
    const auto& b = study(s, "b");
    EXPECT_EQ(b.failed, 1);
    EXPECT_EQ(b.pending, 1);
    EXPECT_EQ(s.total.total(), 7);
    EXPECT_EQ(s.total.done, 2);
    EXPECT_EQ(s.workers, 1);
    EXPECT_FALSE(nar::jobs::sweep_finished(s));
    ASSERT_EQ(s.failed.size(), 1u);
    EXPECT_EQ(s.failed[0].job_id, "b/c2/r00");
    EXPECT_EQ(s.failed[0].error, "boom \"x\"");  // first line
    EXPECT_EQ(s.failed[0].log_path, "out/b/c2/r00.log");
    ASSERT_EQ(s.running.size(), 1u);
    EXPECT_EQ(s.running[0].job_id, "a/c1/r02");
    ASSERT_EQ(s.slowest.size(), 3u);  // finished jobs, longest first
    EXPECT_EQ(s.slowest[0].job_id, "a/c1/r01");
    EXPECT_EQ(s.slowest[1].job_id, "a/c1/r00");
    EXPECT_EQ(s.slowest[2].job_id, "b/c2/r00");
}

TEST(SweepStatus, EtaFromMeanJobTimes) {
    const auto s = nar::jobs::sweep_status(every_state(), {}, "out");
    // c1's mean is 15 s: running r02 at half (7.5) + pending r03 (15) + interrupted r04 (15);
    // b has no finished job with a time of its own config or study: the mean of all (15).
    EXPECT_DOUBLE_EQ(s.remaining_seconds, 7.5 + 15 + 15 + 15);
    EXPECT_DOUBLE_EQ(s.eta_seconds, 52.5);
    EXPECT_EQ(s.eta_basis, "mean job times");
    auto two = every_state();
    two[3].state = JobStatus::running;  // two jobs at a time
    const auto s2 = nar::jobs::sweep_status(two, {}, "out");
    EXPECT_EQ(s2.workers, 2);
    EXPECT_DOUBLE_EQ(s2.eta_seconds, (7.5 + 7.5 + 15 + 15) / 2);
}

TEST(SweepStatus, EtaFromCostEstimates) {
    const std::map<std::string, double> costs = {{"a/c1/r00", 1}, {"a/c1/r01", 3}, {"a/c1/r02", 2},
                                                 {"a/c1/r03", 2}, {"a/c1/r04", 1}, {"b/c2/r00", 1},
                                                 {"b/c2/r01", 4}};
    const auto s = nar::jobs::sweep_status(every_state(), costs, "out");
    // 30 s for 4 units of cost: 7.5 s per unit.
    EXPECT_EQ(s.eta_basis, "cost estimates");
    EXPECT_DOUBLE_EQ(s.remaining_seconds, 7.5 * (0.5 * 2 + 2 + 1 + 4));
}

TEST(SweepStatus, FinishedAndNotStartedSweeps) {
    std::vector<IndexEntry> done = {entry("a/c/r00", JobStatus::done, 4),
                                    entry("a/c/r01", JobStatus::failed, 2, "x")};
    const auto f = nar::jobs::sweep_status(done, {}, "out");
    EXPECT_TRUE(nar::jobs::sweep_finished(f));
    EXPECT_DOUBLE_EQ(f.eta_seconds, 0);
    EXPECT_NE(nar::jobs::render_sweep_status(f, "text").find("finished"), std::string::npos);
    std::vector<IndexEntry> fresh = {entry("a/c/r00", JobStatus::pending),
                                     entry("a/c/r01", JobStatus::running)};
    const auto n = nar::jobs::sweep_status(fresh, {}, "out");
    EXPECT_LT(n.eta_seconds, 0);
    EXPECT_NE(nar::jobs::render_sweep_status(n, "text").find("ETA: unknown"), std::string::npos);
    std::vector<IndexEntry> many;
    for (int i = 0; i < 9; ++i)
        many.push_back(entry("a/c/r0" + std::to_string(i), JobStatus::done, i));
    const auto m = nar::jobs::sweep_status(many, {}, "out");
    ASSERT_EQ(m.slowest.size(), 5u);
    EXPECT_EQ(m.slowest[0].job_id, "a/c/r08");
}

TEST(SweepStatus, TextAndJson) {
    const auto s = nar::jobs::sweep_status(every_state(), {}, "out");
    const std::string text = nar::jobs::render_sweep_status(s, "text");
    EXPECT_NE(text.find("ETA: 0:00:53"), std::string::npos) << text;
    EXPECT_NE(text.find("b/c2/r00 (1 attempt): boom \"x\""), std::string::npos) << text;
    EXPECT_NE(text.find("log: out/b/c2/r00.log"), std::string::npos) << text;
    const std::string json = nar::jobs::render_sweep_status(s, "json");
    EXPECT_NE(json.find("\"study\": \"a\", \"done\": 2, \"running\": 1, \"failed\": 0, "
                        "\"pending\": 1, \"interrupted\": 1, \"total\": 5"),
              std::string::npos)
        << json;
    EXPECT_NE(json.find("\"eta_seconds\": 52.5"), std::string::npos) << json;
    EXPECT_NE(json.find("\"error\": \"boom \\\"x\\\"\""), std::string::npos) << json;
    EXPECT_THROW(nar::jobs::render_sweep_status(s, "xml"), nar::common::Error);
}

std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> listing(const fs::path& dir) {
    std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        out[e.path().string()] = {e.is_regular_file() ? e.file_size() : 0, e.last_write_time()};
    }
    return out;
}

TEST(SweepStatus, ReadsAResultsDirectoryWithoutWriting) {
    const fs::path dir = fs::temp_directory_path() / ("nar_status_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    nar::jobs::testing::make_report_fixture(dir);
    const auto before = listing(dir);
    const auto s = nar::jobs::read_sweep_status(dir.string());
    EXPECT_EQ(listing(dir), before);
    EXPECT_EQ(s.total.total(), 39);
    const auto& t2 = study(s, "table2");
    EXPECT_EQ(t2.done, 22);
    EXPECT_EQ(t2.failed, 1);
    EXPECT_EQ(t2.pending, 1);
    ASSERT_EQ(s.failed.size(), 1u);
    // The result file keeps the line break the index flattens: first line only.
    EXPECT_EQ(s.failed[0].error, "loss became <NaN> & \"diverged\" at epoch 4");
    EXPECT_TRUE(s.failed[0].log_exists);
    EXPECT_EQ(s.failed[0].log_path, (dir / "table2/vgg16/r10.log").string());
    fs::remove_all(dir);
    try {
        nar::jobs::read_sweep_status(dir.string());
        FAIL() << "no error for a directory without an index";
    } catch (const nar::common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("no sweep index"), std::string::npos) << e.what();
    }
}

TEST(SweepStatus, MergesTheIndexFilesOfArrayShards) {
    const fs::path dir =
        fs::temp_directory_path() / ("nar_status_shards_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string out = dir.string();
    // An older plain index, then two shards that each ran part of the plan.
    nar::jobs::write_index(nar::jobs::index_path(out), {entry("a/c/r00", JobStatus::pending),
                                                        entry("a/c/r01", JobStatus::pending)});
    nar::jobs::write_index(
        nar::jobs::index_path(out, 0, 2),
        {entry("a/c/r00", JobStatus::done, 8), entry("a/c/r01", JobStatus::running)});
    nar::jobs::write_index(
        nar::jobs::index_path(out, 1, 2),
        {entry("a/c/r02", JobStatus::failed, 3, "oom"), entry("b/c/r00", JobStatus::pending),
         entry("b/c/r01", JobStatus::done, 4)});
    const auto s = nar::jobs::read_sweep_status(out);
    EXPECT_EQ(s.total.total(), 5);
    const auto& a = study(s, "a");
    EXPECT_EQ(a.done, 1);
    EXPECT_EQ(a.running, 1);
    EXPECT_EQ(a.failed, 1);
    EXPECT_EQ(a.pending, 0);
    const auto& b = study(s, "b");
    EXPECT_EQ(b.done, 1);
    EXPECT_EQ(b.pending, 1);
    EXPECT_EQ(s.workers, 1);
    ASSERT_EQ(s.failed.size(), 1u);
    EXPECT_EQ(s.failed[0].error, "oom");
    // a/c/r01 (running, c's mean 8 s) at half + b/c/r00 (b's mean 4 s).
    EXPECT_DOUBLE_EQ(s.remaining_seconds, 4 + 4);
    fs::remove_all(dir);
}

}  // namespace
