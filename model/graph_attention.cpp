#include "model/graph_attention.h"

#include <cmath>

#include "model/degree_gate.h"
#include "model/edge_attention.h"
#include "model/matmul_precision.h"

namespace nar::model {

namespace F = torch::nn::functional;

GraphAttentionImpl::GraphAttentionImpl(int64_t in_dim, int64_t out_dim, bool global,
                                       bool ta_enhance)
    : global_(global) {
    // Default torch Linear init (kaiming-uniform weights, U(±1/√in) biases).
    qk = register_module("qk", torch::nn::Linear(in_dim, in_dim));
    agg = register_module("agg", torch::nn::Linear(in_dim, out_dim));
    root = register_module(
        "root", torch::nn::Linear(torch::nn::LinearOptions(in_dim, out_dim).bias(false)));
    if (ta_enhance) deg = register_module("deg", torch::nn::Linear(1, in_dim));
}

torch::Tensor GraphAttentionImpl::forward(const torch::Tensor& x, const PackedGraph& g) {
    return F::normalize(forward_unnormalized(x, g),
                        F::NormalizeFuncOptions().p(2).dim(1).eps(kNormEps));
}

torch::Tensor GraphAttentionImpl::forward_unnormalized(const torch::Tensor& x_in,
                                                       const PackedGraph& g) {
    torch::Tensor x = x_in;
    if (deg) x = degree_gate(x, g.degree, deg);
    const auto s = torch::sigmoid(linear_product(x, qk->weight, qk->bias));
    const double scale = 1.0 / std::sqrt(static_cast<double>(x.size(1)));
    torch::Tensor px;
    if (!global_) {
        // M_ij = <s_i, s_j>/√d only where A_ij ≠ 0: one score per edge.
        px = edge_attention(s, x, g, scale);
    } else {
        // All pairs of real nodes (self included): padded rows of s are zero, so
        // padding gets zero score and never enters a row sum.
        const auto sp = g.pad(s);
        const auto m = torch::bmm(sp, sp.transpose(1, 2)) * scale;
        const auto p = m / (m.sum(2, true) + 1e-6);
        px = g.unpad(torch::bmm(p, g.pad(x)));
    }
    // root(X) accumulates into agg's output: one pass and one T×D buffer less.
    auto out = linear_product(px, agg->weight, agg->bias);
    return add_linear_product_(out, x, root->weight);
}

}  // namespace nar::model
