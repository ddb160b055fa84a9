#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/error.h"
#include "jobs/job_config.h"
#include "jobs/params.h"
#include "jobs/study.h"
#include "model/model_config.h"
#include "runner/batch_sampler.h"
#include "runner/collate.h"
#include "runner/lr_schedule.h"
#include "runner/param_help.h"
#include "runner/trainer.h"

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
    const auto adj = model::dense_adjacency(batch);  // collate fills the sparse edges
    EXPECT_EQ(adj[0][0][1].item<double>(), 1.0);
    EXPECT_EQ(adj[0][1][0].item<double>(), 1.0);
    EXPECT_EQ(adj[0][1][1].item<double>(), 0.0);  // self loop dropped
    EXPECT_EQ(adj[1][2][0].item<double>(), 1.0);
    EXPECT_EQ(adj.sum().item<double>(), 4.0);
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

// Regression: a new hidden size carries the head width along (paper: F = D),
// the same for `nar train`, sweeps and `nar model info`.
TEST(ModelConfigFor, FcHiddenFollowsHidden) {
    auto cfg = jobs::resolve_job_config({{"study", "nb201-accuracy"}, {"hidden", "64"}});
    auto mc = model_config_for(cfg, 128, 0);
    EXPECT_EQ(mc.hidden, 64);
    EXPECT_EQ(mc.fc_hidden, 64);
    auto both = jobs::resolve_job_config(
        {{"study", "nb201-accuracy"}, {"hidden", "64"}, {"fc_hidden", "32"}});
    EXPECT_EQ(model_config_for(both, 128, 0).fc_hidden, 32);
    auto none = jobs::resolve_job_config({{"study", "nb201-accuracy"}});
    EXPECT_EQ(model_config_for(none, 128, 0).fc_hidden, 512);
}

// Every default `nar train --help` prints is the value a job resolves to.
TEST(ParamHelp, DefaultsInHelpAreTheResolvedOnes) {
    for (const auto& p : jobs::param_table()) {
        const std::string help = param_help(p);
        std::set<std::string> values;
        for (const auto& s : jobs::studies()) values.insert(resolved_default(p, s));
        const bool all_same = values.size() == 1;
        for (const auto& s : jobs::studies()) {
            std::map<std::string, std::string> given = {{"study", s.name}};
            for (const auto& k : s.required) given[k] = "x";
            auto cfg = jobs::resolve_job_config(given);
            std::string resolved = jobs::get_value(cfg, p);
            if (p.model) {
                const auto fields = model::config_fields(model_config_for(cfg, 128, 0));
                resolved = fields.at(p.key);
            }
            if (p.key == "study" ||
                s.required.end() != std::find(s.required.begin(), s.required.end(), p.key))
                continue;
            EXPECT_EQ(resolved_default(p, s), resolved) << p.key << " for " << s.name;
            if (!resolved.empty()) {
                // The value is printed, next to this study's name when studies differ.
                const std::string needle =
                    all_same ? "(default: " + resolved + ")" : resolved + " for ";
                EXPECT_NE(help.find(needle), std::string::npos)
                    << p.key << " for " << s.name << ": " << help;
                if (!all_same) {
                    const auto at = help.find(resolved + " for ");
                    const auto end = help.find(';', at);
                    EXPECT_NE(help.substr(at, end - at).find(s.name), std::string::npos)
                        << p.key << ": " << help;
                }
            }
        }
    }
}

}  // namespace
}  // namespace nar::runner
