#include "model/sage_layer.h"

#include "model/matmul_precision.h"

namespace nar::model {

namespace F = torch::nn::functional;

SageLayerImpl::SageLayerImpl(int64_t in_dim, int64_t out_dim) {
    agg = register_module("agg", torch::nn::Linear(in_dim, out_dim));
    root = register_module(
        "root", torch::nn::Linear(torch::nn::LinearOptions(in_dim, out_dim).bias(false)));
}

torch::Tensor SageLayerImpl::forward(const torch::Tensor& x, const PackedGraph& g) {
    // Unweighted neighbour mean: every edge counts once.
    const auto ones = torch::ones({g.dst.size(0)}, x.options());
    const auto n_nb = torch::zeros({x.size(0)}, x.options()).index_add(0, g.dst, ones);
    const auto sum = torch::zeros_like(x).index_add(0, g.dst, x.index_select(0, g.src));
    const auto mean = sum / n_nb.clamp_min(1).unsqueeze(1);
    const auto y = linear_product(mean, agg->weight, agg->bias) +
                   linear_product(x, root->weight, torch::Tensor());
    return F::normalize(y, F::NormalizeFuncOptions().p(2).dim(1).eps(1e-12));
}

}  // namespace nar::model
