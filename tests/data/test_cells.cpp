// Loading NAS-Bench-201/101 cells from the bundled CSVs, targets and error paths.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/h5.h"
#include "data/bundled_data.h"
#include "data/cell.h"
#include "data/cell_dataset.h"
#include "data/cell_samples.h"
#include "data/nb101.h"
#include "data/nb201.h"
#include "data/tokenizer.h"
#include "tests/common/test_helpers.h"

namespace {

using nar::data::Cell;
namespace fs = std::filesystem;

// Runs f and returns the common::Error message ("" when nothing was thrown).
using nar::test::error_of;

std::string temp_file(const std::string& name, const std::string& text) {
    fs::path dir = fs::temp_directory_path() / "nar_test_cells";
    fs::create_directories(dir);
    std::string path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
}

const std::vector<Cell>& nb201_cells() {
    static const std::vector<Cell> cells = nar::data::load_nb201_bundled();
    return cells;
}

TEST(BundledData, DirExistsAndEnvOverrides) {
    std::string dir = nar::data::bundled_data_dir();
    EXPECT_TRUE(fs::exists(dir + "/nb201/nb201_cifar_accuracy.csv"));
    setenv("NAR_DATA_DIR", "/nonexistent/nar", 1);
    std::string msg = error_of([] { nar::data::bundled_data_dir(); });
    unsetenv("NAR_DATA_DIR");
    EXPECT_NE(msg.find("/nonexistent/nar"), std::string::npos) << msg;
    EXPECT_NE(msg.find("NAR_DATA_DIR"), std::string::npos) << msg;
}

TEST(Nb201, CellString) {
    std::vector<int> ops = nar::data::nb201_ops_from_string(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
        "none~2|");
    EXPECT_EQ(ops, (std::vector<int>{0, 2, 2, 3, 4, 2, 5, 6}));
    EXPECT_THROW(nar::data::nb201_ops_from_string("|conv~0|+|a~0|b~1|+|a~0|b~1|c~2|"),
                 nar::common::Error);
    EXPECT_THROW(nar::data::nb201_ops_from_string("|none~0|+|none~0|"), nar::common::Error);
    EXPECT_THROW(
        nar::data::nb201_ops_from_string("|none~0|+|none~1|none~1|+|none~0|none~1|none~2|"),
        nar::common::Error);
}

TEST(Nb201, BundledCsvAccuracyGolden) {
    const std::vector<Cell>& cells = nb201_cells();
    ASSERT_EQ(cells.size(), 15625u);
    nar::common::H5File f(std::string(NAR_FIXTURES) + "/golden/tokenizer/nb201.h5",
                          nar::common::H5File::Mode::Read);
    std::vector<double> acc = f.read_f64("cifar10_test_acc");
    std::vector<std::string> arch = f.read_strings("arch_str");
    for (size_t i = 0; i < acc.size(); ++i) {
        EXPECT_EQ(cells[i].index, static_cast<int64_t>(i));
        EXPECT_EQ(cells[i].arch, arch[i]);
        EXPECT_DOUBLE_EQ(nar::data::cell_target(cells[i], "accuracy:cifar10"), acc[i] / 100.0);
    }
    EXPECT_NEAR(nar::data::cell_target(cells[0], "accuracy:cifar100"), 0.52913333294677734, 1e-15);
    EXPECT_NEAR(nar::data::cell_target(cells[0], "accuracy:imagenet16-120"), 0.266333332739936,
                1e-15);
}

TEST(Nb201, BundledLatencyColumns) {
    const Cell& c = nb201_cells()[0];
    int latency = 0;
    for (const auto& kv : c.targets) latency += kv.first.rfind("latency:", 0) == 0;
    EXPECT_EQ(latency, 27);
    EXPECT_EQ(c.targets.size(), 30u);
    EXPECT_DOUBLE_EQ(nar::data::cell_target(c, "latency:1080ti_1"), 10.75437068939209);
    EXPECT_DOUBLE_EQ(nar::data::cell_target(nb201_cells()[1], "latency:pixel3"), 17.2381);
    EXPECT_DOUBLE_EQ(nar::data::cell_target(nb201_cells()[1], "latency:titanxp_32"),
                     9.965696334838867);
}

TEST(Nb201, UnknownTargetListsValidNames) {
    std::string msg = error_of([] { nar::data::cell_target(nb201_cells()[0], "accuracy:mnist"); });
    EXPECT_NE(msg.find("accuracy:mnist"), std::string::npos) << msg;
    EXPECT_NE(msg.find("accuracy:cifar100"), std::string::npos) << msg;
    EXPECT_NE(msg.find("latency:raspi4"), std::string::npos) << msg;
}

TEST(Nb201, MalformedRowNamesFileAndLine) {
    std::string good = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|";
    std::string path = temp_file(
        "nb201_bad.csv",
        "CIFAR10TestAccuracy200Epochs,CIFAR100TestAccuracy200Epochs,ImageNetTestAccuracy200Epochs,"
        "ArchitectureString,UniqueString\n10,20,30," +
            good + ",x\n10,abc,30," + good + ",x\n");
    std::string msg = error_of([&] { nar::data::load_nb201(path, ""); });
    EXPECT_NE(msg.find(path + ":3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("abc"), std::string::npos) << msg;

    std::string path2 = temp_file(
        "nb201_bad2.csv",
        "CIFAR10TestAccuracy200Epochs,CIFAR100TestAccuracy200Epochs,ImageNetTestAccuracy200Epochs,"
        "ArchitectureString,UniqueString\n10,20,30,|conv9~0|+|x~0|,x\n");
    msg = error_of([&] { nar::data::load_nb201(path2, ""); });
    EXPECT_NE(msg.find(path2 + ":2"), std::string::npos) << msg;

    std::string path3 = temp_file("nb201_bad3.csv", "a,b\n1,2,3\n");
    msg = error_of([&] { nar::data::load_nb201(path3, ""); });
    EXPECT_NE(msg.find(path3 + ":2"), std::string::npos) << msg;
}

TEST(Nb201, MissingFile) {
    std::string msg = error_of([] { nar::data::load_nb201("/nonexistent/acc.csv", ""); });
    EXPECT_NE(msg.find("/nonexistent/acc.csv"), std::string::npos) << msg;
}

TEST(Nb201, LatencyOnlyAndMismatch) {
    std::string lat = temp_file("lat.csv",
                                "idx,arch_str,dev_a\n"
                                "1,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,2.5\n"
                                "0,|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|,1.5\n");
    std::vector<Cell> cells = nar::data::load_nb201("", lat);
    ASSERT_EQ(cells.size(), 2u);
    EXPECT_EQ(cells[0].ops[1], 4);
    EXPECT_DOUBLE_EQ(nar::data::cell_target(cells[1], "latency:dev_a"), 2.5);
    // The bundled accuracy file lists 15,625 cells: a 2-cell latency file disagrees.
    std::string msg = error_of([&] {
        nar::data::load_nb201(nar::data::bundled_data_file("nb201/nb201_cifar_accuracy.csv"), lat);
    });
    EXPECT_NE(msg.find("disagree"), std::string::npos) << msg;
}

TEST(Nb101, BundledBothFormats) {
    std::vector<Cell> a =
        nar::data::load_nb101_csv(nar::data::bundled_data_file("nb101/nb101_1k.csv"));
    std::vector<Cell> b =
        nar::data::load_nb101_csv(nar::data::bundled_data_file("nb101/nb101_500.csv"));
    ASSERT_EQ(a.size(), 1000u);
    ASSERT_EQ(b.size(), 500u);
    // nb101_1k row 0.
    EXPECT_EQ(a[0].arch, "00005c142e6f48ac74fdcf73e3439874");
    EXPECT_EQ(a[0].n, 7);
    EXPECT_EQ(a[0].ops, (std::vector<int>{0, 2, 3, 2, 2, 1, 4}));
    EXPECT_DOUBLE_EQ(nar::data::cell_target(a[0], "accuracy:validation"), 0.9304887652397156);
    EXPECT_DOUBLE_EQ(nar::data::cell_target(a[0], "params"), 8555530);
    // nb101_500 row 0: accuracy in percent, params in millions.
    EXPECT_EQ(b[0].ops, (std::vector<int>{0, 3, 3, 2, 2, 2, 4}));
    const std::string adj0 = "0111101000001100000010000110000001100000000000000";
    ASSERT_EQ(b[0].adj.size(), adj0.size());
    for (size_t i = 0; i < adj0.size(); ++i) EXPECT_EQ(b[0].adj[i], adj0[i] - '0') << i;
    EXPECT_DOUBLE_EQ(nar::data::cell_target(b[0], "accuracy:validation"), 0.92578125);
    EXPECT_NEAR(nar::data::cell_target(b[0], "params"), 4095778.0, 1e-6);
    int small = 0;
    for (const Cell& c : a) small += c.n < 7;
    EXPECT_EQ(small, 158);  // 1 + 8 + 149 cells with 4, 5, 6 vertices

    std::vector<Cell> all = nar::data::load_nb101_bundled();
    ASSERT_EQ(all.size(), 1500u);
    EXPECT_EQ(all[1000].arch, b[0].arch);
    EXPECT_EQ(all[1000].index, 1000);
}

TEST(Nb101, CsvErrors) {
    std::string msg = error_of([] { nar::data::load_nb101_csv("/nonexistent/nb101.csv"); });
    EXPECT_NE(msg.find("/nonexistent/nb101.csv"), std::string::npos) << msg;

    std::string hdr = "nb101_hash,num_vertices,adjacency_rowmajor,ops,val_acc_108ep,params\n";
    std::string p1 =
        temp_file("nb101_badop.csv", hdr + "h1,3,011001000,input|conv5x5|output,0.9,10\n");
    msg = error_of([&] { nar::data::load_nb101_csv(p1); });
    EXPECT_NE(msg.find(p1 + ":2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("conv5x5"), std::string::npos) << msg;

    std::string p2 =
        temp_file("nb101_lower.csv", hdr +
                                         "h1,3,011001000,input|maxpool3x3|output,0.9,10\n"
                                         "h2,3,010001100,input|maxpool3x3|output,0.9,10\n");
    msg = error_of([&] { nar::data::load_nb101_csv(p2); });
    EXPECT_NE(msg.find(p2 + ":3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("upper triangular"), std::string::npos) << msg;

    std::string p3 =
        temp_file("nb101_nv.csv", hdr + "h1,4,011001000,input|maxpool3x3|output,0.9,10\n");
    msg = error_of([&] { nar::data::load_nb101_csv(p3); });
    EXPECT_NE(msg.find(p3 + ":2"), std::string::npos) << msg;

    std::string p4 = temp_file("nb101_other.csv", "a,b\n1,2\n");
    msg = error_of([&] { nar::data::load_nb101_csv(p4); });
    EXPECT_NE(msg.find("not a NAS-Bench-101 CSV"), std::string::npos) << msg;

    std::string p5 =
        temp_file("nb101_dup.csv", hdr + "h1,3,011001000,input|maxpool3x3|output,0.9,10\n");
    msg = error_of([&] { nar::data::load_nb101({p5, p5}); });
    EXPECT_NE(msg.find("listed in both"), std::string::npos) << msg;
}

TEST(CellSamples, BuildSamplesNb201Latency) {
    std::vector<int64_t> idx = {5, 0};
    std::vector<nar::data::Sample> s = nar::data::build_cell_samples(
        nb201_cells(), idx, "latency:pixel3", nar::data::TokenizerOptions{}, true);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].id, 5);
    EXPECT_EQ(s[1].id, 0);
    EXPECT_EQ(s[0].group, "pixel3");
    EXPECT_DOUBLE_EQ(s[1].target, 3.6058499999999998);
    EXPECT_EQ(s[1].graph.num_nodes, 8);
    EXPECT_EQ(s[1].graph.feat_dim, 128);
    EXPECT_EQ(s[1].augmented.num_nodes, 8);  // every NB201 cell has an AC partner
    // The partner's node 5 carries node 6's op code and vice versa.
    nar::data::Graph g = s[1].graph, a = s[1].augmented;
    for (int k = 0; k < 64; ++k) EXPECT_EQ(a.x[5 * 128 + k], g.x[6 * 128 + k]);
    for (int k = 64; k < 128; ++k) EXPECT_EQ(a.x[5 * 128 + k], g.x[5 * 128 + k]);

    std::vector<nar::data::Sample> acc = nar::data::build_cell_samples(
        nb201_cells(), idx, "accuracy:cifar10", nar::data::TokenizerOptions{}, false);
    EXPECT_EQ(acc[1].group, "");
    EXPECT_NEAR(acc[1].target, 0.8586333333333334, 1e-15);
    EXPECT_EQ(acc[1].augmented.num_nodes, 0);

    std::string msg = error_of(
        [&] { nar::data::build_cell_samples(nb201_cells(), idx, "latency:nope", {}, false); });
    EXPECT_NE(msg.find("latency:nope"), std::string::npos) << msg;
    EXPECT_NE(msg.find("latency:titanxp_32"), std::string::npos) << msg;
    std::vector<int64_t> bad = {15625};
    EXPECT_THROW(nar::data::build_cell_samples(nb201_cells(), bad, "accuracy:cifar10", {}, false),
                 nar::common::Error);
}

TEST(CellDataset, Nb101RestSplit) {
    nar::data::CellBenchmarkOptions opt;
    opt.benchmark = "nb101";
    opt.target = "accuracy:validation";
    opt.split.train_fraction = 0.1;
    opt.split.test_mode = nar::data::TestMode::Rest;
    opt.augment_train = true;
    nar::data::CellSamples s = nar::data::load_cell_samples(opt);
    EXPECT_EQ(s.total_cells, 1500);
    EXPECT_EQ(s.train.size(), 150u);
    EXPECT_EQ(s.val.size(), 200u);
    EXPECT_EQ(s.test.size(), 1150u);
    int with_partner = 0;
    for (const auto& x : s.train) with_partner += x.augmented.num_nodes > 0;
    EXPECT_GT(with_partner, 0);
    EXPECT_LT(with_partner, 150);
    for (const auto& x : s.val) EXPECT_EQ(x.augmented.num_nodes, 0);

    opt.target = "accuracy:test";  // only the TFRecord has test accuracy
    std::string msg = error_of([&] { nar::data::load_cell_samples(opt); });
    EXPECT_NE(msg.find("accuracy:validation"), std::string::npos) << msg;
    opt.benchmark = "nb999";
    msg = error_of([&] { nar::data::load_cell_samples(opt); });
    EXPECT_NE(msg.find("nb999"), std::string::npos) << msg;
}

TEST(CellDataset, Nb201FilesByHeader) {
    std::string lat = temp_file("lat2.csv",
                                "idx,arch_str,dev_a\n"
                                "0,|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|,1.5\n");
    std::vector<Cell> cells = nar::data::load_cells("nb201", {lat});
    ASSERT_EQ(cells.size(), 1u);
    // A directory in the bundled layout: the data root itself or its nb201/ folder.
    std::vector<Cell> from_root = nar::data::load_cells("nb201", {nar::data::bundled_data_dir()});
    ASSERT_EQ(from_root.size(), 15625u);
    EXPECT_EQ(from_root[3].targets, nb201_cells()[3].targets);
    std::vector<Cell> nb101 =
        nar::data::load_cells("nb101", {nar::data::bundled_data_dir() + "/nb101"});
    EXPECT_EQ(nb101.size(), 1500u);
    std::string msg = error_of([] { nar::data::load_cells("nb101", {"/tmp"}); });
    EXPECT_NE(msg.find("holds no nb101 data"), std::string::npos) << msg;
    std::string other = temp_file("other.csv", "x,y\n1,2\n");
    msg = error_of([&] { nar::data::load_cells("nb201", {other}); });
    EXPECT_NE(msg.find(other), std::string::npos) << msg;
}

}  // namespace
