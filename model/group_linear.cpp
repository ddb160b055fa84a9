#include "model/group_linear.h"

#include <string>

#include "common/error.h"
#include "model/group_matmul.h"
#include "model/matmul_precision.h"
#include "model/norm_act.h"

namespace nar::model {

GroupLinearImpl::GroupLinearImpl(int64_t in_dim, int64_t out_dim, int64_t groups)
    : groups_(groups) {
    if (groups < 1 || in_dim % groups != 0 || out_dim % groups != 0) {
        throw common::Error("GroupLinear: " + std::to_string(in_dim) + "->" +
                            std::to_string(out_dim) + " is not divisible into " +
                            std::to_string(groups) + " groups");
    }
    weight =
        register_parameter("weight", torch::empty({groups, in_dim / groups, out_dim / groups}));
    bias = register_parameter("bias", torch::zeros({groups, 1, out_dim / groups}));
    // torch's fans for a 3-d tensor, as the reference's xavier_uniform_.
    torch::nn::init::xavier_uniform_(weight);
    norm = register_module(
        "norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({out_dim / groups}).eps(1e-5)));
}

torch::Tensor GroupLinearImpl::forward_grouped(const torch::Tensor& xg) {
    return forward_grouped_act(xg, false, 0.0, false, false);
}

torch::Tensor GroupLinearImpl::forward_grouped_act(const torch::Tensor& xg, bool relu, double p,
                                                   bool train, bool feeds_product) {
    // A plain product on a contiguous input: baddbmm (and a strided input) falls
    // back to one addmm_ per group on LibTorch's CPU path, at 45-75 instead of
    // ~120 GF/s. With bf16 products the LayerNorm reads the bf16 result and,
    // when the next product takes it, writes bf16: no separate casts.
    const auto y = group_matmul(product_operand(xg), product_operand(weight));
    const auto out = feeds_product ? product_dtype(weight) : weight.scalar_type();
    return norm_act_dropout(y, norm->weight, norm->bias, norm->options.eps(), relu, p, train,
                            bias.squeeze(1), out);
}

torch::Tensor GroupLinearImpl::forward(const torch::Tensor& x) {
    const int64_t t = x.size(0);
    const auto xg = x.view({t, groups_, x.size(1) / groups_}).transpose(0, 1);
    const auto y = forward_grouped(xg);
    return y.transpose(0, 1).reshape({t, -1});
}

}  // namespace nar::model
