// PE_nerf and the cell tokenizer against the reference's tokenizer goldens.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/h5.h"
#include "data/cell.h"
#include "data/cell_augment.h"
#include "data/nb101.h"
#include "data/nb201.h"
#include "data/pe_nerf.h"
#include "data/tokenizer.h"

namespace {

using nar::common::H5File;
using nar::data::Cell;

const std::string kGolden = std::string(NAR_FIXTURES) + "/golden/tokenizer/";

// Distance in units in the last place between two floats (same sign handling via
// the ordered integer mapping).
int64_t ulp_distance(float a, float b) {
    auto key = [](float f) {
        int32_t i;
        std::memcpy(&i, &f, sizeof i);
        return i < 0 ? int64_t(INT32_MIN) - i : int64_t(i);
    };
    return std::llabs(key(a) - key(b));
}

int64_t max_ulp(const std::vector<float>& got, const float* want, size_t n) {
    int64_t worst = 0;
    for (size_t i = 0; i < n; ++i) worst = std::max(worst, ulp_distance(got[i], want[i]));
    return worst;
}

Cell cell_from(const std::vector<int64_t>& ops, const std::vector<int64_t>& adj, int n,
               int stride) {
    Cell c;
    c.n = n;
    for (int i = 0; i < n; ++i) c.ops.push_back(static_cast<int>(ops[i]));
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) c.adj.push_back(static_cast<uint8_t>(adj[i * stride + j]));
    return c;
}

TEST(PeNerf, FrequenciesGoldenFloat32) {
    H5File f(kGolden + "pe.h5", H5File::Mode::Read);
    std::vector<float> want = f.read_f32("nerf32_freqs_float32");
    std::vector<float> got = nar::data::pe_nerf_frequencies(32);
    ASSERT_EQ(got.size(), 32u);
    for (size_t j = 0; j < 32; ++j) EXPECT_EQ(got[j], want[j]) << j;
    EXPECT_EQ(got[0], 1.0f);
    EXPECT_EQ(got[31], 2147483648.0f);  // 2^31: linear spacing, not powers of two
}

TEST(PeNerf, Nerf32Float32Golden) {
    H5File f(kGolden + "pe.h5", H5File::Mode::Read);
    std::vector<float> x = f.read_f32("x_float32");
    nar::common::Shape shape;
    std::vector<float> want = f.read_f32("nerf32_float32", &shape);
    ASSERT_EQ(shape, (nar::common::Shape{9, 64}));
    std::vector<double> want64 = f.read_f64("nerf32_float64");
    double max_double_diff = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        std::vector<float> got = nar::data::pe_nerf(x[i], 32);
        ASSERT_EQ(got.size(), 64u);
        EXPECT_LE(max_ulp(got, &want[i * 64], 64), 1) << "x = " << x[i];
        for (size_t k = 0; k < 64; ++k)
            max_double_diff = std::max(max_double_diff, std::fabs(got[k] - want64[i * 64 + k]));
    }
    // The float32 recipe is not the double formula: large frequencies diverge.
    EXPECT_GT(max_double_diff, 0.5);
}

TEST(PeNerf, VectorIsFrequencyMajor) {
    std::vector<float> v = {0.5f, 3.0f};
    std::vector<float> got = nar::data::pe_nerf_vector(v, 4);
    ASSERT_EQ(got.size(), 16u);
    for (size_t i = 0; i < v.size(); ++i) {
        std::vector<float> s = nar::data::pe_nerf(v[i], 4);
        for (int j = 0; j < 4; ++j) {
            EXPECT_EQ(got[2 * j * 2 + i], s[2 * j]);
            EXPECT_EQ(got[(2 * j + 1) * 2 + i], s[2 * j + 1]);
        }
    }
}

TEST(Tokenizer, Nb201Golden) {
    H5File f(kGolden + "nb201.h5", H5File::Mode::Read);
    std::vector<std::string> arch = f.read_strings("arch_str");
    std::vector<int64_t> ops = f.read_i64("ops");
    std::vector<int64_t> adj = f.read_i64("adj");
    std::vector<float> adj_sym = f.read_f32("adj_sym");
    std::vector<float> netcode = f.read_f32("netcode");
    ASSERT_EQ(arch.size(), 20u);
    for (size_t r = 0; r < arch.size(); ++r) {
        Cell c = nar::data::nb201_cell(static_cast<int64_t>(r), arch[r]);
        for (int i = 0; i < 8; ++i) EXPECT_EQ(c.ops[i], ops[r * 8 + i]) << "row " << r;
        for (int i = 0; i < 64; ++i) EXPECT_EQ(c.adj[i], adj[r * 64 + i]) << "row " << r;
        nar::data::Graph g = nar::data::tokenize_cell(c);
        ASSERT_EQ(g.num_nodes, 8);
        ASSERT_EQ(g.feat_dim, 128);
        EXPECT_TRUE(g.static_feat.empty());
        EXPECT_EQ(g.edges.size(), 10u);
        EXPECT_LE(max_ulp(g.x, &netcode[r * 8 * 128], 8 * 128), 1) << "row " << r;
        std::vector<float> a = nar::data::dense_symmetric_adjacency(g, 8);
        for (int i = 0; i < 64; ++i) EXPECT_EQ(a[i], adj_sym[r * 64 + i]) << "row " << r;
    }
}

