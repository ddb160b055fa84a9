// `generate_zoo`: byte-identical output for a seed, distinct networks, gt.txt rows,
// loadable graphs, clear errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>

#include "common/error.h"
#include "data/nnlqp.h"
#include "data/onnx_model.h"
#include "data/zoo/zoo_generate.h"
#include "data/zoo/zoo_labels.h"
#include "tests/common/test_helpers.h"

namespace {

namespace fs = std::filesystem;
namespace zoo = nar::data::zoo;

fs::path scratch(const std::string& name) {
    const fs::path p =
        fs::temp_directory_path() / ("nar_zoo_gen_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

zoo::GenerateOptions opts(const std::string& family, int64_t n, const fs::path& out) {
    zoo::GenerateOptions o;
    o.family = family;
    o.count = n;
    o.out = out.string();
    o.net.input = 64;
    return o;
}

using nar::test::error_of;

TEST(ZooGenerate, SameSeedGivesByteIdenticalFiles) {
    const fs::path a = scratch("a"), b = scratch("b"), c = scratch("c");
    zoo::generate_zoo(opts("mobilenetv2", 6, a));
    zoo::generate_zoo(opts("mobilenetv2", 6, b));
    auto o = opts("mobilenetv2", 6, c);
    o.seed = 7;
    zoo::generate_zoo(o);
    int differ = 0;
    for (int i = 0; i < 6; ++i) {
        const std::string rel = "onnx/mobilenetv2/mobilenetv2_" + std::to_string(i) + ".onnx";
        const auto ba = nar::data::read_file_bytes((a / rel).string());
        EXPECT_EQ(ba, nar::data::read_file_bytes((b / rel).string())) << rel;
        differ += ba != nar::data::read_file_bytes((c / rel).string());
    }
    EXPECT_EQ(differ, 5);  // model 0 is the default network for every seed
    EXPECT_EQ(nar::data::read_file_bytes((a / "gt.txt").string()),
              nar::data::read_file_bytes((b / "gt.txt").string()));
    for (const auto& p : {a, b, c}) fs::remove_all(p);
}

TEST(ZooGenerate, NetworksAreDistinctAndLoadable) {
    const fs::path d = scratch("distinct");
    const auto rep = zoo::generate_zoo(opts("resnet", 10, d));
    EXPECT_EQ(rep.written, 10);
    std::set<std::string> bytes;
    const auto rows = zoo::read_zoo_labels((d / "gt.txt").string());
    ASSERT_EQ(rows.size(), 10u);
    for (const auto& r : rows) {
        EXPECT_FALSE(r.measured());
        EXPECT_EQ(r.family, "resnet");
        const auto b = nar::data::read_file_bytes((d / r.onnx_path).string());
        bytes.insert(b);
        EXPECT_NO_THROW(nar::data::load_onnx_model(b, r.onnx_path, 1));
    }
    EXPECT_EQ(bytes.size(), 10u);
    EXPECT_EQ(rows.back().stage, "test");
    EXPECT_EQ(rows.front().stage, "train");
    // Unmeasured labels are refused by the NNLQP loader (never trained on by mistake).
    EXPECT_THROW(nar::data::read_nnlqp_labels((d / "gt.txt").string()), nar::common::Error);
    fs::remove_all(d);
}

TEST(ZooGenerate, SecondFamilyKeepsTheFirstsRows) {
    const fs::path d = scratch("two");
    zoo::generate_zoo(opts("squeezenet", 3, d));
    zoo::generate_zoo(opts("alexnet", 2, d));
    zoo::generate_zoo(opts("squeezenet", 4, d));  // regenerating replaces that family's rows
    const auto rows = zoo::read_zoo_labels((d / "gt.txt").string());
    int sq = 0, ax = 0;
    std::set<int64_t> ids;
    for (const auto& r : rows) {
        sq += r.family == "squeezenet";
        ax += r.family == "alexnet";
        ids.insert(r.id);
    }
    EXPECT_EQ(sq, 4);
    EXPECT_EQ(ax, 2);
    EXPECT_EQ(ids.size(), rows.size());
    fs::remove_all(d);
}

TEST(ZooGenerate, ClearErrors) {
    const fs::path d = scratch("err");
    EXPECT_NE(error_of([&] {
                  zoo::generate_zoo(opts("nosuchnet", 2, d));
              }).find("unknown zoo family 'nosuchnet' (known: alexnet"),
              std::string::npos);
    EXPECT_NE(error_of([&] { zoo::generate_zoo(opts("vgg", 0, d)); }).find("--count"),
              std::string::npos);
    std::ofstream(d / "gt.txt") << "1 a.onnx 1 nan resnet unmeasured\n";
    EXPECT_NE(error_of([&] {
                  zoo::generate_zoo(opts("vgg", 2, d));
              }).find((d / "gt.txt").string() + ":1: expected 7 fields"),
              std::string::npos);
    fs::remove_all(d);
}

}  // namespace
