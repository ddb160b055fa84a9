#include "model/graph_attention.h"

#include <cmath>

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

torch::Tensor GraphAttentionImpl::forward(const torch::Tensor& x_in, const PackedGraph& g) {
    torch::Tensor x = x_in;
    if (deg) x = x * torch::sigmoid(deg(g.degree));
    const auto s = torch::sigmoid(qk(x));
    const double scale = 1.0 / std::sqrt(static_cast<double>(x.size(1)));
    torch::Tensor px;
    if (!global_) {
        // M_ij = <s_i, s_j>/√d only where A_ij ≠ 0: one score per edge.
        const auto score =
            (s.index_select(0, g.dst) * s.index_select(0, g.src)).sum(1) * (g.weight * scale);
        const auto rowsum = torch::zeros({x.size(0)}, x.options()).index_add(0, g.dst, score);
        const auto p = score / (rowsum + 1e-6).index_select(0, g.dst);
        px = torch::zeros_like(x).index_add(0, g.dst, x.index_select(0, g.src) * p.unsqueeze(1));
    } else {
        // All pairs of real nodes (self included): padded rows of s are zero, so
        // padding gets zero score and never enters a row sum.
        const auto sp = g.pad(s);
        const auto m = torch::bmm(sp, sp.transpose(1, 2)) * scale;
        const auto p = m / (m.sum(2, true) + 1e-6);
        px = g.unpad(torch::bmm(p, g.pad(x)));
    }
    const auto y = agg(px) + root(x);
    return F::normalize(y, F::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
}

}  // namespace nar::model