TEST(Tokenizer, Nb101Golden) {
    H5File f(kGolden + "nb101.h5", H5File::Mode::Read);
    std::vector<int64_t> nv = f.read_i64("num_vertices");
    std::vector<int64_t> ops = f.read_i64("ops");
    std::vector<int64_t> adj = f.read_i64("adj");
    std::vector<float> netcode = f.read_f32("netcode");
    std::vector<float> netcode_padded = f.read_f32("netcode_padded");
    std::vector<float> adj_padded_sym = f.read_f32("adj_padded_sym");
    std::vector<std::string> hashes = f.read_strings("hash");
    std::vector<double> val_acc = f.read_f64("val_acc_108ep");
    ASSERT_EQ(nv.size(), 20u);
    // The golden rows are nb101_1k.csv rows 0..19: the loader must give the same cells.
    std::vector<Cell> loaded = nar::data::load_nb101_csv(std::string(NAR_FIXTURES) +
                                                         "/../../data/bundled/nb101/nb101_1k.csv");
    for (size_t r = 0; r < nv.size(); ++r) {
        const int n = static_cast<int>(nv[r]);
        Cell c = cell_from(std::vector<int64_t>(ops.begin() + r * 7, ops.end()),
                           std::vector<int64_t>(adj.begin() + r * 49, adj.end()), n, 7);
        EXPECT_EQ(loaded[r].arch, hashes[r]);
        EXPECT_EQ(loaded[r].ops, c.ops) << "row " << r;
        EXPECT_EQ(loaded[r].adj, c.adj) << "row " << r;
        EXPECT_DOUBLE_EQ(nar::data::cell_target(loaded[r], "accuracy:validation"), val_acc[r]);
        nar::data::Graph g = nar::data::tokenize_cell(loaded[r]);
        ASSERT_EQ(g.num_nodes, n);
        std::vector<float> padded = nar::data::pad_node_features(g, 7);
        EXPECT_LE(max_ulp(padded, &netcode[r * 7 * 128], 7 * 128), 1) << "row " << r;
        EXPECT_LE(max_ulp(padded, &netcode_padded[r * 7 * 128], 7 * 128), 1) << "row " << r;
        std::vector<float> a = nar::data::dense_symmetric_adjacency(g, 7);
        for (int i = 0; i < 49; ++i) EXPECT_EQ(a[i], adj_padded_sym[r * 49 + i]) << "row " << r;
    }
}

