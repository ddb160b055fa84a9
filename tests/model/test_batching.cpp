// Padded batches must equal graph-by-graph processing, and padding must not
// change anything (outputs and gradients).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "common/error.h"
#include "golden_util.h"
#include "model/model_io.h"
#include "model/predictor.h"

namespace nar::model::test {
namespace {

struct Graphs {
    std::vector<torch::Tensor> xs, adjs;
    torch::Tensor statics;
};

// The three golden latency graphs (resnet18, mobilenet_v2, squeezenet; N = 50, 171, 66).
Graphs golden_graphs(torch::Dtype dt) {
    common::H5File f(fixture("golden/model/latency_float64.h5"), common::H5File::Mode::Read);
    const auto x = read_tensor(f, "inputs/x", dt);
    const auto n_nodes = read_long(f, "inputs/n_nodes");
    Graphs g;
    int64_t off = 0;
    for (int64_t i = 0; i < 3; ++i) {
        const int64_t n = n_nodes[i].item<int64_t>();
        g.xs.push_back(x.narrow(0, off, n));
        g.adjs.push_back(read_tensor(f, "inputs/adj_" + std::to_string(i), dt));
        off += n;
    }
    g.statics = read_tensor(f, "inputs/static", dt);
    return g;
}

ModelConfig small(const std::string& preset) {
    ModelConfig c = ModelConfig::preset(preset);
    c.hidden = 32;
    c.fc_hidden = 32;
    return c;
}

// Batched forward+backward of Σ w_i pred_i versus one graph at a time.
void expect_batch_equals_single(const ModelConfig& cfg) {
    torch::manual_seed(1);
    Predictor model(cfg);
    model->to(torch::kFloat64);
    model->eval();
    const Graphs g = golden_graphs(torch::kFloat64);
    const auto w = torch::tensor({0.3, -1.2, 0.7}, torch::kFloat64);

    const auto pred = model->forward(pad_graphs(g.xs, g.adjs, g.statics));
    ASSERT_EQ(pred.dim(), 1);
    ASSERT_EQ(pred.size(0), 3);
    (pred * w).sum().backward();
    std::vector<torch::Tensor> batched;
    for (auto& p : model->parameters()) batched.push_back(p.grad().clone());
    model->zero_grad();

    for (int64_t i = 0; i < 3; ++i) {
        const auto one =
            model->forward(pad_graphs({g.xs[i]}, {g.adjs[i]}, g.statics.narrow(0, i, 1)));
        EXPECT_TRUE(close(one, pred.narrow(0, i, 1), 1e-12, 0)) << "graph " << i;
        (one * w[i]).sum().backward();  // gradients accumulate over the graphs
    }
    const auto params = model->parameters();
    for (size_t k = 0; k < params.size(); ++k) {
        EXPECT_TRUE(close(batched[k], params[k].grad(), 1e-10, 1e-300)) << "param " << k;
    }
}

TEST(ModelBatching, PaddedBatchEqualsGraphByGraphLocal) {
    expect_batch_equals_single(small("latency"));
}

TEST(ModelBatching, PaddedBatchEqualsGraphByGraphGlobalAttention) {
    ModelConfig c = small("latency");
    c.attention = Attention::Global;
    expect_batch_equals_single(c);
}

TEST(ModelBatching, PaddedBatchEqualsGraphByGraphDenseFfn) {
    ModelConfig c = small("latency");
    c.ffn = Ffn::Dense;
    expect_batch_equals_single(c);
}

// Extra padding, with garbage in padded x rows and in padded adjacency entries,
// leaves outputs and gradients unchanged.
void expect_mask_invariance(const ModelConfig& cfg, int64_t feat) {
    torch::manual_seed(2);
    Predictor model(cfg);
    model->to(torch::kFloat64);
    model->eval();
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    std::vector<torch::Tensor> xs, adjs;
    for (int64_t n : {5, 8, 3}) {
        xs.push_back(torch::randn({n, feat}, opts));
        auto a = (torch::rand({n, n}, opts) > 0.5).to(torch::kFloat64).triu(1);
        adjs.push_back(a + a.t());
    }
    const auto statics = cfg.static_dim ? torch::randn({3, cfg.static_dim}, opts) : torch::Tensor();
    GraphBatch tight = pad_graphs(xs, adjs, statics);
    const auto p1 = model->forward(tight);
    p1.sum().backward();
    std::vector<torch::Tensor> g1;
    for (auto& p : model->parameters()) g1.push_back(p.grad().clone());
    model->zero_grad();

    // Pad to N = 12 with garbage outside the real block.
    GraphBatch wide;
    const int64_t n = 12;
    wide.x = torch::randn({3, n, feat}, opts) * 100;
    wide.adj = torch::ones({3, n, n}, opts);
    wide.mask = torch::zeros({3, n}, opts);
    for (int64_t i = 0; i < 3; ++i) {
        const int64_t ni = xs[i].size(0);
        wide.x[i].narrow(0, 0, ni).copy_(xs[i]);
        wide.adj[i].narrow(0, 0, ni).narrow(1, 0, ni).copy_(adjs[i]);
        wide.mask[i].narrow(0, 0, ni).fill_(1);
    }
    wide.static_feat = statics;
    const auto p2 = model->forward(wide);
    EXPECT_TRUE(close(p2, p1, 1e-13, 0));
    p2.sum().backward();
    const auto params = model->parameters();
    for (size_t k = 0; k < params.size(); ++k) {
        EXPECT_TRUE(close(params[k].grad(), g1[k], 1e-11, 1e-300)) << "param " << k;
    }
}

TEST(ModelBatching, MaskInvarianceLatency) { expect_mask_invariance(small("latency"), 152); }

TEST(ModelBatching, MaskInvarianceGlobalAttention) {
    ModelConfig c = small("latency");
    c.attention = Attention::Global;
    expect_mask_invariance(c, 152);
}

TEST(ModelBatching, MaskInvarianceAccuracyMeanReadout) {
    ModelConfig c = small("accuracy");
    c.layers = 3;
    expect_mask_invariance(c, 128);
}

TEST(ModelBatching, GnnBaselineShapeAndPaddingInvariance) {
    ModelConfig c = ModelConfig::preset("latency_gnn");
    c.hidden = 32;
    c.fc_hidden = 32;
    Predictor model(c);
    // Only GraphSAGE layers and the head: no attention blocks.
    EXPECT_FALSE(model->blocks);
    EXPECT_EQ(model->sage->size(), 2u);
    EXPECT_EQ(model->named_parameters().find("sage.0.agg.weight")->sizes(),
              torch::IntArrayRef({32, 44}));
    EXPECT_EQ(model->named_parameters().find("head.static_proj.weight")->sizes(),
              torch::IntArrayRef({32, 4}));
    expect_mask_invariance(c, 44);

    model->eval();
    GraphBatch b = pad_graphs({torch::randn({4, 44}), torch::randn({6, 44})},
                              {torch::zeros({4, 4}), torch::ones({6, 6}) - torch::eye(6)},
                              torch::randn({2, 4}));
    const auto pred = model->forward(b);
    ASSERT_EQ(pred.sizes(), torch::IntArrayRef({2}));
    EXPECT_TRUE((pred > 0).all().item<bool>());
}

TEST(ModelBatching, GnnBaselineEqualsGraphByGraph) {
    ModelConfig c = ModelConfig::preset("latency_gnn");
    c.hidden = 32;
    c.fc_hidden = 32;
    c.node_dim = 152;  // reuse the golden graphs' features
    c.static_dim = 40;
    expect_batch_equals_single(c);
}

TEST(ModelBatching, RejectsWrongFeatureWidth) {
    Predictor model(small("latency"));
    GraphBatch b =
        pad_graphs({torch::randn({4, 10})}, {torch::zeros({4, 4})}, torch::randn({1, 40}));
    try {
        model->forward(b);
        FAIL() << "expected an error";
    } catch (const common::Error& e) {
        EXPECT_NE(std::string(e.what()).find("B×N×152"), std::string::npos) << e.what();
    }
}

TEST(ModelBatching, AdjacencyFromEdgesIsSymmetricWithoutSelfLoops) {
    const auto e = torch::tensor({0, 1, 1, 2, 2, 2}, torch::kInt64).view({3, 2});
    const auto a = adjacency_from_edges(e, 3);
    const auto want = torch::tensor({0., 1., 0., 1., 0., 1., 0., 1., 0.}).view({3, 3});
    EXPECT_TRUE(torch::equal(a, want.to(torch::kFloat32)));
    EXPECT_THROW(adjacency_from_edges(torch::tensor({0, 5}, torch::kInt64).view({1, 2}), 3),
                 common::Error);
}

}  // namespace
}  // namespace nar::model::test
