// Aggregation: the drop-best-and-worst rule, failed and missing runs, tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/h5.h"
#include "jobs/aggregate.h"
#include "jobs/job_id.h"
#include "jobs/result_file.h"
#include "jobs/sweep_index.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using nar::jobs::Aggregate;
using nar::jobs::ConfigSummary;
using nar::jobs::RunRecord;

RunRecord run(const std::string& id, const std::string& study, double mape, double tau,
              const std::string& status = "done") {
    RunRecord r;
    r.job_id = id;
    r.study = study;
    r.status = nar::jobs::job_status_from_string(status);
    if (status == "done") {
        r.metrics = {{"mape", mape}, {"acc10", 1 - mape}, {"kendall_tau", tau}};
    } else {
        r.error = "NaN loss at epoch 2";
        r.attempt = 2;
    }
    return r;
}

const ConfigSummary& config(const Aggregate& a, const std::string& id) {
    for (const auto& c : a.configs) {
        if (c.config_id == id) return c;
    }
    throw std::runtime_error("no config " + id);
}

TEST(Aggregate, TwelveLatencyRunsDropBestAndWorst) {
    // MAPE 0.10 .. 0.21, in a scrambled repeat order.
    const int order[12] = {5, 0, 11, 3, 8, 1, 10, 2, 7, 4, 9, 6};
    std::vector<RunRecord> runs;
    for (int r = 0; r < 12; ++r) {
        runs.push_back(run("table2/alexnet/" + nar::jobs::repeat_tag(r), "nnlqp-unseen",
                           0.10 + 0.01 * order[r], 0.0));
    }
    Aggregate a = nar::jobs::aggregate_runs(runs);
    ASSERT_EQ(a.configs.size(), 1u);
    const auto& c = a.configs[0];
    EXPECT_EQ(c.config_id, "table2/alexnet");
    EXPECT_EQ(c.table, "table2");
    EXPECT_EQ(c.primary, "mape");
    EXPECT_EQ(c.done, 12);
    EXPECT_TRUE(c.trimmed);
    EXPECT_EQ(c.best_run, "table2/alexnet/r01");  // order[1] = 0: MAPE 0.10
    ASSERT_EQ(c.dropped.size(), 2u);
    EXPECT_EQ(c.dropped[0], "table2/alexnet/r01");  // best
    EXPECT_EQ(c.dropped[1], "table2/alexnet/r02");  // worst: order[2] = 11
    EXPECT_EQ(c.used.size(), 10u);
    double mean = 0;
    for (int k = 1; k <= 10; ++k) mean += 0.10 + 0.01 * k;
    EXPECT_NEAR(c.avg.at("mape"), mean / 10, 1e-12);
    EXPECT_NEAR(c.avg.at("acc10"), 1 - mean / 10, 1e-12);
    EXPECT_DOUBLE_EQ(c.best.at("mape"), 0.10);
    EXPECT_DOUBLE_EQ(c.best.at("acc10"), 0.90);  // all metrics of the best run
}

TEST(Aggregate, AccuracyStudiesRankByTauHigherIsBetter) {
    std::vector<RunRecord> runs;
    const double taus[5] = {0.80, 0.90, 0.70, 0.85, 0.75};
    for (int r = 0; r < 5; ++r) {
        runs.push_back(run("table4/0.1/r0" + std::to_string(r), "nb201-accuracy", 0.5, taus[r]));
    }
    runs.push_back(run("table4/0.1/r05", "nb201-accuracy", 0, 0, "failed"));
    Aggregate a = nar::jobs::aggregate_runs(runs);
    const auto& c = config(a, "table4/0.1");
    EXPECT_EQ(c.primary, "kendall_tau");
    EXPECT_EQ(c.done, 5);
    EXPECT_EQ(c.failed, 1);
    EXPECT_EQ(c.best_run, "table4/0.1/r01");
    EXPECT_EQ(c.dropped, (std::vector<std::string>{"table4/0.1/r01", "table4/0.1/r02"}));
    EXPECT_NEAR(c.avg.at("kendall_tau"), (0.80 + 0.85 + 0.75) / 3, 1e-12);
    EXPECT_DOUBLE_EQ(c.best.at("kendall_tau"), 0.90);
    ASSERT_EQ(c.failed_runs.size(), 1u);
    EXPECT_EQ(c.failed_runs[0].error, "NaN loss at epoch 2");
}

TEST(Aggregate, FewerThanThreeRunsAverageAllAndSaySo) {
    std::vector<RunRecord> runs{run("q/x/r00", "nb201-latency", 0.2, 0),
                                run("q/x/r01", "nb201-latency", 0.4, 0)};
    Aggregate a = nar::jobs::aggregate_runs(runs);
    const auto& c = config(a, "q/x");
    EXPECT_FALSE(c.trimmed);
    EXPECT_TRUE(c.dropped.empty());
    EXPECT_NEAR(c.avg.at("mape"), 0.3, 1e-12);
    EXPECT_DOUBLE_EQ(c.best.at("mape"), 0.2);
    std::string md = nar::jobs::render_aggregate(a, "md", false);
    EXPECT_NE(md.find("| q/x | 30.00 | 20.00 | 70.00 | 80.00 | 2 * |"), std::string::npos) << md;
    EXPECT_NE(md.find("fewer than 3 finished runs"), std::string::npos) << md;
}

