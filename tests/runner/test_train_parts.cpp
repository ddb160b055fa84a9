#include <gtest/gtest.h>

#include <set>

#include "common/error.h"
#include "runner/batch_sampler.h"
#include "runner/collate.h"
#include "runner/lr_schedule.h"
#include "runner/train_config.h"

namespace nar::runner {
namespace {

TEST(LrSchedule, WarmsUpLinearlyThenDecaysToZero) {
    LrSchedule s(1e-3, 1000, 0.1);
    EXPECT_EQ(s.warmup_steps(), 100);
    EXPECT_DOUBLE_EQ(s.at(0), 0.0);
    EXPECT_DOUBLE_EQ(s.at(50), 0.5e-3);
    EXPECT_DOUBLE_EQ(s.at(100), 1e-3);
    EXPECT_DOUBLE_EQ(s.at(550), 0.5e-3);
    EXPECT_DOUBLE_EQ(s.at(999), 1e-3 / 900.0);
    EXPECT_DOUBLE_EQ(s.at(1000), 0.0);
}

TEST(LrSchedule, NoWarmupStartsAtPeak) {
    LrSchedule s(2.0, 10, 0.0);
    EXPECT_DOUBLE_EQ(s.at(0), 2.0);
    EXPECT_DOUBLE_EQ(s.at(5), 1.0);
}

TEST(BatchSampler, CoversEverySampleOnceAndIsDeterministic) {
    std::vector<int64_t> sizes;
    for (int i = 0; i < 1000; ++i) sizes.push_back((i * 37) % 200 + 5);
    auto a = make_batches(sizes, 16, 42);
    auto b = make_batches(sizes, 16, 42);
    auto c = make_batches(sizes, 16, 43);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    std::multiset<int64_t> seen;
    for (auto& batch : a) {
        EXPECT_LE(batch.size(), 16u);
        seen.insert(batch.begin(), batch.end());
    }
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 1000u);
}

TEST(BatchSampler, BucketingKeepsPaddingSmall) {
    std::vector<int64_t> sizes;
    for (int i = 0; i < 4096; ++i) sizes.push_back((i * 7919) % 400 + 10);
    double padded = 0, real = 0;
    for (auto& batch : make_batches(sizes, 16, 1)) {
        int64_t mx = 0;
        for (auto i : batch) {
            mx = std::max(mx, sizes[i]);
            real += static_cast<double>(sizes[i]);
        }
        padded += static_cast<double>(mx * static_cast<int64_t>(batch.size()));
    }
    // Random batches of sizes uniform in [10, 410) pad to ~1.9x; bucketed ones to < 1.1x.
    EXPECT_LT(padded / real, 1.1);
}

TEST(Collate, PadsAndSymmetrisesWithoutSelfLoops) {
    data::Graph a, b;
    a.num_nodes = 2, a.feat_dim = 3, a.x = {1, 2, 3, 4, 5, 6}, a.edges = {{0, 1}, {1, 1}};
    a.static_feat = {7, 8};
    b.num_nodes = 3, b.feat_dim = 3, b.x = {1, 1, 1, 2, 2, 2, 3, 3, 3}, b.edges = {{0, 2}};
    b.static_feat = {9, 10};
    auto batch = collate({&a, &b}, torch::kFloat64, torch::kCPU);
    ASSERT_EQ(batch.x.sizes(), (std::vector<int64_t>{2, 3, 3}));
    EXPECT_EQ(batch.x[0][2].abs().sum().item<double>(), 0.0);
    EXPECT_EQ(batch.x[0][1][2].item<double>(), 6.0);
    EXPECT_EQ(batch.mask[0].sum().item<double>(), 2.0);
    EXPECT_EQ(batch.mask[1].sum().item<double>(), 3.0);
    EXPECT_EQ(batch.adj[0][0][1].item<double>(), 1.0);
    EXPECT_EQ(batch.adj[0][1][0].item<double>(), 1.0);
    EXPECT_EQ(batch.adj[0][1][1].item<double>(), 0.0);  // self loop dropped
    EXPECT_EQ(batch.adj[1][2][0].item<double>(), 1.0);
    EXPECT_EQ(batch.adj.sum().item<double>(), 4.0);
    EXPECT_EQ(batch.static_feat[1][1].item<double>(), 10.0);
}

TEST(Collate, RejectsMixedFeatureSizesAndBadEdges) {
    data::Graph a, b;
    a.num_nodes = 1, a.feat_dim = 2, a.x = {1, 2};
    b.num_nodes = 1, b.feat_dim = 3, b.x = {1, 2, 3};
    EXPECT_THROW(collate({&a, &b}, torch::kFloat32, torch::kCPU), common::Error);
    a.edges = {{0, 5}};
    EXPECT_THROW(collate({&a}, torch::kFloat32, torch::kCPU), common::Error);
}

TEST(TrainConfig, StudyDefaultsAreThePapers) {
    auto nb = resolve_train_config({{"study", "nb201-accuracy"}});
    EXPECT_EQ(nb.epochs, 1000);
    EXPECT_EQ(nb.batch_size, 8);
    EXPECT_DOUBLE_EQ(nb.lr, 1e-4);
    EXPECT_DOUBLE_EQ(nb.sr_weight, 0.1);
    EXPECT_DOUBLE_EQ(nb.ac_weight, 0.5);
    EXPECT_FALSE(nb.is_latency());
    auto lat = resolve_train_config({{"study", "nnlqp-in-domain"}, {"data_root", "/x"}});
    EXPECT_EQ(lat.epochs, 50);
    EXPECT_EQ(lat.batch_size, 16);
    EXPECT_DOUBLE_EQ(lat.lr, 1e-3);
    EXPECT_TRUE(lat.is_latency());
    EXPECT_EQ(lat.preset(), "latency");
}

TEST(TrainConfig, VariantsAndOverrides) {
    auto r1 = resolve_train_config(
        {{"study", "nnlqp-in-domain"}, {"data_root", "/x"}, {"variant", "row1"}});
    EXPECT_EQ(r1.model.at("structure"), "gnn");
    EXPECT_EQ(r1.encoding, "raw");
    auto r4 = resolve_train_config(
        {{"study", "nnlqp-in-domain"}, {"data_root", "/x"}, {"variant", "row4"}, {"hidden", "64"}});
    EXPECT_EQ(r4.model.at("ffn"), "dense");
    EXPECT_EQ(r4.model.at("ta_enhance"), "false");
    EXPECT_EQ(r4.model.at("hidden"), "64");
    EXPECT_NE(r1.to_text(), r4.to_text());
}

TEST(TrainConfig, ErrorsNameTheProblem) {
    auto msg = [](const std::map<std::string, std::string>& p) {
        try {
            resolve_train_config(p);
        } catch (const common::Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"bogus", "1"}}).find("unknown parameter 'bogus'"),
              std::string::npos);
    EXPECT_NE(msg({{"study", "imagenet"}}).find("study=imagenet"), std::string::npos);
    EXPECT_NE(msg({{"study", "nnlqp-unseen"}, {"data_root", "/x"}}).find("holdout"),
              std::string::npos);
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"lr", "fast"}}).find("lr=fast"),
              std::string::npos);
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"variant", "row9"}}).find("row1..row6"),
              std::string::npos);
    EXPECT_NE(msg({{"study", "nb201-accuracy"}, {"dtype", "half"}}).find("float32"),
              std::string::npos);
}

}  // namespace
}  // namespace nar::runner
