// measure_zoo: labels written in NNLQP format, resumed runs keep their rows, clear
// errors for an unreadable gt.txt and for a graph the executor cannot run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include "common/error.h"
#include "data/nnlqp.h"
#include "data/zoo/zoo_generate.h"
#include "data/zoo/zoo_labels.h"
#include "runner/zoo_measure.h"
#include "tests/common/test_helpers.h"

namespace {

namespace fs = std::filesystem;
namespace zoo = nar::data::zoo;
using nar::runner::measure_zoo;
using nar::runner::MeasureOptions;

fs::path make_zoo(const std::string& name, int64_t n) {
    const fs::path p =
        fs::temp_directory_path() / ("nar_zoo_meas_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(p);
    zoo::GenerateOptions g;
    g.family = "nasbench201";  // 32x32: milliseconds per run
    g.count = n;
    g.out = p.string();
    zoo::generate_zoo(g);
    return p;
}

MeasureOptions fast(const fs::path& dir) {
    MeasureOptions o;
    o.dir = dir.string();
    o.warmup = 1;
    o.repeats = 3;
    o.max_remeasure = 0;
    return o;
}

TEST(ZooMeasure, TimingStats) {
    const auto s = nar::runner::timing_stats({4, 1, 3, 2});
    EXPECT_DOUBLE_EQ(s.median, 2.5);
    EXPECT_NEAR(s.cv, std::sqrt(5.0 / 3.0) / 2.5, 1e-12);
    EXPECT_DOUBLE_EQ(nar::runner::timing_stats({2, 2, 2}).cv, 0);
}

TEST(ZooMeasure, ResumedRunKeepsItsRowsAndLoadsAsNnlqp) {
    const fs::path d = make_zoo("resume", 4);
    auto o = fast(d);
    o.limit = 2;  // an interrupted first run: two rows measured
    auto rep = measure_zoo(o);
    EXPECT_EQ(rep.measured_now, 2);
    const auto first = zoo::read_zoo_labels((d / "gt.txt").string());
    int measured = 0;
    for (const auto& r : first) measured += r.measured();
    EXPECT_EQ(measured, 2);

    o.limit = 0;
    rep = measure_zoo(o);
    EXPECT_EQ(rep.already, 2);
    EXPECT_EQ(rep.measured_now, 2);
    const auto second = zoo::read_zoo_labels((d / "gt.txt").string());
    ASSERT_EQ(second.size(), first.size());
    for (size_t i = 0; i < first.size(); ++i) {
        EXPECT_TRUE(second[i].measured());
        EXPECT_EQ(second[i].platform, "cpu-t1");
        if (first[i].measured()) {
            EXPECT_EQ(second[i].latency_ms, first[i].latency_ms) << i;
        }
    }
    // The NNLQP loader reads it unchanged.
    const auto rows = nar::data::read_nnlqp_labels((d / "gt.txt").string());
    EXPECT_EQ(rows.size(), 4u);
    EXPECT_TRUE(fs::exists(d / "machine.txt"));
    EXPECT_TRUE(fs::exists(d / "latency_cv.tsv"));
    // Another platform into the same directory is refused.
    o.platform = "other";
    EXPECT_THROW(measure_zoo(o), nar::common::Error);
    fs::remove_all(d);
}

using nar::test::error_of;

TEST(ZooMeasure, ClearErrors) {
    const fs::path d = make_zoo("err", 2);
    std::ofstream(d / "gt.txt", std::ios::app) << "7 x.onnx 1 fast nasbench201 u train\n";
    EXPECT_NE(error_of([&] {
                  measure_zoo(fast(d));
              }).find((d / "gt.txt").string() + ":4: bad id, batch or latency"),
              std::string::npos);
    fs::remove(d / "gt.txt");
    EXPECT_NE(error_of([&] { measure_zoo(fast(d)); }).find("gt.txt: cannot open"),
              std::string::npos);
    fs::remove_all(d);
}

TEST(ZooMeasure, AGraphWithAnUnsupportedOpIsReportedByFile) {
    const fs::path d = make_zoo("op", 2);
    const auto rows = zoo::read_zoo_labels((d / "gt.txt").string());
    const std::string path = (d / rows[1].onnx_path).string();
    onnx::ModelProto m;
    {
        std::ifstream in(path, std::ios::binary);
        ASSERT_TRUE(m.ParseFromIstream(&in));
    }
    // Elu: ONNX infers its shape, the executor has no kernel for it.
    for (auto& n : *m.mutable_graph()->mutable_node())
        if (n.op_type() == "Relu") {
            n.set_op_type("Elu");
            break;
        }
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        ASSERT_TRUE(m.SerializeToOstream(&out));
    }
    const auto rep = measure_zoo(fast(d));
    EXPECT_EQ(rep.measured_now, 1);
    EXPECT_EQ(rep.failed, 1);
    EXPECT_NE(rep.first_failure.find(path), std::string::npos) << rep.first_failure;
    EXPECT_NE(rep.first_failure.find("'Elu' is not supported"), std::string::npos);
    fs::remove_all(d);
}

}  // namespace
