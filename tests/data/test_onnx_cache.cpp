// Feature cache: miss then hit gives identical features; changed files are re-extracted;
// load_nnlqp end to end on a small root made of golden ONNX files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.h"
#include "common/fnv1a.h"
#include "data/feature_cache.h"
#include "data/nnlqp.h"
#include "data/onnx_graph.h"

namespace {

namespace fs = std::filesystem;
using namespace nar::data;

const std::string kOnnx = std::string(NAR_FIXTURES) + "/golden/onnx";

class CacheTest : public testing::Test {
  protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("nar_cache_test_" + std::to_string(getpid()) + "_" +
                 testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_ / "onnx");
    }
    void TearDown() override { fs::remove_all(root_); }
    std::string put(const std::string& net, const std::string& as) {
        const fs::path dst = root_ / "onnx" / as;
        fs::copy_file(kOnnx + "/" + net + ".onnx", dst, fs::copy_options::overwrite_existing);
        fs::permissions(dst, fs::perms::owner_read | fs::perms::owner_write);
        return dst.string();
    }
    fs::path root_;
};

void expect_same(const Graph& a, const Graph& b) {
    EXPECT_EQ(a.num_nodes, b.num_nodes);
    EXPECT_EQ(a.feat_dim, b.feat_dim);
    EXPECT_EQ(a.x, b.x);
    EXPECT_EQ(a.edges, b.edges);
    EXPECT_EQ(a.static_feat, b.static_feat);
}

TEST(FeatureCacheHash, Fnv1aKnownValues) {
    EXPECT_EQ(nar::common::fnv1a64("", 0), 0xcbf29ce484222325ULL);
    EXPECT_EQ(nar::common::fnv1a64("a", 1), 0xaf63dc4c8601ec8cULL);
    EXPECT_EQ(nar::common::fnv1a64("foobar", 6), 0x85944171f73967e8ULL);
}

TEST_F(CacheTest, MissThenHitGivesIdenticalFeatures) {
    const std::string a = put("tv_alexnet", "a.onnx");
    const std::string b = put("tiny_shuffle", "b.onnx");
    const std::string file = (root_ / ".nar_cache" / "features-pe.h5").string();
    const std::vector<GraphRequest> req = {
        {a, 1}, {b, 8}, {a, 8}, {(root_ / "none.onnx").string(), 1}};
    std::vector<std::string> err;
    FeatureCacheStats st;
    std::vector<Graph> first;
    {
        FeatureCache c(file, {});
        first = c.get(req, 2, &err, &st);
        EXPECT_EQ(st.extracted, 3u);
        EXPECT_EQ(st.hits, 0u);
        EXPECT_EQ(st.failed, 1u);
        EXPECT_NE(err[3].find("none.onnx: cannot open file"), std::string::npos) << err[3];
        EXPECT_EQ(first[3].num_nodes, 0);
        ASSERT_TRUE(c.save());
    }
    EXPECT_TRUE(fs::exists(file));
    expect_same(first[0], extract_onnx_graph(a, 1).graph);
    expect_same(first[1], extract_onnx_graph(b, 8).graph);
    expect_same(first[2], extract_onnx_graph(a, 8).graph);

    FeatureCache c2(file, {});
    EXPECT_EQ(c2.size(), 3u);
    const auto second = c2.get(req, 2, &err, &st);
    EXPECT_EQ(st.hits, 3u);
    EXPECT_EQ(st.extracted, 0u);
    for (int i = 0; i < 3; ++i) expect_same(second[i], first[i]);

    // Another encoding does not reuse this file's entries.
    ExtractOptions raw;
    raw.encoding = NodeEncoding::raw;
    FeatureCache c3(file, raw);
    EXPECT_EQ(c3.size(), 0u);
}

TEST_F(CacheTest, ChangedFileIsReExtracted) {
    const std::string a = put("tv_alexnet", "a.onnx");
    const std::string file = (root_ / "cache.h5").string();
    std::vector<std::string> err;
    FeatureCacheStats st;
    {
        FeatureCache c(file, {});
        c.get({{a, 1}}, 1, &err, &st);
        c.save();
    }
    put("tv_vgg11", "a.onnx");  // same path, new content
    FeatureCache c(file, {});
    const auto g = c.get({{a, 1}}, 1, &err, &st);
    EXPECT_EQ(st.extracted, 1u);
    EXPECT_EQ(st.hits, 0u);
    expect_same(g[0], extract_onnx_graph(kOnnx + "/tv_vgg11.onnx", 1).graph);
}

TEST_F(CacheTest, StrictModeAppliesToCachedGraphs) {
    const std::string a = put("tiny_attention", "a.onnx");
    const std::string file = (root_ / "cache.h5").string();
    std::vector<std::string> err;
    {
        FeatureCache c(file, {});
        c.get({{a, 1}}, 1, &err);
        EXPECT_TRUE(err[0].empty());
        c.save();
    }
    ExtractOptions strict;
    strict.strict = true;
    FeatureCache c(file, strict);
    FeatureCacheStats st;
    c.get({{a, 1}}, 1, &err, &st);
    EXPECT_EQ(st.failed, 1u);
    EXPECT_NE(err[0].find("strict"), std::string::npos) << err[0];
}

TEST_F(CacheTest, LoadNnlqpEndToEnd) {
    put("tv_alexnet", "alex0.onnx");
    put("tv_resnet18", "res0.onnx");
    put("tiny_shuffle", "shuf0.onnx");
    std::ofstream(root_ / "gt_stage.txt") << "1 onnx/alex0.onnx 1 2.5 alexnet 1 train\n"
                                             "2 onnx/res0.onnx 8 7.5 resnet18 1 train\n"
                                             "3 onnx/missing.onnx 1 1.0 resnet18 1 train\n"
                                             "4 onnx/shuf0.onnx 1 0.5 alexnet 1 test\n";
    NnlqpSplitOptions so;
    so.val_fraction = 0;
    NnlqpLoadOptions lo;
    lo.threads = 2;
    const auto d = load_nnlqp(root_.string(), so, lo);
    ASSERT_EQ(d.train.size(), 2u);
    ASSERT_EQ(d.test.size(), 1u);
    EXPECT_EQ(d.n_failed, 1u);
    ASSERT_EQ(d.failures.size(), 1u);
    EXPECT_NE(d.failures[0].find("id 3 (onnx/missing.onnx)"), std::string::npos) << d.failures[0];
    EXPECT_EQ(d.train[1].id, 2);
    EXPECT_EQ(d.train[1].group, "resnet18");
    EXPECT_DOUBLE_EQ(d.train[1].target, 7.5);
    expect_same(d.train[1].graph, extract_onnx_graph(kOnnx + "/tv_resnet18.onnx", 8).graph);
    EXPECT_TRUE(fs::exists(root_ / ".nar_cache" / "features-pe.h5"));

    // Second load comes from the cache and gives the same samples.
    const auto d2 = load_nnlqp(root_.string(), so, lo);
    ASSERT_EQ(d2.train.size(), 2u);
    expect_same(d2.train[0].graph, d.train[0].graph);
    expect_same(d2.test[0].graph, d.test[0].graph);
}

}  // namespace
