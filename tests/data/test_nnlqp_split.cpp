// NNLQP label parsing and splits on the real gt_stage.txt (graphs stubbed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "common/error.h"
#include "data/nnlqp.h"
#include "tests/common/test_helpers.h"

namespace {

namespace fs = std::filesystem;
using nar::common::Error;
using namespace nar::data;

const std::string kGt = std::string(NAR_BUNDLED) + "/nnlqp/gt_stage.txt";

using nar::test::error_of;

struct TmpFile {
    std::string path;
    explicit TmpFile(const std::string& text) {
        path = (fs::temp_directory_path() /
                ("nar_gt_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + ".txt"))
                   .string();
        std::ofstream(path) << text;
    }
    ~TmpFile() { fs::remove(path); }
    static inline int counter = 0;
};

// A one-node stub graph carrying the row id, so tests can check which row it came from.
Graph stub(const NnlqpRow& r) {
    Graph g;
    g.num_nodes = 1;
    g.feat_dim = 1;
    g.x = {static_cast<float>(r.id)};
    return g;
}

TEST(NnlqpSplit, ReadsTheRealLabelFile) {
    const auto rows = read_nnlqp_labels(kGt);
    ASSERT_EQ(rows.size(), 20000u);
    EXPECT_EQ(rows[0].id, 1);
    EXPECT_EQ(rows[0].onnx_path, "onnx/nnmeter_alexnet/nnmeter_alexnet_transform_0000.onnx");
    EXPECT_EQ(rows[0].batch, 1);
    EXPECT_DOUBLE_EQ(rows[0].latency_ms, 2.06137);
    EXPECT_EQ(rows[0].family, "alexnet");
    EXPECT_EQ(rows[0].platform, "1");
    EXPECT_EQ(rows[0].stage, "train");
    EXPECT_EQ(nnlqp_families(rows).size(), 10u);
}

TEST(NnlqpSplit, InDomainCounts) {
    const auto rows = read_nnlqp_labels(kGt);
    NnlqpSplitOptions o;
    o.val_fraction = 0;
    auto s = split_nnlqp(rows, o);
    EXPECT_EQ(s.train.size(), 18000u);
    EXPECT_EQ(s.val.size(), 0u);
    EXPECT_EQ(s.test.size(), 2000u);
    std::map<std::string, int> test_per_family;
    for (size_t i : s.test) {
        EXPECT_EQ(rows[i].stage, "test");
        ++test_per_family[rows[i].family];
    }
    ASSERT_EQ(test_per_family.size(), 10u);
    for (const auto& [f, n] : test_per_family) EXPECT_EQ(n, 200) << f;

    // Default 5% validation per family: 90 of each family's 1,800 training rows.
    o.val_fraction = 0.05;
    o.seed = 7;
    s = split_nnlqp(rows, o);
    EXPECT_EQ(s.train.size(), 17100u);
    EXPECT_EQ(s.val.size(), 900u);
    EXPECT_EQ(s.test.size(), 2000u);
    std::map<std::string, int> val_per_family;
    for (size_t i : s.val) {
        EXPECT_EQ(rows[i].stage, "train");
        ++val_per_family[rows[i].family];
    }
    for (const auto& [f, n] : val_per_family) EXPECT_EQ(n, 90) << f;
    std::set<size_t> all(s.train.begin(), s.train.end());
    for (size_t i : s.val) EXPECT_TRUE(all.insert(i).second) << "val row also in train";
    EXPECT_EQ(all.size(), 18000u);
}

TEST(NnlqpSplit, ValidationIsDeterministicPerSeed) {
    const auto rows = read_nnlqp_labels(kGt);
    NnlqpSplitOptions o;
    o.seed = 3;
    const auto a = split_nnlqp(rows, o);
    const auto b = split_nnlqp(rows, o);
    EXPECT_EQ(a.val, b.val);
    EXPECT_EQ(a.train, b.train);
    o.seed = 4;
    const auto c = split_nnlqp(rows, o);
    EXPECT_NE(a.val, c.val);
    EXPECT_EQ(a.val.size(), c.val.size());
}

TEST(NnlqpSplit, HoldoutFamily) {
    const auto rows = read_nnlqp_labels(kGt);
    NnlqpSplitOptions o;
    o.kind = NnlqpSplitKind::holdout;
    o.holdout_family = "resnet18";
    o.val_fraction = 0;
    auto s = split_nnlqp(rows, o);
    EXPECT_EQ(s.train.size(), 18000u);
    EXPECT_EQ(s.test.size(), 2000u);
    for (size_t i : s.test) EXPECT_EQ(rows[i].family, "resnet18");
    for (size_t i : s.train) EXPECT_NE(rows[i].family, "resnet18");

    o.val_fraction = 0.05;  // 100 of each remaining family's 2,000 rows
    s = split_nnlqp(rows, o);
    EXPECT_EQ(s.val.size(), 900u);
    EXPECT_EQ(s.train.size(), 17100u);
    EXPECT_EQ(s.test.size(), 2000u);
}

TEST(NnlqpSplit, UnknownFamilyListsFamilies) {
    const auto rows = read_nnlqp_labels(kGt);
    NnlqpSplitOptions o;
    o.kind = NnlqpSplitKind::holdout;
    o.holdout_family = "lenet";
    const std::string msg = error_of([&] { split_nnlqp(rows, o); });
    EXPECT_NE(msg.find("unknown NNLQP family 'lenet'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("alexnet, efficientb0, googlenet"), std::string::npos) << msg;
}

TEST(NnlqpSplit, PlatformFilter) {
    const auto rows = read_nnlqp_labels(kGt);
    NnlqpSplitOptions o;
    o.platform = "1";
    EXPECT_EQ(split_nnlqp(rows, o).test.size(), 2000u);
    o.platform = "gpu-t4";
    const std::string msg = error_of([&] { split_nnlqp(rows, o); });
    EXPECT_NE(msg.find("no NNLQP rows on platform 'gpu-t4'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("the platforms are: 1"), std::string::npos) << msg;
}

TEST(NnlqpSplit, AssembleBuildsSamplesAndReportsFailures) {
    const auto rows = read_nnlqp_labels(kGt);
    NnlqpSplitOptions o;
    const auto s = split_nnlqp(rows, o);
    // Rows with id divisible by 1000 "fail to load".
    auto loader = [](const NnlqpRow& r) {
        if (r.id % 1000 == 0) throw Error(r.onnx_path + ": cannot open file");
        return stub(r);
    };
    const auto d = assemble_nnlqp(rows, s, loader);
    EXPECT_EQ(d.n_failed, 20u);
    ASSERT_EQ(d.failures.size(), 5u);
    EXPECT_NE(d.failures[0].find("cannot open file"), std::string::npos) << d.failures[0];
    EXPECT_EQ(d.train.size() + d.val.size() + d.test.size(), 20000u - 20u);
    for (const auto* v : {&d.train, &d.val, &d.test})
        for (const auto& smp : *v) {
            EXPECT_NE(smp.id % 1000, 0);
            EXPECT_EQ(smp.graph.x[0], static_cast<float>(smp.id));
        }
    const auto& first = d.train.front();
    EXPECT_EQ(first.group, rows[s.train.front()].family);
    EXPECT_DOUBLE_EQ(first.target, rows[s.train.front()].latency_ms);
}

TEST(NnlqpSplit, LabelErrorsNameFileAndLine) {
    {
        TmpFile t("1 a.onnx 1 2.0 alexnet 1 train\n2 b.onnx 1\n");
        EXPECT_NE(error_of([&] { read_nnlqp_labels(t.path); }).find(t.path + ":2: expected 6 or 7"),
                  std::string::npos);
    }
    {
        TmpFile t("1 a.onnx 1 -2.0 alexnet 1 train\n");
        EXPECT_NE(error_of([&] { read_nnlqp_labels(t.path); }).find(t.path + ":1: bad latency"),
                  std::string::npos);
    }
    {
        TmpFile t("\n1 a.onnx 1 nan alexnet 1 train\n");
        EXPECT_NE(error_of([&] { read_nnlqp_labels(t.path); }).find(t.path + ":2: bad latency"),
                  std::string::npos);
    }
    {
        TmpFile t("1 a.onnx 0 2.0 alexnet 1 train\n");
        EXPECT_NE(error_of([&] { read_nnlqp_labels(t.path); }).find(t.path + ":1: bad batch"),
                  std::string::npos);
    }
    {
        TmpFile t("1 a.onnx x8 2.0 alexnet 1 train\n");
        EXPECT_NE(error_of([&] { read_nnlqp_labels(t.path); }).find(t.path + ":1: bad batch"),
                  std::string::npos);
    }
    {
        TmpFile t("1 a.onnx 1 2.0 alexnet 1 valid\n");
        EXPECT_NE(error_of([&] { read_nnlqp_labels(t.path); }).find(t.path + ":1: stage"),
                  std::string::npos);
    }
    {
        // gt.txt without stage: in-domain is refused, holdout works.
        TmpFile t("1 a.onnx 1 2.0 alexnet 1\n2 b.onnx 1 3.0 vgg16 1\n");
        const auto rows = read_nnlqp_labels(t.path);
        EXPECT_NE(error_of([&] { split_nnlqp(rows, {}); }).find("needs the stage column"),
                  std::string::npos);
        NnlqpSplitOptions o;
        o.kind = NnlqpSplitKind::holdout;
        o.holdout_family = "vgg16";
        const auto s = split_nnlqp(rows, o);
        EXPECT_EQ(s.test, std::vector<size_t>{1});
        EXPECT_EQ(s.train, std::vector<size_t>{0});
    }
}

}  // namespace
