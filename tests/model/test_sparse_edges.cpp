// GraphBatch::edges (sparse adjacency, issue 12 class 11) gives exactly the
// outputs and gradients of the dense B×N×N adjacency, without building it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "common/error.h"
#include "model/predictor.h"

namespace nar::model::test {
namespace {

// The dense batch's nonzeros as (graph, i, j) rows, shuffled, some repeated, plus
// self loops that must be ignored.
torch::Tensor sparse_of(const torch::Tensor& adj) {
    auto nz = (adj != 0).nonzero();
    const auto perm = torch::randperm(nz.size(0), torch::kInt64);
    nz = torch::cat({nz.index_select(0, perm), nz.narrow(0, 0, nz.size(0) / 3)});
    const auto loop = torch::tensor({0, 1, 1}, torch::kInt64).view({1, 3});
    return torch::cat({nz, loop});
}

void expect_sparse_equals_dense(ModelConfig cfg, int64_t feat) {
    cfg.hidden = 32;
    cfg.fc_hidden = 32;
    torch::manual_seed(7);
    Predictor model(cfg);
    model->to(torch::kFloat64);
    model->eval();
    const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    std::vector<torch::Tensor> xs, adjs;
    for (int64_t n : {6, 9, 4}) {
        xs.push_back(torch::randn({n, feat}, opts));
        auto a = (torch::rand({n, n}, opts) > 0.6).to(torch::kFloat64).triu(1);
        adjs.push_back(a + a.t());
    }
    const auto statics = cfg.static_dim ? torch::randn({3, cfg.static_dim}, opts) : torch::Tensor();
    GraphBatch dense = pad_graphs(xs, adjs, statics);
    GraphBatch sparse = dense;
    sparse.edges = sparse_of(dense.adj);
    sparse.adj = torch::Tensor();

    const auto p1 = model->forward(dense);
    p1.sum().backward();
    std::vector<torch::Tensor> g1;
    for (auto& p : model->parameters()) g1.push_back(p.grad().clone());
    model->zero_grad();
    const auto p2 = model->forward(sparse);
    p2.sum().backward();
    EXPECT_TRUE(torch::equal(p1, p2)) << p1 << p2;
    const auto params = model->parameters();
    for (size_t k = 0; k < params.size(); ++k)
        EXPECT_TRUE(torch::equal(params[k].grad(), g1[k])) << "param " << k;
}

TEST(SparseEdges, LatencyLocalAttention) {
    expect_sparse_equals_dense(ModelConfig::preset("latency"), 152);
}

TEST(SparseEdges, GlobalAttention) {
    ModelConfig c = ModelConfig::preset("latency");
    c.attention = Attention::Global;
    expect_sparse_equals_dense(c, 152);
}

TEST(SparseEdges, AccuracyAndGnn) {
    ModelConfig a = ModelConfig::preset("accuracy");
    a.layers = 2;
    expect_sparse_equals_dense(a, 128);
    expect_sparse_equals_dense(ModelConfig::preset("latency_gnn"), 44);
}

TEST(SparseEdges, OutOfRangeAndMalformedEdgesAreErrors) {
    Predictor model(ModelConfig::preset("latency_gnn"));
    GraphBatch b;
    b.x = torch::randn({1, 3, 44});
    b.mask = torch::ones({1, 3});
    b.static_feat = torch::randn({1, 4});
    b.edges = torch::tensor({0, 1, 5}, torch::kInt64).view({1, 3});
    EXPECT_THROW(model->forward(b), common::Error);
    b.edges = torch::tensor({0, 1}, torch::kInt64).view({1, 2});
    EXPECT_THROW(model->forward(b), common::Error);
}

}  // namespace
}  // namespace nar::model::test