TEST(Aggregate, PlanGivesMissingCountsAndFailedRunsAreListed) {
    nar::jobs::SweepPlan plan;
    for (int r = 0; r < 4; ++r) {
        nar::jobs::JobSpec j;
        j.id = "gen/a/" + nar::jobs::repeat_tag(r);
        j.params = {{"study", "nb201-latency"}};
        plan.jobs.push_back(j);
        j.id = "gen/b/" + nar::jobs::repeat_tag(r);
        plan.jobs.push_back(j);
    }
    std::vector<RunRecord> runs{run("gen/a/r00", "nb201-latency", 0.1, 0),
                                run("gen/a/r01", "nb201-latency", 0.2, 0),
                                run("gen/a/r02", "nb201-latency", 0, 0, "failed")};
    Aggregate a = nar::jobs::aggregate_runs(runs, &plan);
    ASSERT_EQ(a.configs.size(), 2u);
    EXPECT_EQ(config(a, "gen/a").missing(), 1);
    EXPECT_EQ(config(a, "gen/a").failed, 1);
    EXPECT_EQ(config(a, "gen/b").missing(), 4);  // nothing ran yet: still shown
    std::string md = nar::jobs::render_aggregate(a, "md", false);
    EXPECT_NE(md.find("| gen/a | 15.00 | 10.00 | 85.00 | 90.00 | 2/4 (1 failed, 1 missing) * |"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("| gen/b | - | - | - | - | 0/4 (4 missing) |"), std::string::npos) << md;
    EXPECT_NE(md.find("failed: gen/a/r02 (attempt 2): NaN loss at epoch 2"), std::string::npos)
        << md;
}

TEST(Aggregate, PaperShapedTablesWithPublishedNumbers) {
    std::vector<RunRecord> runs;
    for (const char* fam : {"alexnet", "efficientb0"}) {
        for (int r = 0; r < 3; ++r) {
            auto rec = run(std::string("table2/") + fam + "/r0" + std::to_string(r), "nnlqp-unseen",
                           0.20 + 0.01 * r, 0);
            rec.params = {{"study", "nnlqp-unseen"}, {"holdout", fam}};
            runs.push_back(rec);
        }
    }
    Aggregate a = nar::jobs::aggregate_runs(runs);
    // Three runs each: the middle one (MAPE 0.21) is the avg, 0.20 the best.
    std::string md = nar::jobs::render_aggregate(a, "md", true);
    EXPECT_NE(md.find("### Table 2: latency, unseen family"), std::string::npos) << md;
    EXPECT_NE(md.find("| AlexNet | 21.00 | 20.00 | 24.28 / 18.29 | -3.28 | 79.00 | 80.00 | "
                      "24.65 / 28.60 | +54.35 | 3 |"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("| EfficientNet | 21.00 | 20.00 | 13.20 / 11.37 | +7.80 |"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("| Average | 21.00 | 20.00 | 10.55 / 9.13 | +10.45 |"), std::string::npos)
        << md;

    std::string csv = nar::jobs::render_aggregate(a, "csv", false);
    EXPECT_NE(
        csv.find("held-out family,MAPE (%) avg,MAPE (%) best,Acc(10%) avg,Acc(10%) best,runs"),
        std::string::npos)
        << csv;
    EXPECT_NE(csv.find("AlexNet,21.00,20.00,79.00,80.00,3"), std::string::npos) << csv;
    std::string tex = nar::jobs::render_aggregate(a, "latex", false);
    EXPECT_NE(tex.find("AlexNet & 21.00 & 20.00 & 79.00 & 80.00 & 3 \\\\"), std::string::npos)
        << tex;
    std::string json = nar::jobs::render_aggregate(a, "json", false);
    EXPECT_NE(json.find("\"config_id\": \"table2/alexnet\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"best_run\": \"table2/alexnet/r00\""), std::string::npos) << json;
    EXPECT_THROW(nar::jobs::render_aggregate(a, "xml", false), nar::common::Error);
}

TEST(Aggregate, Table1PerFamilyRowsFromGroupMetrics) {
    std::vector<RunRecord> runs;
    for (int r = 0; r < 3; ++r) {
        auto rec = run("table1/r0" + std::to_string(r), "nnlqp-in-domain", 0.03 + 0.01 * r, 0);
        rec.group_metrics = {{"vgg16", {{"mape", 0.02 + 0.01 * r}, {"acc10", 0.9}}}};
        runs.push_back(rec);
    }
    std::string md = nar::jobs::render_aggregate(nar::jobs::aggregate_runs(runs), "md", true);
    EXPECT_NE(md.find("### Table 1: latency, same distribution"), std::string::npos) << md;
    EXPECT_NE(md.find("| All | 4.00 | 3.00 | 3.07 / 3.00 | +0.93 |"), std::string::npos) << md;
    EXPECT_NE(md.find("| VGG | 3.00 | 2.00 | 3.51 | -0.51 | 90.00 | 90.00 | - | - | 3 |"),
              std::string::npos)
        << md;
}

TEST(Aggregate, ScanSkipsTmpCheckpointsAndForeignFiles) {
    auto dir = nar::jobs::testing::scratch_dir("scan");
    using nar::jobs::testing::sample_result;
    nar::jobs::write_result((dir / "t/a/r00.h5").string(),
                            sample_result("t/a/r00", "nb201-latency", 0.1));
    nar::jobs::write_result((dir / "t/a/r01.h5").string(),
                            sample_result("t/a/r01", "nb201-latency", 0.3));
    // A checkpoint, a half-written result and a foreign HDF5 file (the sweep index).
    nar::jobs::write_result((dir / "t/a/r02.ckpt.h5").string(),
                            sample_result("t/a/r02", "nb201-latency", 9.0));
    std::ofstream((dir / "t/a/r03.h5.tmp").string()) << "partial";
    {
        nar::common::H5File f((dir / "index.h5").string(), nar::common::H5File::Mode::Truncate);
        f.write_string("jobs", "x");
    }
    std::ofstream((dir / "t/a/broken.h5").string()) << "garbage";

    std::vector<std::string> unreadable;
    auto runs = nar::jobs::scan_results(dir.string(), &unreadable);
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].job_id, "t/a/r00");
    EXPECT_EQ(runs[1].job_id, "t/a/r01");
    EXPECT_EQ(runs[0].params.at("epochs"), "3");
    ASSERT_EQ(unreadable.size(), 1u);  // garbage is reported, never silently dropped
    EXPECT_NE(unreadable[0].find("broken.h5"), std::string::npos) << unreadable[0];

    Aggregate a = nar::jobs::aggregate_results(dir.string());
    EXPECT_EQ(a.configs.size(), 1u);
    EXPECT_NEAR(a.configs[0].avg.at("mape"), 0.2, 1e-12);
    EXPECT_THROW(nar::jobs::aggregate_results((dir / "nope").string()), nar::common::Error);
    fs::remove_all(dir);
}

}  // namespace