TEST(Tokenizer, PaddingSmallCellAddsZeroRows) {
    Cell c;
    c.n = 4;
    c.ops = {0, 3, 3, 4};
    c.adj = {0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    nar::data::Graph g = nar::data::tokenize_cell(c);
    std::vector<float> padded = nar::data::pad_node_features(g, 7);
    ASSERT_EQ(padded.size(), 7u * 128);
    for (size_t i = 0; i < g.x.size(); ++i) EXPECT_EQ(padded[i], g.x[i]);
    for (size_t i = g.x.size(); i < padded.size(); ++i) EXPECT_EQ(padded[i], 0.0f);
    EXPECT_THROW(nar::data::pad_node_features(g, 3), nar::common::Error);
}

TEST(Tokenizer, OpOneHotAblation) {
    Cell c = nar::data::nb201_cell(0,
                                   "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|"
                                   "nor_conv_1x1~0|skip_connect~1|skip_connect~2|");
    nar::data::TokenizerOptions opt;
    opt.op_one_hot = true;
    nar::data::Graph g = nar::data::tokenize_cell(c, opt);
    ASSERT_EQ(g.feat_dim, 96);
    nar::data::Graph pe = nar::data::tokenize_cell(c);
    for (int i = 0; i < 8; ++i) {
        for (int k = 0; k < 32; ++k)
            EXPECT_EQ(g.x[i * 96 + k], k == c.ops[i] ? 1.0f : 0.0f) << i << "," << k;
        for (int k = 0; k < 64; ++k) EXPECT_EQ(g.x[i * 96 + 32 + k], pe.x[i * 128 + 64 + k]);
    }
}

TEST(AcAugment, AcAugGolden) {
    H5File f(kGolden + "nb101.h5", H5File::Mode::Read);
    std::vector<int64_t> nv = f.read_i64("ac_aug/num_vertices");
    std::vector<int64_t> ops_in = f.read_i64("ac_aug/ops_in");
    std::vector<int64_t> adj_in = f.read_i64("ac_aug/adj_in");
    std::vector<int64_t> n_ret = f.read_i64("ac_aug/n_returned");
    std::vector<int64_t> ops_aug = f.read_i64("ac_aug/ops_aug");
    std::vector<int64_t> adj_aug = f.read_i64("ac_aug/adj_aug");
    std::vector<int64_t> label = f.read_i64("ac_aug/label");
    std::vector<float> netcode_aug = f.read_f32("ac_aug/netcode_aug_padded");
    ASSERT_EQ(nv.size(), 10u);
    int returned = 0;
    for (size_t r = 0; r < nv.size(); ++r) {
        const int n = static_cast<int>(nv[r]);
        Cell c = cell_from(std::vector<int64_t>(ops_in.begin() + r * 7, ops_in.end()),
                           std::vector<int64_t>(adj_in.begin() + r * 49, adj_in.end()), n, 7);
        std::optional<std::vector<int>> lab = nar::data::ac_augment_label(c);
        std::optional<Cell> aug = nar::data::ac_augment(c);
        ASSERT_EQ(aug.has_value(), n_ret[r] == 1) << "case " << r;
        ASSERT_EQ(lab.has_value(), n_ret[r] == 1) << "case " << r;
        if (!aug) continue;
        ++returned;
        for (int i = 0; i < n; ++i) {
            EXPECT_EQ((*lab)[i], label[r * 7 + i]) << "case " << r;
            EXPECT_EQ(aug->ops[i], ops_aug[r * 7 + i]) << "case " << r;
            for (int j = 0; j < n; ++j)
                EXPECT_EQ(aug->adj[i * n + j], adj_aug[r * 49 + i * 7 + j]) << "case " << r;
        }
        nar::data::Graph g = nar::data::tokenize_cell(*aug);
        std::vector<float> padded = nar::data::pad_node_features(g, 7);
        EXPECT_LE(max_ulp(padded, &netcode_aug[r * 7 * 128], 7 * 128), 1) << "case " << r;
    }
    EXPECT_EQ(returned, 3);
}

TEST(AcAugment, Nb101OneKCountGolden) {
    std::vector<Cell> cells = nar::data::load_nb101_csv(std::string(NAR_FIXTURES) +
                                                        "/../../data/bundled/nb101/nb101_1k.csv");
    ASSERT_EQ(cells.size(), 1000u);
    int none = 0;
    for (const Cell& c : cells) {
        std::optional<Cell> aug = nar::data::ac_augment(c);
        if (!aug) {
            ++none;
            continue;
        }
        // The partner is a valid cell: upper triangular, same op multiset, same edge count.
        nar::data::check_cell(*aug, nar::data::kNb101NumLabels, "augmented " + c.arch);
        EXPECT_EQ(aug->targets, c.targets);
        EXPECT_TRUE(aug->adj != c.adj || aug->ops != c.ops);
    }
    EXPECT_EQ(none, 438);
}

TEST(AcAugment, Nb201FixedGraph) {
    // On NAS-Bench-201's fixed 8-node graph the second permutation already qualifies:
    // label [0,1,2,3,4,6,5,7] swaps nodes 5 and 6 (both feed only the output), keeps
    // the adjacency upper triangular and changes it (1->5 becomes 1->6, 2->6 becomes
    // 2->5), whatever the ops. So every NB201 cell gets this same relabelling.
    Cell c = nar::data::nb201_cell(0,
                                   "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|"
                                   "nor_conv_1x1~0|skip_connect~1|skip_connect~2|");
    std::optional<std::vector<int>> lab = nar::data::ac_augment_label(c);
    ASSERT_TRUE(lab.has_value());
    EXPECT_EQ(*lab, (std::vector<int>{0, 1, 2, 3, 4, 6, 5, 7}));
    Cell aug = *nar::data::ac_augment(c);
    EXPECT_EQ(aug.ops, (std::vector<int>{0, 3, 1, 4, 1, 4, 4, 6}));
    EXPECT_EQ(aug.adj[1 * 8 + 6], 1);
    EXPECT_EQ(aug.adj[1 * 8 + 5], 0);
    EXPECT_EQ(aug.adj[2 * 8 + 5], 1);
}

}  // namespace