namespace {

TEST(Aggregate, Table4RowsFromTrainerConfigText) {
    // The trainer writes every key, numbers in std::to_string form.
    std::vector<nar::jobs::RunRecord> runs;
    const double taus[3] = {0.80, 0.85, 0.90};
    for (int r = 0; r < 3; ++r) {
        nar::jobs::RunRecord rec;
        rec.job_id = "table4/0.1/r0" + std::to_string(r);
        rec.study = "nb201-accuracy";
        rec.status = nar::jobs::JobStatus::done;
        rec.params = nar::jobs::parse_config_text(
            "fraction=0.100000\nstudy=nb201-accuracy\ntrain_count=0\n");
        rec.metrics = {{"kendall_tau", taus[r]}};
        runs.push_back(rec);
    }
    std::string md = nar::jobs::render_aggregate(nar::jobs::aggregate_runs(runs), "md", true);
    EXPECT_NE(md.find("### Table 4: accuracy prediction, NAS-Bench-201"), std::string::npos) << md;
    EXPECT_NE(md.find("| fraction 0.1 | 0.850 | 0.900 | 0.888 | -0.038 | 3 |"), std::string::npos)
        << md;
}

}  // namespace

namespace {

TEST(Aggregate, SweepIndexGivesMissingAndFailedWithoutResultFiles) {
    auto dir = nar::jobs::testing::scratch_dir("index");
    nar::jobs::write_result((dir / "t/a/r00.h5").string(),
                            nar::jobs::testing::sample_result("t/a/r00", "nb201-latency", 0.1));
    std::vector<nar::jobs::IndexEntry> entries(3);
    entries[0].job_id = "t/a/r00";
    entries[0].state = nar::jobs::JobStatus::done;
    entries[1].job_id = "t/a/r01";
    entries[1].state = nar::jobs::JobStatus::failed;
    entries[1].attempts = 2;
    entries[1].error = "out of memory";
    entries[2].job_id = "t/a/r02";
    entries[2].state = nar::jobs::JobStatus::pending;
    nar::jobs::write_index(nar::jobs::index_path(dir.string()), entries);

    auto agg = nar::jobs::aggregate_results(dir.string());
    ASSERT_EQ(agg.configs.size(), 1u);
    const auto& c = agg.configs[0];
    EXPECT_EQ(c.done, 1);
    EXPECT_EQ(c.failed, 1);
    EXPECT_EQ(c.expected, 3);
    EXPECT_EQ(c.missing(), 1);
    std::string md = nar::jobs::render_aggregate(agg, "md", false);
    EXPECT_NE(md.find("1/3 (1 failed, 1 missing) *"), std::string::npos) << md;
    EXPECT_NE(md.find("failed: t/a/r01 (attempt 2): out of memory"), std::string::npos) << md;
    fs::remove_all(dir);
}

}  // namespace
